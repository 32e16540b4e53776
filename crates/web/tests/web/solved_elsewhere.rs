//! 带破/上级线索破案, on SQLite and PostgreSQL: the county records an other area's case and a lead
//! sent down for a station below; the page lists them with the tally, the export carries them,
//! the same reference twice is a conflict and another county's unit is refused; 打击成效 counts
//! them in 共破获 with the overall solve rate, and the work brief says so.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewCase, Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    cases_solved_elsewhere_count_in_what_the_area_solved,
}

const COUNTY: &str = "330281";
const STATION: &str = "330281001";

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
            unit(STATION, "阳明街道", Township, Some(COUNTY)),
            unit("330281001001", "舜水社区", Village, Some(STATION)),
            unit("330282", "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    // Two local cases reported this month.
    for n in 1..=2 {
        store
            .cases()
            .create(&NewCase {
                id: format!("AJ{n}"),
                unit_code: "330281001001".into(),
                reported_at: t0() - n * 86_400_000,
                loss_fen: 100_000,
                narrative: "刷单返利".into(),
                top_terms: serde_json::json!([]),
                source: "manual".into(),
                named: serde_json::json!({}),
                created_by: "t".into(),
                created_at: t0() - n * 86_400_000,
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn commander(state: &AppState, method: &str, path: &str, form: &str) -> Answer {
    send_as(
        state,
        Role::UnitCommander,
        COUNTY,
        t0(),
        (method, path, form),
    )
    .await
}

fn figure(page: &str, marker: &str) -> String {
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"))
        + marker.len();
    page[start..start + page[start..].find('<').unwrap()].to_string()
}

async fn cases_solved_elsewhere_count_in_what_the_area_solved(db: &Db) {
    let state = world(db).await;
    let form = |kind: &str, reference: &str, unit: &str| {
        format!(
            "unit_code={unit}&kind={kind}&reference={reference}&origin={}&fraud_type={}&loss_yuan=12000&solved_on=2026-03-05&note={}",
            urlencoded("四川省成都市公安局"),
            urlencoded("刷单返利"),
            urlencoded("抓获嫌疑人2名")
        )
    };
    let done = commander(
        &state,
        "POST",
        "/solved-elsewhere",
        &form("other_area", "A5101002026001", STATION),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    ok(&commander(
        &state,
        "POST",
        "/solved-elsewhere",
        &form("upstream_lead", "XS-0301", COUNTY),
    )
    .await);
    let again = commander(
        &state,
        "POST",
        "/solved-elsewhere",
        &form("other_area", "A5101002026001", COUNTY),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let outside = commander(
        &state,
        "POST",
        "/solved-elsewhere",
        &form("other_area", "A9", "330282"),
    )
    .await;
    assert!(
        matches!(
            outside.status,
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ),
        "{}",
        outside.status
    );
    let future = commander(
        &state,
        "POST",
        "/solved-elsewhere",
        "kind=other_area&reference=A10&origin=x&solved_on=2026-03-11",
    )
    .await;
    assert_eq!(future.status, StatusCode::BAD_REQUEST);

    let page = ok(&commander(&state, "GET", "/solved-elsewhere", "").await);
    assert_eq!(figure(&page, "data-figure=\"total\">"), "2");
    assert_eq!(figure(&page, "data-figure=\"other_area\">"), "1");
    assert!(page.contains("data-reference>A5101002026001<") && page.contains("阳明街道"));
    let csv = ok(&commander(&state, "GET", "/solved-elsewhere?format=csv", "").await);
    assert!(
        csv.contains("XS-0301") && csv.contains("上级下发线索"),
        "{csv}"
    );
    // The other county sees none of it; a leader reads, cannot record.
    let theirs = ok(&send_as(
        &state,
        Role::UnitCommander,
        "330282",
        t0(),
        ("GET", "/solved-elsewhere", ""),
    )
    .await);
    assert_eq!(figure(&theirs, "data-figure=\"total\">"), "0");
    let leader = send_as(
        &state,
        Role::Leader,
        COUNTY,
        t0(),
        (
            "POST",
            "/solved-elsewhere",
            &form("other_area", "B1", COUNTY),
        ),
    )
    .await;
    assert_eq!(leader.status, StatusCode::FORBIDDEN);

    // 打击成效 of March: 2 local cases, none solved; 2 solved elsewhere → 100 % overall.
    let leader =
        |path: &'static str| send_as(&state, Role::Leader, COUNTY, t0(), ("GET", path, ""));
    let stats = ok(&leader("/statistics?unit=330281&period=month").await);
    assert_eq!(figure(&stats, "data-stat=\"enf-solved-all\">"), "2");
    assert_eq!(figure(&stats, "data-stat=\"enf-overall-rate\">"), "100.00%");
    let brief = ok(&leader("/statistics?unit=330281&period=month&view=brief").await);
    assert!(
        brief.contains(
            "共破获涉电诈案件2起（包括上级下发线索1起、带破外地案件1起），综合破案率100.00%"
        ),
        "the brief says it: {brief}"
    );
}
