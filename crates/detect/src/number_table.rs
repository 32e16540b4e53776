//! The stage-1 state of every active number: states live in fixed-size chunks addressed by a
//! `u32` slot, and a small hash index maps the number to its slot.
//!
//! Compared with a hash map of whole states, the index moves 12-byte entries when it grows
//! instead of 700-byte states, memory grows one chunk at a time instead of doubling, and freed
//! slots (evicted numbers) are reused.

use crate::number::NumberState;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// States per chunk.
const CHUNK: usize = 1024;
/// Marks a free slot in `keys` (no number is 0).
const FREE: u64 = 0;

#[derive(Clone, Debug, Default)]
pub struct NumberTable {
    index: FxHashMap<u64, u32>,
    chunks: Vec<Box<[NumberState]>>,
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

    fn at(&self, slot: u32) -> &NumberState {
        let (c, i) = split(slot);
        &self.chunks[c][i]
    }

    fn at_mut(&mut self, slot: u32) -> &mut NumberState {
        let (c, i) = split(slot);
        &mut self.chunks[c][i]
    }

    pub fn get(&self, number: u64) -> Option<&NumberState> {
        self.index.get(&number).map(|&s| self.at(s))
    }

    pub fn get_mut(&mut self, number: u64) -> Option<&mut NumberState> {
        let slot = *self.index.get(&number)?;
        Some(self.at_mut(slot))
    }

    /// The state of `number`, created with `init` on first sight.
    pub fn get_or_insert_with(
        &mut self,
        number: u64,
        init: impl FnOnce() -> NumberState,
    ) -> &mut NumberState {
        if let Some(&slot) = self.index.get(&number) {
            return self.at_mut(slot);
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                let s = self.keys.len() as u32;
                if self.keys.len() == self.chunks.len() * CHUNK {
                    self.chunks
                        .push(vec![NumberState::default(); CHUNK].into_boxed_slice());
                }
                self.keys.push(FREE);
                s
            }
        };
        self.keys[slot as usize] = number.max(1);
        self.index.insert(number, slot);
        let state = self.at_mut(slot);
        *state = init();
        state
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
            + self.index.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
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
        for (k, n) in entries {
            *t.get_or_insert_with(k, NumberState::default) = n;
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
        assert_eq!(t.get(CHUNK as u64 * 2 + 3).map(|n| n.score), Some(2051.0));
        assert!(t.get(99_999).is_none());
        // A second insert of a known number returns its state, not a fresh one.
        assert_eq!(t.get_or_insert_with(7, || state(0.0)).score, 7.0);
        t.get_mut(8).unwrap().score = 80.0;
        assert_eq!(t.get(8).unwrap().score, 80.0);
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
