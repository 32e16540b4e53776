//! 联席办 of the history: the county's joint office with its member departments (bureaus, the
//! central bank's branch and a rural bank, the three operators, the first townships), this
//! year's responsibility letters signed by most of them, a joint meeting each quarter and a
//! dispatch meeting in the months between, each assigning tasks — most reported and accepted
//! in time, some late, some returned once, a few still open past their deadline — and spot
//! checks of members' staff on the national app, some below the pass mark. So that
//! `/joint-office` shows unsigned letters, overdue tasks and failing checks beside the rest.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use chrono::Datelike;
use fanzha_store::{
    JointMemberKind, MeetingKind, NewJointMember, NewLetter, NewMeeting, NewSpotCheck, NewTask,
};
use rand::seq::IndexedRandom;
use rand::Rng;

/// Departments by the suffix after the county's name, and their kind.
const DEPARTMENTS: &[(&str, JointMemberKind)] = &[
    ("委宣传部", JointMemberKind::Government),
    ("教育局", JointMemberKind::Government),
    ("卫生健康局", JointMemberKind::Government),
    ("市场监督管理局", JointMemberKind::Government),
    ("人力资源和社会保障局", JointMemberKind::Government),
    ("民政局", JointMemberKind::Government),
    ("财政局", JointMemberKind::Government),
    ("人民银行支行", JointMemberKind::Finance),
    ("农村商业银行", JointMemberKind::Finance),
    ("移动分公司", JointMemberKind::Telecom),
    ("电信分公司", JointMemberKind::Telecom),
    ("联通分公司", JointMemberKind::Telecom),
];

/// Tasks of the task list, as a joint office writes them.
const TASKS: &[&str] = &[
    "组织本系统干部职工安装注册国家反诈中心APP，注册率达到95%以上",
    "开展一次反诈专题培训，财务人员全员参加",
    "在办事窗口摆放反诈宣传资料和APP安装二维码",
    "排查本行业涉诈风险，报送风险清单",
    "配合开展“断卡”行动，核查名下异常账户",
    "发动职工亲友安装国家反诈中心APP，每人不少于30个",
    "组织中小学开展“反诈进校园”主题班会",
    "对辖区老年人开展一次上门宣防",
];

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let unit = h.root.code.clone();
    let county = h.root.name.clone();
    let store = h.store.clone();
    let office = store.joint_office();
    let start = h.start.max(h.now - 400 * DAY_MS);
    let mut members = Vec::new();
    let mut names: Vec<(String, JointMemberKind)> = DEPARTMENTS
        .iter()
        .map(|(suffix, kind)| (format!("{county}{suffix}"), *kind))
        .collect();
    for t in h.townships.iter().take(4) {
        names.push((format!("{}人民政府", t.name), JointMemberKind::Township));
    }
    for (name, kind) in &names {
        let contact = h.resident(30..=55);
        let staff = h.rng.random_range(40..=600);
        let id = office
            .add_member(
                &scope,
                &NewJointMember {
                    unit_code: unit.clone(),
                    name: name.clone(),
                    kind: *kind,
                    contact_name: contact.name.to_string(),
                    contact_phone: contact
                        .msisdn
                        .map(|m| m.0.to_string())
                        .unwrap_or_else(|| "13900000000".into()),
                    staff,
                    note: String::new(),
                    by: "analyst".into(),
                },
                start,
            )
            .await?;
        members.push((id, staff));
        out.joint_members += 1;
    }
    // This year's letters, signed in the year's first weeks (or at the start of the history),
    // by all but two members.
    let year_start = fanzha_core::time::shanghai_date(h.now)
        .and_then(|d| chrono::NaiveDate::from_ymd_opt(d.year(), 1, 1))
        .and_then(|d| fanzha_core::time::shanghai_midnight(d).ok())
        .unwrap_or(start);
    let year = fanzha_core::time::shanghai_date(h.now).map_or(2026, |d| i64::from(d.year()));
    for (k, (id, _)) in members.iter().enumerate() {
        if k % 7 == 3 {
            continue;
        }
        let signed_at = h.moment_between(year_start, (year_start + 40 * DAY_MS).min(h.now));
        office
            .sign_letter(
                &scope,
                *id,
                &NewLetter {
                    year,
                    signed_at: signed_at.min(h.now),
                    signer: "主要负责人".into(),
                    duties: "落实本单位（本行业）反诈宣传和风险防范主体责任".into(),
                    by: "analyst".into(),
                },
                h.now,
            )
            .await?;
    }
    // A joint meeting each quarter, a dispatch meeting in the months between.
    let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
    let mut at = start + 10 * DAY_MS;
    let mut n = 0;
    while at < h.now - 5 * DAY_MS {
        let joint = n % 3 == 0;
        let attendees: Vec<i64> = if joint {
            ids.clone()
        } else {
            ids.choose_multiple(&mut h.rng, 6).copied().collect()
        };
        let held_at = h.moment_between(at, at + 3 * DAY_MS).min(h.now - DAY_MS);
        let label = fanzha_core::time::shanghai_date(held_at)
            .map(|d| format!("{}年{}月", d.year(), d.month()))
            .unwrap_or_default();
        let meeting = office
            .record_meeting(
                &scope,
                &NewMeeting {
                    unit_code: unit.clone(),
                    kind: if joint {
                        MeetingKind::Joint
                    } else {
                        MeetingKind::Dispatch
                    },
                    title: if joint {
                        format!("{label}打击治理电信网络诈骗联席会议")
                    } else {
                        format!("{label}反诈工作调度会")
                    },
                    held_at,
                    chair: if joint {
                        "分管副县长"
                    } else {
                        "联席办主任"
                    }
                    .into(),
                    summary: "通报全县发案形势和各成员单位任务落实情况，部署下一阶段工作。".into(),
                    attendees: attendees.clone(),
                    by: "analyst".into(),
                },
                held_at,
            )
            .await?;
        out.joint_meetings += 1;
        for _ in 0..h.rng.random_range(2..=4) {
            let Some(&member) = attendees.choose(&mut h.rng) else {
                break;
            };
            // The first task is reported late and the second returned once, whatever the dice
            // say, so that the office's figures have each kind.
            let (late, returned) = (out.joint_tasks == 0, out.joint_tasks == 1);
            task(h, member, meeting, held_at, late, returned).await?;
            out.joint_tasks += 1;
        }
        at += 30 * DAY_MS;
        n += 1;
    }
    // Spot checks: most members once or twice, a few below the pass mark.
    for (k, (id, staff)) in members.iter().enumerate() {
        for _ in 0..(k % 3) {
            let checked = (*staff / 5).clamp(10, 60);
            let share = if k % 5 == 1 {
                h.rng.random_range(60..88)
            } else {
                h.rng.random_range(90..=100)
            };
            office
                .record_spot_check(
                    &scope,
                    *id,
                    &NewSpotCheck {
                        checked_at: h.moment_between(start, h.now - DAY_MS),
                        checked,
                        registered: checked * share / 100,
                        note: "现场抽查，已反馈未注册人员名单".into(),
                        by: "analyst".into(),
                    },
                    h.now,
                )
                .await?;
        }
    }
    Ok(())
}

