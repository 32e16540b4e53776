//! 两卡线索 · 落地核查, on SQLite and PostgreSQL: the center imports a lead list with a bad row
//! (rejected with its line and reason, kept in the quarantine); the lead of a registered holder
//! goes to the township of the residence, whose commander sees it masked (list and export),
//! checks it as 出售 and lists the holder as a key person (两卡) in the same action, and the
//! figures move; another county's commander sees none of it and cannot check it; a bank
//! liaison gets 403 everywhere, a leader the figures but not the list or its export.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    ImportRunId, KeyPersonCategory, KeyPersonFilter, LeadFilter, NewPerson, PageRequest, Role,
    Scope, UnitLevel,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_center_imports_and_the_commander_checks_a_sold_card_listing_the_holder,
    another_county_sees_nothing_of_it,
    a_bank_liaison_is_refused_and_a_leader_sees_only_figures,
    a_roaming_holder_found_abroad_is_listed_for_persuasion_where_the_number_roams,
    a_lead_not_of_ones_area_is_handed_on_to_the_holders_unit,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const CARD: &str = "6222021001115678903";
const BAD_CARD: &str = "6222021001115678904";
const PHONE: &str = "13800138000";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn holder_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, 1, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

fn stranger_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 2, 3).unwrap();
    fanzha_core::ResidentId::generate(110105, birth, 2, fanzha_core::Sex::Female)
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
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: holder_id(),
            name: "张卫国".into(),
            phone: None,
            residence_code: EAST_VILLAGE.into(),
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
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

enum Body_ {
    Form(String),
    Multipart(String),
}

/// `method path` as `role` at `unit`, with a form or multipart body for writes (CSRF token
/// included).
async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    body: Body_,
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
    let boundary = "fanzha-lead-boundary";
    let body = match body {
        Body_::Form(f) => {
            if method != "GET" {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            }
            f
        }
        Body_::Multipart(file) => {
            req = req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\nnational\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
            )
        }
    };
    if method != "GET" {
        req = req.header("x-csrf-token", &session.csrf_token);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer { status, body }
}

fn get() -> Body_ {
    Body_::Form(String::new())
}

/// Two good leads (a registered holder's card, a stranger's phone) and a bad card on line 3.
fn lead_file() -> String {
    format!(
        "序号,线索编号,银行卡号,手机号,身份证号,姓名,可疑原因\n\
         1,LK-2026-0001,{CARD},,{},张卫国,开卡后短期大额流水\n\
         2,LK-2026-0002,{BAD_CARD},,{},张卫国,涉案账户\n\
         3,LK-2026-0003,,{PHONE},{},李梅,批量开卡\n",
        holder_id(),
        holder_id(),
        stranger_id()
    )
}

