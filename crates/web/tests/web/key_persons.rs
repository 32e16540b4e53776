//! 重点人员 一人一档, on SQLite and PostgreSQL: an analyst lists residents by ID number and adds
//! measures; the list filters on category, status and measures in force, and its figures count
//! people, punishments, exit bans and the 劝返率; names, ID numbers and phones are masked in the
//! list and both exports; the dossier shows the person in full and every view is audited;
//! another county sees neither the row nor the dossier, a leader the figures only, a bank
//! liaison nothing; an ID number that is malformed or not a resident of one's area is refused
//! with a message.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, NaiveDate};
use fanzha_core::{ResidentId, Sex};
use fanzha_store::{
    ImportRunId, KeyPersonCategory, KeyPersonMeasure, NewCase, NewKeyPerson, NewPerson, NewSuspect,
    NewUser, PageRequest, Responsible, Role, Scope, SuspectRole, UnitLevel,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    measures_fill_the_dossier_the_filters_and_the_figures,
    the_list_and_both_exports_are_masked,
    every_view_of_a_dossier_is_audited,
    another_county_sees_nothing_a_leader_figures_only_a_liaison_nothing,
    malformed_and_unknown_id_numbers_are_refused_with_a_message,
    a_dossier_still_open_in_another_unit_is_named_and_a_closed_one_follows_the_person,
    a_list_import_lists_the_areas_residents_with_their_measures_once,
    the_dossier_names_its_responsible_officer_and_visit_cycle,
    overdue_visits_and_mine_filter_count_and_export_the_list,
    a_grid_worker_sees_the_visits_due_and_records_one_on_the_phone,
    the_register_breaks_its_figures_down_by_the_units_below,
    visits_say_where_people_stand_and_returnees_are_checked,
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
        NaiveDate::from_ymd_opt(1995, 6, 15).unwrap(),
        100 + 2 * n,
        Sex::Male,
    )
    .unwrap()
    .as_str()
    .to_string()
}

/// (ID number, name, phone, village) of the residents.
fn residents() -> Vec<(String, &'static str, &'static str, &'static str)> {
    vec![
        (id_number(330281, 1), "张三丰", "13812345678", EAST_VILLAGE),
        (id_number(330281, 2), "李四光", "13912345670", WEST_VILLAGE),
        (id_number(330281, 3), "赵六一", "13712345671", EAST_VILLAGE),
        (id_number(330281, 4), "钱七七", "13612345672", WEST_VILLAGE),
        (id_number(330282, 5), "王五洲", "13512345673", OTHER_VILLAGE),
    ]
}

fn zhang_id() -> String {
    residents()[0].0.clone()
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
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `message` of a JSON error body.
    fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_default()
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

/// [`send`] with a body of any content type.
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
            .header(header::CONTENT_TYPE, content_type);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let header_of = |name| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let location = header_of(header::LOCATION);
    let content_type = header_of(header::CONTENT_TYPE);
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        location,
        content_type,
        body,
    }
}

async fn get(state: &AppState, path: &str) -> Answer {
    send(state, Role::CenterAnalyst, COUNTY, "GET", path, "").await
}

async fn post(state: &AppState, path: &str, form: &str) -> Answer {
    send(state, Role::CenterAnalyst, COUNTY, "POST", path, form).await
}

