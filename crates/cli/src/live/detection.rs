//! The live detection loop. One task owns the engine; per message it decodes the signal (or
//! quarantines it), runs the engine, and hands each new or raised warning to the closed loop
//! before reading on — so a snapshot taken between messages covers exactly the warnings
//! delivered. A restart restores the snapshot, reads from the next sequence, and the warnings
//! raised again between the snapshot and the crash carry the ids they had
//! ([`super::incoming::warning_id`]): the loop is handed each once.

use super::checkpoint::Checkpoint;
use super::incoming::{incoming, resident_of, warning_id};
use crate::error::{CliError, CliResult};
use fanzha_bus::Bus;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_core::event::{Msisdn, NumberList, NumberListed, Signal};
use fanzha_detect::{Engine, EngineConfig, Warning, WarningKind};
use fanzha_store::{
    ImportCounts, NewImportRun, QuarantineRow, RunProgress, Scope, Store, StoreError,
};
use fanzha_web::engine_feed::EngineFeed;
use fanzha_web::rules_lab::ActiveRules;
use fanzha_workflow::{IncomingWarning, LoopError, LoopService};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often and how long.
#[derive(Clone, Debug)]
pub struct DetectionOptions {
    /// Snapshot after this many messages…
    pub snapshot_every_signals: u64,
    /// …or this long after the last snapshot, whichever comes first (also when idle).
    pub snapshot_every: Duration,
    /// Re-read the directory (residents imported since), the activated rules and the numbers
    /// operators shut down this often.
    pub refresh_every: Duration,
    /// Stop once the messages in the stream at start are processed (a replay of recorded
    /// feeds); otherwise run until stopped.
    pub until_caught_up: bool,
    /// Exit the process, without a last snapshot, after this many messages: what a crash
    /// leaves behind, for the restart tests.
    pub crash_after: Option<u64>,
    pub engine: EngineConfig,
}

impl Default for DetectionOptions {
    fn default() -> Self {
        DetectionOptions {
            snapshot_every_signals: 200_000,
            snapshot_every: Duration::from_secs(30),
            refresh_every: Duration::from_secs(60),
            until_caught_up: false,
            crash_after: None,
            engine: EngineConfig::default(),
        }
    }
}

/// The exit status of a process stopped by `crash_after`.
pub const CRASH_EXIT: i32 = 75;

/// What a run did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DetectionSummary {
    /// The sequence the snapshot it started from covered (0: from the stream's start).
    pub resumed_from: u64,
    /// The last sequence it processed.
    pub through: u64,
    /// Messages read.
    pub signals: u64,
    /// Messages that were not signals, quarantined.
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// New or raised warnings the engine produced.
    pub warnings: u64,
    /// Of those, handed to the closed loop now.
    pub delivered: u64,
    /// Of those, raised again on a replay and already in the loop.
    pub already_delivered: u64,
    pub snapshots: u64,
    /// Phone numbers and accounts loaded into the directory (first load and refreshes).
    pub directory_phones: u64,
    pub directory_accounts: u64,
    /// Numbers put on the blocklist because an operator shut them down.
    pub numbers_listed: u64,
    /// Times the stream was read again after the connection to it was lost.
    pub stream_reopened: u64,
    /// Signals after the snapshot that the stream no longer held at start (older than its
    /// retention: the process was down longer than the stream keeps signals).
    pub lost_to_retention: u64,
}

/// Everything the loop needs.
pub struct Detection {
    pub store: Store,
    pub service: Arc<LoopService>,
    pub bus: Bus,
    pub rules: Arc<ActiveRules>,
    /// The web server's queue of numbers to list, when it runs in the same process.
    pub feed: Option<Arc<EngineFeed>>,
    pub checkpoint: Checkpoint,
    pub options: DetectionOptions,
}

/// Attempts to hand one warning to the loop before giving up (one a second: rides out a
/// database restart).
const DELIVERY_ATTEMPTS: u32 = 60;

/// Messages between two looks at the web server's queue of numbers to list.
const FEED_EVERY: u64 = 256;

