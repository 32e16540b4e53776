//! Cache prefetch hints, and a hash map whose buckets can be requested from memory before they
//! are looked up.
//!
//! The engine's tables (number index, pair index, person states, the directory) are far larger
//! than the caches, so each lookup of one signal is a cache miss or two. The batch entry points
//! ([`crate::Engine::ingest_batch`]) know the signals a few positions ahead and ask for their
//! buckets and states early, so that those misses overlap with the work on the current signal.
//! A hint never changes a result: a wrong or stale address only wastes the hint.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::hash::{BuildHasher, Hash};

pub(crate) use fanzha_core::prefetch::line;

/// Requests every cache line of `*value`.
#[inline(always)]
pub(crate) fn lines<T>(value: &T) {
    span((value as *const T).cast(), std::mem::size_of::<T>());
}

/// Requests every cache line of the `size` bytes from `start`.
#[inline(always)]
fn span(start: *const u8, size: usize) {
    if size == 0 {
        return;
    }
    let mut off = 0;
    // The last line is requested through the last byte, which may lie in a line of its own.
    while off < size + 63 {
        line(start.wrapping_add(off.min(size - 1)));
        off += 64;
    }
}

fn hash_of<K: Hash>(key: &K) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// A hash map (FxHash, hashbrown's Swiss table) that can prefetch the bucket a key would be found
/// in without looking it up.
///
/// hashbrown keeps its control bytes in one array and the entries just below it, bucket `i` at
/// `ctrl - (i + 1) * size_of::<(K, V)>()`, and starts a probe at bucket `hash & (buckets - 1)`.
/// The map remembers where its control bytes are (derived from the address and index of any full
/// bucket whenever the table may have moved), so [`PrefetchMap::prefetch`] can request the first
/// control group and the first entry a lookup of the key will read. The address is only ever
/// handed to the prefetch instruction; if hashbrown changed its layout the hints would be wasted,
/// never wrong (the test `prefetch_addresses_match_hashbrowns_layout` checks the layout).
pub struct PrefetchMap<K, V> {
    table: HashTable<(K, V)>,
    /// Address of the control bytes of `table`, 0 when not known (no entry to derive it from).
    ctrl: usize,
    /// `table.num_buckets()` when `ctrl` was derived: the table moves only when it grows.
    buckets: usize,
}

impl<K, V> Default for PrefetchMap<K, V> {
    fn default() -> Self {
        PrefetchMap {
            table: HashTable::new(),
            ctrl: 0,
            buckets: 0,
        }
    }
}

impl<K: Clone, V: Clone> Clone for PrefetchMap<K, V> {
    fn clone(&self) -> Self {
        let mut m = PrefetchMap {
            table: self.table.clone(),
            ctrl: 0,
            buckets: 0,
        };
        m.locate();
        m
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for PrefetchMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.table.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<K, V> PrefetchMap<K, V> {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.table.iter().map(|(k, v)| (k, v))
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.table.iter_mut().map(|(_, v)| v)
    }

    /// Re-derives the address of the control bytes after the table may have moved.
    #[inline]
    fn relocate_if_moved(&mut self) {
        if self.ctrl == 0 || self.table.num_buckets() != self.buckets {
            self.locate();
        }
    }

    #[cold]
    fn locate(&mut self) {
        self.buckets = self.table.num_buckets();
        self.ctrl = self
            .table
            .iter_buckets()
            .next()
            .and_then(|i| {
                let e = self.table.get_bucket(i)?;
                Some(e as *const (K, V) as usize + (i + 1) * std::mem::size_of::<(K, V)>())
            })
            .unwrap_or(0);
    }

    /// Requests the first control group and the first entry that a lookup of a key with this
    /// hash reads.
    #[inline]
    fn prefetch_hash(&self, hash: u64) {
        if self.ctrl == 0 {
            return;
        }
        let pos = hash as usize & (self.buckets - 1);
        let ctrl = self.ctrl as *const u8;
        line(ctrl.wrapping_add(pos));
        // A key sits in the first free bucket from `pos` when it was inserted, often a few
        // buckets on, which lie below: the line below is requested too.
        let home = ctrl.wrapping_sub((pos + 1) * std::mem::size_of::<(K, V)>());
        line(home);
        line(home.wrapping_sub(64));
    }
}

impl<K: Hash + Eq, V> PrefetchMap<K, V> {
    /// Hints that `key` will be looked up soon. Never changes a result.
    #[inline]
    pub fn prefetch(&self, key: &K) {
        self.prefetch_hash(hash_of(key));
    }

    /// Hints that `key` will be looked up and its whole entry read or written soon: requests
    /// the first control group and every line of the first entry a lookup reads (where the key
    /// usually is, or where a new key usually goes). Never changes a result.
    #[inline]
    pub fn prefetch_entry(&self, key: &K) {
        let hash = hash_of(key);
        if self.ctrl == 0 {
            return;
        }
        let pos = hash as usize & (self.buckets - 1);
        let ctrl = self.ctrl as *const u8;
        line(ctrl.wrapping_add(pos));
        let size = std::mem::size_of::<(K, V)>();
        span(ctrl.wrapping_sub((pos + 1) * size), size);
    }

