//! The closed-loop service over a real store, identically on SQLite and PostgreSQL: routing,
//! merging, the happy path with a replay check, optimistic concurrency, push-down and scope
//! rules, and deadline escalation across a restart.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::{NewPerson, NewUnit, Scope, Store, StoreError, UnitLevel};
use fanzha_workflow::*;

const MIN: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;
const CENTER: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_VILLAGE: &str = "330281001002";
const OTHER_COUNTY: &str = "330282";
const OTHER_COUNTY_VILLAGE: &str = "330282001001";

use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    red_goes_to_the_county_with_the_village_as_owner,
    orange_and_yellow_wait_for_review_at_the_county,
    a_second_warning_merges_and_raises_the_level,
    sign_delegate_outcome_close_replays_to_the_stored_state,
    concurrent_acts_on_one_version_let_exactly_one_win,
    many_officers_at_once_each_commit_with_their_audit,
    unversioned_commands_on_one_instruction_all_apply_in_turn,
    delegation_stays_inside_the_holders_subtree,
    an_actor_outside_the_holders_subtree_gets_not_found,
    escalation_after_a_restart_happens_exactly_once,
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

/// 3302 宁波市 → 330281 余姚市 (two townships, three villages) and 330282 慈溪市.
async fn with_tree(store: &Store) {
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CENTER, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CENTER)),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit(OTHER_VILLAGE, "新建社区", Village, Some("330281001")),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit("330281002001", "西郊社区", Village, Some("330281002")),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CENTER)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_COUNTY_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .expect("tree");
}

fn resident_id(n: u32) -> String {
    format!("33028119900101{n:04}")
}

async fn with_person(store: &Store, n: u32, village: &str) -> String {
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: resident_id(n),
            name: format!("居民{n}"),
            phone: Some(format!("138{n:08}")),
            residence_code: village.into(),
            address: Some(format!("幸福路{n}号")),
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        }])
        .await
        .expect("person");
    resident_id(n)
}

/// A store with the tree, people 1–3 in VILLAGE, 4 in OTHER_COUNTY_VILLAGE, and the service.
async fn setup(db: &Db) -> (Store, LoopService) {
    let store = db.open().await;
    with_tree(&store).await;
    for n in 1..=3 {
        with_person(&store, n, VILLAGE).await;
    }
    with_person(&store, 4, OTHER_COUNTY_VILLAGE).await;
    let service = LoopService::new(
        store.clone(),
        SlaPolicy::default(),
        RoutingPolicy::new(CENTER),
    )
    .await
    .expect("service");
    (store, service)
}

fn warning(person: u32, level: WarningLevel) -> IncomingWarning {
    IncomingWarning {
        id: None,
        resident_id: Some(resident_id(person)),
        msisdn: None,
        residence_code: None,
        level,
        fraud_type: Some("impersonation".into()),
        score_permille: 900,
        source: "engine".into(),
        signal_at: T0,
        evidence: serde_json::json!({"rule": "test"}),
    }
}

async fn actor(store: &Store, login: &str, unit_code: &str) -> Actor {
    Actor {
        login: login.into(),
        unit_code: unit_code.into(),
        scope: store.units().scope(unit_code).await.expect("scope"),
    }
}

async fn platform_view(service: &LoopService, id: &str) -> InstructionView {
    service
        .view(&Scope::platform(), id)
        .await
        .expect("instruction")
}

fn actions(view: &InstructionView) -> Vec<&'static str> {
    view.events.iter().map(|e| e.action.name()).collect()
}

fn stored_state(view: &InstructionView) -> Instruction {
    serde_json::from_str(&view.stored.projection.state).expect("stored state")
}

