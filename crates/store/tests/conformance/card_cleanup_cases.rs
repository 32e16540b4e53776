//! 存量卡清理: residents the platform flags (a punishment in force, a card lent or sold, an
//! account that received victim money) are proposed to the banks where an account of theirs is
//! known, asked about once per holder and bank, read by subtree or by bank, answered once at
//! the version read (figures that agree with the outcome), withdrawn by police, and counted
//! per bank and reason.

use crate::fixtures::{audits, person, punished, resident_id, sold_card, with_tree};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn account(no: &str, bank: &str, holder: u32) -> NewAccount {
    NewAccount {
        account_no: no.into(),
        bank_code: Some(bank.into()),
        bank_name: Some(format!("{bank}银行")),
        card_type: Some("debit".into()),
        holder_resident_id: Some(resident_id(holder)),
        holder_name: None,
        opened_at: Some(T0 - 400 * DAY),
        opened_where: Some("余姚城东支行".into()),
    }
}

async fn punish(store: &Store, scope: &Scope, n: u32, from: i64, until: Option<i64>) {
    punished(store, scope, &resident_id(n), from, until).await;
}

/// Residents (all 余姚 except 5 and 6, 慈溪):
/// 1 punished now, accounts at ICBC (two) and ABC; 2 sold a card, account at CCB; 3 received
/// victim money into an ABC account, and also holds a BOC account; 4 flagged by nothing, ICBC;
/// 5 punished now (慈溪), ICBC; 6 punished until a year ago (慈溪), ICBC; 7 punished now, but
/// no bank account is known.
async fn world(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            person(1, "330281001001"),
            person(2, "330281001001"),
            person(3, "330281001002"),
            person(4, "330281002001"),
            person(5, "330282001001"),
            person(6, "330282001001"),
            person(7, "330281002001"),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            account("6222020000000000011", "ICBC", 1),
            account("6222020000000000012", "ICBC", 1),
            account("6228480000000000013", "ABC", 1),
            account("6217000000000000021", "CCB", 2),
            account("6228480000000000031", "ABC", 3),
            account("6216610000000000032", "BOC", 3),
            account("6222020000000000041", "ICBC", 4),
            account("6222020000000000051", "ICBC", 5),
            account("6222020000000000061", "ICBC", 6),
        ])
        .await
        .unwrap();
    let city = store.units().scope("3302").await.unwrap();
    punish(store, &city, 1, T0 - 20 * DAY, Some(T0 + 300 * DAY)).await;
    punish(store, &city, 5, T0 - 20 * DAY, None).await;
    punish(store, &city, 6, T0 - 800 * DAY, Some(T0 - 365 * DAY)).await;
    punish(store, &city, 7, T0 - 20 * DAY, None).await;
    sold_card(
        store,
        &city,
        &resident_id(2),
        "6217000000000000021",
        T0 - 10 * DAY,
    )
    .await;
    store
        .cases()
        .create(&NewCase {
            id: "AJ1".into(),
            unit_code: "330282001001".into(),
            reported_at: T0 - 5 * DAY,
            loss_fen: 100_000,
            narrative: "刷单".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "t".into(),
            created_at: T0 - 5 * DAY,
            ..NewCase::default()
        })
        .await
        .unwrap();
    store
        .cases()
        .add_transfers(
            "AJ1",
            &[CaseTransfer {
                txn_id: None,
                from_account: "VICTIM".into(),
                to_account: "6228480000000000031".into(),
                at: T0 - 5 * DAY,
                amount_fen: 100_000,
                channel: "bank".into(),
                source_file: None,
            }],
        )
        .await
        .unwrap();
}

fn pairs(c: &[CleanupCandidate]) -> Vec<(String, String, Vec<&'static str>, i64)> {
    c.iter()
        .map(|c| {
            (
                c.bank_code.clone(),
                c.resident_id.clone(),
                c.reasons.iter().map(|r| r.as_str()).collect(),
                c.known_accounts,
            )
        })
        .collect()
}

fn answer(outcome: CleanupOutcome, found: i64, closed: i64, restricted: i64) -> CleanupAnswer {
    CleanupAnswer {
        outcome,
        accounts_found: found,
        accounts_closed: closed,
        accounts_restricted: restricted,
        note: String::new(),
    }
}

