//! Key persons under watch (一人一档): one dossier per resident and category, scoped by the
//! residence, with measures that lists filter on and figures count.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;
const YUYAO: &str = "330281";
const CIXI: &str = "330282";

/// Residents 1–4 in 余姚 (1, 2 舜水社区; 3 新建社区; 4 西郊社区), 5 and 6 in 慈溪.
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
        ])
        .await
        .unwrap();
}

fn new(n: u32, category: KeyPersonCategory, at: i64) -> NewKeyPerson {
    NewKeyPerson {
        resident_id: resident_id(n),
        category,
        reason: format!("  线索{n}  "),
        source: "form".into(),
        created_by: "analyst".into(),
        at,
    }
}

async fn open(store: &Store, n: u32, category: KeyPersonCategory, at: i64) -> i64 {
    let (id, created) = store
        .key_persons()
        .create(&Scope::platform(), &new(n, category, at))
        .await
        .unwrap();
    assert!(created);
    id
}

async fn add(store: &Store, id: i64, m: KeyPersonMeasure, at: i64) -> i64 {
    store
        .key_persons()
        .add_event(&Scope::platform(), id, &m, "analyst", at)
        .await
        .unwrap()
}

async fn audit_actions(store: &Store) -> Vec<String> {
    let page = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    page.items.into_iter().map(|e| e.action).collect()
}

