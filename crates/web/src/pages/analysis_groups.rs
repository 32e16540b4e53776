//! 分类研判组: the analysis groups of one's area — each with its fraud types, lead, members and
//! figures over the period (近7/30/90/365天: cases of its types, losses, solved, 在侦, people
//! caught, money stopped, warnings, 二次研判 passed and rejected, waiting now) — with the
//! viewer's own groups (我的研判组) on top, and the set-up form for those who manage groups.
//!
//! Data from the store's [`fanzha_store::AnalysisGroups`], whose writes are audited.

use super::analysis_group_form::{
    figures_view, people_of, read_form, type_choices, types_label, FiguresView,
};
use super::choices::Choice;
use super::days_period::{period, period_choices};
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
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_store::{NewAnalysisGroup, Scope, UnitLevel};
use serde::Deserialize;

/// A group as listed, with its figures.
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub types: String,
    pub lead: String,
    pub members: String,
    pub mine: bool,
    pub figures: FiguresView,
}

/// One of the viewer's own groups; a link when it lies in the viewer's area.
pub struct MineRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub types: String,
    pub lead: bool,
    pub linked: bool,
}

#[derive(Template)]
#[template(path = "analysis_groups.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    days: i64,
    periods: Vec<Choice>,
    rows: Vec<GroupRow>,
    mine: Vec<MineRow>,
    /// Links to the case list and the instruction queue, filtered by group.
    cases_link: bool,
    queue_link: bool,
    can_manage: bool,
    units: Vec<Choice>,
    types: Vec<Choice>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// 7, 30 (default), 90 or 365.
    #[serde(default)]
    pub days: Option<String>,
    /// The groups with their figures as a file, for the report to the leadership.
    pub format: Option<crate::export::ExportFormat>,
}

/// The units of one's area a group may belong to: one's own and the counties below it (a
/// province's or city's own level included).
pub async fn owner_choices(state: &AppState, own_unit: &str) -> Result<Vec<Choice>, WebError> {
    let mut out = Vec::new();
    for u in state.store.units().subtree(own_unit, Some(2)).await? {
        if matches!(
            u.level,
            UnitLevel::Province | UnitLevel::City | UnitLevel::County
        ) {
            out.push(Choice {
                selected: u.code == own_unit,
                label: if u.code == own_unit {
                    u.name
                } else {
                    format!("└ {}", u.name)
                },
                value: u.code,
            });
        }
    }
    Ok(out)
}

/// `GET /analysis-groups[?days=7|30|90|365]`.
pub async fn list(
    auth: Require<ViewAnalysisGroups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
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
    let groups = repo.list(&scope, false).await?;
    let mut rows = Vec::with_capacity(groups.len());
    for g in &groups {
        let f = repo.figures(&scope, g, period.from, period.until).await?;
        let people = people_of(&state, lang, g).await;
        rows.push(GroupRow {
            id: g.id,
            name: g.name.clone(),
            unit: state.unit_name(&g.unit_code).await,
            types: types_label(lang, &g.fraud_types),
            lead: people.lead,
            members: people.members,
            mine: g.has_member(&p.login),
            figures: figures_view(&f),
        });
    }
    // A member's group may belong to a unit above the member's own: named, linked only when
    // it lies in the viewer's area (a group holds no personal data).
    let mut mine = Vec::new();
    for g in repo.of_member(&Scope::platform(), &p.login).await? {
        mine.push(MineRow {
            id: g.id,
            name: g.name.clone(),
            unit: state.unit_name(&g.unit_code).await,
            types: types_label(lang, &g.fraud_types),
            lead: g.lead == p.login,
            linked: groups.iter().any(|h| h.id == g.id),
        });
    }
    if let Some(format) = q.format {
        return export(lang, period.days, &rows).respond(format);
    }
    let can_manage = ManageAnalysisGroups::allows(p);
    let units = if can_manage {
        owner_choices(&state, &p.unit_code).await?
    } else {
        Vec::new()
    };
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        days: period.days,
        periods: period_choices(lang, period.days),
        rows,
        mine,
        cases_link: ViewCases::allows(p),
        queue_link: ViewInstructions::allows(p),
        can_manage,
        units,
        types: type_choices(lang, &[]),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// The groups of the list with the period's figures, one row each (names, no personal data).
fn export(lang: Lang, days: i64, rows: &[GroupRow]) -> crate::export::Table {
    const HEADERS: [&str; 15] = [
        "ag_name",
        "ag_unit",
        "ag_types",
        "ag_lead",
        "ag_members",
        "ag_cases",
        "ag_loss",
        "ag_solved",
        "ag_open_investigations",
        "ag_caught",
        "ag_stopped_amount",
        "ag_warnings",
        "ag_approved",
        "ag_rejected",
        "ag_pending",
    ];
    crate::export::Table {
        name: format!("analysis_groups_{days}d"),
        headers: HEADERS.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                let f = &r.figures;
                vec![
                    r.name.clone(),
                    r.unit.clone(),
                    r.types.clone(),
                    r.lead.clone(),
                    r.members.clone(),
                    f.cases.to_string(),
                    f.loss.clone(),
                    f.solved.to_string(),
                    f.open_investigations.to_string(),
                    f.caught.to_string(),
                    f.stopped_amount.clone(),
                    f.warnings.to_string(),
                    f.approved.to_string(),
                    f.rejected.to_string(),
                    f.pending.to_string(),
                ]
            })
            .collect(),
    }
}

/// `POST /analysis-groups`: sets up a group (`unit_code`, `name`, `types`…, `lead` — the one
/// submitting when empty — and `members`) and goes to its page.
pub async fn create(
    auth: Require<ManageAnalysisGroups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let form = read_form(&pairs, &p.login)?;
    let scope = state.scope_of(&p.unit_code).await?;
    let unit_code = if form.unit_code.is_empty() {
        p.unit_code.clone()
    } else {
        form.unit_code
    };
    let g = state
        .store
        .analysis_groups()
        .create(
            &scope,
            &NewAnalysisGroup {
                unit_code,
                name: form.name,
                fraud_types: form.types,
                lead: form.lead,
                members: form.members,
                by: p.login.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/analysis-groups/{}", g.id),
        StatusCode::OK,
    ))
}
