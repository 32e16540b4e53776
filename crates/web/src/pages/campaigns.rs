//! 专项行动: the campaigns of one's area ("迎庆"专项行动, 断卡行动 …), each with its results —
//! the enforcement figures of its period in its unit's area (cases solved, people caught,
//! fugitives caught, gangs dismantled, money recovered, people sent for prosecution) — a link to
//! the full statistics and work brief of the period, and the form to record a campaign.

use super::choices::{unit_choices, Choice};
use super::enforcement::shanghai_time;
use super::{after_write, render, Chrome};
use crate::auth::permission::{Permission, RecordEnforcement, ViewEnforcement};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::time::{format_shanghai_date, shanghai_date};
use fanzha_store::NewCampaign;
use serde::Deserialize;

const DAY_MS: i64 = 86_400_000;

/// A campaign with its results so far.
struct CampaignRow {
    id: i64,
    name: String,
    unit: String,
    from: String,
    /// The last day (inclusive).
    to: String,
    goal: String,
    running: bool,
    solved: i64,
    caught: i64,
    fugitives: i64,
    gangs: i64,
    gangs_of_five: i64,
    prosecuted: i64,
    /// The statistics of the period, for the whole picture and the work brief.
    statistics: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    rows: Vec<CampaignRow>,
    can_record: bool,
    units: Vec<Choice>,
    today: String,
}

/// `GET /campaigns`: the campaigns of one's area, the latest start first, with their results.
pub async fn list(
    auth: Require<ViewEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/campaigns");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let mut rows = Vec::new();
    for c in state.store.campaigns().list(&scope).await? {
        let area = state.scope_of(&c.unit_code).await?;
        let f = state
            .store
            .enforcement()
            .figures(&area, c.starts_at, c.ends_at)
            .await?;
        let from = format_shanghai_date(c.starts_at);
        let to = format_shanghai_date(c.ends_at - DAY_MS);
        // Built in one go: the serializer is not `Send` and must not live across an await.
        let statistics = {
            let mut link = form_urlencoded::Serializer::new(String::new());
            link.append_pair("period", "custom")
                .append_pair("from", &from)
                .append_pair("to", &to);
            if c.unit_code != p.unit_code {
                link.append_pair("unit", &c.unit_code);
            }
            format!("/statistics?{}", link.finish())
        };
        rows.push(CampaignRow {
            id: c.id,
            unit: state.unit_name(&c.unit_code).await,
            running: c.running(now),
            solved: f.solved_in_period,
            caught: f.caught(),
            fugitives: f.fugitives_caught,
            gangs: f.dismantled_total().groups,
            gangs_of_five: f.gangs_of_five,
            prosecuted: f.prosecuted,
            statistics,
            name: c.name,
            from,
            to,
            goal: c.goal,
        });
    }
    let can_record = RecordEnforcement::allows(p);
    let units = if can_record {
        unit_choices(&state, &p.unit_code, &p.unit_code).await?
    } else {
        Vec::new()
    };
    render(&CampaignsPage {
        unit_name: state.unit_name(&p.unit_code).await,
        rows,
        can_record,
        units,
        today: shanghai_date(now)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    name: String,
    /// First and last day (`YYYY-MM-DD`, both included).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    goal: String,
}

/// `POST /campaigns` (`unit_code` — one's own unit when empty —, `name`, `from`, `to`, both days
/// included, `goal`): records a campaign of one's area (audited) and shows the list.
pub async fn create(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<CampaignForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let unit_code = match f.unit_code.trim() {
        "" => p.unit_code.clone(),
        u => u.to_string(),
    };
    let starts_at = shanghai_time(&f.from, "from")?;
    let ends_at = shanghai_time(&f.to, "to")? + DAY_MS;
    state
        .store
        .campaigns()
        .create(
            &scope,
            &NewCampaign {
                unit_code,
                name: f.name,
                starts_at,
                ends_at,
                goal: f.goal,
                by: p.login.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await?;
    Ok(after_write(&headers, "/campaigns".into(), StatusCode::OK))
}
