//! New-card screening (新开卡审查): a bank's list is screened against what the platform knows
//! of each holder, stored once per card at the holder's residence unit, read by subtree or by
//! bank, re-screened when a later list completes a burst, reviewed once (audited), and counted
//! per bank with the cards that later received victim money.

use crate::fixtures::{audits, person, punished, sold_card, with_tree};
use fanzha_core::resident_id::check_char;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

/// A valid resident ID (check digit included) born 2005-06-07 in 余姚, number `n`: 20 or 21
/// years old at T0 (2027-01-15), so every card of theirs is flagged `young`.
fn young_id(n: u32) -> String {
    with_check(&format!("330281200506070{n:02}"))
}

/// A valid resident ID born 1980-01-01 in 余姚.
fn adult_id(n: u32) -> String {
    with_check(&format!("330281198001010{n:02}"))
}

fn with_check(body: &str) -> String {
    let b: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", check_char(&b) as char)
}

fn registered(resident_id: &str, village: &str, phone: &str) -> NewPerson {
    NewPerson {
        resident_id: resident_id.into(),
        phone: Some(phone.into()),
        ..person(1, village)
    }
}

fn card(account: &str, holder: &str, at: i64, outlet: &str) -> NewCardRow {
    NewCardRow {
        kind: CardKind::BankCard,
        account_no: account.into(),
        bank_code: "ICBC".into(),
        bank_name: "中国工商银行".into(),
        resident_id: holder.into(),
        holder_name: " 张三 ".into(),
        phone: None,
        opened_at: at,
        outlet: "余姚城东支行".into(),
        outlet_division: Some(outlet.into()),
        batch: "ICBC 2027-01-15".into(),
        clerk: String::new(),
    }
}

fn codes(c: &ScreenedCard) -> Vec<&'static str> {
    c.findings.iter().map(|f| f.code.as_str()).collect()
}

