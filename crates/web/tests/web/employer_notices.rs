//! 财政供养人员每案通报, on SQLite and PostgreSQL: a public-sector victim's case page shows its
//! notice due; an analyst issues it (numbered, the station told) and records the employer's
//! receipt; the printed notice carries the number and addresses employer and station; the
//! register counts the notices on time, late and overdue and the cases per department against
//! a year earlier, masks victims and exports; another county sees none of it; a leader reads
//! but cannot issue; bad and stale forms are refused and store nothing.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{NewCase, NoticeState, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_report_stating_public_service_owes_a_notice_to_the_employer_it_names,
    an_analyst_issues_the_notice_and_records_the_receipt,
    the_register_counts_on_time_late_overdue_and_departments,
    another_county_and_a_leader_cannot_issue,
    bad_and_stale_forms_are_refused_and_store_nothing,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const HOUR: i64 = 3_600_000;

/// 2026-03-10 10:30 in Shanghai: now, for every request.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn case(id: &str, unit: &str, opened: i64, loss_fen: i64, employer: Option<&str>) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some("王小明".into()),
        unit_code: unit.into(),
        reported_at: opened - HOUR,
        loss_fen,
        narrative: "对方冒充客服诱导受害人转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        public_sector: employer.is_some(),
        employer: employer.map(Into::into),
        named: serde_json::json!({}),
        created_by: "setup".into(),
        created_at: opened,
        ..NewCase::default()
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
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    let year = 365 * 24 * HOUR;
    for c in [
        // Opened two hours ago: due in 22 hours.
        case(
            "PS1",
            VILLAGE,
            t0() - 2 * HOUR,
            8_000_000,
            Some("余姚市第二人民医院"),
        ),
        // Opened two days ago, never issued: overdue.
        case(
            "PS2",
            VILLAGE,
            t0() - 48 * HOUR,
            1_000_000,
            Some("余姚市实验小学"),
        ),
        // A year earlier, same hospital.
        case(
            "PS0",
            VILLAGE,
            t0() - year,
            500_000,
            Some("余姚市第二人民医院"),
        ),
        // Not public-sector staff.
        case("N1", VILLAGE, t0() - HOUR, 700_000, None),
        // Another county.
        case(
            "X1",
            "330282001",
            t0() - HOUR,
            900_000,
            Some("慈溪市人民医院"),
        ),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    body: String,
    content_type: String,
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
    let (token, session) = state.sessions.create(
        Principal {
            login: format!("{}_{unit}", role.as_str()),
            display_name: "测试".into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: None,
            operator: None,
        },
        t0(),
    );
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("{COOKIE}={token}"));
    if method != "GET" {
        req = req
            .header("x-csrf-token", &session.csrf_token)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let mut req = req.body(Body::from(form.to_string())).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        content_type,
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn issue(state: &AppState, case_id: &str, station: &str, department: &str) -> Answer {
    send(
        state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        &format!("/cases/{case_id}/employer-notice"),
        &format!(
            "employer={}&department={}&station_unit={station}",
            enc("余姚市第二人民医院"),
            enc(department)
        ),
    )
    .await
}

async fn audit_actions(state: &AppState) -> Vec<String> {
    state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(200))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn an_analyst_issues_the_notice_and_records_the_receipt(db: &Db) {
    let state = world(db).await;
    let analyst = |method: &'static str, path: String, form: String| {
        let state = state.clone();
        async move { send(&state, Role::CenterAnalyst, CITY, method, &path, &form).await }
    };
    // The case page shows the notice due, the issue form with the case's employer and the
    // victim's station chosen.
    let page = analyst("GET", "/cases/PS1".into(), String::new()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains(r#"id="employer-notice" data-state="pending""#));
    assert!(page.body.contains(r#"id="notice-issue-form""#));
    assert!(page.body.contains(r#"value="余姚市第二人民医院""#));
    assert!(
        page.body
            .contains(&format!(r#"<option value="{TOWNSHIP}" selected>"#)),
        "the victim's township is the station chosen"
    );
    // A case of a victim not in public service has no section.
    let other = analyst("GET", "/cases/N1".into(), String::new()).await;
    assert!(!other.body.contains(r#"id="employer-notice""#));
    // The draft print has no number.
    let draft = analyst("GET", "/cases/PS1/notice".into(), String::new()).await;
    assert!(draft.body.contains("data-draft"), "{}", draft.body);
    assert!(!draft.body.contains("data-notice-number"));

    let done = issue(&state, "PS1", TOWNSHIP, "市卫健局").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let notice = state
        .store
        .employer_notices()
        .of_case(&Scope::platform(), "PS1")
        .await
        .unwrap()
        .expect("issued");
    assert_eq!(notice.number(), "〔2026〕第1号");
    assert_eq!(notice.issuer_unit, CITY);
    assert_eq!(notice.station_unit, TOWNSHIP);
    assert_eq!(notice.department.as_deref(), Some("市卫健局"));
    assert_eq!(notice.issued_by, "center_analyst_3302");

    let page = analyst("GET", "/cases/PS1".into(), String::new()).await;
    assert!(page.body.contains(r#"data-state="issued""#));
    assert!(page.body.contains("〔2026〕第1号"));
    assert!(page.body.contains(r#"id="notice-receipt-form""#));
    assert!(!page.body.contains(r#"id="notice-issue-form""#));
    // The print carries the number and addresses the employer and the station.
    let print = analyst("GET", "/cases/PS1/notice".into(), String::new()).await;
    assert!(print
        .body
        .contains("编号：<span data-notice-number>〔2026〕第1号</span>"));
    assert!(
        print.body.contains("余姚市第二人民医院、阳明街道派出所："),
        "{}",
        print.body
    );

    let receipt = analyst(
        "POST",
        "/cases/PS1/employer-notice/receipt".into(),
        format!(
            "version=1&signatory={}&receipt_at=2026-03-10T10:30&measures={}",
            enc("王主任"),
            enc("召开全院反诈培训会")
        ),
    )
    .await;
    assert_eq!(receipt.status, StatusCode::SEE_OTHER, "{}", receipt.body);
    let page = analyst("GET", "/cases/PS1".into(), String::new()).await;
    assert!(page.body.contains(r#"data-state="receipted""#));
    assert!(
        page.body.contains("王主任 · 2026-03-10 10:30"),
        "{}",
        page.body
    );
    // The register masks the signatory; the case page above shows the name in full.
    let register = analyst("GET", "/public-sector".into(), String::new()).await;
    assert!(
        register.body.contains("王*任 · 2026-03-10 10:30") && !register.body.contains("王主任"),
        "{}",
        register.body
    );
    let actions = audit_actions(&state).await;
    assert!(actions.contains(&"employer_notice_issued".to_string()));
    assert!(actions.contains(&"employer_notice_receipt".to_string()));
}

async fn the_register_counts_on_time_late_overdue_and_departments(db: &Db) {
    let state = world(db).await;
    assert_eq!(
        issue(&state, "PS1", TOWNSHIP, "市卫健局").await.status,
        StatusCode::SEE_OTHER
    );
    let page = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector",
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert!(b.contains(r#"data-figure="cases">2<"#), "{b}");
    assert!(b.contains(r#"data-figure="issued">1<"#));
    assert!(b.contains(r#"data-figure="on_time_rate">50%<"#), "{b}");
    assert!(b.contains(r#"data-figure="overdue">1<"#));
    // Same period a year earlier: one case (PS0) → 2 now is ↑100%.
    assert!(b.contains(r#"data-figure="yoy">↑100.0%<"#), "{b}");
    // The employer table: the hospital counts PS1 now and PS0 a year earlier on one line (PS0
    // had no notice), with the department PS1's notice gave; the school PS2.
    assert!(
        b.contains(
            r#"<tr data-employer="余姚市第二人民医院" data-department="市卫健局"><td>余姚市第二人民医院</td><td>市卫健局</td><td data-cases>1</td>"#
        ),
        "{b}"
    );
    assert!(b.contains(r#"<td data-cases-before>1</td>"#));
    assert!(b.contains(
        r#"<tr data-employer="余姚市实验小学" data-department=""><td>余姚市实验小学</td><td></td><td data-cases>1</td>"#
    ));
    // Rows: victims masked, PS2 overdue, PS1 issued, N1 and X1 absent.
    assert!(b.contains(r#"data-case-id="PS2" data-state="pending" data-overdue"#));
    assert!(b.contains(r#"data-case-id="PS1" data-state="issued""#));
    assert!(!b.contains("N1") && !b.contains("X1"));
    assert!(!b.contains("王小明") && b.contains("王*明"));

    let overdue = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector?overdue=1",
        "",
    )
    .await;
    assert!(overdue.body.contains(r#"data-case-id="PS2""#));
    assert!(!overdue.body.contains(r#"data-case-id="PS1""#));
    let by_state = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        &format!("/public-sector?state={}", NoticeState::Issued.as_str()),
        "",
    )
    .await;
    assert!(by_state.body.contains(r#"data-case-id="PS1""#));
    assert!(!by_state.body.contains(r#"data-case-id="PS2""#));
    let by_employer = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        &format!("/public-sector?employer={}", enc("实验小学")),
        "",
    )
    .await;
    assert!(by_employer.body.contains(r#"data-case-id="PS2""#));
    assert!(!by_employer.body.contains(r#"data-case-id="PS1""#));

    let csv = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.body.contains("〔2026〕第1号"));
    assert!(csv.body.contains("超时未下发"));
    assert!(!csv.body.contains("王小明"));
    assert_eq!(
        csv.body.lines().count(),
        3,
        "header and two cases:\n{}",
        csv.body
    );
    let xlsx = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector?format=xlsx",
        "",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    // The figures and the employer table export too, each as its own section.
    let section = |name: &'static str| {
        let state = state.clone();
        async move {
            send(
                &state,
                Role::UnitCommander,
                COUNTY,
                "GET",
                &format!("/public-sector?format=csv&section={name}"),
                "",
            )
            .await
        }
    };
    let figures = section("figures").await;
    assert!(
        figures.body.contains("财政供养人员发案,2\n"),
        "{}",
        figures.body
    );
    assert!(
        figures.body.contains("已下发提示单,1\n"),
        "{}",
        figures.body
    );
    let employers = section("employers").await;
    assert!(
        employers.body.contains("余姚市第二人民医院,市卫健局,1,"),
        "{}",
        employers.body
    );
    assert_eq!(section("nothing").await.status, StatusCode::BAD_REQUEST);
    // A period before the cases: nothing.
    let empty = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector?from=2025-01-01&until=2025-01-31",
        "",
    )
    .await;
    assert!(empty.body.contains(r#"data-figure="cases">0<"#));
    let backwards = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/public-sector?from=2026-03-10&until=2026-03-01",
        "",
    )
    .await;
    assert_eq!(backwards.status, StatusCode::BAD_REQUEST);
}

async fn another_county_and_a_leader_cannot_issue(db: &Db) {
    let state = world(db).await;
    // Another county: its register has only its own case; this county's case is not found.
    let cixi = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/public-sector",
        "",
    )
    .await;
    assert!(cixi.body.contains(r#"data-case-id="X1""#));
    assert!(!cixi.body.contains("PS1"));
    let outside = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/public-sector?unit={COUNTY}"),
        "",
    )
    .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    // A leader reads but may not issue; the case page shows no form.
    let page = send(&state, Role::Leader, CITY, "GET", "/cases/PS1", "").await;
    assert!(page.body.contains(r#"id="employer-notice""#));
    assert!(!page.body.contains(r#"id="notice-issue-form""#));
    let refused = send(
        &state,
        Role::Leader,
        CITY,
        "POST",
        "/cases/PS1/employer-notice",
        &format!("employer={}&station_unit={TOWNSHIP}", enc("某单位")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let none = state
        .store
        .employer_notices()
        .of_case(&Scope::platform(), "PS1")
        .await
        .unwrap();
    assert_eq!(none, None);
}

async fn bad_and_stale_forms_are_refused_and_store_nothing(db: &Db) {
    let state = world(db).await;
    let post = |path: &'static str, form: String| {
        let state = state.clone();
        async move { send(&state, Role::CenterAnalyst, CITY, "POST", path, &form).await }
    };
    // Not public-sector staff; a station that does not exist (the city analyst's area holds
    // every county, so no real unit lies outside it); an empty employer.
    let not_owed = post(
        "/cases/N1/employer-notice",
        format!("employer={}&station_unit={TOWNSHIP}", enc("某单位")),
    )
    .await;
    assert_eq!(
        not_owed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_owed.body
    );
    let unknown_station = post(
        "/cases/PS1/employer-notice",
        format!("employer={}&station_unit=999999", enc("某单位")),
    )
    .await;
    assert_eq!(unknown_station.status, StatusCode::BAD_REQUEST);
    let blank = post(
        "/cases/PS1/employer-notice",
        format!("employer=%20&station_unit={TOWNSHIP}"),
    )
    .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    // A receipt before any notice.
    let early = post(
        "/cases/PS1/employer-notice/receipt",
        format!(
            "version=1&signatory={}&receipt_at=2026-03-10T10:00&measures={}",
            enc("王主任"),
            enc("培训")
        ),
    )
    .await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert!(state
        .store
        .employer_notices()
        .of_case(&Scope::platform(), "PS1")
        .await
        .unwrap()
        .is_none());

    assert_eq!(
        issue(&state, "PS1", TOWNSHIP, "").await.status,
        StatusCode::SEE_OTHER
    );
    // Issued twice: 409, one notice.
    let twice = issue(&state, "PS1", TOWNSHIP, "").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    // A receipt from a stale form, in the future, or without a time.
    let receipt = |version: i64, at: &str| {
        format!(
            "version={version}&signatory={}&receipt_at={at}&measures={}",
            enc("王主任"),
            enc("培训")
        )
    };
    let stale = post(
        "/cases/PS1/employer-notice/receipt",
        receipt(7, "2026-03-10T10:30"),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let future = post(
        "/cases/PS1/employer-notice/receipt",
        receipt(1, "2026-03-11T10:00"),
    )
    .await;
    assert_eq!(future.status, StatusCode::BAD_REQUEST);
    let garbled = post("/cases/PS1/employer-notice/receipt", receipt(1, "昨天")).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    let notice = state
        .store
        .employer_notices()
        .of_case(&Scope::platform(), "PS1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notice.version, 1);
    assert_eq!(notice.receipt_at, None);
    assert_eq!(notice.department, None, "an empty department is none");
    let issued = audit_actions(&state)
        .await
        .into_iter()
        .filter(|a| a == "employer_notice_issued")
        .count();
    assert_eq!(issued, 1);
}

/// A victim nobody registered: the case form (or a 110 export) stating 公职人员 and the
/// employer makes the case public-sector, its notice addressed to that employer; another
/// occupation owes none.
async fn a_report_stating_public_service_owes_a_notice_to_the_employer_it_names(db: &Db) {
    let state = world(db).await;
    let open = |occupation: &'static str| {
        let state = state.clone();
        async move {
            let a = send(
                &state,
                Role::CenterAnalyst,
                CITY,
                "POST",
                "/cases",
                &format!(
                    "unit_code={VILLAGE}&victim_name={}&loss_yuan=20000&occupation={occupation}\
                     &employer={}&narrative={}",
                    enc("李华"),
                    enc(" 余姚市审计局 "),
                    enc("对方冒充公安机关来电称其涉嫌洗钱，要求转账到安全账户")
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
            state
                .store
                .cases()
                .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
                .await
                .unwrap()
                .items
                .into_iter()
                .find(|c| c.occupation.map(|o| o.code()) == Some(occupation))
                .expect("the case just opened")
        }
    };
    let case = open("public_sector").await;
    assert!(case.public_sector);
    assert_eq!(case.employer.as_deref(), Some("余姚市审计局"));
    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        &format!("/cases/{}", case.id),
        "",
    )
    .await;
    assert!(page
        .body
        .contains(r#"id="employer-notice" data-state="pending""#));
    assert!(page.body.contains(r#"value="余姚市审计局""#));
    // A teacher stated, nobody registered: no notice is owed.
    let teacher = open("teacher").await;
    assert!(!teacher.public_sector);
    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        &format!("/cases/{}", teacher.id),
        "",
    )
    .await;
    assert!(!page.body.contains(r#"id="employer-notice""#));
}
