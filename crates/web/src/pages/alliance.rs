//! 企业反诈联盟: the enterprises of one's area in the police's anti-fraud alliance, each with what
//! the platform knows of it for a period — staff on record and registered on the national app,
//! staff defrauded (finance staff apart), awareness events held there — members without an event
//! in the period marked; CSV / XLSX; the form to record one joining. A member's page: the
//! contact in full (every view audited), the change and leave forms, its staff's cases (victims
//! masked; for those who read cases) and its events. Data from the store's
//! [`fanzha_store::Alliance`], whose writes are audited in the change's transaction.

use super::choices::{unit_choices, Choice};
use super::days_period::{period, period_choices};
use super::view::{date, midnight, pick, share, time, whole_number, yuan};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageAlliance, Permission, ViewCases, ViewOutreach};
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
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_core::occupation::Occupation;
use fanzha_core::time::{format_shanghai_date, shanghai_date};
use fanzha_store::{AllianceTally, Member, MemberFigures, MemberUpdate, NewMember};
use serde::Deserialize;

/// A member as the list shows it: the contact's phone masked.
struct MemberRow {
    id: i64,
    name: String,
    credit_code: String,
    unit: String,
    contact: String,
    staff: i64,
    finance_staff: i64,
    f: MemberFigures,
    /// Registered on the app over staff on record, as a percentage.
    registration: String,
    last_event: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "alliance.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    periods: Vec<Choice>,
    days: i64,
    with_left: bool,
    totals: AllianceTally,
    loss: String,
    rows: Vec<MemberRow>,
    can_manage: bool,
    units: Vec<Choice>,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    days: Option<String>,
    /// `1`: members who left too.
    #[serde(default)]
    left: Option<String>,
    format: Option<ExportFormat>,
}

