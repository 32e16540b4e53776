//! 新开卡审查, on SQLite and PostgreSQL: a bank liaison uploads the bank's daily list (bad rows
//! rejected with line and reason, kept in the quarantine); the cards of a registered resident
//! opened three in three days far from home are flagged high, a key person's card medium; the
//! liaison sees the bank's cards masked without the police's reasons and cannot open a card;
//! the township's commander sees the area's cards masked (list and export), opens one in full
//! (audited) and reviews it as 涉嫌买卖两卡, listing the holder as a key person; another county
//! sees nothing of it, a leader sees the figures only.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    CardFilter, CardState, ImportRunId, KeyPersonCategory, KeyPersonFilter, NewKeyPerson,
    NewPerson, PageRequest, Role, Scope, UnitLevel, Verdict, Viewer,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_bank_uploads_its_list_and_the_commander_reviews_a_card_seller,
    banks_leaders_and_other_counties_see_only_what_is_theirs,
    an_operator_uploads_its_new_phone_cards_and_the_police_read_them_on_their_tab,
    a_bank_uploads_its_closures_and_the_police_find_frequent_open_close,
}

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

/// A registered resident of 舜水社区 born 2004: 21 when the cards are opened.
fn holder_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(2004, 5, 1).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, 1, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

/// A registered resident of 舜水社区 with an open key-person dossier.
fn listed_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1975, 8, 9).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, 3, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

