//! One analysis group (分类研判组): its types, lead, members and figures over the period; the
//! cases of its types reported in the period in its unit's area (victims masked, linked to the
//! case pages only for those who may open cases); the instructions of its types waiting for
//! 二次研判 (persons masked, linked to the queue for those who may open it); and, for those
//! who manage groups, the form to change it and the button to deactivate it.

use super::analysis_group_form::{
    figures_view, people_of, read_form, type_choices, FiguresView, GroupPeople,
};
use super::choices::Choice;
use super::days_period::{period, period_choices};
use super::view::{fraud_type_label, level_label, time, yuan};
use super::{after_write, render, Chrome};
use crate::auth::permission::{
    ManageAnalysisGroups, Permission, ViewAnalysisGroups, ViewCases, ViewInstructions,
};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_store::{
    AnalysisGroup, AnalysisGroupUpdate, CaseFilter, FraudTypeFilter, InstructionFilter, PageRequest,
};
use serde::Deserialize;

/// Rows of each list on the page; the case list and the queue hold the rest.
const ROWS: u32 = 50;

struct CaseRow {
    id: String,
    reported: String,
    victim: String,
    unit: String,
    loss: String,
    fraud_type: String,
}

struct ReviewRow {
    id: String,
    level: &'static str,
    level_code: u8,
    person: String,
    fraud_type: String,
    holder: String,
    issued: String,
}

#[derive(Template)]
#[template(path = "analysis_group.html")]
struct GroupPage {
    lang: Lang,
    chrome: Chrome,
    g: AnalysisGroup,
    unit_name: String,
    people: GroupPeople,
    days: i64,
    periods: Vec<Choice>,
    figures: FiguresView,
    cases: Vec<CaseRow>,
    reviews: Vec<ReviewRow>,
    case_links: bool,
    queue_links: bool,
    can_manage: bool,
    type_choices: Vec<Choice>,
    /// The members other than the lead, as the form takes them.
    members_text: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupQuery {
    /// 7, 30 (default), 90 or 365.
    #[serde(default)]
    pub days: Option<String>,
}

/// The group `id` inside the viewer's area (404 otherwise).
async fn group_in_area(state: &AppState, unit: &str, id: i64) -> Result<AnalysisGroup, WebError> {
    let scope = state.scope_of(unit).await?;
    Ok(state.store.analysis_groups().get(&scope, id).await?)
}

/// `GET /analysis-groups/{id}[?days=7|30|90|365]`.
pub async fn detail(
    auth: Require<ViewAnalysisGroups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<GroupQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/analysis-groups",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let period = period(&state, q.days.as_deref())?;
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.analysis_groups();
    let g = repo.get(&scope, id).await?;
    let f = repo.figures(&scope, &g, period.from, period.until).await?;
    // The group's area: its unit's subtree, which lies inside the viewer's.
    let area = state.scope_of(&g.unit_code).await?;
    let found = state
        .store
        .cases()
        .search(
            &area,
            &CaseFilter {
                from_ms: Some(period.from),
                to_ms: Some(period.until),
                fraud_type: Some(FraudTypeFilter::AnyOf(g.type_labels())),
                ..CaseFilter::default()
            },
            &PageRequest::first(ROWS),
        )
        .await?;
    let mut cases = Vec::with_capacity(found.items.len());
    for c in found.items {
        cases.push(CaseRow {
            reported: time(c.reported_at),
            victim: c.victim_name.as_deref().map(mask_name).unwrap_or_default(),
            unit: state.unit_name(&c.unit_code).await,
            loss: yuan(c.loss_fen),
            fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
            id: c.id,
        });
    }
    let waiting = state
        .store
        .instructions()
        .list(
            &area,
            &InstructionFilter {
                statuses: vec!["pending_review".into()],
                fraud_types: Some(g.type_labels()),
                ..InstructionFilter::default()
            },
            &PageRequest::first(ROWS),
        )
        .await?;
    let mut reviews = Vec::with_capacity(waiting.items.len());
    for i in waiting.items {
        let person = match &i.resident_id {
            Some(rid) => match state.store.people().get(&area, rid).await {
                Ok(person) => mask_name(&person.name),
                Err(_) => mask_resident_id(rid),
            },
            None => lang.t("unknown_person").to_string(),
        };
        reviews.push(ReviewRow {
            level: level_label(lang, i.projection.level),
            level_code: i.projection.level,
            person,
            fraud_type: fraud_type_label(lang, i.fraud_type.as_deref()),
            holder: state.unit_name(&i.projection.holder_unit).await,
            issued: time(i.issued_at),
            id: i.id,
        });
    }
    let people = people_of(&state, lang, &g).await;
    let members_text = g
        .members
        .iter()
        .filter(|m| **m != g.lead)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    render(&GroupPage {
        unit_name: state.unit_name(&g.unit_code).await,
        people,
        days: period.days,
        periods: period_choices(lang, period.days),
        figures: figures_view(&f),
        cases,
        reviews,
        case_links: ViewCases::allows(p),
        queue_links: ViewInstructions::allows(p),
        can_manage: ManageAnalysisGroups::allows(p) && g.active,
        type_choices: type_choices(lang, &g.fraud_types),
        members_text,
        g,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /analysis-groups/{id}`: changes the group's name, types, lead and members at the
/// version read (`version`).
pub async fn update(
    auth: Require<ManageAnalysisGroups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let form = read_form(&pairs, &p.login)?;
    let g = group_in_area(&state, &p.unit_code, id).await?;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .analysis_groups()
        .update(
            &scope,
            g.id,
            &AnalysisGroupUpdate {
                name: form.name,
                fraud_types: form.types,
                lead: form.lead,
                members: form.members,
                expected_version: form.version,
                by: p.login.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/analysis-groups/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct DeactivateForm {
    pub version: i64,
}

/// `POST /analysis-groups/{id}/deactivate`: deactivates the group at the version read; its
/// types are free again for the unit's other groups.
pub async fn deactivate(
    auth: Require<ManageAnalysisGroups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(form): FormBody<DeactivateForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .analysis_groups()
        .deactivate(&scope, id, form.version, &p.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        "/analysis-groups".to_string(),
        StatusCode::OK,
    ))
}
