//! A victim's script: from the first contact through long calls, links and app installs to
//! the payments, with timings drawn per fraud type.

use super::numbers::pick_number;
use super::spec::{spec, Spec};
use super::{stage, Action, Fraud, Note};
use crate::population::{World, NONE};
use crate::records::Sex;
use crate::rng::{self, chance, lognormal, pick, range, SimRng};
use crate::schedule::Scheduler;
use crate::truth::{VictimOutcome, VictimTruth};
use crate::FraudType;
use fanzha_core::event::{AppInstall, Call, EpochMs, NationalPush, Signal, Sms, UrlVisit};

const MIN: i64 = 60_000;

fn minutes(rng: &mut SimRng, median: f64, sigma: f64) -> i64 {
    (lognormal(rng, median, sigma) * MIN as f64) as i64
}

impl Fraud {
    /// A resident matching the type's targets (age, sex), with a phone and a card.
    pub(super) fn pick_target(&self, t: FraudType, world: &World, rng: &mut SimRng) -> Option<u32> {
        let s = spec(t);
        let mut fallback = None;
        for _ in 0..60 {
            let p = pick(rng, &world.reachable);
            let tr = &world.traits[p as usize];
            if tr.card == NONE {
                continue;
            }
            fallback = Some(p);
            if tr.age < s.ages.0 || tr.age > s.ages.1 {
                continue;
            }
            let female = world.people[p as usize].sex == Sex::Female;
            let accept = if female {
                s.female_share
            } else {
                1.0 - s.female_share
            };
            if chance(rng, (accept * 2.0).min(1.0)) {
                return Some(p);
            }
        }
        fallback
    }

