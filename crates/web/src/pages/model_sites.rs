//! 反诈示范点: the units directly below one's own (or a unit of one's area) checked against the
//! criteria of a model site over a period — cases per 10,000 residents at most, residents aged
//! 16–60 on the national anti-fraud app at least, awareness events at least — with the same
//! per-unit figures as the composite assessment ([`super::assessment::gather`]); the titles
//! standing, those no longer meeting the criteria marked for review (复核不达标); awarding (授牌)
//! and revoking (摘牌) with why; CSV / XLSX of the check. Titles from the store's
//! [`fanzha_store::ModelSites`], audited in the change's transaction.

use super::assessment::{gather, UnitFigures};
use super::choices::Choice;
use super::days_period::{period, period_choices};
use super::view::time;
use super::{after_write, render, Chrome};
use crate::assessment::{Better, Indicator, Method, Scheme, Weighted};
use crate::auth::permission::{ManageModelSites, Permission, ViewStatistics};
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
use fanzha_store::ModelSite;
use serde::Deserialize;
use std::collections::HashMap;

/// The criteria of a model site, as the form sets them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Criteria {
    /// Cases per 10,000 residents in the period, at most.
    pub max_cases_per_10k: f64,
    /// Residents aged 16–60 registered on the national app, at least (0–1).
    pub min_registration: f64,
    /// Awareness events held in the period, at least.
    pub min_events: i64,
}

impl Default for Criteria {
    fn default() -> Criteria {
        Criteria {
            max_cases_per_10k: 1.0,
            min_registration: 0.6,
            min_events: 6,
        }
    }
}

/// How a unit stands against each criterion: `None` where it has no base (no population, no
/// residents aged 16–60 on record) — which does not meet the criterion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    pub cases_per_10k: Option<f64>,
    pub registration: Option<f64>,
    pub events: i64,
}

impl Check {
    fn of(f: &UnitFigures) -> Check {
        Check {
            cases_per_10k: f.value(Indicator::CasesPer10k),
            registration: f.value(Indicator::AppRegistration),
            events: f.outreach.events,
        }
    }

    pub fn cases_ok(&self, c: &Criteria) -> bool {
        self.cases_per_10k.is_some_and(|v| v <= c.max_cases_per_10k)
    }

    pub fn registration_ok(&self, c: &Criteria) -> bool {
        self.registration.is_some_and(|v| v >= c.min_registration)
    }

    pub fn events_ok(&self, c: &Criteria) -> bool {
        self.events >= c.min_events
    }

    /// Meets every criterion.
    pub fn met(&self, c: &Criteria) -> bool {
        self.cases_ok(c) && self.registration_ok(c) && self.events_ok(c)
    }
}

/// The figures the check needs, and only those.
fn scheme() -> Scheme {
    let w = |indicator, weight, better| Weighted {
        indicator,
        weight,
        better,
    };
    Scheme {
        method: Method::MinMax,
        floor: 0.0,
        indicators: vec![
            w(Indicator::CasesPer10k, 34.0, Better::Lower),
            w(Indicator::AppRegistration, 33.0, Better::Higher),
            w(Indicator::OutreachEvents, 33.0, Better::Higher),
        ],
    }
}

struct Row {
    code: String,
    name: String,
    cases: i64,
    check: Check,
    cases_ok: bool,
    registration_ok: bool,
    events_ok: bool,
    met: bool,
    site: Option<ModelSite>,
    awarded: String,
}

impl Row {
    fn cases_per_10k(&self) -> String {
        self.check
            .cases_per_10k
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "—".into())
    }

    fn registration(&self) -> String {
        self.check
            .registration
            .map(|v| format!("{:.1}%", v * 100.0))
            .unwrap_or_else(|| "—".into())
    }
}

/// A standing title deeper in the area than the units checked.
struct DeeperSite {
    id: i64,
    unit: String,
    awarded: String,
}

