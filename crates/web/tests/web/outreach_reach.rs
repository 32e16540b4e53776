//! How far outreach reaches and what it is measured against, on SQLite and PostgreSQL:
//! new-media posts recorded and counted again (a stale count 409, another county's post 404,
//! CSV); leaflets and questions on a talk; a victim's prior outreach recorded on the case page
//! and the 面对面宣防率 on the statistics page; criminal cases entered per unit and month giving
//! 电诈案件占刑事案件比 beside a year earlier, on its page and in the brief.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewCase, PageRequest, PostFilter, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    posts_are_recorded_counted_again_and_kept_in_their_county,
    talks_count_leaflets_and_questions_and_victims_prior_outreach_gives_the_rate,
    criminal_case_counts_give_the_share_of_fraud_beside_a_year_earlier,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    at("2026-03-10T10:30:00+08:00")
}

fn at(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339)
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
            unit(EAST_VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit("330281002", "梨洲街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
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

/// The text of the first element carrying `attr` after `from` in `page`.
fn figure(page: &str, from: &str, attr: &str) -> String {
    let start = page.find(from).unwrap_or_else(|| panic!("no {from}"));
    let rest = &page[start..];
    let at = rest
        .find(attr)
        .unwrap_or_else(|| panic!("no {attr} after {from}"));
    let rest = &rest[at..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap();
    rest[open..open + close].trim().to_string()
}

async fn posts_are_recorded_counted_again_and_kept_in_their_county(db: &Db) {
    let state = world(db).await;
    let form = "unit_code=330281001&published_on=2026-03-01&platform=douyin&form=video\
                &topic=two_cards&account=%E4%BD%99%E5%A7%9A%E5%8F%8D%E8%AF%88\
                &title=%E5%87%BA%E7%A7%9F%E9%93%B6%E8%A1%8C%E5%8D%A1&views=12%2C000&shares=30";
    let rec = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/outreach/posts",
        form,
    )
    .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    assert_eq!(
        rec.location,
        "/outreach/posts?from=2026-01-01&until=2026-03-10"
    );
    // Another county's commander records one of its own.
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        "/outreach/posts",
        "published_on=2026-03-02&platform=wechat&form=article&topic=alert&account=x&title=cixi&views=999",
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.text());
    // Nor may a commander record into another county, a grid worker at all, or a future day.
    for (role, unit, body, status) in [
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330282001&published_on=2026-03-01&platform=douyin&form=video&topic=alert&account=x&title=y",
            StatusCode::NOT_FOUND,
        ),
        (
            Role::GridWorker,
            EAST_VILLAGE,
            "published_on=2026-03-01&platform=douyin&form=video&topic=alert&account=x&title=y",
            StatusCode::FORBIDDEN,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "published_on=2026-03-11&platform=douyin&form=video&topic=alert&account=x&title=y",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "published_on=2026-03-01&platform=myspace&form=video&topic=alert&account=x&title=y",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let a = send(&state, role, unit, "POST", "/outreach/posts", body).await;
        assert_eq!(a.status, status, "{body}: {}", a.text());
    }
    let all = state
        .store
        .outreach_posts()
        .list(
            &Scope::platform(),
            &PostFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    let ours = all.items.iter().find(|p| p.unit_code == TOWNSHIP).unwrap();
    let theirs = all
        .items
        .iter()
        .find(|p| p.unit_code == OTHER_COUNTY)
        .unwrap();
    assert_eq!((ours.views, ours.shares), (12_000, 30));

    let page = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/outreach/posts",
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("出租银行卡") && !text.contains("cixi"),
        "{text}"
    );
    assert_eq!(
        figure(&text, "posts-totals", "data-figure=\"views\""),
        "12000"
    );
    assert_eq!(figure(&text, "posts-by-platform", "data-views"), "12000");

    // Counted again at the version read; the same version again is stale.
    let path = format!("/outreach/posts/{}/count", ours.id);
    let again = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        "version=1&views=30000&shares=80",
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
    let stale = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &path,
        "version=1&views=40000&shares=90",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    let foreign = format!("/outreach/posts/{}/count", theirs.id);
    let nope = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        &foreign,
        "version=1&views=5",
    )
    .await;
    assert_eq!(nope.status, StatusCode::NOT_FOUND, "{}", nope.text());

    let csv = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/outreach/posts?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    assert!(
        csv.contains("出租银行卡") && csv.contains("30000") && !csv.contains("cixi"),
        "{csv}"
    );
    let leader = send(&state, Role::Leader, COUNTY, "GET", "/outreach/posts", "").await;
    assert_eq!(leader.status, StatusCode::OK);
    assert!(
        !leader.text().contains("id=\"record-post\""),
        "leaders read only"
    );
    let bank = send(
        &state,
        Role::BankLiaison,
        COUNTY,
        "GET",
        "/outreach/posts",
        "",
    )
    .await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);
}

