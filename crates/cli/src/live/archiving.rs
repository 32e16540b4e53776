//! The archiving loop: the signal stream read in order into the signal archive
//! (`fanzha-archive`), for `fanzha signals archive` and `fanzha serve --archive`.
//!
//! The archive's state says how far the stream is archived; the loop reads on from there, so a
//! restart neither skips nor repeats a message. A flush that fails (a full disk) is retried
//! from the archive as it was last committed.

use crate::error::CliResult;
use fanzha_archive::{Archive, ArchiveError, ArchiveOptions};
use fanzha_bus::Bus;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Archiving {
    pub bus: Bus,
    /// The archive directory (the stream's folder is made inside it).
    pub dir: PathBuf,
    pub archive: ArchiveOptions,
    /// Flush at least this often while signals arrive.
    pub flush_every: Duration,
    /// Stop once the stream as it is at start has been archived.
    pub until_caught_up: bool,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct ArchivingSummary {
    pub resumed_from: u64,
    pub through: u64,
    pub signals: u64,
    /// Messages that are not signals (left out of the archive).
    pub rejected: u64,
    pub flushes: u64,
    pub files: u64,
    pub days_compacted: Vec<String>,
    pub days_pruned: Vec<String>,
    pub days: usize,
    pub lost_to_retention: u64,
    pub stream_reopened: u64,
}

/// Consecutive failed flushes before the loop gives up.
const FLUSH_ATTEMPTS: u32 = 5;

impl Archiving {
    pub async fn run(self, running: Arc<AtomicBool>) -> CliResult<ArchivingSummary> {
        let Archiving {
            bus,
            dir,
            archive: options,
            flush_every,
            until_caught_up,
        } = self;
        let stream = bus.config().stream.clone();
        let mut archive = open(&dir, &stream, &options).await?;
        let mut summary = ArchivingSummary {
            resumed_from: archive.through(),
            through: archive.through(),
            ..ArchivingSummary::default()
        };
        let (first, last) = bus.extent().await?;
        let start = archive.through();
        summary.lost_to_retention = super::lost_to_retention((first, last), start);
        let target = until_caught_up.then_some(last);
        tracing::info!(stream, from = start + 1, dir = %archive.root().display(), "archiving starts");
        let mut reader = bus.read_from(start + 1).await?;
        let mut flushed_at = Instant::now();
        let mut failures = 0;
        // The counts as of the last commit: a failed flush's messages are read again.
        let mut committed = (0, 0);
        loop {
            let stopping =
                !running.load(Ordering::Relaxed) || target.is_some_and(|t| summary.through >= t);
            let due =
                archive.flush_due() || (archive.dirty() && flushed_at.elapsed() >= flush_every);
            if stopping || due {
                let (back, result) = flush(archive).await?;
                flushed_at = Instant::now();
                match result {
                    Ok(f) => {
                        archive = back;
                        failures = 0;
                        committed = (summary.signals, summary.rejected);
                        summary.flushes += 1;
                        summary.files += u64::from(f.files);
                        summary.days_compacted.extend(f.compacted);
                        summary.days_pruned.extend(f.pruned);
                    }
                    Err(e) => {
                        failures += 1;
                        tracing::error!(error = %e, attempt = failures, "archive flush failed; reading again from the last committed message");
                        drop(back);
                        if failures >= FLUSH_ATTEMPTS {
                            return Err(e.into());
                        }
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        archive = open(&dir, &stream, &options).await?;
                        summary.through = archive.through();
                        (summary.signals, summary.rejected) = committed;
                        reader = bus.read_from(archive.through() + 1).await?;
                        continue;
                    }
                }
                if stopping {
                    break;
                }
            }
            let next = match reader.next(Duration::from_millis(250)).await {
                Ok(next) => next,
                Err(e) => {
                    summary.stream_reopened += 1;
                    super::read_again(&bus, &mut reader, summary.through, &e).await;
                    continue;
                }
            };
            let Some(message) = next else { continue };
            summary.through = message.sequence;
            match &message.signal {
                Ok(signal) => {
                    if archive.push(message.sequence, signal) {
                        summary.signals += 1;
                    }
                }
                Err(_) => {
                    archive.skip(message.sequence);
                    summary.rejected += 1;
                }
            }
        }
        summary.through = archive.through();
        summary.days = archive.state().days.len();
        tracing::info!(
            through = summary.through,
            signals = summary.signals,
            "archiving stopped"
        );
        Ok(summary)
    }
}

async fn open(dir: &std::path::Path, stream: &str, options: &ArchiveOptions) -> CliResult<Archive> {
    let (dir, stream, options) = (dir.to_path_buf(), stream.to_string(), options.clone());
    let opened = tokio::task::spawn_blocking(move || Archive::open(&dir, &stream, options))
        .await
        .map_err(|e| {
            crate::error::CliError::new(fanzha_core::error_code::ErrorCode::Internal, e)
        })?;
    Ok(opened?)
}

/// Flushes on a blocking thread (file writes, syncs, compaction), handing the archive back.
async fn flush(
    mut archive: Archive,
) -> CliResult<(Archive, Result<fanzha_archive::Flushed, ArchiveError>)> {
    tokio::task::spawn_blocking(move || {
        let today =
            fanzha_core::time::shanghai_date(fanzha_core::time::now_ms()).unwrap_or_default();
        let result = archive.flush(today);
        (archive, result)
    })
    .await
    .map_err(|e| crate::error::CliError::new(fanzha_core::error_code::ErrorCode::Internal, e))
}
