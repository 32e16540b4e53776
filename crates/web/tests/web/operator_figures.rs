//! 运营商反制数据, on SQLite and PostgreSQL: China Mobile's liaison enters its month for a
//! township, the center enters China Telecom's for the county; the liaison reads its own
//! operator's line only, the leader all, and the statistics and the brief say the total.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    operators_enter_their_months_and_the_figures_add_up,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
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
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

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

async fn operators_enter_their_months_and_the_figures_add_up(db: &Db) {
    let state = world(db).await;
    // The test principal of an operator liaison is China Mobile's.
    let mobile = "unit_code=330281001&operator=china_mobile&month=2026-02\
                  &calls_blocked=12%2C000&sms_blocked=3000&numbers_shut=7\
                  &awareness_sms=52%2C000&awareness_calls=3100";
    let a = send(
        &state,
        Role::OperatorLiaison,
        COUNTY,
        "POST",
        "/operator-figures",
        mobile,
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let telecom = "unit_code=330281&operator=china_telecom&month=2026-02&calls_blocked=500";
    let a = send(
        &state,
        Role::OperatorLiaison,
        COUNTY,
        "POST",
        "/operator-figures",
        telecom,
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::FORBIDDEN,
        "another operator's: {}",
        a.text()
    );
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        "/operator-figures",
        telecom,
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    for (role, unit, form, status) in [
        (
            Role::CenterAnalyst,
            COUNTY,
            "unit_code=330281&operator=china_mobile&month=2026-04&calls_blocked=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::CenterAnalyst,
            COUNTY,
            "unit_code=330281&operator=china_mobile&month=2026-02&calls_blocked=-1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::CenterAnalyst,
            COUNTY,
            "unit_code=330281&operator=china_mobile&month=2026-02&awareness_sms=-5",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::CenterAnalyst,
            COUNTY,
            "unit_code=330282&operator=china_mobile&month=2026-02&calls_blocked=1",
            StatusCode::NOT_FOUND,
        ),
        (
            Role::CenterAnalyst,
            COUNTY,
            "unit_code=330281&operator=nokia&month=2026-02&calls_blocked=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330281&operator=china_mobile&month=2026-02&calls_blocked=1",
            StatusCode::FORBIDDEN,
        ),
    ] {
        let a = send(&state, role, unit, "POST", "/operator-figures", form).await;
        assert_eq!(a.status, status, "{form}: {}", a.text());
    }

    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/operator-figures?year=2026",
        "",
    )
    .await;
    let text = leader.text();
    let year_of = |text: &str, op: &str, figure: &str| -> String {
        let row = &text[text
            .find(&format!("data-operator=\"{op}\" data-figure=\"{figure}\""))
            .unwrap_or_else(|| panic!("no row {op} {figure}"))..];
        let row = &row[..row.find("</tr>").unwrap()];
        let at = row.find("data-year>").unwrap() + "data-year>".len();
        row[at..at + row[at..].find('<').unwrap()].to_string()
    };
    assert_eq!(year_of(&text, "china_mobile", "calls"), "12000");
    assert_eq!(year_of(&text, "china_telecom", "calls"), "500");
    assert_eq!(year_of(&text, "total", "calls"), "12500");
    assert_eq!(year_of(&text, "total", "shut"), "7");
    assert_eq!(year_of(&text, "china_mobile", "awareness-sms"), "52000");
    assert_eq!(year_of(&text, "total", "awareness-calls"), "3100");
    assert!(!text.contains("id=\"enter-of\""), "leaders read only");
    let liaison = send(
        &state,
        Role::OperatorLiaison,
        COUNTY,
        "GET",
        "/operator-figures?year=2026",
        "",
    )
    .await;
    let text = liaison.text();
    assert!(
        text.contains("data-operator=\"china_mobile\"")
            && !text.contains("data-operator=\"china_telecom\"")
    );
    assert!(
        !text.contains("中国电信"),
        "the liaison reads its own operator only"
    );
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/operator-figures?year=2026",
        "",
    )
    .await;
    assert_eq!(year_of(&other.text(), "total", "calls"), "0");

    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-02-01&to=2026-02-28&view=brief",
        "",
    )
    .await;
    assert!(
        brief
            .text()
            .contains("运营商拦截诈骗电话12500次、诈骗短信3000条，自主关停涉诈号码7个，向用户推送防骗提醒短信52000条、语音提醒3100次。"),
        "{}",
        brief.text()
    );
    let csv = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/operator-figures?year=2026&format=csv",
        "",
    )
    .await;
    assert!(csv.text().contains("12500"), "{}", csv.text());
}
