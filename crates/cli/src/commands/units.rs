//! `fanzha units list|show`: the org tree as stored.

use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_core::time::format_shanghai;
use fanzha_store::{Scope, Unit};

#[derive(clap::Subcommand)]
pub enum UnitsCommand {
    /// Print the tree below a unit (all trees without --root), indented, one unit a line.
    List(ListArgs),
    /// Print one unit: name, level, parent, path, population, size of its subtree.
    Show(ShowArgs),
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
