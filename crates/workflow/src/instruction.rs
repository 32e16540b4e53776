//! An instruction's current state, derived from its events, and the rules for what may happen
//! next. `decide` checks a proposed action against the state and returns the event to persist;
//! `apply` folds a persisted event in. Both use the same transition check, so a replay of stored
//! events always reproduces the stored state.

use crate::event::{Action, Event};
use crate::level::WarningLevel;
use crate::outcome::Outcome;
use crate::sla::{Deadlines, SlaKind};
use fanzha_core::error_code::{Coded, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the center's 二次研判.
    PendingReview,
    /// 已下发, not yet signed by the holding unit.
    Issued,
    /// 已签收
    Signed,
    /// 劝阻中
    Contacting,
    /// Outcome recorded (see [`Instruction::outcome`]), not yet closed.
    Resolved,
    /// 已办结
    Closed,
}

impl Status {
    pub fn zh(self) -> &'static str {
        match self {
            Status::PendingReview => "待研判",
            Status::Issued => "待签收",
            Status::Signed => "已签收",
            Status::Contacting => "劝阻中",
            Status::Resolved => "已反馈",
            Status::Closed => "已办结",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("instruction is {status:?}; `{action}` is not allowed now")]
    Illegal {
        status: Status,
        action: &'static str,
    },
    #[error("the first event of an instruction must be `issued`")]
    NotIssued,
    #[error("instruction changed meanwhile (expected version {expected}, found {actual})")]
    VersionConflict { expected: u64, actual: u64 },
    #[error("deadline {0:?} was already escalated")]
    AlreadyEscalated(SlaKind),
    #[error("no unit to recall to: the instruction was never delegated")]
    NothingToRecall,
    #[error("event sequence {found} does not follow version {version}")]
    OutOfSequence { version: u64, found: u64 },
    #[error("a level raise must be more urgent than {0:?}")]
    NotARaise(WarningLevel),
    #[error("amounts must not be negative")]
    NegativeAmount,
}

impl Coded for TransitionError {
    fn code(&self) -> ErrorCode {
        match self {
            TransitionError::VersionConflict { .. } | TransitionError::OutOfSequence { .. } => {
                ErrorCode::Conflict
            }
            _ => ErrorCode::InstructionIllegalTransition,
        }
    }
}

/// The state of one instruction, as derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    pub status: Status,
    pub level: WarningLevel,
    /// The unit that must act now.
    pub holder_unit: String,
    /// Units it was delegated from, outermost first (for recall).
    pub delegated_from: Vec<String>,
    pub assignee: Option<String>,
    pub warning_ids: Vec<String>,
    pub deadlines: Deadlines,
    pub issued_at: i64,
    pub first_signed_at: Option<i64>,
    pub first_contact_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub outcome: Option<Outcome>,
    pub saved_fen: i64,
    /// Contact rounds (1 at the first; +1 with each new round after the person was unreachable).
    pub round: u32,
    /// Failed attempts in the current round.
    pub failed_attempts: u32,
    /// Deadlines already escalated (each at most once).
    pub escalated: Vec<SlaKind>,
    /// Number of events applied; the optimistic-concurrency token.
    pub version: u64,
}

