//! `fanzha signals`: the signal stream. `publish` sends recorded feed files (a directory as
//! `fanzha simulate` writes it, or a telco's and a bank's exports in the same layout) to the
//! stream, in event-time order; `status` shows how far detection and the archive have read it;
//! `archive` writes the stream into the signal archive (docs/archive.md).

use crate::error::{CliError, CliResult};
use crate::live::Checkpoint;
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::event::Signal;
use fanzha_core::ResidentId;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum SignalsCommand {
    /// Publish a directory of feed files (calls, sms, app installs, URL visits, transfers,
    /// card openings, pushes, lists; CSV, NDJSON or Parquet) to the signal stream.
    Publish(PublishArgs),
    /// The stream's extent, the sequence the engine's snapshot covers, and the archive.
    Status(StatusArgs),
    /// Write the stream into the signal archive: Parquet files by day, in the layout the feed
    /// readers take (`fanzha detect --input`, `rules test --input`, `signals publish --input`).
    Archive(ArchiveArgs),
}

#[derive(clap::Args)]
pub struct ArchiveArgs {
    #[arg(long)]
    nats_url: Option<String>,
    #[arg(long)]
    stream: Option<String>,
    /// The archive directory (overrides `archive_dir`; default `<data_dir>/archive`).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Delete archived days older than this many days (overrides `archive_keep_days`).
    #[arg(long)]
    keep_days: Option<u32>,
    /// Write what arrived at least this often (seconds)…
    #[arg(long, default_value_t = 300)]
    flush_every_s: u64,
    /// …or once this many signals wait.
    #[arg(long, default_value_t = 500_000)]
    flush_rows: usize,
    /// Stop once the stream as it is at start has been archived.
    #[arg(long)]
    until_caught_up: bool,
    /// Stop after this many seconds (default: until Ctrl-C or SIGTERM).
    #[arg(long)]
    duration_s: Option<u64>,
}

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The directory of feed files.
    #[arg(long)]
    input: PathBuf,
    /// NATS server (overrides `nats_url` / FANZHA_NATS_URL).
    #[arg(long)]
    nats_url: Option<String>,
    /// The JetStream stream (default FANZHA_SIGNALS).
    #[arg(long)]
    stream: Option<String>,
}

#[derive(clap::Args)]
pub struct StatusArgs {
    #[arg(long)]
    nats_url: Option<String>,
    #[arg(long)]
    stream: Option<String>,
}

pub fn run(ctx: &Ctx, cmd: SignalsCommand) -> CliResult {
    match cmd {
        SignalsCommand::Publish(a) => publish(ctx, a),
        SignalsCommand::Status(a) => status(ctx, a),
        SignalsCommand::Archive(a) => archive(ctx, a),
    }
}

/// The signal bus of the flags or the configuration, or the error that says how to give one.
pub(crate) fn bus_config(
    ctx: &Ctx,
    url: Option<&str>,
    stream: Option<&str>,
) -> CliResult<fanzha_bus::BusConfig> {
    ctx.config.bus(url, stream).ok_or_else(|| {
        CliError::new(
            ErrorCode::ConfigInvalid,
            "no signal bus: pass --nats-url nats://host:4222 or set nats_url (FANZHA_NATS_URL)",
        )
    })
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(ErrorCode::Internal, e))
}

fn publish(ctx: &Ctx, args: PublishArgs) -> CliResult {
    let config = bus_config(ctx, args.nats_url.as_deref(), args.stream.as_deref())?;
    // A card opening names its holder by the feed's person id; on the bus a person is a
    // resident, keyed by the ID number (`ResidentId::key`): the directory's people table maps
    // one to the other.
    let residents: HashMap<u64, u64> = match fanzha_sim::feed::read_people(&args.input) {
        Ok(people) => people
            .iter()
            .filter_map(|p| {
                ResidentId::parse(&p.resident_id)
                    .ok()
                    .map(|r| (p.person_id, r.key()))
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "no people table: card openings keep their person ids");
            HashMap::new()
        }
    };
    let mut bad_rows = 0u64;
    let reader = fanzha_sim::feed::read_signals(&args.input)?;
    let signals = reader.filter_map(|r| match r {
        Ok(Signal::CardOpening(mut c)) => {
            if let Some(key) = residents.get(&c.person_id) {
                c.person_id = *key;
            }
            Some(Signal::CardOpening(c))
        }
        Ok(s) => Some(s),
        Err(e) => {
            bad_rows += 1;
            tracing::warn!(error = %e, "feed row skipped");
            None
        }
    });
    let rt = runtime()?;
    let started = Instant::now();
    let progress = indicatif::ProgressBar::new_spinner();
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let published = rt.block_on(async {
        let bus = fanzha_bus::Bus::connect(&config).await?;
        bus.publish_all(signals, |n| progress.set_message(format!("{n} signals")))
            .await
    })?;
    progress.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    Report::new("发布信令 / publish signals")
        .field("input", args.input.display().to_string())
        .field("stream", &config.stream)
        .field("published", published.signals)
        .field("first_sequence", published.first_sequence)
        .field("last_sequence", published.last_sequence)
        .field("bad_rows", bad_rows)
        .field("seconds", (secs * 10.0).round() / 10.0)
        .field(
            "signals_per_s",
            crate::report::per_second(published.signals, secs).round(),
        )
        .print(ctx.json);
    Ok(())
}

