//! 96110 外呼: the center's seat group (坐席) calls the people urgent warnings name, and each
//! call's result becomes events of the instruction.
//!
//! - When a warning is routed ([`LoopService::receive`]) and the instruction's level is one the
//!   [`CallPolicy`] calls for (red and orange by default), a call task is queued for the
//!   person's number: the warning's own number, else the resident's registered phone; a
//!   warning with neither queues nothing. An instruction waiting for 二次研判 is called once the
//!   review passes. One open task per instruction and number: a merged warning about the same
//!   phone adds none (it may raise the task's level).
//! - An operator claims the next task ([`LoopService::claim_next_call`]: most urgent level,
//!   then oldest) for a lease; a lease that runs out puts the task back in the queue.
//! - [`LoopService::record_call`] records the result on the task and appends the matching
//!   events to the instruction through [`LoopService::act`], as the operator: a phone contact
//!   attempt ([`ContactChannel::Phone`]), then the outcome ([`call_commands`]). No answer or a
//!   switched-off phone is called again later while attempts remain.
//! - When the instruction gets an outcome or is closed, its open tasks are cancelled: nobody
//!   calls a person whose case is settled.
//!
//! The decisions ([`call_commands`], [`CallPolicy::after_call`]) are pure; the rest reads and
//! writes the store.

use crate::command::Command;
use crate::error::LoopError;
use crate::event::Action;
use crate::instruction::Status;
use crate::level::WarningLevel;
use crate::outcome::{ContactChannel, Outcome, UnreachableReason};
use crate::service::{Actor, IncomingWarning, InstructionView, LoopService, Received};
use fanzha_core::phone::{PhoneKind, PhoneNumber};
use fanzha_store::{
    AfterCall, CallRecord, CallResult, CallTask, NewCallTask, Scope, StoreError, StoredInstruction,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which warnings become calls, and how calls are worked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPolicy {
    /// Call the person of a red (1) instruction.
    pub red: bool,
    /// Call the person of an orange (2) instruction.
    pub orange: bool,
    /// Call the person of a yellow (3) instruction.
    pub yellow: bool,
    /// How long a claim holds a task before it returns to the queue.
    #[serde(with = "millis")]
    pub lease: Duration,
    /// Calls per task: no answer or a switched-off phone is retried until this many were made.
    pub max_attempts: u32,
    /// The wait before such a retry.
    #[serde(with = "millis")]
    pub retry_after: Duration,
}

impl Default for CallPolicy {
    /// Red and orange are called; a claim holds for 10 minutes; three calls, 10 minutes apart.
    fn default() -> Self {
        CallPolicy {
            red: true,
            orange: true,
            yellow: false,
            lease: Duration::from_secs(10 * 60),
            max_attempts: 3,
            retry_after: Duration::from_secs(10 * 60),
        }
    }
}

impl CallPolicy {
    /// Nobody is called (the seat group is not staffed on this platform).
    pub fn off() -> Self {
        CallPolicy {
            red: false,
            orange: false,
            yellow: false,
            ..CallPolicy::default()
        }
    }

    /// Whether an instruction of `level` gets a call task.
    pub fn wants(&self, level: WarningLevel) -> bool {
        match level {
            WarningLevel::Red => self.red,
            WarningLevel::Orange => self.orange,
            WarningLevel::Yellow => self.yellow,
        }
    }

    pub fn lease_ms(&self) -> i64 {
        i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX / 4)
    }

    /// What becomes of a task after its `attempts`-th call (counting this one) came to
    /// `result` at `now_ms`: no answer and switched off are called again after
    /// [`CallPolicy::retry_after`] while fewer than [`CallPolicy::max_attempts`] calls were
    /// made; everything else is final for the task.
    pub fn after_call(&self, result: CallResult, attempts: i64, now_ms: i64) -> AfterCall {
        let retryable = matches!(result, CallResult::NoAnswer | CallResult::SwitchedOff);
        if retryable && attempts < i64::from(self.max_attempts) {
            let wait = i64::try_from(self.retry_after.as_millis()).unwrap_or(i64::MAX / 4);
            AfterCall::RetryAt(now_ms.saturating_add(wait))
        } else {
            AfterCall::Done
        }
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// Instruction statuses in which a call's result can be recorded.
pub const CALLABLE_STATUSES: [&str; 3] = ["issued", "signed", "contacting"];

/// The commands that record a call with `result` on an instruction in `status` (its code):
/// signing first when nobody has (the person is being reached, which is what signing attests),
/// a phone contact attempt, then what the call came to:
///
/// | result | command after `start_contact {phone}` |
/// |---|---|
/// | dissuaded | `record_outcome {dissuaded, phone}` |
/// | insisted (connected, will not listen) | `attempt_failed {refused}` — 拒绝配合; the holder goes in person |
/// | no answer | `attempt_failed {no_answer}` |
/// | switched off | `attempt_failed {switched_off}` |
/// | empty number | `attempt_failed {empty_number}` |
/// | refused (hung up) | `attempt_failed {refused}` |
///
/// Any other status cannot take a call: [`LoopError::Invalid`].
pub fn call_commands(result: CallResult, status: &str) -> Result<Vec<Command>, LoopError> {
    let mut out = Vec::with_capacity(3);
    match status {
        "issued" => out.push(Command::Sign),
        "signed" | "contacting" => {}
        other => {
            return Err(LoopError::Invalid(format!(
                "instruction is {other}; a call result cannot be recorded on it"
            )))
        }
    }
    out.push(Command::StartContact {
        channel: ContactChannel::Phone,
    });
    let failed = |reason| Command::AttemptFailed { reason };
    out.push(match result {
        CallResult::Dissuaded => Command::RecordOutcome {
            outcome: Outcome::Dissuaded {
                channel: ContactChannel::Phone,
            },
            saved_fen: 0,
        },
        CallResult::Insisted | CallResult::Refused => failed(UnreachableReason::Refused),
        CallResult::NoAnswer => failed(UnreachableReason::NoAnswer),
        CallResult::SwitchedOff => failed(UnreachableReason::SwitchedOff),
        CallResult::EmptyNumber => failed(UnreachableReason::EmptyNumber),
    });
    Ok(out)
}

/// The result in the field's words.
pub fn call_result_zh(result: CallResult) -> &'static str {
    match result {
        CallResult::Dissuaded => "已接通，劝阻成功",
        CallResult::Insisted => "已接通，当事人不听劝阻",
        CallResult::NoAnswer => "无人接听",
        CallResult::SwitchedOff => "关机",
        CallResult::EmptyNumber => "空号",
        CallResult::Refused => "拒接",
    }
}

/// The note on the instruction's events: the hotline, the number masked, the result, which
/// call it was, and the operator's own words.
pub fn call_note(task: &CallTask, result: CallResult, note: Option<&str>) -> String {
    let mut s = format!(
        "{}外呼 {}：{}（第{}次）",
        fanzha_core::hotline::number(),
        fanzha_core::mask::mask_phone(&task.msisdn),
        call_result_zh(result),
        task.attempts + 1
    );
    if result == CallResult::Insisted {
        s.push_str("，请属地见面劝阻");
    }
    if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
        s.push('。');
        s.push_str(n);
    }
    s
}

