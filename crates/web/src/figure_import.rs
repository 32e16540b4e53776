//! File imports of monthly figures as other offices send them: an operator's 反制数据
//! (`/operator-figures/import`, `fanzha figures import-operators`), a bank's 反诈数据
//! (`/bank-figures/import`, `fanzha figures import-banks`) and the statistics office's
//! 刑事案件立案数 (`/crime-counts/import`, `fanzha figures import-crime`). The file is read by
//! `fanzha_ingest::monthly_figures`; each good row is then entered exactly as the page's form
//! enters it (same store call, same audit
//! entry), so a file and a hand entry cannot disagree. A row is quarantined with its line and
//! reason when the reader rejects it, or when it names a unit outside the importer's area, a
//! month still to come, or — for a liaison — another operator. Entering is idempotent:
//! importing the same file again sets the same figures.

use crate::error::WebError;
use crate::import_run::{quarantine_row, ImportRecord};
use crate::state::AppState;
use chrono::Datelike;
use fanzha_ingest::monthly_figures::figure_reason::DUPLICATE;
use fanzha_ingest::monthly_figures::{
    read_bank_figures, read_crime_counts, read_operator_figures, FigureRejection,
};
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{
    natural_division_code, BankCounts, BankEnterer, FigureEnterer, ImportRunId, InterceptCounts,
    Operator, QuarantineRow, Scope, StoreError,
};
use std::collections::{BTreeMap, HashSet};
/// The import-run kinds.
const OPERATOR_KIND: &str = "operator_figures";
const CRIME_KIND: &str = "crime_counts";
const BANK_KIND: &str = "bank_figures";

/// Reasons a good row of the file is quarantined while entering it.
pub mod apply_reason {
    /// The unit is not a unit of the importer's area (or not a unit at all).
    pub const UNIT_OUTSIDE_AREA: &str = "unit_outside_area";
    /// The month is after the current month (Asia/Shanghai).
    pub const FUTURE_MONTH: &str = "future_month";
    /// Neither the row nor the form names the operator.
    pub const NO_OPERATOR: &str = "no_operator";
    /// A liaison's file holds another operator's figures.
    pub const NOT_OWN_OPERATOR: &str = "not_own_operator";
    /// The store refused the value (the column names which).
    pub const INVALID_VALUE: &str = "invalid_value";
    /// Neither the row nor the form names the bank.
    pub const NO_BANK: &str = "no_bank";
    /// A liaison's file holds another bank's figures.
    pub const NOT_OWN_BANK: &str = "not_own_bank";
}

/// A figures file to import, from the page or the command line.
pub struct FigureUpload<'a> {
    /// Who the audit log names.
    pub login: &'a str,
    /// The importing unit, whose area the rows must lie in.
    pub unit_code: &'a str,
    /// A liaison's own operator: its rows are that operator's only.
    pub own_operator: Option<Operator>,
    /// The operator of rows that name none (a liaison's own wins).
    pub chosen_operator: Option<Operator>,
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub format: ReportFormat,
}

/// What an import did.
pub struct FigureImport {
    pub import_run: ImportRunId,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    pub read: usize,
    /// Rows entered.
    pub applied: usize,
    /// The quarantine, in line order.
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
    /// The latest month entered.
    pub latest_month: Option<i64>,
}

/// The current month, `YYYYMM`, in Shanghai.
fn current_month(state: &AppState) -> Result<i64, WebError> {
    let today = state.today()?;
    Ok(i64::from(today.year()) * 100 + i64::from(today.month()))
}

/// The stored unit a file's code names, when it lies in `scope`: the code itself, else the
/// unit of a padded division code (`330281001000` → `330281001`).
async fn unit_in_scope(
    state: &AppState,
    scope: &Scope,
    code: &str,
) -> Result<Option<String>, WebError> {
    let mut unit = state.store.units().find(code).await?;
    if unit.is_none() {
        if let Ok(natural) = natural_division_code(code) {
            if natural != code {
                unit = state.store.units().find(natural).await?;
            }
        }
    }
    Ok(unit
        .filter(|u| scope.contains_path(&u.path))
        .map(|u| u.code))
}

fn reader_quarantine(file: &str, rejected: &[FigureRejection]) -> Vec<QuarantineRow> {
    rejected
        .iter()
        .map(|r| quarantine_row(file, r.line, r.column, r.reason, &r.raw))
        .collect()
}

