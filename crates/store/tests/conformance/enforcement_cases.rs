//! Enforcement results (打击成效): a case's investigation status and recovered money, its
//! suspects and their measures, the register of gangs and dens dismantled — checked, scoped,
//! audited, and counted per period by aggregate queries.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;
const YUYAO: &str = "330281";
const YANGMING_VILLAGE: &str = "330281001001";
const LIZHOU: &str = "330281002";
const CIXI_VILLAGE: &str = "330282001001";

/// A valid GB 11643 number born 1990-01-01 in 余姚 with sequence `n`.
fn valid_id(n: u32) -> String {
    let body = format!("33028119900101{n:03}");
    let bytes: [u8; 17] = body.as_bytes().try_into().unwrap();
    let check = fanzha_core::resident_id::check_char(&bytes);
    format!("{body}{}", check as char)
}

fn case(id: &str, unit: &str, day: i64, loss_fen: i64) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: T0 + day * DAY,
        loss_fen,
        narrative: "刷单返利，诱导转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: T0 + day * DAY,
        ..NewCase::default()
    }
}

async fn setup(store: &Store) {
    with_tree(store).await;
    for c in [
        case("C1", YANGMING_VILLAGE, 1, 1_000_000),
        case("C2", LIZHOU, 2, 500_000),
        case("C3", YANGMING_VILLAGE, 40, 300_000),
        case("X1", CIXI_VILLAGE, 1, 900_000),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
}

fn suspect(case_id: &str, n: u32, measure: Option<(SuspectMeasure, i64)>) -> NewSuspect {
    NewSuspect {
        case_id: case_id.into(),
        name: format!(" 嫌疑人{n} "),
        resident_id: Some(valid_id(n)),
        phone: Some(format!("+86 139-0000-{n:04}")),
        role: SuspectRole::CashMule,
        measure: measure.map(|m| m.0),
        measure_at: measure.map(|m| T0 + m.1 * DAY),
        note: String::new(),
        created_by: "analyst".into(),
    }
}

pub async fn status_and_recovered_money_are_checked_scoped_and_audited(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 50 * DAY;

    let fresh = e.of_case(&yuyao, "C1").await.unwrap();
    assert_eq!(fresh.status, InvestigationStatus::Investigating);
    assert_eq!((fresh.recovered_fen, fresh.version), (0, 0));

    let solved = |at: Option<i64>| EnforcementUpdate {
        status: InvestigationStatus::Solved,
        solved_at: at,
        recovered_fen: 200_000,
        supervision: None,
        expected_version: 0,
        by: "analyst".into(),
    };
    // Solved without a time, in the future, before the report; a time on an open case;
    // negative money: each refused, nothing stored.
    for bad in [
        solved(None),
        solved(Some(now + 1)),
        solved(Some(T0)),
        EnforcementUpdate {
            status: InvestigationStatus::Dropped,
            solved_at: Some(T0 + 2 * DAY),
            ..solved(None)
        },
        EnforcementUpdate {
            recovered_fen: -1,
            ..solved(Some(T0 + 3 * DAY))
        },
    ] {
        let err = e.set(&yuyao, "C1", &bad, now).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid { .. }),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(e.of_case(&yuyao, "C1").await.unwrap().version, 0);

    let set = e
        .set(&yuyao, "C1", &solved(Some(T0 + 3 * DAY)), now)
        .await
        .unwrap();
    assert_eq!(set.status, InvestigationStatus::Solved);
    assert_eq!(set.solved_at, Some(T0 + 3 * DAY));
    assert_eq!((set.recovered_fen, set.version), (200_000, 1));
    assert_eq!(set.updated_by.as_deref(), Some("analyst"));
    // Set again: the version counts.
    let again = e
        .set(
            &yuyao,
            "C1",
            &EnforcementUpdate {
                recovered_fen: 250_000,
                expected_version: 1,
                ..solved(Some(T0 + 3 * DAY))
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!((again.recovered_fen, again.version), (250_000, 2));

    // Another county's case is not found, and cannot be set.
    let cixi = store.units().scope("330282").await.unwrap();
    assert!(matches!(
        e.of_case(&yuyao, "X1").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        e.set(&yuyao, "X1", &solved(Some(T0 + 3 * DAY)), now)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        e.of_case(&cixi, "C1").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));

    let audit = store
        .audit()
        .for_target(&yuyao, "case", "C1")
        .await
        .unwrap();
    let sets: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "case_enforcement_set")
        .collect();
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0].detail["status"], "solved");
    assert_eq!(sets[0].detail["before"]["status"], "investigating");
    assert_eq!(sets[1].detail["recovered_fen"], 250_000);
    assert_eq!(sets[1].detail["before"]["recovered_fen"], 200_000);
    assert_eq!(sets[0].unit_code.as_deref(), Some(YANGMING_VILLAGE));
}

