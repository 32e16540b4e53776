//! 银行反诈数据, on SQLite and PostgreSQL: the bank's desk asks for last month's figures; its
//! liaison enters them for a township (its own bank only), the center enters another bank's for
//! the county; bad entries are refused naming what is wrong; the liaison reads its own bank's
//! line, the police every bank's with the total; the statistics, their export and the work
//! brief carry the customers dissuaded and the reminders pushed.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    banks_report_their_month_and_the_statistics_carry_it,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai: last month is February.
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

fn desk_tile(page: &str) -> &str {
    let at = page
        .find(r#"data-desk="desk_bank_figures""#)
        .expect("the desk's figures tile");
    &page[at..at + 120]
}

async fn banks_report_their_month_and_the_statistics_carry_it(db: &Db) {
    let state = world(db).await;
    let bank = Role::BankLiaison;
    let desk = ok(&send(&state, bank, COUNTY, "GET", "/", "").await);
    assert!(desk_tile(&desk).contains("data-open>1<"), "{desk}");

    let icbc = format!(
        "unit_code={TOWNSHIP}&bank_code=ICBC&month=2026-02&dissuaded=3\
         &dissuaded_yuan=120000&awareness_sms=5000&awareness_calls=40"
    );
    let r = send(&state, bank, COUNTY, "POST", "/bank-figures", &icbc).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let desk = ok(&send(&state, bank, COUNTY, "GET", "/", "").await);
    assert!(desk_tile(&desk).contains("data-open>0<"), "{desk}");

    // Another bank's figures are not the liaison's to enter.
    let theirs = send(
        &state,
        bank,
        COUNTY,
        "POST",
        "/bank-figures",
        &format!("unit_code={COUNTY}&bank_code=ABC&month=2026-02&dissuaded=1"),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.text());
    let a = Role::CenterAnalyst;
    ok(&send(
        &state,
        a,
        COUNTY,
        "POST",
        "/bank-figures",
        &format!("unit_code={COUNTY}&bank_code=ABC&month=2026-02&dissuaded=2&dissuaded_yuan=30000"),
    )
    .await);
    for (form, what) in [
        ("month=2026-04&dissuaded=1&bank_code=ABC", "month"),
        ("month=2026-02&dissuaded=-1&bank_code=ABC", "dissuaded"),
        ("month=2026-02&dissuaded=1.5&bank_code=ABC", "whole number"),
        (
            "month=2026-02&dissuaded_yuan=500&bank_code=ABC",
            "dissuaded_fen",
        ),
        ("month=2026-02&dissuaded=1&bank_code=NOSUCH", "bank_code"),
        (
            "month=2026-02&dissuaded=1&dissuaded_yuan=abc&bank_code=ABC",
            "dissuaded_yuan",
        ),
    ] {
        let r = send(
            &state,
            a,
            COUNTY,
            "POST",
            "/bank-figures",
            &format!("unit_code={COUNTY}&{form}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.text());
        assert!(r.text().contains(what), "{form}: {}", r.text());
    }
    let outside = send(
        &state,
        a,
        COUNTY,
        "POST",
        "/bank-figures",
        &format!("unit_code={OTHER_COUNTY}&bank_code=ABC&month=2026-02&dissuaded=1"),
    )
    .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);

    // The liaison reads its own bank's line; the police every bank's and the total.
    let own = ok(&send(&state, bank, COUNTY, "GET", "/bank-figures", "").await);
    assert!(
        own.contains(r#"data-bank="ICBC" data-figure="dissuaded""#),
        "{own}"
    );
    assert!(!own.contains(r#"data-bank="ABC""#), "{own}");
    let police = ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/bank-figures",
        "",
    )
    .await);
    for needle in [
        r#"data-bank="ABC" data-figure="dissuaded""#,
        r#"data-bank="ICBC" data-figure="dissuaded-fen""#,
        "中国工商银行",
    ] {
        assert!(police.contains(needle), "{needle} in {police}");
    }
    // The entries of one month: the latest with any by default, another on request.
    assert_eq!(police.matches("<tr data-entry>").count(), 2, "{police}");
    let january = ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/bank-figures?year=2026&month=2026-01",
        "",
    )
    .await);
    assert_eq!(january.matches("<tr data-entry>").count(), 0, "{january}");
    let bad = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/bank-figures?year=2026&month=2025-12",
        "",
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let total = &police[police
        .find(r#"data-bank="total" data-figure="dissuaded""#)
        .expect("the total line")..];
    assert!(
        total[..total.find("</tr>").unwrap()].contains("<td data-year>5</td>"),
        "{total}"
    );
    let csv = ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/bank-figures?format=csv",
        "",
    )
    .await);
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("银行,指标,1月"),
        "{csv}"
    );
    assert!(
        csv.contains("中国农业银行,劝阻涉及金额（元）,0.00,30000.00,"),
        "{csv}"
    );

    // The year's statistics and their brief.
    let stats = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=year",
        "",
    )
    .await);
    assert!(
        stats.contains(r#"data-stat="bank-dissuaded">5<"#),
        "{stats}"
    );
    assert!(
        stats.contains(r#"data-stat="bank-awareness">5040<"#),
        "{stats}"
    );
    let brief = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=year&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains("各银行网点劝阻群众5人次、涉及金额¥150,000.00，银行向客户推送防骗提醒短信5000条、语音提醒40次。"),
        "{brief}"
    );
    // Another county sees none of it.
    let other = ok(&send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/bank-figures",
        "",
    )
    .await);
    assert!(!other.contains(r#"data-bank="ICBC""#), "{other}");
    let audit = state
        .store
        .audit()
        .for_target(&Scope::platform(), "unit", TOWNSHIP)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "bank_figures_set" && e.detail["bank"] == "ICBC"));
}
