//! The runs of live detection on the signal stream: begun with the sequence they read from,
//! their figures stored at every snapshot, ended when they stop cleanly. The rules page shows
//! them running, stopped, or interrupted (neither ended nor updated for a while: killed).

use crate::error::{StoreError, StoreResult};
use crate::imports::ImportRunId;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// How far a run has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunProgress {
    /// The last stream sequence processed.
    pub through_sequence: i64,
    pub signals: i64,
    pub rejected: i64,
    pub warnings: i64,
    pub delivered: i64,
    pub already_delivered: i64,
}

/// A stored run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DetectionRun {
    pub id: i64,
    pub stream: String,
    /// The machine and process that ran it (`host:pid`).
    pub host: String,
    /// Its rejected messages are this import run's quarantine.
    pub import_run: ImportRunId,
    pub started_at: i64,
    pub updated_at: i64,
    pub ended_at: Option<i64>,
    pub from_sequence: i64,
    pub progress: RunProgress,
}

const COLUMNS: &str = "id, stream, host, import_run_id, started_at, updated_at, ended_at, \
     from_sequence, through_sequence, signals, rejected, warnings, delivered, already_delivered";

fn run_from_row(row: &AnyRow) -> Result<DetectionRun, sqlx::Error> {
    Ok(DetectionRun {
        id: col(row, "id")?,
        stream: col(row, "stream")?,
        host: col(row, "host")?,
        import_run: ImportRunId(col(row, "import_run_id")?),
        started_at: col(row, "started_at")?,
        updated_at: col(row, "updated_at")?,
        ended_at: col(row, "ended_at")?,
        from_sequence: col(row, "from_sequence")?,
        progress: RunProgress {
            through_sequence: col(row, "through_sequence")?,
            signals: col(row, "signals")?,
            rejected: col(row, "rejected")?,
            warnings: col(row, "warnings")?,
            delivered: col(row, "delivered")?,
            already_delivered: col(row, "already_delivered")?,
        },
    })
}

pub struct DetectionRuns<'s> {
    store: &'s Store,
}

impl<'s> DetectionRuns<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        DetectionRuns { store }
    }

    /// Records the start of a run reading `stream` from `from_sequence`.
    pub async fn begin(
        &self,
        stream: &str,
        host: &str,
        import_run: ImportRunId,
        from_sequence: i64,
        at: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new(
            "INSERT INTO detection_runs (stream, host, import_run_id, started_at, updated_at, \
             from_sequence, through_sequence) VALUES (",
        );
        sql.arg(stream)
            .push(", ")
            .arg(host)
            .push(", ")
            .arg(import_run.0)
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(from_sequence)
            .push(", ")
            .arg(from_sequence - 1)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("detection_runs.begin"))?;
        col(&row, "id").map_err(StoreError::query("detection_runs.begin"))
    }

    /// Stores a run's progress (at a snapshot); with `ended`, it stopped cleanly.
    pub async fn update(
        &self,
        id: i64,
        progress: &RunProgress,
        at: i64,
        ended: bool,
    ) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE detection_runs SET updated_at = ");
        sql.arg(at)
            .push(", through_sequence = ")
            .arg(progress.through_sequence)
            .push(", signals = ")
            .arg(progress.signals)
            .push(", rejected = ")
            .arg(progress.rejected)
            .push(", warnings = ")
            .arg(progress.warnings)
            .push(", delivered = ")
            .arg(progress.delivered)
            .push(", already_delivered = ")
            .arg(progress.already_delivered);
        if ended {
            sql.push(", ended_at = ").arg(at);
        }
        sql.push(" WHERE id = ").arg(id);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("detection_runs.update"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "detection run",
                key: id.to_string(),
            });
        }
        Ok(())
    }

    /// The latest `limit` runs, newest first.
    pub async fn latest(&self, limit: i64) -> StoreResult<Vec<DetectionRun>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM detection_runs ORDER BY id DESC LIMIT "
        ));
        sql.arg(limit.clamp(1, 1000));
        sql.fetch_decoded(self.store.pool(), "detection_runs.latest", run_from_row)
            .await
    }
}