/// Quarantined message bodies are kept up to this many characters.
const RAW_CHARS: usize = 2_000;

impl Detection {
    /// Runs while `running` holds (or, with `until_caught_up`, until the stream is read
    /// through), then takes a last snapshot.
    pub async fn run(self, running: Arc<AtomicBool>) -> CliResult<DetectionSummary> {
        let Detection {
            store,
            service,
            bus,
            rules,
            feed,
            checkpoint,
            options,
        } = self;
        let stream = bus.config().stream.clone();
        let source = format!("nats:{stream}");
        let (mut engine, start) = match checkpoint.load()? {
            Some((engine, sequence)) => (engine, sequence),
            None => (
                Engine::new(options.engine.clone(), &rules.text()).map_err(detect_error)?,
                0,
            ),
        };
        let mut summary = DetectionSummary {
            resumed_from: start,
            through: start,
            ..DetectionSummary::default()
        };
        rules.load_latest(&store).await?;
        engine.reload_rules(&rules.text()).map_err(detect_error)?;
        let mut rules_version = rules.version();

        let (first, last) = bus.extent().await?;
        if start > last {
            return Err(CliError::new(
                ErrorCode::BusStream,
                format!(
                    "the snapshot {} covers the signal stream up to sequence {start}, but stream \
                     {stream} ends at {last}: it was deleted or recreated. Move the snapshot \
                     away to read the stream from its start.",
                    checkpoint.path().display()
                ),
            ));
        }
        summary.lost_to_retention = super::lost_to_retention((first, last), start);
        let target = options.until_caught_up.then_some(last);
        tracing::info!(stream, from = start + 1, through = ?target, "detection starts");

        let mut refreshed_at = Instant::now();
        let mut directory_since = fanzha_core::time::now_ms();
        let loaded = fanzha_web::engine_directory::load(&store, &mut engine, 0).await?;
        summary.directory_phones += loaded.phones;
        summary.directory_accounts += loaded.accounts;
        let mut listed: HashSet<String> = HashSet::new();
        let mut to_list: Vec<(Msisdn, NumberList)> = Vec::new();
        executed_numbers(&store, &mut listed, &mut to_list).await?;

        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: "signals".into(),
                file: source.clone(),
                content_hash: format!("from-{}", start + 1),
            })
            .await?;
        let record = store
            .detection_runs()
            .begin(
                &stream,
                &host(),
                run,
                start as i64 + 1,
                fanzha_core::time::now_ms(),
            )
            .await?;
        let mut ledger = Ledger::new(run, record, source);
        let mut reader = bus.read_from(start + 1).await?;
        let mut out: Vec<Warning> = Vec::new();

        loop {
            if !running.load(Ordering::Relaxed) || target.is_some_and(|t| summary.through >= t) {
                break;
            }
            if refreshed_at.elapsed() >= options.refresh_every {
                let began = fanzha_core::time::now_ms();
                // Rows written while the previous load ran are read again: a minute's overlap.
                let loaded = fanzha_web::engine_directory::load(
                    &store,
                    &mut engine,
                    directory_since - 60_000,
                )
                .await?;
                directory_since = began;
                summary.directory_phones += loaded.phones;
                summary.directory_accounts += loaded.accounts;
                executed_numbers(&store, &mut listed, &mut to_list).await?;
                rules.load_latest(&store).await?;
                refreshed_at = Instant::now();
            }
            if rules.version() != rules_version {
                match engine.reload_rules(&rules.text()) {
                    Ok(()) => tracing::info!(version = rules.version(), "detection rules reloaded"),
                    Err(e) => {
                        tracing::warn!(error = %e, "rules not reloaded; the previous ones stay")
                    }
                }
                rules_version = rules.version();
            }
            // The operators' answers on the pages are few: look every so many messages, not at
            // each (a lock per message on the hot path).
            if let Some(feed) = &feed {
                if summary.signals % FEED_EVERY == 0 {
                    to_list.extend(feed.drain());
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
            let Some(message) = next else {
                if ledger.unsaved > 0 && ledger.saved_at.elapsed() >= options.snapshot_every {
                    ledger
                        .save(&store, &checkpoint, &engine, &mut summary, false)
                        .await?;
                }
                continue;
            };
            summary.through = message.sequence;
            summary.signals += 1;
            ledger.counts.read += 1;
            ledger.unsaved += 1;
            match &message.signal {
                Err(e) => ledger.reject(&message, e.reason),
                Ok(signal) => {
                    ledger.counts.accepted += 1;
                    // Numbers shut down meanwhile join the blocklist at this signal's time.
                    for (msisdn, list) in to_list.drain(..) {
                        let listing = Signal::NumberListed(NumberListed {
                            ts: signal.ts(),
                            msisdn,
                            list,
                        });
                        engine.ingest(&listing, &mut out);
                        summary.numbers_listed += 1;
                    }
                    engine.ingest(signal, &mut out);
                }
            }
            let raised: Vec<Warning> = out
                .drain(..)
                .filter(|w| !matches!(w.kind, WarningKind::Merged))
                .collect();
            for (k, w) in raised.iter().enumerate() {
                summary.warnings += 1;
                let id = warning_id(&stream, w.ts, message.sequence, k);
                let warning = incoming(w, resident_of(w), None, w.ts, Some(id));
                match deliver(&store, &service, warning, &running).await? {
                    Delivery::Now => summary.delivered += 1,
                    Delivery::Before => summary.already_delivered += 1,
                }
            }
            if options.crash_after == Some(summary.signals) {
                tracing::warn!(
                    signals = summary.signals,
                    "stopping without a snapshot, as asked"
                );
                std::process::exit(CRASH_EXIT);
            }
            if ledger.unsaved >= options.snapshot_every_signals
                || ledger.saved_at.elapsed() >= options.snapshot_every
            {
                ledger
                    .save(&store, &checkpoint, &engine, &mut summary, false)
                    .await?;
            }
        }
        ledger
            .save(&store, &checkpoint, &engine, &mut summary, true)
            .await?;
        tracing::info!(
            through = summary.through,
            signals = summary.signals,
            "detection stopped"
        );
        Ok(summary)
    }
}

