//! Instructions of the closed loop: the append-only event list (the truth) and the projection
//! row that lists and deadline scans read.
//!
//! The store does not interpret events (the state machine lives in `fanzha-workflow`); it keeps
//! them in order and guarantees that two writers racing on one instruction cannot both win:
//! an append names the version it was decided against, and both the event's primary key
//! `(instruction_id, seq)` and the projection's `WHERE version = expected` reject the loser.

use crate::error::{StoreError, StoreResult};
use crate::page::{split_time_key, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// One event as stored: the envelope plus the full event as JSON.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub unit_code: String,
    /// The action's stable name (`signed`, `delegated`, …).
    pub action: String,
    /// The whole event, as the workflow serialised it.
    pub event: String,
}

/// The queryable projection of an instruction's state after its latest event.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Projection {
    /// The unit that must act now (decides who sees it).
    pub holder_unit: String,
    pub level: u8,
    /// Status code (`issued`, `signed`, `contacting`, `dissuaded`, …, `closed`).
    pub status: String,
    pub assignee: Option<String>,
    /// Earliest deadline still able to breach; `None` when none can.
    pub next_due_at: Option<i64>,
    pub overdue: bool,
    pub open: bool,
    pub saved_fen: i64,
    pub loss_fen: i64,
    pub version: i64,
    /// The derived state as JSON (a cache: the events are the truth).
    pub state: String,
}

/// An instruction to create together with its first event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInstruction {
    pub id: String,
    pub resident_id: Option<String>,
    /// The unit owning the person's residence (where the instruction should end up).
    pub owner_unit: String,
    pub fraud_type: Option<String>,
    pub issued_at: i64,
    pub projection: Projection,
    pub first_event: EventRow,
}

/// A stored instruction (projection and identity).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredInstruction {
    pub id: String,
    pub resident_id: Option<String>,
    pub owner_unit: String,
    pub fraud_type: Option<String>,
    pub issued_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub projection: Projection,
}

/// Which instructions to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstructionFilter {
    /// Only open (not closed) ones.
    pub open_only: bool,
    /// Only these status codes (empty: any).
    pub statuses: Vec<String>,
    /// Only this level.
    pub level: Option<u8>,
    pub overdue_only: bool,
    /// Only those held by exactly this unit (not its subtree).
    pub held_by: Option<String>,
    /// Issued at or after.
    pub issued_since: Option<i64>,
    /// Only those about this resident.
    pub resident_id: Option<String>,
    /// Only this fraud type (a code), or — `Some("untyped")` — those without one: the queue of
    /// an analyst group working one type (分类研判).
    pub fraud_type: Option<String>,
    /// Only these stored fraud types (an analysis group's types, every spelling); an empty
    /// list matches nothing.
    pub fraud_types: Option<Vec<String>>,
    /// Only those with at least this many warnings merged in (多次预警: the person was warned
    /// again while the instruction was open).
    pub min_warnings: Option<i64>,
    /// Only those a fund warning (资金预警) was merged into.
    pub fund_only: bool,
}

pub(crate) const COLUMNS: &str =
    "i.id, i.resident_id, i.holder_unit, i.owner_unit, i.level, i.status, \
     i.fraud_type, i.assignee, i.issued_at, i.next_due_at, i.overdue, i.open, i.saved_fen, \
     i.loss_fen, i.version, i.state, i.updated_at";

pub(crate) fn from_row(row: &AnyRow) -> Result<StoredInstruction, sqlx::Error> {
    let level: i64 = col(row, "level")?;
    Ok(StoredInstruction {
        id: col(row, "id")?,
        resident_id: col(row, "resident_id")?,
        owner_unit: col(row, "owner_unit")?,
        fraud_type: col(row, "fraud_type")?,
        issued_at: col(row, "issued_at")?,
        updated_at: col(row, "updated_at")?,
        projection: Projection {
            holder_unit: col(row, "holder_unit")?,
            level: u8::try_from(level).unwrap_or(3),
            status: col(row, "status")?,
            assignee: col(row, "assignee")?,
            next_due_at: col(row, "next_due_at")?,
            overdue: flag(row, "overdue")?,
            open: flag(row, "open")?,
            saved_fen: col(row, "saved_fen")?,
            loss_fen: col(row, "loss_fen")?,
            version: col(row, "version")?,
            state: col(row, "state")?,
        },
    })
}

