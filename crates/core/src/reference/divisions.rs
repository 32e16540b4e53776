//! The five-level division tree (2023 统计用区划代码): provinces, cities, counties, townships and
//! villages, 665,276 nodes, from `provinces/cities/areas/streets/villages.csv.gz`.
//!
//! Nodes are kept in pre-order (sorted by the code right-padded to 12 digits, then level), so a
//! node's subtree is one contiguous index range. `get` is O(1): an open-addressing table (1 MiB)
//! finds the node range of the code's township (a township and its villages are one run of the
//! sorted keys, at most 171), which is then searched; where a binary search over the 665k keys
//! took about twenty dependent loads, a lookup reads the table's slot and a few neighbouring
//! keys, and the codes of one city's files share those cache lines.
//! Names live in one string arena instead of 665k small allocations; that keeps loading well
//! under a second.

use super::gz;
use crate::division_code::{DivisionCode, DivisionLevel};
use std::sync::OnceLock;

static PROVINCES_GZ: &[u8] = include_bytes!("../../data/provinces.csv.gz");
static CITIES_GZ: &[u8] = include_bytes!("../../data/cities.csv.gz");
static AREAS_GZ: &[u8] = include_bytes!("../../data/areas.csv.gz");
static STREETS_GZ: &[u8] = include_bytes!("../../data/streets.csv.gz");
static VILLAGES_GZ: &[u8] = include_bytes!("../../data/villages.csv.gz");

const NO_PARENT: u32 = u32::MAX;

/// The division tree.
pub struct Divisions {
    /// `padded12 * 8 + level`, ascending: pre-order.
    keys: Vec<u64>,
    /// End offset of each node's name in `names` (start is the previous end).
    name_ends: Vec<u32>,
    names: String,
    parent: Vec<u32>,
    /// One past the last node of each node's subtree.
    subtree_end: Vec<u32>,
    /// Children of node `i` are `child_list[child_start[i]..child_start[i + 1]]`.
    child_start: Vec<u32>,
    child_list: Vec<u32>,
    /// First index of each level's nodes is not contiguous; counts per level for statistics.
    level_counts: [usize; 5],
    /// Open-addressing index over `keys`, see [`KeyIndex`].
    index: KeyIndex,
}

fn key(code: DivisionCode) -> u64 {
    code.padded12() * 8 + code.level() as u64
}

/// Codes per group of the index: a group is a township's 9-digit prefix (with the 3-digit
/// village part dropped), so a township and its villages are one group, and so are a county and
/// its own code.
const GROUP_SIZE: u64 = 1000;
/// Bits of a slot holding the group's node count (at most a few hundred villages a township).
const SLOT_COUNT_BITS: u32 = 11;
/// Bits of a slot holding the group's first node index.
const SLOT_START_BITS: u32 = 21;

/// O(1) lookup that keeps neighbours together: an open-addressing table from each group (a
/// township's prefix) to its nodes' range in the sorted keys, then a search of that range (at
/// most 171 keys, a few cache lines). A file of one city's residents touches a few hundred
/// groups, so the whole working set stays in cache; a hash of every key would scatter the same
/// villages over 8 MiB. Each slot is one `u64`: group + 1 (0 = empty), first node, node count.
struct KeyIndex {
    slots: Vec<u64>,
    shift: u32,
    /// Per slot, the group's village bitmap in `villages` (`NO_VILLAGES` for a group without
    /// villages, or an empty slot). Kept beside `slots` rather than in them: the slot and
    /// its bitmap number are read at once, at the same position.
    village_map: Vec<u16>,
    /// Which 3-digit village parts of a group exist, bit `part` of 1,024.
    villages: Vec<[u64; 16]>,
}

/// `village_map` entry of a group that has no villages.
const NO_VILLAGES: u16 = u16::MAX;