pub async fn suspects_are_validated_scoped_and_audited_masked(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let now = T0 + 50 * DAY;

    let id = e
        .add_suspect(&yuyao, &suspect("C1", 1, None), now)
        .await
        .unwrap();
    let s = e.suspect(&yuyao, id).await.unwrap();
    assert_eq!(s.name, "嫌疑人1");
    assert_eq!(s.resident_id.as_deref(), Some(valid_id(1).as_str()));
    assert_eq!(s.phone.as_deref(), Some("13900000001"));
    assert_eq!((s.measure, s.measure_at), (None, None));
    assert_eq!(s.unit_code, YANGMING_VILLAGE);
    // A bank's own employee who opened cards for the gang (行业内鬼).
    let insider = e
        .add_suspect(
            &yuyao,
            &NewSuspect {
                role: SuspectRole::Insider,
                ..suspect("C3", 9, None)
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        e.suspect(&yuyao, insider).await.unwrap().role,
        SuspectRole::Insider
    );

    // A wrong check digit, a bad phone, a measure without a time, one in the future, no
    // name: refused.
    let mut wrong = valid_id(2);
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    for bad in [
        NewSuspect {
            resident_id: Some(wrong),
            ..suspect("C1", 2, None)
        },
        NewSuspect {
            phone: Some("139abc".into()),
            ..suspect("C1", 2, None)
        },
        NewSuspect {
            measure: Some(SuspectMeasure::Arrest),
            ..suspect("C1", 2, None)
        },
        suspect("C1", 2, Some((SuspectMeasure::Arrest, 51))),
        NewSuspect {
            name: "  ".into(),
            ..suspect("C1", 2, None)
        },
    ] {
        let err = e.add_suspect(&yuyao, &bad, now).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid { .. }),
            "{bad:?}: {err:?}"
        );
    }
    // Another county's case: not found; another county sees none of this case's suspects.
    assert!(matches!(
        e.add_suspect(&yuyao, &suspect("X1", 3, None), now)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        e.suspect(&cixi, id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        e.suspects(&cixi, "C1").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert_eq!(e.suspects(&yuyao, "C1").await.unwrap().len(), 1);

    // The measure, then a harsher one.
    let s = e
        .set_measure(
            &yuyao,
            id,
            SuspectMeasure::CriminalDetention,
            T0 + 5 * DAY,
            "analyst",
            now,
        )
        .await
        .unwrap();
    assert_eq!(s.measure, Some(SuspectMeasure::CriminalDetention));
    let s = e
        .set_measure(
            &yuyao,
            id,
            SuspectMeasure::Arrest,
            T0 + 9 * DAY,
            "analyst",
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (s.measure, s.measure_at),
        (Some(SuspectMeasure::Arrest), Some(T0 + 9 * DAY))
    );
    assert!(matches!(
        e.set_measure(&cixi, id, SuspectMeasure::Bail, T0, "x", now)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));

    let audit = store
        .audit()
        .for_target(&yuyao, "suspect", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "suspect_added",
            "suspect_measure_set",
            "suspect_measure_set"
        ]
    );
    let logged = audit[0].detail.to_string();
    assert!(!logged.contains(&valid_id(1)), "{logged}");
    assert_eq!(
        audit[0].detail["resident_id"],
        fanzha_core::mask::mask_resident_id(&valid_id(1))
    );
    assert_eq!(audit[2].detail["before"]["measure"], "criminal_detention");
}

pub async fn the_register_is_checked_scoped_filtered_and_paged(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let now = T0 + 50 * DAY;
    let gang = |unit: &str, day: i64, kind: DismantledKind, cases: &[&str]| NewDismantled {
        unit_code: unit.into(),
        kind,
        name: format!(" 团伙{day} "),
        dismantled_on: T0 + day * DAY,
        arrested: 5,
        devices: 40,
        phone_cards: 100,
        bank_cards: 20,
        case_ids: cases.iter().map(|c| c.to_string()).collect(),
        note: String::new(),
        created_by: "analyst".into(),
    };
    let first = e
        .record_dismantled(
            &yuyao,
            &gang(YUYAO, 3, DismantledKind::GoipDen, &["C2", "C1", "C1"]),
            now,
        )
        .await
        .unwrap();
    for day in 4..9 {
        e.record_dismantled(
            &yuyao,
            &gang(LIZHOU, day, DismantledKind::CardGang, &[]),
            now,
        )
        .await
        .unwrap();
    }
    e.record_dismantled(
        &cixi,
        &gang("330282", 3, DismantledKind::FraudDen, &["X1"]),
        now,
    )
    .await
    .unwrap();

    // A unit or a linked case outside the scope, a future day, a negative count: refused.
    for (bad, not_found) in [
        (gang("330282", 3, DismantledKind::FraudDen, &[]), true),
        (gang(YUYAO, 3, DismantledKind::FraudDen, &["X1"]), true),
        (gang(YUYAO, 3, DismantledKind::FraudDen, &["NOPE"]), true),
        (gang(YUYAO, 51, DismantledKind::FraudDen, &[]), false),
        (
            NewDismantled {
                devices: -1,
                ..gang(YUYAO, 3, DismantledKind::FraudDen, &[])
            },
            false,
        ),
        (
            NewDismantled {
                bank_cards: -1,
                ..gang(YUYAO, 3, DismantledKind::FraudDen, &[])
            },
            false,
        ),
        (
            NewDismantled {
                phone_cards: 1_000_000_000,
                ..gang(YUYAO, 3, DismantledKind::FraudDen, &[])
            },
            false,
        ),
    ] {
        let err = e.record_dismantled(&yuyao, &bad, now).await.unwrap_err();
        if not_found {
            assert!(
                matches!(err, StoreError::NotFound { .. }),
                "{bad:?}: {err:?}"
            );
        } else {
            assert!(
                matches!(err, StoreError::Invalid { .. }),
                "{bad:?}: {err:?}"
            );
        }
    }

    let all = DismantledFilter::default();
    assert_eq!(e.count_dismantled(&yuyao, &all).await.unwrap(), 6);
    assert_eq!(e.count_dismantled(&cixi, &all).await.unwrap(), 1);
    // Paged, latest first, every entry once.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(4);
    loop {
        let p = e.dismantled(&yuyao, &all, &page).await.unwrap();
        seen.extend(p.items.iter().map(|g| (g.dismantled_on, g.id)));
        match p.next {
            Some(k) => page = PageRequest::after(k, 4),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "{seen:?}");
    let goip = e
        .dismantled(
            &yuyao,
            &DismantledFilter {
                kind: Some(DismantledKind::GoipDen),
                ..Default::default()
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(goip.items.len(), 1);
    let g = &goip.items[0];
    assert_eq!((g.id, g.name.as_str()), (first, "团伙3"));
    assert_eq!(g.case_ids, ["C1", "C2"]);
    assert_eq!((g.arrested, g.devices, g.cards), (5, 40, 120));
    assert_eq!(
        (g.phone_cards, g.bank_cards, g.unsplit_cards()),
        (100, 20, 0)
    );
    let in_days = DismantledFilter {
        from: Some(T0 + 5 * DAY),
        until: Some(T0 + 7 * DAY),
        kind: None,
    };
    assert_eq!(e.count_dismantled(&yuyao, &in_days).await.unwrap(), 2);

    let audit = store
        .audit()
        .for_target(&yuyao, "dismantled_group", &first.to_string())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "gang_dismantled");
    assert_eq!(audit[0].detail["case_ids"], serde_json::json!(["C1", "C2"]));
    assert_eq!(audit[0].detail["phone_cards"], 100);
    assert_eq!(audit[0].detail["bank_cards"], 20);
}

pub async fn figures_count_solved_cases_measures_money_and_gangs_per_period(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 60 * DAY;
    let set = |status, solved_at, recovered_fen| EnforcementUpdate {
        supervision: None,
        status,
        solved_at,
        recovered_fen,
        expected_version: 0,
        by: "analyst".into(),
    };
    // C1 (day 1) solved on day 35, C2 (day 2) dropped, C3 (day 40) solved on day 41.
    e.set(
        &yuyao,
        "C1",
        &set(InvestigationStatus::Solved, Some(T0 + 35 * DAY), 300_000),
        now,
    )
    .await
    .unwrap();
    e.set(
        &yuyao,
        "C2",
        &set(InvestigationStatus::Dropped, None, 0),
        now,
    )
    .await
    .unwrap();
    e.set(
        &yuyao,
        "C3",
        &set(InvestigationStatus::Solved, Some(T0 + 41 * DAY), 10_000),
        now,
    )
    .await
    .unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    e.set(
        &cixi,
        "X1",
        &set(InvestigationStatus::Solved, Some(T0 + 5 * DAY), 900_000),
        now,
    )
    .await
    .unwrap();
    let measures = [
        ("C1", SuspectMeasure::CriminalDetention, 3),
        ("C1", SuspectMeasure::Arrest, 4),
        ("C1", SuspectMeasure::Bail, 5),
        ("C2", SuspectMeasure::Administrative, 6),
        ("C2", SuspectMeasure::Education, 7),
        ("C3", SuspectMeasure::Education, 45),
    ];
    for (n, (c, m, day)) in measures.iter().enumerate() {
        e.add_suspect(&yuyao, &suspect(c, n as u32 + 1, Some((*m, *day))), now)
            .await
            .unwrap();
    }
    // A suspect without a measure is no one caught; another county's are not counted.
    e.add_suspect(&yuyao, &suspect("C1", 20, None), now)
        .await
        .unwrap();
    e.add_suspect(
        &cixi,
        &suspect("X1", 21, Some((SuspectMeasure::Arrest, 3))),
        now,
    )
    .await
    .unwrap();
    for (unit, day, kind, devices) in [
        (YUYAO, 10, DismantledKind::GoipDen, 40),
        (LIZHOU, 12, DismantledKind::GoipDen, 3),
        (LIZHOU, 20, DismantledKind::CardGang, 0),
        (YUYAO, 45, DismantledKind::FraudDen, 9),
    ] {
        e.record_dismantled(
            &yuyao,
            &NewDismantled {
                unit_code: unit.into(),
                kind,
                name: format!("团伙{day}"),
                dismantled_on: T0 + day * DAY,
                // The den of day 10 is a gang of five (打掉5人以上团伙).
                arrested: if day == 10 { 5 } else { 2 },
                devices,
                phone_cards: 6,
                bank_cards: 4,
                case_ids: Vec::new(),
                note: String::new(),
                created_by: "analyst".into(),
            },
            now,
        )
        .await
        .unwrap();
    }
    e.record_dismantled(
        &cixi,
        &NewDismantled {
            unit_code: "330282".into(),
            kind: DismantledKind::GoipDen,
            name: "慈溪".into(),
            dismantled_on: T0 + 10 * DAY,
            arrested: 7,
            devices: 100,
            phone_cards: 0,
            bank_cards: 0,
            case_ids: Vec::new(),
            note: String::new(),
            created_by: "c".into(),
        },
        now,
    )
    .await
    .unwrap();

    // Days 0–30: C1 and C2 reported; C1 solved (later, on day 35) — 1 of 2.
    let f = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!((f.cases, f.solved, f.dropped), (2, 1, 1));
    assert_eq!(f.solved_in_period, 0);
    assert_eq!((f.loss_fen, f.recovered_fen), (1_500_000, 300_000));
    assert_eq!(f.solve_rate(), Some(0.5));
    assert_eq!(f.caught(), 5);
    assert_eq!(f.of_class(MeasureClass::Coercive), 3);
    assert_eq!(f.of_class(MeasureClass::Administrative), 1);
    assert_eq!(f.of_class(MeasureClass::Education), 1);
    assert_eq!(f.by_measure.len(), SuspectMeasure::ALL.len());
    assert_eq!(f.by_measure[1], (SuspectMeasure::Arrest, 1));
    // (returns 150,000 + recovered 300,000) / 1,500,000.
    assert_eq!(f.recovery_rate(150_000), Some(0.3));
    assert_eq!(
        f.dismantled,
        vec![
            DismantledTally {
                kind: DismantledKind::CardGang,
                groups: 1,
                arrested: 2,
                devices: 0,
                cards: 10,
                phone_cards: 6,
                bank_cards: 4,
            },
            DismantledTally {
                kind: DismantledKind::GoipDen,
                groups: 2,
                arrested: 7,
                devices: 43,
                cards: 20,
                phone_cards: 12,
                bank_cards: 8,
            },
        ]
    );
    assert_eq!(
        f.gangs_of_five, 1,
        "慈溪's gang of seven lies outside the scope"
    );
    assert_eq!(f.dismantled_total().groups, 3);
    assert_eq!(f.dismantled_total().devices, 43);

    // Days 30–60: C3 reported and solved; C1 solved in the period too.
    let g = e
        .figures(&yuyao, T0 + 30 * DAY, T0 + 60 * DAY)
        .await
        .unwrap();
    assert_eq!((g.cases, g.solved, g.solved_in_period), (1, 1, 2));
    assert_eq!(g.recovered_fen, 10_000);
    assert_eq!(g.caught(), 1);
    assert_eq!(g.dismantled.len(), 1);
    assert_eq!(g.gangs_of_five, 0);

    // A township sees its own only; an empty period has no rates.
    let lizhou = store.units().scope(LIZHOU).await.unwrap();
    let l = e.figures(&lizhou, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!((l.cases, l.solved, l.dropped), (1, 0, 1));
    assert_eq!(l.caught(), 2);
    assert_eq!(l.dismantled_total().groups, 2);
    let none = e.figures(&yuyao, T0 - 10 * DAY, T0).await.unwrap();
    assert_eq!((none.solve_rate(), none.recovery_rate(0)), (None, None));
    assert_eq!(none.caught(), 0);
}

/// An instant in Shanghai (`2027-03-30T10:00`).
fn shanghai(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("{at}:00+08:00"))
        .unwrap()
        .timestamp_millis()
}

pub async fn figures_count_people_once_and_a_later_measure_keeps_the_earlier_period(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = shanghai("2027-04-10T10:00");
    let (march, april, may) = (
        shanghai("2027-03-01T00:00"),
        shanghai("2027-04-01T00:00"),
        shanghai("2027-05-01T00:00"),
    );
    let detained = shanghai("2027-03-30T10:00");
    let arrested = shanghai("2027-04-02T10:00");
    let with = |case_id: &str, n: u32, id: Option<String>, m: SuspectMeasure, at: i64| NewSuspect {
        resident_id: id,
        measure: Some(m),
        measure_at: Some(at),
        ..suspect(case_id, n, None)
    };
    // One person, detained on 30 March, a suspect of C1 and of C2.
    let p = Some(valid_id(30));
    let in_c1 = e
        .add_suspect(
            &yuyao,
            &with(
                "C1",
                30,
                p.clone(),
                SuspectMeasure::CriminalDetention,
                detained,
            ),
            now,
        )
        .await
        .unwrap();
    let in_c2 = e
        .add_suspect(
            &yuyao,
            &with(
                "C2",
                30,
                p.clone(),
                SuspectMeasure::CriminalDetention,
                detained,
            ),
            now,
        )
        .await
        .unwrap();
    assert_ne!(in_c1, in_c2);
    // Two people without an ID number, reprimanded in March: two, not one.
    for n in [31, 32] {
        e.add_suspect(
            &yuyao,
            &with(
                "C1",
                n,
                None,
                SuspectMeasure::Education,
                shanghai("2027-03-15T10:00"),
            ),
            now,
        )
        .await
        .unwrap();
    }

    let m = e.figures(&yuyao, march, april).await.unwrap();
    assert_eq!(m.caught(), 3, "{m:?}");
    assert_eq!(m.by_measure[0], (SuspectMeasure::CriminalDetention, 1));
    assert_eq!(m.of_class(MeasureClass::Coercive), 1);
    assert_eq!(m.of_class(MeasureClass::Education), 2);

    // Arrested on 2 April in C1: the suspect holds the arrest, March keeps the detention.
    let s = e
        .set_measure(
            &yuyao,
            in_c1,
            SuspectMeasure::Arrest,
            arrested,
            "analyst",
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (s.measure, s.measure_at),
        (Some(SuspectMeasure::Arrest), Some(arrested))
    );
    let m = e.figures(&yuyao, march, april).await.unwrap();
    assert_eq!(m.caught(), 3, "{m:?}");
    assert_eq!(m.by_measure[0], (SuspectMeasure::CriminalDetention, 1));
    assert_eq!(m.by_measure[1], (SuspectMeasure::Arrest, 0));
    assert_eq!(m.of_class(MeasureClass::Coercive), 1);
    let a = e.figures(&yuyao, april, may).await.unwrap();
    assert_eq!(a.caught(), 1, "{a:?}");
    assert_eq!(a.by_measure[0], (SuspectMeasure::CriminalDetention, 0));
    assert_eq!(a.by_measure[1], (SuspectMeasure::Arrest, 1));
    assert_eq!(a.of_class(MeasureClass::Coercive), 1);
    // Both months together: the person detained and arrested is one person, one coercive.
    let both = e.figures(&yuyao, march, may).await.unwrap();
    assert_eq!(both.caught(), 3, "{both:?}");
    assert_eq!(both.of_class(MeasureClass::Coercive), 1);
    assert_eq!(
        (both.by_measure[0].1, both.by_measure[1].1),
        (1, 1),
        "counted under each measure taken"
    );
    // A township sees its own cases only: C2 is Lizhou's, and the person detained there.
    let lizhou = store.units().scope(LIZHOU).await.unwrap();
    let l = e.figures(&lizhou, march, may).await.unwrap();
    assert_eq!(
        (l.caught(), l.by_measure[0].1, l.by_measure[1].1),
        (1, 1, 0)
    );

    // An earlier measure entered late does not displace the later one the suspect holds.
    let s = e
        .set_measure(
            &yuyao,
            in_c1,
            SuspectMeasure::CriminalDetention,
            shanghai("2027-03-31T10:00"),
            "analyst",
            now,
        )
        .await
        .unwrap();
    assert_eq!(s.measure, Some(SuspectMeasure::Arrest));
    // The same instant again corrects that entry: C2's detention was bail.
    e.set_measure(
        &yuyao,
        in_c2,
        SuspectMeasure::Bail,
        detained,
        "analyst",
        now,
    )
    .await
    .unwrap();
    let l = e.figures(&lizhou, march, april).await.unwrap();
    assert_eq!(
        (l.caught(), l.by_measure[0].1, l.by_measure[2].1),
        (1, 0, 1)
    );

    // Each change audited with the measure before, read in its transaction.
    let audit = store
        .audit()
        .for_target(&yuyao, "suspect", &in_c1.to_string())
        .await
        .unwrap();
    let sets: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "suspect_measure_set")
        .collect();
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0].detail["before"]["measure"], "criminal_detention");
    assert_eq!(sets[1].detail["before"]["measure"], "arrest");
}

