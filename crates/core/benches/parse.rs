//! Parsing rate of the hot validators: phone numbers, resident IDs and bank cards, on a mix of
//! valid and invalid inputs as a feed delivers them. Tables are loaded before measuring.
//!
//! Run: `cargo bench -p fanzha-core --bench parse`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use fanzha_core::bank_card::BankCard;
use fanzha_core::money::Money;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reference::{bank_bins, divisions, phone_segments};
use fanzha_core::resident_id::ResidentId;
use fanzha_core::time::parse_timestamp;
use std::hint::black_box;
use std::time::Instant;

const PHONES: &[&str] = &[
    "13800138000",
    "+86 138 0013 8000",
    "18957501234",
    "17001234567",
    "0574-62345678",
    "96110",
    "+1 202 555 0123",
    "1380013800a",
];
const IDS: &[&str] = &[
    "11010519491231002X",
    "330106198506159980",
    "41010219900101999X",
    "410102199001019990",
    "440524188001010014",
];
const CARDS: &[&str] = &[
    "6228480123456789015",
    "6225880123456783",
    "6228480123456789016",
    "9999990123456788",
];

fn bench(c: &mut Criterion) {
    // Loading is measured once here, outside the timed loops.
    let t = Instant::now();
    let _ = phone_segments();
    eprintln!("load phone segments: {:?}", t.elapsed());
    let t = Instant::now();
    let _ = bank_bins();
    eprintln!("load bank BINs: {:?}", t.elapsed());
    let t = Instant::now();
    let _ = divisions();
    eprintln!("load divisions (five levels): {:?}", t.elapsed());
    let _ = ResidentId::parse(IDS[0]);

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(PHONES.len() as u64));
    g.bench_function("phone", |b| {
        b.iter(|| {
            for s in PHONES {
                let _ = black_box(PhoneNumber::parse(black_box(s)));
            }
        })
    });
    g.throughput(Throughput::Elements(IDS.len() as u64));
    g.bench_function("resident_id", |b| {
        b.iter(|| {
            for s in IDS {
                let _ = black_box(ResidentId::parse(black_box(s)));
            }
        })
    });
    g.throughput(Throughput::Elements(CARDS.len() as u64));
    g.bench_function("bank_card", |b| {
        b.iter(|| {
            for s in CARDS {
                let _ = black_box(BankCard::parse(black_box(s)));
            }
        })
    });
    g.throughput(Throughput::Elements(3));
    g.bench_function("money", |b| {
        b.iter(|| {
            for s in ["1,234.56", "1.2万", "￥88.5"] {
                let _ = black_box(Money::parse(black_box(s)));
            }
        })
    });
    g.throughput(Throughput::Elements(3));
    g.bench_function("timestamp", |b| {
        b.iter(|| {
            for s in [
                "2026-01-02 03:04:05",
                "20260102030405",
                "2026-01-01T19:04:05Z",
            ] {
                let _ = black_box(parse_timestamp(black_box(s)));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("lookup");
    g.bench_function("phone_segment", |b| {
        let t = phone_segments();
        b.iter_batched(
            || 1_380_013u32,
            |p| black_box(t.get(black_box(p))),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