impl KeyIndex {
    fn build(keys: &[u64]) -> KeyIndex {
        assert!(
            keys.len() < 1 << SLOT_START_BITS,
            "division index: too many nodes"
        );
        // Sorted keys: each group's nodes are one run.
        let mut groups: Vec<(u64, usize, usize)> = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            let g = group_of(k);
            match groups.last_mut() {
                Some(last) if last.0 == g => last.2 += 1,
                _ => groups.push((g, i, 1)),
            }
        }
        let mut bits = 4;
        while (1usize << bits) * 2 < groups.len() * 3 {
            bits += 1;
        }
        let mut index = KeyIndex {
            slots: vec![0; 1 << bits],
            shift: 64 - bits,
            village_map: vec![NO_VILLAGES; 1 << bits],
            villages: Vec::new(),
        };
        let mask = index.slots.len() - 1;
        for (g, start, count) in groups {
            let mut bitmap = [0u64; 16];
            for &k in &keys[start..start + count] {
                if k % 8 == DivisionLevel::Village as u64 {
                    let part = (k >> 3) % GROUP_SIZE;
                    bitmap[(part / 64) as usize] |= 1 << (part % 64);
                }
            }
            assert!(
                count < 1 << SLOT_COUNT_BITS,
                "division index: group {g} has {count} nodes"
            );
            let mut s = index.home(g);
            while index.slots[s] != 0 {
                s = (s + 1) & mask;
            }
            index.slots[s] = ((g + 1) << (SLOT_START_BITS + SLOT_COUNT_BITS))
                | ((start as u64) << SLOT_COUNT_BITS)
                | count as u64;
            if bitmap != [0; 16] {
                index.village_map[s] = u16::try_from(index.villages.len())
                    .ok()
                    .filter(|&i| i != NO_VILLAGES)
                    .expect("division index: fewer than 65,535 townships with villages");
                index.villages.push(bitmap);
            }
        }
        index
    }

    /// The slot of `group` (its position and value), if the group has nodes.
    #[inline(always)]
    fn slot_of(&self, group: u64) -> Option<(usize, u64)> {
        // Groups are below 10⁹ (12-digit codes); anything larger is not a code.
        if group >= 1 << (64 - SLOT_START_BITS - SLOT_COUNT_BITS - 1) {
            return None;
        }
        let tag = group + 1;
        let mask = self.slots.len() - 1;
        let mut s = self.home(group);
        loop {
            let slot = self.slots[s];
            if slot == 0 {
                return None;
            }
            if slot >> (SLOT_START_BITS + SLOT_COUNT_BITS) == tag {
                return Some((s, slot));
            }
            s = (s + 1) & mask;
        }
    }

    /// Whether `key` is one of the keys the index was built from. A village (most codes an
    /// import checks) is one bit of its township's bitmap: no search of the township's run,
    /// whose dependent loads cost more than the rest of a row's division check.
    #[inline]
    fn contains(&self, keys: &[u64], key: u64) -> bool {
        if key % 8 != DivisionLevel::Village as u64 {
            return self.find(keys, key).is_some();
        }
        let Some((s, _)) = self.slot_of(group_of(key)) else {
            return false;
        };
        let Some(bitmap) = self.villages.get(usize::from(self.village_map[s])) else {
            return false;
        };
        let part = (key >> 3) % GROUP_SIZE;
        bitmap[(part / 64) as usize] >> (part % 64) & 1 == 1
    }

    #[inline]
    fn home(&self, group: u64) -> usize {
        (group.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The node index of `key` in `keys` (the keys the index was built from), if present.
    #[inline]
    fn find(&self, keys: &[u64], key: u64) -> Option<u32> {
        let (_, slot) = self.slot_of(group_of(key))?;
        let start = ((slot >> SLOT_COUNT_BITS) & ((1 << SLOT_START_BITS) - 1)) as usize;
        let count = (slot & ((1 << SLOT_COUNT_BITS) - 1)) as usize;
        let run = keys.get(start..start + count)?;
        let i = run.partition_point(|&k| k < key);
        (run.get(i) == Some(&key)).then_some((start + i) as u32)
    }
}

/// The group of a key (`padded12 * 8 + level`): its 12-digit code without the village part.
#[inline]
fn group_of(key: u64) -> u64 {
    (key >> 3) / GROUP_SIZE
}

/// Placeholder names of the statistical tables that are not part of a readable address
/// (`北京市市辖区东城区` reads `北京市东城区`).
fn is_placeholder(name: &str) -> bool {
    matches!(
        name,
        "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
    )
}

impl Divisions {
    fn load() -> Divisions {
        let tables: [(&'static [u8], &str, DivisionLevel); 5] = [
            (PROVINCES_GZ, "provinces", DivisionLevel::Province),
            (CITIES_GZ, "cities", DivisionLevel::City),
            (AREAS_GZ, "areas", DivisionLevel::County),
            (STREETS_GZ, "streets", DivisionLevel::Township),
            (VILLAGES_GZ, "villages", DivisionLevel::Village),
        ];
        let mut raw_names = String::with_capacity(16 << 20);
        // (key, name start, name end)
        let mut rows: Vec<(u64, u32, u32)> = Vec::with_capacity(670_000);
        let mut level_counts = [0usize; 5];
        for (gz_bytes, table, level) in tables {
            gz::for_each_record(gz_bytes, table, |rec| {
                let code_s = gz::field(rec, 0, table);
                let code = DivisionCode::parse(code_s)
                    .ok()
                    .filter(|c| c.level() == level)
                    .unwrap_or_else(|| panic!("embedded table {table}: bad code {code_s}"));
                let start = raw_names.len() as u32;
                raw_names.push_str(gz::field(rec, 1, table));
                rows.push((key(code), start, raw_names.len() as u32));
                level_counts[level as usize - 1] += 1;
            });
        }
        rows.sort_unstable_by_key(|r| r.0);
        let n = rows.len();
        let mut keys = Vec::with_capacity(n);
        let mut name_ends = Vec::with_capacity(n);
        let mut names = String::with_capacity(raw_names.len());
        for &(k, s, e) in &rows {
            assert!(
                keys.last() != Some(&k),
                "embedded division tables: duplicate code (key {k})"
            );
            keys.push(k);
            names.push_str(&raw_names[s as usize..e as usize]);
            name_ends.push(names.len() as u32);
        }
        drop(raw_names);
        drop(rows);
        let mut t = Divisions {
            keys,
            name_ends,
            names,
            parent: Vec::new(),
            subtree_end: Vec::new(),
            child_start: Vec::new(),
            child_list: Vec::new(),
            level_counts,
            index: KeyIndex {
                slots: Vec::new(),
                shift: 0,
                village_map: Vec::new(),
                villages: Vec::new(),
            },
        };
        // Parents via a stack of the last node seen at each level (pre-order), checked by prefix.
        let mut parent = vec![NO_PARENT; n];
        let mut subtree_end = vec![n as u32; n];
        let mut stack: Vec<u32> = Vec::with_capacity(5);
        for (i, parent_slot) in parent.iter_mut().enumerate() {
            let code = t.code_at(i as u32);
            while let Some(&top) = stack.last() {
                if t.code_at(top).contains(code) {
                    break;
                }
                subtree_end[top as usize] = i as u32;
                stack.pop();
            }
            if let Some(&top) = stack.last() {
                let p = t.code_at(top);
                assert!(
                    code.level().parent() == Some(p.level()),
                    "embedded division tables: {code} has no parent at level {:?}",
                    code.level().parent()
                );
                *parent_slot = top;
            } else {
                assert!(
                    code.level() == DivisionLevel::Province,
                    "embedded division tables: orphan {code}"
                );
            }
            stack.push(i as u32);
        }
        let mut counts = vec![0u32; n + 1];
        for &p in &parent {
            if p != NO_PARENT {
                counts[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let child_start = counts;
        let mut fill = child_start.clone();
        let mut child_list = vec![0u32; child_start[n] as usize];
        for (i, &p) in parent.iter().enumerate() {
            if p != NO_PARENT {
                child_list[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        t.parent = parent;
        t.subtree_end = subtree_end;
        t.child_start = child_start;
        t.child_list = child_list;
        t.index = KeyIndex::build(&t.keys);
        t
    }

    fn code_at(&self, i: u32) -> DivisionCode {
        let k = self.keys[i as usize];
        let level = DivisionLevel::ALL[(k % 8) as usize - 1];
        let padded = k / 8;
        let value = padded / 10u64.pow(12 - level.digits() as u32);
        DivisionCode::new(value, level).unwrap_or_else(|| unreachable!("keys are built from codes"))
    }

    fn name_at(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.name_ends[i - 1] };
        &self.names[start as usize..self.name_ends[i] as usize]
    }

    fn handle(&self, i: u32) -> Division<'_> {
        Division { table: self, i }
    }

    /// The division with this code, if it exists (O(1)).
    #[inline]
    pub fn get(&self, code: DivisionCode) -> Option<Division<'_>> {
        self.index
            .find(&self.keys, key(code))
            .map(|i| self.handle(i))
    }

    /// Whether a division with this code exists (O(1)).
    #[inline]
    pub fn contains(&self, code: DivisionCode) -> bool {
        self.index.contains(&self.keys, key(code))
    }

    /// Hints that `code` will be looked up soon (see [`crate::prefetch`]): its index slot is
    /// requested from memory.
    #[inline]
    pub fn prefetch(&self, code: DivisionCode) {
        let g = group_of(key(code));
        let home = self.index.home(g);
        crate::prefetch::slot(&self.index.slots, home);
        crate::prefetch::slot(&self.index.village_map, home);
    }

    /// The children of `code` (empty when it has none or does not exist).
    pub fn children(&self, code: DivisionCode) -> impl Iterator<Item = Division<'_>> + '_ {
        let range = self
            .get(code)
            .map(|d| self.child_start[d.i as usize]..self.child_start[d.i as usize + 1])
            .unwrap_or(0..0);
        self.child_list[range.start as usize..range.end as usize]
            .iter()
            .map(move |&c| self.handle(c))
    }

    /// The 31 provinces.
    pub fn provinces(&self) -> impl Iterator<Item = Division<'_>> + '_ {
        (0..self.keys.len() as u32)
            .filter(move |&i| self.parent[i as usize] == NO_PARENT)
            .map(move |i| self.handle(i))
    }

    /// Every division, in pre-order (each parent before its children).
    pub fn iter(&self) -> impl Iterator<Item = Division<'_>> + '_ {
        (0..self.keys.len() as u32).map(move |i| self.handle(i))
    }

    /// Number of divisions at `level`.
    pub fn count(&self, level: DivisionLevel) -> usize {
        self.level_counts[level as usize - 1]
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One node of the division tree, borrowed from the table.
#[derive(Clone, Copy)]
pub struct Division<'a> {
    table: &'a Divisions,
    i: u32,
}

impl std::fmt::Debug for Division<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Division({} {})", self.code(), self.name())
    }
}

impl PartialEq for Division<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.table, other.table) && self.i == other.i
    }
}
impl Eq for Division<'_> {}

impl<'a> Division<'a> {
    pub fn code(&self) -> DivisionCode {
        self.table.code_at(self.i)
    }

    /// Own name (`阳明街道`).
    pub fn name(&self) -> &'a str {
        self.table.name_at(self.i)
    }

    pub fn level(&self) -> DivisionLevel {
        self.code().level()
    }

    pub fn parent(&self) -> Option<Division<'a>> {
        match self.table.parent[self.i as usize] {
            NO_PARENT => None,
            p => Some(self.table.handle(p)),
        }
    }

    /// Itself and its ancestors, from itself up to the province.
    pub fn ancestors(&self) -> impl Iterator<Item = Division<'a>> {
        std::iter::successors(Some(*self), |d| d.parent())
    }

    pub fn children(&self) -> impl Iterator<Item = Division<'a>> + 'a {
        let t = self.table;
        let s = t.child_start[self.i as usize] as usize;
        let e = t.child_start[self.i as usize + 1] as usize;
        t.child_list[s..e].iter().map(move |&c| t.handle(c))
    }

    /// Itself and everything below it, in pre-order.
    pub fn subtree(&self) -> impl Iterator<Item = Division<'a>> + 'a {
        let t = self.table;
        (self.i..t.subtree_end[self.i as usize]).map(move |i| t.handle(i))
    }

    /// Number of divisions in the subtree, itself included.
    pub fn subtree_len(&self) -> usize {
        (self.table.subtree_end[self.i as usize] - self.i) as usize
    }

    /// The full name from the province down (`浙江省宁波市余姚市阳明街道…`), leaving out the
    /// statistical placeholders `市辖区`, `县`, `省直辖县级行政区划`.
    pub fn full_name(&self) -> String {
        let mut parts: Vec<&str> = self
            .ancestors()
            .map(|d| d.name())
            .filter(|n| !is_placeholder(n))
            .collect();
        parts.reverse();
        parts.concat()
    }
}

