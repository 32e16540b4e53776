//! 96110 call tasks: the outbound dissuasion calls (劝阻外呼) the center's seat group makes to the
//! people warnings name.
//!
//! `queued → claimed (by an operator, for a lease) → done | cancelled`. A claim whose lease ran
//! out counts as queued: lists show it so and the next claim may take it. Every state change is
//! one `UPDATE … WHERE id = … AND version = …` (plus the state it expects), so of two operators
//! racing for one task exactly one wins, on SQLite and PostgreSQL alike. Time comes in as
//! arguments (epoch ms UTC).
//!
//! Tasks are read through a [`Scope`] on the unit owning the person's residence
//! (`unit_code`); the system's own steps (creating, cancelling) need none.

use crate::error::{StoreError, StoreResult};
use crate::field::decode_err;
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Longest operator note kept.
const MAX_NOTE_CHARS: usize = 500;
/// Candidates read per claim round; a lost race moves on to the next one.
const CLAIM_CANDIDATES: i64 = 8;
/// Claim rounds before giving up under heavy contention (each round re-reads the queue).
const CLAIM_ROUNDS: usize = 8;

/// Where a task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallTaskState {
    /// Waiting for an operator (or for its retry time, `due_at`).
    Queued,
    /// An operator holds it until `lease_until`.
    Claimed,
    /// The call's result is recorded.
    Done,
    /// No longer needed: the instruction got an outcome or was closed.
    Cancelled,
}

impl CallTaskState {
    pub const ALL: [CallTaskState; 4] = [
        CallTaskState::Queued,
        CallTaskState::Claimed,
        CallTaskState::Done,
        CallTaskState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallTaskState::Queued => "queued",
            CallTaskState::Claimed => "claimed",
            CallTaskState::Done => "done",
            CallTaskState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<CallTaskState> {
        match s {
            "queued" => Some(CallTaskState::Queued),
            "claimed" => Some(CallTaskState::Claimed),
            "done" => Some(CallTaskState::Done),
            "cancelled" => Some(CallTaskState::Cancelled),
            _ => None,
        }
    }

    /// Still to be worked (queued or claimed).
    pub fn is_open(self) -> bool {
        matches!(self, CallTaskState::Queued | CallTaskState::Claimed)
    }
}

/// What a call came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// 接通，劝阻成功
    Dissuaded,
    /// 接通，但当事人坚持（不听劝阻）
    Insisted,
    /// 无人接听
    NoAnswer,
    /// 关机
    SwitchedOff,
    /// 空号
    EmptyNumber,
    /// 拒接 / 挂断
    Refused,
}

impl CallResult {
    pub const ALL: [CallResult; 6] = [
        CallResult::Dissuaded,
        CallResult::Insisted,
        CallResult::NoAnswer,
        CallResult::SwitchedOff,
        CallResult::EmptyNumber,
        CallResult::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Dissuaded => "dissuaded",
            CallResult::Insisted => "insisted",
            CallResult::NoAnswer => "no_answer",
            CallResult::SwitchedOff => "switched_off",
            CallResult::EmptyNumber => "empty_number",
            CallResult::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<CallResult> {
        CallResult::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The person picked up.
    pub fn connected(self) -> bool {
        matches!(self, CallResult::Dissuaded | CallResult::Insisted)
    }
}

/// Calls counted by result.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallCounts {
    /// Calls made (every attempt).
    pub calls: i64,
    /// The person picked up (dissuaded or insisted).
    pub connected: i64,
    /// 劝阻成功.
    pub dissuaded: i64,
    pub by_result: BTreeMap<&'static str, i64>,
}

impl CallCounts {
    fn add(&mut self, result: CallResult, n: i64) {
        self.calls += n;
        if result.connected() {
            self.connected += n;
        }
        if result == CallResult::Dissuaded {
            self.dissuaded += n;
        }
        *self.by_result.entry(result.as_str()).or_default() += n;
    }