pub async fn cards_are_screened_once_and_placed_at_the_holders_residence(store: &Store) {
    with_tree(store).await;
    let adult = adult_id(1);
    let seller = young_id(2);
    let elsewhere = adult_id(3);
    store
        .people()
        .upsert(&[
            registered(&adult, "330281001001", "13800000001"),
            registered(&seller, "330281002001", "13800000002"),
            registered(&elsewhere, "330282001001", "13800000003"),
        ])
        .await
        .unwrap();
    let repo = store.new_cards();
    let city = store.units().scope("3302").await.unwrap();
    let list = vec![
        // An ordinary card at home: no risk, not queued.
        card("6222020000000000011", &adult, T0, "330281"),
        // Two cards two days apart in another province, by a 21-year-old.
        card("6222020000000000029", &seller, T0, "653101"),
        card("6222020000000000037", &seller, T0 + 2 * DAY, "653101"),
        // Someone the platform does not know: stays with the importing unit.
        card("6222020000000000045", &young_id(9), T0, "330281"),
        // The same account twice in one list counts once.
        card("6222020000000000011", &adult, T0, "330281"),
    ];
    let got = repo
        .import(&city, "3302", &list, "icbc_liaison", T0 + DAY)
        .await
        .unwrap();
    assert_eq!((got.ids.len(), got.duplicates), (4, 1));
    assert_eq!(got.queued, 2, "the two far-away cards of a pair: 10+25+10");
    assert_eq!(got.by_level.get(&Level::Medium), Some(&2));
    assert_eq!(got.rescreened, 0);
    assert_eq!(audits(store, "new_cards_imported").await, 1);

    let police = Viewer::Police(city.clone());
    let first = repo.get(&police, got.ids[0]).await.unwrap();
    assert_eq!(first.unit_code, "330281001001");
    assert_eq!(first.holder_name, "张三");
    assert_eq!(
        (first.level, first.state),
        (Level::None, CardState::NotQueued)
    );
    let pair = repo.get(&police, got.ids[1]).await.unwrap();
    assert_eq!(codes(&pair), vec!["far_province", "card_pair", "young"]);
    assert_eq!(pair.score, 45);
    assert_eq!(pair.state, CardState::Pending);
    assert_eq!(
        repo.get(&police, got.ids[3]).await.unwrap().unit_code,
        "3302"
    );
    // The cards are now bank accounts with their holders.
    assert_eq!(
        store
            .accounts()
            .get(&Scope::platform(), "6222020000000000029")
            .await
            .unwrap()
            .holder_resident_id
            .as_deref(),
        Some(seller.as_str())
    );

    // The same list again adds nothing and writes no second screening.
    let again = repo
        .import(&city, "3302", &list, "icbc_liaison", T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!((again.ids.len(), again.duplicates), (0, 5));
    assert_eq!(again.rescreened, 0);

    // A third card two days later makes a burst of all three; the earlier two are screened
    // again and stay on the review list.
    let third = repo
        .import(
            &city,
            "3302",
            &[card("6222020000000000052", &seller, T0 + 4 * DAY, "653101")],
            "icbc_liaison",
            T0 + 5 * DAY,
        )
        .await
        .unwrap();
    assert_eq!((third.ids.len(), third.queued, third.rescreened), (1, 1, 2));
    let pair = repo.get(&police, got.ids[1]).await.unwrap();
    assert_eq!(codes(&pair), vec!["card_burst", "far_province", "young"]);
    assert_eq!(pair.findings[0].value, Some(3));
    assert_eq!(pair.level, Level::High);
    assert_eq!(pair.screened_at, T0 + 5 * DAY);

    // Subtrees and banks.
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let all = CardFilter::default();
    assert_eq!(repo.count_matching(&police, &all).await.unwrap(), 5);
    assert_eq!(
        repo.count_matching(&Viewer::Police(yangming.clone()), &all)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        repo.count_matching(&Viewer::Police(cixi), &all)
            .await
            .unwrap(),
        0
    );
    assert!(matches!(
        repo.get(&Viewer::Police(yangming), got.ids[1]).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        repo.count_matching(&Viewer::Bank("ICBC".into()), &all)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        repo.count_matching(&Viewer::Bank("CCB".into()), &all)
            .await
            .unwrap(),
        0
    );
    // An importing unit outside the scope is refused.
    let yuyao = store.units().scope("330281").await.unwrap();
    assert!(matches!(
        repo.import(&yuyao, "3302", &list, "x", T0).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn the_holders_history_raises_the_screening(store: &Store) {
    with_tree(store).await;
    let listed = adult_id(4);
    let gave_away = adult_id(5);
    let mule = adult_id(6);
    let sharer = adult_id(7);
    let city = store.units().scope("3302").await.unwrap();
    store
        .people()
        .upsert(&[
            registered(&listed, "330281001001", "13800000004"),
            registered(&gave_away, "330281001001", "13800000005"),
            registered(&mule, "330281001002", "13800000006"),
            registered(&sharer, "330281002001", "13800000007"),
        ])
        .await
        .unwrap();
    // A key person under a financial punishment; a two-card lead found the card sold.
    punished(store, &city, &listed, T0 - 20 * DAY, Some(T0 + 300 * DAY)).await;
    sold_card(
        store,
        &city,
        &gave_away,
        "6217000000000000018",
        T0 - 10 * DAY,
    )
    .await;
    // An account of `mule` received victim money in a case of another person.
    store
        .accounts()
        .upsert(&[NewAccount {
            account_no: "6228480000000000015".into(),
            bank_code: Some("ABC".into()),
            bank_name: None,
            card_type: None,
            holder_resident_id: Some(mule.clone()),
            holder_name: None,
            opened_at: None,
            opened_where: None,
        }])
        .await
        .unwrap();
    store
        .cases()
        .create(&NewCase {
            id: "AJ9".into(),
            unit_code: "330281001001".into(),
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
            "AJ9",
            &[CaseTransfer {
                txn_id: None,
                from_account: "VICTIM".into(),
                to_account: "6228480000000000015".into(),
                at: T0 - 5 * DAY,
                amount_fen: 100_000,
                channel: "bank".into(),
                source_file: None,
            }],
        )
        .await
        .unwrap();

    let mut shared = card("6222020000000000060", &sharer, T0, "330281");
    // The reserved phone is the registered phone of `listed`.
    shared.phone = Some("13800000004".into());
    let mut virtual_phone = card("6222020000000000078", &adult_id(8), T0, "330281");
    virtual_phone.phone = Some("17012345678".into());
    let list = vec![
        card("6222020000000000086", &listed, T0, "330281"),
        card("6222020000000000094", &gave_away, T0, "330281"),
        card("6222020000000000102", &mule, T0, "330281"),
        shared,
        virtual_phone,
    ];
    let got = store
        .new_cards()
        .import(&city, "3302", &list, "icbc_liaison", T0)
        .await
        .unwrap();
    let police = Viewer::Police(city.clone());
    let mut seen = Vec::new();
    for id in &got.ids {
        let c = store.new_cards().get(&police, *id).await.unwrap();
        seen.push((codes(&c), c.level));
    }
    assert_eq!(
        seen,
        vec![
            (vec!["holder_punished", "holder_key_person"], Level::High),
            (vec!["holder_gave_card_away"], Level::High),
            (vec!["holder_mule_account"], Level::High),
            (vec!["shared_phone"], Level::Medium),
            (vec!["virtual_phone"], Level::Low),
        ]
    );
    assert_eq!(got.queued, 4);

    // A second card of the sharer a day later (no phone given): the first card is screened
    // again with its own reserved phone, so it keeps the shared phone and gains the pair.
    let later = store
        .new_cards()
        .import(
            &city,
            "3302",
            &[card("6222020000000000151", &sharer, T0 + DAY, "330281")],
            "icbc_liaison",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(later.rescreened, 1);
    let first = store.new_cards().get(&police, got.ids[3]).await.unwrap();
    assert_eq!(codes(&first), vec!["shared_phone", "card_pair"]);
    assert_eq!(first.level, Level::Medium);
}

pub async fn cards_are_reviewed_once_and_counted_per_bank(store: &Store) {
    with_tree(store).await;
    let seller = young_id(11);
    store
        .people()
        .upsert(&[registered(&seller, "330281001001", "13800000011")])
        .await
        .unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let repo = store.new_cards();
    let mut ccb = card("6217000000000000026", &adult_id(12), T0, "330281");
    ccb.bank_code = "CCB".into();
    ccb.bank_name = "中国建设银行".into();
    let got = repo
        .import(
            &city,
            "3302",
            &[
                card("6222020000000000110", &seller, T0, "653101"),
                card("6222020000000000128", &seller, T0 + DAY, "653101"),
                card("6222020000000000136", &seller, T0 + DAY, "653101"),
                ccb,
            ],
            "liaison",
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(got.queued, 3);
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    assert!(matches!(
        repo.review(
            &cixi,
            got.ids[0],
            Verdict::CardSeller,
            "本人承认出售",
            "x",
            T0
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.review(&yangming, got.ids[0], Verdict::CardSeller, " ", "x", T0)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let done = repo
        .review(
            &yangming,
            got.ids[0],
            Verdict::CardSeller,
            "本人承认三张卡已交给他人",
            "station",
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(done.state, CardState::Reviewed);
    assert_eq!(done.verdict, Some(Verdict::CardSeller));
    assert!(matches!(
        repo.review(&yangming, got.ids[0], Verdict::Normal, "", "station", T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(audits(store, "new_card_reviewed").await, 1);
    // A reviewed card is not screened again by a later list.
    let later = repo
        .import(
            &city,
            "3302",
            &[card("6222020000000000144", &seller, T0 + 2 * DAY, "653101")],
            "liaison",
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(later.rescreened, 2, "the two unreviewed cards");
    let kept = repo
        .get(&Viewer::Police(city.clone()), got.ids[0])
        .await
        .unwrap();
    assert_eq!(
        kept.findings[0].value,
        Some(3),
        "screened before the fourth"
    );

    // One of the seller's cards received victim money.
    store
        .cases()
        .create(&NewCase {
            id: "AJ7".into(),
            unit_code: "330282001001".into(),
            reported_at: T0 + 10 * DAY,
            loss_fen: 500_000,
            narrative: "刷单".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "t".into(),
            created_at: T0 + 10 * DAY,
            ..NewCase::default()
        })
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[NewStopPayment {
            id: "ZF7".into(),
            case_id: "AJ7".into(),
            unit_code: "330282001001".into(),
            account: "6222020000000000128".into(),
            bank_code: Some("ICBC".into()),
            institution: serde_json::json!({"kind": "bank", "code": "ICBC"}),
            requested_fen: 500_000,
            requested_at: T0 + 10 * DAY,
            deadline: T0 + 10 * DAY + 1_800_000,
            detail: serde_json::json!({}),
            reason: None,
            requested_by: None,
        }])
        .await
        .unwrap();

    let f = repo
        .figures(
            &Viewer::Police(city.clone()),
            CardKind::BankCard,
            T0 - DAY,
            T0 + 30 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(f.screened, 5);
    assert_eq!(f.flagged(), 4);
    assert_eq!(f.by_level.get(&Level::High), Some(&4));
    assert_eq!((f.pending, f.reviewed), (3, 1));
    assert_eq!(f.by_verdict.get(&Verdict::CardSeller), Some(&1));
    assert_eq!((f.involved, f.involved_flagged), (1, 1));
    assert_eq!(f.involved_share(), Some(0.2));
    let banks: Vec<_> = f
        .banks
        .iter()
        .map(|b| {
            (
                b.bank_code.as_str(),
                b.screened,
                b.flagged,
                b.card_seller,
                b.involved,
            )
        })
        .collect();
    assert_eq!(banks, vec![("ICBC", 4, 4, 1, 1), ("CCB", 1, 0, 0, 0)]);
    assert_eq!(f.banks[0].involved_share(), Some(0.25));
    // Per outlet: only outlets with involved or sold cards, the most involved first.
    let outlets = repo
        .outlet_figures(
            &Viewer::Police(city.clone()),
            CardKind::BankCard,
            T0 - DAY,
            T0 + 30 * DAY,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        outlets
            .iter()
            .map(|o| (
                o.bank_code.as_str(),
                o.outlet.as_str(),
                o.screened,
                o.card_seller,
                o.involved
            ))
            .collect::<Vec<_>>(),
        vec![("ICBC", "余姚城东支行", 4, 1, 1)]
    );
    assert_eq!(outlets[0].involved_share(), Some(0.25));
    assert!(repo
        .outlet_figures(
            &Viewer::Bank("CCB".into()),
            CardKind::BankCard,
            T0 - DAY,
            T0 + 30 * DAY,
            10
        )
        .await
        .unwrap()
        .is_empty());
    // The bank sees its own cards only; a period before the openings counts nothing.
    let icbc = repo
        .figures(
            &Viewer::Bank("ICBC".into()),
            CardKind::BankCard,
            T0 - DAY,
            T0 + 30 * DAY,
        )
        .await
        .unwrap();
    assert_eq!((icbc.screened, icbc.banks.len()), (4, 1));
    let before = repo
        .figures(
            &Viewer::Police(city.clone()),
            CardKind::BankCard,
            T0 - 30 * DAY,
            T0 - DAY,
        )
        .await
        .unwrap();
    assert_eq!(before.screened, 0);
    let card = repo
        .get(&Viewer::Police(city.clone()), got.ids[1])
        .await
        .unwrap();
    assert_eq!(repo.cases_of(&card).await.unwrap(), vec!["AJ7".to_string()]);

    // Filters and pages.
    let police = Viewer::Police(city);
    let pending = CardFilter {
        state: Some(CardState::Pending),
        ..CardFilter::default()
    };
    assert_eq!(repo.count_matching(&police, &pending).await.unwrap(), 3);
    let burst = CardFilter {
        reason: Some(ReasonCode::CardBurst),
        ..CardFilter::default()
    };
    assert_eq!(repo.count_matching(&police, &burst).await.unwrap(), 4);
    let flagged_ccb = CardFilter {
        flagged: true,
        bank_code: Some("CCB".into()),
        ..CardFilter::default()
    };
    assert_eq!(repo.count_matching(&police, &flagged_ccb).await.unwrap(), 0);
    let holder = CardFilter {
        holder: Some(seller.clone()),
        from: Some(T0 + DAY),
        ..CardFilter::default()
    };
    assert_eq!(repo.count_matching(&police, &holder).await.unwrap(), 3);
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let p = repo
            .list(&police, &CardFilter::default(), &page)
            .await
            .unwrap();
        seen.extend(p.items.iter().map(|c| c.opened_at));
        match p.next {
            Some(k) => {
                page = PageRequest {
                    after: Some(k),
                    limit: 2,
                }
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(
        seen.windows(2).all(|w| w[0] >= w[1]),
        "latest first: {seen:?}"
    );
}

/// Two banks' lists naming one holder, screened at the same moment: each sees the other's card,
/// so both cards carry the pair (the second by being screened again).
pub async fn lists_screened_at_once_see_each_others_cards(store: &Store) {
    with_tree(store).await;
    let city = store.units().scope("3302").await.unwrap();
    for n in 0..6u32 {
        let holder = adult_id(30 + n);
        let mut ccb = card(
            &format!("62170000000000{n:05}"),
            &holder,
            T0 + DAY,
            "330281",
        );
        ccb.bank_code = "CCB".into();
        let icbc = card(&format!("62220200000000{n:05}"), &holder, T0, "330281");
        let repo_a = store.new_cards();
        let repo_b = store.new_cards();
        let (a, b) = tokio::join!(
            repo_a.import(
                &city,
                "3302",
                std::slice::from_ref(&icbc),
                "icbc",
                T0 + 2 * DAY
            ),
            repo_b.import(
                &city,
                "3302",
                std::slice::from_ref(&ccb),
                "ccb",
                T0 + 2 * DAY
            ),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.rescreened + b.rescreened, 1, "holder {n}: {a:?} {b:?}");
        for id in [a.ids[0], b.ids[0]] {
            let c = store
                .new_cards()
                .get(&Viewer::Police(city.clone()), id)
                .await
                .unwrap();
            assert_eq!(codes(&c), vec!["card_pair"], "holder {n}, card {id}");
        }
    }
}

fn phone_card(number: &str, holder: &str, at: i64) -> NewCardRow {
    NewCardRow {
        kind: CardKind::SimCard,
        account_no: number.into(),
        bank_code: "china_mobile".into(),
        bank_name: "中国移动".into(),
        phone: None,
        outlet: "余姚城东营业厅".into(),
        batch: "china_mobile 2027-01-15".into(),
        ..card(number, holder, at, "330281")
    }
}

/// An operator's list of new phone cards (新入网电话卡): a holder's numbers on record (the
/// registered phone, phones registered to them, earlier and listed new numbers) make 一人多卡,
/// a burst counts the phone cards only, a virtual operator's segment is flagged, the operator
/// reads its own numbers with its own reasons, a number a victim names later counts as
/// involved (and its holder's next card carries it), and the new numbers become the holder's
/// registered phones.
pub async fn phone_cards_are_screened_for_many_numbers_and_counted_per_operator(store: &Store) {
    with_tree(store).await;
    let city = store.units().scope("3302").await.unwrap();
    let police = Viewer::Police(city.clone());
    let many = adult_id(40);
    let both = adult_id(41);
    store
        .people()
        .upsert(&[
            registered(&many, "330281001001", "13800000040"),
            registered(&both, "330281001001", "13800000041"),
        ])
        .await
        .unwrap();
    // One more number registered to `many` by an operator's earlier records.
    store
        .phones()
        .upsert(&[NewPhone {
            number: "13900000040".into(),
            kind: "mobile".into(),
            carrier: None,
            province: None,
            city: None,
            owner_resident_id: Some(many.clone()),
        }])
        .await
        .unwrap();
    // `both` opened two bank cards the day before: a phone card does not make a burst of them.
    store
        .new_cards()
        .import(
            &city,
            "3302",
            &[
                card("6222020000000000169", &both, T0 - DAY, "330281"),
                card("6222020000000000177", &both, T0 - DAY, "330281"),
            ],
            "icbc",
            T0 - DAY,
        )
        .await
        .unwrap();
    let list = vec![
        phone_card("13800000401", &many, T0),
        phone_card("13800000402", &many, T0),
        phone_card("13800000403", &many, T0 + 1000),
        phone_card("17012345670", &both, T0),
    ];
    let got = store
        .new_cards()
        .import(&city, "3302", &list, "operator_feed_china_mobile", T0)
        .await
        .unwrap();
    assert_eq!(got.ids.len(), 4);
    let mut seen = Vec::new();
    for id in &got.ids {
        let c = store.new_cards().get(&police, *id).await.unwrap();
        assert_eq!(c.kind, CardKind::SimCard);
        seen.push((codes(&c), c.level, c.bank_level));
    }
    // Five numbers on record: 13800000040, 13900000040 and the three new ones.
    let many_codes = vec!["card_burst", "many_numbers"];
    assert_eq!(
        seen,
        vec![
            (many_codes.clone(), Level::High, Level::Medium),
            (many_codes.clone(), Level::High, Level::Medium),
            (many_codes, Level::High, Level::Medium),
            (vec!["virtual_number"], Level::Low, Level::Low),
        ]
    );
    let first = store.new_cards().get(&police, got.ids[0]).await.unwrap();
    assert_eq!(first.findings[1].value, Some(5), "{first:?}");
    // The new numbers are the holder's registered phones now.
    let phone = store.phones().get(&city, "13800000401").await.unwrap();
    assert_eq!(phone.owner_resident_id.as_deref(), Some(many.as_str()));
    // Phone cards are no bank accounts.
    assert!(store.accounts().get(&city, "13800000401").await.is_err());

    // The operator reads its own numbers, without the police's reasons; a bank reads none.
    let operator = Viewer::Bank("china_mobile".into());
    let filter = CardFilter {
        kind: Some(CardKind::SimCard),
        ..CardFilter::default()
    };
    let page = store
        .new_cards()
        .list(&operator, &filter, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
    assert!(store
        .new_cards()
        .list(
            &Viewer::Bank("ICBC".into()),
            &filter,
            &PageRequest::first(10)
        )
        .await
        .unwrap()
        .items
        .is_empty());
    let medium = CardFilter {
        level: Some(Level::Medium),
        ..filter.clone()
    };
    assert_eq!(
        store
            .new_cards()
            .count_matching(&operator, &medium)
            .await
            .unwrap(),
        3,
        "the burst alone, as the operator reads it"
    );
    // The bank cards' filter keeps them apart.
    assert_eq!(
        store
            .new_cards()
            .count_matching(
                &police,
                &CardFilter {
                    kind: Some(CardKind::BankCard),
                    ..CardFilter::default()
                }
            )
            .await
            .unwrap(),
        2
    );

    // A victim names one of the new numbers: it is involved, and its holder's next card
    // carries the fraud number.
    store
        .cases()
        .create(&NewCase {
            id: "AJ40".into(),
            unit_code: "330281001001".into(),
            reported_at: T0 + 5 * DAY,
            loss_fen: 300_000,
            narrative: "冒充客服".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({"phones": ["13800000402"]}),
            created_by: "t".into(),
            created_at: T0 + 5 * DAY,
            ..NewCase::default()
        })
        .await
        .unwrap();
    let named = store.new_cards().get(&police, got.ids[1]).await.unwrap();
    assert_eq!(
        store.new_cards().cases_of(&named).await.unwrap(),
        vec!["AJ40".to_string()]
    );
    let f = store
        .new_cards()
        .figures(&police, CardKind::SimCard, T0 - DAY, T0 + 30 * DAY)
        .await
        .unwrap();
    assert_eq!((f.screened, f.flagged(), f.involved), (4, 3, 1));
    assert_eq!(
        f.banks
            .iter()
            .map(|b| (b.bank_code.as_str(), b.screened, b.involved))
            .collect::<Vec<_>>(),
        vec![("china_mobile", 4, 1)]
    );
    let bank_cards = store
        .new_cards()
        .figures(&police, CardKind::BankCard, T0 - 2 * DAY, T0 + 30 * DAY)
        .await
        .unwrap();
    assert_eq!((bank_cards.screened, bank_cards.involved), (2, 0));
    let shops = store
        .new_cards()
        .outlet_figures(&operator, CardKind::SimCard, T0 - DAY, T0 + 30 * DAY, 10)
        .await
        .unwrap();
    assert_eq!(
        shops
            .iter()
            .map(|o| (o.outlet.as_str(), o.screened, o.involved))
            .collect::<Vec<_>>(),
        vec![("余姚城东营业厅", 4, 1)]
    );
    let next = store
        .new_cards()
        .import(
            &city,
            "3302",
            &[card("6222020000000000185", &many, T0 + 40 * DAY, "330281")],
            "icbc",
            T0 + 40 * DAY,
        )
        .await
        .unwrap();
    let c = store.new_cards().get(&police, next.ids[0]).await.unwrap();
    assert_eq!(codes(&c), vec!["holder_fraud_number"]);
    assert_eq!((c.level, c.bank_level), (Level::High, Level::None));
}

fn closure(account: &str, holder: &str, opened: Option<i64>, closed: i64) -> ClosureRow {
    ClosureRow {
        kind: CardKind::BankCard,
        account_no: account.into(),
        bank_code: "ICBC".into(),
        bank_name: "中国工商银行".into(),
        resident_id: holder.into(),
        holder_name: "张三".into(),
        opened_at: opened,
        closed_at: closed,
        outlet: "余姚城东支行".into(),
        batch: "ICBC 销户 2027-01-15".into(),
    }
}

/// Closure lists (销户名单): a closure marks the listed card closed and takes its opening from
/// the new-card list; two cards closed within 90 days of opening make 频繁开销户, which puts the
/// holder's open card on the review list (police-only), flags the holder's next card on
/// arrival, and never touches closed or reviewed cards; a list sent again changes nothing; the
/// figures count the closed and short-lived cards per bank.
pub async fn cards_opened_and_closed_again_and_again_are_flagged(store: &Store) {
    with_tree(store).await;
    let city = store.units().scope("3302").await.unwrap();
    let police = Viewer::Police(city.clone());
    let holder = adult_id(50);
    let other = adult_id(51);
    store
        .people()
        .upsert(&[
            registered(&holder, "330281001001", "13800000050"),
            registered(&other, "330281001001", "13800000051"),
        ])
        .await
        .unwrap();
    let cards = store.new_cards();
    let mut ids = Vec::new();
    for (account, opened) in [
        ("6222020000000000193", T0 - 100 * DAY),
        ("6222020000000000201", T0 - 60 * DAY),
        ("6222020000000000219", T0 - 10 * DAY),
        ("6222020000000000227", T0 - 300 * DAY),
    ] {
        // Opened by clerk A07 of the outlet (谁办卡、谁负责).
        let row = NewCardRow {
            clerk: "A07".into(),
            ..card(account, &holder, opened, "330281")
        };
        let got = cards
            .import(&city, "3302", &[row], "icbc", opened)
            .await
            .unwrap();
        ids.push(got.ids[0]);
    }
    for id in &ids {
        let c = cards.get(&police, *id).await.unwrap();
        assert!(c.findings.is_empty(), "{c:?}");
        assert_eq!(c.state, CardState::NotQueued);
        assert_eq!(c.closed_at, None);
    }

    // An analyst puts the long-held card on watch before the closures arrive: it keeps its
    // screening.
    cards
        .review(
            &city,
            ids[3],
            Verdict::Watch,
            "常用工资卡",
            "analyst",
            T0 - DAY,
        )
        .await
        .unwrap();
    let outside = store.units().scope("330282").await.unwrap();
    let list = vec![
        // 20 and 10 days open: short-lived; the opening comes from the new-card list.
        closure("6222020000000000193", &holder, None, T0 - 80 * DAY),
        closure("6222020000000000201", &holder, None, T0 - 50 * DAY),
        // Not in any new-card list; the list gives the opening (299 days: not short-lived).
        closure(
            "6222020000000000235",
            &holder,
            Some(T0 - 400 * DAY),
            T0 - 101 * DAY,
        ),
        // Another holder's card closed the day it was opened.
        closure(
            "6222020000000000243",
            &other,
            Some(T0 - 5 * DAY),
            T0 - 5 * DAY,
        ),
        // A number the other holder gave up, stored as the first holder's card: not theirs
        // to close (a recycled number), so it stays open and its opening is not borrowed.
        closure("6222020000000000219", &other, None, T0 - 3 * DAY),
    ];
    assert!(matches!(
        cards
            .import_closures(&outside, "3302", &list, "icbc", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let got = cards
        .import_closures(&city, "3302", &list, "icbc", T0)
        .await
        .unwrap();
    assert_eq!(
        got,
        ClosureImport {
            received: 5,
            duplicates: 0,
            listed: 2,
            short_lived: 3,
            // The holder's open, unreviewed card.
            rescreened: 1,
            requeued: 1,
        }
    );
    let closed = cards.get(&police, ids[0]).await.unwrap();
    assert_eq!(closed.closed_at, Some(T0 - 80 * DAY));
    assert!(closed.short_lived());
    assert!(
        closed.findings.is_empty(),
        "a closed card is not screened again"
    );
    let open = cards.get(&police, ids[2]).await.unwrap();
    assert_eq!(codes(&open), vec!["frequent_open_close"]);
    assert_eq!(open.findings[0].value, Some(2));
    assert_eq!(
        (open.level, open.state),
        (Level::Medium, CardState::Pending)
    );
    assert_eq!(open.bank_level, Level::None, "police-only");
    assert_eq!(open.closed_at, None);
    let watched = cards.get(&police, ids[3]).await.unwrap();
    assert!(
        watched.findings.is_empty(),
        "a reviewed card keeps its screening"
    );

    // Sent again: nothing new.
    let again = cards
        .import_closures(&city, "3302", &list, "icbc", T0 + 1000)
        .await
        .unwrap();
    assert_eq!(
        (again.received, again.duplicates, again.rescreened),
        (0, 5, 0)
    );
    assert_eq!(audits(store, "card_closures_imported").await, 2);

    // The holder's next card carries the pattern on arrival; the other holder's one short-lived
    // card is no pattern.
    let next = cards
        .import(
            &city,
            "3302",
            &[
                card("6222020000000000250", &holder, T0 + DAY, "330281"),
                card("6222020000000000268", &other, T0 + DAY, "330281"),
            ],
            "icbc",
            T0 + DAY,
        )
        .await
        .unwrap();
    let mine = cards.get(&police, next.ids[0]).await.unwrap();
    assert_eq!(codes(&mine), vec!["frequent_open_close"]);
    let theirs = cards.get(&police, next.ids[1]).await.unwrap();
    assert!(theirs.findings.is_empty(), "{theirs:?}");

    // The holder's closures for the card page, the latest first, with their days open.
    let history = cards.closures_of(&holder).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|c| (c.account_no.as_str(), c.days_open(), c.short_lived()))
            .collect::<Vec<_>>(),
        vec![
            ("6222020000000000201", Some(10), true),
            ("6222020000000000193", Some(20), true),
            ("6222020000000000235", Some(299), false),
        ]
    );

    // Figures of the cards opened in the last 120 days: two closed, both short-lived.
    let f = cards
        .figures(&police, CardKind::BankCard, T0 - 120 * DAY, T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!((f.closed, f.short_lived), (2, 2));
    let icbc = f.banks.iter().find(|b| b.bank_code == "ICBC").unwrap();
    assert_eq!(icbc.short_lived, 2);
    let bank = cards
        .figures(
            &Viewer::Bank("ICBC".into()),
            CardKind::BankCard,
            T0 - 120 * DAY,
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(bank.short_lived, 2, "the bank reads its own closures");
    // The outlet whose two cards were closed within weeks is ranked for interviewing.
    let outlets = cards
        .outlet_figures(
            &police,
            CardKind::BankCard,
            T0 - 120 * DAY,
            T0 + 2 * DAY,
            20,
        )
        .await
        .unwrap();
    assert_eq!(
        outlets
            .iter()
            .map(|o| (o.outlet.as_str(), o.short_lived, o.involved))
            .collect::<Vec<_>>(),
        vec![("余姚城东支行", 2, 0)]
    );
    // And the clerk who opened them; cards whose list named no clerk are not ranked.
    let clerks = cards
        .clerk_figures(
            &police,
            CardKind::BankCard,
            T0 - 120 * DAY,
            T0 + 2 * DAY,
            20,
        )
        .await
        .unwrap();
    assert_eq!(
        clerks
            .iter()
            .map(|c| (
                c.outlet.as_str(),
                c.clerk.as_str(),
                c.screened,
                c.short_lived
            ))
            .collect::<Vec<_>>(),
        vec![("余姚城东支行", "A07", 3, 2)]
    );
    assert_eq!(
        cards.get(&police, ids[0]).await.unwrap().clerk,
        "A07",
        "kept on the card"
    );
}
