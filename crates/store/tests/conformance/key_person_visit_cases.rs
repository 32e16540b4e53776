//! Key persons' responsible officer (包保责任人) and visit cycle (定期走访): an officer is a
//! grid worker or commander on the line of the person's unit, or a named officer with a phone;
//! each change is an entry of the dossier; the next visit falls due a cycle (the category's or
//! the dossier's own) after the later of the last visit and the listing, and overdue visits are
//! filtered and counted inside the scope, the same way the dossier itself says.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;
const YUYAO: &str = "330281";
const CIXI: &str = "330282";

/// Residents 1, 2 and 3 in 舜水社区 (余姚), 5 in 慈溪; officers around them.
async fn world(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            person(1, "330281001001"),
            person(2, "330281001001"),
            person(3, "330281001001"),
            person(5, "330282001001"),
        ])
        .await
        .unwrap();
    for (login, name, unit, role) in [
        ("grid_sx", "舜水网格员", "330281001001", Role::GridWorker),
        ("cmd_ym", "阳明所长", "330281001", Role::UnitCommander),
        ("cmd_yy", "余姚大队长", "330281", Role::UnitCommander),
        ("grid_xj", "西郊网格员", "330281002001", Role::GridWorker),
        ("analyst_yy", "余姚研判员", "330281", Role::CenterAnalyst),
        ("grid_cx", "慈溪网格员", "330282001001", Role::GridWorker),
        ("grid_gone", "离职网格员", "330281001001", Role::GridWorker),
    ] {
        store
            .users()
            .upsert(&NewUser {
                login: login.into(),
                display_name: name.into(),
                unit_code: unit.into(),
                roles: vec![role],
                joint_member: None,
                bank_code: None,
                operator: None,
                password_hash: None,
            })
            .await
            .unwrap();
    }
    store.users().set_active("grid_gone", false).await.unwrap();
}

async fn open(store: &Store, n: u32, category: KeyPersonCategory, at: i64) -> i64 {
    let (id, created) = store
        .key_persons()
        .create(
            &Scope::platform(),
            &NewKeyPerson {
                resident_id: resident_id(n),
                category,
                reason: format!("线索{n}"),
                source: "form".into(),
                created_by: "analyst".into(),
                at,
            },
        )
        .await
        .unwrap();
    assert!(created);
    id
}

fn user(login: &str) -> Responsible {
    Responsible::User {
        login: login.into(),
        phone: None,
    }
}

