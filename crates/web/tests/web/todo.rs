//! 待办事项 through the router: a county analyst sees the lines they may act on — the overdue
//! joint-office task first — but not the station's lead check; the station commander sees the
//! lead to check (overdue after its 7 days) and not the center's calls or proposals; a county
//! with nothing waiting says so; leaders and grid workers have no such page.

use crate::support::{ok, send_as, unit, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{
    JointMemberKind, LeadKind, LeadSource, NewJointMember, NewTask, NewTwoCardLead, Role, Scope,
    UnitLevel,
};
use fanzha_web::AppState;
use std::sync::Arc;

fanzha_store::on_both_backends! {
    each_unit_sees_the_work_waiting_for_it,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_COUNTY: &str = "330282";
const DAY: i64 = 86_400_000;

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
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let all = Scope::platform();
    let member = store
        .joint_office()
        .add_member(
            &all,
            &NewJointMember {
                unit_code: COUNTY.into(),
                name: "余姚市教育局".into(),
                kind: JointMemberKind::Government,
                contact_name: "李科长".into(),
                contact_phone: "13900005678".into(),
                staff: 100,
                note: String::new(),
                by: "setup".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    store
        .joint_tasks()
        .assign(
            &all,
            &NewTask {
                member_id: member,
                meeting_id: None,
                title: "组织家长安装国家反诈中心APP".into(),
                detail: String::new(),
                due_at: t0() + 2 * DAY,
                by: "setup".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    store
        .two_card_leads()
        .import(
            &all,
            TOWNSHIP,
            &[NewTwoCardLead {
                kind: LeadKind::Sim,
                number: "13912345678".into(),
                resident_id: "11010519491231002X".into(),
                holder_name: "张三".into(),
                reason: "涉诈号码".into(),
                source: LeadSource::National,
                batch: "2026-03".into(),
                upstream_id: String::new(),
                place: String::new(),
            }],
            "setup",
            t0(),
            7,
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    // Ten days on: the task (due in two) and the lead (due in seven) are overdue.
    state.clock = Arc::new(FixedClock(t0() + 10 * DAY));
    state
}

async fn get(state: &AppState, role: Role, unit: &str) -> Answer {
    send_as(
        state,
        role,
        unit,
        state.clock.now_ms(),
        ("GET", "/todo", ""),
    )
    .await
}

/// The `data-todo` keys in page order.
fn lines(page: &str) -> Vec<&str> {
    page.split("data-todo=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

/// The open and overdue counts of line `key`.
fn counts(page: &str, key: &str) -> (String, bool) {
    let at = page.find(&format!("data-todo=\"{key}\"")).unwrap();
    let rest = &page[at..];
    let open = rest.split("data-open>").nth(1).unwrap();
    let open = open[..open.find('<').unwrap()].to_string();
    let end = rest.find("</a>").unwrap();
    (open, rest[..end].contains("data-overdue"))
}

async fn each_unit_sees_the_work_waiting_for_it(db: &Db) {
    let state = world(db).await;

    let analyst = ok(&get(&state, Role::CenterAnalyst, COUNTY).await);
    let l = lines(&analyst);
    assert_eq!(l[0], "todo_joint_tasks", "overdue first: {l:?}");
    assert_eq!(counts(&analyst, "todo_joint_tasks"), ("1".into(), true));
    assert!(l.contains(&"todo_calls") && l.contains(&"todo_proposals_to_report"));
    assert!(
        !l.contains(&"todo_two_card_leads"),
        "the check is the station commander's"
    );
    assert!(!analyst.contains("data-nothing-waiting"));

    let station = ok(&get(&state, Role::UnitCommander, TOWNSHIP).await);
    let l = lines(&station);
    assert_eq!(l[0], "todo_two_card_leads", "{l:?}");
    assert_eq!(counts(&station, "todo_two_card_leads"), ("1".into(), true));
    assert_eq!(
        counts(&station, "todo_joint_tasks"),
        ("0".into(), false),
        "the county's task is not the station's"
    );
    assert!(!l.contains(&"todo_calls") && !l.contains(&"todo_proposals_to_report"));
    assert!(station.contains(r#"href="/two-card-leads?state=pending""#));

    let other = ok(&get(&state, Role::UnitCommander, OTHER_COUNTY).await);
    assert!(other.contains("data-nothing-waiting"), "{other}");

    for role in [Role::Leader, Role::GridWorker] {
        assert_eq!(
            get(&state, role, COUNTY).await.status,
            StatusCode::FORBIDDEN
        );
    }
}
