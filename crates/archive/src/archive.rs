//! The archive of one stream: signals buffered by day, flushed as one Parquet part per feed and
//! day, the state committed after the parts, days compacted once they are complete.

use crate::error::ArchiveError;
use crate::files::{self, part_path, with_suffix, COMPACT, PARTIAL};
use crate::state::{Day, State};
use chrono::NaiveDate;
use fanzha_core::event::{EpochMs, Signal};
use fanzha_core::time::shanghai_date;
use fanzha_sim::format::{write_signal, Feed};
use fanzha_sim::output::parquet::ParquetFile;
use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// When to flush, compact and forget.
#[derive(Clone, Debug)]
pub struct ArchiveOptions {
    /// Signals buffered before a flush is due ([`Archive::flush_due`]).
    pub flush_rows: usize,
    /// A day is compacted once signals this much later than its end are committed (late
    /// signals after that still land, as a new part of the day).
    pub grace_ms: i64,
    /// Days older than this many days before today are deleted (`None`: kept).
    pub keep_days: Option<u32>,
    /// Fails on purpose at this step, as a crash would stop there (recovery tests).
    #[doc(hidden)]
    pub fail_at: Option<FailPoint>,
}

/// Steps at which [`ArchiveOptions::fail_at`] stops a flush.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailPoint {
    /// The parts are in place, the state not yet saved.
    PartsWritten,
    /// A compaction's merged files are written and recorded, not yet renamed.
    CompactionRecorded,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            flush_rows: 500_000,
            grace_ms: 2 * 3_600_000,
            keep_days: None,
            fail_at: None,
        }
    }
}

impl ArchiveOptions {
    pub(crate) fn fail(&self, at: FailPoint) -> Result<(), ArchiveError> {
        if self.fail_at == Some(at) {
            return Err(ArchiveError::Io {
                path: PathBuf::from(format!("{at:?}")),
                source: std::io::Error::other("stopped here on purpose"),
            });
        }
        Ok(())
    }
}

/// What one flush did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Signals written.
    pub signals: u64,
    /// Part files written.
    pub files: u32,
    /// Days compacted into one file per feed.
    pub compacted: Vec<String>,
    /// Days deleted (older than `keep_days`).
    pub pruned: Vec<String>,
}

/// The archive directory of one stream (`<dir>/<stream>/`), held by this process alone.
pub struct Archive {
    root: PathBuf,
    /// Held open: the lock lasts as long as the archive.
    _lock: File,
    state: State,
    options: ArchiveOptions,
    pending: BTreeMap<NaiveDate, Vec<Signal>>,
    pending_through: u64,
    buffered: usize,
}

