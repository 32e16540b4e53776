//! `fanzha simulate`: a synthetic city with ground truth — one file per feed plus `truth/`, or
//! a live NDJSON stream on stdout (`--live --speed 60 --out -`); `fanzha bench simulate`
//! measures generation speed and memory.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use chrono::NaiveDate;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::event::Signal;
use fanzha_sim::format::{encode_signal, Format};
use fanzha_sim::live::{Pace, Paced};
use fanzha_sim::output::{write_city, FeedFiles};
use fanzha_sim::stats::{load_average, peak_rss_kib, realism, thread_cpu_s, StreamCounts};
use fanzha_sim::{SimParams, Simulation};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Division code of the region (county, city or province): 330281 余姚市, 3302 宁波市, 33 浙江省.
    #[arg(long, default_value = "330281")]
    pub region: String,
    /// Residents to simulate.
    #[arg(long, default_value_t = 10_000)]
    pub people: u32,
    /// Days to simulate.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Seed; the same seed and parameters give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First simulated day (YYYY-MM-DD, Asia/Shanghai); default 2026-03-02.
    #[arg(long)]
    pub start: Option<NaiveDate>,
    /// Output directory, or `-` for one NDJSON stream of signals on stdout. Without it, the city
    /// is generated and only counted (for --stats).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// File format: csv, ndjson or parquet (typed columns, Snappy-compressed).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Print the realism figures (calls per user per day, cases per 10k, losses, type mix).
    #[arg(long)]
    pub stats: bool,
    /// Stream in simulated time (with --out -): paced by --speed or --rate.
    #[arg(long)]
    pub live: bool,
    /// Simulated time runs this many times faster than the wall clock (`60` or `60x`).
    #[arg(long, conflicts_with = "rate")]
    pub speed: Option<String>,
    /// Signals per wall-clock second.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Residents engaged by fraud scripts per 10,000 per year (default 100, the national rate of
    /// face-to-face dissuasions; raise it for evaluation sets with many victims).
    #[arg(long)]
    pub victims_per_10k_year: Option<f64>,
    /// Card sellers per 10,000 residents per year (default 40).
    #[arg(long)]
    pub card_sellers_per_10k_year: Option<f64>,
}

impl Args {
    fn params(&self) -> SimParams {
        let mut p = SimParams {
            region: self.region.clone(),
            people: self.people,
            days: self.days,
            seed: self.seed,
            ..SimParams::default()
        };
        if let Some(s) = self.start {
            p.start = s;
        }
        if let Some(v) = self.victims_per_10k_year {
            p.victims_per_10k_year = v;
        }
        if let Some(v) = self.card_sellers_per_10k_year {
            p.card_sellers_per_10k_year = v;
        }
        p
    }

    fn pace(&self) -> CliResult<Option<Pace>> {
        if let Some(s) = &self.speed {
            let v: f64 = s.trim_end_matches(['x', 'X']).parse().map_err(|_| {
                CliError::new(
                    ErrorCode::SimulationParamsInvalid,
                    format!("--speed {s:?} is not a number"),
                )
            })?;
            if !(v > 0.0 && v.is_finite()) {
                return Err(CliError::new(
                    ErrorCode::SimulationParamsInvalid,
                    "--speed must be above zero",
                ));
            }
            return Ok(Some(Pace::Speed(v)));
        }
        if let Some(r) = self.rate {
            if !(r > 0.0 && r.is_finite()) {
                return Err(CliError::new(
                    ErrorCode::SimulationParamsInvalid,
                    "--rate must be above zero",
                ));
            }
            return Ok(Some(Pace::Rate(r)));
        }
        Ok(None)
    }
}

