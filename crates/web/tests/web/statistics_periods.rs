//! Statistics periods and trends, on SQLite and PostgreSQL: last week runs Monday to Sunday in
//! Shanghai (a case at 23:59 on Sunday is in it, one at 00:00 on Monday is not), a custom
//! range takes both its days, 同比 and 环比 of cases and losses (in total and per fraud type)
//! with the "两降" verdict, the closed-loop figures with dissuasion by channel, the twelve
//! months' trend table, and the brief for the same period — never counting another county.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{NewCase, NewPerson, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use fanzha_workflow::{Actor, Command, ContactChannel, IncomingWarning, Outcome, WarningLevel};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};

fanzha_store::on_both_backends! {
    last_week_ends_at_sunday_midnight_in_shanghai,
    changes_against_last_year_and_the_period_before,
    dissuasion_channels_and_the_trend_count_the_area_only,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const EAST: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const WEST: &str = "330281002";
const WEST_VILLAGE: &str = "330281002001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";
const ALICE: &str = "330281199001011235";
const BOB: &str = "330281198505052343";
const CAROL: &str = "330281197703033456";
const DAVE: &str = "330282198001011111";

fn at(rfc: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc)
        .unwrap()
        .timestamp_millis()
}

/// Wednesday 11 March 2026, 10:00 in Shanghai: last week is 2 to 8 March.
fn now() -> i64 {
    at("2026-03-11T10:00:00+08:00")
}

fn person(id: &str, village: &str) -> NewPerson {
    NewPerson {
        resident_id: id.into(),
        name: "居民".into(),
        phone: None,
        residence_code: village.into(),
        address: None,
        employer: None,
        public_sector: false,
        app_registered: false,
        joint_defense_registered: false,
    }
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            unit(EAST, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(EAST)),
            unit(WEST, "梨洲街道", Township, Some(COUNTY)),
            unit(WEST_VILLAGE, "西郊社区", Village, Some(WEST)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            person(ALICE, EAST_VILLAGE),
            person(BOB, EAST_VILLAGE),
            person(CAROL, WEST_VILLAGE),
            person(DAVE, OTHER_VILLAGE),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(now()));
    state
}

async fn case(state: &AppState, id: &str, unit: &str, when: &str, loss_fen: i64, fraud: &str) {
    let reported_at = at(when);
    state
        .store
        .cases()
        .create(&NewCase {
            id: id.into(),
            unit_code: unit.into(),
            reported_at,
            loss_fen,
            narrative: "诱导转账".into(),
            fraud_type: Some(fraud.into()),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "yy_analyst".into(),
            created_at: reported_at,
            ..NewCase::default()
        })
        .await
        .unwrap();
}

/// The cases of the scenario: last week (2–8 March 2026), the week before, a year earlier,
/// and another county's in each.
async fn cases(state: &AppState) {
    const INVEST: &str = "fake_investment";
    const POLICE: &str = "impersonate_police";
    for (id, unit, when, loss, fraud) in [
        // Last week: Sunday 23:59 is in, Monday 00:00 is not; Monday 2 March 00:00 is in.
        (
            "A",
            EAST_VILLAGE,
            "2026-03-08T23:59:00+08:00",
            150_000,
            INVEST,
        ),
        ("B", EAST_VILLAGE, "2026-03-09T00:00:00+08:00", 999, INVEST),
        (
            "C",
            WEST_VILLAGE,
            "2026-03-02T00:00:00+08:00",
            200_000,
            POLICE,
        ),
        (
            "D",
            OTHER_VILLAGE,
            "2026-03-04T12:00:00+08:00",
            9_000_000,
            INVEST,
        ),
        // The week before (23 February – 1 March).
        (
            "E",
            EAST_VILLAGE,
            "2026-02-25T09:00:00+08:00",
            500_000,
            INVEST,
        ),
        (
            "F",
            EAST_VILLAGE,
            "2026-03-01T23:59:59+08:00",
            100_000,
            INVEST,
        ),
        (
            "F2",
            WEST_VILLAGE,
            "2026-02-24T09:00:00+08:00",
            100_000,
            POLICE,
        ),
        (
            "G",
            OTHER_VILLAGE,
            "2026-02-25T09:00:00+08:00",
            9_000_000,
            INVEST,
        ),
        // A year earlier (2–8 March 2025); 9 March 2025 is after it.
        (
            "L",
            EAST_VILLAGE,
            "2025-03-02T00:00:00+08:00",
            400_000,
            INVEST,
        ),
        (
            "H",
            EAST_VILLAGE,
            "2025-03-03T09:00:00+08:00",
            400_000,
            INVEST,
        ),
        (
            "I",
            EAST_VILLAGE,
            "2025-03-05T09:00:00+08:00",
            400_000,
            INVEST,
        ),
        (
            "J",
            EAST_VILLAGE,
            "2025-03-08T23:00:00+08:00",
            400_000,
            INVEST,
        ),
        (
            "K",
            EAST_VILLAGE,
            "2025-03-09T00:00:00+08:00",
            400_000,
            INVEST,
        ),
        (
            "M",
            OTHER_VILLAGE,
            "2025-03-05T09:00:00+08:00",
            9_000_000,
            INVEST,
        ),
    ] {
        case(state, id, unit, when, loss, fraud).await;
    }
}

