//! The lists staff work from, on SQLite and PostgreSQL. The warnings list is a search: filters
//! by type, source, unit, person and instruction state reach the rows, the count and the
//! exports; a search by phone or ID number is audited; a unit outside one's subtree is not
//! found; a value that does not parse is reported on the page and the rest of the form still
//! applies; pages follow on; the API takes the same filters; statistics link each type's count
//! to its search and count cases per unit with 同比 and 万人发案数. The instruction queue finds a person and takes a select left on "all" (an
//! empty value); the cases list is a search too (filters reach rows, count and exports, a
//! search by number is audited masked), pages on and exports whole; the case page lists the
//! linked cases of one's area (串并); malformed bodies answer with the error body.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    CaseTransfer, NewCase, NewPerson, NewStopPayment, NewWarning, PageRequest, Scope, UnitLevel,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    filters_reach_rows_count_and_exports,
    a_person_search_is_audited_and_unparsed_values_are_reported,
    a_unit_outside_the_subtree_is_not_found_and_pages_follow_on,
    statistics_lines_add_up_and_type_counts_open_the_search,
    the_api_lists_with_the_same_filters,
    the_instruction_queue_takes_an_emptied_level_select,
    the_queue_finds_people_warned_more_than_once,
    a_malformed_body_answers_with_the_error_body,
    the_instruction_queue_finds_a_person,
    cases_page_on_and_export_whole,
    statistics_count_cases_per_ten_thousand_and_year_on_year,
    case_filters_reach_rows_count_and_exports,
    a_case_search_by_number_is_audited_masked,
    the_case_page_lists_linked_cases_inside_the_area,
    commanders_read_cases_without_the_forms,
    statistics_rank_employers_by_registration,
}

const COUNTY: &str = "330281";
const EAST: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const WEST: &str = "330281002";
const WEST_VILLAGE: &str = "330281002001";
const OTHER_COUNTY: &str = "330282";
/// Valid ID numbers (check digit included): a search validates what it is given.
const ALICE: &str = "330281199001011235";
const BOB: &str = "330281198505052343";
const CAROL: &str = "330281197703033456";