/// The `data-figure` tile's number.
fn figure(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("data-figure=\"{name}\">"))
        .unwrap_or_else(|| panic!("no figure {name}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn import(state: &AppState) -> Answer {
    let a = send(
        state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        "/two-card-leads/import",
        Body_::Multipart(lead_file()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a
}

async fn card_lead_id(state: &AppState) -> i64 {
    let page = state
        .store
        .two_card_leads()
        .list(
            &Scope::platform(),
            &LeadFilter::default(),
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap();
    page.items.iter().find(|l| l.number == CARD).unwrap().id
}

async fn the_center_imports_and_the_commander_checks_a_sold_card_listing_the_holder(db: &Db) {
    let state = world(db).await;
    let a = import(&state).await;
    let page = a.text();
    assert!(page.contains("data-received>2<"), "{page}");
    assert!(page.contains("data-rejected>1<"), "{page}");
    assert!(
        page.contains("<tr data-line=\"3\"><td>3</td><td data-column=\"card\">卡号</td><td data-reason=\"bad_luhn\" title=\"bad_luhn\">卡号校验位不符</td>"),
        "{page}"
    );
    let run_id = page
        .split("data-import-run=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|r| r.parse::<i64>().ok())
        .unwrap();
    let quarantined = state
        .store
        .imports()
        .quarantine(ImportRunId(run_id), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        quarantined
            .items
            .iter()
            .map(|q| q.row.line)
            .collect::<Vec<_>>(),
        vec![3]
    );
    // Importing the same list again the same day receives nothing new.
    let again = import(&state).await.text();
    assert!(again.contains("data-received>0<"), "{again}");
    assert!(again.contains("data-duplicates>2<"), "{again}");

    // The registered holder's card went to the township; the stranger's phone stays with the
    // county. The township's commander sees it masked.
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.text();
    assert_eq!(figure(&list, "received"), "1");
    assert_eq!(figure(&list, "checked"), "0");
    assert!(list.contains("6222 **** **** 8903"), "{list}");
    assert!(
        !list.contains(CARD) && !list.contains(&holder_id()),
        "unmasked in the list"
    );
    assert!(
        !list.contains(PHONE),
        "the county's lead shows in the township"
    );
    let csv = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/two-card-leads?format=csv",
        get(),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    assert!(csv.contains("6222 **** **** 8903"), "{csv}");
    assert!(
        !csv.contains(CARD) && !csv.contains(&holder_id()),
        "unmasked in the export: {csv}"
    );
    let county_csv = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/two-card-leads?format=csv",
        get(),
    )
    .await
    .text();
    assert!(
        county_csv.contains("138****8000") && !county_csv.contains(PHONE),
        "{county_csv}"
    );

    // 列为重点人员 is refused for a cleared card, and nothing is recorded.
    let id = card_lead_id(&state).await;
    let path = format!("/two-card-leads/{id}/check");
    let refused = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form("result=normal&note=&key_person=1".into()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let checked = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form("result=sold&note=%E4%BB%A5500%E5%85%83%E5%87%BA%E5%94%AE&key_person=1".into()),
    )
    .await;
    assert!(
        checked.status.is_success() || checked.status.is_redirection(),
        "{}",
        checked.text()
    );
    let lead = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(lead.result, Some(fanzha_store::LeadResult::Sold));
    assert_eq!(lead.note, "以500元出售");
    let listed = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &KeyPersonFilter {
                resident_id: Some(holder_id()),
                ..KeyPersonFilter::default()
            },
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].category, KeyPersonCategory::TwoCards);
    assert_eq!(listed.items[0].unit_code, EAST_VILLAGE);
    // Checked once only.
    let twice = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form("result=normal".into()),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // 打击处理 of the seller: recorded on the lead, counted once per person, in the statistics
    // and the brief too.
    let measured = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &format!("/two-card-leads/{id}/measure"),
        Body_::Form("measure=criminal_detention&measure_at=2026-03-10".into()),
    )
    .await;
    assert!(
        measured.status.is_success() || measured.status.is_redirection(),
        "{}",
        measured.text()
    );
    let lead = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(
        lead.measure,
        Some(fanzha_store::SuspectMeasure::CriminalDetention)
    );

    // The figures moved, for the township and the county.
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&list, "checked"), "1");
    assert_eq!(figure(&list, "given_away"), "1");
    assert_eq!(figure(&list, "given_away_share"), "100.0%");
    assert_eq!(figure(&list, "dealt_with"), "1");
    assert_eq!(figure(&list, "coercive"), "1");
    let brief = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/statistics?period=7d&view=brief",
        get(),
    )
    .await
    .text();
    assert!(
        brief.contains("打击处理1人（其中刑事强制措施1人）"),
        "{brief}"
    );
    let county = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/two-card-leads?state=pending",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&county, "received"), "2");
    assert_eq!(figure(&county, "pending"), "1");
    assert!(county.contains("data-total>1<"), "{county}");
    assert!(
        county.contains("LK-2026-0003"),
        "the upstream number is listed"
    );

    // 反馈: the checked lead goes back up by its upstream number, with what the check found;
    // the pending one is not in it. A batch filter narrows it to one push.
    let feedback = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/two-card-leads?format=csv&section=feedback",
        get(),
    )
    .await;
    assert_eq!(feedback.status, StatusCode::OK);
    let feedback = feedback.text();
    assert!(
        feedback.contains("LK-2026-0001")
            && feedback.contains("出售")
            && feedback.contains("以500元出售"),
        "{feedback}"
    );
    assert!(!feedback.contains("LK-2026-0003"), "{feedback}");
    assert!(!feedback.contains(CARD), "masked: {feedback}");
    let other_batch = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/two-card-leads?format=csv&section=feedback&batch=2025-01-01",
        get(),
    )
    .await
    .text();
    assert!(!other_batch.contains("LK-2026-0001"), "{other_batch}");
}

