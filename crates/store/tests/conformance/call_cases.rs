//! 96110 call tasks: one open task per instruction and number, the claim order, leases that run
//! out, concurrent claims, results that finish or requeue, cancelling, and scoping.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;
use std::collections::BTreeSet;

const T0: i64 = 1_800_000_000_000;
const MIN: i64 = 60_000;
const LEASE: i64 = 10 * MIN;

async fn instruction(store: &Store, id: &str, owner: &str) {
    store
        .instructions()
        .create(&NewInstruction {
            id: id.into(),
            resident_id: None,
            owner_unit: owner.into(),
            fraud_type: Some("impersonate_police".into()),
            issued_at: T0,
            projection: Projection {
                holder_unit: owner.into(),
                level: 1,
                status: "issued".into(),
                assignee: None,
                next_due_at: None,
                overdue: false,
                open: true,
                saved_fen: 0,
                loss_fen: 0,
                version: 1,
                state: "{}".into(),
            },
            first_event: EventRow {
                seq: 1,
                at: T0,
                actor: "system".into(),
                unit_code: owner.into(),
                action: "issued".into(),
                event: "{}".into(),
            },
        })
        .await
        .unwrap();
}

fn task(instruction: &str, msisdn: &str, level: u8, unit: &str, at: i64) -> NewCallTask {
    NewCallTask {
        instruction_id: instruction.into(),
        warning_id: format!("YJ-{instruction}"),
        resident_id: Some("330281199001010001".into()),
        msisdn: msisdn.into(),
        level,
        fraud_type: Some("impersonate_police".into()),
        unit_code: unit.into(),
        created_at: at,
    }
}

fn call<'a>(
    operator: &'a str,
    result: CallResult,
    note: Option<&'a str>,
    after: AfterCall,
) -> CallRecord<'a> {
    CallRecord {
        operator,
        result,
        note,
        after,
    }
}

const VILLAGE: &str = "330281001001";
const OTHER_VILLAGE: &str = "330282001001";

/// A merged warning about the same phone adds no second open task (it may raise the level);
/// another number, or the same number after the first task is done, is a new task.
pub async fn call_tasks_are_created_once_per_open_instruction_and_number(store: &Store) {
    with_tree(store).await;
    instruction(store, "ZL1", VILLAGE).await;
    let repo = store.call_tasks();
    let (a, created) = repo
        .create(&task("ZL1", "13800000001", 2, VILLAGE, T0))
        .await
        .unwrap();
    assert!(created);
    let (again, created) = repo
        .create(&task("ZL1", "13800000001", 1, VILLAGE, T0 + MIN))
        .await
        .unwrap();
    assert_eq!((again, created), (a, false), "no duplicate open task");
    let t = repo.get(&Scope::platform(), a).await.unwrap();
    assert_eq!(t.level, 1, "the more urgent warning raised the task");
    assert_eq!(t.created_at, T0, "and kept its place in the queue");
    assert_eq!(t.state, CallTaskState::Queued);
    // A less urgent one lowers nothing.
    repo.create(&task("ZL1", "13800000001", 3, VILLAGE, T0 + 2 * MIN))
        .await
        .unwrap();
    assert_eq!(repo.get(&Scope::platform(), a).await.unwrap().level, 1);

    let (b, created) = repo
        .create(&task("ZL1", "13900000002", 2, VILLAGE, T0))
        .await
        .unwrap();
    assert!(created && b != a, "another number is another call");

    // Racing creates of one number leave one open task.
    let racers = (0..6).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .call_tasks()
                .create(&task("ZL1", "13700000003", 1, VILLAGE, T0 + i))
                .await
                .unwrap()
        })
    });
    let results: Vec<(i64, bool)> = futures_join(racers).await;
    let ids: BTreeSet<i64> = results.iter().map(|r| r.0).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| r.1).count(), 1, "{results:?}");

    // Once the task is done, a new warning about the number is a new call.
    let claimed = repo
        .claim(&Scope::platform(), a, "seat01", T0 + 3 * MIN, LEASE)
        .await
        .unwrap();
    repo.finish(
        a,
        claimed.version,
        &call("seat01", CallResult::Insisted, None, AfterCall::Done),
        T0 + 4 * MIN,
    )
    .await
    .unwrap();
    let (c, created) = repo
        .create(&task("ZL1", "13800000001", 1, VILLAGE, T0 + 5 * MIN))
        .await
        .unwrap();
    assert!(created && c != a);

    for bad in [
        task("ZL1", " ", 1, VILLAGE, T0),
        task("ZL1", "1", 4, VILLAGE, T0),
    ] {
        let e = repo.create(&bad).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RecordInvalid, "{e}");
    }
    // A task belongs to an instruction that exists.
    assert!(repo
        .create(&task("ZL-missing", "13800000001", 1, VILLAGE, T0))
        .await
        .is_err());
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

