//! The time-respecting forward trace of victim money.
//!
//! Time advances in batches, one per distinct timestamp at which an account holding victim
//! money sends or receives. A batch at time `t`:
//!
//! 1. takes the accounts holding victim money that have a transfer at `t`, and closes that set
//!    over the transfers at `t` (money may move several hops within one timestamp: extracts
//!    with day resolution show a whole layering chain on one date);
//! 2. credits the transfers at `t` that come into the set from outside (other money);
//! 3. applies the transfers inside the set in dependency order: an account's outgoing transfers
//!    at `t` wait until its incoming transfers at `t` are applied ("inflows first"); within
//!    that, and to break cycles, by the transfers' canonical order.
//!
//! Applying a transfer spends it from the sender's [`Ledger`] under the [`Policy`]; victim
//! portions become [`Flow`]s and arrive at the receiver as lots. Cash-outs end the trace of
//! their money; money that would take a hop beyond the limit is recorded once and not
//! followed. An account whose victim money is gone stops being followed (its other money is
//! forgotten, as at its first arrival: the balance before victim money arrived is unknown and
//! taken as zero, which attributes as much as possible to the victim).
//!
//! The trace is incremental: with [`Tracer::extend`], transfers from a new extract undo only
//! the batches at or after the earliest new transfer that touches the trace and replay from
//! there, which gives the same result as a trace over all transfers from scratch.

use crate::error::TraceError;
use crate::graph::{AccountIx, Edge, Graph};
use crate::ledger::{Ledger, Lot, Policy, Source};
use fanzha_core::event::TransferChannel;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// Stands for "every outgoing transfer after the start time" when no amount is reported.
pub const UNLIMITED_CLAIM: i64 = i64::MAX / 4;

/// What to trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParams {
    /// The victim's account.
    pub victim: AccountIx,
    /// UTC epoch ms from which the victim's outgoing transfers are victim money.
    pub since: i64,
    /// The reported loss in fen; `None`: every outgoing transfer from `since` on.
    pub claim_fen: Option<i64>,
    /// Hops followed from the victim (the victim's own transfers are hop 1).
    pub hop_limit: u32,
    pub policy: Policy,
}

impl TraceParams {
    pub fn new(victim: AccountIx, since: i64) -> TraceParams {
        TraceParams {
            victim,
            since,
            claim_fen: None,
            hop_limit: 6,
            policy: Policy::Fifo,
        }
    }
}

/// How a flow ends or goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Arrived at the receiver, who holds it or passes it on.
    Forward,
    /// Withdrawn as cash; the trace of this money ends.
    CashOut,
    /// Left an account at the hop limit; not followed.
    BeyondHopLimit,
}

/// Victim money carried by one transfer from one parent flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The flow that brought this money to the sender; `None` for the victim's own transfers.
    pub parent: Option<u32>,
    pub hop: u32,
    pub kind: FlowKind,
    /// The transfer (its full amount in `transfer.amount_fen`).
    pub transfer: Edge,
    /// Victim money in it, fen.
    pub amount_fen: i64,
}

struct BatchUndo {
    ts: i64,
    flows_len: usize,
    prior: Vec<(AccountIx, Option<Ledger>)>,
}

/// A trace in progress or finished. Pure: it reads the [`Graph`] it is given and nothing else.
pub struct Tracer {
    params: TraceParams,
    ledgers: FxHashMap<AccountIx, Ledger>,
    flows: Vec<Flow>,
    queue: BinaryHeap<Reverse<(i64, AccountIx)>>,
    incremental: bool,
    touched: FxHashSet<AccountIx>,
    undo: Vec<BatchUndo>,
    batches: u64,
    spent: Vec<Lot>,
    // Scratch buffers reused by every batch (a trace runs thousands of small batches).
    set: Vec<AccountIx>,
    in_set: FxHashSet<AccountIx>,
    external: Vec<(u64, usize)>,
    internal: Vec<(AccountIx, usize)>,
}

impl Tracer {
    /// Starts a trace. With `incremental`, it keeps what [`Tracer::extend`] needs (an undo
    /// record per batch).
    pub fn new(
        graph: &Graph,
        params: TraceParams,
        incremental: bool,
    ) -> Result<Tracer, TraceError> {
        if params.hop_limit == 0 || params.hop_limit > 64 {
            return Err(TraceError::HopLimit(params.hop_limit));
        }
        if let Some(c) = params.claim_fen {
            if c <= 0 || c >= UNLIMITED_CLAIM {
                return Err(TraceError::ClaimAmount(c));
            }
        }
        if params.victim >= graph.n_accounts() || graph.out_edges(params.victim).is_empty() {
            return Err(TraceError::AccountUnknown);
        }
        let mut t = Tracer {
            params,
            ledgers: FxHashMap::default(),
            flows: Vec::new(),
            queue: BinaryHeap::new(),
            incremental,
            touched: FxHashSet::default(),
            undo: Vec::new(),
            batches: 0,
            spent: Vec::new(),
            set: Vec::new(),
            in_set: FxHashSet::default(),
            external: Vec::new(),
            internal: Vec::new(),
        };
        t.ledgers.insert(
            params.victim,
            Ledger::with_claim(params.claim_fen.unwrap_or(UNLIMITED_CLAIM)),
        );
        t.touched.insert(params.victim);
        t.schedule_all(graph, params.since);
        Ok(t)
    }

