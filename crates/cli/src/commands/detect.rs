//! `fanzha detect --input DIR --out warnings.csv`: runs the detection engine over a recorded city
//! (the simulator's output directory) and writes every warning event with its evidence.
//!
//! The engine itself does no I/O; this command reads the feeds, loads the directory of people
//! (phones, accounts), writes warnings and, when asked, snapshots.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::event::{EpochMs, Signal};
use fanzha_detect::{Engine, EngineConfig, Ingested, Warning};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Simulation output directory (calls.csv, sms.csv, …, phones.csv, accounts.csv).
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the warnings (CSV).
    #[arg(long, default_value = "warnings.csv")]
    pub out: PathBuf,
    /// Rules file (TOML); default: the shipped rule set.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Stage-1 model (JSON from `fanzha model train` over number features); default: the
    /// transparent weighted score.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write an engine snapshot every N signals into --snapshot-dir.
    #[arg(long, requires = "snapshot_dir")]
    pub snapshot_every: Option<u64>,
    /// Folder for snapshots (`engine-<offset>.snap`).
    #[arg(long)]
    pub snapshot_dir: Option<PathBuf>,
    /// Resume from a snapshot: skip the signals it had consumed and continue.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Stop after this many signals (with --snapshot-every: simulates a crash for the restart test).
    #[arg(long)]
    pub stop_after: Option<u64>,
    /// Also write stage-1 features of calling numbers, sampled on every 8th call of each number,
    /// with a `label` column from `truth/fraud_numbers` when present (training data for --model).
    #[arg(long)]
    pub number_features: Option<PathBuf>,
    /// Out-of-order tolerance in seconds (events later than this behind the newest are refused).
    #[arg(long, default_value_t = 300)]
    pub lateness_s: i64,
}

/// Reads a rules file, or the shipped rules.
pub fn rules_text(path: Option<&Path>) -> CliResult<String> {
    match path {
        Some(p) => std::fs::read_to_string(p)
            .code(ErrorCode::FileUnreadable)
            .map_err(|e| CliError::new(e.code, format!("{}: {:#}", p.display(), e.source))),
        None => Ok(fanzha_detect::rules::DEFAULT_RULES.to_string()),
    }
}

/// Loads phones (holder, SIM activation) and accounts (holder) of a city into the engine. A
/// directory of feeds without the phones table (the signal archive's days) takes the holders
/// from the platform's database instead, as the live engine does.
pub fn load_directory(ctx: &Ctx, engine: &mut Engine, dir: &Path) -> CliResult<(usize, usize)> {
    if fanzha_sim::feed::locate(dir, "phones").is_none() {
        let db = super::database::open(ctx)?;
        let loaded = db.block_on(fanzha_web::engine_directory::load(&db.store, engine, 0))?;
        eprintln!(
            "{} has no phones table: holders of numbers and accounts from the database ({} phones, {} accounts)",
            dir.display(),
            loaded.phones,
            loaded.accounts
        );
        return Ok((loaded.phones as usize, loaded.accounts as usize));
    }
    let phones = fanzha_sim::feed::read_phones(dir)?;
    let accounts = fanzha_sim::feed::read_accounts(dir)?;
    for p in &phones {
        if p.holder_person_id != 0 {
            engine
                .directory_mut()
                .add_phone(p.msisdn, p.holder_person_id);
        }
        engine.add_sim_activation(p.msisdn, p.activated_ts);
    }
    engine.reserve_numbers(phones.len());
    for a in &accounts {
        if a.holder_person_id != 0 {
            engine
                .directory_mut()
                .add_account(a.account_no, a.holder_person_id);
        }
    }
    Ok((phones.len(), accounts.len()))
}

/// Builds an engine for a city: rules, optional model, directory.
pub fn build_engine(
    ctx: &Ctx,
    input: &Path,
    rules: Option<&Path>,
    model: Option<&Path>,
    config: EngineConfig,
) -> CliResult<Engine> {
    let text = rules_text(rules)?;
    let mut engine = Engine::new(config, &text)?;
    if let Some(m) = model {
        engine.set_scorer(load_scorer(m)?);
    }
    load_directory(ctx, &mut engine, input)?;
    Ok(engine)
}

