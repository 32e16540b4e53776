//! 预警推送, on SQLite and PostgreSQL: the center's analyst uploads the national platform's daily
//! list — a registered person's two pushes (by phone, then by ID: one new instruction, one
//! merged), a bad push id and a row naming nobody (quarantined with line, column and reason);
//! the page shows the counts and masks the person. The same list again changes nothing (already
//! known). The county records the outcome and the feedback export carries each push id with its
//! outcome, handling unit and times, without personal data. Commanders and leaders are refused;
//! the analyst finds the page in the navigation and on the warnings list, a commander does not.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    FeedbackFilter, NewPerson, NewWarning, PushPlatform, Role, Scope, UnitLevel, WarningFilter,
    WarningPush,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use fanzha_workflow::{Actor, Command, ContactChannel, Outcome};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_pushed_list_is_received_once_and_its_feedback_goes_back_up,
    only_the_centers_analysts_import_pushes,
    a_half_received_push_is_completed_when_imported_again,
    an_import_that_fails_partway_is_finished_with_its_quarantine,
    a_feedback_period_too_large_or_off_the_calendar_is_refused,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const PHONE: &str = "13900139000";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn person_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1958, 7, 9).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, 3, fanzha_core::Sex::Female)
        .unwrap()
        .as_str()
        .to_string()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit("330282", "慈溪市", County, Some(CITY)),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: person_id(),
            name: "王秀英".into(),
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
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

/// `method path` as `role` at `unit`; `file` is sent as the multipart upload of a write.
async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    file: Option<&str>,
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
    let boundary = "fanzha-push-boundary";
    let body = match file {
        None => String::new(),
        Some(file) => {
            req = req
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("x-csrf-token", &session.csrf_token);
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"platform\"\r\n\r\nnational\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gj0310.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
            )
        }
    };
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The person twice (by phone, then by ID number), a bad push id, a row naming nobody.
fn push_list() -> String {
    format!(
        "推送编号,推送时间,手机号码,身份证号,姓名,诈骗类型,预警级别,涉诈号码,备注\n\
         GJ0310-001,2026-03-10 08:15,{PHONE},,王秀英,冒充公检法,红色,+85251234567,通话12分钟\n\
         GJ0310-002,2026-03-10 09:40,,{},王秀英,,红色,,再次来电\n\
         GJ 0310 003,2026-03-10 09:50,13800138000,,李四,,,,\n\
         GJ0310-004,2026-03-10 09:55,,,赵六,,,,\n",
        person_id()
    )
}

/// The number in `<b data-NAME>N</b>` of the import result.
fn count(page: &str, name: &str) -> i64 {
    let tag = format!("<b data-{name}>");
    let at = page
        .find(&tag)
        .unwrap_or_else(|| panic!("no {name} in {page}"));
    let rest = &page[at + tag.len()..];
    rest[..rest.find('<').unwrap()].parse().unwrap()
}

async fn pushed_warnings(state: &AppState) -> i64 {
    state
        .store
        .warnings()
        .count(
            &Scope::platform(),
            &WarningFilter {
                source: Some("national_push".into()),
                ..WarningFilter::default()
            },
        )
        .await
        .unwrap()
}

