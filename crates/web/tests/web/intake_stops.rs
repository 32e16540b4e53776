//! 接警即止付 from end to end, identically on SQLite and PostgreSQL: the 110 platform sends a
//! report as it is taken (`POST /api/v1/cases`); the case opens and every bank card the victim
//! named is asked to stop at once — one request per card to the bank its BIN names, for the
//! loss, with the 30-minute deadline — while a platform account and a card of no known bank are
//! answered with the reason they were not; the bank's liaison sees the request (marked) in the
//! queue; sending the report again changes nothing; an older report waits for the analyst's
//! button on the case page; bad reports are refused field by field; the new-case form asks the
//! same way.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use crate::support::{ok, send_as, send_body, unit, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{PageRequest, Role, Scope, StopPayment, UnitLevel, Viewer};
use fanzha_web::intake_stops::INTAKE_REASON;
use fanzha_web::AppState;
use serde_json::{json, Value};
use std::sync::Arc;

const MIN: i64 = 60_000;
const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
/// An ICBC card typed in groups, a CCB card, a platform account, a Luhn-valid card of no bank.
const ICBC_TYPED: &str = "6222 0201 2345 6789 015";
const ICBC: &str = "6222020123456789015";
const CCB: &str = "6217000123456789019";
const PLATFORM: &str = "zfb_fraud_2026";
const NO_BANK: &str = "7000000123456789018";

fanzha_store::on_both_backends! {
    a_report_from_the_110_system_asks_the_named_banks_at_once,
    an_older_report_waits_for_the_analyst_and_bad_reports_are_refused,
    the_new_case_form_asks_for_the_accounts_it_names,
}

/// 2026-03-01 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-01T10:30:00+08:00")
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
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

/// `POST /api/v1/cases` as the county's analyst (or `role`).
async fn push(state: &AppState, role: Role, body: &Value) -> Answer {
    send_body(
        state,
        role,
        COUNTY,
        t0(),
        ("POST", "/api/v1/cases"),
        ("application/json", body.to_string().into_bytes()),
    )
    .await
}

fn report(no: &str, reported_at: &str, loss_fen: i64) -> Value {
    json!({
        "report_no": no,
        "reported_at": reported_at,
        "loss_fen": loss_fen,
        "narrative": "对方自称淘宝客服，称需注销百万保障服务，受害人按指引向对方账户转账。",
        "victim_name": "张三",
        "phone": "13900001234",
        "suspect_phones": ["17012345678"],
        "suspect_accounts": [ICBC_TYPED, CCB, PLATFORM, NO_BANK],
        "unit": VILLAGE,
    })
}

async fn requests(state: &AppState, case_id: &str) -> Vec<StopPayment> {
    state
        .store
        .stop_payments()
        .list(
            &Viewer::Police(Scope::platform()),
            Some(case_id),
            false,
            &PageRequest::first(100),
        )
        .await
        .unwrap()
        .items
}

fn json_of(a: &Answer) -> Value {
    serde_json::from_slice(&a.body).unwrap_or_else(|e| panic!("{e}: {}", a.text()))
}

/// `named_accounts` of an answer as (masked account, request state or skip reason).
fn outcomes(v: &Value) -> Vec<(String, String)> {
    v["named_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let what = a["request_state"]
                .as_str()
                .or_else(|| a["skipped"].as_str())
                .unwrap_or("?");
            (a["account"].as_str().unwrap().to_string(), what.to_string())
        })
        .collect()
}

