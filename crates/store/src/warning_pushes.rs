//! 预警推送: warnings pushed by upstream platforms — the national anti-fraud big-data platform
//! (国家反诈大数据平台), the provincial 东风 platform, 长矛 and others — as daily lists. Each
//! pushed warning keeps the platform's identity (platform, push id, push time) on its warnings
//! row; a (platform, push id) pair names at most one warning (a unique index), so a list imported
//! again creates nothing. The imports of one's area are listed, and the feedback (反馈) reads each
//! push id of a platform and period imported in one's area with its instruction's current state,
//! for the file the center sends back up.

use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::fund_warnings::WarningFund;
use crate::imports::ImportRunId;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_core::PushKind;
use std::collections::BTreeMap;

code_enum! {
    /// The upstream platform a warning was pushed from.
    PushPlatform {
        /// 国家反诈大数据平台 (the national center's daily push).
        National => "national", "国家反诈大数据平台", "National anti-fraud big-data platform";
        /// The provincial 东风 warning platform.
        Dongfeng => "dongfeng", "东风预警平台", "Dongfeng warning platform";
        /// The 长矛 warning platform.
        Changmao => "changmao", "长矛预警平台", "Changmao warning platform";
        /// Any other platform.
        Other => "other", "其他平台", "Other platform";
    }
}

impl PushPlatform {
    /// The id of the warning a push becomes: one per (platform, push id), so that a second
    /// delivery of the same push is refused by the warnings table itself.
    pub fn warning_id(self, push_id: &str) -> String {
        format!("TS-{}-{}", self.as_str(), push_id)
    }
}

pub use fanzha_core::push_id::{valid_push_id, MAX_PUSH_ID_CHARS};

/// A pushed warning's upstream identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningPush {
    pub platform: PushPlatform,
    pub push_id: String,
    /// When the platform pushed it, epoch ms UTC.
    pub pushed_at: i64,
    /// The import run that brought it in.
    pub import_run: Option<ImportRunId>,
    /// The kind the list states (资金预警 …); `None` when it states none.
    pub kind: Option<PushKind>,
    /// The payment a fund warning reports (kept only with [`PushKind::Fund`]).
    pub fund: Option<WarningFund>,
}

/// What an imported list did, as recorded with the import run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPushImport {
    pub import_run: ImportRunId,
    pub platform: PushPlatform,
    /// The importing unit: the list of imports is read by its subtree.
    pub unit_code: String,
    pub imported_by: String,
    pub imported_at: i64,
    /// Pushes that opened a new instruction.
    pub new: i64,
    /// Pushes merged into the person's open instruction.
    pub merged: i64,
    /// Pushes received before (same platform and push id).
    pub known: i64,
}

/// An imported list as listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushImport {
    pub import_run: ImportRunId,
    pub platform: PushPlatform,
    pub file: String,
    pub unit_code: String,
    pub imported_by: String,
    pub imported_at: i64,
    pub read: i64,
    pub accepted: i64,
    pub quarantined: i64,
    pub by_reason: BTreeMap<String, i64>,
    pub new: i64,
    pub merged: i64,
    pub known: i64,
}

/// Which pushes a feedback file reports: one platform, pushed in `[from_ms, to_ms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedbackFilter {
    pub platform: PushPlatform,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// One push id with what became of it: the warning and its instruction's stored state (the
/// workflow's JSON, which the caller reads for the outcome and its times).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushFeedback {
    pub platform: PushPlatform,
    pub push_id: String,
    pub pushed_at: i64,
    pub warning_id: String,
    /// When the platform received it, epoch ms UTC.
    pub received_at: i64,
    /// The unit the warning was routed to.
    pub warning_unit: String,
    pub instruction_id: Option<String>,
    /// The unit holding the instruction now.
    pub holder_unit: Option<String>,
    /// The instruction's status code (`issued`, `resolved`, `closed` …).
    pub status: Option<String>,
    /// The instruction's state as stored (JSON).
    pub state: Option<String>,
    pub updated_at: Option<i64>,
}

