//! A change of a register record read at a version: the record's `UPDATE` ends with its
//! bookkeeping columns (`updated_by`, `updated_at`, `version + 1`) and applies only to the
//! version read, with its audit entry, in one write transaction — so two changes made from the
//! same read cannot both land.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::sql::Sql;
use crate::store::Store;

/// What a versioned change is: the record (`id`, the `version` read), who and when, the audit
/// entry, and the conflict to answer when the record moved on.
pub(crate) struct VersionedChange<'a> {
    pub id: i64,
    pub version: i64,
    pub by: &'a str,
    pub now: i64,
    pub audit: NewAuditEntry,
    pub ctx: &'static str,
}

/// Applies `update` (an `UPDATE table SET …` so far) as `change` describes; `conflict` when no
/// record of that id is at that version any more.
pub(crate) async fn apply(
    store: &Store,
    mut update: Sql<'_>,
    change: VersionedChange<'_>,
    conflict: impl FnOnce() -> StoreError,
) -> StoreResult<()> {
    update
        .push(", updated_by = ")
        .arg(change.by)
        .push(", updated_at = ")
        .arg(change.now)
        .push(", version = version + 1 WHERE id = ")
        .arg(change.id)
        .push(" AND version = ")
        .arg(change.version);
    let _writer = store.write_guard().await;
    let mut tx = store.begin_write(change.ctx).await?;
    let done = update
        .query()
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(change.ctx))?;
    if done.rows_affected() != 1 {
        return Err(conflict());
    }
    append_on(&mut tx, &change.audit).await?;
    tx.commit().await.map_err(StoreError::query(change.ctx))
}
