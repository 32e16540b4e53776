//! 资金预警, on SQLite and PostgreSQL: the national platform's list states each warning's kind
//! and, for a fund warning, the payment. The import counts the fund warnings and refuses payment
//! details on a call warning; `/warnings/funds` lists the county's fund warnings with the
//! payment masked and the figures; the warning's page shows the payment with a one-click stop
//! that asks the payee's bank to hold the amount paid — a card's bank from its BIN, a corporate
//! account's from the bank the platform named — audited, once per account; a warning waiting
//! past 30 minutes is marked late, and the share stopped within 30 minutes counts only the
//! first. The queue narrows to the instructions a fund warning joined and badges them; 待办
//! counts the ones waiting. Another county sees none of it; a bank liaison cannot open the page.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewPerson, Role, Scope, UnitLevel, Viewer};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{multipart, ok, send_as, send_body, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    fund_warnings_are_stopped_first_and_counted,
    a_platform_pushes_a_fund_warning_through_the_api_once,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const MIN: i64 = 60_000;
const CARD: &str = "6222020123456789015";
const CORPORATE: &str = "110012345678901234";

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
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit("330282", "慈溪市", County, Some(CITY)),
        ])
        .await
        .unwrap();
    let people: Vec<NewPerson> = [("王秀英", 0u32), ("李建国", 1), ("张丽", 3)]
        .iter()
        .map(|(name, n)| NewPerson {
            resident_id: crate::support::valid_id(COUNTY, *n),
            name: (*name).into(),
            phone: Some(format!("1390013900{n}")),
            residence_code: VILLAGE.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

/// Two fund warnings (a card; a corporate account with its bank named and no kind stated), a
/// call warning for the second person, a call warning for a third, and a row with payment
/// details on an SMS warning.
fn push_list() -> String {
    format!(
        "推送编号,推送时间,手机号码,预警种类,转账金额（元）,转账时间,收款账号,收款银行,付款账号\n\
         ZJ0310-01,2026-03-10 10:20,13900139000,资金预警,\"50,000\",2026-03-10 10:12,{CARD},,6217000010001234567\n\
         ZJ0310-02,2026-03-10 09:40,13900139001,,8000,,{CORPORATE},建设银行余姚支行,\n\
         DH0310-03,2026-03-10 09:50,13900139001,电话预警,,,,,\n\
         DH0310-05,2026-03-10 09:52,13900139003,话单预警,,,,,\n\
         DX0310-04,2026-03-10 09:55,13900139002,短信预警,100,,,,\n"
    )
}

async fn analyst(state: &AppState, method: &str, path: &str, form: &str) -> Answer {
    send_as(
        state,
        Role::CenterAnalyst,
        COUNTY,
        state.clock.now_ms(),
        (method, path, form),
    )
    .await
}

fn figure(page: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("figure {name} in {page}"))
        + marker.len();
    page[start..start + page[start..].find('<').unwrap()].to_string()
}

/// The table row of a warning on the fund page.
fn row<'a>(page: &'a str, warning: &str) -> &'a str {
    let start = page
        .find(&format!("data-warning=\"{warning}\""))
        .unwrap_or_else(|| panic!("{warning} listed"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

const F1: &str = "TS-national-ZJ0310-01";
const F2: &str = "TS-national-ZJ0310-02";

async fn fund_warnings_are_stopped_first_and_counted(db: &Db) {
    let mut state = world(db).await;

    // The list: two fund warnings counted, the kinds shown, the SMS row's payment refused.
    let upload = multipart(
        &[("platform", "national")],
        ("gj0310.csv", push_list().as_bytes()),
    );
    let page = ok(&send_body(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("POST", "/warnings/pushes"),
        upload,
    )
    .await);
    assert!(page.contains("<b data-funds>2</b>"), "{page}");
    assert!(page.contains("<b data-accepted>4</b>"), "{page}");
    assert!(page.contains("data-kind=\"fund\">资金预警"), "{page}");
    assert!(page.contains("data-kind=\"call\">电话预警"), "{page}");
    assert!(
        page.contains("data-column=\"push_kind\">预警种类")
            && page.contains("data-reason=\"fund_detail_on_other_kind\""),
        "{page}"
    );
    let funds = state.store.fund_warnings();
    let f1 = funds
        .get(F1)
        .await
        .unwrap()
        .expect("stored with its payment");
    assert_eq!(
        (
            f1.amount_fen,
            f1.payee_account.as_deref(),
            f1.payee_bank_code.as_deref()
        ),
        (Some(5_000_000), Some(CARD), Some("ICBC"))
    );
    let f2 = funds.get(F2).await.unwrap().unwrap();
    assert_eq!(f2.payee_bank_code.as_deref(), Some("CCB"));
    let w1 = state
        .store
        .warnings()
        .get(&Scope::platform(), F1)
        .await
        .unwrap();
    assert_eq!(w1.level, 1, "a fund warning without a level is red");

    // The fund page: both waiting, accounts and phones masked.
    let page = ok(&analyst(&state, "GET", "/warnings/funds", "").await);
    assert_eq!(figure(&page, "received"), "2");
    assert_eq!(figure(&page, "awaiting"), "2");
    assert_eq!(figure(&page, "stopped"), "0");
    assert!(
        page.contains("data-figure=\"amount\" data-fen=\"5800000\""),
        "{page}"
    );
    assert!(
        !page.contains(CARD) && !page.contains(CORPORATE),
        "accounts masked"
    );
    assert!(!page.contains("13900139000"), "phones masked");
    assert!(row(&page, F1).contains("6222 **** **** 9015"));
    assert!(row(&page, F1).contains("data-stop-state=\"awaiting\""));
    assert!(row(&page, F1).contains("data-action=\"fund-stop\""));
    assert!(
        !page.contains("DH0310-03"),
        "call warnings are not fund warnings"
    );

    // The warning's page: the payment, the one-click stop.
    let detail = ok(&analyst(&state, "GET", &format!("/warnings/{F1}"), "").await);
    assert!(detail.contains("id=\"fund-payment\""), "{detail}");
    assert!(detail.contains("data-push-kind>资金预警"));
    assert!(detail.contains("data-form=\"fund-stop\""));
    assert!(!detail.contains(CARD));

    // 待办 counts both, none late yet.
    let todo = ok(&analyst(&state, "GET", "/todo", "").await);
    let item = &todo[todo
        .find("data-todo=\"todo_fund_warnings\"")
        .expect("todo line")..];
    assert!(
        item[..200].contains("<span class=\"n\" data-open>2</span>"),
        "{item}"
    );
    assert!(!item[..item.find("</a>").unwrap()].contains("data-overdue"));

    // Stopped ten minutes after receipt, in one click.
    state.clock = Arc::new(FixedClock(t0() + 10 * MIN));
    let done = analyst(
        &state,
        "POST",
        &format!("/warnings/{F1}/fund-stop"),
        "back=list",
    )
    .await;
    ok(&done);
    assert_eq!(done.location, "/warnings/funds");
    let stops = state
        .store
        .stop_payments()
        .for_warning(&Viewer::Police(Scope::platform()), F1)
        .await
        .unwrap();
    assert_eq!(stops.len(), 1);
    assert_eq!(
        (
            stops[0].account.as_str(),
            stops[0].requested_fen,
            stops[0].bank_code.as_deref()
        ),
        (CARD, 5_000_000, Some("ICBC"))
    );
    let reason = stops[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("资金预警") && reason.contains("ZJ0310-01"),
        "{reason}"
    );
    let audited = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert!(audited
        .iter()
        .any(|a| a.action == "protective_stop_requested"
            && a.detail["warning_id"] == F1
            && a.detail["account"] == "6222 **** **** 9015"));
    // Once per account: the same click again is a conflict.
    let again = analyst(
        &state,
        "POST",
        &format!("/warnings/{F1}/fund-stop"),
        "back=list",
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let detail = ok(&analyst(&state, "GET", &format!("/warnings/{F1}"), "").await);
    assert!(
        !detail.contains("data-form=\"fund-stop\""),
        "no second click offered"
    );
    // A call warning has no payment to stop.
    let call = analyst(
        &state,
        "POST",
        "/warnings/TS-national-DH0310-03/fund-stop",
        "",
    )
    .await;
    assert_eq!(call.status, StatusCode::BAD_REQUEST);

    // Forty minutes on, the other waits past the deadline: late on the page and in 待办.
    state.clock = Arc::new(FixedClock(t0() + 40 * MIN));
    let page = ok(&analyst(&state, "GET", "/warnings/funds?awaiting=1", "").await);
    assert!(
        !page.contains(&format!("data-warning=\"{F1}\"")),
        "the stopped one is filtered out"
    );
    assert!(row(&page, F2).contains("data-stop-state=\"late\""));
    assert!(row(&page, F2).contains("40 分钟"));
    assert_eq!(figure(&page, "late"), "1");
    let todo = ok(&analyst(&state, "GET", "/todo", "").await);
    let item = &todo[todo.find("data-todo=\"todo_fund_warnings\"").unwrap()..];
    let item = &item[..item.find("</a>").unwrap()];
    assert!(
        item.contains("data-open>1<") && item.contains("data-overdue"),
        "{item}"
    );

    // The corporate account is stopped at its named bank.
    ok(&analyst(&state, "POST", &format!("/warnings/{F2}/fund-stop"), "").await);
    let stops = state
        .store
        .stop_payments()
        .for_warning(&Viewer::Police(Scope::platform()), F2)
        .await
        .unwrap();
    assert_eq!(
        (
            stops[0].account.as_str(),
            stops[0].bank_code.as_deref(),
            stops[0].requested_fen
        ),
        (CORPORATE, Some("CCB"), 800_000)
    );
    let page = ok(&analyst(&state, "GET", "/warnings/funds", "").await);
    assert_eq!(figure(&page, "stopped"), "2");
    assert_eq!(figure(&page, "awaiting"), "0");
    assert_eq!(
        figure(&page, "in_time"),
        "1",
        "only the first within 30 minutes"
    );
    assert_eq!(figure(&page, "in_time_share"), "50.0%");
    assert!(row(&page, F1).contains("data-stop-state=\"stopped\""));
    let csv = ok(&analyst(&state, "GET", "/warnings/funds?format=csv", "").await);
    assert!(
        csv.contains("ZJ0310-02") && csv.contains("1100 **** **** 1234"),
        "{csv}"
    );
    assert!(!csv.contains(CORPORATE) && !csv.contains(CARD));

    // The queue: the two instructions fund warnings joined, badged; the third is not.
    let all = ok(&analyst(&state, "GET", "/instructions?tab=all", "").await);
    assert!(all.contains("data-total=\"3\""), "{all}");
    let queue = ok(&analyst(&state, "GET", "/instructions?tab=all&fund=1", "").await);
    assert!(queue.contains("data-total=\"2\""), "{queue}");
    assert_eq!(queue.matches("data-fund ").count(), 2, "{queue}");
    let api = ok(&analyst(&state, "GET", "/api/v1/instructions?fund=true", "").await);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["items"].as_array().unwrap().len(), 2, "{api}");

    // Another county sees none of it and cannot stop ours; a bank liaison has no page.
    let theirs = send_as(
        &state,
        Role::CenterAnalyst,
        "330282",
        t0() + 40 * MIN,
        ("GET", "/warnings/funds", ""),
    )
    .await;
    assert_eq!(figure(&ok(&theirs), "received"), "0");
    let foreign = send_as(
        &state,
        Role::CenterAnalyst,
        "330282",
        t0() + 40 * MIN,
        ("POST", &format!("/warnings/{F1}/fund-stop"), ""),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let bank = send_as(
        &state,
        Role::BankLiaison,
        COUNTY,
        t0(),
        ("GET", "/warnings/funds", ""),
    )
    .await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);
}

async fn api(state: &AppState, body: serde_json::Value) -> Answer {
    send_body(
        state,
        Role::CenterAnalyst,
        COUNTY,
        t0(),
        ("POST", "/api/v1/warnings"),
        ("application/json", body.to_string().into_bytes()),
    )
    .await
}

/// The platform's real-time push: a fund warning with its payment through the API, kept with
/// its kind and payment, stoppable in one click; the same push id again is a conflict; a bad
/// payment or a payment on a call warning is refused with the field and the reason.
async fn a_platform_pushes_a_fund_warning_through_the_api_once(db: &Db) {
    let state = world(db).await;
    let push = |id: &str, kind: Option<&str>, amount_fen: i64| {
        serde_json::json!({
            "msisdn": "13900139000",
            "level": 1,
            "source": "national_push",
            "push": {
                "push_id": id,
                "pushed_at": t0() - 3 * MIN,
                "kind": kind,
                "fund": {
                    "amount_fen": amount_fen,
                    "paid_at": t0() - 8 * MIN,
                    "payee_account": CORPORATE,
                    "payee_bank": "建设银行",
                },
            },
        })
    };
    let done = api(&state, push("RT-1", None, 2_000_000)).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
    let received: serde_json::Value = serde_json::from_slice(&done.body).unwrap();
    assert_eq!(received["warning_id"], "TS-national-RT-1");
    let fund = state
        .store
        .fund_warnings()
        .get("TS-national-RT-1")
        .await
        .unwrap()
        .expect("a payment without a kind is a fund warning");
    assert_eq!(
        (
            fund.amount_fen,
            fund.paid_at,
            fund.payee_bank_code.as_deref()
        ),
        (Some(2_000_000), Some(t0() - 8 * MIN), Some("CCB"))
    );
    let page = ok(&analyst(&state, "GET", "/warnings/funds", "").await);
    assert!(row(&page, "TS-national-RT-1").contains("data-stop-state=\"awaiting\""));
    ok(&analyst(&state, "POST", "/warnings/TS-national-RT-1/fund-stop", "").await);

    let again = api(&state, push("RT-1", Some("资金预警"), 2_000_000)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let zero = api(&state, push("RT-2", Some("fund"), 0)).await;
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
    assert!(
        zero.text()
            .contains("push.fund.amount: amount_not_positive"),
        "{}",
        zero.text()
    );
    let other = api(&state, push("RT-3", Some("电话预警"), 100)).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(
        other.text().contains("fund_detail_on_other_kind"),
        "{}",
        other.text()
    );
    for refused in ["RT-2", "RT-3"] {
        assert_eq!(
            state
                .store
                .warning_pushes()
                .find(fanzha_store::PushPlatform::National, refused)
                .await
                .unwrap(),
            None,
            "nothing received for {refused}"
        );
    }
}
