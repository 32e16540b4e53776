//! 集群战役目标导入: the launching unit's list of targets added to an operation in one go.
//!
//! The file is read by `fanzha_ingest::operation_targets` (column aliases, GBK or UTF-8, XLSX).
//! Each good row's landing unit is resolved here: the 落地单位 cell as a unit code, else as a
//! unit's exact name, inside the launcher's area; an empty cell lets the platform place the
//! person ([`fanzha_store::ClusterOperations::landing_unit`]). Rows the reader rejects, and rows
//! whose unit is unknown, outside the area or cannot be found, go to the quarantine of the
//! import run with file, line, column and reason; the others are added as one batch.

use crate::error::WebError;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use fanzha_ingest::operation_targets::{read_target_list, TargetRow};
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{ImportRunId, NewTarget, QuarantineRow, Scope, SuspectRole};
use std::collections::BTreeMap;

/// The import-run kind of target lists.
pub const KIND: &str = "cluster_targets";

/// Reasons a row is refused while applying (docs/reasons.md).
pub mod reason {
    /// The unit cell names no unit of the org tree (neither a code nor an exact name).
    pub const UNKNOWN_UNIT: &str = "unknown_unit";
    /// The unit cell names a unit outside the launcher's area.
    pub const UNIT_OUTSIDE_AREA: &str = "unit_outside_area";
    /// No unit cell, and the platform knows neither where the person lives nor a unit for
    /// their ID number's county inside the area.
    pub const NOT_PLACED: &str = "not_placed";
}

/// What to import.
pub struct TargetUpload<'a> {
    pub login: &'a str,
    /// The importer's unit: the operation must be launched inside its area.
    pub unit_code: &'a str,
    pub operation_id: i64,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TargetImportReport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read: added + already targets + quarantined.
    pub read: usize,
    pub added: usize,
    /// People already targets of the operation (left as they were).
    pub already: usize,
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// Imports a target list into an operation; see the module documentation.
pub async fn import_targets(
    state: &AppState,
    up: &TargetUpload<'_>,
) -> Result<TargetImportReport, WebError> {
    let scope = state.scope_of(up.unit_code).await?;
    let ops = state.store.cluster_operations();
    // Refuses an operation outside the launcher's area (or ended) before anything is recorded.
    let summary = ops.get(&scope, up.operation_id).await?;
    if !summary.launcher {
        return Err(fanzha_store::StoreError::NotFound {
            what: "cluster operation",
            key: up.operation_id.to_string(),
        }
        .into());
    }
    // Targets land inside the launching unit's area, whoever imports them.
    let area = state.scope_of(&summary.operation.unit_code).await?;
    let parsed = read_target_list(up.file, up.bytes, up.format)?;
    let reader_rejects = parsed
        .rejected
        .iter()
        .map(|r| quarantine_row(up.file, r.line, r.column, r.reason, &r.raw))
        .collect();
    let mut run = ImportRecord::begin(
        &state.store,
        KIND,
        up.file,
        up.bytes,
        parsed.read,
        reader_rejects,
    )
    .await?;
    let mut placed: Vec<(&TargetRow, NewTarget)> = Vec::new();
    for row in &parsed.rows {
        match landing(state, &area, row).await {
            Ok(Ok(unit)) => placed.push((row, target(row, unit))),
            Ok(Err(why)) => run.reject(quarantine_row(
                up.file,
                row.line,
                Some("unit"),
                why,
                &row.raw,
            )),
            Err(e) => {
                let not_applied = parsed.rows.iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(0, not_applied, e).await);
            }
        }
    }
    let targets: Vec<NewTarget> = placed.iter().map(|(_, t)| t.clone()).collect();
    // One batch: when it fails, none of its rows counts as applied.
    let (added, already) = match ops
        .add_targets(
            &scope,
            up.operation_id,
            &targets,
            up.login,
            state.clock.now_ms(),
        )
        .await
    {
        Ok(done) => done,
        Err(e) => {
            let not_applied = placed.iter().map(|(r, _)| (r.line, r.raw.clone()));
            return Err(run.fail(0, not_applied, e).await);
        }
    };
    let FinishedImport {
        run,
        rejected,
        by_reason,
    } = run.finish(added + already).await?;
    Ok(TargetImportReport {
        import_run: run,
        file: up.file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        added,
        already,
        rejected,
        by_reason,
    })
}

/// The landing unit of a row: `Ok(Ok(code))`, or `Ok(Err(reason))` for the quarantine.
async fn landing(
    state: &AppState,
    scope: &Scope,
    row: &TargetRow,
) -> Result<Result<String, &'static str>, WebError> {
    let Some(cell) = row.unit.as_deref() else {
        return Ok(state
            .store
            .cluster_operations()
            .landing_unit(scope, &row.resident_id)
            .await?
            .ok_or(reason::NOT_PLACED));
    };
    use crate::unit_match::{unit_in_area, UnitMiss};
    Ok(unit_in_area(state, scope, cell)
        .await?
        .map_err(|miss| match miss {
            UnitMiss::Outside => reason::UNIT_OUTSIDE_AREA,
            // Two units of the area share the name: only a code tells them apart.
            UnitMiss::Unknown | UnitMiss::Ambiguous => reason::UNKNOWN_UNIT,
        }))
}

fn target(row: &TargetRow, unit: String) -> NewTarget {
    NewTarget {
        name: row.name.clone(),
        resident_id: row.resident_id.clone(),
        phone: row.phone.clone(),
        role: SuspectRole::parse(row.role).unwrap_or(SuspectRole::Other),
        unit_code: Some(unit),
        clue: row.clue.clone(),
    }
}
