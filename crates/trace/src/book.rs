//! The transfers a case has taken in so far: account numbers mapped to dense graph indices
//! (append-only, so indices survive new extracts), duplicates across extracts dropped, and the
//! graph built on demand.

use crate::error::TraceError;
use crate::graph::{AccountIx, Edge, Graph};
use fanzha_core::event::TransferChannel;
use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::Xxh3;

/// A transfer as read from an extract, before indexing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTransfer {
    /// The bank's transaction id (交易流水号), when the extract has one.
    pub txn_id: Option<String>,
    pub from: String,
    pub to: String,
    /// UTC epoch milliseconds.
    pub ts: i64,
    pub amount_fen: i64,
    pub channel: TransferChannel,
}

#[derive(Debug, Default)]
pub struct TransferBook {
    accounts: Vec<String>,
    index: FxHashMap<String, AccountIx>,
    edges: Vec<Edge>,
    seen: FxHashSet<u64>,
    txn_ids: FxHashMap<u64, String>,
}

impl TransferBook {
    pub fn new() -> TransferBook {
        TransferBook::default()
    }

    /// Adds the transfers of one extract; returns those not seen before. The same transfer
    /// in two extracts (the sender's and the receiver's bank) is kept once; identical rows
    /// within one extract are distinct transfers.
    pub fn add(&mut self, transfers: impl IntoIterator<Item = RawTransfer>) -> Vec<Edge> {
        let mut occurrences: FxHashMap<u64, u32> = FxHashMap::default();
        let mut added = Vec::new();
        for t in transfers {
            let base = content_hash(&t);
            let n = occurrences.entry(base).or_insert(0);
            let order = if *n == 0 {
                base
            } else {
                xxhash_rust::xxh3::xxh3_64_with_seed(&n.to_le_bytes(), base)
            };
            *n += 1;
            if !self.seen.insert(order) {
                continue;
            }
            let from = self.intern(&t.from);
            let to = self.intern(&t.to);
            if let Some(id) = t.txn_id {
                self.txn_ids.insert(order, id);
            }
            let e = Edge {
                order,
                from,
                to,
                ts: t.ts,
                amount_fen: t.amount_fen,
                channel: t.channel,
            };
            self.edges.push(e);
            added.push(e);
        }
        added
    }

    fn intern(&mut self, account: &str) -> AccountIx {
        if let Some(&i) = self.index.get(account) {
            return i;
        }
        let i = self.accounts.len() as AccountIx;
        self.accounts.push(account.to_string());
        self.index.insert(account.to_string(), i);
        i
    }

    pub fn graph(&self) -> Result<Graph, TraceError> {
        Graph::build(self.accounts.len() as u32, &self.edges)
    }

    pub fn index_of(&self, account: &str) -> Option<AccountIx> {
        self.index.get(account).copied()
    }

    pub fn account(&self, ix: AccountIx) -> &str {
        self.accounts
            .get(ix as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The bank's transaction id of a transfer, if the extract had one.
    pub fn txn_id(&self, order: u64) -> Option<&str> {
        self.txn_ids.get(&order).map(String::as_str)
    }

    pub fn n_transfers(&self) -> usize {
        self.edges.len()
    }

    pub fn n_accounts(&self) -> usize {
        self.accounts.len()
    }
}

fn content_hash(t: &RawTransfer) -> u64 {
    let mut h = Xxh3::new();
    for part in [
        t.txn_id.as_deref().unwrap_or(""),
        t.from.as_str(),
        t.to.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update(&[0xff]);
    }
    h.update(&t.ts.to_le_bytes());
    h.update(&t.amount_fen.to_le_bytes());
    h.update(&[t.channel as u8]);
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(id: Option<&str>, from: &str, to: &str, amount: i64) -> RawTransfer {
        RawTransfer {
            txn_id: id.map(str::to_string),
            from: from.into(),
            to: to.into(),
            ts: 1_000,
            amount_fen: amount,
            channel: TransferChannel::Bank,
        }
    }

    #[test]
    fn same_transfer_from_two_extracts_is_kept_once() {
        let mut b = TransferBook::new();
        assert_eq!(b.add([raw(Some("T1"), "A", "B", 5)]).len(), 1);
        assert_eq!(b.add([raw(Some("T1"), "A", "B", 5)]).len(), 0);
        assert_eq!(b.n_transfers(), 1);
        let order = b.graph().unwrap().order(0);
        assert_eq!(b.txn_id(order), Some("T1"));
    }

    #[test]
    fn identical_rows_in_one_extract_are_distinct_and_indices_stay() {
        let mut b = TransferBook::new();
        b.add([raw(None, "A", "B", 5), raw(None, "A", "B", 5)]);
        assert_eq!(b.n_transfers(), 2);
        let a = b.index_of("A").unwrap();
        b.add([raw(None, "C", "A", 7)]);
        assert_eq!(b.index_of("A"), Some(a));
        assert_eq!(b.account(b.index_of("C").unwrap()), "C");
    }
}
