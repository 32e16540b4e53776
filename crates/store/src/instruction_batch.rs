//! Group commit of instruction changes: many officers' changes, decided separately, read in
//! two queries and written in one transaction (one statement on PostgreSQL).
//!
//! The guarantees are those of [`Instructions::append_audited`], per change: a change commits
//! only if the projection still has the version it was decided against, its events and audit
//! entries commit with it, and a change that lost a race is reported as a conflict while the
//! others in the batch still commit. A change that settles its instruction cancels the
//! instruction's open call tasks in the same transaction ([`InstructionChange::cancel_calls`]).

use crate::audit::NewAuditEntry;
use crate::call_tasks::{cancel_open_sql, cancel_open_tasks_from};
use crate::error::{StoreError, StoreResult};
use crate::instructions::{event_from_row, from_row, EventRow, Instructions, Projection};
use crate::instructions::{StoredInstruction, COLUMNS};
use crate::sql::{col, Sql};
use crate::store::now_ms;
use std::collections::{HashMap, HashSet};

/// An instruction as a batch reads it: the stored row, the materialised path of the holding
/// unit (`None` when the unit is not in the org tree) for the caller's scope check, and every
/// event in order.
#[derive(Clone, Debug)]
pub struct LoadedInstruction {
    pub stored: StoredInstruction,
    pub holder_path: Option<String>,
    pub events: Vec<EventRow>,
}

/// One decided change of a batch.
#[derive(Clone, Debug)]
pub struct InstructionChange {
    pub id: String,
    /// The version the events were decided against.
    pub expected_version: i64,
    pub events: Vec<EventRow>,
    pub projection: Projection,
    pub audit: Vec<NewAuditEntry>,
    /// When set, the instruction's open call tasks (queued or claimed) are cancelled with this
    /// reason, at the time of the change's last event, if and only if the change commits.
    pub cancel_calls: Option<String>,
}

/// Rows per multi-row statement; keeps every statement far below both backends' limits on
/// bound parameters (SQLite 32,766; PostgreSQL 65,535).
const CHUNK: usize = 256;

