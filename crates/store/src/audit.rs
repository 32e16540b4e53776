//! The audit log: who did what, when, to which record. Append-only — the database itself
//! rejects UPDATE and DELETE (see the triggers in `dialect`), and this repository offers
//! neither.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::{now_ms, Store};
use sqlx::any::AnyRow;

/// An entry to append.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEntry {
    /// Login of the user (or `system`).
    pub actor: String,
    /// What was done: `view_person`, `sign_instruction`, `import_people`, …
    pub action: String,
    /// `person`, `instruction`, `import_run`, …
    pub target_type: String,
    pub target_id: Option<String>,
    /// The unit the action concerns (the target's), which decides who may read the entry.
    pub unit_code: Option<String>,
    /// Anything else worth keeping, as JSON.
    pub detail: serde_json::Value,
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Epoch milliseconds UTC.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub unit_code: Option<String>,
    pub detail: serde_json::Value,
}

fn entry_from_row(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let detail: String = col(row, "detail")?;
    Ok(AuditEntry {
        id: col(row, "id")?,
        at: col(row, "at")?,
        actor: col(row, "actor")?,
        action: col(row, "action")?,
        target_type: col(row, "target_type")?,
        target_id: col(row, "target_id")?,
        unit_code: col(row, "unit_code")?,
        detail: serde_json::from_str(&detail).map_err(|e| sqlx::Error::ColumnDecode {
            index: "detail".into(),
            source: Box::new(e),
        })?,
    })
}

const COLUMNS: &str =
    "a.id, a.at, a.actor, a.action, a.target_type, a.target_id, a.unit_code, a.detail";

/// The audit-log repository.
pub struct Audit<'s> {
    store: &'s Store,
}

impl<'s> Audit<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Audit { store }
    }

    /// Appends an entry and returns its id.
    pub async fn append(&self, entry: &NewAuditEntry) -> StoreResult<i64> {
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("audit_log.append"))?;
        append_on(&mut conn, entry).await
    }
}

/// Appends an entry on an open connection or transaction, so a change and its audit entry
/// commit together.
pub(crate) async fn append_on(
    conn: &mut sqlx::AnyConnection,
    entry: &NewAuditEntry,
) -> StoreResult<i64> {
    let detail = entry.detail.to_string();
    let mut sql = Sql::new(
            "INSERT INTO audit_log (at, actor, action, target_type, target_id, unit_code, detail) VALUES (",
        );
    sql.arg(now_ms())
        .push(", ")
        .arg(entry.actor.as_str())
        .push(", ")
        .arg(entry.action.as_str())
        .push(", ")
        .arg(entry.target_type.as_str())
        .push(", ")
        .arg(entry.target_id.as_deref())
        .push(", ")
        .arg(entry.unit_code.as_deref())
        .push(", ")
        .arg(detail)
        .push(") RETURNING id");
    let row = sql
        .query()
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("audit_log.append"))?;
    col(&row, "id").map_err(StoreError::query("audit_log.append"))
}

impl<'s> Audit<'s> {
    /// Entries about units inside the scope, newest first (entries without a unit are seen by
    /// the whole platform only).
    pub async fn list(
        &self,
        scope: &Scope,
        page: &PageRequest<i64>,
    ) -> StoreResult<Page<AuditEntry, i64>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM audit_log a WHERE "));
        scope.push_condition(&mut sql, "a.unit_code");
        if let Some(after) = page.after {
            sql.push(" AND a.id < ").arg(after);
        }
        sql.push(" ORDER BY a.id DESC LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("audit_log.list"))?;
        let items = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("audit_log.list"))?;
        Ok(Page::from_overfetch(items, limit, |e| e.id))
    }

    /// Every entry about one record inside the scope, oldest first.
    pub async fn for_target(
        &self,
        scope: &Scope,
        target_type: &str,
        target_id: &str,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM audit_log a WHERE a.target_type = "
        ));
        sql.arg(target_type)
            .push(" AND a.target_id = ")
            .arg(target_id)
            .push(" AND ");
        scope.push_condition(&mut sql, "a.unit_code");
        sql.push(" ORDER BY a.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("audit_log.target"))?;
        rows.iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("audit_log.target"))
    }
}
