//! The set of natural keys seen so far in a file, for in-file duplicate detection.
//!
//! Keys are exact (packed identifiers, see [`crate::record::Record::key`]), never hashes, so a
//! "seen before" answer is never a collision. Keys that fit in 64 bits (every resident ID number,
//! every mobile number) live in an open-addressing table of `u64` slots: one cache line per
//! lookup, no per-key allocation, sized ahead from the expected row count so it rarely rehashes.
//! Wider keys (long card numbers, SMS ports) go to an ordinary hash set.

use crate::slot_table::SlotTable;
use rustc_hash::FxHashSet;

pub(crate) struct KeySet {
    /// `key + 1` per occupied slot (0 = empty); at most half full.
    slots: SlotTable,
    len: usize,
    shift: u32,
    wide: FxHashSet<u128>,
}

impl Default for KeySet {
    fn default() -> Self {
        KeySet::with_capacity(0)
    }
}

impl KeySet {
    pub fn with_capacity(keys: usize) -> Self {
        let bits = slot_bits(keys);
        KeySet {
            slots: SlotTable::zeroed(1 << bits),
            len: 0,
            shift: 64 - bits,
            wide: FxHashSet::default(),
        }
    }

    /// Makes room for `more` keys beyond those present without rehashing on the way.
    pub fn reserve(&mut self, more: usize) {
        let want = slot_bits(self.len + more);
        if 1usize << want > self.slots.len() {
            self.rehash(want);
        }
    }

    #[inline]
    fn home(&self, slot_key: u64) -> usize {
        (slot_key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Inserts `key`; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, key: u128) -> bool {
        let Some(slot_key) = narrow(key) else {
            return self.wide.insert(key);
        };
        if (self.len + 1) * 2 > self.slots.len() {
            self.rehash(self.slots.len().trailing_zeros() + 1);
        }
        let mask = self.slots.len() - 1;
        let mut s = self.home(slot_key);
        loop {
            let v = self.slots[s];
            if v == 0 {
                self.slots[s] = slot_key;
                self.len += 1;
                return true;
            }
            if v == slot_key {
                return false;
            }
            s = (s + 1) & mask;
        }
    }

    /// Inserts the keys selected by `mine` from `keys`, in order, calling `seen(i)` for each
    /// selected key at index `i` that was present already (earlier in `keys` or before).
    /// Call [`KeySet::reserve`] first when many keys are expected.
    pub fn insert_all(
        &mut self,
        keys: &[u128],
        mine: impl Fn(u128) -> bool,
        mut seen: impl FnMut(usize),
    ) {
        // Software pipelining: the home slot of the key AHEAD positions on is requested while
        // the current one is inserted, so about that many misses are always in flight.
        const AHEAD: usize = 16;
        for (i, &k) in keys.iter().enumerate() {
            if let Some(&next) = keys.get(i + AHEAD) {
                if let Some(sk) = narrow(next).filter(|_| mine(next)) {
                    fanzha_core::prefetch::slot(&self.slots, self.home(sk));
                }
            }
            if mine(k) && !self.insert(k) {
                seen(i);
            }
        }
    }

    fn rehash(&mut self, bits: u32) {
        let old = std::mem::replace(&mut self.slots, SlotTable::zeroed(1 << bits));
        self.shift = 64 - bits;
        let mask = self.slots.len() - 1;
        for v in old.iter().copied().filter(|&v| v != 0) {
            let mut s = self.home(v);
            while self.slots[s] != 0 {
                s = (s + 1) & mask;
            }
            self.slots[s] = v;
        }
    }
}

/// The slot value of a key that fits the `u64` table (`key + 1`, so 0 means empty).
#[inline]
fn narrow(key: u128) -> Option<u64> {
    u64::try_from(key).ok().and_then(|k| k.checked_add(1))
}

/// Table size (log2) that keeps `keys` at most half full, at least 1,024 slots.
fn slot_bits(keys: usize) -> u32 {
    let slots = keys.saturating_mul(2).max(1024).next_power_of_two();
    slots.trailing_zeros().min(40)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set_for_narrow_wide_and_edge_keys() {
        let mut set = KeySet::with_capacity(0);
        let mut reference = HashSet::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = match i % 5 {
                0 => u128::from(x % 5_000),
                1 => u128::from(x),
                2 => u128::from(u64::MAX - (x % 3)),
                3 => (u128::from(x % 7) << 64) | u128::from(x % 11),
                _ => u128::from(x % 100_000) * 1_000_003,
            };
            assert_eq!(set.insert(key), reference.insert(key), "key {key}");
        }
        assert!(!set.insert(0) || reference.insert(0));
    }

    #[test]
    fn insert_all_reports_repeats_in_order_and_only_selected_keys() {
        let keys: Vec<u128> = (0..10_000u128).map(|i| i % 7_000).collect();
        let mut set = KeySet::default();
        let mut seen = Vec::new();
        set.insert_all(&keys, |k| k % 2 == 0, |i| seen.push(i));
        let expected: Vec<usize> = (7_000..10_000).filter(|i| (i - 7_000) % 2 == 0).collect();
        assert_eq!(seen, expected);
        // Odd keys were not inserted: they are new now.
        assert!(set.insert(1));
        assert!(!set.insert(2));
    }
}