/// The most urgent level first, then the oldest; a held task is not handed out again until
/// its lease runs out, and then it is queued again for everyone.
pub async fn claims_take_the_most_urgent_then_oldest_and_leases_expire(store: &Store) {
    with_tree(store).await;
    for id in ["ZL1", "ZL2", "ZL3"] {
        instruction(store, id, VILLAGE).await;
    }
    let repo = store.call_tasks();
    let (orange_old, _) = repo
        .create(&task("ZL1", "13800000001", 2, VILLAGE, T0))
        .await
        .unwrap();
    let (red_new, _) = repo
        .create(&task("ZL2", "13800000002", 1, VILLAGE, T0 + 2 * MIN))
        .await
        .unwrap();
    let (red_old, _) = repo
        .create(&task("ZL3", "13800000003", 1, VILLAGE, T0 + MIN))
        .await
        .unwrap();
    let all = Scope::platform();
    let now = T0 + 3 * MIN;

    let listed: Vec<i64> = repo
        .list(
            &all,
            &CallTaskFilter::default(),
            &PageRequest::first(10),
            now,
        )
        .await
        .unwrap()
        .items
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, vec![red_old, red_new, orange_old], "queue order");
    // Paging walks the same order.
    let first = repo
        .list(
            &all,
            &CallTaskFilter::default(),
            &PageRequest::first(2),
            now,
        )
        .await
        .unwrap();
    let rest = repo
        .list(
            &all,
            &CallTaskFilter::default(),
            &PageRequest::after(first.next.clone().unwrap(), 2),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![orange_old]
    );
    assert_eq!(rest.next, None);

    let claim = |who: &'static str, at: i64| repo.claim_next(&all, who, at, LEASE);
    let first = claim("seat01", now).await.unwrap().unwrap();
    assert_eq!(first.id, red_old);
    assert_eq!(first.state, CallTaskState::Claimed);
    assert_eq!(first.claimed_by.as_deref(), Some("seat01"));
    assert_eq!(first.lease_until, Some(now + LEASE));
    assert!(first.held_by("seat01", now));
    assert_eq!(claim("seat02", now).await.unwrap().unwrap().id, red_new);
    assert_eq!(claim("seat03", now).await.unwrap().unwrap().id, orange_old);
    assert_eq!(
        claim("seat04", now + LEASE).await.unwrap(),
        None,
        "all held"
    );

    let counts = repo.count_by_state(&all, now + LEASE).await.unwrap();
    assert!(counts.contains(&(CallTaskState::Claimed, 3)), "{counts:?}");
    assert!(counts.contains(&(CallTaskState::Queued, 0)), "{counts:?}");

    // seat01's lease runs out: the task counts as queued and goes to the next claim.
    let expired = now + LEASE + 1;
    let seat01_only = CallTaskFilter {
        claimed_by: Some("seat01".into()),
        ..CallTaskFilter::default()
    };
    assert_eq!(
        repo.list(&all, &seat01_only, &PageRequest::first(10), now)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(repo
        .list(&all, &seat01_only, &PageRequest::first(10), expired)
        .await
        .unwrap()
        .items
        .is_empty());
    let queued = CallTaskFilter {
        state: Some(CallTaskState::Queued),
        ..CallTaskFilter::default()
    };
    let q = repo
        .list(&all, &queued, &PageRequest::first(10), expired)
        .await
        .unwrap();
    assert_eq!(
        q.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![red_old, red_new, orange_old]
    );
    let counts = repo.count_by_state(&all, expired).await.unwrap();
    assert!(counts.contains(&(CallTaskState::Queued, 3)), "{counts:?}");
    let retaken = claim("seat05", expired).await.unwrap().unwrap();
    assert_eq!(retaken.id, red_old);
    assert_eq!(retaken.claimed_by.as_deref(), Some("seat05"));
    // The first operator lost it: recording their call now is a conflict.
    let lost = repo
        .finish(
            red_old,
            first.version,
            &call("seat01", CallResult::NoAnswer, None, AfterCall::Done),
            expired,
        )
        .await
        .unwrap_err();
    assert_eq!(lost.code(), ErrorCode::Conflict, "{lost}");

    // Claiming one task by id: only when it is claimable.
    let e = repo
        .claim(&all, red_old, "seat06", expired, LEASE)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
}