/// The most pushes one feedback file carries: a period holding more is refused (narrow it).
pub const MAX_FEEDBACK_ROWS: i64 = 100_000;

/// The pushed-warnings repository.
pub struct WarningPushes<'s> {
    store: &'s Store,
}

impl<'s> WarningPushes<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        WarningPushes { store }
    }

    /// The warning a platform's push became, if it was received before. Answers the warning id
    /// only (no personal data), whatever unit holds it: a push is received once platform-wide.
    pub async fn find(&self, platform: PushPlatform, push_id: &str) -> StoreResult<Option<String>> {
        let mut sql = Sql::new("SELECT id FROM warnings WHERE push_platform = ");
        sql.arg(platform.as_str())
            .push(" AND push_id = ")
            .arg(push_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("warning_pushes.find"))?;
        row.map(|r| col(&r, "id"))
            .transpose()
            .map_err(StoreError::query("warning_pushes.find"))
    }

    /// Records a warning's upstream identity, its kind and — on a fund warning — the payment, in
    /// one transaction. Idempotent: a warning that carries a push identity already keeps it
    /// (answers `false`); the same (platform, push id) on a second warning is a
    /// [`StoreError::Conflict`]; an unknown warning is [`StoreError::NotFound`].
    pub async fn attach(&self, warning_id: &str, push: &WarningPush) -> StoreResult<bool> {
        if !valid_push_id(&push.push_id) {
            return Err(StoreError::invalid(
                "push_id",
                "1 to 64 ASCII letters, digits, '-', '_' or '.'",
            ));
        }
        if push.fund.is_some() && push.kind != Some(PushKind::Fund) {
            return Err(StoreError::invalid(
                "fund",
                "a payment only on a fund warning (资金预警)",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("warning_pushes.attach").await?;
        let mut sql = Sql::new("UPDATE warnings SET push_platform = ");
        sql.arg(push.platform.as_str())
            .push(", push_id = ")
            .arg(push.push_id.as_str())
            .push(", pushed_at = ")
            .arg(push.pushed_at)
            .push(", push_import_id = ")
            .arg(push.import_run.map(|r| r.0))
            .push(", push_kind = ")
            .arg(push.kind.map(PushKind::code))
            .push(" WHERE id = ")
            .arg(warning_id)
            .push(" AND push_id IS NULL");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("warning_pushes.attach"))?;
        if done.rows_affected() == 1 {
            if let Some(fund) = &push.fund {
                crate::fund_warnings::insert(&mut tx, warning_id, fund).await?;
            }
            tx.commit()
                .await
                .map_err(StoreError::query("warning_pushes.attach"))?;
            return Ok(true);
        }
        drop(tx);
        let mut sql = Sql::new("SELECT push_platform, push_id FROM warnings WHERE id = ");
        sql.arg(warning_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("warning_pushes.attach"))?;
        match row {
            None => Err(StoreError::NotFound {
                what: "warning",
                key: warning_id.to_string(),
            }),
            Some(_) => Ok(false),
        }
    }

    /// Records what an imported list did (once per import run).
    pub async fn record_import(&self, i: &NewPushImport) -> StoreResult<()> {
        let mut sql = Sql::new(
            "INSERT INTO warning_push_imports (import_run_id, platform, unit_code, imported_by, \
             imported_at, new_count, merged_count, known_count) VALUES (",
        );
        sql.arg(i.import_run.0)
            .push(", ")
            .arg(i.platform.as_str())
            .push(", ")
            .arg(i.unit_code.as_str())
            .push(", ")
            .arg(i.imported_by.as_str())
            .push(", ")
            .arg(i.imported_at)
            .push(", ")
            .arg(i.new)
            .push(", ")
            .arg(i.merged)
            .push(", ")
            .arg(i.known)
            .push(")");
        sql.query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("warning_pushes.record_import"))?;
        Ok(())
    }

    /// The lists imported by units inside the scope, newest first, at most `limit`.
    pub async fn imports(
        &self,
        scope: &Scope,
        platform: Option<PushPlatform>,
        limit: i64,
    ) -> StoreResult<Vec<PushImport>> {
        let mut sql = Sql::new(
            "SELECT p.import_run_id, p.platform, p.unit_code, p.imported_by, p.imported_at, \
             p.new_count, p.merged_count, p.known_count, r.file, r.read_count, \
             r.accepted_count, r.quarantined_count, r.by_reason \
             FROM warning_push_imports p JOIN import_runs r ON r.id = p.import_run_id WHERE ",
        );
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(platform) = platform {
            sql.push(" AND p.platform = ").arg(platform.as_str());
        }
        sql.push(" ORDER BY p.imported_at DESC, p.import_run_id DESC LIMIT ")
            .arg(limit.clamp(1, 1_000));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warning_pushes.imports"))?;
        rows.iter()
            .map(|row| {
                let platform: String = col(row, "platform")?;
                let by_reason: String = col(row, "by_reason")?;
                Ok(PushImport {
                    import_run: ImportRunId(col(row, "import_run_id")?),
                    platform: PushPlatform::parse(&platform).ok_or_else(|| {
                        sqlx::Error::Decode(format!("unknown platform `{platform}`").into())
                    })?,
                    file: col(row, "file")?,
                    unit_code: col(row, "unit_code")?,
                    imported_by: col(row, "imported_by")?,
                    imported_at: col(row, "imported_at")?,
                    read: col(row, "read_count")?,
                    accepted: col(row, "accepted_count")?,
                    quarantined: col(row, "quarantined_count")?,
                    by_reason: serde_json::from_str(&by_reason)
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    new: col(row, "new_count")?,
                    merged: col(row, "merged_count")?,
                    known: col(row, "known_count")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("warning_pushes.imports"))
    }

    /// Every push of the filter's platform and period that was imported by a unit inside the
    /// scope (the importer is who reports back upstream, wherever the warning was routed), in
    /// push order, with its instruction's current state. Answers at most `limit + 1` rows, so
    /// that the caller can tell a period holding more than `limit` pushes (and refuse it rather
    /// than cut the file short). A push attached without an import run is in no feedback.
    pub async fn feedback(
        &self,
        scope: &Scope,
        filter: &FeedbackFilter,
        limit: i64,
    ) -> StoreResult<Vec<PushFeedback>> {
        let mut sql = Sql::new(
            "SELECT w.id, w.push_id, w.pushed_at, w.detected_at, w.unit_code, w.instruction_id, \
             i.holder_unit, i.status, i.state, i.updated_at \
             FROM warnings w \
             JOIN warning_push_imports p ON p.import_run_id = w.push_import_id \
             LEFT JOIN instructions i ON i.id = w.instruction_id \
             WHERE w.push_platform = ",
        );
        sql.arg(filter.platform.as_str())
            .push(" AND w.pushed_at >= ")
            .arg(filter.from_ms)
            .push(" AND w.pushed_at < ")
            .arg(filter.to_ms)
            .push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" ORDER BY w.pushed_at, w.push_id LIMIT ")
            .arg(limit.clamp(0, MAX_FEEDBACK_ROWS) + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("warning_pushes.feedback"))?;
        rows.iter()
            .map(|row| {
                Ok(PushFeedback {
                    platform: filter.platform,
                    push_id: col(row, "push_id")?,
                    pushed_at: col(row, "pushed_at")?,
                    warning_id: col(row, "id")?,
                    received_at: col(row, "detected_at")?,
                    warning_unit: col(row, "unit_code")?,
                    instruction_id: col(row, "instruction_id")?,
                    holder_unit: col(row, "holder_unit")?,
                    status: col(row, "status")?,
                    state: col(row, "state")?,
                    updated_at: col(row, "updated_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("warning_pushes.feedback"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_names_one_warning_id_per_platform() {
        assert_eq!(PushPlatform::National.warning_id("X1"), "TS-national-X1");
        assert_ne!(
            PushPlatform::Dongfeng.warning_id("X1"),
            PushPlatform::Changmao.warning_id("X1")
        );
        assert_eq!(
            PushPlatform::parse("changmao"),
            Some(PushPlatform::Changmao)
        );
        assert_eq!(PushPlatform::parse("x"), None);
    }
}
