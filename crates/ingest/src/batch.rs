//! What the readers hand to the consumer: validated records and quarantine entries, a batch at
//! a time, so that no file is ever held as records all at once.

use crate::error::IngestError;
use crate::quarantine::QuarantineEntry;
use crate::record::Record;

/// One batch of a file: the rows accepted (in file order) and the rows rejected.
/// Records borrow text from the reader's buffer; the consumer copies what it keeps.
#[derive(Debug, Default)]
pub struct Batch<'a> {
    pub records: Vec<Record<'a>>,
    pub quarantine: Vec<QuarantineEntry>,
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