/// Runs signals through the engine, calling `sink` for each warning; returns (signals, bad rows).
pub fn replay(
    engine: &mut Engine,
    input: &Path,
    skip: u64,
    stop_after: Option<u64>,
    mut on_signal: impl FnMut(&Engine, u64) -> CliResult,
    mut sink: impl FnMut(&Warning) -> CliResult,
) -> CliResult<(u64, u64)> {
    let reader = fanzha_sim::feed::read_signals(input)?;
    let mut offset = 0u64;
    let mut bad = 0u64;
    let mut out: Vec<Warning> = Vec::with_capacity(16);
    for item in reader {
        let s: Signal = match item {
            Ok(s) => s,
            Err(e) => {
                bad += 1;
                tracing::warn!(error = %e, "feed row refused");
                continue;
            }
        };
        offset += 1;
        if offset <= skip {
            continue;
        }
        out.clear();
        if engine.ingest(&s, &mut out) == Ingested::Late {
            tracing::debug!(ts = s.ts(), "late signal refused");
        }
        for w in &out {
            sink(w)?;
        }
        on_signal(engine, offset)?;
        if stop_after.is_some_and(|n| offset >= n) {
            break;
        }
    }
    Ok((offset, bad))
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let started = Instant::now();
    let config = EngineConfig {
        allowed_lateness_ms: args.lateness_s * 1000,
        ..EngineConfig::default()
    };
    let (mut engine, skip) = match &args.resume {
        Some(path) => {
            let bytes = std::fs::read(path).code(ErrorCode::FileUnreadable)?;
            let (mut e, offset) = Engine::restore(&bytes)?;
            if let Some(m) = &args.model {
                e.set_scorer(load_scorer(m)?);
            }
            (e, offset)
        }
        None => (
            build_engine(
                ctx,
                &args.input,
                args.rules.as_deref(),
                args.model.as_deref(),
                config,
            )?,
            0,
        ),
    };
    let file = if skip > 0 {
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&args.out)
    } else {
        std::fs::File::create(&args.out)
    }
    .code(ErrorCode::Io)?;
    let mut w = WarningWriter::new(file, skip == 0)?;
    let mut levels = [0u64; 3];
    let mut persons = std::collections::HashSet::new();
    let snapshot_every = args.snapshot_every.unwrap_or(0);
    let snap_dir = args.snapshot_dir.clone();
    if let Some(d) = &snap_dir {
        std::fs::create_dir_all(d).code(ErrorCode::DataDirUnusable)?;
    }
    let mut snapshots = 0u64;
    let mut dump = match &args.number_features {
        Some(p) => Some(NumberFeatureDump::create(p, &args.input)?),
        None => None,
    };
    let replay_started = Instant::now();
    let (offset, bad) = replay(
        &mut engine,
        &args.input,
        skip,
        args.stop_after,
        |e, off| {
            if let Some(d) = dump.as_mut() {
                d.observe(e)?;
            }
            if snapshot_every > 0 && off % snapshot_every == 0 {
                if let Some(d) = &snap_dir {
                    let bytes = e.snapshot(off)?;
                    std::fs::write(d.join(format!("engine-{off:012}.snap")), bytes)
                        .code(ErrorCode::Io)?;
                    snapshots += 1;
                }
            }
            Ok(())
        },
        |warning| {
            if warning.kind == fanzha_detect::WarningKind::New {
                levels[(warning.level.clamp(1, 3) - 1) as usize] += 1;
            }
            persons.insert(warning.person);
            w.write(warning)
        },
    )?;
    w.flush()?;
    if let Some(d) = dump.as_mut() {
        d.flush()?;
    }
    let elapsed = replay_started.elapsed().as_secs_f64();
    let stats = engine.stats().clone();
    let mem = engine.memory();
    let mut r = Report::new("检测 detect");
    r.field("input", args.input.display().to_string())
        .field("out", args.out.display().to_string())
        .field("scorer", engine.scorer_name())
        .field("rules", engine.rules().len())
        .field("signals", offset)
        .field("resumed_from", skip)
        .field("bad_rows", bad)
        .field("late", stats.late)
        .field("evaluations", stats.evaluations)
        .field("rule_errors", stats.rule_errors)
        .field("transfers_unattributed", stats.transfers_unattributed)
        .field("suspect_numbers", stats.suspects_flagged)
        .field(
            "warnings",
            serde_json::json!({
                "new": stats.warnings_new, "raised": stats.warnings_raised,
                "merged": stats.warnings_merged,
                "new_red": levels[0], "new_orange": levels[1], "new_yellow": levels[2],
            }),
        )
        .field("persons_warned", persons.len())
        .field("snapshots", snapshots)
        .field(
            "events_per_s",
            crate::report::per_second(offset - skip, elapsed),
        )
        .field("memory", &mem)
        .field("seconds", started.elapsed().as_secs_f64());
    r.print(ctx.json);
    Ok(())
}

