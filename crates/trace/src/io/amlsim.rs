//! The AMLSim evaluation graphs (`transfers/amlsim_20k/<folder>/transactions.csv.gz`, see the
//! data set's SOURCE.md): transfers with `is_laundering` and `pattern_id` labels. Amounts are
//! taken as yuan with two decimals (the source's currency is nominal).

use super::parse::{amount_fen, time_ms};
use super::IoError;
use crate::book::{RawTransfer, TransferBook};
use fanzha_core::event::TransferChannel;
use rustc_hash::FxHashMap;
use std::path::Path;

/// A labelled graph: the transfers and, per laundering transfer (by order), its pattern.
pub struct Labelled {
    pub book: TransferBook,
    pub labels: FxHashMap<u64, u32>,
    /// Rows that could not be read (line, reason).
    pub rejected: Vec<(usize, String)>,
}

pub fn read_folder(dir: &Path) -> Result<Labelled, IoError> {
    let path = dir.join("transactions.csv.gz");
    let file = std::fs::File::open(&path).map_err(|source| IoError::Read {
        path: path.clone(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(flate2::read::MultiGzDecoder::new(file));
    let csv_err = |source| IoError::Csv {
        path: path.clone(),
        source,
    };
    let header = reader.headers().map_err(csv_err)?.clone();
    let col = |name: &'static str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| IoError::MissingColumn {
                path: path.clone(),
                field: name,
                aliases: name.to_string(),
            })
    };
    let (c_id, c_ts, c_from, c_to, c_amount, c_laundering, c_pattern) = (
        col("txn_id")?,
        col("ts")?,
        col("from_account")?,
        col("to_account")?,
        col("amount")?,
        col("is_laundering")?,
        col("pattern_id")?,
    );
    let mut transfers = Vec::new();
    let mut patterns = Vec::new();
    let mut rejected = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(csv_err)?;
        let f = |c: usize| rec.get(c).unwrap_or("");
        let parsed = time_ms(f(c_ts)).and_then(|ts| amount_fen(f(c_amount)).map(|a| (ts, a)));
        let (ts, amount) = match parsed {
            Ok(x) => x,
            Err(e) => {
                rejected.push((i + 2, e.to_string()));
                continue;
            }
        };
        transfers.push(RawTransfer {
            txn_id: Some(f(c_id).to_string()),
            from: f(c_from).to_string(),
            to: f(c_to).to_string(),
            ts,
            amount_fen: amount,
            channel: TransferChannel::Bank,
        });
        let pattern = (f(c_laundering) == "1")
            .then(|| f(c_pattern).trim_start_matches('p').parse::<u32>().ok())
            .flatten();
        patterns.push(pattern);
    }
    let mut book = TransferBook::new();
    let added = book.add(transfers);
    let mut labels = FxHashMap::default();
    // Every row is distinct (unique txn ids), so `added` lines up with the rows read.
    for (e, p) in added.iter().zip(patterns) {
        if let Some(p) = p {
            labels.insert(e.order, p);
        }
    }
    Ok(Labelled {
        book,
        labels,
        rejected,
    })
}
