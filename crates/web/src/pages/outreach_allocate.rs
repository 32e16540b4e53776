//! 宣讲任务分配: a unit hands its year's outreach target to the units directly below it "根据发案
//! 形势和人口基数" (seed 002: a county gave its 21 townships their talks by the cases they had and
//! the people they hold). `GET /outreach/allocate` proposes each unit's events and people from
//! its share of the last twelve months' cases and of the population, weighted as the commander
//! chooses, the parts adding up exactly to the totals (`fanzha_core::apportion`), beside the
//! targets set now; `POST /outreach/allocate` sets them all (each audited by the store as
//! `outreach_quota_set`). A single unit's target is still set on `/outreach`.

use super::{render, Chrome};
use crate::auth::permission::SetOutreachQuotas;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use fanzha_core::apportion::apportion;
use fanzha_store::OutreachQuota;
use serde::Deserialize;
use std::collections::HashMap;

const YEAR_MS: i64 = 365 * 86_400_000;

/// What the commander asks for: the year, the totals and the weight of cases (percent; the
/// rest is population).
#[derive(Debug, Default, Deserialize)]
pub struct AllocateForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    events: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    case_weight: String,
}

/// A unit directly below with what it is proposed.
struct Line {
    code: String,
    name: String,
    cases: i64,
    population: Option<i64>,
    /// Its weight, as a percentage of the whole.
    share: String,
    events: i64,
    people: i64,
    current: Option<(i64, i64)>,
}

/// The parsed request: year, totals, weight of cases in [0, 1].
struct Ask {
    year: i64,
    events: i64,
    people: i64,
    case_weight: i64,
}

fn whole(v: &str, what: &str, default: i64) -> Result<i64, WebError> {
    match v.trim().replace(',', "").as_str() {
        "" => Ok(default),
        v => v
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number"))),
    }
}

/// Each unit directly below `own` with its cases of the last twelve months, its population and
/// the parts of `ask`'s totals; the weights are each side's share of the whole, mixed by the
/// weight of cases (a side nobody has — no cases, no population on record — gives way to the
/// other; with neither the parts are equal).
async fn propose(state: &AppState, own: &str, ask: &Ask) -> Result<Vec<Line>, WebError> {
    let scope = state.scope_of(own).await?;
    let subtree = state.store.units().subtree(own, None).await?;
    let population = fanzha_store::effective_populations(&subtree);
    let path_of: HashMap<&str, &str> = subtree
        .iter()
        .map(|u| (u.code.as_str(), u.path.as_str()))
        .collect();
    let now = state.clock.now_ms();
    let tallies = state
        .store
        .cases()
        .tally(&scope, now - YEAR_MS, now + 1)
        .await?;
    let children = state.store.units().children(own).await?;
    let cases: Vec<i64> = children
        .iter()
        .map(|c| {
            tallies
                .iter()
                .filter(|t| {
                    path_of
                        .get(t.unit_code.as_str())
                        .is_some_and(|p| p.starts_with(&c.path))
                })
                .map(|t| t.cases)
                .sum()
        })
        .collect();
    let people: Vec<i64> = children
        .iter()
        .map(|c| population.get(&c.code).copied().unwrap_or(0))
        .collect();
    let (sum_cases, sum_people) = (cases.iter().sum::<i64>(), people.iter().sum::<i64>());
    let alpha = match (sum_cases > 0, sum_people > 0) {
        (true, true) => ask.case_weight as f64 / 100.0,
        (true, false) => 1.0,
        (false, true) => 0.0,
        (false, false) => 0.5,
    };
    let weights: Vec<f64> = cases
        .iter()
        .zip(&people)
        .map(|(c, p)| {
            let c = if sum_cases > 0 {
                *c as f64 / sum_cases as f64
            } else {
                0.0
            };
            let p = if sum_people > 0 {
                *p as f64 / sum_people as f64
            } else {
                0.0
            };
            alpha * c + (1.0 - alpha) * p
        })
        .collect();
    let events = apportion(ask.events, &weights);
    let reach = apportion(ask.people, &weights);
    let total_weight: f64 = weights.iter().sum();
    let repo = state.store.outreach();
    let mut out = Vec::with_capacity(children.len());
    for (i, c) in children.into_iter().enumerate() {
        let current = repo
            .quota(&scope, &c.code, ask.year)
            .await?
            .map(|q| (q.events, q.people));
        out.push(Line {
            cases: cases[i],
            population: population.get(&c.code).copied(),
            share: if total_weight > 0.0 {
                format!("{:.1}%", weights[i] / total_weight * 100.0)
            } else {
                "—".into()
            },
            events: events[i],
            people: reach[i],
            current,
            code: c.code,
            name: c.name,
        });
    }
    Ok(out)
}

