//! `fanzha eval --truth DIR/truth --warnings warnings.csv`: how well the warnings found the
//! victims of a simulated city — recall, precision, per fraud type, lead time before the first
//! transfer, false alarms per 10,000 people per day.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::event::EpochMs;
use fanzha_sim::truth::{VictimOutcome, VictimTruth};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The truth folder of a simulation (`DIR/truth`), or the simulation folder itself.
    #[arg(long)]
    pub truth: PathBuf,
    /// Warnings written by `fanzha detect`.
    #[arg(long)]
    pub warnings: PathBuf,
    /// Count a person as warned once their warning reaches this level or higher
    /// (1 red only, 2 orange or red, 3 any).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub level: u8,
    /// Days the simulation covers (default: from the span of the feeds).
    #[arg(long)]
    pub days: Option<f64>,
}

/// First time each person reached each level (index 0 = red … 2 = yellow).
#[derive(Default)]
struct FirstWarning {
    at_level: [Option<EpochMs>; 3],
}

/// Simulation folder from `--truth` (accepts `DIR/truth` or `DIR`).
fn sim_dir(truth: &Path) -> PathBuf {
    if truth.file_name().is_some_and(|n| n == "truth") {
        truth.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        truth.to_path_buf()
    }
}

fn read_warnings(path: &Path) -> CliResult<(HashMap<u64, FirstWarning>, u64)> {
    let mut rdr = csv::Reader::from_path(path)
        .code(ErrorCode::FileUnreadable)
        .map_err(|e| CliError::new(e.code, format!("{}: {:#}", path.display(), e.source)))?;
    let headers = rdr.headers().code(ErrorCode::FileUnreadable)?.clone();
    let col = |name: &str| -> CliResult<usize> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            CliError::new(
                ErrorCode::HeaderMissingColumn,
                format!("{}: no column `{name}`", path.display()),
            )
        })
    };
    let (c_ts, c_person, c_level) = (col("ts_ms")?, col("person_id")?, col("level")?);
    let mut first: HashMap<u64, FirstWarning> = HashMap::new();
    let mut unattributed = 0u64;
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.code(ErrorCode::FileUnreadable)?;
        let bad = |what: &str| {
            CliError::new(
                ErrorCode::FileFormatUnknown,
                format!("{}, line {}: bad {what}", path.display(), i + 2),
            )
        };
        let ts: EpochMs = rec[c_ts].parse().map_err(|_| bad("ts_ms"))?;
        let level: u8 = rec[c_level].parse().map_err(|_| bad("level"))?;
        if !(1..=3).contains(&level) {
            return Err(bad("level"));
        }
        if rec[c_person].is_empty() {
            // A number the directory does not know: not a resident, cannot be a victim.
            unattributed += 1;
            continue;
        }
        let person: u64 = rec[c_person].parse().map_err(|_| bad("person_id"))?;
        let f = first.entry(person).or_default();
        // Reaching level L also counts for every lower-priority level.
        for l in level..=3 {
            let slot = &mut f.at_level[(l - 1) as usize];
            *slot = Some(slot.map_or(ts, |t| t.min(ts)));
        }
    }
    Ok((first, unattributed))
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// Detection figures at one level cut-off.
pub struct Scores {
    pub victims: usize,
    pub detected: usize,
    pub warned: usize,
    pub true_warned: usize,
    /// Lead times in minutes (first transfer − first warning) for defrauded victims warned.
    pub lead_min: Vec<f64>,
    pub defrauded: usize,
    pub defrauded_detected: usize,
    pub per_type: BTreeMap<String, (usize, usize, Vec<f64>)>,
}

