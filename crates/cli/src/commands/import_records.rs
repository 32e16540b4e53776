//! `fanzha import people|phones|accounts FILE` (being built).

use crate::error::{CliError, CliResult};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;

#[derive(Clone, Copy, Debug)]
pub enum RecordKind {
    People,
    Phones,
    Accounts,
}

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _kind: RecordKind, _args: Args) -> CliResult {
    Err(CliError::new(ErrorCode::Internal, "PENDING-import-records: not in this build yet"))
}
