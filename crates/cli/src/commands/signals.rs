//! `fanzha signals`: the signal stream. `publish` sends recorded feed files (a directory as
//! `fanzha simulate` writes it, or a telco's and a bank's exports in the same layout) to the
//! stream, in event-time order; `status` shows how far detection has read it.

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
    /// The stream's extent and the sequence the engine's snapshot covers.
    Status(StatusArgs),
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
    Report::new("信令流 / signal stream")
        .field("stream", &config.stream)
        .field("last_sequence", last)
        .field("snapshot", checkpoint.path().display().to_string())
        .field("snapshot_covers", covered)
        .field("behind", covered.map(|c| last.saturating_sub(c)))
        .print(ctx.json);
    Ok(())
}
