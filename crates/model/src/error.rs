//! Errors of training, loading and scoring models; each maps to a stable code.

use fanzha_core::error_code::{Coded, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The model file is not a fanzha model, is damaged, or has another format version.
    #[error("model file is not usable: {0}")]
    Invalid(String),
    /// The training or scoring data cannot be used as given (bad cell, one class only, shape).
    #[error("data not usable: {0}")]
    Data(String),
    /// A column the model or the command needs is not in the file's header.
    #[error("column `{column}` is not in the header of {file}")]
    MissingColumn { column: String, file: String },
    /// The file cannot be opened or read.
    #[error("cannot read {file}: {source}")]
    Unreadable {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file cannot be written.
    #[error("cannot write {file}: {source}")]
    Unwritable {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

impl Coded for ModelError {
    fn code(&self) -> ErrorCode {
        match self {
            ModelError::Invalid(_) => ErrorCode::ModelInvalid,
            ModelError::Data(_) => ErrorCode::ModelDataInvalid,
            ModelError::MissingColumn { .. } => ErrorCode::HeaderMissingColumn,
            ModelError::Unreadable { .. } => ErrorCode::FileUnreadable,
            ModelError::Unwritable { .. } => ErrorCode::Io,
        }
    }
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;
