//! Warnings as they entered the platform: from the detection engine, pushed by the national
//! center, or entered by an analyst. Personal data is referenced by resident ID only; the
//! evidence (rules, features, suspect numbers) is kept as JSON for the detail view.

use crate::error::{StoreError, StoreResult};
use crate::page::{split_time_key, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// A warning to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewWarning {
    pub id: String,
    pub resident_id: Option<String>,
    /// The endangered person's phone number (canonical form).
    pub msisdn: Option<String>,
    /// The unit the warning was routed to (scoping).
    pub unit_code: String,
    /// 1 red, 2 orange, 3 yellow.
    pub level: u8,
    pub fraud_type: Option<String>,
    /// Model or rule score in thousandths (0..=1000).
    pub score_permille: i64,
    /// `engine`, `national_push`, `manual`.
    pub source: String,
    /// Event time of the signal that raised it, epoch ms UTC.
    pub signal_at: i64,
    /// When the platform received it, epoch ms UTC.
    pub detected_at: i64,
    /// Rules, features and suspects, as JSON.
    pub evidence: serde_json::Value,
}

/// A stored warning.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredWarning {
    pub id: String,
    pub resident_id: Option<String>,
    pub msisdn: Option<String>,
    pub unit_code: String,
    pub level: u8,
    pub fraud_type: Option<String>,
    pub score_permille: i64,
    pub source: String,
    pub signal_at: i64,
    pub detected_at: i64,
    pub evidence: serde_json::Value,
    pub instruction_id: Option<String>,
}

/// Warnings per level in a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LevelCounts {
    pub red: i64,
    pub orange: i64,
    pub yellow: i64,
}

impl LevelCounts {
    pub fn total(&self) -> i64 {
        self.red + self.orange + self.yellow
    }
}

const COLUMNS: &str = "w.id, w.resident_id, w.msisdn, w.unit_code, w.level, w.fraud_type, \
     w.score_permille, w.source, w.signal_at, w.detected_at, w.evidence, w.instruction_id";

fn from_row(row: &AnyRow) -> Result<StoredWarning, sqlx::Error> {
    let evidence: String = col(row, "evidence")?;
    let level: i64 = col(row, "level")?;
    Ok(StoredWarning {
        id: col(row, "id")?,
        resident_id: col(row, "resident_id")?,
        msisdn: col(row, "msisdn")?,
        unit_code: col(row, "unit_code")?,
        level: u8::try_from(level).unwrap_or(3),
        fraud_type: col(row, "fraud_type")?,
        score_permille: col(row, "score_permille")?,
        source: col(row, "source")?,
        signal_at: col(row, "signal_at")?,
        detected_at: col(row, "detected_at")?,
        evidence: serde_json::from_str(&evidence).map_err(|e| sqlx::Error::ColumnDecode {
            index: "evidence".into(),
            source: Box::new(e),
        })?,
        instruction_id: col(row, "instruction_id")?,
    })
}

/// Which warnings a search returns; every field left empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningFilter {
    /// Detected at or after (epoch ms UTC).
    pub from_ms: Option<i64>,
    /// Detected before (epoch ms UTC).
    pub to_ms: Option<i64>,
    /// This level or more urgent (1 red only, 2 red and orange).
    pub min_level: Option<u8>,
    pub fraud_type: Option<FraudTypeFilter>,
    /// `engine`, `national_push` or `manual`.
    pub source: Option<String>,
    pub resident_id: Option<String>,
    /// Canonical phone number of the endangered person.
    pub msisdn: Option<String>,
    /// `Some(true)`: only warnings whose instruction is still open; `Some(false)`: only those
    /// whose instruction is closed.
    pub instruction_open: Option<bool>,
}

/// The fraud-type part of a [`WarningFilter`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FraudTypeFilter {
    /// No type named yet (类型待定).
    Untyped,
    /// Stored under any of these labels (a type's code and its older spellings).
    AnyOf(Vec<String>),
}

