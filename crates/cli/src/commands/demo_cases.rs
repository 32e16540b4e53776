//! The demo's 110 reports: victims of the synthetic city who lost money report it to the
//! police some time after their last transfer, and each report opens a case through the same
//! path as an imported 110 export (`fanzha_web::casework::open_case_once`: the narrative
//! classified, the registered victim's person and warnings linked, audited). Without them the
//! case pages, statistics and briefs of the demo would stay empty until someone marked a person
//! defrauded by hand. A report states the victim's occupation as the simulation made it
//! ([`occupation_of`]), so the victim profile by occupation has something to count.

use fanzha_core::event::{AccountNo, Signal};
use fanzha_core::{BankCard, Occupation, PhoneNumber};
use fanzha_sim::records::Occupation as SimOccupation;
use fanzha_sim::truth::VictimOutcome;
use fanzha_sim::Simulation;
use fanzha_web::casework::{open_case_once, CaseInput, Opened};
use fanzha_web::AppState;
use std::collections::{HashMap, HashSet, VecDeque};

/// How often (in signals) the victims are looked at.
const CHECK_EVERY: u64 = 4096;
/// A victim reports between 30 minutes and 4 hours (simulated) after the last transfer.
const MIN_DELAY_MS: i64 = 30 * 60_000;
const DELAY_SPREAD_MS: i64 = 210 * 60_000;
/// The transfers kept per resident (the report names those of the fraud's time span).
const KEPT_TRANSFERS: usize = 16;

/// A resident as a report names them.
struct Resident {
    resident_id: String,
    name: String,
    phone: Option<String>,
    village: String,
    occupation: Occupation,
}

/// The occupation a report states for a simulated resident: the simulation's own (its couriers
/// are gig workers, 自由职业; a child under school age is of no category, 其他).
pub fn occupation_of(o: SimOccupation) -> Occupation {
    match o {
        SimOccupation::Child => Occupation::Other,
        SimOccupation::Student => Occupation::Student,
        SimOccupation::Farmer => Occupation::Farmer,
        SimOccupation::Employee => Occupation::CompanyEmployee,
        SimOccupation::PublicSector => Occupation::PublicSector,
        SimOccupation::SelfEmployed => Occupation::SelfEmployed,
        SimOccupation::Courier => Occupation::Freelance,
        SimOccupation::Retired => Occupation::Retired,
        SimOccupation::Unemployed => Occupation::Unemployed,
    }
}

/// The simulation, streamed as it is, with the victims' reports on the side.
pub struct Reporting {
    sim: Simulation,
    seed: u64,
    tx: tokio::sync::mpsc::Sender<CaseInput>,
    residents: HashMap<u64, Resident>,
    /// Resident accounts: account → person.
    holders: HashMap<u64, u64>,
    /// Each resident's latest transfers out: (ts, from, to, fen).
    transfers: HashMap<u64, VecDeque<(i64, AccountNo, AccountNo, i64)>>,
    reported: HashSet<usize>,
    seen: u64,
}

impl Reporting {
    pub fn new(sim: Simulation, seed: u64, tx: tokio::sync::mpsc::Sender<CaseInput>) -> Reporting {
        let world = sim.world();
        let residents = world
            .people
            .iter()
            .map(|p| {
                let resident = Resident {
                    resident_id: p.resident_id.to_string(),
                    name: p.name.to_string(),
                    phone: p
                        .msisdn
                        .and_then(|m| PhoneNumber::from_msisdn(m).ok())
                        .map(|n| n.canonical()),
                    village: format!("{:012}", p.village),
                    occupation: occupation_of(p.occupation),
                };
                (p.person_id, resident)
            })
            .collect();
        let holders = world
            .ledger
            .accounts
            .iter()
            .filter(|a| a.holder_person_id != 0)
            .map(|a| (a.account_no.0, a.holder_person_id))
            .collect();
        Reporting {
            sim,
            seed,
            tx,
            residents,
            holders,
            transfers: HashMap::new(),
            reported: HashSet::new(),
            seen: 0,
        }
    }

    pub fn world(&self) -> &fanzha_sim::population::World {
        self.sim.world()
    }