    /// 接通率: connected ÷ calls; `None` without calls.
    pub fn connect_rate(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.connected as f64 / self.calls as f64)
    }

    /// Calls that came to `result`.
    pub fn of(&self, result: CallResult) -> i64 {
        self.by_result.get(result.as_str()).copied().unwrap_or(0)
    }
}

/// 96110 call volume over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallFigures {
    pub all: CallCounts,
    /// Per operator (seat) login.
    pub by_operator: BTreeMap<String, CallCounts>,
    /// People called: distinct residents (or numbers, for a task naming no resident).
    pub people: i64,
}

/// A task to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCallTask {
    pub instruction_id: String,
    pub warning_id: String,
    pub resident_id: Option<String>,
    /// The number to call, canonical.
    pub msisdn: String,
    /// 1 red, 2 orange, 3 yellow.
    pub level: u8,
    pub fraud_type: Option<String>,
    /// The unit owning the person's residence.
    pub unit_code: String,
    pub created_at: i64,
}

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CallTask {
    pub id: i64,
    pub instruction_id: String,
    pub warning_id: String,
    pub resident_id: Option<String>,
    pub msisdn: String,
    pub level: u8,
    pub fraud_type: Option<String>,
    pub unit_code: String,
    /// As stored; see [`CallTask::state_at`] for what it means at a given time.
    pub state: CallTaskState,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<i64>,
    pub lease_until: Option<i64>,
    pub due_at: i64,
    /// Calls made so far (results recorded).
    pub attempts: i64,
    /// The last call's result.
    pub result: Option<CallResult>,
    pub note: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CallTask {
    /// The state at `now_ms`: a claim whose lease ran out is queued again.
    pub fn state_at(&self, now_ms: i64) -> CallTaskState {
        match (self.state, self.lease_until) {
            (CallTaskState::Claimed, Some(until)) if until < now_ms => CallTaskState::Queued,
            (s, _) => s,
        }
    }

    /// Whether `operator` holds the task at `now_ms` (claimed by them, lease running).
    pub fn held_by(&self, operator: &str, now_ms: i64) -> bool {
        self.state_at(now_ms) == CallTaskState::Claimed
            && self.claimed_by.as_deref() == Some(operator)
    }
}

/// How a result leaves the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterCall {
    /// Finished.
    Done,
    /// Back in the queue, claimable from this time (epoch ms).
    RetryAt(i64),
}

/// One call as its operator records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallRecord<'a> {
    pub operator: &'a str,
    pub result: CallResult,
    /// The operator's words, if any (trimmed; at most 500 characters kept).
    pub note: Option<&'a str>,
    pub after: AfterCall,
}

/// Which tasks to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallTaskFilter {
    /// Only tasks in this state at the list's time (an expired claim is queued).
    pub state: Option<CallTaskState>,
    /// Only tasks still to be worked (queued or claimed).
    pub open_only: bool,
    /// Only the tasks of this instruction.
    pub instruction_id: Option<String>,
    /// Only tasks this operator holds (claimed, lease running).
    pub claimed_by: Option<String>,
}

const COLUMNS: &str = "t.id, t.instruction_id, t.warning_id, t.resident_id, t.msisdn, t.level, \
     t.fraud_type, t.unit_code, t.state, t.claimed_by, t.claimed_at, t.lease_until, t.due_at, \
     t.attempts, t.result, t.note, t.cancel_reason, t.version, t.created_at, t.updated_at";

