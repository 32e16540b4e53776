//! The victim's occupation (受害人职业), on SQLite and PostgreSQL alike: the case form's select
//! (a registered public-sector victim without a stated occupation is public-sector staff), the
//! 110 / 96110 import's occupation column (synonyms read, text of no category kept as 其他 and
//! counted, never a rejected row), the case page, the cases search's `occupation` filter and its
//! CSV export, and the 受害人画像 table by occupation with the work brief's sentence.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{NewPerson, Occupation, Role, Scope, UnitLevel};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::{router, AppState};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

use crate::support::{unit, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_case_form_states_the_occupation_and_a_public_sector_victim_defaults_to_it,
    an_export_s_occupation_column_is_read_and_never_rejects_a_row,
    the_search_filters_by_occupation_and_the_profile_counts_every_case,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
/// Registered, paid from public funds, lives in VILLAGE; valid check digit.
const RESIDENT: &str = "330281199001011235";

fn shanghai(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

struct World {
    state: AppState,
}

impl World {
    async fn new(db: &Db) -> World {
        let store = db.open().await;
        use UnitLevel::*;
        store
            .units()
            .upsert(&[
                unit("3302", "宁波市", City, None),
                unit(COUNTY, "余姚市", County, Some("3302")),
                unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
                unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            ])
            .await
            .unwrap();
        store
            .people()
            .upsert(&[NewPerson {
                resident_id: RESIDENT.into(),
                name: "张三".into(),
                phone: Some("13900001234".into()),
                residence_code: VILLAGE.into(),
                address: None,
                employer: Some("余姚市某局".into()),
                public_sector: true,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let mut state = AppState::new(store).await.unwrap();
        state.clock = Arc::new(FixedClock(shanghai("2026-03-02T09:00:00+08:00")));
        World { state }
    }

    async fn send(&self, method: &str, uri: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send_as(method, uri, content_type, body, "zh").await
    }

    async fn send_as(
        &self,
        method: &str,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
        lang: &str,
    ) -> Answer {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: "yy_analyst".into(),
                display_name: "研判员".into(),
                unit_code: COUNTY.into(),
                roles: vec![Role::CenterAnalyst],
                joint_member: None,
                bank_code: None,
                operator: None,
            },
            self.state.clock.now_ms(),
        );
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, format!("{COOKIE}={token}; lang={lang}"));
        if method != "GET" {
            req = req
                .header("x-csrf-token", &session.csrf_token)
                .header(header::CONTENT_TYPE, content_type);
        }
        let mut req = req.body(Body::from(body)).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send("GET", uri, "", Vec::new()).await
    }

    /// Opens a case from the form; its id.
    async fn open(&self, fields: &[(&str, &str)]) -> Answer {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("unit_code", VILLAGE)
            .append_pair("loss_yuan", "3000")
            .append_pair("narrative", "网上刷单返利，先垫付后返佣金，被骗。");
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        self.send(
            "POST",
            "/cases",
            "application/x-www-form-urlencoded",
            form.finish().into_bytes(),
        )
        .await
    }

    async fn upload(&self, name: &str, bytes: &[u8]) -> Answer {
        let boundary = "fanzha-occupation-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            "POST",
            "/cases/import",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }

    async fn case(&self, id: &str) -> fanzha_store::Case {
        self.state
            .store
            .cases()
            .get(&Scope::platform(), id)
            .await
            .unwrap()
    }

    async fn case_by_report(&self, report_no: &str) -> fanzha_store::Case {
        let (id, _) = self
            .state
            .store
            .cases()
            .by_report_no(report_no)
            .await
            .unwrap()
            .unwrap();
        self.case(&id).await
    }
}

fn case_id(a: &Answer) -> String {
    assert!(a.status.is_redirection(), "{} {}", a.status, a.body);
    let to = a.location.as_deref().unwrap();
    to.strip_prefix("/cases/").unwrap().to_string()
}

/// The figure of `<… data-NAME>N<…` in `body`.
fn figure<'a>(body: &'a str, name: &str) -> &'a str {
    let at = body
        .find(name)
        .unwrap_or_else(|| panic!("no {name} in the answer:\n{body}"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = start + rest[start..].find('<').unwrap();
    &rest[start..end]
}

async fn the_case_form_states_the_occupation_and_a_public_sector_victim_defaults_to_it(db: &Db) {
    let w = World::new(db).await;
    // The form offers every category and leaves it unstated by default.
    let page = w.get("/cases").await;
    assert_eq!(page.status, StatusCode::OK);
    let form = &page.body[page.body.find(r#"id="new-case""#).unwrap()..];
    for o in Occupation::ALL {
        assert!(
            form.contains(&format!(
                r#"<option value="{}">{}</option>"#,
                o.code(),
                o.zh()
            )),
            "{o}"
        );
    }
    assert!(form.contains("未填（财政供养人员记为公职人员）"));

    let student = case_id(&w.open(&[("occupation", "student")]).await);
    assert_eq!(w.case(&student).await.occupation, Some(Occupation::Student));
    let page = w.get(&format!("/cases/{student}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"<dd data-occupation="student">学生</dd>"#),
        "{}",
        page.body
    );

    // A registered public-sector victim: public-sector staff unless stated otherwise.
    let flagged = case_id(&w.open(&[("resident_id", RESIDENT)]).await);
    let c = w.case(&flagged).await;
    assert!(c.public_sector);
    assert_eq!(c.occupation, Some(Occupation::PublicSector));
    let teacher = case_id(
        &w.open(&[("resident_id", RESIDENT), ("occupation", "teacher")])
            .await,
    );
    let c = w.case(&teacher).await;
    assert!(c.public_sector, "the flag stays the register's");
    assert_eq!(c.occupation, Some(Occupation::Teacher));

    // Unstated for anyone else: unknown, and the page says 未知.
    let unknown = case_id(&w.open(&[("occupation", "")]).await);
    assert_eq!(w.case(&unknown).await.occupation, None);
    let page = w.get(&format!("/cases/{unknown}")).await;
    assert!(page
        .body
        .contains(r#"<dd data-occupation="unknown">未知</dd>"#));

    // A value of no category is refused and opens nothing.
    let before = w
        .state
        .store
        .cases()
        .count(&Scope::platform(), &Default::default())
        .await
        .unwrap();
    let bad = w.open(&[("occupation", "astronaut")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let after = w
        .state
        .store
        .cases()
        .count(&Scope::platform(), &Default::default())
        .await
        .unwrap();
    assert_eq!(before, after);
}

/// A 96110 export with an occupation column under one of its names.
fn export(column: &str) -> String {
    [
        format!("警情编号,报警人,证件号码,报警时间,损失金额,简要案情,{column}"),
        "O-1,李四,,2026-03-01 10:00,1000,刷单返利被骗。,企业职工".into(),
        "O-2,王五,,2026-03-01 11:00,2000,投资理财被骗。,个体户".into(),
        "O-3,赵六,,2026-03-01 12:00,3000,冒充客服被骗。,保洁员".into(),
        format!("O-4,张三,{RESIDENT},2026-03-01 13:00,4000,冒充公检法被骗。,"),
        "O-5,钱七,,2026-03-01 14:00,5000,网络贷款被骗。,未知".into(),
    ]
    .join("\n")
}

async fn an_export_s_occupation_column_is_read_and_never_rejects_a_row(db: &Db) {
    let w = World::new(db).await;
    let a = w.upload("96110.csv", export("受害人职业").as_bytes()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(figure(&a.body, "data-imported"), "5");
    assert_eq!(figure(&a.body, "data-rejected"), "0");
    assert!(
        a.body.contains(r#"data-occupation-unrecognised="1""#),
        "{}",
        a.body
    );
    let want = [
        ("O-1", Some(Occupation::CompanyEmployee), None),
        ("O-2", Some(Occupation::SelfEmployed), None),
        ("O-3", Some(Occupation::Other), Some("保洁员")),
        ("O-4", Some(Occupation::PublicSector), None),
        ("O-5", None, None),
    ];
    for (no, occupation, text) in want {
        let c = w.case_by_report(no).await;
        assert_eq!(
            (c.occupation, c.occupation_text.as_deref()),
            (occupation, text),
            "{no}"
        );
    }
    let other = w.case_by_report("O-3").await;
    let page = w.get(&format!("/cases/{}", other.id)).await;
    assert!(
        page.body
            .contains(r#"<dd data-occupation="other">其他（保洁员）</dd>"#),
        "{}",
        page.body
    );
    // The list shows the category only; the text stays on the case page.
    let list = w.get("/cases?occupation=other").await;
    assert!(list.body.contains("<td data-occupation>其他</td>"));
    assert!(!list.body.contains("保洁员"));

    // Other systems' names of the column read the same.
    for column in ["职业", "报警人职业", "工作单位性质"] {
        let text = export(column).replace("O-", &format!("{column}-"));
        let a = w.upload("110.csv", text.as_bytes()).await;
        assert_eq!(a.status, StatusCode::OK, "{column}: {}", a.body);
        assert_eq!(figure(&a.body, "data-imported"), "5", "{column}");
        let c = w.case_by_report(&format!("{column}-2")).await;
        assert_eq!(c.occupation, Some(Occupation::SelfEmployed), "{column}");
    }
}

/// `(occupation code, cases, loss)` of each line of the profile's occupation table.
fn occupation_lines(body: &str) -> Vec<(String, i64, String)> {
    let start = body
        .find(r#"id="victim-occupations""#)
        .expect("the occupation table");
    let table = &body[start..start + body[start..].find("</table>").unwrap()];
    table
        .split("<tr data-occupation=\"")
        .skip(1)
        .map(|row| {
            let code = &row[..row.find('"').unwrap()];
            (
                code.to_string(),
                figure(row, "data-cases").parse().unwrap(),
                figure(row, "data-loss").to_string(),
            )
        })
        .collect()
}

async fn the_search_filters_by_occupation_and_the_profile_counts_every_case(db: &Db) {
    let w = World::new(db).await;
    let text = export("职业")
        + "\nO-6,孙八,,2026-03-01 15:00,6000,刷单返利被骗。,公司职员\n\
           O-7,周九,,2026-03-01 16:00,7000,刷单返利被骗。,个体经营者";
    let a = w.upload("110.csv", text.as_bytes()).await;
    assert_eq!(figure(&a.body, "data-imported"), "7", "{}", a.body);

    // The filter: a category by code or Chinese name, or the unknown.
    let found = |body: &str| body.matches("data-case-id=").count();
    let a = w.get("/cases?occupation=company_employee").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(found(&a.body), 2);
    assert!(a
        .body
        .contains(r#"<option value="company_employee" selected>"#));
    let a = w
        .get("/cases?occupation=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86%E6%88%B7")
        .await;
    assert_eq!(found(&a.body), 2, "个体工商户");
    let a = w.get("/cases?occupation=unknown").await;
    assert_eq!(found(&a.body), 1);
    assert!(a.body.contains(r#"<option value="unknown" selected>"#));
    let a = w.get("/cases?occupation=public_sector&min_loss=5000").await;
    assert_eq!(found(&a.body), 0, "AND with the other fields");
    // A value of no category is named and ignored.
    let a = w.get("/cases?occupation=astronaut").await;
    assert_eq!(found(&a.body), 7);
    assert!(a.body.contains(r#"data-problem="case_occupation""#));

    // The export has the column, with the filter applied.
    let csv = w.get("/cases?occupation=self_employed&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
    assert!(
        lines.next().unwrap().ends_with("受害人职业"),
        "{}",
        csv.body
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{}", csv.body);
    assert!(rows.iter().all(|r| r.ends_with("个体工商户")), "{rows:?}");

    // The profile: every category and 未知, adding up to the period's cases.
    let page = w.get("/statistics?period=7d").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let lines = occupation_lines(&page.body);
    assert_eq!(lines.len(), Occupation::ALL.len() + 1);
    assert_eq!(lines.iter().map(|l| l.1).sum::<i64>(), 7);
    let line = |code: &str| lines.iter().find(|l| l.0 == code).unwrap().clone();
    assert_eq!(line("company_employee").1, 2);
    assert_eq!(line("company_employee").2, "¥7,000.00");
    assert_eq!(line("self_employed").1, 2);
    assert_eq!(line("public_sector").1, 1);
    assert_eq!(line("other").1, 1);
    assert_eq!(line("unknown").1, 1);
    assert_eq!(line("student").1, 0);

    // The brief names the two leading occupations and their share together (4 of 7).
    let brief = w.get("/statistics?period=7d&view=brief").await;
    assert_eq!(brief.status, StatusCode::OK);
    assert!(
        brief
            .body
            .contains("职业以企业职工、个体工商户居多（合计占57.1%）"),
        "{}",
        brief.body
    );
    let brief = w
        .send_as(
            "GET",
            "/statistics?period=7d&view=brief",
            "",
            Vec::new(),
            "en",
        )
        .await;
    assert!(
        brief
            .body
            .contains("by occupation, mostly Company employee and Self-employed (57.1% together)"),
        "{}",
        brief.body
    );
}