/// A task assigned at `held_at`, carried as far as the history's time allows; reported after
/// its deadline when `late`, reported in time and returned once when `returned`, else as the
/// dice say.
async fn task(
    h: &mut History<'_>,
    member: i64,
    meeting: i64,
    held_at: i64,
    late: bool,
    returned: bool,
) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let store = h.store.clone();
    let tasks = store.joint_tasks();
    let due_at = held_at + h.rng.random_range(20..=45) * DAY_MS;
    let title = TASKS.choose(&mut h.rng).copied().unwrap_or(TASKS[0]);
    let id = tasks
        .assign(
            &scope,
            &NewTask {
                member_id: member,
                meeting_id: Some(meeting),
                title: title.into(),
                detail: String::new(),
                due_at,
                by: "analyst".into(),
            },
            held_at,
        )
        .await?;
    let roll = if late { 70 } else { h.rng.random_range(0..100) };
    // The dice are still thrown for a returned task: the rest of the history stays the same.
    let roll = if returned { 0 } else { roll };
    // Reported in time (most), late, or not yet.
    let reported_at = match roll {
        0..=64 => held_at + (due_at - held_at) * h.rng.random_range(30..95) / 100,
        65..=79 => due_at + h.rng.random_range(2..15) * DAY_MS,
        _ => return Ok(()),
    };
    if reported_at >= h.now {
        return Ok(());
    }
    let mut version = 1;
    let mut reported_at = reported_at;
    tasks
        .report(
            &scope,
            id,
            ("已按要求落实，详见书面报告", "成员单位联络员"),
            (version, "analyst", reported_at),
        )
        .await?;
    version += 1;
    // One in six is returned once and reported again.
    if roll % 6 == 0 && reported_at + 3 * DAY_MS < h.now {
        let back_at = reported_at + DAY_MS;
        tasks
            .send_back(
                &scope,
                id,
                ("材料不全，请补充注册人数和佐证照片", back_at + 15 * DAY_MS),
                (version, "analyst", back_at),
            )
            .await?;
        version += 1;
        reported_at = back_at + DAY_MS;
        tasks
            .report(
                &scope,
                id,
                ("已补充注册人数和照片", "成员单位联络员"),
                (version, "analyst", reported_at),
            )
            .await?;
        version += 1;
    }
    let accepted_at = reported_at + h.rng.random_range(1..5) * DAY_MS;
    if accepted_at < h.now {
        tasks
            .accept(&scope, id, "验收通过", (version, "analyst", accepted_at))
            .await?;
    }
    Ok(())
}
