//! The transfer graph: a compressed sparse row (CSR) adjacency, out-edges per sender sorted by
//! time, plus an in-edge index per receiver, also sorted by time.
//!
//! Hand-written rather than taken from a graph crate because the layout is the point: a trace
//! binary-searches an account's edges by time and reads four flat arrays, and the whole graph
//! costs 32 bytes per transfer (u32 receiver, u64 amount-and-channel, i64 time, u64 transfer
//! order, u32 in-edge index) plus 8 bytes per account. Built by counting sort in O(E + V).

use crate::error::TraceError;
use fanzha_core::event::TransferChannel;

/// Account index inside a graph (dense, `0..n_accounts`).
pub type AccountIx = u32;
/// Edge index inside a graph (position in the out-edge arrays).
pub type EdgeIx = u32;

/// One transfer as the graph builder takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Canonical order of the transfer among transfers with the same timestamp; unique per
    /// transfer (a transfer id or a hash of the transfer's fields).
    pub order: u64,
    pub from: AccountIx,
    pub to: AccountIx,
    /// UTC epoch milliseconds.
    pub ts: i64,
    /// Integer fen, positive.
    pub amount_fen: i64,
    pub channel: TransferChannel,
}

const CHANNEL_SHIFT: u32 = 62;
const AMOUNT_MASK: u64 = (1 << CHANNEL_SHIFT) - 1;

fn pack(amount_fen: i64, channel: TransferChannel) -> u64 {
    let c: u64 = match channel {
        TransferChannel::Bank => 0,
        TransferChannel::ThirdPartyPayment => 1,
        TransferChannel::CashOut => 2,
    };
    (amount_fen as u64) | (c << CHANNEL_SHIFT)
}

fn unpack_channel(v: u64) -> TransferChannel {
    match v >> CHANNEL_SHIFT {
        0 => TransferChannel::Bank,
        1 => TransferChannel::ThirdPartyPayment,
        _ => TransferChannel::CashOut,
    }
}

/// Immutable CSR transfer graph.
#[derive(Debug, Default)]
pub struct Graph {
    n_accounts: u32,
    out_off: Vec<u32>,
    out_to: Vec<AccountIx>,
    out_amount: Vec<u64>,
    out_ts: Vec<i64>,
    out_order: Vec<u64>,
    in_off: Vec<u32>,
    in_edge: Vec<EdgeIx>,
}

