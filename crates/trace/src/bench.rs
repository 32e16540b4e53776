//! A deterministic transfer generator for the performance benchmark: normal payments between
//! residents, merchants and payment platforms, with fraud cases laundered through layers of
//! mule accounts (splits, merges, third-party platforms, cash-outs) mixed in.
//!
//! Written here because the simulator has no transfer generator; it only needs the shape of
//! the graph (degrees, time order, layering depth), not a realistic city.

use crate::graph::{AccountIx, Edge};
use fanzha_core::event::TransferChannel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Sizes of a generated graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenParams {
    pub transfers: usize,
    /// Ordinary accounts (mules, cash-out points and platforms come on top).
    pub accounts: u32,
    pub fraud_cases: usize,
    pub days: u32,
    pub seed: u64,
}

impl GenParams {
    /// About ten transfers sent per account, one fraud case per 50,000 transfers.
    pub fn scaled(transfers: usize, seed: u64) -> GenParams {
        GenParams {
            transfers,
            accounts: (transfers / 10).max(100) as u32,
            fraud_cases: (transfers / 50_000).max(10),
            days: 30,
            seed,
        }
    }
}

/// A fraud case: where the victim's money starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    pub victim: AccountIx,
    pub since: i64,
    pub claim_fen: i64,
}

pub struct Generated {
    pub n_accounts: u32,
    pub edges: Vec<Edge>,
    pub cases: Vec<Case>,
}

/// 2026-01-01T00:00:00Z.
const BASE_MS: i64 = 1_767_225_600_000;
const MINUTE: i64 = 60_000;

pub fn generate(p: GenParams) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let span = i64::from(p.days) * 24 * 60 * MINUTE;
    let n_platforms = 50u32;
    let n_cashout = 2_000u32;
    let n_mules = (p.fraud_cases as u32).saturating_mul(40).max(100);
    let platform0 = p.accounts;
    let cashout0 = platform0 + n_platforms;
    let mule0 = cashout0 + n_cashout;
    let n_accounts = mule0 + n_mules;
    let mut edges: Vec<Edge> = Vec::with_capacity(p.transfers);
    let mut cases = Vec::with_capacity(p.fraud_cases);
    let push = |edges: &mut Vec<Edge>, from, to, ts, amount_fen, channel| {
        if edges.len() < p.transfers {
            let order = edges.len() as u64;
            edges.push(Edge {
                order,
                from,
                to,
                ts,
                amount_fen,
                channel,
            });
        }
    };
    // Fraud layering.
    for _ in 0..p.fraud_cases {
        let victim = rng.random_range(0..p.accounts);
        let since = BASE_MS + rng.random_range(0..span * 3 / 4);
        let claim_fen: i64 = rng.random_range(500_000..50_000_000);
        cases.push(Case {
            victim,
            since,
            claim_fen,
        });
        let depth = rng.random_range(3..=6u32);
        // (account, time the money arrived, amount)
        let mut layer: Vec<(AccountIx, i64, i64)> = vec![(victim, since, claim_fen)];
        for d in 0..depth {
            let width = (layer.len() * rng.random_range(1..=3usize)).clamp(1, 12);
            let next: Vec<AccountIx> = (0..width)
                .map(|_| mule0 + rng.random_range(0..n_mules))
                .collect();
            let mut arrivals: Vec<(AccountIx, i64, i64)> = Vec::new();
            for &(from, at, amount) in &layer {
                let parts = rng.random_range(1..=3usize).min(next.len());
                let mut left = amount;
                let mut t = at;
                for k in 0..parts {
                    // Merges happen when two senders pick the same next mule.
                    let to = next[rng.random_range(0..next.len())];
                    let share = if k + 1 == parts {
                        left
                    } else {
                        left * rng.random_range(30..70) / 100
                    };
                    if share <= 0 {
                        continue;
                    }
                    left -= share;
                    t += rng.random_range(1..30) * MINUTE;
                    let last = d + 1 == depth;
                    let channel = if last && rng.random_bool(0.3) {
                        TransferChannel::CashOut
                    } else if rng.random_bool(0.1) {
                        TransferChannel::ThirdPartyPayment
                    } else {
                        TransferChannel::Bank
                    };
                    let to = if channel == TransferChannel::CashOut {
                        cashout0 + rng.random_range(0..n_cashout)
                    } else {
                        to
                    };
                    push(&mut edges, from, to, t, share, channel);
                    if channel != TransferChannel::CashOut {
                        arrivals.push((to, t, share));
                    }
                }
            }
            if arrivals.is_empty() {
                break;
            }
            layer = arrivals;
        }
    }
    // Normal payments, in time order.
    let fraud = edges.len();
    let normal = p.transfers.saturating_sub(fraud).max(1);
    for i in 0..p.transfers.saturating_sub(fraud) {
        let ts = BASE_MS + (i as i64 * span) / normal as i64 + rng.random_range(0..1_000);
        let r: f64 = rng.random();
        let (from, to, channel) = if r < 0.90 {
            let from = pick_account(&mut rng, p.accounts, n_accounts, mule0);
            let to = pick_account(&mut rng, p.accounts, n_accounts, mule0);
            (from, to, TransferChannel::Bank)
        } else if r < 0.95 {
            // Paying through, or paid out by, a platform.
            let person = pick_account(&mut rng, p.accounts, n_accounts, mule0);
            let platform = platform0 + rng.random_range(0..n_platforms);
            if rng.random_bool(0.5) {
                (person, platform, TransferChannel::ThirdPartyPayment)
            } else {
                (platform, person, TransferChannel::ThirdPartyPayment)
            }
        } else {
            let person = pick_account(&mut rng, p.accounts, n_accounts, mule0);
            (
                person,
                cashout0 + rng.random_range(0..n_cashout),
                TransferChannel::CashOut,
            )
        };
        let amount = 10f64.powf(rng.random_range(2.0..6.5)) as i64;
        push(&mut edges, from, to, ts, amount.max(1), channel);
    }
    Generated {
        n_accounts,
        edges,
        cases,
    }
}

/// Mostly ordinary accounts; one payment in a thousand touches a mule (mules also receive
/// and send ordinary money).
fn pick_account(rng: &mut ChaCha8Rng, accounts: u32, n_accounts: u32, mule0: u32) -> AccountIx {
    if rng.random_bool(0.001) {
        rng.random_range(mule0..n_accounts)
    } else {
        rng.random_range(0..accounts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_sized() {
        let p = GenParams::scaled(20_000, 7);
        let a = generate(p);
        let b = generate(p);
        assert_eq!(a.edges.len(), 20_000);
        assert_eq!(a.edges, b.edges);
        assert_eq!(a.cases, b.cases);
        assert!(a
            .edges
            .iter()
            .all(|e| e.from < a.n_accounts && e.to < a.n_accounts));
        assert!(a
            .edges
            .iter()
            .any(|e| e.channel == TransferChannel::CashOut));
    }
}
