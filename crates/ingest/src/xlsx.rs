//! XLSX: the first worksheet; its first non-empty row is the header. Numbers are written back
//! as their digits (`13812345678`, not `1.3812345678e10`), dates as `YYYY-MM-DD HH:MM:SS`
//! (read as Asia/Shanghai local time, like any other naive timestamp).

use crate::days::civil_from_days;
use crate::error::IngestError;
use crate::field::RecordKind;
use crate::header::HeaderMap;
use crate::quarantine::reason;
use crate::stage::Stage;
use crate::table_rows::{validate_rows, OwnedRow};
use crate::validate::Validator;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;

pub(crate) fn read_xlsx(
    path: &Path,
    bytes: Vec<u8>,
    kind: RecordKind,
    batch_rows: usize,
    stage: &mut Stage<'_>,
) -> Result<Vec<String>, IngestError> {
    let workbook_err = |message: String| IngestError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| workbook_err(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| workbook_err("the workbook has no worksheet".into()))?
        .map_err(|e| workbook_err(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
    let mut rows = range.rows().enumerate();
    // Header: the first row with any non-empty cell.
    let (header_index, header) = loop {
        match rows.next() {
            None => return Err(IngestError::HeaderAbsent),
            Some((i, cells)) => {
                let texts: Vec<String> = cells.iter().map(cell_text).collect();
                if texts.iter().any(|t| !t.trim().is_empty()) {
                    break (i, texts);
                }
            }
        }
    };
    let _ = header_index;
    // Trailing empty header cells are not columns.
    let width = header
        .iter()
        .rposition(|t| !t.trim().is_empty())
        .map_or(0, |p| p + 1);
    let header_map = HeaderMap::new(kind, &header[..width])?;
    let ignored = header_map.ignored().to_vec();
    let validator = Validator::new(header_map);
    let mut batch: Vec<OwnedRow> = Vec::with_capacity(batch_rows);
    for (i, cells) in rows {
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        if texts.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        let line = first_row + i as u64 + 1;
        let raw = texts.join(",");
        let cells = if texts[width.min(texts.len())..]
            .iter()
            .any(|t| !t.trim().is_empty())
        {
            Err((None, reason::WRONG_FIELD_COUNT))
        } else {
            Ok(validator
                .mapped()
                .iter()
                .map(|&(f, c)| (f, texts.get(c).cloned().unwrap_or_default()))
                .collect())
        };
        batch.push(OwnedRow { line, raw, cells });
        if batch.len() >= batch_rows {
            let part = validate_rows(&batch, &validator);
            stage.push(vec![part])?;
            batch.clear();
        }
    }
    let part = validate_rows(&batch, &validator);
    stage.push(vec![part])?;
    Ok(ignored)
}

pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e18 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30, fraction = time of day) as
/// `YYYY-MM-DD HH:MM:SS`.
fn excel_serial_text(serial: f64) -> String {
    let total_secs = (serial * 86_400.0).round() as i64;
    let days = total_secs.div_euclid(86_400);
    let secs = total_secs.rem_euclid(86_400);
    // 1899-12-30 is day -25,569 of the Unix epoch.
    let (y, m, d) = civil_from_days(days - 25_569);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_local_timestamps() {
        assert_eq!(excel_serial_text(45_292.5), "2024-01-01 12:00:00");
        assert_eq!(excel_serial_text(1.0), "1899-12-31 00:00:00");
    }

    #[test]
    fn whole_numbers_keep_their_digits() {
        assert_eq!(cell_text(&Data::Float(13812345678.0)), "13812345678");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
    }
}
