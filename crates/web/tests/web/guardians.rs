//! 金钟罩 joint defense, on SQLite and PostgreSQL: an analyst imports a guardian list (one
//! guardian per resident and phone, so a second import changes nothing; bad rows and residents
//! of another county in the quarantine with line, column and reason); the list is masked and
//! the resident's page shows everyone in full, every view audited; a grid worker adds a
//! guardian for a resident of their grid and no other; removal and the sign-up are audited; a
//! leader and a bank liaison see nothing; a warning for a resident with an imported guardian
//! texts the guardian; the statistics count the sign-ups per unit.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, NaiveDate};
use fanzha_core::{ResidentId, Sex};
use fanzha_store::{NewPerson, PageRequest, Role, Scope, SmsPurpose, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use fanzha_workflow::notify::{SmsConfig, SmsDispatcher};
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_guardian_list_is_imported_once_and_its_bad_rows_quarantined,
    the_list_is_masked_and_the_residents_page_full_and_audited,
    a_grid_worker_adds_guardians_for_their_grid_only,
    removal_and_the_sign_up_are_audited_and_others_see_nothing,
    a_warning_for_a_resident_with_an_imported_guardian_texts_the_guardian,
    statistics_count_the_sign_ups_per_unit,
}

const COUNTY: &str = "330281";
const EAST_VILLAGE: &str = "330281001001";
const WEST_VILLAGE: &str = "330281002001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

/// A valid ID number of a 余姚 (330281) or 慈溪 (330282) resident.
fn id_number(county: u32, n: u16) -> String {
    ResidentId::generate(
        county,
        NaiveDate::from_ymd_opt(1958, 6, 15).unwrap(),
        200 + 2 * n,
        Sex::Female,
    )
    .unwrap()
    .as_str()
    .to_string()
}

/// (ID number, name, phone, village) of the residents.
fn residents() -> Vec<(String, &'static str, &'static str, &'static str)> {
    vec![
        (id_number(330281, 1), "张桂英", "13812345678", EAST_VILLAGE),
        (id_number(330281, 2), "李秀兰", "13912345670", WEST_VILLAGE),
        (id_number(330282, 3), "王玉珍", "13512345673", OTHER_VILLAGE),
    ]
}

fn east() -> String {
    residents()[0].0.clone()
}

fn west() -> String {
    residents()[1].0.clone()
}

fn other() -> String {
    residents()[2].0.clone()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some("330281001")),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit(WEST_VILLAGE, "西郊社区", Village, Some("330281002")),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    let people: Vec<NewPerson> = residents()
        .into_iter()
        .map(|(id, name, phone, village)| NewPerson {
            resident_id: id,
            name: name.into(),
            phone: Some(phone.into()),
            residence_code: village.into(),
            address: Some("阳明西路1号".into()),
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    location: String,
    redirect: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The guardian id a write answered with (`/guardians/{id}`).
    fn guardian(&self) -> i64 {
        let to = if self.redirect.is_empty() {
            &self.location
        } else {
            &self.redirect
        };
        to.trim_start_matches("/guardians/")
            .parse()
            .unwrap_or_else(|_| panic!("no guardian in {to:?}: {}", self.text()))
    }
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
    let form_type = "application/x-www-form-urlencoded";
    send_as(state, role, unit, method, path, form_type, form.to_string()).await
}

async fn send_as(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: String,
) -> Answer {
    let (token, session) = state.sessions.create(
        Principal {
            login: format!("{}_{unit}", role.as_str()),
            display_name: "测试".into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: (role == Role::BankLiaison).then(|| "ICBC".into()),
            operator: (role == Role::OperatorLiaison)
                .then_some(fanzha_store::Operator::ChinaMobile),
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
            .header("hx-request", "true")
            .header(header::CONTENT_TYPE, content_type);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let header_of = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let location = header_of("location");
    let redirect = header_of("hx-redirect");
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        location,
        redirect,
        body,
    }
}

/// Uploads a guardian list as `role` at `unit`.
async fn upload(state: &AppState, role: Role, unit: &str, csv: &str) -> Answer {
    let boundary = "fanzha-gd-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"家属名单.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    send_as(
        state,
        role,
        unit,
        "POST",
        "/guardians/import",
        &content_type,
        body,
    )
    .await
}

/// `data-NAME>VALUE<` of the import result.
fn figure(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("data-{name}>"))
        .unwrap_or_else(|| panic!("data-{name} missing"));
    let rest = &html[at + name.len() + 6..];
    rest[..rest.find('<').unwrap()].to_string()
}

fn list_csv() -> String {
    format!(
        "被保护人身份证号,监护人姓名,监护人手机号,与本人关系\n\
         {east},张小明,13911110001,女儿\n\
         {east},陈建国,13911110002,配偶\n\
         {west},李大伟,13911110003,子女\n\
         {other},王小红,13911110004,子女\n\
         {east},赵六,13911110005,同学\n\
         {west},钱七,0574-62345678,父母\n",
        east = east(),
        west = west(),
        other = other()
    )
}

async fn signed_up(state: &AppState, id: &str) -> bool {
    state
        .store
        .people()
        .get(&Scope::platform(), id)
        .await
        .unwrap()
        .joint_defense_registered
}

async fn audit_actions(state: &AppState) -> Vec<(String, String)> {
    state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.action, e.target_type))
        .collect()
}