impl Archive {
    /// Opens (or creates) the archive of `stream` under `dir`, takes its lock, and puts it back
    /// in order after a crash: a compaction half done is finished, files of a flush that was
    /// not committed are removed.
    pub fn open(
        dir: &Path,
        stream: &str,
        options: ArchiveOptions,
    ) -> Result<Archive, ArchiveError> {
        let root = dir.join(stream);
        std::fs::create_dir_all(&root).map_err(ArchiveError::io(&root))?;
        let lock_path = root.join(".lock");
        let lock = File::create(&lock_path).map_err(ArchiveError::io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(ArchiveError::Locked(root)),
            Err(TryLockError::Error(e)) => return Err(ArchiveError::io(&lock_path)(e)),
        }
        let state = State::load(&root, stream)?;
        let mut archive = Archive {
            pending_through: state.through,
            root,
            _lock: lock,
            state,
            options,
            pending: BTreeMap::new(),
            buffered: 0,
        };
        archive.recover()?;
        Ok(archive)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Every message up to this sequence is in the archive's committed files.
    pub fn through(&self) -> u64 {
        self.state.through
    }

    /// Signals waiting for the next flush.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Whether messages were taken since the last flush (signals, or rejected messages only).
    pub fn dirty(&self) -> bool {
        self.pending_through != self.state.through
    }

    pub fn flush_due(&self) -> bool {
        self.buffered >= self.options.flush_rows
    }

    /// Takes the signal of stream message `sequence`. A sequence at or before one already taken
    /// (a stream read again after a reconnect) is ignored: `false`.
    pub fn push(&mut self, sequence: u64, signal: &Signal) -> bool {
        if sequence <= self.pending_through {
            return false;
        }
        self.pending_through = sequence;
        // Times the codec accepts are always dates; a signal without one is not archived.
        let Some(day) = shanghai_date(signal.ts()) else {
            return false;
        };
        self.pending.entry(day).or_default().push(signal.clone());
        self.buffered += 1;
        true
    }

    /// Passes over message `sequence`, which is not a signal (it stays in the stream and in
    /// detection's quarantine, not in the archive).
    pub fn skip(&mut self, sequence: u64) {
        self.pending_through = self.pending_through.max(sequence);
    }

    /// Writes what is buffered, commits it, then compacts the days that are complete and
    /// deletes those past `keep_days` (`today`: the date the retention counts from).
    ///
    /// On an error the buffered signals are dropped and the state stays as last committed:
    /// open the archive again and read the stream again from [`Archive::through`].
    pub fn flush(&mut self, today: NaiveDate) -> Result<Flushed, ArchiveError> {
        let mut flushed = Flushed::default();
        if self.dirty() {
            // Figures go into a copy, committed only once every part is in place.
            let mut next = self.state.clone();
            let first = next.through + 1;
            let pending = std::mem::take(&mut self.pending);
            self.buffered = 0;
            for (day, mut signals) in pending {
                // In event-time order within the part: readers merge parts by time.
                signals.sort_by_key(Signal::ts);
                flushed.files += write_part(&self.root, &mut next, day, first, &signals)?;
                flushed.signals += signals.len() as u64;
                let max_ts = signals.last().map_or(i64::MIN, Signal::ts);
                next.watermark_ms = next.watermark_ms.max(max_ts);
            }
            files::sync_dir(&self.root)?;
            self.options.fail(FailPoint::PartsWritten)?;
            next.through = self.pending_through;
            next.save(&self.root)?;
            self.state = next;
        }
        for day in self.complete_days() {
            self.compact(&day)?;
            flushed.compacted.push(day);
        }
        flushed.pruned = self.prune(today)?;
        Ok(flushed)
    }

    /// Days with parts whose end lies `grace_ms` before the newest committed signal.
    fn complete_days(&self) -> Vec<String> {
        self.state
            .days
            .iter()
            .filter(|(name, day)| {
                day.parts > 0
                    && day_end(name).is_some_and(|end| {
                        end.saturating_add(self.options.grace_ms) <= self.state.watermark_ms
                    })
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Deletes the days before `today − keep_days`.
    fn prune(&mut self, today: NaiveDate) -> Result<Vec<String>, ArchiveError> {
        let Some(keep) = self.options.keep_days else {
            return Ok(Vec::new());
        };
        let cutoff = (today - chrono::Days::new(u64::from(keep)))
            .format("%Y-%m-%d")
            .to_string();
        let old: Vec<String> = self
            .state
            .days
            .keys()
            .filter(|d| d.as_str() < cutoff.as_str())
            .cloned()
            .collect();
        for day in &old {
            let dir = self.root.join(day);
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ArchiveError::io(&dir)(e)),
            }
            self.state.days.remove(day);
        }
        if !old.is_empty() {
            files::sync_dir(&self.root)?;
            self.state.save(&self.root)?;
        }
        Ok(old)
    }

    /// After a crash: finishes a compaction whose files were all written, and removes what an
    /// uncommitted flush or compaction left (partial files, parts after `through`).
    fn recover(&mut self) -> Result<(), ArchiveError> {
        if let Some(c) = self.state.compacting.clone() {
            tracing::info!(day = c.day, "finishing a compaction a stop interrupted");
            self.finish_compaction()?;
        }
        let entries = std::fs::read_dir(&self.root).map_err(ArchiveError::io(&self.root))?;
        for entry in entries.flatten() {
            let dir = entry.path();
            if !dir.is_dir() {
                continue;
            }
            let mut removed = false;
            for f in std::fs::read_dir(&dir)
                .map_err(ArchiveError::io(&dir))?
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                let leftover = name.ends_with(&format!(".{PARTIAL}"))
                    || name.ends_with(&format!(".{COMPACT}"))
                    || files::part_sequence(&name).is_some_and(|n| n > self.state.through);
                if leftover {
                    std::fs::remove_file(f.path()).map_err(ArchiveError::io(&f.path()))?;
                    removed = true;
                }
            }
            if removed {
                tracing::info!(day = %dir.display(), "removed files of a flush that was not committed");
                files::sync_dir(&dir)?;
            }
        }
        Ok(())
    }

    pub(crate) fn root_of_day(&self, day: &str) -> PathBuf {
        self.root.join(day)
    }

    pub(crate) fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// Sets the step at which the next flushes stop on purpose (recovery tests).
    #[doc(hidden)]
    pub fn set_fail_at(&mut self, at: Option<FailPoint>) {
        self.options.fail_at = at;
    }

    pub(crate) fn options(&self) -> &ArchiveOptions {
        &self.options
    }
}

/// Writes one day's signals of one flush, one part per feed; returns the files written.
fn write_part(
    root: &Path,
    state: &mut State,
    day: NaiveDate,
    first: u64,
    signals: &[Signal],
) -> Result<u32, ArchiveError> {
    let name = day.format("%Y-%m-%d").to_string();
    let dir = root.join(&name);
    std::fs::create_dir_all(&dir).map_err(ArchiveError::io(&dir))?;
    let mut open: Vec<Option<ParquetFile>> = (0..Feed::ALL.len()).map(|_| None).collect();
    let mut rows = [0u64; 8];
    for s in signals {
        let feed = Feed::of(s);
        let slot = &mut open[feed.index()];
        if slot.is_none() {
            let path = with_suffix(&part_path(&dir, feed.stem(), first), PARTIAL);
            *slot = Some(ParquetFile::create(&path, feed.columns(), feed.kinds())?);
        }
        slot.as_mut()
            .expect("opened above")
            .write(|row| write_signal(row, s))?;
        rows[feed.index()] += 1;
    }
    let entry = state.days.entry(name).or_insert_with(|| Day {
        first_ms: i64::MAX,
        last_ms: i64::MIN,
        ..Day::default()
    });
    let mut written = 0;
    for (feed, file) in Feed::ALL.iter().zip(open) {
        let Some(file) = file else { continue };
        file.finish()?;
        let final_path = part_path(&dir, feed.stem(), first);
        let partial = with_suffix(&final_path, PARTIAL);
        files::sync_file(&partial)?;
        std::fs::rename(&partial, &final_path).map_err(ArchiveError::io(&final_path))?;
        *entry.rows.entry(feed.stem().to_string()).or_default() += rows[feed.index()];
        entry.bytes += files::size(&final_path);
        entry.parts += 1;
        written += 1;
    }
    entry.compacted = false;
    entry.first_ms = entry
        .first_ms
        .min(signals.first().map_or(i64::MAX, Signal::ts));
    entry.last_ms = entry
        .last_ms
        .max(signals.last().map_or(i64::MIN, Signal::ts));
    files::sync_dir(&dir)?;
    Ok(written)
}

/// The end of a day named `YYYY-MM-DD` (Asia/Shanghai midnight after it), epoch ms.
pub(crate) fn day_end(name: &str) -> Option<EpochMs> {
    let date = NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()?;
    fanzha_core::time::shanghai_midnight(date.succ_opt()?).ok()
}
