//! Properties of the trace over random transfer graphs.

use fanzha_core::event::TransferChannel;
use fanzha_trace::reach::reach;
use fanzha_trace::result::{held_per_flow, holdings, summary};
use fanzha_trace::{Edge, FlowKind, Graph, Policy, TraceParams, Tracer};
use proptest::prelude::*;

const ACCOUNTS: u32 = 8;

fn edge_strategy() -> impl Strategy<Value = (u32, u32, i64, i64, u8)> {
    (
        0..ACCOUNTS,
        0..ACCOUNTS,
        0i64..40,
        1i64..1_000,
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
    )
}

fn to_edges(raw: &[(u32, u32, i64, i64, u8)]) -> Vec<Edge> {
    raw.iter()
        .enumerate()
        .map(|(i, &(from, to, ts, amount, ch))| Edge {
            order: (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            from,
            // The victim (account 0) always has an outgoing transfer first.
            to,
            ts,
            amount_fen: amount,
            channel: match ch {
                0 => TransferChannel::Bank,
                1 => TransferChannel::ThirdPartyPayment,
                _ => TransferChannel::CashOut,
            },
        })
        .collect()
}

fn with_victim_start(mut edges: Vec<Edge>) -> Vec<Edge> {
    edges.push(Edge {
        order: u64::MAX,
        from: 0,
        to: 1,
        ts: 0,
        amount_fen: 500,
        channel: TransferChannel::Bank,
    });
    edges
}

fn policy_strategy() -> impl Strategy<Value = Policy> {
    prop_oneof![Just(Policy::Fifo), Just(Policy::Proportional)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn money_is_conserved(
        raw in prop::collection::vec(edge_strategy(), 1..60),
        policy in policy_strategy(),
        hop_limit in 1u32..7,
        claim in prop::option::of(1i64..5_000),
    ) {
        let edges = with_victim_start(to_edges(&raw));
        let g = Graph::build(ACCOUNTS, &edges).unwrap();
        let p = TraceParams { victim: 0, since: 0, claim_fen: claim, hop_limit, policy };
        let t = Tracer::trace(&g, p).unwrap();
        let s = summary(&t);
        prop_assert_eq!(s.traced_fen, s.held_fen + s.cashed_out_fen + s.beyond_hop_limit_fen);
        if let Some(c) = claim {
            prop_assert_eq!(s.traced_fen + s.unmatched_claim_fen.unwrap(), c);
        }
        // Per flow: what arrived is passed on or still held.
        let held = held_per_flow(&t);
        let mut out = vec![0i64; t.flows().len()];
        for f in t.flows() {
            if let Some(pi) = f.parent {
                out[pi as usize] += f.amount_fen;
            }
        }
        for (i, f) in t.flows().iter().enumerate() {
            if f.kind == FlowKind::Forward {
                prop_assert_eq!(f.amount_fen, out[i] + held[i]);
            } else {
                prop_assert_eq!(out[i] + held[i], 0);
            }
            prop_assert!(f.amount_fen > 0 && f.amount_fen <= f.transfer.amount_fen);
        }
    }

    #[test]
    fn no_hop_goes_back_in_time(
        raw in prop::collection::vec(edge_strategy(), 1..60),
        policy in policy_strategy(),
        since in 0i64..20,
    ) {
        let edges = with_victim_start(to_edges(&raw));
        let g = Graph::build(ACCOUNTS, &edges).unwrap();
        let mut p = TraceParams::new(0, since);
        p.policy = policy;
        let t = Tracer::trace(&g, p).unwrap();
        for f in t.flows() {
            match f.parent {
                Some(pi) => {
                    let parent = &t.flows()[pi as usize];
                    prop_assert!(f.transfer.ts >= parent.transfer.ts);
                    prop_assert_eq!(f.transfer.from, parent.transfer.to);
                    prop_assert_eq!(f.hop, parent.hop + 1);
                }
                None => {
                    prop_assert!(f.transfer.ts >= since);
                    prop_assert_eq!(f.transfer.from, 0);
                    prop_assert_eq!(f.hop, 1);
                }
            }
        }
        // Whatever the money trace follows within the hop limit is time-respecting reachable.
        let r = reach(&g, 0, since, p.hop_limit);
        let reachable: std::collections::HashSet<u64> =
            r.edges.iter().map(|&e| g.order(e)).collect();
        for f in t.flows().iter().filter(|f| f.kind != FlowKind::BeyondHopLimit) {
            prop_assert!(reachable.contains(&f.transfer.order));
        }
    }

    #[test]
    fn policies_agree_on_a_single_path_chain(
        first in 1i64..1_000_000,
        links in prop::collection::vec((1i64..10, 1i64..=100), 1..8),
        extra in 0i64..1_000,
    ) {
        let claim = first + extra;
        // Each account passes on part or all of what it received and has no other money.
        let mut ts = 0;
        let mut amount = first;
        let edges: Vec<Edge> = links
            .iter()
            .enumerate()
            .map(|(i, &(dt, percent))| {
                ts += dt;
                if i > 0 {
                    amount = (amount * percent / 100).max(1);
                }
                Edge {
                    order: i as u64,
                    from: i as u32,
                    to: i as u32 + 1,
                    ts,
                    amount_fen: amount,
                    channel: TransferChannel::Bank,
                }
            })
            .collect();
        let g = Graph::build(links.len() as u32 + 1, &edges).unwrap();
        let mut p = TraceParams::new(0, 0);
        p.claim_fen = Some(claim);
        p.hop_limit = 10;
        let fifo = Tracer::trace(&g, p).unwrap();
        p.policy = Policy::Proportional;
        let prop = Tracer::trace(&g, p).unwrap();
        prop_assert_eq!(holdings(&fifo), holdings(&prop));
        prop_assert_eq!(summary(&fifo), summary(&prop));
    }

    #[test]
    fn incremental_equals_full_recompute(
        raw in prop::collection::vec(edge_strategy(), 1..60),
        split in prop::collection::vec(0u8..3, 60),
        policy in policy_strategy(),
        hop_limit in 1u32..7,
    ) {
        let edges = with_victim_start(to_edges(&raw));
        let p = TraceParams { victim: 0, since: 0, claim_fen: Some(2_000), hop_limit, policy };
        let full_graph = Graph::build(ACCOUNTS, &edges).unwrap();
        let full = Tracer::trace(&full_graph, p).unwrap();

        // The first extract holds the victim's transfer; two more arrive later.
        let part = |k: u8| -> Vec<Edge> {
            edges
                .iter()
                .enumerate()
                .filter(|(i, e)| {
                    let s = if e.order == u64::MAX { 0 } else { split[*i % split.len()] };
                    s == k
                })
                .map(|(_, e)| *e)
                .collect()
        };
        let mut so_far = part(0);
        let g0 = Graph::build(ACCOUNTS, &so_far).unwrap();
        let mut inc = Tracer::new(&g0, p, true).unwrap();
        inc.run(&g0);
        for k in 1..3 {
            let new = part(k);
            so_far.extend(new.iter().copied());
            let g = Graph::build(ACCOUNTS, &so_far).unwrap();
            inc.extend(&g, &new);
        }
        prop_assert_eq!(inc.flows(), full.flows());
        prop_assert_eq!(holdings(&inc), holdings(&full));
        prop_assert_eq!(summary(&inc), summary(&full));
    }
}