    /// Starts a victim script at `ts`: schedules every stage and payment.
    pub(super) fn hook(
        &mut self,
        person: u32,
        t: FraudType,
        ts: EpochMs,
        repeat: bool,
        world: &World,
        sched: &mut Scheduler,
    ) {
        let Some(victim_msisdn) = world.people[person as usize].msisdn else {
            return;
        };
        self.victim_serial += 1;
        let mut rng = rng::stream(self.seed, rng::domain::SCRIPT, self.victim_serial);
        let rng = &mut rng;
        let s: Spec = spec(t);
        let campaigns: Vec<usize> = (0..self.campaigns.len())
            .filter(|&c| self.campaigns[c].fraud_type == t && !self.campaigns[c].numbers.is_empty())
            .collect();
        if campaigns.is_empty() {
            return;
        }
        let c = campaigns[range(rng, 0, campaigns.len() as u64) as usize];
        let number = pick_number(rng, &self.campaigns[c].numbers).clone();
        let villages = world.region.villages.len() as u32;
        let v = self.truth.victims.len() as u32;
        self.truth.victims.push(VictimTruth {
            person_id: u64::from(person) + 1,
            msisdn: victim_msisdn,
            fraud_type: t,
            campaign_id: self.campaigns[c].id,
            fraud_number: number.msisdn,
            first_contact_ts: ts,
            long_call_ts: None,
            link_ts: None,
            app_install_ts: None,
            first_transfer_ts: None,
            last_transfer_ts: None,
            transfers: 0,
            loss_fen: 0,
            dissuadable: chance(rng, s.dissuadable * if repeat { 0.6 } else { 1.0 }),
            repeat,
            outcome: VictimOutcome::Pending,
        });
        let call = |at: EpochMs, duration_s: u32| {
            Signal::Call(Call {
                ts: at,
                caller: number.msisdn,
                callee: victim_msisdn,
                duration_s,
                caller_cell: number.cell_at(at, villages),
            })
        };
        let sms = |at: EpochMs, domain: &str| {
            Signal::Sms(Sms {
                ts: at,
                sender: number.msisdn,
                recipient: victim_msisdn,
                link_domain: Some(domain.into()),
            })
        };
        let domain = self.campaigns[c].domain.clone();
        let emit = |sched: &mut Scheduler, signal: Signal, bits: u8| {
            let at = signal.ts();
            sched.push(
                at,
                Action::Emit {
                    signal,
                    note: Note::Stage(v, bits),
                },
            )
        };

        let wants_long = chance(rng, s.long_call);
        let wants_link = chance(rng, s.link);
        let mut last = ts;
        let mut long_at = None;
        let mut link_done = false;
        if chance(rng, s.contact_by_sms) {
            emit(sched, sms(ts, &domain), stage::FIRST_CONTACT);
            link_done = true;
            if wants_link {
                let at = ts + range(rng, MIN as u64, 20 * MIN as u64) as i64;
                emit(sched, url(at, victim_msisdn, &domain), stage::LINK);
                last = at;
            }
            if wants_long {
                let at = last + minutes(rng, 40.0, 1.0) + MIN;
                let d = (lognormal(rng, s.long_call_min * 60.0, 0.5).max(300.0)) as u32;
                emit(sched, call(at, d), stage::LONG_CALL);
                long_at = Some(at);
                last = at;
            }
        } else if wants_long && chance(rng, 0.6) {
            // The first call is the long one.
            let d = (lognormal(rng, s.long_call_min * 60.0, 0.5).max(300.0)) as u32;
            emit(sched, call(ts, d), stage::FIRST_CONTACT | stage::LONG_CALL);
            long_at = Some(ts);
        } else {
            emit(
                sched,
                call(ts, range(rng, 30, 150) as u32),
                stage::FIRST_CONTACT,
            );
            if wants_long {
                let at = ts + minutes(rng, 90.0, 1.2).min(2 * 86_400_000) + MIN;
                let d = (lognormal(rng, s.long_call_min * 60.0, 0.5).max(300.0)) as u32;
                emit(sched, call(at, d), stage::LONG_CALL);
                long_at = Some(at);
                last = at;
            }
        }
        if wants_link && !link_done {
            let base = long_at.unwrap_or(ts);
            let sent = base + range(rng, 2 * MIN as u64, 10 * MIN as u64) as i64;
            emit(sched, sms(sent, &domain), 0);
            let at = sent + range(rng, MIN as u64, 10 * MIN as u64) as i64;
            emit(sched, url(at, victim_msisdn, &domain), stage::LINK);
            last = last.max(at);
        }
        let mut app_at = None;
        if let Some((category, names, p)) = s.app {
            if chance(rng, p) {
                let at = last + range(rng, 3 * MIN as u64, 20 * MIN as u64) as i64;
                let signal = Signal::AppInstall(AppInstall {
                    ts: at,
                    msisdn: victim_msisdn,
                    category,
                    app_name: pick(rng, names).into(),
                });
                emit(sched, signal, stage::APP);
                app_at = Some(at);
                last = last.max(at);
            }
        }
        if let Some(l) = long_at {
            if chance(rng, 0.35) {
                let at = l + range(rng, 10 * MIN as u64, 180 * MIN as u64) as i64;
                let level = if app_at.is_some() { 1 } else { 2 };
                let signal = Signal::NationalPush(NationalPush {
                    ts: at,
                    msisdn: victim_msisdn,
                    level,
                });
                sched.push(
                    at,
                    Action::Emit {
                        signal,
                        note: Note::None,
                    },
                );
            }
        }
        if chance(rng, s.abort) {
            self.truth.victims[v as usize].outcome = VictimOutcome::Aborted;
            return;
        }
        let (lo, hi) = s.payments;
        let n = range(rng, u64::from(lo), u64::from(hi) + 1) as i32;
        let total = (lognormal(rng, s.loss_median_yuan, 1.0) * 100.0) as i64;
        let weights: Vec<f64> = (0..n).map(|k| 1.8f64.powi(k)).collect();
        let sum: f64 = weights.iter().sum();
        let mut at = last + minutes(rng, s.pay_delay_min, s.pay_delay_sigma).max(MIN);
        let wallet_types = matches!(
            t,
            FraudType::OrderBrushing
                | FraudType::GameTrading
                | FraudType::FakeShopping
                | FraudType::Other
        );
        for w in weights {
            let amount = ((total as f64) * w / sum) as i64 + 100;
            let mule = pick(rng, &self.campaigns[c].mules[0]);
            let wallet = wallet_types && chance(rng, 0.4);
            sched.push(
                at,
                Action::VictimPay {
                    victim: v,
                    amount,
                    mule,
                    wallet,
                },
            );
            at += minutes(rng, s.payment_gap_min, 0.6).max(MIN);
        }
    }
}

fn url(ts: EpochMs, msisdn: fanzha_core::event::Msisdn, domain: &str) -> Signal {
    Signal::UrlVisit(UrlVisit {
        ts,
        msisdn,
        domain: domain.into(),
    })
}
