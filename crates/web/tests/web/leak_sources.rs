//! 订单信息泄露溯源, on SQLite and PostgreSQL: a fake customer-service case's page opens the
//! order-source form filled in from the narrative; the analyst records three cases whose
//! orders went through one courier outlet (written three ways) and two through one shop;
//! `/leak-sources` flags the outlet and the shop as suspected leaks with the cases, the units,
//! the loss and what the callers knew (waybill data for the outlet), exports them, and counts
//! the period's cases still without a record; a stale form is a conflict; another county sees
//! nothing of them; a bank's liaison has no such page; every record is audited.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewCase, Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    cases_sharing_a_courier_outlet_point_at_the_leak,
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

const DAY: i64 = 86_400_000;

fn case(id: &str, unit: &str, days_ago: i64, loss_fen: i64, narrative: &str) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: t0() - days_ago * DAY,
        loss_fen,
        narrative: narrative.into(),
        fraud_type: Some("fake_customer_service".into()),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: t0() - days_ago * DAY,
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
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    for c in [
        case(
            "LS-1",
            VILLAGE,
            10,
            500_000,
            "受害人接到自称淘宝客服电话，对方说出其在“优品家居旗舰店”购买的收纳柜订单及中通快递单号，以商品质量问题退款为由诱导转账。",
        ),
        case("LS-2", VILLAGE, 8, 1_200_000, "自称快递客服称包裹丢失理赔。"),
        case("LS-3", TOWNSHIP, 5, 80_000, "自称快递客服称包裹丢失理赔。"),
        case("LS-4", TOWNSHIP, 3, 30_000, "自称客服。"),
        case("LS-9", OTHER_COUNTY, 4, 10_000, "自称客服。"),
    ] {
        store.cases().create(&c).await.unwrap();
    }
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

fn form(platform: &str, shop: &str, courier: &str, outlet: &str, version: &str) -> String {
    format!(
        "platform={}&shop={}&courier={}&outlet={}&ordered_on=2026-02-20&cited=name&cited=phone&cited=waybill&version={version}",
        urlencoded(platform),
        urlencoded(shop),
        urlencoded(courier),
        urlencoded(outlet)
    )
}

