//! 打击成效, on SQLite and PostgreSQL: an analyst sets a case solved with the money recovered,
//! adds a suspect with a measure and changes it, and records a GOIP den dismantled; the case
//! page lists the suspect masked, the suspect's page shows the person in full and is audited;
//! the statistics and the work brief give 破案数, 破案率, people by measure, 追赃 and the loss
//! recovery rate, and the dens with their devices; another county sees none of it; a leader
//! reads the figures and the register but no suspect; bad input is refused and stores nothing.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    CaseSupervision, InvestigationStatus, NewCase, Role, Scope, Store, SuspectMeasure, UnitLevel,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    an_analyst_records_results_and_the_statistics_and_brief_count_them,
    a_wanted_suspect_is_at_large_until_caught,
    a_campaign_counts_the_results_of_its_period,
    another_county_sees_nothing_of_it,
    a_leader_reads_figures_and_the_register_but_no_suspect,
    bad_input_is_refused_and_stores_nothing,
    a_person_in_two_cases_counts_once_on_the_statistics_and_in_the_brief,
    a_status_set_from_a_stale_form_is_refused,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const CASE: &str = "AJ2026030001";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

/// A valid GB 11643 number born 1990-01-01 in 余姚 with sequence `n`.
fn valid_id(n: u32) -> String {
    let body = format!("33028119900101{n:03}");
    let bytes: [u8; 17] = body.as_bytes().try_into().unwrap();
    let check = fanzha_core::resident_id::check_char(&bytes);
    format!("{body}{}", check as char)
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
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    // Reported 2026-03-02 10:00 Shanghai, a loss of ¥100,000.
    let reported = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+08:00")
        .unwrap()
        .timestamp_millis();
    assert!(store
        .cases()
        .create(&NewCase {
            id: CASE.into(),
            victim_name: Some("王小明".into()),
            unit_code: VILLAGE.into(),
            reported_at: reported,
            loss_fen: 10_000_000,
            narrative: "对方以刷单返利为名诱导受害人转账".into(),
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

/// `method path` as `role` at `unit`, with a form body for writes (CSRF token included).
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

fn ok(a: &Answer) {
    assert!(
        a.status.is_success() || a.status.is_redirection(),
        "{} {}",
        a.status,
        a.body
    );
}

/// The analyst's writes: solved on 3月5日 with ¥12,000 recovered, a cash mule detained on
/// 3月6日 (then arrested on 3月8日), a GOIP den with 40 devices linked to the case.
async fn record_everything(state: &AppState) -> i64 {
    let a = Role::CenterAnalyst;
    ok(&send(
        state,
        a,
        COUNTY,
        "POST",
        &format!("/cases/{CASE}/enforcement"),
        "status=solved&solved_at=2026-03-05T09%3A00&recovered_yuan=1.2%E4%B8%87&supervision=ministry&version=0",
    )
    .await);
    ok(&send(
        state,
        a,
        COUNTY,
        "POST",
        &format!("/cases/{CASE}/suspects"),
        &format!(
            "name=%E5%BC%A0%E4%BC%9F%E6%98%8E&resident_id={}&phone=13912345678&role=cash_mule\
             &measure=criminal_detention&measure_at=2026-03-06T10%3A00&note=",
            valid_id(7)
        ),
    )
    .await);
    ok(&send(
        state,
        a,
        COUNTY,
        "POST",
        "/gangs",
        &format!(
            "unit_code={TOWNSHIP}&kind=goip_den&name=%E9%98%B3%E6%98%8EGOIP%E7%AA%9D%E7%82%B9\
             &dismantled_on=2026-03-08&arrested=3&devices=40&phone_cards=600&bank_cards=25\
             &cases={CASE}"
        ),
    )
    .await);
    let suspects = state
        .store
        .enforcement()
        .suspects(&Scope::platform(), CASE)
        .await
        .unwrap();
    assert_eq!(suspects.len(), 1);
    suspects[0].id
}

async fn actions(store: &Store) -> Vec<String> {
    store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn an_analyst_records_results_and_the_statistics_and_brief_count_them(db: &Db) {
    let state = world(db).await;
    let id = record_everything(&state).await;
    let e = state
        .store
        .enforcement()
        .of_case(&Scope::platform(), CASE)
        .await
        .unwrap();
    assert_eq!(e.status, InvestigationStatus::Solved);
    assert_eq!(e.recovered_fen, 1_200_000);
    assert_eq!(e.supervision, Some(CaseSupervision::Ministry));
    assert_eq!(
        e.solved_at,
        Some(
            DateTime::parse_from_rfc3339("2026-03-05T09:00:00+08:00")
                .unwrap()
                .timestamp_millis()
        )
    );

    // The case page: the section, the suspect masked.
    let page = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        &format!("/cases/{CASE}"),
        "",
    )
    .await;
    ok(&page);
    assert!(
        page.body.contains(r#"data-status="solved""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("¥12,000.00"), "{}", page.body);
    assert!(
        page.body.contains(r#"data-supervision="ministry""#) && page.body.contains("公安部督办"),
        "{}",
        page.body
    );
    // The case list finds it among the supervised cases, of any level or of its own.
    for q in ["any", "ministry"] {
        let list = send(
            &state,
            Role::CenterAnalyst,
            COUNTY,
            "GET",
            &format!("/cases?supervised={q}"),
            "",
        )
        .await;
        ok(&list);
        assert!(
            list.body.contains(&format!("data-case-id=\"{CASE}\"")),
            "{q}: {}",
            list.body
        );
    }
    let city = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/cases?supervised=city",
        "",
    )
    .await;
    assert!(!city.body.contains(&format!("data-case-id=\"{CASE}\"")));
    assert!(page.body.contains("张*明"), "{}", page.body);
    assert!(
        !page.body.contains("张伟明"),
        "the list shows the name masked"
    );
    assert!(
        !page.body.contains(&valid_id(7)),
        "the list shows the ID masked"
    );
    assert!(page
        .body
        .contains(&fanzha_core::mask::mask_resident_id(&valid_id(7))));
    assert!(page.body.contains("刑事拘留"));
    assert!(page.body.contains(&format!("/suspects/{id}")));

    // The suspect's page: in full, audited.
    let before = actions(&state.store).await;
    assert!(!before.contains(&"view_personal_data".to_string()));
    let full = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        &format!("/suspects/{id}"),
        "",
    )
    .await;
    ok(&full);
    assert!(full.body.contains(&valid_id(7)) && full.body.contains("张伟明"));
    assert!(full.body.contains("13912345678"));
    let viewed = state
        .store
        .audit()
        .for_target(&Scope::platform(), "suspect", &id.to_string())
        .await
        .unwrap();
    assert!(
        viewed
            .iter()
            .any(|a| a.action == "view_personal_data"
                && a.actor == format!("center_analyst_{COUNTY}")),
        "{viewed:?}"
    );

    // Arrested on 3月8日: the measure changes, audited with the one before.
    ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/measure"),
        "measure=arrest&measure_at=2026-03-08T15%3A00",
    )
    .await);
    let s = state
        .store
        .enforcement()
        .suspect(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(s.measure, Some(SuspectMeasure::Arrest));

    // 罪名 and 移送起诉: a prosecution without a charge is refused; then both are kept.
    let refused = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/charge"),
        "charge=&prosecuted_on=2026-03-09",
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/charge"),
        "charge=fraud&prosecuted_on=2026-03-09",
    )
    .await);
    let s = state
        .store
        .enforcement()
        .suspect(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(s.charge, Some(fanzha_store::SuspectCharge::Fraud));
    assert!(s.prosecuted_at.is_some());
    let page = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        &format!("/suspects/{id}"),
        "",
    )
    .await;
    assert!(
        page.body.contains("<dd data-charge>诈骗罪</dd>"),
        "{}",
        page.body
    );
    let all = actions(&state.store).await;
    assert!(all.iter().any(|a| a == "suspect_charge_set"), "{all:?}");
    for action in [
        "case_enforcement_set",
        "suspect_added",
        "suspect_measure_set",
        "gang_dismantled",
    ] {
        assert!(all.iter().any(|a| a == action), "{action} missing: {all:?}");
    }

    // The register lists the den with its devices and the linked case.
    let reg = send(&state, Role::CenterAnalyst, COUNTY, "GET", "/gangs", "").await;
    ok(&reg);
    assert!(reg.body.contains(r#"data-total="1""#), "{}", reg.body);
    assert!(reg.body.contains("阳明GOIP窝点"));
    assert!(reg.body.contains(r#"<td data-devices>40</td>"#));
    assert!(reg.body.contains(
        r#"<td data-phone-cards>600</td><td data-bank-cards>25</td><td data-cards>625</td>"#
    ));
    assert!(reg.body.contains(&format!("/cases/{CASE}")));
    let csv = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/gangs?format=csv",
        "",
    )
    .await;
    ok(&csv);
    assert!(
        csv.body.contains("阳明GOIP窝点") && csv.body.contains(CASE),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("缴获设备,缴获手机卡,缴获银行卡,缴获卡合计")
            && csv.body.contains(",40,600,25,625,"),
        "{}",
        csv.body
    );

    // The statistics of this month: 1 case, solved; 1 person caught under a coercive measure;
    // ¥12,000 of ¥100,000 recovered; one GOIP den with 40 devices.
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await;
    ok(&stats);
    for (stat, value) in [
        ("enf-solved", "1"),
        ("enf-solve-rate", "100.00%"),
        ("enf-solved-in-period", "1"),
        ("enf-caught", "1"),
        ("enf-coercive", "1"),
        ("enf-administrative", "0"),
        ("enf-education", "0"),
        ("enf-recovery-rate", "12.00%"),
        ("enf-groups", "1"),
        ("enf-caught-fraud", "1"),
        ("enf-prosecuted", "1"),
        ("enf-supervised", "1"),
        ("enf-phone-cards", "600"),
    ] {
        let needle = format!(r#"data-stat="{stat}">{value}<"#);
        assert!(stats.body.contains(&needle), "{needle} in {}", stats.body);
    }
    assert!(stats
        .body
        .contains(r#"<tr data-measure="arrest"><td>逮捕</td><td data-count>1</td>"#));
    assert!(stats.body.contains(
        r#"<tr data-kind="goip_den"><td class="nw">GOIP窝点</td><td data-groups>1</td>"#
    ));
    assert!(stats.body.contains(r#"<td data-devices>40</td>"#));
    assert!(stats
        .body
        .contains(r#"<small data-stat="enf-bank-cards">缴获银行卡 25</small>"#));

    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await;
    ok(&brief);
    assert!(brief.body.contains("七、打击成效"), "{}", brief.body);
    assert!(
        brief.body.contains(
            "本期案件破案1起，破案率100.00%（期内破案1起），其中督办案件1起（公安部督办1起），已破1起；抓获犯罪嫌疑人1人，其中采取强制措施1人"
        ),
        "{}",
        brief.body
    );
    assert!(brief.body.contains("损失追回率12.00%"));
    assert!(
        brief
            .body
            .contains("；按罪名：诈骗罪1人；移送起诉1人；追赃"),
        "{}",
        brief.body
    );
    assert!(brief.body.contains(
        "打掉团伙/窝点1个（GOIP窝点1个），抓获3人，缴获设备40台、手机卡600张、银行卡25张。"
    ));

    // Today counts none of it.
    let quiet = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=today",
        "",
    )
    .await;
    ok(&quiet);
    assert!(quiet.body.contains(r#"data-stat="enf-solved">0<"#));
    assert!(quiet.body.contains(r#"data-stat="enf-solve-rate">—<"#));
}

async fn another_county_sees_nothing_of_it(db: &Db) {
    let state = world(db).await;
    let id = record_everything(&state).await;
    let c = Role::UnitCommander;
    for (method, path, form) in [
        ("GET", format!("/cases/{CASE}"), ""),
        (
            "POST",
            format!("/cases/{CASE}/enforcement"),
            "status=dropped&version=1",
        ),
        (
            "POST",
            format!("/cases/{CASE}/suspects"),
            "name=%E6%9D%8E%E5%9B%9B&role=fraudster",
        ),
        ("GET", format!("/suspects/{id}"), ""),
        (
            "POST",
            format!("/suspects/{id}/measure"),
            "measure=bail&measure_at=2026-03-09T10%3A00",
        ),
        (
            "POST",
            "/gangs".into(),
            "kind=fraud_den&name=x&dismantled_on=2026-03-08&cases=AJ2026030001",
        ),
    ] {
        let a = send(&state, c, OTHER_COUNTY, method, &path, form).await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            a.body
        );
    }
    let reg = send(&state, c, OTHER_COUNTY, "GET", "/gangs", "").await;
    ok(&reg);
    assert!(reg.body.contains(r#"data-total="0""#), "{}", reg.body);
    assert!(!reg.body.contains("阳明GOIP窝点"));
    let stats = send(
        &state,
        c,
        OTHER_COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await;
    ok(&stats);
    assert!(stats.body.contains(r#"data-stat="enf-solved">0<"#));
    assert!(stats.body.contains(r#"data-stat="enf-caught">0<"#));
    assert!(stats.body.contains(r#"data-stat="enf-groups">0<"#));
    // Nothing changed: still solved, one suspect, arrested nowhere, one den.
    let e = state.store.enforcement();
    let p = Scope::platform();
    assert_eq!(
        e.of_case(&p, CASE).await.unwrap().status,
        InvestigationStatus::Solved
    );
    assert_eq!(e.suspects(&p, CASE).await.unwrap().len(), 1);
    assert_eq!(
        e.suspect(&p, id).await.unwrap().measure,
        Some(SuspectMeasure::CriminalDetention)
    );
    assert_eq!(
        e.count_dismantled(&p, &Default::default()).await.unwrap(),
        1
    );
}

async fn a_leader_reads_figures_and_the_register_but_no_suspect(db: &Db) {
    let state = world(db).await;
    let id = record_everything(&state).await;
    let l = Role::Leader;
    let page = send(&state, l, COUNTY, "GET", &format!("/cases/{CASE}"), "").await;
    ok(&page);
    assert!(page.body.contains("张*明"));
    assert!(
        !page.body.contains("suspect-form"),
        "a leader gets no forms"
    );
    assert!(!page.body.contains(&format!("/suspects/{id}")));
    assert_eq!(
        send(&state, l, COUNTY, "GET", &format!("/suspects/{id}"), "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            &state,
            l,
            COUNTY,
            "POST",
            &format!("/cases/{CASE}/enforcement"),
            "status=dropped&version=1"
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let reg = send(&state, l, COUNTY, "GET", "/gangs", "").await;
    ok(&reg);
    assert!(reg.body.contains("阳明GOIP窝点"));
    assert!(!reg.body.contains("gang-form"));
    assert_eq!(
        send(&state, Role::GridWorker, VILLAGE, "GET", "/gangs", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn bad_input_is_refused_and_stores_nothing(db: &Db) {
    let state = world(db).await;
    let a = Role::CenterAnalyst;
    let mut wrong = valid_id(8);
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    for (path, form) in [
        (
            format!("/cases/{CASE}/suspects"),
            format!("name=%E6%9D%8E%E5%9B%9B&resident_id={wrong}&role=fraudster"),
        ),
        (
            format!("/cases/{CASE}/suspects"),
            "name=%E6%9D%8E%E5%9B%9B&role=fraudster&measure=arrest".into(),
        ),
        (
            format!("/cases/{CASE}/suspects"),
            "name=%E6%9D%8E%E5%9B%9B&role=boss".into(),
        ),
        (
            format!("/cases/{CASE}/enforcement"),
            "status=solved&version=0".into(),
        ),
        (
            format!("/cases/{CASE}/enforcement"),
            "status=solved&solved_at=2026-03-01T10%3A00&version=0".into(),
        ),
        (
            format!("/cases/{CASE}/enforcement"),
            "status=dropped&recovered_yuan=-5&version=0".into(),
        ),
        (
            format!("/cases/{CASE}/enforcement"),
            "status=dropped&supervision=%E9%83%A8%E7%9D%A3&version=0".into(),
        ),
        // Without the version the form was filled from.
        (
            format!("/cases/{CASE}/enforcement"),
            "status=dropped".into(),
        ),
        (
            "/gangs".into(),
            "kind=goip_den&name=x&dismantled_on=2026-04-01".into(),
        ),
        (
            "/gangs".into(),
            "kind=goip_den&name=x&dismantled_on=2026-03-01&devices=-1".into(),
        ),
        (
            "/gangs".into(),
            "kind=goip_den&name=x&dismantled_on=2026-03-01&bank_cards=3.5".into(),
        ),
    ] {
        let r = send(&state, a, COUNTY, "POST", &path, &form).await;
        assert!(
            r.status.is_client_error(),
            "{path} {form}: {} {}",
            r.status,
            r.body
        );
    }
    let e = state.store.enforcement();
    let p = Scope::platform();
    assert_eq!(e.of_case(&p, CASE).await.unwrap().version, 0);
    assert!(e.suspects(&p, CASE).await.unwrap().is_empty());
    assert_eq!(
        e.count_dismantled(&p, &Default::default()).await.unwrap(),
        0
    );
    let all = actions(&state.store).await;
    assert!(!all
        .iter()
        .any(|a| a == "suspect_added" || a == "case_enforcement_set"));
}

/// A second case of the village, reported 2026-03-03 10:00 Shanghai.
const CASE2: &str = "AJ2026030002";

async fn second_case(state: &AppState) {
    let reported = DateTime::parse_from_rfc3339("2026-03-03T10:00:00+08:00")
        .unwrap()
        .timestamp_millis();
    assert!(state
        .store
        .cases()
        .create(&NewCase {
            id: CASE2.into(),
            victim_name: Some("李小红".into()),
            unit_code: VILLAGE.into(),
            reported_at: reported,
            loss_fen: 5_000_000,
            narrative: "冒充客服诱导转账".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "setup".into(),
            created_at: reported,
            ..NewCase::default()
        })
        .await
        .unwrap());
}

async fn a_person_in_two_cases_counts_once_on_the_statistics_and_in_the_brief(db: &Db) {
    let state = world(db).await;
    second_case(&state).await;
    let a = Role::CenterAnalyst;
    // One cash mule, detained on 3月6日 in this case — the form sent twice — and a suspect
    // of the second case too; arrested on 3月8日.
    let form = format!(
        "name=%E5%BC%A0%E4%BC%9F%E6%98%8E&resident_id={}&role=cash_mule\
         &measure=criminal_detention&measure_at=2026-03-06T10%3A00",
        valid_id(9)
    );
    for case in [CASE, CASE, CASE2] {
        let path = format!("/cases/{case}/suspects");
        ok(&send(&state, a, COUNTY, "POST", &path, &form).await);
    }
    let e = state.store.enforcement();
    let p = Scope::platform();
    let in_case = e.suspects(&p, CASE).await.unwrap();
    assert_eq!(in_case.len(), 1, "the form sent twice adds one suspect");
    assert_eq!(e.suspects(&p, CASE2).await.unwrap().len(), 1);
    ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &format!("/suspects/{}/measure", in_case[0].id),
        "measure=arrest&measure_at=2026-03-08T15%3A00",
    )
    .await);

    // The store's figures: one person, detained once, arrested once, one coercive.
    let month = (
        DateTime::parse_from_rfc3339("2026-03-01T00:00:00+08:00")
            .unwrap()
            .timestamp_millis(),
        DateTime::parse_from_rfc3339("2026-04-01T00:00:00+08:00")
            .unwrap()
            .timestamp_millis(),
    );
    let county = state.store.units().scope(COUNTY).await.unwrap();
    let f = e.figures(&county, month.0, month.1).await.unwrap();
    assert_eq!(f.caught(), 1, "{f:?}");
    assert_eq!(f.of_class(fanzha_store::MeasureClass::Coercive), 1);

    // The statistics page and the brief give the store's numbers.
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await;
    ok(&stats);
    for (stat, value) in [
        ("enf-caught", f.caught()),
        (
            "enf-coercive",
            f.of_class(fanzha_store::MeasureClass::Coercive),
        ),
        ("enf-education", 0),
    ] {
        let needle = format!(r#"data-stat="{stat}">{value}<"#);
        assert!(stats.body.contains(&needle), "{needle} in {}", stats.body);
    }
    for (measure, label) in [("criminal_detention", "刑事拘留"), ("arrest", "逮捕")] {
        let row = format!(r#"<tr data-measure="{measure}"><td>{label}</td><td data-count>1</td>"#);
        assert!(stats.body.contains(&row), "{row} in {}", stats.body);
    }
    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await;
    ok(&brief);
    assert!(
        brief
            .body
            .contains("抓获犯罪嫌疑人1人，其中采取强制措施1人、行政处罚0人、教育训诫惩戒0人"),
        "{}",
        brief.body
    );
}

async fn a_status_set_from_a_stale_form_is_refused(db: &Db) {
    let state = world(db).await;
    let a = Role::CenterAnalyst;
    let path = format!("/cases/{CASE}/enforcement");
    // The case page carries the version its values are at.
    let page = send(&state, a, COUNTY, "GET", &format!("/cases/{CASE}"), "").await;
    ok(&page);
    assert!(
        page.body
            .contains(r#"<input type="hidden" name="version" value="0">"#),
        "{}",
        page.body
    );
    ok(&send(
        &state,
        a,
        COUNTY,
        "POST",
        &path,
        "status=investigating&recovered_yuan=5000&version=0",
    )
    .await);
    // A second analyst's form, filled before that change: refused, nothing overwritten.
    let stale = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        "status=dropped&recovered_yuan=0&version=0",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let e = state
        .store
        .enforcement()
        .of_case(&Scope::platform(), CASE)
        .await
        .unwrap();
    assert_eq!(
        (e.status, e.recovered_fen, e.version),
        (InvestigationStatus::Investigating, 500_000, 1)
    );
    let page = send(&state, a, COUNTY, "GET", &format!("/cases/{CASE}"), "").await;
    assert!(page
        .body
        .contains(r#"<input type="hidden" name="version" value="1">"#));
    ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        "status=dropped&recovered_yuan=0&version=1",
    )
    .await);
    let sets = actions(&state.store)
        .await
        .into_iter()
        .filter(|a| a == "case_enforcement_set")
        .count();
    assert_eq!(sets, 2);
}

/// 上网追逃 on the suspect's page: the suspect is marked 在逃 on the case page and counted at
/// large on the statistics; once caught (a measure after the notice) they count among the
/// fugitives caught and in the work brief; a notice after the capture is refused.
async fn a_wanted_suspect_is_at_large_until_caught(db: &Db) {
    let state = world(db).await;
    let a = Role::CenterAnalyst;
    ok(&send(
        &state,
        a,
        COUNTY,
        "POST",
        &format!("/cases/{CASE}/suspects"),
        &format!(
            "name=%E6%9D%8E%E5%9B%9B&resident_id={}&role=fraudster",
            valid_id(9)
        ),
    )
    .await);
    let id = state
        .store
        .enforcement()
        .suspects(&Scope::platform(), CASE)
        .await
        .unwrap()[0]
        .id;
    ok(&send(
        &state,
        a,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/wanted"),
        "wanted_on=2026-03-02",
    )
    .await);
    let case = send(&state, a, COUNTY, "GET", &format!("/cases/{CASE}"), "").await;
    assert!(case.body.contains("data-at-large"), "{}", case.body);
    let page = send(&state, a, COUNTY, "GET", &format!("/suspects/{id}"), "").await;
    assert!(page.body.contains("2026-03-02"), "{}", page.body);
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await;
    ok(&stats);
    for needle in [
        r#"data-stat="enf-fugitives-caught">0<"#,
        r#"data-stat="enf-fugitives-at-large">在逃 1<"#,
    ] {
        assert!(stats.body.contains(needle), "{needle} in {}", stats.body);
    }

    ok(&send(
        &state,
        a,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/measure"),
        "measure=criminal_detention&measure_at=2026-03-06T10%3A00",
    )
    .await);
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await;
    for needle in [
        r#"data-stat="enf-fugitives-caught">1<"#,
        r#"data-stat="enf-fugitives-at-large">在逃 0<"#,
    ] {
        assert!(stats.body.contains(needle), "{needle} in {}", stats.body);
    }
    let case = send(&state, a, COUNTY, "GET", &format!("/cases/{CASE}"), "").await;
    assert!(
        !case.body.contains("data-at-large"),
        "caught: {}",
        case.body
    );
    let late = send(
        &state,
        a,
        COUNTY,
        "POST",
        &format!("/suspects/{id}/wanted"),
        "wanted_on=2026-03-08",
    )
    .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.body);
    assert!(actions(&state.store)
        .await
        .contains(&"suspect_wanted_set".to_string()));
}

/// 专项行动: a campaign recorded for the county shows the results of its period — the case
/// solved, the person caught, the den dismantled — and links to the period's statistics; a
/// campaign of other days shows none; a period ending before it starts and a name taken are
/// refused; a leader reads the campaigns without the form, another county sees none of them.
async fn a_campaign_counts_the_results_of_its_period(db: &Db) {
    let state = world(db).await;
    record_everything(&state).await;
    let a = Role::CenterAnalyst;
    for form in [
        "unit_code=330281&name=%E6%98%A5%E5%AD%A3%E6%94%BB%E5%9D%9A&from=2026-03-01&to=2026-03-31&goal=%E6%89%93%E6%8E%89%E5%9B%A2%E4%BC%99",
        "name=%E4%BA%8C%E6%9C%88%E8%A1%8C%E5%8A%A8&from=2026-02-01&to=2026-02-28",
    ] {
        ok(&send(&state, a, COUNTY, "POST", "/campaigns", form).await);
    }
    for (form, status) in [
        (
            "name=%E5%80%92%E7%BD%AE&from=2026-03-10&to=2026-03-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "name=%E6%98%A5%E5%AD%A3%E6%94%BB%E5%9D%9A&from=2026-04-01&to=2026-04-30",
            StatusCode::CONFLICT,
        ),
    ] {
        assert_eq!(
            send(&state, a, COUNTY, "POST", "/campaigns", form)
                .await
                .status,
            status
        );
    }
    let page = send(&state, a, COUNTY, "GET", "/campaigns", "").await;
    ok(&page);
    let row = |name: &str| {
        let at = page
            .body
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {}", page.body));
        let end = page.body[at..].find("</tr>").unwrap() + at;
        page.body[at..end].to_string()
    };
    let spring = row("春季攻坚");
    for needle in [
        r#"data-figure="solved">1<"#,
        r#"data-figure="caught">1<"#,
        r#"data-figure="gangs">1"#,
        "period=custom&#38;from=2026-03-01&#38;to=2026-03-31",
        "打掉团伙",
    ] {
        assert!(spring.contains(needle), "{needle} in {spring}");
    }
    assert!(spring.contains("data-running") || page.body.contains("data-running"));
    // The link opens the period's statistics, which count the same.
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-03-01&to=2026-03-31",
        "",
    )
    .await;
    ok(&stats);
    assert!(
        stats
            .body
            .contains(r#"data-stat="enf-solved-in-period">1<"#),
        "{}",
        stats.body
    );
    let february = row("二月行动");
    assert!(
        february.contains(r#"data-figure="solved">0<"#),
        "{february}"
    );
    assert!(page.body.contains("campaign-form"));

    let leader = send(&state, Role::Leader, COUNTY, "GET", "/campaigns", "").await;
    ok(&leader);
    assert!(leader.body.contains("春季攻坚") && !leader.body.contains("campaign-form"));
    let other = send(&state, a, OTHER_COUNTY, "GET", "/campaigns", "").await;
    ok(&other);
    assert!(!other.body.contains("春季攻坚"), "another county's area");
    assert_eq!(
        send(&state, Role::GridWorker, VILLAGE, "GET", "/campaigns", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(actions(&state.store)
        .await
        .contains(&"campaign_created".to_string()));
}
