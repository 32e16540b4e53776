//! 联席办: the joint office's desk — its member departments with their responsibility letter of
//! the year, their tasks (pending, overdue, done on time) and their latest spot check of staff
//! on the national app; the tasks not done; the meetings of the period; figures for the area
//! and CSV / XLSX of the members; forms to add a member, record a meeting and assign a task.
//! A meeting's page lists who came and what it decided. Members' pages are
//! [`super::joint_office_member`], tasks' [`super::joint_office_tasks`]. Data from the store's
//! [`fanzha_store::JointOffice`] and [`fanzha_store::JointTasks`], audited there.

use super::choices::Choice;
use super::days_period::{period, period_choices};
use super::view::{date, midnight, pick, share, whole_number};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageJointOffice, Permission, ViewJointOffice};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use fanzha_core::mask::mask_phone;
use fanzha_core::time::{format_shanghai_date, shanghai_date};
use fanzha_store::{
    JointMember, JointMemberKind, MeetingKind, MemberTasks, NewJointMember, NewMeeting, Scope,
    SpotCheck, Task, TaskFigures, TaskFilter,
};
use serde::Deserialize;
use std::collections::HashMap;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// The joint office of an area for a period: what the figures tiles and the brief show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JointTally {
    /// Active members, and of them those with a letter for the current year.
    pub members: i64,
    pub signed: i64,
    /// Meetings held in the period.
    pub meetings: i64,
    pub tasks: TaskFigures,
    /// Spot checks made in the period, staff checked, of them registered.
    pub checks: i64,
    pub checked: i64,
    pub registered: i64,
}

impl JointTally {
    /// Registered over checked in the period's spot checks, e.g. `92.5%`.
    pub fn registration(&self) -> String {
        share(self.registered, self.checked)
    }

    /// Done on time over done in the period.
    pub fn on_time(&self) -> String {
        share(self.tasks.done_on_time, self.tasks.done)
    }
}

/// The Shanghai year of `now`.
pub(crate) fn year_of(now: i64) -> i64 {
    shanghai_date(now).map_or(1970, |d| i64::from(d.year()))
}

/// The tally of the joint offices inside `scope` for `[from, until)` (letters of the year of
/// `now`).
pub async fn tally(
    state: &AppState,
    scope: &Scope,
    (from, until): (i64, i64),
) -> Result<JointTally, WebError> {
    let office = state.store.joint_office();
    let members = office.members(scope, false).await?;
    let letters = office
        .letters_of_year(scope, year_of(state.clock.now_ms()))
        .await?;
    let meetings = office.meetings(scope, from, until).await?.len();
    tally_with(state, scope, (from, until), (&members, &letters, meetings)).await
}

/// [`tally`] from the members, this year's letters and the period's meeting count read already
/// (those who left among the members are not counted).
async fn tally_with(
    state: &AppState,
    scope: &Scope,
    (from, until): (i64, i64),
    (members, letters, meetings): (&[JointMember], &HashMap<i64, fanzha_store::Letter>, usize),
) -> Result<JointTally, WebError> {
    let now = state.clock.now_ms();
    let checks = state
        .store
        .joint_office()
        .spot_checks(scope, None, (from, until))
        .await?;
    let active: Vec<&JointMember> = members.iter().filter(|m| m.active()).collect();
    Ok(JointTally {
        members: active.len() as i64,
        signed: active
            .iter()
            .filter(|m| letters.contains_key(&m.id))
            .count() as i64,
        meetings: meetings as i64,
        tasks: state
            .store
            .joint_tasks()
            .figures(scope, (from, until), now)
            .await?,
        checks: checks.len() as i64,
        checked: checks.iter().map(|c| c.checked).sum(),
        registered: checks.iter().map(|c| c.registered).sum(),
    })
}

/// A member as the desk lists it: the contact's phone masked.
struct MemberRow {
    id: i64,
    name: String,
    kind: &'static str,
    unit: String,
    contact: String,
    staff: i64,
    /// This year's letter: signer and date, empty when none.
    letter: String,
    t: MemberTasks,
    on_time: String,
    check: Option<CheckCell>,
    active: bool,
}

pub(crate) struct CheckCell {
    pub on: String,
    pub checked: i64,
    pub registered: i64,
    pub percent: i64,
    pub failing: bool,
}

impl CheckCell {
    pub(crate) fn of(c: &SpotCheck) -> CheckCell {
        CheckCell {
            on: format_shanghai_date(c.checked_at),
            checked: c.checked,
            registered: c.registered,
            percent: c.percent(),
            failing: c.failing(),
        }
    }
}