/// The warnings CSV: one row per warning event.
pub const WARNING_COLUMNS: &[&str] = &[
    "ts_ms",
    "time_shanghai",
    "kind",
    "person_id",
    "msisdn",
    "level",
    "fraud_type",
    "score",
    "rules",
    "evidence",
    "suspects",
];

pub struct WarningWriter<W: Write> {
    out: csv::Writer<W>,
}

pub fn shanghai_time(ts: EpochMs) -> String {
    use chrono::TimeZone;
    match chrono::Utc.timestamp_millis_opt(ts) {
        chrono::LocalResult::Single(t) => t
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        _ => String::new(),
    }
}

impl<W: Write> WarningWriter<W> {
    pub fn new(w: W, header: bool) -> CliResult<Self> {
        let mut out = csv::Writer::from_writer(w);
        if header {
            out.write_record(WARNING_COLUMNS).code(ErrorCode::Io)?;
        }
        Ok(WarningWriter { out })
    }

    pub fn write(&mut self, w: &Warning) -> CliResult {
        let rules: Vec<&str> = w.rules.iter().map(|r| r.name.as_str()).collect();
        let evidence: Vec<String> = w
            .evidence
            .iter()
            .map(|e| format!("{}={}", e.feature, e.value))
            .collect();
        let suspects: Vec<String> = w
            .suspects
            .iter()
            .map(|s| {
                let mut t = format!("{}:{:.3}", s.msisdn.0, s.score);
                if !s.lists.is_empty() {
                    t.push_str(&format!("[{}]", s.lists.join("+")));
                }
                t
            })
            .collect();
        self.out
            .write_record([
                w.ts.to_string(),
                shanghai_time(w.ts),
                w.kind.as_str().to_string(),
                w.person_id().map(|p| p.to_string()).unwrap_or_default(),
                w.msisdn.map(|m| m.0.to_string()).unwrap_or_default(),
                w.level.to_string(),
                w.fraud_type.clone().unwrap_or_default(),
                format!("{:.3}", w.score),
                rules.join(";"),
                evidence.join(";"),
                suspects.join(";"),
            ])
            .code(ErrorCode::Io)
    }

    pub fn flush(&mut self) -> CliResult {
        self.out.flush().code(ErrorCode::Io)
    }
}

/// A trained gradient-boosted model as the stage-1 scorer. Its inputs are number features by
/// name; a model that reads a feature the engine does not compute is refused.
pub struct GbmScorer {
    model: fanzha_model::Model,
    /// For each model input, the index in [`NumberFeatures::NAMES`].
    index: Vec<usize>,
}

impl fanzha_detect::score::NumberScorer for GbmScorer {
    fn score(&self, f: &fanzha_detect::number::NumberFeatures) -> f32 {
        let all = f.to_vec();
        let mut row = [0f32; 64];
        for (i, &j) in self.index.iter().enumerate().take(64) {
            row[i] = all[j];
        }
        self.model.predict_proba(&row[..self.index.len().min(64)])
    }

