//! Realism figures of a run, to compare with published statistics (docs/simulation.md).

use crate::format::Feed;
use crate::fraud_type::{FraudType, ShareOfCases};
use crate::population::World;
use crate::records::Sex;
use crate::truth::{Truth, VictimOutcome};
use fanzha_core::event::Signal;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Counts gathered while the signals stream past.
pub struct StreamCounts {
    residents: HashSet<u64>,
    pub rows: [u64; 8],
    pub resident_calls: u64,
    pub resident_call_seconds: u64,
    pub resident_sms: u64,
    pub transfers_fen: i128,
}

impl StreamCounts {
    pub fn new(world: &World) -> StreamCounts {
        StreamCounts {
            residents: world
                .people
                .iter()
                .filter_map(|p| p.msisdn.map(|m| m.0))
                .collect(),
            rows: [0; 8],
            resident_calls: 0,
            resident_call_seconds: 0,
            resident_sms: 0,
            transfers_fen: 0,
        }
    }

    pub fn observe(&mut self, s: &Signal) {
        self.rows[Feed::of(s).index()] += 1;
        match s {
            Signal::Call(c) if self.residents.contains(&c.caller.0) => {
                self.resident_calls += 1;
                self.resident_call_seconds += u64::from(c.duration_s);
            }
            Signal::Sms(m) if self.residents.contains(&m.sender.0) => self.resident_sms += 1,
            Signal::Transfer(t) => self.transfers_fen += i128::from(t.amount_fen),
            _ => {}
        }
    }

    pub fn total(&self) -> u64 {
        self.rows.iter().sum()
    }
}

fn percentile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn round(x: f64, digits: i32) -> f64 {
    let m = 10f64.powi(digits);
    (x * m).round() / m
}

