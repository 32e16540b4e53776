//! 集群战役 through the router: the center launches an operation from a case, adds a target by
//! form and more from a list (bad rows quarantined with line and reason), each landing unit sees
//! and reports only its own targets (masked; in full on the audited target page), a catch shows
//! as a suspect on the case page and counts in the statistics and the work brief, the launcher
//! alone withdraws, and the export stays masked.

use crate::support::{
    multipart, ok, send_as, send_body, unit, urlencoded, valid_id, Answer, FixedClock,
};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{NewCase, NewPerson, Role, Scope, TargetState, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

fanzha_store::on_both_backends! {
    an_operation_lands_its_targets_and_counts_its_catches,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_TOWNSHIP: &str = "330282001";
const CASE: &str = "AJ2026030001";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit(OTHER_TOWNSHIP, "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: valid_id(COUNTY, 1),
            name: "张三丰".into(),
            phone: Some("13900001111".into()),
            residence_code: VILLAGE.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        }])
        .await
        .unwrap();
    let reported = t0() - 8 * 86_400_000;
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

async fn an_operation_lands_its_targets_and_counts_its_catches(db: &Db) {
    let state = world(db).await;
    let center = Role::CenterAnalyst;
    let commander = Role::UnitCommander;

    // Launch: a case of the area, a name, the strike day.
    let launched = send(
        &state,
        center,
        CITY,
        "POST",
        "/operations",
        &format!(
            "name={}&case_id={CASE}&strike_on=2026-03-12&goal={}",
            urlencoded("0310集群战役"),
            urlencoded("打掉跨区域车手团伙")
        ),
    )
    .await;
    ok(&launched);
    assert_eq!(launched.location, "/operations/1");
    let again = send(
        &state,
        center,
        CITY,
        "POST",
        "/operations",
        &format!("name={}&case_id={CASE}", urlencoded("0310集群战役")),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let foreign = send(
        &state,
        commander,
        OTHER_COUNTY,
        "POST",
        "/operations",
        &format!("name=x&case_id={CASE}"),
    )
    .await;
    assert_eq!(
        foreign.status,
        StatusCode::NOT_FOUND,
        "the case is not the other county's"
    );

    // One target by form: the platform places the known resident at the station of their village.
    let known = valid_id(COUNTY, 1);
    ok(&send(
        &state,
        center,
        CITY,
        "POST",
        "/operations/1/targets",
        &format!(
            "name={}&resident_id={known}&phone=13900001111&role=cash_mule&unit_code=&clue={}",
            urlencoded("张三丰"),
            urlencoded("取现12万")
        ),
    )
    .await);
    // More from a list: one good row, three quarantined with line and reason.
    let cixi_man = valid_id(OTHER_COUNTY, 2);
    let list = format!(
        "姓名,身份证号,角色,落地单位,线索\n\
         李四光,{cixi_man},卡农,浒山街道,出售银行卡3张\n\
         王五,{},车手,火星派出所,\n\
         赵六,11010519491231002X,洗钱,,\n\
         钱七,110105194912310021,,,\n",
        valid_id(COUNTY, 3)
    );
    let (ct, body) = multipart(&[], ("targets.csv", list.as_bytes()));
    let imported = send_body(
        &state,
        center,
        CITY,
        t0(),
        ("POST", "/operations/1/targets/import"),
        (ct, body),
    )
    .await;
    let page = ok(&imported);
    for needle in [
        "data-read>4<",
        "data-applied>1<",
        "data-rejected>3<",
        r#"data-line="3""#,
        r#"data-reason="unknown_unit""#,
        r#"data-reason="not_placed""#,
        r#"data-reason="bad_check_digit""#,
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    let targets = state
        .store
        .cluster_operations()
        .targets(&Scope::platform(), 1)
        .await
        .unwrap();
    let landed: Vec<(&str, &str)> = targets
        .iter()
        .map(|t| (t.resident_id.as_str(), t.unit_code.as_str()))
        .collect();
    assert_eq!(
        landed,
        vec![
            (known.as_str(), TOWNSHIP),
            (cixi_man.as_str(), OTHER_TOWNSHIP)
        ]
    );
    let (a, b) = (targets[0].id, targets[1].id);

    // The center sees both, masked; the list counts them.
    let detail = ok(&send(&state, center, CITY, "GET", "/operations/1", "").await);
    assert!(detail.contains("张*丰") && detail.contains("李*光"));
    assert!(
        !detail.contains(&known) && !detail.contains("张三丰"),
        "masked"
    );
    assert!(detail.contains("target-form") && detail.contains("end-operation"));
    let listed = ok(&send(&state, center, CITY, "GET", "/operations", "").await);
    assert!(listed.contains(r#"data-figure="targets">2<"#), "{listed}");

    // 慈溪 sees its own target only, without the launcher's forms.
    let cixi = ok(&send(&state, commander, OTHER_COUNTY, "GET", "/operations/1", "").await);
    assert!(cixi.contains("李*光") && !cixi.contains("张*丰"));
    assert!(!cixi.contains("target-form") && !cixi.contains("data-withdraw-form"));
    assert!(cixi.contains("data-report-form"));
    let cixi_list = ok(&send(&state, commander, OTHER_COUNTY, "GET", "/operations", "").await);
    assert!(
        cixi_list.contains("data-landed-here") && cixi_list.contains(r#"data-figure="targets">1<"#)
    );
    assert_eq!(
        send(
            &state,
            commander,
            OTHER_COUNTY,
            "GET",
            &format!("/operation-targets/{a}"),
            ""
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The township's station catches its target: a suspect of the case, counted.
    let caught = send(
        &state,
        commander,
        TOWNSHIP,
        "POST",
        &format!("/operation-targets/{a}/report"),
        "state=caught&measure=criminal_detention&measure_at=2026-03-10T09:00&note=&version=1",
    )
    .await;
    ok(&caught);
    assert_eq!(caught.location, format!("/operations/1#target-{a}"));
    let stale = send(
        &state,
        commander,
        TOWNSHIP,
        "POST",
        &format!("/operation-targets/{a}/report"),
        "state=located&version=1",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let case_page = ok(&send(&state, center, CITY, "GET", &format!("/cases/{CASE}"), "").await);
    assert!(
        case_page.contains("张*丰"),
        "the catch is a suspect of the case"
    );
    assert!(case_page.contains(r#"<li data-operation="1">"#) && case_page.contains("0310集群战役"));

    // 慈溪: not found needs why; then reported.
    let bare = send(
        &state,
        commander,
        OTHER_COUNTY,
        "POST",
        &format!("/operation-targets/{b}/report"),
        "state=not_found&version=1",
    )
    .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    ok(&send(
        &state,
        commander,
        OTHER_COUNTY,
        "POST",
        &format!("/operation-targets/{b}/report"),
        &format!("state=not_found&note={}&version=1", urlencoded("已搬离")),
    )
    .await);
    // Withdrawing is the launcher's.
    let withdraw = send(
        &state,
        commander,
        OTHER_COUNTY,
        "POST",
        &format!("/operation-targets/{b}/withdraw"),
        "note=x&version=2",
    )
    .await;
    assert_eq!(
        withdraw.status,
        StatusCode::FORBIDDEN,
        "{}",
        withdraw.text()
    );
    let t = state
        .store
        .cluster_operations()
        .target(&Scope::platform(), b)
        .await
        .unwrap();
    assert_eq!(t.state, TargetState::NotFound);

    // The target in full, audited.
    let full = ok(&send(
        &state,
        commander,
        TOWNSHIP,
        "GET",
        &format!("/operation-targets/{a}"),
        "",
    )
    .await);
    assert!(full.contains(&known) && full.contains("13900001111"));
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "cluster_operation_launched",
        "cluster_target_added",
        "cluster_target_reported",
        "suspect_added",
        "view_personal_data",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }

    // Statistics and the brief count the operation and its catch.
    let stats = ok(&send(
        &state,
        Role::Leader,
        CITY,
        "GET",
        "/statistics?period=custom&from=2026-03-01&to=2026-03-31",
        "",
    )
    .await);
    assert!(
        stats.contains(r#"data-stat="enf-operations">1<"#),
        "launched"
    );
    assert!(stats.contains("已抓获 1/2"), "caught of targets");
    let brief = ok(&send(
        &state,
        Role::Leader,
        CITY,
        "GET",
        "/statistics?period=custom&from=2026-03-01&to=2026-03-31&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains(
            "发起集群战役1起，落地打击目标2人（已落地0人、未查到1人、待落地0人），抓获1人。"
        ),
        "{brief}"
    );

    // The export is masked.
    let csv = ok(&send(&state, center, CITY, "GET", "/operations/1?format=csv", "").await);
    assert!(csv.contains("张*丰") && !csv.contains(&known) && csv.contains("浒山街道"));

    // Ending: the form goes, adding is refused; a grid worker has no access.
    ok(&send(&state, center, CITY, "POST", "/operations/1/end", "").await);
    let late = send(
        &state,
        center,
        CITY,
        "POST",
        "/operations/1/targets",
        &format!("name=x&resident_id={}", valid_id(COUNTY, 4)),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let ended = ok(&send(&state, center, CITY, "GET", "/operations/1", "").await);
    assert!(ended.contains("data-ended") && !ended.contains("target-form"));
    assert_eq!(
        send(&state, Role::GridWorker, VILLAGE, "GET", "/operations", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
