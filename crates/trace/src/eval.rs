//! Evaluation against labelled laundering transfers (AMLSim): for each laundering pattern,
//! trace from the pattern's source accounts as a victim report would ("from this account,
//! since its first laundering transfer, this much") and measure what the trace follows.
//!
//! - recall: share of the pattern's laundering transfers the trace follows;
//! - false-hop rate: share of the transfers followed that are not laundering at all.
//!
//! Sources of a pattern are the accounts that send laundering transfers in it and receive
//! none; a pattern without such an account (a closed cycle) starts at the sender of its
//! earliest laundering transfer. Each source's reported amount is the sum of its laundering
//! transfers in the pattern; its start time is the first of them.

use crate::graph::Graph;
use crate::ledger::Policy;
use crate::reach::reach;
use crate::trace::{TraceParams, Tracer};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// What follows the money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Time-respecting reachability, no amounts (the reference rule).
    Reach,
    /// The money trace with an attribution policy.
    Money(Policy),
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Reach => "reach",
            Method::Money(Policy::Fifo) => "fifo",
            Method::Money(Policy::Proportional) => "proportional",
        }
    }
}

/// One source trace of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    pub account: u32,
    pub since: i64,
    pub claim_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatternScore {
    pub pattern: u32,
    pub sources: usize,
    pub laundering: usize,
    pub recovered: usize,
    pub followed: usize,
    pub not_laundering: usize,
    pub recall: f64,
    /// Recall over the laundering transfers the sources did not send themselves (those the
    /// trace had to find); `None` when the sources sent all of them (a pure fan-in).
    pub downstream_recall: Option<f64>,
    /// `None` when the trace followed nothing.
    pub false_hop_rate: Option<f64>,
}

/// (ts, order, from, to, amount) of a laundering transfer.
type LabelledEdge = (i64, u64, u32, u32, i64);