async fn a_guardian_list_is_imported_once_and_its_bad_rows_quarantined(db: &Db) {
    let state = world(db).await;
    let first = upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let html = first.text();
    assert_eq!(figure(&html, "read"), "6");
    assert_eq!(figure(&html, "added"), "3");
    assert_eq!(figure(&html, "signed-up"), "2");
    assert_eq!(figure(&html, "rejected"), "3");
    for (line, reason) in [
        (5, "person_unknown"),
        (6, "unknown_relation"),
        (7, "not_mobile"),
    ] {
        assert!(
            html.contains(&format!("data-line=\"{line}\"")) && html.contains(reason),
            "line {line} {reason}: {html}"
        );
    }
    assert!(signed_up(&state, &east()).await && signed_up(&state, &west()).await);
    assert!(
        !signed_up(&state, &other()).await,
        "another county's resident"
    );

    // The quarantine of the run, with file, line, column and reason.
    let run = state
        .store
        .imports()
        .list(&PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|r| r.kind == "guardian_list")
        .expect("the import run");
    let held = state
        .store
        .imports()
        .quarantine(run.id, &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(
        held.iter()
            .map(|q| (
                q.row.file.as_str(),
                q.row.line,
                q.row.column.as_deref(),
                q.row.reason.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            ("家属名单.csv", 5, Some("resident_id"), "person_unknown"),
            ("家属名单.csv", 6, Some("relation"), "unknown_relation"),
            ("家属名单.csv", 7, Some("phone"), "not_mobile"),
        ]
    );

    let again = upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    let html = again.text();
    assert_eq!(figure(&html, "added"), "0");
    assert_eq!(figure(&html, "unchanged"), "3");
    assert_eq!(figure(&html, "signed-up"), "0");
    let scope = state.store.units().scope(COUNTY).await.unwrap();
    let of_east = state
        .store
        .guardians()
        .for_resident(&scope, &east())
        .await
        .unwrap();
    assert_eq!(
        of_east
            .iter()
            .map(|g| (g.phone.as_str(), g.relationship.as_str()))
            .collect::<Vec<_>>(),
        vec![("13911110001", "子女"), ("13911110002", "配偶")]
    );

    // A commander may import for their area; a grid worker may not import at all.
    let commander = upload(&state, Role::UnitCommander, COUNTY, &list_csv()).await;
    assert_eq!(commander.status, StatusCode::OK);
    let grid = upload(&state, Role::GridWorker, EAST_VILLAGE, &list_csv()).await;
    assert_eq!(grid.status, StatusCode::FORBIDDEN);
}

async fn the_list_is_masked_and_the_residents_page_full_and_audited(db: &Db) {
    let state = world(db).await;
    upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    let list = send(&state, Role::UnitCommander, COUNTY, "GET", "/guardians", "").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert_eq!(html.matches("data-guardian=").count(), 3, "{html}");
    for full in ["张小明", "13911110001", "张桂英", east().as_str()] {
        assert!(!html.contains(full), "{full} unmasked in the list");
    }
    assert!(html.contains("张**") || html.contains("张*"), "{html}");
    assert!(html.contains("data-figure=\"signed_up\">2<"), "{html}");
    // The export holds every guardian, masked like the list, and the sign-up figures.
    let csv = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/guardians?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    assert_eq!(
        csv.lines().count(),
        4,
        "a header and three guardians: {csv}"
    );
    for full in ["张小明", "13911110001", "张桂英", east().as_str()] {
        assert!(!csv.contains(full), "{full} unmasked in the export");
    }
    let figures = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/guardians?format=csv&section=figures",
        "",
    )
    .await
    .text();
    assert!(figures.contains(",2"), "{figures}");
    let xlsx = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/guardians?format=xlsx",
        "",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // One resident by ID number: a search of personal data, audited.
    let one = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        &format!("/guardians?resident_id={}", west()),
        "",
    )
    .await;
    assert_eq!(one.text().matches("data-guardian=").count(), 1);
    let id: i64 = {
        let html = one.text();
        let at = html.find("data-guardian=\"").unwrap() + "data-guardian=\"".len();
        html[at..at + html[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let page = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        &format!("/guardians/{id}"),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for full in [
        "李秀兰",
        "李大伟",
        "13911110003",
        west().as_str(),
        "13912345670",
    ] {
        assert!(html.contains(full), "{full} not in full on the page");
    }
    let actions = audit_actions(&state).await;
    assert!(actions.contains(&("view_personal_data".into(), "guardian".into())));
    assert!(actions.contains(&("search_personal_data".into(), "guardians".into())));
    assert!(actions.contains(&("guardians_imported".into(), "unit".into())));
}

async fn a_grid_worker_adds_guardians_for_their_grid_only(db: &Db) {
    let state = world(db).await;
    let form =
        |id: &str, phone: &str| format!("resident_id={id}&name=孙女&phone={phone}&relation=child");
    let added = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/guardians",
        &form(&east(), "13911112222"),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let id = added.guardian();
    assert!(signed_up(&state, &east()).await);
    // The same resident and phone again: the same guardian.
    let again = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/guardians",
        &form(&east(), "139 1111 2222"),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.guardian(), id);
    // Another grid's resident: not found, nothing saved.
    let west_try = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/guardians",
        &form(&west(), "13911113333"),
    )
    .await;
    assert_eq!(
        west_try.status,
        StatusCode::NOT_FOUND,
        "{}",
        west_try.text()
    );
    assert!(!signed_up(&state, &west()).await);
    // Bad input: a fixed line, an unknown relation, a malformed ID number.
    for bad in [
        form(&east(), "0574-62345678"),
        format!(
            "resident_id={}&name=a&phone=13911114444&relation=boss",
            east()
        ),
        form("330281195806150001", "13911114444"),
    ] {
        let answer = send(
            &state,
            Role::GridWorker,
            EAST_VILLAGE,
            "POST",
            "/guardians",
            &bad,
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // The grid worker sees the guardian of their grid on their page.
    let page = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "GET",
        &format!("/guardians/{id}"),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("13911112222"));
    let west_grid = send(
        &state,
        Role::GridWorker,
        WEST_VILLAGE,
        "GET",
        &format!("/guardians/{id}"),
        "",
    )
    .await;
    assert_eq!(west_grid.status, StatusCode::NOT_FOUND);
}

async fn removal_and_the_sign_up_are_audited_and_others_see_nothing(db: &Db) {
    let state = world(db).await;
    upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    let scope = state.store.units().scope(COUNTY).await.unwrap();
    let ids: Vec<i64> = state
        .store
        .guardians()
        .for_resident(&scope, &east())
        .await
        .unwrap()
        .iter()
        .map(|g| g.id)
        .collect();
    // Another county, a leader, a bank liaison: nothing.
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/guardians/{}", ids[0]),
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let removed_elsewhere = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("/guardians/{}/remove", ids[0]),
        "",
    )
    .await;
    assert_eq!(removed_elsewhere.status, StatusCode::NOT_FOUND);
    let other_list = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/guardians",
        "",
    )
    .await;
    assert_eq!(other_list.text().matches("data-guardian=").count(), 0);
    for role in [Role::Leader, Role::BankLiaison] {
        let answer = send(&state, role, COUNTY, "GET", "/guardians", "").await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{role:?}");
    }

    let removed = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/guardians/{}/remove", ids[0]),
        "",
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.guardian(), ids[1], "the resident's other guardian");
    let withdrawn = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/guardians/{}/sign-up", ids[1]),
        "signed_up=0",
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    assert!(!signed_up(&state, &east()).await);
    let left = state
        .store
        .guardians()
        .for_resident(&scope, &east())
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "withdrawing keeps the guardians");
    let actions = audit_actions(&state).await;
    assert!(actions.contains(&("guardian_removed".into(), "guardian".into())));
    assert!(actions.contains(&("joint_defense_withdrawn".into(), "person".into())));
}

