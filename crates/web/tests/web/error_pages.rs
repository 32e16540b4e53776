//! Errors of pages opened in the browser are pages in the reader's language, with the way back;
//! the API, htmx and scripts keep the JSON answer with its code.

use axum::http::StatusCode;
use fanzha_store::{Role, UnitLevel};
use fanzha_web::AppState;

use crate::support::{send_full, unit, Answer};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_page_the_role_may_not_open_answers_a_page_not_json,
}

const NOW: i64 = 1_800_000_000_000;
const BROWSER: (&str, &str) = ("accept", "text/html,application/xhtml+xml,*/*;q=0.8");

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", UnitLevel::City, None),
            unit("330281", "余姚市", UnitLevel::County, Some("3302")),
        ])
        .await
        .unwrap();
    AppState::new(store).await.unwrap()
}

async fn get(state: &AppState, role: Role, path: &str, extra: &[(&str, &str)]) -> Answer {
    let empty = ("", Vec::new());
    send_full(state, role, "330281", NOW, ("GET", path), empty, extra).await
}

async fn a_page_the_role_may_not_open_answers_a_page_not_json(db: &Db) {
    let state = world(db).await;
    // A grid worker follows a link to the audit log, which is not for its role.
    let referer = ("referer", "http://127.0.0.1:8080/dashboard");
    let a = get(&state, Role::GridWorker, "/audit", &[BROWSER, referer]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let html = a.text();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(
        html.contains("无权访问") && html.contains("data-code=\"forbidden\""),
        "{html}"
    );
    assert!(
        html.contains("id=\"error-back\"") && html.contains("href=\"/dashboard\""),
        "{html}"
    );
    // In English with the language cookie.
    let en = get(
        &state,
        Role::GridWorker,
        "/audit",
        &[BROWSER, ("cookie", "lang=en")],
    )
    .await;
    assert!(en.text().contains("Not for your role"), "{}", en.text());
    // Something that is not there.
    let missing = get(
        &state,
        Role::CenterAnalyst,
        "/key-persons/999999",
        &[BROWSER],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("未找到"), "{}", missing.text());
    // A bad query on a page (the list to report up without its kind).
    let bad = get(
        &state,
        Role::CenterAnalyst,
        "/key-persons/proposals/report-list",
        &[BROWSER],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("请求有误"), "{}", bad.text());

    // The API, htmx and scripts: JSON with the code.
    for extra in [
        vec![BROWSER, ("hx-request", "true")],
        vec![("accept", "application/json")],
        vec![],
    ] {
        let j = get(&state, Role::GridWorker, "/audit", &extra).await;
        assert_eq!(j.status, StatusCode::FORBIDDEN);
        let body: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
        assert_eq!(body["code"], "forbidden", "{extra:?}");
    }
    let api = get(
        &state,
        Role::GridWorker,
        "/api/v1/figures?unit=330281",
        &[BROWSER],
    )
    .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&api.body).is_ok(),
        "{}",
        api.text()
    );
}
