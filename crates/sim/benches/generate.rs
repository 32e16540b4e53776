//! Generation and writing speed on one core, with peak memory (`cargo bench -p fanzha-sim`).
//! The same measurement ships as `fanzha bench simulate`; this one needs only this crate.
//!
//! Speeds are given per second of this thread's CPU time as well as per wall second, so a run on
//! a shared machine stays comparable; the load average is printed before and after.
//!
//! Environment: `SIM_BENCH_PEOPLE` (default 200000), `SIM_BENCH_EVENTS` (default 20000000),
//! `SIM_BENCH_FORMATS` (default `csv`; a comma list of csv, ndjson, parquet).

use fanzha_sim::format::Format;
use fanzha_sim::output::FeedFiles;
use fanzha_sim::stats::{load_average, peak_rss_kib, thread_cpu_s};
use fanzha_sim::{SimParams, Simulation};
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Wall and CPU seconds of a phase.
struct Clock(Instant, f64);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), thread_cpu_s().unwrap_or(0.0))
    }
    fn stop(&self, what: &str, events: u64) {
        let wall = self.0.elapsed().as_secs_f64();
        let cpu = thread_cpu_s().unwrap_or(0.0) - self.1;
        println!(
            "{what}: {events} events, wall {wall:.2} s = {:.0}/s, cpu {cpu:.2} s = {:.0}/s",
            events as f64 / wall,
            events as f64 / cpu.max(1e-9),
        );
    }
}

fn main() {
    let people = env("SIM_BENCH_PEOPLE", 200_000) as u32;
    let events = env("SIM_BENCH_EVENTS", 20_000_000);
    let formats: Vec<Format> = std::env::var("SIM_BENCH_FORMATS")
        .unwrap_or_else(|_| "csv".into())
        .split(',')
        .map(|f| {
            f.trim()
                .parse()
                .expect("SIM_BENCH_FORMATS: csv, ndjson or parquet")
        })
        .collect();
    println!("load average {:.2}", load_average().unwrap_or(f64::NAN));
    let params = SimParams {
        people,
        days: 3650,
        ..SimParams::default()
    };
    let clock = Clock::start();
    let sim = Simulation::new(params.clone()).expect("city");
    clock.stop(&format!("setup {people} people"), 0);
    let clock = Clock::start();
    let n = sim.take(events as usize).count() as u64;
    clock.stop("generate", n);

    for format in formats {
        let dir = std::env::temp_dir().join(format!("fanzha-sim-bench-{}", std::process::id()));
        let mut sim = Simulation::new(params.clone()).expect("city");
        let mut files = FeedFiles::create(&dir, format).expect("files");
        let clock = Clock::start();
        let mut written = 0u64;
        let mut rss = Vec::new();
        for signal in sim.by_ref().take(events as usize) {
            files.write(&signal).expect("write");
            written += 1;
            if written.is_multiple_of((events / 5).max(1)) {
                rss.push(peak_rss_kib().unwrap_or(0) / 1024);
            }
        }
        files.finish().expect("flush");
        clock.stop(
            &format!("generate and write {}", format.extension()),
            written,
        );
        let bytes: u64 = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        println!(
            "  {} MiB on disk; peak RSS (MiB) after each fifth: {rss:?}",
            bytes >> 20
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!("load average {:.2}", load_average().unwrap_or(f64::NAN));
}