pub async fn a_resident_is_listed_once_per_category(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let (id, created) = kp
        .create(&yuyao, &new(1, KeyPersonCategory::TwoCards, T0))
        .await
        .unwrap();
    assert!(created);
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(k.resident_id, resident_id(1));
    assert_eq!(k.unit_code, "330281001001", "the residence's unit");
    assert_eq!(k.name.as_deref(), Some("居民1"));
    assert_eq!(k.reason, "线索1", "trimmed");
    assert_eq!((k.status, k.version), (KeyPersonStatus::Active, 1));

    // Again in the same category: the same dossier, nothing new.
    let (again, created) = kp
        .create(&yuyao, &new(1, KeyPersonCategory::TwoCards, T0 + 1))
        .await
        .unwrap();
    assert_eq!((again, created), (id, false));
    assert_eq!(kp.events(&yuyao, id).await.unwrap().len(), 1);
    // Another category is another dossier.
    let (other, created) = kp
        .create(&yuyao, &new(1, KeyPersonCategory::FraudRecord, T0 + 2))
        .await
        .unwrap();
    assert!(created && other != id);

    // A closed dossier is reopened by listing the person again.
    add(
        store,
        id,
        KeyPersonMeasure::Close {
            reason: "已转化".into(),
        },
        T0 + 3,
    )
    .await;
    let (reopened, created) = kp
        .create(&yuyao, &new(1, KeyPersonCategory::TwoCards, T0 + 4))
        .await
        .unwrap();
    assert_eq!((reopened, created), (id, true));
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(
        (k.status, k.closed_reason, k.version),
        (KeyPersonStatus::Active, None, 3)
    );
    let kinds: Vec<String> = kp
        .events(&yuyao, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["registered", "closed", "reopened"]);

    // Someone the platform does not know, and an empty reason, are refused.
    let stranger = NewKeyPerson {
        resident_id: "110101199003074477".into(),
        ..new(1, KeyPersonCategory::Other, T0)
    };
    assert!(matches!(
        kp.create(&Scope::platform(), &stranger).await,
        Err(StoreError::NotFound { .. })
    ));
    let blank = NewKeyPerson {
        reason: " ".into(),
        ..new(2, KeyPersonCategory::Other, T0)
    };
    assert!(matches!(
        kp.create(&Scope::platform(), &blank).await,
        Err(StoreError::Invalid { .. })
    ));
    // Each change is audited with the dossier as its target.
    let actions = audit_actions(store).await;
    for action in [
        "key_person_registered",
        "key_person_closed",
        "key_person_reopened",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    assert_eq!(actions.len(), 4, "{actions:?}");
}

pub async fn key_persons_are_scoped_by_the_residence(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope(CIXI).await.unwrap();
    let township = store.units().scope("330281001").await.unwrap();
    // 慈溪 cannot list a 余姚 resident.
    assert!(matches!(
        kp.create(&cixi, &new(1, KeyPersonCategory::TwoCards, T0))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let a = open(store, 1, KeyPersonCategory::TwoCards, T0).await;
    let b = open(store, 4, KeyPersonCategory::TwoCards, T0).await;
    let c = open(store, 5, KeyPersonCategory::TwoCards, T0).await;
    let f = KeyPersonFilter::default();
    let ids = |page: Page<KeyPerson>| page.items.iter().map(|k| k.id).collect::<Vec<_>>();
    let all = PageRequest::first(100);
    assert_eq!(ids(kp.list(&yuyao, &f, &all, T0).await.unwrap()), [b, a]);
    assert_eq!(ids(kp.list(&township, &f, &all, T0).await.unwrap()), [a]);
    assert_eq!(ids(kp.list(&cixi, &f, &all, T0).await.unwrap()), [c]);
    assert_eq!(kp.count(&yuyao, &f, T0).await.unwrap(), 2);
    assert_eq!(kp.figures(&cixi, T0).await.unwrap().in_control, 1);
    assert!(matches!(
        kp.get(&cixi, a).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(kp.events(&cixi, a).await.unwrap().is_empty());
    let visit = KeyPersonMeasure::Visit {
        note: "走访".into(),
        control: None,
    };
    assert!(matches!(
        kp.add_event(&cixi, a, &visit, "cx", T0).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(kp.get(&yuyao, a).await.unwrap().version, 1, "unchanged");
    assert_eq!(kp.add_event(&yuyao, a, &visit, "yy", T0).await.unwrap(), 2);
}

pub async fn key_person_lists_filter_on_measures_in_force_and_page(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    use KeyPersonCategory::*;
    let one = open(store, 1, TwoCards, T0).await;
    let two = open(store, 2, AbroadHighRisk, T0).await;
    let three = open(store, 3, AbroadHighRisk, T0).await;
    let four = open(store, 4, FraudRecord, T0).await;
    // 1: punished for 30 days from T0; exit ban from T0 + 10 days, open-ended.
    add(
        store,
        one,
        KeyPersonMeasure::Punishment {
            kind: PunishmentKind::Financial,
            from: T0,
            until: Some(T0 + 30 * DAY),
        },
        T0,
    )
    .await;
    add(
        store,
        one,
        KeyPersonMeasure::ExitBan {
            from: T0 + 10 * DAY,
            until: None,
        },
        T0,
    )
    .await;
    // 2 refuses to come back, 3 was persuaded back; 4 is closed.
    for (id, state) in [(two, AbroadState::Refused), (three, AbroadState::Returned)] {
        add(
            store,
            id,
            KeyPersonMeasure::Persuasion {
                state,
                on: T0,
                place: Some("缅北".into()),
            },
            T0,
        )
        .await;
    }
    add(
        store,
        four,
        KeyPersonMeasure::Close {
            reason: "刑满后表现良好".into(),
        },
        T0,
    )
    .await;

    let platform = Scope::platform();
    let p = &platform;
    let ids = |filter: KeyPersonFilter, now: i64| {
        let kp = store.key_persons();
        async move {
            let page = kp
                .list(p, &filter, &PageRequest::first(100), now)
                .await
                .unwrap();
            let n = kp.count(p, &filter, now).await.unwrap();
            let ids: Vec<i64> = page.items.iter().map(|k| k.id).collect();
            assert_eq!(n as usize, ids.len(), "count agrees with the list");
            ids
        }
    };
    let measure = |m| KeyPersonFilter {
        measure: Some(m),
        ..KeyPersonFilter::default()
    };
    assert_eq!(ids(measure(ActiveMeasure::Punished), T0 + DAY).await, [one]);
    assert!(
        ids(measure(ActiveMeasure::Punished), T0 + 30 * DAY)
            .await
            .is_empty(),
        "a punishment ends before its `until`"
    );
    assert!(
        ids(measure(ActiveMeasure::ExitBan), T0 + DAY)
            .await
            .is_empty(),
        "not yet in force"
    );
    assert_eq!(
        ids(measure(ActiveMeasure::ExitBan), T0 + 400 * DAY).await,
        [one]
    );
    assert_eq!(ids(measure(ActiveMeasure::Abroad), T0).await, [two]);
    assert_eq!(ids(measure(ActiveMeasure::Returned), T0).await, [three]);
    let category = KeyPersonFilter {
        category: Some(AbroadHighRisk),
        ..KeyPersonFilter::default()
    };
    assert_eq!(ids(category, T0).await, [three, two]);
    let closed = KeyPersonFilter {
        status: Some(KeyPersonStatus::Closed),
        ..KeyPersonFilter::default()
    };
    assert_eq!(ids(closed, T0).await, [four]);
    let active_two_cards = KeyPersonFilter {
        status: Some(KeyPersonStatus::Active),
        category: Some(TwoCards),
        resident_id: Some(resident_id(1)),
        ..KeyPersonFilter::default()
    };
    assert_eq!(ids(active_two_cards, T0).await, [one]);

    // The projection the list shows.
    let k = kp.get(p, one).await.unwrap();
    assert_eq!(k.punishment_kind, Some(PunishmentKind::Financial));
    assert!(k.punished_at(T0) && !k.punished_at(T0 + 30 * DAY));
    assert!(k.exit_banned_at(T0 + 10 * DAY) && !k.exit_banned_at(T0));
    assert_eq!(
        kp.get(p, two).await.unwrap().abroad_place.as_deref(),
        Some("缅北")
    );

    // Paging visits every dossier once, newest first.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = kp
            .list(
                p,
                &KeyPersonFilter::default(),
                &PageRequest { after, limit: 3 },
                T0,
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|k| k.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, [four, three, two, one]);
    assert!(matches!(
        kp.list(
            p,
            &KeyPersonFilter::default(),
            &PageRequest::after("x".into(), 3),
            T0
        )
        .await,
        Err(StoreError::Invalid { .. })
    ));
}

pub async fn dossier_entries_are_kept_in_order_and_a_closed_one_takes_no_more(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let p = Scope::platform();
    let id = open(store, 1, KeyPersonCategory::Returned, T0).await;
    let seqs = [
        add(
            store,
            id,
            KeyPersonMeasure::Visit {
                note: "  本人在家，情绪稳定 ".into(),
                control: None,
            },
            T0 + 2,
        )
        .await,
        add(
            store,
            id,
            KeyPersonMeasure::ExitBan {
                from: T0,
                until: Some(T0 + 365 * DAY),
            },
            T0 + 1,
        )
        .await,
    ];
    assert_eq!(seqs, [2, 3]);
    // A measure breaking its own rules changes nothing.
    let backwards = KeyPersonMeasure::Punishment {
        kind: PunishmentKind::Credit,
        from: T0,
        until: Some(T0 - DAY),
    };
    assert!(matches!(
        kp.add_event(&p, id, &backwards, "analyst", T0 + 3).await,
        Err(StoreError::Invalid { .. })
    ));
    add(
        store,
        id,
        KeyPersonMeasure::Close {
            reason: "已稳控".into(),
        },
        T0 + 4,
    )
    .await;
    let visit = KeyPersonMeasure::Visit {
        note: "再次走访".into(),
        control: None,
    };
    assert!(matches!(
        kp.add_event(&p, id, &visit, "analyst", T0 + 5).await,
        Err(StoreError::Invalid { .. })
    ));
    let events = kp.events(&p, id).await.unwrap();
    let kinds: Vec<(i64, &str)> = events.iter().map(|e| (e.seq, e.kind.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (1, "registered"),
            (2, "visit"),
            (3, "exit_ban"),
            (4, "closed")
        ],
        "in the order they were added, whatever their times"
    );
    assert_eq!(events[1].detail["note"], "本人在家，情绪稳定");
    assert_eq!(events[1].at, T0 + 2);
    assert_eq!(events[2].detail["until"], T0 + 365 * DAY);
    assert_eq!(events[0].detail["category"], "returned");
    assert_eq!(events[3].actor, "analyst");
    let k = kp.get(&p, id).await.unwrap();
    assert_eq!(k.status, KeyPersonStatus::Closed);
    assert_eq!(k.closed_reason.as_deref(), Some("已稳控"));
    assert_eq!(k.last_visit_at, Some(T0 + 2));
    assert_eq!((k.version, k.updated_at), (4, T0 + 4));
}

pub async fn figures_count_people_measures_and_the_return_rate(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    use KeyPersonCategory::*;
    // 余姚: 1 is two_cards and fraud_record (one person, two dossiers), punished and banned;
    // 2, 3 abroad, 3 persuaded back and later closed; 4 returned; 慈溪: 5 abroad.
    let one_cards = open(store, 1, TwoCards, T0).await;
    let one_record = open(store, 1, FraudRecord, T0).await;
    let two = open(store, 2, AbroadHighRisk, T0).await;
    let three = open(store, 3, AbroadHighRisk, T0).await;
    let four = open(store, 4, Returned, T0).await;
    let five = open(store, 5, AbroadHighRisk, T0).await;
    for id in [one_cards, one_record] {
        add(
            store,
            id,
            KeyPersonMeasure::Punishment {
                kind: PunishmentKind::Financial,
                from: T0,
                until: Some(T0 + 10 * DAY),
            },
            T0,
        )
        .await;
    }
    add(
        store,
        one_cards,
        KeyPersonMeasure::ExitBan {
            from: T0,
            until: None,
        },
        T0,
    )
    .await;
    for (id, state) in [
        (two, AbroadState::Abroad),
        (three, AbroadState::Returned),
        (four, AbroadState::Returned),
        (five, AbroadState::Abroad),
    ] {
        add(
            store,
            id,
            KeyPersonMeasure::Persuasion {
                state,
                on: T0,
                place: None,
            },
            T0,
        )
        .await;
    }
    add(
        store,
        three,
        KeyPersonMeasure::Close {
            reason: "回国后稳控".into(),
        },
        T0,
    )
    .await;

    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let f = kp.figures(&yuyao, T0 + DAY).await.unwrap();
    assert_eq!(f.in_control, 3, "people 1, 2 and 4: {f:?}");
    assert_eq!(f.closed, 1);
    let by: std::collections::HashMap<_, _> = f.by_category.iter().copied().collect();
    assert_eq!(by.len(), 6, "every category is present");
    assert_eq!(
        (
            by[&TwoCards],
            by[&FraudRecord],
            by[&AbroadHighRisk],
            by[&Returned],
            by[&Other]
        ),
        (1, 1, 1, 1, 0)
    );
    assert_eq!(f.punished, 1, "one person, however many dossiers");
    assert_eq!(f.exit_bans, 1);
    assert_eq!(
        (f.abroad, f.returned),
        (1, 2),
        "the closed returnee still counts"
    );
    assert_eq!(f.return_rate(), Some(2.0 / 3.0));
    // Ten days on, the punishment has ended; the ban has no end.
    let later = kp.figures(&yuyao, T0 + 10 * DAY).await.unwrap();
    assert_eq!((later.punished, later.exit_bans), (0, 1));

    let cixi = store.units().scope(CIXI).await.unwrap();
    let c = kp.figures(&cixi, T0).await.unwrap();
    assert_eq!((c.in_control, c.abroad, c.returned), (1, 1, 0));
    assert_eq!(c.return_rate(), Some(0.0));
    let whole = kp.figures(&Scope::platform(), T0).await.unwrap();
    assert_eq!((whole.in_control, whole.abroad, whole.returned), (4, 2, 2));
    let lizhou = kp
        .figures(&store.units().scope("330281002").await.unwrap(), T0)
        .await
        .unwrap();
    assert_eq!(
        (lizhou.in_control, lizhou.returned, lizhou.closed),
        (1, 1, 0)
    );
}

/// Resident `n` moves to `village`.
async fn moves(store: &Store, n: u32, village: &str) {
    store.people().upsert(&[person(n, village)]).await.unwrap();
}

async fn audit_of(store: &Store, scope: &Scope) -> Vec<AuditEntry> {
    store
        .audit()
        .list(scope, &PageRequest::first(100))
        .await
        .unwrap()
        .items
}

pub async fn a_listing_never_reaches_a_dossier_held_by_another_unit(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yangming = store.units().scope("330281001").await.unwrap();
    let lizhou = store.units().scope("330281002").await.unwrap();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let close = |reason: &str| KeyPersonMeasure::Close {
        reason: reason.into(),
    };

    // 1 was listed and closed in 阳明街道, then moved to 梨洲街道, which lists them again: the
    // dossier is reopened under 梨洲 (where 1 lives now), with its entries.
    let (one, _) = kp
        .create(&yangming, &new(1, KeyPersonCategory::TwoCards, T0))
        .await
        .unwrap();
    kp.add_event(&yangming, one, &close("已转化"), "ym", T0 + 1)
        .await
        .unwrap();
    moves(store, 1, "330281002001").await;
    let again = NewKeyPerson {
        reason: "再次出售银行卡".into(),
        created_by: "lz".into(),
        ..new(1, KeyPersonCategory::TwoCards, T0 + 2)
    };
    assert_eq!(kp.create(&lizhou, &again).await.unwrap(), (one, true));
    let k = kp.get(&lizhou, one).await.unwrap();
    assert_eq!(
        (k.unit_code.as_str(), k.status, k.reason.as_str(), k.version),
        ("330281002001", KeyPersonStatus::Active, "再次出售银行卡", 3)
    );
    assert!(matches!(
        kp.get(&yangming, one).await,
        Err(StoreError::NotFound { .. })
    ));
    let events = kp.events(&lizhou, one).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["registered", "closed", "reopened"]);
    assert_eq!(events[2].detail["moved_from"], "330281001001");
    // Audited under the unit that holds it now, naming where it came from.
    let lz_audit = audit_of(store, &lizhou).await;
    let reopened = lz_audit
        .iter()
        .find(|e| e.action == "key_person_reopened")
        .expect("audited under 梨洲");
    assert_eq!(
        (reopened.actor.as_str(), reopened.unit_code.as_deref()),
        ("lz", Some("330281002001"))
    );
    assert_eq!(reopened.detail["moved_from"], "330281001001");
    assert!(!audit_of(store, &yangming)
        .await
        .iter()
        .any(|e| e.action == "key_person_reopened"));

    // 2's dossier is still open in 阳明 when 2 moves: 梨洲 is refused, told which unit holds
    // it, and nothing changes.
    let (two, _) = kp
        .create(&yangming, &new(2, KeyPersonCategory::FraudRecord, T0))
        .await
        .unwrap();
    moves(store, 2, "330281002001").await;
    let audited = audit_of(store, &Scope::platform()).await.len();
    let refused = kp
        .create(&lizhou, &new(2, KeyPersonCategory::FraudRecord, T0 + 3))
        .await
        .unwrap_err();
    match &refused {
        StoreError::HeldElsewhere {
            unit_code,
            unit_name,
            ..
        } => assert_eq!(
            (unit_code.as_str(), unit_name.as_str()),
            ("330281001001", "舜水社区")
        ),
        other => panic!("{other:?}"),
    }
    let message = refused.to_string();
    assert!(message.contains("舜水社区"), "{message}");
    assert!(message.contains("close"), "says what to do: {message}");
    assert!(
        !message.contains("居民2") && !message.contains(&resident_id(2)),
        "names the unit, not the person: {message}"
    );
    let k = kp.get(&yangming, two).await.unwrap();
    assert_eq!(
        (k.unit_code.as_str(), k.version, k.reason.as_str()),
        ("330281001001", 1, "线索2")
    );
    assert_eq!(kp.events(&yangming, two).await.unwrap().len(), 1);
    assert_eq!(audit_of(store, &Scope::platform()).await.len(), audited);
    // The county holds both townships: the open dossier is its own.
    assert_eq!(
        kp.create(&yuyao, &new(2, KeyPersonCategory::FraudRecord, T0 + 3))
            .await
            .unwrap(),
        (two, false)
    );
    // Once 阳明 closes it, 梨洲's listing takes it over.
    kp.add_event(&yangming, two, &close("已迁出"), "ym", T0 + 4)
        .await
        .unwrap();
    assert_eq!(
        kp.create(&lizhou, &new(2, KeyPersonCategory::FraudRecord, T0 + 5))
            .await
            .unwrap(),
        (two, true)
    );
    assert_eq!(
        kp.get(&lizhou, two).await.unwrap().unit_code,
        "330281002001"
    );
}

pub async fn a_person_counts_once_in_the_return_rate_by_the_latest_persuasion(store: &Store) {
    world(store).await;
    use KeyPersonCategory::*;
    let persuade = |state| KeyPersonMeasure::Persuasion {
        state,
        on: T0,
        place: None,
    };
    // 1: abroad in one dossier, persuaded back later in another.
    let one_abroad = open(store, 1, AbroadHighRisk, T0).await;
    let one_back = open(store, 1, Returned, T0).await;
    add(store, one_abroad, persuade(AbroadState::Abroad), T0).await;
    add(store, one_back, persuade(AbroadState::Returned), T0 + DAY).await;
    // 2: persuaded back in the later dossier, then gone again, as the earlier one records:
    // the time of the entry decides, not the order of the dossiers.
    let two_first = open(store, 2, AbroadHighRisk, T0).await;
    let two_second = open(store, 2, Returned, T0).await;
    add(store, two_second, persuade(AbroadState::Returned), T0).await;
    add(
        store,
        two_first,
        persuade(AbroadState::Refused),
        T0 + 2 * DAY,
    )
    .await;
    // 4: persuaded back, dossier closed since.
    let four = open(store, 4, Returned, T0).await;
    add(store, four, persuade(AbroadState::Returned), T0).await;
    add(
        store,
        four,
        KeyPersonMeasure::Close {
            reason: "稳控".into(),
        },
        T0 + DAY,
    )
    .await;

    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let f = kp.figures(&yuyao, T0 + 3 * DAY).await.unwrap();
    assert_eq!(
        (f.abroad, f.returned),
        (1, 2),
        "1 and 4 back, 2 abroad, each once: {f:?}"
    );
    assert_eq!(f.return_rate(), Some(2.0 / 3.0));
    // A township sees its own people the same way.
    let yangming = store.units().scope("330281001").await.unwrap();
    let y = kp.figures(&yangming, T0 + 3 * DAY).await.unwrap();
    assert_eq!((y.abroad, y.returned), (1, 1), "{y:?}");
}

fn listed(n: u32, category: KeyPersonCategory, measures: Vec<KeyPersonMeasure>) -> ListedKeyPerson {
    ListedKeyPerson {
        resident_id: resident_id(n),
        category,
        reason: "国家反诈平台惩戒名单".into(),
        measures,
    }
}

pub async fn a_list_lists_residents_and_brings_their_measures_up_to_date(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    // Resident 2 is already listed (by the form) with a punishment the list repeats.
    let two = open(store, 2, KeyPersonCategory::TwoCards, T0).await;
    let punishment = KeyPersonMeasure::Punishment {
        kind: PunishmentKind::Financial,
        from: T0,
        until: Some(T0 + 365 * DAY),
    };
    add(store, two, punishment.clone(), T0).await;
    let abroad = KeyPersonMeasure::Persuasion {
        state: AbroadState::Abroad,
        on: T0,
        place: Some("缅甸妙瓦底".into()),
    };
    let rows = vec![
        listed(1, KeyPersonCategory::TwoCards, vec![punishment.clone()]),
        listed(2, KeyPersonCategory::TwoCards, vec![punishment.clone()]),
        listed(
            3,
            KeyPersonCategory::AbroadHighRisk,
            vec![
                abroad.clone(),
                KeyPersonMeasure::ExitBan {
                    from: T0,
                    until: None,
                },
            ],
        ),
        // 慈溪's resident: not in 余姚's area.
        listed(5, KeyPersonCategory::TwoCards, vec![]),
        // Nobody with this ID number.
        listed(99, KeyPersonCategory::Other, vec![]),
        listed(
            4,
            KeyPersonCategory::Other,
            vec![KeyPersonMeasure::Visit {
                note: "走访".into(),
                control: None,
            }],
        ),
        // A period that ends before it starts: the row is refused whole, no dossier opened.
        listed(
            4,
            KeyPersonCategory::Returned,
            vec![KeyPersonMeasure::ExitBan {
                from: T0,
                until: Some(T0),
            }],
        ),
    ];
    let done = kp
        .import_list(&yuyao, &rows, "national", "analyst", T0 + DAY)
        .await
        .unwrap();
    assert_eq!(done.listed, 2, "residents 1 and 3");
    assert_eq!(done.already_listed, 1, "resident 2");
    assert_eq!(
        done.measures_added, 3,
        "1's punishment, 3's state and exit ban"
    );
    assert_eq!(done.measures_unchanged, 1, "2's punishment as listed");
    assert_eq!(
        done.rejected,
        vec![
            (3, listed_reason::PERSON_UNKNOWN),
            (4, listed_reason::PERSON_UNKNOWN),
            (5, listed_reason::MEASURE_INVALID),
            (6, listed_reason::MEASURE_INVALID),
        ]
    );
    let all = kp
        .list(
            &yuyao,
            &KeyPersonFilter::default(),
            &PageRequest::first(50),
            T0 + DAY,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 3);
    let three = all
        .iter()
        .find(|k| k.resident_id == resident_id(3))
        .unwrap();
    assert_eq!(three.source, "national");
    assert_eq!(three.reason, "国家反诈平台惩戒名单");
    assert_eq!(three.abroad_state, Some(AbroadState::Abroad));
    assert_eq!(three.abroad_place.as_deref(), Some("缅甸妙瓦底"));
    assert!(three.exit_banned_at(T0 + DAY));
    let one = all
        .iter()
        .find(|k| k.resident_id == resident_id(1))
        .unwrap();
    assert!(one.punished_at(T0 + DAY));
    assert_eq!(
        kp.events(&yuyao, two).await.unwrap().len(),
        2,
        "nothing added to 2"
    );

    // The same list again changes nothing; a new last day for 1's punishment is entered.
    let before = audit_actions(store).await.len();
    let again = kp
        .import_list(&yuyao, &rows, "national", "analyst", T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!((again.listed, again.already_listed), (0, 3));
    assert_eq!((again.measures_added, again.measures_unchanged), (0, 4));
    assert_eq!(
        audit_actions(store).await.len(),
        before,
        "no change, no audit"
    );
    let longer = vec![listed(
        1,
        KeyPersonCategory::TwoCards,
        vec![KeyPersonMeasure::Punishment {
            kind: PunishmentKind::Financial,
            from: T0,
            until: Some(T0 + 730 * DAY),
        }],
    )];
    let extended = kp
        .import_list(&yuyao, &longer, "national", "analyst", T0 + 3 * DAY)
        .await
        .unwrap();
    assert_eq!(extended.measures_added, 1);
    let one = kp.get(&yuyao, one.id).await.unwrap();
    assert_eq!(one.punishment_until, Some(T0 + 730 * DAY));

    // A dossier open in 慈溪 is not reached from 余姚's list.
    let cixi_kp = open(store, 5, KeyPersonCategory::Recruiter, T0).await;
    let moved = kp
        .import_list(
            &yuyao,
            &[listed(5, KeyPersonCategory::Recruiter, vec![])],
            "national",
            "analyst",
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(moved.rejected, vec![(0, listed_reason::PERSON_UNKNOWN)]);
    assert_eq!(
        kp.events(&Scope::platform(), cixi_kp).await.unwrap().len(),
        1
    );
}
