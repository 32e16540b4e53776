//! File formats and how to tell them apart.

use crate::error::IngestError;
use serde::Serialize;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated text, UTF-8 or GBK/GB18030 (detected); gzip-compressed when the file
    /// starts with the gzip magic bytes, whatever its name.
    Csv,
    /// Excel workbook; the first sheet is read.
    Xlsx,
    /// One JSON object per line.
    Ndjson,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Ndjson => "ndjson",
        }
    }

    /// From the file name: `.csv`, `.csv.gz`, `.txt`, `.tsv`… → CSV, `.xlsx` → XLSX,
    /// `.ndjson`/`.jsonl` (optionally `.gz`) → NDJSON.
    pub fn from_path(path: &Path) -> Result<Format, IngestError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "csv" | "txt" => Ok(Format::Csv),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "ndjson" | "jsonl" | "json" => Ok(Format::Ndjson),
            _ => Err(IngestError::FormatUnknown {
                path: path.to_path_buf(),
            }),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            other => Err(format!("unknown format {other:?}; use csv, xlsx or ndjson")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            Format::from_path(Path::new("a/人员.CSV")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            Format::from_path(Path::new("a.csv.gz")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            Format::from_path(Path::new("a.xlsx")).unwrap(),
            Format::Xlsx
        );
        assert_eq!(
            Format::from_path(Path::new("a.jsonl.gz")).unwrap(),
            Format::Ndjson
        );
        assert!(Format::from_path(Path::new("a.parquet")).is_err());
        assert!(Format::from_path(Path::new("noext")).is_err());
    }
}
