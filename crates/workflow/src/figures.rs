//! Closed-loop figures for a unit and period (the dashboards' in-SLA rates, dissuasion rate,
//! overdue count, median times), computed from instruction states.

use crate::instruction::{Instruction, Status};
use crate::outcome::Outcome;
use crate::sla::SlaKind;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LoopFigures {
    pub instructions: u64,
    pub open: u64,
    pub overdue: u64,
    /// Share of signed instructions signed within the deadline (None when none signed yet).
    pub sign_in_sla_rate: Option<f64>,
    /// Share of contacted instructions first contacted within the deadline.
    pub contact_in_sla_rate: Option<f64>,
    pub close_in_sla_rate: Option<f64>,
    pub dissuaded: u64,
    pub defrauded: u64,
    pub unreachable: u64,
    pub false_alarm: u64,
    /// Prevented (dissuaded or self-aware) over all outcomes other than false alarms.
    pub dissuasion_rate: Option<f64>,
    pub median_sign_minutes: Option<f64>,
    pub median_contact_minutes: Option<f64>,
    pub loss_fen: i64,
    pub saved_fen: i64,
}

/// Figures over `instructions` (already filtered to a unit's subtree and a period by the caller).
pub fn loop_figures<'a>(instructions: impl IntoIterator<Item = &'a Instruction>) -> LoopFigures {
    let mut f = LoopFigures::default();
    let mut met = [(0u64, 0u64); 3];
    let mut sign_minutes = Vec::new();
    let mut contact_minutes = Vec::new();
    for inst in instructions {
        f.instructions += 1;
        if inst.status != Status::Closed {
            f.open += 1;
        }
        if inst.is_overdue() {
            f.overdue += 1;
        }
        for (i, kind) in SlaKind::ALL.into_iter().enumerate() {
            if let Some(ok) = inst.met(kind) {
                met[i].1 += 1;
                met[i].0 += u64::from(ok);
            }
        }
        if let Some(t) = inst.first_signed_at {
            sign_minutes.push((t - inst.issued_at) as f64 / 60_000.0);
        }
        if let Some(t) = inst.first_contact_at {
            contact_minutes.push((t - inst.issued_at) as f64 / 60_000.0);
        }
        match inst.outcome {
            Some(Outcome::Dissuaded { .. } | Outcome::SelfAware) => f.dissuaded += 1,
            Some(Outcome::Defrauded { loss_fen }) => {
                f.defrauded += 1;
                f.loss_fen += loss_fen;
            }
            Some(Outcome::Unreachable { .. }) => f.unreachable += 1,
            Some(Outcome::FalseAlarm) => f.false_alarm += 1,
            None => {}
        }
        f.saved_fen += inst.saved_fen;
    }
    let rate = |(ok, n): (u64, u64)| (n > 0).then(|| ok as f64 / n as f64);
    f.sign_in_sla_rate = rate(met[0]);
    f.contact_in_sla_rate = rate(met[1]);
    f.close_in_sla_rate = rate(met[2]);
    f.dissuasion_rate = rate((f.dissuaded, f.dissuaded + f.defrauded + f.unreachable));
    f.median_sign_minutes = median(&mut sign_minutes);
    f.median_contact_minutes = median(&mut contact_minutes);
    f
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Action, Event};
    use crate::{ContactChannel, SlaPolicy, WarningLevel};

    const MIN: i64 = 60_000;

    fn instruction(sign_after_min: i64, outcome: Option<Outcome>) -> Instruction {
        let ev = |seq, at_ms, action| Event {
            seq,
            at_ms,
            actor: "u".into(),
            unit: "1".into(),
            note: None,
            action,
        };
        let mut log = vec![ev(
            1,
            0,
            Action::Issued {
                unit: "1".into(),
                level: WarningLevel::Red,
                warning_id: "w".into(),
                deadlines: SlaPolicy::default().deadlines(WarningLevel::Red, 0),
                review: false,
            },
        )];
        log.push(ev(2, sign_after_min * MIN, Action::Signed));
        if let Some(outcome) = outcome {
            log.push(ev(
                3,
                (sign_after_min + 1) * MIN,
                Action::OutcomeRecorded {
                    outcome,
                    saved_fen: 100,
                },
            ));
        }
        Instruction::replay(&log).unwrap()
    }

    #[test]
    fn rates_count_only_steps_that_happened() {
        let phone = Outcome::Dissuaded {
            channel: ContactChannel::Phone,
        };
        let all = [
            instruction(2, Some(phone)),
            instruction(10, Some(Outcome::Defrauded { loss_fen: 5_000 })),
            instruction(3, None),
            instruction(4, Some(Outcome::FalseAlarm)),
        ];
        let f = loop_figures(&all);
        assert_eq!(f.instructions, 4);
        assert_eq!(
            f.sign_in_sla_rate,
            Some(0.75),
            "one of four signed after 5 minutes"
        );
        assert_eq!(
            f.contact_in_sla_rate,
            Some(1.0),
            "contacts at 3, 11 and 5 minutes are all within 15"
        );
        assert_eq!(
            f.dissuasion_rate,
            Some(0.5),
            "false alarms are not in the denominator"
        );
        assert_eq!(f.median_sign_minutes, Some(3.5));
        assert_eq!((f.loss_fen, f.saved_fen), (5_000, 300));
        assert_eq!(f.open, 4);
    }

    #[test]
    fn no_instructions_give_no_rates() {
        let f = loop_figures(&[]);
        assert_eq!(f.sign_in_sla_rate, None);
        assert_eq!(f.median_contact_minutes, None);
    }
}
