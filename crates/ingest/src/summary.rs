//! What an import did, in figures.

use crate::field::RecordKind;
use crate::format::Format;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Clone, Debug, Serialize)]
pub struct ImportSummary {
    pub kind: RecordKind,
    pub format: Format,
    /// `UTF-8`, `GBK`, `gb18030` … (`UTF-8` for XLSX and NDJSON).
    pub encoding: String,
    pub gzip: bool,
    /// Hex digest (XXH3-128) of the file's bytes as stored on disk: the import's identity.
    pub content_hash: String,
    pub bytes: u64,
    /// Data rows read (blank lines and the header are not rows).
    pub read: u64,
    pub accepted: u64,
    pub quarantined: u64,
    pub by_reason: BTreeMap<&'static str, u64>,
    /// Header names that matched no field of this record kind.
    pub ignored_columns: Vec<String>,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl ImportSummary {
    pub fn rows_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.read as f64 / s
        } else {
            0.0
        }
    }
}
