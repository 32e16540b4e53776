//! `fanzha key-persons import FILE [--category C] [--source S] [--label L]`: applies a list of
//! people to keep under watch (重点人员名单: the national punishment list, exit bans, people
//! stranded abroad or returned; CSV in UTF-8 or GBK, XLSX) to the dossiers of the importing
//! unit's area exactly as the upload on `/key-persons` does (`fanzha_web::key_person_import`):
//! each resident listed once per category, a measure entered only where the dossier differs,
//! every rejected row in the quarantine with its line, column and reason. Prints read /
//! listed / already listed / measures entered / unchanged / quarantined by reason.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::KeyPersonCategory;
use fanzha_web::key_person_import::{
    import_key_person_list, known_source, KeyPersonListUpload, SOURCES,
};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum KeyPersonsCommand {
    /// Import a key-person list (重点人员名单; CSV UTF-8/GBK, XLSX).
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The list.
    pub file: PathBuf,
    /// The category of rows that name none: two_cards, fraud_record, abroad_high_risk,
    /// returned, recruiter or other.
    #[arg(long, value_parser = parse_category)]
    pub category: Option<KeyPersonCategory>,
    /// Where the list comes from: national, ministry, exit_entry, province or center.
    #[arg(long, default_value = "national", value_parser = parse_source)]
    pub source: String,
    /// The list's name, the reason of rows that give none.
    #[arg(long, default_value = "")]
    pub label: String,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// The importing unit, whose area the list reaches (default: the root of the org tree).
    #[arg(long)]
    pub unit: Option<String>,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "cli")]
    pub by: String,
}

fn parse_category(s: &str) -> Result<KeyPersonCategory, String> {
    KeyPersonCategory::parse(s.trim()).ok_or_else(|| {
        let all: Vec<_> = KeyPersonCategory::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown category `{s}`: use {}", all.join(", "))
    })
}

fn parse_source(s: &str) -> Result<String, String> {
    let s = s.trim();
    if known_source(s) {
        Ok(s.to_string())
    } else {
        let all: Vec<_> = SOURCES.iter().map(|s| s.0).collect();
        Err(format!("unknown source `{s}`: use {}", all.join(", ")))
    }
}

pub fn run(ctx: &Ctx, c: KeyPersonsCommand) -> CliResult {
    match c {
        KeyPersonsCommand::Import(a) => import(ctx, a),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let unit = db.unit_or_root(a.unit)?;
    let file = a.file.display().to_string();
    let out = db.block_on(import_key_person_list(
        &state,
        &KeyPersonListUpload {
            login: &a.by,
            unit_code: &unit,
            source: &a.source,
            category: a.category,
            label: &a.label,
            file: &file,
            bytes: &bytes,
            format: a.format,
        },
    ))?;
    let rejected_rows = database::print_rejected(&out.rejected);
    let mut report = Report::new("导入重点人员名单 / import a key-person list");
    report
        .field("file", &file)
        .field("source", &a.source)
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("applied", out.applied)
        .field("listed", out.done.listed)
        .field("already_listed", out.done.already_listed)
        .field("measures_added", out.done.measures_added)
        .field("measures_unchanged", out.done.measures_unchanged)
        .field("quarantined", out.rejected.len())
        .field("by_reason", &out.by_reason)
        .field("rejected_rows", rejected_rows);
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
