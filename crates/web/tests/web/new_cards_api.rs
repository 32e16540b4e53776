//! 新开卡审查 over the JSON API, on SQLite and PostgreSQL: a bank liaison's system pushes the
//! bank's list (good cards screened, bad ones answered by index and kept in the quarantine,
//! masked; the same list again is listed before); the liaison reads the bank's cards masked
//! without the police's reasons and nothing of another bank; the township's commander reads
//! the area's cards, one in full (audited), and reviews it once; another county gets 404, a
//! leader 403 for the list.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    CardState, ImportRunId, KeyPersonCategory, NewKeyPerson, NewPerson, PageRequest, Role, Scope,
    UnitLevel, Verdict, Viewer,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_bank_pushes_its_list_and_reads_its_own_cards,
    the_commander_reads_a_card_in_full_and_reviews_it_once,
    an_operator_pushes_its_new_phone_cards_and_reads_its_own_numbers,
    a_bank_pushes_its_closures_and_the_holders_open_card_is_flagged,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const EAST_VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn resident(birth: (i32, u32, u32), seq: u16, sex: fanzha_core::Sex, area: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap();
    fanzha_core::ResidentId::generate(area, birth, seq, sex)
        .unwrap()
        .as_str()
        .to_string()
}

/// A registered resident of 舜水社区 born 2004: 21 when the cards are opened.
fn holder_id() -> String {
    resident((2004, 5, 1), 1, fanzha_core::Sex::Male, 330281)
}

/// A registered resident of 舜水社区 with an open key-person dossier.
fn listed_id() -> String {
    resident((1975, 8, 9), 3, fanzha_core::Sex::Male, 330281)
}

