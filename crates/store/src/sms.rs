//! SMS messages owed to phones: queued, submitted to the SMSC, then settled by its delivery
//! receipt.
//!
//! `queued` rows are due at `next_attempt_at`; a submission the SMSC accepted becomes
//! `submitted` with the SMSC's message id, and the receipt for that id makes it `delivered` or
//! `failed`. A submission that never got through is retried on the caller's schedule and ends
//! `dead` (the dead-letter list). Time comes in as arguments (epoch ms UTC).

use crate::error::{StoreError, StoreResult};
use crate::field::decode_err;
use crate::sql::{col, Arg, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// Longest error text kept per message.
const MAX_ERROR_CHARS: usize = 500;

/// Why a message is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsPurpose {
    /// The 反诈提醒 to the person a red warning is about.
    WarningToPerson,
    /// A 金钟罩 guardian told that a family member received a warning.
    GuardianAlert,
    /// An instruction escalated past its deadline.
    Escalation,
    /// A joint-office member department told of a task assigned or returned to it.
    JointTask,
}

impl SmsPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsPurpose::WarningToPerson => "warning_to_person",
            SmsPurpose::GuardianAlert => "guardian_alert",
            SmsPurpose::Escalation => "escalation",
            SmsPurpose::JointTask => "joint_task",
        }
    }

    pub fn parse(s: &str) -> Option<SmsPurpose> {
        match s {
            "warning_to_person" => Some(SmsPurpose::WarningToPerson),
            "guardian_alert" => Some(SmsPurpose::GuardianAlert),
            "escalation" => Some(SmsPurpose::Escalation),
            "joint_task" => Some(SmsPurpose::JointTask),
            _ => None,
        }
    }
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsState {
    /// Waiting for its next submission attempt.
    Queued,
    /// Accepted by the SMSC; waiting for the delivery receipt.
    Submitted,
    /// The receipt said delivered (`stat:DELIVRD`).
    Delivered,
    /// The receipt said it was not delivered (`UNDELIV`, `EXPIRED`, `REJECTD`, …).
    Failed,
    /// Every submission attempt failed: in the dead-letter list.
    Dead,
}