fn assert_not_found(e: &LoopError) {
    assert!(
        matches!(e, LoopError::Store(StoreError::NotFound { .. })),
        "expected not found, got {e:?}"
    );
    assert_eq!(e.code(), ErrorCode::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Cases.

async fn red_goes_to_the_county_with_the_village_as_owner(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    assert_eq!(r.unit_code, COUNTY, "the county bureau receives and signs");
    assert!(!r.merged && !r.raised);
    let v = platform_view(&service, &r.instruction_id).await;
    assert_eq!(v.stored.owner_unit, VILLAGE, "the village is the target");
    assert_eq!(v.stored.projection.holder_unit, COUNTY);
    assert_eq!(v.stored.projection.status, "issued");
    assert_eq!(v.state.status, Status::Issued);
    assert_eq!(v.state.level, WarningLevel::Red);
    assert_eq!(
        v.state.deadlines,
        SlaPolicy::default().deadlines(WarningLevel::Red, T0)
    );
    assert_eq!(v.stored.projection.next_due_at, Some(T0 + 5 * MIN));
    assert_eq!(actions(&v), ["issued"]);
    // The warning is filed under the owning village and linked to its instruction.
    let w = store
        .warnings()
        .get(&Scope::platform(), &r.warning_id)
        .await
        .unwrap();
    assert_eq!(w.unit_code, VILLAGE);
    assert_eq!(w.instruction_id.as_deref(), Some(r.instruction_id.as_str()));

    // A resident of the other county goes to that county.
    let r = service
        .receive(warning(4, WarningLevel::Red), T0)
        .await
        .unwrap();
    assert_eq!(r.unit_code, OTHER_COUNTY);
    let v = platform_view(&service, &r.instruction_id).await;
    assert_eq!(v.stored.owner_unit, OTHER_COUNTY_VILLAGE);

    // An unknown residence goes to the center.
    let mut w = warning(99, WarningLevel::Red);
    w.residence_code = Some("110101001001".into());
    let r = service.receive(w, T0).await.unwrap();
    assert_eq!(r.unit_code, CENTER);
    let v = platform_view(&service, &r.instruction_id).await;
    assert_eq!(v.stored.owner_unit, CENTER);
}

async fn orange_and_yellow_wait_for_review_at_the_county(db: &Db) {
    let (_store, service) = setup(db).await;
    for (person, level) in [(1, WarningLevel::Orange), (2, WarningLevel::Yellow)] {
        let r = service.receive(warning(person, level), T0).await.unwrap();
        assert_eq!(r.unit_code, COUNTY, "{level:?}");
        let v = platform_view(&service, &r.instruction_id).await;
        assert_eq!(v.state.status, Status::PendingReview, "{level:?}");
        assert_eq!(v.stored.projection.status, "pending_review");
        assert_eq!(v.stored.projection.holder_unit, COUNTY);
        assert_eq!(v.stored.owner_unit, VILLAGE);
        assert_eq!(v.state.level, level);
        // A pending review cannot be signed before it is approved.
        let officer = actor(service.store(), "yy_commander", COUNTY).await;
        let e = service
            .act(
                &officer,
                &r.instruction_id,
                None,
                &[Command::Sign],
                None,
                T0,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InstructionIllegalTransition, "{e}");
        // Approved, it is issued where it is held.
        let analyst = actor(service.store(), "analyst", CENTER).await;
        let v = service
            .act(
                &analyst,
                &r.instruction_id,
                Some(1),
                &[Command::ApproveReview { to_unit: None }],
                None,
                T0 + MIN,
            )
            .await
            .unwrap();
        assert_eq!(v.state.status, Status::Issued);
        assert_eq!(v.state.holder_unit, COUNTY);
    }
}

async fn a_second_warning_merges_and_raises_the_level(db: &Db) {
    let (store, service) = setup(db).await;
    let first = service
        .receive(warning(1, WarningLevel::Yellow), T0)
        .await
        .unwrap();
    let yellow = SlaPolicy::default().deadlines(WarningLevel::Yellow, T0);

    let second = service
        .receive(warning(1, WarningLevel::Red), T0 + 10 * MIN)
        .await
        .unwrap();
    assert!(second.merged && second.raised, "{second:?}");
    assert_eq!(second.instruction_id, first.instruction_id);
    assert_ne!(second.warning_id, first.warning_id);
    let v = platform_view(&service, &first.instruction_id).await;
    assert_eq!(v.state.level, WarningLevel::Red);
    assert_eq!(v.stored.projection.level, 1);
    let red = SlaPolicy::default().deadlines(WarningLevel::Red, T0 + 10 * MIN);
    assert_eq!(v.state.deadlines, yellow.tightened(red));
    assert_eq!(v.state.deadlines.sign_by, T0 + 15 * MIN);
    assert_eq!(
        v.state.warning_ids,
        [first.warning_id.clone(), second.warning_id.clone()]
    );
    assert_eq!(actions(&v), ["issued", "warning_merged", "level_raised"]);
    assert_eq!(v.stored.projection.version, 3);

    // A less urgent warning merges without a raise.
    let third = service
        .receive(warning(1, WarningLevel::Orange), T0 + 11 * MIN)
        .await
        .unwrap();
    assert!(third.merged && !third.raised);
    assert_eq!(third.instruction_id, first.instruction_id);
    let v = platform_view(&service, &first.instruction_id).await;
    assert_eq!(v.state.level, WarningLevel::Red);
    assert_eq!(v.state.warning_ids.len(), 3);
    assert_eq!(
        actions(&v),
        ["issued", "warning_merged", "level_raised", "warning_merged"]
    );
    // Each warning is linked to the one instruction.
    for w in [&first.warning_id, &second.warning_id, &third.warning_id] {
        let w = store.warnings().get(&Scope::platform(), w).await.unwrap();
        assert_eq!(
            w.instruction_id.as_deref(),
            Some(first.instruction_id.as_str())
        );
    }
    // Another resident is not merged.
    let other = service
        .receive(warning(2, WarningLevel::Red), T0 + 12 * MIN)
        .await
        .unwrap();
    assert!(!other.merged);
    assert_ne!(other.instruction_id, first.instruction_id);
}

async fn sign_delegate_outcome_close_replays_to_the_stored_state(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let id = &r.instruction_id;
    let county = actor(&store, "yy_commander", COUNTY).await;
    let village = actor(&store, "grid_1", VILLAGE).await;

    // The village cannot see it before it is pushed down.
    assert_not_found(&service.view(&village.scope, id).await.unwrap_err());

    let v = service
        .act(
            &county,
            id,
            Some(1),
            &[
                Command::Sign,
                Command::Delegate {
                    to_unit: VILLAGE.into(),
                },
            ],
            Some("请社区立即劝阻".into()),
            T0 + MIN,
        )
        .await
        .unwrap();
    assert_eq!(v.state.holder_unit, VILLAGE);
    assert_eq!(v.state.status, Status::Issued);
    assert_eq!(v.state.delegated_from, [COUNTY]);
    assert_eq!(v.state.version, 3);

    let v = service
        .act(&village, id, Some(3), &[Command::Sign], None, T0 + 2 * MIN)
        .await
        .unwrap();
    assert_eq!(v.state.status, Status::Signed);
    let v = service
        .act(
            &village,
            id,
            Some(4),
            &[
                Command::StartContact {
                    channel: ContactChannel::Phone,
                },
                Command::RecordOutcome {
                    outcome: Outcome::Dissuaded {
                        channel: ContactChannel::Phone,
                    },
                    saved_fen: 120_000,
                },
            ],
            None,
            T0 + 4 * MIN,
        )
        .await
        .unwrap();
    assert_eq!(v.stored.projection.status, "dissuaded");
    let v = service
        .act(&village, id, Some(6), &[Command::Close], None, T0 + 6 * MIN)
        .await
        .unwrap();

    assert_eq!(
        actions(&v),
        [
            "issued",
            "signed",
            "delegated",
            "signed",
            "contact_started",
            "outcome_recorded",
            "closed"
        ]
    );
    assert_eq!(v.events[1].actor, "yy_commander");
    assert_eq!(v.events[1].unit, COUNTY);
    assert_eq!(v.events[1].note.as_deref(), Some("请社区立即劝阻"));
    assert_eq!(v.events[3].actor, "grid_1");
    for (i, e) in v.events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
    }

    // The stored projection, the stored state and a replay of the stored events agree.
    let replayed = Instruction::replay(&v.events).unwrap();
    let stored = stored_state(&v);
    assert_eq!(replayed, stored);
    assert_eq!(
        fanzha_workflow::service::projection(&replayed).unwrap(),
        v.stored.projection
    );
    assert_eq!(stored.status, Status::Closed);
    assert_eq!(stored.version, 7);
    assert_eq!(stored.saved_fen, 120_000);
    assert_eq!(stored.first_signed_at, Some(T0 + MIN));
    assert_eq!(stored.first_contact_at, Some(T0 + 4 * MIN));
    assert_eq!(stored.closed_at, Some(T0 + 6 * MIN));
    assert_eq!(stored.met(SlaKind::Sign), Some(true));
    assert_eq!(stored.met(SlaKind::FirstContact), Some(true));
    let p = &v.stored.projection;
    assert!(!p.open && !p.overdue);
    assert_eq!(p.next_due_at, None);
    assert_eq!(p.saved_fen, 120_000);
    // The event rows as stored.
    let rows = store
        .instructions()
        .events(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[2].action, "delegated");
    assert_eq!(rows[6].at, T0 + 6 * MIN);

    // A closed instruction takes no more commands; a stale version is a conflict.
    let e = service
        .act(&village, id, Some(7), &[Command::Sign], None, T0 + 7 * MIN)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InstructionIllegalTransition);
    let e = service
        .act(&village, id, Some(5), &[Command::Close], None, T0 + 7 * MIN)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    // Nothing of that was stored, and every step was audited.
    assert_eq!(platform_view(&service, id).await.events.len(), 7);
}

