//! 反诈宣传: the talks and campaigns of one's area — filtered by period, kind and unit, paged,
//! CSV / XLSX — with the totals of each unit directly below (events, people reached, app
//! installs) against the year's targets and % done, and a form for the unit above to set
//! those targets. No personal data: the recorder's login is shown. Records are written from
//! the phone pages (`mobile.rs`); data from the store's [`fanzha_store::Outreach`], whose
//! writes are audited in the change's transaction.

use super::choices::non_empty;
use super::choices::{unit_choices, Choice};
use super::view::{date, midnight, pick};
use super::{render, Chrome};
use crate::auth::permission::{Permission, SetOutreachQuotas, ViewOutreach};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{OutreachFilter, OutreachKind, OutreachQuota, OutreachTotals, PageRequest};
use serde::Deserialize;
use std::collections::HashMap;

/// Records per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `records` (default) or `units`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// `part / whole` as a percentage, `—` without a target.
fn percent(part: i64, whole: Option<i64>) -> String {
    match whole {
        Some(w) if w > 0 => format!("{:.1}%", part as f64 * 100.0 / w as f64),
        _ => "—".into(),
    }
}

struct Row {
    held_on: String,
    unit: String,
    kind: &'static str,
    audience: &'static str,
    place: String,
    people_reached: i64,
    app_registrations: i64,
    materials: i64,
    consultations: i64,
    note: String,
    created_by: String,
}

/// A unit directly below with its totals against its target.
struct UnitLine {
    code: String,
    name: String,
    totals: OutreachTotals,
    quota_events: Option<i64>,
    quota_people: Option<i64>,
    events_done: String,
    people_done: String,
}

#[derive(Template)]
#[template(path = "outreach.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    year: i32,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    unit_name: String,
    totals: OutreachTotals,
    lines: Vec<UnitLine>,
    /// Whether the caller may set the targets shown (their own unit's, below it).
    set_quotas: bool,
    rows: Vec<Row>,
    query: String,
    next: Option<String>,
    paged: bool,
}

