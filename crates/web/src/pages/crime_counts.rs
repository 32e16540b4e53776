//! 刑事案件立案数 and 电诈案件占刑事案件比: for a year and a unit of one's area, each month's
//! telecom-fraud cases, the criminal cases entered, the share, the same month a year earlier
//! and the change in percentage points (`crate::crime_share`); the figures entered by the unit
//! and the units directly below it, month by month; and a form to enter or correct a unit's
//! figure (an empty figure removes it). CSV / XLSX of the months. No personal data; entries
//! are audited by the store.

use super::choices::{non_empty, unit_choices, Choice};
use super::figure_imports::FigureImportView;
use super::view::form_month as parse_month;
use super::{after_write, render, Chrome};
use crate::auth::permission::{EnterCrimeCounts, Permission, ViewStatistics};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::crime_share::{crime_share, points_label, share_label, MonthShare};
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
}

/// A month's line.
struct MonthLine {
    label: String,
    fraud_cases: i64,
    /// Empty when nobody entered the month.
    criminal: String,
    units: String,
    share: String,
    last_year_fraud: i64,
    last_year_criminal: String,
    last_year_share: String,
    change: String,
}

/// A unit's entries, month by month (empty where none).
struct EntryLine {
    code: String,
    name: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "crime_counts.html")]
struct CountsPage {
    lang: Lang,
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    units: Vec<Choice>,
    unit_code: String,
    unit_name: String,
    lines: Vec<MonthLine>,
    total: MonthLine,
    entries: Vec<EntryLine>,
    /// "1月" … "12月" / "Jan" … "Dec".
    month_heads: Vec<String>,
    /// The units the caller may enter a figure for (this unit and those directly below).
    entry_units: Vec<Choice>,
    enter: bool,
    /// The newest month that may be entered, `YYYY-MM`.
    max_month: String,
    query: String,
    /// What a file import just did.
    import: Option<FigureImportView>,
}

fn opt(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

fn line(lang: Lang, label: String, now: &[MonthShare], before: &[MonthShare]) -> MonthLine {
    let share = crate::crime_share::CrimeShare {
        months: now.to_vec(),
        last_year: before.to_vec(),
    };
    // Once a month has an entry, the fraud cases are those of the months entered, so the
    // line's share is its two figures' ratio; before any entry, all of them.
    let (fraud, criminal, entered) = share.totals();
    let (last_fraud, last_criminal, last_entered) = share.last_year_totals();
    let units: i64 = now
        .iter()
        .filter_map(|m| m.criminal.map(|c| c.units))
        .max()
        .unwrap_or(0);
    MonthLine {
        label,
        fraud_cases: if entered > 0 {
            fraud
        } else {
            now.iter().map(|m| m.fraud_cases).sum()
        },
        criminal: if entered > 0 {
            criminal.to_string()
        } else {
            String::new()
        },
        units: if entered > 0 {
            units.to_string()
        } else {
            String::new()
        },
        share: share_label(share.share()),
        last_year_fraud: if last_entered > 0 {
            last_fraud
        } else {
            before.iter().map(|m| m.fraud_cases).sum()
        },
        last_year_criminal: if last_entered > 0 {
            last_criminal.to_string()
        } else {
            String::new()
        },
        last_year_share: share_label(share.last_year_share()),
        change: points_label(lang, share.change_points()),
    }
}

/// `GET /crime-counts[?year=YYYY&unit=CODE][&format=csv|xlsx]`.
pub async fn page(
    auth: Require<ViewStatistics>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    respond(&auth.principal, &auth.csrf_token, &state, &headers, q, None).await
}

/// The page of `q` for `principal`, with the result of a file import when there was one.
async fn respond(
    principal: &Principal,
    csrf_token: &str,
    state: &AppState,
    headers: &HeaderMap,
    q: PageQuery,
    import: Option<FigureImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(principal, csrf_token, headers, "/crime-counts");
    let lang = chrome.lang;
    let today = state.today()?;
    let year = super::view::year_param(non_empty(&q.year), today)?;
    let own_unit = principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let this_month = i64::from(today.year()) * 100 + i64::from(today.month());
    let months: Vec<i64> = (1..=12)
        .map(|m| i64::from(year) * 100 + m)
        .filter(|m| *m <= this_month)
        .collect();
    let share = crime_share(state, &scope, &months).await?;
    let lines: Vec<MonthLine> = share
        .months
        .iter()
        .zip(&share.last_year)
        .map(|(now, before)| {
            let label = format!("{}-{:02}", now.month / 100, now.month % 100);
            line(
                lang,
                label,
                std::slice::from_ref(now),
                std::slice::from_ref(before),
            )
        })
        .collect();
    let total = line(
        lang,
        lang.t("crime_year_total").to_string(),
        &share.months,
        &share.last_year,
    );

    // The entries of this unit and those directly below it.
    let unit = state.store.units().get(&unit_code).await?;
    let mut shown = vec![(unit.code.clone(), unit.name.clone())];
    for child in state.store.units().children(&unit_code).await? {
        shown.push((child.code, child.name));
    }
    let first = i64::from(year) * 100 + 1;
    let entered: HashMap<(String, i64), i64> = state
        .store
        .crime_counts()
        .entries(&scope, first, first + 11)
        .await?
        .into_iter()
        .map(|e| ((e.unit_code, e.month), e.cases))
        .collect();
    let entries = shown
        .iter()
        .map(|(code, name)| EntryLine {
            code: code.clone(),
            name: name.clone(),
            cells: (0..12)
                .map(|i| opt(entered.get(&(code.clone(), first + i)).copied()))
                .collect(),
        })
        .collect();
    let entry_units = shown
        .iter()
        .map(|(code, name)| Choice {
            value: code.clone(),
            label: name.clone(),
            selected: false,
        })
        .collect();
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("year", &year.to_string());
        if unit_code != own_unit {
            query.append_pair("unit", &unit_code);
        }
        query.finish()
    };
    let page = CountsPage {
        year,
        years: (2000.max(today.year() - 5)..=today.year()).rev().collect(),
        units: unit_choices(state, &own_unit, &unit_code).await?,
        unit_name: unit.name.clone(),
        unit_code,
        lines,
        total,
        entries,
        month_heads: super::view::month_heads(lang),
        entry_units,
        enter: EnterCrimeCounts::allows(principal),
        import,
        max_month: format!("{}-{:02}", today.year(), today.month()),
        query,
        lang,
        chrome,
    };
    if let Some(format) = q.format {
        return export(page).respond(format, None);
    }
    render(&page).map(IntoResponse::into_response)
}

