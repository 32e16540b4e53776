//! 涉诈号码处置, on SQLite and PostgreSQL: the county's analyst asks China Mobile to shut down a
//! warning's suspect number (linked from the warning page); a second request for it while
//! pending is a conflict; China Mobile's liaison sees it (China Unicom's does not) and answers
//! with the registered holder; the analyst's list and export show the holder masked and the
//! request's page in full, audited; the figures count it executed on time. Another county sees
//! nothing; a leader reads the figures only; a bank liaison is refused.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{NewWarning, Operator, PageRequest, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    an_analyst_asks_and_the_operator_answers_with_the_holder,
    others_see_only_what_is_theirs,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_COUNTY: &str = "330282";
/// A China Mobile number (segment 1390000) that posed as police.
const FRAUD_NUMBER: &str = "13900001234";
const HOLDER_ID: &str = "11010519491231002X";

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
        ])
        .await
        .unwrap();
    store
        .warnings()
        .insert(&NewWarning {
            id: "W-ND-1".into(),
            resident_id: None,
            msisdn: Some("13800138000".into()),
            unit_code: TOWNSHIP.into(),
            level: 1,
            fraud_type: Some("impersonating_police".into()),
            score_permille: 960,
            source: "engine".into(),
            signal_at: t0(),
            detected_at: t0(),
            evidence: serde_json::json!({
                "suspects": [{"msisdn": FRAUD_NUMBER, "score": 0.97, "calls_to_person": 3}]
            }),
        })
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