/// A task as lists show it.
pub(crate) struct TaskRow {
    pub id: i64,
    pub title: String,
    pub member: String,
    pub due: String,
    pub state: &'static str,
    pub overdue: bool,
    pub on_time: Option<bool>,
    pub returns: i64,
}

pub(crate) fn task_rows(
    lang: Lang,
    tasks: Vec<Task>,
    names: &HashMap<i64, String>,
    now: i64,
) -> Vec<TaskRow> {
    tasks
        .into_iter()
        .map(|t| TaskRow {
            id: t.id,
            member: names.get(&t.member_id).cloned().unwrap_or_default(),
            due: format_shanghai_date(t.due_at),
            state: pick(lang, t.state.zh(), t.state.en()),
            overdue: t.overdue(now),
            on_time: t.on_time,
            returns: t.returns,
            title: t.title,
        })
        .collect()
}

struct MeetingRow {
    id: i64,
    held_on: String,
    kind: &'static str,
    title: String,
    unit: String,
    attendees: usize,
}

#[derive(Template)]
#[template(path = "joint_office.html")]
struct DeskPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    periods: Vec<Choice>,
    days: i64,
    with_left: bool,
    year: i64,
    totals: JointTally,
    rows: Vec<MemberRow>,
    pending: Vec<TaskRow>,
    meetings: Vec<MeetingRow>,
    can_manage: bool,
    kinds: Vec<Choice>,
    meeting_kinds: Vec<Choice>,
    /// Active members of one's own joint office, for the meeting and task forms.
    own_members: Vec<Choice>,
    /// Meetings of one's own joint office in the last year, for the task form.
    own_meetings: Vec<Choice>,
    today: String,
    due_default: String,
    pass_percent: i64,
    /// The result of a task-list import just done.
    import: Option<super::figure_imports::FigureImportView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DeskQuery {
    #[serde(default)]
    days: Option<String>,
    /// `1`: members who left too.
    #[serde(default)]
    left: Option<String>,
    /// The meeting the task form starts from.
    #[serde(default)]
    meeting: Option<i64>,
    format: Option<ExportFormat>,
}

/// `GET /joint-office[?days=30|7|90|365][&left=1][&meeting=ID][&format=csv|xlsx]`: the desk of
/// one's area — members, tasks not done, meetings of the period, figures.
pub async fn desk(
    auth: Require<ViewJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DeskQuery>,
) -> Result<Response, WebError> {
    desk_page(
        (&auth.principal, &auth.csrf_token),
        &state,
        &headers,
        q,
        None,
    )
    .await
}