pub async fn the_same_person_is_added_to_a_case_once(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 50 * DAY;
    let first = e
        .add_suspect(
            &yuyao,
            &suspect("C1", 40, Some((SuspectMeasure::CriminalDetention, 10))),
            now,
        )
        .await
        .unwrap();
    // The form sent again: the suspect there, nothing added, nothing audited.
    let again = e
        .add_suspect(
            &yuyao,
            &NewSuspect {
                note: "again".into(),
                ..suspect("C1", 40, Some((SuspectMeasure::CriminalDetention, 10)))
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(again, first);
    let listed = e.suspects(&yuyao, "C1").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].note, "");
    let audit = store
        .audit()
        .for_target(&yuyao, "suspect", &first.to_string())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    let f = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(f.caught(), 1);
    assert_eq!(f.by_measure[0], (SuspectMeasure::CriminalDetention, 1));

    // The same person in another case is a suspect there too; people without an ID number
    // are told apart by nothing else, so each entry is one.
    let other = e
        .add_suspect(&yuyao, &suspect("C3", 40, None), now)
        .await
        .unwrap();
    assert_ne!(other, first);
    for _ in 0..2 {
        e.add_suspect(
            &yuyao,
            &NewSuspect {
                resident_id: None,
                ..suspect("C1", 41, None)
            },
            now,
        )
        .await
        .unwrap();
    }
    assert_eq!(e.suspects(&yuyao, "C1").await.unwrap().len(), 3);
}