impl WarningFilter {
    fn push_conditions(&self, sql: &mut Sql<'_>) {
        if let Some(from) = self.from_ms {
            sql.push(" AND w.detected_at >= ").arg(from);
        }
        if let Some(to) = self.to_ms {
            sql.push(" AND w.detected_at < ").arg(to);
        }
        if let Some(level) = self.min_level {
            sql.push(" AND w.level <= ").arg(i64::from(level));
        }
        match &self.fraud_type {
            None => {}
            Some(FraudTypeFilter::Untyped) => {
                sql.push(" AND w.fraud_type IS NULL");
            }
            Some(FraudTypeFilter::AnyOf(labels)) if labels.is_empty() => {
                sql.push(" AND 1 = 0");
            }
            Some(FraudTypeFilter::AnyOf(labels)) => {
                sql.push(" AND w.fraud_type IN (")
                    .args(labels.iter().cloned())
                    .push(")");
            }
        }
        if let Some(source) = &self.source {
            sql.push(" AND w.source = ").arg(source.clone());
        }
        if let Some(rid) = &self.resident_id {
            sql.push(" AND w.resident_id = ").arg(rid.clone());
        }
        if let Some(msisdn) = &self.msisdn {
            sql.push(" AND w.msisdn = ").arg(msisdn.clone());
        }
        if let Some(open) = self.instruction_open {
            sql.push(" AND w.instruction_id IN (SELECT id FROM instructions WHERE open = ")
                .arg(i64::from(open))
                .push(")");
        }
    }
}

/// The warnings repository.
pub struct Warnings<'s> {
    store: &'s Store,
}

