//! `fanzha rules check|test`: validate a rules file, and run it against recorded data to see
//! how often each rule fires (and, where the data has ground truth, on whom).

use crate::commands::detect::{build_engine, replay, rules_text};
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_detect::{EngineConfig, RuleSet};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum RulesCommand {
    /// Validate a rules file and list its rules (default: the shipped rules).
    Check(CheckArgs),
    /// Run a rules file over a recorded city and print the hits per rule.
    Test(TestArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct TestArgs {
    /// Rules file (TOML); default: the shipped rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Simulation output directory.
    #[arg(long)]
    pub input: PathBuf,
}

pub fn run(ctx: &Ctx, c: RulesCommand) -> CliResult {
    match c {
        RulesCommand::Check(a) => check(ctx, a),
        RulesCommand::Test(a) => test(ctx, a),
    }
}

fn check(ctx: &Ctx, a: CheckArgs) -> CliResult {
    let text = rules_text(a.rules.as_deref())?;
    let rs = RuleSet::parse(&text)?;
    let mut r = Report::new("规则检查 rules check");
    r.field("rules", rs.len());
    for rule in rs.rules() {
        r.field(
            rule.name.clone(),
            json!({"level": rule.level, "when": rule.when, "zh": rule.zh}),
        );
    }
    r.print(ctx.json);
    Ok(())
}

#[derive(Default)]
struct Hits {
    events: u64,
    persons: HashSet<u64>,
}

fn test(ctx: &Ctx, a: TestArgs) -> CliResult {
    let mut engine = build_engine(
        ctx,
        &a.input,
        a.rules.as_deref(),
        None,
        EngineConfig::default(),
    )?;
    let names: Vec<String> = engine
        .rules()
        .rules()
        .iter()
        .map(|r| r.name.clone())
        .collect();
    let mut hits: BTreeMap<String, Hits> =
        names.iter().map(|n| (n.clone(), Hits::default())).collect();
    let (signals, bad) = replay(
        &mut engine,
        &a.input,
        0,
        None,
        |_, _| Ok(()),
        |w| {
            for fired in &w.rules {
                if let Some(h) = hits.get_mut(&fired.name) {
                    h.events += 1;
                    if let Some(p) = w.person_id() {
                        h.persons.insert(p);
                    }
                }
            }
            Ok(())
        },
    )?;
    // Ground truth, when the directory has it: how many of each rule's persons are victims.
    let victims: Option<HashSet<u64>> =
        fanzha_sim::feed::read_table::<fanzha_sim::truth::VictimTruth>(&a.input)
            .ok()
            .map(|v| v.into_iter().map(|v| v.person_id).collect());
    let mut r = Report::new("规则试跑 rules test");
    r.field("input", a.input.display().to_string())
        .field("signals", signals)
        .field("bad_rows", bad)
        .field("evaluations", engine.stats().evaluations);
    for n in &names {
        let h = &hits[n];
        let mut v = json!({"hits": h.events, "persons": h.persons.len()});
        if let Some(victims) = &victims {
            let tp = h.persons.iter().filter(|p| victims.contains(p)).count();
            v["victims"] = json!(tp);
            v["precision"] = json!(if h.persons.is_empty() {
                0.0
            } else {
                tp as f64 / h.persons.len() as f64
            });
        }
        r.field(n.clone(), v);
    }
    r.print(ctx.json);
    Ok(())
}
