//! Import runs and their quarantine: every file imported, what it held, and every row it
//! rejected with file, line, column and reason.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::sql::{col, Sql};
use crate::store::{now_ms, Store};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The id of an import run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ImportRunId(pub i64);

impl std::fmt::Display for ImportRunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An import about to start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewImportRun {
    /// `people`, `phones`, `accounts`, `divisions`, …
    pub kind: String,
    /// The file as given by the user.
    pub file: String,
    /// Hash of the file's bytes (hex), to recognise a file imported before.
    pub content_hash: String,
}

/// A rejected input row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuarantineRow {
    pub file: String,
    /// 1-based line (or row, for spreadsheets) in the file.
    pub line: i64,
    /// The offending column, when one is to blame.
    pub column: Option<String>,
    /// Stable reason code (`bad_check_digit`, `bad_luhn`, …; see docs/reasons.md).
    pub reason: String,
    /// The row as read, so it can be fixed and re-imported.
    pub raw: String,
}

/// The figures of a finished import.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub read: i64,
    pub accepted: i64,
    pub quarantined: i64,
    /// Quarantined rows per reason code.
    pub by_reason: BTreeMap<String, i64>,
}

/// A stored import run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportRun {
    pub id: ImportRunId,
    pub kind: String,
    pub file: String,
    pub content_hash: String,
    pub started_at: i64,
    /// `None` while running (or when the import died).
    pub finished_at: Option<i64>,
    pub counts: ImportCounts,
}

/// A stored quarantined row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantinedRow {
    pub id: i64,
    pub import_run_id: ImportRunId,
    pub row: QuarantineRow,
}

const RUN_COLUMNS: &str = "id, kind, file, content_hash, started_at, finished_at, read_count, \
     accepted_count, quarantined_count, by_reason";

fn run_from_row(row: &AnyRow) -> Result<ImportRun, sqlx::Error> {
    let by_reason: String = col(row, "by_reason")?;
    let by_reason = serde_json::from_str(&by_reason).map_err(|e| sqlx::Error::ColumnDecode {
        index: "by_reason".into(),
        source: Box::new(e),
    })?;
    Ok(ImportRun {
        id: ImportRunId(col(row, "id")?),
        kind: col(row, "kind")?,
        file: col(row, "file")?,
        content_hash: col(row, "content_hash")?,
        started_at: col(row, "started_at")?,
        finished_at: col(row, "finished_at")?,
        counts: ImportCounts {
            read: col(row, "read_count")?,
            accepted: col(row, "accepted_count")?,
            quarantined: col(row, "quarantined_count")?,
            by_reason,
        },
    })
}

fn quarantined_from_row(row: &AnyRow) -> Result<QuarantinedRow, sqlx::Error> {
    Ok(QuarantinedRow {
        id: col(row, "id")?,
        import_run_id: ImportRunId(col(row, "import_run_id")?),
        row: QuarantineRow {
            file: col(row, "file")?,
            line: col(row, "line")?,
            column: col(row, "column_name")?,
            reason: col(row, "reason")?,
            raw: col(row, "raw")?,
        },
    })
}

/// The import-run and quarantine repository.
pub struct Imports<'s> {
    store: &'s Store,
}

