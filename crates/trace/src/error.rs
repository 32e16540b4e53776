//! Errors of the tracing core (pure; the readers have their own in [`crate::io`]).

use fanzha_core::error_code::{Coded, ErrorCode};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    #[error("account index {account} is outside the graph ({n_accounts} accounts)")]
    AccountOutOfRange { account: u32, n_accounts: u32 },
    #[error("transfer amount {amount_fen} fen is not positive or too large")]
    AmountOutOfRange { amount_fen: i64 },
    #[error("the graph holds {edges} transfers; at most 4,294,967,294 fit")]
    GraphTooLarge { edges: usize },
    #[error("hop limit must be between 1 and 64, got {0}")]
    HopLimit(u32),
    #[error("the reported amount must be positive, got {0} fen")]
    ClaimAmount(i64),
    #[error("the start account has no transfers in the extract")]
    AccountUnknown,
}

impl Coded for TraceError {
    fn code(&self) -> ErrorCode {
        match self {
            TraceError::AmountOutOfRange { .. } => ErrorCode::InvalidMoney,
            TraceError::AccountUnknown => ErrorCode::TraceAccountUnknown,
            TraceError::AccountOutOfRange { .. }
            | TraceError::GraphTooLarge { .. }
            | TraceError::HopLimit(_)
            | TraceError::ClaimAmount(_) => ErrorCode::TraceParamsInvalid,
        }
    }
}
