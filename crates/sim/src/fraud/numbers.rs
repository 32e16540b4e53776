//! Fraud numbers: virtual-operator numbers, overseas numbers, new local SIMs and GOIP-relayed
//! SIMs; each lives a few days, dials strangers in office hours and is replaced when burnt.

use super::{Action, Fraud, Note};
use crate::numbers::{international, scatter};
use crate::population::World;
use crate::records::{NumberKind, PhoneRecord};
use crate::rhythm::{DayProfile, FRAUD_SHIFT};
use crate::rng::{chance, lognormal, pick, poisson, range, unit, SimRng, Weighted};
use crate::schedule::Scheduler;
use crate::truth::{FraudNumberKind, FraudNumberTruth};
use fanzha_core::event::{
    Call, EpochMs, Msisdn, NationalPush, NumberList, NumberListed, Signal, Sms,
};

/// Country codes fraud calls come from (Southeast Asia and beyond), with national digits.
const OVERSEAS: &[(u32, u32)] = &[
    (855, 8),
    (95, 9),
    (63, 10),
    (60, 9),
    (66, 9),
    (84, 9),
    (856, 8),
    (971, 9),
];

#[derive(Clone, Debug)]
pub struct ActiveNumber {
    pub msisdn: Msisdn,
    pub kind: FraudNumberKind,
    /// Index into `Truth::fraud_numbers`.
    pub truth: u32,
    pub expires: EpochMs,
    /// Cell the SIM sits in (GOIP boxes move; others are fixed or unknown).
    pub cell: u32,
}

impl ActiveNumber {
    /// The cell of one call: GOIP boxes are moved between sites every few hours.
    pub fn cell_at(&self, ts: EpochMs, villages: u32) -> u32 {
        match self.kind {
            FraudNumberKind::Goip => {
                let shift = (ts / 10_800_000) as u64;
                (scatter(u64::from(self.truth) * 1000 + shift, 6) % u64::from(villages.max(1)))
                    as u32
                    * 8
                    + 1
            }
            FraudNumberKind::NewSim => self.cell,
            _ => 0,
        }
    }
}

impl Fraud {
    pub(super) fn rotate_numbers(
        &mut self,
        c: usize,
        day_start: EpochMs,
        world: &mut World,
        sched: &mut Scheduler,
        rng: &mut SimRng,
    ) {
        self.campaigns[c].numbers.retain(|n| n.expires > day_start);
        let kinds = Weighted::new(super::spec::spec(self.campaigns[c].fraud_type).number_kinds)
            .expect("positive");
        while self.campaigns[c].numbers.len() < self.campaigns[c].number_slots {
            let kind = [
                FraudNumberKind::Virtual,
                FraudNumberKind::Overseas,
                FraudNumberKind::NewSim,
                FraudNumberKind::Goip,
            ][kinds.sample(rng)];
            let active_from = day_start - range(rng, 0, 6 * 3_600_000) as i64;
            let mut stocked = false;
            let (msisdn, number_kind, activated) = match kind {
                FraudNumberKind::Virtual => (
                    world.new_virtual(rng),
                    NumberKind::Virtual,
                    active_from - range(rng, 1, 30) as i64 * 86_400_000,
                ),
                FraudNumberKind::Overseas => {
                    let (cc, digits) = pick(rng, OVERSEAS);
                    let national = range(rng, 10u64.pow(digits - 1), 10u64.pow(digits));
                    (
                        international(cc, national, digits),
                        NumberKind::Overseas,
                        active_from,
                    )
                }
                FraudNumberKind::NewSim => {
                    let m = match self.campaigns[c].sim_stock.pop() {
                        Some(m) => {
                            stocked = true;
                            m
                        }
                        None => world.new_mobile(rng, 0),
                    };
                    (
                        m,
                        NumberKind::Mobile,
                        active_from - range(rng, 3_600_000, 2 * 86_400_000) as i64,
                    )
                }
                FraudNumberKind::Goip => (
                    world.new_mobile(rng, 0),
                    NumberKind::Mobile,
                    active_from - range(rng, 3_600_000, 5 * 86_400_000) as i64,
                ),
            };
            // Stocked SIMs already have a phone record from their opening.
            if !stocked {
                world.phones.push(PhoneRecord {
                    msisdn,
                    kind: number_kind,
                    carrier: String::new().into(),
                    province: String::new().into(),
                    city: String::new().into(),
                    holder_person_id: 0,
                    activated_ts: activated,
                });
            }
            let truth = self.truth.fraud_numbers.len() as u32;
            self.truth.fraud_numbers.push(FraudNumberTruth {
                msisdn,
                kind,
                fraud_type: self.campaigns[c].fraud_type,
                campaign_id: self.campaigns[c].id,
                active_from_ts: active_from,
                calls: 0,
                sms: 0,
            });
            let life_days = lognormal(rng, 3.0, 0.6).clamp(0.5, 20.0);
            let villages = world.region.villages.len() as u64;
            self.campaigns[c].numbers.push(ActiveNumber {
                msisdn,
                kind,
                truth,
                expires: active_from + (life_days * 86_400_000.0) as i64,
                cell: range(rng, 0, villages) as u32 * 8 + 2,
            });
            // Lists catch some numbers after a while.
            for (list, p, lo, hi) in [
                (NumberList::Blocklist, 0.4, 24u64, 72u64),
                (NumberList::NationalPush, 0.4, 12, 60),
                (
                    NumberList::Goip,
                    if kind == FraudNumberKind::Goip {
                        0.35
                    } else {
                        0.0
                    },
                    12,
                    48,
                ),
            ] {
                if chance(rng, p) {
                    let at = active_from + range(rng, lo * 3_600_000, hi * 3_600_000) as i64;
                    sched.push(
                        at,
                        Action::Emit {
                            signal: Signal::NumberListed(NumberListed {
                                ts: at,
                                msisdn,
                                list,
                            }),
                            note: Note::None,
                        },
                    );
                }
            }
        }
    }

