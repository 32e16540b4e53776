//! `fanzha serve`: the platform for a center's own data — the web server and the closed loop on
//! the configured database (SQLite file or PostgreSQL), no synthetic city. With a signal bus
//! (`--nats-url` or `nats_url`) the detection engine runs in this process on the stream of
//! signals the feeds publish, snapshotting its state into the data directory; with
//! `--no-detection` (or no bus) a `fanzha worker` elsewhere does it, and the notices it relays
//! over the bus move the live pages here.

use super::platform::{self, Dispatchers};
use crate::error::{CliResult, WithCode};
use crate::live::{Checkpoint, Detection, DetectionOptions};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address the web server listens on (`0.0.0.0:8080` to serve other machines).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// NATS server with the signal stream (overrides `nats_url` / FANZHA_NATS_URL).
    #[arg(long)]
    nats_url: Option<String>,
    /// The JetStream stream of signals (default FANZHA_SIGNALS).
    #[arg(long)]
    stream: Option<String>,
    /// Do not run detection here, even with a bus configured (a `fanzha worker` runs it).
    #[arg(long)]
    no_detection: bool,
    /// Also write the signal stream into the signal archive (`archive_dir`, Parquet by day;
    /// docs/archive.md). Run one archiver per stream: this or `fanzha signals archive`.
    #[arg(long)]
    archive: bool,
    /// Snapshot the engine at least this often (seconds).
    #[arg(long, default_value_t = 30)]
    snapshot_every_s: u64,
    /// Stop after this many seconds (default: until Ctrl-C or SIGTERM).
    #[arg(long)]
    duration_s: Option<u64>,
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let assessment = match &ctx.config.assessment_file {
        Some(path) => Arc::new(fanzha_web::assessment::Scheme::load(path)?),
        None => Arc::default(),
    };
    let db = super::database::open(ctx)?;
    let center = db.center()?;
    let no_users = db
        .block_on(db.store.users().list(
            &fanzha_store::Scope::platform(),
            &fanzha_store::PageRequest::first(1),
        ))?
        .items
        .is_empty();
    let bus = ctx
        .config
        .bus(args.nats_url.as_deref(), args.stream.as_deref());
    let mut state = db
        .block_on(fanzha_web::AppState::new(db.store.clone()))
        .code(ErrorCode::Internal)?;
    state.assessment = assessment;
    state.public_url = ctx.config.public_url.clone();
    let service = state.loop_service.clone();
    // Connect before listening: a wrong bus address stops the start, not the night shift.
    let bus = match bus {
        Some(config) => Some(db.block_on(fanzha_bus::Bus::connect(&config))?),
        None => None,
    };
    // Signals sent over HTTPS (`/api/v1/signals`) go to the stream.
    state.intake = bus.as_ref().map(|b| {
        std::sync::Arc::new(fanzha_web::api::signals::BusIntake(b.clone()))
            as std::sync::Arc<dyn fanzha_web::api::signals::SignalIntake>
    });
    // The rules page lists the archive of the platform's stream on this machine and test-runs
    // drafts on it (written here with --archive, or by `fanzha signals archive`).
    state.archive = Some(fanzha_web::rules_lab::ArchiveSource {
        dir: ctx.config.archive_dir(),
        stream: match &bus {
            Some(b) => b.config().stream.clone(),
            None => ctx
                .config
                .signal_stream
                .clone()
                .unwrap_or_else(|| fanzha_bus::BusConfig::new("").stream),
        },
    });
    let listener = db
        .block_on(tokio::net::TcpListener::bind(args.listen))
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}: {e} (choose another --listen)",
                args.listen
            )
        })
        .code(ErrorCode::Io)?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = db
        .rt
        .spawn(fanzha_web::serve(listener, state.clone(), async {
            let _ = stop_rx.await;
        }));
    let running = Arc::new(AtomicBool::new(true));
    let watcher = db
        .rt
        .spawn(platform::watch_deadlines(service.clone(), running.clone()));
    let dispatchers = {
        let _guard = db.rt.enter();
        Dispatchers::start(&service)?
    };
    // A worker's notices move the live pages here too.
    let relay = match bus.as_ref().map(|bus| db.block_on(bus.notices())) {
        Some(Ok(notices)) => Some(
            db.rt
                .spawn(crate::live::relay::relay_in(notices, state.relayed.clone())),
        ),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "relayed notices not shown: the live pages move on this process's changes only");
            None
        }
        None => None,
    };
    let archiving = bus.as_ref().filter(|_| args.archive).map(|bus| {
        let archiving = crate::live::archiving::Archiving {
            bus: bus.clone(),
            dir: ctx.config.archive_dir(),
            archive: fanzha_archive::ArchiveOptions {
                keep_days: ctx.config.archive_keep_days,
                ..fanzha_archive::ArchiveOptions::default()
            },
            flush_every: Duration::from_secs(300),
            until_caught_up: false,
        };
        let task = db.rt.spawn(archiving.run(running.clone()));
        db.rt.spawn(async move {
            let done = task.await;
            if let Ok(Err(e)) = &done {
                tracing::error!(error = %e, "signal archive stopped; the platform runs on without it");
            }
            done
        })
    });
    if args.archive && archiving.is_none() {
        tracing::warn!(
            "--archive needs a signal bus (--nats-url or nats_url): nothing is archived"
        );
    }
    let detection = bus.filter(|_| !args.no_detection).map(|bus| {
        let stream = bus.config().stream.clone();
        let detection = Detection {
            store: db.store.clone(),
            service: service.clone(),
            checkpoint: Checkpoint::in_dir(&ctx.config.data_dir, &stream),
            bus,
            rules: state.rules.clone(),
            feed: Some(state.engine_feed.clone()),
            options: DetectionOptions {
                snapshot_every: Duration::from_secs(args.snapshot_every_s.max(1)),
                ..DetectionOptions::default()
            },
        };
        (stream, db.rt.spawn(detection.run(running.clone())))
    });

    println!("反诈指挥平台 fanzha — {} ({})", center.name, center.code);
    println!("  打开 open   : http://{}/", args.listen);
    println!(
        "  数据库 db   : {}",
        fanzha_store::dialect::redact_url(&ctx.config.database_url())
    );
    match &detection {
        Some((stream, _)) => println!("  实时检测 detection: signal stream {stream}"),
        None => println!("  实时检测 detection: not in this process (run `fanzha worker`)"),
    }
    if archiving.is_some() {
        println!("  信令归档 archive: {}", ctx.config.archive_dir().display());
    }
    if no_users {
        println!(
            "  no users yet: add one with `fanzha user add --login … --name … --unit {} --role admin` (password in FANZHA_NEW_PASSWORD)",
            center.code
        );
    }

    // Stop when asked, or when detection stops by itself (its error ends the process).
    let detection_result = db.block_on(async {
        match detection {
            Some((_, mut task)) => {
                tokio::select! {
                    _ = platform::stopped(args.duration_s) => {
                        running.store(false, Ordering::Relaxed);
                        Some(task.await)
                    }
                    done = &mut task => Some(done),
                }
            }
            None => {
                platform::stopped(args.duration_s).await;
                None
            }
        }
    });
    running.store(false, Ordering::Relaxed);
    let _ = stop_tx.send(());
    let served = db.block_on(server).code(ErrorCode::Internal)?;
    let _ = db.block_on(watcher);
    db.block_on(dispatchers.shutdown());
    if let Some(relay) = relay {
        relay.abort();
    }
    served.code(ErrorCode::Io)?;
    let mut report = Report::new("平台已停止 / platform stopped");
    report.field("listen", args.listen.to_string());
    let archived = archiving.map(|task| db.block_on(task));
    if let Some(done) = detection_result {
        let summary = done.code(ErrorCode::Internal)??;
        report.field("detection", &summary);
    }
    if let Some(done) = archived {
        // An archive that stopped on an error was logged then; the platform ran on.
        match done.code(ErrorCode::Internal)?.code(ErrorCode::Internal)? {
            Ok(summary) => report.field("archive", &summary),
            Err(e) => report.field("archive_error", e.to_string()),
        };
    }
    report.print(ctx.json);
    Ok(())
}