impl Instructions<'_> {
    /// The instructions with these ids and their events, in two queries. Unknown ids are
    /// absent from the answer. Not scoped: the caller checks `holder_path` against the reader's
    /// scope ([`crate::Scope::contains_path`]) before showing or changing anything.
    pub async fn load_many(&self, ids: &[&str]) -> StoreResult<HashMap<String, LoadedInstruction>> {
        let mut out: HashMap<String, LoadedInstruction> = HashMap::with_capacity(ids.len());
        // The ids travel as one JSON array, so each query's text is the same for every batch
        // size and is prepared once per connection. On PostgreSQL they are matched as an array
        // (`= ANY`): as `IN (SELECT …)` the planner, which guesses 100 ids, preferred a hash
        // join over a scan of every event to the primary-key lookups, once per batch.
        let in_ids = match self.store().backend() {
            crate::Backend::Postgres => {
                "= ANY (ARRAY(SELECT json_array_elements_text(CAST($1 AS json))))"
            }
            crate::Backend::Sqlite => "IN (SELECT value FROM json_each($1))",
        };
        for chunk in ids.chunks(CHUNK) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let mut rows_sql = Sql::new(format!(
                "SELECT {COLUMNS}, u.path AS holder_path FROM instructions i \
                 LEFT JOIN org_units u ON u.code = i.holder_unit WHERE i.id {in_ids}"
            ));
            rows_sql.bind(json.clone());
            let mut events_sql = Sql::new(format!(
                "SELECT instruction_id, seq, at, actor, unit_code, action, event \
                 FROM instruction_events WHERE instruction_id {in_ids} \
                 ORDER BY instruction_id, seq"
            ));
            events_sql.bind(json);
            // Both on their own connection at once: a batch waits for one round trip, not two.
            // Events written between the two reads show up as a version mismatch at commit.
            let (rows, event_rows) = tokio::try_join!(
                async {
                    rows_sql
                        .query()
                        .fetch_all(self.store().pool())
                        .await
                        .map_err(StoreError::query("instructions.load_many"))
                },
                async {
                    events_sql
                        .query()
                        .fetch_all(self.store().pool())
                        .await
                        .map_err(StoreError::query("instructions.load_many.events"))
                },
            )?;
            for r in &rows {
                let stored = from_row(r).map_err(StoreError::query("instructions.load_many"))?;
                let holder_path: Option<String> =
                    col(r, "holder_path").map_err(StoreError::query("instructions.load_many"))?;
                out.insert(
                    stored.id.clone(),
                    LoadedInstruction {
                        stored,
                        holder_path,
                        events: Vec::new(),
                    },
                );
            }
            for r in &event_rows {
                let id: String = col(r, "instruction_id")
                    .map_err(StoreError::query("instructions.load_many.events"))?;
                let e = event_from_row(r)
                    .map_err(StoreError::query("instructions.load_many.events"))?;
                if let Some(l) = out.get_mut(&id) {
                    l.events.push(e);
                }
            }
        }
        Ok(out)
    }

    /// Commits every change whose instruction still has the expected version, in one
    /// transaction; answers one result per change, in order. A change that lost a race gets
    /// [`StoreError::Conflict`] and leaves nothing behind. Ids must be distinct within a batch.
    ///
    /// When the batch as a whole fails (a constraint no version check foresaw), each change is
    /// retried alone, so one bad change cannot sink the others.
    pub async fn commit_many(&self, changes: &[InstructionChange]) -> Vec<StoreResult<()>> {
        let mut invalid: HashMap<usize, StoreError> = HashMap::new();
        let mut seen = HashSet::new();
        for (k, c) in changes.iter().enumerate() {
            if let Err(e) = check_change(c) {
                invalid.insert(k, e);
            } else if !seen.insert(c.id.as_str()) {
                invalid.insert(
                    k,
                    StoreError::invalid("id", format!("instruction {} twice in a batch", c.id)),
                );
            }
        }
        let valid: Vec<&InstructionChange> = changes
            .iter()
            .enumerate()
            .filter(|(k, _)| !invalid.contains_key(k))
            .map(|(_, c)| c)
            .collect();
        let committed = match self.commit_together(&valid).await {
            Ok(updated) => Some(updated),
            Err(e) => {
                tracing::warn!(error = %e, changes = valid.len(), "batch commit failed; committing one by one");
                None
            }
        };
        let mut out = Vec::with_capacity(changes.len());
        for (k, c) in changes.iter().enumerate() {
            if let Some(e) = invalid.remove(&k) {
                out.push(Err(e));
                continue;
            }
            let result = match &committed {
                Some(updated) if updated.contains(&c.id) => Ok(()),
                Some(_) => Err(self.lost_race(c).await),
                // The change's open call tasks are cancelled inside its own transaction, as in
                // the batch: the change and the cancel commit together or not at all.
                None => {
                    self.append_audited_with(
                        &c.id,
                        c.expected_version,
                        &c.events,
                        &c.projection,
                        &c.audit,
                        c.cancel_calls.is_some().then(|| cancel_calls(&[c])),
                    )
                    .await
                }
            };
            out.push(result);
        }
        out
    }

    /// Why a change's projection update matched no row: gone, or moved on.
    async fn lost_race(&self, c: &InstructionChange) -> StoreError {
        match self.find_version(&c.id).await {
            Ok(None) => StoreError::NotFound {
                what: "instruction",
                key: c.id.clone(),
            },
            Ok(Some(actual)) => StoreError::Conflict {
                what: "instruction",
                detail: format!(
                    "expected version {}, found {actual}; reload and retry",
                    c.expected_version
                ),
            },
            Err(e) => e,
        }
    }

    /// One transaction: the projections (guarded by version), then the events and audit
    /// entries of the changes whose projection moved. Answers the ids that committed.
    async fn commit_together(
        &self,
        changes: &[&InstructionChange],
    ) -> StoreResult<HashSet<String>> {
        if changes.is_empty() {
            return Ok(HashSet::new());
        }
        if self.store().backend() == crate::Backend::Postgres && fits_one_statement(changes) {
            return self.commit_in_one_statement(changes).await;
        }
        let _writer = self.store().write_guard().await;
        let mut tx = self.store().begin_write("instructions.batch.begin").await?;
        let mut updated = HashSet::with_capacity(changes.len());
        for chunk in changes.chunks(CHUNK) {
            let rows = update_projections(chunk)
                .query()
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::query("instructions.batch.update"))?;
            for r in &rows {
                updated.insert(
                    col::<String>(r, "id")
                        .map_err(StoreError::query("instructions.batch.update"))?,
                );
            }
        }
        let moved: Vec<&InstructionChange> = changes
            .iter()
            .copied()
            .filter(|c| updated.contains(&c.id))
            .collect();
        let events: Vec<(&str, &EventRow)> = moved
            .iter()
            .flat_map(|c| c.events.iter().map(move |e| (c.id.as_str(), e)))
            .collect();
        for chunk in events.chunks(CHUNK) {
            insert_events(chunk)
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("instruction_events.batch.insert"))?;
        }
        let audit: Vec<&NewAuditEntry> = moved.iter().flat_map(|c| c.audit.iter()).collect();
        let at = now_ms();
        let details: Vec<String> = audit.iter().map(|a| a.detail.to_string()).collect();
        for (entries, details) in audit.chunks(CHUNK).zip(details.chunks(CHUNK)) {
            insert_audit(entries, details, at)
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("audit_log.batch.append"))?;
        }
        let settled: Vec<&InstructionChange> = moved
            .iter()
            .copied()
            .filter(|c| c.cancel_calls.is_some())
            .collect();
        for chunk in settled.chunks(CHUNK) {
            cancel_calls(chunk)
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("call_tasks.batch.cancel"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("instructions.batch.commit"))?;
        Ok(updated)
    }
}