async fn cases_sharing_a_courier_outlet_point_at_the_leak(db: &Db) {
    let state = world(db).await;
    let a = Role::CenterAnalyst;

    // The case's page: the section, filled in from the narrative.
    let page = ok(&send(&state, a, "3302", "GET", "/cases/LS-1", "").await);
    for needle in [
        r#"id="order-source" data-recorded="no""#,
        r#"id="order-source-suggested""#,
        r#"name="platform" list="ls-platforms" maxlength="100" value="淘宝""#,
        r#"name="shop" maxlength="100" value="优品家居旗舰店""#,
        r#"name="courier" list="ls-couriers" maxlength="100" value="中通""#,
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }

    // Refused when it names nothing or an outlet without its courier.
    for (bad, field) in [
        (form("", "", "", "", ""), "platform"),
        (form("淘宝", "", "", "城东网点", ""), "courier"),
        (
            format!("{}&cited=password", form("淘宝", "", "", "", "")),
            "cited",
        ),
    ] {
        let r = send(&state, a, "3302", "POST", "/cases/LS-1/order-source", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.text().contains(field), "{field}: {}", r.text());
    }
    // Three cases through one 中通 outlet, written three ways (中通快递 kept as 中通); two at
    // one shop.
    for (id, platform, shop, courier, outlet) in [
        ("LS-1", "淘宝", "优品家居旗舰店", "中通快递", "余姚城东网点"),
        ("LS-2", "拼多多", "", "中通", "余姚 城东网点"),
        ("LS-3", "手淘", "优品家居 旗舰店", "中通", "余姚城东网点（"),
    ] {
        let r = send(
            &state,
            Role::UnitCommander,
            COUNTY,
            "POST",
            &format!("/cases/{id}/order-source"),
            &form(platform, shop, courier, outlet, ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{id}: {}", r.text());
    }
    let page = ok(&send(&state, a, "3302", "GET", "/cases/LS-1", "").await);
    for needle in [
        r#"data-recorded="yes""#,
        r#"<dd data-courier>中通</dd>"#,
        "快递单号",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    // A second first record, or a stale version, is a conflict.
    let r = send(
        &state,
        a,
        "3302",
        "POST",
        "/cases/LS-1/order-source",
        &form("京东", "", "", "", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = send(
        &state,
        a,
        "3302",
        "POST",
        "/cases/LS-1/order-source",
        &form("淘宝", "优品家居旗舰店", "中通", "余姚城东网点", "1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = send(
        &state,
        a,
        "3302",
        "POST",
        "/cases/LS-1/order-source",
        &form("淘宝", "", "", "", "1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The leak sources: the outlet of three cases, from two units, with the waybill data; the
    // shop of two; one case of four not recorded.
    let page = ok(&send(&state, Role::Leader, COUNTY, "GET", "/leak-sources", "").await);
    for needle in [
        r#"data-stat="ls-cases">4<"#,
        r#"data-stat="ls-recorded">3<"#,
        r#"data-stat="ls-outlets">1<"#,
        r#"data-stat="ls-shops">1<"#,
        r#"data-outlet="余姚城东网点" data-cases="3""#,
        r#"data-shop="优品家居旗舰店" data-cases="2""#,
        "疑似泄露源",
        "面单信息",
        "¥17,800.00",
        "快递单号 3",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    let csv = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/leak-sources?format=csv&section=outlets",
        "",
    )
    .await);
    assert!(csv.contains("中通,余姚城东网点,3,2,"), "{csv}");
    assert!(csv.contains("LS-1 LS-2 LS-3"), "{csv}");
    let xlsx = send(&state, a, "3302", "GET", "/leak-sources?format=xlsx", "").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
    // A shorter period leaves the older cases out (the outlet as LS-3 wrote it).
    let week = ok(&send(&state, a, "3302", "GET", "/leak-sources?days=7", "").await);
    assert!(
        week.contains(r#"data-outlet="余姚城东网点（" data-cases="1""#),
        "{week}"
    );
    assert!(
        week.contains(r#"data-stat="ls-outlets">0<"#),
        "one case is no pattern"
    );

    // The outlet handed to the county's postal regulator, a member of its joint office: the
    // task names the outlet, the cases and what the callers knew; the page links it.
    let member = state
        .store
        .joint_office()
        .add_member(
            &fanzha_store::Scope::platform(),
            &fanzha_store::NewJointMember {
                unit_code: COUNTY.into(),
                name: "余姚市邮政管理局".into(),
                kind: fanzha_store::JointMemberKind::Government,
                contact_name: "联络员".into(),
                contact_phone: "13900003333".into(),
                staff: 40,
                note: String::new(),
                by: "setup".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    let page = ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/leak-sources",
        "",
    )
    .await);
    let key = "中通|余姚城东网点";
    assert!(
        page.contains(&format!(r#"data-hand-over="{key}""#)),
        "{page}"
    );
    assert!(page.contains("余姚市邮政管理局"));
    let r = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/leak-sources/tasks",
        &format!(
            "by=outlet&key={}&member_id={member}&due=2026-03-25",
            urlencoded(key)
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.location.starts_with("/joint-office/tasks/"),
        "{}",
        r.location
    );
    let task = ok(&send(&state, Role::UnitCommander, COUNTY, "GET", &r.location, "").await);
    for needle in [
        "核查中通余姚城东网点订单信息泄露问题",
        "LS-1、LS-2、LS-3",
        "快递单号 3",
        "余姚市邮政管理局",
    ] {
        assert!(task.contains(needle), "{needle} in {task}");
    }
    let page = ok(&send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "GET",
        "/leak-sources",
        "",
    )
    .await);
    let id = r.location.trim_start_matches("/joint-office/tasks/");
    assert!(page.contains(&format!(r#"data-task="{id}""#)), "{page}");
    // A key no case of one's area names is not found; a leader hands nothing over.
    let r = send(
        &state,
        Role::UnitCommander,
        COUNTY,
        "POST",
        "/leak-sources/tasks",
        &format!("by=outlet&key=x%7Cy&member_id={member}&due=2026-03-25"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &state,
        Role::Leader,
        COUNTY,
        "POST",
        "/leak-sources/tasks",
        &format!("by=outlet&key=x&member_id={member}&due=2026-03-25"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Another county sees none of it and cannot record on the case; a liaison has no page.
    let other = ok(&send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/leak-sources",
        "",
    )
    .await);
    assert!(other.contains(r#"data-stat="ls-cases">1<"#), "{other}");
    assert!(!other.contains("data-outlet="), "{other}");
    let r = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        "/cases/LS-4/order-source",
        &form("淘宝", "", "", "", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let bank = send(
        &state,
        Role::BankLiaison,
        COUNTY,
        "GET",
        "/leak-sources",
        "",
    )
    .await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);
    // A leader reads but does not record.
    let r = send(
        &state,
        Role::Leader,
        COUNTY,
        "POST",
        "/cases/LS-4/order-source",
        &form("淘宝", "", "", "", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let audit = ok(&send(&state, Role::Leader, "3302", "GET", "/audit", "").await);
    assert!(audit.contains("录入订单信息泄露情况"), "{audit}");
}