fn case(id: &str, unit: &str, reported_at: i64) -> NewCase {
    NewCase {
        id: id.into(),
        unit_code: unit.into(),
        reported_at,
        loss_fen: 100_000,
        narrative: "刷单返利".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: reported_at,
        ..NewCase::default()
    }
}

async fn talks_count_leaflets_and_questions_and_victims_prior_outreach_gives_the_rate(db: &Db) {
    let state = world(db).await;
    let talk = "held_on=2026-03-09&kind=street&audience=community&place=%E5%B9%BF%E5%9C%BA\
                &people_reached=800&app_registrations=40&materials=1500&consultations=120";
    let rec = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/m/outreach",
        talk,
    )
    .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    let stream = "held_on=2026-03-08&kind=online&audience=other&place=live&people_reached=5000";
    let rec = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/m/outreach",
        stream,
    )
    .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    let bad =
        "held_on=2026-03-09&kind=street&audience=community&place=x&people_reached=1&materials=-3";
    let refused = send(
        &state,
        Role::GridWorker,
        EAST_VILLAGE,
        "POST",
        "/m/outreach",
        bad,
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );
    let page = send(&state, Role::UnitCommander, COUNTY, "GET", "/outreach", "").await;
    let text = page.text();
    assert_eq!(
        figure(&text, "outreach-totals", "data-figure=\"materials\""),
        "1500"
    );
    assert_eq!(
        figure(&text, "outreach-totals", "data-figure=\"consultations\""),
        "120"
    );
    assert_eq!(
        figure(
            &text,
            "outreach-totals",
            "data-figure=\"face_to_face_events\""
        ),
        "1"
    );
    assert_eq!(
        figure(
            &text,
            "outreach-totals",
            "data-figure=\"face_to_face_people\""
        ),
        "800"
    );

    // Three victims this year; two asked: one reached face to face, one never.
    for (id, day) in [
        ("C1", "2026-02-01"),
        ("C2", "2026-02-10"),
        ("C3", "2026-03-01"),
    ] {
        let c = case(id, EAST_VILLAGE, at(&format!("{day}T09:00:00+08:00")));
        assert!(state.store.cases().create(&c).await.unwrap());
    }
    let set = |id: &str, v: &str| {
        (
            format!("/cases/{id}/prior-outreach"),
            format!("prior_outreach={v}"),
        )
    };
    for (id, v) in [("C1", "face_to_face"), ("C2", "never")] {
        let (path, form) = set(id, v);
        let a = send(&state, Role::UnitCommander, COUNTY, "POST", &path, &form).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
        assert_eq!(a.location, format!("/cases/{id}#prior-outreach"));
    }
    let (path, form) = set("C3", "sometimes");
    let a = send(&state, Role::UnitCommander, COUNTY, "POST", &path, &form).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    let (path, form) = set("C3", "never");
    let a = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &path,
        &form,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "another county's case");
    let a = send(&state, Role::GridWorker, EAST_VILLAGE, "POST", &path, &form).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "grid workers do not");

    let page = send(&state, Role::CenterAnalyst, COUNTY, "GET", "/cases/C1", "").await;
    let text = page.text();
    assert!(
        text.contains("data-prior-outreach=\"face_to_face\""),
        "{text}"
    );
    assert!(text.contains("id=\"set-prior-outreach\""));
    let leader = send(&state, Role::Leader, COUNTY, "GET", "/cases/C3", "").await;
    let text = leader.text();
    assert!(
        text.contains("data-prior-outreach=\"unknown\"")
            && !text.contains("id=\"set-prior-outreach\"")
    );

    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=year",
        "",
    )
    .await;
    let text = stats.text();
    assert_eq!(
        figure(
            &text,
            "registration-tiles",
            "data-stat=\"victims-face-to-face\""
        ),
        "50.00%"
    );
    assert_eq!(
        figure(
            &text,
            "registration-tiles",
            "data-stat=\"outreach-materials\""
        ),
        "1500"
    );
    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=year&view=brief",
        "",
    )
    .await;
    let text = brief.text();
    assert!(
        text.contains("其中面对面宣防1场、覆盖800人；发放宣传资料1500份；接受群众咨询120人次；回访受害人2人，此前接受过面对面宣防的1人（占50.00%）。"),
        "{text}"
    );
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|a| a.action == "case_prior_outreach_set")
            .count(),
        2
    );
}

