//! What the platform learns about numbers that the live detection engine should know at once:
//! an operator shut down, barred or intercepted a number for fraud (涉诈号码处置 executed), so
//! the number goes on the engine's blocklist (stage-1 list membership, `listed_blocklist`) and
//! the people it reaches afterwards score higher. The web pushes; the engine's thread drains
//! the feed between signals and stamps each entry with the stream's event time (the web's
//! wall clock and the stream's event time need not agree).

use fanzha_core::event::{Msisdn, NumberList};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Entries kept while no engine drains them (a server without a live engine); the oldest
/// give way, counted in [`EngineFeed::dropped`].
pub const MAX_PENDING: usize = 100_000;

/// Number-list entries waiting for the live engine.
#[derive(Debug, Default)]
pub struct EngineFeed {
    pending: Mutex<VecDeque<(Msisdn, NumberList)>>,
    dropped: AtomicU64,
}

impl EngineFeed {
    /// Queues `msisdn` for `list`.
    pub fn list_number(&self, msisdn: Msisdn, list: NumberList) {
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= MAX_PENDING {
            q.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        q.push_back((msisdn, list));
    }

    /// Everything queued, oldest first, leaving the feed empty.
    pub fn drain(&self) -> Vec<(Msisdn, NumberList)> {
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        q.drain(..).collect()
    }

    /// Entries that gave way to newer ones because nothing drained the feed.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_drain_in_order_and_the_oldest_give_way_when_full() {
        let feed = EngineFeed::default();
        feed.list_number(Msisdn(8613800000001), NumberList::Blocklist);
        feed.list_number(Msisdn(8613800000002), NumberList::Blocklist);
        assert_eq!(
            feed.drain(),
            vec![
                (Msisdn(8613800000001), NumberList::Blocklist),
                (Msisdn(8613800000002), NumberList::Blocklist)
            ]
        );
        assert!(feed.drain().is_empty());
        for i in 0..MAX_PENDING as u64 + 3 {
            feed.list_number(Msisdn(i), NumberList::Blocklist);
        }
        assert_eq!(feed.dropped(), 3);
        let all = feed.drain();
        assert_eq!(all.len(), MAX_PENDING);
        assert_eq!(all[0].0, Msisdn(3));
    }
}