async fn concurrent_acts_on_one_version_let_exactly_one_win(db: &Db) {
    let (store, service) = setup(db).await;
    let service = std::sync::Arc::new(service);
    let county = actor(&store, "yy_commander", COUNTY).await;
    // Several rounds: sometimes both read version 1 and race on the write, sometimes the
    // second reads after the first committed; either way exactly one wins.
    for person in 1..=3 {
        let r = service
            .receive(warning(person, WarningLevel::Red), T0)
            .await
            .unwrap();
        let id = r.instruction_id.clone();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let attempts = [
            vec![Command::Sign],
            vec![Command::Delegate {
                to_unit: VILLAGE.into(),
            }],
        ]
        .map(|commands| {
            let (service, county, id, barrier) =
                (service.clone(), county.clone(), id.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                service
                    .act(&county, &id, Some(1), &commands, None, T0 + MIN)
                    .await
            })
        });
        let mut won = 0;
        let mut conflicts = 0;
        for a in attempts {
            match a.await.unwrap() {
                Ok(v) => {
                    won += 1;
                    assert_eq!(v.state.version, 2);
                }
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::Conflict, "{e:?}");
                    conflicts += 1;
                }
            }
        }
        assert_eq!((won, conflicts), (1, 1), "person {person}");
        let v = platform_view(&service, &id).await;
        assert_eq!(v.events.len(), 2, "exactly one change was stored");
        assert_eq!(v.stored.projection.version, 2);
        assert_eq!(Instruction::replay(&v.events).unwrap(), stored_state(&v));
    }
}