async fn criminal_case_counts_give_the_share_of_fraud_beside_a_year_earlier(db: &Db) {
    let state = world(db).await;
    // Fraud cases: 3 in January 2026, 1 in February 2026; 4 in January 2025.
    let reported = [
        ("J1", "2026-01-05"),
        ("J2", "2026-01-06"),
        ("J3", "2026-01-31"),
        ("F1", "2026-02-02"),
        ("L1", "2025-01-03"),
        ("L2", "2025-01-04"),
        ("L3", "2025-01-05"),
        ("L4", "2025-01-06"),
    ];
    for (id, day) in reported {
        let c = case(id, EAST_VILLAGE, at(&format!("{day}T09:00:00+08:00")));
        assert!(state.store.cases().create(&c).await.unwrap());
    }
    // January 2026: the two townships enter 10 and 5; February nobody; January 2025: the
    // county enters its own 16.
    for (unit, month, cases) in [
        (TOWNSHIP, "2026-01", "10"),
        ("330281002", "2026-01", "5"),
        (COUNTY, "2025-01", "16"),
    ] {
        let a = send(
            &state,
            Role::UnitCommander,
            COUNTY,
            "POST",
            "/crime-counts",
            &format!("unit_code={unit}&month={month}&cases={cases}"),
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    }
    for (role, unit, body, status) in [
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330281001&month=2026-04&cases=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330281001&month=2026-13&cases=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330281001&month=2026-02&cases=-1",
            StatusCode::BAD_REQUEST,
        ),
        (
            Role::UnitCommander,
            COUNTY,
            "unit_code=330282001&month=2026-02&cases=1",
            StatusCode::NOT_FOUND,
        ),
        (
            Role::Leader,
            COUNTY,
            "unit_code=330281001&month=2026-02&cases=1",
            StatusCode::FORBIDDEN,
        ),
    ] {
        let a = send(&state, role, unit, "POST", "/crime-counts", body).await;
        assert_eq!(a.status, status, "{body}: {}", a.text());
    }

    let page = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/crime-counts?year=2026",
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert_eq!(figure(&text, "data-month=\"2026-01\"", "data-fraud"), "3");
    assert_eq!(
        figure(&text, "data-month=\"2026-01\"", "data-criminal"),
        "15"
    );
    assert_eq!(
        figure(&text, "data-month=\"2026-01\"", "data-share"),
        "20.0%"
    );
    assert_eq!(
        figure(&text, "data-month=\"2026-01\"", "data-last-share"),
        "25.0%"
    );
    assert_eq!(
        figure(&text, "data-month=\"2026-01\"", "data-change"),
        "↓5.0个百分点"
    );
    // February: a fraud case but nothing entered: no share.
    assert_eq!(figure(&text, "data-month=\"2026-02\"", "data-share"), "—");
    // The year counts the months entered only.
    assert_eq!(figure(&text, "crime-total", "data-share"), "20.0%");
    assert_eq!(figure(&text, "crime-total", "data-criminal"), "15");
    assert_eq!(
        figure(&text, "crime-total", "data-fraud"),
        "3",
        "the months entered"
    );
    assert!(!text.contains("id=\"enter-crime\""), "leaders read only");
    // The entry table: the townships' January figures.
    let row = &text[text.find("data-unit=\"330281001\"").unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("<td>10</td>"));

    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/crime-counts?year=2026",
        "",
    )
    .await;
    assert_eq!(
        figure(&other.text(), "data-month=\"2026-01\"", "data-criminal"),
        ""
    );
    let csv = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/crime-counts?year=2026&format=csv",
        "",
    )
    .await;
    assert!(csv.text().contains("20.0%"), "{}", csv.text());

    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-01-01&to=2026-02-28&view=brief",
        "",
    )
    .await;
    let text = brief.text();
    assert!(
        text.contains("；电诈案件占刑事案件总数20.0%（据已报1个月立案数），同比下降5.0个百分点"),
        "{text}"
    );
    let stats = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-01-01&to=2026-01-31",
        "",
    )
    .await;
    assert_eq!(
        figure(&stats.text(), "case-tiles", "data-stat=\"crime-share\""),
        "20.0%"
    );
}