fn from_row(row: &AnyRow) -> Result<CallTask, sqlx::Error> {
    let state: String = col(row, "state")?;
    let result: Option<String> = col(row, "result")?;
    let level: i64 = col(row, "level")?;
    Ok(CallTask {
        id: col(row, "id")?,
        instruction_id: col(row, "instruction_id")?,
        warning_id: col(row, "warning_id")?,
        resident_id: col(row, "resident_id")?,
        msisdn: col(row, "msisdn")?,
        level: u8::try_from(level).map_err(|_| decode_err("level", format!("level {level}")))?,
        fraud_type: col(row, "fraud_type")?,
        unit_code: col(row, "unit_code")?,
        state: CallTaskState::parse(&state)
            .ok_or_else(|| decode_err("state", format!("unknown call task state `{state}`")))?,
        claimed_by: col(row, "claimed_by")?,
        claimed_at: col(row, "claimed_at")?,
        lease_until: col(row, "lease_until")?,
        due_at: col(row, "due_at")?,
        attempts: col(row, "attempts")?,
        result: match result {
            None => None,
            Some(r) => Some(
                CallResult::parse(&r)
                    .ok_or_else(|| decode_err("result", format!("unknown call result `{r}`")))?,
            ),
        },
        note: col(row, "note")?,
        cancel_reason: col(row, "cancel_reason")?,
        version: col(row, "version")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// Appends the condition "claimable at `now`": queued and due, or claimed with the lease run out.
fn push_claimable(sql: &mut Sql<'_>, now_ms: i64) {
    let now = sql.bind(now_ms);
    sql.push(&format!(
        "((t.state = 'queued' AND t.due_at <= {now}) OR \
          (t.state = 'claimed' AND t.lease_until < {now}))"
    ));
}

/// Appends the condition "in `state` at `now`" (an expired claim is queued).
fn push_state_at(sql: &mut Sql<'_>, state: CallTaskState, now_ms: i64) {
    match state {
        CallTaskState::Queued => {
            let now = sql.bind(now_ms);
            sql.push(&format!(
                "(t.state = 'queued' OR (t.state = 'claimed' AND t.lease_until < {now}))"
            ));
        }
        CallTaskState::Claimed => {
            sql.push("t.state = 'claimed' AND t.lease_until >= ")
                .arg(now_ms);
        }
        other => {
            sql.push("t.state = ").arg(other.as_str());
        }
    }
}

fn clip_note(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NOTE_CHARS).collect())
}

/// The call tasks repository.
pub struct CallTasks<'s> {
    store: &'s Store,
}

