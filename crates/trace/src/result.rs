//! What a trace found: the accounts still holding victim money, the flow tree and the totals.

use crate::graph::AccountIx;
use crate::ledger::Source;
use crate::trace::{FlowKind, Tracer, UNLIMITED_CLAIM};
use fanzha_core::event::TransferChannel;
use serde::Serialize;

/// An account still holding victim money at the end of the extract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub account: AccountIx,
    pub held_fen: i64,
    /// Fewest hops from the victim among the flows that brought the money it holds.
    pub min_hop: u32,
    /// Earliest arrival (UTC epoch ms) of the money it holds.
    pub first_arrival_ms: i64,
    /// The money came in through a third-party payment platform.
    pub via_third_party: bool,
    /// The holder is the victim's own account (money that came back).
    pub is_victim: bool,
}

/// Totals of a trace. `traced = held + cashed_out + beyond_hop_limit` always.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Victim money that left the victim's account (sum of hop-1 flows), fen.
    pub traced_fen: i64,
    pub held_fen: i64,
    pub cashed_out_fen: i64,
    /// Money that left an account at the hop limit (not followed further).
    pub beyond_hop_limit_fen: i64,
    /// Part of the reported loss not matched by outgoing transfers (absent when no amount
    /// was reported).
    pub unmatched_claim_fen: Option<i64>,
    pub holders: usize,
    pub accounts_reached: usize,
    pub transfers_followed: usize,
    pub flows: usize,
    pub max_hop: u32,
}

/// Holdings, sorted by amount held (largest first), then account.
pub fn holdings(t: &Tracer) -> Vec<Holding> {
    let flows = t.flows();
    let victim = t.params().victim;
    let mut out = Vec::new();
    for (a, ledger) in t.ledgers() {
        let mut h = Holding {
            account: a,
            held_fen: 0,
            min_hop: u32::MAX,
            first_arrival_ms: i64::MAX,
            via_third_party: false,
            is_victim: a == victim,
        };
        for lot in ledger.lots() {
            if let Source::Flow(f) = lot.source {
                let flow = &flows[f as usize];
                h.held_fen += lot.amount;
                h.min_hop = h.min_hop.min(lot.hop);
                h.first_arrival_ms = h.first_arrival_ms.min(flow.transfer.ts);
                h.via_third_party |= flow.transfer.channel == TransferChannel::ThirdPartyPayment;
            }
        }
        if h.held_fen > 0 {
            out.push(h);
        }
    }
    out.sort_by(|a, b| b.held_fen.cmp(&a.held_fen).then(a.account.cmp(&b.account)));
    out
}

/// Victim money still held per flow (index = flow index).
pub fn held_per_flow(t: &Tracer) -> Vec<i64> {
    let mut held = vec![0i64; t.flows().len()];
    for (_, ledger) in t.ledgers() {
        for lot in ledger.lots() {
            if let Source::Flow(f) = lot.source {
                held[f as usize] += lot.amount;
            }
        }
    }
    held
}

pub fn summary(t: &Tracer) -> Summary {
    let mut s = Summary::default();
    let mut accounts = rustc_hash::FxHashSet::default();
    let mut transfers = rustc_hash::FxHashSet::default();
    for f in t.flows() {
        if f.parent.is_none() {
            s.traced_fen += f.amount_fen;
        }
        match f.kind {
            FlowKind::CashOut => s.cashed_out_fen += f.amount_fen,
            FlowKind::BeyondHopLimit => s.beyond_hop_limit_fen += f.amount_fen,
            FlowKind::Forward => {
                accounts.insert(f.transfer.to);
            }
        }
        transfers.insert((
            f.transfer.order,
            f.transfer.from,
            f.transfer.to,
            f.transfer.ts,
        ));
        s.max_hop = s.max_hop.max(f.hop);
    }
    let hs = holdings(t);
    s.held_fen = hs.iter().map(|h| h.held_fen).sum();
    s.holders = hs.len();
    s.accounts_reached = accounts.len();
    s.transfers_followed = transfers.len();
    s.flows = t.flows().len();
    if let Some(claim) = t.params().claim_fen {
        let unspent = t
            .ledgers()
            .filter(|(a, _)| *a == t.params().victim)
            .flat_map(|(_, l)| l.lots())
            .filter(|l| l.source == Source::Claim)
            .map(|l| l.amount)
            .sum::<i64>();
        debug_assert!(unspent <= claim && claim < UNLIMITED_CLAIM);
        s.unmatched_claim_fen = Some(unspent);
    }
    s
}