async fn a_warning_for_a_resident_with_an_imported_guardian_texts_the_guardian(db: &Db) {
    let state = world(db).await;
    upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    let warning = |resident: String| IncomingWarning {
        id: None,
        resident_id: Some(resident),
        msisdn: None,
        residence_code: None,
        level: WarningLevel::Yellow,
        fraud_type: Some("fake_investment".into()),
        score_permille: 700,
        source: "engine".into(),
        signal_at: t0(),
        evidence: serde_json::json!({"rule": "test"}),
    };
    let received = state
        .loop_service
        .receive(warning(west()), t0())
        .await
        .unwrap();
    let dispatcher = SmsDispatcher::new(state.store.clone(), SmsConfig::default());
    dispatcher
        .queue_for_warning(&received.warning_id, t0())
        .await
        .unwrap();
    let sent = state
        .store
        .sms()
        .for_warning(&received.warning_id)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].purpose, SmsPurpose::GuardianAlert);
    assert_eq!(sent[0].to_number, "13911110003");
    assert!(sent[0].text.contains("李**"), "{}", sent[0].text);
    assert!(sent[0].text.contains("子女"), "{}", sent[0].text);

    // Withdrawn from 金钟罩: the guardian on file is no longer texted.
    let scope = state.store.units().scope(COUNTY).await.unwrap();
    state
        .store
        .guardians()
        .set_signed_up(&scope, &west(), false, "analyst", t0())
        .await
        .unwrap();
    let second = state
        .loop_service
        .receive(warning(east()), t0())
        .await
        .unwrap();
    state
        .store
        .guardians()
        .set_signed_up(&scope, &east(), false, "analyst", t0())
        .await
        .unwrap();
    dispatcher
        .queue_for_warning(&second.warning_id, t0())
        .await
        .unwrap();
    assert!(state
        .store
        .sms()
        .for_warning(&second.warning_id)
        .await
        .unwrap()
        .is_empty());
}

async fn statistics_count_the_sign_ups_per_unit(db: &Db) {
    let state = world(db).await;
    upload(&state, Role::CenterAnalyst, COUNTY, &list_csv()).await;
    let page = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/statistics",
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("data-stat=\"joint-defense\">2<"),
        "two residents of 余姚 signed up: {html}"
    );
    assert!(html.contains("data-stat=\"joint-defense-rate\">100.00%<"));
    assert!(html.contains("data-joint-defense>1<"));
}