impl<'s> Imports<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Imports { store }
    }

    /// Records the start of an import and returns its id.
    pub async fn begin(&self, run: &NewImportRun) -> StoreResult<ImportRunId> {
        let mut sql =
            Sql::new("INSERT INTO import_runs (kind, file, content_hash, started_at) VALUES (");
        sql.arg(run.kind.as_str())
            .push(", ")
            .arg(run.file.as_str())
            .push(", ")
            .arg(run.content_hash.as_str())
            .push(", ")
            .arg(now_ms())
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("import_runs.begin"))?;
        Ok(ImportRunId(
            col(&row, "id").map_err(StoreError::query("import_runs.begin"))?,
        ))
    }

    /// Stores rejected rows of a run, in one transaction; returns how many.
    pub async fn add_quarantine(
        &self,
        run: ImportRunId,
        rows: &[QuarantineRow],
    ) -> StoreResult<u64> {
        let mut tx = self.store.begin_write("quarantine.begin").await?;
        let written = add_quarantine_on(&mut tx, self.store.backend(), run, rows).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("quarantine.commit"))?;
        Ok(written)
    }

    /// Records the end of an import with its figures.
    pub async fn finish(&self, run: ImportRunId, counts: &ImportCounts) -> StoreResult<()> {
        let by_reason =
            serde_json::to_string(&counts.by_reason).map_err(|e| StoreError::Corrupt {
                what: "import counts",
                detail: e.to_string(),
            })?;
        let mut sql = Sql::new("UPDATE import_runs SET finished_at = ");
        sql.arg(now_ms())
            .push(", read_count = ")
            .arg(counts.read)
            .push(", accepted_count = ")
            .arg(counts.accepted)
            .push(", quarantined_count = ")
            .arg(counts.quarantined)
            .push(", by_reason = ")
            .arg(by_reason)
            .push(" WHERE id = ")
            .arg(run.0);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("import_runs.finish"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "import run",
                key: run.to_string(),
            });
        }
        Ok(())
    }

    pub async fn get(&self, run: ImportRunId) -> StoreResult<ImportRun> {
        let mut sql = Sql::new(format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE id = "));
        sql.arg(run.0);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("import_runs.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "import run",
                key: run.to_string(),
            })?;
        run_from_row(&row).map_err(StoreError::query("import_runs.get"))
    }

    /// The latest finished run of this kind over a file with these exact bytes, if any.
    pub async fn latest_with_hash(
        &self,
        kind: &str,
        content_hash: &str,
    ) -> StoreResult<Option<ImportRun>> {
        let mut sql = Sql::new(format!(
            "SELECT {RUN_COLUMNS} FROM import_runs WHERE kind = "
        ));
        sql.arg(kind)
            .push(" AND content_hash = ")
            .arg(content_hash)
            .push(" AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("import_runs.by_hash"))?;
        row.map(|r| run_from_row(&r))
            .transpose()
            .map_err(StoreError::query("import_runs.by_hash"))
    }

    /// Runs, newest first.
    pub async fn list(&self, page: &PageRequest<i64>) -> StoreResult<Page<ImportRun, i64>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {RUN_COLUMNS} FROM import_runs"));
        if let Some(after) = page.after {
            sql.push(" WHERE id < ").arg(after);
        }
        sql.push(" ORDER BY id DESC LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("import_runs.list"))?;
        let items = rows
            .iter()
            .map(run_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("import_runs.list"))?;
        Ok(Page::from_overfetch(items, limit, |r| r.id.0))
    }

    /// The rows a run rejected, in the order they were stored.
    pub async fn quarantine(
        &self,
        run: ImportRunId,
        page: &PageRequest<i64>,
    ) -> StoreResult<Page<QuarantinedRow, i64>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(
            "SELECT id, import_run_id, file, line, column_name, reason, raw FROM quarantine \
             WHERE import_run_id = ",
        );
        sql.arg(run.0);
        if let Some(after) = page.after {
            sql.push(" AND id > ").arg(after);
        }
        sql.push(" ORDER BY id LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quarantine.list"))?;
        let items = rows
            .iter()
            .map(quarantined_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("quarantine.list"))?;
        Ok(Page::from_overfetch(items, limit, |r| r.id))
    }
}

/// Stores rejected rows of a run on an open connection (the caller owns the transaction).
pub(crate) async fn add_quarantine_on(
    conn: &mut sqlx::AnyConnection,
    backend: crate::dialect::Backend,
    run: ImportRunId,
    rows: &[QuarantineRow],
) -> StoreResult<u64> {
    const PER_ROW: usize = 6;
    let per_chunk = ((backend.max_bind_params() - 1) / PER_ROW).min(1_000);
    let mut written = 0;
    for chunk in rows.chunks(per_chunk) {
        let mut sql = Sql::with_capacity(128 + chunk.len() * 40, chunk.len() * PER_ROW);
        sql.push(
            "INSERT INTO quarantine (import_run_id, file, line, column_name, reason, raw) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .arg(run.0)
                .push(", ")
                .arg(r.file.as_str())
                .push(", ")
                .arg(r.line)
                .push(", ")
                .arg(r.column.as_deref())
                .push(", ")
                .arg(r.reason.as_str())
                .push(", ")
                .arg(r.raw.as_str())
                .push(")");
        }
        written += sql
            .query()
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("quarantine.insert"))?
            .rows_affected();
    }
    Ok(written)
}