/// Who is proposed to which bank, inside the area, once per holder and bank.
pub async fn cleanups_are_proposed_for_flagged_holders_at_their_known_banks(store: &Store) {
    world(store).await;
    let repo = store.card_cleanups();
    let yuyao = store.units().scope("330281").await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let now = T0;
    let r = resident_id;
    assert_eq!(
        pairs(&repo.candidates(&yuyao, None, &[], now).await.unwrap()),
        vec![
            ("ABC".into(), r(1), vec!["punished"], 1),
            ("ABC".into(), r(3), vec!["mule_account"], 1),
            ("BOC".into(), r(3), vec!["mule_account"], 1),
            ("CCB".into(), r(2), vec!["gave_card_away"], 1),
            ("ICBC".into(), r(1), vec!["punished"], 2),
        ],
        "by bank, then unit, then holder; 4 is flagged by nothing, 7 has no known account"
    );
    // 慈溪's holder 5 is the city's, not 余姚's; 6's punishment is over.
    let all = repo
        .candidates(&city, Some("ICBC"), &[], now)
        .await
        .unwrap();
    assert_eq!(
        pairs(&all),
        vec![
            ("ICBC".into(), r(1), vec!["punished"], 2),
            ("ICBC".into(), r(5), vec!["punished"], 1),
        ]
    );
    assert_eq!(all[1].unit_code, "330282001001");
    assert_eq!(all[1].holder_name, "居民5");
    assert_eq!(all[1].bank_name, "ICBC银行");
    // Before 6's punishment ended, 6 was one too.
    let then = repo
        .candidates(
            &city,
            Some("ICBC"),
            &[CleanupReason::Punished],
            T0 - 400 * DAY,
        )
        .await
        .unwrap();
    assert!(then.iter().any(|c| c.resident_id == r(6)));
    let mule_only = repo
        .candidates(&yuyao, None, &[CleanupReason::MuleAccount], now)
        .await
        .unwrap();
    assert_eq!(mule_only.len(), 2);
    assert!(mule_only.iter().all(|c| c.resident_id == r(3)));

    // Generating asks about each once, audited; a second run finds nothing new.
    let g = repo
        .generate(&yuyao, None, &[], "年度存量卡清理", "analyst", now)
        .await
        .unwrap();
    assert_eq!((g.requested, g.holders, g.banks), (5, 3, 4));
    let (first, last) = (g.first_id.unwrap(), g.last_id.unwrap());
    assert_eq!(last - first, 4);
    assert_eq!(audits(store, "card_cleanup_requested").await, 5);
    assert!(repo
        .candidates(&yuyao, None, &[], now)
        .await
        .unwrap()
        .is_empty());
    let again = repo
        .generate(&yuyao, None, &[], "", "analyst", now + 1)
        .await
        .unwrap();
    assert_eq!(again, GeneratedCleanups::default());
    let c = repo
        .get(&CleanupViewer::Police(yuyao.clone()), first)
        .await
        .unwrap();
    assert_eq!(
        (c.bank_code.as_str(), c.state, c.note.as_str()),
        ("ABC", CleanupState::Pending, "年度存量卡清理")
    );
    assert_eq!(c.deadline, now + CLEANUP_DAYS * DAY);
    assert_eq!(c.holder_name, "居民1");

    // Withdrawn: proposed again at once; answered: not for CLEANUP_REPEAT_DAYS days.
    repo.withdraw(&yuyao, first, 1, "已另案处理", "analyst", now + 2)
        .await
        .unwrap();
    let icbc = repo
        .list(
            &CleanupViewer::Bank("ICBC".into()),
            &CleanupFilter::default(),
            &PageRequest::first(10),
            now,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(icbc.len(), 1);
    repo.answer(
        "ICBC",
        icbc[0].id,
        1,
        &answer(CleanupOutcome::Cleaned, 2, 1, 1),
        "icbc",
        now + DAY,
    )
    .await
    .unwrap();
    let later = |days: i64| now + days * DAY;
    let repo_ref = &repo;
    let proposed = |t: i64| {
        let yuyao = yuyao.clone();
        async move {
            pairs(&repo_ref.candidates(&yuyao, None, &[], t).await.unwrap())
                .into_iter()
                .map(|(bank, holder, _, _)| (bank, holder))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(proposed(later(1)).await, vec![("ABC".into(), r(1))]);
    assert_eq!(
        proposed(later(CLEANUP_REPEAT_DAYS + 1)).await,
        vec![("ABC".into(), r(1)), ("ICBC".into(), r(1))]
    );
    // A bank filter and a reason nobody has write nothing.
    let none = repo
        .generate(
            &yuyao,
            Some("CCB"),
            &[CleanupReason::Punished],
            "",
            "a",
            now + 3,
        )
        .await
        .unwrap();
    assert_eq!(none.requested, 0);
    let ccb = repo
        .generate(&city, Some("CCB"), &[], "", "a", now + 3)
        .await
        .unwrap();
    assert_eq!(ccb.requested, 0, "2's CCB request is pending already");
}

/// A bank's liaison reads and answers only its bank's requests, once, at the version read,
/// with figures that agree with the outcome; police withdraw inside their area.
pub async fn banks_answer_their_own_cleanups_once_at_the_version_read(store: &Store) {
    world(store).await;
    let repo = store.card_cleanups();
    let city = store.units().scope("3302").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    repo.generate(&city, None, &[], "", "analyst", T0)
        .await
        .unwrap();
    let abc = CleanupViewer::Bank("ABC".into());
    let abc_list = repo
        .list(&abc, &CleanupFilter::default(), &PageRequest::first(10), T0)
        .await
        .unwrap()
        .items;
    assert_eq!(abc_list.len(), 2);
    assert!(abc_list.iter().all(|c| c.bank_code == "ABC"));
    let mule = abc_list
        .iter()
        .find(|c| c.resident_id == resident_id(3))
        .unwrap()
        .clone();
    // Another bank does not see it; 慈溪's police do not either.
    assert!(matches!(
        repo.get(&CleanupViewer::Bank("ICBC".into()), mule.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.get(&CleanupViewer::Police(cixi.clone()), mule.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.answer(
            "ICBC",
            mule.id,
            1,
            &answer(CleanupOutcome::NoAccounts, 0, 0, 0),
            "x",
            T0
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    // The accounts the platform knows of at the bank, the one that took victim money marked.
    let known = repo.known_accounts(&mule).await.unwrap();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].account_no, "6228480000000000031");
    assert!(known[0].received_victim_money && !known[0].closed);
    // Figures that do not agree with the outcome are refused.
    for bad in [
        answer(CleanupOutcome::Cleaned, 2, 0, 0),
        answer(CleanupOutcome::Cleaned, 1, 1, 1),
        answer(CleanupOutcome::NoAccounts, 1, 0, 0),
        answer(CleanupOutcome::Normal, 1, 0, 0),
    ] {
        assert!(
            matches!(
                repo.answer("ABC", mule.id, 1, &bad, "abc", T0 + 1).await,
                Err(StoreError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        repo.answer(
            "ABC",
            mule.id,
            2,
            &answer(CleanupOutcome::Cleaned, 2, 2, 0),
            "abc",
            T0
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    let done = repo
        .answer(
            "ABC",
            mule.id,
            1,
            &CleanupAnswer {
                note: "两户均已销户".into(),
                ..answer(CleanupOutcome::Cleaned, 2, 2, 0)
            },
            "abc",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(done.state, CleanupState::Answered);
    assert!(done.on_time());
    let stored = repo.get(&abc, mule.id).await.unwrap();
    assert_eq!(stored, done);
    assert_eq!(
        (
            stored.outcome,
            stored.accounts_found,
            stored.accounts_closed,
            stored.accounts_restricted,
            stored.version
        ),
        (Some(CleanupOutcome::Cleaned), Some(2), Some(2), Some(0), 2)
    );
    assert!(matches!(
        repo.answer(
            "ABC",
            mule.id,
            2,
            &answer(CleanupOutcome::NoAccounts, 0, 0, 0),
            "abc",
            T0
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        repo.withdraw(&yuyao, mule.id, 2, "不需要了", "analyst", T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    // 慈溪's holder 5: 余姚 cannot withdraw it, the city can; a note is required.
    let five = repo
        .list(
            &CleanupViewer::Police(cixi.clone()),
            &CleanupFilter::default(),
            &PageRequest::first(10),
            T0,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(five.len(), 1);
    assert!(matches!(
        repo.withdraw(&yuyao, five[0].id, 1, "x", "analyst", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.withdraw(&city, five[0].id, 1, " ", "analyst", T0)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let w = repo
        .withdraw(&city, five[0].id, 1, "户籍迁出", "analyst", T0)
        .await
        .unwrap();
    assert_eq!(w.state, CleanupState::Withdrawn);
    assert_eq!(audits(store, "card_cleanup_answered").await, 1);
    assert_eq!(audits(store, "card_cleanup_withdrawn").await, 1);
}

/// Figures per bank and reason, on time and overdue; the list's filters and pages.
pub async fn cleanup_figures_count_on_time_overdue_per_bank_and_reason(store: &Store) {
    world(store).await;
    let repo = store.card_cleanups();
    let city = store.units().scope("3302").await.unwrap();
    let police = CleanupViewer::Police(city.clone());
    repo.generate(&city, None, &[], "", "analyst", T0)
        .await
        .unwrap();
    let all = repo
        .list(
            &police,
            &CleanupFilter::default(),
            &PageRequest::first(50),
            T0,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 6);
    let id_of = |bank: &str, holder: u32| {
        all.iter()
            .find(|c| c.bank_code == bank && c.resident_id == resident_id(holder))
            .unwrap()
            .id
    };
    // ICBC answers 1 on time (cleaned) and 5 late (verified normal); ABC answers 1 (no
    // account) on time and leaves 3 pending past the deadline; BOC and CCB stay pending.
    let late = T0 + (CLEANUP_DAYS + 1) * DAY;
    repo.answer(
        "ICBC",
        id_of("ICBC", 1),
        1,
        &answer(CleanupOutcome::Cleaned, 3, 1, 2),
        "icbc",
        T0 + DAY,
    )
    .await
    .unwrap();
    repo.answer(
        "ICBC",
        id_of("ICBC", 5),
        1,
        &CleanupAnswer {
            note: "代发工资账户".into(),
            ..answer(CleanupOutcome::Normal, 1, 0, 0)
        },
        "icbc",
        late,
    )
    .await
    .unwrap();
    repo.answer(
        "ABC",
        id_of("ABC", 1),
        1,
        &answer(CleanupOutcome::NoAccounts, 0, 0, 0),
        "abc",
        T0 + DAY,
    )
    .await
    .unwrap();
    let now = late + 1;
    let f = repo.figures(&police, now, None).await.unwrap();
    assert_eq!(
        (
            f.all.requested,
            f.all.answered,
            f.all.on_time,
            f.all.pending,
            f.all.overdue
        ),
        (6, 3, 2, 3, 3)
    );
    assert_eq!((f.all.cleaned, f.all.normal, f.all.no_accounts), (1, 1, 1));
    assert_eq!(
        (
            f.all.accounts_found,
            f.all.accounts_closed,
            f.all.accounts_restricted
        ),
        (4, 1, 2)
    );
    assert_eq!(f.all.on_time_rate(), Some(2.0 / 6.0));
    let icbc = &f.by_bank["ICBC"];
    assert_eq!(icbc.0, "ICBC银行");
    assert_eq!(
        (icbc.1.requested, icbc.1.answered, icbc.1.on_time),
        (2, 2, 1)
    );
    assert_eq!(f.by_bank.len(), 4);
    assert_eq!(f.by_reason[&CleanupReason::Punished].requested, 3);
    assert_eq!(f.by_reason[&CleanupReason::MuleAccount].requested, 2);
    assert_eq!(f.by_reason[&CleanupReason::GaveCardAway].requested, 1);
    // A bank reads its own figures only; a period before the requests counts nothing.
    let abc = repo
        .figures(&CleanupViewer::Bank("ABC".into()), now, None)
        .await
        .unwrap();
    assert_eq!((abc.all.requested, abc.by_bank.len()), (2, 1));
    let before = repo
        .figures(&police, now, Some((T0 - 10 * DAY, T0)))
        .await
        .unwrap();
    assert_eq!(before.all.requested, 0);
    // Filters.
    let repo_ref = &repo;
    let count = |f: CleanupFilter| {
        let police = police.clone();
        async move { repo_ref.count(&police, &f, now).await.unwrap() }
    };
    assert_eq!(
        count(CleanupFilter {
            overdue: true,
            ..CleanupFilter::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(CleanupFilter {
            reason: Some(CleanupReason::MuleAccount),
            ..CleanupFilter::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(CleanupFilter {
            bank_code: Some("ICBC".into()),
            state: Some(CleanupState::Answered),
            ..CleanupFilter::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(CleanupFilter {
            outcome: Some(CleanupOutcome::NoAccounts),
            ..CleanupFilter::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(CleanupFilter {
            resident_id: Some(resident_id(3)),
            ..CleanupFilter::default()
        })
        .await,
        2
    );
    // Pages of two cover the list once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = repo
            .list(
                &police,
                &CleanupFilter::default(),
                &PageRequest {
                    after: after.clone(),
                    limit: 2,
                },
                now,
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|c| c.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 6);
}

fn closure(account: &str, holder: u32, opened: i64, closed: i64) -> ClosureRow {
    ClosureRow {
        kind: CardKind::BankCard,
        account_no: account.into(),
        bank_code: "ICBC".into(),
        bank_name: "ICBC银行".into(),
        resident_id: resident_id(holder),
        holder_name: String::new(),
        opened_at: Some(opened),
        closed_at: closed,
        outlet: "余姚城东支行".into(),
        batch: "ICBC 销户".into(),
    }
}

/// 频繁开销户: a holder whose bank cards the closure lists show opened and closed within 90 days,
/// twice in the last year, is proposed at the banks where they still hold an open card; one
/// short-lived card, or two closed more than a year ago, is not enough.
pub async fn holders_opening_and_closing_cards_are_proposed_where_they_still_hold_one(
    store: &Store,
) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            person(8, "330281001001"),
            person(9, "330281001001"),
            person(10, "330281001002"),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            account("6216610000000000081", "BOC", 8),
            account("6222020000000000082", "ICBC", 8),
            account("6222020000000000083", "ICBC", 8),
            account("6216610000000000091", "BOC", 9),
            account("6216610000000000101", "BOC", 10),
        ])
        .await
        .unwrap();
    let city = store.units().scope("3302").await.unwrap();
    store
        .new_cards()
        .import_closures(
            &city,
            "3302",
            &[
                closure("6222020000000000082", 8, T0 - 100 * DAY, T0 - 60 * DAY),
                closure("6222020000000000083", 8, T0 - 50 * DAY, T0 - 20 * DAY),
                closure("6222020000000000092", 9, T0 - 50 * DAY, T0 - 20 * DAY),
                closure("6222020000000000093", 9, T0 - 300 * DAY, T0 - 30 * DAY),
                closure("6222020000000000102", 10, T0 - 500 * DAY, T0 - 450 * DAY),
                closure("6222020000000000103", 10, T0 - 420 * DAY, T0 - 400 * DAY),
            ],
            "bank",
            T0,
        )
        .await
        .unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let got = pairs(
        &store
            .card_cleanups()
            .candidates(&yuyao, None, &[], T0)
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        vec![("BOC".into(), resident_id(8), vec!["frequent_open_close"], 1)],
        "ICBC's two cards are closed: nothing left to ask ICBC about"
    );
    // Half a year earlier, 10's cards were within the year.
    let then = pairs(
        &store
            .card_cleanups()
            .candidates(
                &yuyao,
                None,
                &[CleanupReason::FrequentOpenClose],
                T0 - 200 * DAY,
            )
            .await
            .unwrap(),
    );
    assert!(
        then.iter().any(|(_, r, _, _)| *r == resident_id(10)),
        "{then:?}"
    );
    assert!(
        !then.iter().any(|(_, r, _, _)| *r == resident_id(8)),
        "not closed yet then"
    );
}