/// Twelve operators claiming at once from five tasks: five get one each, never the same.
pub async fn concurrent_claims_never_share_a_task(store: &Store) {
    with_tree(store).await;
    let mut expected = BTreeSet::new();
    for i in 0..5 {
        let id = format!("ZL{i}");
        instruction(store, &id, VILLAGE).await;
        let (t, _) = store
            .call_tasks()
            .create(&task(&id, &format!("1380000000{i}"), 1, VILLAGE, T0 + i))
            .await
            .unwrap();
        expected.insert(t);
    }
    let claims = (0..12).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .call_tasks()
                .claim_next(&Scope::platform(), &format!("seat{i:02}"), T0 + MIN, LEASE)
                .await
                .unwrap()
        })
    });
    let got: Vec<Option<CallTask>> = futures_join(claims).await;
    let won: Vec<&CallTask> = got.iter().flatten().collect();
    assert_eq!(won.len(), 5, "{got:?}");
    let ids: BTreeSet<i64> = won.iter().map(|t| t.id).collect();
    assert_eq!(ids, expected, "each task to exactly one operator");
    for t in won {
        let stored = store
            .call_tasks()
            .get(&Scope::platform(), t.id)
            .await
            .unwrap();
        assert_eq!(stored.claimed_by, t.claimed_by, "the winner holds it");
        assert_eq!(stored.version, 2, "claimed exactly once");
    }
}

