//! 涉案账户开户人, on SQLite and PostgreSQL: the residents whose cards received victim money are
//! listed with their figures, masked on the page and in both exports; a commander sees the
//! holders of their own county only, a bank liaison not at all; the case page names the local
//! holders of its stop-payment accounts.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    CaseTransfer, KeyPersonCategory, NewAccount, NewCase, NewKeyPerson, NewPerson, NewStopPayment,
    NewSuspect, Role, Scope, StopPaymentUpdate, SuspectRole, UnitLevel, Viewer,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_list_names_local_holders_with_their_figures_masked,
    exports_hold_the_same_rows_masked,
    commanders_see_their_own_residents_and_liaisons_nothing,
    the_case_page_names_the_local_holders_of_its_stop_payments,
    pages_list_each_account_once_and_name_no_account_number,
    a_listed_holder_is_badged_and_the_dossier_lists_the_cases_since_listing,
    a_case_suspect_is_listed_as_a_key_person_from_the_case_page,
}

const COUNTY: &str = "330281";
const EAST: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_TOWN: &str = "330282001";
const OTHER_VILLAGE: &str = "330282001001";
/// The 余姚 resident whose ICBC card took money from two cases.
const HOLDER: &str = "330281199001011235";
const HOLDER_NAME: &str = "张三丰";
const MULE: &str = "6222020123456789015";
/// A 慈溪 resident whose CCB card took money passed on from the first.
const CIXI_HOLDER: &str = "330282198505052343";
const CIXI_MULE: &str = "6217000123456789019";
/// A card of someone the platform does not know.
const STRANGER: &str = "6228480000000000001";
const VICTIM_ACCOUNT: &str = "6216610123456789013";

/// 2026-03-01 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-01T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

const HOUR: i64 = 3_600_000;

fn person(id: &str, name: &str, village: &str) -> NewPerson {
    NewPerson {
        resident_id: id.into(),
        name: name.into(),
        phone: None,
        residence_code: village.into(),
        address: None,
        employer: None,
        public_sector: false,
        app_registered: false,
        joint_defense_registered: false,
    }
}

fn account(no: &str, bank: &str, holder: Option<&str>, name: Option<&str>) -> NewAccount {
    NewAccount {
        account_no: no.into(),
        bank_code: None,
        bank_name: Some(bank.into()),
        card_type: Some("debit".into()),
        holder_resident_id: holder.map(Into::into),
        holder_name: name.map(Into::into),
        opened_at: Some(t0() - 30 * 24 * HOUR),
        opened_where: Some("余姚城东支行".into()),
    }
}

fn transfer(from: &str, to: &str, at: i64, amount_fen: i64) -> CaseTransfer {
    CaseTransfer {
        txn_id: None,
        from_account: from.into(),
        to_account: to.into(),
        at,
        amount_fen,
        channel: "bank".into(),
        source_file: Some("extract.csv".into()),
    }
}