async fn delegation_stays_inside_the_holders_subtree(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let id = &r.instruction_id;
    let county = actor(&store, "yy_commander", COUNTY).await;
    service
        .act(&county, id, Some(1), &[Command::Sign], None, T0 + MIN)
        .await
        .unwrap();
    for outside in [OTHER_COUNTY_VILLAGE, OTHER_COUNTY, COUNTY, CENTER, "999999"] {
        let e = service
            .act(
                &county,
                id,
                Some(2),
                &[Command::Delegate {
                    to_unit: outside.into(),
                }],
                None,
                T0 + 2 * MIN,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, LoopError::Invalid(_)), "{outside}: {e:?}");
        assert_eq!(e.code(), ErrorCode::InstructionCommandInvalid);
    }
    let v = platform_view(&service, id).await;
    assert_eq!(
        v.stored.projection.version, 2,
        "no refused delegation was stored"
    );
    assert_eq!(v.state.holder_unit, COUNTY);

    // Pushed to a village, it cannot be pushed sideways from there.
    service
        .act(
            &county,
            id,
            Some(2),
            &[Command::Delegate {
                to_unit: VILLAGE.into(),
            }],
            None,
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    let village = actor(&store, "grid_1", VILLAGE).await;
    let e = service
        .act(
            &village,
            id,
            Some(3),
            &[Command::Delegate {
                to_unit: OTHER_VILLAGE.into(),
            }],
            None,
            T0 + 3 * MIN,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InstructionCommandInvalid, "{e:?}");
    assert_eq!(
        platform_view(&service, id).await.stored.projection.version,
        3
    );
}