async fn a_pushed_list_is_received_once_and_its_feedback_goes_back_up(db: &Db) {
    let state = world(db).await;
    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert_eq!(count(b, "read"), 4);
    assert_eq!(count(b, "accepted"), 2);
    assert_eq!(count(b, "new"), 1);
    assert_eq!(count(b, "merged"), 1);
    assert_eq!(count(b, "known"), 0);
    assert_eq!(count(b, "quarantined"), 2);
    assert!(b.contains("<tr data-line=\"4\"><td>4</td><td data-column=\"push_id\">推送编号</td><td data-reason=\"bad_push_id\" title=\"bad_push_id\">推送编号格式不对</td>"), "{b}");
    assert!(b.contains("<tr data-line=\"5\"><td>5</td><td data-column=\"phone\">手机号</td><td data-reason=\"no_person\" title=\"no_person\">既无手机号也无身份证号</td>"), "{b}");
    assert!(b.contains("data-result=\"new\""), "{b}");
    assert!(b.contains("data-result=\"merged\""), "{b}");
    // Masked: neither the phone number nor the ID number appears on the page.
    assert!(!b.contains(PHONE), "phone in full on the page");
    assert!(!b.contains(&person_id()), "ID number in full on the page");
    assert_eq!(pushed_warnings(&state).await, 2);

    // Each push kept its identity, and both went to the person's one instruction.
    let pushes = state.store.warning_pushes();
    let first = pushes
        .find(PushPlatform::National, "GJ0310-001")
        .await
        .unwrap()
        .expect("first push stored");
    let w1 = state
        .store
        .warnings()
        .get(&Scope::platform(), &first)
        .await
        .unwrap();
    let w2 = state
        .store
        .warnings()
        .get(&Scope::platform(), "TS-national-GJ0310-002")
        .await
        .unwrap();
    assert_eq!(w1.resident_id.as_deref(), Some(person_id().as_str()));
    assert_eq!(
        w1.signal_at,
        t0() - (2 * 60 + 15) * 60_000,
        "08:15 Shanghai"
    );
    assert_eq!(w1.fraud_type.as_deref(), Some("impersonating_police"));
    let instruction = w1.instruction_id.clone().expect("instruction");
    assert_eq!(w2.instruction_id.as_deref(), Some(instruction.as_str()));
    // The quarantine of the run holds the bad rows.
    let imports = pushes
        .imports(&state.scope_of(CITY).await.unwrap(), None, 10)
        .await
        .unwrap();
    assert_eq!(imports.len(), 1);
    let q = state
        .store
        .imports()
        .quarantine(imports[0].import_run, &fanzha_store::PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(q.items.len(), 2);
    assert_eq!(q.items[0].row.reason, "bad_push_id");

    // The same list again: nothing new.
    let again = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(count(&again.body, "known"), 2);
    assert_eq!(count(&again.body, "new"), 0);
    assert_eq!(count(&again.body, "merged"), 0);
    assert_eq!(pushed_warnings(&state).await, 2);
    let listed = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes",
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body.matches("<tr data-import-run=").count(), 2);

    // The county dissuades her by phone; the feedback reports it per push id.
    let county = Actor {
        login: "yy_officer".into(),
        unit_code: COUNTY.into(),
        scope: state.scope_of(COUNTY).await.unwrap(),
    };
    state
        .loop_service
        .act(
            &county,
            &instruction,
            None,
            &[
                Command::Sign,
                Command::StartContact {
                    channel: ContactChannel::Phone,
                },
                Command::RecordOutcome {
                    outcome: Outcome::Dissuaded {
                        channel: ContactChannel::Phone,
                    },
                    saved_fen: 0,
                },
            ],
            None,
            t0() + 600_000,
        )
        .await
        .unwrap();
    let csv = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes/feedback?platform=national&from=2026-03-10&to=2026-03-10&format=csv",
        None,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(
        lines[0].starts_with("推送平台,推送编号,推送时间"),
        "{}",
        lines[0]
    );
    for (line, id) in lines[1..].iter().zip(["GJ0310-001", "GJ0310-002"]) {
        assert!(line.contains(id), "{line}");
        assert!(line.contains("dissuaded_phone"), "{line}");
        assert!(line.contains("电话劝阻"), "{line}");
        assert!(line.contains(&instruction), "{line}");
        assert!(line.contains(COUNTY), "{line}");
        assert!(
            line.contains("2026-03-10 08:15") || line.contains("2026-03-10 09:40"),
            "{line}"
        );
    }
    assert!(!csv.body.contains(PHONE) && !csv.body.contains(&person_id()));
    assert!(!csv.body.contains("王秀英"));
    // Another day, another platform: nothing.
    let none = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes/feedback?platform=dongfeng&from=2026-03-10&to=2026-03-10",
        None,
    )
    .await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.body.trim_start_matches('\u{feff}').lines().count(), 1);
    let xlsx = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes/feedback?platform=national&from=2026-03-01&to=2026-03-31&format=xlsx",
        None,
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    let bad = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes/feedback?platform=mars&from=2026-03-10&to=2026-03-10",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Another county's analyst sees none of the city's imports or feedback.
    let cixi = send(
        &state,
        Role::CenterAnalyst,
        "330282",
        "GET",
        "/warnings/pushes/feedback?platform=national&from=2026-03-10&to=2026-03-10",
        None,
    )
    .await;
    assert_eq!(cixi.body.trim_start_matches('\u{feff}').lines().count(), 1);
}

