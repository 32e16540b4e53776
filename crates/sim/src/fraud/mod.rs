//! Fraud: campaigns of every official type, each with rotating fraud numbers that dial
//! strangers, victim scripts that run from first contact to payments, mule accounts that layer
//! the money away, and card sellers who supply the cards and SIMs. Everything that happens is
//! recorded as ground truth when it is emitted.

mod mules;
mod numbers;
mod script;
mod sellers;
pub mod spec;

use crate::normal::transfer;
use crate::population::{World, NONE};
use crate::rng::{self, lognormal, range, SimRng, Weighted};
use crate::schedule::Scheduler;
use crate::truth::{MuleAccountTruth, Truth, VictimOutcome};
use crate::{FraudType, SimParams};
use fanzha_core::event::{EpochMs, Msisdn, Signal, TransferChannel};
use std::collections::HashMap;

pub use numbers::ActiveNumber;

/// A stage of a victim's timeline, as bits so one signal can mark several.
pub mod stage {
    pub const FIRST_CONTACT: u8 = 1;
    pub const LONG_CALL: u8 = 2;
    pub const LINK: u8 = 4;
    pub const APP: u8 = 8;
}

/// What an emitted scripted signal means for the ground truth.
#[derive(Clone, Copy, Debug)]
pub enum Note {
    None,
    /// Stage bits reached by victim (index into `Truth::victims`).
    Stage(u32, u8),
    NumberCall(u32),
    NumberSms(u32),
}

/// Something a script does at a future time.
#[derive(Debug)]
pub enum Action {
    Emit {
        signal: Signal,
        note: Note,
    },
    VictimPay {
        victim: u32,
        amount: i64,
        mule: u32,
        wallet: bool,
    },
    MuleForward {
        account: u32,
        amount: i64,
        level: u8,
        campaign: u32,
    },
    MuleHop {
        from: u32,
        to: u32,
        amount: i64,
        level: u8,
        campaign: u32,
        channel: TransferChannel,
    },
    Sell {
        seller: u32,
    },
    Rehook {
        person: u32,
    },
}

pub struct Campaign {
    pub id: u32,
    pub fraud_type: FraudType,
    pub numbers: Vec<ActiveNumber>,
    /// Target number of active fraud numbers.
    pub number_slots: usize,
    /// Spray calls into the city per day.
    pub spray_per_day: f64,
    /// Mule pools by level (ledger indices); level 4 is the payment platform.
    pub mules: [Vec<u32>; 4],
    /// SIMs bought from card sellers, used as the next new-SIM fraud numbers.
    pub sim_stock: Vec<Msisdn>,
    pub domain: Box<str>,
}

pub struct Fraud {
    seed: u64,
    pub campaigns: Vec<Campaign>,
    pub truth: Truth,
    /// Ledger index → index in `truth.mule_accounts` (lookups only).
    mule_truth: HashMap<u32, u32>,
    type_weights: Weighted,
    victims_per_day: f64,
    sellers_per_day: f64,
    victim_serial: u64,
    /// Decisions taken when money arrives (drawn in emission order, which is deterministic).
    flow_rng: SimRng,
    sellers: Vec<sellers::Stock>,
}

impl Fraud {
    pub fn new(params: &SimParams, world: &mut World) -> Fraud {
        let mut rng = rng::stream(params.seed, rng::domain::FRAUD_SETUP, 0);
        let n = world.people.len() as f64;
        let mut f = Fraud {
            seed: params.seed,
            campaigns: Vec::new(),
            truth: Truth::default(),
            mule_truth: HashMap::new(),
            type_weights: Weighted::new(params.type_mix.iter().map(|&w| f64::from(w)))
                .unwrap_or_else(|| Weighted::new([1.0]).expect("positive")),
            victims_per_day: n * params.victims_per_10k_year / 10_000.0 / 365.0,
            sellers_per_day: n * params.card_sellers_per_10k_year / 10_000.0 / 365.0,
            victim_serial: 0,
            flow_rng: rng::stream(params.seed, rng::domain::SCRIPT, u64::MAX),
            sellers: Vec::new(),
        };
        let total_mix: f64 = params
            .type_mix
            .iter()
            .map(|&w| f64::from(w))
            .sum::<f64>()
            .max(1.0);
        // Every resident receives a fraud call about once a month.
        let spray_total = n * 0.03;
        for t in FraudType::FRAUD {
            let share = f64::from(params.type_mix[t.index()]) / total_mix;
            for _ in 0..2 {
                let id = f.campaigns.len() as u32 + 1;
                let spray = spray_total * share / 2.0;
                let slots = ((spray / 150.0).round() as usize).max(1);
                let c = f.new_campaign(id, t, slots, spray, world, &mut rng);
                f.campaigns.push(c);
            }
        }
        f
    }