impl Instructions<'_> {
    /// PostgreSQL: the whole batch as one statement whose data-modifying `WITH` parts update
    /// the projections, insert the events and audit entries and cancel the open call tasks of
    /// exactly the changes whose projection moved. One statement is one implicit transaction,
    /// so this is atomic like [`Instructions::commit_together`]'s transaction, in one round
    /// trip instead of six.
    ///
    /// The rows travel as four JSON arrays, so the statement text is the same for every batch
    /// size: it is parsed and planned once per connection, not once per batch.
    async fn commit_in_one_statement(
        &self,
        changes: &[&InstructionChange],
    ) -> StoreResult<HashSet<String>> {
        let at = now_ms();
        let mut projections = Vec::with_capacity(changes.len());
        let mut events = Vec::new();
        let mut audit = Vec::new();
        let mut cancels = Vec::new();
        for c in changes {
            let p = &c.projection;
            projections.push(serde_json::json!({
                "id": c.id, "expected": c.expected_version, "holder_unit": p.holder_unit,
                "level": p.level, "status": p.status, "assignee": p.assignee,
                "next_due_at": p.next_due_at, "overdue": i64::from(p.overdue),
                "open": i64::from(p.open), "saved_fen": p.saved_fen, "loss_fen": p.loss_fen,
                "version": p.version, "state": p.state,
                "updated_at": settled_at(c),
            }));
            for e in &c.events {
                events.push(serde_json::json!({
                    "instruction_id": c.id, "seq": e.seq, "at": e.at, "actor": e.actor,
                    "unit_code": e.unit_code, "action": e.action, "event": e.event,
                }));
            }
            for a in &c.audit {
                // An entry belongs to the change it came with (its target may name anything).
                audit.push(serde_json::json!({
                    "change_id": c.id, "at": at, "actor": a.actor, "action": a.action,
                    "target_type": a.target_type, "target_id": a.target_id,
                    "unit_code": a.unit_code, "detail": a.detail.to_string(),
                }));
            }
            if let Some(reason) = &c.cancel_calls {
                cancels.push(serde_json::json!({
                    "instruction_id": c.id, "reason": reason, "at": settled_at(c),
                }));
            }
        }
        let json = |rows: Vec<serde_json::Value>| serde_json::Value::Array(rows).to_string();
        let mut sql = Sql::new(PG_COMMIT_BATCH);
        sql.bind(json(projections));
        sql.bind(json(events));
        sql.bind(json(audit));
        sql.bind(json(cancels));
        let rows = sql
            .query()
            .fetch_all(self.store().pool())
            .await
            .map_err(StoreError::query("instructions.batch.commit"))?;
        rows.iter()
            .map(|r| col::<String>(r, "id").map_err(StoreError::query("instructions.batch.commit")))
            .collect()
    }
}