/// The division tree (decompressed on first use; about 665k nodes).
pub fn divisions() -> &'static Divisions {
    static TABLE: OnceLock<Divisions> = OnceLock::new();
    TABLE.get_or_init(Divisions::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn village_bitmaps_agree_with_the_search_of_the_run() {
        let t = divisions();
        let mut villages = 0;
        for &k in &t.keys {
            assert!(t.index.contains(&t.keys, k), "key {k}");
            villages += usize::from(k % 8 == DivisionLevel::Village as u64);
            // Neighbouring codes at every level (most do not exist), both ways.
            for probe in [k - 8, k + 8, k + 8 * 999, k - (k % 8) + 5, k - (k % 8) + 4] {
                assert_eq!(
                    t.index.contains(&t.keys, probe),
                    t.index.find(&t.keys, probe).is_some(),
                    "key {probe}"
                );
            }
        }
        assert_eq!(villages, 620_573);
        // A village part of a group with no villages, and a group that does not exist.
        assert!(t.get(code("330281")).is_some());
        assert!(!t.contains(code("330281000007")));
        assert!(!t.index.contains(&t.keys, key(code("990101001001"))));
        assert!(t.contains(code("330281001001")) == t.get(code("330281001001")).is_some());
    }

    #[test]
    fn every_level_is_loaded() {
        let t = divisions();
        assert_eq!(t.count(DivisionLevel::Province), 31);
        assert_eq!(t.count(DivisionLevel::City), 342);
        assert_eq!(t.count(DivisionLevel::County), 2_978);
        assert_eq!(t.count(DivisionLevel::Township), 41_352);
        assert_eq!(t.count(DivisionLevel::Village), 620_573);
        assert_eq!(t.len(), 31 + 342 + 2_978 + 41_352 + 620_573);
        assert_eq!(t.provinces().count(), 31);
    }

    #[test]
    fn lookup_parent_and_full_name() {
        let t = divisions();
        let d = t.get(code("330281")).unwrap();
        assert_eq!(d.name(), "余姚市");
        assert_eq!(d.level(), DivisionLevel::County);
        assert_eq!(d.parent().unwrap().name(), "宁波市");
        assert_eq!(d.full_name(), "浙江省宁波市余姚市");
        let street = d.children().find(|c| c.name() == "阳明街道").unwrap();
        assert_eq!(street.full_name(), "浙江省宁波市余姚市阳明街道");
        let village = street.children().next().unwrap();
        assert!(village
            .full_name()
            .starts_with("浙江省宁波市余姚市阳明街道"));
        assert_eq!(village.ancestors().count(), 5);
        assert!(t.get(code("990101")).is_none());
    }

    #[test]
    fn hashed_lookup_agrees_with_binary_search() {
        let t = divisions();
        // Every node is found at its own index.
        for (i, &k) in t.keys.iter().enumerate() {
            assert_eq!(t.index.find(&t.keys, k), Some(i as u32));
        }
        // Codes next to existing ones (mostly absent) agree with a binary search.
        for &k in t.keys.iter().step_by(7) {
            for probe in [
                k - 8,
                k + 8,
                k + 1,
                k + 80,
                k.saturating_sub(800),
                k + 8_000,
                k + 8 * 999,
            ] {
                let expected = t.keys.binary_search(&probe).ok().map(|i| i as u32);
                assert_eq!(t.index.find(&t.keys, probe), expected, "key {probe}");
            }
        }
        assert_eq!(t.index.find(&t.keys, u64::MAX), None);
        assert_eq!(t.index.find(&t.keys, 0), None);
        assert!(!t.contains(code("990101")));
        assert!(t.contains(code("330281")));
    }

    #[test]
    fn placeholders_are_left_out_of_full_names() {
        let d = divisions().get(code("110101")).unwrap();
        assert_eq!(d.parent().unwrap().name(), "市辖区");
        assert_eq!(d.full_name(), "北京市东城区");
    }

    #[test]
    fn subtree_is_contiguous_and_complete() {
        let t = divisions();
        let zj = t.get(code("33")).unwrap();
        let sub: Vec<_> = zj.subtree().collect();
        assert_eq!(sub.len(), zj.subtree_len());
        assert!(sub.iter().all(|d| zj.code().contains(d.code())));
        let villages = sub
            .iter()
            .filter(|d| d.level() == DivisionLevel::Village)
            .count();
        assert_eq!(villages, 25_547);
        let direct: usize = t.children(code("33")).count();
        assert_eq!(direct, zj.children().count());
        assert!(direct >= 11);
    }

    #[test]
    fn children_agree_with_parent_links() {
        let t = divisions();
        for d in t.get(code("4101")).unwrap().subtree() {
            for c in d.children() {
                assert_eq!(c.parent(), Some(d));
                assert_eq!(c.code().parent(), Some(d.code()));
            }
        }
    }
}
