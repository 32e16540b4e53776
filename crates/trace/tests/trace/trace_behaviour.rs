//! The trace as specified: time order, splits, merges, cash-outs, hop limit, policies.

use fanzha_core::event::TransferChannel;
use fanzha_trace::result::{holdings, summary};
use fanzha_trace::{Edge, FlowKind, Graph, Policy, TraceError, TraceParams, Tracer};

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

fn params(victim: u32, since: i64, claim: Option<i64>) -> TraceParams {
    TraceParams {
        victim,
        since,
        claim_fen: claim,
        hop_limit: 6,
        policy: Policy::Fifo,
    }
}

fn held(t: &Tracer, account: u32) -> i64 {
    holdings(t)
        .iter()
        .find(|h| h.account == account)
        .map(|h| h.held_fen)
        .unwrap_or(0)
}

#[test]
fn money_only_follows_transfers_after_it_arrived() {
    // 0 → 1 at t=10; 1 → 2 at t=5 (before) and 1 → 3 at t=20 (after).
    let g = Graph::build(
        4,
        &[e(1, 0, 1, 10, 100), e(2, 1, 2, 5, 100), e(3, 1, 3, 20, 60)],
    )
    .unwrap();
    let t = Tracer::trace(&g, params(0, 0, Some(100))).unwrap();
    assert_eq!(held(&t, 2), 0);
    assert_eq!(held(&t, 3), 60);
    assert_eq!(held(&t, 1), 40);
    assert!(t.flows().iter().all(|f| f.transfer.ts >= 10));
}

#[test]
fn victim_transfers_before_the_start_are_not_traced() {
    let g = Graph::build(3, &[e(1, 0, 1, 5, 100), e(2, 0, 2, 50, 300)]).unwrap();
    let t = Tracer::trace(&g, params(0, 10, Some(200))).unwrap();
    assert_eq!(held(&t, 1), 0);
    assert_eq!(
        held(&t, 2),
        200,
        "only the reported 200 of the 300 is victim money"
    );
    assert_eq!(summary(&t).unmatched_claim_fen, Some(0));
}

#[test]
fn split_merge_and_cash_out_are_followed() {
    // victim 0 → 1 (1000); 1 splits to 2 (600) and 3 (400); both merge into 4; 4 cashes 300.
    let mut cash = e(6, 4, 5, 40, 300);
    cash.channel = TransferChannel::CashOut;
    let g = Graph::build(
        6,
        &[
            e(1, 0, 1, 10, 1000),
            e(2, 1, 2, 20, 600),
            e(3, 1, 3, 21, 400),
            e(4, 2, 4, 30, 600),
            e(5, 3, 4, 31, 400),
            cash,
        ],
    )
    .unwrap();
    let t = Tracer::trace(&g, params(0, 0, None)).unwrap();
    let s = summary(&t);
    assert_eq!(s.traced_fen, 1000);
    assert_eq!(s.cashed_out_fen, 300);
    assert_eq!(held(&t, 4), 700);
    assert_eq!(s.held_fen, 700);
    assert_eq!(s.max_hop, 4);
    // FIFO: the cash-out spends the money that came through account 2 first.
    let cash_flow = t
        .flows()
        .iter()
        .find(|f| f.kind == FlowKind::CashOut)
        .unwrap();
    let parent = &t.flows()[cash_flow.parent.unwrap() as usize];
    assert_eq!(parent.transfer.from, 2);
}

#[test]
fn hop_limit_stops_following() {
    let edges: Vec<Edge> = (0..5)
        .map(|i| e(i as u64, i, i + 1, 10 + i as i64, 50))
        .collect();
    let g = Graph::build(6, &edges).unwrap();
    let mut p = params(0, 0, None);
    p.hop_limit = 2;
    let t = Tracer::trace(&g, p).unwrap();
    let s = summary(&t);
    assert_eq!(s.held_fen, 0);
    assert_eq!(s.beyond_hop_limit_fen, 50);
    assert_eq!(s.max_hop, 3);
    assert_eq!(
        t.flows()
            .iter()
            .filter(|f| f.kind == FlowKind::Forward)
            .count(),
        2
    );
}

#[test]
fn same_timestamp_chain_is_followed_inflows_first() {
    // Day-resolution extract: 0 → 1 → 2 all at t=100, listed out of causal order.
    let g = Graph::build(3, &[e(9, 1, 2, 100, 70), e(1, 0, 1, 100, 70)]).unwrap();
    let t = Tracer::trace(&g, params(0, 100, Some(70))).unwrap();
    assert_eq!(held(&t, 2), 70);
    assert_eq!(held(&t, 1), 0);
}

#[test]
fn proportional_shares_with_other_money_fifo_spends_oldest() {
    // 1 receives 100 victim money then 300 other money, then sends 200.
    let edges = [
        e(1, 0, 1, 10, 100),
        e(2, 3, 1, 20, 300),
        e(3, 1, 2, 30, 200),
    ];
    let g = Graph::build(4, &edges).unwrap();
    let fifo = Tracer::trace(&g, params(0, 0, Some(100))).unwrap();
    assert_eq!(held(&fifo, 2), 100);
    let mut p = params(0, 0, Some(100));
    p.policy = Policy::Proportional;
    let prop = Tracer::trace(&g, p).unwrap();
    assert_eq!(held(&prop, 2), 50);
    assert_eq!(held(&prop, 1), 50);
}

#[test]
fn third_party_arrivals_are_marked() {
    let mut x = e(1, 0, 1, 10, 100);
    x.channel = TransferChannel::ThirdPartyPayment;
    let g = Graph::build(2, &[x]).unwrap();
    let t = Tracer::trace(&g, params(0, 0, None)).unwrap();
    let h = holdings(&t);
    assert_eq!(h.len(), 1);
    assert!(h[0].via_third_party);
}

#[test]
fn bad_parameters_are_typed_errors() {
    let g = Graph::build(2, &[e(1, 0, 1, 10, 100)]).unwrap();
    let mut p = params(0, 0, None);
    p.hop_limit = 0;
    assert_eq!(Tracer::trace(&g, p).err(), Some(TraceError::HopLimit(0)));
    assert_eq!(
        Tracer::trace(&g, params(0, 0, Some(0))).err(),
        Some(TraceError::ClaimAmount(0))
    );
    assert_eq!(
        Tracer::trace(&g, params(1, 0, None)).err(),
        Some(TraceError::AccountUnknown)
    );
}