/// [`Instructions::commit_in_one_statement`]: `$1` projections, `$2` events, `$3` audit
/// entries, `$4` call-task cancellations, each a JSON array of objects.
const PG_COMMIT_BATCH: &str = concat!(
    "WITH v AS (SELECT * FROM json_to_recordset(CAST($1 AS json)) AS x (\
     id text, expected bigint, holder_unit text, level bigint, status text, assignee text, \
     next_due_at bigint, overdue bigint, open bigint, saved_fen bigint, loss_fen bigint, \
     version bigint, state text, updated_at bigint)), \
     upd AS (UPDATE instructions SET holder_unit = v.holder_unit, level = v.level, \
     status = v.status, assignee = v.assignee, next_due_at = v.next_due_at, \
     overdue = v.overdue, open = v.open, saved_fen = v.saved_fen, loss_fen = v.loss_fen, \
     version = v.version, state = v.state, updated_at = v.updated_at \
     FROM v WHERE instructions.id = v.id AND instructions.version = v.expected \
     RETURNING instructions.id AS id), \
     ev AS (INSERT INTO instruction_events \
     (instruction_id, seq, at, actor, unit_code, action, event) \
     SELECT e.instruction_id, e.seq, e.at, e.actor, e.unit_code, e.action, e.event \
     FROM json_to_recordset(CAST($2 AS json)) AS e (instruction_id text, seq bigint, at bigint, \
     actor text, unit_code text, action text, event text) \
     WHERE e.instruction_id IN (SELECT id FROM upd)), \
     au AS (INSERT INTO audit_log \
     (at, actor, action, target_type, target_id, unit_code, detail) \
     SELECT a.at, a.actor, a.action, a.target_type, a.target_id, a.unit_code, a.detail \
     FROM json_to_recordset(CAST($3 AS json)) AS a (change_id text, at bigint, actor text, \
     action text, target_type text, target_id text, unit_code text, detail text) \
     WHERE a.change_id IN (SELECT id FROM upd)), \
     cc AS (",
    cancel_open_tasks_from!(
        "json_to_recordset(CAST($4 AS json)) AS c (instruction_id text, reason text, at bigint)"
    ),
    " AND c.instruction_id IN (SELECT id FROM upd)) \
     SELECT id FROM upd"
);

/// Whether a batch goes through [`Instructions::commit_in_one_statement`]: the sizes group
/// commit produces; larger ones keep the chunked transaction.
fn fits_one_statement(changes: &[&InstructionChange]) -> bool {
    let events: usize = changes.iter().map(|c| c.events.len()).sum();
    let audit: usize = changes.iter().map(|c| c.audit.len()).sum();
    changes.len() <= CHUNK && events <= CHUNK && audit <= CHUNK
}

/// When a change happened: its last event's time.
fn settled_at(c: &InstructionChange) -> i64 {
    c.events.last().map(|e| e.at).unwrap_or_default()
}

/// Cancels the open call tasks of each change's instruction, with the change's reason and
/// time ([`InstructionChange::cancel_calls`]; changes without it are skipped).
fn cancel_calls<'a>(changes: &[&'a InstructionChange]) -> Sql<'a> {
    cancel_open_sql(changes.iter().filter_map(|c| {
        c.cancel_calls
            .as_deref()
            .map(|reason| (c.id.as_str(), reason, settled_at(c)))
    }))
}

/// The same checks [`Instructions::append_audited`] makes before it writes.
fn check_change(c: &InstructionChange) -> StoreResult<()> {
    for (i, e) in c.events.iter().enumerate() {
        if e.seq != c.expected_version + 1 + i as i64 {
            return Err(StoreError::invalid(
                "seq",
                format!(
                    "event {} does not follow version {}",
                    e.seq, c.expected_version
                ),
            ));
        }
    }
    if c.events.is_empty() || c.projection.version != c.expected_version + c.events.len() as i64 {
        return Err(StoreError::invalid(
            "version",
            "projection version must count the appended events",
        ));
    }
    Ok(())
}

