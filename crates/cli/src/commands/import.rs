//! `fanzha import …` (being built; see ARCHITECTURE.md).

use crate::error::{CliError, CliResult};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Build the org tree from the division tables.
    Divisions,
}

pub fn run(_ctx: &Ctx, _c: ImportCommand) -> CliResult {
    Err(CliError::new(
        ErrorCode::Internal,
        "PENDING-import: not in this build yet",
    ))
}
