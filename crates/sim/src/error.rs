//! Errors of the simulator and of the feed readers.

use fanzha_core::error_code::{Coded, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The parameters cannot produce a city (unknown region, zero people, …).
    #[error("invalid simulation parameters: {0}")]
    Params(String),
    /// The region code is not in the division tables or has no villages.
    #[error("region {0} is not a known division with villages")]
    UnknownRegion(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A row of a feed file does not match its documented columns.
    #[error("{path}, line {line}: {reason}")]
    Row {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    /// The directory holds none of the feed files.
    #[error("{0} holds no feed files (calls.csv, sms.csv, … or .ndjson, .parquet)")]
    NoFeeds(PathBuf),
}

impl Coded for SimError {
    fn code(&self) -> ErrorCode {
        match self {
            SimError::Params(_) => ErrorCode::SimulationParamsInvalid,
            SimError::UnknownRegion(_) => ErrorCode::InvalidDivisionCode,
            SimError::Read { .. } => ErrorCode::FileUnreadable,
            SimError::Write { .. } => ErrorCode::Io,
            SimError::Row { .. } => ErrorCode::FeedRowInvalid,
            SimError::NoFeeds(_) => ErrorCode::FileUnreadable,
        }
    }
}
