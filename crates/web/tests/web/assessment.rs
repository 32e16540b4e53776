//! 综合考核 over a real store: two townships of a county whose cases differ are ranked by the
//! scheme (the compiled-in one, then one given as data that reverses a direction), with the
//! rank change against the period before; a unit outside the viewer's subtree is not found;
//! the CSV and XLSX exports carry the same ranking; the print view states the weights.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{NewCase, Role, UnitLevel};
use fanzha_web::assessment::Scheme;
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};

fanzha_store::on_both_backends! {
    townships_are_ranked_by_the_scheme_within_the_viewers_area,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const EAST: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const WEST: &str = "330281002";
const WEST_VILLAGE: &str = "330281002001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";

fn at(rfc: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc)
        .unwrap()
        .timestamp_millis()
}

/// Wednesday 11 March 2026, 10:00 in Shanghai: last month is February.
fn now() -> i64 {
    at("2026-03-11T10:00:00+08:00")
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    let with_population = |mut u: fanzha_store::NewUnit, p: i64| {
        u.population = Some(p);
        u
    };
    store
        .units()
        .upsert(&[
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            with_population(unit(EAST, "阳明街道", Township, Some(COUNTY)), 20_000),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(EAST)),
            with_population(unit(WEST, "梨洲街道", Township, Some(COUNTY)), 20_000),
            unit(WEST_VILLAGE, "西郊社区", Village, Some(WEST)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(now()));
    state
}

async fn case(state: &AppState, id: &str, unit: &str, when: &str, loss_fen: i64) {
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
            fraud_type: Some("fake_investment".into()),
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

async fn get(state: &AppState, unit: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let (token, _) = state.sessions.create(
        Principal {
            login: "yy_leader".into(),
            display_name: "局领导".into(),
            unit_code: unit.into(),
            roles: vec![Role::Leader],
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
    (status, bytes.to_vec())
}

async fn page(state: &AppState, path: &str) -> String {
    let (status, body) = get(state, COUNTY, path).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The text of the cell `data-<attr>` in the row of `unit` of the ranking table.
fn cell(body: &str, unit: &str, attr: &str) -> String {
    let table = body
        .split("id=\"ranking\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the ranking table");
    let row = table
        .split(&format!("data-unit=\"{unit}\">"))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("a row of {unit} in {table}"));
    row.split(&format!("data-{attr}"))
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("a cell {attr} in {row}"))
        .trim()
        .to_string()
}

/// The units of the ranking table, top to bottom.
fn order(body: &str) -> Vec<String> {
    let table = body
        .split("id=\"ranking\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the ranking table");
    table
        .split("<tr data-unit=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

async fn townships_are_ranked_by_the_scheme_within_the_viewers_area(db: &Db) {
    let state = world(db).await;
    // February 2026: East 1 case, West 4 — both 20,000 residents. February 2025: 2 each.
    // January 2026 (the period before): East 3, West none.
    for (id, unit, when, loss) in [
        ("E1", EAST_VILLAGE, "2026-02-10T09:00:00+08:00", 10_000),
        ("W1", WEST_VILLAGE, "2026-02-03T09:00:00+08:00", 50_000),
        ("W2", WEST_VILLAGE, "2026-02-04T09:00:00+08:00", 50_000),
        ("W3", WEST_VILLAGE, "2026-02-05T09:00:00+08:00", 50_000),
        ("W4", WEST_VILLAGE, "2026-02-28T23:59:00+08:00", 50_000),
        ("E-LY1", EAST_VILLAGE, "2025-02-10T09:00:00+08:00", 40_000),
        ("E-LY2", EAST_VILLAGE, "2025-02-11T09:00:00+08:00", 40_000),
        ("W-LY1", WEST_VILLAGE, "2025-02-10T09:00:00+08:00", 40_000),
        ("W-LY2", WEST_VILLAGE, "2025-02-11T09:00:00+08:00", 40_000),
        ("E-JAN1", EAST_VILLAGE, "2026-01-10T09:00:00+08:00", 10_000),
        ("E-JAN2", EAST_VILLAGE, "2026-01-11T09:00:00+08:00", 10_000),
        ("E-JAN3", EAST_VILLAGE, "2026-01-12T09:00:00+08:00", 10_000),
        // Another county's cases count for nobody here.
        ("O1", OTHER_VILLAGE, "2026-02-10T09:00:00+08:00", 9_000_000),
    ] {
        case(&state, id, unit, when, loss).await;
    }

    // Last month by default: East is first on fewer cases per 10,000 and falling cases and
    // losses; it was second in January (three cases against none).
    let body = page(&state, "/assessment").await;
    assert!(
        body.contains("2026-02-01 — 2026-02-28"),
        "the span is stated"
    );
    assert_eq!(order(&body), [EAST, WEST]);
    assert_eq!(cell(&body, EAST, "rank"), "1");
    assert_eq!(cell(&body, WEST, "rank"), "2");
    assert_eq!(cell(&body, EAST, "change"), "↑1");
    assert_eq!(cell(&body, WEST, "change"), "↓1");
    // East: full points on every indicator it has data for. West: nothing on the three case
    // indicators (weights 20 + 10 + 10), full points where both are equal (solve rate 10,
    // suspects 5, outreach 5): 20 × 100 / 60.
    assert_eq!(cell(&body, EAST, "total"), "100.00");
    assert_eq!(cell(&body, WEST, "total"), "33.33");
    // Values and points side by side: 1 case per 20,000 = 0.50 per 10,000; West's 4 = 2.00.
    assert!(body.contains("<td data-value>0.50</td><td data-points>100.00</td>"));
    assert!(body.contains("<td data-value>2.00</td><td data-points>0.00</td>"));
    assert!(body.contains("<td data-value>↑100.0%</td>"), "West's 同比");
    // The weights are shown, and the chart has its data.
    assert!(body.contains("id=\"weights\"") && body.contains("<td data-weight>20</td>"));
    assert!(body.contains("id=\"assessment-data\""));
    assert!(!body.contains("330282001\""), "no unit of another county");

    // A county outside the viewer's area is not found; one inside opens on its own units.
    let (status, _) = get(&state, COUNTY, &format!("/assessment?unit={OTHER_COUNTY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body = page(&state, &format!("/assessment?unit={EAST}")).await;
    assert_eq!(order(&body), [EAST_VILLAGE]);
    // The city sees both counties; the county viewer cannot rank its parent.
    let (status, _) = get(&state, COUNTY, &format!("/assessment?unit={CITY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The exports carry the same ranking.
    let (status, csv) = get(&state, COUNTY, "/assessment?period=last_month&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        rows[0].starts_with("名次,单位,综合得分,上期名次,名次变化,万人发案数,万人发案数得分"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("1,阳明街道,100.00,2,↑1,0.50,100.00"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("2,梨洲街道,33.33,1,↓1,2.00,0.00"),
        "{}",
        rows[2]
    );
    assert_eq!(rows.len(), 3);
    let (status, xlsx) = get(&state, COUNTY, "/assessment?period=last_month&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let names: Vec<String> = sheet.rows().skip(1).map(|r| r[1].to_string()).collect();
    assert_eq!(names, ["阳明街道", "梨洲街道"]);

    // The print view states the weights.
    let body = page(&state, "/assessment?period=last_month&view=print").await;
    assert!(body.contains("class=\"print\"") && body.contains("万人发案数 20分"));

    // The scheme is data: one that counts more cases per 10,000 as better reverses the ranking.
    let mut state = state;
    state.assessment = Arc::new(
        Scheme::parse(
            "[[indicator]]\ncode = \"cases_per_10k\"\nweight = 100\nbetter = \"higher\"\n",
        )
        .unwrap(),
    );
    let body = page(&state, "/assessment").await;
    assert_eq!(order(&body), [WEST, EAST]);
    assert_eq!(cell(&body, WEST, "total"), "100.00");
    assert_eq!(cell(&body, EAST, "total"), "0.00");

    // A custom range of one day holds only West's last case: East has 0 per 10,000 and ranks
    // last under the reversed scheme; a range that runs backwards is refused.
    let body = page(
        &state,
        "/assessment?period=custom&from=2026-02-28&to=2026-02-28",
    )
    .await;
    assert_eq!(order(&body), [WEST, EAST]);
    let (status, _) = get(
        &state,
        COUNTY,
        "/assessment?period=custom&from=2026-02-28&to=2026-02-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Every indicator can be scored: a scheme of all of them reads every register.
    let all = fanzha_web::assessment::Indicator::ALL;
    let mut text = String::new();
    for (i, ind) in all.iter().enumerate() {
        let weight = if i == 0 { 100 - (all.len() - 1) } else { 1 };
        text += &format!(
            "[[indicator]]\ncode = \"{}\"\nweight = {weight}\nbetter = \"higher\"\n",
            ind.code()
        );
    }
    state.assessment = Arc::new(Scheme::parse(&text).unwrap());
    let body = page(&state, "/assessment?period=last_month").await;
    assert_eq!(order(&body).len(), 2, "both townships ranked");
    for code in [
        "disposals_in_time",
        "notices_in_time",
        "new_card_involved",
        "key_person_visits",
    ] {
        assert!(body.contains(code), "{code} on the page");
    }
}
