//! `GET /events` carries the notices another process relays (a detection worker's warnings,
//! `AppState::relayed`) like this process's own, filtered to the reader's subtree.

use crate::support::{respond, unit};
use fanzha_store::testing::TestDb;
use fanzha_store::{Role, UnitLevel};
use fanzha_web::AppState;
use fanzha_workflow::Notice;
use futures_util::StreamExt;
use std::time::Duration;

/// The event stream of a commander of `unit`.
async fn events_of(state: &AppState, unit: &str) -> axum::body::BodyDataStream {
    let now = fanzha_core::time::now_ms();
    let resp = respond(
        state,
        Role::UnitCommander,
        unit,
        now,
        ("GET", "/events"),
        ("", Vec::new()),
        &[],
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.into_body().into_data_stream()
}

/// What arrives on `stream` within `wait`.
async fn read_for(stream: &mut axum::body::BodyDataStream, wait: Duration) -> String {
    let mut text = String::new();
    let until = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(until, stream.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_notices_reach_the_live_pages_of_their_area() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit("330281", "余姚市", County, Some("3302")),
            unit("330282", "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let state = AppState::new(store).await.unwrap();
    let mut city = events_of(&state, "3302").await;
    let mut county = events_of(&state, "330281").await;
    let mut other = events_of(&state, "330282").await;
    state
        .relayed
        .send(Notice::Warning {
            warning_id: "YJ20261205143000S42".into(),
            instruction_id: "ZL202612051430000001".into(),
            unit_code: "330281".into(),
            level: 1,
            merged: false,
        })
        .unwrap();
    let wait = Duration::from_millis(500);
    let seen = read_for(&mut county, wait).await;
    assert!(seen.contains("YJ20261205143000S42"), "{seen}");
    assert!(seen.contains("event: change"));
    assert!(read_for(&mut city, wait)
        .await
        .contains("YJ20261205143000S42"));
    assert!(!read_for(&mut other, wait)
        .await
        .contains("YJ20261205143000S42"));
}
