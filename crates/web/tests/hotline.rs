//! A deployment whose anti-fraud hotline is not the national 96110 (a province's own 96086):
//! the seat group's pages, the talking points a seat reads, the note a call leaves on the
//! instruction, the work brief and the SMS to a person at risk and to a guardian all name the
//! configured line and never 96110. A test binary of its own because the hotline is set once
//! per process (`fanzha_core::hotline`); the other web tests run with the national line.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use fanzha_core::hotline::{self, Hotline};
use fanzha_store::testing::TestDb;
use fanzha_store::{NewPerson, NewUnit, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::state::Clock;
use fanzha_web::{router, AppState};
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

const T0: i64 = 1_800_000_000_000;
const RESIDENT: &str = "330281199001011234";

struct At(i64);

impl Clock for At {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

async fn send(
    state: &AppState,
    (cookie, csrf): &(String, String),
    method: &str,
    uri: &str,
    json: Option<&str>,
) -> (StatusCode, String) {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header("hx-request", "true");
    if json.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let mut req = b
        .body(json.map_or_else(Body::empty, |j| Body::from(j.to_string())))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn a_provincial_hotline_is_named_everywhere_instead_of_96110() {
    hotline::configure(Hotline::parse("96086").unwrap()).unwrap();
    assert!(
        hotline::configure(Hotline::parse("96110").unwrap()).is_err(),
        "set once per process"
    );

    let db = TestDb::sqlite();
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit("330281", "余姚市", County, Some("3302")),
            unit("330281001", "阳明街道", Township, Some("330281")),
            unit("330281001001", "舜水社区", Village, Some("330281001")),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: RESIDENT.into(),
            name: "张三丰".into(),
            phone: Some("13900001234".into()),
            residence_code: "330281001001".into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        }])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(At(T0));
    // A red warning of an unnamed type: a call task for the seats, whose built-in talking
    // points send the person to the hotline.
    let r = state
        .loop_service
        .receive(
            IncomingWarning {
                id: None,
                resident_id: Some(RESIDENT.into()),
                msisdn: None,
                residence_code: None,
                level: WarningLevel::Red,
                fraud_type: None,
                score_permille: 950,
                source: "engine".into(),
                signal_at: T0,
                evidence: serde_json::json!({}),
            },
            T0,
        )
        .await
        .unwrap();
    let (token, session) = state.sessions.create(
        Principal {
            login: "seat01".into(),
            display_name: "seat01".into(),
            unit_code: "3302".into(),
            roles: vec![Role::CenterAnalyst],
            joint_member: None,
            bank_code: None,
            operator: None,
        },
        T0,
    );
    let seat = (format!("{COOKIE}={token}"), session.csrf_token);

    // The seat group's page and its navigation.
    let (status, page) = send(&state, &seat, "GET", "/calls", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("96086外呼"), "the page names the line");
    assert!(!page.contains("96110"), "nothing on the page names 96110");

    // The talking points of the claimed call, and the note its result leaves.
    let (status, claim) = send(
        &state,
        &seat,
        "POST",
        "/api/v1/call-tasks/claim",
        Some("{}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{claim}");
    let task: serde_json::Value = serde_json::from_str(&claim).unwrap();
    let points = task["task"]["talking_points"].to_string();
    assert!(
        points.contains("拨打96086") && !points.contains("96110"),
        "{points}"
    );
    let id = task["task"]["id"].as_i64().unwrap();
    let (status, done) = send(
        &state,
        &seat,
        "POST",
        &format!("/api/v1/call-tasks/{id}/result"),
        Some(r#"{"result":"dissuaded"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let view = state
        .loop_service
        .view(&Scope::platform(), &r.instruction_id)
        .await
        .unwrap();
    let notes: Vec<String> = view.events.iter().filter_map(|e| e.note.clone()).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("96086外呼 139****1234")),
        "{notes:?}"
    );

    // The work brief's sentence on the calls made.
    let (status, brief) = send(
        &state,
        &seat,
        "GET",
        "/statistics?period=7d&view=brief",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{brief}");
    assert!(brief.contains("96086预警专线外呼1次"), "{brief}");

    // The SMS to the person at risk and to a guardian.
    let person = fanzha_workflow::notify::guardians::warning_to_person_text(None, "舜水社区");
    let guardian =
        fanzha_workflow::notify::guardians::guardian_alert_text("张三丰", "子女", None, "舜水社区");
    for text in [person, guardian] {
        assert!(
            text.contains("请拨打96086") && !text.contains("96110"),
            "{text}"
        );
    }
}
