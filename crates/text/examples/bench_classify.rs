//! Texts per second of a classifier on one thread
//! (`cargo run --release -p fanzha-text --example bench_classify -- FILE.csv.gz [MODEL.fzt]`;
//! the shipped model without MODEL); the same measurement as `fanzha bench text`, without
//! building the whole CLI.
use fanzha_text::{dataset, default_classifier, Classifier};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a CSV file with id,text");
    let rows = dataset::read_unlabelled(path.as_ref(), "id", "text").unwrap();
    let loaded;
    let clf = match std::env::args().nth(2) {
        Some(model) => {
            loaded = Classifier::load(model.as_ref()).unwrap();
            &loaded
        }
        None => default_classifier(),
    };
    println!("{} features", clf.model().n_features());
    let _ = clf.classify("预热");
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu());
        let n = rows
            .iter()
            .filter(|r| clf.classify(&r.text).fraud_type.is_fraud())
            .count();
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu() - c);
        std::hint::black_box(n);
    }
    println!(
        "{} texts: {:.0} texts/s wall, {:.0} texts per CPU-second (one thread)",
        rows.len(),
        rows.len() as f64 / best,
        rows.len() as f64 / best_cpu
    );
}

/// Thread CPU seconds (Linux); see `fanzha bench text`.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}
