//! Readers: bank transfer extracts (CSV, CSV.GZ, XLSX/XLS) and the AMLSim evaluation data.
//! The only module of the crate that touches files.

pub mod amlsim;
pub mod columns;
pub mod extract;
pub mod parse;

use fanzha_core::error_code::{Coded, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path} as CSV: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("cannot read {path} as a spreadsheet: {message}")]
    Sheet { path: PathBuf, message: String },
    #[error("{path}: unknown file type (use .csv, .csv.gz, .xlsx or .xls)")]
    Format { path: PathBuf },
    #[error("{path}: no column for {field} (accepted names: {aliases})")]
    MissingColumn {
        path: PathBuf,
        field: &'static str,
        aliases: String,
    },
    #[error("{path}: the header row is missing")]
    NoHeader { path: PathBuf },
    #[error("column table is invalid: {0}")]
    Columns(String),
}

impl Coded for IoError {
    fn code(&self) -> ErrorCode {
        match self {
            IoError::Read { .. } => ErrorCode::FileUnreadable,
            IoError::Csv { .. } | IoError::Sheet { .. } => ErrorCode::FileUnreadable,
            IoError::Format { .. } => ErrorCode::FileFormatUnknown,
            IoError::MissingColumn { .. } | IoError::NoHeader { .. } => {
                ErrorCode::HeaderMissingColumn
            }
            IoError::Columns(_) => ErrorCode::Internal,
        }
    }
}
