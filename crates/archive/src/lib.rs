//! The signal archive (DESIGN.md, "Storage and scale": raw events archived as Parquet by day).
//!
//! The signal stream keeps messages for a fortnight; the archive keeps them as long as the
//! center decides, in the layout of a simulated city's feed files, so every command that reads
//! feed files reads an archived day — or the whole archive — as it is: `fanzha detect --input`,
//! `fanzha rules test --input`, `fanzha signals publish --input` (replay into another stream).
//!
//! ```text
//! <dir>/<stream>/ARCHIVE.json              how far the stream is archived; each day's figures
//! <dir>/<stream>/2026-12-05/calls.parquet  a complete day: one file per feed, by event time
//! <dir>/<stream>/2026-12-06/calls.118001.parquet   a day being written: one part per flush
//! ```
//!
//! Days are Asia/Shanghai dates of the signals' event times. Signals are buffered and flushed
//! as parts (each in event-time order, named by the first stream sequence of its flush); the
//! state file is replaced after the parts are in place, so on restart parts after its `through`
//! are removed and read again from the stream — each message lands exactly once. A day is
//! compacted into one file per feed once signals two hours past its end are committed
//! (`compact.rs`). One process holds an archive at a time (a file lock).

mod archive;
mod compact;
mod error;
mod files;
mod state;

pub use archive::{Archive, ArchiveOptions, FailPoint, Flushed};
pub use error::ArchiveError;
pub use state::{Day, State, STATE_FILE};

use std::path::Path;

/// The state of the archive of `stream` under `dir`, read without taking the archive (for
/// status pages): `None` when nothing was archived there.
pub fn status(dir: &Path, stream: &str) -> Result<Option<State>, ArchiveError> {
    let root = dir.join(stream);
    if !root.join(STATE_FILE).is_file() {
        return Ok(None);
    }
    State::load(&root, stream).map(Some)
}
