//! One account's balance during a trace, as a queue of lots, and the attribution policies that
//! decide which lots an outgoing transfer spends.
//!
//! A lot is money of one origin: the victim's reported loss ([`Source::Claim`]), victim money
//! that arrived through one traced flow ([`Source::Flow`]), or other money ([`Source::Clean`]).

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How an outgoing transfer is attributed to the money an account holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// First in, first out: the oldest money leaves first.
    #[default]
    Fifo,
    /// Every outgoing transfer takes from every lot in proportion to the lot's size
    /// (the "haircut" rule).
    Proportional,
}

/// Where the money of a lot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The victim's reported loss, not yet sent.
    Claim,
    /// Victim money that arrived through the traced flow with this index.
    Flow(u32),
    /// Money that is not the victim's.
    Clean,
}

impl Source {
    pub fn is_tainted(self) -> bool {
        !matches!(self, Source::Clean)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lot {
    pub source: Source,
    /// Hops from the victim of the flow that brought the money (0 for the claim).
    pub hop: u32,
    pub amount: i64,
}

/// The lots an account holds, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    lots: VecDeque<Lot>,
    tainted: i64,
    total: i64,
}

impl Ledger {
    pub fn with_claim(amount: i64) -> Ledger {
        let mut l = Ledger::default();
        l.credit(Lot {
            source: Source::Claim,
            hop: 0,
            amount,
        });
        l
    }

    /// Victim money held (claim included).
    pub fn tainted(&self) -> i64 {
        self.tainted
    }

    pub fn lots(&self) -> impl Iterator<Item = &Lot> {
        self.lots.iter()
    }

    /// Adds a lot at the back of the queue (adjacent clean lots are merged).
    pub fn credit(&mut self, lot: Lot) {
        if lot.amount <= 0 {
            return;
        }
        self.total += lot.amount;
        if lot.source.is_tainted() {
            self.tainted += lot.amount;
        } else if let Some(last) = self.lots.back_mut() {
            if last.source == Source::Clean {
                last.amount += lot.amount;
                return;
            }
        }
        self.lots.push_back(lot);
    }

    /// Spends `amount` under `policy`; pushes the tainted portions spent onto `out`. Money
    /// spent beyond what the ledger holds came from a balance the extract does not show and is
    /// not victim money.
    pub fn spend(&mut self, amount: i64, policy: Policy, out: &mut Vec<Lot>) {
        if amount <= 0 || self.total == 0 {
            return;
        }
        if amount >= self.total {
            for lot in self.lots.drain(..) {
                if lot.source.is_tainted() {
                    out.push(lot);
                }
            }
            self.total = 0;
            self.tainted = 0;
            return;
        }
        match policy {
            Policy::Fifo => self.spend_fifo(amount, out),
            Policy::Proportional => self.spend_proportional(amount, out),
        }
    }

    fn spend_fifo(&mut self, mut amount: i64, out: &mut Vec<Lot>) {
        while amount > 0 {
            let Some(head) = self.lots.front_mut() else {
                break;
            };
            let take = amount.min(head.amount);
            head.amount -= take;
            amount -= take;
            self.total -= take;
            let portion = Lot {
                amount: take,
                ..*head
            };
            if head.amount == 0 {
                self.lots.pop_front();
            }
            if portion.source.is_tainted() {
                self.tainted -= take;
                out.push(portion);
            }
        }
    }

    /// Largest-remainder split of `amount` (< total) over the lots, so the portions sum to
    /// `amount` exactly and no portion exceeds its lot.
    fn spend_proportional(&mut self, amount: i64, out: &mut Vec<Lot>) {
        let total = self.total as i128;
        let mut shares: Vec<(i64, i128, usize)> = Vec::with_capacity(self.lots.len());
        let mut assigned = 0i64;
        for (i, lot) in self.lots.iter().enumerate() {
            let exact = amount as i128 * lot.amount as i128;
            let q = (exact / total) as i64;
            shares.push((q, exact % total, i));
            assigned += q;
        }
        let mut left = amount - assigned;
        if left > 0 {
            let mut order: Vec<usize> = (0..shares.len()).collect();
            // Largest remainder first; ties to the older lot.
            order.sort_by(|&a, &b| shares[b].1.cmp(&shares[a].1).then(a.cmp(&b)));
            for i in order {
                if left == 0 {
                    break;
                }
                if shares[i].0 < self.lots[shares[i].2].amount {
                    shares[i].0 += 1;
                    left -= 1;
                }
            }
        }
        for &(take, _, i) in &shares {
            if take == 0 {
                continue;
            }
            let lot = &mut self.lots[i];
            lot.amount -= take;
            self.total -= take;
            if lot.source.is_tainted() {
                self.tainted -= take;
                out.push(Lot {
                    amount: take,
                    ..*lot
                });
            }
        }
        self.lots.retain(|l| l.amount > 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lot(source: Source, amount: i64) -> Lot {
        Lot {
            source,
            hop: 1,
            amount,
        }
    }

    #[test]
    fn fifo_spends_oldest_first() {
        let mut l = Ledger::default();
        l.credit(lot(Source::Flow(0), 100));
        l.credit(lot(Source::Clean, 50));
        l.credit(lot(Source::Flow(1), 30));
        let mut out = Vec::new();
        l.spend(120, Policy::Fifo, &mut out);
        assert_eq!(out, vec![lot(Source::Flow(0), 100)]);
        assert_eq!(l.tainted(), 30);
        out.clear();
        l.spend(40, Policy::Fifo, &mut out);
        assert_eq!(out, vec![lot(Source::Flow(1), 10)]);
        assert_eq!(l.tainted(), 20);
    }

    #[test]
    fn proportional_takes_share_of_every_lot() {
        let mut l = Ledger::default();
        l.credit(lot(Source::Flow(0), 300));
        l.credit(lot(Source::Clean, 100));
        let mut out = Vec::new();
        l.spend(200, Policy::Proportional, &mut out);
        assert_eq!(out, vec![lot(Source::Flow(0), 150)]);
        assert_eq!(l.tainted(), 150);
    }

    #[test]
    fn proportional_rounding_is_exact() {
        let mut l = Ledger::default();
        l.credit(lot(Source::Flow(0), 1));
        l.credit(lot(Source::Clean, 1));
        l.credit(lot(Source::Flow(1), 1));
        let mut out = Vec::new();
        l.spend(2, Policy::Proportional, &mut out);
        let spent: i64 = out.iter().map(|x| x.amount).sum();
        // Two of three one-fen lots leave; ties go to the older lots.
        assert_eq!(out, vec![lot(Source::Flow(0), 1)]);
        assert_eq!(spent + l.tainted(), 2);
        assert_eq!(l.lots().map(|x| x.amount).sum::<i64>(), 1);
    }

    #[test]
    fn overspending_empties_the_ledger() {
        let mut l = Ledger::default();
        l.credit(lot(Source::Flow(0), 10));
        let mut out = Vec::new();
        l.spend(1_000, Policy::Proportional, &mut out);
        assert_eq!(out, vec![lot(Source::Flow(0), 10)]);
        assert_eq!(l.tainted(), 0);
    }
}
