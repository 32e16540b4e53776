//! Errors of the text crate; each maps to a stable code of the error-code table.

use fanzha_core::error_code::{Coded, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read {path}: {source}")]
    FileUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    FileUnwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: malformed CSV: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{path}: the header has no column `{column}` (columns: {available})")]
    MissingColumn {
        path: PathBuf,
        column: String,
        available: String,
    },
    #[error("unknown fraud-type label `{label}`")]
    UnknownLabel { label: String },
    #[error("{path}, row {row}: unknown fraud-type label `{label}`")]
    UnknownLabelInFile {
        path: PathBuf,
        row: u64,
        label: String,
    },
    #[error("the training set needs at least {need} texts of at least two types; it has {texts} texts of {types} types")]
    TrainingSetTooSmall {
        texts: usize,
        types: usize,
        need: usize,
    },
    #[error("cannot cross-validate with {folds} folds: {reason}")]
    BadFolds { folds: usize, reason: String },
    #[error("not a fraud-text model: {reason}")]
    ModelInvalid { reason: String },
}

impl Coded for TextError {
    fn code(&self) -> ErrorCode {
        match self {
            TextError::FileUnreadable { .. } | TextError::Csv { .. } => ErrorCode::FileUnreadable,
            TextError::FileUnwritable { .. } => ErrorCode::Io,
            TextError::MissingColumn { .. } => ErrorCode::HeaderMissingColumn,
            TextError::UnknownLabel { .. } | TextError::UnknownLabelInFile { .. } => {
                ErrorCode::TextLabelUnknown
            }
            TextError::TrainingSetTooSmall { .. } | TextError::BadFolds { .. } => {
                ErrorCode::TrainingSetTooSmall
            }
            TextError::ModelInvalid { .. } => ErrorCode::ModelInvalid,
        }
    }
}
