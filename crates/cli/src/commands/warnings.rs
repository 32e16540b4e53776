//! `fanzha warnings import-push FILE --platform national|dongfeng|changmao|other`: imports the
//! daily warning list an upstream platform pushed (国家反诈大数据平台, 东风, 长矛, other; CSV in
//! UTF-8 or GBK, XLSX) exactly as the upload on `/warnings/pushes` does
//! (`fanzha_web::push_import`): each good row enters the closed loop — a new instruction, or
//! merged into the person's open one — once per platform and push id; every rejected row goes to
//! the quarantine with its line, column and reason. Prints read / accepted / new / merged /
//! already known / quarantined by reason.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::PushPlatform;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum WarningsCommand {
    /// Import a platform's pushed warning list (预警推送名单; CSV UTF-8/GBK, XLSX).
    ImportPush(ImportPushArgs),
}

#[derive(clap::Args)]
pub struct ImportPushArgs {
    /// The push list.
    pub file: PathBuf,
    /// The platform that pushed it: national (国家反诈大数据平台), dongfeng, changmao or other.
    #[arg(long, value_parser = parse_platform)]
    pub platform: PushPlatform,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// The importing unit (default: the root of the org tree).
    #[arg(long)]
    pub unit: Option<String>,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "cli")]
    pub by: String,
}

fn parse_platform(s: &str) -> Result<PushPlatform, String> {
    PushPlatform::parse(s.trim())
        .ok_or_else(|| format!("unknown platform `{s}`: use national, dongfeng, changmao or other"))
}

pub fn run(ctx: &Ctx, c: WarningsCommand) -> CliResult {
    match c {
        WarningsCommand::ImportPush(a) => import_push(ctx, a),
    }
}

fn import_push(ctx: &Ctx, a: ImportPushArgs) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let unit = db.unit_or_root(a.unit)?;
    let file = a.file.display().to_string();
    let out = db.block_on(fanzha_web::push_import::import_pushes(
        &state, &a.by, &unit, a.platform, &file, &bytes, a.format,
    ))?;
    let rejected_rows = database::print_rejected(&out.rejected);
    let mut report = Report::new("导入预警推送名单 / import pushed warnings");
    report
        .field("file", &file)
        .field("platform", a.platform.as_str())
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("accepted", out.accepted())
        .field("new", out.new_count())
        .field("merged", out.merged())
        .field("known", out.known())
        .field("fund_warnings", out.funds())
        .field("quarantined", out.quarantined())
        .field("by_reason", &out.by_reason);
    // The table keeps to the figures (the rejected rows are listed above it); the JSON object
    // also carries every row, accepted (masked) and rejected, for scripts.
    print!("{}", report.to_table());
    if ctx.json {
        let mut json = report.to_json();
        json["rows"] = serde_json::json!(out.rows);
        json["rejected_rows"] = serde_json::Value::Array(rejected_rows);
        println!("{json}");
    }
    db.block_on(db.store.close());
    Ok(())
}