impl Instruction {
    /// Rebuilds the state from stored events, checking every transition.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Instruction, TransitionError> {
        let mut iter = events.into_iter();
        let first = iter.next().ok_or(TransitionError::NotIssued)?;
        let mut inst = Instruction::from_issued(first)?;
        for e in iter {
            inst.apply(e)?;
        }
        Ok(inst)
    }

    fn from_issued(e: &Event) -> Result<Instruction, TransitionError> {
        let Action::Issued {
            unit,
            level,
            warning_id,
            deadlines,
            review,
        } = &e.action
        else {
            return Err(TransitionError::NotIssued);
        };
        if e.seq != 1 {
            return Err(TransitionError::OutOfSequence {
                version: 0,
                found: e.seq,
            });
        }
        Ok(Instruction {
            status: if *review {
                Status::PendingReview
            } else {
                Status::Issued
            },
            level: *level,
            holder_unit: unit.clone(),
            delegated_from: Vec::new(),
            assignee: None,
            warning_ids: vec![warning_id.clone()],
            deadlines: *deadlines,
            issued_at: e.at_ms,
            first_signed_at: None,
            first_contact_at: None,
            resolved_at: None,
            closed_at: None,
            outcome: None,
            saved_fen: 0,
            round: 1,
            failed_attempts: 0,
            escalated: Vec::new(),
            version: 1,
        })
    }

    /// Checks `action` against the current state and returns the event to persist
    /// (with `seq = version + 1`). `expected_version` is what the caller last saw.
    pub fn decide(
        &self,
        expected_version: u64,
        at_ms: i64,
        actor: &str,
        unit: &str,
        note: Option<String>,
        action: Action,
    ) -> Result<Event, TransitionError> {
        if expected_version != self.version {
            return Err(TransitionError::VersionConflict {
                expected: expected_version,
                actual: self.version,
            });
        }
        self.check(&action)?;
        Ok(Event {
            seq: self.version + 1,
            at_ms,
            actor: actor.to_string(),
            unit: unit.to_string(),
            note,
            action,
        })
    }

    /// Folds a persisted event into the state.
    pub fn apply(&mut self, e: &Event) -> Result<(), TransitionError> {
        if e.seq != self.version + 1 {
            return Err(TransitionError::OutOfSequence {
                version: self.version,
                found: e.seq,
            });
        }
        self.check(&e.action)?;
        let t = e.at_ms;
        match &e.action {
            // `check` rejects a second `Issued`; kept explicit so the match stays exhaustive.
            Action::Issued { .. } => return Err(TransitionError::NotIssued),
            Action::ReviewApproved { unit } => {
                self.holder_unit = unit.clone();
                self.status = Status::Issued;
            }
            Action::ReviewRejected => {
                self.outcome = Some(Outcome::FalseAlarm);
                self.resolved_at = Some(t);
                self.closed_at = Some(t);
                self.status = Status::Closed;
            }
            Action::Signed => {
                self.first_signed_at.get_or_insert(t);
                self.status = Status::Signed;
            }
            Action::Delegated { to_unit } => {
                self.delegated_from
                    .push(std::mem::replace(&mut self.holder_unit, to_unit.clone()));
                self.assignee = None;
                self.status = Status::Issued;
            }
            Action::Recalled => {
                if let Some(prev) = self.delegated_from.pop() {
                    self.holder_unit = prev;
                }
                self.assignee = None;
                self.status = Status::Signed;
            }
            Action::Assigned { user } => self.assignee = Some(user.clone()),
            Action::ContactStarted { .. } => {
                self.first_contact_at.get_or_insert(t);
                self.first_signed_at.get_or_insert(t);
                self.status = Status::Contacting;
            }
            Action::AttemptFailed { .. } => self.failed_attempts += 1,
            Action::OutcomeRecorded { outcome, saved_fen } => {
                self.first_contact_at.get_or_insert(t);
                self.first_signed_at.get_or_insert(t);
                self.outcome = Some(*outcome);
                self.saved_fen = *saved_fen;
                self.resolved_at = Some(t);
                self.status = Status::Resolved;
            }
            Action::NewRound => {
                self.round += 1;
                self.failed_attempts = 0;
                self.outcome = None;
                self.resolved_at = None;
                self.status = Status::Contacting;
            }
            Action::Closed => {
                self.closed_at = Some(t);
                self.status = Status::Closed;
            }
            Action::WarningMerged { warning_id } => self.warning_ids.push(warning_id.clone()),
            Action::LevelRaised { level, deadlines } => {
                self.level = *level;
                self.deadlines = self.deadlines.tightened(*deadlines);
            }
            Action::Escalated { sla, .. } => self.escalated.push(*sla),
        }
        self.version = e.seq;
        Ok(())
    }

    fn check(&self, action: &Action) -> Result<(), TransitionError> {
        use Status::*;
        let illegal = || TransitionError::Illegal {
            status: self.status,
            action: action.name(),
        };
        let ok = match action {
            Action::Issued { .. } => false,
            Action::ReviewApproved { .. } | Action::ReviewRejected => self.status == PendingReview,
            Action::Signed => self.status == Issued,
            Action::Delegated { .. } => matches!(self.status, Issued | Signed),
            Action::Recalled => {
                if self.delegated_from.is_empty() {
                    return Err(TransitionError::NothingToRecall);
                }
                matches!(self.status, Issued | Signed | Contacting)
            }
            Action::Assigned { .. } => matches!(self.status, Signed | Contacting),
            Action::ContactStarted { .. } => matches!(self.status, Signed | Contacting),
            Action::AttemptFailed { .. } => self.status == Contacting,
            Action::OutcomeRecorded { saved_fen, outcome } => {
                if *saved_fen < 0
                    || matches!(outcome, Outcome::Defrauded { loss_fen } if *loss_fen < 0)
                {
                    return Err(TransitionError::NegativeAmount);
                }
                matches!(self.status, Signed | Contacting)
            }
            Action::NewRound => {
                self.status == Resolved && matches!(self.outcome, Some(Outcome::Unreachable { .. }))
            }
            Action::Closed => self.status == Resolved,
            Action::WarningMerged { .. } => self.status != Closed,
            Action::LevelRaised { level, .. } => {
                if !level.more_urgent_than(self.level) {
                    return Err(TransitionError::NotARaise(self.level));
                }
                self.status != Closed
            }
            Action::Escalated { sla, .. } => {
                if self.escalated.contains(sla) {
                    return Err(TransitionError::AlreadyEscalated(*sla));
                }
                self.status != Closed
            }
        };
        if ok {
            Ok(())
        } else {
            Err(illegal())
        }
    }

    /// Deadlines that have passed at `now_ms`, are not met, and were not escalated yet.
    /// Escalating each returned kind once (an `Escalated` event) makes the check idempotent,
    /// so a restart escalates every breach exactly once.
    pub fn due_escalations(&self, now_ms: i64) -> Vec<SlaKind> {
        if self.status == Status::Closed {
            return Vec::new();
        }
        SlaKind::ALL
            .into_iter()
            .filter(|k| !self.escalated.contains(k))
            .filter(|k| now_ms > self.deadlines.of(*k))
            .filter(|k| match k {
                SlaKind::Sign => self.first_signed_at.is_none(),
                SlaKind::FirstContact => self.first_contact_at.is_none(),
                SlaKind::Close => self.closed_at.is_none(),
            })
            .collect()
    }

    /// Overdue: a deadline was escalated and the instruction is still open.
    pub fn is_overdue(&self) -> bool {
        self.status != Status::Closed && !self.escalated.is_empty()
    }

    /// Whether the step `kind` was done within its deadline (None while it is not done yet).
    pub fn met(&self, kind: SlaKind) -> Option<bool> {
        let done = match kind {
            SlaKind::Sign => self.first_signed_at,
            SlaKind::FirstContact => self.first_contact_at,
            SlaKind::Close => self.closed_at,
        }?;
        Some(done <= self.deadlines.of(kind))
    }

    /// The status as the field names it: an outcome replaces `resolved`.
    pub fn status_code(&self) -> &'static str {
        match (self.status, &self.outcome) {
            (Status::Resolved, Some(o)) => match o {
                Outcome::Dissuaded { .. } | Outcome::SelfAware => "dissuaded",
                Outcome::Defrauded { .. } => "defrauded",
                Outcome::Unreachable { .. } => "unreachable",
                Outcome::FalseAlarm => "false_alarm",
            },
            (Status::PendingReview, _) => "pending_review",
            (Status::Issued, _) => "issued",
            (Status::Signed, _) => "signed",
            (Status::Contacting, _) => "contacting",
            (Status::Resolved, None) => "resolved",
            (Status::Closed, _) => "closed",
        }
    }
}
