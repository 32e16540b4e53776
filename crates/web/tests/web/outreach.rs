//! 反诈宣传, on SQLite and PostgreSQL: a grid worker records a talk from the phone form; the
//! county commander sets the township's yearly target and sees the talk in the township's
//! totals against it (and in the CSV export); another county sees none of it, a bank liaison
//! gets 403 everywhere; a negative count or a future date is refused with a message and
//! stores nothing.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{OutreachFilter, PageRequest, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_grid_worker_records_a_talk_and_the_commander_sees_it_against_the_quota,
    another_county_sees_nothing_of_it,
    a_bank_liaison_is_refused_everywhere,
    negative_counts_and_future_dates_are_refused_and_store_nothing,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

/// The `message` of a JSON error body.
fn message(a: &Answer) -> String {
    serde_json::from_slice::<serde_json::Value>(&a.body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `method path` as `role` at `unit`, with a form body for writes (CSRF token included).
async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    form: &str,
) -> Answer {
    send_as(state, role, unit, t0(), (method, path, form)).await
}

/// 阳明小学, 300 people, 40 installs, on `date`.
fn talk(date: &str, people: &str) -> String {
    format!(
        "held_on={date}&kind=lecture&audience=school&place=%E9%98%B3%E6%98%8E%E5%B0%8F%E5%AD%A6\
         &people_reached={people}&app_registrations=40&note="
    )
}

async fn stored(state: &AppState) -> i64 {
    state
        .store
        .outreach()
        .count(&Scope::platform(), &OutreachFilter::default())
        .await
        .unwrap()
}

/// The cell `data-<name>` of the township's row in the totals table.
fn cell(page: &str, unit: &str, name: &str) -> String {
    let row = &page[page
        .find(&format!("data-unit=\"{unit}\""))
        .unwrap_or_else(|| panic!("no row for {unit}"))..];
    let row = &row[..row.find("</tr>").unwrap()];
    let at = row.find(&format!("data-{name}>")).unwrap() + name.len() + 6;
    row[at..at + row[at..].find('<').unwrap()].to_string()
}

async fn a_grid_worker_records_a_talk_and_the_commander_sees_it_against_the_quota(db: &Db) {
    let state = world(db).await;
    let quota = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/outreach/quotas",
        &format!("unit_code={TOWNSHIP}&year=2026&events=10&people=1000"),
    )
    .await;
    assert_eq!(quota.status, StatusCode::SEE_OTHER, "{}", quota.text());

    let form = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "GET",
        "/m/outreach",
        "",
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text().contains("value=\"2026-03-10\""),
        "today by default"
    );
    let rec = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/m/outreach",
        &talk("2026-03-09", "300"),
    )
    .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    assert_eq!(rec.location, "/m/outreach?saved=1");
    let page = state
        .store
        .outreach()
        .list(
            &Scope::platform(),
            &OutreachFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].unit_code, EAST_VILLAGE, "the recorder's unit");
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(20))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|a| a.action == "outreach_recorded"));
    assert!(audit.items.iter().any(|a| a.action == "outreach_quota_set"));

    let a = send(&state, Role::UnitCommander, COUNTY, "GET", "/outreach", "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let t = a.text();
    assert_eq!(cell(&t, TOWNSHIP, "events"), "1");
    assert_eq!(cell(&t, TOWNSHIP, "quota-events"), "10");
    assert_eq!(cell(&t, TOWNSHIP, "events-done"), "10.0%");
    assert_eq!(cell(&t, TOWNSHIP, "people"), "300");
    assert_eq!(cell(&t, TOWNSHIP, "people-done"), "30.0%");
    assert_eq!(cell(&t, TOWNSHIP, "apps"), "40");
    assert_eq!(cell(&t, "330281002", "events"), "0");
    assert!(t.contains("阳明小学") && t.contains("grid_worker_330281001001"));
    // A period before the talk leaves it out.
    let before = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/outreach?from=2026-01-01&until=2026-03-08",
        "",
    )
    .await;
    assert_eq!(cell(&before.text(), TOWNSHIP, "events"), "0");
    let csv = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/outreach?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("阳明小学,300,40"), "{}", csv.text());
    // The units against their targets export too, with the whole area's total.
    let units = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/outreach?format=csv&section=units",
        "",
    )
    .await;
    assert_eq!(units.status, StatusCode::OK);
    let text = units.text();
    assert!(
        text.contains("阳明街道,1,10,10.0%,300,1000,30.0%,40,1,0,0\n"),
        "{text}"
    );
    assert!(
        text.contains("（全辖区合计）,1,,,300,,,40,1,0,0\n"),
        "{text}"
    );
}

async fn another_county_sees_nothing_of_it(db: &Db) {
    let state = world(db).await;
    let rec = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/m/outreach",
        &talk("2026-03-09", "300"),
    )
    .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/outreach",
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.text().contains("阳明小学"));
    assert!(other.text().contains("data-figure=\"events\">0<"));
    let narrowed = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/outreach?unit={TOWNSHIP}"),
        "",
    )
    .await;
    assert_eq!(narrowed.status, StatusCode::NOT_FOUND);
    let quota = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        "/outreach/quotas",
        &format!("unit_code={TOWNSHIP}&year=2026&events=10&people=1000"),
    )
    .await;
    assert_eq!(quota.status, StatusCode::NOT_FOUND);
    let q = state
        .store
        .outreach()
        .quota(&Scope::platform(), TOWNSHIP, 2026)
        .await
        .unwrap();
    assert_eq!(q, None);
}

async fn a_bank_liaison_is_refused_everywhere(db: &Db) {
    let state = world(db).await;
    for (method, path, form) in [
        ("GET", "/outreach", String::new()),
        ("GET", "/m/outreach", String::new()),
        ("POST", "/m/outreach", talk("2026-03-09", "300")),
        (
            "POST",
            "/outreach/quotas",
            format!("unit_code={TOWNSHIP}&year=2026&events=10&people=1000"),
        ),
    ] {
        let a = send(&state, Role::BankLiaison, COUNTY, method, path, &form).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert_eq!(stored(&state).await, 0);
}

async fn negative_counts_and_future_dates_are_refused_and_store_nothing(db: &Db) {
    let state = world(db).await;
    for (form, words) in [
        (talk("2026-03-09", "-5"), "negative"),
        (talk("2026-03-11", "300"), "future"),
        (talk("2026-03-09", "many"), "whole number"),
    ] {
        let a = send(
            &state,
            Role::GridWorker,
            EAST_VILLAGE,
            "POST",
            "/m/outreach",
            &form,
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{form}: {}", a.text());
        assert!(message(&a).contains(words), "{form}: {}", message(&a));
    }
    assert_eq!(stored(&state).await, 0);
    let a = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/outreach/quotas",
        &format!("unit_code={TOWNSHIP}&year=2026&events=-1&people=1000"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
}
