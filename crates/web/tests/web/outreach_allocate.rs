//! 宣讲任务分配, on SQLite and PostgreSQL: the county's year target (set by the city) is
//! proposed to its three townships by their share of the last twelve months' cases and of the
//! population — half and half by default, all by cases when asked — the parts adding up to the
//! totals; applying sets every township's target at once, audited; a bad weight is refused; a
//! leader may not hand targets down.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewCase, OutreachQuota, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_county_hands_its_target_down_by_cases_and_population,
}

const COUNTY: &str = "330281";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    let with_population = |code: &str, name: &str, population: i64| {
        let mut u = unit(code, name, Township, Some(COUNTY));
        u.population = Some(population);
        u
    };
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            // Population 60,000 / 30,000 / 10,000.
            with_population("330281001", "阳明街道", 60_000),
            with_population("330281002", "梨洲街道", 30_000),
            with_population("330281003", "凤山街道", 10_000),
            unit("330281001001", "舜水社区", Village, Some("330281001")),
        ])
        .await
        .unwrap();
    // Cases of the last twelve months: 2 in 阳明 (one in its village), 6 in 梨洲, 2 in 凤山;
    // one more in 凤山 two years back does not count.
    let cases = [
        ("330281001", 30),
        ("330281001001", 40),
        ("330281002", 10),
        ("330281002", 20),
        ("330281002", 50),
        ("330281002", 60),
        ("330281002", 70),
        ("330281002", 80),
        ("330281003", 90),
        ("330281003", 100),
        ("330281003", 800),
    ];
    for (i, (unit_code, days_ago)) in cases.iter().enumerate() {
        store
            .cases()
            .create(&NewCase {
                id: format!("OA-{i}"),
                unit_code: (*unit_code).into(),
                reported_at: t0() - days_ago * 86_400_000,
                loss_fen: 100_000,
                narrative: "案情".into(),
                fraud_type: Some("fake_loan".into()),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                named: serde_json::json!({}),
                created_by: "t".into(),
                created_at: t0(),
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    // The city set the county's target for the year.
    store
        .outreach()
        .set_quota(
            &Scope::platform(),
            &OutreachQuota {
                unit_code: COUNTY.into(),
                year: 2026,
                events: 100,
                people: 10_001,
                set_by: "city".into(),
                set_at: t0(),
            },
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn send(state: &AppState, role: Role, method: &str, path: &str, form: &str) -> Answer {
    send_as(state, role, COUNTY, t0(), (method, path, form)).await
}

/// The proposed (events, people) of `unit` on `page`.
fn proposed(page: &str, unit: &str) -> (i64, i64) {
    let at = page
        .find(&format!(r#"data-unit="{unit}""#))
        .unwrap_or_else(|| panic!("{unit} in {page}"));
    let attr = |name: &str| -> i64 {
        let from = page[at..].find(&format!(r#"{name}=""#)).unwrap() + at + name.len() + 2;
        let to = page[from..].find('"').unwrap() + from;
        page[from..to].parse().unwrap()
    };
    (attr("data-events"), attr("data-people"))
}

async fn a_county_hands_its_target_down_by_cases_and_population(db: &Db) {
    let state = world(db).await;
    let c = Role::UnitCommander;

    // Half by cases (2/6/2 of 10), half by population (6/3/1 of 10): weights 0.4, 0.45, 0.15;
    // the totals default to the county's own target.
    let page = ok(&send(&state, c, "GET", "/outreach/allocate", "").await);
    assert_eq!(proposed(&page, "330281001"), (40, 4_000));
    assert_eq!(proposed(&page, "330281002"), (45, 4_501));
    assert_eq!(proposed(&page, "330281003"), (15, 1_500));
    assert!(page.contains("45.0%"), "{page}");
    // All by cases: 20 / 60 / 20.
    let page = ok(&send(
        &state,
        c,
        "GET",
        "/outreach/allocate?year=2026&events=100&people=9000&case_weight=100",
        "",
    )
    .await);
    assert_eq!(proposed(&page, "330281001"), (20, 1_800));
    assert_eq!(proposed(&page, "330281002"), (60, 5_400));
    assert_eq!(proposed(&page, "330281003"), (20, 1_800));
    // A weight outside 0–100 is refused.
    let r = send(&state, c, "GET", "/outreach/allocate?case_weight=120", "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("case_weight"), "{}", r.text());

    // Applied: every township's target set, each audited.
    let r = send(
        &state,
        c,
        "POST",
        "/outreach/allocate",
        "year=2026&events=100&people=9000&case_weight=100",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location, "/outreach?from=2026-01-01&until=2026-12-31");
    let scope = state.scope_of(COUNTY).await.unwrap();
    for (code, events, people) in [
        ("330281001", 20, 1_800),
        ("330281002", 60, 5_400),
        ("330281003", 20, 1_800),
    ] {
        let q = state
            .store
            .outreach()
            .quota(&scope, code, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((q.events, q.people), (events, people), "{code}");
    }
    let outreach = ok(&send(
        &state,
        c,
        "GET",
        "/outreach?from=2026-01-01&until=2026-12-31",
        "",
    )
    .await);
    assert!(outreach.contains(r#"id="allocate-link""#));
    let page = ok(&send(&state, c, "GET", "/outreach/allocate?case_weight=100", "").await);
    assert!(page.contains("60 / 5400"), "the targets now: {page}");
    let audit = ok(&send(&state, Role::Leader, "GET", "/audit", "").await);
    // The city's setting of the county's target, and the three just applied.
    assert_eq!(audit.matches("下达宣传任务").count(), 4, "{audit}");

    // A leader reads the outreach page but does not hand targets down.
    let r = send(&state, Role::Leader, "GET", "/outreach/allocate", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
