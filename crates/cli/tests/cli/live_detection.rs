//! `fanzha signals publish`, `fanzha worker` and `fanzha serve` against a real NATS JetStream
//! server (`FANZHA_TEST_NATS_URL`), on SQLite and on PostgreSQL (`FANZHA_TEST_DATABASE_URL`):
//! a recorded city published to the stream, its residents imported, detection run through
//! the closed loop; a worker killed between snapshots and restarted hands the loop exactly the
//! warnings an uninterrupted run does, none twice; a message that is not a signal lands in the
//! quarantine with its sequence and reason.

use crate::common::{new_site, postgres_url, Site};
use fanzha_bus::testing::test_config;
use fanzha_bus::BusConfig;
use fanzha_store::Store;
use sqlx::Row;
use std::path::Path;

fn bus_args(bus: &BusConfig) -> [&str; 4] {
    ["--nats-url", &bus.url, "--stream", &bus.stream]
}

/// The warnings a site's loop holds: (id, level, resident, has an instruction).
async fn warnings(url: &str) -> Vec<(String, i64, Option<String>, bool)> {
    let store = Store::connect(url).await.unwrap();
    let rows =
        sqlx::query("SELECT id, level, resident_id, instruction_id FROM warnings ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    rows.iter()
        .map(|r| {
            let instruction: Option<String> = r.get("instruction_id");
            (
                r.get("id"),
                r.get("level"),
                r.get("resident_id"),
                instruction.is_some(),
            )
        })
        .collect()
}

/// The site's detection runs, oldest first: (from, through, ended, delivered).
async fn runs(url: &str) -> Vec<(i64, i64, bool, i64)> {
    let store = Store::connect(url).await.unwrap();
    let mut runs: Vec<_> = store
        .detection_runs()
        .latest(100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.from_sequence,
                r.progress.through_sequence,
                r.ended_at.is_some(),
                r.progress.delivered,
            )
        })
        .collect();
    runs.reverse();
    runs
}

async fn quarantined(url: &str) -> Vec<(String, i64, String)> {
    let store = Store::connect(url).await.unwrap();
    sqlx::query("SELECT file, line, reason FROM quarantine WHERE file LIKE 'nats:%' ORDER BY line")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("file"), r.get("line"), r.get("reason")))
        .collect()
}

/// Imports the org tree and the city's residents with their phones and bank cards.
fn prepare(site: &Site, city: &Path) {
    let people = city.join("people.csv");
    let people = people.to_str().unwrap();
    site.ok(&["import", "divisions", "--root", "330281", "--json"]);
    let p = site.ok(&["import", "people", people, "--json"]);
    assert!(p["accepted"].as_i64().unwrap() > 1_000, "{p}");
    let a = site.ok(&["import", "accounts", people, "--json"]);
    assert!(a["accepted"].as_i64().unwrap() > 1_000, "{a}");
}

