//! 96110 外呼 over a real store, identically on SQLite and PostgreSQL: which warnings queue a
//! call and to which number, merged warnings, review first, what a call's result appends to the
//! instruction, retries, leases that run out, and cancelling when the case is settled.

use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::{
    CallResult, CallTask, CallTaskFilter, CallTaskState, NewPerson, NewUnit, PageRequest, Scope,
    Store, UnitLevel,
};
use fanzha_workflow::*;

const MIN: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;
const CENTER: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_COUNTY_VILLAGE: &str = "330282001001";

use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_red_warning_queues_one_call_to_the_persons_number,
    a_merged_warning_about_the_same_phone_adds_no_call,
    orange_is_called_once_the_review_passes_and_levels_follow_the_policy,
    a_warning_without_a_number_to_call_queues_nothing,
    no_answer_appends_a_failed_attempt_and_calls_again_later,
    dissuaded_records_the_outcome_and_cancels_only_the_rest_of_its_calls,
    an_outcome_from_the_field_cancels_open_calls,
    an_expired_claim_returns_to_the_queue,
    only_the_operator_holding_a_call_records_it_inside_their_subtree,
}

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

fn resident_id(n: u32) -> String {
    format!("33028119900101{n:04}")
}

fn phone(n: u32) -> String {
    format!("138{n:08}")
}