impl Graph {
    /// Builds the graph. Fails on an account index out of range, a non-positive amount, an
    /// amount above 2^62 fen, or more than `u32::MAX - 1` transfers.
    pub fn build(n_accounts: u32, edges: &[Edge]) -> Result<Graph, TraceError> {
        if edges.len() >= u32::MAX as usize {
            return Err(TraceError::GraphTooLarge { edges: edges.len() });
        }
        for e in edges {
            if e.from >= n_accounts || e.to >= n_accounts {
                return Err(TraceError::AccountOutOfRange {
                    account: e.from.max(e.to),
                    n_accounts,
                });
            }
            if e.amount_fen <= 0 || (e.amount_fen as u64) > AMOUNT_MASK {
                return Err(TraceError::AmountOutOfRange {
                    amount_fen: e.amount_fen,
                });
            }
        }
        let n = n_accounts as usize;
        let m = edges.len();
        // Counting sort by sender.
        let mut out_off = vec![0u32; n + 1];
        for e in edges {
            out_off[e.from as usize + 1] += 1;
        }
        for i in 0..n {
            out_off[i + 1] += out_off[i];
        }
        let mut cursor = out_off.clone();
        let mut perm = vec![0u32; m];
        for (i, e) in edges.iter().enumerate() {
            let slot = &mut cursor[e.from as usize];
            perm[*slot as usize] = i as u32;
            *slot += 1;
        }
        drop(cursor);
        // Within a sender: by (time, order). Input that is already time-ordered stays as is.
        for a in 0..n {
            let seg = &mut perm[out_off[a] as usize..out_off[a + 1] as usize];
            let key = |i: &u32| (edges[*i as usize].ts, edges[*i as usize].order);
            if !seg.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
                seg.sort_unstable_by_key(key);
            }
        }
        let mut out_to = Vec::with_capacity(m);
        let mut out_amount = Vec::with_capacity(m);
        let mut out_ts = Vec::with_capacity(m);
        let mut out_order = Vec::with_capacity(m);
        for &i in &perm {
            let e = &edges[i as usize];
            out_to.push(e.to);
            out_amount.push(pack(e.amount_fen, e.channel));
            out_ts.push(e.ts);
            out_order.push(e.order);
        }
        drop(perm);
        // In-edge index: counting sort by receiver over out-edge positions.
        let mut in_off = vec![0u32; n + 1];
        for &to in &out_to {
            in_off[to as usize + 1] += 1;
        }
        for i in 0..n {
            in_off[i + 1] += in_off[i];
        }
        let mut cursor = in_off.clone();
        let mut in_edge = vec![0u32; m];
        for (e, &to) in out_to.iter().enumerate() {
            let slot = &mut cursor[to as usize];
            in_edge[*slot as usize] = e as u32;
            *slot += 1;
        }
        drop(cursor);
        for a in 0..n {
            let seg = &mut in_edge[in_off[a] as usize..in_off[a + 1] as usize];
            let key = |e: &u32| (out_ts[*e as usize], out_order[*e as usize]);
            if !seg.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
                seg.sort_unstable_by_key(key);
            }
        }
        Ok(Graph {
            n_accounts,
            out_off,
            out_to,
            out_amount,
            out_ts,
            out_order,
            in_off,
            in_edge,
        })
    }

    pub fn n_accounts(&self) -> u32 {
        self.n_accounts
    }

    pub fn n_transfers(&self) -> usize {
        self.out_to.len()
    }

    /// Bytes held by the graph's arrays.
    pub fn memory_bytes(&self) -> usize {
        self.out_off.len() * 4
            + self.out_to.len() * 4
            + self.out_amount.len() * 8
            + self.out_ts.len() * 8
            + self.out_order.len() * 8
            + self.in_off.len() * 4
            + self.in_edge.len() * 4
    }

    /// Out-edges of `a` as a range of edge indices, sorted by (time, order).
    pub fn out_edges(&self, a: AccountIx) -> std::ops::Range<usize> {
        if a >= self.n_accounts {
            return 0..0;
        }
        self.out_off[a as usize] as usize..self.out_off[a as usize + 1] as usize
    }

    /// Out-edges of `a` whose time lies in `[from_ts, to_ts]`.
    pub fn out_edges_between(
        &self,
        a: AccountIx,
        from_ts: i64,
        to_ts: i64,
    ) -> std::ops::Range<usize> {
        let r = self.out_edges(a);
        let ts = &self.out_ts[r.clone()];
        let lo = ts.partition_point(|&t| t < from_ts);
        let hi = ts.partition_point(|&t| t <= to_ts);
        r.start + lo..r.start + hi.max(lo)
    }

    /// In-edges of `a` (edge indices) sorted by (time, order).
    pub fn in_edges(&self, a: AccountIx) -> &[EdgeIx] {
        if a >= self.n_accounts {
            return &[];
        }
        &self.in_edge[self.in_off[a as usize] as usize..self.in_off[a as usize + 1] as usize]
    }

    /// In-edges of `a` whose time lies in `[from_ts, to_ts]`.
    pub fn in_edges_between(&self, a: AccountIx, from_ts: i64, to_ts: i64) -> &[EdgeIx] {
        let s = self.in_edges(a);
        let lo = s.partition_point(|&e| self.out_ts[e as usize] < from_ts);
        let hi = s.partition_point(|&e| self.out_ts[e as usize] <= to_ts);
        &s[lo..hi.max(lo)]
    }

    /// Earliest time at or after `from_ts` at which `a` sends or receives, if any.
    pub fn next_event_at_or_after(&self, a: AccountIx, from_ts: i64) -> Option<i64> {
        let r = self.out_edges(a);
        let ts = &self.out_ts[r];
        let o = ts.get(ts.partition_point(|&t| t < from_ts)).copied();
        let s = self.in_edges(a);
        let i = s
            .get(s.partition_point(|&e| self.out_ts[e as usize] < from_ts))
            .map(|&e| self.out_ts[e as usize]);
        match (o, i) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn to(&self, e: usize) -> AccountIx {
        self.out_to[e]
    }

    pub fn ts(&self, e: usize) -> i64 {
        self.out_ts[e]
    }

    pub fn order(&self, e: usize) -> u64 {
        self.out_order[e]
    }

    pub fn amount_fen(&self, e: usize) -> i64 {
        (self.out_amount[e] & AMOUNT_MASK) as i64
    }

    pub fn channel(&self, e: usize) -> TransferChannel {
        unpack_channel(self.out_amount[e])
    }

    /// The sender of edge `e` (binary search over the offsets).
    pub fn from(&self, e: usize) -> AccountIx {
        (self.out_off.partition_point(|&o| o as usize <= e) - 1) as AccountIx
    }

    /// The full edge.
    pub fn edge(&self, e: usize) -> Edge {
        Edge {
            order: self.order(e),
            from: self.from(e),
            to: self.to(e),
            ts: self.ts(e),
            amount_fen: self.amount_fen(e),
            channel: self.channel(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(order: u64, from: u32, to: u32, ts: i64, amount: i64) -> Edge {
        Edge {
            order,
            from,
            to,
            ts,
            amount_fen: amount,
            channel: TransferChannel::Bank,
        }
    }

    #[test]
    fn out_and_in_edges_are_sorted_by_time() {
        let g = Graph::build(
            3,
            &[e(1, 0, 1, 30, 5), e(2, 0, 2, 10, 6), e(3, 2, 1, 20, 7)],
        )
        .unwrap();
        let outs: Vec<i64> = g.out_edges(0).map(|x| g.ts(x)).collect();
        assert_eq!(outs, vec![10, 30]);
        let ins: Vec<i64> = g.in_edges(1).iter().map(|&x| g.ts(x as usize)).collect();
        assert_eq!(ins, vec![20, 30]);
        let x = g.in_edges(1)[0] as usize;
        assert_eq!(g.from(x), 2);
        assert_eq!(g.amount_fen(x), 7);
        assert_eq!(g.next_event_at_or_after(1, 21), Some(30));
        assert_eq!(g.next_event_at_or_after(1, 31), None);
        assert_eq!(g.out_edges_between(0, 10, 29).len(), 1);
    }

    #[test]
    fn channel_survives_packing() {
        let mut x = e(1, 0, 1, 1, 123_456);
        x.channel = TransferChannel::CashOut;
        let g = Graph::build(2, &[x]).unwrap();
        assert_eq!(g.channel(0), TransferChannel::CashOut);
        assert_eq!(g.amount_fen(0), 123_456);
        assert_eq!(g.edge(0), x);
    }

    #[test]
    fn rejects_bad_edges() {
        assert!(matches!(
            Graph::build(2, &[e(1, 0, 5, 1, 1)]),
            Err(TraceError::AccountOutOfRange { .. })
        ));
        assert!(matches!(
            Graph::build(2, &[e(1, 0, 1, 1, 0)]),
            Err(TraceError::AmountOutOfRange { .. })
        ));
    }
}
