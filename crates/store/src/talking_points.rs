//! 劝阻话术 as the center writes them: per fraud type, the sentences said on the phone, in
//! Chinese and English. A type without a stored entry uses the built-in sentences (the web
//! crate's); storing one replaces them everywhere at once, resetting returns to them. Every
//! change names the version it read and writes its audit entry in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::sql::{col, Sql};
use crate::store::Store;

/// The most sentences per language.
pub const MAX_POINTS: usize = 8;
/// The longest sentence (characters).
pub const MAX_POINT_CHARS: usize = 200;

/// The stored sentences of one fraud type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredPoints {
    pub fraud_type: String,
    pub zh: Vec<String>,
    pub en: Vec<String>,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: i64,
}

/// Sentences from a text of one per line: trimmed, blank lines dropped, checked.
fn lines(field: &'static str, text: &str, required: bool) -> StoreResult<Vec<String>> {
    let out: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if required && out.is_empty() {
        return Err(StoreError::invalid(field, "write at least one sentence"));
    }
    if out.len() > MAX_POINTS {
        return Err(StoreError::invalid(
            field,
            format!("at most {MAX_POINTS} sentences"),
        ));
    }
    if out.iter().any(|l| l.chars().count() > MAX_POINT_CHARS) {
        return Err(StoreError::invalid(
            field,
            format!("a sentence has at most {MAX_POINT_CHARS} characters"),
        ));
    }
    Ok(out)
}

/// The talking-point repository.
pub struct TalkingPoints<'s> {
    store: &'s Store,
}

impl<'s> TalkingPoints<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        TalkingPoints { store }
    }

    /// The stored sentences of `fraud_type`, if the center wrote any.
    pub async fn get(&self, fraud_type: &str) -> StoreResult<Option<StoredPoints>> {
        let mut sql = Sql::new(
            "SELECT fraud_type, zh, en, updated_by, updated_at, version FROM talking_points \
             WHERE fraud_type = ",
        );
        sql.arg(fraud_type);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("talking_points.get"))?;
        row.map(|r| from_row(&r)).transpose()
    }

    /// Every stored entry, by fraud type.
    pub async fn all(&self) -> StoreResult<Vec<StoredPoints>> {
        let rows = Sql::new(
            "SELECT fraud_type, zh, en, updated_by, updated_at, version FROM talking_points \
             ORDER BY fraud_type",
        )
        .query()
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("talking_points.all"))?;
        rows.iter().map(from_row).collect()
    }

    /// Stores the sentences of `fraud_type` (one per line; Chinese required, English may be
    /// empty and then falls back to the built-in English), read at `version` (0: none stored
    /// yet), by `actor` at `at`, with its audit entry. [`StoreError::Conflict`] when the entry
    /// changed since it was read.
    pub async fn set(
        &self,
        fraud_type: &str,
        zh: &str,
        en: &str,
        version: i64,
        actor: &str,
        at: i64,
    ) -> StoreResult<StoredPoints> {
        let zh = lines("zh", zh, true)?;
        let en = lines("en", en, false)?;
        let encode = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("talking_points.begin").await?;
        let sql = if version == 0 {
            let mut sql = Sql::new(
                "INSERT INTO talking_points (fraud_type, zh, en, updated_by, updated_at, version) \
                 VALUES (",
            );
            sql.arg(fraud_type)
                .push(", ")
                .arg(encode(&zh))
                .push(", ")
                .arg(encode(&en))
                .push(", ")
                .arg(actor)
                .push(", ")
                .arg(at)
                .push(", 1) ON CONFLICT (fraud_type) DO NOTHING");
            sql
        } else {
            let mut sql = Sql::new("UPDATE talking_points SET zh = ");
            sql.arg(encode(&zh))
                .push(", en = ")
                .arg(encode(&en))
                .push(", updated_by = ")
                .arg(actor)
                .push(", updated_at = ")
                .arg(at)
                .push(", version = version + 1 WHERE fraud_type = ")
                .arg(fraud_type)
                .push(" AND version = ")
                .arg(version);
            sql
        };
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("talking_points.set"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "talking points",
                detail: format!(
                    "the talking points of {fraud_type} changed since they were read: reload them"
                ),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "talking_points_set".into(),
                target_type: "talking_points".into(),
                target_id: Some(fraud_type.to_string()),
                unit_code: None,
                detail: serde_json::json!({ "zh": zh, "en": en, "version": version + 1 }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("talking_points.commit"))?;
        Ok(StoredPoints {
            fraud_type: fraud_type.to_string(),
            zh,
            en,
            updated_by: actor.to_string(),
            updated_at: at,
            version: version + 1,
        })
    }

    /// Removes the stored sentences of `fraud_type` (read at `version`): the built-in ones
    /// apply again. Audited; [`StoreError::Conflict`] when the entry changed since it was read.
    pub async fn reset(&self, fraud_type: &str, version: i64, actor: &str) -> StoreResult<()> {
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("talking_points.begin").await?;
        let mut sql = Sql::new("DELETE FROM talking_points WHERE fraud_type = ");
        sql.arg(fraud_type).push(" AND version = ").arg(version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("talking_points.reset"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "talking points",
                detail: format!(
                    "the talking points of {fraud_type} changed since they were read: reload them"
                ),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "talking_points_reset".into(),
                target_type: "talking_points".into(),
                target_id: Some(fraud_type.to_string()),
                unit_code: None,
                detail: serde_json::json!({ "version": version }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("talking_points.commit"))
    }
}

fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<StoredPoints> {
    let q = || StoreError::query("talking_points.read");
    let decode = |name: &'static str| -> StoreResult<Vec<String>> {
        let text: String = col(row, name).map_err(q())?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            what: "talking points",
            detail: format!("{name}: {e}"),
        })
    };
    Ok(StoredPoints {
        fraud_type: col(row, "fraud_type").map_err(q())?,
        zh: decode("zh")?,
        en: decode("en")?,
        updated_by: col(row, "updated_by").map_err(q())?,
        updated_at: col(row, "updated_at").map_err(q())?,
        version: col(row, "version").map_err(q())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_one_per_line_and_checked() {
        assert_eq!(
            lines("zh", " 先挂断。\n\n  不要转账。 \n", true).unwrap(),
            ["先挂断。", "不要转账。"]
        );
        assert!(lines("zh", " \n ", true).is_err());
        assert!(lines("en", "", false).unwrap().is_empty());
        let many = "a\n".repeat(MAX_POINTS + 1);
        assert!(lines("zh", &many, true).is_err());
        assert!(lines("zh", &"长".repeat(MAX_POINT_CHARS + 1), true).is_err());
    }
}