fn export(page: CountsPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let rows = page
        .lines
        .iter()
        .chain(std::iter::once(&page.total))
        .map(|l| {
            vec![
                l.label.clone(),
                l.fraud_cases.to_string(),
                l.criminal.clone(),
                l.share.clone(),
                l.last_year_fraud.to_string(),
                l.last_year_criminal.clone(),
                l.last_year_share.clone(),
                l.change.clone(),
            ]
        })
        .collect();
    Sheets {
        name: format!("crime_share_{}_{}", page.unit_code, page.year),
        sheets: vec![Sheet {
            key: "months",
            title: t("crime_title"),
            table: Table {
                name: format!("{} {}", page.unit_name, page.year),
                headers: [
                    "crime_month",
                    "crime_fraud_cases",
                    "crime_criminal_cases",
                    "crime_share",
                    "crime_last_year_fraud",
                    "crime_last_year_criminal",
                    "crime_last_year_share",
                    "crime_change",
                ]
                .iter()
                .map(|k| t(k))
                .collect(),
                rows,
            },
        }],
    }
}

#[derive(Debug, Deserialize)]
pub struct EntryForm {
    unit_code: String,
    /// `YYYY-MM`.
    month: String,
    /// Empty: remove the entry.
    #[serde(default)]
    cases: String,
}

/// `POST /crime-counts` (`unit_code`, `month` as `YYYY-MM`, `cases`; empty `cases` removes the
/// entry): enters a unit's criminal cases of a month (audited by the store) and answers with
/// the page of that year and unit. A unit outside one's area answers not-found; a month in the
/// future or a negative count is refused.
pub async fn enter(
    auth: Require<EnterCrimeCounts>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<EntryForm>,
) -> Result<Response, WebError> {
    let own = &auth.principal.unit_code;
    let unit = state.unit_within(own, f.unit_code.trim()).await?;
    let month = parse_month(&f.month)?;
    let cases = match f.cases.trim().replace([',', '，'], "") {
        v if v.is_empty() => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            WebError::BadRequest(format!("cases must be a whole number, not `{v}`"))
        })?),
    };
    let scope = state.scope_of(own).await?;
    state
        .store
        .crime_counts()
        .set(
            &scope,
            &unit.code,
            month,
            cases,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    // Back to the page whose entry table holds the unit: one's own for itself and the units
    // directly below, else its parent's.
    let shown = match &unit.parent_code {
        Some(p) if unit.code != *own && p != own => format!("&unit={p}"),
        _ => String::new(),
    };
    let to = format!("/crime-counts?year={}{shown}", month / 100);
    Ok(after_write(&headers, to, StatusCode::OK))
}

/// `POST /crime-counts/import` (multipart: `file`, `format`): the statistics office's table of
/// criminal cases filed per unit and month, each row entered as the form enters it (audited by
/// the store); rows in error quarantined with line and reason. Answers the page with what the
/// import did.
pub async fn import(
    auth: Require<EnterCrimeCounts>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let done = super::figure_imports::crime_counts(&auth.principal, &state, multipart).await?;
    let q = PageQuery {
        year: done.latest_month.map(|m| (m / 100).to_string()),
        ..PageQuery::default()
    };
    respond(
        &auth.principal,
        &auth.csrf_token,
        &state,
        &headers,
        q,
        Some(done.view),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_the_form_sends_them() {
        assert_eq!(parse_month("2026-11").unwrap(), 202611);
        assert_eq!(parse_month(" 202601 ").unwrap(), 202601);
        for bad in ["2026-13", "26-11", "", "2026-1", "abcd-ef"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
