//! The common tail of every reader: drop in-file duplicates (first occurrence wins), count, and
//! hand batches to the sink.
//!
//! Records arrive in parts (one per parsed chunk, in file order) and leave as one batch per part,
//! so they are never copied between vectors. Duplicate detection is sharded by key: every shard
//! walks all keys in file order but inserts only its own, so first-wins holds and the shards
//! run in parallel.

use crate::batch::{Batch, Records, Sink};
use crate::error::IngestError;
use crate::key_set::KeySet;
use crate::quarantine::{reason, QuarantineEntry};
use crate::record::Record;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Validated rows of one chunk, in file order: records with their raw rows and keys (three
/// parallel vectors), and the rows rejected.
#[derive(Default)]
pub(crate) struct Part<'a> {
    pub records: Vec<Record<'a>>,
    pub raws: Vec<&'a [u8]>,
    pub keys: Vec<u128>,
    pub quarantine: Vec<QuarantineEntry>,
    /// Positions in `records` of in-file duplicates (ascending), left out of the batch.
    pub duplicates: Vec<u32>,
    /// Whether some record holds text of its own (see [`Record::owns_heap`]).
    pub owns_heap: bool,
}

impl<'a> Part<'a> {
    pub fn with_capacity(n: usize) -> Self {
        Part {
            records: Vec::with_capacity(n),
            raws: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            quarantine: Vec::new(),
            duplicates: Vec::new(),
            owns_heap: false,
        }
    }

    /// Takes a validated record whose [`Record::key`] is `key`.
    #[inline]
    pub fn accept(&mut self, record: Record<'a>, key: u128, raw: &'a [u8]) {
        // Asked of the record while it is still in registers: reading it back later, on the
        // thread that drops the batch, would cost a cache miss per record.
        self.owns_heap |= record.owns_heap();
        self.accept_borrowed(record, key, raw);
    }

    /// [`Part::accept`] of a record known to own no memory: one validated from values that
    /// only borrow from the file ([`crate::values::SpanValues`], whose text is never copied).
    #[inline]
    pub fn accept_borrowed(&mut self, record: Record<'a>, key: u128, raw: &'a [u8]) {
        debug_assert_eq!(key, record.key());
        debug_assert!(!record.owns_heap() || self.owns_heap);
        self.keys.push(key);
        self.records.push(record);
        self.raws.push(raw);
    }
}

pub(crate) struct Stage<'s> {
    sink: &'s mut dyn Sink,
    shards: Vec<KeySet>,
    batch_rows: usize,
    pub read: u64,
    pub accepted: u64,
    pub quarantined: u64,
    pub by_reason: BTreeMap<&'static str, u64>,
}

