//! `fanzha teams import FILE [--unit CODE] [--format F] [--by LOGIN]`: imports a 劝阻队伍 roster
//! (the village or township, the kind — 反诈民警, 社区民警, 村（街道）干部, 网格员 —, the name,
//! the phone and optionally the login; CSV in UTF-8 or GBK, XLSX) for the importing unit's area
//! exactly as the upload on `/teams` does (`fanzha_web::team_import`): each person of each kind
//! at each place once, every rejected row in the quarantine with its line, column and reason.
//! Prints the quarantined rows and a table of read / added / unchanged / quarantined by reason.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use fanzha_web::team_import::{import_team_list, TeamListUpload};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum TeamsCommand {
    /// Import a 劝阻队伍 roster (CSV UTF-8/GBK, XLSX).
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The list.
    pub file: PathBuf,
    /// The importing unit, whose villages and townships the roster reaches (default: the root
    /// of the org tree).
    #[arg(long)]
    pub unit: Option<String>,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "cli")]
    pub by: String,
}

pub fn run(ctx: &Ctx, c: TeamsCommand) -> CliResult {
    match c {
        TeamsCommand::Import(a) => import(ctx, a),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let unit = db.unit_or_root(a.unit)?;
    let file = a.file.display().to_string();
    let out = db.block_on(import_team_list(
        &state,
        &TeamListUpload {
            login: &a.by,
            unit_code: &unit,
            file: &file,
            bytes: &bytes,
            format: a.format,
        },
    ))?;
    let rejected_rows = database::print_rejected(&out.rejected);
    let mut report = Report::new("导入劝阻队伍名单 / import a team roster");
    report
        .field("file", &file)
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("added", out.added)
        .field("unchanged", out.unchanged)
        .field("quarantined", out.rejected.len())
        .field("by_reason", &out.by_reason)
        .field("rejected_rows", rejected_rows);
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
