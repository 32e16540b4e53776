//! `cargo bench -p fanzha-ingest`: rows per second of a full import pass over a 1,000,000-row
//! people CSV with 1% bad rows (encoding detection, CSV parsing, header mapping, validation of
//! every field into domain types, in-file duplicate detection, quarantine), against polars'
//! `read_csv` on the same file in the same run.
//!
//! Environment: FANZHA_BENCH_ROWS (default 1,000,000), FANZHA_BENCH_RUNS (runs per side and
//! round, default 3), FANZHA_BENCH_ROUNDS (default 5),
//! FANZHA_BENCH_FILE (default: a file in the system temp dir, generated when missing),
//! FANZHA_BENCH_SKIP_POLARS=1 to measure only fanzha.

use fanzha_ingest::synthetic::{write_people_csv, PeopleSpec};
use fanzha_ingest::{import_file, CountingSink, ImportOptions, RecordKind};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_file(rows: usize) -> PathBuf {
    if let Ok(p) = std::env::var("FANZHA_BENCH_FILE") {
        return PathBuf::from(p);
    }
    let dir = std::env::temp_dir().join("fanzha-ingest-bench");
    std::fs::create_dir_all(&dir).expect("create bench dir");
    dir.join(format!("people_{rows}_seed7.csv"))
}

fn generate(path: &Path, rows: usize) -> u64 {
    let started = Instant::now();
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).expect("create bench file");
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let spec = PeopleSpec {
        rows,
        bad_share: 0.01,
        seed: 7,
        encoding_errors: false,
    };
    let expected = write_people_csv(&mut w, &spec).expect("write bench file");
    w.flush().expect("flush bench file");
    drop(w);
    std::fs::rename(&tmp, path).expect("rename bench file");
    eprintln!(
        "generated {} ({} rows, {} bad) in {:.1?}",
        path.display(),
        rows,
        expected.rejected.len(),
        started.elapsed()
    );
    expected.rejected.len() as u64
}

/// CPU time of this process so far (all threads), in nanoseconds: `/proc/self/stat` counts in
/// 10 ms ticks, too coarse to compare runs of a few hundred milliseconds.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that is not ours means "not this bench".
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.iter().any(|a| !"ingest".contains(a.as_str())) {
        return;
    }
    let rows = env_usize("FANZHA_BENCH_ROWS", 1_000_000);
    let runs = env_usize("FANZHA_BENCH_RUNS", 3).max(1);
    let path = bench_file(rows);
    if !path.exists() {
        generate(&path, rows);
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let opts = ImportOptions::new(RecordKind::People);
    let rounds = env_usize("FANZHA_BENCH_ROUNDS", 5).max(1);
    let skip_polars = std::env::var("FANZHA_BENCH_SKIP_POLARS").as_deref() == Ok("1");

    // Warm-up (page cache, reference tables, thread pool), then measured runs. The two sides
    // take turns, round by round, so that a slow spell of a shared machine falls on both: the
    // ratio is taken per round (the best run of each side in it) and its median reported.
    let mut sink = CountingSink::default();
    let warm = import_file(&path, &opts, &mut sink).expect("import");
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut theirs: Vec<PolarsRound> = Vec::new();
    let mut round_ratios = Vec::new();
    let mut polars_error = None;
    for _ in 0..rounds {
        let mut round_best = Duration::MAX;
        for _ in 0..runs {
            let mut sink = CountingSink::default();
            let c = cpu_time();
            let t = Instant::now();
            let s = import_file(&path, &opts, &mut sink).expect("import");
            let elapsed = t.elapsed();
            times.push(elapsed);
            cpu.push(cpu_time().saturating_sub(c));
            round_best = round_best.min(elapsed);
            assert_eq!(s.read, warm.read);
        }
        if skip_polars || polars_error.is_some() {
            continue;
        }
        match polars_round(&path, runs) {
            Ok(p) => {
                round_ratios.push(p.best_s / round_best.as_secs_f64());
                theirs.push(p);
            }
            Err(e) => polars_error = Some(e),
        }
    }
    let best = *times.iter().min().expect("runs");
    let med = median(times);
    let cpu_med = median(cpu);
    let ours_rps = warm.read as f64 / best.as_secs_f64();
    println!("fanzha-ingest: parse + validate people CSV");
    println!(
        "  file            {} ({:.1} MB, {} rows, encoding {})",
        path.display(),
        bytes as f64 / 1e6,
        warm.read,
        warm.encoding
    );
    println!(
        "  accepted        {}   quarantined {}   by reason {:?}",
        warm.accepted, warm.quarantined, warm.by_reason
    );
    println!(
        "  fanzha          best {:>8.1} ms   median {:>8.1} ms   cpu {:>8.1} ms   {:>10.0} rows/s   {:>6.1} MB/s   ({} threads)",
        best.as_secs_f64() * 1e3,
        med.as_secs_f64() * 1e3,
        cpu_med.as_secs_f64() * 1e3,
        ours_rps,
        bytes as f64 / 1e6 / best.as_secs_f64(),
        rayon::current_num_threads()
    );
    if skip_polars {
        return;
    }
    if let Some(e) = polars_error {
        println!("  polars          not measured: {e}");
        return;
    }
    let Some(first) = theirs.first() else {
        return;
    };
    let p_best = theirs
        .iter()
        .map(|p| p.best_s)
        .fold(f64::INFINITY, f64::min);
    let p_med = median_f64(theirs.iter().map(|p| p.median_s).collect());
    let p_cpu = median_f64(theirs.iter().map(|p| p.cpu_median_s).collect());
    let polars_rps = first.rows / p_best;
    println!(
        "  polars {:<8} best {:>8.1} ms   median {:>8.1} ms   cpu {:>8.1} ms   {:>10.0} rows/s   {:>6.1} MB/s   ({} threads, read_csv, all columns text, no validation)",
        first.version,
        p_best * 1e3,
        p_med * 1e3,
        p_cpu * 1e3,
        polars_rps,
        bytes as f64 / 1e6 / p_best,
        first.threads
    );
    let ratios: Vec<String> = round_ratios.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "  ratio           fanzha / polars = {:.2}x by wall-clock rows/s (median of {rounds} rounds' best-of-{runs} ratios: {}), {:.2}x best vs best, {:.2}x by CPU time (medians)",
        median_f64(round_ratios.clone()),
        ratios.join(" "),
        ours_rps / polars_rps,
        p_cpu / cpu_med.as_secs_f64()
    );
}

/// One round of polars' `read_csv` on the file (`runs` timed reads after a warm-up).
struct PolarsRound {
    rows: f64,
    best_s: f64,
    median_s: f64,
    cpu_median_s: f64,
    version: String,
    threads: String,
}

fn polars_round(path: &Path, runs: usize) -> Result<PolarsRound, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/polars_read_csv.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(path)
        .arg(runs.to_string())
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .ok_or_else(|| format!("unexpected output {stdout}"))?;
    Ok(PolarsRound {
        rows: v["rows"].as_f64().unwrap_or(f64::NAN),
        best_s: v["best_s"].as_f64().unwrap_or(f64::NAN),
        median_s: v["median_s"].as_f64().unwrap_or(f64::NAN),
        cpu_median_s: v["cpu_median_s"].as_f64().unwrap_or(f64::NAN),
        version: v["polars"].as_str().unwrap_or("?").to_string(),
        threads: v["threads"].to_string(),
    })
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