async fn scenario(postgres: Option<&str>) {
    let Some(bus) = test_config() else { return };
    let root = tempfile::tempdir().unwrap();
    let city = root.path().join("city");
    let first = new_site(root.path(), "a", postgres).await;
    let sim = first.run(&[
        "simulate",
        "--region",
        "330281",
        "--people",
        "3000",
        "--days",
        "2",
        "--seed",
        "5",
        "--victims-per-10k-year",
        "20000",
        "--out",
        city.to_str().unwrap(),
    ]);
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );

    // The feeds go to the stream, with one message that is not a signal in the middle.
    let mut publish = vec![
        "signals",
        "publish",
        "--input",
        city.to_str().unwrap(),
        "--json",
    ];
    publish.extend(bus_args(&bus));
    let published = first.ok(&publish);
    let signals = published["published"].as_u64().unwrap();
    assert!(signals > 20_000, "{published}");
    let client = fanzha_bus::Bus::connect(&bus).await.unwrap();
    let bad = client
        .publish_raw("call", b"{\"type\":\"call\",\"ts\":\"yesterday\"}".to_vec())
        .await
        .unwrap();
    assert_eq!(bad, signals + 1);
    let more = first.ok(&publish);
    let total = signals * 2 + 1;
    assert_eq!(more["last_sequence"].as_u64().unwrap(), total);

    // Uninterrupted.
    prepare(&first, &city);
    let mut work = vec!["worker", "--until-caught-up", "--json"];
    work.extend(bus_args(&bus));
    let whole = first.ok(&work);
    assert_eq!(whole["through"].as_u64().unwrap(), total, "{whole}");
    assert_eq!(whole["signals"].as_u64().unwrap(), total);
    assert_eq!(whole["rejected"], 1);
    assert_eq!(whole["rejected_by_reason"]["bad_field"], 1);
    assert_eq!(whole["resumed_from"], 0);
    assert!(
        whole["directory_phones"].as_u64().unwrap() > 1_000,
        "{whole}"
    );
    assert!(
        whole["directory_accounts"].as_u64().unwrap() > 1_000,
        "{whole}"
    );
    let delivered = whole["delivered"].as_u64().unwrap();
    assert!(delivered > 5, "the city's victims raise warnings: {whole}");
    assert_eq!(whole["already_delivered"], 0);
    let reference = warnings(&first.url).await;
    assert_eq!(reference.len() as u64, delivered);
    assert!(
        reference.iter().all(|w| w.3),
        "every warning has its instruction"
    );
    assert!(
        reference.iter().filter(|w| w.2.is_some()).count() * 2 > reference.len(),
        "most warnings name a resident: {reference:?}"
    );
    assert_eq!(
        quarantined(&first.url).await,
        vec![(
            format!("nats:{}", bus.stream),
            bad as i64,
            "bad_field".to_string()
        )]
    );
    assert_eq!(
        runs(&first.url).await,
        vec![(1, total as i64, true, delivered as i64)]
    );
    // Caught up: a second run reads nothing and changes nothing.
    let again = first.ok(&work);
    assert_eq!(again["signals"], 0);
    assert_eq!(again["resumed_from"].as_u64().unwrap(), total);
    assert_eq!(warnings(&first.url).await, reference);

    // Killed between snapshots, then restarted.
    let second = new_site(root.path(), "b", postgres).await;
    prepare(&second, &city);
    // Mid-way through the first copy of the city, where its victims are being warned.
    let crash_at = (signals / 2).to_string();
    let mut crash = vec![
        "worker",
        "--until-caught-up",
        "--snapshot-every-signals",
        "5000",
        "--crash-after",
        &crash_at,
    ];
    crash.extend(bus_args(&bus));
    let crashed = second.run(&crash);
    assert_eq!(
        crashed.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&crashed.stderr)
    );
    let before_restart = warnings(&second.url).await.len();
    assert!(
        before_restart > 0 && before_restart < reference.len(),
        "{before_restart} of {}",
        reference.len()
    );
    let resumed = second.ok(&work);
    let from = resumed["resumed_from"].as_u64().unwrap();
    assert!(from > 0 && from <= signals / 2, "{resumed}");
    assert_eq!(resumed["through"].as_u64().unwrap(), total);
    assert_eq!(resumed["signals"].as_u64().unwrap(), total - from);
    assert_eq!(
        warnings(&second.url).await,
        reference,
        "same warnings, none twice"
    );
    // The warnings raised between the snapshot and the crash were raised again and recognised.
    assert!(
        resumed["already_delivered"].as_u64().unwrap() > 0,
        "{resumed}"
    );
    assert_eq!(
        resumed["delivered"].as_u64().unwrap() as usize + before_restart,
        reference.len(),
        "{resumed}"
    );

    // The killed run never ended; the restart's did, from the snapshot on.
    let second_runs = runs(&second.url).await;
    assert_eq!(second_runs.len(), 2, "{second_runs:?}");
    assert!(!second_runs[0].2, "the killed run is not marked ended");
    assert_eq!(second_runs[1].0, from as i64 + 1);
    assert_eq!(second_runs[1].1, total as i64);
    assert!(second_runs[1].2);
    // The status command shows the snapshot caught up.
    let mut status = vec!["signals", "status", "--json"];
    status.extend(bus_args(&bus));
    let s = second.ok(&status);
    assert_eq!(s["last_sequence"].as_u64().unwrap(), total);
    assert_eq!(s["behind"], 0);

    // `serve` with detection: starts, reads nothing new, and stops cleanly.
    let mut serve = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--duration-s",
        "2",
        "--json",
    ];
    serve.extend(bus_args(&bus));
    let served = second.ok(&serve);
    assert_eq!(served["detection"]["resumed_from"].as_u64().unwrap(), total);
    assert_eq!(served["detection"]["signals"], 0);

    // Down longer than the stream keeps signals: the first site resumes after those it lost.
    let fresh: Vec<_> = fanzha_sim::Simulation::new(fanzha_sim::SimParams {
        region: "330281".into(),
        people: 300,
        days: 1,
        seed: 9,
        ..fanzha_sim::SimParams::default()
    })
    .unwrap()
    .take(3)
    .collect();
    client.publish_all(fresh, |_| {}).await.unwrap();
    client.discard_before(total + 3).await.unwrap();
    let late = first.ok(&work);
    assert_eq!(late["resumed_from"].as_u64().unwrap(), total, "{late}");
    assert_eq!(late["lost_to_retention"], 2, "{late}");
    assert_eq!(late["signals"], 1, "{late}");
    assert_eq!(late["through"].as_u64().unwrap(), total + 3);

    client.delete_stream().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn detection_on_the_bus_sqlite() {
    scenario(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn detection_on_the_bus_postgres() {
    let Some(url) = postgres_url() else { return };
    scenario(Some(&url)).await;
}

#[tokio::test]
async fn a_worker_without_a_bus_says_how_to_give_one() {
    let root = tempfile::tempdir().unwrap();
    let site = new_site(root.path(), "a", None).await;
    let said = site.refused(&["worker"], "config_invalid");
    assert!(said.contains("--nats-url"), "{said}");
}

#[tokio::test]
async fn serve_needs_an_org_tree() {
    let root = tempfile::tempdir().unwrap();
    let site = new_site(root.path(), "a", None).await;
    let said = site.refused(
        &["serve", "--listen", "127.0.0.1:0", "--duration-s", "1"],
        "unit_not_found",
    );
    assert!(said.contains("import divisions"), "{said}");
}