fn score(victims: &[VictimTruth], first: &HashMap<u64, FirstWarning>, level: u8) -> Scores {
    let idx = (level - 1) as usize;
    let mut by_person: HashMap<u64, &VictimTruth> = HashMap::new();
    for v in victims {
        // A person engaged twice counts once, with their first engagement.
        by_person
            .entry(v.person_id)
            .and_modify(|e| {
                if v.first_contact_ts < e.first_contact_ts {
                    *e = v;
                }
            })
            .or_insert(v);
    }
    let mut s = Scores {
        victims: by_person.len(),
        detected: 0,
        warned: 0,
        true_warned: 0,
        lead_min: Vec::new(),
        defrauded: 0,
        defrauded_detected: 0,
        per_type: BTreeMap::new(),
    };
    for f in first.values() {
        if f.at_level[idx].is_some() {
            s.warned += 1;
        }
    }
    for (pid, v) in &by_person {
        let warned_at = first.get(pid).and_then(|f| f.at_level[idx]);
        let t = s
            .per_type
            .entry(v.fraud_type.code().to_string())
            .or_insert((0, 0, Vec::new()));
        t.0 += 1;
        let defrauded = v.outcome == VictimOutcome::Defrauded;
        s.defrauded += defrauded as usize;
        if let Some(w) = warned_at {
            s.detected += 1;
            s.true_warned += 1;
            t.1 += 1;
            s.defrauded_detected += defrauded as usize;
            if let (true, Some(tr)) = (defrauded, v.first_transfer_ts) {
                let lead = (tr - w) as f64 / 60_000.0;
                s.lead_min.push(lead);
                t.2.push(lead);
            }
        }
    }
    s.lead_min.sort_by(f64::total_cmp);
    for t in s.per_type.values_mut() {
        t.2.sort_by(f64::total_cmp);
    }
    s
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Days between the first and last signal of the simulation.
fn span_days(dir: &Path) -> CliResult<f64> {
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    for s in fanzha_sim::feed::read_signals(dir)?.flatten() {
        lo = lo.min(s.ts());
        hi = hi.max(s.ts());
    }
    if lo > hi {
        return Err(CliError::new(
            ErrorCode::FileUnreadable,
            format!("{}: no signals to measure the span", dir.display()),
        ));
    }
    Ok(((hi - lo) as f64 / 86_400_000.0).max(1.0 / 24.0))
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let dir = sim_dir(&args.truth);
    let victims: Vec<VictimTruth> = fanzha_sim::feed::read_table(&dir)?;
    let people = fanzha_sim::feed::read_people(&dir)?.len();
    let days = match args.days {
        Some(d) if d > 0.0 => d,
        Some(_) => {
            return Err(CliError::new(
                ErrorCode::ConfigInvalid,
                "--days must be above zero",
            ))
        }
        None => span_days(&dir)?,
    };
    let (first, unattributed) = read_warnings(&args.warnings)?;
    let mut r = Report::new("检测评估 detection evaluation");
    r.field("truth", dir.join("truth").display().to_string())
        .field("warnings", args.warnings.display().to_string())
        .field("people", people)
        .field("days", days)
        .field("warnings_unattributed", unattributed);
    let mut by_level = serde_json::Map::new();
    for level in 1..=3u8 {
        let s = score(&victims, &first, level);
        let false_alarms = s.warned - s.true_warned;
        by_level.insert(
            ["red", "orange_or_red", "any"][(level - 1) as usize].to_string(),
            json!({
                "recall": ratio(s.detected, s.victims),
                "precision": ratio(s.true_warned, s.warned),
                "false_alarms_per_10k_people_day": if people == 0 { 0.0 } else {
                    false_alarms as f64 / people as f64 * 10_000.0 / days },
            }),
        );
        if level != args.level {
            continue;
        }
        let leads = &s.lead_min;
        let per_type: serde_json::Map<String, serde_json::Value> = s
            .per_type
            .iter()
            .map(|(k, (n, d, l))| {
                (
                    k.clone(),
                    json!({
                        "victims": n, "detected": d, "recall": ratio(*d, *n),
                        "median_lead_min": quantile(l, 0.5),
                    }),
                )
            })
            .collect();
        r.field("level", level)
            .field("victims", s.victims)
            .field("victims_detected", s.detected)
            .field("recall", ratio(s.detected, s.victims))
            .field("defrauded", s.defrauded)
            .field(
                "recall_defrauded",
                ratio(s.defrauded_detected, s.defrauded),
            )
            .field("persons_warned", s.warned)
            .field("precision", ratio(s.true_warned, s.warned))
            .field("false_alarms", false_alarms)
            .field(
                "false_alarms_per_10k_people_day",
                if people == 0 {
                    0.0
                } else {
                    false_alarms as f64 / people as f64 * 10_000.0 / days
                },
            )
            .field(
                "lead_time_min",
                json!({
                    "n": leads.len(),
                    "p10": quantile(leads, 0.1), "p25": quantile(leads, 0.25),
                    "median": quantile(leads, 0.5), "p75": quantile(leads, 0.75),
                    "p90": quantile(leads, 0.9),
                    "share_at_least_10": ratio(leads.iter().filter(|l| **l >= 10.0).count(), leads.len()),
                    "share_after_transfer": ratio(leads.iter().filter(|l| **l < 0.0).count(), leads.len()),
                }),
            )
            .field("per_type", per_type);
    }
    r.field("by_level", by_level);
    r.print(ctx.json);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn truth_dir_or_sim_dir() {
        assert_eq!(
            sim_dir(Path::new("/x/city/truth")),
            PathBuf::from("/x/city")
        );
        assert_eq!(sim_dir(Path::new("/x/city")), PathBuf::from("/x/city"));
    }
}
