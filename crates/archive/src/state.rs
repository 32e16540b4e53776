//! `ARCHIVE.json`: how far the archive covers the stream and what each day holds. Written whole
//! to a temporary file, synced and renamed over the old one, so a crash leaves either state.

use crate::error::ArchiveError;
use crate::files::sync_dir;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub const STATE_FILE: &str = "ARCHIVE.json";
const FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub format: u32,
    pub stream: String,
    /// Every message up to this stream sequence is in a committed file (0: none yet).
    pub through: u64,
    /// The latest event time committed (epoch ms): days ending well before it are complete.
    pub watermark_ms: i64,
    /// By Asia/Shanghai date (`YYYY-MM-DD`).
    pub days: BTreeMap<String, Day>,
    /// A compaction between its two steps (see `compact.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compacting: Option<Compacting>,
}

/// What one day's directory holds.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Day {
    /// Signals per feed (file stem: `calls`, `sms`, …).
    pub rows: BTreeMap<String, u64>,
    /// Part files written since the day was last compacted into one file per feed.
    pub parts: u32,
    /// Bytes of the day's files.
    pub bytes: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Whether the day is one file per feed (no parts waiting).
    pub compacted: bool,
}

impl Day {
    pub fn signals(&self) -> u64 {
        self.rows.values().sum()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Compacting {
    pub day: String,
    /// Parts named up to this sequence are replaced by the compacted files.
    pub parts_through: u64,
    /// The day's figures once compacted.
    pub bytes: u64,
}

impl State {
    pub fn new(stream: &str) -> State {
        State {
            format: FORMAT,
            stream: stream.to_string(),
            ..State::default()
        }
    }

    /// The state in `root`, or a new one when the archive is new.
    pub fn load(root: &Path, stream: &str) -> Result<State, ArchiveError> {
        let path = root.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::new(stream)),
            Err(e) => return Err(ArchiveError::io(&path)(e)),
        };
        let damaged = |detail: String| ArchiveError::Damaged {
            path: path.clone(),
            detail,
        };
        let state: State = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
        if state.format != FORMAT {
            return Err(damaged(format!(
                "format {} (this build reads format {FORMAT})",
                state.format
            )));
        }
        if state.stream != stream {
            return Err(damaged(format!(
                "it archives stream {}, not {stream}",
                state.stream
            )));
        }
        Ok(state)
    }

    pub fn save(&self, root: &Path) -> Result<(), ArchiveError> {
        let path = root.join(STATE_FILE);
        let tmp = root.join(format!("{STATE_FILE}.tmp"));
        let body = serde_json::to_vec_pretty(self).expect("the state serialises");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(ArchiveError::io(&path))?;
        sync_dir(root)
    }
}