    fn new_campaign(
        &mut self,
        id: u32,
        fraud_type: FraudType,
        number_slots: usize,
        spray_per_day: f64,
        world: &mut World,
        rng: &mut SimRng,
    ) -> Campaign {
        let sizes = [6usize, 4, 2, 1];
        let mut mules: [Vec<u32>; 4] = Default::default();
        for (level, size) in sizes.iter().enumerate() {
            for _ in 0..*size {
                let opened = world.start_ms - range(rng, 1, 120) as i64 * 86_400_000;
                let acc = if level == 3 {
                    world.new_wallet(crate::records::HolderKind::NonResident, 0, opened, 0)
                } else {
                    world.new_card(rng, crate::records::HolderKind::NonResident, 0, opened, 0)
                };
                mules[level].push(acc);
                self.register_mule(acc, level as u8 + 1, id, fraud_type, 0);
            }
        }
        let word = spec::spec(fraud_type).domain_word;
        const TLDS: &[&str] = &["top", "xyz", "cc", "vip", "icu", "shop"];
        let tag = crate::numbers::scatter(u64::from(id) * 7919 + range(rng, 0, 1000), 4);
        let domain = format!("{word}-{tag:04}.{}", crate::rng::pick(rng, TLDS));
        Campaign {
            id,
            fraud_type,
            numbers: Vec::new(),
            number_slots,
            spray_per_day,
            mules,
            sim_stock: Vec::new(),
            domain: domain.into(),
        }
    }

    fn register_mule(&mut self, acc: u32, level: u8, campaign: u32, t: FraudType, holder: u64) {
        self.mule_truth
            .insert(acc, self.truth.mule_accounts.len() as u32);
        self.truth.mule_accounts.push(MuleAccountTruth {
            account_no: fanzha_core::event::AccountNo(u64::from(acc)),
            level,
            campaign_id: campaign,
            fraud_type: t,
            holder_person_id: holder,
            first_in_ts: None,
            received_fen: 0,
        });
    }

    /// Replaces the ledger indices kept in the mule truth by account numbers (once, at the end).
    pub fn finish(&mut self, world: &World) {
        for m in self.truth.mule_accounts.iter_mut() {
            m.account_no = world.ledger.number(m.account_no.0 as u32);
        }
        for v in self.truth.victims.iter_mut() {
            if v.outcome == VictimOutcome::Pending && v.transfers > 0 {
                v.outcome = VictimOutcome::Defrauded;
            }
        }
        self.truth
            .mule_accounts
            .sort_by_key(|m| (m.first_in_ts.unwrap_or(i64::MAX), m.account_no));
        self.truth
            .victims
            .sort_by_key(|v| (v.first_contact_ts, v.person_id));
        self.truth
            .fraud_numbers
            .sort_by_key(|n| (n.active_from_ts, n.msisdn));
        self.truth
            .card_sellers
            .sort_by_key(|s| (s.first_open_ts, s.person_id));
    }

    /// Schedules the day's fraud: number rotation, spray calls, new victims, card sellers.
    pub fn start_day(
        &mut self,
        day: u32,
        day_start: EpochMs,
        world: &mut World,
        sched: &mut Scheduler,
    ) {
        let mut rng = rng::stream(self.seed, rng::domain::FRAUD_DAY, u64::from(day));
        for c in 0..self.campaigns.len() {
            self.rotate_numbers(c, day_start, world, sched, &mut rng);
            self.spray(c, day_start, world, sched, &mut rng);
        }
        let victims = rng::poisson(&mut rng, self.victims_per_day);
        for _ in 0..victims {
            let t = FraudType::FRAUD[self.type_weights.sample(&mut rng).min(10)];
            let ts = day_start
                + i64::from(
                    crate::rhythm::DayProfile::new(&crate::rhythm::FRAUD_SHIFT).sample_ms(&mut rng),
                );
            let person = self.pick_target(t, world, &mut rng);
            if let Some(p) = person {
                self.hook(p, t, ts, false, world, sched);
            }
        }
        let sellers = rng::poisson(&mut rng, self.sellers_per_day);
        for _ in 0..sellers {
            self.recruit_seller(day_start, world, sched, &mut rng);
        }
    }

