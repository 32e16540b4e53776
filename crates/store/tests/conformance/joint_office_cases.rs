//! 联席办: member departments added, changed and left from the version read, their yearly
//! responsibility letters (one per year), meetings with the members present, spot checks of
//! staff on the app, and the task list — assigned, reported, returned with a new deadline,
//! accepted on time or late — each change audited and versioned, read only inside the area.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn member(unit: &str, name: &str) -> NewJointMember {
    NewJointMember {
        unit_code: unit.into(),
        name: name.into(),
        kind: JointMemberKind::Government,
        contact_name: "李科长".into(),
        contact_phone: "+86 139 0000 2222".into(),
        staff: 120,
        note: String::new(),
        by: "office".into(),
    }
}

pub async fn members_sign_meet_are_checked_and_carry_out_their_tasks(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let office = store.joint_office();
    let tasks = store.joint_tasks();

    // Members: a mobile contact, staff within bounds, a unit of the area, a name once.
    let bad_phone = NewJointMember {
        contact_phone: "电话待定".into(),
        ..member("330281", "余姚市教育局")
    };
    assert!(matches!(
        office.add_member(&yuyao, &bad_phone, T0).await,
        Err(StoreError::Invalid {
            field: "contact_phone",
            ..
        })
    ));
    assert!(matches!(
        office
            .add_member(&cixi, &member("330281", "余姚市教育局"), T0)
            .await,
        Err(StoreError::NotFound { what: "unit", .. })
    ));
    let edu = office
        .add_member(&yuyao, &member("330281", "余姚市教育局"), T0)
        .await
        .unwrap();
    assert!(matches!(
        office
            .add_member(&yuyao, &member("330281", "余姚市教育局"), T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let bank = office
        .add_member(
            &yuyao,
            &NewJointMember {
                kind: JointMemberKind::Finance,
                ..member("330281", "人民银行余姚支行")
            },
            T0,
        )
        .await
        .unwrap();
    let cixi_edu = office
        .add_member(&cixi, &member("330282", "慈溪市教育局"), T0)
        .await
        .unwrap();
    assert_eq!(audits(store, "joint_member_added").await, 3);
    let names: Vec<String> = office
        .members(&yuyao, false)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["人民银行余姚支行", "余姚市教育局"]);
    assert_eq!(office.members(&city, false).await.unwrap().len(), 3);
    assert!(matches!(
        office.member(&cixi, edu).await,
        Err(StoreError::NotFound { .. })
    ));

    // A change from the version read; a stale one is refused.
    let m = office.member(&yuyao, edu).await.unwrap();
    assert_eq!(m.contact_phone, "13900002222");
    let update = JointMemberUpdate {
        contact_name: "张科长".into(),
        contact_phone: "13900003333".into(),
        staff: 150,
        note: "新任联络员".into(),
        version: m.version,
        by: "office".into(),
    };
    let changed = office
        .update_member(&yuyao, edu, &update, T0 + 1)
        .await
        .unwrap();
    assert_eq!((changed.staff, changed.version), (150, 2));
    assert!(matches!(
        office.update_member(&yuyao, edu, &update, T0 + 2).await,
        Err(StoreError::Conflict { .. })
    ));

    // Letters: one per member and year, signed in the past, by someone.
    let letter = |year, signer: &str| NewLetter {
        year,
        signed_at: T0 - DAY,
        signer: signer.into(),
        duties: "负责全县中小学反诈宣传".into(),
        by: "office".into(),
    };
    assert!(matches!(
        office
            .sign_letter(&yuyao, edu, &letter(2027, " "), T0)
            .await,
        Err(StoreError::Invalid {
            field: "signer",
            ..
        })
    ));
    office
        .sign_letter(&yuyao, edu, &letter(2027, "王局长"), T0)
        .await
        .unwrap();
    assert!(matches!(
        office
            .sign_letter(&yuyao, edu, &letter(2027, "王局长"), T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    office
        .sign_letter(&yuyao, edu, &letter(2026, "王局长"), T0)
        .await
        .unwrap();
    assert_eq!(
        office
            .letters(&office.member(&yuyao, edu).await.unwrap())
            .await
            .unwrap()
            .iter()
            .map(|l| l.year)
            .collect::<Vec<_>>(),
        [2027, 2026]
    );
    let of_2027 = office.letters_of_year(&city, 2027).await.unwrap();
    assert!(of_2027.contains_key(&edu) && !of_2027.contains_key(&bank));
    assert!(office
        .letters_of_year(&cixi, 2027)
        .await
        .unwrap()
        .is_empty());

    // Meetings: the members present belong to the meeting's joint office.
    let meeting = |unit: &str, attendees: Vec<i64>| NewMeeting {
        unit_code: unit.into(),
        kind: MeetingKind::Joint,
        title: "2027年第一次反诈联席会议".into(),
        held_at: T0 - 2 * DAY,
        chair: "副县长".into(),
        summary: "通报发案形势，部署宣防工作".into(),
        attendees,
        by: "office".into(),
    };
    assert!(matches!(
        office
            .record_meeting(&city, &meeting("330281", vec![edu, cixi_edu]), T0)
            .await,
        Err(StoreError::Invalid {
            field: "attendees",
            ..
        })
    ));
    let g = office
        .record_meeting(&yuyao, &meeting("330281", vec![bank, edu, edu]), T0)
        .await
        .unwrap();
    let read = office.meeting(&yuyao, g).await.unwrap();
    let mut present = vec![edu, bank];
    present.sort_unstable();
    assert_eq!(read.attendees, present);
    assert_eq!(
        office
            .meetings(&city, T0 - 7 * DAY, T0)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(office
        .meetings(&city, T0 - DAY, T0)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        office.meeting(&cixi, g).await,
        Err(StoreError::NotFound { .. })
    ));

    // Spot checks: registered within checked; the latest per member; below 90 % fails.
    let check = |at, checked, registered| NewSpotCheck {
        checked_at: at,
        checked,
        registered,
        note: String::new(),
        by: "office".into(),
    };
    assert!(matches!(
        office
            .record_spot_check(&yuyao, edu, &check(T0, 10, 11), T0)
            .await,
        Err(StoreError::Invalid {
            field: "registered",
            ..
        })
    ));
    office
        .record_spot_check(&yuyao, edu, &check(T0 - 3 * DAY, 20, 20), T0)
        .await
        .unwrap();
    office
        .record_spot_check(&yuyao, edu, &check(T0 - DAY, 40, 30), T0)
        .await
        .unwrap();
    let latest = office.latest_spot_checks(&yuyao).await.unwrap();
    let l = &latest[&edu];
    assert_eq!((l.checked, l.registered, l.percent()), (40, 30, 75));
    assert!(l.failing());
    assert_eq!(
        office
            .spot_checks(&yuyao, Some(edu), (T0 - 7 * DAY, T0))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(office.latest_spot_checks(&cixi).await.unwrap().is_empty());

    // Tasks: assigned with a future deadline from a meeting of the member's office.
    let new_task = |member_id, meeting_id, due_at| NewTask {
        member_id,
        meeting_id,
        title: "组织全县中小学家长安装国家反诈中心APP".into(),
        detail: String::new(),
        due_at,
        by: "office".into(),
    };
    assert!(matches!(
        tasks.assign(&yuyao, &new_task(edu, None, T0), T0).await,
        Err(StoreError::Invalid {
            field: "due_at",
            ..
        })
    ));
    assert!(matches!(
        tasks
            .assign(&city, &new_task(cixi_edu, Some(g), T0 + DAY), T0)
            .await,
        Err(StoreError::Invalid {
            field: "meeting_id",
            ..
        })
    ));
    let t1 = tasks
        .assign(&yuyao, &new_task(edu, Some(g), T0 + 10 * DAY), T0)
        .await
        .unwrap();
    let t2 = tasks
        .assign(&yuyao, &new_task(bank, None, T0 + DAY), T0)
        .await
        .unwrap();
    assert!(matches!(
        tasks.get(&cixi, t1).await,
        Err(StoreError::NotFound { .. })
    ));

    // Accepting before a report is refused; a report is recorded once.
    assert!(matches!(
        tasks.accept(&yuyao, t1, "", (1, "office", T0 + 1)).await,
        Err(StoreError::Conflict { .. })
    ));
    let reported = tasks
        .report(
            &yuyao,
            t1,
            ("已发放告家长书3万份", "教育局李科长"),
            (1, "office", T0 + DAY),
        )
        .await
        .unwrap();
    assert_eq!((reported.state, reported.version), (TaskState::Reported, 2));
    assert!(matches!(
        tasks
            .report(&yuyao, t1, ("再报", "x"), (2, "office", T0 + DAY))
            .await,
        Err(StoreError::Conflict { .. })
    ));

    // Returned: open again with a new deadline, the report cleared, counted.
    assert!(matches!(
        tasks
            .send_back(&yuyao, t1, ("", T0 + 20 * DAY), (2, "office", T0 + 2 * DAY))
            .await,
        Err(StoreError::Invalid { field: "note", .. })
    ));
    let back = tasks
        .send_back(
            &yuyao,
            t1,
            ("缺少安装注册数", T0 + 20 * DAY),
            (2, "office", T0 + 2 * DAY),
        )
        .await
        .unwrap();
    assert_eq!(
        (back.state, back.returns, back.due_at, back.report.clone()),
        (TaskState::Open, 1, T0 + 20 * DAY, None)
    );
    // A stale version is refused.
    assert!(matches!(
        tasks
            .report(&yuyao, t1, ("x", "y"), (2, "office", T0 + 3 * DAY))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    tasks
        .report(
            &yuyao,
            t1,
            ("家长注册率92%", "教育局李科长"),
            (3, "office", T0 + 5 * DAY),
        )
        .await
        .unwrap();
    let done = tasks
        .accept(&yuyao, t1, "验收通过", (4, "office", T0 + 6 * DAY))
        .await
        .unwrap();
    assert_eq!((done.state, done.on_time), (TaskState::Done, Some(true)));
    let kinds: Vec<TaskEventKind> = tasks
        .events(&done)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            TaskEventKind::Assigned,
            TaskEventKind::Reported,
            TaskEventKind::Returned,
            TaskEventKind::Reported,
            TaskEventKind::Accepted,
        ]
    );

    // The bank's task: overdue, then reported late and accepted late.
    let f = tasks
        .figures(&yuyao, (T0 - DAY, T0 + 30 * DAY), T0 + 3 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (f.assigned, f.done, f.done_on_time, f.pending, f.overdue),
        (2, 1, 1, 1, 1)
    );
    tasks
        .report(&yuyao, t2, ("已完成", "行长"), (1, "office", T0 + 3 * DAY))
        .await
        .unwrap();
    let late = tasks
        .accept(&yuyao, t2, "", (2, "office", T0 + 4 * DAY))
        .await
        .unwrap();
    assert_eq!(late.on_time, Some(false));
    let by_member = tasks.by_member(&yuyao, T0 + 4 * DAY).await.unwrap();
    assert_eq!((by_member[&edu].done, by_member[&edu].done_on_time), (1, 1));
    assert_eq!(
        (by_member[&bank].done, by_member[&bank].done_on_time),
        (1, 0)
    );
    let pending = tasks
        .list(
            &yuyao,
            TaskFilter {
                pending: true,
                ..TaskFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(pending.is_empty());
    let of_meeting = tasks
        .list(
            &yuyao,
            TaskFilter {
                meeting: Some(g),
                ..TaskFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(of_meeting.iter().map(|t| t.id).collect::<Vec<_>>(), [t1]);
    assert!(tasks
        .list(&cixi, TaskFilter::default())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(audits(store, "joint_task_reported").await, 3);
    assert_eq!(audits(store, "joint_task_returned").await, 1);
    assert_eq!(audits(store, "joint_task_accepted").await, 2);

    // Leaving: kept with its tasks; no new task, letter or check; a second leave refused.
    let m = office.member(&yuyao, bank).await.unwrap();
    office
        .leave(
            &yuyao,
            bank,
            "机构撤并",
            (m.version, "office", T0 + 5 * DAY),
        )
        .await
        .unwrap();
    assert!(matches!(
        office
            .leave(
                &yuyao,
                bank,
                "again",
                (m.version + 1, "office", T0 + 5 * DAY)
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        tasks
            .assign(&yuyao, &new_task(bank, None, T0 + 9 * DAY), T0 + 5 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(office.members(&yuyao, false).await.unwrap().len(), 1);
    assert_eq!(office.members(&yuyao, true).await.unwrap().len(), 2);
    assert_eq!(audits(store, "joint_member_left").await, 1);
}

/// The deadline watch finds open tasks past their deadline, each claimed once per deadline; a
/// reported or done task is not reminded, and a return's new deadline can be reminded again.
pub async fn open_tasks_past_their_deadline_are_reminded_once_per_deadline(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let office = store.joint_office();
    let tasks = store.joint_tasks();
    let edu = office
        .add_member(&yuyao, &member("330281", "余姚市教育局"), T0)
        .await
        .unwrap();
    let other = office
        .add_member(&cixi, &member("330282", "慈溪市教育局"), T0)
        .await
        .unwrap();
    let task = |member_id, title: &str, due_at| NewTask {
        member_id,
        meeting_id: None,
        title: title.into(),
        detail: String::new(),
        due_at,
        by: "office".into(),
    };
    let late = tasks
        .assign(&yuyao, &task(edu, "组织培训", T0 + DAY), T0)
        .await
        .unwrap();
    let later = tasks
        .assign(&cixi, &task(other, "开展宣传", T0 + 2 * DAY), T0)
        .await
        .unwrap();
    let reported = tasks
        .assign(&yuyao, &task(edu, "排查名单", T0 + DAY), T0)
        .await
        .unwrap();
    tasks
        .report(&yuyao, reported, ("已排查", "王"), (1, "office", T0 + 1))
        .await
        .unwrap();
    let ahead = tasks
        .assign(&yuyao, &task(edu, "走访企业", T0 + 30 * DAY), T0)
        .await
        .unwrap();

    let ids = |v: Vec<Task>| v.iter().map(|t| t.id).collect::<Vec<_>>();
    // Nothing is due before the deadlines pass.
    assert!(tasks.to_remind(T0 + DAY, 10).await.unwrap().is_empty());
    let now = T0 + 3 * DAY;
    let due = tasks.to_remind(now, 10).await.unwrap();
    assert_eq!(
        ids(due.clone()),
        vec![late, later],
        "open only, earliest deadline first"
    );
    assert!(!ids(due.clone()).contains(&ahead) && !ids(due.clone()).contains(&reported));
    assert_eq!(
        ids(tasks.to_remind(now, 1).await.unwrap()),
        vec![late],
        "limit"
    );
    assert!(tasks.claim_reminder(&due[0]).await.unwrap());
    assert!(
        !tasks.claim_reminder(&due[0]).await.unwrap(),
        "a second claim of the same deadline loses"
    );
    assert_eq!(ids(tasks.to_remind(now, 10).await.unwrap()), vec![later]);
    let before = tasks.get(&yuyao, late).await.unwrap();
    assert_eq!(before.version, 1, "a reminder is not a step of the task");

    // Reported late, returned with a new deadline, overdue again: reminded again.
    let r = tasks
        .report(&yuyao, late, ("已培训", "王"), (1, "office", now))
        .await
        .unwrap();
    assert!(
        !tasks.claim_reminder(&r).await.unwrap(),
        "a reported task is not reminded"
    );
    let back = tasks
        .send_back(
            &yuyao,
            late,
            ("缺签到表", now + DAY),
            (r.version, "office", now + 1),
        )
        .await
        .unwrap();
    assert!(!ids(tasks.to_remind(now + DAY, 10).await.unwrap()).contains(&late));
    let again = tasks.to_remind(now + 2 * DAY, 10).await.unwrap();
    let again = again
        .into_iter()
        .find(|t| t.id == late)
        .expect("reminded again");
    assert_eq!(again.due_at, back.due_at);
    assert!(tasks.claim_reminder(&again).await.unwrap());
    // A stale read (the deadline it names is not the task's any more) claims nothing.
    assert!(!tasks.claim_reminder(&before).await.unwrap());
}

/// The office presses a member on an open task (督办): a history entry with what it asks, the
/// version moved and the deadline kept, audited; an empty note or a task not open is refused.
pub async fn an_open_task_is_pressed_with_what_the_office_asks(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let edu = store
        .joint_office()
        .add_member(&yuyao, &member("330281", "余姚市教育局"), T0)
        .await
        .unwrap();
    let tasks = store.joint_tasks();
    let new = NewTask {
        member_id: edu,
        meeting_id: None,
        title: "组织培训".into(),
        detail: String::new(),
        due_at: T0 + 5 * DAY,
        by: "office".into(),
    };
    let id = tasks.assign(&yuyao, &new, T0).await.unwrap();
    assert!(matches!(
        tasks.press(&yuyao, id, "  ", (1, "office", T0 + 1)).await,
        Err(StoreError::Invalid { field: "note", .. })
    ));
    assert!(matches!(
        tasks.press(&cixi, id, "快", (1, "office", T0 + 1)).await,
        Err(StoreError::NotFound { .. })
    ));
    let t = tasks
        .press(&yuyao, id, "请于周五前报送名单", (1, "office", T0 + 1))
        .await
        .unwrap();
    assert_eq!(
        (t.version, t.due_at, t.state),
        (2, T0 + 5 * DAY, TaskState::Open)
    );
    let last = tasks.events(&t).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, TaskEventKind::Pressed);
    assert_eq!(last.note, "请于周五前报送名单");
    assert_eq!(audits(store, "joint_task_pressed").await, 1);
    assert!(
        matches!(
            tasks.press(&yuyao, id, "再催", (1, "office", T0 + 2)).await,
            Err(StoreError::Conflict { .. })
        ),
        "a stale version"
    );
    tasks
        .report(&yuyao, id, ("已报送", "王"), (2, "office", T0 + 3))
        .await
        .unwrap();
    assert!(
        matches!(
            tasks.press(&yuyao, id, "再催", (3, "office", T0 + 4)).await,
            Err(StoreError::Conflict { .. })
        ),
        "a reported task waits for the office"
    );
}