/// Lists a resident through the form; returns the dossier's path.
async fn list_person(state: &AppState, id: &str, category: &str) -> String {
    let a = post(
        state,
        "/key-persons",
        &format!("resident_id={id}&category={category}&reason=%E5%87%BA%E5%94%AE%E9%93%B6%E8%A1%8C%E5%8D%A1"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert!(a.location.starts_with("/key-persons/"), "{}", a.location);
    a.location
}

async fn add(state: &AppState, dossier: &str, form: &str) {
    let a = post(state, &format!("{dossier}/events"), form).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{form}: {}", a.text());
    assert_eq!(a.location, dossier);
}

/// The rows of the list (`<tr data-key-person=…>` up to its `</tr>`).
fn rows(body: &str) -> Vec<&str> {
    body.split("<tr data-key-person=\"")
        .skip(1)
        .map(|rest| rest.split("</tr>").next().unwrap_or(""))
        .collect()
}

fn figure(body: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\">");
    let rest = body
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no figure {name}"));
    rest.split('<').next().unwrap_or("").to_string()
}

/// 张 (two cards): punished for March, barred from leaving, visited. 李 (abroad) refuses to
/// come back; 赵 and 钱 were persuaded back, 钱's dossier closed since.
async fn measured_world(db: &Db) -> (AppState, String) {
    let state = world(db).await;
    let people = residents();
    let zhang = list_person(&state, &people[0].0, "two_cards").await;
    add(
        &state,
        &zhang,
        "kind=punishment&punishment=financial&from=2026-03-01&until=2026-03-31",
    )
    .await;
    add(&state, &zhang, "kind=exit_ban&from=2026-03-01&until=").await;
    add(
        &state,
        &zhang,
        "kind=visit&note=%E6%9C%AC%E4%BA%BA%E5%9C%A8%E5%AE%B6",
    )
    .await;
    let li = list_person(&state, &people[1].0, "abroad_high_risk").await;
    add(
        &state,
        &li,
        "kind=persuasion&state=refused&on=2026-02-01&place=%E7%BC%85%E5%8C%97",
    )
    .await;
    let zhao = list_person(&state, &people[2].0, "abroad_high_risk").await;
    add(
        &state,
        &zhao,
        "kind=persuasion&state=returned&on=2026-03-05",
    )
    .await;
    let qian = list_person(&state, &people[3].0, "returned").await;
    add(&state, &qian, "kind=persuasion&state=returned").await;
    add(
        &state,
        &qian,
        "kind=close&reason=%E5%B7%B2%E7%A8%B3%E6%8E%A7",
    )
    .await;
    (state, zhang)
}

async fn measures_fill_the_dossier_the_filters_and_the_figures(db: &Db) {
    let (state, zhang) = measured_world(db).await;
    // Listing 张 again in the category opens no second dossier.
    assert_eq!(
        list_person(&state, &residents()[0].0, "two_cards").await,
        zhang
    );

    let page = get(&state, "/key-persons").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let body = page.text();
    assert_eq!(rows(&body).len(), 4, "{body}");
    assert!(body.contains("<b id=\"key-person-count\">4</b>"));
    // People in control: 张, 李, 赵 (钱 is closed); 劝返率 2 / (2 + 1).
    for (name, value) in [
        ("in_control", "3"),
        ("punished", "1"),
        ("exit_bans", "1"),
        ("abroad", "1"),
        ("returned", "2"),
        ("return_rate", "66.7%"),
        ("closed", "1"),
    ] {
        assert_eq!(figure(&body, name), value, "{name}");
    }
    assert!(
        body.contains("data-category-count=\"abroad_high_risk\">2<"),
        "{body}"
    );
    assert!(body.contains("data-category-count=\"two_cards\">1<"));
    assert!(
        body.contains("data-category-count=\"returned\">0<"),
        "closed"
    );
    assert!(
        body.contains("href=\"/key-persons\""),
        "the navigation links the page"
    );

    let only = |path: &'static str| {
        let state = state.clone();
        async move {
            let body = get(&state, path).await.text();
            rows(&body)
                .iter()
                .map(|r| r.split('"').next().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let zhang_id = zhang.trim_start_matches("/key-persons/").to_string();
    assert_eq!(
        only("/key-persons?measure=exit_ban").await,
        vec![zhang_id.to_string()]
    );
    assert_eq!(
        only("/key-persons?measure=punished").await,
        vec![zhang_id.to_string()]
    );
    assert_eq!(
        only("/key-persons?category=abroad_high_risk").await.len(),
        2
    );
    assert_eq!(only("/key-persons?measure=abroad").await.len(), 1);
    assert_eq!(only("/key-persons?status=closed").await.len(), 1);
    assert_eq!(
        only("/key-persons?unit=330281002").await.len(),
        2,
        "李 and 钱"
    );
    let filtered = get(&state, "/key-persons?measure=returned&status=active")
        .await
        .text();
    assert_eq!(rows(&filtered).len(), 1, "赵 only");
    assert!(filtered.contains("<b id=\"key-person-count\">1</b>"));
    let export = filtered
        .split("href=\"/key-persons?")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .find(|href| href.contains("format=csv"))
        .unwrap_or_default()
        .to_string();
    assert!(
        export.contains("measure=returned") && export.contains("status=active"),
        "the export takes the filter: {export}"
    );
    assert_eq!(
        get(&state, "/key-persons?measure=sometimes").await.status,
        StatusCode::BAD_REQUEST
    );

    // The dossier: entries in order, measures in force in words, Shanghai dates.
    let dossier = get(&state, &zhang).await.text();
    let kinds: Vec<&str> = dossier
        .split("data-event=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap())
        .collect();
    assert_eq!(kinds, ["registered", "punishment", "exit_ban", "visit"]);
    for shown in [
        "金融惩戒 2026-03-01 – 2026-03-31",
        "不准出境 2026-03-01 – 长期",
        "本人在家",
        "2026-03-10 10:30:00",
    ] {
        assert!(dossier.contains(shown), "{shown} missing: {dossier}");
    }
    // A closed dossier takes no more entries and offers no forms.
    let qian = get(&state, "/key-persons?status=closed").await.text();
    let qian_id = rows(&qian)[0].split('"').next().unwrap().to_string();
    let refused = post(
        &state,
        &format!("/key-persons/{qian_id}/events"),
        "kind=visit&note=x",
    )
    .await;
    assert!(refused.status.is_client_error(), "{}", refused.text());
    let page = get(&state, &format!("/key-persons/{qian_id}")).await.text();
    assert!(!page.contains("id=\"add-visit\""));
    assert!(page.contains("已稳控"));
    // A measure that ends before it starts is refused.
    let backwards = post(
        &state,
        &format!("{zhang}/events"),
        "kind=exit_ban&from=2026-03-10&until=2026-03-01",
    )
    .await;
    assert!(backwards.status.is_client_error(), "{}", backwards.text());
}

async fn the_list_and_both_exports_are_masked(db: &Db) {
    let (state, _) = measured_world(db).await;
    let secrets: Vec<String> = residents()
        .iter()
        .flat_map(|(id, name, phone, _)| [id.clone(), name.to_string(), phone.to_string()])
        .collect();
    let assert_masked = |text: &str| {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{s} shows in full: {text}");
        }
    };
    let body = get(&state, "/key-persons").await.text();
    let zhang_row = rows(&body)
        .into_iter()
        .find(|r| r.contains("张*丰"))
        .expect("张's row, masked");
    let masked_id = format!("{}**********{}", &zhang_id()[..4], &zhang_id()[14..]);
    assert!(
        zhang_row.contains(&format!("<td data-resident-id>{masked_id}</td>")),
        "{zhang_row}"
    );
    assert!(
        zhang_row.contains("<td data-phone>138****5678</td>"),
        "{zhang_row}"
    );
    assert!(zhang_row.contains("不准出境"), "{zhang_row}");
    assert_masked(&body);

    let csv = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/key-persons?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let csv = csv.text();
    let lines: Vec<&str> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 5, "header and four dossiers: {csv}");
    assert!(
        lines[0].contains("身份证号") && lines[0].contains("人员类别"),
        "{csv}"
    );
    assert!(csv.contains("张*丰") && csv.contains(&masked_id) && csv.contains("138****5678"));
    assert_masked(&csv);
    let filtered = get(&state, "/key-persons?format=csv&category=two_cards")
        .await
        .text();
    assert_eq!(filtered.lines().filter(|l| !l.trim().is_empty()).count(), 2);

    let xlsx = get(&state, "/key-persons?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.content_type.contains("spreadsheetml"),
        "{}",
        xlsx.content_type
    );
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.body)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 5, "{cells:?}");
    let text = cells.concat().join("|");
    assert!(
        text.contains("张*丰") && text.contains(&masked_id),
        "{text}"
    );
    assert_masked(&text);
}

async fn every_view_of_a_dossier_is_audited(db: &Db) {
    let (state, zhang) = measured_world(db).await;
    let views = |state: AppState| async move {
        state
            .store
            .audit()
            .list(&Scope::platform(), &PageRequest::first(1000))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.action == "view_personal_data" && e.target_type == "key_person")
            .collect::<Vec<_>>()
    };
    assert!(
        views(state.clone()).await.is_empty(),
        "lists reveal nothing"
    );
    let page = get(&state, &zhang).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    for full in [zhang_id().as_str(), "张三丰", "13812345678", "阳明西路1号"] {
        assert!(body.contains(full), "the dossier shows {full} in full");
    }
    assert!(
        body.contains(&format!("href=\"/warnings?q={}\"", zhang_id())),
        "links the person's warnings"
    );
    assert!(
        body.contains(&format!("href=\"/cases?q={}\"", zhang_id())),
        "and the person's cases"
    );
    get(&state, &zhang).await;
    let seen = views(state.clone()).await;
    assert_eq!(seen.len(), 2, "each view is written: {seen:?}");
    let id = zhang.trim_start_matches("/key-persons/");
    assert_eq!(seen[0].target_id.as_deref(), Some(id));
    assert_eq!(seen[0].actor, format!("center_analyst_{COUNTY}"));
    assert_eq!(seen[0].unit_code.as_deref(), Some(EAST_VILLAGE));
    assert!(
        !seen[0].detail.to_string().contains(&zhang_id()),
        "the audit entry holds no full ID number"
    );
    // The writes were audited too, in their transaction.
    let actions: Vec<String> = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1000))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "key_person_registered",
        "key_person_exit_ban",
        "key_person_closed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}