    /// Runs a complete trace.
    pub fn trace(graph: &Graph, params: TraceParams) -> Result<Tracer, TraceError> {
        let mut t = Tracer::new(graph, params, false)?;
        t.run(graph);
        Ok(t)
    }

    pub fn params(&self) -> &TraceParams {
        &self.params
    }

    pub fn flows(&self) -> &[Flow] {
        &self.flows
    }

    /// Accounts that still hold money of this trace, with their ledgers.
    pub fn ledgers(&self) -> impl Iterator<Item = (AccountIx, &Ledger)> {
        self.ledgers.iter().map(|(a, l)| (*a, l))
    }

    /// Timestamps processed so far.
    pub fn batches(&self) -> u64 {
        self.batches
    }

    /// Processes batches until no account holding victim money has a later transfer.
    pub fn run(&mut self, graph: &Graph) {
        while let Some(&Reverse((t, _))) = self.queue.peek() {
            self.batch(graph, t);
        }
    }

    /// Takes in transfers from a new extract. `graph` is the graph over all transfers (old and
    /// new, account indices unchanged); `new_edges` are the transfers it adds. Only batches at
    /// or after the earliest new transfer that touches the trace are recomputed.
    pub fn extend(&mut self, graph: &Graph, new_edges: &[Edge]) {
        let v = self.params.victim;
        let t_min = new_edges
            .iter()
            .filter(|e| {
                self.touched.contains(&e.from)
                    || self.touched.contains(&e.to)
                    || e.from == v
                    || e.to == v
            })
            .map(|e| e.ts)
            .min();
        let Some(t_min) = t_min else {
            return;
        };
        if !self.incremental {
            // Nothing to undo with: start over.
            let params = self.params;
            if let Ok(fresh) = Tracer::new(graph, params, false) {
                *self = fresh;
                self.run(graph);
            }
            return;
        }
        while self.undo.last().is_some_and(|b| b.ts >= t_min) {
            let Some(b) = self.undo.pop() else { break };
            self.flows.truncate(b.flows_len);
            for (a, prior) in b.prior.into_iter().rev() {
                match prior {
                    Some(l) => {
                        self.ledgers.insert(a, l);
                    }
                    None => {
                        self.ledgers.remove(&a);
                    }
                }
            }
            self.batches -= 1;
        }
        self.schedule_all(graph, t_min.max(self.params.since));
        self.run(graph);
    }

    fn schedule_all(&mut self, graph: &Graph, from_ts: i64) {
        self.queue.clear();
        let since = self.params.since;
        let v = self.params.victim;
        for &a in self.ledgers.keys() {
            let from = if a == v { from_ts.max(since) } else { from_ts };
            if let Some(t) = graph.next_event_at_or_after(a, from) {
                self.queue.push(Reverse((t, a)));
            }
        }
    }

    fn batch(&mut self, graph: &Graph, t: i64) {
        let mut set = std::mem::take(&mut self.set);
        let mut in_set = std::mem::take(&mut self.in_set);
        let mut external = std::mem::take(&mut self.external);
        let mut internal = std::mem::take(&mut self.internal);
        set.clear();
        in_set.clear();
        external.clear();
        internal.clear();
        while let Some(&Reverse((ts, a))) = self.queue.peek() {
            if ts != t {
                break;
            }
            self.queue.pop();
            if self.ledgers.contains_key(&a) {
                set.push(a);
            }
        }
        set.sort_unstable();
        set.dedup();
        if !set.is_empty() {
            self.batches += 1;
            // 1. Close the set over transfers at t (cash-outs leave the graph).
            in_set.extend(set.iter().copied());
            let mut i = 0;
            while i < set.len() {
                let u = set[i];
                i += 1;
                for e in graph.out_edges_between(u, t, t) {
                    let v = graph.to(e);
                    if graph.channel(e) != TransferChannel::CashOut && in_set.insert(v) {
                        set.push(v);
                    }
                }
            }
            if self.incremental {
                let prior = set
                    .iter()
                    .map(|a| (*a, self.ledgers.get(a).cloned()))
                    .collect();
                self.undo.push(BatchUndo {
                    ts: t,
                    flows_len: self.flows.len(),
                    prior,
                });
                self.touched.extend(set.iter().copied());
            }
            // 2. Other money coming in from outside the set.
            for &v in &set {
                if v == self.params.victim || !self.ledgers.contains_key(&v) {
                    continue;
                }
                for &e in graph.in_edges_between(v, t, t) {
                    let e = e as usize;
                    if !in_set.contains(&graph.from(e)) {
                        external.push((graph.order(e), e));
                    }
                }
            }
            external.sort_unstable();
            for &(_, e) in &external {
                self.apply(graph, graph.from(e), e);
            }
            // 3. Transfers inside the set, inflows first.
            internal.extend(
                set.iter()
                    .flat_map(|&u| graph.out_edges_between(u, t, t).map(move |e| (u, e))),
            );
            if internal.len() == 1 {
                let (u, e) = internal[0];
                self.apply(graph, u, e);
            } else if !internal.is_empty() {
                self.apply_in_dependency_order(graph, t, &set, &internal);
            }
            for &a in &set {
                if self.ledgers.contains_key(&a) {
                    if let Some(next) = graph.next_event_at_or_after(a, t.saturating_add(1)) {
                        self.queue.push(Reverse((next, a)));
                    }
                }
            }
        }
        self.set = set;
        self.in_set = in_set;
        self.external = external;
        self.internal = internal;
    }

