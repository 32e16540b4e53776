//! Bank transfer extracts: CSV (UTF-8 or GBK, optionally gzip) and spreadsheets (XLSX, XLS),
//! header mapped through [`Columns`]. Rows that cannot be read are kept with line and reason.

use super::columns::{Columns, Field};
use super::parse::{amount_fen, excel_serial_ms, time_ms, RowError};
use super::IoError;
use crate::book::RawTransfer;
use calamine::{open_workbook_auto, Data, Reader};
use fanzha_core::event::TransferChannel;
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A row that was not taken in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub file: PathBuf,
    /// 1-based line (CSV) or row (spreadsheet), header included.
    pub line: usize,
    pub reason: &'static str,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct Extract {
    pub transfers: Vec<RawTransfer>,
    pub rejected: Vec<Rejected>,
}

/// A cell as read: text, or a spreadsheet number (time serial, amount).
enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Cell::Number(f) => format!("{f:.2}"),
        }
    }
}

pub fn read_extract(path: &Path, columns: &Columns) -> Result<Extract, IoError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let rows = if name.ends_with(".csv") || name.ends_with(".csv.gz") || name.ends_with(".txt") {
        csv_rows(path, name.ends_with(".gz"))?
    } else if name.ends_with(".xlsx") || name.ends_with(".xls") || name.ends_with(".xlsm") {
        sheet_rows(path)?
    } else {
        return Err(IoError::Format {
            path: path.to_path_buf(),
        });
    };
    rows_to_transfers(path, rows, columns)
}

fn csv_rows(path: &Path, gz: bool) -> Result<Vec<Vec<Cell>>, IoError> {
    let read_err = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let raw = std::fs::read(path).map_err(read_err)?;
    let bytes = if gz {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(read_err)?;
        out
    } else {
        raw
    };
    // Extracts from Chinese banks are often GBK.
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::GBK.decode(e.as_bytes()).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|source| IoError::Csv {
            path: path.to_path_buf(),
            source,
        })?;
        rows.push(rec.iter().map(|c| Cell::Text(c.to_string())).collect());
    }
    Ok(rows)
}

fn sheet_rows(path: &Path) -> Result<Vec<Vec<Cell>>, IoError> {
    let sheet_err = |message: String| IoError::Sheet {
        path: path.to_path_buf(),
        message,
    };
    let mut wb = open_workbook_auto(path).map_err(|e| sheet_err(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| sheet_err("no worksheet".into()))?
        .map_err(|e| sheet_err(e.to_string()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::Float(f) => Cell::Number(*f),
                    Data::DateTime(d) => Cell::Number(d.as_f64()),
                    Data::Empty => Cell::Text(String::new()),
                    other => Cell::Text(other.to_string()),
                })
                .collect()
        })
        .collect())
}

fn rows_to_transfers(
    path: &Path,
    rows: Vec<Vec<Cell>>,
    columns: &Columns,
) -> Result<Extract, IoError> {
    let mut it = rows.into_iter().enumerate();
    let Some((_, header)) = it.next() else {
        return Err(IoError::NoHeader {
            path: path.to_path_buf(),
        });
    };
    let header: Vec<String> = header.iter().map(Cell::text).collect();
    let map = columns.map_header(&header);
    let col = |f: Field| map.iter().find(|(g, _)| *g == f).and_then(|(_, c)| *c);
    for f in Field::ALL {
        if f.required() && col(f).is_none() {
            return Err(IoError::MissingColumn {
                path: path.to_path_buf(),
                field: f.key(),
                aliases: columns.aliases(f),
            });
        }
    }
    let mut out = Extract::default();
    for (i, row) in it {
        if row.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        match parse_row(&row, &col, columns) {
            Ok(t) => out.transfers.push(t),
            Err(e) => out.rejected.push(Rejected {
                file: path.to_path_buf(),
                line: i + 1,
                reason: e.reason(),
                detail: e.to_string(),
            }),
        }
    }
    Ok(out)
}

fn parse_row(
    row: &[Cell],
    col: &dyn Fn(Field) -> Option<usize>,
    columns: &Columns,
) -> Result<RawTransfer, RowError> {
    let cell = |f: Field| col(f).and_then(|i| row.get(i));
    let text = |f: Field| cell(f).map(Cell::text).unwrap_or_default();
    let ts = match cell(Field::Time) {
        Some(Cell::Number(serial)) => {
            excel_serial_ms(*serial).ok_or_else(|| RowError::Time(serial.to_string()))?
        }
        _ => time_ms(&text(Field::Time))?,
    };
    let amount = amount_fen(&text(Field::Amount))?;
    let from = text(Field::From);
    let to = text(Field::To);
    if from.is_empty() {
        return Err(RowError::Empty("from account"));
    }
    let channel_text = text(Field::Channel);
    let channel = columns
        .channel(&channel_text)
        .unwrap_or(TransferChannel::Bank);
    if to.is_empty() && channel != TransferChannel::CashOut {
        return Err(RowError::Empty("to account"));
    }
    let txn_id = Some(text(Field::TxnId)).filter(|s| !s.is_empty());
    Ok(RawTransfer {
        txn_id,
        // A cash-out without a counterparty goes to the cash point "现金".
        to: if to.is_empty() {
            "现金".to_string()
        } else {
            to
        },
        from,
        ts,
        amount_fen: amount,
        channel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_gbk_csv_with_aliases_and_keeps_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("extract.csv");
        let text = "交易流水号,交易时间,转出账号,对方账号,金额(元),交易渠道\n\
                    T1,2026-03-01 10:00:00,6222000011112222,6228000033334444,\"1,000.00\",网银\n\
                    T2,2026-03-01 10:05:00,6228000033334444,,500,ATM取款\n\
                    T3,not a time,6228000033334444,x,5,网银\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&gbk)
            .unwrap();
        let ex = read_extract(&path, &Columns::builtin().unwrap()).unwrap();
        assert_eq!(ex.transfers.len(), 2);
        assert_eq!(ex.transfers[0].amount_fen, 100_000);
        assert_eq!(ex.transfers[0].txn_id.as_deref(), Some("T1"));
        assert_eq!(ex.transfers[1].channel, TransferChannel::CashOut);
        assert_eq!(ex.rejected.len(), 1);
        assert_eq!(ex.rejected[0].line, 4);
        assert_eq!(ex.rejected[0].reason, "bad_time");
    }

    #[test]
    fn missing_column_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "交易时间,付款账号,金额\n").unwrap();
        let err = read_extract(&path, &Columns::builtin().unwrap()).unwrap_err();
        assert!(
            matches!(err, IoError::MissingColumn { field: "to", .. }),
            "{err}"
        );
    }

    #[test]
    fn reads_xlsx() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["交易日期", "付款账号", "收款账号", "交易金额"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "2026-03-01 08:00:00").unwrap();
        ws.write_string(1, 1, "A1").unwrap();
        ws.write_string(1, 2, "B2").unwrap();
        ws.write_number(1, 3, 12.5).unwrap();
        wb.save(&path).unwrap();
        let ex = read_extract(&path, &Columns::builtin().unwrap()).unwrap();
        assert_eq!(ex.transfers.len(), 1);
        assert_eq!(ex.transfers[0].amount_fen, 1_250);
        assert_eq!(ex.transfers[0].from, "A1");
    }
}
