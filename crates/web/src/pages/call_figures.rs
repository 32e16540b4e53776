//! 外呼统计: the 96110 seat group's volume over a period — calls made (every attempt), connected,
//! 接通率, dissuaded, people called — by result and by seat, for the queue's area, with CSV /
//! XLSX. Bureaus report it as "拨打预警电话N次，劝阻群众M人次". Counted from the attempts the
//! store keeps with every recorded call ([`fanzha_store::CallTasks::call_figures`]).

use super::calls::result_label;
use super::statistics::rate_label;
use super::{render, Chrome};
use crate::auth::permission::ViewCallTasks;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::time::{format_shanghai, shanghai_date, shanghai_midnight};
use fanzha_store::{CallCounts, CallResult};
use serde::Deserialize;

/// The periods offered: (code, label key, days back including today).
const PERIODS: [(&str, &str, i64); 3] = [
    ("today", "cf_today", 1),
    ("7d", "cf_7d", 7),
    ("30d", "cf_30d", 30),
];

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Default, Deserialize)]
pub struct FiguresQuery {
    /// `today` (default), `7d` or `30d`: days back to Shanghai midnight, up to now.
    #[serde(default)]
    period: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `figures` (default), `results` or `seats`.
    #[serde(default)]
    section: Option<String>,
}

/// One line of counts (all calls or one seat).
struct CountsLine {
    label: String,
    calls: i64,
    connected: i64,
    connect_rate: String,
    dissuaded: i64,
}

fn line(label: String, c: &CallCounts) -> CountsLine {
    CountsLine {
        label,
        calls: c.calls,
        connected: c.connected,
        connect_rate: rate_label(c.connect_rate()),
        dissuaded: c.dissuaded,
    }
}

#[derive(Template)]
#[template(path = "call_figures.html")]
struct FiguresPage {
    lang: Lang,
    chrome: Chrome,
    period: &'static str,
    periods: Vec<(&'static str, &'static str, bool)>,
    span: String,
    all: CountsLine,
    people: i64,
    /// (code, label, calls).
    results: Vec<(&'static str, &'static str, i64)>,
    seats: Vec<CountsLine>,
}

/// `GET /calls/figures[?period=today|7d|30d][&format=csv|xlsx[&section=]]`.
pub async fn figures(
    auth: Require<ViewCallTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/calls");
    let lang = chrome.lang;
    let (period, _, days) = match q.period.as_deref().filter(|p| !p.is_empty()) {
        None => PERIODS[0],
        Some(code) => *PERIODS.iter().find(|(c, _, _)| *c == code).ok_or_else(|| {
            WebError::BadRequest(format!("unknown period `{code}`: today, 7d or 30d"))
        })?,
    };
    let now = state.clock.now_ms();
    let today = shanghai_date(now)
        .and_then(|d| shanghai_midnight(d).ok())
        .ok_or_else(|| WebError::BadRequest("the clock is out of range".into()))?;
    let from = today - (days - 1) * DAY_MS;
    let until = now + 1;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let f = state
        .store
        .call_tasks()
        .call_figures(&scope, from, until)
        .await?;
    let all = line(lang.t("all").to_string(), &f.all);
    let results: Vec<_> = CallResult::ALL
        .iter()
        .map(|r| (r.as_str(), result_label(lang, *r), f.all.of(*r)))
        .collect();
    let seats: Vec<CountsLine> = f
        .by_operator
        .iter()
        .map(|(seat, c)| line(seat.clone(), c))
        .collect();
    let span = format!("{} — {}", format_shanghai(from), format_shanghai(now));
    if let Some(format) = q.format {
        return export(lang, &span, &all, f.people, &results, &seats)
            .respond(format, q.section.as_deref());
    }
    render(&FiguresPage {
        period,
        periods: PERIODS
            .iter()
            .map(|(code, key, _)| (*code, lang.t(key), *code == period))
            .collect(),
        span,
        all,
        people: f.people,
        results,
        seats,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

const SEAT_HEADS: [&str; 5] = [
    "cf_seat",
    "cf_calls",
    "cf_connected",
    "cf_connect_rate",
    "cf_dissuaded",
];

fn export(
    lang: Lang,
    span: &str,
    all: &CountsLine,
    people: i64,
    results: &[(&'static str, &'static str, i64)],
    seats: &[CountsLine],
) -> Sheets {
    let figures = [
        ("cf_span", span.to_string()),
        ("cf_calls", all.calls.to_string()),
        ("cf_connected", all.connected.to_string()),
        ("cf_connect_rate", all.connect_rate.clone()),
        ("cf_dissuaded", all.dissuaded.to_string()),
        ("cf_people", people.to_string()),
    ];
    Sheets {
        name: "calls_figures".into(),
        sheets: vec![
            Sheet::figures(
                lang,
                figures
                    .into_iter()
                    .map(|(k, v)| (lang.t(k).to_string(), v))
                    .collect(),
            ),
            Sheet::new(
                lang,
                "results",
                "call_result",
                &["call_result", "cf_calls"],
                results
                    .iter()
                    .map(|(_, label, n)| vec![label.to_string(), n.to_string()])
                    .collect(),
            ),
            Sheet::new(
                lang,
                "seats",
                "cf_by_seat",
                &SEAT_HEADS,
                seats
                    .iter()
                    .map(|s| {
                        vec![
                            s.label.clone(),
                            s.calls.to_string(),
                            s.connected.to_string(),
                            s.connect_rate.clone(),
                            s.dissuaded.to_string(),
                        ]
                    })
                    .collect(),
            ),
        ],
    }
}
