//! 任务清单导入: the joint office's task list assigned in one go.
//!
//! The file is read by `fanzha_ingest::joint_tasks` (column aliases, GBK or UTF-8, XLSX). Each
//! good row's member is found here among the active members of the importer's own office, by
//! exact name; its deadline must lie ahead (within [`fanzha_store::MAX_TASK_DAYS`]). Rows the
//! reader rejects, and rows whose member is unknown or whose deadline has passed or lies too far,
//! go to the quarantine of the import run with file, line, column and reason; the others are
//! assigned, each with its audit entry, from the meeting chosen if any, and announced like a
//! task assigned from the form (the member department is texted).

use crate::error::WebError;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use fanzha_ingest::joint_tasks::read_task_list;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{ImportRunId, NewTask, QuarantineRow, MAX_TASK_DAYS};
use std::collections::{BTreeMap, HashMap};

/// The import-run kind of task lists.
pub const KIND: &str = "joint_tasks";

const DAY_MS: i64 = 86_400_000;

/// Reasons a row is refused while applying (docs/reasons.md).
pub mod reason {
    /// The member cell names no active member of the importer's joint office.
    pub const UNKNOWN_MEMBER: &str = "unknown_member";
    /// The deadline has passed: a task is assigned ahead of it.
    pub const DUE_PASSED: &str = "due_passed";
    /// The deadline lies more than a year ahead.
    pub const DUE_TOO_FAR: &str = "due_too_far";
}

/// What to import.
pub struct TaskUpload<'a> {
    pub login: &'a str,
    /// The importer's unit: its joint office's members take the tasks.
    pub unit_code: &'a str,
    /// The meeting that decided the list, of the same office.
    pub meeting_id: Option<i64>,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TaskImportReport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read: assigned + quarantined.
    pub read: usize,
    pub assigned: usize,
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// Imports a task list into the importer's joint office; see the module documentation.
pub async fn import_tasks(
    state: &AppState,
    up: &TaskUpload<'_>,
) -> Result<TaskImportReport, WebError> {
    let scope = state.scope_of(up.unit_code).await?;
    let office = state.store.joint_office();
    // Refuses a meeting outside the area before anything is recorded.
    if let Some(g) = up.meeting_id {
        office.meeting(&scope, g).await?;
    }
    let members: HashMap<String, i64> = office
        .members(&scope, false)
        .await?
        .into_iter()
        .filter(|m| m.unit_code == up.unit_code)
        .map(|m| (m.name, m.id))
        .collect();
    let parsed = read_task_list(up.file, up.bytes, up.format)?;
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
    let now = state.clock.now_ms();
    let tasks = state.store.joint_tasks();
    let mut assigned = 0;
    for (k, row) in parsed.rows.iter().enumerate() {
        let Some(&member_id) = members.get(&row.member) else {
            run.reject(quarantine_row(
                up.file,
                row.line,
                Some("member"),
                reason::UNKNOWN_MEMBER,
                &row.raw,
            ));
            continue;
        };
        // Due by the end of the day.
        let due_at = match fanzha_core::time::shanghai_midnight(row.due_on) {
            Ok(midnight) => midnight + DAY_MS - 1,
            Err(_) => {
                run.reject(quarantine_row(
                    up.file,
                    row.line,
                    Some("due"),
                    fanzha_ingest::joint_tasks::task_reason::OUT_OF_RANGE,
                    &row.raw,
                ));
                continue;
            }
        };
        let why = if due_at <= now {
            Some(reason::DUE_PASSED)
        } else if due_at > now + MAX_TASK_DAYS * DAY_MS {
            Some(reason::DUE_TOO_FAR)
        } else {
            None
        };
        if let Some(why) = why {
            run.reject(quarantine_row(
                up.file,
                row.line,
                Some("due"),
                why,
                &row.raw,
            ));
            continue;
        }
        let task = NewTask {
            member_id,
            meeting_id: up.meeting_id,
            title: row.task.clone(),
            detail: row.detail.clone(),
            due_at,
            by: up.login.to_string(),
        };
        match tasks.assign(&scope, &task, now).await {
            Ok(id) => crate::pages::joint_office_tasks::announce_assigned(state, &scope, id).await,
            Err(e) => {
                let not_applied = parsed.rows[k..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(assigned, not_applied, e).await);
            }
        }
        assigned += 1;
    }
    let FinishedImport {
        run,
        rejected,
        by_reason,
    } = run.finish(assigned).await?;
    Ok(TaskImportReport {
        import_run: run,
        file: up.file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        assigned,
        rejected,
        by_reason,
    })
}