    #[inline]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.table
            .find(hash_of(key), |(k, _)| k == key)
            .map(|(_, v)| v)
    }

    #[inline]
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.table
            .find_mut(hash_of(key), |(k, _)| k == key)
            .map(|(_, v)| v)
    }

    #[inline]
    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key` and whether it was there before; a new key gets `init()`.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: K, init: impl FnOnce() -> V) -> (&mut V, bool) {
        let hash = hash_of(&key);
        if let Some(i) = self.table.find_bucket_index(hash, |(k, _)| *k == key) {
            let (_, v) = self.table.get_bucket_mut(i).expect("a found bucket");
            return (v, true);
        }
        (self.insert_new(hash, key, init()), false)
    }

    /// Inserts a key known to be absent.
    #[inline]
    fn insert_new(&mut self, hash: u64, key: K, value: V) -> &mut V {
        // Growing first (as a lookup-then-insert of `HashMap::entry` does), so that the control
        // bytes are located again before the entry is borrowed.
        self.table.reserve(1, |(k, _)| hash_of(k));
        self.relocate_if_moved();
        let e = self
            .table
            .insert_unique(hash, (key, value), |(k, _)| hash_of(k));
        &mut e.into_mut().1
    }

    /// The value of `key`, `V::default()` inserted on first sight.
    #[inline]
    pub fn entry_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default).0
    }

    /// Sets the value of `key`; returns the previous one.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = hash_of(&key);
        if let Some(i) = self.table.find_bucket_index(hash, |(k, _)| *k == key) {
            let (_, v) = self.table.get_bucket_mut(i).expect("a found bucket");
            return Some(std::mem::replace(v, value));
        }
        self.insert_new(hash, key, value);
        None
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.table
            .find_entry(hash_of(key), |(k, _)| k == key)
            .ok()
            .map(|e| e.remove().0 .1)
    }

    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, |(k, _)| hash_of(k));
        self.relocate_if_moved();
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.table.retain(|(k, v)| keep(k, v));
    }
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for PrefetchMap<K, V> {
    /// The same keys with the same values, in whatever order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Serialize, V: Serialize> Serialize for PrefetchMap<K, V> {
    /// As a map, like the `HashMap` it replaces.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K, V> Deserialize<'de> for PrefetchMap<K, V>
where
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = rustc_hash::FxHashMap::<K, V>::deserialize(d)?;
        let mut m = PrefetchMap::default();
        m.reserve(entries.len());
        for (k, v) in entries {
            m.insert(k, v);
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map() {
        let mut m = PrefetchMap::<u64, u32>::default();
        assert_eq!(m.insert(1, 10), None);
        assert_eq!(m.insert(1, 11), Some(10));
        assert_eq!(m.get_or_insert_with(2, || 20), (&mut 20, false));
        assert_eq!(m.get_or_insert_with(2, || 99), (&mut 20, true));
        *m.entry_or_default(3) += 30;
        assert_eq!(m.get(&3), Some(&30));
        assert!(m.contains_key(&1) && !m.contains_key(&4));
        for k in 10..5000u64 {
            m.insert(k, k as u32);
        }
        m.retain(|k, _| k % 3 != 0);
        assert_eq!(m.get(&999), None);
        assert_eq!(m.get(&1000), Some(&1000));
        assert_eq!(m.remove(&1000), Some(1000));
        assert_eq!(m.get(&1000), None);
        let bytes = postcard::to_allocvec(&m).unwrap();
        let back: PrefetchMap<u64, u32> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, m);
        // The same bytes as the hash map it replaces, so snapshots keep their format.
        let std: rustc_hash::FxHashMap<u64, u32> = m.iter().map(|(k, v)| (*k, *v)).collect();
        let back: PrefetchMap<u64, u32> =
            postcard::from_bytes(&postcard::to_allocvec(&std).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(m.clone(), m);
    }

    /// The hints are useful only while hashbrown lays its table out as [`PrefetchMap`] assumes:
    /// a key found in its first probe position sits at the address the hint requests.
    #[test]
    fn prefetch_addresses_match_hashbrowns_layout() {
        let mut m = PrefetchMap::<u64, [u64; 3]>::default();
        let mut home = 0;
        for k in 1..20_000u64 {
            m.insert(k, [k; 3]);
        }
        let c = m.clone();
        for map in [&m, &c] {
            assert_ne!(map.ctrl, 0);
            assert_eq!(map.buckets, map.table.num_buckets());
            for k in 1..20_000u64 {
                let hash = hash_of(&k);
                let i = map.table.find_bucket_index(hash, |(x, _)| *x == k).unwrap();
                let at = map.table.get_bucket(i).unwrap() as *const _ as usize;
                let size = std::mem::size_of::<(u64, [u64; 3])>();
                assert_eq!(at, map.ctrl - (i + 1) * size);
                if i == hash as usize & (map.buckets - 1) {
                    home += 1;
                }
            }
        }
        assert!(
            home > 10_000,
            "most keys sit in their first probe position: {home}"
        );
    }
}