#[derive(Template)]
#[template(path = "model_sites.html")]
struct SitesPage {
    lang: Lang,
    chrome: Chrome,
    unit_code: String,
    unit_name: String,
    periods: Vec<Choice>,
    days: i64,
    criteria: Criteria,
    min_registration_pct: String,
    rows: Vec<Row>,
    met: usize,
    standing: usize,
    review: usize,
    deeper: Vec<DeeperSite>,
    can_manage: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct SitesQuery {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    max_cases: Option<String>,
    /// Percent.
    #[serde(default)]
    min_registration: Option<String>,
    #[serde(default)]
    min_events: Option<String>,
    format: Option<ExportFormat>,
}

fn number(field: &str, v: Option<&str>, default: f64, max: f64) -> Result<f64, WebError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && (0.0..=max).contains(n))
            .ok_or_else(|| WebError::BadRequest(format!("{field}: a number from 0 to {max}"))),
    }
}

fn criteria(q: &SitesQuery) -> Result<Criteria, WebError> {
    let d = Criteria::default();
    Ok(Criteria {
        max_cases_per_10k: number(
            "max_cases",
            q.max_cases.as_deref(),
            d.max_cases_per_10k,
            10_000.0,
        )?,
        min_registration: number(
            "min_registration",
            q.min_registration.as_deref(),
            d.min_registration * 100.0,
            100.0,
        )? / 100.0,
        min_events: number(
            "min_events",
            q.min_events.as_deref(),
            d.min_events as f64,
            10_000.0,
        )? as i64,
    })
}