/// `WITH v(…) AS (VALUES …) UPDATE … FROM v WHERE id and version match RETURNING id`: both
/// backends accept it (SQLite ≥ 3.35). Values are cast so PostgreSQL knows their types.
fn update_projections<'a>(changes: &[&'a InstructionChange]) -> Sql<'a> {
    let mut sql = Sql::with_capacity(400 + changes.len() * 260, changes.len() * 14);
    sql.push("WITH ");
    projection_values(&mut sql, changes);
    sql.push(" ").push(UPDATE_FROM_V);
    sql
}

/// The projections' new values as the common table `v`, one row per change.
fn projection_values<'a>(sql: &mut Sql<'a>, changes: &[&'a InstructionChange]) {
    sql.push(
        "v (id, expected, holder_unit, level, status, assignee, next_due_at, overdue, \
         open, saved_fen, loss_fen, version, state, updated_at) AS (VALUES ",
    );
    for (k, c) in changes.iter().enumerate() {
        let p = &c.projection;
        if k > 0 {
            sql.push(", ");
        }
        sql.push("(CAST(")
            .arg(c.id.as_str())
            .push(" AS TEXT), CAST(")
            .arg(c.expected_version)
            .push(" AS BIGINT), CAST(")
            .arg(p.holder_unit.as_str())
            .push(" AS TEXT), CAST(")
            .arg(i64::from(p.level))
            .push(" AS BIGINT), CAST(")
            .arg(p.status.as_str())
            .push(" AS TEXT), CAST(")
            .arg(p.assignee.as_deref())
            .push(" AS TEXT), CAST(")
            .arg(p.next_due_at)
            .push(" AS BIGINT), CAST(")
            .arg(p.overdue)
            .push(" AS BIGINT), CAST(")
            .arg(p.open)
            .push(" AS BIGINT), CAST(")
            .arg(p.saved_fen)
            .push(" AS BIGINT), CAST(")
            .arg(p.loss_fen)
            .push(" AS BIGINT), CAST(")
            .arg(p.version)
            .push(" AS BIGINT), CAST(")
            .arg(p.state.as_str())
            .push(" AS TEXT), CAST(")
            .arg(settled_at(c))
            .push(" AS BIGINT))");
    }
    sql.push(")");
}

/// Moves each projection in `v` whose version is still the one its change was decided against.
const UPDATE_FROM_V: &str =
    "UPDATE instructions SET holder_unit = v.holder_unit, level = v.level, \
     status = v.status, assignee = v.assignee, next_due_at = v.next_due_at, \
     overdue = v.overdue, open = v.open, saved_fen = v.saved_fen, loss_fen = v.loss_fen, \
     version = v.version, state = v.state, updated_at = v.updated_at \
     FROM v WHERE instructions.id = v.id AND instructions.version = v.expected \
     RETURNING instructions.id AS id";

fn insert_events<'a>(events: &[(&'a str, &'a EventRow)]) -> Sql<'a> {
    let mut sql = Sql::with_capacity(120 + events.len() * 40, events.len() * 7);
    sql.push(
        "INSERT INTO instruction_events (instruction_id, seq, at, actor, unit_code, action, event) VALUES ",
    );
    for (k, (id, e)) in events.iter().enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .arg(*id)
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
    }
    sql
}

fn insert_audit<'a>(entries: &[&'a NewAuditEntry], details: &'a [String], at: i64) -> Sql<'a> {
    let mut sql = Sql::with_capacity(120 + entries.len() * 40, entries.len() * 7);
    sql.push(
        "INSERT INTO audit_log (at, actor, action, target_type, target_id, unit_code, detail) VALUES ",
    );
    for (k, (a, detail)) in entries.iter().zip(details).enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .arg(at)
            .push(", ")
            .arg(a.actor.as_str())
            .push(", ")
            .arg(a.action.as_str())
            .push(", ")
            .arg(a.target_type.as_str())
            .push(", ")
            .arg(a.target_id.as_deref())
            .push(", ")
            .arg(a.unit_code.as_deref())
            .push(", ")
            .arg(detail.as_str())
            .push(")");
    }
    sql
}
