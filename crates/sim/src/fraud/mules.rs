//! Layering: money that reaches a mule account is passed on within minutes — split across
//! second-level accounts, merged into third-level ones, moved through a payment platform and
//! finally withdrawn as cash — keeping a small commission at the first level.

use super::{Action, Fraud};
use crate::population::NONE;
use crate::rng::{chance, pick, range, unit};
use crate::schedule::Scheduler;
use fanzha_core::event::{EpochMs, TransferChannel};

impl Fraud {
    pub(super) fn forward(
        &mut self,
        ts: EpochMs,
        account: u32,
        amount: i64,
        level: u8,
        campaign: u32,
        sched: &mut Scheduler,
    ) {
        let Some(c) = self.campaigns.iter().position(|c| c.id == campaign) else {
            return;
        };
        let rng = &mut self.flow_rng;
        let pools = &self.campaigns[c].mules;
        let mut hop = |at: EpochMs, to: u32, amount: i64, channel: TransferChannel| {
            if amount > 0 {
                sched.push(
                    at,
                    Action::MuleHop {
                        from: account,
                        to,
                        amount,
                        level: level + 1,
                        campaign,
                        channel,
                    },
                );
            }
        };
        match level {
            1 => {
                // Keep a 0–3 % commission, split the rest over one to three accounts.
                let keep = (amount as f64 * unit(rng) * 0.03) as i64;
                let rest = amount - keep;
                let parts = range(rng, 1, 4) as usize;
                let mut left = rest;
                let mut at = ts;
                for k in 0..parts {
                    let part = if k + 1 == parts {
                        left
                    } else {
                        (rest as f64 * (0.2 + unit(rng) * 0.4)).min(left as f64) as i64
                    };
                    left -= part;
                    at += range(rng, 20_000, 180_000) as i64;
                    hop(at, pick(rng, &pools[1]), part, TransferChannel::Bank);
                }
            }
            2 => {
                let at = ts + range(rng, 10_000, 120_000) as i64;
                let u = unit(rng);
                if u < 0.5 {
                    hop(at, pick(rng, &pools[2]), amount, TransferChannel::Bank);
                } else if u < 0.8 {
                    hop(at, pools[3][0], amount, TransferChannel::ThirdPartyPayment);
                } else {
                    hop(at, NONE, amount, TransferChannel::CashOut);
                }
            }
            3 => {
                let at = ts + range(rng, 10_000, 120_000) as i64;
                if chance(rng, 0.6) {
                    hop(at, NONE, amount, TransferChannel::CashOut);
                } else {
                    hop(at, pools[3][0], amount, TransferChannel::ThirdPartyPayment);
                }
            }
            _ => {
                let at = ts + range(rng, 60_000, 3_600_000) as i64;
                hop(at, NONE, amount, TransferChannel::CashOut);
            }
        }
    }
}
