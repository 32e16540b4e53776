//! The stage-1 state of every active number: states live in fixed-size chunks addressed by a
//! `u32` slot, and a small hash index maps the number to its slot.
//!
//! Compared with a hash map of whole states, the index moves 16-byte entries when it grows
//! instead of 700-byte states, memory grows one chunk at a time instead of doubling, and freed
//! slots (evicted numbers) are reused.
//!
//! The index entry also carries a copy of the number's score and whether it is on a list (in what
//! would otherwise be the entry's padding), so that "is this number a suspect?" — asked for the
//! other party of every call and for every contact stage 2 looks at — reads the index only and
//! not the state (a cache miss on a large table). The copy is refreshed by [`NumberTable::sync`],
//! which the engine calls whenever it changes a number's score or lists.

use crate::number::NumberState;
use crate::prefetch::PrefetchMap;
use crate::state_chunk::{StateChunk, CHUNK};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Marks a free slot in `keys` (no number is 0).
const FREE: u64 = 0;

/// Bit of [`Entry::slot`] set when the number is on a list.
const LISTED: u32 = 1 << 31;

/// An index entry: the slot (bit 31: listed) and a copy of the score.
#[derive(Clone, Copy, Debug)]
struct Entry {
    slot: u32,
    score: f32,
}

impl Entry {
    fn slot(self) -> u32 {
        self.slot & !LISTED
    }
}

/// What the index knows of a number without reading its state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Head {
    pub score: f32,
    pub listed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct NumberTable {
    index: PrefetchMap<u64, Entry>,
    chunks: Vec<StateChunk>,
    /// The number held in each slot, `FREE` when the slot is free.
    keys: Vec<u64>,
    free: Vec<u32>,
}

fn split(slot: u32) -> (usize, usize) {
    (slot as usize / CHUNK, slot as usize % CHUNK)
}

impl NumberTable {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Makes room in the index for `numbers` numbers in all (states are allocated by chunk).
    pub fn reserve_total(&mut self, numbers: usize) {
        self.index.reserve(numbers.saturating_sub(self.index.len()));
    }

    fn at(&self, slot: u32) -> &NumberState {
        let (c, i) = split(slot);
        &self.chunks[c][i]
    }

    fn at_mut(&mut self, slot: u32) -> &mut NumberState {
        let (c, i) = split(slot);
        &mut self.chunks[c][i]
    }

    pub fn get(&self, number: u64) -> Option<&NumberState> {
        self.index.get(&number).map(|e| self.at(e.slot()))
    }

    /// The state of `number`; after changing its score or lists, call [`NumberTable::sync`].
    pub fn get_mut(&mut self, number: u64) -> Option<&mut NumberState> {
        let slot = self.index.get(&number)?.slot();
        Some(self.at_mut(slot))
    }

    /// Hints that the index entry of `number` will be read soon: requests the bucket a lookup
    /// starts at. Never changes a result.
    #[inline]
    pub fn prefetch_index(&self, number: u64) {
        self.index.prefetch(&number);
    }

    /// Hints that the state of `number` (if it has one) will be read and written soon: requests
    /// each of its cache lines, so that their misses overlap with other work. Looks the number
    /// up in the index (itself a miss unless [`NumberTable::prefetch_index`] came first). Never
    /// changes a result.
    #[inline]
    pub fn prefetch(&self, number: u64) {
        if let Some(e) = self.index.get(&number) {
            crate::prefetch::lines(self.at(e.slot()));
        }
    }

    /// Score and listing of `number` as of the last [`NumberTable::sync`], from the index alone.
    pub fn head(&self, number: u64) -> Option<Head> {
        self.index.get(&number).map(|e| Head {
            score: e.score,
            listed: e.slot & LISTED != 0,
        })
    }

    /// Copies the score and listing of `number` from its state into its index entry.
    pub fn sync(&mut self, number: u64) {
        let Some(e) = self.index.get_mut(&number) else {
            return;
        };
        let (c, i) = split(e.slot());
        let n = &self.chunks[c][i];
        e.slot = e.slot() | if n.lists != 0 { LISTED } else { 0 };
        e.score = n.score;
    }

