//! 督导整治, on SQLite and PostgreSQL: the county's 建议关注 ranks its townships by this year's
//! 万人发案数 and writes the chosen one's figures into the reason; the county lists the
//! township for rectification, extends twice (a third is refused), the township records its
//! report, the county closes it, and the figures and the printable notice follow. Another
//! county sees and does none of it; a township cannot supervise itself or its sibling; a bank
//! liaison sees and answers only the measures against their own bank's outlets; an overdue
//! measure is counted, filtered and exported (CSV and XLSX).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{
    KeyPersonCategory, MeasureKind, NewCase, NewKeyPerson, NewPerson, NewSupervision, NewUnit,
    OutreachQuota, Role, Scope, SupervisionReason, SupervisionState, TargetKind, UnitLevel,
};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::FixedClock;
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_county_lists_its_worst_township_which_reports_and_is_closed,
    another_county_and_the_township_itself_are_refused,
    a_bank_liaison_sees_and_answers_only_their_banks_outlets,
    an_overdue_measure_is_counted_filtered_and_exported,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const SIBLING: &str = "330281002";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const DAY: i64 = 86_400_000;

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn unit(
    code: &str,
    name: &str,
    level: UnitLevel,
    parent: Option<&str>,
    population: Option<i64>,
) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population,
    }
}

fn resident(n: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, n, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

/// 阳明街道 (20,000 residents, 4 cases this year, one key person, a target of 10 talks and
/// none held) and 梨洲街道 (50,000 residents, 1 case) under 余姚; 慈溪 beside it.
async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None, None),
            unit(COUNTY, "余姚市", County, Some("3302"), None),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY), Some(20_000)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP), None),
            unit(SIBLING, "梨洲街道", Township, Some(COUNTY), Some(50_000)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302"), None),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY), None),
        ])
        .await
        .unwrap();
    for (i, unit_code) in [TOWNSHIP, TOWNSHIP, VILLAGE, VILLAGE, SIBLING]
        .iter()
        .enumerate()
    {
        store
            .cases()
            .create(&NewCase {
                id: format!("AJSV{i:04}"),
                victim_name: Some(format!("受害人{i}")),
                unit_code: (*unit_code).into(),
                reported_at: t0() - (i as i64 + 1) * DAY,
                loss_fen: 100_000,
                narrative: "冒充客服诱导转账".into(),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                named: serde_json::json!({}),
                created_by: "setup".into(),
                created_at: t0(),
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: resident(1),
            name: "王强".into(),
            phone: None,
            residence_code: VILLAGE.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        }])
        .await
        .unwrap();
    let county = store.units().scope(COUNTY).await.unwrap();
    store
        .key_persons()
        .create(
            &county,
            &NewKeyPerson {
                resident_id: resident(1),
                category: KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "setup".into(),
                at: t0() - DAY,
            },
        )
        .await
        .unwrap();
    store
        .outreach()
        .set_quota(
            &county,
            &OutreachQuota {
                unit_code: TOWNSHIP.into(),
                year: 2026,
                events: 10,
                people: 2000,
                set_by: "setup".into(),
                set_at: t0() - 30 * DAY,
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
    location: Option<String>,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn ok(&self) -> bool {
        self.status.is_success() || self.status.is_redirection()
    }
}

struct As<'a> {
    state: &'a AppState,
    role: Role,
    unit: &'a str,
    bank: Option<&'a str>,
    english: bool,
}

fn who<'a>(state: &'a AppState, role: Role, unit: &'a str) -> As<'a> {
    As {
        state,
        role,
        unit,
        bank: None,
        english: false,
    }
}

impl As<'_> {
    async fn send(&self, method: &str, path: &str, form: &str) -> Answer {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: format!("{}_{}", self.role.as_str(), self.unit),
                display_name: "测试".into(),
                unit_code: self.unit.into(),
                roles: vec![self.role],
                joint_member: None,
                bank_code: self.bank.map(Into::into),
                operator: None,
            },
            t0(),
        );
        let mut cookie = format!("{COOKIE}={token}");
        if self.english {
            cookie.push_str("; lang=en");
        }
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, cookie);
        if method != "GET" {
            req = req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-csrf-token", &session.csrf_token);
        }
        let mut req = req.body(Body::from(form.to_string())).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = tower::ServiceExt::oneshot(router(self.state.clone()), req)
            .await
            .unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            location,
            content_type,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, "").await
    }

    async fn post(&self, path: &str, form: &str) -> Answer {
        self.send("POST", path, form).await
    }
}