impl<'s> CallTasks<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        CallTasks { store }
    }

    /// Queues a task due at once, unless the instruction already has an open task for this
    /// number: then that one is kept (its level raised when the new one is more urgent).
    /// Returns the task's id and whether it was created now.
    pub async fn create(&self, t: &NewCallTask) -> StoreResult<(i64, bool)> {
        let msisdn = t.msisdn.trim();
        if msisdn.is_empty() {
            return Err(StoreError::invalid("msisdn", "must not be empty"));
        }
        if !(1..=3).contains(&t.level) {
            return Err(StoreError::invalid("level", "must be 1, 2 or 3"));
        }
        // The open task may finish between the failed insert and the read: try again then.
        for _ in 0..3 {
            let mut sql = Sql::new(
                "INSERT INTO call_tasks (instruction_id, warning_id, resident_id, msisdn, level, \
                 fraud_type, unit_code, state, due_at, attempts, version, created_at, updated_at) \
                 VALUES (",
            );
            sql.arg(t.instruction_id.as_str())
                .push(", ")
                .arg(t.warning_id.as_str())
                .push(", ")
                .arg(t.resident_id.as_deref())
                .push(", ")
                .arg(msisdn)
                .push(", ")
                .arg(i64::from(t.level))
                .push(", ")
                .arg(t.fraud_type.as_deref())
                .push(", ")
                .arg(t.unit_code.as_str())
                .push(", 'queued', ")
                .arg(t.created_at)
                .push(", 0, 1, ")
                .arg(t.created_at)
                .push(", ")
                .arg(t.created_at)
                .push(") ON CONFLICT DO NOTHING RETURNING id");
            let row = sql
                .query()
                .fetch_optional(self.store.pool())
                .await
                .map_err(StoreError::query("call_tasks.create"))?;
            if let Some(row) = row {
                let id = col(&row, "id").map_err(StoreError::query("call_tasks.create"))?;
                return Ok((id, true));
            }
            let mut sql = Sql::new("SELECT id FROM call_tasks WHERE instruction_id = ");
            sql.arg(t.instruction_id.as_str())
                .push(" AND msisdn = ")
                .arg(msisdn)
                .push(" AND state IN ('queued', 'claimed')");
            let open = sql
                .query()
                .fetch_optional(self.store.pool())
                .await
                .map_err(StoreError::query("call_tasks.create"))?;
            let Some(open) = open else { continue };
            let id: i64 = col(&open, "id").map_err(StoreError::query("call_tasks.create"))?;
            let mut sql = Sql::new("UPDATE call_tasks SET version = version + 1, level = ");
            sql.arg(i64::from(t.level))
                .push(", updated_at = ")
                .arg(t.created_at)
                .push(" WHERE id = ")
                .arg(id)
                .push(" AND level > ")
                .arg(i64::from(t.level));
            sql.query()
                .execute(self.store.pool())
                .await
                .map_err(StoreError::query("call_tasks.raise"))?;
            return Ok((id, false));
        }
        Err(StoreError::Conflict {
            what: "call_tasks.create",
            detail: format!(
                "the open task of instruction {} keeps changing",
                t.instruction_id
            ),
        })
    }

    /// One task inside `scope`; [`StoreError::NotFound`] when absent or outside it.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<CallTask> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM call_tasks t WHERE t.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "t.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "call task",
                key: id.to_string(),
            })?;
        from_row(&row).map_err(StoreError::query("call_tasks.get"))
    }

    async fn fetch(&self, op: &'static str, sql: &Sql<'_>) -> StoreResult<Vec<CallTask>> {
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

    /// Claims the next task inside `scope` for `operator` until `now_ms + lease_ms`: the most
    /// urgent level first, then the oldest. A claim whose lease ran out is taken like a queued
    /// task. `None` when nothing is claimable. Concurrent claims never return the same task.
    pub async fn claim_next(
        &self,
        scope: &Scope,
        operator: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Option<CallTask>> {
        for _ in 0..CLAIM_ROUNDS {
            let mut sql = Sql::new("SELECT t.id, t.version FROM call_tasks t WHERE ");
            push_claimable(&mut sql, now_ms);
            sql.push(" AND ");
            scope.push_condition(&mut sql, "t.unit_code");
            sql.push(" ORDER BY t.level, t.created_at, t.id LIMIT ")
                .arg(CLAIM_CANDIDATES);
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("call_tasks.claim_next"))?;
            if rows.is_empty() {
                return Ok(None);
            }
            for row in &rows {
                let id: i64 = col(row, "id").map_err(StoreError::query("call_tasks.claim_next"))?;
                let version: i64 =
                    col(row, "version").map_err(StoreError::query("call_tasks.claim_next"))?;
                if self
                    .try_claim(id, version, operator, now_ms, lease_ms)
                    .await?
                {
                    return self.get(&Scope::platform(), id).await.map(Some);
                }
            }
        }
        Err(StoreError::Conflict {
            what: "call_tasks.claim_next",
            detail: "every candidate was claimed by someone else meanwhile; try again".into(),
        })
    }

    /// Claims one task inside `scope` if it is claimable now; otherwise a
    /// [`StoreError::Conflict`] naming its state.
    pub async fn claim(
        &self,
        scope: &Scope,
        id: i64,
        operator: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<CallTask> {
        let task = self.get(scope, id).await?;
        if self
            .try_claim(id, task.version, operator, now_ms, lease_ms)
            .await?
        {
            return self.get(&Scope::platform(), id).await;
        }
        let now = self.get(&Scope::platform(), id).await?;
        Err(StoreError::Conflict {
            what: "call task",
            detail: format!(
                "task {id} is {} and cannot be claimed now",
                now.state_at(now_ms).as_str()
            ),
        })
    }

    async fn try_claim(
        &self,
        id: i64,
        version: i64,
        operator: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<bool> {
        if operator.trim().is_empty() {
            return Err(StoreError::invalid("operator", "must not be empty"));
        }
        let mut sql = Sql::new(
            "UPDATE call_tasks SET state = 'claimed', version = version + 1, claimed_by = ",
        );
        sql.arg(operator)
            .push(", claimed_at = ")
            .arg(now_ms)
            .push(", lease_until = ")
            .arg(now_ms.saturating_add(lease_ms.max(0)))
            .push(", updated_at = ")
            .arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version)
            .push(" AND ");
        // The claimable condition again, at the row's current values: a racing claim that
        // committed first has moved the version, and this UPDATE changes nothing.
        let now = sql.bind(now_ms);
        sql.push(&format!(
            "((state = 'queued' AND due_at <= {now}) OR (state = 'claimed' AND lease_until < {now}))"
        ));
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.claim"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the result of a call on a task its operator claimed, decided against
    /// `expected_version`: done, or back in the queue at [`AfterCall::RetryAt`]. Counts the
    /// attempt. A task no longer claimed by the operator, or changed meanwhile, is a
    /// [`StoreError::Conflict`] and nothing changes. (A lease that ran out without anyone else
    /// claiming the task still lets its operator record the call.)
    pub async fn finish(
        &self,
        id: i64,
        expected_version: i64,
        call: &CallRecord<'_>,
        now_ms: i64,
    ) -> StoreResult<CallTask> {
        let (state, due) = match call.after {
            AfterCall::Done => (CallTaskState::Done, None),
            AfterCall::RetryAt(at) => (CallTaskState::Queued, Some(at)),
        };
        let note = clip_note(call.note);
        let mut sql = Sql::new("UPDATE call_tasks SET state = ");
        sql.arg(state.as_str())
            .push(", version = version + 1, attempts = attempts + 1, result = ")
            .arg(call.result.as_str())
            .push(", note = ")
            .arg(note.as_deref())
            .push(", lease_until = NULL, updated_at = ")
            .arg(now_ms);
        if let Some(due) = due {
            sql.push(", due_at = ").arg(due);
        }
        sql.push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected_version)
            .push(" AND state = 'claimed' AND claimed_by = ")
            .arg(call.operator);
        // The call itself is kept as an attempt, with the task's result, in one transaction.
        let rows = {
            let _writer = self.store.write_guard().await;
            let mut tx = self.store.begin_write("call_tasks.begin").await?;
            let done = sql
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("call_tasks.finish"))?;
            if done.rows_affected() == 1 {
                let mut attempt = Sql::new(
                    "INSERT INTO call_attempts (task_id, unit_code, operator, result, at) \
                     SELECT id, unit_code, ",
                );
                attempt
                    .arg(call.operator)
                    .push(", ")
                    .arg(call.result.as_str())
                    .push(", ")
                    .arg(now_ms)
                    .push(" FROM call_tasks WHERE id = ")
                    .arg(id);
                attempt
                    .query()
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("call_tasks.attempt"))?;
            }
            tx.commit()
                .await
                .map_err(StoreError::query("call_tasks.commit"))?;
            done.rows_affected()
        };
        self.changed(rows, id, "record a result on", now_ms).await
    }

    /// Puts back a task exactly as `previous` was, if nothing touched it since it became
    /// `expected_version` (undoes a [`CallTasks::finish`] whose instruction change failed).
    pub async fn restore(&self, previous: &CallTask, expected_version: i64) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE call_tasks SET state = ");
        sql.arg(previous.state.as_str())
            .push(", version = version + 1, claimed_by = ")
            .arg(previous.claimed_by.as_deref())
            .push(", claimed_at = ")
            .arg(previous.claimed_at)
            .push(", lease_until = ")
            .arg(previous.lease_until)
            .push(", due_at = ")
            .arg(previous.due_at)
            .push(", attempts = ")
            .arg(previous.attempts)
            .push(", result = ")
            .arg(previous.result.map(CallResult::as_str))
            .push(", note = ")
            .arg(previous.note.as_deref())
            .push(" WHERE id = ")
            .arg(previous.id)
            .push(" AND version = ")
            .arg(expected_version);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("call_tasks.begin").await?;
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("call_tasks.restore"))?;
        if done.rows_affected() == 1 {
            // The undone call was the task's latest attempt.
            let mut undo = Sql::new(
                "DELETE FROM call_attempts WHERE id = (SELECT MAX(a.id) FROM call_attempts a \
                 WHERE a.task_id = ",
            );
            undo.arg(previous.id).push(")");
            undo.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("call_tasks.restore"))?;
            tx.commit()
                .await
                .map_err(StoreError::query("call_tasks.commit"))?;
            Ok(())
        } else {
            Err(StoreError::Conflict {
                what: "call task",
                detail: format!("task {} changed meanwhile", previous.id),
            })
        }
    }

    /// Gives a claimed task back to the queue without a call.
    pub async fn release(&self, id: i64, operator: &str, now_ms: i64) -> StoreResult<CallTask> {
        let mut sql = Sql::new(
            "UPDATE call_tasks SET state = 'queued', version = version + 1, claimed_by = NULL, \
             claimed_at = NULL, lease_until = NULL, updated_at = ",
        );
        sql.arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'claimed' AND claimed_by = ")
            .arg(operator);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.release"))?;
        self.changed(done.rows_affected(), id, "release", now_ms)
            .await
    }

    /// The task after a guarded update: changed, or a conflict saying where it stands.
    async fn changed(
        &self,
        rows: u64,
        id: i64,
        op: &'static str,
        now_ms: i64,
    ) -> StoreResult<CallTask> {
        let task = self.get(&Scope::platform(), id).await?;
        if rows == 1 {
            return Ok(task);
        }
        let holder = match (&task.claimed_by, task.state) {
            (Some(who), CallTaskState::Claimed) => format!(" by {who}"),
            _ => String::new(),
        };
        Err(StoreError::Conflict {
            what: "call task",
            detail: format!(
                "cannot {op} task {id}: it is {}{holder}",
                task.state_at(now_ms).as_str()
            ),
        })
    }

    /// Cancels the open tasks of an instruction (it got an outcome or was closed); returns
    /// how many. Whole platform: the closed loop acts for the system.
    pub async fn cancel_for_instruction(
        &self,
        instruction_id: &str,
        reason: &str,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let done = cancel_open_sql([(instruction_id, reason, now_ms)])
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.cancel"))?;
        Ok(done.rows_affected())
    }

    /// Tasks inside `scope` matching `filter` at `now_ms`: the queue order (most urgent level,
    /// then oldest); the page key is the last task's position in that order.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &CallTaskFilter,
        page: &PageRequest,
        now_ms: i64,
    ) -> StoreResult<Page<CallTask>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM call_tasks t WHERE "));
        scope.push_condition(&mut sql, "t.unit_code");
        push_filter(&mut sql, filter, now_ms);
        if let Some((level, created, id)) = page.after.as_deref().and_then(split_key) {
            sql.push(" AND (t.level > ")
                .arg(level)
                .push(" OR (t.level = ")
                .arg(level)
                .push(" AND (t.created_at > ")
                .arg(created)
                .push(" OR (t.created_at = ")
                .arg(created)
                .push(" AND t.id > ")
                .arg(id)
                .push("))))");
        }
        sql.push(" ORDER BY t.level, t.created_at, t.id LIMIT ")
            .arg(limit + 1);
        let items = self.fetch("call_tasks.list", &sql).await?;
        Ok(Page::from_overfetch(items, limit, |t| {
            format!("{}/{}/{}", t.level, t.created_at, t.id)
        }))
    }

    /// The calls recorded in `[from, until)` on tasks inside `scope`: how many, by result and
    /// by operator (seat), and how many people were called (a resident once however many
    /// numbers or tasks; a number once for tasks that name no resident).
    pub async fn call_figures(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<CallFigures> {
        let mut sql = Sql::new(
            "SELECT a.operator AS operator, a.result AS result, COUNT(*) AS n \
             FROM call_attempts a WHERE ",
        );
        scope.push_condition(&mut sql, "a.unit_code");
        sql.push(" AND a.at >= ")
            .arg(from)
            .push(" AND a.at < ")
            .arg(until)
            .push(" GROUP BY a.operator, a.result");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.figures"))?;
        let mut f = CallFigures::default();
        for r in &rows {
            let q = || StoreError::query("call_tasks.figures");
            let operator: String = col(r, "operator").map_err(q())?;
            let result: String = col(r, "result").map_err(q())?;
            let n: i64 = col(r, "n").map_err(q())?;
            let result = CallResult::parse(&result).ok_or_else(|| StoreError::Corrupt {
                what: "call result",
                detail: result.clone(),
            })?;
            f.all.add(result, n);
            f.by_operator.entry(operator).or_default().add(result, n);
        }
        let mut people = Sql::new(
            "SELECT COUNT(DISTINCT COALESCE(t.resident_id, t.msisdn)) AS n \
             FROM call_attempts a JOIN call_tasks t ON t.id = a.task_id WHERE ",
        );
        scope.push_condition(&mut people, "a.unit_code");
        people
            .push(" AND a.at >= ")
            .arg(from)
            .push(" AND a.at < ")
            .arg(until);
        let row = people
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.figures"))?;
        f.people = col(&row, "n").map_err(StoreError::query("call_tasks.figures"))?;
        Ok(f)
    }

    /// Tasks inside `scope` per state at `now_ms` (an expired claim counts as queued); every
    /// state is present, zero when none.
    pub async fn count_by_state(
        &self,
        scope: &Scope,
        now_ms: i64,
    ) -> StoreResult<Vec<(CallTaskState, i64)>> {
        let mut sql = Sql::new("SELECT CASE WHEN t.state = 'claimed' AND t.lease_until < ");
        sql.arg(now_ms)
            .push(" THEN 'queued' ELSE t.state END AS s, COUNT(*) AS n FROM call_tasks t WHERE ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" GROUP BY 1");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("call_tasks.count"))?;
        let mut out: Vec<(CallTaskState, i64)> =
            CallTaskState::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &rows {
            let s: String = col(r, "s").map_err(StoreError::query("call_tasks.count"))?;
            let n: i64 = col(r, "n").map_err(StoreError::query("call_tasks.count"))?;
            let state = CallTaskState::parse(&s).ok_or_else(|| StoreError::Corrupt {
                what: "call task state",
                detail: s.clone(),
            })?;
            if let Some(slot) = out.iter_mut().find(|(k, _)| *k == state) {
                slot.1 += n;
            }
        }
        Ok(out)
    }

    /// The tasks of one instruction inside `scope`, oldest first.
    pub async fn for_instruction(
        &self,
        scope: &Scope,
        instruction_id: &str,
    ) -> StoreResult<Vec<CallTask>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM call_tasks t WHERE t.instruction_id = "
        ));
        sql.arg(instruction_id).push(" AND ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" ORDER BY t.id");
        self.fetch("call_tasks.for_instruction", &sql).await
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &CallTaskFilter, now_ms: i64) {
    if f.open_only {
        sql.push(" AND t.state IN ('queued', 'claimed')");
    }
    if let Some(state) = f.state {
        sql.push(" AND ");
        push_state_at(sql, state, now_ms);
    }
    if let Some(id) = &f.instruction_id {
        sql.push(" AND t.instruction_id = ").arg(id.clone());
    }
    if let Some(who) = &f.claimed_by {
        sql.push(" AND t.claimed_by = ").arg(who.clone());
        sql.push(" AND ");
        push_state_at(sql, CallTaskState::Claimed, now_ms);
    }
}

