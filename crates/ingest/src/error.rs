//! File-level failures: the file as a whole cannot be read. Row-level problems are not errors;
//! they become quarantine entries (see [`crate::quarantine`]).

use crate::field::Field;
use fanzha_core::error_code::{Coded, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    FileUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot tell the format of {path}; expected .csv, .csv.gz, .xlsx or .ndjson")]
    FormatUnknown { path: PathBuf },
    #[error("reading the file failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file has no header row")]
    HeaderAbsent,
    #[error("no column for `{column}`; accepted column names: {}", accepted.join(", "))]
    HeaderMissingColumn {
        column: Field,
        accepted: Vec<String>,
    },
    /// A case-report file lacks a required column.
    #[error("no column for `{column}`; accepted column names: {}", accepted.join(", "))]
    ReportColumnMissing {
        column: &'static str,
        accepted: Vec<String>,
    },
    #[error("cannot open the workbook {path}: {message}")]
    Workbook { path: PathBuf, message: String },
    /// The consumer of the records (e.g. the store) failed; ingest stops at this batch.
    #[error("storing a batch failed: {message}")]
    Sink { code: ErrorCode, message: String },
}

impl Coded for IngestError {
    fn code(&self) -> ErrorCode {
        match self {
            IngestError::FileUnreadable { .. } | IngestError::Io(_) => ErrorCode::FileUnreadable,
            IngestError::FormatUnknown { .. } => ErrorCode::FileFormatUnknown,
            IngestError::HeaderAbsent
            | IngestError::HeaderMissingColumn { .. }
            | IngestError::ReportColumnMissing { .. } => ErrorCode::HeaderMissingColumn,
            IngestError::Workbook { .. } => ErrorCode::FileUnreadable,
            IngestError::Sink { code, .. } => *code,
        }
    }
}
