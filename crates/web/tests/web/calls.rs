//! 96110外呼 over HTTP, identically on SQLite and PostgreSQL: the dialer's JSON API (queue
//! masked, claim with the full number audited, results appended to the instruction, retries)
//! and the seat's pages (the number only for the operator holding the call, one-tap results,
//! Chinese first with English).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use fanzha_store::{NewPerson, PageRequest, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::state::Clock;
use fanzha_web::{router, AppState};
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

const MIN: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;
const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const RESIDENT: &str = "330281199001011234";
const PHONE: &str = "13900001234";
const MASKED: &str = "139****1234";

use crate::support::unit;
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_center_rewrites_the_talking_points_the_seats_read,
    a_dialer_claims_calls_and_records_results_over_the_api,
    the_seat_page_shows_the_number_only_to_the_operator_holding_the_call,
}

struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct World {
    state: AppState,
    clock: Arc<TestClock>,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl World {
    /// The tree, 张三 in the village, and a red warning about him (an impersonating-police
    /// call): one call task queued.
    async fn new(db: &Db) -> (World, String) {
        let store = db.open().await;
        use UnitLevel::*;
        store
            .units()
            .upsert(&[
                unit(CITY, "宁波市", City, None),
                unit(COUNTY, "余姚市", County, Some(CITY)),
                unit("330281001", "阳明街道", Township, Some(COUNTY)),
                unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            ])
            .await
            .unwrap();
        store
            .people()
            .upsert(&[NewPerson {
                resident_id: RESIDENT.into(),
                name: "张三丰".into(),
                phone: Some(PHONE.into()),
                residence_code: VILLAGE.into(),
                address: None,
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(T0)));
        let mut state = AppState::new(store).await.unwrap();
        state.clock = clock.clone();
        let r = state
            .loop_service
            .receive(
                IncomingWarning {
                    id: None,
                    resident_id: Some(RESIDENT.into()),
                    msisdn: None,
                    residence_code: None,
                    level: WarningLevel::Red,
                    fraud_type: Some("impersonate_police".into()),
                    score_permille: 950,
                    source: "engine".into(),
                    signal_at: T0,
                    evidence: serde_json::json!({}),
                },
                T0,
            )
            .await
            .unwrap();
        (World { state, clock }, r.instruction_id)
    }

    fn advance(&self, ms: i64) {
        self.clock.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// A session for `login` with `role` at the center: (cookie, CSRF token).
    fn session(&self, login: &str, role: Role) -> (String, String) {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: login.into(),
                display_name: login.into(),
                unit_code: CITY.into(),
                roles: vec![role],
                joint_member: None,
                bank_code: None,
                operator: None,
            },
            self.clock.now_ms(),
        );
        (format!("{COOKIE}={token}"), session.csrf_token)
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        who: &(String, String),
        body: Option<(&str, String)>,
        extra_cookie: Option<&str>,
    ) -> Answer {
        let cookie = match extra_cookie {
            Some(c) => format!("{}; {c}", who.0),
            None => who.0.clone(),
        };
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", &who.1)
            .header("hx-request", "true");
        let body = match body {
            Some((content_type, text)) => {
                b = b.header(header::CONTENT_TYPE, content_type);
                Body::from(text)
            }
            None => Body::empty(),
        };
        let mut req = b.body(body).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn json(&self, uri: &str, who: &(String, String), json: &str) -> Answer {
        self.send(
            "POST",
            uri,
            who,
            Some(("application/json", json.to_string())),
            None,
        )
        .await
    }

    async fn audit_of_calls(&self) -> Vec<(String, String)> {
        self.state
            .store
            .audit()
            .list(&Scope::platform(), &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.target_type == "call_task")
            .map(|e| {
                (
                    e.actor,
                    e.detail["via"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    async fn instruction_events(&self, id: &str) -> Vec<String> {
        self.state
            .loop_service
            .view(&Scope::platform(), id)
            .await
            .unwrap()
            .events
            .iter()
            .map(|e| e.action.name().to_string())
            .collect()
    }
}

/// 劝阻话术: the center rewrites the sentences of a fraud type on `/scripts`; the next claim
/// reads them; a stale form is refused; reset returns to the built-in ones.
async fn the_center_rewrites_the_talking_points_the_seats_read(db: &Db) {
    let (w, _) = World::new(db).await;
    let analyst = w.session("dialer01", Role::CenterAnalyst);
    let form = "application/x-www-form-urlencoded";
    let page = w.send("GET", "/scripts", &analyst, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("公安机关不会电话办案"), "built-in shown");
    // 冒充公检法 in its own words: two sentences, English left to the built-in one.
    let own = "zh=%E8%AD%A6%E5%AF%9F%E4%B8%8D%E4%BC%9A%E8%A6%81%E6%B1%82%E8%BD%AC%E8%B4%A6%E3%80%82%0A%E8%AF%B7%E7%AB%8B%E5%8D%B3%E6%8C%82%E6%96%AD%E3%80%82&en=&version=0";
    let saved = w
        .send(
            "POST",
            "/scripts/impersonating_police",
            &analyst,
            Some((form, own.into())),
            None,
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.body);
    let again = w
        .send(
            "POST",
            "/scripts/impersonating_police",
            &analyst,
            Some((form, own.into())),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a stale form");
    let claim = w.json("/api/v1/call-tasks/claim", &analyst, "{}").await;
    let points = claim.json()["task"]["talking_points"].clone();
    assert_eq!(
        points,
        serde_json::json!(["警察不会要求转账。", "请立即挂断。"]),
        "{}",
        claim.body
    );
    // A grid worker may not edit them.
    let grid = w.session("grid01", Role::GridWorker);
    let refused = w
        .send(
            "POST",
            "/scripts/impersonating_police",
            &grid,
            Some((form, own.into())),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let reset = w
        .send(
            "POST",
            "/scripts/impersonating_police/reset",
            &analyst,
            Some((form, "version=1".into())),
            None,
        )
        .await;
    assert!(reset.status.is_success(), "{}", reset.body);
    let page = w.send("GET", "/scripts", &analyst, None, None).await;
    assert!(!page.body.contains("警察不会要求转账"));
}

async fn a_dialer_claims_calls_and_records_results_over_the_api(db: &Db) {
    let (w, instruction_id) = World::new(db).await;
    let dialer = w.session("dialer01", Role::CenterAnalyst);

    let list = w
        .send("GET", "/api/v1/call-tasks", &dialer, None, None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let v = list.json();
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["msisdn"], MASKED, "lists are masked");
    assert_eq!(v["items"][0]["state"], "queued");
    assert_eq!(v["items"][0]["level"], 1);
    assert_eq!(v["counts"]["queued"], 1);
    assert!(!list.body.contains(PHONE) && !list.body.contains(RESIDENT));

    let claim = w.json("/api/v1/call-tasks/claim", &dialer, "{}").await;
    assert_eq!(claim.status, StatusCode::OK, "{}", claim.body);
    let task = claim.json()["task"].clone();
    assert_eq!(task["msisdn"], PHONE, "the holder gets the number to dial");
    assert_eq!(task["state"], "claimed");
    assert_eq!(task["claimed_by"], "dialer01");
    assert!(task["talking_points"][0]
        .as_str()
        .unwrap()
        .contains("公安机关不会电话办案"));
    assert_eq!(
        w.audit_of_calls().await,
        vec![("dialer01".to_string(), "api_claim".to_string())],
        "the unmasked number is an audited view"
    );
    let id = task["id"].as_i64().unwrap();
    let version = task["version"].as_i64().unwrap();
    let none = w.json("/api/v1/call-tasks/claim", &dialer, "{}").await;
    assert_eq!(none.json(), serde_json::json!({"task": null}));

    // Another seat cannot record on a call it does not hold.
    let other = w.session("dialer02", Role::CenterAnalyst);
    let e = w
        .json(
            &format!("/api/v1/call-tasks/{id}/result"),
            &other,
            r#"{"result":"dissuaded"}"#,
        )
        .await;
    assert_eq!(e.status, StatusCode::CONFLICT, "{}", e.body);
    assert_eq!(e.json()["code"], "conflict");
    let bad = w
        .json(
            &format!("/api/v1/call-tasks/{id}/result"),
            &dialer,
            r#"{"result":"busy"}"#,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.json()["code"], "request_invalid");

    let rec = w
        .json(
            &format!("/api/v1/call-tasks/{id}/result"),
            &dialer,
            &format!(r#"{{"result":"no_answer","version":{version},"note":"响铃未接"}}"#),
        )
        .await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    let v = rec.json();
    assert_eq!(v["task"]["state"], "queued", "called again later");
    assert_eq!(v["task"]["attempts"], 1);
    assert_eq!(v["task"]["msisdn"], MASKED);
    assert_eq!(v["instruction"]["id"], instruction_id.as_str());
    assert_eq!(v["instruction"]["status"], "contacting");
    assert_eq!(
        w.instruction_events(&instruction_id).await,
        vec!["issued", "signed", "contact_started", "attempt_failed"]
    );
    // The same version again is stale.
    let stale = w
        .json(
            &format!("/api/v1/call-tasks/{id}/result"),
            &dialer,
            &format!(r#"{{"result":"no_answer","version":{version}}}"#),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    w.advance(10 * MIN);
    let again = w.json("/api/v1/call-tasks/claim", &dialer, "{}").await;
    assert_eq!(
        again.json()["task"]["id"],
        id,
        "due again after the retry wait"
    );
    let rel = w
        .send(
            "POST",
            &format!("/api/v1/call-tasks/{id}/release"),
            &dialer,
            None,
            None,
        )
        .await;
    assert_eq!(rel.status, StatusCode::OK, "{}", rel.body);
    assert_eq!(rel.json()["state"], "queued");
    w.json("/api/v1/call-tasks/claim", &dialer, "{}").await;
    let done = w
        .json(
            &format!("/api/v1/call-tasks/{id}/result"),
            &dialer,
            r#"{"result":"dissuaded"}"#,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let v = done.json();
    assert_eq!(v["task"]["state"], "done");
    assert_eq!(v["task"]["result"], "dissuaded");
    assert_eq!(v["instruction"]["status"], "dissuaded");

    let mine = w
        .send("GET", "/api/v1/call-tasks?state=done", &dialer, None, None)
        .await
        .json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let bad = w
        .send(
            "GET",
            "/api/v1/call-tasks?state=ringing",
            &dialer,
            None,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // 外呼统计: the two calls recorded (the stale one is not a call), per seat, exported; the
    // statistics of the period count them too.
    let page = w.send("GET", "/calls/figures", &dialer, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (figure, value) in [
        ("calls", "2"),
        ("connected", "1"),
        ("connect_rate", "50.00%"),
        ("dissuaded", "1"),
        ("people", "1"),
    ] {
        assert!(
            page.body
                .contains(&format!("data-figure=\"{figure}\">{value}<")),
            "{figure} = {value}"
        );
    }
    assert!(page.body.contains("data-seat=\"dialer01\""));
    let seats = w
        .send(
            "GET",
            "/calls/figures?period=7d&format=csv&section=seats",
            &dialer,
            None,
            None,
        )
        .await;
    assert_eq!(seats.status, StatusCode::OK);
    assert!(
        seats.body.contains("dialer01,2,1,50.00%,1"),
        "{}",
        seats.body
    );
    let bad = w
        .send("GET", "/calls/figures?period=year", &dialer, None, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let stats = w.send("GET", "/statistics", &dialer, None, None).await;
    assert!(
        stats.body.contains("data-stat=\"calls-made\">2<"),
        "the statistics count the calls"
    );

    let doc = w
        .send("GET", "/api/openapi.json", &dialer, None, None)
        .await
        .json();
    for path in [
        "/api/v1/call-tasks",
        "/api/v1/call-tasks/claim",
        "/api/v1/call-tasks/{id}/result",
        "/api/v1/call-tasks/{id}/release",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

async fn the_seat_page_shows_the_number_only_to_the_operator_holding_the_call(db: &Db) {
    let (w, instruction_id) = World::new(db).await;
    let seat = w.session("seat01", Role::CenterAnalyst);

    let page = w.send("GET", "/calls", &seat, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("96110外呼") && page.body.contains("领取下一个"));
    assert!(page.body.contains(MASKED) && !page.body.contains(PHONE));
    assert!(page.body.contains(r#"href="/calls""#), "in the navigation");
    assert!(page
        .body
        .contains(&format!(r#"href="/instructions/{instruction_id}""#)));

    let claim = w.send("POST", "/calls/claim", &seat, None, None).await;
    assert_eq!(claim.status, StatusCode::OK, "{}", claim.body);
    let to = claim.headers["hx-redirect"].to_str().unwrap().to_string();
    assert!(to.starts_with("/calls/"), "{to}");
    let id: i64 = to.trim_start_matches("/calls/").parse().unwrap();
    assert!(w.audit_of_calls().await.is_empty(), "nothing shown yet");

    let mine = w.send("GET", &to, &seat, None, None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains(&format!(r#"href="tel:{PHONE}""#)));
    assert!(mine.body.contains("张三丰"));
    assert!(mine.body.contains("公安机关不会电话办案"), "talking points");
    assert!(mine.body.contains(r#"data-result="dissuaded""#));
    assert_eq!(
        w.audit_of_calls().await,
        vec![("seat01".to_string(), "call_page".to_string())]
    );

    // Another seat sees the call, masked, and cannot act on it.
    let seat2 = w.session("seat02", Role::CenterAnalyst);
    let theirs = w.send("GET", &to, &seat2, None, None).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains(PHONE) && theirs.body.contains(MASKED));
    assert!(!theirs.body.contains("data-result=") && !theirs.body.contains("张三丰"));
    assert_eq!(
        w.audit_of_calls().await.len(),
        1,
        "a masked view is no reveal"
    );
    // Nothing else to claim.
    let none = w.send("POST", "/calls/claim", &seat2, None, None).await;
    assert!(
        none.body.contains(r#"data-claimed="none""#),
        "{}",
        none.body
    );

    let rec = w
        .send(
            "POST",
            &format!("/calls/{id}/result"),
            &seat,
            Some((
                "application/x-www-form-urlencoded",
                "result=insisted&version=2&note=%E5%9D%9A%E6%8C%81%E8%BD%AC%E8%B4%A6".into(),
            )),
            None,
        )
        .await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    assert_eq!(rec.headers["hx-redirect"], format!("/calls?recorded={id}"));
    let view = w
        .state
        .loop_service
        .view(&Scope::platform(), &instruction_id)
        .await
        .unwrap();
    let last = view.events.last().unwrap();
    assert_eq!(last.action.name(), "attempt_failed");
    let note = last.note.as_deref().unwrap();
    assert!(
        note.contains("不听劝阻") && note.contains("坚持转账") && note.contains(MASKED),
        "{note}"
    );
    let back = w
        .send(
            "GET",
            &format!("/calls?recorded={id}&tab=done"),
            &seat,
            None,
            None,
        )
        .await;
    assert!(back.body.contains("data-recorded") && back.body.contains("接通·不听劝阻"));

    // English on request.
    let en = w.send("GET", "/calls", &seat, None, Some("lang=en")).await;
    assert!(en.body.contains("96110 calls") && en.body.contains("Claim next"));

    // An administrator watches the queue but does not work it.
    let admin = w.session("admin", Role::Admin);
    let watch = w.send("GET", "/calls?tab=done", &admin, None, None).await;
    assert_eq!(watch.status, StatusCode::OK, "{}", watch.body);
    assert!(!watch.body.contains("claim-next") && watch.body.contains(MASKED));
    let refused = w.send("POST", "/calls/claim", &admin, None, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
