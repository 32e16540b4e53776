//! 预警推送名单导入: the daily warning lists upstream platforms push to the center (the national
//! anti-fraud big-data platform, the provincial 东风 platform, 长矛, others), for
//! `fanzha warnings import-push` and the upload on `/warnings/pushes` alike; and the feedback
//! (反馈) file the center sends back up.
//!
//! The file is read by `fanzha_ingest::warning_pushes` (column aliases, GBK or UTF-8, XLSX).
//! Each good row enters the closed loop through [`fanzha_workflow::LoopService::receive`] as a
//! warning whose id is derived from (platform, push id): routed by residence, merged into the
//! person's open instruction when there is one, else issuing a new one; the warning then keeps
//! the push's identity (platform, push id, push time, import run). A push received before —
//! found by its identity, or refused by the warnings table on a concurrent delivery — is counted
//! as already known and changes nothing, unless its warning never got its instruction (an import
//! that failed right after storing it): then the loop is completed now
//! ([`fanzha_workflow::LoopService::resume`]) and the push counts as new or merged. Rejected
//! rows go to the quarantine of the import run with file, line, column and reason; an import
//! that fails partway is still finished and listed ([`crate::import_run`]).

use crate::error::WebError;
use crate::export::Table;
use crate::i18n::Lang;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use fanzha_core::mask::{mask_phone, mask_resident_id};
use fanzha_core::time::format_shanghai;
use fanzha_core::PushKind;
use fanzha_ingest::reports::ReportFormat;
use fanzha_ingest::warning_pushes::{read_pushes, PushRow, PushedFund};
use fanzha_store::{
    FeedbackFilter, ImportRunId, NewPushImport, PushFeedback, PushPlatform, QuarantineRow, Scope,
    StoreError, WarningFund, WarningPush,
};
use fanzha_workflow::{IncomingWarning, Instruction, LoopError, WarningLevel};
use std::collections::{BTreeMap, HashMap};

/// The import-run kind of push-list imports.
pub const KIND: &str = "warning_push";
/// The warning source of every pushed warning (the platform is kept beside it).
pub const SOURCE: &str = "national_push";

/// What became of one accepted row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushResult {
    /// Issued a new instruction.
    New,
    /// Merged into the person's open instruction.
    Merged,
    /// Received before (same platform and push id): nothing changed.
    Known,
}

impl PushResult {
    pub fn as_str(self) -> &'static str {
        match self {
            PushResult::New => "new",
            PushResult::Merged => "merged",
            PushResult::Known => "known",
        }
    }
}

/// An accepted row with what it became; personal data masked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PushedRow {
    pub line: u64,
    pub push_id: String,
    pub result: PushResult,
    pub warning_id: String,
    pub instruction_id: Option<String>,
    /// Masked.
    pub phone: Option<String>,
    /// Masked.
    pub resident_id: Option<String>,
    pub level: u8,
    /// The kind the list states (资金预警 …).
    pub kind: Option<PushKind>,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PushImport {
    pub import_run: ImportRunId,
    pub platform: PushPlatform,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read (blank rows are not rows): accepted + quarantined.
    pub read: usize,
    pub rows: Vec<PushedRow>,
    /// Rejected rows in line order, as stored in the quarantine.
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

impl PushImport {
    pub fn accepted(&self) -> usize {
        self.rows.len()
    }

    fn count(&self, r: PushResult) -> usize {
        self.rows.iter().filter(|x| x.result == r).count()
    }

    pub fn new_count(&self) -> usize {
        self.count(PushResult::New)
    }

    pub fn merged(&self) -> usize {
        self.count(PushResult::Merged)
    }

    pub fn known(&self) -> usize {
        self.count(PushResult::Known)
    }

    pub fn quarantined(&self) -> usize {
        self.rejected.len()
    }

    /// Accepted fund warnings (资金预警), new, merged or known.
    pub fn funds(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.kind == Some(PushKind::Fund))
            .count()
    }
}