/// Where a good row of the file goes, checked the same way for every kind of table: the month
/// not to come, the unit in the importer's area, the unit (and `key`: the operator or bank)
/// and month not entered earlier in the file. The stored unit's code, or the column to blame
/// and why.
struct Placing<'a, K> {
    state: &'a AppState,
    scope: Scope,
    this_month: i64,
    entered: HashSet<(String, K, i64)>,
}

impl<'a, K: std::hash::Hash + Eq> Placing<'a, K> {
    async fn new(state: &'a AppState, unit_code: &str) -> Result<Placing<'a, K>, WebError> {
        Ok(Placing {
            state,
            scope: state.scope_of(unit_code).await?,
            this_month: current_month(state)?,
            entered: HashSet::new(),
        })
    }

    async fn place(
        &mut self,
        unit: &str,
        key: K,
        month: i64,
    ) -> Result<Result<String, (&'static str, &'static str)>, WebError> {
        if month > self.this_month {
            return Ok(Err(("month", apply_reason::FUTURE_MONTH)));
        }
        let Some(unit) = unit_in_scope(self.state, &self.scope, unit).await? else {
            return Ok(Err(("unit", apply_reason::UNIT_OUTSIDE_AREA)));
        };
        // The reader compares codes as written; a padded code and the plain one are the
        // same unit, and the second line would overwrite the first.
        if !self.entered.insert((unit.clone(), key, month)) {
            return Ok(Err(("unit", DUPLICATE)));
        }
        Ok(Ok(unit))
    }
}

/// What an import did, once its run is finished.
async fn finished<R>(
    run: ImportRecord<'_>,
    parsed: &fanzha_ingest::monthly_figures::FigureFile<R>,
    applied: usize,
    latest_month: Option<i64>,
) -> Result<FigureImport, WebError> {
    let done = run.finish(applied).await?;
    Ok(FigureImport {
        import_run: done.run,
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        applied,
        rejected: done.rejected,
        by_reason: done.by_reason,
        latest_month,
    })
}

/// Imports an operator-figures file (see the module's comment). A liaison's rows are its own
/// operator's: a file without an operator column is taken as theirs, and a row of another
/// operator is quarantined (`not_own_operator`).
pub async fn import_operator_figures(
    state: &AppState,
    up: &FigureUpload<'_>,
) -> Result<FigureImport, WebError> {
    let file = up.file;
    let parsed = read_operator_figures(file, up.bytes, up.format)?;
    let mut run = ImportRecord::begin(
        &state.store,
        OPERATOR_KIND,
        file,
        up.bytes,
        parsed.read,
        reader_quarantine(file, &parsed.rejected),
    )
    .await?;
    let default_operator = up.own_operator.or(up.chosen_operator);
    let enterer = match up.own_operator {
        Some(own) => FigureEnterer::Operator(own),
        None => FigureEnterer::Police,
    };
    let mut placing = Placing::new(state, up.unit_code).await?;
    let now = state.clock.now_ms();
    let repo = state.store.operator_figures();
    let (mut applied, mut latest) = (0, None);
    for (i, row) in parsed.rows.iter().enumerate() {
        let mut reject = |column: &str, reason: &str| {
            run.reject(quarantine_row(
                file,
                row.line,
                Some(column),
                reason,
                &row.raw,
            ))
        };
        let Some(operator) = row.operator.and_then(Operator::parse).or(default_operator) else {
            reject("operator", apply_reason::NO_OPERATOR);
            continue;
        };
        let unit = match placing.place(&row.unit, operator, row.month).await? {
            Ok(unit) => unit,
            Err((column, reason)) => {
                reject(column, reason);
                continue;
            }
        };
        let counts = InterceptCounts {
            calls_blocked: row.calls_blocked,
            sms_blocked: row.sms_blocked,
            numbers_shut: row.numbers_shut,
            awareness_sms: row.awareness_sms,
            awareness_calls: row.awareness_calls,
        };
        let set = repo
            .set(
                &placing.scope,
                enterer,
                operator,
                &unit,
                row.month,
                Some(counts),
                up.login,
                now,
            )
            .await;
        match set {
            Ok(()) => {
                applied += 1;
                latest = latest.max(Some(row.month));
            }
            Err(StoreError::DutySeparated { .. }) => {
                reject("operator", apply_reason::NOT_OWN_OPERATOR)
            }
            Err(StoreError::Invalid { field, .. }) => reject(field, apply_reason::INVALID_VALUE),
            Err(e) => {
                let rest = parsed.rows[i..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(applied, rest, e).await);
            }
        }
    }
    finished(run, &parsed, applied, latest).await
}

/// A banks' figures file to import: whose, and the bank of rows that name none.
pub struct BankUpload<'a> {
    pub figures: FigureUpload<'a>,
    /// A liaison's own bank: its rows are that bank's only.
    pub own_bank: Option<&'a str>,
    /// The bank of rows that name none (a liaison's own wins).
    pub chosen_bank: Option<&'a str>,
}

