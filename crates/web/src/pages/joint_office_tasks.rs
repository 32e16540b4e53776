//! The joint office's task list (任务清单): assigning a task to a member department, a task's
//! page with its history, and the steps the office records — the member's progress report as
//! received (报送落实情况), acceptance (验收完成), return with what is missing and a new
//! deadline (退回), and pressing the member on an open task (督办).

use super::joint_office::{day, DAY_MS};
use super::view::{date, end_of_day, pick, time};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageJointOffice, Permission, ViewJointOffice};
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
use fanzha_store::{NewTask, Scope, Task, TaskState};
use fanzha_workflow::{JointTaskStep, Notice};
use serde::Deserialize;

/// The end (last millisecond) of a form's Shanghai day: a deadline is due by the day's end.
fn day_end(v: &str) -> Result<i64, WebError> {
    end_of_day(date(v)?)
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
    /// `YYYY-MM-DD`: due by the end of that day.
    #[serde(default)]
    due_on: String,
}

/// Tells whoever follows the office's work — the SMS dispatcher, which texts the member
/// department's contact, webhooks and live pages — of a step just committed on `t`.
fn announce(state: &AppState, t: &Task, step: JointTaskStep) {
    state.loop_service.announce(Notice::JointTask {
        task_id: t.id,
        unit_code: t.unit_code.clone(),
        step,
    });
}

/// [`announce`]s a task just assigned, read back for its unit. The assignment stands whatever
/// happens here: a task that cannot be read back is logged, not failed.
pub(crate) async fn announce_assigned(state: &AppState, scope: &Scope, id: i64) {
    match state.store.joint_tasks().get(scope, id).await {
        Ok(t) => announce(state, &t, JointTaskStep::Assigned),
        Err(e) => tracing::error!(task = id, error = %e, "joint task assignment not announced"),
    }
}

fn id_of(field: &str, v: &str) -> Result<Option<i64>, WebError> {
    match v.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("{field}: not an id `{v}`"))),
    }
}

