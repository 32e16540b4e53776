//! `fanzha import …`: reference data (divisions → org tree) and records (people, phones, accounts).

use crate::error::CliResult;
use crate::Ctx;

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Build the org tree (city → county → township → village) from the division tables.
    Divisions(super::import_divisions::Args),
    /// Import people (residents) from CSV / XLSX / NDJSON.
    People(super::import_records::Args),
    /// Import phone numbers from CSV / XLSX / NDJSON.
    Phones(super::import_records::Args),
    /// Import bank accounts from CSV / XLSX / NDJSON.
    Accounts(super::import_records::Args),
}

pub fn run(ctx: &Ctx, c: ImportCommand) -> CliResult {
    use super::import_records::RecordKind;
    match c {
        ImportCommand::Divisions(a) => super::import_divisions::run(ctx, a),
        ImportCommand::People(a) => super::import_records::run(ctx, RecordKind::People, a),
        ImportCommand::Phones(a) => super::import_records::run(ctx, RecordKind::Phones, a),
        ImportCommand::Accounts(a) => super::import_records::run(ctx, RecordKind::Accounts, a),
    }
}
