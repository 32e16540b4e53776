//! 劝阻队伍, on SQLite and PostgreSQL: a county commander adds a grid worker by the village's
//! name (another county's village is not found, an unknown one refused) and imports the rest of
//! the roster (a station's officers serving every village below it; an unknown kind, another
//! county's village and a repeated row quarantined with line and reason); the page counts the
//! villages with a full team, ranks the townships, lists each village's members masked and what
//! it lacks, filters the incomplete ones and exports them; one member in full is audited; a
//! removal shows as the kind missing; grid workers see the page but change nothing; another
//! county and a bank's liaison see none of it.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{PageRequest, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{multipart, ok, send_as, send_body, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_county_keeps_a_full_team_in_every_village,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const SHUNSHUI: &str = "330281001001";
const XINJIAN: &str = "330281001002";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";

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
            unit(SHUNSHUI, "舜水社区", Village, Some(TOWNSHIP)),
            unit(XINJIAN, "新建社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
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

async fn commander(state: &AppState, method: &str, path: &str, form: &str) -> Answer {
    send(state, Role::UnitCommander, COUNTY, method, path, form).await
}

/// The village row of the page's table.
fn village_row<'a>(page: &'a str, code: &str) -> &'a str {
    let start = page
        .find(&format!("data-village=\"{code}\""))
        .unwrap_or_else(|| panic!("{code} is listed"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

fn figure(page: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("figure {name}"))
        + marker.len();
    page[start..start + page[start..].find('<').unwrap()].to_string()
}

async fn a_county_keeps_a_full_team_in_every_village(db: &Db) {
    let state = world(db).await;

    // One member by form, the village by its name.
    let added = commander(
        &state,
        "POST",
        "/teams/members",
        &format!(
            "unit={}&kind=grid_worker&name={}&phone=13900000001",
            urlencoded("舜水社区"),
            urlencoded("张丽")
        ),
    )
    .await;
    ok(&added);
    assert!(
        added.location.starts_with("/teams/members/"),
        "{}",
        added.location
    );
    let grid_id: i64 = added.location.rsplit('/').next().unwrap().parse().unwrap();
    // Another county's village is not there to see; an unknown one is refused, naming it.
    let foreign = commander(
        &state,
        "POST",
        "/teams/members",
        &format!("unit={OTHER_VILLAGE}&kind=cadre&name=x&phone=13900000009"),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.text());
    let unknown = commander(
        &state,
        "POST",
        "/teams/members",
        &format!(
            "unit={}&kind=cadre&name=x&phone=13900000009",
            urlencoded("不存在社区")
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text().contains("unit"), "{}", unknown.text());

    // The rest of the roster, imported.
    let roster = "村（社区）,岗位,姓名,手机号,备注\n\
                  阳明街道,派出所反诈民警,李警官,13900000003,\n\
                  阳明街道,社区民警,赵警官,0574-62345678,\n\
                  舜水社区,村支部书记,王书记,13900000002,\n\
                  330281001002,专职网格员,钱网格,13900000011,\n\
                  新建社区,志愿者,孙志愿,13900000012,\n\
                  虞波社区,网格员,慈溪网格,13900000013,\n\
                  舜水社区,网格员,张丽,13900000001,\n";
    let (content_type, body) = multipart(&[("format", "auto")], ("roster.csv", roster.as_bytes()));
    let page = ok(&send_body(
        &state,
        Role::UnitCommander,
        COUNTY,
        t0(),
        ("POST", "/teams/import"),
        (content_type, body),
    )
    .await);
    assert!(page.contains("data-added>4<"), "{page}");
    assert!(page.contains("data-unchanged>1<"), "{page}");
    assert!(page.contains("data-rejected>2<"), "{page}");
    assert!(
        page.contains("data-line=\"6\"") && page.contains("data-reason=\"unknown_team_kind\""),
        "{page}"
    );
    assert!(
        page.contains("data-line=\"7\"") && page.contains("data-reason=\"unit_outside_area\""),
        "{page}"
    );

    // The page: 舜水社区 has all four (the station's officers serve it), 新建社区 lacks a cadre.
    let page = ok(&commander(&state, "GET", "/teams", "").await);
    assert_eq!(figure(&page, "villages"), "2");
    assert_eq!(figure(&page, "complete"), "1");
    assert_eq!(figure(&page, "share"), "50.0%");
    assert_eq!(figure(&page, "no_grid"), "0");
    assert_eq!(figure(&page, "empty"), "0");
    let full = village_row(&page, SHUNSHUI);
    assert!(full.contains("data-complete=\"true\""), "{full}");
    let short = village_row(&page, XINJIAN);
    assert!(short.contains("data-complete=\"false\""));
    assert!(short.contains("村（街道）干部"), "{short}");
    assert!(
        short.contains("赵*"),
        "the station's officer serves it too: {short}"
    );
    // Masked in the list.
    assert!(
        !page.contains("张丽") && page.contains("张*"),
        "names masked"
    );
    assert!(!page.contains("13900000001"), "numbers masked");
    assert!(page.contains("data-township=\"330281001\""));
    // Only the incomplete villages.
    let incomplete = ok(&commander(&state, "GET", "/teams?incomplete=1", "").await);
    assert!(incomplete.contains(&format!("data-village=\"{XINJIAN}\"")));
    assert!(!incomplete.contains(&format!("data-village=\"{SHUNSHUI}\"")));
    // The export, masked, with the townships' sheet.
    let csv = ok(&commander(&state, "GET", "/teams?format=csv", "").await);
    assert!(
        csv.contains("新建社区") && csv.contains("钱*") && !csv.contains("13900000011"),
        "{csv}"
    );
    let towns = ok(&commander(&state, "GET", "/teams?format=csv&section=townships", "").await);
    assert!(towns.contains("阳明街道,2,1,50.0%"), "{towns}");

    // One member in full, audited.
    let member = ok(&commander(&state, "GET", &format!("/teams/members/{grid_id}"), "").await);
    assert!(
        member.contains("张丽") && member.contains("tel:13900000001"),
        "{member}"
    );
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap()
        .items;
    assert!(audit.iter().any(|a| a.action == "view_personal_data"
        && a.target_type == "team_member"
        && a.target_id.as_deref() == Some(&grid_id.to_string())));
    assert!(audit.iter().any(|a| a.action == "team_members_imported"));

    // Grid workers see the page and the member, and change nothing.
    ok(&send(&state, Role::GridWorker, SHUNSHUI, "GET", "/teams", "").await);
    let denied = send(
        &state,
        Role::GridWorker,
        SHUNSHUI,
        "POST",
        &format!("/teams/members/{grid_id}/remove"),
        "version=1",
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // Another county sees none of it; a bank's liaison has no such page.
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/teams/members/{grid_id}"),
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let other_page = ok(&send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/teams",
        "",
    )
    .await);
    assert!(!other_page.contains("舜水社区"));
    let bank = send(&state, Role::BankLiaison, COUNTY, "GET", "/teams", "").await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);

    // The commander's 待办 counts the village short of a kind.
    let todo = ok(&commander(&state, "GET", "/todo", "").await);
    assert!(
        todo.contains(r#"data-todo="todo_teams"><span class="n" data-open>1<"#),
        "{todo}"
    );

    // Removed from the version read: 舜水社区 now lacks its grid worker.
    let stale = commander(
        &state,
        "POST",
        &format!("/teams/members/{grid_id}/remove"),
        "version=2",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    ok(&commander(
        &state,
        "POST",
        &format!("/teams/members/{grid_id}/remove"),
        "version=1",
    )
    .await);
    let page = ok(&commander(&state, "GET", "/teams", "").await);
    assert_eq!(figure(&page, "complete"), "0");
    assert_eq!(figure(&page, "no_grid"), "1");
    assert!(village_row(&page, SHUNSHUI).contains("网格员"));
}