/// Someone the platform does not know.
fn stranger_id() -> String {
    resident((1985, 2, 3), 2, fanzha_core::Sex::Female, 110105)
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CITY, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CITY)),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(EAST_VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            NewPerson {
                resident_id: holder_id(),
                name: "张卫国".into(),
                residence_code: EAST_VILLAGE.into(),
                ..NewPerson::default()
            },
            NewPerson {
                resident_id: listed_id(),
                name: "王建军".into(),
                residence_code: EAST_VILLAGE.into(),
                ..NewPerson::default()
            },
        ])
        .await
        .unwrap();
    let county = store.units().scope(COUNTY).await.unwrap();
    store
        .key_persons()
        .create(
            &county,
            &NewKeyPerson {
                resident_id: listed_id(),
                category: KeyPersonCategory::FraudRecord,
                reason: "诈骗前科".into(),
                source: "form".into(),
                created_by: "setup".into(),
                at: t0() - 86_400_000,
            },
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

struct Answer {
    status: StatusCode,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

/// `method path` as `role` at `unit` (a liaison of ICBC), with a JSON body for writes (CSRF
/// token included).
async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let (token, session) = state.sessions.create(
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
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("{COOKIE}={token}"));
    if method != "GET" {
        req = req
            .header("x-csrf-token", &session.csrf_token)
            .header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        text: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A valid ICBC debit card number, `n`-th of the test.
fn card(n: u32) -> String {
    let body = format!("6222021001{n:08}");
    let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

/// A valid CCB debit card number.
fn ccb_card() -> String {
    let body = "621700000000000001";
    let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

fn bad_luhn() -> String {
    let mut bad = card(9);
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    bad
}

/// Three good cards — the young holder's opened in 喀什, the key person's at home, the
/// stranger's at home — then a CCB card (another bank than the liaison's) and a card with a
/// bad check digit.
fn card_list() -> Value {
    json!({
        "batch": "ICBC 2026-03-10",
        "cards": [
            {"card_no": card(1), "holder_name": "张卫国", "resident_id": holder_id(),
             "opened_at": "2026-03-09T11:00:00+08:00", "phone": "13800138000",
             "outlet": "喀什分行营业部", "outlet_division": "653101"},
            {"card_no": card(4), "holder_name": "王建军", "resident_id": listed_id(),
             "opened_at": "2026-03-09 15:00", "outlet": "余姚城东支行", "outlet_division": "330281"},
            {"card_no": card(5), "holder_name": "李梅", "resident_id": stranger_id(),
             "opened_at": "2026-03-09", "outlet_division": "110105"},
            {"card_no": ccb_card(), "holder_name": "赵六", "resident_id": stranger_id(),
             "opened_at": "2026-03-09T16:00:00+08:00"},
            {"card_no": bad_luhn(), "holder_name": "钱七", "resident_id": stranger_id(),
             "opened_at": "2026-03-09T16:00:00+08:00"},
        ]
    })
}

async fn push(state: &AppState, role: Role, body: Value) -> Value {
    let a = send(state, role, CITY, "POST", "/api/v1/new-cards", Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.json()
}

fn ids_of(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn codes_of(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

async fn a_bank_pushes_its_list_and_reads_its_own_cards(db: &Db) {
    let state = world(db).await;
    let a = push(&state, Role::BankLiaison, card_list()).await;
    assert_eq!(a["received"], 3, "{a}");
    assert_eq!(a["listed_before"], 0, "{a}");
    // A liaison reads the levels a bank may read, not the police's review queue: the key
    // person's card is no risk to the bank, and nothing tells of the holder's other banks.
    assert!(
        a.get("queued").is_none() && a.get("rescreened").is_none(),
        "{a}"
    );
    assert_eq!(a["by_level"]["medium"], 1, "the holder far from home: {a}");
    assert_eq!(a["by_level"]["none"], 2, "{a}");
    let by_level: i64 = a["by_level"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(by_level, 3, "{a}");
    assert_eq!(
        a["rejected"],
        json!([
            {"index": 3, "field": "card_no", "reason": "other_bank"},
            {"index": 4, "field": "card_no", "reason": "bad_luhn"},
        ])
    );
    let run = ImportRunId(a["import_run"].as_i64().unwrap());
    let quarantined = state
        .store
        .imports()
        .quarantine(run, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        quarantined
            .items
            .iter()
            .map(|q| (q.row.line, q.row.reason.as_str()))
            .collect::<Vec<_>>(),
        vec![(4, "other_bank"), (5, "bad_luhn")]
    );
    for q in &quarantined.items {
        assert!(
            !q.row.raw.contains(&ccb_card())
                && !q.row.raw.contains(&bad_luhn())
                && !q.row.raw.contains(&stranger_id()),
            "unmasked in the quarantine: {}",
            q.row.raw
        );
        assert!(q.row.raw.contains("钱七") || q.row.raw.contains("赵六"));
    }
    // The same list again: nothing new.
    let again = push(&state, Role::BankLiaison, card_list()).await;
    assert_eq!(again["received"], 0, "{again}");
    assert_eq!(again["listed_before"], 3, "{again}");
    // The center sends the CCB card without naming a bank: taken under its own bank.
    let center = push(
        &state,
        Role::CenterAnalyst,
        json!({"cards": [{"card_no": ccb_card(), "holder_name": "赵六",
                          "resident_id": stranger_id(), "opened_at": "2026-03-09"}]}),
    )
    .await;
    assert_eq!(center["received"], 1, "{center}");

    // The liaison: ICBC's three cards, masked, without the police's reasons.
    let bank = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards",
        None,
    )
    .await;
    assert_eq!(bank.status, StatusCode::OK, "{}", bank.text);
    let list = bank.json();
    assert_eq!(list["total"], 3, "{list}");
    assert!(list["next"].is_null());
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["bank_code"] == "ICBC" && c.get("unit_code").is_none()));
    // Every score is the sum of the reasons shown: nothing hidden can be read back from it.
    for c in list["items"].as_array().unwrap() {
        let shown: i64 = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["points"].as_i64().unwrap())
            .sum();
        assert_eq!(c["score"].as_i64(), Some(shown), "{c}");
        assert!(
            c["state"].is_null(),
            "the review queue shown to the bank: {c}"
        );
    }
    let codes = codes_of(&list);
    assert!(codes.contains(&"far_province".to_string()), "{codes:?}");
    assert!(
        !codes.contains(&"holder_key_person".to_string()),
        "a police reason shown to the bank: {codes:?}"
    );
    for secret in [card(1), holder_id(), ccb_card(), "13800138000".to_string()] {
        assert!(!bank.text.contains(&secret), "{secret} in {}", bank.text);
    }
    let refused = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards?reason=holder_key_person",
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let ccb_only = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards?bank=CCB",
        None,
    )
    .await
    .json();
    assert_eq!(ccb_only["total"], 0, "another bank's cards: {ccb_only}");
    // Paging: one a page.
    let first = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards?limit=1",
        None,
    )
    .await
    .json();
    let next = first["next"].as_str().expect("a next page").to_string();
    let second = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        &format!("/api/v1/new-cards?limit=1&after={next}"),
        None,
    )
    .await
    .json();
    assert_ne!(ids_of(&first), ids_of(&second));

    // Too many cards in one request.
    let many: Vec<Value> = (0..10_001).map(|_| json!({})).collect();
    let big = send(
        &state,
        Role::BankLiaison,
        CITY,
        "POST",
        "/api/v1/new-cards",
        Some(json!({"cards": many})),
    )
    .await;
    assert_eq!(big.status, StatusCode::BAD_REQUEST, "{}", big.text);
    assert!(big.text.contains("at most 10000"), "{}", big.text);
}

async fn the_commander_reads_a_card_in_full_and_reviews_it_once(db: &Db) {
    let state = world(db).await;
    push(&state, Role::BankLiaison, card_list()).await;

    // The township's commander: the area's two cards with every reason.
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/api/v1/new-cards?state=pending",
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let list = list.json();
    assert_eq!(list["total"], 2, "{list}");
    assert!(codes_of(&list).contains(&"holder_key_person".to_string()));
    assert!(!list.to_string().contains(&card(1)), "masked: {list}");
    let keyed = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/api/v1/new-cards?reason=holder_key_person&from=2026-03-09T00:00:00%2B08:00&to=2026-03-10T00:00:00%2B08:00",
        None,
    )
    .await
    .json();
    assert_eq!(keyed["total"], 1, "{keyed}");
    let bad = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/api/v1/new-cards?level=urgent",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // One card in full, audited.
    let id = state
        .store
        .new_cards()
        .list(
            &Viewer::Police(Scope::platform()),
            &fanzha_store::CardFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap()
        .items
        .iter()
        .find(|c| c.account_no == card(1))
        .unwrap()
        .id;
    let full = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        &format!("/api/v1/new-cards/{id}"),
        None,
    )
    .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.text);
    let full = full.json();
    assert_eq!(full["card_no"], card(1).as_str());
    assert_eq!(full["resident_id"], holder_id().as_str());
    assert_eq!(full["phone"], "13800138000");
    let far = full["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "far_province")
        .expect("far_province");
    assert_eq!(far["points"], 25);
    assert!(
        far["zh"].as_str().unwrap().contains("跨省异地开卡"),
        "{far}"
    );
    assert!(!far["en"].as_str().unwrap().is_empty());
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "view_personal_data"
        && e.target_type == "new_card"
        && e.target_id.as_deref() == Some(id.to_string().as_str())));

    // The review: a note is required for a card seller; once only.
    let path = format!("/api/v1/new-cards/{id}/review");
    let no_note = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Some(json!({"verdict": "card_seller"})),
    )
    .await;
    assert_eq!(no_note.status, StatusCode::BAD_REQUEST, "{}", no_note.text);
    // Another county: not found, and nothing changes.
    for (method, body) in [("GET", None), ("POST", Some(json!({"verdict": "normal"})))] {
        let path = if method == "GET" {
            format!("/api/v1/new-cards/{id}")
        } else {
            path.clone()
        };
        let a = send(
            &state,
            Role::UnitCommander,
            OTHER_COUNTY,
            method,
            &path,
            body,
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            a.text
        );
    }
    let reviewed = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Some(json!({"verdict": "card_seller", "note": "本人承认出售", "key_person": true})),
    )
    .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.text);
    let reviewed = reviewed.json();
    assert_eq!(reviewed["state"], "reviewed");
    assert_eq!(reviewed["verdict"], "card_seller");
    assert_eq!(reviewed["note"], "本人承认出售");
    let twice = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Some(json!({"verdict": "normal"})),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text);
    let stored = state
        .store
        .new_cards()
        .get(&Viewer::Police(Scope::platform()), id)
        .await
        .unwrap();
    assert_eq!(stored.state, CardState::Reviewed);
    assert_eq!(stored.verdict, Some(Verdict::CardSeller));
    // The holder is listed as a key person (两卡) in the same call.
    let listed = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &fanzha_store::KeyPersonFilter {
                resident_id: Some(stored.resident_id.clone()),
                ..fanzha_store::KeyPersonFilter::default()
            },
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap();
    assert!(
        listed
            .items
            .iter()
            .any(|k| k.category == fanzha_store::KeyPersonCategory::TwoCards),
        "{:?}",
        listed.items
    );

    // A leader reads the figures on the page, not the list; a liaison no card in full.
    for (role, path) in [
        (Role::Leader, "/api/v1/new-cards".to_string()),
        (Role::Leader, format!("/api/v1/new-cards/{id}")),
        (Role::BankLiaison, format!("/api/v1/new-cards/{id}")),
    ] {
        let a = send(&state, role, COUNTY, "GET", &path, None).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?} {path}");
    }
    let doc = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/api/openapi.json",
        None,
    )
    .await
    .json();
    for path in [
        "/api/v1/new-cards",
        "/api/v1/new-cards/{id}",
        "/api/v1/new-cards/{id}/review",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

/// An operator's system pushes its new phone cards (`"kind": "sim_card"`, numbers under
/// `number`): the holder's numbers bought far from home and the key person's at home are
/// screened, a China Unicom number and a fixed line are rejected by index; the operator reads
/// its numbers masked without the police's reasons and no bank cards; the center filters by kind.
async fn an_operator_pushes_its_new_phone_cards_and_reads_its_own_numbers(db: &Db) {
    let state = world(db).await;
    let list = json!({
        "kind": "sim_card",
        "cards": [
            {"number": "13800138001", "holder_name": "张卫国", "resident_id": holder_id(),
             "opened_at": "2026-03-08T11:00:00+08:00", "outlet": "喀什人民路营业厅",
             "outlet_division": "653101"},
            {"number": "13800138002", "holder_name": "张卫国", "resident_id": holder_id(),
             "opened_at": "2026-03-09T11:00:00+08:00", "outlet": "喀什人民路营业厅",
             "outlet_division": "653101"},
            {"number": "13800138004", "holder_name": "王建军", "resident_id": listed_id(),
             "opened_at": "2026-03-09 15:00", "outlet": "余姚城东营业厅", "outlet_division": "330281"},
            {"number": "13012345678", "holder_name": "赵六", "resident_id": stranger_id(),
             "opened_at": "2026-03-09"},
            {"number": "0574-62345678", "holder_name": "钱七", "resident_id": stranger_id(),
             "opened_at": "2026-03-09"},
        ]
    });
    let a = push(&state, Role::OperatorLiaison, list.clone()).await;
    assert_eq!(a["received"], 3, "{a}");
    assert!(
        a.get("queued").is_none(),
        "an operator reads its own levels: {a}"
    );
    assert_eq!(
        a["rejected"],
        json!([
            {"index": 3, "field": "card_no", "reason": "other_operator"},
            {"index": 4, "field": "card_no", "reason": "not_mobile"},
        ]),
        "{a}"
    );
    // A bank may not push phone cards, nor an operator bank cards.
    for (role, kind) in [
        (Role::BankLiaison, "sim_card"),
        (Role::OperatorLiaison, "bank_card"),
    ] {
        let mut body = list.clone();
        body["kind"] = json!(kind);
        let r = send(&state, role, CITY, "POST", "/api/v1/new-cards", Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{role:?} {kind}: {}",
            r.text
        );
    }
    let mine = send(
        &state,
        Role::OperatorLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards",
        None,
    )
    .await
    .json();
    assert_eq!(mine["total"], 3, "{mine}");
    let items = mine["items"].as_array().unwrap();
    assert!(items
        .iter()
        .all(|c| c["kind"] == "sim_card" && c["bank_code"] == "china_mobile"));
    assert!(
        items.iter().any(|c| c["card_no"] == "138****8001"),
        "{mine}"
    );
    assert!(!mine.to_string().contains("13800138001"), "masked: {mine}");
    let codes = codes_of(&mine);
    assert!(codes.contains(&"far_province".to_string()), "{codes:?}");
    assert!(
        !codes.contains(&"holder_key_person".to_string()),
        "{codes:?}"
    );
    // The center: the phone cards by kind, with the police's reasons.
    let sims = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/api/v1/new-cards?kind=sim_card",
        None,
    )
    .await
    .json();
    assert_eq!(sims["total"], 3, "{sims}");
    assert!(
        codes_of(&sims).contains(&"holder_key_person".to_string()),
        "{sims}"
    );
    let banks = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/api/v1/new-cards?kind=bank_card",
        None,
    )
    .await
    .json();
    assert_eq!(banks["total"], 0, "{banks}");
}