/// The number to call, canonical, if `raw` is a number a person answers (not a hotline, SMS
/// port or short code).
pub fn callable_number(raw: &str) -> Option<String> {
    let p = PhoneNumber::parse(raw).ok()?;
    (p.kind() != PhoneKind::Service).then(|| p.canonical())
}

/// A call recorded: the task after it, and the instruction after its events.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedCall {
    pub task: CallTask,
    pub instruction: InstructionView,
}

/// Where the warning's own number comes from.
enum Number<'a> {
    /// The warning at hand, with its number or none.
    Given(Option<&'a str>),
    /// A stored warning: read it.
    OfWarning,
}

pub(crate) fn is_final(status: Status) -> bool {
    matches!(status, Status::Resolved | Status::Closed)
}

impl LoopService {
    /// Which warnings become call tasks (default [`CallPolicy::default`]).
    pub fn with_call_policy(mut self, policy: CallPolicy) -> LoopService {
        self.calls = policy;
        self
    }

    pub fn call_policy(&self) -> &CallPolicy {
        &self.calls
    }

    /// After [`LoopService::receive`]: queue a call for the warning's person when the policy
    /// wants one. Never fails the warning: it is stored and routed already; a task that cannot
    /// be queued is logged.
    pub(crate) async fn calls_after_receive(
        &self,
        w: &IncomingWarning,
        received: &Received,
        now_ms: i64,
    ) {
        let result = async {
            let inst = self
                .store()
                .instructions()
                .get_for_system(&received.instruction_id)
                .await?;
            let number = Number::Given(w.msisdn.as_deref());
            self.queue_call(&inst, &received.warning_id, number, now_ms)
                .await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(
                warning = %received.warning_id,
                instruction = %received.instruction_id,
                error = %e,
                "96110 call task could not be queued"
            );
        }
    }