/// The `data-figure` tile's number.
fn figure(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("data-figure=\"{name}\">"))
        .unwrap_or_else(|| panic!("no figure {name}: {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// Issues through the form as `by`; the new measure's id.
async fn issue(by: &As<'_>, form: &str) -> i64 {
    let a = by.post("/supervision", form).await;
    assert!(a.ok(), "{} {}", a.status, a.text());
    a.location
        .as_deref()
        .and_then(|l| l.strip_prefix("/supervision/"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no measure page in {:?}", a.location))
}

const LIST_TOWNSHIP: &str = "target_kind=unit&unit_code=330281001&measure=listed\
     &reason=high_incidence&reason=outreach_lacking\
     &reason_text=%E4%B8%87%E4%BA%BA%E5%8F%91%E6%A1%88%E6%95%B02.00&deadline_days=30";

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn the_county_lists_its_worst_township_which_reports_and_is_closed(db: &Db) {
    let state = world(db).await;
    let analyst = who(&state, Role::CenterAnalyst, COUNTY);
    let commander = who(&state, Role::UnitCommander, COUNTY);
    let township = who(&state, Role::UnitCommander, TOWNSHIP);

    // 建议关注: 阳明 (2.00 per 10k) before 梨洲 (0.20); the area's rate 5 / 70,000.
    let form = analyst.get("/supervision/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let form = form.text();
    let first = form.find("data-unit=\"330281001\"").unwrap();
    let second = form.find("data-unit=\"330281002\"").unwrap();
    assert!(first < second, "ranked by the rate: {form}");
    assert!(form.contains("data-per-10k>2.00<"), "{form}");
    assert!(form.contains("data-per-10k>0.20<"), "{form}");
    assert!(form.contains("data-overall>0.71<"), "{form}");
    assert!(form.contains("data-key-persons>1<"), "{form}");
    assert!(form.contains("data-outreach>0/10<"), "{form}");
    // Choosing 阳明 writes its figures into the reason and ticks what they point to.
    let chosen = analyst.get("/supervision/new?unit=330281001").await.text();
    assert!(
        chosen.contains("阳明街道：2026年以来发案4起，万人发案数2.00（本辖区0.71）"),
        "{chosen}"
    );
    assert!(chosen.contains("反诈宣传0/10场"), "{chosen}");
    assert!(chosen.contains("在控涉诈重点人员1人"), "{chosen}");
    for reason in ["high_incidence", "outreach_lacking", "key_person_control"] {
        assert!(
            chosen.contains(&format!("value=\"{reason}\" checked")),
            "{reason} not ticked: {chosen}"
        );
    }
    assert!(chosen.contains("value=\"two_cards\" >"), "{chosen}");
    // The area choices: townships below the county, their villages indented, 阳明 chosen.
    assert!(
        chosen.contains("<option value=\"330281001\" selected>└ 阳明街道</option>"),
        "{chosen}"
    );
    assert!(
        chosen.contains("<option value=\"330281001001\" >\u{3000}└ 舜水社区</option>"),
        "{chosen}"
    );
    // A unit outside one's area cannot be chosen.
    assert_eq!(
        analyst.get("/supervision/new?unit=330282001").await.status,
        StatusCode::NOT_FOUND
    );

    let id = issue(&commander, LIST_TOWNSHIP).await;
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, id)
        .await
        .unwrap();
    assert_eq!(m.target_name, "阳明街道");
    assert_eq!(m.issuer_unit, COUNTY);
    assert_eq!(
        m.reasons,
        vec![
            SupervisionReason::HighIncidence,
            SupervisionReason::OutreachLacking
        ]
    );
    assert_eq!(m.deadline, t0() + 30 * DAY);

    // The township sees it, with the reply form and without extend or close.
    let list = township.get("/supervision").await.text();
    assert_eq!(figure(&list, "listed_open"), "1");
    assert!(
        list.contains(&format!("data-measure-id=\"{id}\"")),
        "{list}"
    );
    let page = township.get(&format!("/supervision/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(page.contains("id=\"reply-measure\""), "{page}");
    assert!(!page.contains("id=\"extend-measure\""), "{page}");
    assert!(page.contains("万人发案数2.00"), "{page}");
    // The township cannot move its own deadline.
    let refused = township
        .post(
            &format!("/supervision/{id}/extend"),
            "deadline=2026-05-01&note=x",
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());

    // Two extensions, then no more.
    let path = format!("/supervision/{id}/extend");
    for day in ["2026-04-20", "2026-05-10"] {
        let a = commander
            .post(&path, &format!("deadline={day}&note=%E6%98%A5%E8%8A%82"))
            .await;
        assert!(a.ok(), "{}", a.text());
    }
    let third = commander
        .post(&path, "deadline=2026-06-10&note=%E5%86%8D%E5%BB%B6")
        .await;
    assert_eq!(third.status, StatusCode::CONFLICT, "{}", third.text());
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, id)
        .await
        .unwrap();
    assert_eq!(m.extensions, 2);
    assert_eq!(
        fanzha_core::time::format_shanghai(m.deadline),
        "2026-05-10 23:59:59"
    );
    assert!(!commander
        .get(&format!("/supervision/{id}"))
        .await
        .text()
        .contains("id=\"extend-measure\""));

    // Closing waits for the report; the township reports, once.
    let early = commander
        .post(&format!("/supervision/{id}/close"), "note=ok")
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    let report = format!(
        "report={}",
        urlencode("已开展全员反诈宣传12场，重点人员逐一走访")
    );
    // Separation of duties: the issuing county does not record the township's report.
    let own_report = commander
        .post(&format!("/supervision/{id}/reply"), &report)
        .await;
    assert_eq!(
        own_report.status,
        StatusCode::FORBIDDEN,
        "{}",
        own_report.text()
    );
    assert!(
        own_report.text().contains("target's unit"),
        "{}",
        own_report.text()
    );
    let issuer_page = commander.get(&format!("/supervision/{id}")).await.text();
    assert!(
        !issuer_page.contains("id=\"reply-measure\""),
        "{issuer_page}"
    );
    assert!(
        issuer_page.contains("id=\"reply-not-issuer\""),
        "{issuer_page}"
    );
    assert!(
        !issuer_page.contains("id=\"reject-measure\""),
        "{issuer_page}"
    );
    let replied = township
        .post(&format!("/supervision/{id}/reply"), &report)
        .await;
    assert!(replied.ok(), "{}", replied.text());
    // 验收不通过: the county returns the report with what is missing; the township (the
    // target) may not, and cannot return it to itself.
    let page = commander.get(&format!("/supervision/{id}")).await.text();
    assert!(page.contains("id=\"reject-measure\""), "{page}");
    assert!(page.contains("id=\"close-measure\""), "{page}");
    assert!(!township
        .get(&format!("/supervision/{id}"))
        .await
        .text()
        .contains("id=\"reject-measure\""));
    let missing = format!("note={}", urlencode("重点人员走访记录缺失"));
    assert_eq!(
        township
            .post(&format!("/supervision/{id}/reject"), &missing)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let no_note = commander
        .post(&format!("/supervision/{id}/reject"), "note=+")
        .await;
    assert!(no_note.status.is_client_error(), "{}", no_note.text());
    let returned = commander
        .post(&format!("/supervision/{id}/reject"), &missing)
        .await;
    assert!(returned.ok(), "{}", returned.text());
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, id)
        .await
        .unwrap();
    assert_eq!(m.state, SupervisionState::Issued);
    assert_eq!((m.returns, m.extensions), (1, 2));
    assert_eq!(m.deadline, t0() + 15 * DAY, "15 days from now by default");
    assert_eq!(
        commander
            .post(&format!("/supervision/{id}/reject"), &missing)
            .await
            .status,
        StatusCode::CONFLICT,
        "nothing to return until the township reports again"
    );
    let returned_list = analyst.get("/supervision").await.text();
    assert_eq!(figure(&returned_list, "returned"), "1");
    assert_eq!(figure(&returned_list, "awaiting"), "0");
    let page = township.get(&format!("/supervision/{id}")).await.text();
    assert!(page.contains("data-event=\"returned\""), "{page}");
    assert!(page.contains("重点人员走访记录缺失"), "{page}");
    assert!(page.contains("id=\"reply-measure\""), "{page}");
    let replied = township
        .post(
            &format!("/supervision/{id}/reply"),
            &format!("report={}", urlencode("已补齐走访记录")),
        )
        .await;
    assert!(replied.ok(), "{}", replied.text());
    assert_eq!(
        township
            .post(&format!("/supervision/{id}/reply"), &report)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let awaiting = analyst.get("/supervision").await.text();
    assert_eq!(figure(&awaiting, "awaiting"), "1");
    let closed = commander
        .post(
            &format!("/supervision/{id}/close"),
            &format!("note={}", urlencode("验收通过，予以摘牌")),
        )
        .await;
    assert!(closed.ok(), "{}", closed.text());
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, id)
        .await
        .unwrap();
    assert_eq!(m.state, SupervisionState::Closed);
    assert_eq!(m.closed_by.as_deref(), Some("unit_commander_330281"));

    let page = analyst.get(&format!("/supervision/{id}")).await.text();
    for kind in ["issued", "extended", "replied", "returned", "closed"] {
        assert!(page.contains(&format!("data-event=\"{kind}\"")), "{page}");
    }
    let list = analyst.get("/supervision").await.text();
    assert_eq!(figure(&list, "listed_open"), "0");
    assert_eq!(figure(&list, "closed_in_period"), "1");
    assert_eq!(figure(&list, "issued_in_period"), "1");
    assert!(
        list.contains("<tr data-measure=\"listed\"><td>挂牌整治</td><td data-total>1</td><td data-open>0</td><td data-closed>1</td>"),
        "{list}"
    );

    // The notice, in Chinese and English.
    let notice = township.get(&format!("/supervision/{id}/notice")).await;
    assert_eq!(notice.status, StatusCode::OK);
    let notice = notice.text();
    assert!(notice.contains("<h1>挂牌整治通知书</h1>"), "{notice}");
    assert!(notice.contains("督〔2026〕"), "{notice}");
    assert!(notice.contains("阳明街道："), "{notice}");
    assert!(notice.contains("发案高发、宣防不落实"), "{notice}");
    // The return set the deadline anew: 15 days from 2026-03-10.
    assert!(notice.contains("请于2026-03-25前完成整改"), "{notice}");
    let english = As {
        english: true,
        ..who(&state, Role::Leader, COUNTY)
    }
    .get(&format!("/supervision/{id}/notice"))
    .await
    .text();
    assert!(
        english.contains("<h1>Notice of listing for rectification</h1>"),
        "{english}"
    );
    assert!(english.contains("by 2026-03-25"), "{english}");
}

async fn another_county_and_the_township_itself_are_refused(db: &Db) {
    let state = world(db).await;
    let commander = who(&state, Role::UnitCommander, COUNTY);
    let id = issue(&commander, LIST_TOWNSHIP).await;
    let other = who(&state, Role::UnitCommander, OTHER_COUNTY);
    assert_eq!(
        other.get(&format!("/supervision/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/supervision/{id}/notice")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = other.get("/supervision").await.text();
    assert_eq!(figure(&list, "total"), "0");
    assert!(!list.contains("阳明街道"), "{list}");
    assert_eq!(
        other.get("/supervision?unit=330281001").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get("/supervision?format=csv")
            .await
            .text()
            .lines()
            .count(),
        1,
        "only the header"
    );
    for (path, form) in [
        (format!("/supervision/{id}/reply"), "report=x"),
        (
            format!("/supervision/{id}/extend"),
            "deadline=2026-05-01&note=x",
        ),
        (format!("/supervision/{id}/close"), "note=x"),
        (format!("/supervision/{id}/reject"), "note=x"),
    ] {
        let a = other.post(&path, form).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.text());
    }
    // Issuing into another county's tree, or for its outlets, is refused.
    let a = other.post("/supervision", LIST_TOWNSHIP).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    let a = other
        .post(
            "/supervision",
            "target_kind=telecom_outlet&unit_code=330281001&target_name=hall&measure=closure\
             &reason=card_issuance",
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    // The township supervises neither itself nor its sibling, and a closure needs an outlet.
    let township = who(&state, Role::UnitCommander, TOWNSHIP);
    let own = township
        .post(
            "/supervision",
            "target_kind=unit&unit_code=330281001&measure=interview&reason=high_incidence",
        )
        .await;
    assert!(own.status.is_client_error(), "{}", own.text());
    let sibling = township
        .post(
            "/supervision",
            "target_kind=unit&unit_code=330281002&measure=interview&reason=high_incidence",
        )
        .await;
    assert_eq!(sibling.status, StatusCode::NOT_FOUND, "{}", sibling.text());
    let closure = commander
        .post(
            "/supervision",
            "target_kind=unit&unit_code=330281002&measure=closure&reason=high_incidence",
        )
        .await;
    assert!(closure.status.is_client_error(), "{}", closure.text());
    // A leader reads but issues nothing; a grid worker sees nothing.
    let leader = who(&state, Role::Leader, COUNTY);
    assert_eq!(leader.get("/supervision").await.status, StatusCode::OK);
    assert_eq!(
        leader.post("/supervision", LIST_TOWNSHIP).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        who(&state, Role::GridWorker, COUNTY)
            .get("/supervision")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let total = state
        .store
        .supervision()
        .count(&Scope::platform(), None, &Default::default(), t0())
        .await
        .unwrap();
    assert_eq!(total, 1, "a refused issue wrote nothing");
}

async fn a_bank_liaison_sees_and_answers_only_their_banks_outlets(db: &Db) {
    let state = world(db).await;
    let analyst = who(&state, Role::CenterAnalyst, COUNTY);
    let icbc = issue(
        &analyst,
        &format!(
            "target_kind=bank_outlet&unit_code=330281001&bank_code=ICBC&target_name={}\
             &measure=closure&reason=card_issuance&reason=two_cards&deadline_days=15",
            urlencode("工商银行阳明支行")
        ),
    )
    .await;
    let ccb = issue(
        &analyst,
        &format!(
            "target_kind=bank_outlet&unit_code=330281002&bank_code=CCB&target_name={}\
             &measure=listed&reason=two_cards",
            urlencode("建设银行梨洲支行")
        ),
    )
    .await;
    issue(&analyst, LIST_TOWNSHIP).await;
    // A bank is named for bank outlets only.
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, icbc)
        .await
        .unwrap();
    assert_eq!(m.bank_code.as_deref(), Some("ICBC"));
    assert_eq!(m.measure, MeasureKind::Closure);

    let liaison = As {
        bank: Some("ICBC"),
        ..who(&state, Role::BankLiaison, COUNTY)
    };
    let list = liaison.get("/supervision").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let list = list.text();
    assert_eq!(figure(&list, "total"), "1");
    assert!(list.contains("工商银行阳明支行"), "{list}");
    assert!(!list.contains("建设银行梨洲支行"), "{list}");
    assert_eq!(list.matches("data-measure-id=").count(), 1, "{list}");
    let csv = liaison.get("/supervision?format=csv").await.text();
    assert!(
        csv.contains("工商银行阳明支行") && !csv.contains("建设银行"),
        "{csv}"
    );
    assert_eq!(
        liaison.get(&format!("/supervision/{ccb}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        liaison
            .post(&format!("/supervision/{ccb}/reply"), "report=x")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = liaison.get(&format!("/supervision/{icbc}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("id=\"reply-measure\""));
    let notice = liaison
        .get(&format!("/supervision/{icbc}/notice"))
        .await
        .text();
    assert!(notice.contains("<h1>临时关停整改通知书</h1>"), "{notice}");
    assert!(notice.contains("工商银行阳明支行"), "{notice}");
    let replied = liaison
        .post(
            &format!("/supervision/{icbc}/reply"),
            &format!("report={}", urlencode("已停止上门送卡，柜员重新培训")),
        )
        .await;
    assert!(replied.ok(), "{}", replied.text());
    let m = state
        .store
        .supervision()
        .get(&Scope::platform(), None, icbc)
        .await
        .unwrap();
    assert_eq!(m.state, SupervisionState::Replied);
    assert_eq!(m.replied_by.as_deref(), Some("bank_liaison_330281"));
    // Liaisons never issue, extend or close.
    for (path, form) in [
        ("/supervision".to_string(), LIST_TOWNSHIP),
        (
            format!("/supervision/{icbc}/extend"),
            "deadline=2026-05-01&note=x",
        ),
        (format!("/supervision/{icbc}/close"), "note=x"),
    ] {
        assert_eq!(
            liaison.post(&path, form).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        liaison.get("/supervision/new").await.status,
        StatusCode::FORBIDDEN
    );
    // Another bank's liaison sees nothing; a liaison without a bank is refused.
    let other_bank = As {
        bank: Some("BOC"),
        ..who(&state, Role::BankLiaison, COUNTY)
    };
    assert_eq!(
        figure(&other_bank.get("/supervision").await.text(), "total"),
        "0"
    );
    assert_eq!(
        who(&state, Role::BankLiaison, COUNTY)
            .get("/supervision")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn an_overdue_measure_is_counted_filtered_and_exported(db: &Db) {
    let state = world(db).await;
    let county = state.store.units().scope(COUNTY).await.unwrap();
    let late = state
        .store
        .supervision()
        .issue(
            &county,
            &NewSupervision {
                target_kind: TargetKind::TelecomOutlet,
                target_name: "余姚联通阳明营业厅".into(),
                bank_code: None,
                unit_code: TOWNSHIP.into(),
                measure: MeasureKind::WarningNotice,
                reasons: vec![SupervisionReason::CardIssuance],
                reason_text: "上门送卡激活环节存在安全隐患".into(),
                issuer_unit: COUNTY.into(),
                issued_by: "analyst".into(),
                issued_at: t0() - 40 * DAY,
                deadline_days: 30,
            },
        )
        .await
        .unwrap();
    let commander = who(&state, Role::UnitCommander, COUNTY);
    let fresh = issue(&commander, LIST_TOWNSHIP).await;
    let list = commander.get("/supervision").await.text();
    assert_eq!(figure(&list, "overdue"), "1");
    assert_eq!(figure(&list, "open"), "2");
    assert!(
        list.contains(&format!(
            "data-measure-id=\"{}\" data-measure=\"warning_notice\" class=\"overdue\"",
            late.id
        )),
        "{list}"
    );
    assert!(
        list.contains("<tr data-unit=\"330281001\"><td><a href=\"/supervision?unit=330281001\">阳明街道</a></td><td>2</td><td data-open>2</td><td>1</td><td data-overdue>1</td>"),
        "{list}"
    );
    let overdue = commander.get("/supervision?overdue=1").await.text();
    assert!(overdue.contains("data-total>1<"), "{overdue}");
    assert!(overdue.contains(&format!("data-measure-id=\"{}\"", late.id)));
    assert!(!overdue.contains(&format!("data-measure-id=\"{fresh}\"")));
    // The period filters the list by the day issued.
    let march = commander
        .get("/supervision?from=2026-03-01&until=2026-03-31")
        .await
        .text();
    assert!(march.contains("data-total>1<"), "{march}");
    assert!(march.contains(&format!("data-measure-id=\"{fresh}\"")));

    let csv = commander.get("/supervision?format=csv&overdue=1").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let csv = csv.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].contains("督导对象") && lines[0].contains("整改期限"),
        "{csv}"
    );
    for cell in [
        "余姚联通阳明营业厅",
        "运营商营业厅",
        "警示单/提示函",
        "开卡/送卡环节隐患",
        "阳明街道",
        "余姚市",
        "2026-01-29",
        "2026-02-28",
        "整改中",
        "是",
    ] {
        assert!(lines[1].contains(cell), "{cell} missing: {csv}");
    }
    let xlsx = commander.get("/supervision?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.content_type.contains("spreadsheetml"),
        "{}",
        xlsx.content_type
    );
    assert!(xlsx.body.starts_with(b"PK"), "not a zip");
    use calamine::Reader;
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body.to_vec())).unwrap();
    assert_eq!(
        book.sheet_names().len(),
        4,
        "measures, figures, per measure, per unit"
    );
    // The figures per unit below export too.
    let units = commander
        .get("/supervision?format=csv&section=units")
        .await
        .text();
    assert!(units.contains("\n阳明街道,2,2,1,1,"), "{units}");
    // The county narrowed to 梨洲 sees neither.
    let narrowed = commander.get("/supervision?unit=330281002").await.text();
    assert_eq!(figure(&narrowed, "total"), "0");
}
