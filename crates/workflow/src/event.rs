//! The immutable events an instruction is made of. The current state is a fold over them
//! ([`crate::Instruction::replay`]); nothing else is stored as truth.

use crate::level::WarningLevel;
use crate::outcome::{Outcome, UnreachableReason};
use crate::sla::{Deadlines, SlaKind};
use crate::ContactChannel;
use serde::{Deserialize, Serialize};

/// One transition: who did what, when, from which unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1-based position in the instruction's history; equals the version after applying it.
    pub seq: u64,
    /// Epoch ms UTC.
    pub at_ms: i64,
    /// Login of the user, or `system` for automatic steps (routing, escalation).
    pub actor: String,
    /// Code of the unit the actor acted for.
    pub unit: String,
    pub note: Option<String>,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Created from a warning for `unit`; with `review`, it waits for the center's 二次研判 first.
    Issued {
        unit: String,
        level: WarningLevel,
        warning_id: String,
        deadlines: Deadlines,
        review: bool,
    },
    /// 二次研判 passed: pushed down to `unit`.
    ReviewApproved { unit: String },
    /// 二次研判 found no fraud: closed as a false alarm.
    ReviewRejected,
    /// 签收
    Signed,
    /// 下发 to a child unit, which must sign in turn.
    Delegated { to_unit: String },
    /// The delegating unit takes the instruction back.
    Recalled,
    /// Handed to one officer or grid worker of the holding unit.
    Assigned { user: String },
    /// First or further contact attempt started.
    ContactStarted { channel: ContactChannel },
    /// An attempt failed; the instruction stays in contact.
    AttemptFailed { reason: UnreachableReason },
    /// 反馈
    OutcomeRecorded { outcome: Outcome, saved_fen: i64 },
    /// Another round after the person could not be reached.
    NewRound,
    /// 办结
    Closed,
    /// Another warning for the same person merged in.
    WarningMerged { warning_id: String },
    /// The merged warning was more urgent; deadlines tightened.
    LevelRaised {
        level: WarningLevel,
        deadlines: Deadlines,
    },
    /// A deadline passed: the parent unit is alerted and the instruction is overdue.
    Escalated { sla: SlaKind, to_unit: String },
}

impl Action {
    /// Stable name, used in errors, the audit log and the API.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Issued { .. } => "issued",
            Action::ReviewApproved { .. } => "review_approved",
            Action::ReviewRejected => "review_rejected",
            Action::Signed => "signed",
            Action::Delegated { .. } => "delegated",
            Action::Recalled => "recalled",
            Action::Assigned { .. } => "assigned",
            Action::ContactStarted { .. } => "contact_started",
            Action::AttemptFailed { .. } => "attempt_failed",
            Action::OutcomeRecorded { .. } => "outcome_recorded",
            Action::NewRound => "new_round",
            Action::Closed => "closed",
            Action::WarningMerged { .. } => "warning_merged",
            Action::LevelRaised { .. } => "level_raised",
            Action::Escalated { .. } => "escalated",
        }
    }
}
