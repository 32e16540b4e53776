//! 本单位任务 (`/joint-office/mine`): a member liaison's own department — this year's
//! responsibility letter and the tasks its joint office assigned it, each open one with the form
//! to report how it was carried out (报送落实情况). The office accepts or returns the report on
//! the task's page; a returned task shows what is still missing and its new deadline here.

use super::joint_office::year_of;
use super::view::{pick, time};
use super::{after_write, render, Chrome};
use crate::auth::permission::ReportJointTasks;
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{JointMember, Scope, Task, TaskEventKind, TaskFilter, TaskState};
use serde::Deserialize;
use std::collections::HashMap;

/// A task not done yet, as the member reads it.
struct PendingTask {
    t: Task,
    state: &'static str,
    due: String,
    overdue: bool,
    /// Where it came from: the meeting that decided it (date and title), if any.
    meeting: String,
    /// The office's last return: what is still missing.
    returned: Option<String>,
    /// The office's last 督办 on the task: what it asked, and when.
    pressed: Option<(String, String)>,
    reported_at: String,
}

struct DoneTask {
    title: String,
    due: String,
    done_at: String,
    on_time: bool,
}

#[derive(Template)]
#[template(path = "joint_member_desk.html")]
struct DeskPage {
    lang: Lang,
    chrome: Chrome,
    member: JointMember,
    unit: String,
    year: i64,
    /// This year's letter: the date it was signed.
    letter_signed: Option<String>,
    pending: Vec<PendingTask>,
    done: Vec<DoneTask>,
    overdue: usize,
    /// Police bulletins addressed to the department not signed yet.
    bulletins_unsigned: i64,
}

/// The member the liaison reports for, read inside their unit's scope (a member of another
/// office, or an account without one, finds nothing).
async fn own_member(state: &AppState, p: &Principal) -> Result<(Scope, JointMember), WebError> {
    let id = p.joint_member.ok_or(WebError::NotFound)?;
    let scope = state.scope_of(&p.unit_code).await?;
    let member = state.store.joint_office().member(&scope, id).await?;
    Ok((scope, member))
}

/// `GET /joint-office/mine`: the member's letter of the year and its tasks, those not done first
/// by deadline.
pub async fn desk(
    auth: Require<ReportJointTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/joint-office/mine",
    );
    let lang = chrome.lang;
    let (scope, member) = own_member(&state, &auth.principal).await?;
    let office = state.store.joint_office();
    let tasks = state.store.joint_tasks();
    let now = state.clock.now_ms();
    let year = year_of(now);
    let letter_signed = office
        .letters(&member)
        .await?
        .into_iter()
        .find(|l| l.year == year)
        .map(|l| format_shanghai_date(l.signed_at));
    let all = tasks
        .list(
            &scope,
            TaskFilter {
                member: Some(member.id),
                ..TaskFilter::default()
            },
        )
        .await?;
    let (mut pending, mut done) = (Vec::new(), Vec::new());
    // Tasks decided at the same meeting name it once.
    let mut meetings: HashMap<i64, String> = HashMap::new();
    for t in all {
        if t.state == TaskState::Done {
            done.push(DoneTask {
                title: t.title,
                due: format_shanghai_date(t.due_at),
                done_at: t.done_at.map(time).unwrap_or_default(),
                on_time: t.on_time.unwrap_or(false),
            });
            continue;
        }
        // The history is read only for a task with a step after its assignment (a report, a
        // return, a 督办): a task at version 1 has none.
        let events = if t.version > 1 {
            tasks.events(&t).await?
        } else {
            Vec::new()
        };
        let last = |kind| events.iter().rev().find(|e| e.kind == kind);
        let returned = last(TaskEventKind::Returned).map(|e| e.note.clone());
        let pressed = last(TaskEventKind::Pressed).map(|e| (e.note.clone(), time(e.at)));
        let meeting = match t.meeting_id {
            Some(g) => match meetings.get(&g) {
                Some(label) => label.clone(),
                None => {
                    let label = office
                        .meeting(&scope, g)
                        .await
                        .map(|g| format!("{} {}", format_shanghai_date(g.held_at), g.title))
                        .unwrap_or_default();
                    meetings.insert(g, label.clone());
                    label
                }
            },
            None => String::new(),
        };
        pending.push(PendingTask {
            state: pick(lang, t.state.zh(), t.state.en()),
            due: format_shanghai_date(t.due_at),
            overdue: t.overdue(now),
            meeting,
            returned,
            pressed,
            reported_at: t.reported_at.map(time).unwrap_or_default(),
            t,
        });
    }
    let bulletins_unsigned = state
        .store
        .bulletins()
        .unsigned_for_partner(&fanzha_store::Partner {
            kind: fanzha_store::PartnerKind::JointMember,
            code: member.id.to_string(),
        })
        .await?;
    render(&DeskPage {
        bulletins_unsigned,
        unit: state.unit_name(&member.unit_code).await,
        overdue: pending.iter().filter(|t| t.overdue).count(),
        member,
        year,
        letter_signed,
        pending,
        done,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct MemberReportForm {
    #[serde(default)]
    report: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/mine/tasks/{id}/report` (`report`, `version` read): the member's own
/// report of an open task of theirs, signed with the liaison's name (audited as
/// `joint_task_reported`). Another member's task is not found.
pub async fn report(
    auth: Require<ReportJointTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<MemberReportForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let (scope, member) = own_member(&state, p).await?;
    let tasks = state.store.joint_tasks();
    if tasks.get(&scope, id).await?.member_id != member.id {
        return Err(WebError::NotFound);
    }
    tasks
        .report(
            &scope,
            id,
            (&f.report, &p.display_name),
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/joint-office/mine#task-{id}"),
        StatusCode::OK,
    ))
}
