//! Stage 1 alone, replayed several times on one generated week, for comparing two builds of the
//! engine's call path: `cargo run --release -p fanzha-detect --example stage1_loop -- [EVENTS]
//! [PEOPLE] [ROUNDS]`. Each round builds a fresh engine (not timed) and replays the signals
//! through [`Engine::ingest_reputation_batch`] in batches of 1,024; prints the best round's
//! nanoseconds per call. With few people (1,000) every table stays in cache and the figure is
//! the work per call; with 100,000 it is mostly waiting for memory.

use fanzha_core::event::Signal;
use fanzha_detect::{Engine, EngineConfig};
use std::time::Instant;

fn engine(people: u64) -> Engine {
    let mut e = Engine::with_default_rules(EngineConfig::default()).expect("shipped rules");
    fanzha_detect::synthetic::add_residents(e.directory_mut(), people);
    e.reserve_numbers(people as usize);
    e
}

fn main() {
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (events, people, rounds) = (arg(1, 2_000_000), arg(2, 100_000), arg(3, 5));
    let signals = fanzha_detect::synthetic::generated_stream(events, people);
    let calls = signals
        .iter()
        .filter(|s| matches!(s, Signal::Call(_)))
        .count()
        .max(1);
    let mut best = f64::MAX;
    for _ in 0..rounds.max(1) {
        let mut e = engine(people);
        let t = Instant::now();
        for batch in signals.chunks(1024) {
            e.ingest_reputation_batch(batch);
        }
        best = best.min(t.elapsed().as_nanos() as f64 / calls as f64);
        std::hint::black_box(&e);
    }
    println!(
        "{{\"calls\":{calls},\"people\":{people},\"best_ns_per_call\":{best:.1},\"calls_per_s\":{:.0}}}",
        1e9 / best
    );
}