async fn another_county_sees_nothing_of_it(db: &Db) {
    let state = world(db).await;
    import(&state).await;
    let id = card_lead_id(&state).await;
    let page = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert_eq!(figure(&page, "received"), "0");
    assert!(!page.contains("8903"), "{page}");
    let csv = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/two-card-leads?format=csv",
        get(),
    )
    .await
    .text();
    assert!(!csv.contains("8903"), "{csv}");
    let check = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("/two-card-leads/{id}/check"),
        Body_::Form("result=normal".into()),
    )
    .await;
    assert_eq!(check.status, StatusCode::NOT_FOUND);
    let narrowed = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/two-card-leads?unit={TOWNSHIP}"),
        get(),
    )
    .await;
    assert_eq!(narrowed.status, StatusCode::NOT_FOUND);
    let lead = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(lead.state, fanzha_store::LeadState::Pending);
}

async fn a_bank_liaison_is_refused_and_a_leader_sees_only_figures(db: &Db) {
    let state = world(db).await;
    import(&state).await;
    let id = card_lead_id(&state).await;
    for (method, path, body) in [
        ("GET", "/two-card-leads".to_string(), get()),
        ("GET", "/two-card-leads?format=csv".to_string(), get()),
        (
            "POST",
            "/two-card-leads/import".to_string(),
            Body_::Multipart(lead_file()),
        ),
        (
            "POST",
            format!("/two-card-leads/{id}/check"),
            Body_::Form("result=normal".into()),
        ),
    ] {
        let a = send(&state, Role::BankLiaison, COUNTY, method, &path, body).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await;
    assert_eq!(leader.status, StatusCode::OK);
    let leader = leader.text();
    assert_eq!(figure(&leader, "received"), "2");
    assert!(
        !leader.contains("8903") && !leader.contains("tcl-leads"),
        "a leader sees the list"
    );
    let export = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/two-card-leads?format=csv",
        get(),
    )
    .await;
    // A leader's export holds the figures, never the leads.
    assert_eq!(export.status, StatusCode::OK);
    let text = export.text();
    assert!(
        text.contains("下发线索,2\n") && !text.contains("8903"),
        "{text}"
    );
    let leads = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/two-card-leads?format=csv&section=leads",
        get(),
    )
    .await;
    assert_eq!(leads.status, StatusCode::BAD_REQUEST);
    // A commander checks but does not import.
    let import = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/two-card-leads/import",
        Body_::Multipart(lead_file()),
    )
    .await;
    assert_eq!(import.status, StatusCode::FORBIDDEN);
    let lead = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(lead.state, fanzha_store::LeadState::Pending);
}

async fn a_roaming_holder_found_abroad_is_listed_for_persuasion_where_the_number_roams(db: &Db) {
    let state = world(db).await;
    let file = format!(
        "线索编号,手机号,银行卡号,身份证号,姓名,漫游地,线索原因\n\
         MY-0001,{PHONE},,{},张卫国,缅甸妙瓦底,境外高危地区漫游\n\
         MY-0002,,{CARD},{},张卫国,柬埔寨西港,境外高危地区漫游\n",
        holder_id(),
        holder_id()
    );
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        "/two-card-leads/import",
        Body_::Multipart(file),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let page = a.text();
    // The card with a roaming place is refused (line 3), the phone is a roaming lead.
    assert!(page.contains("data-received>1<"), "{page}");
    assert!(page.contains("place_without_phone"), "{page}");
    let lead = state
        .store
        .two_card_leads()
        .list(
            &Scope::platform(),
            &LeadFilter::default(),
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(
        (lead.kind, lead.place.as_str()),
        (fanzha_store::LeadKind::Roaming, "缅甸妙瓦底")
    );
    // The list shows where it roams and offers only the results of a roaming lead.
    let list = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await;
    let text = list.text();
    let row = &text[text.find(&format!("data-lead=\"{}\"", lead.id)).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<small data-place>缅甸妙瓦底</small>"),
        "{row}"
    );
    assert_eq!(figure(&text, "roaming"), "1");
    assert!(
        row.contains("value=\"abroad\"") && !row.contains("value=\"normal\""),
        "{row}"
    );

    let path = format!("/two-card-leads/{}/check", lead.id);
    let wrong = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        Body_::Form("result=normal&note=".into()),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.text());
    let checked = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        Body_::Form("result=abroad&note=%E5%AE%B6%E5%B1%9E%E7%A1%AE%E8%AE%A4&key_person=1".into()),
    )
    .await;
    assert!(checked.status.is_redirection(), "{}", checked.text());
    let dossiers = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &fanzha_store::KeyPersonFilter::default(),
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(dossiers.items.len(), 1);
    let d = &dossiers.items[0];
    assert_eq!(d.category, fanzha_store::KeyPersonCategory::AbroadHighRisk);
    assert_eq!(d.abroad_state, Some(fanzha_store::AbroadState::Abroad));
    assert_eq!(d.abroad_place.as_deref(), Some("缅甸妙瓦底"));
    assert!(
        d.reason
            .contains("手机漫游线索核查（缅甸妙瓦底）：本人滞留境外"),
        "{}",
        d.reason
    );
}

