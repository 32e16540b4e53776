//! A page links only where its viewer may go: the leader reads the live warning stream and the
//! statistics without links into warning files it may not open; a station sees the number of
//! an instruction its county still holds, unlinked, on the warnings of its area; an
//! instruction's page and a case's link their warnings for those who may open them only (and
//! the timeline and the audit log name officers by their accounts' names); the center follows
//! both.

use axum::http::StatusCode;
use fanzha_store::{NewPerson, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use fanzha_workflow::{IncomingWarning, WarningLevel};

use crate::support::{send_as, unit, Answer};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    links_lead_only_where_the_viewer_may_go,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const RESIDENT: &str = "330281199001011234";

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
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: RESIDENT.into(),
            name: "张三".into(),
            phone: Some("13900001234".into()),
            residence_code: VILLAGE.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        }])
        .await
        .unwrap();
    AppState::new(store).await.unwrap()
}

async fn get(state: &AppState, role: Role, unit: &str, path: &str) -> Answer {
    let now = state.clock.now_ms();
    let a = send_as(state, role, unit, now, ("GET", path, "")).await;
    assert_eq!(a.status, StatusCode::OK, "{role:?} {path}: {}", a.text());
    a
}

async fn links_lead_only_where_the_viewer_may_go(db: &Db) {
    let state = world(db).await;
    let now = state.clock.now_ms();
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
                score_permille: 900,
                source: "engine".into(),
                signal_at: now,
                evidence: serde_json::json!({}),
            },
            now,
        )
        .await
        .unwrap();
    let instruction = r.instruction_id.clone();
    let township = state.scope_of(TOWNSHIP).await.unwrap();
    let held_by_station = state
        .store
        .instructions()
        .get(&township, &instruction)
        .await
        .is_ok();
    assert!(
        !held_by_station,
        "the instruction starts at the county, above the station"
    );
    let link = format!("href=\"/instructions/{instruction}\"");

    // The station: the warning of its area, the instruction named but not linked.
    let list = get(&state, Role::UnitCommander, TOWNSHIP, "/warnings")
        .await
        .text();
    assert!(
        list.contains(&instruction) && !list.contains(&link),
        "{list}"
    );
    let warning = state
        .store
        .warnings()
        .recent(
            &Scope::platform(),
            0,
            None,
            &fanzha_store::PageRequest::first(5),
        )
        .await
        .unwrap()
        .items
        .remove(0)
        .id;
    let page = get(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        &format!("/warnings/{warning}"),
    )
    .await
    .text();
    assert!(
        page.contains(&instruction) && !page.contains(&link),
        "{page}"
    );
    // The county signs it; the timeline names the officer by the account's name.
    state
        .store
        .users()
        .upsert(&fanzha_store::NewUser {
            login: "wangqiang".into(),
            display_name: "指挥员 王强".into(),
            unit_code: COUNTY.into(),
            roles: vec![Role::UnitCommander],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: None,
        })
        .await
        .unwrap();
    state
        .loop_service
        .act(
            &fanzha_workflow::Actor {
                login: "wangqiang".into(),
                unit_code: COUNTY.into(),
                scope: state.scope_of(COUNTY).await.unwrap(),
            },
            &instruction,
            None,
            &[fanzha_workflow::Command::Sign],
            None,
            now,
        )
        .await
        .unwrap();
    // The instruction's page names its warning; only who may open warnings follows it.
    let to_warning = format!("href=\"/warnings/{warning}\"");
    let page = get(
        &state,
        Role::Leader,
        COUNTY,
        &format!("/instructions/{instruction}"),
    )
    .await
    .text();
    assert!(
        page.contains(&warning) && !page.contains(&to_warning),
        "{page}"
    );
    assert!(
        page.contains("id=\"instruction-texts-none\""),
        "no text yet: {page}"
    );
    // The texts about the instruction are listed on its page, the number masked.
    state
        .store
        .sms()
        .enqueue(
            &fanzha_store::NewSms {
                to_number: "13912345678".into(),
                text: "【反诈提醒】您可能正在遭遇诈骗！".into(),
                purpose: fanzha_store::SmsPurpose::WarningToPerson,
                instruction_id: Some(instruction.clone()),
                warning_id: Some(warning.clone()),
                joint_task_id: None,
            },
            now,
        )
        .await
        .unwrap();
    let page = get(
        &state,
        Role::UnitCommander,
        COUNTY,
        &format!("/instructions/{instruction}"),
    )
    .await
    .text();
    assert!(page.contains(&to_warning), "{page}");
    let texts = page.split("id=\"instruction-texts\"").nth(1).unwrap();
    assert!(
        texts.contains("data-sms-state=\"queued\"")
            && texts.contains("139****5678")
            && texts.contains("【反诈提醒】您可能正在遭遇诈骗！")
            && !texts.contains("13912345678"),
        "{texts}"
    );
    assert!(
        page.contains("data-actor=\"wangqiang\" title=\"wangqiang\">指挥员 王强</span>"),
        "{page}"
    );
    // The audit log names the officer the same way, the login beside the name.
    let audit = get(&state, Role::Admin, COUNTY, "/audit").await.text();
    assert!(
        audit.contains("指挥员 王强 <small class=\"muted\">wangqiang</small>"),
        "{audit}"
    );
    // A case of the warned resident lists the warning, linked likewise.
    let case = fanzha_web::casework::open_case(
        &state,
        "analyst",
        fanzha_web::casework::CaseInput {
            resident_id: Some(RESIDENT.into()),
            victim_name: None,
            victim_phone: None,
            unit_code: VILLAGE.into(),
            reported_at: now,
            loss_fen: 100_000,
            narrative: "接到自称公安局的电话，称其涉嫌洗钱，转账一千元".into(),
            source: "form".into(),
            report_no: None,
            instruction_id: None,
            victim_account: None,
            named: serde_json::json!({}),
            occupation: None,
            occupation_text: None,
            employer: None,
        },
    )
    .await
    .unwrap();
    let case_page = format!("/cases/{}", case.id);
    let page = get(&state, Role::Leader, COUNTY, &case_page).await.text();
    assert!(
        page.contains(&format!("data-warning-id=\"{warning}\"")) && !page.contains(&to_warning),
        "{page}"
    );
    let page = get(&state, Role::CenterAnalyst, COUNTY, &case_page)
        .await
        .text();
    assert!(page.contains(&to_warning), "{page}");
    // The county's center follows it.
    let list = get(&state, Role::CenterAnalyst, COUNTY, "/warnings")
        .await
        .text();
    assert!(list.contains(&link), "{list}");

    // The live stream: the center opens the warning, the leader reads the line only.
    let live = get(&state, Role::CenterAnalyst, COUNTY, "/dashboard/live")
        .await
        .text();
    assert!(live.contains(&to_warning), "{live}");
    let live = get(&state, Role::Leader, COUNTY, "/dashboard/live")
        .await
        .text();
    assert!(
        live.contains(&format!("data-warning-id=\"{warning}\"")),
        "{live}"
    );
    assert!(!live.contains("href=\"/warnings/"), "{live}");

    // The statistics: the leader's warning counts by type are figures, not links.
    let stats = get(&state, Role::Leader, COUNTY, "/statistics")
        .await
        .text();
    assert!(stats.contains("data-type-count"), "{stats}");
    assert!(!stats.contains("href=\"/warnings?"), "{stats}");
    let stats = get(&state, Role::CenterAnalyst, COUNTY, "/statistics")
        .await
        .text();
    assert!(stats.contains("href=\"/warnings?"), "{stats}");
    // The administrator reads the figures without the pages behind them it may not open.
    let stats = get(&state, Role::Admin, COUNTY, "/statistics").await.text();
    assert!(
        !stats.contains("href=\"/operator-figures\"")
            && !stats.contains("href=\"/outreach/posts\""),
        "{stats}"
    );
}