    fn name(&self) -> &str {
        "gbm"
    }
}

pub fn load_scorer(path: &Path) -> CliResult<Box<dyn fanzha_detect::score::NumberScorer>> {
    use fanzha_detect::number::NumberFeatures;
    let text = fanzha_model::io::read_text(path)?;
    let model = fanzha_model::Model::from_json(&text)?;
    let mut index = Vec::new();
    for name in model.feature_names() {
        match NumberFeatures::NAMES.iter().position(|n| n == name) {
            Some(i) => index.push(i),
            None => {
                return Err(CliError::new(
                    ErrorCode::ModelInvalid,
                    format!(
                        "{}: input `{name}` is not a number feature ({})",
                        path.display(),
                        NumberFeatures::NAMES.join(", ")
                    ),
                ))
            }
        }
    }
    if index.len() > 64 {
        return Err(CliError::new(
            ErrorCode::ModelInvalid,
            "more than 64 inputs",
        ));
    }
    Ok(Box::new(GbmScorer { model, index }))
}

/// `fanzha bench detect`: engine throughput and event→warning latency in-process, against
/// DuckDB computing the same stage-1 window features over the same calls.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Recorded city to replay (default: a generated stream of --events signals).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Signals in the generated stream.
    #[arg(long, default_value_t = 2_000_000)]
    pub events: u64,
    /// Residents (numbers) in the generated stream.
    #[arg(long, default_value_t = 100_000)]
    pub people: u64,
    /// Skip the DuckDB reference.
    #[arg(long)]
    pub no_reference: bool,
    /// The DuckDB reference script (default: crates/detect/bench/duckdb_reference.py).
    #[arg(long)]
    pub reference: Option<PathBuf>,
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64
}

