//! 联席办 through the router: a county's office adds member departments, records the year's
//! responsibility letter, a meeting with the members present, a spot check below the pass mark,
//! and assigns a task from the meeting; the task is reported, returned, reported again and
//! accepted; the desk shows the unsigned letter, the overdue task and the failing check, the
//! contact masked (in full, audited, on the member's page); CSV; another county sees nothing; a
//! leader reads but does not write; the brief says it.

use crate::support::{multipart, ok, send_as, send_body, unit, urlencoded, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{NewSms, Role, Scope, SmsPurpose, UnitLevel};
use fanzha_web::AppState;
use fanzha_workflow::{JointTaskStep, Notice};
use std::sync::Arc;

fanzha_store::on_both_backends! {
    the_joint_office_keeps_members_letters_meetings_checks_and_tasks,
    a_task_list_is_imported_with_its_bad_rows_quarantined,
    a_member_liaison_reports_the_tasks_of_its_own_department,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_COUNTY: &str = "330282";
const DAY: i64 = 86_400_000;

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db, now: i64) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(now));
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
    send_as(
        state,
        role,
        unit,
        state.clock.now_ms(),
        (method, path, form),
    )
    .await
}

async fn the_joint_office_keeps_members_letters_meetings_checks_and_tasks(db: &Db) {
    let state = world(db, t0()).await;
    let office = Role::CenterAnalyst;
    let add = |name: &str, kind: &str| {
        format!(
            "name={}&kind={kind}&contact_name={}&contact_phone=13900005678&staff=200",
            urlencoded(name),
            urlencoded("李科长")
        )
    };
    let bad = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members",
        &add("县教育局", "school"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    let edu = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members",
        &add("余姚市教育局", "government"),
    )
    .await;
    ok(&edu);
    assert_eq!(edu.location, "/joint-office/members/1");
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members",
        &add("人民银行余姚支行", "finance"),
    )
    .await);
    let again = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members",
        &add("余姚市教育局", "government"),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // This year's letter for the education bureau only; a spot check below 90 % for it.
    let letter = format!(
        "signer={}&duties={}&signed_on=2026-02-20",
        urlencoded("王局长"),
        urlencoded("学校宣防")
    );
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members/1/letters",
        &letter,
    )
    .await);
    assert_eq!(
        send(
            &state,
            office,
            COUNTY,
            "POST",
            "/joint-office/members/1/letters",
            &letter
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let future = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members/1/spot-checks",
        "checked_on=2026-03-20&checked=40&registered=30",
    )
    .await;
    assert_eq!(future.status, StatusCode::BAD_REQUEST, "{}", future.text());
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/members/1/spot-checks",
        "checked_on=2026-03-09&checked=40&registered=30",
    )
    .await);

    // A meeting with both members; a task from it for each.
    let meeting = format!(
        "kind=joint&title={}&held_on=2026-03-05&chair={}&summary={}&attendee=1&attendee=2",
        urlencoded("2026年第一次反诈联席会议"),
        urlencoded("副市长"),
        urlencoded("通报发案形势")
    );
    let g = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/meetings",
        &meeting,
    )
    .await;
    ok(&g);
    assert_eq!(g.location, "/joint-office/meetings/1");
    let task = |member: u32, due: &str| {
        format!(
            "member_id={member}&meeting_id=1&title={}&due_on={due}",
            urlencoded("组织家长安装国家反诈中心APP")
        )
    };
    let past = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks",
        &task(1, "2026-03-01"),
    )
    .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST, "{}", past.text());
    // Each task assigned or returned is announced, so the member department is texted.
    let mut notices = state.loop_service.subscribe();
    let t1 = send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks",
        &task(1, "2026-03-31"),
    )
    .await;
    ok(&t1);
    assert_eq!(t1.location, "/joint-office/tasks/1");
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks",
        &task(2, "2026-03-12"),
    )
    .await);
    let assigned = |task_id| Notice::JointTask {
        task_id,
        unit_code: COUNTY.into(),
        step: JointTaskStep::Assigned,
    };
    assert_eq!(notices.try_recv().ok(), Some(assigned(1)));
    assert_eq!(notices.try_recv().ok(), Some(assigned(2)));
    assert!(notices.try_recv().is_err(), "one notice per task");
    let page = ok(&send(
        &state,
        office,
        COUNTY,
        "GET",
        "/joint-office/meetings/1",
        "",
    )
    .await);
    assert!(
        page.contains("人民银行余姚支行") && page.contains(r#"data-task="2""#),
        "{page}"
    );

    // Reported, returned, reported again, accepted.
    let report = |version: u32| {
        format!(
            "report={}&reporter={}&version={version}",
            urlencoded("已发放告家长书"),
            urlencoded("李科长")
        )
    };
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/report",
        &report(1),
    )
    .await);
    assert_eq!(
        send(
            &state,
            office,
            COUNTY,
            "POST",
            "/joint-office/tasks/1/report",
            &report(1)
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/return",
        &format!(
            "note={}&due_on=2026-04-15&version=2",
            urlencoded("缺注册数")
        ),
    )
    .await);
    assert_eq!(
        notices.try_recv().ok(),
        Some(Notice::JointTask {
            task_id: 1,
            unit_code: COUNTY.into(),
            step: JointTaskStep::Returned,
        })
    );
    assert!(notices.try_recv().is_err(), "a report is not texted");
    // Without an SMS gateway nothing was sent, and the task's page says so; a text the
    // gateway sent is listed with the number masked and where it stands.
    let none = ok(&send(&state, office, COUNTY, "GET", "/joint-office/tasks/1", "").await);
    assert!(none.contains("task-texts-none"), "{none}");
    state
        .store
        .sms()
        .enqueue(
            &NewSms {
                to_number: "13912345678".into(),
                text: "【反诈联席办】贵单位报送的落实情况被退回".into(),
                purpose: SmsPurpose::JointTask,
                instruction_id: None,
                warning_id: None,
                joint_task_id: Some(1),
            },
            t0(),
        )
        .await
        .unwrap();
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/report",
        &report(3),
    )
    .await);
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/accept",
        "note=ok&version=4",
    )
    .await);
    let t = ok(&send(&state, office, COUNTY, "GET", "/joint-office/tasks/1", "").await);
    assert!(
        t.contains(r#"data-state="done""#) && t.contains("缺注册数"),
        "{t}"
    );
    assert!(!t.contains("accept-form"), "a done task takes nothing more");
    assert!(
        t.contains(r#"data-sms-state="queued""#)
            && t.contains("139****5678")
            && !t.contains("13912345678")
            && t.contains("待发送"),
        "{t}"
    );
    assert!(notices.try_recv().is_err(), "acceptance is not texted");

    // Two days later the bank's task is overdue: the desk says where the work is.
    let later = world_at(&state, t0() + 3 * DAY);
    let desk = ok(&send(&later, office, COUNTY, "GET", "/joint-office?days=30", "").await);
    for needle in [
        r#"data-figure="members">2<"#,
        r#"data-figure="signed">1<"#,
        r#"data-figure="meetings">1<"#,
        r#"data-figure="done">1<"#,
        r#"data-figure="overdue">1<"#,
        "data-unsigned",
        "data-failing",
        "data-overdue",
        "139****5678",
        "task-form",
    ] {
        assert!(desk.contains(needle), "{needle} in {desk}");
    }
    assert!(!desk.contains("13900005678"), "masked in the list");
    let csv = ok(&send(
        &later,
        office,
        COUNTY,
        "GET",
        "/joint-office?format=csv",
        "",
    )
    .await);
    assert!(
        csv.contains("余姚市教育局") && csv.contains("30/40 (75%)") && !csv.contains("13900005678"),
        "{csv}"
    );

    // The task list by state, and its export (the 落实情况表).
    let done = ok(&send(
        &later,
        office,
        COUNTY,
        "GET",
        "/joint-office/tasks?state=done",
        "",
    )
    .await);
    assert!(done.contains(r#"data-task="1""#) && !done.contains(r#"data-task="2""#));
    let overdue = ok(&send(
        &later,
        office,
        COUNTY,
        "GET",
        "/joint-office/tasks?state=overdue",
        "",
    )
    .await);
    assert!(overdue.contains(r#"data-task="2""#) && !overdue.contains(r#"data-task="1""#));
    assert_eq!(
        send(
            &later,
            office,
            COUNTY,
            "GET",
            "/joint-office/tasks?state=someday",
            ""
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let table = ok(&send(
        &later,
        office,
        COUNTY,
        "GET",
        "/joint-office/tasks?state=all&format=csv",
        "",
    )
    .await);
    assert!(
        table.contains("已完成") && table.contains("推进中（逾期）"),
        "{table}"
    );

    // The member's page: the contact in full, audited.
    let member = ok(&send(&later, office, COUNTY, "GET", "/joint-office/members/1", "").await);
    assert!(member.contains("13900005678") && member.contains("王局长"));
    let audit = later
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
        .await
        .unwrap();
    assert!(audit
        .items
        .iter()
        .any(|e| e.action == "view_personal_data" && e.target_type == "joint_member"));
    assert!(audit
        .items
        .iter()
        .any(|e| e.action == "joint_task_accepted"));

    // Another county sees nothing; a leader reads without forms and may not write.
    assert_eq!(
        send(
            &later,
            office,
            OTHER_COUNTY,
            "GET",
            "/joint-office/tasks/1",
            ""
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let other = ok(&send(&later, office, OTHER_COUNTY, "GET", "/joint-office", "").await);
    assert!(!other.contains("余姚市教育局"));
    let leader = ok(&send(&later, Role::Leader, COUNTY, "GET", "/joint-office", "").await);
    assert!(leader.contains("余姚市教育局") && !leader.contains("task-form"));
    assert_eq!(
        send(
            &later,
            Role::Leader,
            COUNTY,
            "POST",
            "/joint-office/tasks",
            &task(1, "2026-04-30")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            &later,
            Role::GridWorker,
            TOWNSHIP,
            "GET",
            "/joint-office",
            ""
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The brief.
    let brief = ok(&send(
        &later,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=custom&from=2026-03-01&to=2026-03-31&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains("联席办成员单位2个，1个已签订本年度防范责任书；本期召开联席会议、调度会等1次，部署任务2项，完成1项（按期率100.0%）；抽查成员单位干部职工40人次（1次），国家反诈中心APP注册率75.0%；逾期未完成任务1项。"),
        "{brief}"
    );

    // Leaving: kept, listed on request.
    ok(&send(
        &later,
        office,
        COUNTY,
        "POST",
        "/joint-office/members/2/leave",
        &format!("reason={}&version=1", urlencoded("机构调整")),
    )
    .await);
    let desk = ok(&send(&later, office, COUNTY, "GET", "/joint-office", "").await);
    assert!(!desk.contains("人民银行余姚支行</b>"));
    let with_left = ok(&send(&later, office, COUNTY, "GET", "/joint-office?left=1", "").await);
    assert!(with_left.contains("data-left"));
}

/// The same state read at another instant.
fn world_at(state: &AppState, now: i64) -> AppState {
    let mut s = state.clone();
    s.clock = Arc::new(FixedClock(now));
    s
}

async fn a_task_list_is_imported_with_its_bad_rows_quarantined(db: &Db) {
    let state = world(db, t0()).await;
    let office = Role::CenterAnalyst;
    for name in ["余姚市教育局", "人民银行余姚支行"] {
        let form = format!(
            "name={}&kind=government&contact_name=x&contact_phone=13900005678&staff=50",
            urlencoded(name)
        );
        ok(&send(
            &state,
            office,
            COUNTY,
            "POST",
            "/joint-office/members",
            &form,
        )
        .await);
    }
    // A member of another county's office is not one of this office's.
    ok(&send(
        &state,
        office,
        OTHER_COUNTY,
        "POST",
        "/joint-office/members",
        &format!(
            "name={}&kind=government&contact_name=x&contact_phone=13900005678&staff=50",
            urlencoded("慈溪市教育局")
        ),
    )
    .await);
    let list = "序号,责任单位,工作任务,完成时限,具体要求\n\
                1,余姚市教育局,组织家长安装国家反诈中心APP,2026-03-31,注册率95%以上\n\
                2,人民银行余姚支行,排查涉诈账户,2026年4月15日,\n\
                3,慈溪市教育局,开展培训,2026-03-31,\n\
                4,余姚市教育局,开展培训,2026-03-01,\n\
                5,余姚市教育局,开展反诈进校园,2028-03-01,\n\
                6,余姚市教育局,组织家长安装国家反诈中心APP,2026-04-30,\n\
                7,余姚市卫健局,开展培训,下月底,\n";
    let (ct, body) = multipart(&[("meeting_id", "")], ("任务清单.csv", list.as_bytes()));
    let mut notices = state.loop_service.subscribe();
    let page = ok(&send_body(
        &state,
        office,
        COUNTY,
        t0(),
        ("POST", "/joint-office/tasks/import"),
        (ct, body),
    )
    .await);
    for needle in [
        "data-read>7<",
        "data-applied>2<",
        "data-rejected>5<",
        r#"data-reason="unknown_member""#,
        r#"data-reason="due_passed""#,
        r#"data-reason="due_too_far""#,
        r#"data-reason="duplicate_in_file""#,
        r#"data-line="8""#,
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    // Each task assigned is announced (its department is texted); the rejected rows are not.
    let mut announced = Vec::new();
    while let Ok(n) = notices.try_recv() {
        announced.push(n);
    }
    assert_eq!(announced.len(), 2, "{announced:?}");
    assert!(announced.iter().all(|n| matches!(
        n,
        Notice::JointTask {
            step: JointTaskStep::Assigned,
            ..
        }
    )));
    let tasks = state
        .store
        .joint_tasks()
        .list(&Scope::platform(), fanzha_store::TaskFilter::default())
        .await
        .unwrap();
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["组织家长安装国家反诈中心APP", "排查涉诈账户"]);
    assert_eq!(tasks[0].detail, "注册率95%以上");
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|e| e.action == "joint_task_assigned")
            .count(),
        2
    );
    // A leader may not import.
    let (ct, body) = multipart(&[], ("任务清单.csv", list.as_bytes()));
    assert_eq!(
        send_body(
            &state,
            Role::Leader,
            COUNTY,
            t0(),
            ("POST", "/joint-office/tasks/import"),
            (ct, body),
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

async fn a_member_liaison_reports_the_tasks_of_its_own_department(db: &Db) {
    let state = world(db, t0()).await;
    let office = Role::CenterAnalyst;
    for name in ["余姚市教育局", "人民银行余姚支行"] {
        ok(&send(
            &state,
            office,
            COUNTY,
            "POST",
            "/joint-office/members",
            &format!(
                "name={}&kind=government&contact_name=x&contact_phone=13900005678&staff=20",
                urlencoded(name)
            ),
        )
        .await);
    }
    let tasks = state.store.joint_tasks();
    for (member, title) in [(1, "组织全局干部职工反诈培训"), (2, "排查涉诈开户")]
    {
        tasks
            .assign(
                &Scope::platform(),
                &fanzha_store::NewTask {
                    member_id: member,
                    meeting_id: None,
                    title: title.into(),
                    detail: String::new(),
                    due_at: t0() + 20 * DAY,
                    by: "setup".into(),
                },
                t0(),
            )
            .await
            .unwrap();
    }

    // An account reports for an active member of its own unit's office, named.
    let user = |unit: &str, member: Option<i64>| fanzha_store::NewUser {
        login: "edu_liaison".into(),
        display_name: "教育局 王老师".into(),
        unit_code: unit.into(),
        roles: vec![Role::JointMember],
        joint_member: member,
        bank_code: None,
        operator: None,
        password_hash: None,
    };
    let users = state.store.users();
    for bad in [
        user(COUNTY, None),
        user(OTHER_COUNTY, Some(1)),
        user(COUNTY, Some(9)),
    ] {
        let e = users.upsert(&bad).await.unwrap_err();
        assert!(
            matches!(
                e,
                fanzha_store::StoreError::Invalid {
                    field: "joint member",
                    ..
                }
            ),
            "{e}"
        );
    }
    users.upsert(&user(COUNTY, Some(1))).await.unwrap();
    let stored = users.get(&Scope::platform(), "edu_liaison").await.unwrap();
    assert_eq!(stored.joint_member, Some(1));
    let admin = send(&state, Role::Admin, COUNTY, "GET", "/admin", "").await;
    assert!(admin.text().contains("成员单位编号 1"), "{}", admin.text());

    // The liaison lands on its department's tasks: its own, not another member's, and none of
    // the office's pages.
    let liaison = Role::JointMember;
    let home = send(&state, liaison, COUNTY, "GET", "/", "").await;
    assert_eq!(home.location, "/joint-office/mine", "{}", home.status);
    let desk = send(&state, liaison, COUNTY, "GET", "/joint-office/mine", "").await;
    ok(&desk);
    let page = desk.text();
    assert!(page.contains("余姚市教育局") && page.contains("组织全局干部职工反诈培训"));
    assert!(
        !page.contains("排查涉诈开户"),
        "another member's task shown"
    );
    assert!(
        page.contains("data-letter><b class=\"late\">"),
        "no letter signed this year"
    );
    for path in [
        "/joint-office",
        "/joint-office/tasks/1",
        "/joint-office/members/1",
    ] {
        let r = send(&state, liaison, COUNTY, "GET", path, "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // The liaison's report of task `id` read at `version`.
    let report = |id: i64, version: i64| {
        let state = &state;
        async move {
            let form = format!("report={}&version={version}", urlencoded("已组织培训3场"));
            let path = format!("/joint-office/mine/tasks/{id}/report");
            send(state, liaison, COUNTY, "POST", &path, &form).await
        }
    };
    let foreign = report(2, 1).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    ok(&report(1, 1).await);
    let t = tasks.get(&Scope::platform(), 1).await.unwrap();
    assert_eq!(t.state, fanzha_store::TaskState::Reported);
    assert_eq!(t.report.as_deref(), Some("已组织培训3场"));
    assert_eq!(t.reported_by.as_deref(), Some("joint_member_330281"));
    assert_eq!(t.reporter.as_deref(), Some("测试"));
    let twice = report(1, 2).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // The office returns it: the desk says what is missing and takes a new report.
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/return",
        &format!(
            "note={}&due_on=2026-04-15&version=2",
            urlencoded("缺签到表")
        ),
    )
    .await);
    let page = send(&state, liaison, COUNTY, "GET", "/joint-office/mine", "")
        .await
        .text();
    assert!(page.contains("data-returned>缺签到表"), "{page}");
    assert!(page.contains("/joint-office/mine/tasks/1/report"));

    // The office presses the department (督办): an entry of the task's history, announced so
    // the department is texted, and on the department's desk; a task not open takes none.
    let mut notices = state.loop_service.subscribe();
    let press = |version: i64| {
        let state = &state;
        async move {
            let form = format!(
                "note={}&version={version}",
                urlencoded("请于周五前报送签到表")
            );
            send(
                state,
                office,
                COUNTY,
                "POST",
                "/joint-office/tasks/1/press",
                &form,
            )
            .await
        }
    };
    assert_eq!(
        send(
            &state,
            office,
            COUNTY,
            "POST",
            "/joint-office/tasks/1/press",
            "note=&version=3"
        )
        .await
        .status,
        StatusCode::BAD_REQUEST,
        "a 督办 says what it asks"
    );
    ok(&press(3).await);
    assert_eq!(
        notices.try_recv().ok(),
        Some(Notice::JointTask {
            task_id: 1,
            unit_code: COUNTY.into(),
            step: JointTaskStep::Pressed,
        })
    );
    let page = send(&state, liaison, COUNTY, "GET", "/joint-office/mine", "")
        .await
        .text();
    assert!(page.contains("data-pressed>请于周五前报送签到表"), "{page}");
    let history = ok(&send(&state, office, COUNTY, "GET", "/joint-office/tasks/1", "").await);
    assert!(
        history.contains("督办") && history.contains("press-form"),
        "{history}"
    );
    ok(&report(1, 4).await);
    assert_eq!(
        press(5).await.status,
        StatusCode::CONFLICT,
        "a reported task waits for the office"
    );
    ok(&send(
        &state,
        office,
        COUNTY,
        "POST",
        "/joint-office/tasks/1/accept",
        "note=&version=5",
    )
    .await);
    let page = send(&state, liaison, COUNTY, "GET", "/joint-office/mine", "")
        .await
        .text();
    assert!(
        page.contains("id=\"done-tasks\"") && page.contains("data-pending>0"),
        "{page}"
    );
}
