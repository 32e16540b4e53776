//! The closed loop's state machine as a specification: legal paths, rejected ones, SLA escalation
//! with a controlled clock, and properties over random action sequences.

use fanzha_workflow::*;
use proptest::prelude::*;

const MIN: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;

fn issued(level: WarningLevel, review: bool) -> Event {
    Event {
        seq: 1,
        at_ms: T0,
        actor: "system".into(),
        unit: "3302".into(),
        note: None,
        action: Action::Issued {
            unit: "330281".into(),
            level,
            warning_id: "w1".into(),
            deadlines: SlaPolicy::default().deadlines(level, T0),
            review,
        },
    }
}

/// Decides and applies; returns the event like a repository would after persisting it.
fn act(
    inst: &mut Instruction,
    log: &mut Vec<Event>,
    at_ms: i64,
    action: Action,
) -> Result<(), TransitionError> {
    let e = inst.decide(
        inst.version,
        at_ms,
        "officer",
        &inst.holder_unit.clone(),
        None,
        action,
    )?;
    inst.apply(&e)?;
    log.push(e);
    Ok(())
}

#[test]
fn the_happy_path_runs_issue_to_close_and_meets_every_deadline() {
    let mut log = vec![issued(WarningLevel::Red, false)];
    let mut inst = Instruction::replay(&log).unwrap();
    act(&mut inst, &mut log, T0 + MIN, Action::Signed).unwrap();
    act(
        &mut inst,
        &mut log,
        T0 + 2 * MIN,
        Action::Delegated {
            to_unit: "330281001".into(),
        },
    )
    .unwrap();
    assert_eq!(inst.status, Status::Issued);
    act(&mut inst, &mut log, T0 + 3 * MIN, Action::Signed).unwrap();
    act(
        &mut inst,
        &mut log,
        T0 + 4 * MIN,
        Action::ContactStarted {
            channel: ContactChannel::Phone,
        },
    )
    .unwrap();
    let outcome = Outcome::Dissuaded {
        channel: ContactChannel::Phone,
    };
    act(
        &mut inst,
        &mut log,
        T0 + 9 * MIN,
        Action::OutcomeRecorded {
            outcome,
            saved_fen: 5_000_000,
        },
    )
    .unwrap();
    assert_eq!(inst.status_code(), "dissuaded");
    act(&mut inst, &mut log, T0 + 10 * MIN, Action::Closed).unwrap();
    assert_eq!(inst.status, Status::Closed);
    assert_eq!(inst.holder_unit, "330281001");
    for k in SlaKind::ALL {
        assert_eq!(inst.met(k), Some(true), "{k:?}");
    }
    assert_eq!(Instruction::replay(&log).unwrap(), inst);
}

#[test]
fn a_stale_version_is_a_conflict_not_an_overwrite() {
    let log = vec![issued(WarningLevel::Red, false)];
    let inst = Instruction::replay(&log).unwrap();
    let first = inst
        .decide(1, T0, "a", "330281", None, Action::Signed)
        .unwrap();
    let mut after = inst.clone();
    after.apply(&first).unwrap();
    let second = after.decide(1, T0, "b", "330281", None, Action::Signed);
    assert_eq!(
        second,
        Err(TransitionError::VersionConflict {
            expected: 1,
            actual: 2
        })
    );
    // The same stale event cannot be applied twice either.
    assert!(matches!(
        after.apply(&first),
        Err(TransitionError::OutOfSequence { .. })
    ));
}

#[test]
fn an_outcome_cannot_be_recorded_before_signing() {
    let inst = Instruction::replay(&[issued(WarningLevel::Orange, false)]).unwrap();
    let r = inst.decide(
        1,
        T0,
        "a",
        "330281",
        None,
        Action::OutcomeRecorded {
            outcome: Outcome::FalseAlarm,
            saved_fen: 0,
        },
    );
    assert!(matches!(
        r,
        Err(TransitionError::Illegal {
            status: Status::Issued,
            ..
        })
    ));
}

#[test]
fn review_holds_the_instruction_at_the_center_until_approved() {
    let mut log = vec![issued(WarningLevel::Yellow, true)];
    let mut inst = Instruction::replay(&log).unwrap();
    assert_eq!(inst.status, Status::PendingReview);
    assert!(act(&mut inst, &mut log, T0, Action::Signed).is_err());
    act(
        &mut inst,
        &mut log,
        T0 + MIN,
        Action::ReviewApproved {
            unit: "330281001".into(),
        },
    )
    .unwrap();
    assert_eq!(
        (inst.status, inst.holder_unit.as_str()),
        (Status::Issued, "330281001")
    );
}