/// `POST /joint-office/tasks` (`member_id`, `meeting_id` optional, `title`, `detail`,
/// `due_on`): assigns a task to a member (audited) and opens it.
pub async fn assign(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<AssignForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let member_id = id_of("member_id", &f.member_id)?
        .ok_or_else(|| WebError::BadRequest("member_id: choose the member responsible".into()))?;
    let id = state
        .store
        .joint_tasks()
        .assign(
            &scope,
            &NewTask {
                member_id,
                meeting_id: id_of("meeting_id", &f.meeting_id)?,
                title: f.title,
                detail: f.detail,
                due_at: day_end(&f.due_on)?,
                by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    announce_assigned(&state, &scope, id).await;
    Ok(after_write(
        &headers,
        format!("/joint-office/tasks/{id}"),
        StatusCode::OK,
    ))
}

/// A text sent to the member about this task.
struct EventRow {
    at: String,
    kind: &'static str,
    actor: String,
    note: String,
    due: String,
}

#[derive(Template)]
#[template(path = "joint_task.html")]
struct TaskPage {
    lang: Lang,
    chrome: Chrome,
    t: Task,
    state: &'static str,
    member: String,
    meeting: Option<(i64, String)>,
    unit: String,
    assigned: String,
    due: String,
    overdue: bool,
    reported_at: String,
    done_at: String,
    events: Vec<EventRow>,
    texts: Vec<super::sms_lines::SmsLine>,
    can_manage: bool,
    return_due: String,
}

/// `GET /joint-office/tasks/{id}`: a task of one's area with its history and, for those who
/// manage, the step its state allows.
pub async fn task(
    auth: Require<ViewJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/joint-office");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let tasks = state.store.joint_tasks();
    let t = tasks.get(&scope, id).await?;
    let office = state.store.joint_office();
    let member = office.member(&scope, t.member_id).await?;
    let meeting = match t.meeting_id {
        Some(g) => {
            let g = office.meeting(&scope, g).await?;
            Some((
                g.id,
                format!("{} {}", format_shanghai_date(g.held_at), g.title),
            ))
        }
        None => None,
    };
    let events = tasks
        .events(&t)
        .await?
        .into_iter()
        .map(|e| EventRow {
            at: time(e.at),
            kind: pick(lang, e.kind.zh(), e.kind.en()),
            actor: e.actor,
            note: e.note,
            due: e.due_at.map(format_shanghai_date).unwrap_or_default(),
        })
        .collect();
    // Masked: the member's page has the contact in full (audited).
    let texts = super::sms_lines::sms_lines(lang, state.store.sms().for_joint_task(t.id).await?);
    let now = state.clock.now_ms();
    render(&TaskPage {
        texts,
        state: pick(lang, t.state.zh(), t.state.en()),
        member: member.name,
        meeting,
        unit: state.unit_name(&t.unit_code).await,
        assigned: time(t.assigned_at),
        due: format_shanghai_date(t.due_at),
        overdue: t.overdue(now),
        reported_at: t.reported_at.map(time).unwrap_or_default(),
        done_at: t.done_at.map(time).unwrap_or_default(),
        events,
        can_manage: ManageJointOffice::allows(p) && t.state != TaskState::Done,
        return_due: day(now + 15 * DAY_MS),
        t,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn redirect(headers: &HeaderMap, id: i64) -> Response {
    after_write(headers, format!("/joint-office/tasks/{id}"), StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    report: String,
    #[serde(default)]
    reporter: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/tasks/{id}/report` (`report`, `reporter`, `version` read): records the
/// member's progress report of an open task (audited).
pub async fn report(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ReportForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .joint_tasks()
        .report(
            &scope,
            id,
            (&f.report, &f.reporter),
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    Ok(redirect(&headers, id))
}

/// A step that takes a note and the version read (acceptance, 督办).
#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/tasks/{id}/accept` (`note`, `version` read): accepts the report of a
/// reported task, which is then done (audited).
pub async fn accept(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<NoteForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .joint_tasks()
        .accept(
            &scope,
            id,
            &f.note,
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    Ok(redirect(&headers, id))
}

/// `POST /joint-office/tasks/{id}/press` (`note`: what the office asks, `version` read):
/// presses the member on an open task (督办) — a history entry, audited, and a text to the
/// department.
pub async fn press(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<NoteForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let t = state
        .store
        .joint_tasks()
        .press(
            &scope,
            id,
            &f.note,
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    announce(&state, &t, JointTaskStep::Pressed);
    Ok(redirect(&headers, id))
}

#[derive(Debug, Deserialize)]
pub struct ReturnForm {
    #[serde(default)]
    note: String,
    /// `YYYY-MM-DD`: the new deadline (the end of that day).
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/tasks/{id}/return` (`note`, `due_on`, `version` read): returns a
/// reported task to the member with what is missing and a new deadline (audited).
pub async fn send_back(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ReturnForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let t = state
        .store
        .joint_tasks()
        .send_back(
            &scope,
            id,
            (&f.note, day_end(&f.due_on)?),
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    announce(&state, &t, JointTaskStep::Returned);
    Ok(redirect(&headers, id))
}

/// Which tasks the task list shows.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `pending` (not done, the default), `overdue`, `reported` (awaiting acceptance), `done`,
    /// `late` (done after the deadline) or `all`.
    #[serde(default)]
    state: Option<String>,
    /// A member's tasks only.
    #[serde(default)]
    member: Option<i64>,
    format: Option<crate::export::ExportFormat>,
}

const VIEWS: [&str; 6] = ["pending", "overdue", "reported", "done", "late", "all"];

/// A task as the list shows it.
struct ListRow {
    id: i64,
    title: String,
    member: String,
    meeting: String,
    assigned: String,
    due: String,
    state: &'static str,
    overdue: bool,
    report: String,
    done: String,
    on_time: Option<bool>,
    returns: i64,
}

#[derive(Template)]
#[template(path = "joint_tasks.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    views: Vec<super::choices::Choice>,
    view: String,
    members: Vec<super::choices::Choice>,
    member: Option<i64>,
    rows: Vec<ListRow>,
}

/// `GET /joint-office/tasks[?state=pending|overdue|reported|done|late|all][&member=ID]
/// [&format=csv|xlsx]`: the task list of one's area with where each task stands — the
/// 落实情况表 a joint office reports to its meeting.
pub async fn list(
    auth: Require<ViewJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::extract::Query(q): crate::extract::Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/joint-office");
    let lang = chrome.lang;
    let p = &auth.principal;
    let view = q.state.as_deref().map(str::trim).unwrap_or("pending");
    if !VIEWS.contains(&view) {
        return Err(WebError::BadRequest(format!(
            "state: `{view}` is none of {}",
            VIEWS.join(", ")
        )));
    }
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let office = state.store.joint_office();
    let members = office.members(&scope, true).await?;
    let names: std::collections::HashMap<i64, String> =
        members.iter().map(|m| (m.id, m.name.clone())).collect();
    let meetings: std::collections::HashMap<i64, String> = office
        .meetings(&scope, i64::MIN, i64::MAX)
        .await?
        .into_iter()
        .map(|g| (g.id, g.title))
        .collect();
    let tasks = state
        .store
        .joint_tasks()
        .list(
            &scope,
            fanzha_store::TaskFilter {
                member: q.member,
                pending: matches!(view, "pending" | "overdue" | "reported"),
                ..fanzha_store::TaskFilter::default()
            },
        )
        .await?;
    let rows: Vec<ListRow> = tasks
        .into_iter()
        .filter(|t| match view {
            "overdue" => t.overdue(now),
            "reported" => t.state == TaskState::Reported,
            "done" => t.state == TaskState::Done,
            "late" => t.on_time == Some(false),
            _ => true,
        })
        .map(|t| ListRow {
            id: t.id,
            member: names.get(&t.member_id).cloned().unwrap_or_default(),
            meeting: t
                .meeting_id
                .and_then(|g| meetings.get(&g).cloned())
                .unwrap_or_default(),
            assigned: format_shanghai_date(t.assigned_at),
            due: format_shanghai_date(t.due_at),
            state: pick(lang, t.state.zh(), t.state.en()),
            overdue: t.overdue(now),
            report: t.report.clone().unwrap_or_default(),
            done: t.done_at.map(format_shanghai_date).unwrap_or_default(),
            on_time: t.on_time,
            returns: t.returns,
            title: t.title,
        })
        .collect();
    if let Some(format) = q.format {
        return export(lang, &rows).respond(format);
    }
    let label = |v: &str| match v {
        "pending" => pick(lang, "未完成", "Not done"),
        "overdue" => pick(lang, "逾期未完成", "Overdue"),
        "reported" => pick(lang, "待验收", "Awaiting acceptance"),
        "done" => pick(lang, "已完成", "Done"),
        "late" => pick(lang, "逾期完成", "Done late"),
        _ => pick(lang, "全部", "All"),
    };
    let mut member_choices = vec![super::choices::Choice {
        value: String::new(),
        label: pick(lang, "全部成员单位", "Every member").into(),
        selected: q.member.is_none(),
    }];
    member_choices.extend(members.iter().map(|m| super::choices::Choice {
        value: m.id.to_string(),
        label: m.name.clone(),
        selected: q.member == Some(m.id),
    }));
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        views: VIEWS
            .iter()
            .map(|v| super::choices::Choice {
                value: (*v).into(),
                label: label(v).into(),
                selected: *v == view,
            })
            .collect(),
        view: view.into(),
        members: member_choices,
        member: q.member,
        rows,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn export(lang: Lang, rows: &[ListRow]) -> crate::export::Table {
    let heads = [
        "jo_task",
        "jo_member",
        "jo_from_meeting",
        "jo_assigned_at",
        "jo_due",
        "jo_state",
        "jo_report",
        "jo_done_at",
        "jo_in_time",
        "jo_returned_n",
    ];
    crate::export::Table {
        name: "joint-office-tasks".into(),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    r.member.clone(),
                    r.meeting.clone(),
                    r.assigned.clone(),
                    r.due.clone(),
                    format!(
                        "{}{}",
                        r.state,
                        if r.overdue {
                            pick(lang, "（逾期）", " (overdue)")
                        } else {
                            ""
                        }
                    ),
                    r.report.clone(),
                    r.done.clone(),
                    match r.on_time {
                        Some(true) => pick(lang, "是", "yes").into(),
                        Some(false) => pick(lang, "否", "no").into(),
                        None => String::new(),
                    },
                    r.returns.to_string(),
                ]
            })
            .collect(),
    }
}