pub async fn a_change_from_a_stale_version_is_refused(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 50 * DAY;
    let update = |recovered_fen, expected_version| EnforcementUpdate {
        supervision: None,
        status: InvestigationStatus::Investigating,
        solved_at: None,
        recovered_fen,
        expected_version,
        by: "analyst".into(),
    };
    assert_eq!(
        e.set(&yuyao, "C1", &update(100, 0), now)
            .await
            .unwrap()
            .version,
        1
    );
    // Two forms filled from version 0 and 1 before either was sent; a made-up version.
    for (fen, expected) in [(200, 0), (300, 7)] {
        let err = e
            .set(&yuyao, "C1", &update(fen, expected), now)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    }
    let kept = e.of_case(&yuyao, "C1").await.unwrap();
    assert_eq!((kept.recovered_fen, kept.version), (100, 1));

    // Two writers from version 1 at once: one wins, the other is refused.
    let (first, second) = (update(400, 1), update(500, 1));
    let (a, b) = tokio::join!(
        e.set(&yuyao, "C1", &first, now),
        e.set(&yuyao, "C1", &second, now)
    );
    let won = match (&a, &b) {
        (Ok(w), Err(StoreError::Conflict { .. })) | (Err(StoreError::Conflict { .. }), Ok(w)) => {
            w.recovered_fen
        }
        other => panic!("one should win: {other:?}"),
    };
    let now_stored = e.of_case(&yuyao, "C1").await.unwrap();
    assert_eq!((now_stored.recovered_fen, now_stored.version), (won, 2));

    // One audit entry per change made, each with the values it replaced.
    let audit = store
        .audit()
        .for_target(&yuyao, "case", "C1")
        .await
        .unwrap();
    let sets: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "case_enforcement_set")
        .collect();
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1].detail["recovered_fen"], won);
    assert_eq!(sets[1].detail["before"]["recovered_fen"], 100);
}