/// Splits a `"<level>/<created_at>/<id>"` page key.
fn split_key(key: &str) -> Option<(i64, i64, i64)> {
    let mut parts = key.split('/');
    let level = parts.next()?.parse().ok()?;
    let created = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((level, created, id))
}

/// The update that cancels the open (queued or claimed) call tasks of the instructions in a row
/// source `c (instruction_id, reason, at)`: the one text every cancelling statement shares (the
/// group commit's PostgreSQL statement embeds it with a JSON row source).
macro_rules! cancel_open_tasks_from {
    ($source:literal) => {
        concat!(
            "UPDATE call_tasks SET state = 'cancelled', version = version + 1, \
             lease_until = NULL, cancel_reason = c.reason, updated_at = c.at FROM ",
            $source,
            " WHERE call_tasks.instruction_id = c.instruction_id \
             AND call_tasks.state IN ('queued', 'claimed')"
        )
    };
}
pub(crate) use cancel_open_tasks_from;

/// Cancels the open call tasks of each `(instruction id, reason, time)` in one statement (both
/// backends accept `WITH c (…) AS (VALUES …) UPDATE … FROM c`).
pub(crate) fn cancel_open_sql<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, i64)>,
) -> Sql<'a> {
    let mut sql = Sql::new("WITH c (instruction_id, reason, at) AS (VALUES ");
    for (i, (instruction_id, reason, at)) in rows.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(CAST(")
            .arg(instruction_id)
            .push(" AS TEXT), CAST(")
            .arg(reason)
            .push(" AS TEXT), CAST(")
            .arg(at)
            .push(" AS BIGINT))");
    }
    sql.push(concat!(") ", cancel_open_tasks_from!("c")));
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: CallTaskState, lease_until: Option<i64>) -> CallTask {
        CallTask {
            id: 1,
            instruction_id: "ZL1".into(),
            warning_id: "YJ1".into(),
            resident_id: None,
            msisdn: "13800000001".into(),
            level: 1,
            fraud_type: None,
            unit_code: "330281001001".into(),
            state,
            claimed_by: Some("seat01".into()),
            claimed_at: Some(0),
            lease_until,
            due_at: 0,
            attempts: 0,
            result: None,
            note: None,
            cancel_reason: None,
            version: 2,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn an_expired_claim_is_queued_again() {
        let t = task(CallTaskState::Claimed, Some(1_000));
        assert_eq!(t.state_at(1_000), CallTaskState::Claimed);
        assert!(t.held_by("seat01", 1_000));
        assert_eq!(t.state_at(1_001), CallTaskState::Queued);
        assert!(!t.held_by("seat01", 1_001));
        assert!(!t.held_by("seat02", 500));
        assert_eq!(
            task(CallTaskState::Done, None).state_at(5),
            CallTaskState::Done
        );
    }

    #[test]
    fn codes_round_trip() {
        for r in CallResult::ALL {
            assert_eq!(CallResult::parse(r.as_str()), Some(r));
        }
        for s in CallTaskState::ALL {
            assert_eq!(CallTaskState::parse(s.as_str()), Some(s));
        }
        assert_eq!(CallResult::parse("busy"), None);
    }

    #[test]
    fn page_keys_split_into_three_numbers() {
        assert_eq!(split_key("1/1700/42"), Some((1, 1700, 42)));
        assert_eq!(split_key("1/1700"), None);
        assert_eq!(split_key("1/x/2"), None);
        assert_eq!(split_key("1/2/3/4"), None);
    }
}
