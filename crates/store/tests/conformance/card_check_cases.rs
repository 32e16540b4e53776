//! 开卡前核验 · 一线拦截: a counter's check of an applicant is screened from the same history as a
//! listed card, advised (refuse a punished applicant or a card seller, verify a key person or a
//! burst, proceed otherwise), stored at the applicant's residence unit, read by subtree or by
//! issuer, answered once at the version read, and counted per issuer — with the refused
//! applicants whose card was listed anyway.

use crate::fixtures::{audits, person, punished, sold_card, with_tree};
use fanzha_core::resident_id::check_char;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

/// A valid resident ID born 1980-01-01 in 余姚, number `n`.
fn adult_id(n: u32) -> String {
    let body = format!("330281198001010{n:02}");
    let b: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", check_char(&b) as char)
}

fn registered(n: u32, village: &str) -> NewPerson {
    NewPerson {
        resident_id: adult_id(n),
        phone: Some(format!("1390000{n:04}")),
        ..person(n, village)
    }
}

fn ask(bank: &str, n: u32) -> CardCheckRequest {
    CardCheckRequest {
        kind: CardKind::BankCard,
        issuer_code: bank.into(),
        issuer_name: format!("{bank}银行"),
        resident_id: adult_id(n),
        holder_name: format!("居民{n}"),
        phone: None,
        number: None,
        outlet: "余姚城东支行".into(),
        outlet_division: Some("330281".into()),
        clerk: "柜员07".into(),
    }
}

fn listed(account: &str, n: u32, bank: &str, at: i64) -> NewCardRow {
    NewCardRow {
        kind: CardKind::BankCard,
        account_no: account.into(),
        bank_code: bank.into(),
        bank_name: format!("{bank}银行"),
        resident_id: adult_id(n),
        holder_name: format!("居民{n}"),
        phone: None,
        opened_at: at,
        outlet: "余姚城东支行".into(),
        outlet_division: Some("330281".into()),
        batch: format!("{bank} list"),
        clerk: String::new(),
    }
}

fn said(outcome: CheckOutcome, note: &str) -> CheckAnswer {
    CheckAnswer {
        outcome,
        note: note.into(),
    }
}

fn codes(c: &CardCheck) -> Vec<&'static str> {
    c.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Residents of 余姚 except 4 (慈溪): 1 punished now; 2 sold a card; 3 opened two cards this
/// week; 4 nothing known; 6 a key person only.
async fn world(store: &Store) -> Scope {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            registered(1, "330281001001"),
            registered(2, "330281001001"),
            registered(3, "330281001002"),
            registered(4, "330282001001"),
            registered(6, "330281002001"),
        ])
        .await
        .unwrap();
    let city = store.units().scope("3302").await.unwrap();
    punished(store, &city, &adult_id(1), T0 - 20 * DAY, None).await;
    sold_card(
        store,
        &city,
        &adult_id(2),
        "6217000000000000021",
        T0 - 10 * DAY,
    )
    .await;
    store
        .new_cards()
        .import(
            &city,
            "3302",
            &[
                listed("6217000000000000310", 3, "CCB", T0 - 2 * DAY),
                listed("6228480000000000311", 3, "ABC", T0 - DAY),
            ],
            "bank_abc",
            T0 - DAY,
        )
        .await
        .unwrap();
    store
        .key_persons()
        .create(
            &city,
            &NewKeyPerson {
                resident_id: adult_id(6),
                category: KeyPersonCategory::FraudRecord,
                reason: "诈骗前科".into(),
                source: "form".into(),
                created_by: "analyst".into(),
                at: T0 - 30 * DAY,
            },
        )
        .await
        .unwrap();
    city
}