/// A result finishes the task or puts it back for later; only the holder may record one, at
/// the version they saw; release and restore put it back as it was.
pub async fn results_finish_or_requeue_and_only_the_holder_records_them(store: &Store) {
    with_tree(store).await;
    instruction(store, "ZL1", VILLAGE).await;
    let repo = store.call_tasks();
    let all = Scope::platform();
    let (id, _) = repo
        .create(&task("ZL1", "13800000001", 1, VILLAGE, T0))
        .await
        .unwrap();
    let unclaimed = repo
        .finish(
            id,
            1,
            &call("seat01", CallResult::NoAnswer, None, AfterCall::Done),
            T0,
        )
        .await
        .unwrap_err();
    assert_eq!(unclaimed.code(), ErrorCode::Conflict, "{unclaimed}");

    let held = repo.claim(&all, id, "seat01", T0, LEASE).await.unwrap();
    for (who, version) in [("seat02", held.version), ("seat01", held.version - 1)] {
        let e = repo
            .finish(
                id,
                version,
                &call(who, CallResult::NoAnswer, None, AfterCall::Done),
                T0,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict, "{who} v{version}: {e}");
    }
    let retry_at = T0 + 10 * MIN;
    let requeued = repo
        .finish(
            id,
            held.version,
            &call(
                "seat01",
                CallResult::NoAnswer,
                Some("  响铃无人接  "),
                AfterCall::RetryAt(retry_at),
            ),
            T0 + MIN,
        )
        .await
        .unwrap();
    assert_eq!(requeued.state, CallTaskState::Queued);
    assert_eq!(requeued.attempts, 1);
    assert_eq!(requeued.result, Some(CallResult::NoAnswer));
    assert_eq!(requeued.note.as_deref(), Some("响铃无人接"));
    assert_eq!(requeued.due_at, retry_at);
    assert_eq!(
        repo.claim_next(&all, "seat02", retry_at - 1, LEASE)
            .await
            .unwrap(),
        None,
        "not before the retry is due"
    );
    let again = repo
        .claim_next(&all, "seat02", retry_at, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, id);

    // Released: back in the queue, nobody's.
    let released = repo.release(id, "seat02", retry_at + 1).await.unwrap();
    assert_eq!(released.state, CallTaskState::Queued);
    assert_eq!(released.claimed_by, None);
    let e = repo.release(id, "seat02", retry_at + 2).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");

    let held = repo
        .claim(&all, id, "seat03", retry_at + 3, LEASE)
        .await
        .unwrap();
    let done = repo
        .finish(
            id,
            held.version,
            &call("seat03", CallResult::Dissuaded, None, AfterCall::Done),
            retry_at + 4,
        )
        .await
        .unwrap();
    assert_eq!(done.state, CallTaskState::Done);
    assert_eq!(done.attempts, 2);
    assert_eq!(done.result, Some(CallResult::Dissuaded));
    assert_eq!(done.note, None);
    // Undone (the instruction refused the change): exactly as it was, claimed by seat03.
    repo.restore(&held, done.version).await.unwrap();
    let back = repo.get(&all, id).await.unwrap();
    assert_eq!(
        (
            back.state,
            back.claimed_by.as_deref(),
            back.attempts,
            back.result
        ),
        (
            CallTaskState::Claimed,
            Some("seat03"),
            1,
            Some(CallResult::NoAnswer)
        )
    );
    let stale = repo.restore(&held, done.version).await.unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict, "{stale}");
}

