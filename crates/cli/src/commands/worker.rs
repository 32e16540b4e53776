//! `fanzha worker`: the detection engine as a process of its own, on the signal stream of the
//! bus and the database `fanzha serve` uses. It hands its warnings to the closed loop in the
//! database and sends the notices of what it commits (webhooks, SMS); the web server's pages
//! read them from there, and its live pages move on the notices the worker relays over the bus. Its engine state is snapshotted into its data directory with the
//! stream sequence it covers; a restart resumes from there and hands no warning over twice.
//!
//! With `--until-caught-up` it stops once the messages in the stream at start are processed
//! (replaying recorded feeds through the platform).

use super::platform::{self, Dispatchers};
use crate::error::{CliResult, WithCode};
use crate::live::{Checkpoint, Detection, DetectionOptions};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_workflow::LoopService;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// NATS server with the signal stream (overrides `nats_url` / FANZHA_NATS_URL).
    #[arg(long)]
    nats_url: Option<String>,
    /// The JetStream stream of signals (default FANZHA_SIGNALS).
    #[arg(long)]
    stream: Option<String>,
    /// Stop once the stream as it is at start has been read through.
    #[arg(long)]
    until_caught_up: bool,
    /// Snapshot the engine after this many signals…
    #[arg(long, default_value_t = 200_000)]
    snapshot_every_signals: u64,
    /// …or at least this often (seconds).
    #[arg(long, default_value_t = 30)]
    snapshot_every_s: u64,
    /// Re-read residents, rules and shut-down numbers this often (seconds).
    #[arg(long, default_value_t = 60)]
    refresh_every_s: u64,
    /// Stop after this many seconds (default: until Ctrl-C or SIGTERM).
    #[arg(long)]
    duration_s: Option<u64>,
    /// Exit without a last snapshot after this many signals, as a crash would (restart tests).
    #[arg(long, hide = true)]
    crash_after: Option<u64>,
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let bus_config =
        super::signals::bus_config(ctx, args.nats_url.as_deref(), args.stream.as_deref())?;
    let db = super::database::open(ctx)?;
    db.center()?;
    let service = Arc::new(db.block_on(LoopService::standard(db.store.clone()))?);
    let bus = db.block_on(fanzha_bus::Bus::connect(&bus_config))?;
    let dispatchers = {
        let _guard = db.rt.enter();
        Dispatchers::start(&service)?
    };
    let relay = {
        let _guard = db.rt.enter();
        tokio::spawn(crate::live::relay::relay_out(
            service.subscribe(),
            bus.clone(),
        ))
    };
    let stream = bus_config.stream.clone();
    let detection = Detection {
        store: db.store.clone(),
        service: service.clone(),
        checkpoint: Checkpoint::in_dir(&ctx.config.data_dir, &stream),
        bus,
        rules: Arc::default(),
        feed: None,
        options: DetectionOptions {
            snapshot_every_signals: args.snapshot_every_signals.max(1),
            snapshot_every: Duration::from_secs(args.snapshot_every_s.max(1)),
            refresh_every: Duration::from_secs(args.refresh_every_s.max(1)),
            until_caught_up: args.until_caught_up,
            crash_after: args.crash_after,
            ..DetectionOptions::default()
        },
    };
    eprintln!(
        "检测进程 detection worker: signal stream {stream} at {}",
        bus_config.url
    );
    let started = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let mut task = db.rt.spawn(detection.run(running.clone()));
    let done = db.block_on(async {
        tokio::select! {
            _ = platform::stopped(args.duration_s) => {
                running.store(false, Ordering::Relaxed);
                task.await
            }
            done = &mut task => done,
        }
    });
    db.block_on(dispatchers.shutdown());
    relay.abort();
    let summary = done.code(ErrorCode::Internal)??;
    let secs = started.elapsed().as_secs_f64();
    Report::new("检测进程 / detection worker")
        .field("stream", &stream)
        .field("resumed_from", summary.resumed_from)
        .field("through", summary.through)
        .field("signals", summary.signals)
        .field("rejected", summary.rejected)
        .field("rejected_by_reason", &summary.rejected_by_reason)
        .field("warnings", summary.warnings)
        .field("delivered", summary.delivered)
        .field("already_delivered", summary.already_delivered)
        .field("snapshots", summary.snapshots)
        .field("directory_phones", summary.directory_phones)
        .field("directory_accounts", summary.directory_accounts)
        .field("numbers_listed", summary.numbers_listed)
        .field("stream_reopened", summary.stream_reopened)
        .field("lost_to_retention", summary.lost_to_retention)
        .field("seconds", (secs * 10.0).round() / 10.0)
        .field(
            "signals_per_s",
            crate::report::per_second(summary.signals, secs).round(),
        )
        .print(ctx.json);
    Ok(())
}
