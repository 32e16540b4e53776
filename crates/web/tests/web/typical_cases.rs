//! 典型案例, on SQLite and PostgreSQL: a county analyst marks a case as typical from the case
//! page (the summary suggested without the victim's name or numbers); a grid worker of the
//! county reads it on /typical-cases, prints the bulletin and exports it, while another
//! county's grid worker does not see it; texts naming the victim and stale forms are refused;
//! a leader reads but cannot mark; unmarking takes it off every list.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{NewCase, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    an_analyst_marks_a_case_and_the_county_reads_it,
    identifying_texts_stale_forms_and_other_roles_are_refused,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";
const CASE: &str = "AJ2026030009";

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
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    let reported = t0() - 24 * 3_600_000;
    assert!(store
        .cases()
        .create(&NewCase {
            id: CASE.into(),
            victim_name: Some("王小明".into()),
            victim_phone: Some("13800001234".into()),
            unit_code: TOWNSHIP.into(),
            reported_at: reported,
            loss_fen: 3_800_000,
            narrative: "王小明接到13800001234来电，对方自称电商客服称订单异常，诱导其共享屏幕后转账38000元。"
                .into(),
            fraud_type: Some("fake_customer_service".into()),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "setup".into(),
            created_at: reported,
            ..NewCase::default()
        })
        .await
        .unwrap());
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    body: String,
}

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
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn mark_form(summary: &str, version: i64) -> String {
    format!(
        "title={}&summary={}&advice={}&version={version}",
        enc("冒充电商客服“退款”诈骗"),
        enc(summary),
        enc("官方客服不会要求共享屏幕")
    )
}

const SUMMARY: &str = "王某接到自称电商客服的电话，称订单异常需退款，被诱导共享屏幕后转账3.8万元。";

async fn an_analyst_marks_a_case_and_the_county_reads_it(db: &Db) {
    let state = world(db).await;
    // The case page offers the form with a summary that names nobody.
    let page = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        &format!("/cases/{CASE}"),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"id="typical" data-typical="no""#));
    assert!(page.body.contains("王某接到***来电"), "{}", page.body);
    let done = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &format!("/cases/{CASE}/typical"),
        &mark_form(SUMMARY, 0),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        &format!("/cases/{CASE}"),
        "",
    )
    .await;
    assert!(page.body.contains(r#"data-typical="yes""#));
    assert!(page.body.contains(SUMMARY));

    // A grid worker of a village below the publishing county reads it.
    let list = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases",
        "",
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&format!(r#"data-case-id="{CASE}""#)));
    assert!(list.body.contains(SUMMARY));
    assert!(!list.body.contains("王小明") && !list.body.contains("13800001234"));
    assert!(
        !list.body.contains(&format!(r#"href="/cases/{CASE}""#)),
        "grid workers do not open cases"
    );
    let print = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases?view=print",
        "",
    )
    .await;
    assert!(print.body.contains("电信网络诈骗典型案例通报"));
    assert!(print.body.contains("1. 冒充电商客服“退款”诈骗"));
    let csv = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases?format=csv&fraud_type=fake_customer_service",
        "",
    )
    .await;
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    let other_type = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases?fraud_type=order_brushing",
        "",
    )
    .await;
    assert!(!other_type.body.contains(CASE));
    // Another county's grid worker: not published there.
    let other = send(
        &state,
        Role::GridWorker,
        OTHER_VILLAGE,
        "GET",
        "/typical-cases",
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.body.contains(CASE));

    // Unmarked: gone from the list.
    let entry = state
        .store
        .typical_cases()
        .of_case(&Scope::platform(), CASE)
        .await
        .unwrap()
        .unwrap();
    let gone = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &format!("/cases/{CASE}/typical/remove"),
        &format!("version={}", entry.version),
    )
    .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let list = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases",
        "",
    )
    .await;
    assert!(!list.body.contains(CASE));
}

async fn identifying_texts_stale_forms_and_other_roles_are_refused(db: &Db) {
    let state = world(db).await;
    let post = |summary: &str, version: i64| {
        let state = state.clone();
        let form = mark_form(summary, version);
        async move {
            send(
                &state,
                Role::CenterAnalyst,
                COUNTY,
                "POST",
                &format!("/cases/{CASE}/typical"),
                &form,
            )
            .await
        }
    };
    for text in [
        "王小明接到电话后转账",
        "对方以138 0000 1234联系受害人",
        "向6222020123456789015转账",
    ] {
        let a = post(text, 0).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{text}: {}", a.body);
    }
    assert_eq!(post(SUMMARY, 0).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(SUMMARY, 0).await.status, StatusCode::CONFLICT);
    assert_eq!(post(SUMMARY, 5).await.status, StatusCode::CONFLICT);
    // A leader reads the list but may not mark; another county's analyst finds no case.
    let leader = send(&state, Role::Leader, CITY, "GET", "/typical-cases", "").await;
    assert!(leader.body.contains(CASE));
    let refused = send(
        &state,
        Role::Leader,
        CITY,
        "POST",
        &format!("/cases/{CASE}/typical"),
        &mark_form(SUMMARY, 1),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let outside = send(
        &state,
        Role::CenterAnalyst,
        OTHER_COUNTY,
        "POST",
        &format!("/cases/{CASE}/typical"),
        &mark_form(SUMMARY, 1),
    )
    .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let entry = state
        .store
        .typical_cases()
        .of_case(&Scope::platform(), CASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.version, 1);
    assert_eq!(entry.publisher_unit, COUNTY);
    let bad_period = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "GET",
        "/typical-cases?from=2026-03-10&until=2026-03-01",
        "",
    )
    .await;
    assert_eq!(bad_period.status, StatusCode::BAD_REQUEST);
}