/// The realism figures as ordered (name, value) pairs.
pub fn realism(
    world: &World,
    truth: &Truth,
    counts: &StreamCounts,
    days: u32,
) -> Vec<(String, Value)> {
    let people = world.people.len() as f64;
    let phone_users = world.people.iter().filter(|p| p.msisdn.is_some()).count() as f64;
    let d = f64::from(days);
    let per_user_day = |x: u64| round(x as f64 / phone_users.max(1.0) / d, 3);
    let start = world.start;
    let date = start
        .format("%Y%m%d")
        .to_string()
        .parse::<u32>()
        .unwrap_or(0);
    let ages: Vec<u32> = world.people.iter().map(|p| p.age_on(date)).collect();
    let share =
        |f: &dyn Fn(u32) -> bool| round(ages.iter().filter(|&&a| f(a)).count() as f64 / people, 4);
    let adults_16_60: Vec<&crate::records::Person> = world
        .people
        .iter()
        .zip(&ages)
        .filter(|(_, &a)| (16..=60).contains(&a))
        .map(|(p, _)| p)
        .collect();

    let defrauded: Vec<_> = truth
        .victims
        .iter()
        .filter(|v| v.outcome == VictimOutcome::Defrauded)
        .collect();
    let mut losses: Vec<i64> = defrauded.iter().map(|v| v.loss_fen).collect();
    losses.sort_unstable();
    let total_loss: i64 = losses.iter().sum();
    let yuan = |f: i64| round(f as f64 / 100.0, 2);
    let annual = 365.0 / d * 10_000.0 / people;
    let warnable = defrauded
        .iter()
        .filter(|v| {
            let first_signal = [v.long_call_ts, v.link_ts, v.app_install_ts]
                .into_iter()
                .flatten()
                .min();
            match (first_signal, v.first_transfer_ts) {
                (Some(s), Some(t)) => t - s >= 600_000,
                _ => false,
            }
        })
        .count();
    let mut mix = serde_json::Map::new();
    for t in FraudType::FRAUD {
        let n = truth.victims.iter().filter(|v| v.fraud_type == t).count();
        let loss: i64 = defrauded
            .iter()
            .filter(|v| v.fraud_type == t)
            .map(|v| v.loss_fen)
            .sum();
        mix.insert(
            t.code().to_string(),
            json!({
                "victims": n,
                "share": round(n as f64 / truth.victims.len().max(1) as f64, 3),
                "reference_share": f64::from(t.default_share_permille()) / 1000.0,
                "loss_share": round(loss as f64 / total_loss.max(1) as f64, 3),
            }),
        );
    }
    let mules_used = truth
        .mule_accounts
        .iter()
        .filter(|m| m.received_fen > 0)
        .count();
    vec![
        ("people".into(), json!(world.people.len())),
        ("days".into(), json!(days)),
        (
            "population".into(),
            json!({
                "age_0_14": share(&|a| a <= 14),
                "age_15_59": share(&|a| (15..=59).contains(&a)),
                "age_60_plus": share(&|a| a >= 60),
                "male": round(world.people.iter().filter(|p| p.sex == Sex::Male).count() as f64 / people, 4),
                "households": world.households.offsets.len().saturating_sub(1),
                "mobile_users": phone_users as u64,
                "public_sector_staff": world.people.iter().filter(|p| p.public_sector).count(),
                "anti_fraud_app_rate_16_60": round(
                    adults_16_60.iter().filter(|p| p.anti_fraud_app).count() as f64 / adults_16_60.len().max(1) as f64, 3),
                "joint_defense_rate": round(world.people.iter().filter(|p| p.joint_defense).count() as f64 / people, 3),
            }),
        ),
        (
            "per_mobile_user_per_day".into(),
            json!({
                "calls_made": per_user_day(counts.resident_calls),
                "call_minutes": round(counts.resident_call_seconds as f64 / 60.0 / phone_users.max(1.0) / d, 2),
                "sms_sent": per_user_day(counts.resident_sms),
                "events": per_user_day(counts.total()),
            }),
        ),
        (
            "events".into(),
            json!({
                "total": counts.total(),
                "calls": counts.rows[Feed::Calls.index()],
                "sms": counts.rows[Feed::Sms.index()],
                "app_events": counts.rows[Feed::AppEvents.index()],
                "url_visits": counts.rows[Feed::UrlVisits.index()],
                "transfers": counts.rows[Feed::Transfers.index()],
                "card_openings": counts.rows[Feed::CardOpenings.index()],
                "national_push": counts.rows[Feed::NationalPush.index()],
                "number_lists": counts.rows[Feed::NumberLists.index()],
            }),
        ),
        (
            "fraud".into(),
            json!({
                "victims_engaged": truth.victims.len(),
                "defrauded": defrauded.len(),
                "aborted": truth.victims.iter().filter(|v| v.outcome == VictimOutcome::Aborted).count(),
                "pending_at_end": truth.victims.iter().filter(|v| v.outcome == VictimOutcome::Pending).count(),
                "repeat_victims": truth.victims.iter().filter(|v| v.repeat).count(),
                "dissuadable_share": round(truth.victims.iter().filter(|v| v.dissuadable).count() as f64 / truth.victims.len().max(1) as f64, 3),
                "cases_per_10k_per_year": round(defrauded.len() as f64 * annual, 1),
                "warnable_10min_share": round(warnable as f64 / defrauded.len().max(1) as f64, 3),
                "fraud_numbers": truth.fraud_numbers.len(),
                "mule_accounts_used": mules_used,
                "card_sellers": truth.card_sellers.len(),
            }),
        ),
        (
            "loss_yuan".into(),
            json!({
                "total": yuan(total_loss),
                "mean": yuan(total_loss / (losses.len().max(1) as i64)),
                "p50": yuan(percentile(&losses, 0.5)),
                "p90": yuan(percentile(&losses, 0.9)),
                "max": yuan(losses.last().copied().unwrap_or(0)),
            }),
        ),
        ("type_mix".into(), Value::Object(mix)),
    ]
}

/// Peak resident memory of this process in KiB (`VmHWM`), where the OS reports it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time this thread has run, in seconds (`/proc/thread-self/schedstat`, nanoseconds), where
/// the OS reports it. Unlike wall time it does not count the time other processes held the
/// core, so a benchmark on a shared machine stays comparable.
pub fn thread_cpu_s() -> Option<f64> {
    if let Ok(stat) = std::fs::read_to_string("/proc/thread-self/schedstat") {
        if let Some(ns) = stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
        {
            return Some(ns as f64 / 1e9);
        }
    }
    // Fallback: user + system time in clock ticks (fields 14 and 15, after the command name).
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

/// The load average over the last minute (`/proc/loadavg`), where the OS reports it.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