pub(crate) fn event_from_row(row: &AnyRow) -> Result<EventRow, sqlx::Error> {
    Ok(EventRow {
        seq: col(row, "seq")?,
        at: col(row, "at")?,
        actor: col(row, "actor")?,
        unit_code: col(row, "unit_code")?,
        action: col(row, "action")?,
        event: col(row, "event")?,
    })
}

/// The instructions repository.
pub struct Instructions<'s> {
    store: &'s Store,
}

impl<'s> Instructions<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Instructions { store }
    }

    pub(crate) fn store(&self) -> &'s Store {
        self.store
    }

    /// Creates an instruction with its first event, atomically.
    pub async fn create(&self, new: &NewInstruction) -> StoreResult<()> {
        if new.first_event.seq != 1 || new.projection.version != 1 {
            return Err(StoreError::invalid(
                "first_event",
                "an instruction starts at sequence and version 1",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("instructions.begin").await?;
        let p = &new.projection;
        let mut sql = Sql::new(
            "INSERT INTO instructions (id, resident_id, holder_unit, owner_unit, level, status, \
             fraud_type, assignee, issued_at, next_due_at, overdue, open, saved_fen, loss_fen, \
             version, state, updated_at) VALUES (",
        );
        sql.arg(new.id.as_str())
            .push(", ")
            .arg(new.resident_id.as_deref())
            .push(", ")
            .arg(p.holder_unit.as_str())
            .push(", ")
            .arg(new.owner_unit.as_str())
            .push(", ")
            .arg(i64::from(p.level))
            .push(", ")
            .arg(p.status.as_str())
            .push(", ")
            .arg(new.fraud_type.as_deref())
            .push(", ")
            .arg(p.assignee.as_deref())
            .push(", ")
            .arg(new.issued_at)
            .push(", ")
            .arg(p.next_due_at)
            .push(", ")
            .arg(p.overdue)
            .push(", ")
            .arg(p.open)
            .push(", ")
            .arg(p.saved_fen)
            .push(", ")
            .arg(p.loss_fen)
            .push(", ")
            .arg(p.version)
            .push(", ")
            .arg(p.state.as_str())
            .push(", ")
            .arg(new.first_event.at)
            .push(")");
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("instructions.create"))?;
        insert_event(&mut tx, &new.id, &new.first_event).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("instructions.commit"))?;
        Ok(())
    }

    /// Appends events decided against `expected_version` and stores the new projection, in one
    /// transaction. A writer that lost the race gets [`StoreError::Conflict`] and nothing of
    /// its change is kept.
    pub async fn append(
        &self,
        id: &str,
        expected_version: i64,
        events: &[EventRow],
        projection: &Projection,
    ) -> StoreResult<()> {
        self.append_audited(id, expected_version, events, projection, &[])
            .await
    }

    /// [`Instructions::append`] with the audit entries of the change written in the same
    /// transaction: the change and its audit trail commit together or not at all.
    pub async fn append_audited(
        &self,
        id: &str,
        expected_version: i64,
        events: &[EventRow],
        projection: &Projection,
        audit: &[crate::audit::NewAuditEntry],
    ) -> StoreResult<()> {
        self.append_audited_with(id, expected_version, events, projection, audit, None)
            .await
    }

    /// [`Instructions::append_audited`], running `also` (a statement that belongs to the change,
    /// such as cancelling the instruction's open call tasks) in the same transaction.
    pub(crate) async fn append_audited_with(
        &self,
        id: &str,
        expected_version: i64,
        events: &[EventRow],
        projection: &Projection,
        audit: &[crate::audit::NewAuditEntry],
        also: Option<Sql<'_>>,
    ) -> StoreResult<()> {
        let conflict = |detail: String| StoreError::Conflict {
            what: "instruction",
            detail,
        };
        for (i, e) in events.iter().enumerate() {
            if e.seq != expected_version + 1 + i as i64 {
                return Err(StoreError::invalid(
                    "seq",
                    format!("event {} does not follow version {expected_version}", e.seq),
                ));
            }
        }
        if projection.version != expected_version + events.len() as i64 {
            return Err(StoreError::invalid(
                "version",
                "projection version must count the appended events",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("instructions.begin").await?;
        // The projection update first: on PostgreSQL it takes the row lock, so a concurrent
        // writer waits here and then finds the version moved on.
        let mut sql = Sql::new("UPDATE instructions SET holder_unit = ");
        sql.arg(projection.holder_unit.as_str())
            .push(", level = ")
            .arg(i64::from(projection.level))
            .push(", status = ")
            .arg(projection.status.as_str())
            .push(", assignee = ")
            .arg(projection.assignee.as_deref())
            .push(", next_due_at = ")
            .arg(projection.next_due_at)
            .push(", overdue = ")
            .arg(projection.overdue)
            .push(", open = ")
            .arg(projection.open)
            .push(", saved_fen = ")
            .arg(projection.saved_fen)
            .push(", loss_fen = ")
            .arg(projection.loss_fen)
            .push(", version = ")
            .arg(projection.version)
            .push(", state = ")
            .arg(projection.state.as_str())
            .push(", updated_at = ")
            .arg(events.last().map(|e| e.at).unwrap_or_default())
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected_version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("instructions.append"))?;
        if done.rows_affected() != 1 {
            return Err(match self.find_version(id).await? {
                None => StoreError::NotFound {
                    what: "instruction",
                    key: id.to_string(),
                },
                Some(actual) => conflict(format!(
                    "expected version {expected_version}, found {actual}; reload and retry"
                )),
            });
        }
        for e in events {
            insert_event(&mut tx, id, e).await.map_err(|e| match e {
                StoreError::Conflict { detail, .. } => conflict(detail),
                other => other,
            })?;
        }
        for entry in audit {
            crate::audit::append_on(&mut tx, entry).await?;
        }
        if let Some(also) = also {
            also.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("instructions.append.also"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("instructions.commit"))?;
        Ok(())
    }

    pub(crate) async fn find_version(&self, id: &str) -> StoreResult<Option<i64>> {
        let mut sql = Sql::new("SELECT version FROM instructions WHERE id = ");
        sql.arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.version"))?;
        row.map(|r| col(&r, "version"))
            .transpose()
            .map_err(StoreError::query("instructions.version"))
    }

    /// One instruction; [`StoreError::NotFound`] when absent or held outside the scope.
    pub async fn get(&self, scope: &Scope, id: &str) -> StoreResult<StoredInstruction> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM instructions i WHERE i.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "i.holder_unit");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("instructions.get")),
            None => Err(StoreError::NotFound {
                what: "instruction",
                key: id.to_string(),
            }),
        }
    }

    /// Which of `ids` are held inside the scope (those a viewer may open): a list links only
    /// those, so that a station does not follow a warning of its area to an instruction its
    /// county still holds.
    pub async fn held_within(
        &self,
        scope: &Scope,
        ids: &[String],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut held = std::collections::HashSet::new();
        // Bounded lists of ids (a page), in chunks to stay far below any bind limit.
        for chunk in ids.chunks(200) {
            let mut sql = Sql::new("SELECT i.id FROM instructions i WHERE i.id IN (");
            for (n, id) in chunk.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.arg(id.as_str());
            }
            sql.push(") AND ");
            scope.push_condition(&mut sql, "i.holder_unit");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("instructions.held_within"))?;
            for row in rows {
                held.insert(
                    col(&row, "id").map_err(StoreError::query("instructions.held_within"))?,
                );
            }
        }
        Ok(held)
    }

    /// The events of an instruction held inside the scope, in order.
    pub async fn events(&self, scope: &Scope, id: &str) -> StoreResult<Vec<EventRow>> {
        self.get(scope, id).await?;
        self.events_unscoped(id).await
    }

    async fn events_unscoped(&self, id: &str) -> StoreResult<Vec<EventRow>> {
        let mut sql = Sql::new(
            "SELECT seq, at, actor, unit_code, action, event FROM instruction_events \
             WHERE instruction_id = ",
        );
        sql.arg(id).push(" ORDER BY seq");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.events"))?;
        rows.iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("instructions.events"))
    }

    /// Instructions held inside the scope, newest first; the page key is `"<issued_at>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &InstructionFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<StoredInstruction>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM instructions i WHERE "));
        scope.push_condition(&mut sql, "i.holder_unit");
        push_filter(&mut sql, filter);
        if let Some((at, id)) = page.after.as_deref().and_then(split_time_key) {
            sql.push(" AND (i.issued_at < ")
                .arg(at)
                .push(" OR (i.issued_at = ")
                .arg(at)
                .push(" AND i.id < ")
                .arg(id.to_string())
                .push("))");
        }
        sql.push(" ORDER BY i.issued_at DESC, i.id DESC LIMIT ")
            .arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("instructions.list"))?;
        Ok(Page::from_overfetch(items, limit, |i| {
            format!("{}/{}", i.issued_at, i.id)
        }))
    }

    /// Counts per status code of instructions inside the scope matching the filter.
    pub async fn count_by_status(
        &self,
        scope: &Scope,
        filter: &InstructionFilter,
    ) -> StoreResult<Vec<(String, i64)>> {
        let mut sql =
            Sql::new("SELECT i.status AS status, COUNT(*) AS n FROM instructions i WHERE ");
        scope.push_condition(&mut sql, "i.holder_unit");
        push_filter(&mut sql, filter);
        sql.push(" GROUP BY i.status ORDER BY i.status");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.count"))?;
        rows.iter()
            .map(|r| Ok((col(r, "status")?, col(r, "n")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("instructions.count"))
    }

    /// Ids of open instructions whose next deadline is at or before `now_ms` (whole platform:
    /// the deadline watcher acts for the system), earliest first.
    pub async fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<String>> {
        let mut sql = Sql::new(
            "SELECT id FROM instructions WHERE open = 1 AND next_due_at IS NOT NULL AND next_due_at < ",
        );
        sql.arg(now_ms)
            .push(" ORDER BY next_due_at LIMIT ")
            .arg(i64::from(limit.max(1)));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.due"))?;
        rows.iter()
            .map(|r| col(r, "id"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("instructions.due"))
    }

    /// The open instruction about this resident, if any (whole platform: used when routing a
    /// new warning, which may merge into it wherever it is held).
    pub async fn open_for_resident(&self, resident_id: &str) -> StoreResult<Option<String>> {
        let mut sql = Sql::new("SELECT id FROM instructions WHERE open = 1 AND resident_id = ");
        sql.arg(resident_id)
            .push(" ORDER BY issued_at DESC LIMIT 1");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("instructions.open_for_resident"))?;
        row.map(|r| col(&r, "id"))
            .transpose()
            .map_err(StoreError::query("instructions.open_for_resident"))
    }

    /// One instruction without a scope, for the system's own steps (deadline watcher, merging).
    pub async fn get_for_system(&self, id: &str) -> StoreResult<StoredInstruction> {
        self.get(&Scope::platform(), id).await
    }

    /// Events without a scope, for the system's own steps (empty for an unknown id).
    pub async fn events_for_system(&self, id: &str) -> StoreResult<Vec<EventRow>> {
        self.events_unscoped(id).await
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &InstructionFilter) {
    if f.open_only {
        sql.push(" AND i.open = 1");
    }
    if f.overdue_only {
        sql.push(" AND i.overdue = 1");
    }
    if let Some(level) = f.level {
        sql.push(" AND i.level = ").arg(i64::from(level));
    }
    if let Some(unit) = &f.held_by {
        sql.push(" AND i.holder_unit = ").arg(unit.clone());
    }
    if let Some(since) = f.issued_since {
        sql.push(" AND i.issued_at >= ").arg(since);
    }
    if let Some(rid) = &f.resident_id {
        sql.push(" AND i.resident_id = ").arg(rid.clone());
    }
    match f.fraud_type.as_deref() {
        None => {}
        Some("untyped") => {
            sql.push(" AND i.fraud_type IS NULL");
        }
        Some(t) => {
            sql.push(" AND i.fraud_type = ").arg(t.to_string());
        }
    }
    match f.fraud_types.as_deref() {
        None => {}
        Some([]) => {
            sql.push(" AND 1 = 0");
        }
        Some(types) => {
            sql.push(" AND i.fraud_type IN (")
                .args(types.iter().cloned())
                .push(")");
        }
    }
    if let Some(n) = f.min_warnings {
        sql.push(
            " AND i.id IN (SELECT instruction_id FROM warnings WHERE instruction_id IS NOT NULL \
             GROUP BY instruction_id HAVING COUNT(*) >= ",
        )
        .arg(n)
        .push(")");
    }
    if f.fund_only {
        sql.push(
            " AND i.id IN (SELECT instruction_id FROM warnings WHERE instruction_id IS NOT NULL \
             AND push_kind = 'fund')",
        );
    }
    if !f.statuses.is_empty() {
        sql.push(" AND i.status IN (")
            .args(f.statuses.iter().cloned())
            .push(")");
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    e: &EventRow,
) -> StoreResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO instruction_events (instruction_id, seq, at, actor, unit_code, action, event) VALUES (",
    );
    sql.arg(id)
        .push(", ")
        .arg(e.seq)
        .push(", ")
        .arg(e.at)
        .push(", ")
        .arg(e.actor.as_str())
        .push(", ")
        .arg(e.unit_code.as_str())
        .push(", ")
        .arg(e.action.as_str())
        .push(", ")
        .arg(e.event.as_str())
        .push(")");
    sql.query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("instruction_events.insert"))?;
    Ok(())
}
