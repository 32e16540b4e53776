//! The joint office's task list (任务清单): a task assigned to a member department with a
//! deadline, from a meeting or on its own; the member's progress report (落实情况) as the
//! office received it; its acceptance (验收完成) or its return with what is still missing and a
//! new deadline (退回). A task is overdue while not done past its deadline; it was done on time
//! when the report that was accepted came in by the deadline then in force.
//!
//! Every change is an entry of the task's history (`joint_task_events`) and an audit entry,
//! written in one transaction under the task's version (the number of entries), so two
//! concurrent changes cannot both land.

use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, decode_err, parse_code};
use crate::joint_office::{audit, commit, MAX_JOINT_NAME, MAX_JOINT_TEXT};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// One day in epoch ms.
const DAY_MS: i64 = 86_400_000;
/// The furthest a deadline may lie ahead (days).
pub const MAX_TASK_DAYS: i64 = 366;

code_enum! {
    /// Where a task stands.
    TaskState {
        /// 推进中: assigned (or returned), no report awaiting acceptance.
        Open => "open", "推进中", "In progress";
        /// 已报送落实情况: the member reported, the office has not judged it.
        Reported => "reported", "已报送待验收", "Reported, awaiting acceptance";
        /// 已完成.
        Done => "done", "已完成", "Done";
    }
}

code_enum! {
    /// An entry of a task's history.
    TaskEventKind {
        Assigned => "assigned", "部署任务", "Assigned";
        Reported => "reported", "报送落实情况", "Progress reported";
        Returned => "returned", "退回", "Returned";
        Accepted => "accepted", "验收完成", "Accepted";
        /// 督办: the office pressed the member on an open task.
        Pressed => "pressed", "督办", "Pressed";
    }
}

/// A task to assign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    pub member_id: i64,
    /// The meeting that decided it, of the member's joint office.
    pub meeting_id: Option<i64>,
    pub title: String,
    pub detail: String,
    pub due_at: i64,
    pub by: String,
}

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Task {
    pub id: i64,
    pub unit_code: String,
    pub member_id: i64,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub detail: String,
    pub assigned_by: String,
    pub assigned_at: i64,
    pub due_at: i64,
    pub state: TaskState,
    /// The report awaiting acceptance, or the one accepted.
    pub report: Option<String>,
    /// Who reported for the member.
    pub reporter: Option<String>,
    pub reported_at: Option<i64>,
    pub reported_by: Option<String>,
    pub returns: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    pub on_time: Option<bool>,
    pub version: i64,
}

impl Task {
    /// Not done and past its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.state != TaskState::Done && now > self.due_at
    }
}

/// An entry of a task's history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TaskEvent {
    pub seq: i64,
    pub kind: TaskEventKind,
    pub actor: String,
    pub at: i64,
    pub note: String,
    /// The deadline set by the entry (assigned, returned).
    pub due_at: Option<i64>,
}

/// Which tasks a list holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub member: Option<i64>,
    pub meeting: Option<i64>,
    /// Only tasks not done.
    pub pending: bool,
}

/// The task figures of an area: the period's and the current state's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TaskFigures {
    /// Assigned in the period.
    pub assigned: i64,
    /// Accepted in the period, and of them done on time.
    pub done: i64,
    pub done_on_time: i64,
    /// Not done now; of them reported and awaiting acceptance; overdue.
    pub pending: i64,
    pub reported: i64,
    pub overdue: i64,
}

/// One member's tasks, all time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemberTasks {
    pub pending: i64,
    pub overdue: i64,
    pub reported: i64,
    pub done: i64,
    pub done_on_time: i64,
}

const COLUMNS: &str = "t.id, t.unit_code, t.member_id, t.meeting_id, t.title, t.detail, \
    t.assigned_by, t.assigned_at, t.due_at, t.state, t.report, t.reporter, t.reported_at, \
    t.reported_by, t.returns, t.done_at, t.done_by, t.on_time, t.version";

