//! A member department of the joint office: its contact in full (every view audited), its
//! responsibility letters by year, its spot checks of staff on the national app, its tasks,
//! and the forms to sign this year's letter, record a spot check, change the contact and
//! record it leaving.

use super::joint_office::{day, task_rows, year_of, CheckCell, TaskRow};
use super::view::{date, midnight, pick, whole_number};
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
use fanzha_store::{JointMember, JointMemberUpdate, NewLetter, NewSpotCheck, TaskFilter};
use serde::Deserialize;
use std::collections::HashMap;

struct LetterRow {
    year: i64,
    signed_on: String,
    signer: String,
    duties: String,
    recorded_by: String,
}

#[derive(Template)]
#[template(path = "joint_member.html")]
struct MemberPage {
    lang: Lang,
    chrome: Chrome,
    m: JointMember,
    kind: &'static str,
    unit: String,
    added: String,
    left: String,
    year: i64,
    signed_this_year: bool,
    letters: Vec<LetterRow>,
    checks: Vec<CheckCell>,
    tasks: Vec<TaskRow>,
    can_manage: bool,
    today: String,
    pass_percent: i64,
}

/// `GET /joint-office/members/{id}`: a member with its contact in full (the view audited),
/// letters, spot checks and tasks.
pub async fn member(
    auth: Require<ViewJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/joint-office");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let office = state.store.joint_office();
    let m = office.member(&scope, id).await?;
    state
        .store
        .audit()
        .append(&fanzha_store::NewAuditEntry {
            actor: p.login.clone(),
            action: "view_personal_data".into(),
            target_type: "joint_member".into(),
            target_id: Some(m.id.to_string()),
            unit_code: Some(m.unit_code.clone()),
            detail: serde_json::json!({ "via": "joint_member" }),
        })
        .await?;
    let now = state.clock.now_ms();
    let year = year_of(now);
    let letters: Vec<LetterRow> = office
        .letters(&m)
        .await?
        .into_iter()
        .map(|l| LetterRow {
            year: l.year,
            signed_on: format_shanghai_date(l.signed_at),
            signer: l.signer,
            duties: l.duties,
            recorded_by: l.created_by,
        })
        .collect();
    let checks = office
        .spot_checks(&scope, Some(id), (i64::MIN, i64::MAX))
        .await?
        .iter()
        .map(CheckCell::of)
        .collect();
    let names = HashMap::from([(m.id, m.name.clone())]);
    let tasks = task_rows(
        lang,
        state
            .store
            .joint_tasks()
            .list(
                &scope,
                TaskFilter {
                    member: Some(id),
                    ..TaskFilter::default()
                },
            )
            .await?,
        &names,
        now,
    );
    render(&MemberPage {
        kind: pick(lang, m.kind.zh(), m.kind.en()),
        unit: state.unit_name(&m.unit_code).await,
        added: format_shanghai_date(m.created_at),
        left: m.left_at.map(format_shanghai_date).unwrap_or_default(),
        signed_this_year: letters.iter().any(|l| l.year == year),
        year,
        letters,
        checks,
        tasks,
        can_manage: ManageJointOffice::allows(p) && m.active(),
        today: day(now),
        pass_percent: fanzha_store::SPOT_CHECK_PASS_PERCENT,
        m,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn redirect(headers: &HeaderMap, id: i64) -> Response {
    after_write(
        headers,
        format!("/joint-office/members/{id}"),
        StatusCode::OK,
    )
}

/// A form's date as the instant it names (its Shanghai midnight), `now` when empty.
fn day_or_now(v: &str, now: i64) -> Result<i64, WebError> {
    match v.trim() {
        "" => Ok(now),
        d => midnight(date(d)?),
    }
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
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/members/{id}` (`contact_name`, `contact_phone`, `staff`, `note`,
/// `version` read): changes a member (audited with the values before).
pub async fn update(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<UpdateForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .joint_office()
        .update_member(
            &scope,
            id,
            &JointMemberUpdate {
                contact_name: f.contact_name,
                contact_phone: f.contact_phone,
                staff: whole_number("staff", &f.staff)?,
                note: f.note,
                version: f.version,
                by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(redirect(&headers, id))
}

#[derive(Debug, Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

/// `POST /joint-office/members/{id}/leave` (`reason`, `version` read): records a member
/// leaving the joint meeting (audited).
pub async fn leave(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<LeaveForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .joint_office()
        .leave(
            &scope,
            id,
            &f.reason,
            (f.version, &p.login, state.clock.now_ms()),
        )
        .await?;
    Ok(redirect(&headers, id))
}

#[derive(Debug, Deserialize)]
pub struct LetterForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    signer: String,
    #[serde(default)]
    duties: String,
}

/// `POST /joint-office/members/{id}/letters` (`year` — this year when empty —, `signed_on`,
/// `signer`, `duties`): records the member's responsibility letter for the year (audited).
pub async fn sign_letter(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<LetterForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let year = match f.year.trim() {
        "" => year_of(now),
        y => y
            .parse()
            .map_err(|_| WebError::BadRequest(format!("year: not a year `{y}`")))?,
    };
    state
        .store
        .joint_office()
        .sign_letter(
            &scope,
            id,
            &NewLetter {
                year,
                signed_at: day_or_now(&f.signed_on, now)?,
                signer: f.signer,
                duties: f.duties,
                by: p.login.clone(),
            },
            now,
        )
        .await?;
    Ok(redirect(&headers, id))
}

#[derive(Debug, Deserialize)]
pub struct SpotCheckForm {
    #[serde(default)]
    checked_on: String,
    #[serde(default)]
    checked: String,
    #[serde(default)]
    registered: String,
    #[serde(default)]
    note: String,
}

/// `POST /joint-office/members/{id}/spot-checks` (`checked_on`, `checked`, `registered`,
/// `note`): records a spot check of the member's staff on the app (audited).
pub async fn spot_check(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<SpotCheckForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    state
        .store
        .joint_office()
        .record_spot_check(
            &scope,
            id,
            &NewSpotCheck {
                checked_at: day_or_now(&f.checked_on, now)?,
                checked: whole_number("checked", &f.checked)?,
                registered: whole_number("registered", &f.registered)?,
                note: f.note,
                by: p.login.clone(),
            },
            now,
        )
        .await?;
    Ok(redirect(&headers, id))
}