/// Imports a platform's push list for `unit_code` (the importing unit, whose subtree lists the
/// import). `file` is the name shown in the quarantine and the report.
pub async fn import_pushes(
    state: &AppState,
    login: &str,
    unit_code: &str,
    platform: PushPlatform,
    file: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<PushImport, WebError> {
    let importer = state.store.units().get(unit_code).await?;
    let now = state.clock.now_ms();
    let parsed = read_pushes(file, bytes, format, now)?;
    let reader_rejects = parsed
        .rejected
        .iter()
        .map(|r| quarantine_row(file, r.line, r.column, r.reason, &r.raw))
        .collect();
    let record =
        ImportRecord::begin(&state.store, KIND, file, bytes, parsed.read, reader_rejects).await?;
    let run = record.id();
    let mut rows = Vec::with_capacity(parsed.rows.len());
    let mut failed = None;
    for (i, row) in parsed.rows.iter().enumerate() {
        match receive_one(state, login, platform, run, row, now).await {
            Ok(done) => rows.push(done),
            Err(e) => {
                failed = Some((i, e));
                break;
            }
        }
    }
    let finished = match failed {
        None => Ok(record.finish(rows.len()).await),
        Some((i, e)) => {
            // Rows before this one are received (each warning is); this one and the rest are
            // not: quarantined as not applied, received when the list is imported again.
            let not_reached = parsed.rows[i..].iter().map(|r| (r.line, r.push_id.clone()));
            Err(record.fail(rows.len(), not_reached, e).await)
        }
    };
    // The import is listed among the platform's imports either way, with what it did.
    let count = |r: PushResult| rows.iter().filter(|x| x.result == r).count() as i64;
    let recorded = state
        .store
        .warning_pushes()
        .record_import(&NewPushImport {
            import_run: run,
            platform,
            unit_code: importer.code.clone(),
            imported_by: login.into(),
            imported_at: now,
            new: count(PushResult::New),
            merged: count(PushResult::Merged),
            known: count(PushResult::Known),
        })
        .await;
    let FinishedImport {
        rejected,
        by_reason,
        ..
    } = finished??;
    recorded?;
    Ok(PushImport {
        import_run: run,
        platform,
        file: file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        rows,
        rejected,
        by_reason,
    })
}

async fn receive_one(
    state: &AppState,
    login: &str,
    platform: PushPlatform,
    run: ImportRunId,
    row: &PushRow,
    now: i64,
) -> Result<PushedRow, WebError> {
    let pushes = state.store.warning_pushes();
    let push = WarningPush {
        platform,
        push_id: row.push_id.clone(),
        pushed_at: row.pushed_at,
        import_run: Some(run),
        kind: row.kind,
        fund: row.fund.clone().map(stored_fund),
    };
    let mut done = PushedRow {
        line: row.line,
        push_id: row.push_id.clone(),
        result: PushResult::Known,
        warning_id: platform.warning_id(&row.push_id),
        instruction_id: None,
        phone: row.msisdn.as_deref().map(mask_phone),
        resident_id: row.resident_id.as_deref().map(mask_resident_id),
        level: row.level,
        kind: row.kind,
    };
    if let Some(existing) = pushes.find(platform, &row.push_id).await? {
        done.warning_id = existing;
        return resume(state, done, now).await;
    }
    let level = WarningLevel::from_number(row.level)
        .ok_or_else(|| WebError::BadRequest(format!("level {} out of range", row.level)))?;
    let received = state
        .loop_service
        .receive(
            IncomingWarning {
                id: Some(done.warning_id.clone()),
                resident_id: row.resident_id.clone(),
                msisdn: row.msisdn.clone(),
                residence_code: None,
                level,
                fraud_type: row.fraud_type.map(|t| t.code().to_string()),
                score_permille: 1000,
                source: SOURCE.into(),
                signal_at: row.pushed_at,
                evidence: serde_json::json!({
                    "push": {
                        "platform": platform.as_str(),
                        "platform_name": platform.zh(),
                        "push_id": row.push_id,
                        "pushed_at": row.pushed_at,
                        "kind": row.kind.map(PushKind::code),
                        "import_run": run.0,
                    },
                    "pushed_by": login,
                    "fraud_hint": row.fraud_hint,
                    "note": row.remarks,
                    "suspects": row.suspects,
                }),
            },
            now,
        )
        .await;
    match received {
        Ok(r) => {
            pushes.attach(&r.warning_id, &push).await?;
            done.result = if r.merged {
                PushResult::Merged
            } else {
                PushResult::New
            };
            done.instruction_id = Some(r.instruction_id);
            Ok(done)
        }
        // Delivered concurrently by another import: the warnings table refused the second.
        Err(LoopError::Store(StoreError::Conflict { .. })) => {
            pushes.attach(&done.warning_id, &push).await?;
            resume(state, done, now).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A fund warning's payment as read (a list's row, an API push), as the store keeps it.
pub fn stored_fund(f: PushedFund) -> WarningFund {
    WarningFund {
        amount_fen: f.amount_fen,
        paid_at: f.paid_at,
        payee_account: f.payee_account,
        payee_bank_code: f.payee_bank_code,
        payee_bank: f.payee_bank,
        payer_account: f.payer_account,
    }
}

/// A push whose warning is stored already: known — unless its receiving stopped before the
/// warning had its instruction (the import failed partway), in which case the loop is completed
/// now and the push counts as new or merged after all.
async fn resume(state: &AppState, mut done: PushedRow, now: i64) -> Result<PushedRow, WebError> {
    if let Some(r) = state.loop_service.resume(&done.warning_id, now).await? {
        done.result = if r.merged {
            PushResult::Merged
        } else {
            PushResult::New
        };
        done.instruction_id = Some(r.instruction_id);
    }
    Ok(done)
}

/// The feedback file's column keys (i18n), in order.
pub const FEEDBACK_COLUMNS: [&str; 13] = [
    "wp_platform",
    "wp_push_id",
    "wp_pushed_at",
    "wp_received_at",
    "wp_instruction",
    "wp_handling_unit",
    "wp_handling_unit_code",
    "col_status",
    "wp_outcome",
    "wp_outcome_code",
    "wp_signed_at",
    "wp_resolved_at",
    "wp_closed_at",
];

/// The feedback (反馈) of a platform's pushes in a period imported by units inside the scope:
/// each push id with its instruction's status and outcome, the unit handling it and the times —
/// no personal data, the upstream platform knows the person by its push id. A period holding
/// more than `limit` pushes ([`fanzha_store::MAX_FEEDBACK_ROWS`] on the page) is refused with
/// [`WebError::PeriodTooLarge`] rather than cut short.
pub async fn feedback_table(
    state: &AppState,
    scope: &Scope,
    filter: &FeedbackFilter,
    lang: Lang,
    limit: i64,
) -> Result<Table, WebError> {
    let items = state
        .store
        .warning_pushes()
        .feedback(scope, filter, limit)
        .await?;
    if items.len() as i64 > limit {
        return Err(WebError::PeriodTooLarge {
            what: "pushes",
            limit,
        });
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(items.len());
    for f in items {
        let unit = f.holder_unit.clone().unwrap_or(f.warning_unit.clone());
        let name = match names.get(&unit) {
            Some(n) => n.clone(),
            None => {
                let n = state.unit_name(&unit).await;
                names.insert(unit.clone(), n.clone());
                n
            }
        };
        rows.push(feedback_row(&f, lang, unit, name)?);
    }
    Ok(Table {
        name: format!("feedback_{}", filter.platform.as_str()),
        headers: FEEDBACK_COLUMNS
            .iter()
            .map(|h| lang.t(h).to_string())
            .collect(),
        rows,
    })
}

fn feedback_row(
    f: &PushFeedback,
    lang: Lang,
    unit: String,
    unit_name: String,
) -> Result<Vec<String>, WebError> {
    let time = |ms: Option<i64>| ms.map(format_shanghai).unwrap_or_default();
    let inst: Option<Instruction> = match &f.state {
        Some(s) => Some(serde_json::from_str(s).map_err(|e| {
            WebError::Store(StoreError::Corrupt {
                what: "instruction state",
                detail: e.to_string(),
            })
        })?),
        None => None,
    };
    let (status, outcome, outcome_code) = match &inst {
        Some(i) => (
            match lang {
                Lang::Zh => i.status.zh().to_string(),
                Lang::En => i.status_code().to_string(),
            },
            i.outcome
                .map(|o| match lang {
                    Lang::Zh => o.zh(),
                    Lang::En => o.code().replace('_', " "),
                })
                .unwrap_or_default(),
            i.outcome.map(|o| o.code().to_string()).unwrap_or_default(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    Ok(vec![
        match lang {
            Lang::Zh => f.platform.zh(),
            Lang::En => f.platform.en(),
        }
        .to_string(),
        f.push_id.clone(),
        format_shanghai(f.pushed_at),
        format_shanghai(f.received_at),
        f.instruction_id.clone().unwrap_or_default(),
        unit_name,
        unit,
        status,
        outcome,
        outcome_code,
        time(inst.as_ref().and_then(|i| i.first_signed_at)),
        time(inst.as_ref().and_then(|i| i.resolved_at)),
        time(inst.as_ref().and_then(|i| i.closed_at)),
    ])
}
