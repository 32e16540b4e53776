//! 反诈示范点 (anti-fraud model sites): the units of an area awarded the title after a check
//! against the awarding unit's criteria, and the titles taken back. A unit holds one standing
//! title; awarding and revoking are audited in the change's transaction, a revocation names the
//! version it read. The criteria themselves are evaluated by the web layer from the same
//! per-unit figures as the composite assessment.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// The longest note or reason kept (characters).
pub const MAX_SITE_TEXT: usize = 500;

/// A title, standing or revoked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ModelSite {
    pub id: i64,
    pub unit_code: String,
    pub awarded_at: i64,
    pub awarded_by: String,
    pub note: String,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub revoke_reason: String,
    pub version: i64,
}

impl ModelSite {
    pub fn standing(&self) -> bool {
        self.revoked_at.is_none()
    }
}

const COLUMNS: &str = "s.id, s.unit_code, s.awarded_at, s.awarded_by, s.note, s.revoked_at, \
    s.revoked_by, s.revoke_reason, s.version";

fn from_row(r: &AnyRow) -> Result<ModelSite, sqlx::Error> {
    Ok(ModelSite {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        awarded_at: col(r, "awarded_at")?,
        awarded_by: col(r, "awarded_by")?,
        note: col(r, "note")?,
        revoked_at: col(r, "revoked_at")?,
        revoked_by: col(r, "revoked_by")?,
        revoke_reason: col(r, "revoke_reason")?,
        version: col(r, "version")?,
    })
}

/// The model-site repository.
pub struct ModelSites<'s> {
    store: &'s Store,
}

impl<'s> ModelSites<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        ModelSites { store }
    }

    /// Awards unit `unit_code` (inside `scope`, below its top: a unit does not award itself)
    /// the title at `now`, audited as `model_site_awarded`; returns its id. A unit with a
    /// standing title is a [`StoreError::Conflict`].
    pub async fn award(
        &self,
        scope: &Scope,
        unit_code: &str,
        note: &str,
        by: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let note = bounded_text("note", note, MAX_SITE_TEXT, false)?;
        self.store.units().in_scope(scope, unit_code).await?;
        if scope.unit_code() == Some(unit_code) {
            return Err(StoreError::NotFound {
                what: "unit",
                key: unit_code.to_string(),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("model_sites.begin").await?;
        let ctx = "model_sites.award";
        let mut standing = Sql::new("SELECT s.id FROM model_sites s WHERE s.unit_code = ");
        standing.arg(unit_code).push(" AND s.revoked_at IS NULL");
        if standing
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
            .is_some()
        {
            return Err(StoreError::Conflict {
                what: "model site",
                detail: format!("{unit_code} holds the title already"),
            });
        }
        let mut sql =
            Sql::new("INSERT INTO model_sites (unit_code, awarded_at, awarded_by, note) VALUES (");
        sql.arg(unit_code)
            .push(", ")
            .arg(now)
            .push(", ")
            .args([by, note.as_str()])
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "model_site_awarded".into(),
                target_type: "model_site".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({ "note": note }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("model_sites.commit"))?;
        Ok(id)
    }

    /// Takes title `id` of a unit inside `scope` back (why, required) from the version read,
    /// audited as `model_site_revoked`.
    pub async fn revoke(
        &self,
        scope: &Scope,
        id: i64,
        reason: &str,
        version: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<ModelSite> {
        let reason = bounded_text("reason", reason, MAX_SITE_TEXT, true)?;
        let before = self.get(scope, id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("model_sites.begin").await?;
        let mut sql = Sql::new("UPDATE model_sites SET revoked_at = ");
        sql.arg(now)
            .push(", revoked_by = ")
            .arg(by)
            .push(", revoke_reason = ")
            .arg(reason.as_str())
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version)
            .push(" AND revoked_at IS NULL");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("model_sites.revoke"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "model site",
                detail: if before.standing() {
                    format!("title {id} changed since it was read: reload it")
                } else {
                    format!("title {id} was revoked already")
                },
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "model_site_revoked".into(),
                target_type: "model_site".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail: serde_json::json!({ "reason": reason, "awarded_at": before.awarded_at }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("model_sites.commit"))?;
        drop(_writer);
        self.get(scope, id).await
    }

    /// Title `id` of a unit inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<ModelSite> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM model_sites s WHERE s.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "s.unit_code");
        sql.fetch_one_decoded(self.store.pool(), "model_sites.get", from_row, || {
            StoreError::NotFound {
                what: "model site",
                key: id.to_string(),
            }
        })
        .await
    }

    /// The titles of units inside `scope` (revoked ones too, when `with_revoked`), the latest
    /// awarded first.
    pub async fn list(&self, scope: &Scope, with_revoked: bool) -> StoreResult<Vec<ModelSite>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM model_sites s WHERE "));
        scope.push_condition(&mut sql, "s.unit_code");
        if !with_revoked {
            sql.push(" AND s.revoked_at IS NULL");
        }
        sql.push(" ORDER BY s.awarded_at DESC, s.id DESC");
        sql.fetch_decoded(self.store.pool(), "model_sites.list", from_row)
            .await
    }
}
