//! 开卡前核验 · 一线拦截, identically on SQLite and PostgreSQL: an ICBC counter checks a punished
//! resident (建议拒绝, told of the punishment), a card seller (建议拒绝, told only that the police
//! hold records) and a stranger (正常办理); the counter's page never shows the police's reasons,
//! records the outcome once; the county's commander reads every reason with the applicant in
//! full (audited), another county nothing, a leader the figures; an operator checks a phone card
//! through the API; bad input is refused naming the field; a refused applicant whose card turns
//! up in the bank's list anyway is counted.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use crate::support::{ok, send_as, send_body, unit, valid_id, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{
    CheckFilter, CheckOutcome, CounterVerdict, KeyPersonCategory, KeyPersonMeasure, NewKeyPerson,
    NewPerson, PageRequest, PunishmentKind, Role, Scope, UnitLevel, Viewer,
};
use fanzha_web::AppState;
use serde_json::{json, Value};
use std::sync::Arc;

const DAY: i64 = 86_400_000;
const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

fanzha_store::on_both_backends! {
    a_counter_is_advised_and_records_what_it_did,
    the_police_read_every_reason_and_the_figures_count_refusals_ignored,
    an_operator_checks_through_the_api_and_bad_input_is_refused,
}

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn punished_id() -> String {
    valid_id(COUNTY, 11)
}

fn seller_id() -> String {
    valid_id(COUNTY, 12)
}