async fn ask_of(state: &AppState, own: &str, f: &AllocateForm) -> Result<Ask, WebError> {
    let year = whole(&f.year, "year", i64::from(state.today()?.year()))?;
    // The totals default to the target the unit above set for one's own unit this year, else
    // to what the units below hold now (the same totals, shared out anew).
    let scope = state.scope_of(own).await?;
    let repo = state.store.outreach();
    let (events, people) = match repo.quota(&scope, own, year).await? {
        Some(q) => (q.events, q.people),
        None => {
            let mut sum = (0, 0);
            for c in state.store.units().children(own).await? {
                if let Some(q) = repo.quota(&scope, &c.code, year).await? {
                    sum = (sum.0 + q.events, sum.1 + q.people);
                }
            }
            sum
        }
    };
    let ask = Ask {
        year,
        events: whole(&f.events, "events", events)?,
        people: whole(&f.people, "people", people)?,
        case_weight: whole(&f.case_weight, "case_weight", 50)?,
    };
    if !(2000..=2100).contains(&ask.year) {
        return Err(WebError::BadRequest("year: 2000 to 2100".into()));
    }
    if ask.events < 0 || ask.people < 0 {
        return Err(WebError::BadRequest(
            "events and people are 0 or more".into(),
        ));
    }
    if !(0..=100).contains(&ask.case_weight) {
        return Err(WebError::BadRequest(
            "case_weight: a percentage from 0 to 100".into(),
        ));
    }
    Ok(ask)
}

#[derive(Template)]
#[template(path = "outreach_allocate.html")]
struct AllocatePage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    year: i64,
    events: i64,
    people: i64,
    case_weight: i64,
    lines: Vec<Line>,
}

/// `GET /outreach/allocate[?year=&events=&people=&case_weight=]`: the proposal.
pub async fn page(
    auth: Require<SetOutreachQuotas>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<AllocateForm>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/outreach");
    let own = auth.principal.unit_code.clone();
    let ask = ask_of(&state, &own, &f).await?;
    let lines = propose(&state, &own, &ask).await?;
    render(&AllocatePage {
        lang: chrome.lang,
        unit_name: state.unit_name(&own).await,
        year: ask.year,
        events: ask.events,
        people: ask.people,
        case_weight: ask.case_weight,
        lines,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /outreach/allocate` (`year`, `events`, `people`, `case_weight`): sets every unit
/// directly below to its proposed target for the year and goes to the outreach page of that
/// year.
pub async fn apply(
    auth: Require<SetOutreachQuotas>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<AllocateForm>,
) -> Result<Response, WebError> {
    let own = auth.principal.unit_code.clone();
    let ask = ask_of(&state, &own, &f).await?;
    let lines = propose(&state, &own, &ask).await?;
    if lines.is_empty() {
        return Err(WebError::BadRequest(
            "there is no unit below one's own to hand targets to".into(),
        ));
    }
    let scope = state.scope_of(&own).await?;
    let now = state.clock.now_ms();
    for l in lines {
        state
            .store
            .outreach()
            .set_quota(
                &scope,
                &OutreachQuota {
                    unit_code: l.code,
                    year: ask.year,
                    events: l.events,
                    people: l.people,
                    set_by: auth.principal.login.clone(),
                    set_at: now,
                },
            )
            .await?;
    }
    Ok(super::after_write(
        &headers,
        format!("/outreach?from={y}-01-01&until={y}-12-31", y = ask.year),
        axum::http::StatusCode::OK,
    ))
}
