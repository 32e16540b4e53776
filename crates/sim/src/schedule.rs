//! Future events of running scripts, in (time, insertion) order.

use crate::fraud::Action;
use fanzha_core::event::EpochMs;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

pub struct Scheduled {
    pub ts: EpochMs,
    seq: u64,
    pub action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.ts, self.seq) == (other.ts, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed so the max-heap pops the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.ts, other.seq).cmp(&(self.ts, self.seq))
    }
}

/// A min-heap of actions; actions at or past the end of the simulated period are dropped.
pub struct Scheduler {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
    pub end_ms: EpochMs,
}

impl Scheduler {
    pub fn new(end_ms: EpochMs) -> Scheduler {
        Scheduler {
            heap: BinaryHeap::new(),
            seq: 0,
            end_ms,
        }
    }

    /// Whether the action was kept (it happens before the end).
    pub fn push(&mut self, ts: EpochMs, action: Action) -> bool {
        if ts >= self.end_ms {
            return false;
        }
        self.seq += 1;
        self.heap.push(Scheduled {
            ts,
            seq: self.seq,
            action,
        });
        true
    }

    pub fn next_ts(&self) -> Option<EpochMs> {
        self.heap.peek().map(|s| s.ts)
    }

    pub fn pop(&mut self) -> Option<Scheduled> {
        self.heap.pop()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}