#[test]
fn an_unreachable_person_gets_another_round() {
    let mut log = vec![issued(WarningLevel::Red, false)];
    let mut inst = Instruction::replay(&log).unwrap();
    act(&mut inst, &mut log, T0, Action::Signed).unwrap();
    act(
        &mut inst,
        &mut log,
        T0,
        Action::ContactStarted {
            channel: ContactChannel::Phone,
        },
    )
    .unwrap();
    act(
        &mut inst,
        &mut log,
        T0,
        Action::AttemptFailed {
            reason: UnreachableReason::NoAnswer,
        },
    )
    .unwrap();
    let outcome = Outcome::Unreachable {
        reason: UnreachableReason::NoAnswer,
        attempts: 3,
    };
    act(
        &mut inst,
        &mut log,
        T0,
        Action::OutcomeRecorded {
            outcome,
            saved_fen: 0,
        },
    )
    .unwrap();
    act(&mut inst, &mut log, T0, Action::NewRound).unwrap();
    assert_eq!(
        (inst.round, inst.failed_attempts, inst.status),
        (2, 0, Status::Contacting)
    );
    act(
        &mut inst,
        &mut log,
        T0,
        Action::OutcomeRecorded {
            outcome: Outcome::SelfAware,
            saved_fen: 0,
        },
    )
    .unwrap();
    assert!(
        act(&mut inst, &mut log, T0, Action::NewRound).is_err(),
        "a new round only follows unreachable"
    );
}

#[test]
fn recall_returns_the_instruction_to_the_delegating_unit() {
    let mut log = vec![issued(WarningLevel::Red, false)];
    let mut inst = Instruction::replay(&log).unwrap();
    assert_eq!(
        act(&mut inst, &mut log, T0, Action::Recalled),
        Err(TransitionError::NothingToRecall)
    );
    act(&mut inst, &mut log, T0, Action::Signed).unwrap();
    act(
        &mut inst,
        &mut log,
        T0,
        Action::Delegated {
            to_unit: "330281001".into(),
        },
    )
    .unwrap();
    act(&mut inst, &mut log, T0, Action::Recalled).unwrap();
    assert_eq!(
        (inst.holder_unit.as_str(), inst.status),
        ("330281", Status::Signed)
    );
}

#[test]
fn deadlines_escalate_once_each_under_a_controlled_clock() {
    let mut log = vec![issued(WarningLevel::Red, false)];
    let mut inst = Instruction::replay(&log).unwrap();
    assert!(
        inst.due_escalations(T0 + 5 * MIN).is_empty(),
        "exactly at the deadline is still in time"
    );
    assert_eq!(inst.due_escalations(T0 + 5 * MIN + 1), vec![SlaKind::Sign]);
    act(
        &mut inst,
        &mut log,
        T0 + 6 * MIN,
        Action::Escalated {
            sla: SlaKind::Sign,
            to_unit: "3302".into(),
        },
    )
    .unwrap();
    assert!(inst.is_overdue());
    assert!(inst.due_escalations(T0 + 6 * MIN).is_empty());
    assert_eq!(
        act(
            &mut inst,
            &mut log,
            T0 + 7 * MIN,
            Action::Escalated {
                sla: SlaKind::Sign,
                to_unit: "3302".into()
            }
        ),
        Err(TransitionError::AlreadyEscalated(SlaKind::Sign))
    );
    // After a restart (replay), the same breach is not escalated again; later ones are.
    let restarted = Instruction::replay(&log).unwrap();
    assert_eq!(
        restarted.due_escalations(T0 + 16 * MIN),
        vec![SlaKind::FirstContact]
    );
    assert_eq!(
        restarted.due_escalations(T0 + 121 * MIN),
        vec![SlaKind::FirstContact, SlaKind::Close]
    );
}

#[test]
fn a_merged_red_warning_raises_the_level_and_tightens_deadlines() {
    let mut log = vec![issued(WarningLevel::Yellow, false)];
    let mut inst = Instruction::replay(&log).unwrap();
    let raised_at = T0 + 60 * MIN;
    let deadlines = SlaPolicy::default().deadlines(WarningLevel::Red, raised_at);
    act(
        &mut inst,
        &mut log,
        raised_at,
        Action::WarningMerged {
            warning_id: "w2".into(),
        },
    )
    .unwrap();
    act(
        &mut inst,
        &mut log,
        raised_at,
        Action::LevelRaised {
            level: WarningLevel::Red,
            deadlines,
        },
    )
    .unwrap();
    assert_eq!(inst.level, WarningLevel::Red);
    assert_eq!(inst.deadlines.sign_by, raised_at + 5 * MIN);
    assert_eq!(inst.warning_ids, vec!["w1".to_string(), "w2".to_string()]);
    let lower = Action::LevelRaised {
        level: WarningLevel::Orange,
        deadlines,
    };
    assert_eq!(
        act(&mut inst, &mut log, raised_at, lower),
        Err(TransitionError::NotARaise(WarningLevel::Red))
    );
}