    /// Sends the reports due by `now` (simulated).
    fn report_due(&mut self, now: i64) {
        for (i, v) in self.sim.victims().iter().enumerate() {
            if v.outcome != VictimOutcome::Defrauded || self.reported.contains(&i) {
                continue;
            }
            let (Some(first), Some(last)) = (v.first_transfer_ts, v.last_transfer_ts) else {
                continue;
            };
            let delay = MIN_DELAY_MS + (spread(self.seed, i) % DELAY_SPREAD_MS as u64) as i64;
            if now < last + delay {
                continue;
            }
            self.reported.insert(i);
            let Some(r) = self.residents.get(&v.person_id) else {
                continue;
            };
            let paid: Vec<_> = self
                .transfers
                .get(&v.person_id)
                .map(|t| {
                    t.iter()
                        .filter(|(ts, ..)| (first..=last).contains(ts))
                        .copied()
                        .collect()
                })
                .unwrap_or_default();
            let account = |a: AccountNo| {
                BankCard::from_account_no(a)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|_| a.0.to_string())
            };
            let mut payees: Vec<String> = Vec::new();
            for (_, _, to, _) in &paid {
                let to = account(*to);
                if !payees.contains(&to) {
                    payees.push(to);
                }
            }
            let Some(narrative) = fanzha_text::corpus::case_narrative(
                v.fraud_type,
                &r.name,
                v.loss_fen,
                spread(self.seed, i),
            ) else {
                continue;
            };
            let suspect_phone = PhoneNumber::from_msisdn(v.fraud_number)
                .map(|p| p.canonical())
                .unwrap_or_else(|_| v.fraud_number.0.to_string());
            let report = CaseInput {
                resident_id: Some(r.resident_id.clone()),
                victim_name: Some(r.name.clone()),
                victim_phone: r.phone.clone(),
                unit_code: r.village.clone(),
                // Pages count cases by the (wall-clock) report time, like the other feeds.
                reported_at: fanzha_core::time::now_ms(),
                loss_fen: v.loss_fen,
                narrative,
                source: "import".into(),
                report_no: Some(format!("J{}{:07}", self.seed % 100_000, i)),
                instruction_id: None,
                victim_account: paid.first().map(|(_, from, _, _)| account(*from)),
                named: serde_json::json!({
                    "phones": [suspect_phone],
                    "accounts": payees,
                    "apps": [],
                    "urls": [],
                }),
                occupation: Some(r.occupation),
                occupation_text: None,
                // The registered employer serves.
                employer: None,
            };
            // Best effort: a full channel drops a report, never the stream.
            let _ = self.tx.try_send(report);
        }
    }
}

/// A well-mixed number per victim (splitmix64), for the delay and the story.
fn spread(seed: u64, i: usize) -> u64 {
    let mut z = seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Iterator for Reporting {
    type Item = Signal;

    fn next(&mut self) -> Option<Signal> {
        let signal = self.sim.next()?;
        if let Signal::Transfer(t) = &signal {
            if let Some(&person) = self.holders.get(&t.from.0) {
                let kept = self.transfers.entry(person).or_default();
                if kept.len() == KEPT_TRANSFERS {
                    kept.pop_front();
                }
                kept.push_back((t.ts, t.from, t.to, t.amount_fen));
            }
        }
        self.seen += 1;
        if self.seen % CHECK_EVERY == 0 {
            self.report_due(signal.ts());
        }
        Some(signal)
    }
}

/// Opens a case per report; returns how many were opened (a report opened at an earlier start
/// of the demo opens nothing).
pub async fn open_reported_cases(
    state: AppState,
    mut rx: tokio::sync::mpsc::Receiver<CaseInput>,
) -> u64 {
    let mut opened = 0;
    while let Some(report) = rx.recv().await {
        match open_case_once(&state, "110_feed", report).await {
            Ok(Opened::New(_)) => opened += 1,
            Ok(Opened::Duplicate { .. }) => {}
            Err(e) => tracing::warn!(error = %e, "110 report not opened as a case"),
        }
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simulated_occupation_is_stated_as_its_category() {
        for o in SimOccupation::ALL {
            let stated = occupation_of(*o);
            // The simulation's code names the category wherever both have it.
            if let Some(same) = Occupation::from_code(o.code()) {
                assert_eq!(stated, same, "{o:?}");
            }
        }
        assert_eq!(
            occupation_of(SimOccupation::Employee),
            Occupation::CompanyEmployee
        );
        assert_eq!(occupation_of(SimOccupation::Courier), Occupation::Freelance);
        assert_eq!(occupation_of(SimOccupation::Child), Occupation::Other);
    }
}
