//! A bank's answers to 存量卡清理 requests from a file (`POST /card-cleanups/answers`): the work
//! list the liaison downloaded, filled in. The file is read by
//! `fanzha_ingest::cleanup_answers`; each good row is then answered exactly as the request's
//! page answers it (same store call, same audit entry, at the version read just before), so a
//! file and a hand answer cannot disagree. A row is quarantined with its line and reason when
//! the reader rejects it, when it names no pending request of the liaison's bank, or when the
//! store refuses its figures.

use crate::error::WebError;
use crate::import_run::{quarantine_row, ImportRecord};
use crate::state::AppState;
use fanzha_ingest::cleanup_answers::{answer_reason, read_cleanup_answers};
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{
    CleanupAnswer, CleanupOutcome, CleanupState, CleanupViewer, ImportRunId, QuarantineRow,
    StoreError,
};
use std::collections::BTreeMap;

/// The import-run kind.
const KIND: &str = "card_cleanup_answers";

/// Reasons a good row of the file is quarantined while answering it.
pub mod apply_reason {
    /// The 编号 names no request of the liaison's bank.
    pub const REQUEST_NOT_FOUND: &str = "request_not_found";
    /// The request was answered or withdrawn already.
    pub const REQUEST_NOT_PENDING: &str = "request_not_pending";
    /// The store refused the figures (the column names which).
    pub use crate::figure_import::apply_reason::INVALID_VALUE;
}

/// What an import did.
pub struct AnswerImport {
    pub import_run: ImportRunId,
    pub read: usize,
    /// Requests answered.
    pub applied: usize,
    /// The quarantine, in line order.
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// Answers the requests of `bank` a file names, as `login` (see the module's comment).
pub async fn import_answers(
    state: &AppState,
    bank: &str,
    login: &str,
    file: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<AnswerImport, WebError> {
    let parsed = read_cleanup_answers(file, bytes, format)?;
    let reader_rejects = parsed
        .rejected
        .iter()
        .map(|r| quarantine_row(file, r.line, r.column, r.reason, &r.raw))
        .collect();
    let mut run =
        ImportRecord::begin(&state.store, KIND, file, bytes, parsed.read, reader_rejects).await?;
    let repo = state.store.card_cleanups();
    let viewer = CleanupViewer::Bank(bank.to_string());
    let mut applied = 0;
    let rows = parsed.rows;
    for (i, row) in rows.iter().enumerate() {
        let reject = |column: &str, reason: &str| {
            quarantine_row(file, row.line, Some(column), reason, &row.raw)
        };
        let current = match repo.get(&viewer, row.id).await {
            Ok(c) => c,
            Err(StoreError::NotFound { .. }) => {
                run.reject(reject("id", apply_reason::REQUEST_NOT_FOUND));
                continue;
            }
            Err(e) => {
                let rest = rows[i..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(applied, rest, e).await);
            }
        };
        if current.state != CleanupState::Pending {
            run.reject(reject("id", apply_reason::REQUEST_NOT_PENDING));
            continue;
        }
        let Some(outcome) = CleanupOutcome::parse(row.outcome) else {
            run.reject(reject("outcome", answer_reason::UNKNOWN_OUTCOME));
            continue;
        };
        let answer = CleanupAnswer {
            outcome,
            accounts_found: row.accounts_found,
            accounts_closed: row.accounts_closed,
            accounts_restricted: row.accounts_restricted,
            note: row.note.clone(),
        };
        let at = state.clock.now_ms();
        match repo
            .answer(bank, row.id, current.version, &answer, login, at)
            .await
        {
            Ok(_) => applied += 1,
            Err(StoreError::Invalid { field, .. }) => {
                run.reject(reject(field, apply_reason::INVALID_VALUE));
            }
            Err(StoreError::Conflict { .. }) => {
                run.reject(reject("id", apply_reason::REQUEST_NOT_PENDING));
            }
            Err(e) => {
                let rest = rows[i..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(applied, rest, e).await);
            }
        }
    }
    let finished = run.finish(applied).await?;
    Ok(AnswerImport {
        import_run: finished.run,
        read: parsed.read,
        applied,
        rejected: finished.rejected,
        by_reason: finished.by_reason,
    })
}
