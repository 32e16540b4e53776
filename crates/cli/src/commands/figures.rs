//! `fanzha figures import-operators FILE [--operator OP]`, `fanzha figures import-banks FILE
//! [--bank CODE]` and `fanzha figures import-crime FILE` (all `[--unit CODE] [--format F] [--by
//! LOGIN]`): the monthly tables other offices send — an operator's 反制数据 (calls and SMS
//! intercepted, numbers shut down), a bank's 反诈数据 (customers dissuaded, reminders pushed)
//! and the statistics office's 刑事案件立案数 — entered per unit and month exactly as the uploads
//! on `/operator-figures`, `/bank-figures` and `/crime-counts` enter them (`fanzha_web::figure_import`): each row
//! through the same store call and audit entry, importing again corrects, every rejected row in
//! the quarantine with its line, column and reason. Prints the quarantined rows and a table of
//! read / entered / quarantined by reason.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::Operator;
use fanzha_web::figure_import::{
    import_bank_figures, import_crime_counts, import_operator_figures, BankUpload, FigureImport,
    FigureUpload,
};
use std::path::PathBuf;

// The variants are the subcommands' names (`import-operators`, `import-banks`, `import-crime`).
#[allow(clippy::enum_variant_names)]
#[derive(clap::Subcommand)]
pub enum FiguresCommand {
    /// Import an operator's monthly table of calls and SMS intercepted and numbers shut down
    /// (运营商反制数据; CSV UTF-8/GBK, XLSX).
    ImportOperators(OperatorArgs),
    /// Import a bank's monthly table of customers dissuaded, the money they kept and the
    /// reminders pushed (银行反诈数据; CSV UTF-8/GBK, XLSX).
    ImportBanks(BankArgs),
    /// Import the statistics office's table of criminal cases filed per unit and month
    /// (刑事案件立案数; CSV UTF-8/GBK, XLSX).
    ImportCrime(FileArgs),
}

#[derive(clap::Args)]
pub struct FileArgs {
    /// The table.
    pub file: PathBuf,
    /// The importing unit, whose area the rows must lie in (default: the root of the org
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

#[derive(clap::Args)]
pub struct OperatorArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The operator of rows that name none: china_mobile, china_unicom, china_telecom or
    /// china_broadnet.
    #[arg(long, value_parser = parse_operator)]
    pub operator: Option<Operator>,
}

#[derive(clap::Args)]
pub struct BankArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The bank of rows that name none: its code of the reference table (ICBC, CCB …).
    #[arg(long, value_parser = parse_bank)]
    pub bank: Option<String>,
}

fn parse_bank(s: &str) -> Result<String, String> {
    fanzha_core::reference::bank_bins()
        .by_name(s)
        .map(|b| b.code.to_string())
        .ok_or_else(|| format!("unknown bank `{s}`: use its code (ICBC, CCB …) or its name"))
}

/// Which table a file is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Operators,
    Banks,
    Crime,
}

fn parse_operator(s: &str) -> Result<Operator, String> {
    Operator::parse(s.trim()).ok_or_else(|| {
        let all: Vec<_> = Operator::ALL.iter().map(|o| o.as_str()).collect();
        format!("unknown operator `{s}`: use {}", all.join(", "))
    })
}

pub fn run(ctx: &Ctx, c: FiguresCommand) -> CliResult {
    match c {
        FiguresCommand::ImportOperators(a) => {
            import(ctx, a.file, Table::Operators, a.operator, None)
        }
        FiguresCommand::ImportBanks(a) => import(ctx, a.file, Table::Banks, None, a.bank),
        FiguresCommand::ImportCrime(a) => import(ctx, a, Table::Crime, None, None),
    }
}

fn import(
    ctx: &Ctx,
    a: FileArgs,
    table: Table,
    operator: Option<Operator>,
    bank: Option<String>,
) -> CliResult {
    let bytes = database::read_input(&a.file)?;
    let db = database::open(ctx)?;
    let state = db.block_on(fanzha_web::AppState::new(db.store.clone()))?;
    let unit = db.unit_or_root(a.unit)?;
    let file = a.file.display().to_string();
    let up = FigureUpload {
        login: &a.by,
        unit_code: &unit,
        own_operator: None,
        chosen_operator: operator,
        file: &file,
        bytes: &bytes,
        format: a.format,
    };
    let out: FigureImport = match table {
        Table::Operators => db.block_on(import_operator_figures(&state, &up))?,
        Table::Banks => db.block_on(import_bank_figures(
            &state,
            &BankUpload {
                figures: up,
                own_bank: None,
                chosen_bank: bank.as_deref(),
            },
        ))?,
        Table::Crime => db.block_on(import_crime_counts(&state, &up))?,
    };
    let rejected_rows = database::print_rejected(&out.rejected);
    let mut report = Report::new(match table {
        Table::Operators => "导入运营商反制数据 / import operator figures",
        Table::Banks => "导入银行反诈数据 / import bank figures",
        Table::Crime => "导入刑事案件立案数 / import criminal cases filed",
    });
    report
        .field("file", &file)
        .field("format", out.format)
        .field("encoding", out.encoding)
        .field("unit", &unit)
        .field("import_run", out.import_run.0)
        .field("read", out.read)
        .field("entered", out.applied)
        .field("quarantined", out.rejected.len())
        .field("by_reason", &out.by_reason)
        .field("rejected_rows", rejected_rows);
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
