//! Rows per second of `People::upsert` in import-sized batches, into a fresh database.
//!
//! `cargo run --release -p fanzha-store --example bulk_upsert -- [ROWS] [BATCH]`
//! (defaults 1,000,000 and 14,000, about what a people CSV block hands the store). The database
//! is a new SQLite file under the temp dir, or a new schema of `FANZHA_TEST_DATABASE_URL` when
//! that is set. Each run upserts the rows twice: the first pass inserts, the second must change
//! nothing. Prints wall and CPU time (user + system, all threads) of each pass.

use fanzha_store::testing::TestDb;
use fanzha_store::NewPerson;
use std::time::{Duration, Instant};

fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A deterministic, well-spread pseudo-random sequence (splitmix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn person(i: u64) -> NewPerson {
    let r = mix(i);
    let village = format!(
        "3302{:02}{:03}{:03}",
        81 + r % 3,
        1 + (r >> 8) % 20,
        1 + (r >> 16) % 30
    );
    NewPerson {
        resident_id: format!("330281{:011}X", r % 100_000_000_000),
        name: "张三丰".into(),
        phone: Some(format!("13{:09}", (r >> 20) % 1_000_000_000)),
        residence_code: village,
        address: Some("浙江省宁波市余姚市阳明街道新建北路１号".into()),
        employer: if r % 7 == 0 {
            Some("余姚市人民政府".into())
        } else {
            None
        },
        public_sector: r % 7 == 0,
        app_registered: false,
        joint_defense_registered: false,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(14_000);
    let db = match TestDb::postgres() {
        Some(db) => db,
        None => TestDb::sqlite(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let store = rt.block_on(db.open());
    let people: Vec<NewPerson> = (0..rows).map(person).collect();
    for pass in ["insert", "again"] {
        let (wall, cpu) = (Instant::now(), cpu_time());
        let mut total = fanzha_store::UpsertOutcome::default();
        for chunk in people.chunks(batch) {
            total.add(rt.block_on(store.people().upsert(chunk)).expect("upsert"));
        }
        let (wall, cpu) = (wall.elapsed(), cpu_time() - cpu);
        println!(
            "{} {pass}: {rows} rows in batches of {batch}: {:.2} s wall, {:.2} s CPU, {:.0} rows/s; \
             inserted {} updated {} unchanged {} duplicates {}",
            store.backend().as_str(),
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            rows as f64 / wall.as_secs_f64(),
            total.inserted,
            total.updated,
            total.unchanged,
            total.duplicates
        );
    }
    rt.block_on(store.close());
}
