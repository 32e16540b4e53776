//! Training time and scoring throughput on a synthetic table shaped like stage-1 number
//! reputation (thousands of numbers, ~50 features, some missing).
//! Run: `cargo bench -p fanzha-model --bench model`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fanzha_model::{train, Dataset, TrainParams};
use std::hint::black_box;

fn noise(i: u64) -> f32 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((z >> 40) as f32) / (1u64 << 24) as f32
}

fn table(rows: usize, cols: usize) -> Dataset {
    let mut features = Vec::with_capacity(rows * cols);
    let mut labels = Vec::with_capacity(rows);
    for r in 0..rows as u64 {
        let mut signal = 0.0;
        for c in 0..cols as u64 {
            let x = noise(r * 1000 + c);
            if c < 5 {
                signal += x;
            }
            features.push(if (r + c) % 17 == 0 { f32::NAN } else { x });
        }
        labels.push((signal + 0.5 * noise(r + 7_777_777) > 2.75) as u8 as f32);
    }
    let names = (0..cols).map(|c| format!("f{c}")).collect();
    Dataset::new(features, cols, labels, names).expect("well-formed table")
}

fn bench(c: &mut Criterion) {
    let data = table(5_000, 55);
    let params = TrainParams {
        n_rounds: 200,
        ..TrainParams::default()
    };
    let mut g = c.benchmark_group("model");
    g.sample_size(10);
    g.bench_function("train_5000x55", |b| {
        b.iter(|| train(black_box(&data), &params).expect("trains"))
    });
    let model = train(&data, &params).expect("trains");
    g.throughput(Throughput::Elements(data.n_rows() as u64));
    g.bench_function("predict_proba_5000_rows", |b| {
        b.iter(|| {
            let mut s = 0.0f32;
            for r in 0..data.n_rows() {
                s += model.predict_proba(black_box(data.row(r)));
            }
            s
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
