//! How commands fail: every failure carries a stable [`ErrorCode`] and is printed as
//! `error[code]: message` plus what to do; the process exits 1 (2 for usage errors, from clap).

use fanzha_core::error_code::{Coded, ErrorCode};
use std::fmt;

#[derive(Debug)]
pub struct CliError {
    pub code: ErrorCode,
    pub source: anyhow::Error,
}

impl CliError {
    pub fn new(code: ErrorCode, message: impl fmt::Display) -> Self {
        CliError {
            code,
            source: anyhow::anyhow!("{message}"),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error[{}]: {:#}\n  → {}",
            self.code,
            self.source,
            self.code.what_to_do()
        )
    }
}

impl<E> From<E> for CliError
where
    E: Coded + std::error::Error + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        CliError {
            code: e.code(),
            source: e.into(),
        }
    }
}

/// Attach a code to any error on the way out of a command.
pub trait WithCode<T> {
    fn code(self, code: ErrorCode) -> Result<T, CliError>;
}

impl<T, E: Into<anyhow::Error>> WithCode<T> for Result<T, E> {
    fn code(self, code: ErrorCode) -> Result<T, CliError> {
        self.map_err(|e| CliError {
            code,
            source: e.into(),
        })
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
