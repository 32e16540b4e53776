//! How the closed-loop service fails; every variant maps to one error code.

use crate::instruction::TransitionError;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The request names something the loop cannot do (a unit outside the subtree, …).
    #[error("{0}")]
    Invalid(String),
    /// The stored state of an instruction cannot be read back.
    #[error("instruction `{id}` is stored malformed: {detail}")]
    Corrupt { id: String, detail: String },
    /// Too many concurrent changes to one instruction to merge a warning in.
    #[error("instruction `{0}` keeps changing; try again")]
    Busy(String),
}

impl Coded for LoopError {
    fn code(&self) -> ErrorCode {
        match self {
            LoopError::Store(e) => e.code(),
            LoopError::Transition(e) => e.code(),
            LoopError::Invalid(_) => ErrorCode::InstructionCommandInvalid,
            LoopError::Corrupt { .. } => ErrorCode::DatabaseQuery,
            LoopError::Busy(_) => ErrorCode::Conflict,
        }
    }
}
