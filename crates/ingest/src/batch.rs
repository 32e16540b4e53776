//! What the readers hand to the consumer: validated records and quarantine entries, a batch at
//! a time, so that no file is ever held as records all at once.

use crate::error::IngestError;
use crate::quarantine::QuarantineEntry;
use crate::record::Record;

/// One batch of a file: the rows accepted (in file order) and the rows rejected.
/// Records borrow text from the reader's buffer; the consumer copies what it keeps.
#[derive(Debug, Default)]
pub struct Batch<'a> {
    pub records: Records<'a>,
    pub quarantine: Vec<QuarantineEntry>,
}

/// The accepted records of a batch, in file order.
///
/// Rows found to repeat an earlier row's key after they were parsed stay in the vector the
/// parser filled and are skipped when the records are read: taking them out would move every
/// record behind them (about 180 bytes each), once per chunk that holds a duplicate.
#[derive(Debug, Default)]
pub struct Records<'a> {
    all: Vec<Record<'a>>,
    /// Positions in `all` left out, ascending.
    skipped: Vec<u32>,
    /// No record in `all` owns memory (all text borrowed): dropping them is a no-op, so the
    /// vector is freed without visiting them (see the `Drop` impl).
    borrowed_only: bool,
}

impl<'a> Records<'a> {
    /// `all` without the records at `skipped` (positions, ascending).
    pub(crate) fn skipping(all: Vec<Record<'a>>, skipped: Vec<u32>) -> Self {
        debug_assert!(skipped.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(skipped.last().is_none_or(|&i| (i as usize) < all.len()));
        Records {
            all,
            skipped,
            borrowed_only: false,
        }
    }

    /// Marks the records as owning no memory (the reader tracked it as it accepted them).
    pub(crate) fn set_borrowed_only(&mut self) {
        debug_assert!(!self.all.iter().any(Record::owns_heap));
        self.borrowed_only = true;
    }

    pub fn len(&self) -> usize {
        self.all.len() - self.skipped.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Record<'a>> + '_ {
        let mut skipped = self.skipped.iter().copied().peekable();
        self.all
            .iter()
            .enumerate()
            .filter(move |(i, _)| skipped.next_if_eq(&(*i as u32)).is_none())
            .map(|(_, r)| r)
    }

    /// Splits off the records from the `at`-th one kept (the first `at` stay here).
    pub(crate) fn split_off(&mut self, at: usize) -> Records<'a> {
        let mut kept = 0;
        let mut cut = self.all.len();
        let mut s = 0;
        for i in 0..self.all.len() {
            if s < self.skipped.len() && self.skipped[s] as usize == i {
                s += 1;
                continue;
            }
            if kept == at {
                cut = i;
                break;
            }
            kept += 1;
        }
        let rest_all = self.all.split_off(cut);
        let rest_skipped = self.skipped.split_off(s);
        let rest_skipped = rest_skipped.into_iter().map(|i| i - cut as u32).collect();
        let mut rest = Records::skipping(rest_all, rest_skipped);
        rest.borrowed_only = self.borrowed_only;
        rest
    }
}

impl Drop for Records<'_> {
    /// Frees the records without reading them when none owns memory. A batch's records were
    /// written by a parser thread and are dropped on another core: visiting each one to find
    /// nothing to free cost a cache miss per record (about 5 % of an import's CPU).
    fn drop(&mut self) {
        if self.borrowed_only {
            // SAFETY: shortening a vector never exposes uninitialised elements; the records
            // cut off are not dropped, which is sound for any type and, as none owns memory
            // (`borrowed_only`), leaks nothing.
            unsafe { self.all.set_len(0) };
        }
    }
}

impl<'a> From<Vec<Record<'a>>> for Records<'a> {
    fn from(all: Vec<Record<'a>>) -> Self {
        Records {
            all,
            skipped: Vec::new(),
            borrowed_only: false,
        }
    }
}

impl<'a> IntoIterator for Records<'a> {
    type Item = Record<'a>;
    type IntoIter = RecordsIntoIter<'a>;

    fn into_iter(mut self) -> RecordsIntoIter<'a> {
        // Taken out, not moved out (`Records` has a destructor); the iterator drops what it
        // does not hand out, one by one.
        RecordsIntoIter {
            all: std::mem::take(&mut self.all).into_iter(),
            at: 0,
            skipped: std::mem::take(&mut self.skipped).into_iter(),
            next_skipped: None,
        }
    }
}

/// The records of a [`Records`], by value, in file order.
pub struct RecordsIntoIter<'a> {
    all: std::vec::IntoIter<Record<'a>>,
    at: u32,
    skipped: std::vec::IntoIter<u32>,
    next_skipped: Option<u32>,
}

impl<'a> Iterator for RecordsIntoIter<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            let record = self.all.next()?;
            let at = self.at;
            self.at += 1;
            let skip = *self
                .next_skipped
                .get_or_insert_with(|| self.skipped.next().unwrap_or(u32::MAX));
            if skip == at {
                self.next_skipped = None;
                continue;
            }
            return Some(record);
        }
    }
}

/// The consumer of an import (the store, a counter in benchmarks, a collector in tests).
pub trait Sink {
    /// Takes one batch; an error stops the import.
    fn batch(&mut self, batch: Batch<'_>) -> Result<(), IngestError>;

    /// Bytes of the file read so far (for a progress bar). Called between batches.
    fn progress(&mut self, _bytes_read: u64) {}
}

/// A sink that only counts (for benchmarks and dry runs).
#[derive(Debug, Default)]
pub struct CountingSink {
    pub records: u64,
    pub quarantined: u64,
}

impl Sink for CountingSink {
    fn batch(&mut self, batch: Batch<'_>) -> Result<(), IngestError> {
        self.records += batch.records.len() as u64;
        self.quarantined += batch.quarantine.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::PhoneRecord;
    use fanzha_core::PhoneNumber;

    fn record(line: u64) -> Record<'static> {
        Record::Phone(PhoneRecord {
            line,
            phone: PhoneNumber::parse("13800138000").expect("valid"),
            owner: None,
            opened_at: None,
        })
    }

    fn lines<'a>(r: impl IntoIterator<Item = Record<'a>>) -> Vec<u64> {
        r.into_iter().map(|r| r.line()).collect()
    }

    proptest::proptest! {
        #[test]
        fn skipped_records_are_never_read_and_splitting_keeps_the_order(
            n in 0usize..40,
            skip in proptest::collection::btree_set(0u32..40, 0..20),
            at in 0usize..45,
        ) {
            let all: Vec<Record> = (0..n as u64).map(record).collect();
            let skipped: Vec<u32> = skip.into_iter().filter(|&i| (i as usize) < n).collect();
            let expected: Vec<u64> = (0..n as u64).filter(|i| !skipped.contains(&(*i as u32))).collect();
            let records = Records::skipping(all.clone(), skipped.clone());
            proptest::prop_assert_eq!(records.len(), expected.len());
            proptest::prop_assert_eq!(records.iter().map(Record::line).collect::<Vec<_>>(), expected.clone());
            proptest::prop_assert_eq!(lines(records), expected.clone());

            let mut head = Records::skipping(all, skipped);
            let tail = head.split_off(at);
            let cut = at.min(expected.len());
            proptest::prop_assert_eq!(head.len(), cut);
            proptest::prop_assert_eq!(lines(head), expected[..cut].to_vec());
            proptest::prop_assert_eq!(lines(tail), expected[cut..].to_vec());
        }
    }
}