async fn a_report_from_the_110_system_asks_the_named_banks_at_once(db: &Db) {
    let state = world(db).await;
    // Reported five minutes ago, sent now, with the order the caller knew.
    let mut taken = report("J20260301001", "2026-03-01T10:25:00+08:00", 5_000_000);
    taken["platform"] = json!("手淘");
    taken["shop"] = json!("小米官方旗舰店");
    taken["outlet"] = json!("中通阳明网点");
    taken["ordered_on"] = json!("2026年2月27日");
    taken["order_known"] = json!(["订单号", "运单号", "订单编号"]);
    let answer = push(&state, Role::CenterAnalyst, &taken).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let v = json_of(&answer);
    assert_eq!(v["duplicate"], false);
    assert_eq!(v["unit_code"], VILLAGE);
    let case_id = v["case_id"].as_str().unwrap().to_string();
    // The order the caller knew is the case's order source, names in one form.
    let order = state
        .store
        .case_order_sources()
        .get(&case_id)
        .await
        .unwrap()
        .expect("the report's order is recorded");
    assert_eq!(
        (order.platform.as_str(), order.shop.as_str()),
        ("淘宝", "小米官方旗舰店")
    );
    assert_eq!(
        (order.courier.as_str(), order.outlet.as_str()),
        ("中通", "中通阳明网点")
    );
    assert_eq!(
        order.ordered_on.map(|d| d.to_string()).as_deref(),
        Some("2026-02-27")
    );
    assert_eq!(
        order.cited,
        [
            fanzha_store::CitedDetail::OrderNo,
            fanzha_store::CitedDetail::Waybill
        ]
    );
    let mask = fanzha_core::mask::mask_card;
    assert_eq!(
        outcomes(&v),
        [
            (mask(ICBC), "requested".to_string()),
            (mask(CCB), "requested".to_string()),
            (mask(PLATFORM), "not_a_card".to_string()),
            (mask(NO_BANK), "unknown_bank".to_string()),
        ]
    );
    assert!(
        !answer.text().contains(ICBC) && !answer.text().contains(CCB),
        "accounts are masked in the answer: {}",
        answer.text()
    );

    // One request per card, to the bank its BIN names, for the loss, due in 30 minutes.
    let mut made = requests(&state, &case_id).await;
    made.sort_by(|a, b| a.account.cmp(&b.account));
    assert_eq!(made.len(), 2);
    let banks: Vec<_> = made.iter().map(|r| r.bank_code.as_deref()).collect();
    assert_eq!(banks, [Some("CCB"), Some("ICBC")]);
    for r in &made {
        assert!(r.is_intake(), "{r:?}");
        assert!(!r.is_protective());
        assert_eq!(r.state, "requested");
        assert_eq!(r.requested_fen, 5_000_000);
        assert_eq!(r.requested_at, t0());
        assert_eq!(r.deadline, t0() + 30 * MIN);
        assert_eq!(r.reason.as_deref(), Some(INTAKE_REASON));
        assert_eq!(r.requested_by.as_deref(), Some("center_analyst_330281"));
        assert_eq!(r.unit_code, VILLAGE);
    }

    // Audited, the accounts masked.
    let entries = state
        .store
        .audit()
        .for_target(&Scope::platform(), "case", &case_id)
        .await
        .unwrap();
    let asked: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "intake_stops_requested")
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].detail["requests"], 2);
    let detail = asked[0].detail.to_string();
    assert!(
        !detail.contains(ICBC) && detail.contains(&mask(ICBC)),
        "{detail}"
    );
    let opened = entries.iter().find(|e| e.action == "case_opened").unwrap();
    assert_eq!(opened.detail["source"], "api");

    // ICBC's liaison finds its request in the queue, marked, and not CCB's.
    let queue = ok(&send_as(
        &state,
        Role::BankLiaison,
        COUNTY,
        t0(),
        ("GET", "/stop-payments", ""),
    )
    .await);
    assert!(
        queue.contains(ICBC),
        "the liaison sees its own account in full"
    );
    assert!(!queue.contains(CCB) && !queue.contains(&mask(CCB)));
    assert!(queue.contains("data-intake-stop"), "marked as 接警止付");

    // The case page lists the named accounts with their requests; nothing is left to ask.
    let page = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("GET", &format!("/cases/{case_id}"), ""),
    )
    .await);
    assert!(page.contains(r#"id="intake-stops""#), "{page}");
    assert_eq!(page.matches(r#"data-intake="requested""#).count(), 2);
    assert!(page.contains(r#"data-intake="not_a_card""#));
    assert!(page.contains(r#"data-intake="unknown_bank""#));
    assert_eq!(
        page.matches("data-intake-stop").count(),
        2,
        "badges in the requests table"
    );
    assert!(
        !page.contains(r#"data-action="intake-stops""#),
        "nothing left to ask"
    );

    // The platform sends the report again (a retry): the same case, nothing new.
    let again = push(
        &state,
        Role::CenterAnalyst,
        &report("J20260301001", "2026-03-01T10:25:00+08:00", 5_000_000),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let v = json_of(&again);
    assert_eq!(v["duplicate"], true);
    assert_eq!(v["case_id"], case_id.as_str());
    assert_eq!(requests(&state, &case_id).await.len(), 2);
}

async fn an_older_report_waits_for_the_analyst_and_bad_reports_are_refused(db: &Db) {
    let state = world(db).await;
    // Three days old (a back-filled report): opened, nothing asked.
    let answer = push(
        &state,
        Role::CenterAnalyst,
        &report("J20260226001", "2026-02-26 09:00", 800_000),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let v = json_of(&answer);
    let case_id = v["case_id"].as_str().unwrap().to_string();
    let what: Vec<String> = outcomes(&v).into_iter().map(|(_, w)| w).collect();
    assert_eq!(
        what,
        ["not_asked", "not_asked", "not_a_card", "unknown_bank"]
    );
    assert!(requests(&state, &case_id).await.is_empty());

    // The case page offers the request; the analyst asks.
    let path = format!("/cases/{case_id}");
    let page = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("GET", &path, ""),
    )
    .await);
    assert_eq!(page.matches(r#"data-intake="not_asked""#).count(), 2);
    assert!(page.contains(r#"data-action="intake-stops""#));
    // A leader reads the page without the button.
    let leader = ok(&send_as(&state, Role::Leader, COUNTY, t0(), ("GET", &path, "")).await);
    assert!(!leader.contains(r#"data-action="intake-stops""#));
    let forbidden = send_as(
        &state,
        Role::Leader,
        COUNTY,
        t0(),
        ("POST", &format!("{path}/intake-stops"), ""),
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let asked = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("POST", &format!("{path}/intake-stops"), ""),
    )
    .await);
    assert_eq!(asked.matches(r#"data-intake="requested""#).count(), 2);
    assert!(!asked.contains(r#"data-action="intake-stops""#));
    let made = requests(&state, &case_id).await;
    assert_eq!(made.len(), 2);
    assert!(made
        .iter()
        .all(|r| r.deadline == t0() + 30 * MIN && r.requested_fen == 800_000));
    // Asking again adds nothing.
    ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("POST", &format!("{path}/intake-stops"), ""),
    )
    .await);
    assert_eq!(requests(&state, &case_id).await.len(), 2);

    // A fresh report without a loss: nothing to hold.
    let v = json_of(
        &push(
            &state,
            Role::CenterAnalyst,
            &report("J20260301002", "2026-03-01 10:20", 0),
        )
        .await,
    );
    let what: Vec<String> = outcomes(&v).into_iter().map(|(_, w)| w).collect();
    assert_eq!(what, ["no_loss", "no_loss", "not_a_card", "unknown_bank"]);

    // Bad reports are refused, naming the field; nothing is opened.
    let refused = |body: Value, field: &'static str| {
        let state = state.clone();
        async move {
            let a = push(&state, Role::CenterAnalyst, &body).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{field}: {}", a.text());
            assert!(a.text().contains(field), "{field}: {}", a.text());
            assert!(a.text().contains("request_invalid"), "{}", a.text());
        }
    };
    let mut no_narrative = report("J3", "2026-03-01 10:20", 100);
    no_narrative["narrative"] = json!("");
    refused(no_narrative, "narrative").await;
    let mut bad_id = report("J4", "2026-03-01 10:20", 100);
    bad_id["id_number"] = json!("110101199003070000");
    refused(bad_id, "id_number").await;
    let mut bad_time = report("J5", "yesterday", 100);
    bad_time["reported_at"] = json!("yesterday");
    refused(bad_time, "reported_at").await;
    refused(report("J6", "2026-03-01 10:20", -100), "loss_fen").await;
    let mut no_loss = report("J7", "2026-03-01 10:20", 100);
    no_loss.as_object_mut().unwrap().remove("loss_fen");
    refused(no_loss, "loss_fen").await;
    let mut elsewhere = report("J8", "2026-03-01 10:20", 100);
    elsewhere["unit"] = json!(OTHER_COUNTY);
    refused(elsewhere, "unit_out_of_scope").await;
    let mut typo = report("J9", "2026-03-01 10:20", 100);
    typo["suspect_acounts"] = json!([ICBC]);
    refused(typo, "suspect_acounts").await;
    // The order the caller knew: a detail of no order, an outlet of no courier.
    let mut not_a_detail = report("J11", "2026-03-01 10:20", 100);
    not_a_detail["platform"] = json!("淘宝");
    not_a_detail["order_known"] = json!(["订单号", "身份证号"]);
    refused(not_a_detail, "order_known: unknown_order_detail").await;
    let mut no_courier = report("J12", "2026-03-01 10:20", 100);
    no_courier["outlet"] = json!("城北网点");
    refused(no_courier, "outlet: outlet_without_courier").await;
    for no in ["J3", "J4", "J5", "J6", "J7", "J8", "J9", "J11", "J12"] {
        assert!(
            state
                .store
                .cases()
                .by_report_no(no)
                .await
                .unwrap()
                .is_none(),
            "{no} was opened"
        );
    }
    // Only those who open cases may send reports.
    let liaison = push(
        &state,
        Role::BankLiaison,
        &report("J10", "2026-03-01 10:20", 100),
    )
    .await;
    assert_eq!(liaison.status, StatusCode::FORBIDDEN, "{}", liaison.text());
}

async fn the_new_case_form_asks_for_the_accounts_it_names(db: &Db) {
    let state = world(db).await;
    let form = format!(
        "unit_code={VILLAGE}&loss_yuan=3000&narrative={}&suspect_accounts={}&suspect_phones=17012345678",
        crate::support::urlencoded("网友推荐投资平台，受害人充值后无法提现。"),
        crate::support::urlencoded(&format!("{ICBC_TYPED}、{PLATFORM}")),
    );
    let opened = send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("POST", "/cases", &form),
    )
    .await;
    assert!(
        opened.status.is_redirection(),
        "{} {}",
        opened.status,
        opened.text()
    );
    let case_id = opened.location.trim_start_matches("/cases/").to_string();
    let made = requests(&state, &case_id).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(
        made[0].account, ICBC,
        "the card typed in groups is one account"
    );
    assert_eq!(made[0].requested_fen, 300_000);
    assert!(made[0].is_intake());
    let case = state
        .store
        .cases()
        .get(&Scope::platform(), &case_id)
        .await
        .unwrap();
    assert_eq!(case.named["accounts"], json!([ICBC, PLATFORM]));
    assert_eq!(case.named["phones"], json!(["17012345678"]));
}