async fn only_the_centers_analysts_import_pushes(db: &Db) {
    let state = world(db).await;
    for role in [
        Role::UnitCommander,
        Role::Leader,
        Role::GridWorker,
        Role::BankLiaison,
    ] {
        let page = send(&state, role, COUNTY, "GET", "/warnings/pushes", None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?}");
        let up = send(
            &state,
            role,
            COUNTY,
            "POST",
            "/warnings/pushes",
            Some(&push_list()),
        )
        .await;
        assert_eq!(up.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    assert_eq!(pushed_warnings(&state).await, 0);
    // The way in: the analyst's navigation and the warnings list's toolbar link to the page;
    // a commander, who may not import, sees neither.
    let analyst = send(&state, Role::CenterAnalyst, CITY, "GET", "/warnings", None).await;
    assert_eq!(analyst.status, StatusCode::OK);
    assert!(analyst
        .body
        .contains("<a href=\"/warnings/pushes\">预警推送</a>"));
    assert!(analyst
        .body
        .contains("<a href=\"/warnings/pushes\" data-action=\"warning-pushes\">"));
    let own = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/warnings/pushes",
        None,
    )
    .await;
    assert!(own
        .body
        .contains("<a href=\"/warnings/pushes\" class=\"active\" aria-current=\"page\">"));
    let commander = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/warnings",
        None,
    )
    .await;
    assert_eq!(commander.status, StatusCode::OK);
    assert!(!commander.body.contains("/warnings/pushes"));
}

/// The warning a push becomes, stored as a failure right after the insert leaves it: no
/// instruction (and, for the first, no push identity either).
fn half_received(id: &str, resident: Option<String>, msisdn: Option<&str>) -> NewWarning {
    NewWarning {
        id: id.into(),
        resident_id: resident,
        msisdn: msisdn.map(str::to_string),
        unit_code: VILLAGE.into(),
        level: 1,
        fraud_type: None,
        score_permille: 1000,
        source: "national_push".into(),
        signal_at: t0() - 3_600_000,
        detected_at: t0() - 60_000,
        evidence: serde_json::json!({}),
    }
}

async fn a_half_received_push_is_completed_when_imported_again(db: &Db) {
    let state = world(db).await;
    let warnings = state.store.warnings();
    // GJ0310-001: stored, nothing else (the identity would have been attached after receive).
    warnings
        .insert(&half_received(
            "TS-national-GJ0310-001",
            Some(person_id()),
            Some(PHONE),
        ))
        .await
        .unwrap();
    // GJ0310-002: stored with its identity, but no instruction.
    warnings
        .insert(&half_received(
            "TS-national-GJ0310-002",
            Some(person_id()),
            None,
        ))
        .await
        .unwrap();
    state
        .store
        .warning_pushes()
        .attach(
            "TS-national-GJ0310-002",
            &WarningPush {
                platform: PushPlatform::National,
                push_id: "GJ0310-002".into(),
                pushed_at: t0() - 3_000_000,
                import_run: None,
                kind: None,
                fund: None,
            },
        )
        .await
        .unwrap();
    assert!(state
        .store
        .instructions()
        .open_for_resident(&person_id())
        .await
        .unwrap()
        .is_none());

    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert_eq!(
        count(b, "new"),
        1,
        "the half-received push issues its instruction"
    );
    assert_eq!(count(b, "merged"), 1, "the second joins it");
    assert_eq!(count(b, "known"), 0);
    let instruction = state
        .store
        .instructions()
        .open_for_resident(&person_id())
        .await
        .unwrap()
        .expect("an instruction issued for the person");
    for id in ["TS-national-GJ0310-001", "TS-national-GJ0310-002"] {
        let w = warnings.get(&Scope::platform(), id).await.unwrap();
        assert_eq!(
            w.instruction_id.as_deref(),
            Some(instruction.as_str()),
            "{id}"
        );
    }
    // The first now carries its push identity too.
    assert_eq!(
        state
            .store
            .warning_pushes()
            .find(PushPlatform::National, "GJ0310-001")
            .await
            .unwrap()
            .as_deref(),
        Some("TS-national-GJ0310-001")
    );
    assert_eq!(pushed_warnings(&state).await, 2, "no second warning");
    // Complete now: a third import knows both.
    let again = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(count(&again.body, "known"), 2);
    assert_eq!(count(&again.body, "new") + count(&again.body, "merged"), 0);
}