/// 销户名单 over the API: the holder's two earlier cards closed within weeks of opening make
/// 频繁开销户, which puts the holder's open card on the police's review list; the bank reads
/// neither the re-screening nor the reason; bad rows are answered by index and quarantined
/// masked; the same list again changes nothing.
async fn a_bank_pushes_its_closures_and_the_holders_open_card_is_flagged(db: &Db) {
    let state = world(db).await;
    push(&state, Role::BankLiaison, card_list()).await;
    let earlier = push(
        &state,
        Role::BankLiaison,
        json!({"cards": [
            {"card_no": card(6), "holder_name": "张卫国", "resident_id": holder_id(),
             "opened_at": "2026-01-05", "outlet_division": "330281"},
            {"card_no": card(7), "holder_name": "张卫国", "resident_id": holder_id(),
             "opened_at": "2026-02-01", "outlet_division": "330281"},
        ]}),
    )
    .await;
    assert_eq!(earlier["received"], 2, "{earlier}");
    let closures = json!({"bank": "ICBC", "closures": [
        {"card_no": card(6), "resident_id": holder_id(), "closed_at": "2026-02-20"},
        {"number": card(7), "resident_id": holder_id(), "holder_name": "张卫国",
         "closed_at": "2026-03-01T15:00:00+08:00", "outlet": "余姚城东支行"},
        {"card_no": card(8), "resident_id": holder_id(), "closed_at": "2027-01-01"},
        {"card_no": ccb_card(), "resident_id": stranger_id(), "closed_at": "2026-03-01"},
    ]});
    let a = send(
        &state,
        Role::BankLiaison,
        CITY,
        "POST",
        "/api/v1/card-closures",
        Some(closures.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = a.json();
    assert_eq!(
        (&a["received"], &a["of_screened_cards"], &a["short_lived"]),
        (&json!(2), &json!(2), &json!(2)),
        "{a}"
    );
    assert!(
        a.get("rescreened").is_none() && a.get("requeued").is_none(),
        "a bank never learns of the re-screening: {a}"
    );
    assert_eq!(
        a["rejected"],
        json!([
            {"index": 2, "field": "closed_at", "reason": "closed_in_future"},
            {"index": 3, "field": "card_no", "reason": "other_bank"},
        ])
    );
    let run = ImportRunId(a["import_run"].as_i64().unwrap());
    let quarantined = state
        .store
        .imports()
        .quarantine(run, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(quarantined.items.len(), 2);
    for q in &quarantined.items {
        assert!(
            !q.row.raw.contains(&card(8)) && !q.row.raw.contains(&holder_id()),
            "unmasked in the quarantine: {}",
            q.row.raw
        );
    }

    // The police: the holder's open card is on the review list for 频繁开销户.
    let flagged = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/api/v1/new-cards?reason=frequent_open_close",
        None,
    )
    .await;
    assert_eq!(flagged.status, StatusCode::OK, "{}", flagged.text);
    let flagged = flagged.json();
    assert_eq!(flagged["total"], 1, "{flagged}");
    let item = &flagged["items"][0];
    assert_eq!(item["state"], "pending", "{item}");
    assert!(
        item["card_no"]
            .as_str()
            .unwrap()
            .ends_with(&card(1)[card(1).len() - 4..]),
        "{item}"
    );
    // The bank reads its card without the reason, and may not filter by it.
    let bank = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards",
        None,
    )
    .await
    .json();
    assert!(!bank.to_string().contains("frequent_open_close"), "{bank}");
    let refused = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/api/v1/new-cards?reason=frequent_open_close",
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Sent again: nothing new.
    let again = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "POST",
        "/api/v1/card-closures",
        Some(closures),
    )
    .await
    .json();
    assert_eq!(
        (&again["received"], &again["listed_before"]),
        (&json!(0), &json!(2))
    );
    assert_eq!(
        again["rescreened"], 0,
        "the center reads the re-screening: {again}"
    );
}
