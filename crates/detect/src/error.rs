//! Errors of the detection engine.

use fanzha_core::error_code::{Coded, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The rules file is not valid TOML or does not have the rules shape.
    #[error("rules file: {0}")]
    RulesFile(String),
    /// One rule is wrong; the message names it.
    #[error("rule `{rule}`: {reason}")]
    RuleInvalid { rule: String, reason: String },
    /// A snapshot could not be read back.
    #[error("snapshot: {0}")]
    SnapshotInvalid(String),
}

impl Coded for DetectError {
    fn code(&self) -> ErrorCode {
        match self {
            DetectError::RulesFile(_) | DetectError::RuleInvalid { .. } => ErrorCode::RuleInvalid,
            DetectError::SnapshotInvalid(_) => ErrorCode::SnapshotInvalid,
        }
    }
}