/// Someone the platform does not know.
fn stranger_id() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 2, 3).unwrap();
    fanzha_core::ResidentId::generate(110105, birth, 2, fanzha_core::Sex::Female)
        .unwrap()
        .as_str()
        .to_string()
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
    store
        .people()
        .upsert(&[
            NewPerson {
                resident_id: holder_id(),
                name: "张卫国".into(),
                phone: None,
                residence_code: EAST_VILLAGE.into(),
                address: None,
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
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
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

enum Body_ {
    Form(String),
    Multipart(String),
    /// A closure list (销户名单): the file with `list=closures`.
    Closures(String),
}

/// `method path` as `role` at `unit`, with a form or multipart body for writes (CSRF token
/// included).
async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    body: Body_,
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
    let boundary = "fanzha-card-boundary";
    let body = match body {
        Body_::Form(f) => {
            if method != "GET" {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            }
            f
        }
        Body_::Multipart(file) => {
            req = req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new_cards.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
            )
        }
        Body_::Closures(file) => {
            req = req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"list\"\r\n\r\nclosures\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"closed.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
            )
        }
    };
    if method != "GET" {
        req = req.header("x-csrf-token", &session.csrf_token);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
    let resp = tower::ServiceExt::oneshot(router(state.clone()), req)
        .await
        .unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap()
        .to_vec();
    Answer { status, body }
}

fn get() -> Body_ {
    Body_::Form(String::new())
}

const CITY: &str = "3302";

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

/// Five good cards and two bad rows (lines 7 and 8): the holder's three opened in 喀什 within
/// three days, the key person's one at home, the stranger's one at home; a CCB card (another
/// bank than the liaison's) and a card with a bad check digit.
fn card_list() -> String {
    let mut bad = card(9);
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    format!(
        "卡号,户名,证件号码,开户日期,预留手机号,开户网点,网点行政区划代码\n\
         {c1},张卫国,{h},2026-03-07 09:00,,喀什分行营业部,653101\n\
         {c2},张卫国,{h},2026-03-08 10:00,,喀什分行营业部,653101\n\
         {c3},张卫国,{h},2026-03-09 11:00,,喀什分行营业部,653101\n\
         {c4},王建军,{l},2026-03-09 15:00,,余姚城东支行,330281\n\
         {c5},李梅,{s},2026-03-09 16:00,,北京朝阳支行,110105\n\
         {ccb},赵六,{s},2026-03-09 16:00,,,\n\
         {bad},钱七,{s},2026-03-09 16:00,,,\n",
        c1 = card(1),
        c2 = card(2),
        c3 = card(3),
        c4 = card(4),
        c5 = card(5),
        ccb = ccb_card(),
        h = holder_id(),
        l = listed_id(),
        s = stranger_id(),
    )
}

/// The `data-figure` tile's number.
fn figure(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("data-figure=\"{name}\">"))
        .unwrap_or_else(|| panic!("no figure {name}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn upload(state: &AppState, role: Role) -> Answer {
    let a = send(
        state,
        role,
        CITY,
        "POST",
        "/card-screening/import",
        Body_::Multipart(card_list()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a
}

async fn card_id(state: &AppState, account: &str) -> i64 {
    let page = state
        .store
        .new_cards()
        .list(
            &Viewer::Police(Scope::platform()),
            &CardFilter::default(),
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    page.items
        .iter()
        .find(|c| c.account_no == account)
        .unwrap_or_else(|| panic!("no card {account}"))
        .id
}

async fn a_bank_uploads_its_list_and_the_commander_reviews_a_card_seller(db: &Db) {
    let state = world(db).await;
    let a = upload(&state, Role::BankLiaison).await;
    let page = a.text();
    assert!(page.contains("data-received>5<"), "{page}");
    // The liaison reads the levels a bank may read, not the police's review queue: the key
    // person's card is no risk to the bank.
    assert!(
        !page.contains("data-queued") && !page.contains("data-rescreened"),
        "{page}"
    );
    assert!(page.contains("data-bank-level=\"high\">3<"), "{page}");
    assert!(page.contains("data-bank-level=\"none\">2<"), "{page}");
    assert!(page.contains("data-rejected>2<"), "{page}");
    assert!(
        page.contains("<tr data-line=\"7\"><td>7</td><td data-column=\"card\">卡号</td><td data-reason=\"other_bank\" title=\"other_bank\">卡号属于其他银行</td>"),
        "{page}"
    );
    assert!(page.contains("data-reason=\"bad_luhn\""), "{page}");
    let run_id = page
        .split("data-import-run=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|r| r.parse::<i64>().ok())
        .unwrap();
    let quarantined = state
        .store
        .imports()
        .quarantine(ImportRunId(run_id), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        quarantined
            .items
            .iter()
            .map(|q| q.row.line)
            .collect::<Vec<_>>(),
        vec![7, 8]
    );
    // The same list again receives nothing.
    let again = upload(&state, Role::BankLiaison).await.text();
    assert!(again.contains("data-received>0<"), "{again}");
    assert!(again.contains("data-duplicates>5<"), "{again}");

    // The liaison: the bank's cards masked, the screening's own reasons, none of the police's.
    let bank = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await;
    assert_eq!(bank.status, StatusCode::OK);
    let bank = bank.text();
    assert_eq!(figure(&bank, "screened"), "5");
    assert_eq!(figure(&bank, "high"), "3");
    assert!(bank.contains("短期内多头开卡（7日内3张）"), "{bank}");
    assert!(
        !bank.contains("重点人员"),
        "a police reason shown to the bank: {bank}"
    );
    assert!(
        !bank.contains(&card(1)) && !bank.contains(&holder_id()),
        "unmasked"
    );
    let bank_csv = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/card-screening?format=csv",
        get(),
    )
    .await
    .text();
    assert!(bank_csv.contains("6222 **** **** "), "{bank_csv}");
    // Nothing of the police's reasons can be read back from the score or the level.
    let c4 = card(4);
    let line = bank_csv
        .lines()
        .find(|l| l.contains(&format!("**** {}", &c4[c4.len() - 4..])))
        .unwrap_or_else(|| panic!("no key person's card: {bank_csv}"));
    assert!(line.contains(",0,无风险,,"), "{line}");
    assert_eq!(figure(&bank, "flagged"), "3", "the police see 4");
    assert!(!bank.contains("data-figure=\"pending\""), "{bank}");
    let state_filter = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/card-screening?state=pending",
        get(),
    )
    .await;
    assert_eq!(state_filter.status, StatusCode::FORBIDDEN);
    assert!(
        !bank_csv.contains("重点人员") && !bank_csv.contains(&card(4)),
        "{bank_csv}"
    );

    // The township's commander: the area's four cards, the police's reasons, masked.
    let list = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/card-screening",
        get(),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.text();
    assert_eq!(figure(&list, "screened"), "4");
    assert_eq!(figure(&list, "flagged"), "4");
    assert_eq!(figure(&list, "pending"), "4");
    assert!(list.contains("开户人为涉诈重点人员"), "{list}");
    assert!(list.contains("跨省异地开卡"), "{list}");
    assert!(
        !list.contains(&card(5)[12..]),
        "the stranger's card stays with the city"
    );
    assert!(
        !list.contains(&card(1)) && !list.contains(&holder_id()),
        "unmasked in the list"
    );
    let csv = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/card-screening?format=csv&level=high",
        get(),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    assert_eq!(
        csv.lines().count(),
        4,
        "header and the three high cards: {csv}"
    );
    assert!(
        !csv.contains(&card(1)) && !csv.contains(&holder_id()),
        "{csv}"
    );

    // One card in full, audited.
    let id = card_id(&state, &card(1)).await;
    let detail = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        &format!("/card-screening/{id}"),
        get(),
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.text();
    assert!(
        detail.contains(&card(1)) && detail.contains(&holder_id()),
        "{detail}"
    );
    assert!(detail.contains("data-reason=\"card_burst\""), "{detail}");
    assert!(detail.contains(&card(2)[..4]), "the holder's other cards");
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "view_personal_data"
        && e.target_type == "new_card"
        && e.target_id.as_deref() == Some(id.to_string().as_str())));

    // A note is required for a card seller; then the review lists the holder.
    let path = format!("/card-screening/{id}/review");
    let refused = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form("verdict=normal&key_person=1".into()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let reviewed = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form(
            "verdict=card_seller&note=%E6%9C%AC%E4%BA%BA%E6%89%BF%E8%AE%A4%E5%87%BA%E5%94%AE&key_person=1"
                .into(),
        ),
    )
    .await;
    assert!(
        reviewed.status.is_success() || reviewed.status.is_redirection(),
        "{}",
        reviewed.text()
    );
    let card1 = state
        .store
        .new_cards()
        .get(&Viewer::Police(Scope::platform()), id)
        .await
        .unwrap();
    assert_eq!(card1.state, CardState::Reviewed);
    assert_eq!(card1.verdict, Some(Verdict::CardSeller));
    assert_eq!(card1.note, "本人承认出售");
    let listed = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &KeyPersonFilter {
                resident_id: Some(holder_id()),
                ..KeyPersonFilter::default()
            },
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].category, KeyPersonCategory::TwoCards);
    let twice = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &path,
        Body_::Form("verdict=normal".into()),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let after = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/card-screening",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&after, "reviewed"), "1");
    // 同期: no cards were opened in the same days a year earlier.
    assert!(
        after.contains("<small data-figure-ly=\"involved_share\">去年同期 —</small>"),
        "{after}"
    );
    // The outlet that opened the sold card is ranked (网点涉案排名), and exports.
    assert!(after.contains("<td data-sellers>1</td>"), "{after}");
    let outlets = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/card-screening?format=csv&section=outlets",
        get(),
    )
    .await;
    assert_eq!(outlets.status, StatusCode::OK);
    assert_eq!(outlets.text().lines().count(), 2, "{}", outlets.text());
    // Leadership reads the same in the statistics and the work brief (断卡行动).
    let stats = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/statistics?period=7d",
        get(),
    )
    .await;
    assert_eq!(stats.status, StatusCode::OK);
    let stats = stats.text();
    assert!(stats.contains("data-stat=\"cards-screened\">4<"), "{stats}");
    assert!(stats.contains("data-stat=\"cards-flagged\">4<"), "{stats}");
    assert!(stats.contains("data-stat=\"cards-sellers\">1<"), "{stats}");
    assert!(
        stats.contains("data-stat=\"cards-involved-share\">0.00%<"),
        "{stats}"
    );
    let brief = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/statistics?period=7d&view=brief",
        get(),
    )
    .await
    .text();
    assert!(brief.contains("六、断卡行动"), "{brief}");
    assert!(
        brief.contains("审查新开卡4张，中高风险4张，已审查1张，认定涉嫌买卖两卡1张"),
        "{brief}"
    );
    assert_eq!(figure(&after, "pending"), "3");
    assert!(after.contains("data-verdict=\"card_seller\">1<"), "{after}");
}

