//! Reading one reference or truth table (CSV, NDJSON or Parquet) into records.

use super::locate;
use crate::error::SimError;
use crate::format::Format;
use crate::tables::Table;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Reads the table `T` from `dir` (CSV if present, else NDJSON, else Parquet).
pub fn read_table<T: Table>(dir: &Path) -> Result<Vec<T>, SimError> {
    let Some((path, format)) = locate(dir, T::NAME) else {
        return Err(SimError::Read {
            path: dir.join(format!("{}.csv", T::NAME)),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    };
    let file = File::open(&path).map_err(|source| SimError::Read {
        path: path.clone(),
        source,
    })?;
    let row_err = |line: u64, reason: String| SimError::Row {
        path: path.clone(),
        line,
        reason,
    };
    let mut out = Vec::new();
    match format {
        Format::Parquet => {
            let mut rows = crate::output::parquet::ParquetRows::open(&path, T::COLUMNS)?;
            let mut line = 0;
            while let Some(values) = rows.next_row() {
                line += 1;
                let values = values.map_err(|r| row_err(line, r))?;
                let texts: Vec<&str> = values
                    .iter()
                    .map(|v| std::str::from_utf8(v).unwrap_or("\u{fffd}"))
                    .collect();
                out.push(T::decode(&texts).map_err(|r| row_err(line, r))?);
            }
        }
        Format::Csv => {
            let mut rdr = csv::Reader::from_reader(BufReader::new(file));
            let headers = rdr
                .headers()
                .map_err(|e| row_err(1, e.to_string()))?
                .clone();
            let idx = column_positions(T::COLUMNS, headers.iter()).map_err(|r| row_err(1, r))?;
            for (n, rec) in rdr.records().enumerate() {
                let line = n as u64 + 2;
                let rec = rec.map_err(|e| row_err(line, e.to_string()))?;
                let values: Vec<&str> = idx.iter().map(|&i| rec.get(i).unwrap_or("")).collect();
                out.push(T::decode(&values).map_err(|r| row_err(line, r))?);
            }
        }
        Format::Ndjson => {
            for (n, line) in BufReader::new(file).lines().enumerate() {
                let line_no = n as u64 + 1;
                let line = line.map_err(|source| SimError::Read {
                    path: path.clone(),
                    source,
                })?;
                if line.trim().is_empty() {
                    continue;
                }
                let obj: serde_json::Map<String, Value> =
                    serde_json::from_str(&line).map_err(|e| row_err(line_no, e.to_string()))?;
                let texts: Vec<String> = T::COLUMNS
                    .iter()
                    .map(|c| match obj.get(*c) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Bool(b)) => (if *b { "1" } else { "0" }).to_string(),
                        Some(v) => v.to_string(),
                    })
                    .collect();
                let values: Vec<&str> = texts.iter().map(String::as_str).collect();
                out.push(T::decode(&values).map_err(|r| row_err(line_no, r))?);
            }
        }
    }
    Ok(out)
}

/// Position of each wanted column in the header; every one must be present.
pub(crate) fn column_positions<'a>(
    wanted: &[&str],
    header: impl Iterator<Item = &'a str>,
) -> Result<Vec<usize>, String> {
    let header: Vec<&str> = header.map(|h| h.trim_start_matches('\u{feff}')).collect();
    wanted
        .iter()
        .map(|w| {
            header
                .iter()
                .position(|h| h == w)
                .ok_or_else(|| format!("header lacks column {w:?}"))
        })
        .collect()
}