/// A run's books: its import run (the quarantine of rejected messages, with the figures) and
/// its detection-run record (how far it has read, running or ended), and what is not stored yet.
struct Ledger {
    run: fanzha_store::ImportRunId,
    record: i64,
    source: String,
    counts: ImportCounts,
    quarantine: Vec<QuarantineRow>,
    /// Messages read since the last snapshot.
    unsaved: u64,
    saved_at: Instant,
}

impl Ledger {
    fn new(run: fanzha_store::ImportRunId, record: i64, source: String) -> Ledger {
        Ledger {
            run,
            record,
            source,
            counts: ImportCounts::default(),
            quarantine: Vec::new(),
            unsaved: 0,
            saved_at: Instant::now(),
        }
    }

    /// A message that is not a signal: counted, and kept for the quarantine with its subject
    /// and (the start of) its body.
    fn reject(&mut self, message: &fanzha_bus::Delivered, reason: &str) {
        self.counts.quarantined += 1;
        *self.counts.by_reason.entry(reason.to_string()).or_default() += 1;
        let body = String::from_utf8_lossy(&message.rejected_body);
        self.quarantine.push(QuarantineRow {
            file: self.source.clone(),
            line: message.sequence as i64,
            column: None,
            reason: reason.to_string(),
            raw: format!(
                "{} {}",
                message.subject,
                body.chars().take(RAW_CHARS).collect::<String>()
            ),
        });
    }

