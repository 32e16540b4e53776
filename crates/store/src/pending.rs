//! Closing a request an institution answers — a number disposal (operators), a card cleanup
//! (banks) — out of `pending`: answered or withdrawn, with a note, who and when, and the
//! request's own answer columns. The write names the version it read, and the change and its
//! audit entry are written in one transaction, only while the row is still pending at that
//! version.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::sql::{Arg, Sql};
use crate::store::Store;

/// The request as read before the change.
pub(crate) struct Read<'a> {
    pub table: &'static str,
    /// How errors name the request ("number disposal").
    pub what: &'static str,
    /// How the audit log names it (`number_disposal`).
    pub target_type: &'static str,
    pub id: i64,
    /// Its state's code (`pending`, …).
    pub state: &'a str,
    pub version: i64,
    /// The unit the audit entry is filed under.
    pub unit_code: &'a str,
}

/// How a request is closed.
pub(crate) struct Close<'a> {
    /// The state it moves to.
    pub state: &'static str,
    /// The institution's note, or why police withdrew it.
    pub note: &'a str,
    pub actor: &'a str,
    pub at: i64,
    /// The request's own answer columns and values.
    pub columns: Vec<(&'static str, Arg<'a>)>,
    /// The audit entry's action and detail.
    pub action: &'static str,
    pub detail: serde_json::Value,
}

/// Closes the request read as `current` as `close` says, when it is still pending at `version`.
/// [`StoreError::Conflict`] when it is no longer pending or moved past `version`.
pub(crate) async fn close(
    store: &Store,
    current: Read<'_>,
    version: i64,
    close: Close<'_>,
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
    let mut update = Sql::new(format!("UPDATE {} SET state = ", current.table));
    update
        .arg(close.state)
        .push(", answer_note = ")
        .arg(close.note)
        .push(", answered_by = ")
        .arg(close.actor)
        .push(", answered_at = ")
        .arg(close.at);
    for (column, value) in close.columns {
        update.push(", ").push(column).push(" = ").arg(value);
    }
    update
        .push(", version = version + 1 WHERE id = ")
        .arg(current.id)
        .push(" AND state = 'pending' AND version = ")
        .arg(version);
    let _writer = store.write_guard().await;
    let mut tx = store.begin_write("pending.begin").await?;
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
    append_on(
        &mut tx,
        &NewAuditEntry {
            actor: close.actor.to_string(),
            action: close.action.into(),
            target_type: current.target_type.into(),
            target_id: Some(current.id.to_string()),
            unit_code: Some(current.unit_code.to_string()),
            detail: close.detail,
        },
    )
    .await?;
    tx.commit()
        .await
        .map_err(StoreError::query("pending.commit"))
}