/// Imports a banks' figures file (see the module's comment). A liaison's rows are its own
/// bank's: a file without a bank column is taken as theirs, and a row of another bank is
/// quarantined (`not_own_bank`).
pub async fn import_bank_figures(
    state: &AppState,
    bank_up: &BankUpload<'_>,
) -> Result<FigureImport, WebError> {
    let up = &bank_up.figures;
    let file = up.file;
    let parsed = read_bank_figures(file, up.bytes, up.format)?;
    let mut run = ImportRecord::begin(
        &state.store,
        BANK_KIND,
        file,
        up.bytes,
        parsed.read,
        reader_quarantine(file, &parsed.rejected),
    )
    .await?;
    let default_bank = bank_up.own_bank.or(bank_up.chosen_bank);
    let enterer = match bank_up.own_bank {
        Some(own) => BankEnterer::Bank(own.to_string()),
        None => BankEnterer::Police,
    };
    let mut placing = Placing::new(state, up.unit_code).await?;
    let now = state.clock.now_ms();
    let repo = state.store.bank_figures();
    let (mut applied, mut latest) = (0, None);
    for (i, row) in parsed.rows.iter().enumerate() {
        let mut reject = |column: &str, reason: &str| {
            run.reject(quarantine_row(
                file,
                row.line,
                Some(column),
                reason,
                &row.raw,
            ))
        };
        let Some(bank) = row.bank.as_deref().or(default_bank) else {
            reject("bank", apply_reason::NO_BANK);
            continue;
        };
        let unit = match placing
            .place(&row.unit, bank.to_string(), row.month)
            .await?
        {
            Ok(unit) => unit,
            Err((column, reason)) => {
                reject(column, reason);
                continue;
            }
        };
        let counts = BankCounts {
            dissuaded: row.dissuaded,
            dissuaded_fen: row.dissuaded_fen,
            awareness_sms: row.awareness_sms,
            awareness_calls: row.awareness_calls,
        };
        let set = repo
            .set(
                &placing.scope,
                &enterer,
                bank,
                &unit,
                row.month,
                Some(counts),
                up.login,
                now,
            )
            .await;
        match set {
            Ok(()) => {
                applied += 1;
                latest = latest.max(Some(row.month));
            }
            Err(StoreError::DutySeparated { .. }) => reject("bank", apply_reason::NOT_OWN_BANK),
            Err(StoreError::Invalid { field, .. }) => reject(field, apply_reason::INVALID_VALUE),
            Err(e) => {
                let rest = parsed.rows[i..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(applied, rest, e).await);
            }
        }
    }
    finished(run, &parsed, applied, latest).await
}

/// Imports a file of criminal cases filed per unit and month (see the module's comment).
pub async fn import_crime_counts(
    state: &AppState,
    up: &FigureUpload<'_>,
) -> Result<FigureImport, WebError> {
    let file = up.file;
    let parsed = read_crime_counts(file, up.bytes, up.format)?;
    let mut run = ImportRecord::begin(
        &state.store,
        CRIME_KIND,
        file,
        up.bytes,
        parsed.read,
        reader_quarantine(file, &parsed.rejected),
    )
    .await?;
    let mut placing = Placing::new(state, up.unit_code).await?;
    let now = state.clock.now_ms();
    let repo = state.store.crime_counts();
    let (mut applied, mut latest) = (0, None);
    for (i, row) in parsed.rows.iter().enumerate() {
        let mut reject = |column: &str, reason: &str| {
            run.reject(quarantine_row(
                file,
                row.line,
                Some(column),
                reason,
                &row.raw,
            ))
        };
        let unit = match placing.place(&row.unit, (), row.month).await? {
            Ok(unit) => unit,
            Err((column, reason)) => {
                reject(column, reason);
                continue;
            }
        };
        match repo
            .set(
                &placing.scope,
                &unit,
                row.month,
                Some(row.cases),
                up.login,
                now,
            )
            .await
        {
            Ok(()) => {
                applied += 1;
                latest = latest.max(Some(row.month));
            }
            Err(StoreError::Invalid { field, .. }) => reject(field, apply_reason::INVALID_VALUE),
            Err(e) => {
                let rest = parsed.rows[i..].iter().map(|r| (r.line, r.raw.clone()));
                return Err(run.fail(applied, rest, e).await);
            }
        }
    }
    finished(run, &parsed, applied, latest).await
}
