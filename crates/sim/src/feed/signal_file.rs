//! One feed file read as signals.

use super::table_file::column_positions;
use crate::error::SimError;
use crate::format::{parse_app_category, parse_channel, parse_number_list, Feed, Format};
use crate::output::parquet::ParquetRows;
use fanzha_core::event::{
    AccountNo, AppInstall, Call, CardKind, CardOpening, Msisdn, NationalPush, NumberListed, Signal,
    Sms, Transfer, UrlVisit,
};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

enum Source {
    Csv {
        reader: csv::Reader<BufReader<File>>,
        /// Position in the file of each of the feed's documented columns.
        idx: Vec<usize>,
        record: csv::ByteRecord,
    },
    Ndjson {
        reader: BufReader<File>,
        line: String,
    },
    Parquet(ParquetRows),
}

/// Signals of one feed file, in file order.
pub struct SignalFile {
    path: PathBuf,
    feed: Feed,
    source: Source,
    line: u64,
}

impl SignalFile {
    pub fn open(path: &Path, feed: Feed, format: Format) -> Result<Self, SimError> {
        let file = File::open(path).map_err(|source| SimError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let reader = BufReader::with_capacity(1 << 16, file);
        let source = match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new().from_reader(reader);
                let header = reader.headers().map_err(|e| SimError::Row {
                    path: path.to_path_buf(),
                    line: 1,
                    reason: e.to_string(),
                })?;
                let idx = column_positions(feed.columns(), header.iter()).map_err(|reason| {
                    SimError::Row {
                        path: path.to_path_buf(),
                        line: 1,
                        reason,
                    }
                })?;
                Source::Csv {
                    reader,
                    idx,
                    record: csv::ByteRecord::new(),
                }
            }
            Format::Ndjson => Source::Ndjson {
                reader,
                line: String::new(),
            },
            Format::Parquet => Source::Parquet(ParquetRows::open(path, feed.columns())?),
        };
        Ok(SignalFile {
            path: path.to_path_buf(),
            feed,
            source,
            line: if format == Format::Csv { 1 } else { 0 },
        })
    }

    fn row_error(&self, reason: String) -> SimError {
        SimError::Row {
            path: self.path.clone(),
            line: self.line,
            reason,
        }
    }
}

impl Iterator for SignalFile {
    type Item = Result<Signal, SimError>;

    fn next(&mut self) -> Option<Self::Item> {
        let feed = self.feed;
        match &mut self.source {
            Source::Csv {
                reader,
                idx,
                record,
            } => {
                self.line += 1;
                match reader.read_byte_record(record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let fields: Vec<&[u8]> =
                            idx.iter().map(|&i| record.get(i).unwrap_or(b"")).collect();
                        let r = decode_csv(feed, &fields);
                        Some(r.map_err(|reason| self.row_error(reason)))
                    }
                    Err(e) => Some(Err(self.row_error(e.to_string()))),
                }
            }
            Source::Ndjson { reader, line } => loop {
                line.clear();
                self.line += 1;
                match reader.read_line(line) {
                    Ok(0) => return None,
                    Ok(_) if line.trim().is_empty() => continue,
                    Ok(_) => {
                        let r = decode_json(feed, line);
                        return Some(r.map_err(|reason| self.row_error(reason)));
                    }
                    Err(source) => {
                        return Some(Err(SimError::Read {
                            path: self.path.clone(),
                            source,
                        }))
                    }
                }
            },
            Source::Parquet(rows) => {
                self.line += 1;
                let r = rows
                    .next_row()?
                    .and_then(|fields| decode_csv(feed, &fields));
                Some(r.map_err(|reason| self.row_error(reason)))
            }
        }
    }
}

fn num<T: std::str::FromStr>(f: &[&[u8]], i: usize, feed: Feed) -> Result<T, String> {
    std::str::from_utf8(f[i])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            format!(
                "column {}: {:?} is not a number",
                feed.columns()[i],
                String::from_utf8_lossy(f[i])
            )
        })
}