/// Cancelling an instruction's calls touches its open tasks only: done ones keep their result
/// and other instructions' tasks stay queued.
pub async fn cancelling_an_instruction_cancels_only_its_open_tasks(store: &Store) {
    with_tree(store).await;
    instruction(store, "ZL1", VILLAGE).await;
    instruction(store, "ZL2", VILLAGE).await;
    let repo = store.call_tasks();
    let all = Scope::platform();
    let (done, _) = repo
        .create(&task("ZL1", "13800000001", 1, VILLAGE, T0))
        .await
        .unwrap();
    let held = repo.claim(&all, done, "seat01", T0, LEASE).await.unwrap();
    repo.finish(
        done,
        held.version,
        &call("seat01", CallResult::EmptyNumber, None, AfterCall::Done),
        T0,
    )
    .await
    .unwrap();
    let (queued, _) = repo
        .create(&task("ZL1", "13800000002", 1, VILLAGE, T0))
        .await
        .unwrap();
    let (claimed, _) = repo
        .create(&task("ZL1", "13800000003", 1, VILLAGE, T0))
        .await
        .unwrap();
    repo.claim(&all, claimed, "seat02", T0, LEASE)
        .await
        .unwrap();
    let (other, _) = repo
        .create(&task("ZL2", "13800000004", 1, VILLAGE, T0))
        .await
        .unwrap();

    assert_eq!(
        repo.cancel_for_instruction("ZL1", "dissuaded", T0 + MIN)
            .await
            .unwrap(),
        2
    );
    let states: Vec<(i64, CallTaskState)> = repo
        .for_instruction(&all, "ZL1")
        .await
        .unwrap()
        .iter()
        .map(|t| (t.id, t.state))
        .collect();
    assert_eq!(
        states,
        vec![
            (done, CallTaskState::Done),
            (queued, CallTaskState::Cancelled),
            (claimed, CallTaskState::Cancelled),
        ]
    );
    let c = repo.get(&all, queued).await.unwrap();
    assert_eq!(c.cancel_reason.as_deref(), Some("dissuaded"));
    assert_eq!(
        repo.get(&all, done).await.unwrap().result,
        Some(CallResult::EmptyNumber)
    );
    assert_eq!(
        repo.get(&all, other).await.unwrap().state,
        CallTaskState::Queued
    );
    let open = CallTaskFilter {
        open_only: true,
        ..CallTaskFilter::default()
    };
    let still_open: Vec<i64> = repo
        .list(&all, &open, &PageRequest::first(10), T0 + MIN)
        .await
        .unwrap()
        .items
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(still_open, vec![other]);
    // The operator holding a cancelled task cannot record on it.
    let e = repo
        .finish(
            claimed,
            2,
            &call("seat02", CallResult::NoAnswer, None, AfterCall::Done),
            T0 + MIN,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert_eq!(
        repo.cancel_for_instruction("ZL1", "closed", T0 + 2 * MIN)
            .await
            .unwrap(),
        0,
        "nothing open is left"
    );
}

/// An outcome that settles instruction `id` at version `expected` (dissuaded, one minute after
/// `T0`), cancelling its open calls with reason `cancel` when given.
fn settling_change(id: &str, expected: i64, cancel: Option<&str>) -> InstructionChange {
    InstructionChange {
        id: id.into(),
        expected_version: expected,
        events: vec![EventRow {
            seq: expected + 1,
            at: T0 + MIN,
            actor: "tester".into(),
            unit_code: VILLAGE.into(),
            action: "outcome_recorded".into(),
            event: "{}".into(),
        }],
        projection: Projection {
            holder_unit: VILLAGE.into(),
            level: 1,
            status: "dissuaded".into(),
            assignee: None,
            next_due_at: None,
            overdue: false,
            open: false,
            saved_fen: 0,
            loss_fen: 0,
            version: expected + 1,
            state: "{}".into(),
        },
        audit: Vec::new(),
        cancel_calls: cancel.map(str::to_string),
    }
}

/// A change committed with `cancel_calls` cancels its instruction's open tasks in the same
/// batch, with its reason and time; a change that loses its race cancels nothing, and a change
/// without it leaves the tasks alone.
pub async fn a_settling_change_cancels_its_open_calls_only_if_it_commits(store: &Store) {
    with_tree(store).await;
    for id in ["ZS1", "ZS2", "ZS3"] {
        instruction(store, id, VILLAGE).await;
    }
    let repo = store.call_tasks();
    let all = Scope::platform();
    let mut ids = Vec::new();
    for (k, id) in ["ZS1", "ZS1", "ZS2", "ZS3"].into_iter().enumerate() {
        let (t, _) = repo
            .create(&task(id, &format!("1380000010{k}"), 1, VILLAGE, T0))
            .await
            .unwrap();
        ids.push(t);
    }
    repo.claim(&all, ids[1], "seat01", T0, LEASE).await.unwrap();
    let results = store
        .instructions()
        .commit_many(&[
            settling_change("ZS1", 1, Some("dissuaded")),
            settling_change("ZS2", 4, Some("dissuaded")),
            settling_change("ZS3", 1, None),
        ])
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(results[1].as_ref().unwrap_err().code(), ErrorCode::Conflict);
    assert!(results[2].is_ok(), "{:?}", results[2]);
    let mut states = Vec::new();
    for &t in &ids {
        let t = repo.get(&all, t).await.unwrap();
        states.push((t.state, t.cancel_reason));
    }
    let cancelled = (CallTaskState::Cancelled, Some("dissuaded".to_string()));
    assert_eq!(
        states,
        vec![
            cancelled.clone(),
            cancelled,
            (CallTaskState::Queued, None),
            (CallTaskState::Queued, None),
        ]
    );
    let t = repo.get(&all, ids[1]).await.unwrap();
    assert_eq!(t.updated_at, T0 + MIN);
    assert_eq!(t.version, 3, "claimed, then cancelled");
}

/// When a batch fails as a whole (here: one change's event collides with an event row the
/// version check did not foresee), each change is committed alone: the good one still cancels
/// its open calls, with its reason and time, and the failing one cancels nothing.
pub async fn a_settling_change_cancels_its_open_calls_when_committed_alone(store: &Store) {
    with_tree(store).await;
    for id in ["ZF1", "ZF2"] {
        instruction(store, id, VILLAGE).await;
    }
    let repo = store.call_tasks();
    let all = Scope::platform();
    let mut ids = Vec::new();
    for (k, id) in ["ZF1", "ZF2"].into_iter().enumerate() {
        let (t, _) = repo
            .create(&task(id, &format!("1380000020{k}"), 1, VILLAGE, T0))
            .await
            .unwrap();
        ids.push(t);
    }
    // A stray event 2 of ZF2 while its projection still says version 1.
    sqlx::query(
        "INSERT INTO instruction_events (instruction_id, seq, at, actor, unit_code, action, event) \
         VALUES ('ZF2', 2, 0, 'x', 'x', 'x', '{}')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let results = store
        .instructions()
        .commit_many(&[
            settling_change("ZF1", 1, Some("dissuaded")),
            settling_change("ZF2", 1, Some("dissuaded")),
        ])
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(results[1].is_err(), "the colliding change fails");
    let first = repo.get(&all, ids[0]).await.unwrap();
    assert_eq!(
        (
            first.state,
            first.cancel_reason.as_deref(),
            first.updated_at
        ),
        (CallTaskState::Cancelled, Some("dissuaded"), T0 + MIN)
    );
    let second = repo.get(&all, ids[1]).await.unwrap();
    assert_eq!(
        second.state,
        CallTaskState::Queued,
        "its change did not commit"
    );
}

/// A task is seen, counted and claimed only inside the subtree of the person's unit.
pub async fn call_tasks_are_scoped_by_the_residence_unit(store: &Store) {
    with_tree(store).await;
    instruction(store, "ZL1", VILLAGE).await;
    instruction(store, "ZL2", OTHER_VILLAGE).await;
    let repo = store.call_tasks();
    let (mine, _) = repo
        .create(&task("ZL1", "13800000001", 2, VILLAGE, T0))
        .await
        .unwrap();
    let (theirs, _) = repo
        .create(&task("ZL2", "13800000002", 1, OTHER_VILLAGE, T0))
        .await
        .unwrap();
    let county = store.units().scope("330281").await.unwrap();
    assert_eq!(repo.get(&county, mine).await.unwrap().id, mine);
    let e = repo.get(&county, theirs).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let listed = repo
        .list(
            &county,
            &CallTaskFilter::default(),
            &PageRequest::first(10),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![mine]
    );
    let counts = repo.count_by_state(&county, T0).await.unwrap();
    assert!(counts.contains(&(CallTaskState::Queued, 1)), "{counts:?}");
    assert!(repo
        .for_instruction(&county, "ZL2")
        .await
        .unwrap()
        .is_empty());
    // The other county's red task is more urgent, but not this seat's to take.
    let got = repo
        .claim_next(&county, "seat01", T0, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.id, mine);
    assert_eq!(
        repo.claim_next(&county, "seat02", T0, LEASE).await.unwrap(),
        None
    );
    let e = repo
        .claim(&county, theirs, "seat02", T0, LEASE)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
}

/// Every recorded call is an attempt, counted by period, scope, result and seat; a refused
/// result adds none and an undone one is taken back.
pub async fn call_figures_count_every_attempt_per_seat_and_scope(store: &Store) {
    with_tree(store).await;
    instruction(store, "ZL1", VILLAGE).await;
    instruction(store, "ZL2", OTHER_VILLAGE).await;
    let repo = store.call_tasks();
    let all = Scope::platform();
    let (a, _) = repo
        .create(&task("ZL1", "13800000001", 1, VILLAGE, T0))
        .await
        .unwrap();
    let (b, _) = repo
        .create(&task("ZL2", "13800000002", 1, OTHER_VILLAGE, T0))
        .await
        .unwrap();
    // a: no answer (requeued), then dissuaded by another seat.
    let held = repo.claim(&all, a, "seat01", T0, LEASE).await.unwrap();
    repo.finish(
        a,
        held.version,
        &call(
            "seat01",
            CallResult::NoAnswer,
            None,
            AfterCall::RetryAt(T0 + MIN),
        ),
        T0 + MIN,
    )
    .await
    .unwrap();
    let held = repo
        .claim(&all, a, "seat02", T0 + MIN, LEASE)
        .await
        .unwrap();
    // A stale version records nothing.
    assert!(repo
        .finish(
            a,
            held.version - 1,
            &call("seat02", CallResult::Dissuaded, None, AfterCall::Done),
            T0 + 2 * MIN,
        )
        .await
        .is_err());
    repo.finish(
        a,
        held.version,
        &call("seat02", CallResult::Dissuaded, None, AfterCall::Done),
        T0 + 2 * MIN,
    )
    .await
    .unwrap();
    // b: switched off, then a second call undone (its instruction refused the change).
    let held = repo.claim(&all, b, "seat01", T0, LEASE).await.unwrap();
    let first = repo
        .finish(
            b,
            held.version,
            &call(
                "seat01",
                CallResult::SwitchedOff,
                None,
                AfterCall::RetryAt(T0),
            ),
            T0 + 3 * MIN,
        )
        .await
        .unwrap();
    let held = repo
        .claim(&all, b, "seat01", T0 + 3 * MIN, LEASE)
        .await
        .unwrap();
    let undone = repo
        .finish(
            b,
            held.version,
            &call("seat01", CallResult::Insisted, None, AfterCall::Done),
            T0 + 4 * MIN,
        )
        .await
        .unwrap();
    repo.restore(&held, undone.version).await.unwrap();
    assert_eq!(first.attempts, 1);

    let hour = 60 * MIN;
    let f = repo.call_figures(&all, T0, T0 + hour).await.unwrap();
    // Both tasks call the same resident (on two numbers): one person called.
    assert_eq!(
        (f.all.calls, f.all.connected, f.all.dissuaded, f.people),
        (3, 1, 1, 1)
    );
    assert_eq!(f.all.of(CallResult::NoAnswer), 1);
    assert_eq!(f.all.of(CallResult::SwitchedOff), 1);
    assert_eq!(f.all.of(CallResult::Insisted), 0, "the undone call is gone");
    assert_eq!(f.all.connect_rate(), Some(1.0 / 3.0));
    assert_eq!(f.by_operator["seat01"].calls, 2);
    assert_eq!(f.by_operator["seat02"].dissuaded, 1);
    // 余姚 holds task a only; a later period holds nothing.
    let yuyao = store.units().scope("330281").await.unwrap();
    let f = repo.call_figures(&yuyao, T0, T0 + hour).await.unwrap();
    assert_eq!((f.all.calls, f.people), (2, 1));
    let later = repo
        .call_figures(&all, T0 + hour, T0 + 2 * hour)
        .await
        .unwrap();
    assert_eq!(later, CallFigures::default());
}