/// Makes the insert of the warning `TS-national-GJ0310-002` fail (a database error partway
/// through an import), or lets it through again.
async fn fail_second_push(db: &Db, state: &AppState, on: bool) {
    let pool = state.store.pool();
    let statements: &[&str] = match (db.is_postgres(), on) {
        (false, true) => &["CREATE TRIGGER fail_push BEFORE INSERT ON warnings \
             WHEN NEW.id = 'TS-national-GJ0310-002' BEGIN SELECT RAISE(ABORT, 'disk full'); END"],
        (false, false) => &["DROP TRIGGER fail_push"],
        (true, true) => &[
            "CREATE OR REPLACE FUNCTION fail_push() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_push BEFORE INSERT ON warnings FOR EACH ROW \
             WHEN (NEW.id = 'TS-national-GJ0310-002') EXECUTE FUNCTION fail_push()",
        ],
        (true, false) => &["DROP TRIGGER fail_push ON warnings"],
    };
    for sql in statements {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

async fn an_import_that_fails_partway_is_finished_with_its_quarantine(db: &Db) {
    let state = world(db).await;
    fail_second_push(db, &state, true).await;
    let failed = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert!(failed.status.is_server_error(), "{}", failed.body);
    assert_eq!(
        pushed_warnings(&state).await,
        1,
        "the first row was received"
    );
    // The run is listed, finished with what it did: one row received, the reader's two
    // rejects and the row not reached in its quarantine.
    let imports = state
        .store
        .warning_pushes()
        .imports(&state.scope_of(CITY).await.unwrap(), None, 10)
        .await
        .unwrap();
    assert_eq!(imports.len(), 1, "the failed import is listed");
    let i = &imports[0];
    assert_eq!((i.read, i.accepted, i.quarantined), (4, 1, 3));
    assert_eq!((i.new, i.merged, i.known), (1, 0, 0));
    assert_eq!(i.by_reason.get("not_applied"), Some(&1));
    assert_eq!(i.by_reason.get("bad_push_id"), Some(&1));
    let run = state.store.imports().get(i.import_run).await.unwrap();
    assert!(run.finished_at.is_some(), "the run is finished");
    let q = state
        .store
        .imports()
        .quarantine(i.import_run, &fanzha_store::PageRequest::first(10))
        .await
        .unwrap();
    let mut reasons: Vec<(i64, String)> = q
        .items
        .iter()
        .map(|r| (r.row.line, r.row.reason.clone()))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            (3, "not_applied".to_string()),
            (4, "bad_push_id".to_string()),
            (5, "no_person".to_string())
        ]
    );
    // Once the database is well again the same list receives the row not applied.
    fail_second_push(db, &state, false).await;
    let again = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(count(&again.body, "known"), 1);
    assert_eq!(count(&again.body, "merged"), 1);
    assert_eq!(pushed_warnings(&state).await, 2);
}

async fn a_feedback_period_too_large_or_off_the_calendar_is_refused(db: &Db) {
    use axum::response::IntoResponse;
    let state = world(db).await;
    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/warnings/pushes",
        Some(&push_list()),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let scope = state.scope_of(CITY).await.unwrap();
    let filter = FeedbackFilter {
        platform: PushPlatform::National,
        from_ms: t0() - 86_400_000,
        to_ms: t0() + 86_400_000,
    };
    let lang = fanzha_web::i18n::Lang::Zh;
    let whole = fanzha_web::push_import::feedback_table(&state, &scope, &filter, lang, 2)
        .await
        .unwrap();
    assert_eq!(whole.rows.len(), 2, "two pushes fit a limit of two");
    // More pushes than one file carries: refused, not cut short.
    let Err(err) = fanzha_web::push_import::feedback_table(&state, &scope, &filter, lang, 1).await
    else {
        panic!("a period holding more pushes than the limit was exported");
    };
    assert!(
        matches!(
            err,
            fanzha_web::error::WebError::PeriodTooLarge { limit: 1, .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("narrow the period"), "{err}");
    let resp = err.into_response();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["code"], "period_too_large");

    // The calendar's last day: no day after it, a 400 rather than a panic.
    let last = chrono::NaiveDate::MAX;
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string().replace('+', "%2B");
    let path = format!(
        "/warnings/pushes/feedback?platform=national&from={}&to={}",
        day(last.pred_opt().unwrap()),
        day(last)
    );
    let edge = send(&state, Role::CenterAnalyst, CITY, "GET", &path, None).await;
    assert_eq!(edge.status, StatusCode::BAD_REQUEST, "{}", edge.body);
    assert!(edge.body.contains("out of range"), "{}", edge.body);
}