#[inline]
fn shard_of(key: u128, shards: usize) -> usize {
    let mixed = ((key as u64) ^ ((key >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // Multiply-shift instead of a division: the high 32 bits scaled to 0..shards.
    (((mixed >> 32) * shards as u64) >> 32) as usize
}

impl<'s> Stage<'s> {
    /// A stage whose duplicate detection is sharded over the thread pool (for a reader that
    /// hands over a block while the pool is idle).
    pub fn new(sink: &'s mut dyn Sink, batch_rows: usize) -> Self {
        Stage::with_shards(sink, batch_rows, rayon::current_num_threads())
    }

    /// A stage that does all its work on the calling thread (for a reader that hands over a
    /// block while the pool parses the next one: the pool has no idle worker to give it).
    pub fn on_calling_thread(sink: &'s mut dyn Sink, batch_rows: usize) -> Self {
        Stage::with_shards(sink, batch_rows, 1)
    }

    fn with_shards(sink: &'s mut dyn Sink, batch_rows: usize, shards: usize) -> Self {
        let shards = shards.max(1);
        Stage {
            sink,
            shards: (0..shards).map(|_| KeySet::default()).collect(),
            batch_rows: batch_rows.max(1),
            read: 0,
            accepted: 0,
            quarantined: 0,
            by_reason: BTreeMap::new(),
        }
    }

    pub fn progress(&mut self, bytes: u64) {
        self.sink.progress(bytes);
    }

    /// Sizes the duplicate sets for about `rows` more records (a hint: from the file's length
    /// and the rows per byte of its first block), so they do not rehash as they fill.
    pub fn expect_rows(&mut self, rows: u64) {
        let per_shard = usize::try_from(rows / self.shards.len() as u64).unwrap_or(usize::MAX);
        // Bounded: a wrong hint must not allocate without limit (16 M keys ≈ 256 MiB).
        let per_shard = per_shard.min(16 << 20);
        for set in &mut self.shards {
            set.reserve(per_shard);
        }
    }

    /// Takes the parts of one block, in file order.
    pub fn push(&mut self, mut parts: Vec<Part<'_>>) -> Result<(), IngestError> {
        let n_shards = self.shards.len();
        let keys: usize = parts.iter().map(|p| p.keys.len()).sum();
        let find_duplicates = |(s, set): (usize, &mut KeySet)| {
            // Room for this block's share (plus slack for an uneven split).
            set.reserve(keys / n_shards + keys / 8);
            let mut dup = Vec::new();
            for (pi, part) in parts.iter().enumerate() {
                set.insert_all(
                    &part.keys,
                    |k| n_shards == 1 || shard_of(k, n_shards) == s,
                    |i| dup.push((pi as u32, i as u32)),
                );
            }
            dup
        };
        let dups: Vec<Vec<(u32, u32)>> = if n_shards == 1 {
            self.shards
                .iter_mut()
                .enumerate()
                .map(find_duplicates)
                .collect()
        } else {
            self.shards
                .par_iter_mut()
                .enumerate()
                .map(find_duplicates)
                .collect()
        };
        let mut dups: Vec<(u32, u32)> = dups.into_iter().flatten().collect();
        dups.sort_unstable();
        let mut d = 0;
        for (pi, part) in parts.iter_mut().enumerate() {
            let start = d;
            while d < dups.len() && dups[d].0 as usize == pi {
                d += 1;
            }
            if d > start {
                set_duplicates_aside(part, dups[start..d].iter().map(|x| x.1));
            }
        }
        for part in parts {
            self.emit(part)?;
        }
        Ok(())
    }

    fn emit(&mut self, part: Part<'_>) -> Result<(), IngestError> {
        let Part {
            records,
            quarantine,
            duplicates,
            owns_heap,
            ..
        } = part;
        let mut records = Records::skipping(records, duplicates);
        if !owns_heap {
            records.set_borrowed_only();
        }
        self.read += (records.len() + quarantine.len()) as u64;
        self.accepted += records.len() as u64;
        self.quarantined += quarantine.len() as u64;
        for q in &quarantine {
            *self.by_reason.entry(q.reason).or_default() += 1;
        }
        if records.len() <= self.batch_rows {
            if !records.is_empty() || !quarantine.is_empty() {
                self.sink.batch(Batch {
                    records,
                    quarantine,
                })?;
            }
            return Ok(());
        }
        // A part larger than a batch (a chunk joined with its neighbours): split it, each
        // quarantine entry going with the batch whose lines it falls in.
        let mut quarantine = quarantine.into_iter().peekable();
        while !records.is_empty() {
            let rest = if records.len() > self.batch_rows {
                records.split_off(self.batch_rows)
            } else {
                Records::default()
            };
            let next_line = rest.iter().next().map_or(u64::MAX, Record::line);
            let mut q = Vec::new();
            while let Some(e) = quarantine.next_if(|e| e.line < next_line) {
                q.push(e);
            }
            self.sink.batch(Batch {
                records,
                quarantine: q,
            })?;
            records = rest;
        }
        let q: Vec<_> = quarantine.collect();
        if !q.is_empty() {
            self.sink.batch(Batch {
                records: Records::default(),
                quarantine: q,
            })?;
        }
        Ok(())
    }
}

/// Moves the records at `positions` (ascending) to the part's quarantine: they are skipped when
/// the batch is read, not taken out of the vector (see [`Records`]).
fn set_duplicates_aside(part: &mut Part<'_>, positions: impl Iterator<Item = u32>) {
    for i in positions {
        let record = &part.records[i as usize];
        part.quarantine.push(QuarantineEntry::new(
            record.line(),
            Some(record.key_field()),
            reason::DUPLICATE_IN_FILE,
            String::from_utf8_lossy(part.raws[i as usize]),
        ));
        part.duplicates.push(i);
    }
    part.quarantine.sort_by_key(|q| q.line);
}
