//! `fanzha import divisions --root CODE`: build the org tree (province → city → county →
//! township/street → village/community) below a division from the division tables compiled into
//! `fanzha_core`. Idempotent: running it again reports everything unchanged.

use crate::error::{CliError, CliResult};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::reference::{divisions, Division};
use fanzha_core::{DivisionCode, DivisionLevel};
use fanzha_store::{natural_division_code, NewAuditEntry, NewUnit, UnitLevel};
use std::collections::BTreeMap;

#[derive(clap::Args)]
pub struct Args {
    /// Division at the top of the tree: province (33), city (3302), county (330281) or
    /// township (330281001); padded forms (330200, 330281000000) are accepted.
    #[arg(long)]
    pub root: String,
}

/// The division named by a root code given on the command line.
pub fn root_division(code: &str) -> CliResult<Division<'static>> {
    let trimmed = code.trim();
    let natural = natural_division_code(trimmed).map_err(|_| {
        CliError::new(
            ErrorCode::InvalidDivisionCode,
            format!("`{trimmed}` is not a division code (2, 4, 6, 9 or 12 digits)"),
        )
    })?;
    let parsed = DivisionCode::parse(natural)?;
    divisions().get(parsed).ok_or_else(|| {
        CliError::new(
            ErrorCode::InvalidDivisionCode,
            format!("division `{parsed}` is not in the division tables"),
        )
    })
}

pub fn unit_level(level: DivisionLevel) -> UnitLevel {
    match level {
        DivisionLevel::Province => UnitLevel::Province,
        DivisionLevel::City => UnitLevel::City,
        DivisionLevel::County => UnitLevel::County,
        DivisionLevel::Township => UnitLevel::Township,
        DivisionLevel::Village => UnitLevel::Village,
    }
}

fn new_unit(d: Division<'_>, parent: Option<String>) -> NewUnit {
    let code = d.code();
    NewUnit {
        code: code.to_string(),
        name: d.name().to_string(),
        level: unit_level(code.level()),
        parent_code: parent,
        division_code: Some(format!("{:012}", code.padded12())),
        population: None,
    }
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let root = root_division(&args.root)?;
    let db = super::database::open(ctx)?;
    // The root hangs under its parent division when that unit was imported before; otherwise
    // it is a root of the org tree.
    let parent = match root.parent() {
        Some(p) => db
            .block_on(db.store.units().find(&p.code().to_string()))?
            .map(|u| u.code),
        None => None,
    };
    let mut units = Vec::with_capacity(root.subtree_len());
    let mut by_level: BTreeMap<&'static str, u64> = BTreeMap::new();
    for d in root.subtree() {
        let parent_code = if d == root {
            parent.clone()
        } else {
            d.parent().map(|p| p.code().to_string())
        };
        let unit = new_unit(d, parent_code);
        *by_level.entry(unit.level.as_str()).or_default() += 1;
        units.push(unit);
    }
    let outcome = db.block_on(db.store.units().upsert(&units))?;
    let root_code = root.code().to_string();
    db.block_on(db.store.audit().append(&NewAuditEntry {
        actor: "cli".into(),
        action: "import_divisions".into(),
        target_type: "org_unit".into(),
        target_id: Some(root_code.clone()),
        unit_code: Some(root_code.clone()),
        detail: serde_json::json!({
            "units": units.len(),
            "inserted": outcome.inserted,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }),
    }))?;
    Report::new("导入行政区划 / import divisions")
        .field("root", &root_code)
        .field("root_name", root.full_name())
        .field("parent", parent)
        .field("units", units.len())
        .field("by_level", &by_level)
        .field("inserted", outcome.inserted)
        .field("updated", outcome.updated)
        .field("unchanged", outcome.unchanged)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_codes_accept_natural_and_padded_forms() {
        for code in ["330281", "330281000000", " 330281 "] {
            assert_eq!(root_division(code).unwrap().name(), "余姚市", "{code}");
        }
        assert_eq!(root_division("330200").unwrap().name(), "宁波市");
        assert_eq!(root_division("3302").unwrap().name(), "宁波市");
        assert_eq!(root_division("33").unwrap().name(), "浙江省");
    }

    #[test]
    fn unknown_or_malformed_roots_are_invalid_division_codes() {
        for code in ["339999", "abc", "3", ""] {
            let err = root_division(code).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidDivisionCode, "{code}");
        }
    }

    #[test]
    fn units_carry_padded_division_codes() {
        let d = root_division("330281").unwrap();
        let u = new_unit(d, Some("3302".into()));
        assert_eq!(u.code, "330281");
        assert_eq!(u.division_code.as_deref(), Some("330281000000"));
        assert_eq!(u.level, UnitLevel::County);
    }
}
