//! Moving a request an institution answers — a number disposal (operators), a card cleanup
//! (banks) — out of `pending`: the answer or the withdrawal names the version it read, and the
//! change and its audit entry are written in one transaction, only while the row is still
//! pending at that version.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::sql::Sql;
use crate::store::Store;

/// The request as read before the change.
pub(crate) struct Read<'a> {
    pub table: &'static str,
    /// How errors name the request ("number disposal").
    pub what: &'static str,
    pub id: i64,
    /// Its state's code (`pending`, …).
    pub state: &'a str,
    pub version: i64,
}

/// Runs `update` (an `UPDATE … SET …` without its condition) on the request read as `current`
/// when it is still pending at `version`, with `audit`, in one transaction.
/// [`StoreError::Conflict`] when it is no longer pending or moved past `version`.
pub(crate) async fn move_pending(
    store: &Store,
    current: Read<'_>,
    version: i64,
    mut update: Sql<'_>,
    audit: NewAuditEntry,
) -> StoreResult<()> {
    let conflict = |detail: String| StoreError::Conflict {
        what: current.what,
        detail,
    };
    if current.state != "pending" {
        return Err(conflict(format!(
            "request {} is {} already",
            current.id, current.state
        )));
    }
    if current.version != version {
        return Err(conflict(format!(
            "request {} changed since it was read (version {} now, {version} read): reload it",
            current.id, current.version
        )));
    }
    let _writer = store.write_guard().await;
    let mut tx = store.begin_write("pending.begin").await?;
    update
        .push(", version = version + 1 WHERE id = ")
        .arg(current.id)
        .push(" AND state = 'pending' AND version = ")
        .arg(version);
    let done = update
        .query()
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(current.table))?;
    if done.rows_affected() != 1 {
        return Err(conflict(format!(
            "request {} was answered or withdrawn meanwhile: reload it",
            current.id
        )));
    }
    append_on(&mut tx, &audit).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("pending.commit"))
}
