//! The detection rules as activated on the rules page, every version kept. The newest version
//! is what the live engine runs: the server loads it at start, detection workers poll
//! [`DetectionRules::latest_version`] and reload when it moves. The store keeps the text as
//! given; checking it is the caller's (the rules crate parses it before activating).

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// One activated version of the rules.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RulesVersion {
    pub version: i64,
    pub text: String,
    pub rule_count: i64,
    pub activated_by: String,
    pub activated_at: i64,
}

fn version_from_row(row: &AnyRow) -> Result<RulesVersion, sqlx::Error> {
    Ok(RulesVersion {
        version: col(row, "version")?,
        text: col(row, "text")?,
        rule_count: col(row, "rule_count")?,
        activated_by: col(row, "activated_by")?,
        activated_at: col(row, "activated_at")?,
    })
}

const COLUMNS: &str = "version, text, rule_count, activated_by, activated_at";

pub struct DetectionRules<'s> {
    store: &'s Store,
}

impl<'s> DetectionRules<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        DetectionRules { store }
    }

    /// Stores `text` (holding `rule_count` rules, already checked) as the newest version, with
    /// the audit entry `rules_activated` in the same transaction; returns the version.
    pub async fn activate(
        &self,
        text: &str,
        rule_count: usize,
        actor: &str,
        unit_code: Option<&str>,
        at: i64,
    ) -> StoreResult<i64> {
        if text.trim().is_empty() {
            return Err(StoreError::invalid("text", "the rules are empty"));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("detection_rules.begin").await?;
        let row = Sql::new("SELECT COALESCE(MAX(version), 0) AS v FROM detection_rules")
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("detection_rules.max"))?;
        let version: i64 = col(&row, "v").map_err(StoreError::query("detection_rules.max"))?;
        let version = version + 1;
        let mut sql = Sql::new(format!("INSERT INTO detection_rules ({COLUMNS}) VALUES ("));
        sql.arg(version)
            .push(", ")
            .arg(text)
            .push(", ")
            .arg(rule_count as i64)
            .push(", ")
            .arg(actor)
            .push(", ")
            .arg(at)
            .push(")");
        // Two activations at once on PostgreSQL: the second insert hits the primary key and
        // answers a conflict.
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("detection rules"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "rules_activated".into(),
                target_type: "rules".into(),
                target_id: Some(version.to_string()),
                unit_code: unit_code.map(str::to_string),
                detail: serde_json::json!({ "rules": rule_count, "version": version }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("detection_rules.commit"))?;
        Ok(version)
    }

    /// The newest version, if rules were ever activated (else the built-in rules apply).
    pub async fn latest(&self) -> StoreResult<Option<RulesVersion>> {
        let sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM detection_rules ORDER BY version DESC LIMIT 1"
        ));
        let mut rows = sql
            .fetch_decoded(
                self.store.pool(),
                "detection_rules.latest",
                version_from_row,
            )
            .await?;
        Ok(rows.pop())
    }

    /// The newest version number (0 when none), cheap enough to poll.
    pub async fn latest_version(&self) -> StoreResult<i64> {
        let row = Sql::new("SELECT COALESCE(MAX(version), 0) AS v FROM detection_rules")
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("detection_rules.latest_version"))?;
        col(&row, "v").map_err(StoreError::query("detection_rules.latest_version"))
    }

    /// The latest `limit` versions, newest first (the rules page's history).
    pub async fn history(&self, limit: i64) -> StoreResult<Vec<RulesVersion>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM detection_rules ORDER BY version DESC LIMIT "
        ));
        sql.arg(limit.clamp(1, 1000));
        sql.fetch_decoded(
            self.store.pool(),
            "detection_rules.history",
            version_from_row,
        )
        .await
    }
}
