//! File names of the archive and the syncs that make a rename durable.

use crate::error::ArchiveError;
use std::path::{Path, PathBuf};

/// Suffix of a file being written; left over only by a crash, and removed on open.
pub const PARTIAL: &str = "partial";
/// Suffix of a compacted file written but not yet in place.
pub const COMPACT: &str = "compact";

/// `<day>/<stem>.<first sequence>.parquet`: the part of one flush.
pub fn part_path(day_dir: &Path, stem: &str, first_sequence: u64) -> PathBuf {
    day_dir.join(format!("{stem}.{first_sequence}.parquet"))
}

/// `<day>/<stem>.parquet`: a compacted day's one file of a feed.
pub fn main_path(day_dir: &Path, stem: &str) -> PathBuf {
    day_dir.join(format!("{stem}.parquet"))
}

/// `path` with `.suffix` appended.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// Makes the file's contents durable (the Parquet writer does not sync).
pub fn sync_file(path: &Path) -> Result<(), ArchiveError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(ArchiveError::io(path))
}

/// Makes renames and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(ArchiveError::io(dir))
}

pub fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Whether `name` is a part file (`<stem>.<digits>.parquet`), and its sequence.
pub fn part_sequence(name: &str) -> Option<u64> {
    let rest = name.strip_suffix(".parquet")?;
    let (_, n) = rest.rsplit_once('.')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}