    /// After a committed change of an instruction ([`LoopService::act`]): a review that passed
    /// queues the calls the policy wants (an outcome or closing cancelled the open calls in the
    /// change's own transaction). Never fails the change, which is committed already.
    pub(crate) async fn calls_after_change(&self, view: &InstructionView, now_ms: i64) {
        let id = &view.stored.id;
        let result: Result<(), LoopError> = async {
            if is_final(view.state.status) {
                // Its open calls were cancelled with the change, in the same transaction
                // (`InstructionChange::cancel_calls`).
                return Ok(());
            }
            // This change's events carry its time; an approval among them opens the calls.
            let reviewed = view
                .events
                .iter()
                .rev()
                .take_while(|e| e.at_ms == now_ms)
                .any(|e| matches!(e.action, Action::ReviewApproved { .. }));
            if reviewed {
                for warning_id in &view.state.warning_ids {
                    self.queue_call(&view.stored, warning_id, Number::OfWarning, now_ms)
                        .await?;
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!(instruction = %id, error = %e, "96110 call tasks not updated");
        }
    }

    /// Queues the call a warning of this instruction calls for, if any; returns the task's id
    /// and whether it is new.
    async fn queue_call(
        &self,
        inst: &StoredInstruction,
        warning_id: &str,
        number: Number<'_>,
        now_ms: i64,
    ) -> Result<Option<(i64, bool)>, LoopError> {
        let p = &inst.projection;
        let Some(level) = WarningLevel::from_number(p.level) else {
            return Ok(None);
        };
        if !self.calls.wants(level) || !CALLABLE_STATUSES.contains(&p.status.as_str()) {
            return Ok(None);
        }
        let platform = Scope::platform();
        let msisdn = match number {
            Number::Given(m) => m.map(str::to_string),
            Number::OfWarning => match self.store().warnings().get(&platform, warning_id).await {
                Ok(w) => w.msisdn,
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
        };
        let registered = match &inst.resident_id {
            Some(rid) => match self.store().people().get(&platform, rid).await {
                Ok(person) => person.phone,
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let Some(number) = msisdn
            .as_deref()
            .and_then(callable_number)
            .or_else(|| registered.as_deref().and_then(callable_number))
        else {
            tracing::debug!(instruction = %inst.id, "no number to call");
            return Ok(None);
        };
        let created = self
            .store()
            .call_tasks()
            .create(&NewCallTask {
                instruction_id: inst.id.clone(),
                warning_id: warning_id.to_string(),
                resident_id: inst.resident_id.clone(),
                msisdn: number,
                level: p.level,
                fraud_type: inst.fraud_type.clone(),
                unit_code: inst.owner_unit.clone(),
                created_at: now_ms,
            })
            .await?;
        Ok(Some(created))
    }

    /// Claims the next call inside the operator's subtree for [`CallPolicy::lease`]; `None`
    /// when the queue is empty. A task whose instruction can no longer take a call (settled
    /// meanwhile) is cancelled on the way and the next one taken.
    pub async fn claim_next_call(
        &self,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Option<CallTask>, LoopError> {
        let repo = self.store().call_tasks();
        for _ in 0..16 {
            let Some(task) = repo
                .claim_next(&actor.scope, &actor.login, now_ms, self.calls.lease_ms())
                .await?
            else {
                return Ok(None);
            };
            if self.cancel_if_settled(&task.instruction_id, now_ms).await? {
                continue;
            }
            return Ok(Some(task));
        }
        Err(LoopError::Busy("call queue".into()))
    }

    /// Cancels the instruction's open calls when it cannot take one any more; whether it did.
    async fn cancel_if_settled(
        &self,
        instruction_id: &str,
        now_ms: i64,
    ) -> Result<bool, LoopError> {
        let inst = self
            .store()
            .instructions()
            .get_for_system(instruction_id)
            .await?;
        let status = inst.projection.status.as_str();
        if CALLABLE_STATUSES.contains(&status) {
            return Ok(false);
        }
        self.store()
            .call_tasks()
            .cancel_for_instruction(instruction_id, status, now_ms)
            .await?;
        Ok(true)
    }

    /// Records the result of a call the operator claimed: the task is done or queued for a
    /// retry, and the instruction gets the contact attempt and its outcome as the operator's
    /// events (see [`call_commands`]). `expected_version` is the task version the operator
    /// saw. Both change or neither does.
    pub async fn record_call(
        &self,
        actor: &Actor,
        task_id: i64,
        expected_version: Option<i64>,
        result: CallResult,
        note: Option<String>,
        now_ms: i64,
    ) -> Result<RecordedCall, LoopError> {
        let repo = self.store().call_tasks();
        let task = repo.get(&actor.scope, task_id).await?;
        let conflict = |detail: String| {
            LoopError::Store(StoreError::Conflict {
                what: "call task",
                detail,
            })
        };
        if let Some(v) = expected_version {
            if v != task.version {
                return Err(conflict(format!(
                    "task {task_id} changed meanwhile (version {v}, now {})",
                    task.version
                )));
            }
        }
        if task.state != fanzha_store::CallTaskState::Claimed
            || task.claimed_by.as_deref() != Some(actor.login.as_str())
        {
            return Err(conflict(format!(
                "task {task_id} is not claimed by {}: claim it before recording a call",
                actor.login
            )));
        }
        let inst = self
            .store()
            .instructions()
            .get(&actor.scope, &task.instruction_id)
            .await?;
        let status = inst.projection.status.clone();
        if !CALLABLE_STATUSES.contains(&status.as_str()) {
            self.cancel_if_settled(&task.instruction_id, now_ms).await?;
            return Err(conflict(format!(
                "instruction {} is {status}: its calls were cancelled",
                task.instruction_id
            )));
        }
        let commands = call_commands(result, &status)?;
        let after = self.calls.after_call(result, task.attempts + 1, now_ms);
        let text = call_note(&task, result, note.as_deref());
        // The task first, so that the instruction's change (which cancels open calls on an
        // outcome) finds it done; undone again if the instruction refuses the change.
        let finished = repo
            .finish(
                task.id,
                task.version,
                &CallRecord {
                    operator: &actor.login,
                    result,
                    note: note.as_deref(),
                    after,
                },
                now_ms,
            )
            .await?;
        match self
            .act(
                actor,
                &task.instruction_id,
                None,
                &commands,
                Some(text),
                now_ms,
            )
            .await
        {
            Ok(instruction) => Ok(RecordedCall {
                task: finished,
                instruction,
            }),
            Err(e) => {
                if let Err(undo) = repo.restore(&task, finished.version).await {
                    tracing::error!(task = task.id, error = %undo, "call task not restored");
                }
                Err(e)
            }
        }
    }

    /// Gives a claimed call back to the queue without calling.
    pub async fn release_call(
        &self,
        actor: &Actor,
        task_id: i64,
        now_ms: i64,
    ) -> Result<CallTask, LoopError> {
        let repo = self.store().call_tasks();
        repo.get(&actor.scope, task_id).await?;
        Ok(repo.release(task_id, &actor.login, now_ms).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_and_orange_are_called_by_default() {
        let p = CallPolicy::default();
        assert!(p.wants(WarningLevel::Red) && p.wants(WarningLevel::Orange));
        assert!(!p.wants(WarningLevel::Yellow));
        assert!(WarningLevel::ALL
            .iter()
            .all(|l| !CallPolicy::off().wants(*l)));
    }

    #[test]
    fn no_answer_is_retried_until_the_attempts_run_out() {
        let p = CallPolicy::default();
        let later = 10 * 60_000;
        assert_eq!(
            p.after_call(CallResult::NoAnswer, 1, 0),
            AfterCall::RetryAt(later)
        );
        assert_eq!(
            p.after_call(CallResult::SwitchedOff, 2, 5),
            AfterCall::RetryAt(5 + later)
        );
        assert_eq!(p.after_call(CallResult::NoAnswer, 3, 0), AfterCall::Done);
        for final_result in [
            CallResult::Dissuaded,
            CallResult::Insisted,
            CallResult::EmptyNumber,
            CallResult::Refused,
        ] {
            assert_eq!(p.after_call(final_result, 1, 0), AfterCall::Done);
        }
    }

    #[test]
    fn every_result_is_a_phone_attempt_and_signs_first_when_needed() {
        for r in CallResult::ALL {
            let c = call_commands(r, "issued").unwrap();
            assert_eq!(c[0], Command::Sign);
            assert_eq!(
                c[1],
                Command::StartContact {
                    channel: ContactChannel::Phone
                }
            );
            let c = call_commands(r, "contacting").unwrap();
            assert_eq!(c.len(), 2, "{r:?}");
        }
        assert_eq!(
            call_commands(CallResult::Dissuaded, "signed").unwrap()[1],
            Command::RecordOutcome {
                outcome: Outcome::Dissuaded {
                    channel: ContactChannel::Phone
                },
                saved_fen: 0
            }
        );
        assert_eq!(
            call_commands(CallResult::NoAnswer, "signed").unwrap()[1],
            Command::AttemptFailed {
                reason: UnreachableReason::NoAnswer
            }
        );
        for status in ["pending_review", "dissuaded", "unreachable", "closed"] {
            assert!(
                call_commands(CallResult::NoAnswer, status).is_err(),
                "{status}"
            );
        }
    }

    #[test]
    fn only_numbers_a_person_answers_are_called() {
        assert_eq!(
            callable_number("+86 138-0000-0001").as_deref(),
            Some("13800000001")
        );
        assert_eq!(callable_number("96110"), None);
        assert_eq!(callable_number("10690000123"), None);
        assert_eq!(callable_number("not a number"), None);
        assert_eq!(callable_number(""), None);
    }
}
