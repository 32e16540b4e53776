//! 精准宣防名单 over HTTP, on SQLite and PostgreSQL: the county's profile shows the elderly hit
//! hardest by 冒充公检法 and proposes them; the commander issues a list of the elderly not on the
//! app; the village's grid worker sees their own residents only (masked), records a visit with
//! the app installed — the resident is registered, the figures move — and a stale form is
//! refused; the county's 待办 counts the visits left; another county and a bank liaison see
//! nothing; bad input is refused naming the field.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewCase, NewPerson, PageRequest, ReachState, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_list_goes_to_the_group_hit_hardest_and_visits_are_recorded,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const EAST: &str = "330281001001";
const WEST: &str = "330281001002";
const OTHER_COUNTY: &str = "330282";
const DAY: i64 = 86_400_000;

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn resident(born: &str, n: u32, village: &str, app: bool) -> NewPerson {
    NewPerson {
        resident_id: format!("330281{born}{n:04}"),
        name: format!("王{n}英"),
        phone: Some(format!("1390000{n:04}")),
        residence_code: village.into(),
        address: Some(format!("舜水路{n}号")),
        employer: None,
        public_sector: false,
        app_registered: app,
        joint_defense_registered: false,
    }
}

fn case(n: u32, resident_id: &str, fraud_type: &str) -> NewCase {
    NewCase {
        id: format!("AJ{n}"),
        resident_id: Some(resident_id.into()),
        unit_code: TOWNSHIP.into(),
        reported_at: t0() - (n as i64) * DAY,
        loss_fen: 1_000_000,
        narrative: "接到自称公安局的电话，称其涉嫌洗钱，要求将资金转入安全账户。".into(),
        fraud_type: Some(fraud_type.into()),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "setup".into(),
        created_at: t0(),
        ..NewCase::default()
    }
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
            unit(EAST, "舜水社区", Village, Some(TOWNSHIP)),
            unit(WEST, "新建社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            resident("19480105", 1, EAST, false),
            resident("19520712", 2, WEST, false),
            resident("19550301", 3, EAST, true),
            resident("19800101", 4, EAST, false),
            resident("20030606", 5, EAST, false),
        ])
        .await
        .unwrap();
    // Two elderly victims of 冒充公检法, one young victim of 刷单.
    for (n, id, t) in [
        (1, "330281194001010011", "impersonating_police"),
        (2, "330281195001010022", "impersonating_police"),
        (3, "330281200401010033", "order_brushing"),
    ] {
        assert!(store.cases().create(&case(n, id, t)).await.unwrap());
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn as_(state: &AppState, role: Role, unit: &str, req: (&str, &str, &str)) -> Answer {
    send_as(state, role, unit, t0(), req).await
}

fn ok(a: &Answer) -> String {
    crate::support::ok(a)
}

async fn a_list_goes_to_the_group_hit_hardest_and_visits_are_recorded(db: &Db) {
    let state = world(db).await;

    // The profile: the elderly hit twice by 冒充公检法, two of them left off the app; the form
    // proposes them and the type.
    let page = ok(&as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        ("GET", "/outreach/lists", ""),
    )
    .await);
    let elderly = page
        .split("data-group=\"elderly\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{page}"));
    assert!(
        elderly.contains("data-cases>2<") && elderly.contains("data-unreached>2<"),
        "{elderly}"
    );
    assert!(elderly[..elderly.find("</tr>").unwrap()].contains("冒充公检法"));
    assert!(
        page.contains(r#"<option value="elderly" selected>"#),
        "{page}"
    );
    assert!(page.contains(r#"<option value="impersonating_police" selected>"#));

    // Issued for the county: the two elderly residents not on the app.
    let issued = as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        (
            "POST",
            "/outreach/lists",
            "unit=&group=elderly&fraud_type=impersonating_police&days=14",
        ),
    )
    .await;
    ok(&issued);
    let path = issued.location.clone();
    let id: i64 = path
        .strip_prefix("/outreach/lists/")
        .unwrap_or_else(|| panic!("to the list: {path}"))
        .parse()
        .unwrap();
    let list = ok(&as_(&state, Role::UnitCommander, COUNTY, ("GET", &path, "")).await);
    assert!(list.contains(r#"data-figure="rows">2<"#), "{list}");
    assert!(
        list.contains("公安机关不会电话办案"),
        "the talking points of the type"
    );
    assert!(!list.contains("330281194801050001"), "ID numbers masked");

    // The east village's grid worker: their own resident only.
    // Their phone's outreach page points to the visits left.
    let phone = ok(&as_(&state, Role::GridWorker, EAST, ("GET", "/m/outreach", "")).await);
    assert!(
        phone.contains(&format!(r#"href="/outreach/lists/{id}?state=pending""#)),
        "{phone}"
    );
    let grid = ok(&as_(&state, Role::GridWorker, EAST, ("GET", &path, "")).await);
    assert!(grid.contains(r#"data-figure="rows">1<"#), "{grid}");
    assert!(
        grid.contains("王*英") && !grid.contains("王1英"),
        "names masked"
    );
    let row = state
        .store
        .outreach_lists()
        .rows(
            &state.store.units().scope(EAST).await.unwrap(),
            id,
            None,
            &PageRequest::first(10),
        )
        .await
        .unwrap()
        .items[0]
        .clone();
    assert!(grid.contains(&format!(r#"data-visit="{}""#, row.id)));
    let visit = format!(
        "version={}&result=reached&app=1&note=%E5%B7%B2%E8%AE%B2%E8%A7%A3",
        row.version
    );
    let done = as_(
        &state,
        Role::GridWorker,
        EAST,
        ("POST", &format!("/outreach/list-rows/{}", row.id), &visit),
    )
    .await;
    ok(&done);
    let stale = as_(
        &state,
        Role::GridWorker,
        EAST,
        ("POST", &format!("/outreach/list-rows/{}", row.id), &visit),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let person = state
        .store
        .people()
        .get(&Scope::platform(), &row.resident_id)
        .await
        .unwrap();
    assert!(person.app_registered, "registered by the visit");
    let county = ok(&as_(&state, Role::UnitCommander, COUNTY, ("GET", &path, "")).await);
    assert!(county.contains(r#"data-figure="reached">1<"#));
    assert!(county.contains(r#"data-figure="app">1<"#));
    assert!(
        county.contains(r#"data-figure="coverage">50.0%<"#),
        "{county}"
    );
    let pending = ok(&as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        ("GET", &format!("{path}?state=pending"), ""),
    )
    .await);
    assert_eq!(pending.matches("data-row=").count(), 1);
    assert!(pending.contains(r#"data-state="pending""#));
    // The west village's row is not the east's to record.
    let west = state
        .store
        .outreach_lists()
        .rows(
            &Scope::platform(),
            id,
            Some(ReachState::Pending),
            &PageRequest::first(10),
        )
        .await
        .unwrap()
        .items[0]
        .clone();
    let foreign = as_(
        &state,
        Role::GridWorker,
        EAST,
        (
            "POST",
            &format!("/outreach/list-rows/{}", west.id),
            "version=0&result=reached",
        ),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // The county's 待办: one visit left.
    let todo = ok(&as_(&state, Role::UnitCommander, COUNTY, ("GET", "/todo", "")).await);
    let line = todo
        .split("data-todo=\"todo_outreach_lists\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{todo}"));
    assert!(line.contains("data-open>1<"), "{line}");

    // Nothing for another county or a bank liaison.
    let other = as_(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        ("GET", &path, ""),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let listed = ok(&as_(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        ("GET", "/outreach/lists", ""),
    )
    .await);
    assert!(!listed.contains(&format!(r#"data-list="{id}""#)));
    let bank = as_(
        &state,
        Role::BankLiaison,
        COUNTY,
        ("GET", "/outreach/lists", ""),
    )
    .await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);
    let grid_issue = as_(
        &state,
        Role::GridWorker,
        EAST,
        ("POST", "/outreach/lists", "group=young"),
    )
    .await;
    assert_eq!(grid_issue.status, StatusCode::FORBIDDEN);

    // Bad input, naming the field; nothing issued.
    for (form, field) in [
        ("group=children", "group"),
        ("group=young&fraud_type=lottery", "fraud_type"),
        ("group=young&days=400", "days"),
        ("group=public_sector", "target_group"),
    ] {
        let a = as_(
            &state,
            Role::UnitCommander,
            COUNTY,
            ("POST", "/outreach/lists", form),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(a.text().contains(field), "{form}: {}", a.text());
    }
    let bad_visit = as_(
        &state,
        Role::GridWorker,
        WEST,
        (
            "POST",
            &format!("/outreach/list-rows/{}", west.id),
            "version=0&result=unreachable&app=1",
        ),
    )
    .await;
    assert_eq!(bad_visit.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        state
            .store
            .outreach_lists()
            .lists(&Scope::platform(), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
