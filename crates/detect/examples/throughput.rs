//! Engine throughput and per-event latency on the generated stream, without the CLI:
//! `cargo run --release -p fanzha-detect --example throughput -- [EVENTS] [PEOPLE] [CALLS_CSV] [FEATURES_CSV]`.
//! With CALLS_CSV it also writes the calls for `crates/detect/bench/duckdb_reference.py`; with
//! FEATURES_CSV the stage-1 window features of every 50th call as the engine computed them, for
//! `duckdb_reference.py CALLS_CSV --check FEATURES_CSV`.
//!
//! Three replays: the whole engine (stage 1 + stage 2 + rules) timed as a whole, stage 1 alone
//! ([`Engine::ingest_reputation`]: pair index, window counters and score of the calling number,
//! what the DuckDB reference computes the window features of), and the whole engine again timing
//! every event. The first two hand the signals over in batches of 1,024
//! ([`Engine::ingest_batch`], [`Engine::ingest_reputation_batch`]); with the environment variable
//! `FANZHA_DETECT_SEQUENTIAL` set they call the one-signal entry points instead.

use fanzha_core::event::Signal;
use fanzha_detect::{Engine, EngineConfig};
use std::io::Write;
use std::time::Instant;

/// Signals handed to the batch entry points at a time (what a stream consumer would poll).
const BATCH: usize = 1024;

fn engine(people: u64) -> Engine {
    let mut e = Engine::with_default_rules(EngineConfig::default()).expect("shipped rules");
    fanzha_detect::synthetic::add_residents(e.directory_mut(), people);
    e.reserve_numbers(people as usize);
    e
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let people: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let signals = fanzha_detect::synthetic::generated_stream(events, people);
    if let Some(path) = args.get(3) {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("calls csv"));
        writeln!(w, "ts,caller,callee,duration_s,cell").expect("write");
        for s in &signals {
            if let Signal::Call(c) = s {
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    c.ts, c.caller.0, c.callee.0, c.duration_s, c.caller_cell
                )
                .expect("write");
            }
        }
    }
    let mut e = engine(people);
    let mut out = Vec::new();
    let mut warnings = 0usize;
    let t = Instant::now();
    let cpu0 = thread_cpu_seconds();
    let seq = std::env::var_os("FANZHA_DETECT_SEQUENTIAL").is_some();
    if seq {
        for s in &signals {
            out.clear();
            e.ingest(s, &mut out);
            warnings += out.len();
        }
    } else {
        for batch in signals.chunks(BATCH) {
            out.clear();
            e.ingest_batch(batch, &mut out);
            warnings += out.len();
        }
    }
    let cpu = thread_cpu_seconds() - cpu0;
    let secs = t.elapsed().as_secs_f64();
    // Stage 1 alone, through the engine's own stage-1 path, on the same signals.
    let mut e1 = engine(people);
    let calls = signals
        .iter()
        .filter(|s| matches!(s, Signal::Call(_)))
        .count();
    let cpu1 = thread_cpu_seconds();
    if seq {
        for s in &signals {
            e1.ingest_reputation(s);
        }
    } else {
        for batch in signals.chunks(BATCH) {
            e1.ingest_reputation_batch(batch);
        }
    }
    let stage1_cpu = thread_cpu_seconds() - cpu1;
    if let Some(path) = args.get(4) {
        write_feature_sample(path, &signals, people);
    }
    let mut e2 = engine(people);
    let mut all = Vec::with_capacity(signals.len());
    let mut warn = Vec::new();
    for s in &signals {
        out.clear();
        let t = Instant::now();
        e2.ingest(s, &mut out);
        let ns = t.elapsed().as_nanos() as u64;
        all.push(ns);
        if !out.is_empty() {
            warn.push(ns);
        }
    }
    all.sort_unstable();
    warn.sort_unstable();
    let q = |v: &[u64], p: f64| {
        v.get(((v.len().max(1) - 1) as f64 * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    let m = e.memory();
    println!(
        "{{\"events\":{},\"warnings\":{},\"seconds\":{:.3},\"cpu_seconds\":{:.3},\"events_per_cpu_s\":{:.0},\"events_per_s\":{:.0},\"calls\":{},\"stage1_cpu_seconds\":{:.3},\"stage1_calls_per_cpu_s\":{:.0},\"p50_ns\":{},\"p99_ns\":{},\"warning_p50_ns\":{},\"warning_p99_ns\":{},\"numbers\":{},\"bytes_per_number\":{:.0},\"bytes_per_person\":{:.0}}}",
        signals.len(), warnings, secs, cpu, signals.len() as f64 / cpu, signals.len() as f64 / secs, calls, stage1_cpu, calls as f64 / stage1_cpu, q(&all, 0.5), q(&all, 0.99),
        q(&warn, 0.5), q(&warn, 0.99), m.numbers, m.bytes_per_number, m.bytes_per_person
    );
}

/// Replays the signals through stage 1 and writes, for every 50th call, the caller's window
/// features right after the call (what DuckDB's window functions give for that row).
fn write_feature_sample(path: &str, signals: &[Signal], people: u64) {
    let mut e = engine(people);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("features csv"));
    writeln!(
        w,
        "ts,caller,calls_1h,calls_24h,calls_7d,short_call_share_24h,night_call_share_24h,duration_mean_24h,duration_sd_24h,distinct_callees_24h"
    )
    .expect("write");
    let mut k = 0u64;
    for s in signals {
        e.ingest_reputation(s);
        if let Signal::Call(c) = s {
            k += 1;
            if k % 50 != 0 {
                continue;
            }
            let f = e.number_features(c.caller, c.ts).expect("caller state");
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                c.ts,
                c.caller.0,
                f.calls_1h,
                f.calls_24h,
                f.calls_7d,
                f.short_call_share_24h,
                f.night_call_share_24h,
                f.duration_mean_24h,
                f.duration_sd_24h,
                f.distinct_callees_24h
            )
            .expect("write");
        }
    }
}

/// CPU time of the calling thread in seconds (Linux `/proc/thread-self/schedstat`, nanoseconds on
/// CPU): on a shared machine wall time also counts waiting for a core, CPU time does not.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}
