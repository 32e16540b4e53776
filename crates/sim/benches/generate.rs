//! Generation and writing speed on one core, with peak memory (`cargo bench -p fanzha-sim`).
//! The same measurement ships as `fanzha bench simulate`; this one needs only this crate.
//!
//! Environment: `SIM_BENCH_PEOPLE` (default 200000), `SIM_BENCH_EVENTS` (default 20000000).

use fanzha_sim::format::Format;
use fanzha_sim::output::FeedFiles;
use fanzha_sim::stats::peak_rss_kib;
use fanzha_sim::{SimParams, Simulation};
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let people = env("SIM_BENCH_PEOPLE", 200_000) as u32;
    let events = env("SIM_BENCH_EVENTS", 20_000_000);
    let params = SimParams {
        people,
        days: 3650,
        ..SimParams::default()
    };
    let t = Instant::now();
    let sim = Simulation::new(params.clone()).expect("city");
    println!("setup {people} people: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let n = sim.take(events as usize).count();
    let s = t.elapsed().as_secs_f64();
    println!(
        "generate: {n} events in {s:.2} s = {:.0} events/s",
        n as f64 / s
    );

    let dir = std::env::temp_dir().join(format!("fanzha-sim-bench-{}", std::process::id()));
    let mut sim = Simulation::new(params).expect("city");
    let mut files = FeedFiles::create(&dir, Format::Csv).expect("files");
    let t = Instant::now();
    let mut written = 0u64;
    for signal in sim.by_ref().take(events as usize) {
        files.write(&signal).expect("write");
        written += 1;
        if written % (events / 5).max(1) == 0 {
            println!(
                "  {written} events written, peak RSS {} MiB",
                peak_rss_kib().unwrap_or(0) / 1024
            );
        }
    }
    let bytes = files.bytes;
    files.finish().expect("flush");
    let s = t.elapsed().as_secs_f64();
    println!(
        "write csv: {written} events, {} MiB in {s:.2} s = {:.0} events/s; peak RSS {} MiB",
        bytes >> 20,
        written as f64 / s,
        peak_rss_kib().unwrap_or(0) / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
}