/// AJ1 (余姚, 08:30): 500 yuan into the 余姚 card; stop-payments on it (200, held 100) and on a
/// stranger's card. AJ2 (慈溪, 09:30): 250 yuan into the 余姚 card, 200 of it on to the 慈溪
/// card.
async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(EAST, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(EAST)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit(OTHER_TOWN, "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some(OTHER_TOWN)),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            person(HOLDER, HOLDER_NAME, EAST_VILLAGE),
            person(CIXI_HOLDER, "李四", OTHER_VILLAGE),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            account(MULE, "中国工商银行", Some(HOLDER), Some(HOLDER_NAME)),
            account(CIXI_MULE, "中国建设银行", Some(CIXI_HOLDER), None),
            account(STRANGER, "中国农业银行", None, Some("王五")),
        ])
        .await
        .unwrap();
    for (id, village, at) in [
        ("AJ1", EAST_VILLAGE, t0() - 2 * HOUR),
        ("AJ2", OTHER_VILLAGE, t0() - HOUR),
    ] {
        store
            .cases()
            .create(&NewCase {
                id: id.into(),
                victim_name: Some("受害人".into()),
                unit_code: village.into(),
                reported_at: at,
                loss_fen: 100_000,
                narrative: "冒充客服退款，诱导转账".into(),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                victim_account: Some(VICTIM_ACCOUNT.into()),
                named: serde_json::json!({}),
                created_by: "setup".into(),
                created_at: at,
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    let cases = store.cases();
    cases
        .add_transfers(
            "AJ1",
            &[transfer(VICTIM_ACCOUNT, MULE, t0() - 3 * HOUR, 50_000)],
        )
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ2",
            &[
                transfer(VICTIM_ACCOUNT, MULE, t0() - 2 * HOUR, 25_000),
                transfer(MULE, CIXI_MULE, t0() - 2 * HOUR + 60_000, 20_000),
            ],
        )
        .await
        .unwrap();
    let requested_at = t0() - 2 * HOUR + 60_000;
    let stop = |id: &str, acc: &str, fen: i64| NewStopPayment {
        id: id.into(),
        case_id: "AJ1".into(),
        unit_code: EAST_VILLAGE.into(),
        account: acc.into(),
        bank_code: None,
        institution: serde_json::json!({"kind": "bank", "name": "银行"}),
        requested_fen: fen,
        requested_at,
        deadline: requested_at + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    };
    store
        .stop_payments()
        .create_many(&[stop("ZF1", MULE, 20_000), stop("ZF2", STRANGER, 30_000)])
        .await
        .unwrap();
    store
        .stop_payments()
        .update(
            &Viewer::Police(Scope::platform()),
            "ZF1",
            1,
            &StopPaymentUpdate {
                state: "held".into(),
                held_fen: 10_000,
                executed_at: Some(requested_at + 600_000),
                detail: serde_json::json!({}),
                at: requested_at + 600_000,
            },
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

/// `GET path` as `role` at `unit`: status, content type and body bytes.
async fn get_as(
    state: &AppState,
    role: Role,
    unit: &str,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let (token, _) = state.sessions.create(
        Principal {
            login: format!("{}_{unit}", role.as_str()),
            display_name: "测试".into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: (role == Role::BankLiaison).then(|| "ICBC".into()),
            operator: (role == Role::OperatorLiaison)
                .then_some(fanzha_store::Operator::ChinaMobile),
        },
        t0(),
    );
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("{COOKIE}={token}"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, content_type, bytes.to_vec())
}

/// `GET path` as the 余姚 county's analyst: status and body.
async fn get(state: &AppState, path: &str) -> (StatusCode, String) {
    let (status, _, body) = get_as(state, Role::CenterAnalyst, COUNTY, path).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The rows of the holders table (`<tr data-mule-account=…>` up to its `</tr>`).
fn rows(body: &str) -> Vec<&str> {
    body.split("<tr data-mule-account=\"")
        .skip(1)
        .map(|rest| rest.split("</tr>").next().unwrap_or(""))
        .collect()
}

/// No full account number, ID number or holder name anywhere in `text`.
fn assert_masked(text: &str) {
    for secret in [MULE, HOLDER, HOLDER_NAME, CIXI_MULE, CIXI_HOLDER] {
        assert!(!text.contains(secret), "{secret} shows in full: {text}");
    }
}

async fn the_list_names_local_holders_with_their_figures_masked(db: &Db) {
    let state = world(db).await;
    let (status, body) = get(&state, "/mule-accounts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = rows(&body);
    assert_eq!(
        rows.len(),
        1,
        "only the 余姚 resident's card: the 慈溪 one and the stranger's are not 余姚's leads: {body}"
    );
    let row = rows[0];
    for shown in [
        "6222 **** **** 9015\"",
        "中国工商银行",
        "<td data-holder>张*丰</td>",
        "<td data-holder-id>3302**********1235</td>",
        "舜水社区",
        "余姚城东支行",
        "<td data-cases=\"2\">",
        "<td data-received>¥750.00</td>",
        "<td data-requested>¥200.00</td>",
        "<td data-held>¥100.00</td>",
        // The cases in Shanghai time: AJ1 at 08:30, AJ2 at 09:30.
        "2026-03-01 08:30:00",
        "2026-03-01 09:30:00",
        "<a href=\"/cases/AJ1\"",
        // 慈溪's case is named but not linked: it lies outside the reader's area.
        "<span class=\"tag\" data-case-id=\"AJ2\">",
    ] {
        assert!(row.contains(shown), "{shown} missing from {row}");
    }
    assert_masked(&body);
    assert!(
        body.contains("href=\"/mule-accounts\""),
        "the navigation links the page"
    );
}

async fn exports_hold_the_same_rows_masked(db: &Db) {
    let state = world(db).await;
    let (status, content_type, csv) = get_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "/mule-accounts?format=csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 2, "header and the one holder: {csv}");
    assert!(lines[0].contains("开户人"), "{csv}");
    for shown in [
        "6222 **** **** 9015",
        "张*丰",
        "3302**********1235",
        "AJ2 AJ1",
        "¥750.00",
    ] {
        assert!(lines[1].contains(shown), "{shown}: {csv}");
    }
    assert_masked(&csv);

    let (status, content_type, xlsx) = get_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "/mule-accounts?format=xlsx",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.contains("spreadsheetml"), "{content_type}");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 2, "{cells:?}");
    let text = cells.concat().join("|");
    assert!(text.contains("6222 **** **** 9015"), "{text}");
    assert!(text.contains("3302**********1235"), "{text}");
    assert_masked(&text);
}

async fn commanders_see_their_own_residents_and_liaisons_nothing(db: &Db) {
    let state = world(db).await;
    let body = |(status, _, bytes): (StatusCode, String, Vec<u8>)| {
        assert_eq!(status, StatusCode::OK);
        String::from_utf8(bytes).unwrap()
    };
    let own = body(get_as(&state, Role::UnitCommander, COUNTY, "/mule-accounts").await);
    let own_rows = rows(&own);
    assert_eq!(own_rows.len(), 1, "{own}");
    assert!(own_rows[0].contains("张*丰"));
    assert!(
        own_rows[0].contains("<a href=\"/cases/AJ1\"")
            && own_rows[0].contains("data-case-id=\"AJ2\"")
            && !own_rows[0].contains("/cases/AJ2"),
        "a commander opens the area's cases; 慈溪's case is named, not linked"
    );

    let other = body(get_as(&state, Role::UnitCommander, OTHER_COUNTY, "/mule-accounts").await);
    let other_rows = rows(&other);
    assert_eq!(other_rows.len(), 1, "{other}");
    assert!(
        other_rows[0].starts_with("6217 **** **** 9019"),
        "慈溪 sees its own resident's card: {}",
        other_rows[0]
    );
    assert!(
        !other.contains("张*丰") && !other.contains("6222 **** **** 9015"),
        "another county's commander does not see the 余姚 holder"
    );
    assert_masked(&other);

    for path in ["/mule-accounts", "/mule-accounts?format=csv"] {
        let (status, _, bytes) = get_as(&state, Role::BankLiaison, COUNTY, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(!String::from_utf8_lossy(&bytes).contains("9015"));
    }
    let home = body(get_as(&state, Role::BankLiaison, COUNTY, "/").await);
    assert!(
        !home.contains("/mule-accounts"),
        "no link for a liaison: {home}"
    );
}

async fn the_case_page_names_the_local_holders_of_its_stop_payments(db: &Db) {
    let state = world(db).await;
    let (status, body) = get(&state, "/cases/AJ1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let section = body
        .split("id=\"case-holders\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the case page has a holders section");
    let holders = rows(section);
    assert_eq!(
        holders.len(),
        1,
        "the 余姚 holder; the stranger's card has no local holder: {section}"
    );
    assert!(
        holders[0].contains("<td data-holder>张*丰</td>"),
        "{section}"
    );
    assert!(holders[0].contains("3302**********1235"), "{section}");
    assert!(holders[0].contains("<td data-cases=\"2\">"), "{section}");
    assert!(
        body.contains("<a href=\"/mule-accounts\""),
        "links the list"
    );
    assert_masked(&body);

    // AJ2 requested no stop-payment: no section.
    let (status, _, body) = get_as(&state, Role::CenterAnalyst, "3302", "/cases/AJ2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&body).contains("id=\"case-holders\""));
}

async fn pages_list_each_account_once_and_name_no_account_number(db: &Db) {
    let state = world(db).await;
    // 205 more cards of the 余姚 holder, each paid into by AJ3: 206 in all.
    let many: Vec<String> = (0..205).map(|i| format!("622202990000000{i:04}")).collect();
    let store = &state.store;
    store
        .accounts()
        .upsert(
            &many
                .iter()
                .map(|no| account(no, "中国工商银行", Some(HOLDER), None))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    store
        .cases()
        .create(&NewCase {
            id: "AJ3".into(),
            victim_name: Some("受害人".into()),
            unit_code: EAST_VILLAGE.into(),
            reported_at: t0() - HOUR / 2,
            loss_fen: 100_000,
            narrative: "刷单返利".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            victim_account: Some(VICTIM_ACCOUNT.into()),
            named: serde_json::json!({}),
            created_by: "setup".into(),
            created_at: t0() - HOUR / 2,
            ..NewCase::default()
        })
        .await
        .unwrap();
    store
        .cases()
        .add_transfers(
            "AJ3",
            &many
                .iter()
                .map(|no| transfer(VICTIM_ACCOUNT, no, t0() - HOUR, 1_000))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let mut all: Vec<String> = many.clone();
    all.push(MULE.into());

    let (status, first) = get(&state, "/mule-accounts").await;
    assert_eq!(status, StatusCode::OK);
    let next = first
        .split("id=\"next-page\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&amp;", "&");
    let (status, second) = get(&state, &next).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!second.contains("id=\"next-page\""), "two pages");
    for (page, body) in [("first", &first), ("second", &second)] {
        assert_masked(body);
        for no in &all {
            assert!(!body.contains(no.as_str()), "{no} on the {page} page");
        }
    }
    let shown = |body: &str| {
        rows(body)
            .iter()
            .map(|r| r.split('"').next().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(&first).len(), 200);
    let mut listed = shown(&first);
    listed.extend(shown(&second));
    listed.sort();
    let mut expected: Vec<String> = all
        .iter()
        .map(|no| format!("6222 **** **** {}", &no[no.len() - 4..]))
        .collect();
    expected.sort();
    assert_eq!(listed, expected, "every account exactly once");
}

/// Opens a two-card dossier for `resident` at `at`, as the store does for a list or the form.
async fn list_holder(state: &AppState, resident: &str, at: i64) -> i64 {
    state
        .store
        .key_persons()
        .create(
            &Scope::platform(),
            &NewKeyPerson {
                resident_id: resident.into(),
                category: KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "setup".into(),
                at,
            },
        )
        .await
        .unwrap()
        .0
}

/// The row of `case` with `involvement` in the dossier's 涉案情况.
fn case_line<'a>(body: &'a str, case: &str, involvement: &str) -> &'a str {
    let marker = format!("<tr data-case-id=\"{case}\" data-involvement=\"{involvement}\"");
    body.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no {involvement} row of {case}: {body}"))
}

/// The 余姚 holder, listed a day before the cases, is badged as a key person wherever the
/// holders and suspects are named; the dossier lists both cases (as holder, and as suspect of
/// AJ1) as involvement since the listing, counted and filtered on the register. The 慈溪
/// holder, listed after the money reached their card, is not involved again.
async fn a_listed_holder_is_badged_and_the_dossier_lists_the_cases_since_listing(db: &Db) {
    let state = world(db).await;
    let id = list_holder(&state, HOLDER, t0() - 24 * HOUR).await;
    state
        .store
        .enforcement()
        .add_suspect(&Scope::platform(), &suspect("AJ1", Some(HOLDER)), t0())
        .await
        .unwrap();
    let badge = format!(
        "<a class=\"tag\" href=\"/key-persons/{id}\" data-key-person=\"{id}\">重点人员 · 出租出借出售两卡人员</a>"
    );

    let (status, body) = get(&state, "/mule-accounts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(rows(&body)[0].contains(&badge), "{body}");
    let (_, case) = get(&state, "/cases/AJ1").await;
    let suspects = case.split("id=\"suspects\"").nth(1).unwrap();
    assert!(
        suspects.split("</table>").next().unwrap().contains(&badge),
        "the suspect is badged: {case}"
    );
    assert!(
        rows(&case)[0].contains(&badge),
        "the holder is badged: {case}"
    );

    let (status, dossier) = get(&state, &format!("/key-persons/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{dossier}");
    assert!(dossier.contains("data-involved-again"), "{dossier}");
    let holder_aj1 = case_line(&dossier, "AJ1", "account_holder");
    for shown in [
        "data-after-listing",
        "<a href=\"/cases/AJ1\">AJ1</a>",
        "涉案账户开户人 6222 **** **** 9015",
        "流入被骗资金 ¥500.00",
        "请求止付金额 ¥200.00",
        "已止付金额 ¥100.00",
    ] {
        assert!(
            holder_aj1.contains(shown),
            "{shown} missing from {holder_aj1}"
        );
    }
    let suspect_aj1 = case_line(&dossier, "AJ1", "suspect");
    assert!(
        suspect_aj1.contains("嫌疑人 · 卡农") && suspect_aj1.contains("data-after-listing"),
        "{suspect_aj1}"
    );
    let holder_aj2 = case_line(&dossier, "AJ2", "account_holder");
    assert!(
        holder_aj2.contains("¥250.00") && !holder_aj2.contains("href=\"/cases/AJ2\""),
        "慈溪's case is named, not linked: {holder_aj2}"
    );
    assert!(
        dossier.find("data-case-id=\"AJ2\"") < dossier.find("data-case-id=\"AJ1\""),
        "the latest report first"
    );

    let (_, register) = get(&state, "/key-persons").await;
    assert!(
        register.contains("data-figure=\"involved_since_listing\">1<"),
        "{register}"
    );
    let (_, filtered) = get(&state, "/key-persons?involved=since_listing").await;
    assert!(
        filtered.contains(&format!("<tr data-key-person=\"{id}\"")),
        "{filtered}"
    );
    assert!(
        filtered.contains("id=\"key-person-count\">1<"),
        "{filtered}"
    );
    assert!(
        filtered.contains("<span class=\"tag\">列管后再次涉案</span>"),
        "the row is marked: {filtered}"
    );

    // Nobody has followed it up: the county's 待办 says so, until a visit is recorded.
    let todo_involved = |page: &str| -> String {
        let rest = page
            .split("data-todo=\"todo_involved\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no 再次涉案 line: {page}"));
        let open = rest.split("data-open>").nth(1).unwrap();
        open[..open.find('<').unwrap()].to_string()
    };
    let (_, todo) = get(&state, "/todo").await;
    assert_eq!(todo_involved(&todo), "1", "{todo}");
    assert!(todo.contains("href=\"/key-persons?involved=pending\""));
    let (_, pending) = get(&state, "/key-persons?involved=pending").await;
    assert!(pending.contains(&format!("<tr data-key-person=\"{id}\"")));
    crate::support::ok(
        &crate::support::send_as(
            &state,
            Role::CenterAnalyst,
            COUNTY,
            t0(),
            (
                "POST",
                &format!("/key-persons/{id}/events"),
                "kind=visit&note=%E6%A0%B8%E6%9F%A5%E6%B6%89%E6%A1%88%E6%83%85%E5%86%B5",
            ),
        )
        .await,
    );
    let (_, todo) = get(&state, "/todo").await;
    assert_eq!(todo_involved(&todo), "0", "followed up by the visit");
    let (_, pending) = get(&state, "/key-persons?involved=pending").await;
    assert!(!pending.contains("<tr data-key-person="), "{pending}");
    let (_, still) = get(&state, "/key-persons?involved=since_listing").await;
    assert!(
        still.contains(&format!("<tr data-key-person=\"{id}\"")),
        "still involved again"
    );

    // 慈溪 lists its holder only now: the earlier case is shown, not counted.
    let cixi = list_holder(&state, CIXI_HOLDER, t0()).await;
    let cixi_get = |path: String| {
        let state = state.clone();
        async move {
            let (_, _, body) = get_as(&state, Role::CenterAnalyst, OTHER_COUNTY, &path).await;
            String::from_utf8_lossy(&body).into_owned()
        }
    };
    let dossier = cixi_get(format!("/key-persons/{cixi}")).await;
    let line = case_line(&dossier, "AJ2", "account_holder");
    assert!(!line.contains("data-after-listing"), "{line}");
    assert!(!dossier.contains("data-involved-again"), "{dossier}");
    let register = cixi_get("/key-persons".into()).await;
    assert!(
        register.contains("data-figure=\"involved_since_listing\">0<"),
        "{register}"
    );
    let filtered = cixi_get("/key-persons?involved=since_listing".into()).await;
    assert!(!filtered.contains("<tr data-key-person="), "{filtered}");
    let other = cixi_get(format!("/key-persons/{id}")).await;
    assert!(
        !other.contains("data-involved-again"),
        "余姚's dossier is not 慈溪's"
    );
}

fn suspect(case_id: &str, resident_id: Option<&str>) -> NewSuspect {
    NewSuspect {
        case_id: case_id.into(),
        name: HOLDER_NAME.into(),
        resident_id: resident_id.map(Into::into),
        phone: None,
        role: SuspectRole::CardSeller,
        measure: None,
        measure_at: None,
        note: String::new(),
        created_by: "setup".into(),
    }
}

/// The case page offers to list a suspect entered with an ID number; listing takes the ID
/// from the suspect (never from the page), the role's category and the case as the reason,
/// once; a suspect without an ID number or of another county's case cannot be listed.
async fn a_case_suspect_is_listed_as_a_key_person_from_the_case_page(db: &Db) {
    let state = world(db).await;
    let enforcement = state.store.enforcement();
    let with_id = enforcement
        .add_suspect(&Scope::platform(), &suspect("AJ1", Some(HOLDER)), t0())
        .await
        .unwrap();
    let without = enforcement
        .add_suspect(&Scope::platform(), &suspect("AJ1", None), t0())
        .await
        .unwrap();
    let suspect_row = |page: &str, id: i64| -> String {
        page.split(&format!("<tr data-suspect-id=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no suspect {id}: {page}"))
            .to_string()
    };
    let (_, case) = get(&state, "/cases/AJ1").await;
    assert!(suspect_row(&case, with_id).contains("data-action=\"list-suspect\""));
    assert!(!suspect_row(&case, without).contains("data-action=\"list-suspect\""));
    assert!(!case.contains(HOLDER), "the page never holds the ID number");

    let post = |unit: &'static str, id: i64| {
        let state = state.clone();
        async move {
            crate::support::send_as(
                &state,
                Role::CenterAnalyst,
                unit,
                t0(),
                ("POST", &format!("/suspects/{id}/key-person"), ""),
            )
            .await
        }
    };
    let listed = post(COUNTY, with_id).await;
    assert!(
        listed.status.is_redirection(),
        "{} {}",
        listed.status,
        listed.text()
    );
    let dossier = listed.location.clone();
    let kp: i64 = dossier.trim_start_matches("/key-persons/").parse().unwrap();
    let k = state
        .store
        .key_persons()
        .get(&Scope::platform(), kp)
        .await
        .unwrap();
    assert_eq!(
        (
            k.resident_id.as_str(),
            k.category,
            k.source.as_str(),
            k.reason.as_str()
        ),
        (
            HOLDER,
            KeyPersonCategory::TwoCards,
            "case",
            "案件AJ1嫌疑人（卡农）"
        )
    );
    let (_, case) = get(&state, "/cases/AJ1").await;
    let row = suspect_row(&case, with_id);
    assert!(row.contains(&format!("data-key-person=\"{kp}\"")), "{row}");
    assert!(!row.contains("data-action=\"list-suspect\""), "{row}");
    let again = post(COUNTY, with_id).await;
    assert_eq!(again.location, dossier, "listed once");

    let refused = post(COUNTY, without).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );
    let elsewhere = post(OTHER_COUNTY, with_id).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "{}",
        elsewhere.text()
    );
}