fn from_row(r: &AnyRow) -> Result<Task, sqlx::Error> {
    let on_time: Option<i64> = col(r, "on_time")?;
    Ok(Task {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        member_id: col(r, "member_id")?,
        meeting_id: col(r, "meeting_id")?,
        title: col(r, "title")?,
        detail: col(r, "detail")?,
        assigned_by: col(r, "assigned_by")?,
        assigned_at: col(r, "assigned_at")?,
        due_at: col(r, "due_at")?,
        state: parse_code(r, "state", TaskState::parse)?,
        report: col(r, "report")?,
        reporter: col(r, "reporter")?,
        reported_at: col(r, "reported_at")?,
        reported_by: col(r, "reported_by")?,
        returns: col(r, "returns")?,
        done_at: col(r, "done_at")?,
        done_by: col(r, "done_by")?,
        on_time: on_time.map(|v| v != 0),
        version: col(r, "version")?,
    })
}

fn due_ok(due_at: i64, now: i64) -> StoreResult<()> {
    if due_at <= now {
        return Err(StoreError::invalid("due_at", "must lie in the future"));
    }
    if due_at > now + MAX_TASK_DAYS * DAY_MS {
        return Err(StoreError::invalid(
            "due_at",
            format!("at most {MAX_TASK_DAYS} days ahead"),
        ));
    }
    Ok(())
}

fn wrong_state(t: &Task, want: &str) -> StoreError {
    StoreError::Conflict {
        what: "joint office task",
        detail: format!(
            "task {} is {} ({}), it must be {want}: reload it",
            t.id,
            t.state.zh(),
            t.state.as_str()
        ),
    }
}

/// A change of a task: the `UPDATE` so far, the history entry and the audit detail.
struct Change<'a> {
    update: Sql<'a>,
    kind: TaskEventKind,
    note: &'a str,
    due_at: Option<i64>,
    detail: serde_json::Value,
}

/// The task list repository.
pub struct JointTasks<'s> {
    store: &'s Store,
}