/// `GET /model-sites[?unit=][&days=365|90|30|7][&max_cases=][&min_registration=][&min_events=]
/// [&format=csv|xlsx]`: the units directly below `unit` (one's own by default) checked against
/// the criteria over the period (the last 365 days by default), with their titles.
pub async fn list(
    auth: Require<ViewStatistics>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SitesQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/model-sites");
    let lang = chrome.lang;
    let p = &auth.principal;
    let own = state.scope_of(&p.unit_code).await?;
    let unit_code = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => p.unit_code.clone(),
        Some(u) => match state.store.units().find(u).await? {
            Some(found) if own.contains_path(&found.path) => found.code,
            _ => {
                return Err(fanzha_store::StoreError::NotFound {
                    what: "unit",
                    key: u.to_string(),
                }
                .into())
            }
        },
    };
    let criteria = criteria(&q)?;
    let period = period(&state, q.days.as_deref().or(Some("365")))?;
    let now = state.clock.now_ms();
    let children = state.store.units().children(&unit_code).await?;
    let figures = gather(
        &state,
        &scheme(),
        &unit_code,
        &children,
        (period.from, period.until),
        now,
    )
    .await?;
    let area = state.scope_of(&unit_code).await?;
    let mut standing: HashMap<String, ModelSite> = state
        .store
        .model_sites()
        .list(&area, false)
        .await?
        .into_iter()
        .map(|s| (s.unit_code.clone(), s))
        .collect();
    let mut rows: Vec<Row> = children
        .iter()
        .zip(&figures)
        .map(|(u, f)| {
            let check = Check::of(f);
            let site = standing.remove(&u.code);
            Row {
                code: u.code.clone(),
                name: u.name.clone(),
                cases: f.cases,
                cases_ok: check.cases_ok(&criteria),
                registration_ok: check.registration_ok(&criteria),
                events_ok: check.events_ok(&criteria),
                met: check.met(&criteria),
                awarded: site
                    .as_ref()
                    .map(|s| format!("{} · {}", time(s.awarded_at), s.awarded_by))
                    .unwrap_or_default(),
                site,
                check,
            }
        })
        .collect();
    // Titles to review first, then the units meeting the criteria, then the rest.
    rows.sort_by_key(|r| (r.site.is_none() || r.met, !r.met, r.site.is_none()));
    if let Some(format) = q.format {
        return export(lang, &rows).respond(format);
    }
    let mut deeper = Vec::new();
    for s in standing.into_values() {
        deeper.push(DeeperSite {
            id: s.id,
            unit: state.unit_name(&s.unit_code).await,
            awarded: format!("{} · {}", time(s.awarded_at), s.awarded_by),
        });
    }
    render(&SitesPage {
        unit_name: state.unit_name(&unit_code).await,
        periods: period_choices(lang, period.days),
        days: period.days,
        min_registration_pct: format!("{:.0}", criteria.min_registration * 100.0),
        met: rows.iter().filter(|r| r.met).count(),
        standing: rows.iter().filter(|r| r.site.is_some()).count() + deeper.len(),
        review: rows.iter().filter(|r| r.site.is_some() && !r.met).count(),
        can_manage: ManageModelSites::allows(p),
        criteria,
        rows,
        deeper,
        unit_code,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn export(lang: Lang, rows: &[Row]) -> Table {
    let heads = [
        "unit",
        "ms_cases",
        "ms_cases_per_10k",
        "ms_registration",
        "ms_events",
        "ms_met",
        "ms_title",
    ];
    let yes = |b: bool| lang.t(if b { "ms_yes" } else { "ms_no" }).to_string();
    Table {
        name: "model_sites".into(),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.cases.to_string(),
                    r.cases_per_10k(),
                    r.registration(),
                    r.check.events.to_string(),
                    yes(r.met),
                    r.awarded.clone(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct AwardForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    note: String,
    /// Where to go back to (the checked unit's page).
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> String {
    match back.trim() {
        b if b.chars().all(|c| c.is_ascii_alphanumeric()) && !b.is_empty() => {
            format!("/model-sites?unit={b}")
        }
        _ => "/model-sites".into(),
    }
}

/// `POST /model-sites` (`unit_code`, `note`, `back`): awards a unit of one's area the title
/// (audited).
pub async fn award(
    auth: Require<ManageModelSites>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<AwardForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .model_sites()
        .award(
            &scope,
            f.unit_code.trim(),
            &f.note,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(&headers, back_to(&f.back), StatusCode::OK))
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    back: String,
}

/// `POST /model-sites/{id}/revoke` (`reason`, `version` read, `back`): takes a title back
/// (audited).
pub async fn revoke(
    auth: Require<ManageModelSites>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<RevokeForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .model_sites()
        .revoke(
            &scope,
            id,
            &f.reason,
            f.version,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(&headers, back_to(&f.back), StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_meets_the_criteria_only_with_every_base_known() {
        let c = Criteria::default();
        let good = Check {
            cases_per_10k: Some(0.8),
            registration: Some(0.61),
            events: 6,
        };
        assert!(good.met(&c));
        for bad in [
            Check {
                cases_per_10k: Some(1.01),
                ..good
            },
            Check {
                cases_per_10k: None,
                ..good
            },
            Check {
                registration: Some(0.59),
                ..good
            },
            Check {
                registration: None,
                ..good
            },
            Check { events: 5, ..good },
        ] {
            assert!(!bad.met(&c), "{bad:?}");
        }
    }

    #[test]
    fn the_criteria_come_from_the_form_within_bounds() {
        let q = SitesQuery {
            max_cases: Some("2.5".into()),
            min_registration: Some("75".into()),
            min_events: Some(" 12 ".into()),
            ..SitesQuery::default()
        };
        assert_eq!(
            criteria(&q).unwrap(),
            Criteria {
                max_cases_per_10k: 2.5,
                min_registration: 0.75,
                min_events: 12
            }
        );
        assert_eq!(
            criteria(&SitesQuery::default()).unwrap(),
            Criteria::default()
        );
        for bad in ["-1", "abc", "NaN", "101"] {
            let q = SitesQuery {
                min_registration: Some(bad.into()),
                ..SitesQuery::default()
            };
            assert!(criteria(&q).is_err(), "{bad}");
        }
    }
}