async fn another_county_sees_nothing_a_leader_figures_only_a_liaison_nothing(db: &Db) {
    let (state, zhang) = measured_world(db).await;
    let cixi = |method: &'static str, path: String, form: String| {
        let state = state.clone();
        async move {
            send(
                &state,
                Role::UnitCommander,
                OTHER_COUNTY,
                method,
                &path,
                &form,
            )
            .await
        }
    };
    let list = cixi("GET", "/key-persons".into(), String::new()).await;
    assert_eq!(list.status, StatusCode::OK);
    let body = list.text();
    assert!(rows(&body).is_empty(), "{body}");
    assert_eq!(figure(&body, "in_control"), "0");
    assert!(!body.contains("张*丰"));
    assert_eq!(
        cixi("GET", zhang.clone(), String::new()).await.status,
        StatusCode::NOT_FOUND
    );
    let write = cixi(
        "POST",
        format!("{zhang}/events"),
        "kind=visit&note=x".into(),
    )
    .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND, "{}", write.text());
    let listing = cixi(
        "POST",
        "/key-persons".into(),
        format!("resident_id={}&category=other&reason=x", zhang_id()),
    )
    .await;
    assert_eq!(listing.status, StatusCode::NOT_FOUND, "{}", listing.text());
    assert!(
        listing.message().contains("resident of your area"),
        "{}",
        listing.message()
    );
    let entries = get(&state, &zhang).await.text();
    assert_eq!(
        entries.matches("data-event=").count(),
        4,
        "nothing was added"
    );
    // 慈溪's own resident is theirs to list.
    let own = cixi(
        "POST",
        "/key-persons".into(),
        format!(
            "resident_id={}&category=recruiter&reason=x",
            residents()[4].0
        ),
    )
    .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER, "{}", own.text());
    assert_eq!(
        rows(
            &cixi("GET", "/key-persons".into(), String::new())
                .await
                .text()
        )
        .len(),
        1
    );

    // A leader sees the figures, not the people.
    let leader = send(&state, Role::Leader, COUNTY, "GET", "/key-persons", "").await;
    assert_eq!(leader.status, StatusCode::OK);
    let body = leader.text();
    assert_eq!(figure(&body, "return_rate"), "66.7%");
    assert!(
        rows(&body).is_empty() && !body.contains("add-key-person"),
        "{body}"
    );
    let a = send(&state, Role::Leader, COUNTY, "GET", &zhang, "").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // … and exports the figures, never the dossiers.
    let csv = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/key-persons?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(
        text.contains("劝返率,66.7%\n") && !text.contains("张"),
        "{text}"
    );
    let dossiers = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/key-persons?format=csv&section=dossiers",
        "",
    )
    .await;
    assert_eq!(dossiers.status, StatusCode::BAD_REQUEST);
    let categories = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/key-persons?format=csv&section=categories",
        "",
    )
    .await
    .text();
    assert!(
        categories.starts_with("\u{feff}人员类别,在控人数\n"),
        "{categories}"
    );

    // A bank liaison: no page, no dossier, no write, no link.
    for (method, path) in [
        ("GET", "/key-persons".to_string()),
        ("GET", "/key-persons?format=xlsx".to_string()),
        ("GET", zhang.clone()),
        ("POST", format!("{zhang}/events")),
    ] {
        let a = send(
            &state,
            Role::BankLiaison,
            COUNTY,
            method,
            &path,
            "kind=visit&note=x",
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(!a.text().contains("张"), "{path}");
    }
    let home = send(&state, Role::BankLiaison, COUNTY, "GET", "/", "")
        .await
        .text();
    assert!(!home.contains("/key-persons"), "no link for a liaison");
}