/// A warning for `resident` received at `when`, signed and fed back as dissuaded by `channel`.
async fn dissuaded(
    state: &AppState,
    resident: &str,
    unit: &str,
    when: i64,
    channel: ContactChannel,
) {
    let r = state
        .loop_service
        .receive(
            IncomingWarning {
                id: None,
                resident_id: Some(resident.into()),
                msisdn: None,
                residence_code: None,
                level: WarningLevel::Red,
                fraud_type: Some("fake_investment".into()),
                score_permille: 900,
                source: "engine".into(),
                signal_at: when,
                evidence: serde_json::json!({}),
            },
            when,
        )
        .await
        .unwrap();
    let officer = Actor {
        login: "officer".into(),
        unit_code: unit.into(),
        scope: state.scope_of(unit).await.unwrap(),
    };
    state
        .loop_service
        .act(
            &officer,
            &r.instruction_id,
            None,
            &[
                Command::Sign,
                Command::RecordOutcome {
                    outcome: Outcome::Dissuaded { channel },
                    saved_fen: 0,
                },
            ],
            None,
            when + 60_000,
        )
        .await
        .unwrap();
}

async fn get(state: &AppState, path: &str) -> (StatusCode, String) {
    let (token, _) = state.sessions.create(
        Principal {
            login: "yy_analyst".into(),
            display_name: "研判员".into(),
            unit_code: COUNTY.into(),
            roles: vec![fanzha_store::Role::CenterAnalyst],
            joint_member: None,
            bank_code: None,
            operator: None,
        },
        now(),
    );
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("{COOKIE}={token}"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The page at `path`, which must answer 200.
async fn page(state: &AppState, path: &str) -> String {
    let (status, body) = get(state, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The text of the element `data-stat="name"`.
fn stat(body: &str, name: &str) -> String {
    body.split(&format!("data-stat=\"{name}\">"))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("a {name} figure in {body}"))
        .trim()
        .to_string()
}

/// The text of the cell `data-<attr>` in the row that opens with `row_opening`, inside the
/// table `id`.
fn cell(body: &str, table: &str, row_opening: &str, attr: &str) -> String {
    let table = body
        .split(&format!("id=\"{table}\""))
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_else(|| panic!("the table {table}"));
    let row = table
        .split(row_opening)
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("a row {row_opening} in {table}"));
    row.split(&format!("{attr}>"))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("a cell {attr} in {row}"))
        .trim()
        .to_string()
}

async fn last_week_ends_at_sunday_midnight_in_shanghai(db: &Db) {
    let state = world(db).await;
    cases(&state).await;
    let body = page(&state, "/statistics?period=last_week").await;
    assert!(body.contains("2026年3月2日至3月8日"), "the span is stated");
    // A (Sunday 23:59) and C (Monday 2 March 00:00); not B (Monday 9 March 00:00) nor D.
    assert_eq!(stat(&body, "cases"), "2");
    assert!(body.contains("period=last_week"), "links keep the period");

    // A custom range takes both its days: 8 and 9 March hold A and B.
    let body = page(
        &state,
        "/statistics?period=custom&from=2026-03-08&to=2026-03-09",
    )
    .await;
    assert_eq!(stat(&body, "cases"), "2");
    // The brief and the exports keep the range.
    let brief_link = body
        .split("id=\"brief-link\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .unwrap();
    assert!(
        brief_link.contains("period=custom")
            && brief_link.contains("from=2026-03-08")
            && brief_link.contains("to=2026-03-09"),
        "{brief_link}"
    );
    let body = page(
        &state,
        "/statistics?period=custom&from=2026-03-09&to=2026-03-09",
    )
    .await;
    assert_eq!(stat(&body, "cases"), "1");
    // 环比 of a custom range: the same number of days just before (7 March: nothing).
    assert_eq!(stat(&body, "cases-previous"), "1", "8 March holds A");
    // A range that runs backwards, or a date that is no date, is refused.
    let (status, _) = get(
        &state,
        "/statistics?period=custom&from=2026-03-09&to=2026-03-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&state, "/statistics?period=custom&from=2026-02-30").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Last month (February) and this quarter (1 January to now).
    let body = page(&state, "/statistics?period=last_month").await;
    assert_eq!(stat(&body, "cases"), "2", "E and F2");
    let body = page(&state, "/statistics?period=quarter").await;
    assert_eq!(stat(&body, "cases"), "6", "A B C E F F2");
    let body = page(&state, "/statistics?period=last_quarter").await;
    assert_eq!(stat(&body, "cases"), "0");
}

async fn changes_against_last_year_and_the_period_before(db: &Db) {
    let state = world(db).await;
    cases(&state).await;
    let body = page(&state, "/statistics?period=last_week").await;
    // Last year's same week: L H I J (K is on 9 March 2025); the week before: E F F2.
    assert_eq!(stat(&body, "cases-last-year"), "4");
    assert_eq!(stat(&body, "yoy"), "↓50.0%");
    assert_eq!(stat(&body, "cases-previous"), "3");
    assert_eq!(stat(&body, "mom"), "↓33.3%");
    // Losses ¥3,500 against ¥16,000 a year earlier and ¥7,000 the week before.
    assert_eq!(stat(&body, "loss-yoy"), "↓78.1%");
    assert_eq!(stat(&body, "loss-mom"), "↓50.0%");
    assert_eq!(stat(&body, "two-down"), "发案、损失双下降");
    // Per fraud type: 虚假投资理财 1 against 4 and 2; 冒充公检法 1 against none and 1.
    let invest = "<tr><td>虚假投资理财</td>";
    assert_eq!(
        cell(&body, "case-types", invest, "data-type-last-year"),
        "4"
    );
    assert_eq!(cell(&body, "case-types", invest, "data-type-yoy"), "↓75.0%");
    assert_eq!(cell(&body, "case-types", invest, "data-type-mom"), "↓50.0%");
    let police = "<tr><td>冒充公检法</td>";
    assert_eq!(cell(&body, "case-types", police, "data-type-yoy"), "—");
    assert_eq!(cell(&body, "case-types", police, "data-type-mom"), "持平");

    // The brief says the same.
    let brief = page(&state, "/statistics?period=last_week&view=brief").await;
    assert!(brief.contains("2026年3月2日至3月8日"), "{brief}");
    assert!(brief.contains("同比下降50.0%（去年同期4起）"), "{brief}");
    assert!(
        brief.contains(
            "环比下降33.3%（上期3起），损失同比下降78.1%、环比下降50.0%，实现发案、损失“两降”"
        ),
        "{brief}"
    );

    // A year with more cases than the last: not both down.
    case(
        &state,
        "N",
        WEST_VILLAGE,
        "2026-03-05T09:00:00+08:00",
        5_000_000,
        "fake_investment",
    )
    .await;
    case(
        &state,
        "O",
        WEST_VILLAGE,
        "2026-03-06T09:00:00+08:00",
        5_000_000,
        "fake_investment",
    )
    .await;
    case(
        &state,
        "P",
        WEST_VILLAGE,
        "2026-03-07T09:00:00+08:00",
        5_000_000,
        "fake_investment",
    )
    .await;
    let body = page(&state, "/statistics?period=last_week").await;
    assert_eq!(stat(&body, "cases"), "5");
    assert_eq!(stat(&body, "yoy"), "↑25.0%");
    assert_eq!(stat(&body, "two-down"), "未实现双下降");
    // The week before nothing a year earlier: no base, no verdict.
    let body = page(
        &state,
        "/statistics?period=custom&from=2026-02-23&to=2026-03-01",
    )
    .await;
    assert_eq!(stat(&body, "yoy"), "—");
    assert_eq!(stat(&body, "two-down"), "去年同期无案件，无从比较");
}

async fn dissuasion_channels_and_the_trend_count_the_area_only(db: &Db) {
    let state = world(db).await;
    cases(&state).await;
    let t = at("2026-03-05T10:00:00+08:00");
    dissuaded(&state, ALICE, COUNTY, t, ContactChannel::Phone).await;
    dissuaded(&state, BOB, COUNTY, t + 1_000, ContactChannel::Visit).await;
    dissuaded(&state, CAROL, COUNTY, t + 2_000, ContactChannel::Visit).await;
    // Another county's, and one of ours the week after: neither is last week's.
    dissuaded(&state, DAVE, OTHER_COUNTY, t, ContactChannel::Phone).await;
    let body = page(&state, "/statistics?period=last_week").await;
    assert_eq!(stat(&body, "instructions"), "3");
    assert_eq!(stat(&body, "signed"), "3");
    assert_eq!(stat(&body, "dissuaded"), "3");
    assert_eq!(stat(&body, "ch-phone"), "1");
    assert_eq!(stat(&body, "ch-visit"), "2");
    assert_eq!(stat(&body, "ch-sms"), "0");
    // The unit lines add up to the channels' totals.
    let table = body
        .split("id=\"units\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap();
    let sum = |attr: &str| -> i64 {
        table
            .split(&format!("{attr}>"))
            .skip(1)
            .map(|c| c.split('<').next().unwrap().trim().parse::<i64>().unwrap())
            .sum()
    };
    assert_eq!(sum("data-ch=\"phone\""), 1, "{table}");
    assert_eq!(sum("data-ch=\"visit\""), 2, "{table}");
    assert_eq!(sum("data-signed"), 3, "{table}");
    // This week holds none of them.
    let body = page(&state, "/statistics?period=7d").await;
    assert_eq!(
        stat(&body, "ch-visit"),
        "2",
        "5 March is within the last 7 days"
    );
    let body = page(
        &state,
        "/statistics?period=custom&from=2026-03-09&to=2026-03-11",
    )
    .await;
    assert_eq!(stat(&body, "ch-visit"), "0");
    // The brief names the channels.
    let brief = page(&state, "/statistics?period=last_week&view=brief").await;
    assert!(
        brief.contains("签收预警劝阻指令3条") && brief.contains("电话劝阻1人次、见面劝阻2人次"),
        "{brief}"
    );

    // The trend: twelve months to March 2026, the county's cases, losses and warnings only.
    let body = page(&state, "/statistics?period=last_week").await;
    let march = "<tr data-month=\"2026-03\">";
    assert_eq!(cell(&body, "trend", march, "data-cases"), "4", "A B C F");
    assert_eq!(cell(&body, "trend", march, "data-loss"), "¥4,509.99");
    assert_eq!(cell(&body, "trend", march, "data-warnings"), "3");
    let february = "<tr data-month=\"2026-02\">";
    assert_eq!(cell(&body, "trend", february, "data-cases"), "2", "E F2");
    assert_eq!(cell(&body, "trend", february, "data-loss"), "¥6,000.00");
    assert_eq!(cell(&body, "trend", february, "data-warnings"), "0");
    let april = "<tr data-month=\"2025-04\">";
    assert_eq!(cell(&body, "trend", april, "data-cases"), "0");
    assert!(
        !body.contains("data-month=\"2025-03\""),
        "twelve months only"
    );
    assert_eq!(body.matches("<tr data-month=").count(), 12);
    assert!(body.contains("id=\"chart-trend\"") && body.contains("id=\"trend-data\""));
    assert!(body.contains("/assets/vendor/echarts.min.js"));
}
