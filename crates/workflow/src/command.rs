//! What an officer may ask of an instruction (the API's request bodies). System-only steps —
//! issuing, merging, raising, escalating — are not commands: nobody can forge them.

use crate::event::Action;
use crate::outcome::{ContactChannel, Outcome, UnreachableReason};
use crate::service::Actor;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// 签收
    Sign,
    /// 下发 to a unit below the holder.
    Delegate { to_unit: String },
    /// Take back from the unit it was pushed down to.
    Recall,
    /// Hand to one officer or grid worker.
    Assign { user: String },
    /// Start (another) contact attempt.
    StartContact { channel: ContactChannel },
    /// An attempt failed.
    AttemptFailed { reason: UnreachableReason },
    /// 反馈: the outcome, with the amount saved in fen.
    RecordOutcome {
        outcome: Outcome,
        #[serde(default)]
        saved_fen: i64,
    },
    /// Another round after the person could not be reached.
    NewRound,
    /// 办结
    Close,
    /// 二次研判 passed; push to `to_unit` (default: where it is held).
    ApproveReview {
        #[serde(default)]
        to_unit: Option<String>,
    },
    /// 二次研判: not fraud.
    RejectReview,
}

impl Command {
    /// Stable name, as in the API and the audit log.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sign => "sign",
            Command::Delegate { .. } => "delegate",
            Command::Recall => "recall",
            Command::Assign { .. } => "assign",
            Command::StartContact { .. } => "start_contact",
            Command::AttemptFailed { .. } => "attempt_failed",
            Command::RecordOutcome { .. } => "record_outcome",
            Command::NewRound => "new_round",
            Command::Close => "close",
            Command::ApproveReview { .. } => "approve_review",
            Command::RejectReview => "reject_review",
        }
    }

    /// The action for commands that need no check beyond the state machine's.
    pub(crate) fn to_action(&self, _actor: &Actor) -> Action {
        match self {
            Command::Sign => Action::Signed,
            Command::Delegate { to_unit } => Action::Delegated {
                to_unit: to_unit.clone(),
            },
            Command::Recall => Action::Recalled,
            Command::Assign { user } => Action::Assigned { user: user.clone() },
            Command::StartContact { channel } => Action::ContactStarted { channel: *channel },
            Command::AttemptFailed { reason } => Action::AttemptFailed { reason: *reason },
            Command::RecordOutcome { outcome, saved_fen } => Action::OutcomeRecorded {
                outcome: *outcome,
                saved_fen: *saved_fen,
            },
            Command::NewRound => Action::NewRound,
            Command::Close => Action::Closed,
            Command::ApproveReview { to_unit } => Action::ReviewApproved {
                unit: to_unit.clone().unwrap_or_default(),
            },
            Command::RejectReview => Action::ReviewRejected,
        }
    }

    /// The outcome codes a grid worker taps, as commands (`dissuaded_phone`, …).
    pub fn from_outcome_code(code: &str) -> Option<Command> {
        let outcome = match code {
            "dissuaded_phone" => Outcome::Dissuaded {
                channel: ContactChannel::Phone,
            },
            "dissuaded_visit" => Outcome::Dissuaded {
                channel: ContactChannel::Visit,
            },
            "dissuaded_relatives" => Outcome::Dissuaded {
                channel: ContactChannel::Relatives,
            },
            "dissuaded_sms" => Outcome::Dissuaded {
                channel: ContactChannel::Sms,
            },
            "self_aware" => Outcome::SelfAware,
            "false_alarm" => Outcome::FalseAlarm,
            "unreachable_empty_number" => Outcome::Unreachable {
                reason: UnreachableReason::EmptyNumber,
                attempts: 1,
            },
            "unreachable_switched_off" => Outcome::Unreachable {
                reason: UnreachableReason::SwitchedOff,
                attempts: 1,
            },
            "unreachable_refused" => Outcome::Unreachable {
                reason: UnreachableReason::Refused,
                attempts: 1,
            },
            "unreachable_no_answer" => Outcome::Unreachable {
                reason: UnreachableReason::NoAnswer,
                attempts: 1,
            },
            _ => return None,
        };
        Some(Command::RecordOutcome {
            outcome,
            saved_fen: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tappable_outcome_code_round_trips() {
        for code in [
            "dissuaded_phone",
            "dissuaded_visit",
            "dissuaded_relatives",
            "dissuaded_sms",
            "self_aware",
            "false_alarm",
            "unreachable_empty_number",
            "unreachable_switched_off",
            "unreachable_refused",
            "unreachable_no_answer",
        ] {
            let Some(Command::RecordOutcome { outcome, .. }) = Command::from_outcome_code(code)
            else {
                panic!("{code} is not an outcome");
            };
            assert_eq!(outcome.code(), code);
        }
        assert_eq!(Command::from_outcome_code("defrauded"), None);
    }

    #[test]
    fn commands_read_from_the_api_shape() {
        let c: Command =
            serde_json::from_str(r#"{"command":"delegate","to_unit":"330281001001"}"#).unwrap();
        assert_eq!(
            c,
            Command::Delegate {
                to_unit: "330281001001".into()
            }
        );
        let c: Command = serde_json::from_str(
            r#"{"command":"record_outcome","outcome":{"kind":"defrauded","loss_fen":500000}}"#,
        )
        .unwrap();
        assert_eq!(c.name(), "record_outcome");
    }
}