/// `GET /outreach[?from=&until=&kind=&unit=][&format=csv|xlsx][&after=KEY]`: the period is
/// `from` to `until` inclusive (Shanghai dates; the current year to today by default).
pub async fn list(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/outreach");
    let lang = chrome.lang;
    let today = state.today()?;
    let from = match non_empty(&q.from) {
        Some(v) => date(v)?,
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let until = match non_empty(&q.until) {
        Some(v) => date(v)?,
        None => today,
    };
    let kind = non_empty(&q.kind)
        .map(|v| {
            OutreachKind::parse(v)
                .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{v}`")))
        })
        .transpose()?;
    let filter = OutreachFilter {
        from: Some(midnight(from)?),
        until: Some(midnight(until.succ_opt().unwrap_or(until))?),
        kind,
    };
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let repo = state.store.outreach();
    let year = from.year();
    let page = match q.format {
        Some(_) => {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            every_page("outreach records", move |r| async move {
                Ok(repo.list(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            };
            repo.list(&scope, &filter, &request).await?
        }
    };
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for e in page.items {
        let unit = match names.get(&e.unit_code) {
            Some(n) => n.clone(),
            None => {
                let n = state.unit_name(&e.unit_code).await;
                names.insert(e.unit_code.clone(), n.clone());
                n
            }
        };
        rows.push(Row {
            held_on: format_shanghai_date(e.held_on),
            unit,
            kind: pick(lang, e.kind.zh(), e.kind.en()),
            audience: pick(lang, e.audience.zh(), e.audience.en()),
            place: e.place,
            people_reached: e.people_reached,
            app_registrations: e.app_registrations,
            materials: e.materials,
            consultations: e.consultations,
            note: e.note,
            created_by: e.created_by,
        });
    }
    let totals = repo.totals(&scope, &filter).await?;
    let mut lines = Vec::new();
    for (unit, t) in repo.totals_below(&scope, &unit_code, &filter).await? {
        let quota = repo.quota(&scope, &unit.code, i64::from(year)).await?;
        let (qe, qp) = (
            quota.as_ref().map(|q| q.events),
            quota.as_ref().map(|q| q.people),
        );
        lines.push(UnitLine {
            events_done: percent(t.events, qe),
            people_done: percent(t.people_reached, qp),
            code: unit.code,
            name: unit.name,
            totals: t,
            quota_events: qe,
            quota_people: qp,
        });
    }
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from.to_string());
        query.append_pair("until", &until.to_string());
        if let Some(k) = kind {
            query.append_pair("kind", k.as_str());
        }
        if unit_code != own_unit {
            query.append_pair("unit", &unit_code);
        }
        query.finish()
    };
    let units = unit_choices(&state, &own_unit, &unit_code).await?;
    let page = ListPage {
        from: from.to_string(),
        until: until.to_string(),
        year,
        kinds: OutreachKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: kind == Some(*k),
            })
            .collect(),
        units,
        unit_name: state.unit_name(&unit_code).await,
        totals,
        lines,
        set_quotas: SetOutreachQuotas::allows(&auth.principal) && unit_code == own_unit,
        rows,
        query,
        next: page.next,
        paged: q.after.is_some(),
        lang,
        chrome,
    };
    if let Some(format) = q.format {
        return export(page).respond(format, q.section.as_deref());
    }
    render(&page).map(IntoResponse::into_response)
}

/// The records (CSV's default) and the units below against their targets, with the total.
fn export(page: ListPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let heads = |keys: &[&str]| keys.iter().map(|k| t(k)).collect::<Vec<_>>();
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut units: Vec<Vec<String>> = page
        .lines
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                l.totals.events.to_string(),
                opt(l.quota_events),
                l.events_done.clone(),
                l.totals.people_reached.to_string(),
                opt(l.quota_people),
                l.people_done.clone(),
                l.totals.app_registrations.to_string(),
                l.totals.face_to_face_events.to_string(),
                l.totals.materials.to_string(),
                l.totals.consultations.to_string(),
            ]
        })
        .collect();
    units.push(vec![
        format!("{}{}", page.unit_name, t("outreach_whole_area")),
        page.totals.events.to_string(),
        String::new(),
        String::new(),
        page.totals.people_reached.to_string(),
        String::new(),
        String::new(),
        page.totals.app_registrations.to_string(),
        page.totals.face_to_face_events.to_string(),
        page.totals.materials.to_string(),
        page.totals.consultations.to_string(),
    ]);
    let records = page
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.held_on,
                r.unit,
                r.kind.to_string(),
                r.audience.to_string(),
                r.place,
                r.people_reached.to_string(),
                r.app_registrations.to_string(),
                r.materials.to_string(),
                r.consultations.to_string(),
                r.note,
                r.created_by,
            ]
        })
        .collect();
    Sheets {
        name: format!("outreach_{}_{}", page.from, page.until),
        sheets: vec![
            Sheet {
                key: "records",
                title: t("outreach_records"),
                table: Table {
                    name: String::new(),
                    headers: heads(&[
                        "outreach_held_on",
                        "unit",
                        "outreach_kind",
                        "outreach_audience",
                        "outreach_place",
                        "outreach_people",
                        "outreach_apps",
                        "outreach_materials",
                        "outreach_consultations",
                        "outreach_note",
                        "outreach_recorded_by",
                    ]),
                    rows: records,
                },
            },
            Sheet {
                key: "units",
                title: t("outreach_by_unit"),
                table: Table {
                    name: String::new(),
                    headers: heads(&[
                        "unit",
                        "outreach_events",
                        "outreach_quota_events",
                        "outreach_done",
                        "outreach_people",
                        "outreach_quota_people",
                        "outreach_done",
                        "outreach_apps",
                        "outreach_face_to_face",
                        "outreach_materials",
                        "outreach_consultations",
                    ]),
                    rows: units,
                },
            },
        ],
    }
}

#[derive(Debug, Deserialize)]
pub struct QuotaForm {
    unit_code: String,
    year: String,
    events: String,
    people: String,
}

fn number(value: &str, what: &str) -> Result<i64, WebError> {
    value
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number")))
}

/// `POST /outreach/quotas` (`unit_code`, `year`, `events`, `people`): sets the year's target
/// of a unit directly below one's own (audited by the store); answers with the page of that
/// year. A unit outside one's area answers not-found.
pub async fn set_quota(
    auth: Require<SetOutreachQuotas>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<QuotaForm>,
) -> Result<Response, WebError> {
    let own = &auth.principal.unit_code;
    let unit = state.unit_within(own, f.unit_code.trim()).await?;
    if unit.parent_code.as_deref() != Some(own.as_str()) {
        return Err(WebError::BadRequest(
            "targets are set for the units directly below one's own".into(),
        ));
    }
    let year = number(&f.year, "year")?;
    let quota = OutreachQuota {
        unit_code: unit.code,
        year,
        events: number(&f.events, "events")?,
        people: number(&f.people, "people")?,
        set_by: auth.principal.login.clone(),
        set_at: state.clock.now_ms(),
    };
    let scope = state.scope_of(own).await?;
    state.store.outreach().set_quota(&scope, &quota).await?;
    let to = format!("/outreach?from={year}-01-01&until={year}-12-31");
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::OK).into_response());
    }
    Ok(Redirect::to(&to).into_response())
}
