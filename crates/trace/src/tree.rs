//! The flow tree as people and files see it: the victim at the root, each node one transfer
//! carrying victim money from its parent, with the amount per hop and what is still held.

use crate::graph::AccountIx;
use crate::result::held_per_flow;
use crate::trace::{FlowKind, Tracer};
use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use fanzha_core::event::TransferChannel;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    /// The bank's transaction id, or the transfer's internal key in hex.
    pub txn_id: String,
    pub from: String,
    pub to: String,
    /// Asia/Shanghai time, RFC 3339.
    pub time: String,
    pub hop: u32,
    pub kind: FlowKind,
    pub channel: TransferChannel,
    /// The whole transfer.
    pub transfer_fen: i64,
    /// Victim money in it (from this parent).
    pub traced_fen: i64,
    /// Of that, still held by the receiver.
    pub held_fen: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TreeNode>,
}

/// The hop-1 nodes (the victim's transfers) with their subtrees, in time order.
pub fn build_tree(
    t: &Tracer,
    account: &dyn Fn(AccountIx) -> String,
    txn_id: &dyn Fn(u64) -> String,
) -> Vec<TreeNode> {
    let flows = t.flows();
    let held = held_per_flow(t);
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); flows.len()];
    let mut roots = Vec::new();
    for (i, f) in flows.iter().enumerate() {
        match f.parent {
            Some(p) => children[p as usize].push(i as u32),
            None => roots.push(i as u32),
        }
    }
    fn node(
        i: u32,
        t: &Tracer,
        held: &[i64],
        children: &[Vec<u32>],
        account: &dyn Fn(AccountIx) -> String,
        txn_id: &dyn Fn(u64) -> String,
    ) -> TreeNode {
        let f = &t.flows()[i as usize];
        TreeNode {
            txn_id: txn_id(f.transfer.order),
            from: account(f.transfer.from),
            to: account(f.transfer.to),
            time: shanghai(f.transfer.ts),
            hop: f.hop,
            kind: f.kind,
            channel: f.transfer.channel,
            transfer_fen: f.transfer.amount_fen,
            traced_fen: f.amount_fen,
            held_fen: if f.kind == FlowKind::Forward {
                held[i as usize]
            } else {
                0
            },
            children: children[i as usize]
                .iter()
                .map(|&c| node(c, t, held, children, account, txn_id))
                .collect(),
        }
    }
    roots
        .into_iter()
        .map(|r| node(r, t, &held, &children, account, txn_id))
        .collect()
}

/// Epoch ms as RFC 3339 in Asia/Shanghai.
pub fn shanghai(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|d| d.with_timezone(&Shanghai).to_rfc3339())
        .unwrap_or_else(|| ms.to_string())
}
