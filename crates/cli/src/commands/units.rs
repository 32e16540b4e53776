//! `fanzha units list|show|population`: the org tree as stored, and the residents of its units
//! (what the statistics' cases per 10,000 residents divide by).

use crate::error::{CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::time::format_shanghai;
use fanzha_ingest::populations::read_populations;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{ImportCounts, NewImportRun, QuarantineRow, Scope, Store, Unit};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum UnitsCommand {
    /// Print the tree below a unit (all trees without --root), indented, one unit a line.
    List(ListArgs),
    /// Print one unit: name, level, parent, path, population, size of its subtree.
    Show(ShowArgs),
    /// Record residents per unit from a table (CSV UTF-8/GBK or XLSX: a code column such as
    /// 区划代码 and a population column such as 常住人口); units without a figure of their own
    /// count the sum of their children. Rows naming no stored unit go to the quarantine.
    Population(PopulationArgs),
}

#[derive(clap::Args)]
pub struct PopulationArgs {
    /// The table.
    #[arg(long)]
    pub file: PathBuf,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Unit at the top (division codes in padded form, 330281000000, are accepted).
    #[arg(long)]
    pub root: Option<String>,
    /// Levels below the root to show (0: the root only).
    #[arg(long)]
    pub depth: Option<u32>,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// Unit code.
    pub code: String,
}

pub fn run(ctx: &Ctx, c: UnitsCommand) -> CliResult {
    match c {
        UnitsCommand::List(a) => list(ctx, a),
        UnitsCommand::Show(a) => show(ctx, a),
        UnitsCommand::Population(a) => population(ctx, a),
    }
}

/// A code as typed: padded division codes name the unit of their natural length.
fn unit_code(code: &str) -> String {
    let code = code.trim();
    fanzha_store::natural_division_code(code)
        .map(str::to_string)
        .unwrap_or_else(|_| code.to_string())
}

fn list(ctx: &Ctx, args: ListArgs) -> CliResult {
    let db = super::database::open(ctx)?;
    let roots = match &args.root {
        Some(code) => vec![unit_code(code)],
        None => db
            .block_on(db.store.units().roots())?
            .into_iter()
            .map(|u| u.code)
            .collect(),
    };
    let mut units: Vec<Unit> = Vec::new();
    for root in &roots {
        units.extend(db.block_on(db.store.units().subtree(root, args.depth))?);
    }
    let top_depth = units.iter().map(|u| u.depth).min().unwrap_or(1);
    for u in &units {
        let indent = "  ".repeat(usize::try_from(u.depth - top_depth).unwrap_or(0));
        println!(
            "{indent}{code}  {name}  [{level} {label}]  parent={parent}",
            code = u.code,
            name = u.name,
            level = u.level.as_str(),
            label = u.level.label_zh(),
            parent = u.parent_code.as_deref().unwrap_or("-"),
        );
    }
    if units.is_empty() {
        println!("(no units: import them with `fanzha import divisions --root CODE`)");
    }
    if ctx.json {
        let rows: Vec<_> = units
            .iter()
            .map(|u| {
                serde_json::json!({
                    "code": u.code,
                    "name": u.name,
                    "level": u.level,
                    "parent_code": u.parent_code,
                    "depth": u.depth,
                    "population": u.population,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "roots": roots, "count": units.len(), "units": rows })
        );
    }
    db.block_on(db.store.close());
    Ok(())
}

fn show(ctx: &Ctx, args: ShowArgs) -> CliResult {
    let db = super::database::open(ctx)?;
    let code = unit_code(&args.code);
    let unit = db.block_on(db.store.units().get(&code))?;
    let parent = match &unit.parent_code {
        Some(p) => Some(db.block_on(db.store.units().get(p))?),
        None => None,
    };
    let children = db.block_on(db.store.units().children(&code))?;
    let scope: Scope = db.block_on(db.store.units().scope(&code))?;
    let subtree = db.block_on(db.store.units().count(&scope))?;
    let people = db.block_on(db.store.people().count(&scope))?;
    Report::new(format!("单位 / unit {}", unit.code))
        .field("code", &unit.code)
        .field("name", &unit.name)
        .field("level", unit.level.as_str())
        .field("level_zh", unit.level.label_zh())
        .field("parent_code", &unit.parent_code)
        .field("parent_name", parent.map(|p| p.name))
        .field("division_code", &unit.division_code)
        .field("path", &unit.path)
        .field("population", unit.population)
        .field("children", children.len())
        .field("units_in_subtree", subtree)
        .field("people_in_subtree", people)
        .field("updated_at", format_shanghai(unit.updated_at))
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}

/// The stored unit a table's code names: the code itself, else the unit of a padded division
/// code (`330281001000` → `330281001`).
async fn resolve_unit(
    store: &Store,
    code: &str,
) -> Result<Option<String>, fanzha_store::StoreError> {
    if let Some(u) = store.units().find(code).await? {
        return Ok(Some(u.code));
    }
    match fanzha_store::natural_division_code(code) {
        Ok(natural) if natural != code => Ok(store.units().find(natural).await?.map(|u| u.code)),
        _ => Ok(None),
    }
}

fn population(ctx: &Ctx, args: PopulationArgs) -> CliResult {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))
        .code(ErrorCode::FileUnreadable)?;
    let file = args.file.display().to_string();
    let parsed = read_populations(&file, &bytes, args.format)?;
    let db = super::database::open(ctx)?;
    let store = &db.store;
    let (run, updated, rejected) = db.block_on(async {
        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: "population".into(),
                file: file.clone(),
                content_hash: format!("{:x}", Sha256::digest(&bytes)),
            })
            .await?;
        let mut rejected: Vec<QuarantineRow> = parsed
            .rejected
            .iter()
            .map(|r| QuarantineRow {
                file: file.clone(),
                line: r.line as i64,
                column: r.column.map(Into::into),
                reason: r.reason.into(),
                raw: r.raw.clone(),
            })
            .collect();
        let mut updated = 0i64;
        for row in &parsed.rows {
            match resolve_unit(store, &row.unit).await? {
                Some(code) => {
                    store
                        .units()
                        .set_population(&code, Some(row.population))
                        .await?;
                    updated += 1;
                }
                None => rejected.push(QuarantineRow {
                    file: file.clone(),
                    line: row.line as i64,
                    column: Some("unit".into()),
                    reason: "unit_not_found".into(),
                    raw: row.raw.clone(),
                }),
            }
        }
        rejected.sort_by_key(|r| r.line);
        store.imports().add_quarantine(run, &rejected).await?;
        let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
        for r in &rejected {
            *by_reason.entry(r.reason.clone()).or_default() += 1;
        }
        store
            .imports()
            .finish(
                run,
                &ImportCounts {
                    read: parsed.read as i64,
                    accepted: updated,
                    quarantined: rejected.len() as i64,
                    by_reason,
                },
            )
            .await?;
        Ok::<_, fanzha_store::StoreError>((run, updated, rejected))
    })?;
    for r in &rejected {
        println!(
            "{}:{} {} {}",
            r.file,
            r.line,
            r.column.as_deref().unwrap_or("-"),
            r.reason
        );
    }
    let mut by_reason: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &rejected {
        *by_reason.entry(r.reason.as_str()).or_default() += 1;
    }
    Report::new("导入人口 / import populations")
        .field("file", &file)
        .field("format", parsed.format)
        .field("encoding", parsed.encoding)
        .field("import_run", run.0)
        .field("read", parsed.read)
        .field("updated", updated)
        .field("rejected", rejected.len())
        .field("by_reason", by_reason)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
