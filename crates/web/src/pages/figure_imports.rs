//! The pages' uploads of monthly figure tables (运营商反制数据 on `/operator-figures`, 银行反诈数据
//! on `/bank-figures`, 刑事案件立案数 on `/crime-counts`): the multipart form read, the import done by
//! [`crate::figure_import`], and what it did as the page shows it.

use crate::auth::principal::Principal;
use crate::error::WebError;
use crate::figure_import::{
    import_bank_figures, import_crime_counts, import_operator_figures, BankUpload, FigureImport,
    FigureUpload,
};
use crate::pages::upload::Upload;
use crate::state::AppState;
use axum::extract::Multipart;
use fanzha_store::Operator;

/// What an import did, as the page shows it.
pub struct FigureImportView {
    pub run: i64,
    pub file: String,
    pub read: usize,
    /// Rows entered.
    pub applied: usize,
    /// (line, column, reason), in line order.
    pub rejected: Vec<(i64, String, String)>,
}

impl FigureImportView {
    /// The view of run `run` of `file`: rows read and applied, and the quarantine.
    pub fn new(
        run: fanzha_store::ImportRunId,
        file: String,
        read: usize,
        applied: usize,
        rejected: &[fanzha_store::QuarantineRow],
    ) -> FigureImportView {
        FigureImportView {
            run: run.0,
            file,
            read,
            applied,
            rejected: crate::import_run::rejected_lines(rejected),
        }
    }
}

/// The view, and the latest month entered (the page shows that month's year).
pub struct ImportedFigures {
    pub view: FigureImportView,
    pub latest_month: Option<i64>,
}

impl ImportedFigures {
    fn of(file: String, done: FigureImport) -> ImportedFigures {
        ImportedFigures {
            view: FigureImportView::new(
                done.import_run,
                file,
                done.read,
                done.applied,
                &done.rejected,
            ),
            latest_month: done.latest_month,
        }
    }
}

/// The page's operator-figures upload (multipart `file`, `format`, `operator`) for `p`.
pub async fn operator_figures(
    p: &Principal,
    state: &AppState,
    multipart: Multipart,
) -> Result<ImportedFigures, WebError> {
    let mut up = Upload::read(multipart, "operator_figures.csv", &["operator"]).await?;
    let chosen_operator = match up.trimmed("operator") {
        Some(text) => Some(
            Operator::parse(text)
                .ok_or_else(|| WebError::BadRequest(format!("unknown operator `{text}`")))?,
        ),
        None => None,
    };
    let format = up.format;
    let (file, bytes) = up.take_file("choose a file of operator figures to import")?;
    let done = import_operator_figures(
        state,
        &FigureUpload {
            login: &p.login,
            unit_code: &p.unit_code,
            own_operator: p.operator,
            chosen_operator,
            file: &file,
            bytes: &bytes,
            format,
        },
    )
    .await?;
    Ok(ImportedFigures::of(file, done))
}

/// The page's banks' figures upload (multipart `file`, `format`, `bank_code`) for `p`.
pub async fn bank_figures(
    p: &Principal,
    state: &AppState,
    multipart: Multipart,
) -> Result<ImportedFigures, WebError> {
    let mut up = Upload::read(multipart, "bank_figures.csv", &["bank_code"]).await?;
    let chosen_bank = match up.trimmed("bank_code") {
        Some(text) => Some(
            fanzha_core::reference::bank_bins()
                .bank(text)
                .map(|b| b.code.to_string())
                .ok_or_else(|| WebError::BadRequest(format!("unknown bank_code `{text}`")))?,
        ),
        None => None,
    };
    let format = up.format;
    let (file, bytes) = up.take_file("choose a file of bank figures to import")?;
    let done = import_bank_figures(
        state,
        &BankUpload {
            figures: FigureUpload {
                login: &p.login,
                unit_code: &p.unit_code,
                own_operator: None,
                chosen_operator: None,
                file: &file,
                bytes: &bytes,
                format,
            },
            own_bank: p.bank_code.as_deref(),
            chosen_bank: chosen_bank.as_deref(),
        },
    )
    .await?;
    Ok(ImportedFigures::of(file, done))
}

/// The page's criminal-case upload (multipart `file`, `format`) for `p`.
pub async fn crime_counts(
    p: &Principal,
    state: &AppState,
    multipart: Multipart,
) -> Result<ImportedFigures, WebError> {
    let mut up = Upload::read(multipart, "crime_counts.csv", &[]).await?;
    let format = up.format;
    let (file, bytes) = up.take_file("choose a file of criminal cases to import")?;
    let done = import_crime_counts(
        state,
        &FigureUpload {
            login: &p.login,
            unit_code: &p.unit_code,
            own_operator: None,
            chosen_operator: None,
            file: &file,
            bytes: &bytes,
            format,
        },
    )
    .await?;
    Ok(ImportedFigures::of(file, done))
}