/// Per-pattern start points: `labels` maps a transfer's order to its pattern.
pub fn starts(graph: &Graph, labels: &FxHashMap<u64, u32>) -> BTreeMap<u32, Vec<Start>> {
    let mut by_pattern: BTreeMap<u32, Vec<LabelledEdge>> = BTreeMap::new();
    for a in 0..graph.n_accounts() {
        for e in graph.out_edges(a) {
            if let Some(&p) = labels.get(&graph.order(e)) {
                by_pattern.entry(p).or_default().push((
                    graph.ts(e),
                    graph.order(e),
                    a,
                    graph.to(e),
                    graph.amount_fen(e),
                ));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (p, mut edges) in by_pattern {
        edges.sort_unstable();
        let receivers: FxHashSet<u32> = edges.iter().map(|e| e.3).collect();
        let mut sources: Vec<u32> = edges
            .iter()
            .map(|e| e.2)
            .filter(|a| !receivers.contains(a))
            .collect();
        sources.sort_unstable();
        sources.dedup();
        if sources.is_empty() {
            sources.push(edges[0].2);
        }
        let list = sources
            .into_iter()
            .map(|s| {
                let mine = edges.iter().filter(|e| e.2 == s);
                Start {
                    account: s,
                    since: mine.clone().map(|e| e.0).min().unwrap_or(0),
                    claim_fen: mine.map(|e| e.4).sum(),
                }
            })
            .collect();
        out.insert(p, list);
    }
    out
}

/// Orders of the transfers one start follows.
pub fn followed(graph: &Graph, start: Start, hop_limit: u32, method: Method) -> Vec<u64> {
    match method {
        Method::Reach => reach(graph, start.account, start.since, hop_limit)
            .edges
            .into_iter()
            .map(|e| graph.order(e))
            .collect(),
        Method::Money(policy) => {
            let params = TraceParams {
                victim: start.account,
                since: start.since,
                claim_fen: Some(start.claim_fen),
                hop_limit,
                policy,
            };
            match Tracer::trace(graph, params) {
                Ok(t) => t.flows().iter().map(|f| f.transfer.order).collect(),
                Err(_) => Vec::new(),
            }
        }
    }
}

/// Orders of the laundering transfers of a pattern sent by its sources.
pub fn seeded(
    graph: &Graph,
    starts: &[Start],
    labels: &FxHashMap<u64, u32>,
    pattern: u32,
) -> FxHashSet<u64> {
    let mut out = FxHashSet::default();
    for s in starts {
        for e in graph.out_edges(s.account) {
            let o = graph.order(e);
            if labels.get(&o) == Some(&pattern) {
                out.insert(o);
            }
        }
    }
    out
}

/// Scores one pattern from the union of what its starts followed; `seeded` are the pattern's
/// laundering transfers sent by its sources.
pub fn score(
    pattern: u32,
    sources: usize,
    followed: &FxHashSet<u64>,
    labels: &FxHashMap<u64, u32>,
    pattern_size: usize,
    seeded: &FxHashSet<u64>,
) -> PatternScore {
    let recovered = followed
        .iter()
        .filter(|o| labels.get(o) == Some(&pattern))
        .count();
    let downstream = pattern_size.saturating_sub(seeded.len());
    let recovered_downstream = followed
        .iter()
        .filter(|o| labels.get(o) == Some(&pattern) && !seeded.contains(o))
        .count();
    let not_laundering = followed.iter().filter(|o| !labels.contains_key(o)).count();
    PatternScore {
        pattern,
        sources,
        laundering: pattern_size,
        recovered,
        followed: followed.len(),
        not_laundering,
        recall: if pattern_size == 0 {
            0.0
        } else {
            recovered as f64 / pattern_size as f64
        },
        downstream_recall: (downstream > 0)
            .then(|| recovered_downstream as f64 / downstream as f64),
        false_hop_rate: (!followed.is_empty())
            .then(|| not_laundering as f64 / followed.len() as f64),
    }
}

/// Mean and median of recall and false-hop rate over patterns.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Aggregate {
    pub patterns: usize,
    pub recall_mean: f64,
    pub recall_median: f64,
    pub false_hop_mean: f64,
    pub false_hop_median: f64,
    /// Over patterns with downstream transfers only.
    pub downstream_patterns: usize,
    pub downstream_recall_mean: f64,
    pub downstream_recall_median: f64,
    /// Patterns whose trace followed nothing (left out of the false-hop figures).
    pub empty_traces: usize,
}

pub fn aggregate(scores: &[PatternScore]) -> Aggregate {
    let recalls: Vec<f64> = scores.iter().map(|s| s.recall).collect();
    let fh: Vec<f64> = scores.iter().filter_map(|s| s.false_hop_rate).collect();
    let down: Vec<f64> = scores.iter().filter_map(|s| s.downstream_recall).collect();
    Aggregate {
        patterns: scores.len(),
        recall_mean: mean(&recalls),
        recall_median: median(&recalls),
        false_hop_mean: mean(&fh),
        false_hop_median: median(&fh),
        downstream_patterns: down.len(),
        downstream_recall_mean: mean(&down),
        downstream_recall_median: median(&down),
        empty_traces: scores.len() - fh.len(),
    }
}

pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Percentile (nearest rank) of a sample; 0 for an empty sample.
pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Edge;
    use fanzha_core::event::TransferChannel;

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
    fn chain_pattern_is_scored_from_its_source() {
        // Pattern 7: 0 → 1 → 2 (laundering); 1 → 3 is a normal payment after the money came.
        let g = Graph::build(
            4,
            &[
                e(1, 0, 1, 10, 500),
                e(2, 1, 2, 20, 500),
                e(3, 1, 3, 15, 200),
            ],
        )
        .unwrap();
        let labels: FxHashMap<u64, u32> = [(1, 7), (2, 7)].into_iter().collect();
        let st = starts(&g, &labels);
        assert_eq!(
            st[&7],
            vec![Start {
                account: 0,
                since: 10,
                claim_fen: 500
            }]
        );
        let seeded = seeded(&g, &st[&7], &labels, 7);
        let reach: FxHashSet<u64> = followed(&g, st[&7][0], 6, Method::Reach)
            .into_iter()
            .collect();
        let s = score(7, 1, &reach, &labels, 2, &seeded);
        assert_eq!((s.recovered, s.followed, s.not_laundering), (2, 3, 1));
        assert_eq!(s.downstream_recall, Some(1.0));
        // FIFO: the 200 payment at t=15 spends 200 of the 500 first, so 300 follows 1 → 2.
        let fifo: FxHashSet<u64> = followed(&g, st[&7][0], 6, Method::Money(Policy::Fifo))
            .into_iter()
            .collect();
        assert_eq!(fifo.len(), 3);
        let s = score(7, 1, &fifo, &labels, 2, &seeded);
        assert_eq!(s.false_hop_rate, Some(1.0 / 3.0));
    }

    #[test]
    fn summary_statistics() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0]), 1.5);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 99.0), 4.0);
        assert_eq!(mean(&[]), 0.0);
    }
}