pub fn bench(ctx: &Ctx, a: BenchArgs) -> CliResult {
    let (signals, mut engine) = match &a.input {
        Some(dir) => {
            let engine = build_engine(ctx, dir, None, None, EngineConfig::default())?;
            let signals: Vec<Signal> = fanzha_sim::feed::read_signals(dir)?.flatten().collect();
            (signals, engine)
        }
        None => {
            let mut engine = Engine::with_default_rules(EngineConfig::default())?;
            fanzha_detect::synthetic::add_residents(engine.directory_mut(), a.people);
            engine.reserve_numbers(a.people as usize);
            (
                fanzha_detect::synthetic::generated_stream(a.events, a.people),
                engine,
            )
        }
    };
    // Throughput: one core, no timing inside the loop, the signals handed over in batches as a
    // stream consumer polls them (the batch entry points prefetch the state of the signals ahead).
    const BATCH: usize = 1024;
    let mut out = Vec::with_capacity(16);
    let mut warnings = 0u64;
    let t0 = Instant::now();
    let cpu0 = thread_cpu_seconds();
    for batch in signals.chunks(BATCH) {
        out.clear();
        engine.ingest_batch(batch, &mut out);
        warnings += out.len() as u64;
    }
    let cpu_secs = thread_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let secs = t0.elapsed().as_secs_f64();
    // Per core = per CPU-second of the replay thread: on a shared machine wall time also counts
    // waiting for a core. Wall time is the fallback where the kernel does not say.
    let events_per_s = signals.len() as f64 / cpu_secs.filter(|c| *c > 0.0).unwrap_or(secs);
    let mem = engine.memory();
    // Stage 1 alone (the engine's own stage-1 path: pair index, window counters and score of
    // the calling number), on the same signals, per call: what the DuckDB reference computes.
    let mut stage1 = match &a.input {
        Some(dir) => build_engine(ctx, dir, None, None, EngineConfig::default())?,
        None => {
            // Stage 1 reads no directory, but its indexes are sized for the same population.
            let mut e = Engine::with_default_rules(EngineConfig::default())?;
            e.reserve_numbers(a.people as usize);
            e
        }
    };
    let calls = signals
        .iter()
        .filter(|s| matches!(s, Signal::Call(_)))
        .count();
    let t1 = Instant::now();
    let cpu1 = thread_cpu_seconds();
    for batch in signals.chunks(BATCH) {
        stage1.ingest_reputation_batch(batch);
    }
    let stage1_cpu = thread_cpu_seconds().zip(cpu1).map(|(b, a)| b - a);
    let stage1_secs = t1.elapsed().as_secs_f64();
    let stage1_calls_per_s = calls as f64 / stage1_cpu.filter(|c| *c > 0.0).unwrap_or(stage1_secs);
    drop(stage1);
    // Latency: a fresh engine, every event timed (one at a time); warnings' latencies kept
    // apart.
    let mut engine2 = match &a.input {
        Some(dir) => build_engine(ctx, dir, None, None, EngineConfig::default())?,
        None => {
            let bytes = Engine::with_default_rules(EngineConfig::default())?.snapshot(0)?;
            let (mut e, _) = Engine::restore(&bytes)?;
            fanzha_detect::synthetic::add_residents(e.directory_mut(), a.people);
            e.reserve_numbers(a.people as usize);
            e
        }
    };
    let mut all_ns: Vec<u32> = Vec::with_capacity(signals.len());
    let mut warn_ns: Vec<u32> = Vec::new();
    for s in &signals {
        out.clear();
        let t = Instant::now();
        engine2.ingest(s, &mut out);
        let ns = t.elapsed().as_nanos().min(u32::MAX as u128) as u32;
        all_ns.push(ns);
        if !out.is_empty() {
            warn_ns.push(ns);
        }
    }
    all_ns.sort_unstable();
    warn_ns.sort_unstable();
    let mut r = Report::new("检测基准 bench detect");
    r.field(
        "stream",
        if a.input.is_some() {
            "recorded"
        } else {
            "generated"
        },
    )
    .field("events", signals.len())
    .field("warnings", warnings)
    .field("seconds", secs)
    .field("cpu_seconds", cpu_secs)
    .field("events_per_s_per_core", events_per_s)
    .field(
        "stage1",
        serde_json::json!({
            "calls": calls, "seconds": stage1_secs, "cpu_seconds": stage1_cpu,
            "calls_per_s_per_core": stage1_calls_per_s,
        }),
    )
    .field(
        "latency_us",
        serde_json::json!({
            "all_p50": percentile(&all_ns, 0.5) / 1000.0,
            "all_p99": percentile(&all_ns, 0.99) / 1000.0,
            "warning_p50": percentile(&warn_ns, 0.5) / 1000.0,
            "warning_p99": percentile(&warn_ns, 0.99) / 1000.0,
            "warning_events": warn_ns.len(),
        }),
    )
    .field("memory", &mem);
    if !a.no_reference {
        match duckdb_reference(&signals, a.reference.as_deref()) {
            Ok(d) => {
                // Both rates per CPU-second, so the ratios hold on a loaded machine. The whole
                // engine also keeps stage 2 and the rules; stage 1 alone is like for like.
                let duck_eps = d.rows as f64 / d.sliding_secs;
                let bucketed_eps = d.bucketed_secs.map(|s| d.rows as f64 / s);
                r.field(
                    "duckdb",
                    serde_json::json!({
                        "version": d.version, "rows": d.rows, "threads": 1,
                        "sliding": { "cpu_seconds": d.sliding_secs, "rows_per_s": duck_eps },
                        "bucketed": bucketed_eps.map(|b| serde_json::json!({
                            "cpu_seconds": d.bucketed_secs, "rows_per_s": b,
                        })),
                    }),
                )
                .field("ratio_vs_duckdb", events_per_s / duck_eps)
                .field(
                    "stage1_ratio_vs_duckdb",
                    serde_json::json!({
                        "sliding": stage1_calls_per_s / duck_eps,
                        "bucketed": bucketed_eps.map(|b| stage1_calls_per_s / b),
                    }),
                );
            }
            Err(e) => {
                r.field("duckdb", format!("not measured: {e}"));
            }
        }
    }
    r.print(ctx.json);
    Ok(())
}

