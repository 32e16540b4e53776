//! `fanzha cases import --file F [--format auto|csv|xlsx] --unit CODE`: opens a case for each
//! report of a 110 / 96110 export (CSV in UTF-8 or GBK, XLSX), exactly as the upload on the
//! cases page does (`fanzha_web::case_import`): column aliases, narrative classified, registered
//! victims linked with their warnings, idempotent on the report number, rows naming a unit
//! outside `--unit`'s subtree rejected, every rejected row in the quarantine with its line and
//! reason. Prints imported / duplicate / rejected.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum CasesCommand {
    /// Import cases from a 110 / 96110 report export (CSV UTF-8/GBK, XLSX).
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The export file.
    #[arg(long)]
    pub file: PathBuf,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// The importing unit: cases go to the unit a row names (which must lie in this unit's
    /// subtree), else to the registered victim's residence inside it, else to this unit.
    #[arg(long)]
    pub unit: String,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "cli")]
    pub by: String,
}

pub fn run(ctx: &Ctx, c: CasesCommand) -> CliResult {
    match c {
        CasesCommand::Import(a) => import(ctx, a),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let file = a.file.display().to_string();
    let out = db.block_on(fanzha_web::case_import::import_cases(
        &state, &a.by, &a.unit, &file, &bytes, a.format,
    ))?;
    let (imported, duplicate, rejected) = out.counts();
    for r in &out.rejected {
        println!(
            "{}:{} {} {}",
            r.file,
            r.line,
            r.column.as_deref().unwrap_or("-"),
            r.reason
        );
    }
    let rejected_rows: Vec<serde_json::Value> = out
        .rejected
        .iter()
        .map(|r| serde_json::json!({"line": r.line, "column": r.column, "reason": r.reason}))
        .collect();
    let mut report = Report::new("导入案件 / import cases");
    report
        .field("file", &file)
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &a.unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("imported", imported)
        .field("duplicate", duplicate)
        .field("rejected", rejected)
        .field("occupation_unrecognised", out.occupation_unrecognised())
        .field("nothing_new", imported == 0 && duplicate > 0)
        .field("by_reason", &out.by_reason)
        .field("ignored_columns", &out.ignored_columns)
        .field(
            "cases",
            out.imported
                .iter()
                .map(|c| (c.report_no.clone(), c.case_id.clone()))
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .field("rejected_rows", rejected_rows);
    if imported == 0 && duplicate > 0 {
        report.field(
            "note",
            "文件中的警情此前均已导入，未新建案件 / every report in the file was imported before; no case was created",
        );
    }
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
