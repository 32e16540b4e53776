//! 企业反诈联盟 through the router: a station records an enterprise joining (credit code checked,
//! once), the list counts its staff on record, the staff defrauded and the events held there by
//! its name, with the contact masked; the member's page shows the contact in full (audited) and
//! the staff's cases; changes need the version read; another county sees nothing; the brief
//! says it.

use crate::support::{ok, send_as, unit, urlencoded, valid_id, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_core::occupation::Occupation;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{
    NewCase, NewOutreach, NewPerson, OutreachAudience, OutreachKind, Role, Scope, UnitLevel,
};
use fanzha_web::AppState;
use std::sync::Arc;

fanzha_store::on_both_backends! {
    a_member_is_recorded_counted_by_name_and_read_inside_the_area,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const FIRM: &str = "余姚阳光电器有限公司";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn credit(n: u8) -> String {
    let body = [b'M', b'A', b'0', b'0', b'0', b'0', b'0', b'0' + n];
    fanzha_core::CreditCode::generate(b'9', b'1', 330281, &body)
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
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let staff: Vec<NewPerson> = (1..=4)
        .map(|n| NewPerson {
            resident_id: valid_id("330281", n),
            name: format!("职工{n}"),
            phone: None,
            residence_code: VILLAGE.into(),
            address: None,
            employer: Some(FIRM.into()),
            public_sector: false,
            app_registered: n != 4,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&staff).await.unwrap();
    let reported = t0() - 5 * 86_400_000;
    assert!(store
        .cases()
        .create(&NewCase {
            id: "AJ2026030009".into(),
            resident_id: Some(valid_id("330281", 1)),
            victim_name: Some("职工一".into()),
            unit_code: VILLAGE.into(),
            reported_at: reported,
            loss_fen: 38_000_000,
            narrative: "冒充老板要求财务转账".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            occupation: Some(Occupation::Accountant),
            created_by: "setup".into(),
            created_at: reported,
            ..NewCase::default()
        })
        .await
        .unwrap());
    let scope = store.units().scope(COUNTY).await.unwrap();
    store
        .outreach()
        .record(
            &scope,
            &NewOutreach {
                unit_code: TOWNSHIP.into(),
                held_on: t0() - 2 * 86_400_000,
                kind: OutreachKind::Lecture,
                audience: OutreachAudience::Enterprise,
                place: format!("{FIRM}财务室"),
                people_reached: 40,
                app_registrations: 6,
                materials: 0,
                consultations: 0,
                note: String::new(),
                created_by: "setup".into(),
                alliance_member: None,
            },
            t0(),
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    form: &str,
) -> Answer {
    send_as(state, role, unit, t0(), (method, path, form)).await
}

async fn a_member_is_recorded_counted_by_name_and_read_inside_the_area(db: &Db) {
    let state = world(db).await;
    let station = Role::UnitCommander;
    let join = |code: String| {
        format!(
            "name={}&credit_code={code}&contact_name={}&contact_phone=13900005678&staff=300&finance_staff=12&joined_on=2026-01-05",
            urlencoded(FIRM),
            urlencoded("王会计")
        )
    };
    let bad = send(
        &state,
        station,
        TOWNSHIP,
        "POST",
        "/alliance",
        &join("91330281MA00000001".into()),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    let joined = send(
        &state,
        station,
        TOWNSHIP,
        "POST",
        "/alliance",
        &join(credit(1)),
    )
    .await;
    ok(&joined);
    assert_eq!(joined.location, "/alliance/1");
    let again = send(
        &state,
        station,
        TOWNSHIP,
        "POST",
        "/alliance",
        &join(credit(1)),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The list: figures by name, the contact masked.
    let list = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance?days=30", "").await);
    for needle in [
        r#"data-figure="known_staff">4<"#,
        r#"data-figure="registration">75.0%<"#,
        r#"data-figure="events">1<"#,
        r#"data-figure="victims">1 "#,
        "139****5678",
        "member-form",
    ] {
        assert!(list.contains(needle), "{needle} in {list}");
    }
    assert!(!list.contains("13900005678"), "masked in the list");
    let csv = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance?format=csv", "").await);
    assert!(csv.contains(FIRM) && csv.contains("139****5678") && !csv.contains("13900005678"));

    // The member's page: in full, audited, with the staff's case.
    let page = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance/1?days=30", "").await);
    assert!(
        page.contains("13900005678") && page.contains("AJ2026030009") && page.contains("职*一")
    );
    assert!(page.contains(&format!("{FIRM}财务室")));
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(50))
        .await
        .unwrap();
    assert!(audit
        .items
        .iter()
        .any(|e| e.action == "view_personal_data" && e.target_type == "alliance_member"));
    assert!(audit
        .items
        .iter()
        .any(|e| e.action == "alliance_member_joined"));

    // The staff member's case owes the firm a notice (每案通报): issued from the case page, its
    // number on the member's page.
    let analyst = Role::CenterAnalyst;
    let case_page = ok(&send(&state, analyst, COUNTY, "GET", "/cases/AJ2026030009", "").await);
    assert!(
        case_page.contains("data-notice-ground") && case_page.contains("联盟成员企业职工被骗"),
        "{case_page}"
    );
    ok(&send(
        &state,
        analyst,
        COUNTY,
        "POST",
        "/cases/AJ2026030009/employer-notice",
        &format!("employer={}&station_unit={TOWNSHIP}", urlencoded(FIRM)),
    )
    .await);
    let printed = ok(&send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/cases/AJ2026030009/notice",
        "",
    )
    .await);
    assert!(printed.contains(r#"data-ground="alliance_member""#) && printed.contains(FIRM));
    let with_notice = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance/1?days=30", "").await);
    assert!(with_notice.contains("〔2026〕第1号"), "{with_notice}");
    assert!(!with_notice.contains("data-notice-pending"));

    // Another county sees nothing; a grid worker reads the list without the form.
    assert_eq!(
        send(&state, station, OTHER_COUNTY, "GET", "/alliance/1", "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let other = ok(&send(&state, station, OTHER_COUNTY, "GET", "/alliance", "").await);
    assert!(!other.contains(FIRM));
    let grid = ok(&send(&state, Role::GridWorker, TOWNSHIP, "GET", "/alliance", "").await);
    assert!(grid.contains(FIRM) && !grid.contains("member-form"));
    let grid_page = ok(&send(&state, Role::GridWorker, TOWNSHIP, "GET", "/alliance/1", "").await);
    assert!(
        !grid_page.contains("member-cases"),
        "cases only for those who read cases"
    );
    assert_eq!(
        send(
            &state,
            Role::GridWorker,
            TOWNSHIP,
            "POST",
            "/alliance",
            &join(credit(2))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // A talk recorded from the phone as held at the member counts for it, whatever the place.
    let form = ok(&send(&state, station, TOWNSHIP, "GET", "/m/outreach", "").await);
    assert!(form.contains(r#"name="alliance_member""#) && form.contains(FIRM));
    let talk = format!(
        "held_on=2026-03-09&kind=lecture&audience=enterprise&place={}&people_reached=30&alliance_member=1",
        urlencoded("职工书屋")
    );
    ok(&send(&state, station, TOWNSHIP, "POST", "/m/outreach", &talk).await);
    let list = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance?days=30", "").await);
    assert!(list.contains(r#"data-figure="events">2<"#), "{list}");
    let wrong = talk.replace("audience=enterprise", "audience=community");
    assert_eq!(
        send(&state, station, TOWNSHIP, "POST", "/m/outreach", &wrong)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // Changes from the version read; leaving.
    let change = "contact_name=x&contact_phone=13900001111&staff=320&finance_staff=15&version=1";
    ok(&send(&state, station, TOWNSHIP, "POST", "/alliance/1", change).await);
    assert_eq!(
        send(&state, station, TOWNSHIP, "POST", "/alliance/1", change)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let brief = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-03-01&to=2026-03-31&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains("企业反诈联盟成员企业1家（职工320人，其中财务人员15人），本期在成员企业开展宣防2场、覆盖70人次，0家尚未开展；成员企业职工被骗1起、损失¥380,000.00，其中财务人员被骗1起。"),
        "{brief}"
    );
    ok(&send(
        &state,
        station,
        TOWNSHIP,
        "POST",
        "/alliance/1/leave",
        &format!("reason={}&version=2", urlencoded("迁出辖区")),
    )
    .await);
    let left = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance", "").await);
    assert!(
        !left.contains(FIRM),
        "members who left are listed on request only"
    );
    let with_left = ok(&send(&state, station, TOWNSHIP, "GET", "/alliance?left=1", "").await);
    assert!(with_left.contains("data-left"));
}