fn text(f: &[&[u8]], i: usize, feed: Feed) -> Result<Box<str>, String> {
    std::str::from_utf8(f[i])
        .map(Into::into)
        .map_err(|_| format!("column {}: not UTF-8", feed.columns()[i]))
}

fn coded<T>(f: &[&[u8]], i: usize, feed: Feed, parse: fn(&str) -> Option<T>) -> Result<T, String> {
    let s = std::str::from_utf8(f[i]).unwrap_or("");
    parse(s).ok_or_else(|| format!("column {}: unknown value {s:?}", feed.columns()[i]))
}

fn decode_csv(feed: Feed, f: &[&[u8]]) -> Result<Signal, String> {
    Ok(match feed {
        Feed::Calls => Signal::Call(Call {
            ts: num(f, 0, feed)?,
            caller: Msisdn(num(f, 1, feed)?),
            callee: Msisdn(num(f, 2, feed)?),
            duration_s: num(f, 3, feed)?,
            caller_cell: num(f, 4, feed)?,
        }),
        Feed::Sms => Signal::Sms(Sms {
            ts: num(f, 0, feed)?,
            sender: Msisdn(num(f, 1, feed)?),
            recipient: Msisdn(num(f, 2, feed)?),
            link_domain: if f[3].is_empty() {
                None
            } else {
                Some(text(f, 3, feed)?)
            },
        }),
        Feed::AppEvents => Signal::AppInstall(AppInstall {
            ts: num(f, 0, feed)?,
            msisdn: Msisdn(num(f, 1, feed)?),
            category: coded(f, 2, feed, parse_app_category)?,
            app_name: text(f, 3, feed)?,
        }),
        Feed::UrlVisits => Signal::UrlVisit(UrlVisit {
            ts: num(f, 0, feed)?,
            msisdn: Msisdn(num(f, 1, feed)?),
            domain: text(f, 2, feed)?,
        }),
        Feed::Transfers => {
            let amount_fen: i64 = num(f, 4, feed)?;
            if amount_fen <= 0 {
                return Err(format!("column amount_fen: {amount_fen} is not positive"));
            }
            Signal::Transfer(Transfer {
                ts: num(f, 0, feed)?,
                txn_id: num(f, 1, feed)?,
                from: AccountNo(num(f, 2, feed)?),
                to: AccountNo(num(f, 3, feed)?),
                amount_fen,
                channel: coded(f, 5, feed, parse_channel)?,
            })
        }
        Feed::CardOpenings => Signal::CardOpening(CardOpening {
            ts: num(f, 0, feed)?,
            person_id: num(f, 1, feed)?,
            kind: coded(f, 2, feed, CardKind::parse)?,
            number: num(f, 3, feed)?,
            opened_in_division: num(f, 4, feed)?,
        }),
        Feed::NationalPush => Signal::NationalPush(NationalPush {
            ts: num(f, 0, feed)?,
            msisdn: Msisdn(num(f, 1, feed)?),
            level: num(f, 2, feed)?,
        }),
        Feed::NumberLists => Signal::NumberListed(NumberListed {
            ts: num(f, 0, feed)?,
            msisdn: Msisdn(num(f, 1, feed)?),
            list: coded(f, 2, feed, parse_number_list)?,
        }),
    })
}

fn decode_json(feed: Feed, line: &str) -> Result<Signal, String> {
    let e = |e: serde_json::Error| e.to_string();
    Ok(match feed {
        Feed::Calls => Signal::Call(serde_json::from_str(line).map_err(e)?),
        Feed::Sms => Signal::Sms(serde_json::from_str(line).map_err(e)?),
        Feed::AppEvents => Signal::AppInstall(serde_json::from_str(line).map_err(e)?),
        Feed::UrlVisits => Signal::UrlVisit(serde_json::from_str(line).map_err(e)?),
        Feed::Transfers => Signal::Transfer(serde_json::from_str(line).map_err(e)?),
        Feed::CardOpenings => Signal::CardOpening(serde_json::from_str(line).map_err(e)?),
        Feed::NationalPush => Signal::NationalPush(serde_json::from_str(line).map_err(e)?),
        Feed::NumberLists => Signal::NumberListed(serde_json::from_str(line).map_err(e)?),
    })
}