fn parse_format(s: &str) -> CliResult<Format> {
    s.parse()
        .map_err(|e: String| CliError::new(ErrorCode::FileFormatUnknown, e))
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    let format = parse_format(&args.format)?;
    let pace = args.pace()?;
    let params = args.params();
    let to_stdout = args.out.as_deref() == Some(Path::new("-"));
    if (args.live || pace.is_some()) && !to_stdout {
        return Err(CliError::new(
            ErrorCode::SimulationParamsInvalid,
            "live mode streams to stdout: add --out -",
        ));
    }
    let started = Instant::now();
    let (world, truth, counts) = match &args.out {
        Some(dir) if !to_stdout => {
            let days = params.days;
            let summary = write_city(params, dir, format, |n| {
                tracing::info!(events = n, "simulating ({days} days)");
            })?;
            (summary.world, summary.truth, summary.counts)
        }
        _ => {
            let mut sim = Simulation::new(params)?;
            let mut counts = StreamCounts::new(sim.world());
            if to_stdout {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                let mut buf = Vec::with_capacity(256);
                let stream: Box<dyn Iterator<Item = Signal>> = match pace {
                    Some(p) => Box::new(Paced::new(sim.by_ref(), p)),
                    None => Box::new(sim.by_ref()),
                };
                for s in stream {
                    counts.observe(&s);
                    buf.clear();
                    encode_signal(&mut buf, Format::Ndjson, &s, true);
                    let written = out.write_all(&buf).and_then(|_| {
                        if pace.is_some() {
                            out.flush()
                        } else {
                            Ok(())
                        }
                    });
                    if let Err(e) = written {
                        // A closed pipe (`| head`) ends the stream quietly.
                        if e.kind() == std::io::ErrorKind::BrokenPipe {
                            return Ok(());
                        }
                        return Err(e).code(ErrorCode::Io);
                    }
                }
                out.flush().code(ErrorCode::Io)?;
            } else {
                for s in sim.by_ref() {
                    counts.observe(&s);
                }
            }
            let (world, truth) = sim.finish();
            (world, truth, counts)
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let mut report = Report::new("模拟城市 / simulated city");
    report
        .field("region", format!("{} {}", args.region, world.region.name))
        .field(
            "out",
            args.out
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        )
        .field("seed", args.seed)
        .field("elapsed_s", (elapsed * 100.0).round() / 100.0)
        .field(
            "events_per_s",
            (counts.total() as f64 / elapsed.max(1e-9)).round(),
        )
        .field("peak_rss_mib", peak_rss_kib().map(|k| k / 1024));
    if args.stats {
        for (k, v) in realism(&world, &truth, &counts, args.days) {
            report.field(k, v);
        }
    } else {
        report
            .field("events", counts.total())
            .field("victims", truth.victims.len())
            .field("fraud_numbers", truth.fraud_numbers.len())
            .field("mule_accounts", truth.mule_accounts.len())
            .field("card_sellers", truth.card_sellers.len());
    }
    if to_stdout {
        // stdout carries the stream; the figures go to stderr.
        eprint!("{}", report.to_table());
        if ctx.json {
            eprintln!("{}", report.to_json());
        }
    } else {
        report.print(ctx.json);
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Residents of the benchmark city.
    #[arg(long, default_value_t = 500_000)]
    pub people: u32,
    /// Signals to generate and write.
    #[arg(long, default_value_t = 100_000_000)]
    pub events: u64,
    /// Signals for the generation-only measurement (no output).
    #[arg(long, default_value_t = 20_000_000)]
    pub generate_events: u64,
    /// Where to write the files (default: a folder under the system temp dir, removed after).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep the written files.
    #[arg(long)]
    pub keep: bool,
    /// Format of the written files: csv, ndjson or parquet.
    #[arg(long, default_value = "csv")]
    pub format: String,
    #[arg(long, default_value = "330281")]
    pub region: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Generation speed without output, then a full run to disk with peak memory sampled as it goes
/// (flat memory shows as the peak hardly growing after the first simulated days). Speeds are
/// given per second of this thread's CPU time as well as per wall second, with the load average,
/// so runs on a shared machine stay comparable.
pub fn bench(ctx: &Ctx, args: BenchArgs) -> CliResult {
    let format = parse_format(&args.format)?;
    let params = SimParams {
        region: args.region.clone(),
        people: args.people,
        days: 3650,
        seed: args.seed,
        ..SimParams::default()
    };
    let load_before = load_average();
    let t = Instant::now();
    let mut sim = Simulation::new(params.clone())?;
    let setup_s = t.elapsed().as_secs_f64();
    let phase = Phase::start();
    let generated = sim.by_ref().take(args.generate_events as usize).count() as u64;
    let generate = phase.figures(generated);
    drop(sim);

    let dir = args.out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("fanzha-bench-sim-{}", std::process::id()))
    });
    let mut sim = Simulation::new(params)?;
    let mut files = FeedFiles::create(&dir, format)?;
    let phase = Phase::start();
    let mut written = 0u64;
    let mut rss_samples = Vec::new();
    let step = (args.events / 10).max(1);
    for s in sim.by_ref().take(args.events as usize) {
        files.write(&s)?;
        written += 1;
        if written % step == 0 {
            rss_samples.push(serde_json::json!({
                "events": written,
                "peak_rss_mib": peak_rss_kib().map(|k| k / 1024),
            }));
        }
    }
    files.finish()?;
    let mut write = phase.figures(written);
    let bytes: u64 = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    write["mib_written"] = (bytes / (1024 * 1024)).into();
    write["dir"] = dir.display().to_string().into();
    if !args.keep && args.out.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut report = Report::new("bench simulate");
    report
        .field("people", args.people)
        .field("setup_s", (setup_s * 100.0).round() / 100.0)
        .field("generate", generate)
        .field(format!("write_{}", format.extension()), write)
        .field("peak_rss_mib", peak_rss_kib().map(|k| k / 1024))
        .field("peak_rss_over_run", rss_samples)
        .field("threads", 1)
        .field("load_average_before", load_before)
        .field("load_average_after", load_average());
    report.print(ctx.json);
    Ok(())
}

/// Wall and thread CPU time of one measured phase.
struct Phase {
    wall: Instant,
    cpu: Option<f64>,
}

impl Phase {
    fn start() -> Phase {
        Phase {
            wall: Instant::now(),
            cpu: thread_cpu_s(),
        }
    }

    fn figures(&self, events: u64) -> serde_json::Value {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = self.cpu.zip(thread_cpu_s()).map(|(a, b)| b - a);
        let round = |v: f64| (v * 100.0).round() / 100.0;
        serde_json::json!({
            "events": events,
            "seconds": round(wall),
            "events_per_s": (events as f64 / wall.max(1e-9)).round(),
            "cpu_seconds": cpu.map(round),
            "events_per_cpu_s": cpu.map(|c| (events as f64 / c.max(1e-9)).round()),
        })
    }
}