/// Who calls: a role at a unit (an operator liaison with their operator).
#[derive(Clone, Copy)]
struct As(Role, &'static str, Option<Operator>);

const ANALYST: As = As(Role::CenterAnalyst, COUNTY, None);
const MOBILE: As = As(Role::OperatorLiaison, "3302", Some(Operator::ChinaMobile));
const UNICOM: As = As(Role::OperatorLiaison, "3302", Some(Operator::ChinaUnicom));

/// `method path` as `who`, with a form body for writes (CSRF token included).
async fn send(state: &AppState, who: As, method: &str, path: &str, form: &str) -> Answer {
    let As(role, unit, operator) = who;
    let (token, session) = state.sessions.create(
        Principal {
            login: format!("{}_{unit}", role.as_str()),
            display_name: "测试".into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: (role == Role::BankLiaison).then(|| "ICBC".into()),
            operator,
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
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-csrf-token", &session.csrf_token);
    }
    let mut req = req.body(Body::from(form.to_string())).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The `data-figure` tile's text.
fn figure(page: &str, name: &str) -> String {
    let key = format!("data-figure=\"{name}\">");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("no figure {name}"));
    let rest = &page[at + key.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// Asks China Mobile to shut down the fraud number as the county's analyst; the request id.
async fn ask(state: &AppState) -> i64 {
    let a = send(
        state,
        ANALYST,
        "POST",
        "/number-disposals",
        &format!(
            "number=%2B86+139-0000-1234&measure=shutdown&unit={TOWNSHIP}&warning_id=W-ND-1\
             &reason=%E5%86%92%E5%85%85%E5%85%AC%E6%A3%80%E6%B3%95&urgent=1"
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.location
        .unwrap()
        .strip_prefix("/number-disposals/")
        .unwrap()
        .parse()
        .unwrap()
}

async fn an_analyst_asks_and_the_operator_answers_with_the_holder(db: &Db) {
    let state = world(db).await;
    // The warning page links each suspect number to the request form, prefilled.
    let w = send(&state, ANALYST, "GET", "/warnings/W-ND-1", "").await;
    assert_eq!(w.status, StatusCode::OK);
    assert!(
        w.body.contains(&format!(
            "/number-disposals?ask={FRAUD_NUMBER}&amp;warning=W-ND-1#request"
        )) || w.body.contains(&format!(
            "/number-disposals?ask={FRAUD_NUMBER}&warning=W-ND-1#request"
        )),
        "no link to ask for the suspect number"
    );
    let form = send(
        &state,
        ANALYST,
        "GET",
        &format!("/number-disposals?ask={FRAUD_NUMBER}&warning=W-ND-1"),
        "",
    )
    .await;
    assert!(form.body.contains(&format!("value=\"{FRAUD_NUMBER}\"")));
    assert!(form.body.contains("value=\"china_mobile\" selected"));

    let id = ask(&state).await;
    // Pending already: a second request for the number is a conflict.
    let again = send(
        &state,
        ANALYST,
        "POST",
        "/number-disposals",
        &format!("number={FRAUD_NUMBER}&measure=restrict_outgoing&reason=again"),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // An overseas number cannot be shut down; a bad number is refused with its reason.
    let overseas = send(
        &state,
        ANALYST,
        "POST",
        "/number-disposals",
        "number=%2B85291234567&measure=shutdown&operator=china_telecom&reason=x",
    )
    .await;
    assert_eq!(
        overseas.status,
        StatusCode::BAD_REQUEST,
        "{}",
        overseas.body
    );
    assert!(overseas.body.contains("interception"), "{}", overseas.body);

    // China Mobile's liaison sees it, due in 30 minutes; China Unicom's does not.
    let list = send(&state, MOBILE, "GET", "/number-disposals", "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("data-request=\"{id}\"")));
    assert_eq!(figure(&list.body, "pending"), "1");
    let page = send(
        &state,
        MOBILE,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2026-03-10 11:00"),
        "deadline 30 min later"
    );
    assert!(page.body.contains("id=\"execute-disposal\""));
    // The police's warning is named for the operator, not linked (it could not open it).
    assert!(page.body.contains("W-ND-1") && !page.body.contains("href=\"/warnings/W-ND-1\""));
    let police = send(
        &state,
        ANALYST,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert!(
        police.body.contains("href=\"/warnings/W-ND-1\""),
        "{}",
        police.body
    );
    let other = send(
        &state,
        UNICOM,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!send(&state, UNICOM, "GET", "/number-disposals", "")
        .await
        .body
        .contains(&format!("data-request=\"{id}\"")));
    let r = send(
        &state,
        UNICOM,
        "POST",
        &format!("/number-disposals/{id}/answer"),
        "version=1&outcome=executed",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A holder's ID number must be valid; then the answer with the holder is kept.
    let bad = send(
        &state,
        MOBILE,
        "POST",
        &format!("/number-disposals/{id}/answer"),
        "version=1&outcome=executed&holder_name=%E7%8E%8B%E4%BA%94&holder_id=110105194912310021",
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let done = send(
        &state,
        MOBILE,
        "POST",
        &format!("/number-disposals/{id}/answer"),
        &format!(
            "version=1&outcome=executed&holder_name=%E7%8E%8B%E4%BA%94&holder_id={HOLDER_ID}\
             &note=%E5%B7%B2%E5%81%9C%E6%9C%BA"
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The executed number goes to the live engine's blocklist; refused answers fed nothing.
    assert_eq!(
        state.engine_feed.drain(),
        vec![(
            fanzha_core::event::Msisdn(8613900001234),
            fanzha_core::event::NumberList::Blocklist
        )]
    );
    assert_eq!(
        state
            .store
            .number_disposals()
            .executed_numbers()
            .await
            .unwrap(),
        vec![FRAUD_NUMBER.to_string()]
    );
    // Answered once: the same version again is a conflict.
    let twice = send(
        &state,
        MOBILE,
        "POST",
        &format!("/number-disposals/{id}/answer"),
        "version=1&outcome=failed&note=x",
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // The analyst: the holder masked in the list and the export, in full on the page
    // (audited); the figures count it executed on time.
    let list = send(&state, ANALYST, "GET", "/number-disposals", "").await;
    assert_eq!(figure(&list.body, "executed"), "1");
    assert_eq!(figure(&list.body, "on_time_rate"), "100.0%");
    assert!(list.body.contains("王*"), "holder masked in the list");
    assert!(!list.body.contains(HOLDER_ID));
    let csv = send(&state, ANALYST, "GET", "/number-disposals?format=csv", "").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains(FRAUD_NUMBER), "{}", csv.body);
    assert!(csv.body.contains("已处置"));
    assert!(!csv.body.contains(HOLDER_ID) && !csv.body.contains("王五"));
    let operators = send(
        &state,
        ANALYST,
        "GET",
        "/number-disposals?format=csv&section=operators",
        "",
    )
    .await;
    assert!(
        operators.body.contains("中国移动,1,1,1,100.0%"),
        "{}",
        operators.body
    );
    let xlsx = send(&state, ANALYST, "GET", "/number-disposals?format=xlsx", "").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"));

    let audited = |state: AppState| async move {
        state
            .store
            .audit()
            .list(&Scope::platform(), &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .iter()
            .filter(|e| e.action == "number_disposal_holder_viewed")
            .count()
    };
    assert_eq!(audited(state.clone()).await, 0);
    let page = send(
        &state,
        ANALYST,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert!(page.body.contains(HOLDER_ID) && page.body.contains("王五"));
    assert!(page.body.contains("data-on-time"));
    assert_eq!(audited(state.clone()).await, 1);
    // The liaison's view of the holder is audited too; their pages get no live stream.
    let theirs = send(
        &state,
        MOBILE,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert!(theirs.body.contains(HOLDER_ID));
    assert_eq!(audited(state.clone()).await, 2);
    assert!(
        !theirs.body.contains("sse-connect"),
        "no /events for liaisons"
    );
    assert!(page.body.contains("sse-connect=\"/events\""));
    let stream = send(&state, MOBILE, "GET", "/events", "").await;
    assert_eq!(stream.status, StatusCode::FORBIDDEN);
    // The statistics of the period count it, and its export's figures sheet names it.
    let stats = send(&state, ANALYST, "GET", "/statistics", "").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(
        stats.body.contains("data-stat=\"nd-executed\">1<"),
        "no disposal figures"
    );
    assert!(stats
        .body
        .contains("data-stat=\"nd-on-time-rate\">100.00%<"));
    let figures = send(
        &state,
        ANALYST,
        "GET",
        "/statistics?format=csv&section=figures",
        "",
    )
    .await;
    assert!(
        figures.body.contains("按时处置率,100.00%"),
        "{}",
        figures.body
    );
    // Nothing left to withdraw.
    let w = send(
        &state,
        ANALYST,
        "POST",
        &format!("/number-disposals/{id}/withdraw"),
        "version=2&note=x",
    )
    .await;
    assert_eq!(w.status, StatusCode::CONFLICT);
}

async fn others_see_only_what_is_theirs(db: &Db) {
    let state = world(db).await;
    let id = ask(&state).await;
    let cixi = As(Role::CenterAnalyst, OTHER_COUNTY, None);
    let page = send(&state, cixi, "GET", &format!("/number-disposals/{id}"), "").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let list = send(&state, cixi, "GET", "/number-disposals", "").await;
    assert_eq!(figure(&list.body, "requested"), "0");
    let w = send(
        &state,
        cixi,
        "POST",
        &format!("/number-disposals/{id}/withdraw"),
        "version=1&note=x",
    )
    .await;
    assert_eq!(w.status, StatusCode::NOT_FOUND);
    // A unit outside one's area cannot be the requesting unit.
    let r = send(
        &state,
        cixi,
        "POST",
        "/number-disposals",
        &format!("number=13900005678&measure=shutdown&reason=x&unit={TOWNSHIP}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A leader: the figures, never the list, its export or a request.
    let leader = As(Role::Leader, COUNTY, None);
    let list = send(&state, leader, "GET", "/number-disposals", "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(figure(&list.body, "requested"), "1");
    assert!(!list.body.contains(&format!("data-request=\"{id}\"")));
    let csv = send(
        &state,
        leader,
        "GET",
        "/number-disposals?format=csv&section=requests",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::BAD_REQUEST);
    let figures = send(
        &state,
        leader,
        "GET",
        "/number-disposals?format=csv&section=figures",
        "",
    )
    .await;
    assert_eq!(figures.status, StatusCode::OK);
    let page = send(
        &state,
        leader,
        "GET",
        &format!("/number-disposals/{id}"),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Bank liaisons have nothing here.
    let bank = As(Role::BankLiaison, "3302", None);
    let list = send(&state, bank, "GET", "/number-disposals", "").await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);

    // Police withdraw their own pending request, saying why.
    let w = send(
        &state,
        ANALYST,
        "POST",
        &format!("/number-disposals/{id}/withdraw"),
        "version=1&note=%E8%AF%AF%E6%8A%A5",
    )
    .await;
    assert_eq!(w.status, StatusCode::SEE_OTHER, "{}", w.body);
    let list = send(
        &state,
        ANALYST,
        "GET",
        "/number-disposals?state=withdrawn",
        "",
    )
    .await;
    assert!(list.body.contains(&format!("data-request=\"{id}\"")));
    assert_eq!(figure(&list.body, "withdrawn"), "1");
}
