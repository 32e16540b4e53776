//! An engine warning as the closed loop receives it: the evidence with readable numbers, the
//! person as a resident when the engine knows one.

use fanzha_core::event::Msisdn;
use fanzha_core::{PhoneNumber, ResidentId};
use fanzha_detect::Warning;
use fanzha_workflow::{IncomingWarning, WarningLevel};

/// A number as the pages show it (its canonical form), or its digits when it is not a phone
/// number fanzha can read.
fn canonical(m: Msisdn) -> String {
    PhoneNumber::from_msisdn(m)
        .map(|p| p.canonical())
        .unwrap_or_else(|_| m.0.to_string())
}

/// The warning for the loop. `resident_id` and `residence_code` are who the engine's person is
/// (`None`: the loop finds the holder of the phone, or routes to the center); `signal_at` is
/// when the signal that raised it happened; `id` a stable id when re-delivery must be
/// recognised (`None`: the loop makes one).
pub fn incoming(
    w: &Warning,
    resident_id: Option<String>,
    residence_code: Option<String>,
    signal_at: i64,
    id: Option<String>,
) -> IncomingWarning {
    let suspects: Vec<serde_json::Value> = w
        .suspects
        .iter()
        .map(|s| {
            serde_json::json!({
                "msisdn": canonical(s.msisdn),
                "score": s.score,
                "lists": s.lists,
                "calls_to_person": s.calls_to_person,
                "longest_call_s": s.longest_call_s,
                "distinct_callees_24h": s.distinct_callees_24h,
            })
        })
        .collect();
    IncomingWarning {
        id,
        resident_id,
        msisdn: w.msisdn.map(canonical),
        residence_code,
        level: WarningLevel::from_number(w.level).unwrap_or(WarningLevel::Yellow),
        fraud_type: w.fraud_type.clone(),
        score_permille: (f64::from(w.score) * 1000.0).round() as i64,
        source: "engine".into(),
        signal_at,
        evidence: serde_json::json!({
            "rules": w.rules,
            "features": w.evidence,
            "suspects": suspects,
        }),
    }
}

/// The resident behind an engine person keyed by [`ResidentId::key`] (the live engine's
/// directory), if the key is one.
pub fn resident_of(w: &Warning) -> Option<String> {
    w.person_id()
        .and_then(|key| ResidentId::from_key(key).ok())
        .map(|r| r.as_str().to_string())
}

/// The stable id of the `k`-th warning raised by the signal at `sequence` of `stream` (event
/// time `ts`): replaying the stream after a restart raises it again with the same id, and the
/// loop is handed it once. The time keeps ids apart should the stream ever be started over; a
/// stream other than the default one is named, so two regions' streams never share an id.
pub fn warning_id(stream: &str, ts: i64, sequence: u64, k: usize) -> String {
    let stamp = fanzha_core::time::shanghai_stamp(ts);
    let named = if stream == fanzha_bus::BusConfig::DEFAULT_STREAM {
        String::new()
    } else {
        format!("-{stream}-")
    };
    if k == 0 {
        format!("YJ{stamp}{named}S{sequence}")
    } else {
        format!("YJ{stamp}{named}S{sequence}-{k}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_time_and_the_sequence() {
        // 2025-12-05 14:30:00 in Asia/Shanghai.
        let ts = 1_764_916_200_000;
        let default = fanzha_bus::BusConfig::DEFAULT_STREAM;
        assert_eq!(warning_id(default, ts, 1234, 0), "YJ20251205143000S1234");
        assert_eq!(warning_id(default, ts, 1234, 1), "YJ20251205143000S1234-1");
        assert_ne!(
            warning_id(default, ts, 1234, 0),
            warning_id(default, ts, 1235, 0)
        );
        assert_eq!(
            warning_id("NINGBO", ts, 1234, 0),
            "YJ20251205143000-NINGBO-S1234"
        );
    }
}