/// 罪名 and 移送起诉: recorded on a suspect of one's area (audited, checked), the people caught
/// in a period counted by charge each once, and the people prosecuted in the period of their
/// prosecution.
pub async fn charges_and_prosecutions_are_recorded_and_counted_per_period(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = shanghai("2027-04-10T10:00");
    let (march, april, may) = (
        shanghai("2027-03-01T00:00"),
        shanghai("2027-04-01T00:00"),
        shanghai("2027-05-01T00:00"),
    );
    let detained = shanghai("2027-03-20T10:00");
    let with = |case_id: &str, n: u32, id: Option<String>| NewSuspect {
        resident_id: id,
        measure: Some(SuspectMeasure::CriminalDetention),
        measure_at: Some(detained),
        ..suspect(case_id, n, None)
    };
    // One person in two cases, and a card seller; a third with no charge yet.
    let p = Some(valid_id(40));
    let a = e
        .add_suspect(&yuyao, &with("C1", 40, p.clone()), now)
        .await
        .unwrap();
    let b = e
        .add_suspect(&yuyao, &with("C2", 40, p), now)
        .await
        .unwrap();
    let seller = e
        .add_suspect(&yuyao, &with("C1", 41, Some(valid_id(41))), now)
        .await
        .unwrap();
    e.add_suspect(&yuyao, &with("C1", 42, None), now)
        .await
        .unwrap();

    // A prosecution needs a charge and cannot lie ahead; outside the area is not found.
    let r = e
        .set_charge(&yuyao, a, None, Some(now), "analyst", now)
        .await;
    assert!(
        matches!(
            r,
            Err(StoreError::Invalid {
                field: "charge",
                ..
            })
        ),
        "{r:?}"
    );
    let r = e
        .set_charge(
            &yuyao,
            a,
            Some(SuspectCharge::Fraud),
            Some(now + DAY),
            "analyst",
            now,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid { .. })), "{r:?}");
    let cixi = store.units().scope("330282").await.unwrap();
    let r = e
        .set_charge(&cixi, a, Some(SuspectCharge::Fraud), None, "x", now)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");

    let prosecuted = shanghai("2027-04-08T09:00");
    let s = e
        .set_charge(
            &yuyao,
            a,
            Some(SuspectCharge::Fraud),
            Some(prosecuted),
            "analyst",
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (s.charge, s.prosecuted_at),
        (Some(SuspectCharge::Fraud), Some(prosecuted))
    );
    e.set_charge(&yuyao, b, Some(SuspectCharge::Fraud), None, "analyst", now)
        .await
        .unwrap();
    e.set_charge(
        &yuyao,
        seller,
        Some(SuspectCharge::Helping),
        None,
        "analyst",
        now,
    )
    .await
    .unwrap();

    // March: three caught; by charge the person in two cases once, the seller once.
    let m = e.figures(&yuyao, march, april).await.unwrap();
    assert_eq!(m.caught(), 3, "{m:?}");
    assert_eq!(m.caught_by_charge[0], (SuspectCharge::Fraud, 1));
    assert_eq!(m.caught_by_charge[1], (SuspectCharge::Helping, 1));
    assert_eq!(m.caught_by_charge[2].1 + m.caught_by_charge[3].1, 0);
    assert_eq!(m.prosecuted, 0);
    // April: the prosecution.
    let ap = e.figures(&yuyao, april, may).await.unwrap();
    assert_eq!(ap.prosecuted, 1);
    assert_eq!(ap.caught(), 0);

    let audit = store
        .audit()
        .for_target(&yuyao, "suspect", &a.to_string())
        .await
        .unwrap();
    let set: Vec<_> = audit
        .iter()
        .filter(|x| x.action == "suspect_charge_set")
        .collect();
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].detail["charge"], "fraud");
    assert_eq!(set[0].detail["before"]["charge"], serde_json::Value::Null);

    // A returnee with no fraud proved is charged with crossing the border illegally.
    let s = e
        .set_charge(&yuyao, b, Some(SuspectCharge::Border), None, "analyst", now)
        .await
        .unwrap();
    assert_eq!(s.charge, Some(SuspectCharge::Border));
    let m = e.figures(&yuyao, march, april).await.unwrap();
    assert_eq!(
        m.caught_by_charge
            .iter()
            .find(|(c, _)| *c == SuspectCharge::Border),
        Some(&(SuspectCharge::Border, 1))
    );
}

