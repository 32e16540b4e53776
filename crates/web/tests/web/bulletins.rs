//! 通报, on SQLite and PostgreSQL: the county commander issues the work brief as a numbered
//! 情况通报 (the brief offers the form, prefilled), the townships find it waiting for their
//! receipt and sign it, the county sees who signed; another county never sees it; a grid
//! worker reads it but does not sign.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_brief_issued_as_a_bulletin_is_signed_by_each_township,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_TOWNSHIP: &str = "330281002";
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
            unit(OTHER_TOWNSHIP, "梨洲街道", Township, Some(COUNTY)),
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

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn a_brief_issued_as_a_bulletin_is_signed_by_each_township(db: &Db) {
    let state = world(db).await;
    // The brief offers the form with its own text; a township's brief offers none to the
    // county's analyst looking at it, and a leader gets none.
    let brief = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await;
    let text = brief.text();
    assert!(text.contains("id=\"issue-situation\""), "{text}");
    assert!(text.contains("一、发案情况"), "{text}");
    let below = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/statistics?unit=330281001&period=month&view=brief",
        "",
    )
    .await;
    assert!(!below.text().contains("id=\"issue-situation\""));
    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await;
    assert!(!leader.text().contains("id=\"issue-situation\""));

    let body = "一、发案情况\n本月共发案3起。\n\n二、工作要求\n各街道加强宣防。";
    let form = format!(
        "kind=situation&title={}&period={}&body={}",
        encode("余姚市电信网络诈骗情况通报"),
        encode("2026年3月1日至3月10日"),
        encode(body)
    );
    let issued = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/bulletins",
        &form,
    )
    .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text());
    let path = issued.location.clone();
    assert!(path.starts_with("/bulletins/"), "{path}");
    let again = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/bulletins",
        &form,
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    for bad in [
        "kind=situation&title=&body=x",
        "kind=memo&title=x&body=x",
        "kind=methods&title=x&body=x&fraud_type=nonsense",
    ] {
        let a = send(
            &state,
            Role::UnitCommander,
            COUNTY,
            "POST",
            "/bulletins",
            bad,
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text());
    }
    // Nobody below a village to address; a leader does not issue.
    let a = send(
        &state,
        Role::UnitCommander,
        VILLAGE,
        "POST",
        "/bulletins",
        "kind=methods&title=x&body=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    let a = send(
        &state,
        Role::Leader,
        COUNTY,
        "POST",
        "/bulletins",
        "kind=methods&title=x&body=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // The document: numbered, headings as headings, receipts 0 of 2.
    let doc = send(&state, Role::UnitCommander, TOWNSHIP, "GET", &path, "").await;
    let text = doc.text();
    assert!(text.contains("情况通报 · 余姚市 2026年第1期"), "{text}");
    assert!(
        text.contains("<h2>一、发案情况</h2>") && text.contains("<p>本月共发案3起。</p>"),
        "{text}"
    );
    assert!(text.contains("id=\"sign-bulletin\""), "the township signs");
    // Waiting for the township's receipt on its list.
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/bulletins?unsigned=1",
        "",
    )
    .await;
    assert_eq!(
        list.text().matches("data-unsigned").count(),
        2,
        "{}",
        list.text()
    );
    let signed = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &format!("{path}/sign"),
        "",
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    let twice = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &format!("{path}/sign"),
        "",
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/bulletins?unsigned=1",
        "",
    )
    .await;
    assert_eq!(list.text().matches("data-unsigned").count(), 1);

    // The county: 1 of 2 signed, 阳明街道 with its signatory.
    let county = send(&state, Role::UnitCommander, COUNTY, "GET", "/bulletins", "").await;
    assert!(
        county.text().contains("<span data-receipts>1 / 2</span>"),
        "{}",
        county.text()
    );
    let doc = send(&state, Role::UnitCommander, COUNTY, "GET", &path, "").await;
    let text = doc.text();
    assert!(text.contains("unit_commander_330281001"), "{text}");
    assert!(
        !text.contains("id=\"sign-bulletin\""),
        "the issuer does not sign"
    );

    // A village grid worker reads it, without a sign button and without the right to sign.
    let grid = send(&state, Role::GridWorker, VILLAGE, "GET", &path, "").await;
    assert_eq!(grid.status, StatusCode::OK);
    assert!(!grid.text().contains("id=\"sign-bulletin\""));
    let a = send(
        &state,
        Role::GridWorker,
        VILLAGE,
        "POST",
        &format!("{path}/sign"),
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // A scam alert shows on the grid worker's phone; a situation report does not.
    let alert = format!(
        "kind=methods&fraud_type=fake_customer_service&title={}&body={}",
        encode("“快递理赔”新手法"),
        encode("冒充快递客服以理赔为名诱导共享屏幕。")
    );
    let a = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/bulletins",
        &alert,
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let phone = send(&state, Role::GridWorker, VILLAGE, "GET", "/m", "").await;
    let text = phone.text();
    let alerts = &text[text
        .find("id=\"scam-alerts\"")
        .expect("the alerts on the phone")..];
    let alerts = &alerts[..alerts.find("</div>").unwrap()];
    assert!(alerts.contains("“快递理赔”新手法"), "{alerts}");
    assert!(!alerts.contains("情况通报"), "{alerts}");
    let doc = send(&state, Role::GridWorker, VILLAGE, "GET", &a.location, "").await;
    assert!(
        doc.text().contains("冒充电商物流客服"),
        "the fraud type named: {}",
        doc.text()
    );
    // Another county sees nothing of it.
    let a = send(&state, Role::UnitCommander, OTHER_COUNTY, "GET", &path, "").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let list = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/bulletins",
        "",
    )
    .await;
    assert!(!list.text().contains("data-bulletin="), "{}", list.text());
    let a = send(
        &state,
        Role::UnitCommander,
        "330282001",
        "POST",
        &format!("{path}/sign"),
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}
