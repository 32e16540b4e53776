//! 重点人员名单导入: a list of people to keep under watch — the national platform's punishment
//! list, the exit bans, the ministry's lists of people stranded abroad or returned — applied to
//! the dossiers of the importing unit's area, for `fanzha key-persons import` and the upload on
//! `/key-persons` alike.
//!
//! The file is read by `fanzha_ingest::key_person_list` (column aliases, GBK or UTF-8, XLSX);
//! each good row lists the resident in its category (or the list's) and brings the dossier's
//! punishment, exit ban and 劝返 state up to what the row states
//! ([`fanzha_store::KeyPersons::import_list`]), so the same list imported again changes nothing.
//! Rows the reader rejects, and rows naming nobody of the area or a dossier held by another
//! unit, go to the quarantine of the import run with file, line, column and reason.

use crate::error::WebError;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use chrono::{Days, NaiveDate};
use fanzha_core::time::shanghai_midnight;
use fanzha_ingest::key_person_list::{read_key_person_list, KeyPersonListRow};
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{
    AbroadState, ImportRunId, KeyPersonCategory, KeyPersonListImport, KeyPersonMeasure,
    ListedKeyPerson, PunishmentKind, QuarantineRow,
};
use std::collections::BTreeMap;

/// The import-run kind of key-person lists.
pub const KIND: &str = "key_person_list";

/// Where a list comes from; stored as the `source` of the dossiers it opens.
pub const SOURCES: [(&str, &str, &str); 5] = [
    (
        "national",
        "国家反诈大数据平台",
        "National anti-fraud platform",
    ),
    ("ministry", "公安部/联席办", "Ministry / joint office"),
    (
        "exit_entry",
        "出入境管理部门",
        "Exit and entry administration",
    ),
    ("province", "省厅", "Provincial department"),
    ("center", "本中心", "This center"),
];

/// The longest label of a list kept (characters).
const MAX_LABEL_CHARS: usize = 100;

/// What to import and how.
pub struct KeyPersonListUpload<'a> {
    pub login: &'a str,
    /// The importing unit: rows reach the residents and dossiers of its subtree only.
    pub unit_code: &'a str,
    /// One of [`SOURCES`].
    pub source: &'a str,
    /// The category of rows that name none.
    pub category: Option<KeyPersonCategory>,
    /// The list's name (e.g. `2026年11月金融惩戒名单`), the reason of rows that give none.
    pub label: &'a str,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct KeyPersonListReport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read (blank rows are not rows): applied + quarantined.
    pub read: usize,
    pub applied: usize,
    #[serde(flatten)]
    pub done: KeyPersonListImport,
    /// Rejected rows in line order, as stored in the quarantine.
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// Whether `source` is one of [`SOURCES`].
pub fn known_source(source: &str) -> bool {
    SOURCES.iter().any(|(code, _, _)| *code == source)
}

/// Imports a key-person list; see the module documentation.
pub async fn import_key_person_list(
    state: &AppState,
    up: &KeyPersonListUpload<'_>,
) -> Result<KeyPersonListReport, WebError> {
    if !known_source(up.source) {
        return Err(WebError::BadRequest(format!(
            "unknown source `{}`: use {}",
            up.source,
            SOURCES.map(|s| s.0).join(", ")
        )));
    }
    let label: String = up.label.trim().chars().take(MAX_LABEL_CHARS).collect();
    let label = if label.is_empty() {
        format!("名单导入 {}", up.file)
    } else {
        label
    };
    let scope = state.scope_of(up.unit_code).await?;
    let now = state.clock.now_ms();
    let parsed = read_key_person_list(
        up.file,
        up.bytes,
        up.format,
        up.category.map(KeyPersonCategory::as_str),
    )?;
    let listed: Vec<ListedKeyPerson> = parsed
        .rows
        .iter()
        .map(|r| listed(r, up.category, &label, now))
        .collect::<Result<_, _>>()?;
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
    // One batch: when it fails, none of its rows counts as applied (the list imported again
    // applies them, changing nothing already done).
    let done = match state
        .store
        .key_persons()
        .import_list(&scope, &listed, up.source, up.login, now)
        .await
    {
        Ok(done) => done,
        Err(e) => {
            let not_applied = parsed.rows.iter().map(|r| (r.line, r.raw.clone()));
            return Err(run.fail(0, not_applied, e).await);
        }
    };
    for (i, reason) in &done.rejected {
        let r = &parsed.rows[*i];
        run.reject(quarantine_row(
            up.file,
            r.line,
            Some("resident_id"),
            reason,
            &r.raw,
        ));
    }
    let applied = listed.len() - done.rejected.len();
    let FinishedImport {
        run,
        rejected,
        by_reason,
    } = run.finish(applied).await?;
    Ok(KeyPersonListReport {
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

/// A list row in the store's terms. Days are Asia/Shanghai: a measure runs from its first day's
/// midnight to the midnight after its last day.
fn listed(
    row: &KeyPersonListRow,
    default: Option<KeyPersonCategory>,
    label: &str,
    now: i64,
) -> Result<ListedKeyPerson, WebError> {
    let code = |c: Option<&str>| -> Result<KeyPersonCategory, WebError> {
        c.and_then(KeyPersonCategory::parse)
            .or(default)
            .ok_or_else(|| WebError::BadRequest("choose the list's category".into()))
    };
    let midnight = |d: NaiveDate| -> Result<i64, WebError> {
        shanghai_midnight(d).map_err(|e| WebError::BadRequest(format!("{d}: {e}")))
    };
    let after = |d: Option<NaiveDate>| -> Result<Option<i64>, WebError> {
        d.map(|d| {
            d.checked_add_days(Days::new(1))
                .ok_or_else(|| WebError::BadRequest(format!("{d}: out of range")))
                .and_then(midnight)
        })
        .transpose()
    };
    let mut measures = Vec::new();
    if let Some(p) = &row.punishment {
        measures.push(KeyPersonMeasure::Punishment {
            kind: PunishmentKind::parse(p.kind)
                .ok_or_else(|| WebError::BadRequest(format!("punishment `{}`", p.kind)))?,
            from: midnight(p.first_day)?,
            until: after(p.last_day)?,
        });
    }
    if let Some(b) = &row.exit_ban {
        measures.push(KeyPersonMeasure::ExitBan {
            from: midnight(b.first_day)?,
            until: after(b.last_day)?,
        });
    }
    if let Some(a) = &row.abroad {
        measures.push(KeyPersonMeasure::Persuasion {
            state: AbroadState::parse(a.state)
                .ok_or_else(|| WebError::BadRequest(format!("abroad state `{}`", a.state)))?,
            on: match a.since {
                Some(d) => midnight(d)?,
                None => now,
            },
            place: a.place.clone(),
        });
    }
    Ok(ListedKeyPerson {
        resident_id: row.resident_id.clone(),
        category: code(row.category)?,
        reason: row.reason.clone().unwrap_or_else(|| label.to_string()),
        measures,
    })
}
