//! `fanzha signals archive` against a real NATS JetStream server (`FANZHA_TEST_NATS_URL`): a
//! recorded city published to the stream is archived by day as Parquet; the archive reads back
//! as the same signals, a second run archives only what came since, `detect` runs on the
//! archive as on the city, and `signals status` reports how far the archive covers the stream.

use crate::common::new_site;
use fanzha_bus::testing::test_config;
use fanzha_core::event::Signal;
use std::collections::HashMap;

fn signals_of(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fanzha_sim::feed::read_signals(dir)
        .unwrap()
        .map(|s| format!("{:?}", s.unwrap()))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_is_archived_by_day_and_reads_back_as_the_feeds_it_came_from() {
    let Some(bus) = test_config() else { return };
    let root = tempfile::tempdir().unwrap();
    let city = root.path().join("city");
    let site = new_site(root.path(), "a", None).await;
    let city_s = city.to_str().unwrap();
    site.ok(&[
        "simulate", "--region", "330281", "--people", "1500", "--days", "3", "--seed", "9",
        "--out", city_s, "--json",
    ]);
    let args = [
        "--nats-url",
        bus.url.as_str(),
        "--stream",
        bus.stream.as_str(),
    ];
    let mut publish = vec!["signals", "publish", "--input", city_s, "--json"];
    publish.extend(args);
    let published = site.ok(&publish);
    let n = published["published"].as_u64().unwrap();
    assert!(n > 10_000, "{published}");
    let client = fanzha_bus::Bus::connect(&bus).await.unwrap();
    let bad = client
        .publish_raw("call", b"{\"type\":\"call\"}".to_vec())
        .await
        .unwrap();
    assert_eq!(bad, n + 1);

    let dir = root.path().join("archive");
    let dir_s = dir.to_str().unwrap();
    let mut archive = vec![
        "signals",
        "archive",
        "--until-caught-up",
        "--dir",
        dir_s,
        "--flush-rows",
        "4000",
        "--json",
    ];
    archive.extend(args);
    let first = site.ok(&archive);
    assert_eq!(first["resumed_from"], 0, "{first}");
    assert_eq!(first["through"].as_u64().unwrap(), n + 1, "{first}");
    assert_eq!(first["signals"].as_u64().unwrap(), n);
    assert_eq!(first["rejected"], 1);
    assert!(first["flushes"].as_u64().unwrap() >= 3, "{first}");

    // Days 1 and 2 are complete (compacted: one file per feed), day 3 is still being written.
    let stream_dir = dir.join(&bus.stream);
    let mut days: Vec<String> = std::fs::read_dir(&stream_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    days.sort();
    assert!(days.len() >= 3, "{days:?}");
    let compacted: Vec<String> = serde_json::from_value(first["days_compacted"].clone()).unwrap();
    assert!(
        compacted.contains(&days[0]) && compacted.contains(&days[1]),
        "{first}"
    );
    assert!(stream_dir.join(&days[0]).join("calls.parquet").is_file());

    // The archive holds the city's signals, each once (card holders by resident key, as on
    // the bus).
    let people = fanzha_sim::feed::read_people(&city).unwrap();
    let keys: HashMap<u64, u64> = people
        .iter()
        .filter_map(|p| {
            fanzha_core::ResidentId::parse(&p.resident_id)
                .ok()
                .map(|r| (p.person_id, r.key()))
        })
        .collect();
    let mut from_city: Vec<String> = fanzha_sim::feed::read_signals(&city)
        .unwrap()
        .map(|s| match s.unwrap() {
            Signal::CardOpening(mut c) => {
                c.person_id = keys.get(&c.person_id).copied().unwrap_or(c.person_id);
                format!("{:?}", Signal::CardOpening(c))
            }
            s => format!("{s:?}"),
        })
        .collect();
    from_city.sort();
    assert_eq!(signals_of(&stream_dir), from_city);

    // The same signals again: the next run archives only them.
    site.ok(&publish);
    let second = site.ok(&archive);
    assert_eq!(second["resumed_from"].as_u64().unwrap(), n + 1, "{second}");
    assert_eq!(second["through"].as_u64().unwrap(), 2 * n + 1);
    assert_eq!(second["signals"].as_u64().unwrap(), n);
    assert_eq!(signals_of(&stream_dir).len() as u64, 2 * n);

    // Detection reads an archived day as it reads a city's directory.
    let out = root.path().join("w.csv");
    let detected = site.ok(&[
        "detect",
        "--input",
        stream_dir.join(&days[1]).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(detected["signals"].as_u64().unwrap() > 1_000, "{detected}");

    // Status: the archive is caught up, day by day.
    let mut status = vec!["signals", "status", "--json"];
    status.extend(args);
    let mut st = std::process::Command::new(env!("CARGO_BIN_EXE_fanzha"));
    st.current_dir(&site.dir)
        .env("FANZHA_DATA_DIR", site.dir.join("data"))
        .env("FANZHA_ARCHIVE_DIR", &dir)
        .args(&status);
    let out = st.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(
        report["archived_through"].as_u64().unwrap(),
        2 * n + 1,
        "{report}"
    );
    assert_eq!(report["archive_behind"], 0);
    let listed: u64 = report["archived_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["signals"].as_u64().unwrap())
        .sum();
    assert_eq!(listed, 2 * n);
    let day = report["archived_days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["day"] == days[1].as_str())
        .unwrap();
    assert_eq!(day["signals"], detected["signals"], "{report}");
    assert_eq!(day["complete"], true);
    client.delete_stream().await.unwrap();
}

#[tokio::test]
async fn a_second_archiver_on_the_same_directory_is_refused() {
    let Some(bus) = test_config() else { return };
    let root = tempfile::tempdir().unwrap();
    let site = new_site(root.path(), "a", None).await;
    let dir = root.path().join("archive");
    // The first holds the lock while it runs.
    let _held = fanzha_archive::Archive::open(&dir, &bus.stream, Default::default()).unwrap();
    let client = fanzha_bus::Bus::connect(&bus).await.unwrap();
    let out = site.run(&[
        "signals",
        "archive",
        "--until-caught-up",
        "--dir",
        dir.to_str().unwrap(),
        "--nats-url",
        &bus.url,
        "--stream",
        &bus.stream,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[archive_locked]"), "{err}");
    client.delete_stream().await.unwrap();
}