pub async fn a_responsible_officer_is_on_the_persons_line_and_every_change_is_an_entry(
    store: &Store,
) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let id = open(store, 1, KeyPersonCategory::TwoCards, T0).await;
    let other = open(store, 2, KeyPersonCategory::FraudRecord, T0).await;
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!((k.responsible_login, k.responsible_name), (None, None));

    // Who may be chosen: the village's grid worker, the township's and the county's
    // commanders; not the next village's worker, an analyst, another county's worker or a
    // user no longer active.
    let officers: Vec<String> = kp
        .officers(&yuyao, id)
        .await
        .unwrap()
        .into_iter()
        .map(|(login, _, _)| login)
        .collect();
    assert_eq!(officers, ["cmd_yy", "cmd_ym", "grid_sx"]);

    let seq = kp
        .assign(&yuyao, id, &user("grid_sx"), "cmd_yy", T0 + 1)
        .await
        .unwrap();
    assert_eq!(seq, Some(2));
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(k.responsible_login.as_deref(), Some("grid_sx"));
    assert_eq!(k.responsible_name.as_deref(), Some("舜水网格员"));
    assert_eq!(k.responsible_phone, None);
    // The same officer again writes nothing.
    assert_eq!(
        kp.assign(&yuyao, id, &user("grid_sx"), "cmd_yy", T0 + 2)
            .await
            .unwrap(),
        None
    );
    for refused in ["grid_xj", "analyst_yy", "grid_cx", "grid_gone", "nobody"] {
        assert!(
            matches!(
                kp.assign(&yuyao, id, &user(refused), "cmd_yy", T0 + 3)
                    .await,
                Err(StoreError::Invalid {
                    field: "responsible",
                    ..
                })
            ),
            "{refused}"
        );
    }
    // Above the unit, with a phone; then an officer without a login.
    kp.assign(
        &yuyao,
        id,
        &Responsible::User {
            login: "cmd_yy".into(),
            phone: Some(" 138-0000-1111 ".into()),
        },
        "cmd_yy",
        T0 + 4,
    )
    .await
    .unwrap();
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(k.responsible_phone.as_deref(), Some("13800001111"));
    for (name, phone, field) in [
        ("", "13800001111", "name"),
        ("王警官", " ", "phone"),
        ("王警官", "12", "phone"),
    ] {
        let who = Responsible::Named {
            name: name.into(),
            phone: phone.into(),
        };
        match kp.assign(&yuyao, id, &who, "cmd_yy", T0 + 5).await {
            Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{name} {phone}"),
            other => panic!("{name} {phone}: {other:?}"),
        }
    }
    let named = Responsible::Named {
        name: " 王警官 ".into(),
        phone: "13900002222".into(),
    };
    assert_eq!(
        kp.assign(&yuyao, id, &named, "cmd_yy", T0 + 6)
            .await
            .unwrap(),
        Some(4)
    );
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(
        (
            k.responsible_login.as_deref(),
            k.responsible_name.as_deref(),
            k.responsible_phone.as_deref()
        ),
        (None, Some("王警官"), Some("13900002222"))
    );

    // Each change is an `assigned` entry naming the officer before, and audited.
    let assigned: Vec<serde_json::Value> = kp
        .events(&yuyao, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "assigned")
        .map(|e| e.detail)
        .collect();
    assert_eq!(assigned.len(), 3);
    assert_eq!(assigned[0]["login"], "grid_sx");
    assert_eq!(assigned[0]["previous"]["name"], serde_json::Value::Null);
    assert_eq!(assigned[2]["name"], "王警官");
    assert_eq!(assigned[2]["previous"]["login"], "cmd_yy");
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|e| e.action == "key_person_assigned")
            .count(),
        3
    );

    // "Mine": the dossiers a login is responsible for.
    kp.assign(&yuyao, other, &user("grid_sx"), "cmd_yy", T0 + 7)
        .await
        .unwrap();
    let mine = |login: &str| KeyPersonFilter {
        responsible: Some(login.into()),
        ..KeyPersonFilter::default()
    };
    let page = kp
        .list(&yuyao, &mine("grid_sx"), &PageRequest::first(10), T0)
        .await
        .unwrap();
    assert_eq!(page.items.iter().map(|k| k.id).collect::<Vec<_>>(), [other]);
    assert_eq!(kp.count(&yuyao, &mine("cmd_yy"), T0).await.unwrap(), 0);

    // Another county neither sees nor assigns; a closed dossier takes no officer.
    let cixi = store.units().scope(CIXI).await.unwrap();
    assert!(matches!(
        kp.assign(&cixi, id, &user("grid_cx"), "cmd_cx", T0 + 8)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        kp.officers(&cixi, id).await,
        Err(StoreError::NotFound { .. })
    ));
    kp.add_event(
        &yuyao,
        other,
        &KeyPersonMeasure::Close {
            reason: "稳控".into(),
        },
        "cmd_yy",
        T0 + 9,
    )
    .await
    .unwrap();
    assert!(matches!(
        kp.assign(&yuyao, other, &user("cmd_ym"), "cmd_yy", T0 + 10)
            .await,
        Err(StoreError::Invalid {
            field: "status",
            ..
        })
    ));
    assert_eq!(kp.figures(&yuyao, T0).await.unwrap().unassigned, 0);
}

