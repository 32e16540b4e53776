//! 指挥大屏: today's warnings, the closed loop's figures, the live stream, the unit ranking and
//! the load per unit. The counters and the stream are fragments that refresh on server-sent
//! events (`sse:change`), so the page moves while nobody touches it.

use super::view::{fraud_type_label, level_class, level_label};
use super::{render, Chrome};
use crate::auth::permission::{Permission, ViewDashboard, ViewWarnings};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::figures::{dashboard, Dashboard};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use fanzha_core::mask::mask_phone;
use fanzha_store::{PageRequest, StoredWarning};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    lang: Lang,
    chrome: Chrome,
    counters: Counters,
    live: LiveList,
}

#[derive(Template)]
#[template(path = "dashboard_counters.html")]
struct Counters {
    lang: Lang,
    d: Dashboard,
    /// The charts' data, read by app.js (not executable: CSP allows no inline script).
    chart_json: String,
}

#[derive(Template)]
#[template(path = "dashboard_live.html")]
struct LiveList {
    lang: Lang,
    items: Vec<LiveItem>,
    /// Whether the viewer may open a warning (leaders see the stream, not the files).
    linked: bool,
}

struct LiveItem {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    clock: String,
    fraud_type: String,
    unit: String,
    msisdn: String,
    source: String,
}

async fn counters(state: &AppState, unit: &str, lang: Lang) -> Result<Counters, WebError> {
    let scope = state.scope_of(unit).await?;
    let d = dashboard(state, &scope, unit, state.clock.now_ms()).await?;
    let chart_json = serde_json::json!({
        "hours": (0..24).map(|h| format!("{h:02}")).collect::<Vec<_>>(),
        "red": d.hourly.iter().map(|h| h[0]).collect::<Vec<_>>(),
        "orange": d.hourly.iter().map(|h| h[1]).collect::<Vec<_>>(),
        "yellow": d.hourly.iter().map(|h| h[2]).collect::<Vec<_>>(),
        "units": d.ranking.iter().map(|u| serde_json::json!({
            "name": u.name, "value": u.instructions.max(1), "open": u.open, "overdue": u.overdue,
        })).collect::<Vec<_>>(),
        "labels": {
            "red": level_label(lang, 1), "orange": level_label(lang, 2), "yellow": level_label(lang, 3),
            "overdue": lang.t("overdue"), "open": lang.t("open_instructions"),
        },
    })
    .to_string()
    // Safe inside <script type="application/json">: no "</script>" can close it early.
    .replace('<', "\\u003c");
    Ok(Counters {
        lang,
        d,
        chart_json,
    })
}

async fn live(state: &AppState, p: &Principal, lang: Lang) -> Result<LiveList, WebError> {
    let unit = &p.unit_code;
    let scope = state.scope_of(unit).await?;
    let since = state.clock.now_ms() - 24 * 3_600_000;
    let page = state
        .store
        .warnings()
        .recent(&scope, since, None, &PageRequest::first(30))
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for w in page.items {
        items.push(live_item(state, lang, w).await?);
    }
    Ok(LiveList {
        lang,
        items,
        linked: ViewWarnings::allows(p),
    })
}

async fn live_item(state: &AppState, lang: Lang, w: StoredWarning) -> Result<LiveItem, WebError> {
    let unit = state
        .store
        .units()
        .find(&w.unit_code)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| w.unit_code.clone());
    Ok(LiveItem {
        level_class: level_class(w.level),
        level_label: level_label(lang, w.level),
        clock: super::view::clock(w.detected_at),
        fraud_type: fraud_type_label(lang, w.fraud_type.as_deref()),
        msisdn: w.msisdn.as_deref().map(mask_phone).unwrap_or_default(),
        source: match w.source.as_str() {
            "national_push" => lang.t("source_national_push").to_string(),
            "manual" => lang.t("source_manual").to_string(),
            _ => lang.t("source_engine").to_string(),
        },
        unit,
        id: w.id,
    })
}

pub async fn show(
    auth: Require<ViewDashboard>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/dashboard");
    let lang = chrome.lang;
    let unit = &auth.principal.unit_code;
    let page = DashboardPage {
        lang,
        counters: counters(&state, unit, lang).await?,
        live: live(&state, &auth.principal, lang).await?,
        chrome,
    };
    render(&page)
}

/// `GET /dashboard/counters`: the figures fragment.
pub async fn counters_fragment(
    auth: Require<ViewDashboard>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    render(&counters(&state, &auth.principal.unit_code, lang).await?)
}

/// `GET /dashboard/live`: the live warning stream fragment.
pub async fn live_fragment(
    auth: Require<ViewDashboard>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    render(&live(&state, &auth.principal, lang).await?)
}