/// The desk for `p`, with the result of an import just done.
pub(crate) async fn desk_page(
    (p, csrf_token): (&crate::auth::principal::Principal, &str),
    state: &AppState,
    headers: &HeaderMap,
    q: DeskQuery,
    import: Option<super::figure_imports::FigureImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(p, csrf_token, headers, "/joint-office");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let period = period(state, q.days.as_deref())?;
    let now = state.clock.now_ms();
    let year = year_of(now);
    let with_left = q.left.as_deref() == Some("1");
    let office = state.store.joint_office();
    let tasks = state.store.joint_tasks();
    let members = office.members(&scope, true).await?;
    let letters = office.letters_of_year(&scope, year).await?;
    let by_member = tasks.by_member(&scope, now).await?;
    let latest = office.latest_spot_checks(&scope).await?;
    let names: HashMap<i64, String> = members.iter().map(|m| (m.id, m.name.clone())).collect();
    let mut rows = Vec::new();
    for m in members.iter().filter(|m| with_left || m.active()) {
        let t = by_member.get(&m.id).copied().unwrap_or_default();
        rows.push(MemberRow {
            id: m.id,
            name: m.name.clone(),
            kind: pick(lang, m.kind.zh(), m.kind.en()),
            unit: state.unit_name(&m.unit_code).await,
            contact: format!("{} {}", m.contact_name, mask_phone(&m.contact_phone)),
            staff: m.staff,
            letter: letters
                .get(&m.id)
                .map(|l| format!("{} {}", l.signer, format_shanghai_date(l.signed_at)))
                .unwrap_or_default(),
            on_time: share(t.done_on_time, t.done),
            t,
            check: latest.get(&m.id).map(CheckCell::of),
            active: m.active(),
        });
    }
    // Where the work is: overdue tasks first, then unsigned letters, then failing checks.
    rows.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.t.overdue),
            !r.letter.is_empty(),
            !r.check.as_ref().is_some_and(|c| c.failing),
        )
    });
    if let Some(format) = q.format {
        return export(lang, year, &rows).respond(format);
    }
    let period_meetings = office.meetings(&scope, period.from, period.until).await?;
    let totals = tally_with(
        state,
        &scope,
        (period.from, period.until),
        (&members, &letters, period_meetings.len()),
    )
    .await?;
    let pending = task_rows(
        lang,
        tasks
            .list(
                &scope,
                TaskFilter {
                    pending: true,
                    ..TaskFilter::default()
                },
            )
            .await?,
        &names,
        now,
    );
    let mut meetings = Vec::new();
    for g in period_meetings {
        meetings.push(MeetingRow {
            id: g.id,
            held_on: format_shanghai_date(g.held_at),
            kind: pick(lang, g.kind.zh(), g.kind.en()),
            unit: state.unit_name(&g.unit_code).await,
            attendees: g.attendees.len(),
            title: g.title,
        });
    }
    let can_manage = ManageJointOffice::allows(p);
    let (own_members, own_meetings) = if can_manage {
        own_choices(state, &scope, &p.unit_code, &members, q.meeting).await?
    } else {
        (Vec::new(), Vec::new())
    };
    render(&DeskPage {
        unit_name: state.unit_name(&p.unit_code).await,
        periods: period_choices(lang, period.days),
        days: period.days,
        with_left,
        year,
        totals,
        rows,
        pending,
        meetings,
        can_manage,
        kinds: JointMemberKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: false,
            })
            .collect(),
        meeting_kinds: MeetingKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: false,
            })
            .collect(),
        own_members,
        own_meetings,
        today: day(now),
        due_default: day(now + 30 * DAY_MS),
        pass_percent: fanzha_store::SPOT_CHECK_PASS_PERCENT,
        import,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /joint-office/tasks/import` (multipart: `file`, `format`, `meeting_id` optional): the
/// office's task list assigned in one go — rows in error quarantined with line and reason.
/// Answers the desk with what the import did.
pub async fn import_tasks(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let mut up = super::upload::Upload::read(multipart, "tasks.csv", &["meeting_id"]).await?;
    let format = up.format;
    let meeting_id = match up.trimmed("meeting_id") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("meeting_id: not an id `{v}`")))?,
        ),
    };
    let (file, bytes) = up.take_file("choose the task list (CSV or XLSX)")?;
    let done = crate::joint_task_import::import_tasks(
        &state,
        &crate::joint_task_import::TaskUpload {
            login: &p.login,
            unit_code: &p.unit_code,
            meeting_id,
            file: &file,
            bytes: &bytes,
            format,
        },
    )
    .await?;
    let view = super::figure_imports::FigureImportView::new(
        done.import_run,
        file,
        done.read,
        done.assigned,
        &done.rejected,
    );
    desk_page(
        (p, &auth.csrf_token),
        &state,
        &headers,
        DeskQuery::default(),
        Some(view),
    )
    .await
}

/// `YYYY-MM-DD` of `ms` in Shanghai.
pub(crate) fn day(ms: i64) -> String {
    shanghai_date(ms).map(|d| d.to_string()).unwrap_or_default()
}

/// The active members and the last year's meetings of one's own joint office.
async fn own_choices(
    state: &AppState,
    scope: &Scope,
    own_unit: &str,
    members: &[JointMember],
    meeting: Option<i64>,
) -> Result<(Vec<Choice>, Vec<Choice>), WebError> {
    let now = state.clock.now_ms();
    let own_members = members
        .iter()
        .filter(|m| m.active() && m.unit_code == own_unit)
        .map(|m| Choice {
            value: m.id.to_string(),
            label: m.name.clone(),
            selected: false,
        })
        .collect();
    let mut own_meetings = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: meeting.is_none(),
    }];
    for g in state
        .store
        .joint_office()
        .meetings(scope, now - 366 * DAY_MS, now + 1)
        .await?
        .into_iter()
        .filter(|g| g.unit_code == own_unit)
    {
        own_meetings.push(Choice {
            value: g.id.to_string(),
            label: format!("{} {}", format_shanghai_date(g.held_at), g.title),
            selected: meeting == Some(g.id),
        });
    }
    Ok((own_members, own_meetings))
}

fn export(lang: Lang, year: i64, rows: &[MemberRow]) -> Table {
    let heads = [
        "jo_member",
        "jo_kind",
        "unit",
        "jo_contact",
        "jo_staff",
        "jo_letter",
        "jo_pending",
        "jo_overdue",
        "jo_done",
        "jo_on_time",
        "jo_last_check",
        "jo_registration",
    ];
    Table {
        name: format!("joint-office-{year}"),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.kind.to_string(),
                    r.unit.clone(),
                    r.contact.clone(),
                    r.staff.to_string(),
                    r.letter.clone(),
                    r.t.pending.to_string(),
                    r.t.overdue.to_string(),
                    r.t.done.to_string(),
                    r.on_time.clone(),
                    r.check.as_ref().map(|c| c.on.clone()).unwrap_or_default(),
                    r.check
                        .as_ref()
                        .map(|c| format!("{}/{} ({}%)", c.registered, c.checked, c.percent))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    note: String,
}

/// `POST /joint-office/members` (`name`, `kind`, `contact_name`, `contact_phone`, `staff`,
/// `note`): adds a member department to one's own joint office (audited) and opens its page.
pub async fn add_member(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<MemberForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let kind = JointMemberKind::parse(f.kind.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "kind: unknown member kind `{}`: government, township, finance, telecom or other",
            f.kind
        ))
    })?;
    let id = state
        .store
        .joint_office()
        .add_member(
            &scope,
            &NewJointMember {
                unit_code: p.unit_code.clone(),
                name: f.name,
                kind,
                contact_name: f.contact_name,
                contact_phone: f.contact_phone,
                staff: whole_number("staff", &f.staff)?,
                note: f.note,
                by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/joint-office/members/{id}"),
        StatusCode::OK,
    ))
}

/// `POST /joint-office/meetings` (`kind`, `title`, `held_on`, `chair`, `summary`, `attendee`
/// repeated): records a meeting of one's own joint office (audited) and opens it.
pub async fn record_meeting(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind = MeetingKind::parse(&field("kind")).ok_or_else(|| {
        WebError::BadRequest(
            "kind: unknown meeting kind: joint, dispatch, promotion or training".into(),
        )
    })?;
    let now = state.clock.now_ms();
    let held_at = match field("held_on").as_str() {
        "" => now,
        d => midnight(date(d)?)?,
    };
    let attendees = pairs
        .iter()
        .filter(|(k, _)| k == "attendee")
        .map(|(_, v)| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("attendee: not a member `{v}`")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let id = state
        .store
        .joint_office()
        .record_meeting(
            &scope,
            &NewMeeting {
                unit_code: p.unit_code.clone(),
                kind,
                title: field("title"),
                held_at,
                chair: field("chair"),
                summary: field("summary"),
                attendees,
                by: p.login.clone(),
            },
            now,
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/joint-office/meetings/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "joint_meeting.html")]
struct MeetingPage {
    lang: Lang,
    chrome: Chrome,
    id: i64,
    title: String,
    kind: &'static str,
    held_on: String,
    unit: String,
    chair: String,
    summary: String,
    recorded_by: String,
    attendees: Vec<(i64, String)>,
    tasks: Vec<TaskRow>,
    can_assign: bool,
}

/// `GET /joint-office/meetings/{id}`: a meeting of one's area, who came and the tasks it
/// assigned.
pub async fn meeting(
    auth: Require<ViewJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/joint-office");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let g = state.store.joint_office().meeting(&scope, id).await?;
    let members = state.store.joint_office().members(&scope, true).await?;
    let names: HashMap<i64, String> = members.iter().map(|m| (m.id, m.name.clone())).collect();
    let tasks = state
        .store
        .joint_tasks()
        .list(
            &scope,
            TaskFilter {
                meeting: Some(id),
                ..TaskFilter::default()
            },
        )
        .await?;
    render(&MeetingPage {
        id,
        kind: pick(lang, g.kind.zh(), g.kind.en()),
        held_on: format_shanghai_date(g.held_at),
        unit: state.unit_name(&g.unit_code).await,
        attendees: g
            .attendees
            .iter()
            .map(|a| (*a, names.get(a).cloned().unwrap_or_default()))
            .collect(),
        tasks: task_rows(lang, tasks, &names, state.clock.now_ms()),
        can_assign: ManageJointOffice::allows(p) && g.unit_code == p.unit_code,
        title: g.title,
        chair: g.chair,
        summary: g.summary,
        recorded_by: g.created_by,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}