/// Someone of 余姚 by the ID number whom the platform does not know.
fn stranger_id() -> String {
    valid_id(COUNTY, 13)
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
    let resident = |id: String, name: &str| NewPerson {
        resident_id: id,
        name: name.into(),
        residence_code: VILLAGE.into(),
        ..NewPerson::default()
    };
    store
        .people()
        .upsert(&[
            resident(punished_id(), "张卫国"),
            resident(seller_id(), "王建军"),
        ])
        .await
        .unwrap();
    let county = store.units().scope(COUNTY).await.unwrap();
    let keys = store.key_persons();
    let (punished, _) = keys
        .create(
            &county,
            &NewKeyPerson {
                resident_id: punished_id(),
                category: KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "national".into(),
                created_by: "setup".into(),
                at: t0() - 40 * DAY,
            },
        )
        .await
        .unwrap();
    keys.add_event(
        &county,
        punished,
        &KeyPersonMeasure::Punishment {
            kind: PunishmentKind::Financial,
            from: t0() - 30 * DAY,
            until: None,
        },
        "setup",
        t0() - 30 * DAY,
    )
    .await
    .unwrap();
    keys.create(
        &county,
        &NewKeyPerson {
            resident_id: seller_id(),
            category: KeyPersonCategory::TwoCards,
            reason: "出租银行卡".into(),
            source: "form".into(),
            created_by: "setup".into(),
            at: t0() - 10 * DAY,
        },
    )
    .await
    .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn as_(state: &AppState, role: Role, unit: &str, req: (&str, &str, &str)) -> Answer {
    send_as(state, role, unit, t0(), req).await
}

/// The ICBC counter checks `id`; answers the check's page.
async fn check(state: &AppState, id: &str, name: &str) -> (i64, String) {
    let form = format!(
        "resident_id={id}&holder_name={}&phone=&outlet={}&outlet_division=330281&clerk=07",
        crate::support::urlencoded(name),
        crate::support::urlencoded("余姚城东支行")
    );
    let a = as_(
        state,
        Role::BankLiaison,
        CITY,
        ("POST", "/card-checks", &form),
    )
    .await;
    ok(&a);
    let check_id: i64 = a
        .location
        .strip_prefix("/card-checks/")
        .unwrap_or_else(|| panic!("to the check's page: {}", a.location))
        .parse()
        .unwrap();
    let page = as_(
        state,
        Role::BankLiaison,
        CITY,
        ("GET", &format!("/card-checks/{check_id}"), ""),
    )
    .await;
    (check_id, ok(&page))
}

async fn a_counter_is_advised_and_records_what_it_did(db: &Db) {
    let state = world(db).await;

    let (punished, page) = check(&state, &punished_id(), "张卫国").await;
    assert!(page.contains(r#"data-verdict="refuse""#), "{page}");
    assert!(page.contains("惩戒期内"), "the counter is told why: {page}");
    // The counter asked with the ID number: its own check shows it, audited.
    assert!(page.contains(&punished_id()));

    let (seller, page) = check(&state, &seller_id(), "王建军").await;
    assert!(
        page.contains(r#"data-verdict="verify""#),
        "a key person alone: {page}"
    );
    assert!(page.contains("涉诈风险信息"));
    for police_reason in ["涉诈重点人员", "惩戒", "data-police-only", "check-findings"] {
        assert!(
            !page.contains(police_reason),
            "the counter reads no police reason ({police_reason}): {page}"
        );
    }

    let (stranger, page) = check(&state, &stranger_id(), "李梅").await;
    assert!(page.contains(r#"data-verdict="proceed""#), "{page}");

    // The outcome, once, at the version read; another bank's liaison cannot see the check.
    let done = as_(
        &state,
        Role::BankLiaison,
        CITY,
        (
            "POST",
            &format!("/card-checks/{punished}/outcome"),
            "version=1&outcome=refused&note=%E5%B7%B2%E5%91%8A%E7%9F%A5",
        ),
    )
    .await;
    ok(&done);
    let again = as_(
        &state,
        Role::BankLiaison,
        CITY,
        (
            "POST",
            &format!("/card-checks/{punished}/outcome"),
            "version=1&outcome=opened",
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let bad = as_(
        &state,
        Role::BankLiaison,
        CITY,
        (
            "POST",
            &format!("/card-checks/{seller}/outcome"),
            "version=1&outcome=maybe",
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let stored = state
        .store
        .new_cards()
        .get_check(&Viewer::Bank("ICBC".into()), punished)
        .await
        .unwrap();
    assert_eq!(stored.outcome, Some(CheckOutcome::Refused));
    assert_eq!(stored.answer_note, "已告知");
    assert!(matches!(
        state
            .store
            .new_cards()
            .get_check(&Viewer::Bank("CCB".into()), stranger)
            .await,
        Err(fanzha_store::StoreError::NotFound { .. })
    ));

    // The list: masked, the newest first, filtered by advice and by missing outcome.
    let list = ok(&as_(
        &state,
        Role::BankLiaison,
        CITY,
        ("GET", "/card-checks?verdict=refuse", ""),
    )
    .await);
    assert!(
        list.contains(&format!(r#"data-check="{punished}""#)),
        "{list}"
    );
    assert!(!list.contains(&format!(r#"data-check="{stranger}""#)));
    assert!(!list.contains(&punished_id()), "masked in the list");
    let open = ok(&as_(
        &state,
        Role::BankLiaison,
        CITY,
        ("GET", "/card-checks?outcome=none", ""),
    )
    .await);
    assert!(!open.contains(&format!(r#"data-check="{punished}""#)));
    assert!(open.contains(&format!(r#"data-check="{seller}""#)));
    assert!(open.contains(r#"data-figure="checks">3<"#), "{open}");
    assert!(open.contains(r#"data-figure="intercepted">1<"#));
    // The bank's export: its own checks, masked, without the police unit they are kept at.
    let mine = ok(&as_(
        &state,
        Role::BankLiaison,
        CITY,
        ("GET", "/card-checks?format=csv", ""),
    )
    .await);
    let mut lines = mine.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("编号,核验时间,银行/运营商,网点,经办柜员,申请人,核验结论,办理结果")
    );
    assert_eq!(lines.count(), 3, "{mine}");
    assert!(!mine.contains(&punished_id()), "masked");
    // The desk on the landing page: the seller's check waits for its outcome.
    let home = ok(&as_(&state, Role::BankLiaison, CITY, ("GET", "/", "")).await);
    let at = home
        .find(r#"data-desk="desk_card_checks""#)
        .unwrap_or_else(|| panic!("{home}"));
    assert!(home[at..].starts_with(r#"data-desk="desk_card_checks"><span class="n" data-open>1<"#));
}

async fn the_police_read_every_reason_and_the_figures_count_refusals_ignored(db: &Db) {
    let state = world(db).await;
    let (punished, _) = check(&state, &punished_id(), "张卫国").await;
    let (stranger, _) = check(&state, &stranger_id(), "李梅").await;

    // The county's commander: every reason, the applicant in full, the view audited.
    let page = ok(&as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        ("GET", &format!("/card-checks/{punished}"), ""),
    )
    .await);
    assert!(
        page.contains("check-findings") && page.contains("data-police-only"),
        "{page}"
    );
    assert!(page.contains(&punished_id()));
    assert!(
        !page.contains("record-outcome"),
        "police do not answer for the counter"
    );
    let audited = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == "view_personal_data" && e.target_type == "card_check")
        .count();
    assert!(audited >= 1);
    // The punished resident's dossier lists the attempt for the officer responsible.
    let dossier = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &fanzha_store::KeyPersonFilter {
                resident_id: Some(punished_id()),
                ..fanzha_store::KeyPersonFilter::default()
            },
            &PageRequest::first(5),
            t0(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let page = ok(&as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        ("GET", &format!("/key-persons/{dossier}"), ""),
    )
    .await);
    assert!(page.contains("holder-card-checks"), "{page}");
    assert!(page.contains(&format!(r#"data-check="{punished}" data-verdict="refuse""#)));
    // The stranger's check stays with the liaison's unit (the city), above the county.
    let hidden = as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        ("GET", &format!("/card-checks/{stranger}"), ""),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let other = as_(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        ("GET", &format!("/card-checks/{punished}"), ""),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // A commander may not check for a counter; a leader sees the figures, not the list.
    let refused = as_(
        &state,
        Role::UnitCommander,
        COUNTY,
        (
            "POST",
            "/card-checks",
            &format!("resident_id={}", punished_id()),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let leader = ok(&as_(&state, Role::Leader, CITY, ("GET", "/card-checks", "")).await);
    assert!(leader.contains(r#"data-figure="checks">2<"#), "{leader}");
    assert!(!leader.contains("ck-list"));

    // ICBC opens the punished resident's card anyway: it arrives in ICBC's list next day.
    let body = format!(
        "卡号,户名,证件号码,开户日期,开户网点,网点行政区划代码\n{},张卫国,{},2026-03-11,余姚城东支行,330281\n",
        icbc_card(),
        punished_id()
    );
    let (ct, bytes) = crate::support::multipart(&[], ("new.csv", body.as_bytes()));
    let up = send_body(
        &state,
        Role::BankLiaison,
        CITY,
        t0() + DAY,
        ("POST", "/card-screening/import"),
        (ct, bytes),
    )
    .await;
    ok(&up);
    let city = state.store.units().scope(CITY).await.unwrap();
    let figures = state
        .store
        .new_cards()
        .check_figures(&Viewer::Police(city), &CheckFilter::default())
        .await
        .unwrap();
    assert_eq!(figures.total.opened_despite_refusal, 1);
    let page = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks", ""),
    )
    .await);
    assert!(page.contains(r#"data-figure="despite">1<"#), "{page}");
    // Narrowed to an issuer, and to a unit below.
    let icbc = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?issuer=ICBC", ""),
    )
    .await);
    assert!(icbc.contains(&format!(r#"data-check="{punished}""#)));
    let ccb = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?issuer=CCB", ""),
    )
    .await);
    assert!(!ccb.contains(&format!(r#"data-check="{punished}""#)));
    let county = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", &format!("/card-checks?unit={COUNTY}"), ""),
    )
    .await);
    assert!(county.contains(&format!(r#"data-check="{punished}""#)));
    assert!(
        !county.contains(&format!(r#"data-check="{stranger}""#)),
        "held by the city"
    );

    // Exported: ICBC's checks, masked, with the unit they are kept at; the figures per issuer
    // with the total; the XLSX holds both sheets.
    let csv = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?issuer=ICBC&format=csv", ""),
    )
    .await);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0], "编号,核验时间,银行/运营商,网点,经办柜员,申请人,所属单位,核验结论,办理结果",
        "{csv}"
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with(&format!("{punished},")))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.contains("张*国")
            && row.contains(",余姚城东支行,07,")
            && row.ends_with(",舜水社区,建议拒绝办理,"),
        "{row}"
    );
    assert!(csv.contains(&format!("\n{stranger},")), "{csv}");
    assert!(!csv.contains(&punished_id()), "masked in the export");
    let ccb = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?issuer=CCB&format=csv", ""),
    )
    .await);
    assert_eq!(ccb.trim().lines().count(), 1, "narrowed to CCB: {ccb}");
    let issuers = ok(&as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?format=csv&section=issuers", ""),
    )
    .await);
    assert!(issuers.contains("合计,2,"), "{issuers}");
    assert!(
        issuers.lines().last().unwrap().ends_with(",1"),
        "提示拒绝后仍开户: {issuers}"
    );
    let xlsx = as_(
        &state,
        Role::CenterAnalyst,
        CITY,
        ("GET", "/card-checks?format=xlsx", ""),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body.clone())).unwrap();
    assert_eq!(
        calamine::Reader::sheet_names(&book),
        vec!["开卡前核验".to_string(), "分银行、运营商统计".to_string()]
    );
}

/// `id` with another check digit.
fn wrong_check_digit(id: &str) -> String {
    let (body, last) = id.split_at(17);
    format!("{body}{}", if last == "1" { "2" } else { "1" })
}

fn icbc_card() -> String {
    let body = "622202100100000001";
    let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

async fn api(state: &AppState, role: Role, path: &str, body: Value) -> (StatusCode, Value) {
    let a = send_body(
        state,
        role,
        CITY,
        t0(),
        ("POST", path),
        ("application/json", body.to_string().into_bytes()),
    )
    .await;
    let v = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
    (a.status, v)
}

async fn an_operator_checks_through_the_api_and_bad_input_is_refused(db: &Db) {
    let state = world(db).await;
    let (status, v) = api(
        &state,
        Role::OperatorLiaison,
        "/api/v1/card-checks",
        json!({"resident_id": punished_id(), "holder_name": "张卫国", "number": "13812345678",
               "outlet": "移动余姚营业厅", "outlet_division": "330281"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["verdict"], "refuse");
    assert_eq!(v["punished"], true);
    assert_eq!(
        v["police_records"], false,
        "the dossier is the punishment's own"
    );
    let id = v["id"].as_i64().unwrap();
    let stored = state
        .store
        .new_cards()
        .get_check(&Viewer::Bank("china_mobile".into()), id)
        .await
        .unwrap();
    assert_eq!(stored.kind, fanzha_store::CardKind::SimCard);
    assert_eq!(stored.verdict, CounterVerdict::Refuse);
    let text = v.to_string();
    assert!(
        !text.contains("holder_key_person"),
        "no police reason: {text}"
    );

    let (status, v) = api(
        &state,
        Role::OperatorLiaison,
        &format!("/api/v1/card-checks/{id}/outcome"),
        json!({"version": 1, "outcome": "abandoned"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "abandoned");
    assert_eq!(v["version"], 2);

    // Each slip names its field; nothing is stored.
    let before = state
        .store
        .new_cards()
        .check_figures(&Viewer::Police(Scope::platform()), &CheckFilter::default())
        .await
        .unwrap()
        .total
        .checks;
    for (body, field) in [
        (
            json!({"resident_id": wrong_check_digit(&punished_id())}),
            "resident_id",
        ),
        (
            json!({"resident_id": punished_id(), "number": "12345"}),
            "number",
        ),
        (
            json!({"resident_id": punished_id(), "outlet_division": "余姚"}),
            "outlet_division",
        ),
    ] {
        let (status, v) = api(&state, Role::OperatorLiaison, "/api/v1/card-checks", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        assert!(v.to_string().contains(field), "{field}: {v}");
    }
    let (status, _) = api(
        &state,
        Role::OperatorLiaison,
        "/api/v1/card-checks",
        json!({"resident_id": punished_id(), "unknown": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api(
        &state,
        Role::CenterAnalyst,
        "/api/v1/card-checks",
        json!({"resident_id": punished_id()}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = state
        .store
        .new_cards()
        .check_figures(&Viewer::Police(Scope::platform()), &CheckFilter::default())
        .await
        .unwrap()
        .total
        .checks;
    assert_eq!(after, before);
}
