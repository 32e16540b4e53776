//! `fanzha import divisions --root CODE` (being built).

use crate::error::{CliError, CliResult};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> CliResult {
    Err(CliError::new(ErrorCode::Internal, "PENDING-import-divisions: not in this build yet"))
}