fn status(ctx: &Ctx, args: StatusArgs) -> CliResult {
    let config = bus_config(ctx, args.nats_url.as_deref(), args.stream.as_deref())?;
    let rt = runtime()?;
    let last = rt.block_on(async {
        let bus = fanzha_bus::Bus::connect(&config).await?;
        bus.last_sequence().await
    })?;
    let checkpoint = Checkpoint::in_dir(&ctx.config.data_dir, &config.stream);
    let covered = checkpoint.load()?.map(|(_, seq)| seq);
    let archive_dir = ctx.config.archive_dir();
    let archived = fanzha_archive::status(&archive_dir, &config.stream)?;
    let days: Vec<serde_json::Value> = archived
        .iter()
        .flat_map(|s| s.days.iter())
        .map(|(day, d)| {
            serde_json::json!({
                "day": day,
                "signals": d.signals(),
                "bytes": d.bytes,
                "complete": d.compacted,
            })
        })
        .collect();
    Report::new("信令流 / signal stream")
        .field("stream", &config.stream)
        .field("last_sequence", last)
        .field("snapshot", checkpoint.path().display().to_string())
        .field("snapshot_covers", covered)
        .field("behind", covered.map(|c| last.saturating_sub(c)))
        .field(
            "archive",
            archive_dir.join(&config.stream).display().to_string(),
        )
        .field("archived_through", archived.as_ref().map(|s| s.through))
        .field(
            "archive_behind",
            archived.as_ref().map(|s| last.saturating_sub(s.through)),
        )
        .field("archived_days", days)
        .print(ctx.json);
    Ok(())
}

fn archive(ctx: &Ctx, args: ArchiveArgs) -> CliResult {
    let config = bus_config(ctx, args.nats_url.as_deref(), args.stream.as_deref())?;
    let dir = args.dir.unwrap_or_else(|| ctx.config.archive_dir());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::new(ErrorCode::Internal, e))?;
    let bus = rt.block_on(fanzha_bus::Bus::connect(&config))?;
    let archiving = crate::live::archiving::Archiving {
        bus,
        dir: dir.clone(),
        archive: fanzha_archive::ArchiveOptions {
            flush_rows: args.flush_rows.max(1),
            keep_days: args.keep_days.or(ctx.config.archive_keep_days),
            ..fanzha_archive::ArchiveOptions::default()
        },
        flush_every: std::time::Duration::from_secs(args.flush_every_s.max(1)),
        until_caught_up: args.until_caught_up,
    };
    eprintln!(
        "信令归档 signal archive: stream {} at {} → {}",
        config.stream,
        config.url,
        dir.join(&config.stream).display()
    );
    let started = Instant::now();
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut task = rt.spawn(archiving.run(running.clone()));
    let done = rt.block_on(async {
        tokio::select! {
            _ = super::platform::stopped(args.duration_s) => {
                running.store(false, std::sync::atomic::Ordering::Relaxed);
                task.await
            }
            done = &mut task => done,
        }
    });
    let summary = done.map_err(|e| CliError::new(ErrorCode::Internal, e))??;
    let secs = started.elapsed().as_secs_f64();
    Report::new("信令归档 / signal archive")
        .field("stream", &config.stream)
        .field("archive", dir.join(&config.stream).display().to_string())
        .field("resumed_from", summary.resumed_from)
        .field("through", summary.through)
        .field("signals", summary.signals)
        .field("rejected", summary.rejected)
        .field("flushes", summary.flushes)
        .field("files", summary.files)
        .field("days", summary.days)
        .field("days_compacted", &summary.days_compacted)
        .field("days_pruned", &summary.days_pruned)
        .field("lost_to_retention", summary.lost_to_retention)
        .field("stream_reopened", summary.stream_reopened)
        .field("seconds", (secs * 10.0).round() / 10.0)
        .field(
            "signals_per_s",
            crate::report::per_second(summary.signals, secs).round(),
        )
        .print(ctx.json);
    Ok(())
}