impl<'s> Warnings<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Warnings { store }
    }

    /// Records a warning; a second insert of the same id is a [`StoreError::Conflict`].
    pub async fn insert(&self, w: &NewWarning) -> StoreResult<()> {
        if !(1..=3).contains(&w.level) {
            return Err(StoreError::invalid("level", "must be 1, 2 or 3"));
        }
        let mut sql = Sql::new(
            "INSERT INTO warnings (id, resident_id, msisdn, unit_code, level, fraud_type, \
             score_permille, source, signal_at, detected_at, evidence) VALUES (",
        );
        sql.arg(w.id.as_str())
            .push(", ")
            .arg(w.resident_id.as_deref())
            .push(", ")
            .arg(w.msisdn.as_deref())
            .push(", ")
            .arg(w.unit_code.as_str())
            .push(", ")
            .arg(i64::from(w.level))
            .push(", ")
            .arg(w.fraud_type.as_deref())
            .push(", ")
            .arg(w.score_permille)
            .push(", ")
            .arg(w.source.as_str())
            .push(", ")
            .arg(w.signal_at)
            .push(", ")
            .arg(w.detected_at)
            .push(", ")
            .arg(w.evidence.to_string())
            .push(")");
        sql.query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.insert"))?;
        Ok(())
    }

    /// Links a warning to the instruction it created or merged into.
    pub async fn link_instruction(
        &self,
        warning_id: &str,
        instruction_id: &str,
    ) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE warnings SET instruction_id = ");
        sql.arg(instruction_id).push(" WHERE id = ").arg(warning_id);
        sql.query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.link"))?;
        Ok(())
    }

    /// One warning; [`StoreError::NotFound`] when absent or outside the scope.
    pub async fn get(&self, scope: &Scope, id: &str) -> StoreResult<StoredWarning> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM warnings w WHERE w.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "w.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("warnings.get")),
            None => Err(StoreError::NotFound {
                what: "warning",
                key: id.to_string(),
            }),
        }
    }

    /// Warnings inside the scope detected at or after `since_ms`, newest first; the page key
    /// is `(detected_at, id)` rendered as `"<ms>/<id>"`.
    pub async fn recent(
        &self,
        scope: &Scope,
        since_ms: i64,
        min_level: Option<u8>,
        page: &PageRequest,
    ) -> StoreResult<Page<StoredWarning>> {
        let filter = WarningFilter {
            from_ms: Some(since_ms),
            min_level,
            ..WarningFilter::default()
        };
        self.search(scope, &filter, page).await
    }

    /// Warnings inside the scope that match the filter, newest first; paged like
    /// [`Warnings::recent`].
    pub async fn search(
        &self,
        scope: &Scope,
        filter: &WarningFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<StoredWarning>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM warnings w WHERE "));
        scope.push_condition(&mut sql, "w.unit_code");
        filter.push_conditions(&mut sql);
        if let Some((at, id)) = page.after.as_deref().and_then(split_time_key) {
            sql.push(" AND (w.detected_at < ")
                .arg(at)
                .push(" OR (w.detected_at = ")
                .arg(at)
                .push(" AND w.id < ")
                .arg(id.to_string())
                .push("))");
        }
        sql.push(" ORDER BY w.detected_at DESC, w.id DESC LIMIT ")
            .arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.search"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("warnings.search"))?;
        Ok(Page::from_overfetch(items, limit, |w| {
            format!("{}/{}", w.detected_at, w.id)
        }))
    }

    /// How many warnings inside the scope match the filter.
    pub async fn count(&self, scope: &Scope, filter: &WarningFilter) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM warnings w WHERE ");
        scope.push_condition(&mut sql, "w.unit_code");
        filter.push_conditions(&mut sql);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.count_matching"))?;
        col(&row, "n").map_err(StoreError::query("warnings.count_matching"))
    }

    /// How many warnings each of these instructions holds (the first and those merged in);
    /// instructions without any are absent.
    pub async fn per_instruction(
        &self,
        instruction_ids: &[String],
    ) -> StoreResult<std::collections::HashMap<String, i64>> {
        let q = "warnings.per_instruction";
        let mut out = std::collections::HashMap::new();
        for chunk in instruction_ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT instruction_id AS i, COUNT(*) AS n FROM warnings WHERE instruction_id IN (",
            );
            sql.args(chunk.iter().cloned())
                .push(") GROUP BY instruction_id");
            for row in &sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query(q))?
            {
                out.insert(
                    col::<String>(row, "i").map_err(StoreError::query(q))?,
                    col::<i64>(row, "n").map_err(StoreError::query(q))?,
                );
            }
        }
        Ok(out)
    }

    /// Every warning about one resident inside the scope, oldest first.
    pub async fn for_resident(
        &self,
        scope: &Scope,
        resident_id: &str,
    ) -> StoreResult<Vec<StoredWarning>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM warnings w WHERE w.resident_id = "
        ));
        sql.arg(resident_id).push(" AND ");
        scope.push_condition(&mut sql, "w.unit_code");
        sql.push(" ORDER BY w.detected_at, w.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.for_resident"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("warnings.for_resident"))
    }

    /// The warnings linked to a case (the victim's, before the case was opened) that lie
    /// inside the scope, oldest first.
    pub async fn for_case(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<StoredWarning>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM case_warnings cw JOIN warnings w ON w.id = cw.warning_id \
             WHERE cw.case_id = "
        ));
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "w.unit_code");
        sql.push(" ORDER BY w.detected_at, w.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.for_case"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("warnings.for_case"))
    }

    /// Warnings per level inside the scope detected in `[from_ms, to_ms)`.
    pub async fn count_by_level(
        &self,
        scope: &Scope,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<LevelCounts> {
        let mut sql = Sql::new("SELECT w.level AS level, COUNT(*) AS n FROM warnings w WHERE ");
        scope.push_condition(&mut sql, "w.unit_code");
        sql.push(" AND w.detected_at >= ")
            .arg(from_ms)
            .push(" AND w.detected_at < ")
            .arg(to_ms)
            .push(" GROUP BY w.level");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warnings.count"))?;
        let mut counts = LevelCounts::default();
        for row in rows {
            let level: i64 = col(&row, "level").map_err(StoreError::query("warnings.count"))?;
            let n: i64 = col(&row, "n").map_err(StoreError::query("warnings.count"))?;
            match level {
                1 => counts.red = n,
                2 => counts.orange = n,
                _ => counts.yellow += n,
            }
        }
        Ok(counts)
    }
}