    fn apply_in_dependency_order(
        &mut self,
        graph: &Graph,
        t: i64,
        set: &[AccountIx],
        internal: &[(AccountIx, usize)],
    ) {
        let mut pending_in: FxHashMap<AccountIx, u32> = FxHashMap::default();
        let mut remaining: BTreeSet<(u64, usize)> = BTreeSet::new();
        for &(_, e) in internal {
            remaining.insert((graph.order(e), e));
            if graph.channel(e) != TransferChannel::CashOut {
                *pending_in.entry(graph.to(e)).or_default() += 1;
            }
        }
        let mut ready: BinaryHeap<Reverse<(u64, usize, AccountIx)>> = BinaryHeap::new();
        let push_outs = |ready: &mut BinaryHeap<Reverse<(u64, usize, AccountIx)>>, u: AccountIx| {
            for e in graph.out_edges_between(u, t, t) {
                ready.push(Reverse((graph.order(e), e, u)));
            }
        };
        for &u in set {
            if !pending_in.contains_key(&u) {
                push_outs(&mut ready, u);
            }
        }
        while !remaining.is_empty() {
            let (order, e, u) = match ready.pop() {
                Some(Reverse(x)) => x,
                // A cycle within one timestamp: take the earliest transfer in canonical order.
                None => match remaining.first() {
                    Some(&(o, e)) => (o, e, graph.from(e)),
                    None => break,
                },
            };
            if !remaining.remove(&(order, e)) {
                continue;
            }
            self.apply(graph, u, e);
            if graph.channel(e) != TransferChannel::CashOut {
                let v = graph.to(e);
                if let Some(n) = pending_in.get_mut(&v) {
                    *n -= 1;
                    if *n == 0 {
                        push_outs(&mut ready, v);
                    }
                }
            }
        }
    }

    /// Applies transfer `e` sent by `u`.
    fn apply(&mut self, graph: &Graph, u: AccountIx, e: usize) {
        let amount = graph.amount_fen(e);
        let channel = graph.channel(e);
        let v = graph.to(e);
        let victim = self.params.victim;
        self.spent.clear();
        if let Some(ledger) = self.ledgers.get_mut(&u) {
            let policy = if u == victim {
                Policy::Fifo
            } else {
                self.params.policy
            };
            ledger.spend(amount, policy, &mut self.spent);
            if ledger.tainted() == 0 {
                self.ledgers.remove(&u);
            }
        }
        let mut arrived = 0i64;
        if !self.spent.is_empty() {
            let transfer = Edge {
                order: graph.order(e),
                from: u,
                to: v,
                ts: graph.ts(e),
                amount_fen: amount,
                channel,
            };
            for i in 0..self.spent.len() {
                let portion = self.spent[i];
                let parent = match portion.source {
                    Source::Flow(f) => Some(f),
                    _ => None,
                };
                let hop = portion.hop + 1;
                let kind = if hop > self.params.hop_limit {
                    FlowKind::BeyondHopLimit
                } else if channel == TransferChannel::CashOut {
                    FlowKind::CashOut
                } else {
                    FlowKind::Forward
                };
                let idx = self.flows.len() as u32;
                self.flows.push(Flow {
                    parent,
                    hop,
                    kind,
                    transfer,
                    amount_fen: portion.amount,
                });
                if kind == FlowKind::Forward {
                    arrived += portion.amount;
                    self.ledgers.entry(v).or_default().credit(Lot {
                        source: Source::Flow(idx),
                        hop,
                        amount: portion.amount,
                    });
                }
            }
        }
        if channel != TransferChannel::CashOut && v != victim {
            if let Some(ledger) = self.ledgers.get_mut(&v) {
                ledger.credit(Lot {
                    source: Source::Clean,
                    hop: 0,
                    amount: amount - arrived,
                });
            }
        }
    }
}