/// What the DuckDB reference measured.
struct DuckdbReference {
    rows: u64,
    /// CPU seconds of the sliding-window query (wall seconds where the script gives no CPU time).
    sliding_secs: f64,
    /// CPU seconds of the query with the engine's own (bucketed) window definitions.
    bucketed_secs: Option<f64>,
    version: String,
}

/// Writes the calls to a CSV and runs the DuckDB script on them.
fn duckdb_reference(signals: &[Signal], script: Option<&Path>) -> Result<DuckdbReference, String> {
    let script = script.map(Path::to_path_buf).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../detect/bench/duckdb_reference.py")
    });
    if !script.is_file() {
        return Err(format!("{} not found", script.display()));
    }
    let dir = std::env::temp_dir().join(format!("fanzha-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("calls.csv");
    {
        let f = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let mut w = std::io::BufWriter::new(f);
        writeln!(w, "ts,caller,callee,duration_s,cell").map_err(|e| e.to_string())?;
        for s in signals {
            if let Signal::Call(c) = s {
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    c.ts, c.caller.0, c.callee.0, c.duration_s, c.caller_cell
                )
                .map_err(|e| e.to_string())?;
            }
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .args(["--threads", "1"])
        .output()
        .map_err(|e| format!("python3: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let output = output?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let rows = v["rows"].as_u64().ok_or("no rows")?;
    // The process's CPU time when the script reports it (one thread), else its wall time.
    let secs = v["cpu_seconds"]
        .as_f64()
        .filter(|c| *c > 0.0)
        .or_else(|| v["seconds"].as_f64())
        .ok_or("no seconds")?;
    let bucketed_secs = v["bucketed"]["cpu_seconds"].as_f64().filter(|c| *c > 0.0);
    Ok(DuckdbReference {
        rows,
        sliding_secs: secs,
        bucketed_secs,
        version: v["duckdb"].as_str().unwrap_or("").to_string(),
    })
}

/// Training rows for the stage-1 model: number features at sampled calls, labelled from truth.
struct NumberFeatureDump {
    out: csv::Writer<std::fs::File>,
    fraud: std::collections::HashSet<u64>,
    calls_seen: std::collections::HashMap<u64, u32>,
    last_calls: u64,
}

impl NumberFeatureDump {
    fn create(path: &Path, input: &Path) -> CliResult<Self> {
        let fraud = fanzha_sim::feed::read_table::<fanzha_sim::truth::FraudNumberTruth>(input)
            .map(|v| v.into_iter().map(|f| f.msisdn.0).collect())
            .unwrap_or_default();
        let mut out = csv::Writer::from_path(path).code(ErrorCode::Io)?;
        let mut header = vec!["msisdn", "label"];
        header.extend(fanzha_detect::number::NumberFeatures::NAMES);
        out.write_record(&header).code(ErrorCode::Io)?;
        Ok(NumberFeatureDump {
            out,
            fraud,
            calls_seen: Default::default(),
            last_calls: 0,
        })
    }

    fn observe(&mut self, e: &Engine) -> CliResult {
        let calls = e.stats().calls;
        if calls == self.last_calls {
            return Ok(());
        }
        self.last_calls = calls;
        let Some((caller, ts)) = e.last_call() else {
            return Ok(());
        };
        let n = self.calls_seen.entry(caller.0).or_default();
        *n += 1;
        if *n % 8 != 1 {
            return Ok(());
        }
        if let Some(f) = e.number_features(caller, ts) {
            let mut row = vec![
                caller.0.to_string(),
                u8::from(self.fraud.contains(&caller.0)).to_string(),
            ];
            row.extend(f.to_vec().iter().map(|v| v.to_string()));
            self.out.write_record(&row).code(ErrorCode::Io)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> CliResult {
        self.out.flush().code(ErrorCode::Io)
    }
}

/// CPU time of the calling thread (Linux `/proc/thread-self/schedstat`, nanoseconds on CPU).
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