impl SmsState {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsState::Queued => "queued",
            SmsState::Submitted => "submitted",
            SmsState::Delivered => "delivered",
            SmsState::Failed => "failed",
            SmsState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<SmsState> {
        match s {
            "queued" => Some(SmsState::Queued),
            "submitted" => Some(SmsState::Submitted),
            "delivered" => Some(SmsState::Delivered),
            "failed" => Some(SmsState::Failed),
            "dead" => Some(SmsState::Dead),
            _ => None,
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSms {
    pub to_number: String,
    pub text: String,
    pub purpose: SmsPurpose,
    pub instruction_id: Option<String>,
    pub warning_id: Option<String>,
    /// The joint-office task a [`SmsPurpose::JointTask`] message is about.
    pub joint_task_id: Option<i64>,
}

/// A stored message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SmsMessage {
    pub id: i64,
    pub to_number: String,
    pub text: String,
    pub purpose: SmsPurpose,
    pub instruction_id: Option<String>,
    pub warning_id: Option<String>,
    pub joint_task_id: Option<i64>,
    pub state: SmsState,
    /// The SMSC's id from `submit_sm_resp`; receipts name it.
    pub smsc_message_id: Option<String>,
    /// Submission attempts so far.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

const COLUMNS: &str = "m.id, m.to_number, m.text, m.purpose, m.instruction_id, m.warning_id, \
     m.joint_task_id, m.state, m.smsc_message_id, m.attempts, m.next_attempt_at, m.last_error, m.created_at, \
     m.submitted_at, m.delivered_at";

fn from_row(row: &AnyRow) -> Result<SmsMessage, sqlx::Error> {
    let purpose: String = col(row, "purpose")?;
    let state: String = col(row, "state")?;
    Ok(SmsMessage {
        id: col(row, "id")?,
        to_number: col(row, "to_number")?,
        text: col(row, "text")?,
        purpose: SmsPurpose::parse(&purpose)
            .ok_or_else(|| decode_err("purpose", format!("unknown SMS purpose `{purpose}`")))?,
        instruction_id: col(row, "instruction_id")?,
        warning_id: col(row, "warning_id")?,
        joint_task_id: col(row, "joint_task_id")?,
        state: SmsState::parse(&state)
            .ok_or_else(|| decode_err("state", format!("unknown SMS state `{state}`")))?,
        smsc_message_id: col(row, "smsc_message_id")?,
        attempts: col(row, "attempts")?,
        next_attempt_at: col(row, "next_attempt_at")?,
        last_error: col(row, "last_error")?,
        created_at: col(row, "created_at")?,
        submitted_at: col(row, "submitted_at")?,
        delivered_at: col(row, "delivered_at")?,
    })
}

/// Whether `number` looks like a phone number an SMSC takes: 3 to 20 digits, an optional
/// leading `+`.
pub fn valid_sms_number(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (3..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The SMS repository.
pub struct SmsMessages<'s> {
    store: &'s Store,
}

impl<'s> SmsMessages<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        SmsMessages { store }
    }

    /// Queues a message, due at `now_ms`; returns its id.
    pub async fn enqueue(&self, m: &NewSms, now_ms: i64) -> StoreResult<i64> {
        let to = m.to_number.trim();
        if !valid_sms_number(to) {
            return Err(StoreError::invalid(
                "to_number",
                "must be 3 to 20 digits, optionally after +",
            ));
        }
        if m.text.trim().is_empty() {
            return Err(StoreError::invalid("text", "must not be empty"));
        }
        let mut sql = Sql::new(
            "INSERT INTO sms_messages (to_number, text, purpose, instruction_id, warning_id, \
             joint_task_id, state, attempts, next_attempt_at, created_at) VALUES (",
        );
        sql.arg(to)
            .push(", ")
            .arg(m.text.as_str())
            .push(", ")
            .arg(m.purpose.as_str())
            .push(", ")
            .arg(m.instruction_id.as_deref())
            .push(", ")
            .arg(m.warning_id.as_deref())
            .push(", ")
            .arg(m.joint_task_id)
            .push(", 'queued', 0, ")
            .arg(now_ms)
            .push(", ")
            .arg(now_ms)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.enqueue"))?;
        col(&row, "id").map_err(StoreError::query("sms_messages.enqueue"))
    }

    /// One message.
    pub async fn get(&self, id: i64) -> StoreResult<SmsMessage> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM sms_messages m WHERE m.id = "
        ));
        sql.arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "SMS message",
                key: id.to_string(),
            })?;
        from_row(&row).map_err(StoreError::query("sms_messages.get"))
    }

    async fn list_where(
        &self,
        op: &'static str,
        sql: &mut Sql<'_>,
    ) -> StoreResult<Vec<SmsMessage>> {
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(op))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query(op))
    }

    /// Queued messages whose next attempt is at or before `now_ms`, earliest first, at most
    /// `limit`.
    pub async fn due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<SmsMessage>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM sms_messages m \
             WHERE m.state = 'queued' AND m.next_attempt_at <= "
        ));
        sql.arg(now_ms)
            .push(" ORDER BY m.next_attempt_at, m.id LIMIT ")
            .arg(limit.min(10_000) as i64);
        self.list_where("sms_messages.due", &mut sql).await
    }

    /// The messages about one warning, oldest first.
    pub async fn for_warning(&self, warning_id: &str) -> StoreResult<Vec<SmsMessage>> {
        self.about("sms_messages.for_warning", "warning_id", warning_id)
            .await
    }

    /// The messages about one joint-office task, oldest first.
    pub async fn for_joint_task(&self, task_id: i64) -> StoreResult<Vec<SmsMessage>> {
        self.about("sms_messages.for_joint_task", "joint_task_id", task_id)
            .await
    }

    /// The messages about one instruction, oldest first.
    pub async fn for_instruction(&self, instruction_id: &str) -> StoreResult<Vec<SmsMessage>> {
        self.about(
            "sms_messages.for_instruction",
            "instruction_id",
            instruction_id,
        )
        .await
    }

    /// The messages whose `column` (one of the record columns above) is `key`, oldest first.
    async fn about<'k>(
        &self,
        op: &'static str,
        column: &'static str,
        key: impl Into<Arg<'k>>,
    ) -> StoreResult<Vec<SmsMessage>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM sms_messages m WHERE m.{column} = "
        ));
        sql.arg(key).push(" ORDER BY m.id");
        self.list_where(op, &mut sql).await
    }

    /// The dead-letter list: messages whose submission attempts ran out, most recent first.
    pub async fn dead_letters(&self, limit: usize) -> StoreResult<Vec<SmsMessage>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM sms_messages m WHERE m.state = 'dead' \
             ORDER BY m.next_attempt_at DESC, m.id DESC LIMIT "
        ));
        sql.arg(limit.min(10_000) as i64);
        self.list_where("sms_messages.dead_letters", &mut sql).await
    }

    /// Records that the SMSC accepted a queued message under `smsc_message_id`. Anything but a
    /// queued message is a [`StoreError::Conflict`].
    pub async fn mark_submitted(
        &self,
        id: i64,
        smsc_message_id: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut sql = Sql::new(
            "UPDATE sms_messages SET state = 'submitted', attempts = attempts + 1, \
             last_error = NULL, smsc_message_id = ",
        );
        sql.arg(smsc_message_id)
            .push(", submitted_at = ")
            .arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'queued'");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.mark_submitted"))?;
        self.changed(done.rows_affected(), id, "mark_submitted")
            .await
    }

    /// Records a failed submission. `retry_delays_ms[k]` is the wait after the `k+1`-th failed
    /// attempt; after the last one the schedule allows the message is dead. Returns the new
    /// state; a message that is not queued, or was updated concurrently, is a
    /// [`StoreError::Conflict`].
    pub async fn mark_submit_failed(
        &self,
        id: i64,
        error: &str,
        now_ms: i64,
        retry_delays_ms: &[i64],
    ) -> StoreResult<SmsState> {
        let current = self.get(id).await?;
        if current.state != SmsState::Queued {
            return Err(StoreError::Conflict {
                what: "sms_messages.mark_submit_failed",
                detail: format!("message {id} is {}", current.state.as_str()),
            });
        }
        let attempts = current.attempts + 1;
        let (state, next) = match usize::try_from(attempts - 1)
            .ok()
            .and_then(|k| retry_delays_ms.get(k))
        {
            Some(delay) => (SmsState::Queued, now_ms + (*delay).max(0)),
            None => (SmsState::Dead, now_ms),
        };
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let mut sql = Sql::new("UPDATE sms_messages SET state = ");
        sql.arg(state.as_str())
            .push(", attempts = ")
            .arg(attempts)
            .push(", next_attempt_at = ")
            .arg(next)
            .push(", last_error = ")
            .arg(error)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'queued' AND attempts = ")
            .arg(current.attempts);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.mark_submit_failed"))?;
        self.changed(done.rows_affected(), id, "mark_submit_failed")
            .await?;
        Ok(state)
    }

    /// Applies a delivery receipt to the submitted message with this SMSC id: `delivered`, or
    /// `failed` with `error` (the receipt's status and error code). Returns the updated
    /// message, or `None` when no submitted message carries that id (the receipt came before
    /// the submission was recorded, or was for a message already settled).
    pub async fn record_receipt(
        &self,
        smsc_message_id: &str,
        delivered: bool,
        error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Option<SmsMessage>> {
        let state = if delivered {
            SmsState::Delivered
        } else {
            SmsState::Failed
        };
        let error: Option<String> = if delivered {
            None
        } else {
            Some(
                error
                    .unwrap_or("not delivered")
                    .chars()
                    .take(MAX_ERROR_CHARS)
                    .collect(),
            )
        };
        let mut sql = Sql::new("UPDATE sms_messages SET state = ");
        sql.arg(state.as_str())
            .push(", last_error = ")
            .arg(error.as_deref())
            .push(", delivered_at = ")
            .arg(if delivered { Some(now_ms) } else { None })
            .push(" WHERE smsc_message_id = ")
            .arg(smsc_message_id)
            .push(" AND state = 'submitted' RETURNING id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.record_receipt"))?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let id: i64 = col(row, "id").map_err(StoreError::query("sms_messages.record_receipt"))?;
        self.get(id).await.map(Some)
    }

    /// Puts a dead message back in the queue with a fresh schedule, due at `now_ms`. Anything
    /// but a dead message is a [`StoreError::Conflict`].
    pub async fn requeue(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let mut sql =
            Sql::new("UPDATE sms_messages SET state = 'queued', attempts = 0, next_attempt_at = ");
        sql.arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'dead'");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("sms_messages.requeue"))?;
        self.changed(done.rows_affected(), id, "requeue").await
    }

    /// `Ok` when one row changed; otherwise not found or a conflict.
    async fn changed(&self, rows: u64, id: i64, op: &'static str) -> StoreResult<()> {
        if rows == 1 {
            return Ok(());
        }
        let current = self.get(id).await?;
        Err(StoreError::Conflict {
            what: "sms_messages",
            detail: format!(
                "{op}: message {id} is {} after {} attempts",
                current.state.as_str(),
                current.attempts
            ),
        })
    }
}
