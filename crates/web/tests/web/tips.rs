//! 举报线索, on SQLite and PostgreSQL: a grid worker reports a scam number from the phone with
//! a resident's callback number; the county sees it on its figures, its list (the resident's
//! number masked) and its 待办; the tip's page shows the number in full (audited) and the way
//! to ask the operator to shut the scam number down; the check is recorded once from the
//! version read and shows on the grid worker's phone; bad tips are refused naming the field;
//! another county never sees it; a bank's liaison has no tip pages.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_grid_workers_tip_is_checked_by_the_county,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

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
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
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

async fn a_grid_workers_tip_is_checked_by_the_county(db: &Db) {
    let state = world(db).await;
    let grid = Role::GridWorker;
    let phone = ok(&send(&state, grid, VILLAGE, "GET", "/m/tips", "").await);
    assert!(phone.contains(r#"id="report-tip""#), "{phone}");

    let form = format!(
        "kind=phone&subject={}&detail={}&source=resident&reporter_phone=13900001234",
        urlencoded("+86 170-1234-5678"),
        urlencoded("自称快递客服，说包裹丢失要理赔，让下载会议软件")
    );
    let r = send(&state, grid, VILLAGE, "POST", "/tips", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location, "/m/tips?saved=1");
    let phone = ok(&send(&state, grid, VILLAGE, "GET", &r.location, "").await);
    assert!(phone.contains(r#"id="tip-saved""#), "{phone}");
    assert!(phone.contains(r#"data-state="pending""#) && phone.contains("17012345678"));

    // Bad tips are refused naming the field; a unit outside one's area is not found.
    for (bad, field) in [
        ("kind=phone&subject=abc", "subject"),
        ("kind=url&subject=not+a+link", "subject"),
        (
            "kind=person&subject=x&reporter_phone=nope",
            "reporter_phone",
        ),
        ("kind=bogus&subject=x", "kind"),
    ] {
        let r = send(&state, grid, VILLAGE, "POST", "/tips", bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        assert!(r.text().contains(field), "{bad}: {}", r.text());
    }
    let outside = send(
        &state,
        grid,
        VILLAGE,
        "POST",
        "/tips",
        &format!("unit_code={OTHER_COUNTY}&kind=person&subject=x"),
    )
    .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);

    // The county: figures, the list masked, the 待办.
    let c = Role::UnitCommander;
    let list = ok(&send(&state, c, COUNTY, "GET", "/tips", "").await);
    for needle in [
        r#"data-stat="tips-reported">1<"#,
        r#"data-stat="tips-pending">1<"#,
        "139****1234",
        "舜水社区",
    ] {
        assert!(list.contains(needle), "{needle} in {list}");
    }
    assert!(!list.contains("13900001234"), "{list}");
    let todo = ok(&send(&state, c, COUNTY, "GET", "/todo", "").await);
    assert!(
        todo.contains(r#"data-todo="todo_tips"><span class="n" data-open>1<"#),
        "{todo}"
    );
    let id: i64 = {
        let at = list.find("data-tip=\"").unwrap() + 10;
        list[at..at + list[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let path = format!("/tips/{id}");
    let page = ok(&send(&state, c, COUNTY, "GET", &path, "").await);
    assert!(
        page.contains("<dd data-reporter>13900001234</dd>"),
        "{page}"
    );
    assert!(
        page.contains("/number-disposals?ask=17012345678#request"),
        "{page}"
    );
    let other = send(&state, c, OTHER_COUNTY, "GET", &path, "").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Checked once, from the version read.
    let review = format!(
        "state=confirmed&version=1&finding={}",
        urlencoded("170虚拟号段冒充客服，已申请运营商关停")
    );
    let stale = send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{path}/review"),
        "state=confirmed&version=7&finding=x",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    let empty = send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{path}/review"),
        "state=dismissed&version=1&finding=",
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.text());
    ok(&send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{path}/review"),
        &review,
    )
    .await);
    let again = send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{path}/review"),
        &review,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let page = ok(&send(&state, c, COUNTY, "GET", &path, "").await);
    assert!(page.contains(r#"data-state="confirmed""#), "{page}");
    assert!(!page.contains(r#"id="review-tip""#), "{page}");
    let phone = ok(&send(&state, grid, VILLAGE, "GET", "/m/tips", "").await);
    assert!(
        phone.contains(r#"data-state="confirmed""#) && phone.contains("已申请运营商关停"),
        "{phone}"
    );
    let todo = ok(&send(&state, c, COUNTY, "GET", "/todo", "").await);
    assert!(
        todo.contains(r#"data-todo="todo_tips"><span class="n" data-open>0<"#),
        "{todo}"
    );

    // The month's statistics and brief count it.
    let stats = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await);
    assert!(stats.contains(r#"data-stat="tips-reported">1<"#), "{stats}");
    let brief = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains("受理举报线索1条，查实1条、排除0条，待核查0条。"),
        "{brief}"
    );

    // A bank's liaison has no tip pages; the reporter's number view is in the audit log.
    let bank = send(&state, Role::BankLiaison, COUNTY, "GET", "/tips", "").await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);
    let audit = state
        .store
        .audit()
        .for_target(&Scope::platform(), "tip", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for action in ["tip_reported", "tip_reporter_viewed", "tip_reviewed"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}
