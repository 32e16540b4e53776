//! 国家反诈中心APP推广, on SQLite and PostgreSQL: the county opens a drive for two departments
//! with a quota per person; staff enrol through the public link without a login (refused
//! without a department; the same number and name get their page back) and hand their personal
//! link to relatives, who register through it (refused without the box ticked, for the
//! promoter's own number; a number counted once); the registry verifies a referral; the drive's
//! page counts each department against its staff × the quota, names and numbers masked, a
//! promoter in full only on their audited page; exports and posters; the grid worker's phone
//! hands the link out; the drive is edited and ended, after which the links refuse; another
//! county never sees it; a bank's liaison has no drive pages.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{NewPerson, Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_anonymous, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_county_gets_residents_onto_the_app_through_its_staff,
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
    // A resident the registry has on the app, one it has not.
    let resident = |n: u32, registered: bool| NewPerson {
        resident_id: format!("33028119800101{n:04}"),
        name: format!("居民{n}"),
        phone: Some(format!("1370000000{n}")),
        residence_code: VILLAGE.into(),
        address: None,
        employer: None,
        public_sector: false,
        app_registered: registered,
        joint_defense_registered: false,
    };
    store
        .people()
        .upsert(&[resident(1, true), resident(2, false)])
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

/// Enrols a promoter on the public page; their own page's address.
async fn enrol(state: &AppState, code: &str, employer: &str, name: &str, phone: &str) -> String {
    let r = send_anonymous(
        state,
        (
            "POST",
            &format!("/t/{code}"),
            &format!(
                "employer={}&name={}&phone={phone}",
                urlencoded(employer),
                urlencoded(name)
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location.starts_with("/tm/"), "{}", r.location);
    r.location
}

/// A resident registering through personal code `code`.
async fn register(state: &AppState, code: &str, form: &str) -> Answer {
    send_anonymous(state, ("POST", &format!("/r/{code}"), form)).await
}

async fn a_county_gets_residents_onto_the_app_through_its_staff(db: &Db) {
    let state = world(db).await;
    let c = Role::UnitCommander;

    // Opening: refused without a title or with a bad quota; then opened with two departments.
    let open = |title: &str, quota: &str| {
        format!(
            "title={}&opens=2026-03-10&closes=2026-03-31&quota={quota}&employers={}",
            urlencoded(title),
            urlencoded("余姚市财政局,2\n余姚市教育局,1")
        )
    };
    for (form, field) in [(open("", "2"), "title"), (open("推广", "0"), "quota")] {
        let r = send(&state, c, COUNTY, "POST", "/app-drives", &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.text());
        assert!(r.text().contains(field), "{field}: {}", r.text());
    }
    let r = send(
        &state,
        c,
        COUNTY,
        "POST",
        "/app-drives",
        &open("干部职工发动亲友注册国家反诈中心APP", "2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page_path = r.location.clone();
    let id: i64 = page_path
        .trim_start_matches("/app-drives/")
        .parse()
        .unwrap();
    let drive = state
        .store
        .app_drives()
        .get(&fanzha_store::Scope::platform(), id)
        .await
        .unwrap();
    let code = drive.code.clone();
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    assert!(
        page.contains(&format!("http://127.0.0.1:8080/t/{code}")),
        "{page}"
    );
    assert!(page.contains("<svg"), "the QR code");
    assert!(page.contains(r#"data-stat="ad-promoters">0/3<"#), "{page}");

    // Enrolling, without a login: the departments to choose; refused without one.
    let landing = send_anonymous(&state, ("GET", &format!("/t/{code}"), "")).await;
    assert_eq!(landing.status, StatusCode::OK);
    let landing = landing.text();
    for needle in [
        "干部职工发动亲友注册国家反诈中心APP",
        "余姚市教育局",
        r#"name="name""#,
    ] {
        assert!(landing.contains(needle), "{needle} in {landing}");
    }
    let r = send_anonymous(
        &state,
        (
            "POST",
            &format!("/t/{code}"),
            &format!("name={}&phone=13900000001", urlencoded("张三")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请选择所在单位"), "{}", r.text());
    let zhang = enrol(&state, &code, "余姚市财政局", "张三", "13900000001").await;
    // A lost link: the same number and name give the same page; another name is refused.
    assert_eq!(
        enrol(&state, &code, "余姚市财政局", "张三", "13900000001").await,
        zhang
    );
    let r = send_anonymous(
        &state,
        (
            "POST",
            &format!("/t/{code}"),
            &format!(
                "employer={}&name={}&phone=13900000001",
                urlencoded("余姚市财政局"),
                urlencoded("李四")
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("其他姓名"), "{}", r.text());
    let li = enrol(&state, &code, "余姚市财政局", "李四", "13900000002").await;

    // 张三's own page: the personal link and QR code, nothing brought yet.
    let mine = send_anonymous(&state, ("GET", &zhang, "")).await.text();
    assert!(mine.contains(r#"data-referrals="0""#), "{mine}");
    let promoter = state
        .store
        .app_drives()
        .promoter_by_token(zhang.trim_start_matches("/tm/"))
        .await
        .unwrap();
    let invite = format!("/r/{}", promoter.code);
    assert!(
        mine.contains(&format!("http://127.0.0.1:8080{invite}")),
        "{mine}"
    );
    assert!(mine.contains("<svg"));
    let counter = send_anonymous(&state, ("GET", &format!("{zhang}/poster"), ""))
        .await
        .text();
    assert!(
        counter.contains(&invite) && counter.contains("<svg"),
        "{counter}"
    );

    // Residents register through 张三's link: the steps, the areas; refused without the box,
    // for the promoter's own number; a number counts once.
    let steps = send_anonymous(&state, ("GET", &invite, "")).await.text();
    for needle in ["国家反诈中心", "舜水社区", r#"name="installed""#, "张*"] {
        assert!(steps.contains(needle), "{needle} in {steps}");
    }
    assert!(!steps.contains("张三"), "the promoter's name in full");
    let code_of = promoter.code.clone();
    let r = register(
        &state,
        &code_of,
        &format!("unit_code={VILLAGE}&phone=13700000001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("勾选确认"), "{}", r.text());
    let r = register(
        &state,
        &code_of,
        &format!("unit_code={VILLAGE}&phone=13900000001&installed=1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("本人的号码不计入"), "{}", r.text());
    for phone in ["13700000001", "13700000002"] {
        let r = register(
            &state,
            &code_of,
            &format!("unit_code={VILLAGE}&phone={phone}&installed=1"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.text().contains(r#"data-outcome="ad_done""#),
            "{}",
            r.text()
        );
    }
    let r = register(
        &state,
        &code_of,
        &format!("unit_code={TOWNSHIP}&phone=13700000002&installed=1"),
    )
    .await;
    assert!(
        r.text().contains(r#"data-outcome="ad_done_before""#),
        "{}",
        r.text()
    );
    let mine = send_anonymous(&state, ("GET", &zhang, "")).await.text();
    assert!(
        mine.contains(r#"data-referrals="2""#) && mine.contains(r#"data-verified="1""#),
        "{mine}"
    );
    assert!(mine.contains("已完成任务"), "the quota of 2 met: {mine}");
    // A token nobody was given is not found.
    let none = send_anonymous(&state, ("GET", "/tm/0123456789abcdef0123456789abcdef", "")).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    // The drive's page: each department against its staff × quota, masked, the least first.
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    for needle in [
        r#"data-stat="ad-promoters">2/3<"#,
        r#"data-stat="ad-referrals">2<"#,
        r#"data-stat="ad-verified">1<"#,
        r#"data-stat="ad-at-quota">1/3<"#,
        r#"data-stat="ad-progress">33.3%<"#,
        r#"data-stat="ad-employers-done">0/2<"#,
        "张*",
        "139****0001",
        r#"<td>阳明街道</td><td class="num">2</td><td class="num">1</td>"#,
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    for full in ["张三", "13900000001", "13700000001"] {
        assert!(!page.contains(full), "{full} in full on the page");
    }
    let education = page.find(r#"data-employer="余姚市教育局""#).unwrap();
    let finance = page.find(r#"data-employer="余姚市财政局""#).unwrap();
    assert!(education < finance, "the least progress first");
    let csv = ok(&send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("{page_path}?format=csv&section=employers"),
        "",
    )
    .await);
    assert!(csv.contains("余姚市财政局,2,2,2,1,1,50.0%"), "{csv}");
    let csv = ok(&send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("{page_path}?format=csv&section=promoters"),
        "",
    )
    .await);
    assert!(csv.contains("张*") && !csv.contains("张三"), "{csv}");
    let xlsx = send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("{page_path}?format=xlsx"),
        "",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
    let poster = ok(&send(&state, c, COUNTY, "GET", &format!("{page_path}/poster"), "").await);
    assert!(poster.contains("<svg") && poster.contains(&format!("/t/{code}")));

    // A promoter in full, on their own audited page.
    let full = ok(&send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("/app-drives/promoters/{}", promoter.id),
        "",
    )
    .await);
    assert!(
        full.contains("张三") && full.contains("13900000001"),
        "{full}"
    );
    assert!(full.contains(&invite), "the personal link to give back");
    let audit = ok(&send(&state, Role::Leader, "3302", "GET", "/audit", "").await);
    for label in ["发起APP推广活动", "查看推广人信息"] {
        assert!(audit.contains(label), "{label} in the audit log");
    }
    // A leader reads the drive but not a promoter in full.
    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        &format!("/app-drives/promoters/{}", promoter.id),
        "",
    )
    .await;
    assert_eq!(leader.status, StatusCode::FORBIDDEN);
    let list = ok(&send(&state, Role::Leader, COUNTY, "GET", "/app-drives", "").await);
    assert!(
        list.contains("干部职工发动亲友注册国家反诈中心APP"),
        "{list}"
    );

    // The village's grid worker hands the enrolment link out from the phone; the other
    // county's sees none.
    let grid = ok(&send(&state, Role::GridWorker, VILLAGE, "GET", "/m/quizzes", "").await);
    assert!(
        grid.contains(&format!(
            r#"data-drive-link="http://127.0.0.1:8080/t/{code}""#
        )),
        "{grid}"
    );
    let other = ok(&send(&state, c, OTHER_COUNTY, "GET", "/m/quizzes", "").await);
    assert!(!other.contains("data-drive-link"), "{other}");

    // The county's 待办: both departments short of the quota (nothing pressing yet: it closes
    // in three weeks).
    let todo = ok(&send(&state, c, COUNTY, "GET", "/todo", "").await);
    assert!(
        todo.contains(r#"data-todo="todo_app_drives"><span class="n" data-open>2<"#),
        "{todo}"
    );

    // The month's statistics and brief count them.
    let stats = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await);
    assert!(stats.contains(r#"data-stat="ad-referrals">2<"#), "{stats}");
    let brief = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains(
            "干部职工发动亲友注册国家反诈中心APP，推广人2名，登记安装2人，经核验已注册1人。"
        ),
        "{brief}"
    );
    let other_stats = ok(&send(
        &state,
        Role::Leader,
        OTHER_COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await);
    assert!(other_stats.contains(r#"data-stat="ad-referrals">0<"#));

    // Another county, a bank's liaison.
    let foreign = send(&state, c, OTHER_COUNTY, "GET", &page_path, "").await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let bank = send(&state, Role::BankLiaison, COUNTY, "GET", "/app-drives", "").await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);

    // Edited from the version read; a stale form is a conflict; ended, the links refuse.
    let edit = |version: i64| {
        format!(
            "title={}&closes=2026-04-15&quota=30&employers={}&version={version}",
            urlencoded("全员推广国家反诈中心APP"),
            urlencoded("余姚市财政局,2\n余姚市教育局,1\n余姚市卫健局,3")
        )
    };
    let r = send(&state, c, COUNTY, "POST", &page_path, &edit(drive.version)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = send(&state, c, COUNTY, "POST", &page_path, &edit(drive.version)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    assert!(page.contains(r#"data-stat="ad-at-quota">0/6<"#), "{page}");
    let r = send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{page_path}/close"),
        &format!("version={}", drive.version + 1),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = register(
        &state,
        &code_of,
        &format!("unit_code={VILLAGE}&phone=13700000009&installed=1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("活动已结束"), "{}", r.text());
    let closed = send_anonymous(&state, ("GET", &format!("/t/{code}"), ""))
        .await
        .text();
    assert!(closed.contains(r#"id="drive-closed""#), "{closed}");
    let _ = li;
}