impl<'s> JointTasks<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        JointTasks { store }
    }

    /// Assigns a task to an active member inside `scope`, due in the future (at most
    /// [`MAX_TASK_DAYS`] ahead); audited as `joint_task_assigned`.
    pub async fn assign(&self, scope: &Scope, t: &NewTask, now: i64) -> StoreResult<i64> {
        self.assign_with(scope, t, now, None).await
    }

    /// [`JointTasks::assign`], recording in the same transaction the shop or outlet the task
    /// was handed over for (泄露源头): the task and its link commit together or not at all.
    pub(crate) async fn assign_with(
        &self,
        scope: &Scope,
        t: &NewTask,
        now: i64,
        leak_source: Option<(&str, &str)>,
    ) -> StoreResult<i64> {
        let title = bounded_text("title", &t.title, MAX_JOINT_NAME * 2, true)?;
        let detail = bounded_text("detail", &t.detail, MAX_JOINT_TEXT, false)?;
        due_ok(t.due_at, now)?;
        let office = self.store.joint_office();
        let member = office.active_member(scope, t.member_id).await?;
        if let Some(meeting) = t.meeting_id {
            let g = office.meeting(scope, meeting).await?;
            if g.unit_code != member.unit_code {
                return Err(StoreError::invalid(
                    "meeting_id",
                    "the meeting was held by another joint office than the member's",
                ));
            }
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_tasks.begin").await?;
        let ctx = "joint_tasks.assign";
        let mut sql = Sql::new(
            "INSERT INTO joint_tasks (unit_code, member_id, meeting_id, title, detail, \
             assigned_by, assigned_at, due_at, state, version) VALUES (",
        );
        sql.arg(member.unit_code.as_str())
            .push(", ")
            .arg(t.member_id)
            .push(", ")
            .arg(t.meeting_id)
            .push(", ")
            .args([title.as_str(), &detail, &t.by])
            .push(", ")
            .arg(now)
            .push(", ")
            .arg(t.due_at)
            .push(", 'open', 1) RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        insert_event(
            &mut tx,
            (id, 1),
            TaskEventKind::Assigned,
            (&t.by, now),
            &title,
            Some(t.due_at),
        )
        .await?;
        audit(
            &mut tx,
            &t.by,
            "joint_task_assigned",
            ("joint_task", id),
            &member.unit_code,
            serde_json::json!({
                "member": member.name,
                "title": title,
                "due_at": t.due_at,
                "meeting_id": t.meeting_id,
            }),
        )
        .await?;
        if let Some((group_by, group_key)) = leak_source {
            let mut sql = Sql::new(
                "INSERT INTO leak_source_tasks (unit_code, group_by, group_key, task_id, \
                 created_by, created_at) VALUES (",
            );
            sql.arg(member.unit_code.as_str())
                .push(", ")
                .args([group_by, group_key])
                .push(", ")
                .arg(id)
                .push(", ")
                .arg(t.by.as_str())
                .push(", ")
                .arg(now)
                .push(")");
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("leak_source_tasks.hand_over"))?;
        }
        commit(tx).await?;
        Ok(id)
    }

    /// Records the member's progress report of an open task, as the office received it
    /// (`reporter`: who reported for the member); audited as `joint_task_reported`.
    pub async fn report(
        &self,
        scope: &Scope,
        id: i64,
        (report, reporter): (&str, &str),
        (version, by, now): (i64, &str, i64),
    ) -> StoreResult<Task> {
        let report = bounded_text("report", report, MAX_JOINT_TEXT, true)?;
        let reporter = bounded_text("reporter", reporter, MAX_JOINT_NAME, true)?;
        let t = self.get(scope, id).await?;
        if t.state != TaskState::Open {
            return Err(wrong_state(&t, "in progress"));
        }
        let mut update = Sql::new("UPDATE joint_tasks SET state = 'reported', report = ");
        update
            .arg(report.as_str())
            .push(", reporter = ")
            .arg(reporter.as_str())
            .push(", reported_at = ")
            .arg(now)
            .push(", reported_by = ")
            .arg(by);
        let detail = serde_json::json!({ "reporter": reporter, "late": now > t.due_at });
        self.change(
            &t,
            version,
            (by, now),
            Change {
                update,
                kind: TaskEventKind::Reported,
                note: &report,
                due_at: None,
                detail,
            },
        )
        .await?;
        self.get(scope, id).await
    }

    /// Accepts the report of a reported task: the task is done, on time when the report came
    /// in by the deadline; audited as `joint_task_accepted`.
    pub async fn accept(
        &self,
        scope: &Scope,
        id: i64,
        note: &str,
        (version, by, now): (i64, &str, i64),
    ) -> StoreResult<Task> {
        let note = bounded_text("note", note, MAX_JOINT_TEXT, false)?;
        let t = self.get(scope, id).await?;
        if t.state != TaskState::Reported {
            return Err(wrong_state(&t, "reported"));
        }
        let on_time = t.reported_at.is_some_and(|r| r <= t.due_at);
        let mut update = Sql::new("UPDATE joint_tasks SET state = 'done', done_at = ");
        update
            .arg(now)
            .push(", done_by = ")
            .arg(by)
            .push(", on_time = ")
            .arg(i64::from(on_time));
        self.change(
            &t,
            version,
            (by, now),
            Change {
                update,
                kind: TaskEventKind::Accepted,
                note: &note,
                due_at: None,
                detail: serde_json::json!({ "on_time": on_time }),
            },
        )
        .await?;
        self.get(scope, id).await
    }

    /// Presses the member on an open task (督办): what the office asks (required), the deadline
    /// unchanged; a history entry, audited as `joint_task_pressed`.
    pub async fn press(
        &self,
        scope: &Scope,
        id: i64,
        note: &str,
        (version, by, now): (i64, &str, i64),
    ) -> StoreResult<Task> {
        let note = bounded_text("note", note, MAX_JOINT_TEXT, true)?;
        let t = self.get(scope, id).await?;
        if t.state != TaskState::Open {
            return Err(wrong_state(&t, "open"));
        }
        // Nothing of the task itself changes but its version (the entry is the step).
        let update = Sql::new("UPDATE joint_tasks SET due_at = due_at");
        self.change(
            &t,
            version,
            (by, now),
            Change {
                update,
                kind: TaskEventKind::Pressed,
                note: &note,
                due_at: None,
                detail: serde_json::json!({ "due_at": t.due_at }),
            },
        )
        .await?;
        self.get(scope, id).await
    }

    /// Returns a reported task to the member: what is still missing (required) and a new
    /// deadline; audited as `joint_task_returned`.
    pub async fn send_back(
        &self,
        scope: &Scope,
        id: i64,
        (note, due_at): (&str, i64),
        (version, by, now): (i64, &str, i64),
    ) -> StoreResult<Task> {
        let note = bounded_text("note", note, MAX_JOINT_TEXT, true)?;
        due_ok(due_at, now)?;
        let t = self.get(scope, id).await?;
        if t.state != TaskState::Reported {
            return Err(wrong_state(&t, "reported"));
        }
        let mut update = Sql::new(
            "UPDATE joint_tasks SET state = 'open', report = NULL, reporter = NULL, \
             reported_at = NULL, reported_by = NULL, returns = returns + 1, due_at = ",
        );
        update.arg(due_at);
        self.change(
            &t,
            version,
            (by, now),
            Change {
                update,
                kind: TaskEventKind::Returned,
                note: &note,
                due_at: Some(due_at),
                detail: serde_json::json!({ "due_at": due_at, "before": t.due_at }),
            },
        )
        .await?;
        self.get(scope, id).await
    }

    async fn change(
        &self,
        t: &Task,
        version: i64,
        (by, now): (&str, i64),
        mut c: Change<'_>,
    ) -> StoreResult<()> {
        let seq = t.version + 1;
        c.update
            .push(", version = ")
            .arg(seq)
            .push(" WHERE id = ")
            .arg(t.id)
            .push(" AND version = ")
            .arg(version);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_tasks.begin").await?;
        let done = c
            .update
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("joint_tasks.change"))?;
        if done.rows_affected() != 1 || version != t.version {
            return Err(StoreError::Conflict {
                what: "joint office task",
                detail: format!(
                    "task {} changed since it was read (version {} now, {version} read): \
                     reload it",
                    t.id, t.version
                ),
            });
        }
        insert_event(&mut tx, (t.id, seq), c.kind, (by, now), c.note, c.due_at).await?;
        audit(
            &mut tx,
            by,
            &format!("joint_task_{}", c.kind.as_str()),
            ("joint_task", t.id),
            &t.unit_code,
            c.detail,
        )
        .await?;
        commit(tx).await
    }

    /// One task of a unit inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Task> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM joint_tasks t WHERE t.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.fetch_one_decoded(self.store.pool(), "joint_tasks.get", from_row, || {
            StoreError::NotFound {
                what: "joint office task",
                key: id.to_string(),
            }
        })
        .await
    }

    /// Open tasks (not reported, not done) of any unit whose deadline passed before `now` and
    /// for which no reminder went out for that deadline, earliest deadline first, at most
    /// `limit` (the deadline watch of every process; not scoped, it reads for the platform).
    pub async fn to_remind(&self, now: i64, limit: usize) -> StoreResult<Vec<Task>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM joint_tasks t WHERE t.state = 'open' AND t.due_at < "
        ));
        sql.arg(now)
            .push(
                " AND (t.reminded_due_at IS NULL OR t.reminded_due_at <> t.due_at) \
                 ORDER BY t.due_at, t.id LIMIT ",
            )
            .arg(limit.min(10_000) as i64);
        sql.fetch_decoded(self.store.pool(), "joint_tasks.to_remind", from_row)
            .await
    }

    /// Claims the reminder of `task` for its current deadline: `true` for the one caller that
    /// claims it, `false` when it was claimed already (by another process, or before a return
    /// changed the deadline). Not a step of the task: its version and history stay as they are.
    pub async fn claim_reminder(&self, task: &Task) -> StoreResult<bool> {
        let mut sql = Sql::new("UPDATE joint_tasks SET reminded_due_at = ");
        sql.arg(task.due_at)
            .push(" WHERE id = ")
            .arg(task.id)
            .push(" AND state = 'open' AND due_at = ")
            .arg(task.due_at)
            .push(" AND (reminded_due_at IS NULL OR reminded_due_at <> due_at)");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("joint_tasks.claim_reminder"))?;
        Ok(done.rows_affected() == 1)
    }

    /// The history of `task` (read inside the reader's scope), in order.
    pub async fn events(&self, task: &Task) -> StoreResult<Vec<TaskEvent>> {
        let mut sql = Sql::new(
            "SELECT seq, kind, actor, at, note, due_at FROM joint_task_events WHERE task_id = ",
        );
        sql.arg(task.id).push(" ORDER BY seq");
        sql.fetch_decoded(self.store.pool(), "joint_tasks.events", |r| {
            let kind: String = col(r, "kind")?;
            Ok(TaskEvent {
                seq: col(r, "seq")?,
                kind: TaskEventKind::parse(&kind)
                    .ok_or_else(|| decode_err("kind", format!("unknown entry `{kind}`")))?,
                actor: col(r, "actor")?,
                at: col(r, "at")?,
                note: col(r, "note")?,
                due_at: col(r, "due_at")?,
            })
        })
        .await
    }

    /// The tasks of units inside `scope` that `f` selects: those not done first, by deadline;
    /// then the done ones, latest done first.
    pub async fn list(&self, scope: &Scope, f: TaskFilter) -> StoreResult<Vec<Task>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM joint_tasks t WHERE "));
        scope.push_condition(&mut sql, "t.unit_code");
        if let Some(m) = f.member {
            sql.push(" AND t.member_id = ").arg(m);
        }
        if let Some(g) = f.meeting {
            sql.push(" AND t.meeting_id = ").arg(g);
        }
        if f.pending {
            sql.push(" AND t.state <> 'done'");
        }
        sql.push(
            " ORDER BY CASE WHEN t.state = 'done' THEN 1 ELSE 0 END, \
             CASE WHEN t.state = 'done' THEN 0 ELSE t.due_at END, t.done_at DESC, t.id",
        );
        sql.fetch_decoded(self.store.pool(), "joint_tasks.list", from_row)
            .await
    }

    /// The task figures of units inside `scope`: assigned and done in `[from, to)`, pending,
    /// reported and overdue at `now`. One aggregate query.
    pub async fn figures(
        &self,
        scope: &Scope,
        (from, to): (i64, i64),
        now: i64,
    ) -> StoreResult<TaskFigures> {
        let mut sql = Sql::new("SELECT SUM(CASE WHEN t.assigned_at >= ");
        sql.arg(from)
            .push(" AND t.assigned_at < ")
            .arg(to)
            .push(" THEN 1 ELSE 0 END) AS assigned, SUM(CASE WHEN t.done_at >= ")
            .arg(from)
            .push(" AND t.done_at < ")
            .arg(to)
            .push(" THEN 1 ELSE 0 END) AS done, SUM(CASE WHEN t.done_at >= ")
            .arg(from)
            .push(" AND t.done_at < ")
            .arg(to)
            .push(
                " AND t.on_time = 1 THEN 1 ELSE 0 END) AS done_on_time, \
                 SUM(CASE WHEN t.state <> 'done' THEN 1 ELSE 0 END) AS pending, \
                 SUM(CASE WHEN t.state = 'reported' THEN 1 ELSE 0 END) AS reported, \
                 SUM(CASE WHEN t.state <> 'done' AND t.due_at < ",
            )
            .arg(now)
            .push(" THEN 1 ELSE 0 END) AS overdue FROM joint_tasks t WHERE ");
        scope.push_condition(&mut sql, "t.unit_code");
        let ctx = "joint_tasks.figures";
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let n = |name: &'static str| -> StoreResult<i64> {
            let v: Option<i64> = col(&row, name).map_err(StoreError::query(ctx))?;
            Ok(v.unwrap_or(0))
        };
        Ok(TaskFigures {
            assigned: n("assigned")?,
            done: n("done")?,
            done_on_time: n("done_on_time")?,
            pending: n("pending")?,
            reported: n("reported")?,
            overdue: n("overdue")?,
        })
    }

    /// Every member's tasks (members of units inside `scope`), all time, by member id; members
    /// without a task are absent. One aggregate query.
    pub async fn by_member(
        &self,
        scope: &Scope,
        now: i64,
    ) -> StoreResult<HashMap<i64, MemberTasks>> {
        let mut sql = Sql::new(
            "SELECT t.member_id, \
             SUM(CASE WHEN t.state <> 'done' THEN 1 ELSE 0 END) AS pending, \
             SUM(CASE WHEN t.state <> 'done' AND t.due_at < ",
        );
        sql.arg(now).push(
            " THEN 1 ELSE 0 END) AS overdue, \
             SUM(CASE WHEN t.state = 'reported' THEN 1 ELSE 0 END) AS reported, \
             SUM(CASE WHEN t.state = 'done' THEN 1 ELSE 0 END) AS done, \
             SUM(CASE WHEN t.state = 'done' AND t.on_time = 1 THEN 1 ELSE 0 END) AS done_on_time \
             FROM joint_tasks t WHERE ",
        );
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" GROUP BY t.member_id");
        let n = |r: &AnyRow, name: &'static str| -> Result<i64, sqlx::Error> {
            Ok(col::<Option<i64>>(r, name)?.unwrap_or(0))
        };
        let rows = sql
            .fetch_decoded(self.store.pool(), "joint_tasks.by_member", |r| {
                Ok((
                    col::<i64>(r, "member_id")?,
                    MemberTasks {
                        pending: n(r, "pending")?,
                        overdue: n(r, "overdue")?,
                        reported: n(r, "reported")?,
                        done: n(r, "done")?,
                        done_on_time: n(r, "done_on_time")?,
                    },
                ))
            })
            .await?;
        Ok(rows.into_iter().collect())
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    (id, seq): (i64, i64),
    kind: TaskEventKind,
    (actor, at): (&str, i64),
    note: &str,
    due_at: Option<i64>,
) -> StoreResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO joint_task_events (task_id, seq, kind, actor, at, note, due_at) VALUES (",
    );
    sql.arg(id)
        .push(", ")
        .arg(seq)
        .push(", ")
        .arg(kind.as_str())
        .push(", ")
        .arg(actor)
        .push(", ")
        .arg(at)
        .push(", ")
        .arg(note)
        .push(", ")
        .arg(due_at)
        .push(")");
    sql.query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("joint_tasks.event"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: TaskState, due_at: i64) -> Task {
        Task {
            id: 1,
            unit_code: "330281".into(),
            member_id: 1,
            meeting_id: None,
            title: "t".into(),
            detail: String::new(),
            assigned_by: "a".into(),
            assigned_at: 0,
            due_at,
            state,
            report: None,
            reporter: None,
            reported_at: None,
            reported_by: None,
            returns: 0,
            done_at: None,
            done_by: None,
            on_time: None,
            version: 1,
        }
    }

    #[test]
    fn overdue_until_done() {
        assert!(!task(TaskState::Open, 100).overdue(100));
        assert!(task(TaskState::Open, 100).overdue(101));
        assert!(task(TaskState::Reported, 100).overdue(101));
        assert!(!task(TaskState::Done, 100).overdue(101));
    }

    #[test]
    fn codes_round_trip() {
        for s in TaskState::ALL {
            assert_eq!(TaskState::parse(s.as_str()), Some(*s));
        }
        for k in TaskEventKind::ALL {
            assert_eq!(TaskEventKind::parse(k.as_str()), Some(*k));
        }
    }

    #[test]
    fn deadlines_lie_ahead_within_a_year() {
        assert!(due_ok(1, 1).is_err());
        assert!(due_ok(2, 1).is_ok());
        assert!(due_ok(1 + MAX_TASK_DAYS * DAY_MS, 1).is_ok());
        assert!(due_ok(2 + MAX_TASK_DAYS * DAY_MS, 1).is_err());
    }
}
