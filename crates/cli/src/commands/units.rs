//! `fanzha units …` (being built; see ARCHITECTURE.md).

use crate::error::{CliError, CliResult};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;

#[derive(clap::Subcommand)]
pub enum UnitsCommand {
    /// List units.
    List,
}

pub fn run(_ctx: &Ctx, _c: UnitsCommand) -> CliResult {
    Err(CliError::new(
        ErrorCode::Internal,
        "PENDING-units: not in this build yet",
    ))
}
