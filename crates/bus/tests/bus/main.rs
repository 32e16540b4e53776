//! The bus against a real NATS JetStream server (`FANZHA_TEST_NATS_URL`).

use fanzha_bus::testing::test_config;
use fanzha_bus::Bus;
use fanzha_core::event::Signal;
use fanzha_sim::{SimParams, Simulation};
use std::time::Duration;

fn city_signals(n: usize) -> Vec<Signal> {
    let params = SimParams {
        region: "330281".into(),
        people: 400,
        days: 2,
        seed: 11,
        ..SimParams::default()
    };
    Simulation::new(params).unwrap().take(n).collect()
}

async fn read_all(bus: &Bus, from: u64, until: u64) -> Vec<(u64, Signal)> {
    let mut reader = bus.read_from(from).await.unwrap();
    let mut out = Vec::new();
    while let Some(d) = reader.next(Duration::from_secs(5)).await.unwrap() {
        out.push((d.sequence, d.signal.unwrap()));
        if d.sequence == until {
            break;
        }
    }
    out
}

#[tokio::test]
async fn signals_come_back_in_order_from_any_sequence() {
    let Some(config) = test_config() else { return };
    let bus = Bus::connect(&config).await.unwrap();
    let signals = city_signals(3_000);
    assert_eq!(signals.len(), 3_000);
    let mut progress = Vec::new();
    let published = bus
        .publish_all(signals.clone(), |n| progress.push(n))
        .await
        .unwrap();
    assert_eq!(published.signals, 3_000);
    assert_eq!(published.first_sequence, Some(1));
    assert_eq!(published.last_sequence, 3_000);
    assert_eq!(bus.last_sequence().await.unwrap(), 3_000);

    let all = read_all(&bus, 1, 3_000).await;
    assert_eq!(all.len(), 3_000);
    for (i, (seq, s)) in all.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(s, &signals[i]);
    }
    // Resuming after a snapshot at 1,800 starts exactly at 1,801.
    let rest = read_all(&bus, 1_801, 3_000).await;
    assert_eq!(rest.len(), 1_200);
    assert_eq!(rest[0], (1_801, signals[1_800].clone()));

    // A second connection finds the stream (no error, nothing lost).
    let again = Bus::connect(&config).await.unwrap();
    assert_eq!(again.last_sequence().await.unwrap(), 3_000);
    bus.delete_stream().await.unwrap();
}

#[tokio::test]
async fn a_bad_message_is_read_with_its_reason_and_body() {
    let Some(config) = test_config() else { return };
    let bus = Bus::connect(&config).await.unwrap();
    let good = city_signals(1).remove(0);
    bus.publish_all([good.clone()], |_| {}).await.unwrap();
    let seq = bus
        .publish_raw("call", b"{\"type\":\"call\"".to_vec())
        .await
        .unwrap();
    assert_eq!(seq, 2);
    bus.publish_all([good.clone()], |_| {}).await.unwrap();

    let mut reader = bus.read_from(1).await.unwrap();
    let wait = Duration::from_secs(5);
    let first = reader.next(wait).await.unwrap().unwrap();
    assert_eq!(first.signal.unwrap(), good);
    let bad = reader.next(wait).await.unwrap().unwrap();
    assert_eq!(bad.sequence, 2);
    assert!(bad.subject.ends_with(".call"), "{}", bad.subject);
    assert_eq!(bad.signal.unwrap_err().reason, "bad_json");
    assert_eq!(bad.rejected_body, b"{\"type\":\"call\"");
    let third = reader.next(wait).await.unwrap().unwrap();
    assert_eq!((third.sequence, third.signal.unwrap()), (3, good));
    // Nothing more: the reader waits, then says so.
    assert!(reader
        .next(Duration::from_millis(300))
        .await
        .unwrap()
        .is_none());
    bus.delete_stream().await.unwrap();
}

#[tokio::test]
async fn no_server_is_a_coded_error() {
    let Some(mut config) = test_config() else {
        return;
    };
    config.url = "nats://127.0.0.1:1".into();
    let err = match Bus::connect(&config).await {
        Ok(_) => panic!("connected to a closed port"),
        Err(e) => e,
    };
    use fanzha_core::error_code::{Coded, ErrorCode};
    assert_eq!(err.code(), ErrorCode::BusUnavailable);
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

#[tokio::test]
async fn notices_reach_who_listens_and_stay_out_of_the_stream() {
    let Some(config) = test_config() else { return };
    let bus = Bus::connect(&config).await.unwrap();
    let listener = Bus::connect(&config).await.unwrap();
    let mut notices = listener.notices().await.unwrap();
    bus.publish_notice(br#"{"kind":"warning"}"#.to_vec())
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), notices.next())
        .await
        .expect("relayed in time");
    assert_eq!(got.unwrap(), br#"{"kind":"warning"}"#);
    assert_eq!(
        bus.last_sequence().await.unwrap(),
        0,
        "not stored as a signal"
    );
    bus.delete_stream().await.unwrap();
}

#[tokio::test]
async fn a_stream_past_its_retention_starts_later() {
    let Some(config) = test_config() else { return };
    let bus = Bus::connect(&config).await.unwrap();
    let signals = city_signals(10);
    bus.publish_all(signals.clone(), |_| {}).await.unwrap();
    assert_eq!(bus.extent().await.unwrap(), (1, 10));
    bus.discard_before(6).await.unwrap();
    assert_eq!(bus.extent().await.unwrap(), (6, 10));
    // Reading from an older sequence starts at the first one held.
    let read = read_all(&bus, 1, 10).await;
    assert_eq!(read.first().unwrap(), &(6, signals[5].clone()));
    assert_eq!(read.len(), 5);
    bus.delete_stream().await.unwrap();
}
