//! Time-respecting reachability: every transfer that lies on some path from the start account
//! of at most `hop_limit` transfers whose times never decrease (equal times allowed), starting
//! at or after `since`. No amounts: this is the upper bound of what any attribution policy can
//! follow, the rule of the reference measurements, and what the networkx comparison runs.

use crate::graph::{AccountIx, Graph};
use rustc_hash::FxHashMap;

/// Result of a reachability search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// Edge indices of the transfers followed, sorted.
    pub edges: Vec<usize>,
    /// Accounts reached (start excluded unless reached again), with earliest arrival.
    pub arrival: FxHashMap<AccountIx, i64>,
}

/// Hop-bounded earliest arrival: after round k, `arrival[a]` is the earliest time `a` can be
/// reached with at most k transfers; a transfer out of `a` is followed when its time is at or
/// after `a`'s earliest arrival within `hop_limit - 1` transfers.
pub fn reach(graph: &Graph, start: AccountIx, since: i64, hop_limit: u32) -> Reach {
    let mut best: FxHashMap<AccountIx, i64> = FxHashMap::default();
    best.insert(start, since);
    let mut frontier = vec![(start, since)];
    for _ in 1..hop_limit {
        let mut improved: Vec<AccountIx> = Vec::new();
        for &(u, t) in &frontier {
            // Edges are sorted by time: each edge at or after `t` can extend a path through `u`.
            for e in graph.out_edges_between(u, t, i64::MAX) {
                let v = graph.to(e);
                let ts = graph.ts(e);
                if best.get(&v).is_none_or(|&b| ts < b) {
                    best.insert(v, ts);
                    improved.push(v);
                }
            }
        }
        improved.sort_unstable();
        improved.dedup();
        if improved.is_empty() {
            break;
        }
        frontier = improved.into_iter().map(|v| (v, best[&v])).collect();
    }
    let mut edges = Vec::new();
    for (&u, &t) in &best {
        edges.extend(graph.out_edges_between(u, t, i64::MAX));
    }
    edges.sort_unstable();
    best.remove(&start);
    Reach {
        edges,
        arrival: best,
    }
}