/// The ids of the dossiers whose visit is overdue at `now`, by the list's filter, checked
/// against what each dossier says of itself.
async fn overdue(store: &Store, scope: &Scope, now: i64) -> Vec<i64> {
    let kp = store.key_persons();
    let filter = KeyPersonFilter {
        visit_overdue: true,
        ..KeyPersonFilter::default()
    };
    let mut ids: Vec<i64> = kp
        .list(scope, &filter, &PageRequest::first(100), now)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|k| k.id)
        .collect();
    ids.sort();
    let all = kp
        .list(
            scope,
            &KeyPersonFilter::default(),
            &PageRequest::first(100),
            now,
        )
        .await
        .unwrap()
        .items;
    let mut by_dossier: Vec<i64> = all
        .iter()
        .filter(|k| k.visit_overdue_at(now))
        .map(|k| k.id)
        .collect();
    by_dossier.sort();
    assert_eq!(
        ids, by_dossier,
        "the store's filter and the dossier agree at {now}"
    );
    assert_eq!(
        kp.count(scope, &filter, now).await.unwrap(),
        ids.len() as i64
    );
    ids
}

pub async fn visits_fall_due_by_cycle_and_overdue_ones_are_filtered_and_counted(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope(CIXI).await.unwrap();
    // Monthly, every two months, quarterly; and one in 慈溪.
    let returned = open(store, 1, KeyPersonCategory::Returned, T0).await;
    let cards = open(store, 2, KeyPersonCategory::TwoCards, T0).await;
    let record = open(store, 3, KeyPersonCategory::FraudRecord, T0).await;
    let away = open(store, 5, KeyPersonCategory::Returned, T0).await;
    let k = kp.get(&yuyao, returned).await.unwrap();
    assert_eq!(k.visit_cycle(), 30);
    assert_eq!(k.next_visit_due(), visit_due_day(T0, 30));

    // On the due day nothing is overdue; the day after, the monthly one is.
    let due_day = visit_due_day(T0, 30);
    assert!(overdue(store, &yuyao, due_day + DAY - 1).await.is_empty());
    let now = due_day + DAY;
    assert_eq!(overdue(store, &yuyao, now).await, [returned]);
    assert_eq!(overdue(store, &cixi, now).await, [away]);
    let f = kp.figures(&yuyao, now).await.unwrap();
    assert_eq!((f.visits_overdue, f.unassigned), (1, 3));
    assert_eq!(
        kp.figures(&Scope::platform(), now)
            .await
            .unwrap()
            .visits_overdue,
        2
    );

    // A visit starts a new cycle and counts in the period's visits.
    kp.add_event(
        &yuyao,
        returned,
        &KeyPersonMeasure::Visit {
            note: "在家务农".into(),
            control: None,
        },
        "grid_sx",
        now,
    )
    .await
    .unwrap();
    assert!(overdue(store, &yuyao, now).await.is_empty());
    assert_eq!(
        kp.get(&yuyao, returned).await.unwrap().next_visit_due(),
        visit_due_day(now, 30)
    );
    assert_eq!(kp.visits(&yuyao, T0, now + 1).await.unwrap(), 1);
    assert_eq!(
        kp.visits(&yuyao, T0, now).await.unwrap(),
        0,
        "until is exclusive"
    );
    assert_eq!(kp.visits(&cixi, T0, now + 1).await.unwrap(), 0);

    // The dossier's own cycle: weekly makes the quarterly one overdue; the same cycle again
    // writes nothing; back to the default it is not.
    assert_eq!(
        kp.set_visit_cycle(&yuyao, record, Some(7), "cmd_yy", now)
            .await
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        kp.set_visit_cycle(&yuyao, record, Some(7), "cmd_yy", now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(overdue(store, &yuyao, now).await, [record]);
    for bad in [0, MAX_VISIT_CYCLE_DAYS + 1] {
        assert!(matches!(
            kp.set_visit_cycle(&yuyao, record, Some(bad), "cmd_yy", now)
                .await,
            Err(StoreError::Invalid { field: "cycle", .. })
        ));
    }
    assert!(matches!(
        kp.set_visit_cycle(&cixi, record, Some(14), "cmd_cx", now)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let entry = kp.events(&yuyao, record).await.unwrap().pop().unwrap();
    assert_eq!(
        (entry.kind.as_str(), entry.detail["days"].as_i64()),
        ("visit_cycle", Some(7))
    );
    kp.set_visit_cycle(&yuyao, record, None, "cmd_yy", now)
        .await
        .unwrap();
    assert_eq!(kp.get(&yuyao, record).await.unwrap().visit_cycle(), 90);
    assert!(overdue(store, &yuyao, now).await.is_empty());

    // Two months on: the card seller is overdue; closed, it is not; listed again, a new cycle
    // runs from the relisting.
    let later = visit_overdue_from(T0, 60);
    assert_eq!(overdue(store, &yuyao, later).await, [cards]);
    kp.add_event(
        &yuyao,
        cards,
        &KeyPersonMeasure::Close {
            reason: "已转化".into(),
        },
        "cmd_yy",
        later,
    )
    .await
    .unwrap();
    assert!(overdue(store, &yuyao, later).await.is_empty());
    let (again, reopened) = kp
        .create(
            &yuyao,
            &NewKeyPerson {
                resident_id: resident_id(2),
                category: KeyPersonCategory::TwoCards,
                reason: "再次出售".into(),
                source: "form".into(),
                created_by: "cmd_yy".into(),
                at: later + DAY,
            },
        )
        .await
        .unwrap();
    assert_eq!((again, reopened), (cards, true));
    let k = kp.get(&yuyao, cards).await.unwrap();
    assert_eq!(k.listed_at, later + DAY);
    assert_eq!(k.next_visit_due(), visit_due_day(later + DAY, 60));
    // Two days on, only the monthly one visited before is overdue again.
    assert_eq!(overdue(store, &yuyao, later + 2 * DAY).await, [returned]);
}

/// An officer is of the dossier's unit or a unit above it, never below (they could not read it);
/// a dossier relisted in another unit after the person moved leaves its officer behind, while
/// one relisted where it was keeps them.
pub async fn officers_are_of_the_dossiers_unit_or_above_and_stay_behind_when_it_moves(
    store: &Store,
) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope("330281").await.unwrap();
    // A person registered at the township itself: its dossier is held there.
    store
        .people()
        .upsert(&[person(4, "330281001")])
        .await
        .unwrap();
    let township = open(store, 4, KeyPersonCategory::TwoCards, T0).await;
    let officers: Vec<String> = kp
        .officers(&yuyao, township)
        .await
        .unwrap()
        .into_iter()
        .map(|(login, _, _)| login)
        .collect();
    assert_eq!(
        officers,
        ["cmd_yy", "cmd_ym"],
        "no village grid worker below"
    );
    assert!(matches!(
        kp.assign(&yuyao, township, &user("grid_sx"), "cmd_yy", T0 + 1)
            .await,
        Err(StoreError::Invalid {
            field: "responsible",
            ..
        })
    ));

    // Listed in 舜水, the village's grid worker responsible; closed; listed again where it was:
    // the officer stays.
    let id = open(store, 3, KeyPersonCategory::TwoCards, T0).await;
    kp.assign(&yuyao, id, &user("grid_sx"), "cmd_yy", T0 + 1)
        .await
        .unwrap();
    let close = |at: i64| {
        let kp = store.key_persons();
        let yuyao = yuyao.clone();
        async move {
            kp.add_event(
                &yuyao,
                id,
                &KeyPersonMeasure::Close {
                    reason: "已转化".into(),
                },
                "cmd_yy",
                at,
            )
            .await
            .unwrap();
        }
    };
    let relist = |at: i64| {
        let kp = store.key_persons();
        let yuyao = yuyao.clone();
        async move {
            kp.create(
                &yuyao,
                &NewKeyPerson {
                    resident_id: resident_id(3),
                    category: KeyPersonCategory::TwoCards,
                    reason: "再次出售".into(),
                    source: "form".into(),
                    created_by: "cmd_yy".into(),
                    at,
                },
            )
            .await
            .unwrap()
        }
    };
    close(T0 + DAY).await;
    assert_eq!(relist(T0 + 2 * DAY).await, (id, true));
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(k.responsible_login.as_deref(), Some("grid_sx"));
    // The person moves to 西郊; closed and listed again, the dossier comes over without 舜水's
    // grid worker, and counts as having no officer.
    close(T0 + 3 * DAY).await;
    store
        .people()
        .upsert(&[person(3, "330281002001")])
        .await
        .unwrap();
    assert_eq!(relist(T0 + 4 * DAY).await, (id, true));
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(k.unit_code, "330281002001");
    assert_eq!(k.responsible_login, None);
    assert_eq!(k.responsible_name, None);
    kp.assign(&yuyao, id, &user("grid_xj"), "cmd_yy", T0 + 4 * DAY + 1)
        .await
        .unwrap();
}

/// Two assignments at once: both land, one after the other, and the second's entry names the
/// first's officer as the one before (not the officer both read before either wrote).
pub async fn concurrent_assignments_each_name_the_officer_really_before(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let id = open(store, 1, KeyPersonCategory::TwoCards, T0).await;
    let (sx, ym) = (user("grid_sx"), user("cmd_ym"));
    for round in 0..4 {
        let (a, b) = tokio::join!(
            kp.assign(&yuyao, id, &sx, "cmd_yy", T0 + round * 10 + 1),
            kp.assign(&yuyao, id, &ym, "cmd_yy", T0 + round * 10 + 2),
        );
        // Each either wrote an entry or found its officer already responsible.
        a.unwrap();
        b.unwrap();
    }
    let events = kp.events(&yuyao, id).await.unwrap();
    let assigned: Vec<&KeyPersonEvent> = events.iter().filter(|e| e.kind == "assigned").collect();
    assert!(!assigned.is_empty());
    let mut before = serde_json::Value::Null;
    for e in assigned {
        assert_eq!(
            e.detail["previous"]["login"], before,
            "each entry names the officer the one before it set: {events:?}"
        );
        before = e.detail["login"].clone();
    }
    let k = kp.get(&yuyao, id).await.unwrap();
    assert_eq!(serde_json::Value::from(k.responsible_login), before);
}

/// 动态管控: a visit may say where the person stands — at home, away (where to), out of reach —
/// and give a contact number found working; the dossier keeps the latest that was said (a visit
/// saying nothing changes nothing, a number not given keeps the one on record), the entry holds
/// it, the list filters people in control by it and the figures count the away and the lost
/// inside the scope; a closed dossier is counted no more; a bad number is refused by field.
pub async fn visits_say_where_the_person_stands_and_the_lost_are_counted(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope(CIXI).await.unwrap();
    let first = open(store, 1, KeyPersonCategory::TwoCards, T0).await;
    let second = open(store, 2, KeyPersonCategory::Returned, T0).await;
    let third = open(store, 3, KeyPersonCategory::Recruiter, T0).await;
    let visit = |state: Option<ControlState>, place: Option<&str>, contact: Option<&str>| {
        KeyPersonMeasure::Visit {
            note: "走访".into(),
            control: state.map(|state| ControlUpdate {
                state,
                place: place.map(str::to_string),
                contact: contact.map(str::to_string),
            }),
        }
    };
    let at = T0 + DAY;

    kp.add_event(
        &yuyao,
        first,
        &visit(
            Some(ControlState::Away),
            Some(" 广东省深圳市 "),
            Some("139 0000 1111"),
        ),
        "grid_sx",
        at,
    )
    .await
    .unwrap();
    let k = kp.get(&yuyao, first).await.unwrap();
    assert_eq!(k.control_state, Some(ControlState::Away));
    assert_eq!(k.control_place.as_deref(), Some("广东省深圳市"));
    assert_eq!(k.control_at, Some(at));
    assert_eq!(k.contact_phone.as_deref(), Some("13900001111"));
    let entry = kp.events(&yuyao, first).await.unwrap().pop().unwrap();
    assert_eq!(entry.kind, "visit");
    assert_eq!(entry.detail["control"], "away");
    assert_eq!(entry.detail["contact"], "13900001111");

    // A visit that says nothing keeps the state; a later one that says "lost" without a
    // number keeps the number.
    kp.add_event(&yuyao, first, &visit(None, None, None), "grid_sx", at + DAY)
        .await
        .unwrap();
    let k = kp.get(&yuyao, first).await.unwrap();
    assert_eq!(
        (k.control_state, k.control_at),
        (Some(ControlState::Away), Some(at))
    );
    assert_eq!(k.last_visit_at, Some(at + DAY));
    kp.add_event(
        &yuyao,
        first,
        &visit(Some(ControlState::Lost), None, None),
        "grid_sx",
        at + 2 * DAY,
    )
    .await
    .unwrap();
    let k = kp.get(&yuyao, first).await.unwrap();
    assert_eq!(k.control_state, Some(ControlState::Lost));
    assert_eq!(k.control_place, None);
    assert_eq!(k.contact_phone.as_deref(), Some("13900001111"));

    kp.add_event(
        &yuyao,
        second,
        &visit(Some(ControlState::Away), Some("上海市"), None),
        "grid_sx",
        at,
    )
    .await
    .unwrap();
    kp.add_event(
        &yuyao,
        third,
        &visit(Some(ControlState::Stable), None, None),
        "grid_sx",
        at,
    )
    .await
    .unwrap();
    // A bad number: refused by field, nothing written.
    let before = kp.events(&yuyao, third).await.unwrap().len();
    assert!(matches!(
        kp.add_event(
            &yuyao,
            third,
            &visit(Some(ControlState::Lost), None, Some("12")),
            "grid_sx",
            at
        )
        .await,
        Err(StoreError::Invalid {
            field: "contact",
            ..
        })
    ));
    assert_eq!(kp.events(&yuyao, third).await.unwrap().len(), before);

    let now = at + 3 * DAY;
    let f = kp.figures(&yuyao, now).await.unwrap();
    assert_eq!((f.away, f.lost), (1, 1));
    assert_eq!(kp.figures(&cixi, now).await.unwrap().lost, 0);
    let only = |state| KeyPersonFilter {
        control: Some(state),
        ..KeyPersonFilter::default()
    };
    let ids = |page: Page<KeyPerson>| page.items.into_iter().map(|k| k.id).collect::<Vec<_>>();
    let lost = kp
        .list(
            &yuyao,
            &only(ControlState::Lost),
            &PageRequest::first(10),
            now,
        )
        .await
        .unwrap();
    assert_eq!(ids(lost), [first]);
    assert_eq!(
        kp.count(&yuyao, &only(ControlState::Away), now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        kp.count(&cixi, &only(ControlState::Lost), now)
            .await
            .unwrap(),
        0
    );

    // Closed, the lost person is neither listed nor counted as lost.
    kp.add_event(
        &yuyao,
        first,
        &KeyPersonMeasure::Close {
            reason: "已查获".into(),
        },
        "cmd_yy",
        now,
    )
    .await
    .unwrap();
    assert_eq!(kp.figures(&yuyao, now).await.unwrap().lost, 0);
    assert_eq!(
        kp.count(&yuyao, &only(ControlState::Lost), now)
            .await
            .unwrap(),
        0
    );
}

/// 回流人员核查: returnees — a 劝返回流 dossier, or one persuaded back — are checked one by one;
/// the dossier keeps the latest finding, the list filters those not checked yet and those of a
/// finding, and the figures count the unchecked (in control) and the prosecuted (closed
/// dossiers too) inside the scope; a dossier of another category is never a returnee.
pub async fn returnees_are_checked_one_by_one_and_the_unchecked_counted(store: &Store) {
    world(store).await;
    let kp = store.key_persons();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope(CIXI).await.unwrap();
    let back = open(store, 1, KeyPersonCategory::Returned, T0).await;
    let persuaded = open(store, 2, KeyPersonCategory::AbroadHighRisk, T0).await;
    let seller = open(store, 3, KeyPersonCategory::TwoCards, T0).await;
    kp.add_event(
        &yuyao,
        persuaded,
        &KeyPersonMeasure::Persuasion {
            state: AbroadState::Returned,
            on: T0,
            place: Some("缅北".into()),
        },
        "cmd_yy",
        T0,
    )
    .await
    .unwrap();
    let now = T0 + DAY;
    assert!(kp.get(&yuyao, back).await.unwrap().returnee());
    assert!(kp.get(&yuyao, persuaded).await.unwrap().returnee());
    assert!(!kp.get(&yuyao, seller).await.unwrap().returnee());
    let unchecked = KeyPersonFilter {
        returnee: Some(None),
        ..KeyPersonFilter::default()
    };
    assert_eq!(kp.count(&yuyao, &unchecked, now).await.unwrap(), 2);
    assert_eq!(
        kp.figures(&yuyao, now).await.unwrap().returnees_unchecked,
        2
    );
    assert_eq!(kp.figures(&cixi, now).await.unwrap().returnees_unchecked, 0);

    let check = |result| KeyPersonMeasure::ReturneeCheck {
        result,
        note: "逐人核查".into(),
    };
    kp.add_event(
        &yuyao,
        back,
        &check(ReturneeResult::Criminal),
        "cmd_yy",
        now,
    )
    .await
    .unwrap();
    let k = kp.get(&yuyao, back).await.unwrap();
    assert_eq!(k.returnee_check, Some(ReturneeResult::Criminal));
    assert_eq!(k.returnee_checked_at, Some(now));
    let entry = kp.events(&yuyao, back).await.unwrap().pop().unwrap();
    assert_eq!(
        (entry.kind.as_str(), &entry.detail["result"]),
        ("returnee_check", &serde_json::json!("criminal"))
    );
    assert!(matches!(
        kp.add_event(
            &yuyao,
            persuaded,
            &KeyPersonMeasure::ReturneeCheck {
                result: ReturneeResult::NoOffence,
                note: "  ".into()
            },
            "cmd_yy",
            now
        )
        .await,
        Err(StoreError::Invalid { field: "note", .. })
    ));

    let f = kp.figures(&yuyao, now).await.unwrap();
    assert_eq!((f.returnees_unchecked, f.returnees_prosecuted), (1, 1));
    let ids = |page: Page<KeyPerson>| page.items.into_iter().map(|k| k.id).collect::<Vec<_>>();
    assert_eq!(
        ids(kp
            .list(&yuyao, &unchecked, &PageRequest::first(10), now)
            .await
            .unwrap()),
        [persuaded]
    );
    let criminal = KeyPersonFilter {
        returnee: Some(Some(ReturneeResult::Criminal)),
        ..KeyPersonFilter::default()
    };
    assert_eq!(
        ids(kp
            .list(&yuyao, &criminal, &PageRequest::first(10), now)
            .await
            .unwrap()),
        [back]
    );
    // Closed after the measures, the prosecuted returnee still counts as prosecuted.
    kp.add_event(
        &yuyao,
        back,
        &KeyPersonMeasure::Close {
            reason: "已刑事拘留".into(),
        },
        "cmd_yy",
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        kp.figures(&yuyao, now).await.unwrap().returnees_prosecuted,
        1
    );
    assert_eq!(
        kp.figures(&cixi, now).await.unwrap().returnees_prosecuted,
        0
    );
}
