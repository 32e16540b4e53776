//! `fanzha guardians import FILE [--unit CODE] [--format F] [--by LOGIN]`: imports a 金钟罩
//! guardian list (the protected resident's ID number, the guardian's name, phone and relation;
//! CSV in UTF-8 or GBK, XLSX) for the residents of the importing unit's area exactly as the
//! upload on `/guardians` does (`fanzha_web::guardian_import`): one guardian per resident and
//! phone, the residents signed up for 金钟罩, every rejected row in the quarantine with its
//! line, column and reason. Prints the quarantined rows and a table of read / added / updated
//! / unchanged / signed up / quarantined by reason.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use fanzha_web::guardian_import::{import_guardian_list, GuardianListUpload};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum GuardiansCommand {
    /// Import a 金钟罩 guardian list (家属名单; CSV UTF-8/GBK, XLSX).
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The list.
    pub file: PathBuf,
    /// The importing unit, whose residents the list reaches (default: the root of the org
    /// tree).
    #[arg(long)]
    pub unit: Option<String>,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "cli")]
    pub by: String,
}

pub fn run(ctx: &Ctx, c: GuardiansCommand) -> CliResult {
    match c {
        GuardiansCommand::Import(a) => import(ctx, a),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let unit = db.unit_or_root(a.unit)?;
    let file = a.file.display().to_string();
    let out = db.block_on(import_guardian_list(
        &state,
        &GuardianListUpload {
            login: &a.by,
            unit_code: &unit,
            file: &file,
            bytes: &bytes,
            format: a.format,
        },
    ))?;
    let rejected_rows = database::print_rejected(&out.rejected);
    let mut report = Report::new("导入金钟罩家属名单 / import a guardian list");
    report
        .field("file", &file)
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("applied", out.applied)
        .field("added", out.done.added)
        .field("updated", out.done.updated)
        .field("unchanged", out.done.unchanged)
        .field("signed_up", out.done.signed_up)
        .field("quarantined", out.rejected.len())
        .field("by_reason", &out.by_reason)
        .field("rejected_rows", rejected_rows);
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
