//! Compaction: a complete day's parts (one per flush and feed) merged into one file per feed in
//! event-time order, like the directory `fanzha simulate` writes.
//!
//! Two steps, so a crash between any two file operations loses and doubles nothing: (1) the
//! merged files are written beside the parts as `<stem>.parquet.compact` and synced, then the
//! state records the compaction (`compacting`: the day and the last part it replaces); (2) the
//! merged files are renamed into place, the parts removed and the record cleared. Opening the
//! archive finishes step 2 when the record is there, and removes `.compact` files when not.

use crate::archive::{Archive, FailPoint};
use crate::error::ArchiveError;
use crate::files::{self, main_path, with_suffix, COMPACT};
use crate::state::Compacting;
use fanzha_sim::feed::{merge, parts, SignalFile};
use fanzha_sim::format::{write_signal, Feed, Format};
use fanzha_sim::output::parquet::ParquetFile;
use std::collections::BTreeMap;

impl Archive {
    pub(crate) fn compact(&mut self, day: &str) -> Result<(), ArchiveError> {
        let dir = self.root_of_day(day);
        let mut parts_through = 0;
        let mut rows: BTreeMap<String, u64> = BTreeMap::new();
        let mut bytes = 0;
        for feed in Feed::ALL {
            let main = main_path(&dir, feed.stem());
            let mut inputs = Vec::new();
            if main.is_file() {
                inputs.push(SignalFile::open(&main, feed, Format::Parquet)?);
            }
            for (n, path, format) in parts(&dir, feed.stem()) {
                parts_through = parts_through.max(n);
                inputs.push(SignalFile::open(&path, feed, format)?);
            }
            if inputs.is_empty() {
                continue;
            }
            let out = with_suffix(&main, COMPACT);
            let mut file = ParquetFile::create(&out, feed.columns(), feed.kinds())?;
            let mut n = 0u64;
            for signal in merge(inputs) {
                let signal = signal?;
                file.write(|row| write_signal(row, &signal))?;
                n += 1;
            }
            file.finish()?;
            files::sync_file(&out)?;
            bytes += files::size(&out);
            rows.insert(feed.stem().to_string(), n);
        }
        let state = self.state_mut();
        if let Some(d) = state.days.get_mut(day) {
            if d.rows != rows {
                tracing::warn!(
                    day,
                    recorded = ?d.rows,
                    found = ?rows,
                    "the day's files hold other counts than recorded; the files' counts are kept"
                );
                d.rows = rows;
            }
        }
        state.compacting = Some(Compacting {
            day: day.to_string(),
            parts_through,
            bytes,
        });
        let root = self.root().to_path_buf();
        self.state().save(&root)?;
        self.options().fail(FailPoint::CompactionRecorded)?;
        self.finish_compaction()
    }

    /// Step 2 of a compaction recorded in the state.
    pub(crate) fn finish_compaction(&mut self) -> Result<(), ArchiveError> {
        let Some(c) = self.state().compacting.clone() else {
            return Ok(());
        };
        let dir = self.root_of_day(&c.day);
        for feed in Feed::ALL {
            let main = main_path(&dir, feed.stem());
            let merged = with_suffix(&main, COMPACT);
            if merged.is_file() {
                std::fs::rename(&merged, &main).map_err(ArchiveError::io(&main))?;
            }
            for (n, path, _) in parts(&dir, feed.stem()) {
                if n <= c.parts_through {
                    std::fs::remove_file(&path).map_err(ArchiveError::io(&path))?;
                }
            }
        }
        files::sync_dir(&dir)?;
        let state = self.state_mut();
        if let Some(d) = state.days.get_mut(&c.day) {
            d.parts = 0;
            d.compacted = true;
            d.bytes = c.bytes;
        }
        state.compacting = None;
        let root = self.root().to_path_buf();
        self.state().save(&root)
    }
}