/// The tree of the service tests; people 1–3 in VILLAGE, 4 in the other county, 5 without a
/// phone.
async fn setup_with(db: &Db, policy: CallPolicy) -> (Store, LoopService) {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CENTER, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CENTER)),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CENTER)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_COUNTY_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    let people: Vec<NewPerson> = (1..=5)
        .map(|n| NewPerson {
            resident_id: resident_id(n),
            name: format!("居民{n}"),
            phone: (n != 5).then(|| phone(n)),
            residence_code: if n == 4 {
                OTHER_COUNTY_VILLAGE
            } else {
                VILLAGE
            }
            .into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    let service = LoopService::new(
        store.clone(),
        SlaPolicy::default(),
        RoutingPolicy::new(CENTER),
    )
    .await
    .unwrap()
    .with_call_policy(policy);
    (store, service)
}

async fn setup(db: &Db) -> (Store, LoopService) {
    setup_with(db, CallPolicy::default()).await
}

fn warning(person: u32, level: WarningLevel) -> IncomingWarning {
    IncomingWarning {
        id: None,
        resident_id: Some(resident_id(person)),
        msisdn: None,
        residence_code: None,
        level,
        fraud_type: Some("impersonate_police".into()),
        score_permille: 900,
        source: "engine".into(),
        signal_at: T0,
        evidence: serde_json::json!({}),
    }
}

async fn actor(store: &Store, login: &str, unit_code: &str) -> Actor {
    Actor {
        login: login.into(),
        unit_code: unit_code.into(),
        scope: store.units().scope(unit_code).await.unwrap(),
    }
}

/// A 96110 seat at the center.
async fn seat(store: &Store, login: &str) -> Actor {
    actor(store, login, CENTER).await
}

async fn tasks_of(store: &Store, instruction_id: &str) -> Vec<CallTask> {
    store
        .call_tasks()
        .for_instruction(&Scope::platform(), instruction_id)
        .await
        .unwrap()
}

async fn all_tasks(store: &Store) -> Vec<CallTask> {
    store
        .call_tasks()
        .list(
            &Scope::platform(),
            &CallTaskFilter::default(),
            &PageRequest::first(100),
            T0,
        )
        .await
        .unwrap()
        .items
}

async fn events(service: &LoopService, id: &str) -> Vec<Event> {
    service.view(&Scope::platform(), id).await.unwrap().events
}

// ---------------------------------------------------------------------------------------------

async fn a_red_warning_queues_one_call_to_the_persons_number(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let tasks = tasks_of(&store, &r.instruction_id).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let t = &tasks[0];
    assert_eq!(t.msisdn, phone(1), "the registered phone");
    assert_eq!(t.level, 1);
    assert_eq!(t.state, CallTaskState::Queued);
    assert_eq!(t.warning_id, r.warning_id);
    assert_eq!(t.resident_id.as_deref(), Some(resident_id(1).as_str()));
    assert_eq!(t.unit_code, VILLAGE, "scoped by the person's residence");
    assert_eq!(
        t.fraud_type.as_deref(),
        Some("impersonating_police"),
        "stored under its code"
    );
    assert_eq!(t.created_at, T0);

    // The number the warning names comes first, written however the feed wrote it.
    let mut w = warning(2, WarningLevel::Red);
    w.msisdn = Some("+86 139-0000-0002".into());
    let r = service.receive(w, T0).await.unwrap();
    let tasks = tasks_of(&store, &r.instruction_id).await;
    assert_eq!(
        tasks.iter().map(|t| t.msisdn.as_str()).collect::<Vec<_>>(),
        vec!["13900000002"]
    );
}

async fn a_merged_warning_about_the_same_phone_adds_no_call(db: &Db) {
    let (store, service) = setup(db).await;
    let first = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let second = service
        .receive(warning(1, WarningLevel::Orange), T0 + MIN)
        .await
        .unwrap();
    assert!(second.merged);
    assert_eq!(second.instruction_id, first.instruction_id);
    let mut third = warning(1, WarningLevel::Red);
    third.msisdn = Some(phone(1));
    service.receive(third, T0 + 2 * MIN).await.unwrap();
    let tasks = tasks_of(&store, &first.instruction_id).await;
    assert_eq!(tasks.len(), 1, "one open call per number: {tasks:?}");
    assert_eq!(tasks[0].warning_id, first.warning_id);

    // A warning about another phone of the person is another call.
    let mut other = warning(1, WarningLevel::Red);
    other.msisdn = Some("13900000099".into());
    service.receive(other, T0 + 3 * MIN).await.unwrap();
    let numbers: Vec<String> = tasks_of(&store, &first.instruction_id)
        .await
        .into_iter()
        .map(|t| t.msisdn)
        .collect();
    assert_eq!(numbers, vec![phone(1), "13900000099".to_string()]);
    assert_eq!(all_tasks(&store).await.len(), 2);
}

async fn orange_is_called_once_the_review_passes_and_levels_follow_the_policy(db: &Db) {
    let (store, service) = setup(db).await;
    let orange = service
        .receive(warning(1, WarningLevel::Orange), T0)
        .await
        .unwrap();
    assert!(
        tasks_of(&store, &orange.instruction_id).await.is_empty(),
        "nobody calls before 二次研判"
    );
    let analyst = actor(&store, "analyst", CENTER).await;
    service
        .act(
            &analyst,
            &orange.instruction_id,
            None,
            &[Command::ApproveReview { to_unit: None }],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    let tasks = tasks_of(&store, &orange.instruction_id).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!((tasks[0].level, tasks[0].created_at), (2, T0 + MIN));
    // Acting again adds nothing.
    service
        .act(
            &actor(&store, "commander", COUNTY).await,
            &orange.instruction_id,
            None,
            &[Command::Sign],
            None,
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    assert_eq!(tasks_of(&store, &orange.instruction_id).await.len(), 1);

    // A review that finds no fraud calls nobody.
    let rejected = service
        .receive(warning(2, WarningLevel::Orange), T0)
        .await
        .unwrap();
    service
        .act(
            &analyst,
            &rejected.instruction_id,
            None,
            &[Command::RejectReview],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    assert!(tasks_of(&store, &rejected.instruction_id).await.is_empty());

    // Yellow is not called by default.
    let yellow = service
        .receive(warning(3, WarningLevel::Yellow), T0)
        .await
        .unwrap();
    service
        .act(
            &analyst,
            &yellow.instruction_id,
            None,
            &[Command::ApproveReview { to_unit: None }],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    assert!(tasks_of(&store, &yellow.instruction_id).await.is_empty());
}

async fn a_warning_without_a_number_to_call_queues_nothing(db: &Db) {
    let (store, service) = setup(db).await;
    // Person 5 registered no phone.
    service
        .receive(warning(5, WarningLevel::Red), T0)
        .await
        .unwrap();
    // A hotline or SMS port is no number to call back.
    let mut w = warning(5, WarningLevel::Red);
    w.msisdn = Some("96110".into());
    service.receive(w, T0 + 1).await.unwrap();
    // Nobody known at all.
    let unknown = IncomingWarning {
        resident_id: None,
        residence_code: Some(VILLAGE.into()),
        ..warning(5, WarningLevel::Red)
    };
    let r = service.receive(unknown, T0 + 2).await.unwrap();
    assert!(!r.merged);
    assert!(all_tasks(&store).await.is_empty());

    // With the seat group off, a red warning with a phone is not called either.
    let off_db = db_again(db);
    let (store, service) = setup_with(&off_db, CallPolicy::off()).await;
    service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    assert!(all_tasks(&store).await.is_empty());
    // And yellow can be switched on.
    let yellow_too = CallPolicy {
        yellow: true,
        ..CallPolicy::default()
    };
    let yellow_db = db_again(db);
    let (store, service) = setup_with(&yellow_db, yellow_too).await;
    let r = service
        .receive(warning(1, WarningLevel::Yellow), T0)
        .await
        .unwrap();
    service
        .act(
            &actor(&store, "analyst", CENTER).await,
            &r.instruction_id,
            None,
            &[Command::ApproveReview { to_unit: None }],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    assert_eq!(tasks_of(&store, &r.instruction_id).await.len(), 1);
}

/// A second database on the same backend as `db`.
fn db_again(db: &Db) -> Db {
    if db.is_postgres() {
        Db::postgres().expect("postgres")
    } else {
        Db::sqlite()
    }
}

async fn no_answer_appends_a_failed_attempt_and_calls_again_later(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let seat01 = seat(&store, "seat01").await;
    let t = service
        .claim_next_call(&seat01, T0 + MIN)
        .await
        .unwrap()
        .expect("a call to make");
    assert_eq!(t.instruction_id, r.instruction_id);
    assert!(t.held_by("seat01", T0 + MIN));
    let done = service
        .record_call(
            &seat01,
            t.id,
            Some(t.version),
            CallResult::NoAnswer,
            Some("响铃约40秒".into()),
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    assert_eq!(done.task.state, CallTaskState::Queued, "to be called again");
    assert_eq!(done.task.attempts, 1);
    assert_eq!(done.task.due_at, T0 + 12 * MIN);
    assert_eq!(done.instruction.state.status, Status::Contacting);
    assert_eq!(done.instruction.state.failed_attempts, 1);
    let evs = events(&service, &r.instruction_id).await;
    let tail: Vec<&Event> = evs.iter().skip(1).collect();
    assert_eq!(
        tail.iter().map(|e| e.action.name()).collect::<Vec<_>>(),
        vec!["signed", "contact_started", "attempt_failed"],
        "signed first, then the call as a phone attempt"
    );
    assert_eq!(
        tail[1].action,
        Action::ContactStarted {
            channel: ContactChannel::Phone
        }
    );
    assert_eq!(
        tail[2].action,
        Action::AttemptFailed {
            reason: UnreachableReason::NoAnswer
        }
    );
    assert!(tail.iter().all(|e| e.actor == "seat01" && e.unit == CENTER));
    let note = tail[2].note.as_deref().unwrap();
    assert!(
        note.contains("96110外呼") && note.contains("138****0001") && note.contains("无人接听"),
        "{note}"
    );
    assert!(
        note.contains("响铃约40秒") && !note.contains(&phone(1)),
        "{note}"
    );

    // Not again before the retry is due; then the same task, and after the third call it rests.
    assert_eq!(
        service
            .claim_next_call(&seat01, T0 + 11 * MIN)
            .await
            .unwrap(),
        None
    );
    let mut now = T0 + 12 * MIN;
    for (k, result) in [(2, CallResult::SwitchedOff), (3, CallResult::NoAnswer)] {
        let again = service
            .claim_next_call(&seat01, now)
            .await
            .unwrap()
            .expect("due again");
        assert_eq!(again.id, t.id);
        let rec = service
            .record_call(&seat01, again.id, None, result, None, now)
            .await
            .unwrap();
        assert_eq!(rec.task.attempts, k);
        now += 10 * MIN;
    }
    let last = store
        .call_tasks()
        .get(&Scope::platform(), t.id)
        .await
        .unwrap();
    assert_eq!(last.state, CallTaskState::Done, "three calls made");
    assert_eq!(last.result, Some(CallResult::NoAnswer));
    let evs = events(&service, &r.instruction_id).await;
    assert_eq!(
        evs.iter()
            .filter(|e| e.action.name() == "attempt_failed")
            .count(),
        3
    );
    assert_eq!(
        service
            .view(&Scope::platform(), &r.instruction_id)
            .await
            .unwrap()
            .state
            .status,
        Status::Contacting,
        "the holder still goes in person"
    );
}

async fn dissuaded_records_the_outcome_and_cancels_only_the_rest_of_its_calls(db: &Db) {
    let (store, service) = setup(db).await;
    let a = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let mut second_phone = warning(1, WarningLevel::Red);
    second_phone.msisdn = Some("13900000099".into());
    service.receive(second_phone, T0 + 1).await.unwrap();
    let b = service
        .receive(warning(2, WarningLevel::Red), T0 + 2)
        .await
        .unwrap();
    let seat01 = seat(&store, "seat01").await;
    let first = service
        .claim_next_call(&seat01, T0 + MIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.msisdn, phone(1), "the oldest first");
    let rec = service
        .record_call(
            &seat01,
            first.id,
            None,
            CallResult::Dissuaded,
            None,
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    assert_eq!(rec.task.state, CallTaskState::Done);
    assert_eq!(rec.task.result, Some(CallResult::Dissuaded));
    assert_eq!(rec.instruction.stored.projection.status, "dissuaded");
    assert_eq!(
        rec.instruction.state.outcome,
        Some(Outcome::Dissuaded {
            channel: ContactChannel::Phone
        })
    );
    assert!(rec.instruction.state.first_contact_at.is_some());

    let a_tasks = tasks_of(&store, &a.instruction_id).await;
    let states: Vec<(String, CallTaskState)> = a_tasks
        .iter()
        .map(|t| (t.msisdn.clone(), t.state))
        .collect();
    assert_eq!(
        states,
        vec![
            (phone(1), CallTaskState::Done),
            ("13900000099".to_string(), CallTaskState::Cancelled),
        ],
        "the call that dissuaded stays done; the other number need not be called"
    );
    assert_eq!(a_tasks[1].cancel_reason.as_deref(), Some("dissuaded"));
    let b_tasks = tasks_of(&store, &b.instruction_id).await;
    assert_eq!(b_tasks.len(), 1);
    assert_eq!(
        b_tasks[0].state,
        CallTaskState::Queued,
        "another person's call stays"
    );
    let next = service
        .claim_next_call(&seat01, T0 + 3 * MIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.instruction_id, b.instruction_id);
}

async fn an_outcome_from_the_field_cancels_open_calls(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let seat01 = seat(&store, "seat01").await;
    let held = service
        .claim_next_call(&seat01, T0 + MIN)
        .await
        .unwrap()
        .unwrap();
    // Meanwhile the grid worker reached the person at home.
    let county = actor(&store, "commander", COUNTY).await;
    service
        .act(
            &county,
            &r.instruction_id,
            None,
            &[
                Command::Sign,
                Command::RecordOutcome {
                    outcome: Outcome::Dissuaded {
                        channel: ContactChannel::Visit,
                    },
                    saved_fen: 0,
                },
            ],
            None,
            T0 + 2 * MIN,
        )
        .await
        .unwrap();
    let t = store
        .call_tasks()
        .get(&Scope::platform(), held.id)
        .await
        .unwrap();
    assert_eq!(t.state, CallTaskState::Cancelled);
    assert_eq!(t.cancel_reason.as_deref(), Some("dissuaded"));
    // The seat's late result changes nothing.
    let late = service
        .record_call(
            &seat01,
            held.id,
            None,
            CallResult::NoAnswer,
            None,
            T0 + 3 * MIN,
        )
        .await
        .unwrap_err();
    assert_eq!(late.code(), ErrorCode::Conflict, "{late}");
    assert_eq!(events(&service, &r.instruction_id).await.len(), 3);

    // Closing cancels too, whatever was open; a closed instruction queues no new call.
    let r2 = service
        .receive(warning(2, WarningLevel::Red), T0)
        .await
        .unwrap();
    service
        .act(
            &county,
            &r2.instruction_id,
            None,
            &[
                Command::Sign,
                Command::RecordOutcome {
                    outcome: Outcome::FalseAlarm,
                    saved_fen: 0,
                },
                Command::Close,
            ],
            None,
            T0 + MIN,
        )
        .await
        .unwrap();
    let t2 = tasks_of(&store, &r2.instruction_id).await;
    assert_eq!(t2.len(), 1);
    assert_eq!(t2[0].state, CallTaskState::Cancelled);
    assert_eq!(
        service
            .claim_next_call(&seat01, T0 + 5 * MIN)
            .await
            .unwrap(),
        None
    );
}

async fn an_expired_claim_returns_to_the_queue(db: &Db) {
    let (store, service) = setup(db).await;
    let r = service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let (seat01, seat02) = (seat(&store, "seat01").await, seat(&store, "seat02").await);
    let lease = service.call_policy().lease_ms();
    let t = service.claim_next_call(&seat01, T0).await.unwrap().unwrap();
    assert_eq!(
        service.claim_next_call(&seat02, T0 + lease).await.unwrap(),
        None
    );
    let retaken = service
        .claim_next_call(&seat02, T0 + lease + 1)
        .await
        .unwrap()
        .expect("the lease ran out");
    assert_eq!(retaken.id, t.id);
    assert_eq!(retaken.claimed_by.as_deref(), Some("seat02"));
    let late = service
        .record_call(
            &seat01,
            t.id,
            None,
            CallResult::Dissuaded,
            None,
            T0 + lease + 2,
        )
        .await
        .unwrap_err();
    assert_eq!(late.code(), ErrorCode::Conflict, "{late}");
    assert_eq!(
        events(&service, &r.instruction_id).await.len(),
        1,
        "the instruction is untouched"
    );
    // seat02 gives it back; it is anyone's again.
    let back = service
        .release_call(&seat02, t.id, T0 + lease + 3)
        .await
        .unwrap();
    assert_eq!(back.state, CallTaskState::Queued);
    assert_eq!(
        service
            .claim_next_call(&seat01, T0 + lease + 4)
            .await
            .unwrap()
            .map(|t| t.id),
        Some(t.id)
    );
}

async fn only_the_operator_holding_a_call_records_it_inside_their_subtree(db: &Db) {
    let (store, service) = setup(db).await;
    service
        .receive(warning(1, WarningLevel::Red), T0)
        .await
        .unwrap();
    let other = service
        .receive(warning(4, WarningLevel::Red), T0 + 1)
        .await
        .unwrap();
    let county_seat = actor(&store, "county_seat", COUNTY).await;
    let t = service
        .claim_next_call(&county_seat, T0 + MIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.unit_code, VILLAGE);
    assert_eq!(
        service
            .claim_next_call(&county_seat, T0 + MIN)
            .await
            .unwrap(),
        None,
        "the other county's call is not theirs"
    );
    let recorded = service
        .record_call(&county_seat, t.id, None, CallResult::NoAnswer, None, T0)
        .await;
    assert!(
        recorded.is_ok(),
        "a county's own seat works its subtree: {recorded:?}"
    );

    let other_task = tasks_of(&store, &other.instruction_id).await[0].clone();
    let e = service
        .record_call(
            &county_seat,
            other_task.id,
            None,
            CallResult::Dissuaded,
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let center = seat(&store, "seat01").await;
    let e = service
        .record_call(
            &center,
            other_task.id,
            None,
            CallResult::Dissuaded,
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "claim first: {e}");
    let held = service
        .claim_next_call(&center, T0 + 2 * MIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.id, other_task.id);
    let stale = service
        .record_call(
            &center,
            held.id,
            Some(held.version - 1),
            CallResult::Dissuaded,
            None,
            T0 + 3 * MIN,
        )
        .await
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict, "{stale}");
    assert_eq!(events(&service, &other.instruction_id).await.len(), 1);
}