/// `GET /alliance[?days=30|7|90|365][&left=1][&format=csv|xlsx]`: the members of one's area with
/// their figures for the period, the most staff defrauded first.
pub async fn list(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/alliance");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let period = period(&state, q.days.as_deref())?;
    let with_left = q.left.as_deref() == Some("1");
    let repo = state.store.alliance();
    let figures = repo.figures(&scope, period.from, period.until).await?;
    let mut totals = AllianceTally::default();
    let mut rows = Vec::new();
    for m in repo.list(&scope, with_left).await? {
        let f = figures.get(&m.id).copied().unwrap_or_default();
        totals.add(&m, &f);
        rows.push(MemberRow {
            id: m.id,
            unit: state.unit_name(&m.unit_code).await,
            contact: format!("{} {}", m.contact_name, mask_phone(&m.contact_phone)),
            registration: share(f.registered, f.known_staff),
            last_event: f
                .last_event_at
                .map(format_shanghai_date)
                .unwrap_or_default(),
            active: m.active(),
            staff: m.staff,
            finance_staff: m.finance_staff,
            name: m.name,
            credit_code: m.credit_code,
            f,
        });
    }
    // Where the work is: staff defrauded first, then the least registered.
    rows.sort_by(|a, b| {
        b.f.victims
            .cmp(&a.f.victims)
            .then(
                (a.f.registered * b.f.known_staff.max(1))
                    .cmp(&(b.f.registered * a.f.known_staff.max(1))),
            )
            .then_with(|| a.name.cmp(&b.name))
    });
    if let Some(format) = q.format {
        return export(lang, &rows).respond(format);
    }
    let can_manage = ManageAlliance::allows(p);
    let units = if can_manage {
        unit_choices(&state, &p.unit_code, &p.unit_code).await?
    } else {
        Vec::new()
    };
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        periods: period_choices(lang, period.days),
        days: period.days,
        with_left,
        loss: yuan(totals.loss_fen),
        totals,
        rows,
        can_manage,
        units,
        today: shanghai_date(state.clock.now_ms())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn export(lang: Lang, rows: &[MemberRow]) -> Table {
    let heads = [
        "al_name",
        "al_credit_code",
        "unit",
        "al_contact",
        "al_staff",
        "al_finance_staff",
        "al_known_staff",
        "al_registration",
        "al_events",
        "al_reached",
        "al_last_event",
        "al_victims",
        "al_loss",
        "al_finance_victims",
    ];
    Table {
        name: "alliance".into(),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.credit_code.clone(),
                    r.unit.clone(),
                    r.contact.clone(),
                    r.staff.to_string(),
                    r.finance_staff.to_string(),
                    r.f.known_staff.to_string(),
                    r.registration.clone(),
                    r.f.events.to_string(),
                    r.f.people_reached.to_string(),
                    r.last_event.clone(),
                    r.f.victims.to_string(),
                    yuan(r.f.loss_fen),
                    r.f.finance_victims.to_string(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    finance_staff: String,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    joined_on: String,
    #[serde(default)]
    note: String,
}

/// `POST /alliance` (`unit_code` — one's own when empty —, `name`, `credit_code`,
/// `contact_name`, `contact_phone`, `staff`, `finance_staff`, `joined_on`, `note`): records an
/// enterprise joining (audited) and opens its page.
pub async fn join(
    auth: Require<ManageAlliance>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<JoinForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let joined_at = match f.joined_on.trim() {
        "" => now,
        d => midnight(date(d)?)?,
    };
    let id = state
        .store
        .alliance()
        .join(
            &scope,
            &NewMember {
                unit_code: match f.unit_code.trim() {
                    "" => p.unit_code.clone(),
                    u => u.to_string(),
                },
                name: f.name,
                credit_code: f.credit_code,
                contact_name: f.contact_name,
                contact_phone: f.contact_phone,
                staff: whole_number("staff", &f.staff)?,
                finance_staff: whole_number("finance_staff", &f.finance_staff)?,
                joined_at,
                note: f.note,
                by: p.login.clone(),
            },
            now,
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/alliance/{id}"),
        StatusCode::OK,
    ))
}

struct CaseRow {
    id: String,
    reported: String,
    victim: String,
    loss: String,
    occupation: &'static str,
    /// The employer notice's number and whether its receipt came back.
    notice: Option<(String, bool)>,
}

struct EventRow {
    held_on: String,
    kind: String,
    place: String,
    unit: String,
    people_reached: i64,
    app_registrations: i64,
}

#[derive(Template)]
#[template(path = "alliance_member.html")]
struct MemberPage {
    lang: Lang,
    chrome: Chrome,
    m: Member,
    unit: String,
    joined: String,
    left: String,
    f: MemberFigures,
    registration: String,
    loss: String,
    periods: Vec<Choice>,
    days: i64,
    cases: Option<Vec<CaseRow>>,
    events: Vec<EventRow>,
    can_manage: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct MemberQuery {
    #[serde(default)]
    days: Option<String>,
}

/// `GET /alliance/{id}[?days=]`: a member with its contact in full (the view audited), its
/// figures, its staff's cases and its events in the period.
pub async fn member(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<MemberQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/alliance");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let period = period(&state, q.days.as_deref())?;
    let repo = state.store.alliance();
    let m = repo.get(&scope, id).await?;
    state
        .store
        .audit()
        .append(&fanzha_store::NewAuditEntry {
            actor: p.login.clone(),
            action: "view_personal_data".into(),
            target_type: "alliance_member".into(),
            target_id: Some(m.id.to_string()),
            unit_code: Some(m.unit_code.clone()),
            detail: serde_json::json!({ "via": "alliance_member" }),
        })
        .await?;
    let f = repo
        .figures_of(&scope, id, period.from, period.until)
        .await?;
    let cases = if ViewCases::allows(p) {
        Some(
            repo.cases(&scope, id, period.from, period.until)
                .await?
                .into_iter()
                .map(|c| CaseRow {
                    reported: time(c.reported_at),
                    victim: c.victim_name.as_deref().map(mask_name).unwrap_or_default(),
                    loss: yuan(c.loss_fen),
                    occupation: c
                        .occupation
                        .as_deref()
                        .and_then(Occupation::from_code)
                        .map(|o| pick(lang, o.zh(), o.en()))
                        .unwrap_or(""),
                    notice: c.notice,
                    id: c.case_id,
                })
                .collect(),
        )
    } else {
        None
    };
    let mut events = Vec::new();
    for e in repo.events(&scope, id, period.from, period.until).await? {
        events.push(EventRow {
            held_on: format_shanghai_date(e.held_on),
            kind: fanzha_store::OutreachKind::parse(&e.kind)
                .map(|k| pick(lang, k.zh(), k.en()).to_string())
                .unwrap_or(e.kind),
            place: e.place,
            unit: state.unit_name(&e.unit_code).await,
            people_reached: e.people_reached,
            app_registrations: e.app_registrations,
        });
    }
    render(&MemberPage {
        unit: state.unit_name(&m.unit_code).await,
        joined: format_shanghai_date(m.joined_at),
        left: m.left_at.map(format_shanghai_date).unwrap_or_default(),
        registration: share(f.registered, f.known_staff),
        loss: yuan(f.loss_fen),
        periods: period_choices(lang, period.days),
        days: period.days,
        cases,
        events,
        can_manage: ManageAlliance::allows(p) && m.active(),
        m,
        f,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    finance_staff: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /alliance/{id}` (`contact_name`, `contact_phone`, `staff`, `finance_staff`, `note`,
/// `version` read): changes a member (audited with the values before).
pub async fn update(
    auth: Require<ManageAlliance>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<UpdateForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .alliance()
        .update(
            &scope,
            id,
            &MemberUpdate {
                contact_name: f.contact_name,
                contact_phone: f.contact_phone,
                staff: whole_number("staff", &f.staff)?,
                finance_staff: whole_number("finance_staff", &f.finance_staff)?,
                note: f.note,
                version: f.version,
                by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/alliance/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

/// `POST /alliance/{id}/leave` (`reason`, `version` read): records a member leaving (audited).
pub async fn leave(
    auth: Require<ManageAlliance>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<LeaveForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .alliance()
        .leave(
            &scope,
            id,
            &f.reason,
            f.version,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/alliance/{id}"),
        StatusCode::OK,
    ))
}