async fn an_actor_outside_the_holders_subtree_gets_not_found(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let id = &r.instruction_id;
    let county = actor(&store, "yy_commander", COUNTY).await;
    service
        .act(
            &county,
            id,
            Some(1),
            &[
                Command::Sign,
                Command::Delegate {
                    to_unit: VILLAGE.into(),
                },
            ],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    let neighbour = actor(&store, "grid_2", OTHER_VILLAGE).await;
    let foreign = actor(&store, "cx_commander", OTHER_COUNTY).await;
    for a in [&neighbour, &foreign] {
        assert_not_found(&service.view(&a.scope, id).await.unwrap_err());
        assert_not_found(
            &service
                .act(a, id, Some(3), &[Command::Sign], None, T0 + 2 * MIN)
                .await
                .unwrap_err(),
        );
    }
    // An unknown id answers the same as a foreign one.
    assert_not_found(
        &service
            .act(&county, "ZL-nope", None, &[Command::Sign], None, T0)
            .await
            .unwrap_err(),
    );
    // The holder and every unit above it see it.
    for unit in [VILLAGE, "330281001", COUNTY, CENTER] {
        let a = actor(&store, "someone", unit).await;
        service.view(&a.scope, id).await.unwrap();
    }
    assert_eq!(
        platform_view(&service, id).await.stored.projection.version,
        3
    );
}

/// Escalated SLA kinds of an instruction, in event order.
fn escalations(v: &InstructionView) -> Vec<(SlaKind, String)> {
    v.events
        .iter()
        .filter_map(|e| match &e.action {
            Action::Escalated { sla, to_unit } => Some((*sla, to_unit.clone())),
            _ => None,
        })
        .collect()
}

async fn escalation_after_a_restart_happens_exactly_once(db: &Db) {
    let (store, service) = setup(db).await;
    // Mid-SLA at T0 + 3 min: `breach` unsigned (sign by T0+5), `signed` signed in time,
    // `calm` yellow (sign by T0+4h), `closed` closed before anything was due.
    let breach = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap()
        .instruction_id;
    let signed = service
        .receive(warning(2, WarningLevel::Red), T0)
        .await
        .unwrap()
        .instruction_id;
    let calm = service
        .receive(warning(3, WarningLevel::Yellow), T0)
        .await
        .unwrap()
        .instruction_id;
    let closed = service
        .receive(warning(4, WarningLevel::Red), T0)
        .await
        .unwrap()
        .instruction_id;
    let county = actor(&store, "yy_commander", COUNTY).await;
    let other = actor(&store, "cx_commander", OTHER_COUNTY).await;
    service
        .act(&county, &signed, Some(1), &[Command::Sign], None, T0 + MIN)
        .await
        .unwrap();
    service
        .act(
            &other,
            &closed,
            Some(1),
            &[
                Command::Sign,
                Command::RecordOutcome {
                    outcome: Outcome::FalseAlarm,
                    saved_fen: 0,
                },
                Command::Close,
            ],
            None,
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    assert!(
        service.escalate_due(T0 + 3 * MIN).await.unwrap().is_empty(),
        "nothing is due mid-SLA"
    );

    // Restart: the service and every connection go away; a new service on the same data.
    drop(service);
    store.close().await;
    drop(store);
    let store = db.open().await;
    let service = LoopService::new(
        store.clone(),
        SlaPolicy::default(),
        RoutingPolicy::new(CENTER),
    )
    .await
    .unwrap();

    // Past the sign deadline (T0 + 5 min), before the contact deadline (T0 + 15 min).
    let at = T0 + 6 * MIN;
    let notices = service.escalate_due(at).await.unwrap();
    assert_eq!(
        notices,
        [Notice::Escalated {
            instruction_id: breach.clone(),
            to_unit: CENTER.into(),
            sla: SlaKind::Sign,
        }],
        "only the unsigned one breached, once"
    );
    assert!(service.escalate_due(at).await.unwrap().is_empty());
    assert!(service.escalate_due(at + MIN).await.unwrap().is_empty());

    let v = platform_view(&service, &breach).await;
    assert_eq!(escalations(&v), [(SlaKind::Sign, CENTER.to_string())]);
    assert!(v.stored.projection.overdue);
    assert_eq!(v.stored.projection.next_due_at, Some(T0 + 15 * MIN));
    assert_eq!(Instruction::replay(&v.events).unwrap(), stored_state(&v));
    for (id, version) in [(&signed, 2), (&calm, 1), (&closed, 4)] {
        let v = platform_view(&service, id).await;
        assert!(escalations(&v).is_empty(), "{id} untouched");
        assert_eq!(v.stored.projection.version, version);
        assert!(!v.stored.projection.overdue);
    }

    // Another restart, then past the contact deadline: each breached kind once more.
    drop(service);
    store.close().await;
    let store = db.open().await;
    let service = LoopService::new(
        store.clone(),
        SlaPolicy::default(),
        RoutingPolicy::new(CENTER),
    )
    .await
    .unwrap();
    let at = T0 + 16 * MIN;
    let mut notices = service.escalate_due(at).await.unwrap();
    notices.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    let mut expected = vec![
        Notice::Escalated {
            instruction_id: breach.clone(),
            to_unit: CENTER.into(),
            sla: SlaKind::FirstContact,
        },
        Notice::Escalated {
            instruction_id: signed.clone(),
            to_unit: CENTER.into(),
            sla: SlaKind::FirstContact,
        },
    ];
    expected.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    assert_eq!(notices, expected);
    assert!(service.escalate_due(at).await.unwrap().is_empty());
    let v = platform_view(&service, &breach).await;
    assert_eq!(
        escalations(&v),
        [
            (SlaKind::Sign, CENTER.to_string()),
            (SlaKind::FirstContact, CENTER.to_string())
        ]
    );
    let v = platform_view(&service, &signed).await;
    assert_eq!(
        escalations(&v),
        [(SlaKind::FirstContact, CENTER.to_string())]
    );
    for (id, version) in [(&calm, 1), (&closed, 4)] {
        let v = platform_view(&service, id).await;
        assert!(escalations(&v).is_empty(), "{id} untouched");
        assert_eq!(v.stored.projection.version, version);
    }
    // Every escalation was audited exactly once.
    for (id, n) in [(&breach, 2), (&signed, 1), (&calm, 0), (&closed, 0)] {
        let audited = store
            .audit()
            .for_target(&Scope::platform(), "instruction", id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "instruction_escalated")
            .count();
        assert_eq!(audited, n, "{id}");
    }
    store.close().await;
}

/// A warning about nobody in the register, placed by its residence only (as the national
/// center's pushes sometimes are): each one opens its own instruction.
fn anonymous_warning(n: u32) -> IncomingWarning {
    IncomingWarning {
        id: Some(format!("YJANON{n:05}")),
        resident_id: None,
        msisdn: None,
        residence_code: Some(VILLAGE.into()),
        ..warning(1, WarningLevel::Red)
    }
}

/// Forty officers sign at once (committed in groups): every change lands with its own event
/// and audit entry, and each answer shows the committed state.
async fn many_officers_at_once_each_commit_with_their_audit(db: &Db) {
    let (store, service) = setup(db).await;
    let service = std::sync::Arc::new(service);
    let county = actor(&store, "yy_commander", COUNTY).await;
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(
            service
                .receive(anonymous_warning(n), T0)
                .await
                .unwrap()
                .instruction_id,
        );
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(ids.len()));
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (service, county, id, barrier) =
                (service.clone(), county.clone(), id.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                service
                    .act(&county, &id, Some(1), &[Command::Sign], None, T0 + MIN)
                    .await
            })
        })
        .collect();
    for t in tasks {
        let v = t.await.unwrap().expect("every sign commits");
        assert_eq!(v.state.version, 2);
        assert_eq!(actions(&v), ["issued", "signed"]);
        assert_eq!(v.stored.projection.status, "signed");
    }
    for id in &ids {
        let v = platform_view(&service, id).await;
        assert_eq!(actions(&v), ["issued", "signed"], "{id}");
        assert_eq!(Instruction::replay(&v.events).unwrap(), stored_state(&v));
        let audit = store
            .audit()
            .for_target(&Scope::platform(), "instruction", id)
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.action == "instruction_signed" && a.actor == "yy_commander")
                .count(),
            1,
            "{id}"
        );
    }
}

/// Commands naming no version are decided against whatever is current when their turn comes:
/// sent at once to one instruction, all of them apply, in some order.
async fn unversioned_commands_on_one_instruction_all_apply_in_turn(db: &Db) {
    let (store, service) = setup(db).await;
    let service = std::sync::Arc::new(service);
    let county = actor(&store, "yy_commander", COUNTY).await;
    let id = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap()
        .instruction_id;
    service
        .act(&county, &id, None, &[Command::Sign], None, T0 + MIN)
        .await
        .unwrap();
    let tasks: Vec<_> = ["officer_a", "officer_b", "officer_c"]
        .into_iter()
        .map(|user| {
            let (service, county, id) = (service.clone(), county.clone(), id.clone());
            tokio::spawn(async move {
                let commands = [Command::Assign { user: user.into() }];
                service
                    .act(&county, &id, None, &commands, None, T0 + 2 * MIN)
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("each applies");
    }
    let v = platform_view(&service, &id).await;
    assert_eq!(v.stored.projection.version, 5);
    assert_eq!(
        actions(&v),
        ["issued", "signed", "assigned", "assigned", "assigned"]
    );
    assert_eq!(Instruction::replay(&v.events).unwrap(), stored_state(&v));
}
