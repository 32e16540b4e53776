//! Scaffolding the test modules share.

use fanzha_store::{NewUnit, UnitLevel};
use fanzha_web::state::Clock;

/// A clock that stays where the test put it.
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// The store of `db` with one org unit: 余姚市 (330281), a county without a parent.
pub async fn store_with_county(db: &fanzha_store::testing::TestDb) -> fanzha_store::Store {
    let store = db.open().await;
    store
        .units()
        .upsert(&[unit("330281", "余姚市", UnitLevel::County, None)])
        .await
        .unwrap();
    store
}

/// An org unit whose division code is its own code padded to 12 digits.
pub fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

/// What the router answered.
pub struct Answer {
    pub status: axum::http::StatusCode,
    /// `Location`, or `HX-Redirect` for an htmx request; empty without either.
    pub location: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `method path` as a user of `role` at `unit` (login `<role>_<unit>`), logged in at `now`,
/// with `form` as a urlencoded body and the CSRF token on writes.
pub async fn send_as(
    state: &fanzha_web::AppState,
    role: fanzha_store::Role,
    unit: &str,
    now: i64,
    (method, path, form): (&str, &str, &str),
) -> Answer {
    let body = (
        "application/x-www-form-urlencoded",
        form.as_bytes().to_vec(),
    );
    send_body(state, role, unit, now, (method, path), body).await
}

/// A multipart form of text `fields` and one `file` (name, content), as a browser sends it:
/// its content type and body.
pub fn multipart(
    fields: &[(&str, &str)],
    (file_name, content): (&str, &[u8]),
) -> (String, Vec<u8>) {
    let boundary = "fanzha-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `method path` as a user of `role` at `unit` (login `<role>_<unit>`), logged in at `now`,
/// with `body` of its content type and the CSRF token on writes.
pub async fn send_body(
    state: &fanzha_web::AppState,
    role: fanzha_store::Role,
    unit: &str,
    now: i64,
    (method, path): (&str, &str),
    body: (impl AsRef<str>, Vec<u8>),
) -> Answer {
    send_full(state, role, unit, now, (method, path), body, &[]).await
}

/// [`send_body`] with `extra` request headers (`accept`, `hx-request`, `referer` …).
pub async fn send_full(
    state: &fanzha_web::AppState,
    role: fanzha_store::Role,
    unit: &str,
    now: i64,
    (method, path): (&str, &str),
    (content_type, body): (impl AsRef<str>, Vec<u8>),
    extra: &[(&str, &str)],
) -> Answer {
    use axum::http::header;
    let resp = respond(
        state,
        role,
        unit,
        now,
        (method, path),
        (content_type, body),
        extra,
    )
    .await;
    let location = resp
        .headers()
        .get(header::LOCATION)
        .or_else(|| resp.headers().get("hx-redirect"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        location,
        body,
    }
}

/// The router's response to `method path` as a user of `role` at `unit` (login
/// `<role>_<unit>`), its body not read yet (a stream such as `/events` stays open).
pub async fn respond(
    state: &fanzha_web::AppState,
    role: fanzha_store::Role,
    unit: &str,
    now: i64,
    (method, path): (&str, &str),
    (content_type, body): (impl AsRef<str>, Vec<u8>),
    extra: &[(&str, &str)],
) -> axum::response::Response {
    use axum::http::{header, Request};
    let (token, session) = state.sessions.create(
        fanzha_web::auth::principal::Principal {
            login: format!("{}_{unit}", role.as_str()),
            display_name: "测试".into(),
            unit_code: unit.into(),
            roles: vec![role],
            // A member liaison reports for the first member of its unit's joint office.
            joint_member: (role == fanzha_store::Role::JointMember).then_some(1),
            bank_code: (role == fanzha_store::Role::BankLiaison).then(|| "ICBC".into()),
            operator: (role == fanzha_store::Role::OperatorLiaison)
                .then_some(fanzha_store::Operator::ChinaMobile),
        },
        now,
    );
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(
            header::COOKIE,
            format!("{}={token}", fanzha_web::auth::session::COOKIE),
        );
    for (name, value) in extra {
        req = req.header(*name, *value);
    }
    if method != "GET" {
        req = req
            .header("x-csrf-token", &session.csrf_token)
            .header(header::CONTENT_TYPE, content_type.as_ref());
    }
    let mut req = req.body(axum::body::Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            50000,
        ))));
    tower::ServiceExt::oneshot(fanzha_web::router(state.clone()), req)
        .await
        .unwrap()
}

/// The answer's body, after checking it is a success or a redirect.
pub fn ok(a: &Answer) -> String {
    assert!(
        a.status.is_success() || a.status.is_redirection(),
        "{} {}",
        a.status,
        a.text()
    );
    a.text()
}

/// `s` encoded for a form body or a query.
pub fn urlencoded(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A valid GB 11643 number of county `county`, born 1990-01-01, with sequence `n` (0–999).
pub fn valid_id(county: &str, n: u32) -> String {
    let body = format!("{county}19900101{n:03}");
    let bytes: [u8; 17] = body.as_bytes().try_into().unwrap();
    let check = fanzha_core::resident_id::check_char(&bytes);
    format!("{body}{}", check as char)
}

/// `method path` without a session (a resident on the public pages), with `form` as a
/// urlencoded body.
pub async fn send_anonymous(
    state: &fanzha_web::AppState,
    (method, path, form): (&str, &str, &str),
) -> Answer {
    use axum::http::{header, Request};
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080");
    if method != "GET" {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let mut req = req.body(axum::body::Body::from(form.to_string())).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            50000,
        ))));
    let resp = tower::ServiceExt::oneshot(fanzha_web::router(state.clone()), req)
        .await
        .unwrap();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        location,
        body,
    }
}