async fn malformed_and_unknown_id_numbers_are_refused_with_a_message(db: &Db) {
    let state = world(db).await;
    let good = zhang_id();
    let last = good.chars().last().unwrap();
    let wrong_digit = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    let a = post(
        &state,
        "/key-persons",
        &format!("resident_id={wrong_digit}&category=two_cards&reason=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.message().contains("校验码错误"), "{}", a.message());
    let a = post(
        &state,
        "/key-persons",
        "resident_id=12345&category=two_cards&reason=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.message().contains("18"), "{}", a.message());
    // A valid number of no resident the platform knows.
    let stranger = id_number(330281, 99);
    let a = post(
        &state,
        "/key-persons",
        &format!("resident_id={stranger}&category=two_cards&reason=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    assert!(
        a.message().contains("resident of your area"),
        "{}",
        a.message()
    );
    assert!(
        !a.text().contains(&stranger),
        "the message masks the number"
    );
    // An unknown category, and a missing reason.
    let a = post(
        &state,
        "/key-persons",
        &format!("resident_id={good}&category=vip&reason=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = post(
        &state,
        "/key-persons",
        &format!("resident_id={good}&category=other&reason=+"),
    )
    .await;
    assert!(a.status.is_client_error(), "{}", a.text());
    // Nothing was listed.
    let body = get(&state, "/key-persons").await.text();
    assert!(rows(&body).is_empty(), "{body}");
    // The form's own spelling is normalised (spaces, a lower-case x).
    let spaced = format!("{} {}", &good[..6], &good[6..]).to_lowercase();
    let a = post(
        &state,
        "/key-persons",
        &format!(
            "resident_id={}&category=other&reason=x",
            spaced.replace(' ', "+")
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
}

async fn a_dossier_still_open_in_another_unit_is_named_and_a_closed_one_follows_the_person(
    db: &Db,
) {
    let state = world(db).await;
    // The commanders of 阳明街道 (张's township) and 梨洲街道.
    let as_township = |township: &'static str, method: &'static str, path: String, form: String| {
        let state = state.clone();
        async move { send(&state, Role::UnitCommander, township, method, &path, &form).await }
    };
    let listing = format!("resident_id={}&category=two_cards&reason=x", zhang_id());
    let yangming = as_township("330281001", "POST", "/key-persons".into(), listing.clone()).await;
    assert_eq!(
        yangming.status,
        StatusCode::SEE_OTHER,
        "{}",
        yangming.text()
    );
    let dossier = yangming.location.clone();
    // 张 moves to 梨洲街道's 西郊社区.
    let mut zhang = world_person(0);
    zhang.residence_code = WEST_VILLAGE.into();
    state.store.people().upsert(&[zhang]).await.unwrap();

    // Still open in 阳明: 梨洲 is told who holds it, not sent to a dossier it cannot see.
    let refused = as_township("330281002", "POST", "/key-persons".into(), listing.clone()).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
    let message = refused.message();
    assert!(message.contains("舜水社区"), "names the unit: {message}");
    assert!(message.contains("close"), "says what to do: {message}");
    assert!(
        !refused.text().contains("张") && !refused.text().contains(&zhang_id()),
        "not the person: {}",
        refused.text()
    );
    let body = as_township("330281001", "GET", dossier.clone(), String::new())
        .await
        .text();
    assert_eq!(body.matches("data-event=").count(), 1, "nothing changed");

    // Once 阳明 closes it, 梨洲's listing reopens it as theirs; 阳明 no longer sees it.
    let closed = as_township(
        "330281001",
        "POST",
        format!("{dossier}/events"),
        "kind=close&reason=%E5%B7%B2%E8%BF%81%E5%87%BA".into(),
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
    let taken = as_township("330281002", "POST", "/key-persons".into(), listing).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.text());
    assert_eq!(taken.location, dossier, "the one dossier");
    let page = as_township("330281002", "GET", dossier.clone(), String::new()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.text().matches("data-event=").count(), 3);
    assert!(page.text().contains("西郊社区"), "held by 张's unit now");
    assert!(
        page.text().contains("转自舜水社区"),
        "the reopening entry says where the dossier came from: {}",
        page.text()
    );
    assert_eq!(
        as_township("330281001", "GET", dossier, String::new())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Resident `i` of [`residents`] as stored by [`world`].
fn world_person(i: usize) -> NewPerson {
    let (id, name, phone, village) = residents()[i].clone();
    NewPerson {
        resident_id: id,
        name: name.into(),
        phone: Some(phone.into()),
        residence_code: village.into(),
        address: Some("阳明西路1号".into()),
        employer: None,
        public_sector: false,
        app_registered: false,
        joint_defense_registered: false,
    }
}

/// Uploads a key-person list as `role` at `unit` (multipart: the file, source, label and an
/// empty category: the list's own column decides).
async fn upload(state: &AppState, role: Role, unit: &str, csv: &str) -> Answer {
    let boundary = "fanzha-kp-boundary";
    let field = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let body = format!(
        "{}{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"惩戒名单.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n",
        field("source", "national"),
        field("label", "2026年3月惩戒名单"),
        field("category", ""),
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    send_as(
        state,
        role,
        unit,
        "POST",
        "/key-persons/import",
        &content_type,
        body,
    )
    .await
}

/// `data-NAME>VALUE<` of the import result.
fn result_figure(body: &str, name: &str) -> String {
    let marker = format!("{name}>");
    body.split("id=\"import-result\"")
        .nth(1)
        .and_then(|r| r.split(&marker).nth(1))
        .map(|r| r.split('<').next().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no import figure {name}"))
}

async fn a_list_import_lists_the_areas_residents_with_their_measures_once(db: &Db) {
    let state = world(db).await;
    let r = residents();
    let mut bad_id = r[2].0.clone();
    let last = if bad_id.ends_with('1') { '2' } else { '1' };
    bad_id.replace_range(17.., &last.to_string());
    let csv = format!(
        "序号,姓名,身份证号,人员类别,惩戒类型,惩戒开始日期,惩戒结束日期,劝返状态,滞留地\n\
         1,张三丰,{},两卡,金融惩戒,2026-03-01,2027-02-28,,\n\
         2,李四光,{},境外高危,,,,在外,缅甸妙瓦底\n\
         3,王五洲,{},两卡,,,,,\n\
         4,赵六一,{bad_id},两卡,,,,,\n\
         5,钱七七,{},不知道,,,,,\n",
        r[0].0, r[1].0, r[4].0, r[3].0
    );
    let a = upload(&state, Role::CenterAnalyst, COUNTY, &csv).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.text();
    assert_eq!(result_figure(&body, "data-read"), "5");
    assert_eq!(result_figure(&body, "data-listed"), "2");
    assert_eq!(result_figure(&body, "data-measures-added"), "2");
    assert_eq!(result_figure(&body, "data-rejected"), "3");
    for (line, reason) in [
        (4, "person_unknown"),
        (5, "bad_check_digit"),
        (6, "unknown_category"),
    ] {
        let row = body
            .split(&format!("<tr data-line=\"{line}\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("line {line} not rejected: {body}"));
        assert!(
            row.split("</tr>").next().unwrap().contains(reason),
            "{line}"
        );
    }
    // The page after the import: the figures count the measures, the rows are masked.
    assert_eq!(
        figure(&body, "punished"),
        "1",
        "张's punishment holds on 10 March"
    );
    assert_eq!(figure(&body, "abroad"), "1", "李 is abroad");
    assert_eq!(rows(&body).len(), 2);
    assert!(
        !body.contains(&r[0].0) && !body.contains("张三丰"),
        "masked"
    );
    assert!(body.contains("张*丰"));
    // The dossier keeps where the list came from and why.
    let zhang = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &Default::default(),
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|k| k.resident_id == r[0].0)
        .unwrap();
    assert_eq!(zhang.source, "national");
    assert_eq!(zhang.reason, "2026年3月惩戒名单");
    assert_eq!(
        zhang.punishment_until,
        Some(
            DateTime::parse_from_rfc3339("2027-03-01T00:00:00+08:00")
                .unwrap()
                .timestamp_millis()
        ),
        "up to the end of the last day"
    );
    // Every rejected row is in the quarantine of the import run, with line and reason.
    let run: i64 = body
        .split("data-import-run=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|r| r.parse().ok())
        .unwrap();
    let quarantined = state
        .store
        .imports()
        .quarantine(ImportRunId(run), &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    let got: Vec<_> = quarantined
        .iter()
        .map(|q| (q.row.line, q.row.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (4, "person_unknown"),
            (5, "bad_check_digit"),
            (6, "unknown_category")
        ]
    );

    // The same list again changes nothing.
    let again = upload(&state, Role::CenterAnalyst, COUNTY, &csv)
        .await
        .text();
    assert_eq!(result_figure(&again, "data-listed"), "0");
    assert_eq!(result_figure(&again, "data-already"), "2");
    assert_eq!(result_figure(&again, "data-measures-added"), "0");
    assert_eq!(result_figure(&again, "data-measures-unchanged"), "2");
    let dossier = zhang.id;
    let events = state
        .store
        .key_persons()
        .events(&Scope::platform(), dossier)
        .await
        .unwrap();
    assert_eq!(events.len(), 2, "列管 and 惩戒, once");

    // 慈溪's commander reaches 王 only; a leader and a grid worker may not import.
    let cixi = upload(&state, Role::UnitCommander, OTHER_COUNTY, &csv)
        .await
        .text();
    assert_eq!(result_figure(&cixi, "data-listed"), "1");
    assert_eq!(result_figure(&cixi, "data-rejected"), "4");
    for role in [Role::Leader, Role::GridWorker, Role::BankLiaison] {
        let a = upload(&state, role, COUNTY, &csv).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

const DAY: i64 = 86_400_000;

/// Users who may be responsible: the east village's grid worker, the county's commander (the
/// login `send` gives a commander of the county), the west village's grid worker and another
/// county's.
async fn officers(state: &AppState) {
    for (login, name, unit, role) in [
        ("grid_east", "东片网格员", EAST_VILLAGE, Role::GridWorker),
        (
            "unit_commander_330281",
            "余姚所长",
            COUNTY,
            Role::UnitCommander,
        ),
        ("grid_west", "西片网格员", WEST_VILLAGE, Role::GridWorker),
        ("grid_other", "慈溪网格员", OTHER_VILLAGE, Role::GridWorker),
    ] {
        state
            .store
            .users()
            .upsert(&NewUser {
                login: login.into(),
                display_name: name.into(),
                unit_code: unit.into(),
                roles: vec![role],
                joint_member: None,
                bank_code: None,
                operator: None,
                password_hash: None,
            })
            .await
            .unwrap();
    }
}

async fn the_dossier_names_its_responsible_officer_and_visit_cycle(db: &Db) {
    let state = world(db).await;
    officers(&state).await;
    let zhang = list_person(&state, &zhang_id(), "returned").await;
    let page = get(&state, &zhang).await.text();
    // Nobody yet; the returnee's monthly cycle runs from the listing (10 March).
    assert!(page.contains("<dd data-responsible></dd>"), "{page}");
    assert!(page.contains("data-visit-cycle=\"30\""), "{page}");
    assert!(
        page.contains("<dd data-next-visit>2026-04-09</dd>"),
        "{page}"
    );
    // The officers on the person's line are offered, the west village's and 慈溪's are not.
    assert!(page.contains("<option value=\"grid_east\""), "{page}");
    assert!(page.contains("<option value=\"unit_commander_330281\""));
    assert!(!page.contains("grid_west") && !page.contains("grid_other"));

    add(
        &state,
        &zhang,
        "kind=assign&officer=grid_east&officer_phone=",
    )
    .await;
    let page = get(&state, &zhang).await.text();
    assert!(
        page.contains("<dd data-responsible>东片网格员 · grid_east</dd>"),
        "{page}"
    );
    assert!(page.contains("data-event=\"assigned\""), "{page}");
    for refused in [
        "kind=assign&officer=grid_west",
        "kind=assign&officer=grid_other",
    ] {
        let a = post(&state, &format!("{zhang}/events"), refused).await;
        assert!(a.status.is_client_error(), "{refused}: {}", a.status);
        assert!(a.message().contains("grid_"), "{}", a.text());
    }
    let a = post(
        &state,
        &format!("{zhang}/events"),
        "kind=assign&officer=&officer_name=%E7%8E%8B%E8%AD%A6%E5%AE%98&officer_phone=",
    )
    .await;
    assert!(a.status.is_client_error(), "a named officer needs a phone");
    add(
        &state,
        &zhang,
        "kind=assign&officer=&officer_name=%E7%8E%8B%E8%AD%A6%E5%AE%98&officer_phone=13900002222",
    )
    .await;
    let page = get(&state, &zhang).await.text();
    assert!(
        page.contains("<dd data-responsible>王警官 13900002222</dd>"),
        "in full on the dossier: {page}"
    );

    // The dossier's own cycle, and back to the category's.
    add(&state, &zhang, "kind=visit_cycle&cycle=7").await;
    let page = get(&state, &zhang).await.text();
    assert!(page.contains("data-visit-cycle=\"7\""), "{page}");
    assert!(
        page.contains("<dd data-next-visit>2026-03-17</dd>"),
        "{page}"
    );
    assert!(page.contains("data-event=\"visit_cycle\""));
    let a = post(
        &state,
        &format!("{zhang}/events"),
        "kind=visit_cycle&cycle=400",
    )
    .await;
    assert!(a.status.is_client_error(), "{}", a.status);
    add(&state, &zhang, "kind=visit_cycle&cycle=").await;
    assert!(get(&state, &zhang)
        .await
        .text()
        .contains("data-visit-cycle=\"30\""));

    // Another county neither sees nor assigns.
    let a = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("{zhang}/events"),
        "kind=assign&officer=grid_other",
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    let a = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("{zhang}/events"),
        "kind=visit_cycle&cycle=3",
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

async fn overdue_visits_and_mine_filter_count_and_export_the_list(db: &Db) {
    let state = world(db).await;
    officers(&state).await;
    let store = &state.store;
    let kp = store.key_persons();
    let county = store.units().scope(COUNTY).await.unwrap();
    let open = |n: usize, category, at| {
        let county = county.clone();
        let id = residents()[n].0.clone();
        async move {
            store
                .key_persons()
                .create(
                    &county_or_platform(&county, n),
                    &NewKeyPerson {
                        resident_id: id,
                        category,
                        reason: "线索".into(),
                        source: "form".into(),
                        created_by: "analyst".into(),
                        at,
                    },
                )
                .await
                .unwrap()
                .0
        }
    };
    // 张 sells cards, listed 70 days ago (every 60 days): overdue. 李 came back 20 days ago
    // (monthly): not yet. 赵, a fraud record listed 100 days ago, was visited 10 days ago. 王 in
    // 慈溪 came back 40 days ago: overdue, but not of this county.
    let zhang = open(0, KeyPersonCategory::TwoCards, t0() - 70 * DAY).await;
    let li = open(1, KeyPersonCategory::Returned, t0() - 20 * DAY).await;
    let zhao = open(2, KeyPersonCategory::FraudRecord, t0() - 100 * DAY).await;
    let wang = open(4, KeyPersonCategory::Returned, t0() - 40 * DAY).await;
    kp.add_event(
        &county,
        zhao,
        &KeyPersonMeasure::Visit {
            note: "在家".into(),
            control: None,
        },
        "grid_east",
        t0() - 10 * DAY,
    )
    .await
    .unwrap();
    kp.assign(
        &county,
        li,
        &Responsible::User {
            login: "unit_commander_330281".into(),
            phone: None,
        },
        "analyst",
        t0(),
    )
    .await
    .unwrap();
    kp.assign(
        &county,
        zhang,
        &Responsible::Named {
            name: "王警官".into(),
            phone: "13900002222".into(),
        },
        "analyst",
        t0(),
    )
    .await
    .unwrap();

    let body = get(&state, "/key-persons").await.text();
    assert_eq!(figure(&body, "visits_overdue"), "1", "{body}");
    assert_eq!(figure(&body, "unassigned"), "1", "赵");
    assert_eq!(
        figure(&body, "visits_month"),
        "0",
        "赵's visit was in February"
    );
    let zhang_row = rows(&body)
        .into_iter()
        .find(|r| r.starts_with(&format!("{zhang}\"")))
        .unwrap();
    assert!(zhang_row.contains("data-overdue"), "{zhang_row}");
    assert!(
        zhang_row.contains("<td data-responsible>王警官 139****2222</td>"),
        "the officer's phone masked in the list: {zhang_row}"
    );
    let body = get(&state, "/key-persons?visit=overdue").await.text();
    assert_eq!(rows(&body).len(), 1, "{body}");
    assert!(body.contains("<b id=\"key-person-count\">1</b>"));
    assert!(body.contains("<option value=\"overdue\" selected"));
    assert!(
        body.contains("visit=overdue&format=csv"),
        "the export keeps the filter"
    );
    assert_eq!(
        get(&state, "/key-persons?visit=soon").await.status,
        StatusCode::BAD_REQUEST
    );

    // A visit recorded today takes 张 off and counts in the month.
    add(
        &state,
        &format!("/key-persons/{zhang}"),
        "kind=visit&note=%E5%9C%A8%E5%AE%B6",
    )
    .await;
    let body = get(&state, "/key-persons").await.text();
    assert_eq!(figure(&body, "visits_overdue"), "0");
    assert_eq!(figure(&body, "visits_month"), "1");
    kp.set_visit_cycle(&county, li, Some(7), "analyst", t0())
        .await
        .unwrap();

    // "Mine": the commander is responsible for 李 only.
    let mine = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/key-persons?mine=1",
        "",
    )
    .await
    .text();
    let ids: Vec<&str> = rows(&mine)
        .iter()
        .map(|r| r.split('"').next().unwrap())
        .collect();
    assert_eq!(ids, [li.to_string()], "{mine}");
    assert!(mine.contains("name=\"mine\" value=\"1\" checked"));
    assert!(rows(&get(&state, "/key-persons?mine=1").await.text()).is_empty());

    // The export: the officer (phone masked), the next visit and the overdue mark.
    let csv = get(&state, "/key-persons?visit=overdue&format=csv")
        .await
        .text();
    let lines: Vec<&str> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines[0].contains("包保责任人") && lines[0].contains("下次走访"),
        "{csv}"
    );
    assert_eq!(lines.len(), 2, "李, weekly now and never visited: {csv}");
    assert!(lines[1].contains("余姚所长"), "{csv}");
    let all = get(&state, "/key-persons?format=csv").await.text();
    assert!(all.contains("王警官 139****2222"), "{all}");
    assert!(!all.contains("13900002222"), "{all}");
    let xlsx = get(&state, "/key-persons?format=xlsx&visit=overdue").await;
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.body)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.rows().count(), 2);

    // Another county: its own overdue returnee only; this county's dossier is not found.
    let other = send(
        &state,
        Role::CenterAnalyst,
        OTHER_COUNTY,
        "GET",
        "/key-persons?visit=overdue",
        "",
    )
    .await
    .text();
    let ids: Vec<&str> = rows(&other)
        .iter()
        .map(|r| r.split('"').next().unwrap())
        .collect();
    assert_eq!(ids, [wang.to_string()], "{other}");
    assert_eq!(figure(&other, "visits_overdue"), "1");
    let a = send(
        &state,
        Role::CenterAnalyst,
        OTHER_COUNTY,
        "GET",
        &format!("/key-persons/{zhang}"),
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

/// The scope to list resident `n` in: the county for 余姚's, the platform for 慈溪's.
fn county_or_platform(county: &Scope, n: usize) -> Scope {
    if residents()[n].3 == OTHER_VILLAGE {
        Scope::platform()
    } else {
        county.clone()
    }
}

async fn a_grid_worker_sees_the_visits_due_and_records_one_on_the_phone(db: &Db) {
    let state = world(db).await;
    officers(&state).await;
    // The login `send` gives a grid worker of the east village.
    let me = format!("grid_worker_{EAST_VILLAGE}");
    state
        .store
        .users()
        .upsert(&NewUser {
            login: me.clone(),
            display_name: "东片网格员2".into(),
            unit_code: EAST_VILLAGE.into(),
            roles: vec![Role::GridWorker],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: None,
        })
        .await
        .unwrap();
    let kp = state.store.key_persons();
    let county = state.store.units().scope(COUNTY).await.unwrap();
    let mut ids = Vec::new();
    // 张 (east, card seller listed 70 days ago: overdue), 赵 (east, returnee listed 5 days ago)
    // are mine; 李 (west) is the west worker's.
    for (n, category, days_ago, officer) in [
        (0, KeyPersonCategory::TwoCards, 70, me.as_str()),
        (2, KeyPersonCategory::Returned, 5, me.as_str()),
        (1, KeyPersonCategory::Returned, 70, "grid_west"),
    ] {
        let (id, _) = kp
            .create(
                &county,
                &NewKeyPerson {
                    resident_id: residents()[n].0.clone(),
                    category,
                    reason: "线索".into(),
                    source: "form".into(),
                    created_by: "analyst".into(),
                    at: t0() - days_ago * DAY,
                },
            )
            .await
            .unwrap();
        kp.assign(
            &county,
            id,
            &Responsible::User {
                login: officer.into(),
                phone: None,
            },
            "analyst",
            t0(),
        )
        .await
        .unwrap();
        ids.push(id);
    }
    let (zhang, zhao, li) = (ids[0], ids[1], ids[2]);
    let worker = |method: &'static str, path: String, form: &'static str| {
        let state = state.clone();
        async move { send(&state, Role::GridWorker, EAST_VILLAGE, method, &path, form).await }
    };

    let home = worker("GET", "/m".into(), "").await.text();
    assert!(home.contains("id=\"key-persons-link\""), "{home}");
    assert!(home.contains("data-visits-overdue=\"1\""), "{home}");
    let page = worker("GET", "/m/key-persons".into(), "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let body = page.text();
    let cards = phone_cards(&body);
    assert_eq!(
        cards,
        [zhang.to_string(), zhao.to_string()],
        "mine, the overdue first"
    );
    assert!(body.contains("张*丰") && !body.contains("张三丰"), "masked");
    assert_eq!(body.matches("data-overdue").count(), 1, "{body}");
    // 赵 turns up as a suspect of a case reported an hour ago: first on the phone, marked,
    // until the worker has been to see him.
    state
        .store
        .cases()
        .create(&NewCase {
            id: "AJ-M1".into(),
            victim_name: Some("受害人".into()),
            unit_code: WEST_VILLAGE.into(),
            reported_at: t0() - 3_600_000,
            loss_fen: 50_000,
            narrative: "刷单返利".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "setup".into(),
            created_at: t0() - 3_600_000,
            ..NewCase::default()
        })
        .await
        .unwrap();
    state
        .store
        .enforcement()
        .add_suspect(
            &county,
            &NewSuspect {
                case_id: "AJ-M1".into(),
                name: "赵六一".into(),
                resident_id: Some(residents()[2].0.clone()),
                phone: None,
                role: SuspectRole::CashMule,
                measure: None,
                measure_at: None,
                note: String::new(),
                created_by: "setup".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    let body = worker("GET", "/m/key-persons".into(), "").await.text();
    let cards = phone_cards(&body);
    assert_eq!(
        cards,
        [zhao.to_string(), zhang.to_string()],
        "赵 first, before 张's overdue visit: {body}"
    );
    assert_eq!(body.matches("data-involved").count(), 1, "{body}");

    let a = worker(
        "POST",
        format!("/m/key-persons/{zhang}/visit"),
        "note=%E5%9C%A8%E5%AE%B6",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert_eq!(a.location, "/m/key-persons");
    let body = worker("GET", "/m/key-persons".into(), "").await.text();
    assert!(!body.contains("data-overdue"), "{body}");
    let k = kp.get(&county, zhang).await.unwrap();
    assert_eq!(k.last_visit_at, Some(t0()));
    let last = kp.events(&county, zhang).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("visit", me.as_str())
    );

    let a = worker(
        "POST",
        format!("/m/key-persons/{zhao}/visit"),
        "note=%E5%B7%B2%E6%A0%B8%E6%9F%A5",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let body = worker("GET", "/m/key-persons".into(), "").await.text();
    assert!(!body.contains("data-involved"), "followed up: {body}");

    // An empty note is refused; a dossier outside the worker's grid is not found.
    let a = worker("POST", format!("/m/key-persons/{zhao}/visit"), "note=+").await;
    assert!(a.status.is_client_error(), "{}", a.status);
    let a = worker("POST", format!("/m/key-persons/{li}/visit"), "note=x").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // Analysts and leaders have the dossier pages, not the phone's.
    for role in [Role::CenterAnalyst, Role::Leader, Role::BankLiaison] {
        let a = send(&state, role, COUNTY, "GET", "/m/key-persons", "").await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

/// The units directly below the reader's, each with its subtree's figures, on the page and as
/// the export's `units` section; a unit's own view goes one level further down.
async fn the_register_breaks_its_figures_down_by_the_units_below(db: &Db) {
    let (state, _) = measured_world(db).await;
    let body = get(&state, "/key-persons").await.text();
    let unit_row = |body: &str, code: &str| -> String {
        body.split(&format!("<tr data-unit=\"{code}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row of {code}: {body}"))
            .to_string()
    };
    let cell = |row: &str, name: &str| -> String {
        row.split(&format!("data-unit-figure=\"{name}\""))
            .nth(1)
            .and_then(|rest| rest.split('>').nth(1))
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_else(|| panic!("no {name} in {row}"))
            .to_string()
    };
    // 阳明街道: 张 (punished, barred) and 赵 (back); 梨洲街道: 李 abroad, 钱 back and closed.
    let yangming = unit_row(&body, "330281001");
    assert!(yangming.contains("<a href=\"/key-persons?unit=330281001\">阳明街道</a>"));
    for (name, value) in [
        ("in_control", "2"),
        ("punished", "1"),
        ("exit_bans", "1"),
        ("abroad", "0"),
        ("returned", "1"),
        ("return_rate", "100.0%"),
        ("closed", "0"),
    ] {
        assert_eq!(cell(&yangming, name), value, "阳明街道 {name}");
    }
    let lizhou = unit_row(&body, "330281002");
    for (name, value) in [
        ("in_control", "1"),
        ("punished", "0"),
        ("abroad", "1"),
        ("returned", "1"),
        ("return_rate", "50.0%"),
        ("closed", "1"),
    ] {
        assert_eq!(cell(&lizhou, name), value, "梨洲街道 {name}");
    }
    assert!(
        !body.contains("<tr data-unit=\"330282"),
        "慈溪 is not below 余姚"
    );

    let csv = get(&state, "/key-persons?format=csv&section=units")
        .await
        .text();
    let lines: Vec<&str> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 3, "header and two townships: {csv}");
    assert!(
        lines[0].contains("在控") && lines[0].contains("列管后再次涉案"),
        "{csv}"
    );
    assert!(
        lines[1].starts_with("阳明街道,2,1,1,0,1,100.0%,0,"),
        "{csv}"
    );

    // The township's own view lists its villages.
    let narrowed = get(&state, "/key-persons?unit=330281001").await.text();
    assert_eq!(cell(&unit_row(&narrowed, EAST_VILLAGE), "in_control"), "2");
    assert!(!narrowed.contains("<tr data-unit=\"330281002\">"));
}

/// The dossier ids of the cards on the phone's key-person list, top to bottom.
fn phone_cards(body: &str) -> Vec<&str> {
    body.split("data-key-person=\"")
        .skip(1)
        .map(|c| c.split('"').next().unwrap())
        .collect()
}

/// 动态管控: the dossier's visit form says where the person stands (外出 with where, 失联) and
/// gives a new number; the dossier shows it, the list filters and marks it, the figures count
/// the away and the lost; the phone's visit says the same; a place without a state or a number
/// that is not one is refused naming the field. 回流人员核查: a returnee persuaded back waits as
/// 待核查, is checked on the dossier, and counts as prosecuted.
async fn visits_say_where_people_stand_and_returnees_are_checked(db: &Db) {
    let (state, zhang) = measured_world(db).await;
    let people = residents();
    // 张 went to work in 深圳 and gave a new number.
    add(
        &state,
        &zhang,
        "kind=visit&note=%E7%94%B5%E8%AF%9D%E6%A0%B8%E5%AE%9E&control=away&control_place=%E5%B9%BF%E4%B8%9C%E7%9C%81%E6%B7%B1%E5%9C%B3%E5%B8%82&contact=13912345678",
    )
    .await;
    let page = get(&state, &zhang).await.text();
    assert!(page.contains(r#"data-control="away""#), "{page}");
    assert!(page.contains("广东省深圳市"));
    assert!(
        page.contains("13912345678"),
        "the number in full on the dossier"
    );

    // 李 (abroad, refusing) cannot be reached.
    let li = list_person(&state, &people[1].0, "abroad_high_risk").await;
    add(
        &state,
        &li,
        "kind=visit&note=%E4%B8%8A%E9%97%A8%E6%9C%AA%E9%81%87&control=lost",
    )
    .await;

    let list = get(&state, "/key-persons").await.text();
    assert_eq!(figure(&list, "away"), "1", "{list}");
    assert_eq!(figure(&list, "lost"), "1");
    let lost = get(&state, "/key-persons?control=lost").await.text();
    let lost_rows = rows(&lost);
    assert_eq!(lost_rows.len(), 1, "{lost}");
    assert!(lost_rows[0].contains(r#"data-control="lost""#));
    assert!(!lost.contains("13912345678"), "masked in the list");
    assert_eq!(
        rows(&get(&state, "/key-persons?control=away").await.text()).len(),
        1
    );
    assert_eq!(
        get(&state, "/key-persons?control=gone").await.status,
        StatusCode::BAD_REQUEST
    );

    // Slips are refused by field and write nothing.
    for (form, field) in [
        (
            "kind=visit&note=x&control_place=%E6%B7%B1%E5%9C%B3",
            "control",
        ),
        ("kind=visit&note=x&control=away&contact=123", "contact"),
    ] {
        let a = post(&state, &format!("{zhang}/events"), form).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(a.text().contains(field), "{field}: {}", a.text());
    }
    let id: i64 = zhang.trim_start_matches("/key-persons/").parse().unwrap();
    let county = state.store.units().scope(COUNTY).await.unwrap();
    let k = state.store.key_persons().get(&county, id).await.unwrap();
    assert_eq!(k.contact_phone.as_deref(), Some("13912345678"));
    assert_eq!(k.control_state, Some(fanzha_store::ControlState::Away));

    // From the phone: the officer responsible finds 张 back home.
    officers(&state).await;
    let me = format!("grid_worker_{EAST_VILLAGE}");
    state
        .store
        .users()
        .upsert(&NewUser {
            login: me.clone(),
            display_name: "东片网格员2".into(),
            unit_code: EAST_VILLAGE.into(),
            roles: vec![Role::GridWorker],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: None,
        })
        .await
        .unwrap();
    state
        .store
        .key_persons()
        .assign(
            &county,
            id,
            &Responsible::User {
                login: me,
                phone: None,
            },
            "analyst",
            t0(),
        )
        .await
        .unwrap();
    let phone = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "GET",
        "/m/key-persons",
        "",
    )
    .await
    .text();
    assert!(phone.contains(r#"data-control="away""#), "{phone}");
    let a = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        &format!("/m/key-persons/{id}/visit"),
        "note=%E5%B7%B2%E8%BF%94%E4%B9%A1&control=stable",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let k = state.store.key_persons().get(&county, id).await.unwrap();
    assert_eq!(k.control_state, Some(fanzha_store::ControlState::Stable));
    assert_eq!(k.contact_phone.as_deref(), Some("13912345678"), "kept");
    assert_eq!(
        figure(&get(&state, "/key-persons").await.text(), "away"),
        "0"
    );

    // 回流人员核查: 钱 came back (劝返回流, closed dossier), 赵 was persuaded back and waits.
    let list = get(&state, "/key-persons").await.text();
    assert_eq!(figure(&list, "returnees_unchecked"), "1", "{list}");
    let unchecked = get(&state, "/key-persons?returnee=unchecked").await.text();
    assert_eq!(rows(&unchecked).len(), 1, "{unchecked}");
    // The unit's 待办 counts the returnee waiting, until checked.
    let todo_returnees = |page: &str| -> String {
        let rest = page
            .split("data-todo=\"todo_returnees\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no 回流人员待核查 line: {page}"));
        let open = rest.split("data-open>").nth(1).unwrap();
        open[..open.find('<').unwrap()].to_string()
    };
    let todo = get(&state, "/todo").await.text();
    assert_eq!(todo_returnees(&todo), "1", "{todo}");
    assert!(todo.contains("href=\"/key-persons?returnee=unchecked\""));
    let zhao = format!(
        "/key-persons/{}",
        rows(&unchecked)[0].split('"').next().unwrap()
    );
    let dossier = get(&state, &zhao).await.text();
    assert!(
        dossier.contains("data-unchecked") && dossier.contains("add-returnee-check"),
        "{dossier}"
    );
    add(
        &state,
        &zhao,
        "kind=returnee_check&result=criminal&note=%E5%B7%B2%E5%88%91%E6%8B%98",
    )
    .await;
    let dossier = get(&state, &zhao).await.text();
    assert!(!dossier.contains("data-unchecked"));
    assert!(dossier.contains("涉嫌犯罪"), "{dossier}");
    let list = get(&state, "/key-persons").await.text();
    assert_eq!(figure(&list, "returnees_unchecked"), "0");
    assert_eq!(todo_returnees(&get(&state, "/todo").await.text()), "0");
    assert_eq!(figure(&list, "returnees_prosecuted"), "1");
    assert_eq!(
        rows(&get(&state, "/key-persons?returnee=criminal").await.text()).len(),
        1
    );
    // Only a returnee's dossier is checked; a finding is required.
    assert!(!get(&state, &zhang)
        .await
        .text()
        .contains("add-returnee-check"));
    let a = post(
        &state,
        &format!("{zhao}/events"),
        "kind=returnee_check&note=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}