/// 线索转递: the township's commander finds the holder lives in 慈溪 and hands the lead on by
/// the township's name, with why; it leaves the township's list and arrives in 慈溪's with a
/// fresh deadline and where it came from, audited; a name nobody bears answers 404, the unit
/// holding it already or no reason 400, a grid worker 403, and a checked lead is not handed on.
async fn a_lead_not_of_ones_area_is_handed_on_to_the_holders_unit(db: &Db) {
    let state = world(db).await;
    import(&state).await;
    let id = card_lead_id(&state).await;
    let before = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    let later = t0() + 10 * 60_000;
    let mut moved = state.clone();
    moved.clock = Arc::new(FixedClock(later));
    let forward = |form: String, role: Role| {
        let state = moved.clone();
        async move {
            send(
                &state,
                role,
                TOWNSHIP,
                "POST",
                &format!("/two-card-leads/{id}/forward"),
                Body_::Form(form),
            )
            .await
        }
    };
    for (form, status) in [
        (
            "unit=%E4%B8%8D%E5%AD%98%E5%9C%A8&reason=x".to_string(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("unit={}&reason=x", before.unit_code),
            StatusCode::BAD_REQUEST,
        ),
        (
            "unit=330282001&reason=+".to_string(),
            StatusCode::BAD_REQUEST,
        ),
        ("unit=&reason=x".to_string(), StatusCode::BAD_REQUEST),
    ] {
        let a = forward(form.clone(), Role::UnitCommander).await;
        assert_eq!(a.status, status, "{form}: {}", a.text());
    }
    assert_eq!(
        forward("unit=330282001&reason=x".into(), Role::GridWorker)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // By name: 浒山街道, the township of 慈溪.
    let a = forward(
        "unit=%E6%B5%92%E5%B1%B1%E8%A1%97%E9%81%93&reason=%E6%88%B7%E7%B1%8D%E5%9C%B0%E5%9C%A8%E6%85%88%E6%BA%AA".into(),
        Role::UnitCommander,
    )
    .await;
    assert!(
        a.status.is_redirection() || a.status.is_success(),
        "{}",
        a.text()
    );
    let lead = state
        .store
        .two_card_leads()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(lead.unit_code, "330282001");
    assert_eq!(
        lead.forwarded_from.as_deref(),
        Some(before.unit_code.as_str())
    );
    assert_eq!(lead.forward_reason.as_deref(), Some("户籍地在慈溪"));
    assert_eq!(
        lead.deadline,
        later + (before.deadline - before.received_at)
    );
    let mine = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await
    .text();
    assert!(!mine.contains(&format!("data-lead=\"{id}\"")), "{mine}");
    let theirs = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/two-card-leads",
        get(),
    )
    .await
    .text();
    assert!(theirs.contains(&format!("data-lead=\"{id}\"")), "{theirs}");
    assert!(
        theirs.contains("data-forwarded") && theirs.contains("户籍地在慈溪"),
        "{theirs}"
    );
    let audited = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap()
        .items
        .into_iter()
        .any(|e| {
            e.action == "two_card_lead_forwarded" && e.target_id.as_deref() == Some(&id.to_string())
        });
    assert!(audited);
    // 慈溪 checks it; it is not handed on any more.
    let checked = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("/two-card-leads/{id}/check"),
        Body_::Form("result=normal".into()),
    )
    .await;
    assert!(
        checked.status.is_redirection() || checked.status.is_success(),
        "{}",
        checked.text()
    );
    let again = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &format!("/two-card-leads/{id}/forward"),
        Body_::Form("unit=330281001&reason=x".into()),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
}
