//! Readers of a simulated city's output directory, for the other crates (`fanzha detect --input
//! DIR`, evaluation against ground truth).
//!
//! - [`read_signals`] merges every feed file present (`calls.csv`, `sms.ndjson`, …) into one
//!   stream in event-time order (ties in feed order: calls, sms, app events, URL visits,
//!   transfers, card openings, national push, number lists);
//! - [`read_table`] and the shorthands read `people`, `phones`, `accounts` and `truth/…`.
//!
//! A bad row is returned as an error carrying the file and line and the stream goes on with the
//! next row; the caller decides whether to stop.

mod signal_file;
mod table_file;

pub use signal_file::SignalFile;
pub(crate) use table_file::column_positions;
pub use table_file::read_table;

use crate::error::SimError;
use crate::format::{Feed, Format};
use crate::records::{AccountRecord, Person, PhoneRecord};
use crate::truth::Truth;
use fanzha_core::event::Signal;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// The file of a feed or table in `dir`, in whichever format is present (CSV, then NDJSON,
/// then Parquet).
pub fn locate(dir: &Path, stem: &str) -> Option<(PathBuf, Format)> {
    [Format::Csv, Format::Ndjson, Format::Parquet]
        .into_iter()
        .find_map(|f| {
            let p = dir.join(format!("{stem}.{}", f.extension()));
            p.is_file().then_some((p, f))
        })
}

/// All signals of the directory in event-time order.
pub fn read_signals(dir: &Path) -> Result<SignalReader, SimError> {
    let mut files = Vec::new();
    for feed in Feed::ALL {
        if let Some((path, format)) = locate(dir, feed.stem()) {
            files.push(SignalFile::open(&path, feed, format)?);
        }
    }
    if files.is_empty() {
        return Err(SimError::NoFeeds(dir.to_path_buf()));
    }
    SignalReader::new(files)
}

/// Merges per-feed signal files by event time.
pub struct SignalReader {
    files: Vec<SignalFile>,
    heads: Vec<Option<Signal>>,
    errors: VecDeque<SimError>,
}

impl SignalReader {
    fn new(files: Vec<SignalFile>) -> Result<Self, SimError> {
        let mut r = SignalReader {
            heads: vec![None; files.len()],
            files,
            errors: VecDeque::new(),
        };
        for i in 0..r.files.len() {
            r.refill(i);
        }
        Ok(r)
    }

    /// Reads the next good row of file `i` into its head, queueing bad rows as errors.
    fn refill(&mut self, i: usize) {
        loop {
            match self.files[i].next() {
                Some(Ok(s)) => {
                    self.heads[i] = Some(s);
                    return;
                }
                Some(Err(e)) => self.errors.push_back(e),
                None => {
                    self.heads[i] = None;
                    return;
                }
            }
        }
    }
}

impl Iterator for SignalReader {
    type Item = Result<Signal, SimError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.errors.pop_front() {
            return Some(Err(e));
        }
        // Linear scan: there are at most eight feeds.
        let mut best: Option<(usize, i64)> = None;
        for (i, h) in self.heads.iter().enumerate() {
            if let Some(s) = h {
                if best.is_none_or(|(_, ts)| s.ts() < ts) {
                    best = Some((i, s.ts()));
                }
            }
        }
        let (i, _) = best?;
        let signal = self.heads[i].take();
        self.refill(i);
        signal.map(Ok)
    }
}

pub fn read_people(dir: &Path) -> Result<Vec<Person>, SimError> {
    read_table(dir)
}

pub fn read_phones(dir: &Path) -> Result<Vec<PhoneRecord>, SimError> {
    read_table(dir)
}

pub fn read_accounts(dir: &Path) -> Result<Vec<AccountRecord>, SimError> {
    read_table(dir)
}

/// All four truth tables of the directory.
pub fn read_truth(dir: &Path) -> Result<Truth, SimError> {
    Ok(Truth {
        victims: read_table(dir)?,
        fraud_numbers: read_table(dir)?,
        mule_accounts: read_table(dir)?,
        card_sellers: read_table(dir)?,
    })
}