/// 2026-03-01 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-01T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn person(id: &str, name: &str, phone: &str, village: &str) -> NewPerson {
    NewPerson {
        resident_id: id.into(),
        name: name.into(),
        phone: Some(phone.into()),
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
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(EAST, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(EAST)),
            unit(WEST, "梨洲街道", Township, Some(COUNTY)),
            unit(WEST_VILLAGE, "西郊社区", Village, Some(WEST)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            person(ALICE, "张三", "13900001234", EAST_VILLAGE),
            person(BOB, "李四", "13900005678", EAST_VILLAGE),
            person(CAROL, "王五", "13900009012", WEST_VILLAGE),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    let incoming = |resident: Option<&str>,
                    msisdn: Option<&str>,
                    level: WarningLevel,
                    fraud_type: Option<&str>,
                    source: &str| IncomingWarning {
        id: None,
        resident_id: resident.map(Into::into),
        msisdn: msisdn.map(Into::into),
        residence_code: None,
        level,
        fraud_type: fraud_type.map(Into::into),
        score_permille: 800,
        source: source.into(),
        signal_at: t0() - 60_000,
        evidence: serde_json::json!({}),
    };
    let warnings = [
        // The engine names the type in Chinese; it is stored under its code.
        incoming(
            Some(ALICE),
            None,
            WarningLevel::Red,
            Some("虚假投资理财"),
            "engine",
        ),
        // The national push names only a phone, written its own way.
        incoming(
            None,
            Some("+86 139-0000-5678"),
            WarningLevel::Orange,
            None,
            "national_push",
        ),
        incoming(
            Some(CAROL),
            None,
            WarningLevel::Yellow,
            Some("impersonate_police"),
            "manual",
        ),
    ];
    for (i, w) in warnings.into_iter().enumerate() {
        state
            .loop_service
            .receive(w, t0() - 60_000 + i as i64 * 1_000)
            .await
            .unwrap();
    }
    state
}

/// A session of the county's analyst: its cookie token and the session (CSRF token).
fn analyst_session(state: &AppState) -> (String, fanzha_web::auth::session::Session) {
    state.sessions.create(
        Principal {
            login: "yy_analyst".into(),
            display_name: "研判员".into(),
            unit_code: COUNTY.into(),
            roles: vec![fanzha_store::Role::CenterAnalyst],
            joint_member: None,
            bank_code: None,
            operator: None,
        },
        t0(),
    )
}

/// `GET path` as the county's analyst: status and body.
async fn get(state: &AppState, path: &str) -> (StatusCode, String) {
    let (token, _) = analyst_session(state);
    get_with(state, &token, path).await
}

/// `GET path` with the session `token`: status and body.
async fn get_with(state: &AppState, token: &str, path: &str) -> (StatusCode, String) {
    let (status, bytes) = get_bytes_with(state, token, path).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET path` with the session `token`: status and the body's bytes (an XLSX file).
async fn get_bytes_with(state: &AppState, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
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

/// Where the pager's next-page link begins.
const NEXT_PAGE: &str = "id=\"next-page\" href=\"";
/// Where a link into the warnings search begins (its query follows).
const SEARCH_LINK: &str = "<a href=\"/warnings?";

/// The first link target after `opening` that holds `holding`, with the HTML escapes of `&`
/// undone so it can be requested.
fn href(body: &str, opening: &str, holding: &str) -> Option<String> {
    body.split(opening)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|target| target.contains(holding))
        .map(|target| target.replace("&#38;", "&").replace("&amp;", "&"))
}

/// The page's rows (their warning ids) and its "matching" count.
async fn search(state: &AppState, query: &str) -> (usize, i64, String) {
    let (status, body) = get(state, &format!("/warnings?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let rows = body.matches("data-warning-id=").count();
    let total = body
        .split("data-total=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("the page shows how many match");
    (rows, total, body)
}

async fn filters_reach_rows_count_and_exports(db: &Db) {
    let state = world(db).await;
    let stored = state
        .store
        .warnings()
        .recent(&Scope::platform(), 0, None, &PageRequest::first(10))
        .await
        .unwrap();
    let mut types: Vec<_> = stored.items.iter().map(|w| w.fraud_type.clone()).collect();
    types.sort();
    assert_eq!(
        types,
        [
            None,
            Some("fake_investment".to_string()),
            Some("impersonating_police".to_string())
        ],
        "types are stored under their codes"
    );
    assert!(
        stored
            .items
            .iter()
            .any(|w| w.msisdn.as_deref() == Some("13900005678")),
        "the pushed phone is stored in canonical form"
    );

    // A first visit, and a submitted form whose selects are all "any".
    assert_eq!(search(&state, "").await.0, 3);
    let (rows, total, _) = search(
        &state,
        "from=&to=&min_level=&fraud_type=&source=&unit=&status=&q=",
    )
    .await;
    assert_eq!((rows, total), (3, 3));

    let (rows, total, body) = search(&state, "fraud_type=fake_investment").await;
    assert_eq!((rows, total), (1, 1));
    assert!(body.contains("虚假投资理财"), "the type is named in words");
    assert_eq!(search(&state, "fraud_type=untyped").await.1, 1);
    assert_eq!(search(&state, "source=manual").await.1, 1);
    assert_eq!(search(&state, "min_level=2").await.1, 2);
    assert_eq!(search(&state, &format!("unit={WEST}")).await.1, 1);
    assert_eq!(
        search(&state, &format!("unit={EAST}&min_level=1")).await.1,
        1
    );
    assert_eq!(search(&state, "status=open").await.1, 3);
    assert_eq!(search(&state, "status=closed").await.1, 0);
    // The day before: nothing; the day itself, as the only day: everything.
    assert_eq!(search(&state, "from=2026-02-28&to=2026-02-28").await.1, 0);
    assert_eq!(search(&state, "from=2026-03-01&to=2026-03-01").await.1, 3);

    let (status, csv) = get(&state, "/warnings?min_level=2&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<_> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 3, "header + the two red and orange: {csv}");
    assert!(!csv.contains("黄色"), "{csv}");
    assert!(
        !csv.contains("13900005678"),
        "phones are masked in exports: {csv}"
    );
}

async fn a_person_search_is_audited_and_unparsed_values_are_reported(db: &Db) {
    let state = world(db).await;
    let (rows, total, body) = search(&state, "q=139%200000%205678").await;
    assert_eq!((rows, total), (1, 1));
    assert!(
        body.contains("139****5678"),
        "the row shows the phone masked"
    );
    let (rows, _, _) = search(&state, &format!("q={CAROL}")).await;
    assert_eq!(rows, 1);
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let searches: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action == "warning_search")
        .collect();
    assert_eq!(searches.len(), 2, "{:?}", audit.items);
    assert!(searches.iter().all(|e| e.actor == "yy_analyst"));
    let targets: Vec<_> = searches
        .iter()
        .map(|e| e.target_id.clone().unwrap_or_default())
        .collect();
    assert!(targets.contains(&"139****5678".to_string()), "{targets:?}");
    assert!(
        targets.iter().all(|t| t.contains('*')),
        "the audit log keeps the number masked: {targets:?}"
    );
    // Browsing without a person named is not a look-up.
    search(&state, "min_level=1").await;
    let after = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        after
            .items
            .iter()
            .filter(|e| e.action == "warning_search")
            .count(),
        2
    );

    // A name is not a number: reported, ignored, and the level still applies.
    let (rows, _, body) = search(&state, "q=%E5%BC%A0%E4%B8%89&min_level=1&from=yesterday").await;
    assert_eq!(rows, 1, "only the red warning");
    assert!(
        body.contains("data-problem=\"search_unrecognised\""),
        "{body}"
    );
    assert!(body.contains("data-problem=\"search_bad_date\""));
}

async fn a_unit_outside_the_subtree_is_not_found_and_pages_follow_on(db: &Db) {
    let state = world(db).await;
    let (status, _) = get(&state, &format!("/warnings?unit={OTHER_COUNTY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for i in 0..120 {
        state
            .store
            .warnings()
            .insert(&NewWarning {
                id: format!("YJ-PAGE-{i:03}"),
                resident_id: Some(BOB.into()),
                msisdn: Some("13900005678".into()),
                unit_code: EAST_VILLAGE.into(),
                level: 3,
                fraud_type: None,
                score_permille: 300,
                source: "engine".into(),
                signal_at: t0() - 7_200_000 + i,
                detected_at: t0() - 7_200_000 + i,
                evidence: serde_json::json!({}),
            })
            .await
            .unwrap();
    }
    let (rows, total, body) = search(&state, "source=engine").await;
    assert_eq!((rows, total), (100, 121));
    let next = href(&body, NEXT_PAGE, "").expect("a next-page link");
    assert!(
        next.contains("source=engine"),
        "the link keeps the filter: {next}"
    );
    let (status, second) = get(&state, &next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second.matches("data-warning-id=").count(), 21);
    assert!(!second.contains("id=\"next-page\""));
    assert!(
        second.contains("YJ-PAGE-000"),
        "the oldest is on the last page"
    );
}

async fn statistics_lines_add_up_and_type_counts_open_the_search(db: &Db) {
    let state = world(db).await;
    let (status, body) = get(&state, "/statistics").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The lines add up to the total, including what is still held at the county itself.
    let total: i64 = body
        .split("data-stat=\"instructions\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the instructions tile");
    assert_eq!(total, 3, "{body}");
    let table = body
        .split("<tbody>")
        .nth(1)
        .and_then(|rest| rest.split("</tbody>").next())
        .unwrap();
    let per_line: i64 = table
        .split("<tr data-unit=")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .nth(2)
                .and_then(|cell| cell.split('<').next())
                .and_then(|n| n.trim().parse::<i64>().ok())
                .unwrap_or_else(|| panic!("an instruction count in {row}"))
        })
        .sum();
    assert_eq!(
        per_line, total,
        "the unit lines add up to the total: {table}"
    );

    // Each type's count opens the search that lists exactly those warnings.
    let link =
        href(&body, SEARCH_LINK, "fraud_type=fake_investment").expect("a link for 虚假投资理财");
    let (rows, total, _) = search(&state, &link).await;
    assert_eq!((rows, total), (1, 1), "{link}");
    let untyped = href(&body, SEARCH_LINK, "fraud_type=untyped").expect("a link for 类型待定");
    assert_eq!(search(&state, &untyped).await.1, 1);
}

/// 单位干部职工注册情况: the employers of the county's residents, the lowest registration rate
/// first, on the statistics page and as its CSV section.
async fn statistics_rank_employers_by_registration(db: &Db) {
    let state = world(db).await;
    let staff = |n: u32, employer: &str, public: bool, registered: bool| NewPerson {
        employer: Some(employer.into()),
        public_sector: public,
        app_registered: registered,
        ..person(
            &format!("3302811980010{n:05}"),
            "职工",
            "13900000000",
            EAST_VILLAGE,
        )
    };
    let mut people: Vec<NewPerson> = (0..5)
        .map(|n| staff(n, "卫生健康局", true, n == 0))
        .collect();
    people.extend((10..16).map(|n| staff(n, "宏达电子有限公司", false, n < 14)));
    state.store.people().upsert(&people).await.unwrap();
    let (status, body) = get(&state, "/statistics").await;
    assert_eq!(status, StatusCode::OK);
    let table = body
        .split("id=\"registration-employers\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the employers table");
    let first = table.find("卫生健康局").expect("the office");
    let second = table.find("宏达电子有限公司").expect("the company");
    assert!(first < second, "the lowest rate first: {table}");
    assert!(table.contains("<td data-rate>20.00%</td>"), "{table}");
    assert!(table.contains("<td data-rate>66.67%</td>"), "{table}");
    let (_, csv) = get(&state, "/statistics?format=csv&section=employers").await;
    assert!(csv.contains("卫生健康局,是,5,1,20.00%"), "{csv}");
    assert!(csv.contains("宏达电子有限公司,否,6,4,66.67%"), "{csv}");
}

async fn the_api_lists_with_the_same_filters(db: &Db) {
    let state = world(db).await;
    let ids = |body: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect()
    };
    let api = |q: String| {
        let state = state.clone();
        async move { get(&state, &format!("/api/v1/warnings?since=0&{q}")).await }
    };
    let (status, body) = api(String::new()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body).len(), 3);
    assert!(
        !body.contains(ALICE),
        "resident IDs are masked in the API list"
    );
    for (query, n) in [
        ("fraud_type=fake_investment", 1),
        (
            "fraud_type=%E8%99%9A%E5%81%87%E6%8A%95%E8%B5%84%E7%90%86%E8%B4%A2",
            1,
        ),
        ("fraud_type=untyped", 1),
        ("source=national_push", 1),
        ("min_level=2", 2),
        ("open=true", 3),
        ("open=false", 0),
        (&format!("unit={WEST}"), 1),
        (&format!("until={}", t0() - 60_000), 0),
    ] {
        let (status, body) = api(query.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(ids(&body).len(), n, "{query}: {body}");
    }
    // Every refusal is the platform's error body with its code, a malformed number included.
    for bad in [
        "fraud_type=rumour",
        "source=rumour",
        "min_level=7",
        "until=yesterday",
    ] {
        let (status, body) = api(bad.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("a JSON error body");
        assert_eq!(v["code"], "request_invalid", "{bad}: {body}");
        assert!(
            v["what_to_do"].as_str().is_some_and(|s| !s.is_empty()),
            "{body}"
        );
    }
    let (status, _) = api(format!("unit={OTHER_COUNTY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_instruction_queue_takes_an_emptied_level_select(db: &Db) {
    let state = world(db).await;
    // 全部等级 submits `level=`: every level, not a 400.
    let (status, all) = get(&state, "/instructions?tab=all&level=").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let (status, red) = get(&state, "/instructions?tab=all&level=1").await;
    assert_eq!(status, StatusCode::OK, "{red}");
    let rows = |body: &str| body.matches("<tr data-instruction-id=").count();
    assert_eq!(rows(&all), 3, "{all}");
    assert_eq!(rows(&red), 1, "{red}");
    // One fraud type's queue (分类研判): the Chinese name is read as its code; untyped ones
    // apart; an unknown type is refused.
    let (status, invest) = get(&state, "/instructions?tab=all&fraud_type=fake_investment").await;
    assert_eq!(status, StatusCode::OK, "{invest}");
    assert_eq!(rows(&invest), 1, "{invest}");
    assert!(invest.contains("value=\"fake_investment\" selected"));
    let (_, by_name) = get(
        &state,
        "/instructions?tab=all&fraud_type=%E8%99%9A%E5%81%87%E6%8A%95%E8%B5%84%E7%90%86%E8%B4%A2",
    )
    .await;
    assert_eq!(rows(&by_name), 1);
    let (_, untyped) = get(&state, "/instructions?tab=all&fraud_type=untyped").await;
    assert_eq!(rows(&untyped), 1, "{untyped}");
    let (status, _) = get(&state, "/instructions?tab=all&fraud_type=luck").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn a_malformed_body_answers_with_the_error_body(db: &Db) {
    let state = world(db).await;
    let (token, session) = analyst_session(&state);
    let instruction = state
        .store
        .warnings()
        .recent(&Scope::platform(), 0, None, &PageRequest::first(1))
        .await
        .unwrap()
        .items[0]
        .instruction_id
        .clone()
        .unwrap();
    let act = format!("/instructions/{instruction}/act");
    for (uri, content_type, body) in [
        ("/api/v1/warnings", "application/json", "{not json"),
        (
            "/api/v1/warnings",
            "application/json",
            r#"{"level": "red"}"#,
        ),
        (
            act.as_str(),
            "application/x-www-form-urlencoded",
            "command=sign&version=first",
        ),
    ] {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, format!("{COOKIE}={token}"))
            .header("x-csrf-token", &session.csrf_token)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{body}");
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON error body");
        assert_eq!(v["code"], "request_invalid", "{v}");
        assert!(
            v["what_to_do"].as_str().is_some_and(|s| !s.is_empty()),
            "{v}"
        );
    }
}

async fn the_instruction_queue_finds_a_person(db: &Db) {
    let state = world(db).await;
    let queue = |q: String| {
        let state = state.clone();
        async move {
            let (status, body) = get(&state, &format!("/instructions?tab=all&{q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            let rows = body.matches("<tr data-instruction-id=").count();
            let total: usize = body
                .split("id=\"queue-total\" data-total=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .and_then(|n| n.parse().ok())
                .expect("the queue shows how many match");
            assert_eq!(rows, total, "{q}");
            (rows, body)
        }
    };
    assert_eq!(queue(String::new()).await.0, 3);
    assert_eq!(queue(format!("q={ALICE}")).await.0, 1);
    // Bob's warning named only his phone; his instruction is found by it.
    assert_eq!(queue("q=139-0000-5678".into()).await.0, 1);
    let (rows, body) = queue("q=13911112222".into()).await;
    assert_eq!(rows, 0);
    assert!(body.contains("data-problem=\"search_no_person\""), "{body}");
    let (rows, body) = queue("q=%E5%BC%A0%E4%B8%89".into()).await;
    assert_eq!(
        rows, 3,
        "a name is not a number: reported, the list unfiltered"
    );
    assert!(body.contains("data-problem=\"search_unrecognised\""));

    let searches = |state: AppState| async move {
        state
            .store
            .audit()
            .list(&Scope::platform(), &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.action == "instruction_search")
            .count()
    };
    assert_eq!(
        searches(state.clone()).await,
        3,
        "the three number searches"
    );
    // The live refresh of the searched list is not another look-up.
    let (token, _) = analyst_session(&state);
    let mut req = Request::builder()
        .uri(format!("/instructions?tab=all&q={ALICE}"))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("{COOKIE}={token}"))
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(searches(state.clone()).await, 3);
}

async fn cases_page_on_and_export_whole(db: &Db) {
    let state = world(db).await;
    // Another source: left out of the filtered pages and export below.
    let mut imported = new_case("AJ-IMPORTED", EAST_VILLAGE, t0() - 3_600_000);
    imported.source = "import".into();
    state.store.cases().create(&imported).await.unwrap();
    for i in 0..205 {
        state
            .store
            .cases()
            .create(&new_case(
                &format!("AJ-PAGE-{i:03}"),
                EAST_VILLAGE,
                t0() - 86_400_000 + i,
            ))
            .await
            .unwrap();
    }
    let (status, first) = get(&state, "/cases?source=form").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first.matches("<tr data-case-id=").count(), 200);
    assert_eq!(case_total(&first), 205);
    let next = href(&first, NEXT_PAGE, "").expect("a next-page link");
    assert!(
        next.contains("source=form"),
        "the link keeps the filter: {next}"
    );
    let (status, second) = get(&state, &next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second.matches("<tr data-case-id=").count(), 5);
    assert!(
        second.contains("AJ-PAGE-000"),
        "the oldest is on the last page"
    );
    assert!(!second.contains("AJ-IMPORTED"));
    assert!(!second.contains("id=\"next-page\""));
    let (status, csv) = get(&state, "/cases?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv.lines().filter(|l| l.contains("AJ-")).count();
    assert_eq!(rows, 206, "an export holds every case, not one page");
    let (_, csv) = get(&state, "/cases?source=form&format=csv").await;
    let rows = csv.lines().filter(|l| l.contains("AJ-")).count();
    assert_eq!(rows, 205, "an export holds every match, and only matches");
}

/// A case for the cases tests: 1,000 yuan, untyped, opened by form, named nothing.
fn new_case(id: &str, unit: &str, reported_at: i64) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some("某某".into()),
        unit_code: unit.into(),
        reported_at,
        loss_fen: 100_000,
        narrative: "测试".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "yy_analyst".into(),
        created_at: t0(),
        ..NewCase::default()
    }
}

fn case_transfer(from: &str, to: &str) -> CaseTransfer {
    CaseTransfer {
        txn_id: None,
        from_account: from.into(),
        to_account: to.into(),
        at: t0() - 7_200_000,
        amount_fen: 50_000,
        channel: "bank".into(),
        source_file: None,
    }
}

/// The "matching" count of the cases page.
fn case_total(body: &str) -> i64 {
    body.split("id=\"cases-total\" data-total=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("the cases page shows how many match")
}

/// The cases page's rows (their case ids, in order) and its count.
async fn case_search(state: &AppState, query: &str) -> (Vec<String>, i64, String) {
    let (status, body) = get(state, &format!("/cases?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let ids = body
        .split("<tr data-case-id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    let total = case_total(&body);
    (ids, total, body)
}

const SUSPECT_PHONE: &str = "13800001111";
/// Luhn-valid: a bank card.
const SUSPECT_CARD: &str = "6222020123456789015";
const RECEIVING_CARD: &str = "6217000123456789019";

/// K1 (阳明·舜水, 28 Feb, 1,000 yuan, investment, public-sector, Alice's, named a suspect phone
/// and card); K2 (梨洲·西郊, 1 Mar, 50,000 yuan, untyped, imported with a report number, paid
/// into RECEIVING_CARD); K3 (阳明, 19 Feb, 3 yuan, impersonating police, from an outcome); K9
/// (慈溪, outside the county, named the same suspect phone).
async fn case_world(db: &Db) -> AppState {
    let state = world(db).await;
    let cases = [
        NewCase {
            resident_id: Some(ALICE.into()),
            victim_phone: Some("13900001234".into()),
            fraud_type: Some("fake_investment".into()),
            public_sector: true,
            named: serde_json::json!({"phones": [SUSPECT_PHONE], "accounts": [SUSPECT_CARD]}),
            ..new_case("K1", EAST_VILLAGE, t0() - 86_400_000)
        },
        NewCase {
            loss_fen: 5_000_000,
            source: "import".into(),
            report_no: Some("JJ2026030100017".into()),
            ..new_case("K2", WEST_VILLAGE, t0() - 7_200_000)
        },
        NewCase {
            loss_fen: 300,
            fraud_type: Some("impersonating_police".into()),
            source: "outcome".into(),
            ..new_case("K3", EAST_VILLAGE, t0() - 10 * 86_400_000)
        },
        NewCase {
            fraud_type: Some("fake_investment".into()),
            named: serde_json::json!({"phones": [SUSPECT_PHONE]}),
            ..new_case("K9", OTHER_COUNTY, t0() - 3_600_000)
        },
    ];
    for c in &cases {
        assert!(state.store.cases().create(c).await.unwrap());
    }
    state
        .store
        .cases()
        .add_transfers(
            "K2",
            &[case_transfer("6216610000000000002", RECEIVING_CARD)],
        )
        .await
        .unwrap();
    state
}

async fn case_filters_reach_rows_count_and_exports(db: &Db) {
    let state = case_world(db).await;
    let cases = [
        ("", vec!["K2", "K1", "K3"]),
        (
            "from=&to=&fraud_type=&unit=&source=&min_loss=&q=",
            vec!["K2", "K1", "K3"],
        ),
        ("from=2026-02-28&to=2026-02-28", vec!["K1"]),
        ("from=2026-03-01", vec!["K2"]),
        ("to=2026-02-27", vec!["K3"]),
        ("fraud_type=fake_investment", vec!["K1"]),
        ("fraud_type=untyped", vec!["K2"]),
        (&format!("unit={WEST}"), vec!["K2"]),
        ("source=outcome", vec!["K3"]),
        ("public_sector=1", vec!["K1"]),
        ("min_loss=1000", vec!["K2", "K1"]),
        ("min_loss=1000.01", vec!["K2"]),
        ("q=K3", vec!["K3"]),
        ("q=JJ2026030100017", vec!["K2"]),
        (&format!("q={SUSPECT_PHONE}"), vec!["K1"]),
        ("q=6217%200001%202345%206789%20019", vec!["K2"]),
        (
            "fraud_type=fake_investment&min_loss=1000&public_sector=1",
            vec!["K1"],
        ),
    ];
    for (query, want) in cases {
        let (ids, total, _) = case_search(&state, query).await;
        assert_eq!(ids, want, "{query}");
        assert_eq!(total, want.len() as i64, "{query}");
    }
    let (ids, total, body) = case_search(&state, "fraud_type=untyped&min_loss=100000").await;
    assert_eq!((ids.len(), total), (0, 0));
    assert!(body.contains("没有符合条件的案件"), "{body}");
    let (_, _, body) = case_search(&state, "source=import").await;
    assert!(body.contains("接警导入"), "the source is named in words");

    let (status, csv) = get(&state, "/cases?min_loss=1000&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<_> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 3, "header + K1 and K2: {csv}");
    assert!(!csv.contains("K3") && !csv.contains("K9"), "{csv}");
    let (status, xlsx) = get(&state, "/cases?source=outcome&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with("PK"), "a workbook");

    let (status, _) = get(&state, &format!("/cases?unit={OTHER_COUNTY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_case_search_by_number_is_audited_masked(db: &Db) {
    let state = case_world(db).await;
    let case_searches = |state: AppState| async move {
        state
            .store
            .audit()
            .list(&Scope::platform(), &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.action == "case_search")
            .collect::<Vec<_>>()
    };
    // The victim's phone, her ID number, a suspect's card: three look-ups.
    assert_eq!(case_search(&state, "q=139-0000-1234").await.0, ["K1"]);
    assert_eq!(case_search(&state, &format!("q={ALICE}")).await.0, ["K1"]);
    let (status, csv) = get(&state, &format!("/cases?q={SUSPECT_CARD}&format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("K1"), "{csv}");
    let logged = case_searches(state.clone()).await;
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert!(logged.iter().all(|e| e.actor == "yy_analyst"));
    let mut targets: Vec<String> = logged
        .iter()
        .map(|e| e.target_id.clone().unwrap_or_default())
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        ["139****1234", "3302**********1235", "6222 **** **** 9015"],
        "the audit log keeps the numbers masked"
    );
    assert!(logged.iter().all(|e| e.detail["matches"] == 1));
    // A case id, a report number and plain filters name nobody.
    case_search(&state, "q=K2").await;
    case_search(&state, "q=JJ2026030100017&min_loss=1").await;
    case_search(&state, "public_sector=1").await;
    assert_eq!(case_searches(state.clone()).await.len(), 3);

    // What does not parse is named, and the rest of the form still applies.
    let (ids, _, body) = case_search(&state, "from=yesterday&min_loss=lots&source=outcome").await;
    assert_eq!(ids, ["K3"]);
    assert!(body.contains("data-problem=\"search_bad_date\""), "{body}");
    assert!(body.contains("data-problem=\"case_min_loss\""), "{body}");
    // An ID number with a wrong check digit that finds nothing is named as a slip.
    let (ids, _, body) = case_search(&state, "q=330281199001011234").await;
    assert!(ids.is_empty());
    assert!(
        body.contains("data-problem=\"search_bad_check_digit\""),
        "{body}"
    );
}

async fn the_case_page_lists_linked_cases_inside_the_area(db: &Db) {
    let state = world(db).await;
    const M2: &str = "6228480000000000001";
    let cases = [
        NewCase {
            named: serde_json::json!({"phones": [SUSPECT_PHONE], "apps": ["云盈"]}),
            victim_account: Some("6216610000000000000".into()),
            ..new_case("L0", EAST_VILLAGE, t0() - 7_200_000)
        },
        NewCase {
            named: serde_json::json!({"phones": [SUSPECT_PHONE]}),
            loss_fen: 20_000,
            ..new_case("L1", WEST_VILLAGE, t0() - 3_600_000)
        },
        NewCase {
            loss_fen: 300_000,
            ..new_case("L2", EAST_VILLAGE, t0() - 3_000_000)
        },
        NewCase {
            loss_fen: 4_000_000,
            ..new_case("L3", EAST_VILLAGE, t0() - 2_000_000)
        },
        // The same receiving account, in another county: not the county analyst's to see.
        NewCase {
            loss_fen: 50_000_000,
            ..new_case("LX", OTHER_COUNTY, t0() - 1_000_000)
        },
        NewCase {
            named: serde_json::json!({"phones": ["13800002222"], "apps": ["其他"]}),
            ..new_case("LN", EAST_VILLAGE, t0() - 500_000)
        },
    ];
    for c in &cases {
        assert!(state.store.cases().create(c).await.unwrap());
    }
    let store = &state.store;
    store
        .cases()
        .add_transfers(
            "L0",
            &[case_transfer("6216610000000000000", RECEIVING_CARD)],
        )
        .await
        .unwrap();
    for id in ["L2", "LX"] {
        store
            .cases()
            .add_transfers(id, &[case_transfer("6216610000000000009", RECEIVING_CARD)])
            .await
            .unwrap();
    }
    let stop = |id: &str, case_id: &str, unit: &str| NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: M2.into(),
        bank_code: None,
        institution: serde_json::json!({"kind": "bank", "name": "中国农业银行"}),
        requested_fen: 10_000,
        requested_at: t0() - 1_800_000,
        deadline: t0(),
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    };
    store
        .stop_payments()
        .create_many(&[
            stop("ZF0", "L0", EAST_VILLAGE),
            stop("ZF3", "L3", EAST_VILLAGE),
        ])
        .await
        .unwrap();

    let (status, body) = get(&state, "/cases/L0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let section = body
        .split("id=\"linked-cases\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the linked-cases table");
    let rows: Vec<(&str, &str)> = section
        .split("<tr data-linked-case=\"")
        .skip(1)
        .map(|row| {
            let id = row.split('"').next().unwrap();
            let kinds = row
                .split("data-link-kinds=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap();
            (id, kinds)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("L3", "stop_payment_account"),
            ("L2", "receiving_account"),
            ("L1", "suspect_phone"),
        ],
        "latest first; LX lies outside the county, LN shares nothing: {section}"
    );
    assert!(
        section.contains("同一收款账户 6217 **** **** 9019"),
        "{section}"
    );
    assert!(
        section.contains("同一止付账户 6228 **** **** 0001"),
        "{section}"
    );
    assert!(section.contains("同一嫌疑电话 138****1111"), "{section}");
    assert!(
        !section.contains(RECEIVING_CARD) && !section.contains(M2),
        "accounts are masked: {section}"
    );
    assert!(
        section.contains("href=\"/cases/L2\""),
        "rows link to the case"
    );
    assert!(
        body.contains("id=\"linked-total\" data-total=\"3\""),
        "{body}"
    );
    // 1,000 + 200 + 3,000 + 40,000 yuan: the case and its three linked cases.
    assert!(body.contains("<b data-group-loss>¥44,200.00</b>"), "{body}");
    assert!(!body.contains("LX"), "nothing of the other county's case");

    let (_, lonely) = get(&state, "/cases/LN").await;
    assert!(lonely.contains("id=\"linked-total\" data-total=\"0\""));
    assert!(lonely.contains("本辖区内暂无与本案共用"), "{lonely}");
}

/// The text of the tile `data-stat="name"`.
fn stat(body: &str, name: &str) -> String {
    body.split(&format!("data-stat=\"{name}\">"))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("a {name} tile in {body}"))
        .trim()
        .to_string()
}

/// The cells of a unit's line in the cases table.
fn case_line(body: &str, unit: &str) -> Vec<String> {
    let table = body
        .split("id=\"case-units\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the cases table");
    let row = table
        .split(&format!("<tr data-unit=\"{unit}\""))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("a line for {unit} in {table}"));
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let text = cell.split_once('>').map(|(_, t)| t).unwrap_or("");
            // The unit cell holds a link: its text is what the reader sees.
            let text = text.rsplit("\">").next().unwrap_or(text);
            text.split('<').next().unwrap_or("").trim().to_string()
        })
        .collect()
}

async fn statistics_count_cases_per_ten_thousand_and_year_on_year(db: &Db) {
    let state = world(db).await;
    let units = state.store.units();
    units
        .set_population(EAST_VILLAGE, Some(20_000))
        .await
        .unwrap();
    units
        .set_population(WEST_VILLAGE, Some(5_000))
        .await
        .unwrap();
    // A township's own census figure wins over the sum of its villages.
    units.set_population(WEST, Some(10_000)).await.unwrap();
    let at = |rfc: &str| {
        DateTime::parse_from_rfc3339(rfc)
            .unwrap()
            .timestamp_millis()
    };
    let cases = [
        // This year, up to now (2026-03-01 10:30).
        ("C1", EAST_VILLAGE, "2026-03-01T09:30:00+08:00", true),
        ("C2", EAST_VILLAGE, "2026-02-10T12:00:00+08:00", false),
        ("C3", EAST_VILLAGE, "2026-01-01T00:00:00+08:00", false),
        ("C4", WEST_VILLAGE, "2026-02-01T08:00:00+08:00", false),
        ("C5", COUNTY, "2026-02-02T08:00:00+08:00", false),
        // After now: not in any period yet.
        ("C6", EAST_VILLAGE, "2026-03-01T11:00:00+08:00", false),
        // Another county: outside the scope.
        ("C7", OTHER_COUNTY, "2026-02-01T08:00:00+08:00", false),
        // The same period a year earlier: 4 cases (the one on 2 March 2025 is after it).
        ("L1", EAST_VILLAGE, "2025-01-05T08:00:00+08:00", false),
        ("L2", EAST_VILLAGE, "2025-02-05T08:00:00+08:00", false),
        ("L3", EAST_VILLAGE, "2025-02-28T08:00:00+08:00", false),
        ("L4", EAST_VILLAGE, "2025-03-01T10:00:00+08:00", false),
        ("L5", EAST_VILLAGE, "2025-03-02T10:00:00+08:00", false),
        ("L6", EAST_VILLAGE, "2024-12-31T23:00:00+08:00", false),
    ];
    for (id, unit, when, public_sector) in cases {
        let reported_at = at(when);
        // Two registered victims: 张三 (born 1990-01-01, man) and 王五 (1977-03-03, man).
        let resident_id = match id {
            "C1" => Some(ALICE.to_string()),
            "C2" => Some(CAROL.to_string()),
            _ => None,
        };
        state
            .store
            .cases()
            .create(&NewCase {
                id: id.into(),
                unit_code: unit.into(),
                reported_at,
                loss_fen: 1_000_000,
                narrative: "投资理财平台诱导充值".into(),
                fraud_type: Some("fake_investment".into()),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                resident_id,
                public_sector,
                named: serde_json::json!({}),
                created_by: "yy_analyst".into(),
                created_at: reported_at,
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    let (status, body) = get(&state, "/statistics?period=year").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(stat(&body, "cases"), "5");
    assert_eq!(stat(&body, "cases-last-year"), "4");
    assert_eq!(stat(&body, "yoy"), "↑25.0%");
    // 30,000 residents: 20,000 in the east township's village, 10,000 recorded for the west.
    assert_eq!(stat(&body, "per-10k"), "1.67");
    assert_eq!(stat(&body, "public-sector"), "1");
    assert_eq!(
        case_line(&body, EAST),
        [
            "阳明街道",
            "20000",
            "3",
            "4",
            "↓25.0%",
            "1.50",
            "¥30,000.00",
            "1"
        ]
    );
    assert_eq!(
        case_line(&body, WEST),
        [
            "梨洲街道",
            "10000",
            "1",
            "0",
            "—",
            "1.00",
            "¥10,000.00",
            "0"
        ]
    );
    // The case opened at the county itself has a line of its own, so the lines add up.
    assert_eq!(case_line(&body, COUNTY)[2], "1");
    assert!(body.contains("id=\"case-types\""), "{body}");
    // Victims by age on the day of the report: 36 and 48; the others are not registered.
    let ages = body
        .split("id=\"victim-ages\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap();
    let counts: Vec<&str> = ages
        .split("data-cases>")
        .skip(1)
        .filter_map(|c| c.split('<').next())
        .collect();
    assert_eq!(counts, ["0", "0", "0", "1", "1", "0", "3"], "{ages}");
    assert!(body.contains("data-type-cases>5<"), "{body}");

    // Money stopped and returned: the return rate is over the period's case losses (¥50,000).
    let request = |id: &str, case_id: &str, account: &str| fanzha_store::NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: EAST_VILLAGE.into(),
        account: account.into(),
        bank_code: Some("ICBC".into()),
        institution: serde_json::json!({"kind": "bank", "code": "ICBC"}),
        requested_fen: 1_000_000,
        requested_at: at("2026-02-10T12:10:00+08:00"),
        deadline: at("2026-02-10T12:40:00+08:00"),
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    };
    state
        .store
        .stop_payments()
        .create_many(&[
            request("ZF1", "C2", "6222020123456789015"),
            request("ZF2", "C2", "6217000123456789019"),
        ])
        .await
        .unwrap();
    state
        .store
        .stop_payments()
        .update(
            &fanzha_store::Viewer::Police(Scope::platform()),
            "ZF1",
            1,
            &fanzha_store::StopPaymentUpdate {
                state: "returned".into(),
                held_fen: 500_000,
                executed_at: Some(at("2026-02-10T12:20:00+08:00")),
                detail: serde_json::json!({}),
                at: at("2026-02-20T12:00:00+08:00"),
            },
        )
        .await
        .unwrap();
    let (_, body) = get(&state, "/statistics?period=year").await;
    assert_eq!(stat(&body, "stop-requested"), "2");
    assert_eq!(stat(&body, "stopped"), "1");
    assert_eq!(stat(&body, "frozen"), "1");
    assert_eq!(stat(&body, "returned-fen"), "¥5,000.00");
    assert_eq!(stat(&body, "return-rate"), "10.00%");

    // Registration on the national anti-fraud app: everyone counts, the 16–60 band by the
    // birth date in the ID number (on 2026-03-01: born 1965-03-02 … 2010-03-01).
    let registered = |id: &str, village: &str| NewPerson {
        app_registered: true,
        ..person(id, "居民", "13900000000", village)
    };
    state
        .store
        .people()
        .upsert(&[
            registered(ALICE, EAST_VILLAGE),
            // Aged 60 (61 tomorrow): in the band.
            registered("330281196503025430", EAST_VILLAGE),
            // Turned 61 today: out of it.
            registered("330281196503015435", WEST_VILLAGE),
            // Turned 16 today: in it.
            person("330281201003011239", "少年", "13900000001", WEST_VILLAGE),
        ])
        .await
        .unwrap();
    let (_, body) = get(&state, "/statistics?period=year").await;
    assert_eq!(stat(&body, "residents"), "6");
    assert_eq!(stat(&body, "registered"), "3");
    assert_eq!(stat(&body, "registration-rate"), "50.00%");
    // In the band: 张三 (registered), 李四, 王五, the 60-year-old (registered), the 16-year-old.
    assert_eq!(stat(&body, "registration-rate-16-60"), "40.00%");
    // No resident lives at the county itself: its own line has no place in that table.
    let registration = body
        .split("id=\"registration-units\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap();
    assert!(!registration.contains("own-level"), "{registration}");
    assert!(registration.contains(&format!("data-unit=\"{EAST}\"")));

    // Key persons in control, as they stand now.
    state
        .store
        .key_persons()
        .create(
            &Scope::platform(),
            &fanzha_store::NewKeyPerson {
                resident_id: BOB.into(),
                category: fanzha_store::KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "yy_analyst".into(),
                at: t0() - 86_400_000,
            },
        )
        .await
        .unwrap();
    // A talk in the period.
    state
        .store
        .outreach()
        .record(
            &Scope::platform(),
            &fanzha_store::NewOutreach {
                unit_code: EAST_VILLAGE.into(),
                held_on: at("2026-02-01T00:00:00+08:00"),
                kind: fanzha_store::OutreachKind::Lecture,
                audience: fanzha_store::OutreachAudience::Elderly,
                place: "舜水社区活动室".into(),
                people_reached: 120,
                app_registrations: 35,
                materials: 300,
                consultations: 18,
                note: String::new(),
                created_by: "grid".into(),
                alliance_member: None,
            },
            t0(),
        )
        .await
        .unwrap();
    let (_, body) = get(&state, "/statistics?period=year").await;
    assert_eq!(stat(&body, "kp-in-control"), "1");
    assert_eq!(stat(&body, "outreach-events"), "1");
    assert_eq!(stat(&body, "outreach-people"), "120");

    // The same figures written out as a work brief.
    let (status, brief) = get(&state, "/statistics?period=year&view=brief").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        brief.contains(
            "2026年1月1日至3月1日余姚市共发案5起，同比上升25.0%（去年同期4起），万人发案数1.67"
        ),
        "{brief}"
    );
    assert!(brief.contains("资金返还率10.00%"), "{brief}");
    assert!(brief.contains("在控重点人员1人"), "{brief}");
    assert!(brief.contains("开展反诈宣传1场，覆盖群众120人"), "{brief}");
    assert!(
        brief.contains("发案最多的是阳明街道3起、梨洲街道1起"),
        "{brief}"
    );
    assert!(body.contains("id=\"brief-link\""));

    let (_, month) = get(&state, "/statistics?period=month").await;
    assert_eq!(stat(&month, "cases"), "1", "March so far");
    assert_eq!(
        stat(&month, "cases-last-year"),
        "1",
        "1 March 2025 up to 10:30"
    );

    let (status, csv) = get(&state, "/statistics?period=year&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("万人发案数") && header.contains("同比"),
        "{header}"
    );
    let east = csv.lines().find(|l| l.starts_with("阳明街道")).unwrap();
    assert!(east.contains(",1.50,") && east.contains("↓25.0%"), "{east}");

    // Every figure of the page exports: the XLSX is a workbook with a sheet per table, the
    // tiles' figures among them; CSV gives one table by its section.
    let (token, _) = analyst_session(&state);
    let (status, xlsx) =
        get_bytes_with(&state, &token, "/statistics?period=year&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "各单位",
            "单位干部职工注册情况",
            "汇总指标",
            "发案类型分布",
            "近12个月趋势",
            "受害人画像",
            "抓获人员措施",
            "打掉团伙窝点",
            "预警诈骗类型分布"
        ]
    );
    let figures = book.worksheet_range("汇总指标").unwrap();
    let figure = |section: &str, name: &str| {
        figures
            .rows()
            .find(|r| r[0] == section && r[1] == name)
            .map(|r| r[2].to_string())
            .unwrap_or_else(|| panic!("no figure {section}/{name}"))
    };
    assert_eq!(figure("发案情况", "发案数"), "5");
    assert_eq!(figure("发案情况", "同比"), "↑25.0%");
    assert_eq!(figure("重点人员管控（当前）", "在控人数"), "1");
    assert_eq!(
        figure(
            "宣传防范（宣传为本期，APP注册截至今日）",
            "本期宣传覆盖人数"
        ),
        "120"
    );
    let units = book.worksheet_range("各单位").unwrap();
    assert!(units.rows().any(|r| r[0] == "阳明街道"));
    let (status, trend) = get(&state, "/statistics?period=year&format=csv&section=trend").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        trend.contains("月份,发案数") && trend.lines().count() == 13,
        "{trend}"
    );
    let (status, _) = get(&state, "/statistics?period=year&format=csv&section=nothing").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// `GET path` as the county's commander: status and body.
async fn get_as_commander(state: &AppState, path: &str) -> (StatusCode, String) {
    let (token, _) = state.sessions.create(
        Principal {
            login: "yy_commander".into(),
            display_name: "指挥员".into(),
            unit_code: COUNTY.into(),
            roles: vec![fanzha_store::Role::UnitCommander],
            joint_member: None,
            bank_code: None,
            operator: None,
        },
        t0(),
    );
    get_with(state, &token, path).await
}

/// A county commander follows the area's cases read-only: the search and the case page, without
/// the forms that open, import or trace; the employer notice, which names the victim in full,
/// is written to the audit log.
async fn commanders_read_cases_without_the_forms(db: &Db) {
    let state = world(db).await;
    state
        .store
        .cases()
        .create(&NewCase {
            id: "AJ-CMD-1".into(),
            victim_name: Some("赵六".into()),
            unit_code: EAST_VILLAGE.into(),
            reported_at: t0() - 3_600_000,
            loss_fen: 500_000,
            narrative: "冒充客服退款".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            public_sector: true,
            employer: Some("某某局".into()),
            named: serde_json::json!({}),
            created_by: "yy_analyst".into(),
            created_at: t0(),
            ..NewCase::default()
        })
        .await
        .unwrap();
    let (status, list) = get_as_commander(&state, "/cases").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains("data-case-id=\"AJ-CMD-1\""), "{list}");
    assert!(!list.contains("id=\"new-case\"") && !list.contains("id=\"import-cases\""));
    let (_, analyst_list) = get(&state, "/cases").await;
    assert!(
        analyst_list.contains("id=\"new-case\""),
        "the analyst still opens cases"
    );

    let (status, page) = get_as_commander(&state, "/cases/AJ-CMD-1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("data-action=\"trace\"") && !page.contains("data-action=\"upload\""));
    assert!(
        !page.contains("赵六"),
        "the victim is masked on the case page"
    );

    let (status, notice) = get_as_commander(&state, "/cases/AJ-CMD-1/notice").await;
    assert_eq!(status, StatusCode::OK);
    assert!(notice.contains("赵六"));
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    assert!(
        audit.items.iter().any(|e| e.actor == "yy_commander"
            && e.action == "view_personal_data"
            && e.target_id.as_deref() == Some("AJ-CMD-1")),
        "the notice view is audited"
    );
}

/// 多次预警: a person warned again while their instruction is open has it counted on the queue
/// row, and the queue (and the API) can be narrowed to those instructions.
async fn the_queue_finds_people_warned_more_than_once(db: &Db) {
    let state = world(db).await;
    state
        .loop_service
        .receive(
            IncomingWarning {
                id: None,
                resident_id: Some(ALICE.into()),
                msisdn: None,
                residence_code: None,
                level: WarningLevel::Orange,
                fraud_type: Some("fake_investment".into()),
                score_permille: 700,
                source: "national_push".into(),
                signal_at: t0() - 30_000,
                evidence: serde_json::json!({}),
            },
            t0() - 20_000,
        )
        .await
        .unwrap();
    let rows = |body: &str| body.matches("<tr data-instruction-id=").count();
    let (status, all) = get(&state, "/instructions?tab=all").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&all), 3, "merged into the open instruction: {all}");
    assert_eq!(all.matches("data-repeated=\"2\"").count(), 1, "{all}");
    let (status, repeated) = get(&state, "/instructions?tab=all&repeated=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&repeated), 1, "{repeated}");
    assert!(repeated.contains("name=\"repeated\" value=\"1\" data-autosubmit checked"));
    assert!(repeated.contains("repeated=1"), "kept in the links");
    let (_, json) = get(&state, "/api/v1/instructions?min_warnings=2").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
}
