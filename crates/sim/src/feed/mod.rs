//! Readers of a simulated city's output directory, for the other crates (`fanzha detect --input
//! DIR`, evaluation against ground truth).
//!
//! - [`read_signals`] merges every feed file present (`calls.csv`, `sms.ndjson`, …, and the
//!   parts a signal archive writes beside them, `calls.<n>.parquet`) into one stream in
//!   event-time order (ties in feed order: calls, sms, app events, URL visits, transfers, card
//!   openings, national push, number lists); a directory without feed files whose
//!   subdirectories have them (an archive's days) is read as all of them together;
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
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
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

/// The parts of a feed beside its main file: `<stem>.<n>.<ext>` (a signal archive writes one per
/// flush, `n` being the first stream sequence of the flush), in ascending `n`, with `n`.
pub fn parts(dir: &Path, stem: &str) -> Vec<(u64, PathBuf, Format)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, PathBuf, Format)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let rest = name.to_str()?.strip_prefix(stem)?.strip_prefix('.')?;
            let (n, ext) = rest.split_once('.')?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let format = [Format::Csv, Format::Ndjson, Format::Parquet]
                .into_iter()
                .find(|f| f.extension() == ext)?;
            Some((n.parse().ok()?, e.path(), format))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    found
}

/// The feed files of one directory (main files and parts), in feed order.
fn feed_files(dir: &Path) -> Result<Vec<SignalFile>, SimError> {
    let mut files = Vec::new();
    for feed in Feed::ALL {
        let main = locate(dir, feed.stem());
        let parts = parts(dir, feed.stem()).into_iter().map(|(_, p, f)| (p, f));
        for (path, format) in main.into_iter().chain(parts) {
            files.push(SignalFile::open(&path, feed, format)?);
        }
    }
    Ok(files)
}

/// The feed files of several directories, one after the other.
fn files_of(dirs: &[PathBuf]) -> Result<Vec<SignalFile>, SimError> {
    let mut files = Vec::new();
    for dir in dirs {
        files.extend(feed_files(dir)?);
    }
    Ok(files)
}

/// All signals of the directory in event-time order. A directory with no feed files of its own
/// is read through its subdirectories (in name order) that have some — an archive's days.
pub fn read_signals(dir: &Path) -> Result<SignalReader, SimError> {
    let mut files = feed_files(dir)?;
    if files.is_empty() {
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| SimError::Read {
                path: dir.to_path_buf(),
                source,
            })?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        files = files_of(&subdirs)?;
    }
    if files.is_empty() {
        return Err(SimError::NoFeeds(dir.to_path_buf()));
    }
    Ok(SignalReader::new(files))
}

/// All signals of several directories (an archive's days) merged in event-time order.
pub fn read_dirs(dirs: &[PathBuf]) -> Result<SignalReader, SimError> {
    let files = files_of(dirs)?;
    if files.is_empty() {
        return Err(SimError::NoFeeds(dirs.first().cloned().unwrap_or_default()));
    }
    Ok(SignalReader::new(files))
}

/// Signals of several files (each in event-time order) merged by event time; ties go to the
/// earlier file in `files`.
pub fn merge(files: Vec<SignalFile>) -> SignalReader {
    SignalReader::new(files)
}

/// Merges signal files (each in event-time order) by event time; ties go to the file opened
/// first (feed order).
pub struct SignalReader {
    files: Vec<SignalFile>,
    heads: Vec<Option<Signal>>,
    /// (time, file) of every file with a head, earliest first.
    order: BinaryHeap<Reverse<(i64, usize)>>,
    errors: VecDeque<SimError>,
}

impl SignalReader {
    fn new(files: Vec<SignalFile>) -> Self {
        let mut r = SignalReader {
            heads: vec![None; files.len()],
            order: BinaryHeap::with_capacity(files.len()),
            files,
            errors: VecDeque::new(),
        };
        for i in 0..r.files.len() {
            r.refill(i);
        }
        r
    }

    /// Reads the next good row of file `i` into its head, queueing bad rows as errors.
    fn refill(&mut self, i: usize) {
        loop {
            match self.files[i].next() {
                Some(Ok(s)) => {
                    self.order.push(Reverse((s.ts(), i)));
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
        let Reverse((_, i)) = self.order.pop()?;
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
