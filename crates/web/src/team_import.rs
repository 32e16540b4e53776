//! 劝阻队伍 rosters: who serves each village, imported for `fanzha teams import` and the upload on
//! `/teams` alike.
//!
//! The file is read by `fanzha_ingest::team_members` (column aliases, GBK or UTF-8, XLSX). The
//! importer reads what the reader cannot: the kind as the unit writes it
//! ([`TeamKind::from_written`]: 驻村民警 is a community officer, 村支部书记 a cadre) and the
//! village or township by code or exact name inside the importing unit's area. Each good row
//! joins the team once (the same place, kind and phone imported again changes nothing,
//! [`fanzha_store::TeamMembers::import`]); every other row goes to the quarantine of the import
//! run with file, line, column and reason.

use crate::card_screening::hex;
use crate::error::WebError;
use crate::state::AppState;
use fanzha_ingest::reports::ReportFormat;
use fanzha_ingest::team_members::{read_team_list, TeamRow};
use fanzha_store::{
    ImportCounts, ImportRunId, NewImportRun, NewTeamMember, QuarantineRow, Scope, TeamKind,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The import-run kind of team rosters.
pub const KIND: &str = "team_roster";

/// Reasons the importer adds to the reader's.
pub mod reason {
    /// The kind names none of the four (反诈民警, 社区民警, 村（街道）干部, 网格员).
    pub const UNKNOWN_TEAM_KIND: &str = "unknown_team_kind";
    /// The unit's name fits several units of the area: give the code.
    pub const AMBIGUOUS_UNIT: &str = "ambiguous_unit";
}

/// What to import and how.
pub struct TeamListUpload<'a> {
    pub login: &'a str,
    /// The importing unit: rows reach the villages and townships of its subtree only.
    pub unit_code: &'a str,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TeamListReport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read (blank rows are not rows): added + unchanged + rejected.
    pub read: usize,
    pub added: usize,
    pub unchanged: usize,
    /// Rejected rows in line order, as stored in the quarantine.
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// The unit a roster row names: a code, or an exact name that one unit of the area has.
pub(crate) async fn unit_of(
    state: &AppState,
    scope: &Scope,
    written: &str,
) -> Result<Result<String, &'static str>, WebError> {
    use crate::unit_match::{unit_in_area, UnitMiss};
    Ok(unit_in_area(state, scope, written)
        .await?
        .map_err(|miss| match miss {
            UnitMiss::Unknown => "unknown_unit",
            UnitMiss::Outside => "unit_outside_area",
            UnitMiss::Ambiguous => reason::AMBIGUOUS_UNIT,
        }))
}

/// Imports a roster; see the module documentation.
pub async fn import_team_list(
    state: &AppState,
    up: &TeamListUpload<'_>,
) -> Result<TeamListReport, WebError> {
    let scope = state.scope_of(up.unit_code).await?;
    let now = state.clock.now_ms();
    let parsed = read_team_list(up.file, up.bytes, up.format)?;
    let imports = state.store.imports();
    let run = imports
        .begin(&NewImportRun {
            kind: KIND.into(),
            file: up.file.into(),
            content_hash: hex(&Sha256::digest(up.bytes)),
        })
        .await?;
    let quarantine = |r: &TeamRow, column: &str, reason: &str| QuarantineRow {
        file: up.file.into(),
        line: r.line as i64,
        column: Some(column.to_string()),
        reason: reason.to_string(),
        raw: r.raw.clone(),
    };
    let mut rejected: Vec<QuarantineRow> = parsed
        .rejected
        .iter()
        .map(|r| QuarantineRow {
            file: up.file.into(),
            line: r.line as i64,
            column: r.column.map(str::to_string),
            reason: r.reason.to_string(),
            raw: r.raw.clone(),
        })
        .collect();
    // Rows the importer can place, with the file row each came from.
    let mut members = Vec::new();
    let mut from = Vec::new();
    for r in &parsed.rows {
        let Some(kind) = TeamKind::from_written(&r.kind) else {
            rejected.push(quarantine(r, "kind", reason::UNKNOWN_TEAM_KIND));
            continue;
        };
        let unit_code = match unit_of(state, &scope, &r.unit).await? {
            Ok(code) => code,
            Err(why) => {
                rejected.push(quarantine(r, "unit", why));
                continue;
            }
        };
        members.push(NewTeamMember {
            unit_code,
            kind,
            name: r.name.clone(),
            phone: r.phone.clone(),
            login: r.login.clone(),
        });
        from.push(r);
    }
    let done = state
        .store
        .team_members()
        .import(&scope, &members, up.login, now)
        .await?;
    for (i, why) in &done.rejected {
        let column = match *why {
            fanzha_store::team_reason::UNKNOWN_LOGIN => "login",
            fanzha_store::team_reason::INVALID => "name",
            _ => "unit",
        };
        rejected.push(quarantine(from[*i], column, why));
    }
    rejected.sort_by_key(|r| r.line);
    imports.add_quarantine(run, &rejected).await?;
    let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rejected {
        *by_reason.entry(r.reason.clone()).or_default() += 1;
    }
    imports
        .finish(
            run,
            &ImportCounts {
                read: parsed.read as i64,
                accepted: (done.added + done.unchanged) as i64,
                quarantined: rejected.len() as i64,
                by_reason: by_reason.clone(),
            },
        )
        .await?;
    Ok(TeamListReport {
        import_run: run,
        file: up.file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        added: done.added,
        unchanged: done.unchanged,
        rejected,
        by_reason,
    })
}