fn any_action() -> impl Strategy<Value = Action> {
    let channel = prop_oneof![
        Just(ContactChannel::Phone),
        Just(ContactChannel::Visit),
        Just(ContactChannel::Relatives),
        Just(ContactChannel::Sms)
    ];
    let reason = prop_oneof![
        Just(UnreachableReason::EmptyNumber),
        Just(UnreachableReason::SwitchedOff),
        Just(UnreachableReason::Refused),
        Just(UnreachableReason::NoAnswer)
    ];
    let level = prop_oneof![
        Just(WarningLevel::Red),
        Just(WarningLevel::Orange),
        Just(WarningLevel::Yellow)
    ];
    let sla = prop_oneof![
        Just(SlaKind::Sign),
        Just(SlaKind::FirstContact),
        Just(SlaKind::Close)
    ];
    let outcome = prop_oneof![
        channel
            .clone()
            .prop_map(|channel| Outcome::Dissuaded { channel }),
        Just(Outcome::SelfAware),
        (-5i64..1_000_000).prop_map(|loss_fen| Outcome::Defrauded { loss_fen }),
        (reason.clone(), 1u32..5)
            .prop_map(|(reason, attempts)| Outcome::Unreachable { reason, attempts }),
        Just(Outcome::FalseAlarm),
    ];
    prop_oneof![
        Just(Action::ReviewApproved {
            unit: "330281001".into()
        }),
        Just(Action::ReviewRejected),
        Just(Action::Signed),
        Just(Action::Delegated {
            to_unit: "330281001001".into()
        }),
        Just(Action::Recalled),
        Just(Action::Assigned {
            user: "grid1".into()
        }),
        channel.prop_map(|channel| Action::ContactStarted { channel }),
        reason.prop_map(|reason| Action::AttemptFailed { reason }),
        (outcome, -5i64..100_000)
            .prop_map(|(outcome, saved_fen)| Action::OutcomeRecorded { outcome, saved_fen }),
        Just(Action::NewRound),
        Just(Action::Closed),
        Just(Action::WarningMerged {
            warning_id: "w9".into()
        }),
        level.prop_map(|level| Action::LevelRaised {
            level,
            deadlines: SlaPolicy::default().deadlines(level, T0)
        }),
        sla.prop_map(|sla| Action::Escalated {
            sla,
            to_unit: "3302".into()
        }),
    ]
}

proptest! {
    /// Whatever officers try, in whatever order, accepted actions leave a legal state, and a
    /// replay of the accepted events reproduces it exactly.
    #[test]
    fn random_actions_never_reach_an_illegal_state(
        review in any::<bool>(),
        actions in proptest::collection::vec((any_action(), 0i64..600), 0..60),
    ) {
        let mut log = vec![issued(WarningLevel::Yellow, review)];
        let mut inst = Instruction::replay(&log).unwrap();
        let mut now = T0;
        for (action, dt) in actions {
            now += dt * 1000;
            let _ = act(&mut inst, &mut log, now, action);
            // invariants of a legal state
            prop_assert_eq!(inst.version as usize, log.len());
            prop_assert_eq!(inst.outcome.is_some(), matches!(inst.status, Status::Resolved | Status::Closed) && inst.resolved_at.is_some());
            prop_assert!(inst.saved_fen >= 0);
            if let Some(Outcome::Defrauded { loss_fen }) = inst.outcome { prop_assert!(loss_fen >= 0); }
            if inst.status == Status::Closed { prop_assert!(inst.closed_at.is_some()); }
            if matches!(inst.status, Status::Contacting | Status::Resolved) { prop_assert!(inst.first_signed_at.is_some() || inst.first_contact_at.is_some()); }
            let mut kinds = inst.escalated.clone();
            kinds.sort();
            kinds.dedup();
            prop_assert_eq!(kinds.len(), inst.escalated.len(), "each deadline escalates at most once");
            prop_assert!(inst.round >= 1);
        }
        prop_assert_eq!(Instruction::replay(&log).unwrap(), inst);
    }
}
