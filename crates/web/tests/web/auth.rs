//! Login, sessions, CSRF, throttling and secure headers over a real SQLite store.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use fanzha_store::{NewUnit, NewUser, Role, Store, UnitLevel};
use fanzha_web::auth::password::hash_password;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use tower::ServiceExt;

const PASSWORD: &str = "yuyao-commander-2026";

async fn app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = Store::open(&url).await.unwrap();
    let unit = |code: &str, name: &str, level, parent: Option<&str>| NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(code.into()),
        population: None,
    };
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", UnitLevel::City, None),
            unit("330281", "余姚市", UnitLevel::County, Some("3302")),
        ])
        .await
        .unwrap();
    store
        .users()
        .upsert(&NewUser {
            login: "yy_commander".into(),
            display_name: "王指挥".into(),
            unit_code: "330281".into(),
            roles: vec![Role::UnitCommander],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: Some(hash_password(PASSWORD).unwrap()),
        })
        .await
        .unwrap();
    (router(AppState::new(store).await.unwrap()), dir)
}

fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080")
}

async fn send(app: &Router, mut req: Request<Body>) -> axum::response::Response {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    app.clone().oneshot(req).await.unwrap()
}

fn login_request(password: &str) -> Request<Body> {
    request("POST", "/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login=yy_commander&password={password}&next=%2Fapi%2Fv1%2Fme"
        )))
        .unwrap()
}

async fn body_json(resp: axum::response::Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn session_cookie(resp: &axum::response::Response) -> String {
    let set = resp
        .headers()
        .get(header::SET_COOKIE)
        .expect("session cookie")
        .to_str()
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn pages_redirect_to_login_and_the_api_answers_401() {
    let (app, _d) = app().await;
    let page = send(
        &app,
        request("GET", "/dashboard")
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[header::LOCATION], "/login?next=/dashboard");
    let api = send(
        &app,
        request("GET", "/api/v1/me").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(api).await["code"], "unauthenticated");
}

#[tokio::test]
async fn a_login_opens_a_session_scoped_to_the_users_unit() {
    let (app, _d) = app().await;
    let resp = send(&app, login_request(PASSWORD)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[header::LOCATION], "/api/v1/me");
    let cookie = session_cookie(&resp);
    let me = send(
        &app,
        request("GET", "/api/v1/me")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(me.status(), StatusCode::OK);
    let me = body_json(me).await;
    assert_eq!(me["unit_code"], "330281");
    assert_eq!(me["roles"], serde_json::json!(["unit_commander"]));
    let perms = me["permissions"].as_array().unwrap();
    assert!(
        perms.contains(&"handle_instructions".into()) && !perms.contains(&"manage_users".into())
    );
    let home = send(
        &app,
        request("GET", "/dashboard")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let html = String::from_utf8(
        axum::body::to_bytes(home.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains("余姚市") && html.contains("王指挥"), "{html}");
}

#[tokio::test]
async fn writes_need_the_sessions_csrf_token() {
    let (app, _d) = app().await;
    let cookie = session_cookie(&send(&app, login_request(PASSWORD)).await);
    let home = send(
        &app,
        request("GET", "/dashboard")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let html = String::from_utf8(
        axum::body::to_bytes(home.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let marker = "\"X-CSRF-Token\": \"";
    let start = html.find(marker).expect("page carries the token") + marker.len();
    let token = &html[start..start + 64];
    let me = || {
        request("GET", "/api/v1/me")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };

    for bad in [None, Some("0".repeat(64))] {
        let mut req = request("POST", "/logout").header(header::COOKIE, &cookie);
        if let Some(t) = &bad {
            req = req.header("x-csrf-token", t);
        }
        let denied = send(&app, req.body(Body::empty()).unwrap()).await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        assert_eq!(body_json(denied).await["code"], "csrf_rejected");
        assert_eq!(
            send(&app, me()).await.status(),
            StatusCode::OK,
            "a refused write changes nothing"
        );
    }
    let ok = request("POST", "/logout")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", token);
    assert_eq!(
        send(&app, ok.body(Body::empty()).unwrap()).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&app, me()).await.status(),
        StatusCode::UNAUTHORIZED,
        "the session ended"
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_login_even_for_the_right_one() {
    let (app, _d) = app().await;
    for _ in 0..5 {
        let r = send(&app, login_request("wrong-password-000")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = send(&app, login_request(PASSWORD)).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_write_from_another_origin_is_refused() {
    let (app, _d) = app().await;
    let mut req = login_request(PASSWORD);
    req.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    let resp = send(&app, req).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(body_json(resp).await["code"], "csrf_rejected");
}

#[tokio::test]
async fn responses_carry_secure_headers_and_assets_are_embedded() {
    let (app, _d) = app().await;
    let resp = send(
        &app,
        request("GET", "/assets/vendor/echarts.min.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert!(h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let missing = send(
        &app,
        request("GET", "/assets/nope.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