async fn banks_leaders_and_other_counties_see_only_what_is_theirs(db: &Db) {
    let state = world(db).await;
    // The center uploads without naming a bank: the CCB card is taken under its own bank.
    let a = upload(&state, Role::CenterAnalyst).await.text();
    assert!(a.contains("data-received>6<"), "{a}");
    let id = card_id(&state, &card(1)).await;
    let icbc = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await
    .text();
    assert_eq!(
        figure(&icbc, "screened"),
        "5",
        "the CCB card is not the liaison's"
    );
    let city = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&city, "screened"), "6");
    assert!(city.contains("data-bank=\"CCB\""), "{city}");
    for (role, method, path, body) in [
        (
            Role::BankLiaison,
            "GET",
            format!("/card-screening/{id}"),
            get(),
        ),
        (
            Role::BankLiaison,
            "POST",
            format!("/card-screening/{id}/review"),
            Body_::Form("verdict=normal".into()),
        ),
        (Role::Leader, "GET", format!("/card-screening/{id}"), get()),
        (
            Role::GridWorker,
            "GET",
            "/card-screening".to_string(),
            get(),
        ),
    ] {
        let a = send(&state, role, COUNTY, method, &path, body).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}");
    }
    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/card-screening",
        get(),
    )
    .await;
    assert_eq!(leader.status, StatusCode::OK);
    let leader = leader.text();
    assert_eq!(figure(&leader, "screened"), "4");
    assert!(!leader.contains("data-card="), "a leader sees no list");
    // A leader's export holds the figures and the banks, never the cards.
    let csv = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/card-screening?format=csv",
        get(),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("审查卡数,4\n"), "{}", csv.text());
    let cards = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/card-screening?format=csv&section=cards",
        get(),
    )
    .await;
    assert_eq!(cards.status, StatusCode::BAD_REQUEST);
    let banks = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/card-screening?format=csv&section=banks",
        get(),
    )
    .await;
    let banks = banks.text();
    assert!(banks.lines().count() >= 2, "{banks}");
    assert!(!banks.contains(&card(1)[..10]), "no card number: {banks}");
    // Another county: nothing, and the card is not found.
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/card-screening",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&other, "screened"), "0");
    for (method, path, body) in [
        ("GET", format!("/card-screening/{id}"), get()),
        (
            "POST",
            format!("/card-screening/{id}/review"),
            Body_::Form("verdict=normal".into()),
        ),
        ("GET", format!("/card-screening?unit={TOWNSHIP}"), get()),
    ] {
        let a = send(
            &state,
            Role::UnitCommander,
            OTHER_COUNTY,
            method,
            &path,
            body,
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let card1 = state
        .store
        .new_cards()
        .get(&Viewer::Police(Scope::platform()), id)
        .await
        .unwrap();
    assert_eq!(card1.state, CardState::Pending);
}

/// An operator's list of new phone cards: the holder's three numbers bought in 喀什 within
/// three days, the key person's one at home, a China Unicom number (not the sender's) and a
/// fixed line.
fn phone_card_list() -> String {
    format!(
        "手机号码,机主姓名,证件号码,入网时间,营业厅,营业厅行政区划代码\n\
         13800138001,张卫国,{h},2026-03-07 09:00,喀什人民路营业厅,653101\n\
         13800138002,张卫国,{h},2026-03-08 10:00,喀什人民路营业厅,653101\n\
         13800138003,张卫国,{h},2026-03-09 11:00,喀什人民路营业厅,653101\n\
         13800138004,王建军,{l},2026-03-09 15:00,余姚城东营业厅,330281\n\
         13012345678,赵六,{s},2026-03-09 16:00,,\n\
         0574-62345678,钱七,{s},2026-03-09 16:00,,\n",
        h = holder_id(),
        l = listed_id(),
        s = stranger_id(),
    )
}

async fn an_operator_uploads_its_new_phone_cards_and_the_police_read_them_on_their_tab(db: &Db) {
    let state = world(db).await;
    let up = send(
        &state,
        Role::OperatorLiaison,
        CITY,
        "POST",
        "/card-screening/import",
        Body_::Multipart(phone_card_list()),
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text());
    let up = up.text();
    assert!(up.contains("data-received>4<"), "{up}");
    assert!(up.contains("data-reason=\"other_operator\""), "{up}");
    assert!(up.contains("data-reason=\"not_mobile\""), "{up}");
    // The operator reads its numbers masked, with its own reasons only, and no tabs.
    let op = send(
        &state,
        Role::OperatorLiaison,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await;
    assert_eq!(op.status, StatusCode::OK);
    let op = op.text();
    assert_eq!(figure(&op, "screened"), "4");
    assert!(op.contains("138****8001"), "{op}");
    assert!(!op.contains("13800138001"), "no number in full: {op}");
    assert!(op.contains("短期内多头开卡"), "{op}");
    assert!(!op.contains("涉诈重点人员"), "no police reason: {op}");
    assert!(!op.contains("id=\"nc-kinds\""), "{op}");
    assert!(op.contains("营业厅"), "the operator's words: {op}");
    assert!(
        op.contains("<small>中国移动 ·"),
        "headed by the operator: {op}"
    );
    for (role, path) in [
        (Role::OperatorLiaison, "/card-screening?kind=bank_card"),
        (Role::BankLiaison, "/card-screening?kind=sim_card"),
    ] {
        let a = send(&state, role, CITY, "GET", path, get()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?} {path}");
    }
    // The police: bank cards by default, phone cards on their tab with every reason.
    let banks = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&banks, "screened"), "0");
    assert!(banks.contains("id=\"nc-kinds\""), "{banks}");
    let sims = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening?kind=sim_card",
        get(),
    )
    .await
    .text();
    assert_eq!(figure(&sims, "screened"), "4");
    assert_eq!(figure(&sims, "flagged"), "4", "{sims}");
    assert!(sims.contains("开户人为涉诈重点人员"), "{sims}");
    assert!(sims.contains("data-bank=\"china_mobile\""), "{sims}");
    assert!(sims.contains("name=\"kind\" value=\"sim_card\""), "{sims}");
    // The township's commander opens one in full; the view is audited with the number masked.
    let filter = CardFilter {
        kind: Some(fanzha_store::CardKind::SimCard),
        ..CardFilter::default()
    };
    let listed = state
        .store
        .new_cards()
        .list(
            &Viewer::Police(Scope::platform()),
            &filter,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    let id = listed
        .items
        .iter()
        .find(|c| c.account_no == "13800138001")
        .expect("stored")
        .id;
    let page = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        &format!("/card-screening/{id}"),
        get(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(page.contains("data-full-card>13800138001<"), "{page}");
    assert!(page.contains("新入网电话卡"), "{page}");
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let view = audit
        .items
        .iter()
        .find(|e| {
            e.action == "view_personal_data" && e.target_id.as_deref() == Some(&id.to_string())
        })
        .expect("audited");
    assert_eq!(view.detail["card"], "138****8001");
    // The new numbers are the holder's registered phones now.
    let phone = state
        .store
        .phones()
        .get(&Scope::platform(), "13800138002")
        .await
        .unwrap();
    assert_eq!(phone.owner_resident_id, Some(holder_id()));
}

/// 销户名单 on the page: the liaison uploads the bank's closures (the holder's first two cards
/// of the burst closed within days) and reads what was received without the re-screening; the
/// police read the short-lived figure, the closed mark in the list, the holder's open card
/// flagged 频繁开销户, and the holder's closures on its card page; the liaison may not filter
/// by the reason.
async fn a_bank_uploads_its_closures_and_the_police_find_frequent_open_close(db: &Db) {
    let state = world(db).await;
    upload(&state, Role::BankLiaison).await;
    let closures = format!(
        "卡号,证件号码,户名,销户日期\n\
         {c1},{h},张卫国,2026-03-09\n\
         {c2},{h},张卫国,2026-03-10 09:00\n\
         {c3},{h},张卫国,2026-04-01\n",
        c1 = card(1),
        c2 = card(2),
        c3 = card(3),
        h = holder_id(),
    );
    let a = send(
        &state,
        Role::BankLiaison,
        CITY,
        "POST",
        "/card-screening/import",
        Body_::Closures(closures),
    )
    .await;
    let page = a.text();
    assert_eq!(a.status, StatusCode::OK, "{page}");
    assert!(page.contains("data-list=\"closures\""), "{page}");
    assert!(page.contains("data-received>2<"), "{page}");
    assert!(page.contains("data-listed>2<"), "{page}");
    assert!(page.contains("data-short-lived>2<"), "{page}");
    assert!(
        !page.contains("data-rescreened") && !page.contains("data-requeued"),
        "{page}"
    );
    assert!(page.contains("data-reason=\"closed_in_future\""), "{page}");

    let police = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening",
        get(),
    )
    .await;
    let page = police.text();
    assert_eq!(police.status, StatusCode::OK, "{page}");
    assert_eq!(figure(&page, "short_lived"), "2", "{page}");
    assert!(page.contains("data-closed=\"2026-03-09\""), "{page}");
    let flagged = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening?reason=frequent_open_close",
        get(),
    )
    .await
    .text();
    assert!(flagged.contains("data-total>1<"), "{flagged}");
    assert!(flagged.contains("频繁开销户（90天内销户2张）"), "{flagged}");
    // The clerk ranking: these lists named no clerk, so nobody is ranked; its CSV answers.
    assert!(page.contains("id=\"nc-clerks\""), "{page}");
    let clerks = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        "/card-screening?format=csv&section=clerks",
        get(),
    )
    .await;
    assert_eq!(clerks.status, StatusCode::OK);
    assert!(clerks.text().contains("经办人"), "{}", clerks.text());

    let id = card_id(&state, &card(3)).await;
    let detail = send(
        &state,
        Role::UnitCommander,
        "330281",
        "GET",
        &format!("/card-screening/{id}"),
        get(),
    )
    .await;
    let detail = detail.text();
    assert!(
        detail.contains("data-reason=\"frequent_open_close\""),
        "{detail}"
    );
    assert_eq!(detail.matches("data-short-lived").count(), 2, "{detail}");

    let refused = send(
        &state,
        Role::BankLiaison,
        CITY,
        "GET",
        "/card-screening?reason=frequent_open_close",
        get(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // 落地核查: the analyst sends the card down as a two-card lead to the holder's unit, once;
    // a commander may not send leads.
    let send_lead = |role| {
        let state = state.clone();
        async move {
            send(
                &state,
                role,
                CITY,
                "POST",
                &format!("/card-screening/{id}/lead"),
                Body_::Form(String::new()),
            )
            .await
        }
    };
    let sent = send_lead(Role::CenterAnalyst).await;
    assert!(
        sent.status.is_redirection(),
        "{} {}",
        sent.status,
        sent.text()
    );
    assert_eq!(
        send_lead(Role::UnitCommander).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(send_lead(Role::CenterAnalyst).await.status.is_redirection());
    let leads = state
        .store
        .two_card_leads()
        .list(
            &Scope::platform(),
            &fanzha_store::LeadFilter::default(),
            &PageRequest::first(10),
            t0(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(leads.len(), 1, "sent once: {leads:?}");
    let lead = &leads[0];
    assert_eq!(lead.number, card(3));
    assert_eq!(lead.source, fanzha_store::LeadSource::Center);
    assert!(lead.reason.contains("频繁开销户"), "{}", lead.reason);
    assert!(
        lead.unit_code.starts_with("330281"),
        "the holder's unit: {}",
        lead.unit_code
    );
    let page = send(
        &state,
        Role::CenterAnalyst,
        CITY,
        "GET",
        &format!("/card-screening/{id}"),
        get(),
    )
    .await
    .text();
    assert!(
        page.contains(&format!("data-lead=\"{}\"", lead.id)),
        "{page}"
    );
    assert!(!page.contains("nc-send-lead"), "sent: no second button");
}
