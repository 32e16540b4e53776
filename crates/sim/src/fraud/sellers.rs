//! Card sellers (断卡 targets): young residents who travel to another province, open several
//! bank cards and SIMs within a few days, and sell them a day or more later to a campaign,
//! whose first-level mule accounts and new-SIM fraud numbers they become.

use super::{Action, Fraud, Note};
use crate::population::{World, NONE};
use crate::records::{HolderKind, NumberKind, PhoneRecord};
use crate::rng::{pick, range, SimRng};
use crate::schedule::Scheduler;
use crate::truth::CardSellerTruth;
use fanzha_core::event::{CardKind, CardOpening, EpochMs, Msisdn, Signal};

pub(super) struct Stock {
    person: u32,
    cards: Vec<u32>,
    sims: Vec<Msisdn>,
}

impl Fraud {
    pub(super) fn recruit_seller(
        &mut self,
        day_start: EpochMs,
        world: &mut World,
        sched: &mut Scheduler,
        rng: &mut SimRng,
    ) {
        let mut seller = None;
        for _ in 0..80 {
            let p = pick(rng, &world.reachable);
            let t = &world.traits[p as usize];
            if (18..=30).contains(&t.age) && t.card != NONE {
                seller = Some(p);
                break;
            }
        }
        let Some(person) = seller else { return };
        if world.region.far_counties.is_empty() {
            return;
        }
        let far = pick(rng, &world.region.far_counties);
        let span_days = range(rng, 1, 4) as i64;
        let n_cards = range(rng, 3, 9);
        let n_sims = range(rng, 1, 5);
        let mut times: Vec<(EpochMs, bool)> = (0..n_cards + n_sims)
            .map(|k| {
                let day = range(rng, 0, span_days as u64) as i64;
                let ms = range(rng, 9 * 3_600_000, 17 * 3_600_000) as i64;
                (day_start + day * 86_400_000 + ms, k < n_cards)
            })
            .filter(|(ts, _)| *ts < sched.end_ms)
            .collect();
        if times.is_empty() {
            return;
        }
        times.sort_unstable();
        let person_id = u64::from(person) + 1;
        let mut stock = Stock {
            person,
            cards: Vec::new(),
            sims: Vec::new(),
        };
        let (mut cards, mut sims) = (0u32, 0u32);
        for &(ts, is_card) in &times {
            let number = if is_card {
                let acc = world.new_card(rng, HolderKind::Resident, person_id, ts, 0);
                stock.cards.push(acc);
                cards += 1;
                world.ledger.number(acc).0
            } else {
                let m = world.new_mobile(rng, usize::from(world.traits[person as usize].city));
                world.phones.push(PhoneRecord {
                    msisdn: m,
                    kind: NumberKind::Mobile,
                    carrier: String::new().into(),
                    province: String::new().into(),
                    city: String::new().into(),
                    holder_person_id: person_id,
                    activated_ts: ts,
                });
                stock.sims.push(m);
                sims += 1;
                m.0
            };
            let kind = if is_card {
                CardKind::BankCard
            } else {
                CardKind::SimCard
            };
            let signal = Signal::CardOpening(CardOpening {
                ts,
                person_id,
                kind,
                number,
                opened_in_division: far,
            });
            sched.push(
                ts,
                Action::Emit {
                    signal,
                    note: Note::None,
                },
            );
        }
        let (first, last) = (times[0].0, times[times.len() - 1].0);
        self.truth.card_sellers.push(CardSellerTruth {
            person_id,
            first_open_ts: first,
            last_open_ts: last,
            bank_cards: cards,
            sim_cards: sims,
            opened_in_division: far,
        });
        let seller = self.sellers.len() as u32;
        self.sellers.push(stock);
        let sold_at = last + range(rng, 86_400_000, 3 * 86_400_000) as i64;
        sched.push(sold_at, Action::Sell { seller });
    }

    /// Hands a seller's cards and SIMs to a campaign.
    pub(super) fn sell(&mut self, seller: u32, _world: &World) {
        let stock = std::mem::replace(
            &mut self.sellers[seller as usize],
            Stock {
                person: 0,
                cards: Vec::new(),
                sims: Vec::new(),
            },
        );
        if self.campaigns.is_empty() {
            return;
        }
        let c = (stock.person as usize)
            .wrapping_mul(31)
            .wrapping_add(seller as usize)
            % self.campaigns.len();
        let (id, t) = (self.campaigns[c].id, self.campaigns[c].fraud_type);
        for acc in stock.cards {
            self.campaigns[c].mules[0].push(acc);
            self.register_mule(acc, 1, id, t, u64::from(stock.person) + 1);
        }
        self.campaigns[c].sim_stock.extend(stock.sims);
    }
}