/// 督办: a case's supervision level is set with its status (audited with the level before),
/// cleared again, found by the case search (any level or one), and counted per level with the
/// solved ones among the cases reported in the period, inside the scope only.
pub async fn supervised_cases_are_set_searched_and_counted(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let platform = Scope::platform();
    let now = T0 + 50 * DAY;
    let update = |status, solved_at, supervision, expected_version| EnforcementUpdate {
        status,
        solved_at,
        recovered_fen: 0,
        supervision,
        expected_version,
        by: "analyst".into(),
    };
    let set = e
        .set(
            &yuyao,
            "C1",
            &update(
                InvestigationStatus::Solved,
                Some(T0 + 5 * DAY),
                Some(CaseSupervision::Ministry),
                0,
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(set.supervision, Some(CaseSupervision::Ministry));
    e.set(
        &yuyao,
        "C2",
        &update(
            InvestigationStatus::Investigating,
            None,
            Some(CaseSupervision::City),
            0,
        ),
        now,
    )
    .await
    .unwrap();
    e.set(
        &platform,
        "X1",
        &update(
            InvestigationStatus::Investigating,
            None,
            Some(CaseSupervision::Province),
            0,
        ),
        now,
    )
    .await
    .unwrap();
    // C3 supervised by the city, then no longer.
    e.set(
        &yuyao,
        "C3",
        &update(
            InvestigationStatus::Investigating,
            None,
            Some(CaseSupervision::City),
            0,
        ),
        now,
    )
    .await
    .unwrap();
    let cleared = e
        .set(
            &yuyao,
            "C3",
            &update(InvestigationStatus::Investigating, None, None, 1),
            now,
        )
        .await
        .unwrap();
    assert_eq!(cleared.supervision, None);
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let last = audit
        .items
        .iter()
        .find(|a| a.action == "case_enforcement_set" && a.target_id.as_deref() == Some("C3"))
        .unwrap();
    assert_eq!(last.detail["supervision"], serde_json::Value::Null);
    assert_eq!(last.detail["before"]["supervision"], "city");

    // The search: any level, or one.
    let ids = |filter: CaseFilter| {
        let yuyao = yuyao.clone();
        async move {
            let mut ids: Vec<String> = store
                .cases()
                .search(&yuyao, &filter, &PageRequest::first(50))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.id)
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(
        ids(CaseFilter {
            supervision: Some(CaseSupervisionFilter::Any),
            ..CaseFilter::default()
        })
        .await,
        vec!["C1", "C2"],
        "X1 lies in another county; C3 is no longer supervised"
    );
    assert_eq!(
        ids(CaseFilter {
            supervision: Some(CaseSupervisionFilter::Is(CaseSupervision::City)),
            ..CaseFilter::default()
        })
        .await,
        vec!["C2"]
    );

    // The figures: cases reported in days 0–30 of 余姚 — C1 (部督, solved) and C2 (市督).
    let f = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(
        f.supervised
            .iter()
            .map(|t| (t.level, t.cases, t.solved))
            .collect::<Vec<_>>(),
        vec![
            (CaseSupervision::Ministry, 1, 1),
            (CaseSupervision::Province, 0, 0),
            (CaseSupervision::City, 1, 0),
        ]
    );
    assert_eq!(f.supervised_total(), (2, 1));
    let all = e.figures(&platform, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(all.supervised_total(), (3, 1), "慈溪's 省督 case too");
}

/// 上网追逃: a suspect put on the wanted list is at large until a measure is taken; a measure
/// after the notice counts the person among the fugitives caught in its period (once, however
/// many cases); a notice after the capture or in the future is refused; withdrawing it is
/// audited with the day before; another county's fugitives stay out of the scope's figures.
pub async fn wanted_suspects_count_as_fugitives_caught_or_at_large(store: &Store) {
    setup(store).await;
    let e = store.enforcement();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let platform = Scope::platform();
    let now = T0 + 50 * DAY;
    let wanted = e
        .add_suspect(&yuyao, &suspect("C1", 21, None), now)
        .await
        .unwrap();
    // The same person in a second case, caught there too.
    let again = e
        .add_suspect(&yuyao, &suspect("C2", 21, None), now)
        .await
        .unwrap();
    let caught_first = e
        .add_suspect(
            &yuyao,
            &suspect("C1", 22, Some((SuspectMeasure::CriminalDetention, 5))),
            now,
        )
        .await
        .unwrap();
    let elsewhere = e
        .add_suspect(&platform, &suspect("X1", 23, None), now)
        .await
        .unwrap();

    let s = e
        .set_wanted(&yuyao, wanted, Some(T0 + 2 * DAY), "analyst", now)
        .await
        .unwrap();
    assert_eq!(s.wanted_at, Some(T0 + 2 * DAY));
    assert!(s.at_large());
    e.set_wanted(&yuyao, again, Some(T0 + 2 * DAY), "analyst", now)
        .await
        .unwrap();
    e.set_wanted(&platform, elsewhere, Some(T0 + 3 * DAY), "analyst", now)
        .await
        .unwrap();
    for (id, at) in [(caught_first, T0 + 8 * DAY), (wanted, now + DAY)] {
        assert!(matches!(
            e.set_wanted(&yuyao, id, Some(at), "analyst", now).await,
            Err(StoreError::Invalid { .. })
        ));
    }
    assert!(matches!(
        e.set_wanted(&yuyao, elsewhere, None, "analyst", now).await,
        Err(StoreError::NotFound { .. })
    ));
    let f = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(
        (f.fugitives_caught, f.fugitives_at_large),
        (0, 1),
        "one person"
    );
    assert_eq!(
        e.figures(&platform, T0, T0 + 30 * DAY)
            .await
            .unwrap()
            .fugitives_at_large,
        2
    );

    // Caught on day 10 in both cases: one fugitive caught, none at large in 余姚.
    for id in [wanted, again] {
        e.set_measure(
            &yuyao,
            id,
            SuspectMeasure::CriminalDetention,
            T0 + 10 * DAY,
            "analyst",
            now,
        )
        .await
        .unwrap();
    }
    let f = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!((f.fugitives_caught, f.fugitives_at_large), (1, 0));
    assert_eq!(
        f.people_caught, 2,
        "the fugitive and the suspect caught on day 5"
    );
    let later = e
        .figures(&yuyao, T0 + 20 * DAY, T0 + 30 * DAY)
        .await
        .unwrap();
    assert_eq!(later.fugitives_caught, 0, "caught in another period");

    // Withdrawn (entered by mistake): no longer a fugitive; audited with the day before.
    let s = e
        .set_wanted(&platform, elsewhere, None, "analyst", now)
        .await
        .unwrap();
    assert!(!s.at_large());
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    let withdrawn = audit
        .items
        .iter()
        .find(|a| a.action == "suspect_wanted_set" && a.detail["wanted_at"].is_null())
        .unwrap();
    assert_eq!(withdrawn.detail["before"]["wanted_at"], T0 + 3 * DAY);
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|a| a.action == "suspect_wanted_set")
            .count(),
        4
    );
}
