//! Writing a city to a directory: one file per feed (sorted by event time because the
//! generator emits in event time), the reference tables, and `truth/`.

mod feed_files;
pub mod parquet;

pub use feed_files::FeedFiles;

use crate::error::SimError;
use crate::format::{header, Format, Row};
use crate::tables::Table;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes a whole table (`people`, `truth/victims` …) into `dir`.
pub fn write_table<T: Table>(dir: &Path, format: Format, rows: &[T]) -> Result<(), SimError> {
    let path = dir.join(format!("{}.{}", T::NAME, format.extension()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| SimError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    if format == Format::Parquet {
        let mut file = parquet::ParquetFile::create(&path, T::COLUMNS, T::KINDS)?;
        for r in rows {
            file.write(|row| r.encode(row))?;
        }
        return file.finish();
    }
    let err = |source| SimError::Write {
        path: path.clone(),
        source,
    };
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(err)?);
    let mut buf = Vec::with_capacity(1 << 16);
    header(&mut buf, format, T::COLUMNS);
    for r in rows {
        r.encode(&mut Row::begin(&mut buf, format));
        if buf.len() > 1 << 15 {
            out.write_all(&buf).map_err(err)?;
            buf.clear();
        }
    }
    out.write_all(&buf).map_err(err)?;
    out.flush().map_err(err)?;
    Ok(())
}

/// What a batch run produced.
pub struct RunSummary {
    pub world: crate::population::World,
    pub truth: crate::truth::Truth,
    pub counts: crate::stats::StreamCounts,
    pub elapsed: std::time::Duration,
}

/// Runs the simulation and writes every feed, the reference tables and the truth into `dir`.
/// `progress` is called about once per simulated day with the events written so far.
pub fn write_city(
    params: crate::SimParams,
    dir: &Path,
    format: Format,
    mut progress: impl FnMut(u64),
) -> Result<RunSummary, SimError> {
    let started = std::time::Instant::now();
    let mut sim = crate::Simulation::new(params)?;
    let mut counts = crate::stats::StreamCounts::new(sim.world());
    let mut files = FeedFiles::create(dir, format)?;
    let mut next_report = 0i64;
    for signal in sim.by_ref() {
        if signal.ts() >= next_report {
            progress(counts.total());
            next_report = signal.ts() + 86_400_000;
        }
        counts.observe(&signal);
        files.write(&signal)?;
    }
    files.finish()?;
    let (world, truth) = sim.finish();
    write_table(dir, format, &world.people)?;
    write_table(dir, format, &world.phones)?;
    write_table(dir, format, &world.ledger.accounts)?;
    write_table(dir, format, &truth.victims)?;
    write_table(dir, format, &truth.fraud_numbers)?;
    write_table(dir, format, &truth.mule_accounts)?;
    write_table(dir, format, &truth.card_sellers)?;
    Ok(RunSummary {
        world,
        truth,
        counts,
        elapsed: started.elapsed(),
    })
}