    /// Quarantined messages and the run's figures first, then the snapshot: a snapshot never
    /// covers a message whose rejection is not stored. `ended`: the last one, the run stops.
    async fn save(
        &mut self,
        store: &Store,
        checkpoint: &Checkpoint,
        engine: &Engine,
        summary: &mut DetectionSummary,
        ended: bool,
    ) -> CliResult<()> {
        if !self.quarantine.is_empty() {
            store
                .imports()
                .add_quarantine(self.run, &self.quarantine)
                .await?;
            self.quarantine.clear();
        }
        store.imports().finish(self.run, &self.counts).await?;
        // The summary's rejections are the run's quarantine figures.
        summary.rejected = self.counts.quarantined as u64;
        summary.rejected_by_reason = self
            .counts
            .by_reason
            .iter()
            .map(|(reason, n)| (reason.clone(), *n as u64))
            .collect();
        checkpoint.save(engine, summary.through)?;
        summary.snapshots += 1;
        let progress = RunProgress {
            through_sequence: summary.through as i64,
            signals: summary.signals as i64,
            rejected: summary.rejected as i64,
            warnings: summary.warnings as i64,
            delivered: summary.delivered as i64,
            already_delivered: summary.already_delivered as i64,
        };
        store
            .detection_runs()
            .update(self.record, &progress, fanzha_core::time::now_ms(), ended)
            .await?;
        self.unsaved = 0;
        self.saved_at = Instant::now();
        Ok(())
    }
}

/// This machine and process, as the rules page names a run (`host:pid`).
fn host() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{name}:{}", std::process::id())
}

/// Numbers operators shut down (涉诈号码处置 executed) not listed yet in this run.
async fn executed_numbers(
    store: &Store,
    listed: &mut HashSet<String>,
    to_list: &mut Vec<(Msisdn, NumberList)>,
) -> Result<(), StoreError> {
    for number in store.number_disposals().executed_numbers().await? {
        if listed.contains(&number) {
            continue;
        }
        match fanzha_core::PhoneNumber::parse(&number).and_then(|n| n.to_msisdn()) {
            Ok(m) => to_list.push((m, NumberList::Blocklist)),
            Err(e) => tracing::warn!(%number, error = %e, "executed number not fed to the engine"),
        }
        listed.insert(number);
    }
    Ok(())
}

enum Delivery {
    /// Handed to the loop now.
    Now,
    /// The loop had it (a replay after a restart).
    Before,
}

/// Hands a warning with a stable id to the loop once: skipped when stored with its instruction,
/// completed when stored without (the previous run stopped in between), received otherwise.
/// A failing database is retried; the run stops when it stays down (nothing is lost: the
/// snapshot does not cover this warning's signal).
async fn deliver(
    store: &Store,
    service: &LoopService,
    warning: IncomingWarning,
    running: &AtomicBool,
) -> CliResult<Delivery> {
    let id = warning.id.clone().unwrap_or_default();
    let mut attempt = 0;
    loop {
        let now = fanzha_core::time::now_ms();
        let result = match store.warnings().get(&Scope::platform(), &id).await {
            Ok(stored) if stored.instruction_id.is_some() => Ok(Delivery::Before),
            Ok(_) => service.resume(&id, now).await.map(|_| Delivery::Now),
            Err(StoreError::NotFound { .. }) => service
                .receive(warning.clone(), now)
                .await
                .map(|_| Delivery::Now),
            Err(e) => Err(LoopError::Store(e)),
        };
        match result {
            Ok(d) => return Ok(d),
            Err(e) => {
                attempt += 1;
                if attempt >= DELIVERY_ATTEMPTS
                    || !running.load(Ordering::Relaxed)
                    || !transient(&e)
                {
                    return Err(CliError::new(
                        e.code(),
                        format!("warning {id} not handed to the closed loop: {e}"),
                    ));
                }
                tracing::warn!(%id, error = %e, attempt, "warning not delivered; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Failures worth waiting out: the database away or busy, a concurrent change.
fn transient(e: &LoopError) -> bool {
    matches!(
        e.code(),
        ErrorCode::DatabaseUnavailable | ErrorCode::DatabaseQuery | ErrorCode::Conflict
    )
}

fn detect_error(e: fanzha_detect::DetectError) -> CliError {
    let code = e.code();
    CliError::new(code, e)
}
