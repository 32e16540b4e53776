//! 金钟罩 guardian lists (监护人/家属名单): who to text when a resident who signed up for joint
//! defense receives a fraud warning, imported for `fanzha guardians import` and the upload on
//! `/guardians` alike.
//!
//! The file is read by `fanzha_ingest::guardians` (column aliases, GBK or UTF-8, XLSX); each good
//! row saves the resident's guardian with that phone (one per resident and phone, so the same
//! list imported again changes nothing) and records the resident's sign-up
//! ([`fanzha_store::Guardians::import`]). Rows the reader rejects, and rows naming nobody of the
//! importing unit's area, go to the quarantine of the import run with file, line, column and
//! reason.

use crate::card_screening::hex;
use crate::error::WebError;
use crate::state::AppState;
use fanzha_ingest::guardians::read_guardians;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{
    GuardianImport, ImportCounts, ImportRunId, NewGuardian, NewImportRun, QuarantineRow,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The import-run kind of guardian lists.
pub const KIND: &str = "guardian_list";

/// What to import and how.
pub struct GuardianListUpload<'a> {
    pub login: &'a str,
    /// The importing unit: rows reach the residents of its subtree only.
    pub unit_code: &'a str,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GuardianListReport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read (blank rows are not rows): applied + quarantined.
    pub read: usize,
    pub applied: usize,
    #[serde(flatten)]
    pub done: GuardianImport,
    /// Rejected rows in line order, as stored in the quarantine.
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// Imports a guardian list; see the module documentation.
pub async fn import_guardian_list(
    state: &AppState,
    up: &GuardianListUpload<'_>,
) -> Result<GuardianListReport, WebError> {
    let scope = state.scope_of(up.unit_code).await?;
    let now = state.clock.now_ms();
    let parsed = read_guardians(up.file, up.bytes, up.format)?;
    let imports = state.store.imports();
    let run = imports
        .begin(&NewImportRun {
            kind: KIND.into(),
            file: up.file.into(),
            content_hash: hex(&Sha256::digest(up.bytes)),
        })
        .await?;
    let rows: Vec<NewGuardian> = parsed
        .rows
        .iter()
        .map(|r| NewGuardian {
            resident_id: r.resident_id.clone(),
            name: r.name.clone(),
            phone: r.phone.clone(),
            relationship: r.relation.to_string(),
            created_at: now,
        })
        .collect();
    let done = state
        .store
        .guardians()
        .import(&scope, &rows, up.login, now)
        .await?;
    let quarantine = |line: u64, column: Option<&str>, reason: &str, raw: &str| QuarantineRow {
        file: up.file.into(),
        line: line as i64,
        column: column.map(str::to_string),
        reason: reason.to_string(),
        raw: raw.to_string(),
    };
    let mut rejected: Vec<QuarantineRow> = parsed
        .rejected
        .iter()
        .map(|r| quarantine(r.line, r.column, r.reason, &r.raw))
        .chain(done.rejected.iter().map(|(i, reason)| {
            let r = &parsed.rows[*i];
            quarantine(r.line, Some("resident_id"), reason, &r.raw)
        }))
        .collect();
    rejected.sort_by_key(|r| r.line);
    imports.add_quarantine(run, &rejected).await?;
    let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rejected {
        *by_reason.entry(r.reason.clone()).or_default() += 1;
    }
    let applied = rows.len() - done.rejected.len();
    imports
        .finish(
            run,
            &ImportCounts {
                read: parsed.read as i64,
                accepted: applied as i64,
                quarantined: rejected.len() as i64,
                by_reason: by_reason.clone(),
            },
        )
        .await?;
    Ok(GuardianListReport {
        import_run: run,
        file: up.file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        applied,
        done,
        rejected,
        by_reason,
    })
}