pub async fn applicants_are_advised_from_the_same_history_as_listed_cards(store: &Store) {
    let city = world(store).await;
    let cards = store.new_cards();
    let at = T0 + 3_600_000;

    let punished = cards
        .check_applicant("3302", &ask("ICBC", 1), "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(punished.verdict, CounterVerdict::Refuse);
    assert!(
        codes(&punished).contains(&"holder_punished"),
        "{:?}",
        codes(&punished)
    );
    let answer = punished.answer();
    assert!(answer.punished && answer.findings.iter().all(|f| !f.code.police_only()));
    assert_eq!(punished.unit_code, "330281001001");
    assert_eq!(punished.version, 1);
    assert_eq!(punished.outcome, None);

    let seller = cards
        .check_applicant("3302", &ask("ICBC", 2), "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(seller.verdict, CounterVerdict::Refuse);
    assert_eq!(codes(&seller), vec!["holder_gave_card_away"]);
    assert!(seller.answer().police_records && !seller.answer().punished);

    // A third card this week: the burst counts the card asked for.
    let burst = cards
        .check_applicant("3302", &ask("ICBC", 3), "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(burst.verdict, CounterVerdict::Verify);
    assert_eq!(
        burst.findings[0],
        Finding::new(ReasonCode::CardBurst, Some(3))
    );

    let key = cards
        .check_applicant("3302", &ask("ICBC", 6), "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(key.verdict, CounterVerdict::Verify);
    assert_eq!(codes(&key), vec!["holder_key_person"]);

    // 慈溪's resident opening in 余姚 (the same city): nothing found — proceed.
    let plain = cards
        .check_applicant("3302", &ask("ICBC", 4), "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(plain.verdict, CounterVerdict::Proceed);
    assert!(codes(&plain).is_empty(), "{:?}", codes(&plain));
    assert_eq!(plain.unit_code, "330282001001");

    // Someone the platform does not know stays with the liaison's unit; a reserved phone that
    // a registered resident gives is shared.
    let stranger = CardCheckRequest {
        resident_id: adult_id(9),
        phone: Some("13900000001".into()),
        ..ask("ICBC", 9)
    };
    let stranger = cards
        .check_applicant("3302", &stranger, "bank_icbc", at)
        .await
        .unwrap();
    assert_eq!(stranger.unit_code, "3302");
    assert!(
        codes(&stranger).contains(&"shared_phone"),
        "{:?}",
        codes(&stranger)
    );

    // A bad ID number is refused with its field, and nothing is stored.
    let bad = CardCheckRequest {
        resident_id: "330281198001010010".into(),
        ..ask("ICBC", 1)
    };
    match cards.check_applicant("3302", &bad, "bank_icbc", at).await {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "resident_id"),
        other => panic!("expected invalid resident_id, got {other:?}"),
    }
    assert_eq!(audits(store, "card_check").await, 6);

    // Read back exactly as answered; the police read by subtree, an issuer its own checks.
    let got = cards
        .get_check(&Viewer::Police(city.clone()), punished.id)
        .await
        .unwrap();
    assert_eq!(got, punished);
    let cixi = store.units().scope("330282").await.unwrap();
    assert!(matches!(
        cards
            .get_check(&Viewer::Police(cixi.clone()), punished.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let cixi_page = cards
        .list_checks(
            &Viewer::Police(cixi),
            &CheckFilter::default(),
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(cixi_page.items.len(), 1);
    assert_eq!(cixi_page.items[0].id, plain.id);
    assert!(matches!(
        cards
            .get_check(&Viewer::Bank("CCB".into()), punished.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let refused = cards
        .list_checks(
            &Viewer::Bank("ICBC".into()),
            &CheckFilter {
                verdict: Some(CounterVerdict::Refuse),
                ..CheckFilter::default()
            },
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    let mut ids: Vec<i64> = refused.items.iter().map(|c| c.id).collect();
    ids.sort();
    assert_eq!(ids, vec![punished.id, seller.id]);
    let of_one = cards
        .checks_of_applicant(&city, &adult_id(3))
        .await
        .unwrap();
    assert_eq!(
        of_one.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![burst.id]
    );
}

pub async fn counters_record_their_outcome_once_and_refusals_ignored_are_counted(store: &Store) {
    let city = world(store).await;
    let cards = store.new_cards();
    let at = T0 + 3_600_000;
    let punished = cards
        .check_applicant("3302", &ask("ICBC", 1), "bank_icbc", at)
        .await
        .unwrap();
    let seller = cards
        .check_applicant("3302", &ask("ICBC", 2), "bank_icbc", at)
        .await
        .unwrap();
    let plain = cards
        .check_applicant("3302", &ask("ICBC", 4), "bank_icbc", at)
        .await
        .unwrap();
    let key = cards
        .check_applicant("3302", &ask("ABC", 6), "bank_abc", at)
        .await
        .unwrap();

    // Another issuer cannot answer it; a stale version conflicts; the first answer holds.
    assert!(matches!(
        cards
            .record_check_outcome(
                "CCB",
                punished.id,
                1,
                &said(CheckOutcome::Refused, ""),
                "bank_ccb",
                at
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let done = cards
        .record_check_outcome(
            "ICBC",
            punished.id,
            1,
            &said(CheckOutcome::Refused, "告知惩戒"),
            "bank_icbc",
            at + 60_000,
        )
        .await
        .unwrap();
    assert_eq!(done.outcome, Some(CheckOutcome::Refused));
    assert_eq!(done.version, 2);
    assert_eq!(
        cards
            .get_check(&Viewer::Bank("ICBC".into()), punished.id)
            .await
            .unwrap(),
        done
    );
    assert!(matches!(
        cards
            .record_check_outcome(
                "ICBC",
                punished.id,
                2,
                &said(CheckOutcome::Opened, ""),
                "bank_icbc",
                at
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        cards
            .record_check_outcome(
                "ICBC",
                plain.id,
                5,
                &said(CheckOutcome::Opened, ""),
                "bank_icbc",
                at
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    cards
        .record_check_outcome(
            "ICBC",
            plain.id,
            1,
            &said(CheckOutcome::Opened, ""),
            "bank_icbc",
            at,
        )
        .await
        .unwrap();
    cards
        .record_check_outcome(
            "ABC",
            key.id,
            1,
            &said(CheckOutcome::Abandoned, "客户离开"),
            "bank_abc",
            at,
        )
        .await
        .unwrap();
    assert_eq!(audits(store, "card_check_outcome").await, 3);

    // The seller, refused at ICBC, turns up in ICBC's list two days later anyway.
    store
        .new_cards()
        .import(
            &city,
            "3302",
            &[listed("6222020000000000022", 2, "ICBC", at + 2 * DAY)],
            "bank_icbc",
            at + 2 * DAY,
        )
        .await
        .unwrap();

    let figures = cards
        .check_figures(&Viewer::Police(city.clone()), &CheckFilter::default())
        .await
        .unwrap();
    let t = &figures.total;
    assert_eq!((t.checks, t.refuse, t.verify, t.proceed), (4, 2, 1, 1));
    assert_eq!((t.refused, t.abandoned, t.opened), (1, 1, 1));
    assert_eq!(t.intercepted(), 2);
    // The seller's refusal has no outcome yet.
    assert_eq!(t.unanswered_flagged, 1);
    assert_eq!(t.opened_despite_refusal, 1);
    let icbc = &figures.by_issuer[0];
    assert_eq!((icbc.issuer_code.as_str(), icbc.checks), ("ICBC", 3));
    assert_eq!(icbc.opened_despite_refusal, 1);
    let abc = &figures.by_issuer[1];
    assert_eq!(
        (
            abc.issuer_code.as_str(),
            abc.abandoned,
            abc.opened_despite_refusal
        ),
        ("ABC", 1, 0)
    );

    // An issuer counts its own checks only; a period filters by the check's time.
    let own = cards
        .check_figures(&Viewer::Bank("ABC".into()), &CheckFilter::default())
        .await
        .unwrap();
    assert_eq!(own.total.checks, 1);
    let later = cards
        .check_figures(
            &Viewer::Police(city),
            &CheckFilter {
                from: Some(at + 1),
                ..CheckFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(later.total.checks, 0);
    let _ = seller;
}