    /// Spray calls and SMS from the campaign's numbers to strangers.
    pub(super) fn spray(
        &mut self,
        c: usize,
        day_start: EpochMs,
        world: &World,
        sched: &mut Scheduler,
        rng: &mut SimRng,
    ) {
        let shift = DayProfile::new(&FRAUD_SHIFT);
        let campaign = &self.campaigns[c];
        if campaign.numbers.is_empty() || world.reachable.is_empty() {
            return;
        }
        let villages = world.region.villages.len() as u32;
        let calls = poisson(rng, campaign.spray_per_day);
        for _ in 0..calls {
            let n = pick_number(rng, &campaign.numbers);
            let ts = day_start + i64::from(shift.sample_ms(rng));
            let target = pick(rng, &world.reachable);
            let Some(callee) = world.people[target as usize].msisdn else {
                continue;
            };
            let u = unit(rng);
            let duration_s = if u < 0.55 {
                0
            } else if u < 0.93 {
                range(rng, 2, 15) as u32
            } else {
                range(rng, 15, 90) as u32
            };
            sched.push(
                ts,
                Action::Emit {
                    signal: Signal::Call(Call {
                        ts,
                        caller: n.msisdn,
                        callee,
                        duration_s,
                        caller_cell: n.cell_at(ts, villages),
                    }),
                    note: Note::NumberCall(n.truth),
                },
            );
            // The national platform flags a few answered recipients (a yellow push that is
            // mostly a false alarm).
            if duration_s > 0 && chance(rng, 0.01) {
                let at = ts + range(rng, 2 * 3_600_000, 12 * 3_600_000) as i64;
                sched.push(
                    at,
                    Action::Emit {
                        signal: Signal::NationalPush(NationalPush {
                            ts: at,
                            msisdn: callee,
                            level: 3,
                        }),
                        note: Note::None,
                    },
                );
            }
            if n.kind != crate::truth::FraudNumberKind::Overseas && chance(rng, 0.3) {
                let at = ts + range(rng, 60_000, 3_600_000) as i64;
                sched.push(
                    at,
                    Action::Emit {
                        signal: Signal::Sms(Sms {
                            ts: at,
                            sender: n.msisdn,
                            recipient: world.people[pick(rng, &world.reachable) as usize]
                                .msisdn
                                .unwrap_or(callee),
                            link_domain: Some(campaign.domain.clone()),
                        }),
                        note: Note::NumberSms(n.truth),
                    },
                );
            }
        }
    }
}

pub(super) fn pick_number<'a>(rng: &mut SimRng, numbers: &'a [ActiveNumber]) -> &'a ActiveNumber {
    &numbers[range(rng, 0, numbers.len() as u64) as usize]
}