    /// Carries out one action; returns the signal it produced, if any.
    pub fn process(
        &mut self,
        ts: EpochMs,
        action: Action,
        world: &mut World,
        sched: &mut Scheduler,
        txn_id: &mut u64,
    ) -> Option<Signal> {
        match action {
            Action::Emit { signal, note } => {
                self.note(ts, note);
                Some(signal)
            }
            Action::VictimPay {
                victim,
                amount,
                mule,
                wallet,
            } => {
                let v = &self.truth.victims[victim as usize];
                let idx = (v.person_id - 1) as usize;
                let t = world.traits[idx];
                let from = if wallet && t.wallet != NONE {
                    t.wallet
                } else {
                    t.card
                };
                let channel = if from == t.wallet {
                    TransferChannel::ThirdPartyPayment
                } else {
                    TransferChannel::Bank
                };
                let signal = transfer(&mut world.ledger, txn_id, ts, from, mule, amount, channel)?;
                let Signal::Transfer(tr) = &signal else {
                    return Some(signal);
                };
                let moved = tr.amount_fen;
                let v = &mut self.truth.victims[victim as usize];
                v.first_transfer_ts.get_or_insert(ts);
                v.last_transfer_ts = Some(ts);
                v.transfers += 1;
                v.loss_fen += moved;
                v.outcome = VictimOutcome::Defrauded;
                let (first, person) = (v.transfers == 1, v.person_id);
                let campaign = v.campaign_id;
                self.mule_in(mule, ts, moved);
                let delay = (lognormal(&mut self.flow_rng, 8.0, 1.0) * 60_000.0) as i64 + 20_000;
                sched.push(
                    ts + delay,
                    Action::MuleForward {
                        account: mule,
                        amount: moved,
                        level: 1,
                        campaign,
                    },
                );
                if first && rng::chance(&mut self.flow_rng, 0.1) {
                    let later = range(&mut self.flow_rng, 1, 7) as i64 * 86_400_000
                        + range(&mut self.flow_rng, 0, 36_000_000) as i64;
                    sched.push(
                        ts + later,
                        Action::Rehook {
                            person: (person - 1) as u32,
                        },
                    );
                }
                Some(signal)
            }
            Action::MuleForward {
                account,
                amount,
                level,
                campaign,
            } => {
                self.forward(ts, account, amount, level, campaign, sched);
                None
            }
            Action::MuleHop {
                from,
                to,
                amount,
                level,
                campaign,
                channel,
            } => {
                if to == NONE {
                    let moved = world.ledger.transfer(from, None, amount);
                    if moved <= 0 {
                        return None;
                    }
                    *txn_id += 1;
                    return Some(Signal::Transfer(fanzha_core::event::Transfer {
                        ts,
                        txn_id: *txn_id,
                        from: world.ledger.number(from),
                        to: fanzha_core::event::AccountNo(0),
                        amount_fen: moved,
                        channel: TransferChannel::CashOut,
                    }));
                }
                let signal = transfer(&mut world.ledger, txn_id, ts, from, to, amount, channel)?;
                if let Signal::Transfer(tr) = &signal {
                    let moved = tr.amount_fen;
                    self.mule_in(to, ts, moved);
                    let delay =
                        (lognormal(&mut self.flow_rng, 15.0, 0.8) * 60_000.0) as i64 + 30_000;
                    sched.push(
                        ts + delay,
                        Action::MuleForward {
                            account: to,
                            amount: moved,
                            level,
                            campaign,
                        },
                    );
                }
                Some(signal)
            }
            Action::Sell { seller } => {
                self.sell(seller, world);
                None
            }
            Action::Rehook { person } => {
                let mut rng = rng::stream(
                    self.seed,
                    rng::domain::SCRIPT,
                    u64::MAX - 1 - u64::from(person),
                );
                let t = if rng::chance(&mut rng, 0.6) {
                    FraudType::ImpersonatingPolice
                } else {
                    FraudType::FRAUD[self.type_weights.sample(&mut rng).min(10)]
                };
                self.hook(person, t, ts, true, world, sched);
                None
            }
        }
    }

    fn note(&mut self, ts: EpochMs, note: Note) {
        match note {
            Note::None => {}
            Note::Stage(v, bits) => {
                let v = &mut self.truth.victims[v as usize];
                if bits & stage::LONG_CALL != 0 {
                    v.long_call_ts.get_or_insert(ts);
                }
                if bits & stage::LINK != 0 {
                    v.link_ts.get_or_insert(ts);
                }
                if bits & stage::APP != 0 {
                    v.app_install_ts.get_or_insert(ts);
                }
            }
            Note::NumberCall(n) => self.truth.fraud_numbers[n as usize].calls += 1,
            Note::NumberSms(n) => self.truth.fraud_numbers[n as usize].sms += 1,
        }
    }

    fn mule_in(&mut self, account: u32, ts: EpochMs, amount: i64) {
        if let Some(&m) = self.mule_truth.get(&account) {
            let m = &mut self.truth.mule_accounts[m as usize];
            m.first_in_ts.get_or_insert(ts);
            m.received_fen += amount;
        }
    }
}