    /// The state of `number`, created with `init` on first sight (synced). After changing its
    /// score or lists, call [`NumberTable::sync`].
    pub fn get_or_insert_with(
        &mut self,
        number: u64,
        init: impl FnOnce() -> NumberState,
    ) -> &mut NumberState {
        if let Some(e) = self.index.get(&number) {
            let slot = e.slot();
            return self.at_mut(slot);
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                let s = self.keys.len() as u32;
                if self.keys.len() == self.chunks.len() * CHUNK {
                    self.chunks.push(StateChunk::new());
                }
                self.keys.push(FREE);
                s
            }
        };
        assert!(slot < LISTED, "more than 2^31 numbers in one table");
        self.keys[slot as usize] = number.max(1);
        let state = init();
        let entry = Entry {
            slot: slot | if state.lists != 0 { LISTED } else { 0 },
            score: state.score,
        };
        self.index.insert(number, entry);
        let at = self.at_mut(slot);
        *at = state;
        at
    }

    /// Runs `f` on the state of `number` (created with `init` on first sight), then copies its
    /// score and listing into the index entry as [`NumberTable::sync`] does: a read-modify-rescore
    /// with one index lookup.
    #[inline]
    pub fn update<R>(
        &mut self,
        number: u64,
        init: impl FnOnce() -> NumberState,
        f: impl FnOnce(&mut NumberState) -> R,
    ) -> R {
        if let Some(e) = self.index.get_mut(&number) {
            let (c, i) = split(e.slot());
            let n = &mut self.chunks[c][i];
            let r = f(n);
            e.slot = e.slot() | if n.lists != 0 { LISTED } else { 0 };
            e.score = n.score;
            return r;
        }
        let r = f(self.get_or_insert_with(number, init));
        self.sync(number);
        r
    }

    /// Keeps the numbers for which `keep` is true; the slots of the others are reused.
    pub fn retain(&mut self, mut keep: impl FnMut(u64, &NumberState) -> bool) {
        for slot in 0..self.keys.len() as u32 {
            let key = self.keys[slot as usize];
            if key == FREE || keep(key, self.at(slot)) {
                continue;
            }
            self.index.remove(&key);
            self.keys[slot as usize] = FREE;
            *self.at_mut(slot) = NumberState::default();
            self.free.push(slot);
        }
    }

    /// Every number with its state, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &NumberState)> + '_ {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, &k)| k != FREE)
            .map(|(s, &k)| (k, self.at(s as u32)))
    }

    /// Bytes held: the chunks, the slot keys and free list, and the index (one control byte per
    /// bucket plus the entry, as hashbrown lays it out).
    pub fn bytes(&self) -> usize {
        self.chunks.len() * CHUNK * std::mem::size_of::<NumberState>()
            + self.keys.capacity() * std::mem::size_of::<u64>()
            + self.free.capacity() * std::mem::size_of::<u32>()
            + self.index.capacity() * (std::mem::size_of::<(u64, Entry)>() + 1)
    }
}

impl PartialEq for NumberTable {
    /// The same numbers with the same states, wherever their slots are.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, n)| other.get(k) == Some(n))
    }
}

impl Serialize for NumberTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The length goes first (postcard needs it), so the filtered iterator cannot be handed
        // to `collect_seq`.
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for entry in self.iter() {
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for NumberTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = Vec::<(u64, NumberState)>::deserialize(d)?;
        let mut t = NumberTable::default();
        t.index.reserve(entries.len());
        for (k, mut n) in entries {
            n.rebuild_sums();
            t.get_or_insert_with(k, || n);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(score: f32) -> NumberState {
        let mut n = NumberState::default();
        n.score = score;
        n
    }

    #[test]
    fn inserts_finds_and_keeps_states_apart_across_chunks() {
        let mut t = NumberTable::default();
        for k in 1..=(CHUNK as u64 * 2 + 5) {
            t.get_or_insert_with(k, || state(k as f32));
        }
        assert_eq!(t.len(), CHUNK * 2 + 5);
        assert_eq!(t.get(7).map(|n| n.score), Some(7.0));
        assert_eq!(
            t.get(CHUNK as u64 * 2 + 3).map(|n| n.score),
            Some((CHUNK * 2 + 3) as f32)
        );
        assert!(t.get(99_999).is_none());
        // A second insert of a known number returns its state, not a fresh one.
        assert_eq!(t.get_or_insert_with(7, || state(0.0)).score, 7.0);
        t.get_mut(8).unwrap().score = 80.0;
        assert_eq!(t.get(8).unwrap().score, 80.0);
    }

    #[test]
    fn the_index_head_follows_sync() {
        let mut t = NumberTable::default();
        t.get_or_insert_with(5, || state(0.25));
        assert_eq!(
            t.head(5),
            Some(Head {
                score: 0.25,
                listed: false
            })
        );
        let n = t.get_mut(5).unwrap();
        n.score = 0.75;
        n.lists = crate::number::LIST_BLOCK;
        assert_eq!(t.head(5).unwrap().score, 0.25, "stale until synced");
        t.sync(5);
        assert_eq!(
            t.head(5),
            Some(Head {
                score: 0.75,
                listed: true
            })
        );
        assert_eq!(t.get(5).unwrap().score, 0.75);
        assert_eq!(t.head(6), None);
        // Restored tables carry the heads of their states.
        let back: NumberTable = postcard::from_bytes(&postcard::to_allocvec(&t).unwrap()).unwrap();
        assert_eq!(back.head(5), t.head(5));
    }

    #[test]
    fn retain_frees_slots_that_new_numbers_reuse() {
        let mut t = NumberTable::default();
        for k in 1..=10u64 {
            t.get_or_insert_with(k, || state(k as f32));
        }
        t.retain(|k, _| k % 2 == 0);
        assert_eq!(t.len(), 5);
        assert!(t.get(3).is_none());
        assert_eq!(t.get(4).unwrap().score, 4.0);
        let slots_before = t.keys.len();
        t.get_or_insert_with(100, || state(1.0));
        assert_eq!(t.keys.len(), slots_before, "a freed slot was reused");
        assert_eq!(t.get(100).unwrap().score, 1.0);
    }

    #[test]
    fn serialises_and_compares_by_content() {
        let mut t = NumberTable::default();
        for k in 1..=20u64 {
            t.get_or_insert_with(k, || state(k as f32));
        }
        t.retain(|k, _| k > 5);
        let bytes = postcard::to_allocvec(&t).unwrap();
        let back: NumberTable = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.get(20).unwrap().score, 20.0);
        let mut changed = back.clone();
        changed.get_mut(20).unwrap().score = 0.0;
        assert_ne!(changed, t);
    }
}
