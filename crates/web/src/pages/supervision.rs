//! 督导整治: the register of supervision measures — 约谈, 挂牌整治, 警示单 / 提示函, 临时关停
//! (outlets only) and 通报 — that the center or a county takes against townships and streets of
//! its tree and against bank outlets, telecom business halls and other organisations of its
//! area, with deadlines, rectification reports and closing (验收销号 / 摘牌).
//!
//! `/supervision` shows the figures of one's area (open, 挂牌 in force, overdue, awaiting
//! acceptance, returned, issued and closed in the period, by measure and per unit below), the list with
//! filters, paging and CSV / XLSX; `/supervision/new` the issue form with the evidence for
//! choosing a target (建议关注: the units below ranked by this year's 万人发案数, with their
//! 反诈宣传 against the year's target and their key persons in control) and, for a unit chosen
//! there, those figures written into the reason; `/supervision/{id}` a measure with its history
//! and the forms the caller may use — the report for the target's side (never the issuer's),
//! extend, return (验收不通过 / 退回整改) and close for the issuer's; `/supervision/{id}/notice`
//! the printable notice (约谈通知书, 挂牌整治通知书, 警示单, 临时关停整改通知书, 通报).
//!
//! Police read by their subtree; a bank liaison reads, and answers, only the measures addressed
//! to their own bank's outlets. Data from the store's [`fanzha_store::SupervisionRegister`],
//! whose writes are audited.

use super::choices::{bank_name, choices, non_empty, parse_or};
use super::choices::{unit_choices, Choice};
use super::view::{date, end_of_day, midnight, pick};
use super::{render, Chrome};
use crate::auth::permission::{ManageSupervision, Permission, ReplySupervision, ViewSupervision};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::{format_shanghai, format_shanghai_date, shanghai_date};
use fanzha_store::{
    effective_populations, MeasureKind, NewSupervision, OutreachFilter, PageRequest, Role, Scope,
    Supervision, SupervisionFigures, SupervisionFilter, SupervisionReason, SupervisionState,
    TargetKind, DEFAULT_RECTIFICATION_DAYS,
};
use serde::Deserialize;
use std::collections::HashMap;

/// Measures per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;
const DAY_MS: i64 = 86_400_000;

/// Who reads: the caller's subtree, and for a bank liaison their bank.
pub struct Reader {
    pub scope: Scope,
    pub bank: Option<String>,
}

impl Reader {
    fn bank(&self) -> Option<&str> {
        self.bank.as_deref()
    }
}

/// Police read their subtree; a bank liaison their subtree's measures against their own
/// bank's outlets (a liaison without a bank reads nothing).
pub async fn reader_of(state: &AppState, p: &Principal) -> Result<Reader, WebError> {
    let scope = state.scope_of(&p.unit_code).await?;
    let police = [Role::CenterAnalyst, Role::UnitCommander, Role::Leader]
        .iter()
        .any(|r| p.has_role(*r));
    let bank = if p.has_role(Role::BankLiaison) && !police {
        Some(
            p.bank_code
                .clone()
                .ok_or(WebError::Forbidden("bank_code"))?,
        )
    } else {
        None
    };
    Ok(Reader { scope, bank })
}

fn reasons_label(lang: Lang, m: &Supervision) -> String {
    m.reasons
        .iter()
        .map(|r| pick(lang, r.zh(), r.en()))
        .collect::<Vec<_>>()
        .join(pick(lang, "、", ", "))
}

/// The target as shown: its name, with the bank for a bank outlet.
fn target_label(m: &Supervision) -> String {
    match m.bank_code.as_deref() {
        Some(code) if !m.target_name.contains(&bank_name(code)) => {
            format!("{}（{}）", m.target_name, bank_name(code))
        }
        _ => m.target_name.clone(),
    }
}

/// A measure as listed: the reasons by name (their free text only on the measure's page).
struct Row {
    id: i64,
    target: String,
    target_kind: &'static str,
    measure_code: &'static str,
    measure: &'static str,
    reasons: String,
    unit: String,
    issuer: String,
    issued: String,
    deadline: String,
    extensions: i64,
    state_code: &'static str,
    state: &'static str,
    overdue: bool,
    replied: String,
    closed: String,
}

async fn cached_name(state: &AppState, names: &mut HashMap<String, String>, code: &str) -> String {
    if let Some(n) = names.get(code) {
        return n.clone();
    }
    let n = state.unit_name(code).await;
    names.insert(code.to_string(), n.clone());
    n
}

async fn rows_of(state: &AppState, lang: Lang, items: Vec<Supervision>, now: i64) -> Vec<Row> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(items.len());
    for m in items {
        let unit = cached_name(state, &mut names, &m.unit_code).await;
        let issuer = cached_name(state, &mut names, &m.issuer_unit).await;
        rows.push(Row {
            id: m.id,
            target: target_label(&m),
            target_kind: pick(lang, m.target_kind.zh(), m.target_kind.en()),
            measure_code: m.measure.as_str(),
            measure: pick(lang, m.measure.zh(), m.measure.en()),
            reasons: reasons_label(lang, &m),
            unit,
            issuer,
            issued: format_shanghai_date(m.issued_at),
            deadline: format_shanghai_date(m.deadline),
            extensions: m.extensions,
            state_code: m.state.as_str(),
            state: pick(lang, m.state.zh(), m.state.en()),
            overdue: m.overdue(now),
            replied: m.replied_at.map(format_shanghai_date).unwrap_or_default(),
            closed: m.closed_at.map(format_shanghai_date).unwrap_or_default(),
        });
    }
    rows
}

/// Figures as the page shows them.
struct Figures {
    total: i64,
    open: i64,
    listed_open: i64,
    overdue: i64,
    awaiting: i64,
    /// Not closed, returned at least once (退回整改中).
    returned: i64,
    issued_in_period: i64,
    closed_in_period: i64,
    /// (code, label, total, open, closed)
    by_measure: Vec<(&'static str, &'static str, i64, i64, i64)>,
}

fn figures_of(lang: Lang, f: &SupervisionFigures) -> Figures {
    Figures {
        total: f.total,
        open: f.open(),
        listed_open: f.listed_open(),
        overdue: f.overdue,
        awaiting: f.state(SupervisionState::Replied),
        returned: f.returned,
        issued_in_period: f.issued_in_period,
        closed_in_period: f.closed_in_period,
        by_measure: MeasureKind::ALL
            .iter()
            .map(|m| {
                let c = f.measure(*m);
                (
                    m.as_str(),
                    pick(lang, m.zh(), m.en()),
                    c.total,
                    c.open,
                    c.closed,
                )
            })
            .collect(),
    }
}

/// A unit directly below with its figures.
struct UnitLine {
    code: String,
    name: String,
    total: i64,
    open: i64,
    listed_open: i64,
    overdue: i64,
    closed_in_period: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// Issued from this Shanghai date (also the figures' period; this year by default).
    #[serde(default)]
    from: Option<String>,
    /// Issued until this Shanghai date, inclusive.
    #[serde(default)]
    until: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `measures` (default), `figures`, `by_measure` or `units`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    figures: Figures,
    lines: Vec<UnitLine>,
    can_issue: bool,
    bank_view: Option<String>,
    states: Vec<Choice>,
    measures: Vec<Choice>,
    targets: Vec<Choice>,
    units: Vec<Choice>,
    overdue_only: bool,
    from: String,
    until: String,
    rows: Vec<Row>,
    total: i64,
    query: String,
    next: Option<String>,
    paged: bool,
}

/// `GET /supervision[?state=&measure=&target=&overdue=1&unit=&from=&until=]
/// [&format=csv|xlsx][&after=KEY]`: figures of one's area (the period `from`–`until`, this
/// year by default, counts what was issued and closed in it), the units below, and the list
/// (issued inside `from`–`until` when either is given), latest first.
pub async fn list(
    auth: Require<ViewSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/supervision");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let today = state.today()?;
    let from_day = non_empty(&q.from).map(date).transpose()?;
    let until_day = non_empty(&q.until).map(date).transpose()?;
    let period_from = midnight(
        from_day.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today)),
    )?;
    let period_until = midnight(until_day.unwrap_or(today))? + DAY_MS;
    let filter = SupervisionFilter {
        state: parse_or(non_empty(&q.state), SupervisionState::parse, "state")?,
        measure: parse_or(non_empty(&q.measure), MeasureKind::parse, "measure")?,
        target_kind: parse_or(non_empty(&q.target), TargetKind::parse, "target")?,
        overdue: non_empty(&q.overdue).is_some_and(|v| v != "0"),
        from: from_day.is_some().then_some(period_from),
        until: until_day.is_some().then_some(period_until),
    };
    let p = &auth.principal;
    let own_unit = p.unit_code.clone();
    let reader = reader_of(&state, p).await?;
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let bank = reader.bank();
    let repo = state.store.supervision();
    let page = match q.format {
        Some(_) => {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            every_page("supervision measures", move |r| async move {
                Ok(repo.list(scope, bank, filter, &r, now).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            };
            repo.list(&scope, bank, &filter, &request, now).await?
        }
    };
    let rows = rows_of(&state, lang, page.items, now).await;
    let total = repo.count(&scope, bank, &filter, now).await?;
    let f = repo
        .figures(&scope, bank, period_from, period_until, now)
        .await?;
    let lines = repo
        .figures_below(&scope, bank, &unit_code, period_from, period_until, now)
        .await?
        .into_iter()
        .map(|(u, f)| UnitLine {
            code: u.code,
            name: u.name,
            total: f.total,
            open: f.open(),
            listed_open: f.listed_open(),
            overdue: f.overdue,
            closed_in_period: f.closed_in_period,
        })
        .collect();
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", non_empty(&q.state)),
            ("measure", non_empty(&q.measure)),
            ("target", non_empty(&q.target)),
            ("overdue", filter.overdue.then_some("1")),
            (
                "unit",
                (unit_code != own_unit).then_some(unit_code.as_str()),
            ),
            ("from", non_empty(&q.from)),
            ("until", non_empty(&q.until)),
        ] {
            if let Some(v) = v {
                query.append_pair(k, v);
            }
        }
        query.finish()
    };
    let units = unit_choices(&state, &own_unit, &unit_code).await?;
    let page = ListPage {
        unit_name: state.unit_name(&unit_code).await,
        figures: figures_of(lang, &f),
        lines,
        can_issue: ManageSupervision::allows(p),
        bank_view: reader.bank.as_deref().map(bank_name),
        states: choices(
            SupervisionState::ALL,
            SupervisionState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        measures: choices(
            MeasureKind::ALL,
            MeasureKind::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.measure,
        ),
        targets: choices(
            TargetKind::ALL,
            TargetKind::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.target_kind,
        ),
        units,
        overdue_only: filter.overdue,
        from: format_shanghai_date(period_from),
        until: format_shanghai_date(period_until - DAY_MS),
        rows,
        total,
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

/// The measures (CSV's default), the figures, the figures per measure and per unit below.
fn export(page: ListPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let f = &page.figures;
    let figures = [
        ("sv_total_n", f.total),
        ("sv_open_n", f.open),
        ("sv_listed_open_n", f.listed_open),
        ("sv_overdue_n", f.overdue),
        ("sv_awaiting_n", f.awaiting),
        ("sv_returned_n", f.returned),
        ("sv_issued_in_period", f.issued_in_period),
        ("sv_closed_in_period", f.closed_in_period),
    ]
    .into_iter()
    .map(|(k, n)| vec![t(k), n.to_string()])
    .collect();
    let by_measure = f
        .by_measure
        .iter()
        .map(|(_, label, total, open, closed)| {
            vec![
                label.to_string(),
                total.to_string(),
                open.to_string(),
                closed.to_string(),
            ]
        })
        .collect();
    let units = page
        .lines
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                l.total.to_string(),
                l.open.to_string(),
                l.listed_open.to_string(),
                l.overdue.to_string(),
                l.closed_in_period.to_string(),
            ]
        })
        .collect();
    let measures = page
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.target,
                r.target_kind.to_string(),
                r.measure.to_string(),
                r.reasons,
                r.unit,
                r.issuer,
                r.issued,
                r.deadline,
                r.extensions.to_string(),
                r.state.to_string(),
                if r.overdue { lang.t("yes") } else { "" }.to_string(),
                r.replied,
                r.closed,
            ]
        })
        .collect();
    Sheets {
        name: format!("supervision_{}_{}", page.from, page.until),
        sheets: vec![
            Sheet::new(
                lang,
                "measures",
                "nav_supervision",
                &[
                    "col_id",
                    "sv_target",
                    "sv_target_kind",
                    "sv_measure",
                    "sv_reasons",
                    "unit",
                    "sv_issuer",
                    "sv_issued",
                    "sv_deadline",
                    "sv_extensions",
                    "col_status",
                    "sv_overdue",
                    "sv_replied_at",
                    "sv_closed_at",
                ],
                measures,
            ),
            Sheet::new(
                lang,
                "figures",
                "st_x_figures",
                &["st_x_figure", "st_x_value"],
                figures,
            ),
            Sheet::new(
                lang,
                "by_measure",
                "sv_measure",
                &["sv_measure", "sv_total_n", "sv_open_n", "sv_closed_n"],
                by_measure,
            ),
            Sheet::new(
                lang,
                "units",
                "sv_by_unit",
                &[
                    "unit",
                    "sv_total_n",
                    "sv_open_n",
                    "sv_listed_open_n",
                    "sv_overdue_n",
                    "sv_closed_in_period",
                ],
                units,
            ),
        ],
    }
}

/// A unit directly below the issuer, with the evidence for choosing it (建议关注).
pub struct Suggestion {
    pub code: String,
    pub name: String,
    /// Cases reported this year in its subtree.
    pub cases: i64,
    pub population: Option<i64>,
    /// 万人发案数 this year.
    pub per_10k: Option<f64>,
    pub outreach_events: i64,
    pub outreach_target: Option<i64>,
    pub people_reached: i64,
    pub people_target: Option<i64>,
    /// Key persons in control (在控).
    pub key_persons: i64,
    /// Measures against it (or inside it) not yet closed.
    pub open_measures: i64,
    /// Reasons the figures point to.
    pub reasons: Vec<SupervisionReason>,
}

impl Suggestion {
    fn per_10k_label(&self) -> String {
        self.per_10k
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".into())
    }

    fn events_done(&self) -> String {
        percent(self.outreach_events, self.outreach_target)
    }

    /// The reason text prefilled into the issue form.
    pub fn reason_text(&self, lang: Lang, year: i32, overall: Option<f64>) -> String {
        let overall = overall
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".into());
        let target = |t: Option<i64>| t.map(|t| t.to_string()).unwrap_or_else(|| "—".into());
        match lang {
            Lang::Zh => format!(
                "{name}：{year}年以来发案{cases}起，万人发案数{rate}（本辖区{overall}）；\
                 反诈宣传{events}/{events_target}场（完成{done}），覆盖{people}/{people_target}人；\
                 在控涉诈重点人员{kp}人。",
                name = self.name,
                cases = self.cases,
                rate = self.per_10k_label(),
                events = self.outreach_events,
                events_target = target(self.outreach_target),
                done = self.events_done(),
                people = self.people_reached,
                people_target = target(self.people_target),
                kp = self.key_persons,
            ),
            Lang::En => format!(
                "{name}: {cases} cases since 1 January {year}, {rate} per 10,000 residents \
                 (area: {overall}); awareness events {events}/{events_target} ({done}), people \
                 reached {people}/{people_target}; key persons in control: {kp}.",
                name = self.name,
                cases = self.cases,
                rate = self.per_10k_label(),
                events = self.outreach_events,
                events_target = target(self.outreach_target),
                done = self.events_done(),
                people = self.people_reached,
                people_target = target(self.people_target),
                kp = self.key_persons,
            ),
        }
    }
}

/// `part / whole` as a percentage, `—` without a target.
fn percent(part: i64, whole: Option<i64>) -> String {
    match whole {
        Some(w) if w > 0 => format!("{:.1}%", part as f64 * 100.0 / w as f64),
        _ => "—".into(),
    }
}

/// The units directly below `unit_code` ranked by this year's 万人发案数 (units without a
/// population last, by cases), with their 反诈宣传 against the year's target, key persons in
/// control and open measures; and the rate of `unit_code`'s whole area.
pub async fn suggestions(
    state: &AppState,
    scope: &Scope,
    unit_code: &str,
) -> Result<(Vec<Suggestion>, Option<f64>), WebError> {
    let now = state.clock.now_ms();
    let today = state.today()?;
    let year_start = midnight(NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today))?;
    let units = state.store.units();
    let subtree = units.subtree(unit_code, None).await?;
    let populations = effective_populations(&subtree);
    let paths: HashMap<&str, &str> = subtree
        .iter()
        .map(|u| (u.code.as_str(), u.path.as_str()))
        .collect();
    let children = units.children(unit_code).await?;
    let tally = state
        .store
        .cases()
        .tally(scope, year_start, now + 1)
        .await?;
    let mut cases: HashMap<&str, i64> = HashMap::new();
    let mut all_cases = 0;
    for t in &tally {
        all_cases += t.cases;
        let Some(path) = paths.get(t.unit_code.as_str()) else {
            continue;
        };
        if let Some(child) = children.iter().find(|c| path.starts_with(c.path.as_str())) {
            *cases.entry(child.code.as_str()).or_default() += t.cases;
        }
    }
    let outreach = state.store.outreach();
    let year_filter = OutreachFilter {
        from: Some(year_start),
        until: Some(now + 1),
        kind: None,
    };
    let totals: HashMap<String, fanzha_store::OutreachTotals> = outreach
        .totals_below(scope, unit_code, &year_filter)
        .await?
        .into_iter()
        .map(|(u, t)| (u.code, t))
        .collect();
    let measures = state.store.supervision();
    let open = SupervisionFilter::default();
    let mut out = Vec::with_capacity(children.len());
    for child in &children {
        let sub = units.scope(&child.code).await?;
        let quota = outreach
            .quota(scope, &child.code, i64::from(today.year()))
            .await?;
        let t = totals.get(&child.code).copied().unwrap_or_default();
        let key_persons = state
            .store
            .key_persons()
            .figures(&sub, now)
            .await?
            .in_control;
        let all = measures.count(&sub, None, &open, now).await?;
        let closed = measures
            .count(
                &sub,
                None,
                &SupervisionFilter {
                    state: Some(SupervisionState::Closed),
                    ..SupervisionFilter::default()
                },
                now,
            )
            .await?;
        let n = cases.get(child.code.as_str()).copied().unwrap_or(0);
        let population = populations.get(&child.code).copied();
        out.push(Suggestion {
            code: child.code.clone(),
            name: child.name.clone(),
            cases: n,
            population,
            per_10k: population
                .filter(|p| *p > 0)
                .map(|p| n as f64 * 10_000.0 / p as f64),
            outreach_events: t.events,
            outreach_target: quota.as_ref().map(|q| q.events),
            people_reached: t.people_reached,
            people_target: quota.as_ref().map(|q| q.people),
            key_persons,
            open_measures: all - closed,
            reasons: Vec::new(),
        });
    }
    let overall = populations
        .get(unit_code)
        .filter(|p| **p > 0)
        .map(|p| all_cases as f64 * 10_000.0 / *p as f64);
    // What the figures point to: a rate above the area's, 反诈宣传 behind the share of the
    // year gone, more key persons in control than the average unit below.
    let year_share = {
        let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let end = NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap_or(today);
        let days = (end - start).num_days().max(1) as f64;
        ((today - start).num_days() + 1) as f64 / days
    };
    let mean_kp = if out.is_empty() {
        0.0
    } else {
        out.iter().map(|s| s.key_persons).sum::<i64>() as f64 / out.len() as f64
    };
    for s in &mut out {
        if let (Some(r), Some(o)) = (s.per_10k, overall) {
            if r > o && s.cases > 0 {
                s.reasons.push(SupervisionReason::HighIncidence);
            }
        }
        if let Some(t) = s.outreach_target.filter(|t| *t > 0) {
            if (s.outreach_events as f64) < t as f64 * year_share {
                s.reasons.push(SupervisionReason::OutreachLacking);
            }
        }
        if s.key_persons > 0 && s.key_persons as f64 > mean_kp {
            s.reasons.push(SupervisionReason::KeyPersonControl);
        }
    }
    out.sort_by(|a, b| {
        b.per_10k
            .is_some()
            .cmp(&a.per_10k.is_some())
            .then(
                b.per_10k
                    .unwrap_or(0.0)
                    .partial_cmp(&a.per_10k.unwrap_or(0.0))
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(b.cases.cmp(&a.cases))
            .then(a.code.cmp(&b.code))
    });
    Ok((out, overall))
}

struct SuggestionRow {
    code: String,
    name: String,
    cases: i64,
    population: String,
    per_10k: String,
    outreach: String,
    events_done: String,
    key_persons: i64,
    open_measures: i64,
    reasons: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    /// A unit below one's own, chosen from the suggestions: prefilled as the target with its
    /// figures in the reason.
    #[serde(default)]
    unit: Option<String>,
}

#[derive(Template)]
#[template(path = "supervision_new.html")]
struct NewPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    year: i32,
    overall: String,
    suggestions: Vec<SuggestionRow>,
    /// Units of one's area a target may lie in (one's own first).
    areas: Vec<Choice>,
    target_kinds: Vec<Choice>,
    measures: Vec<Choice>,
    reasons: Vec<Choice>,
    banks: Vec<Choice>,
    target_name: String,
    reason_text: String,
    deadline_days: i64,
}

/// `GET /supervision/new[?unit=CODE]`: the issue form with 建议关注.
pub async fn new_form(
    auth: Require<ManageSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/supervision");
    let lang = chrome.lang;
    let own = auth.principal.unit_code.clone();
    let scope = state.scope_of(&own).await?;
    let (list, overall) = suggestions(&state, &scope, &own).await?;
    let chosen = match non_empty(&q.unit) {
        Some(code) => {
            let unit = state.unit_within(&own, code).await?;
            if unit.code == own {
                return Err(WebError::BadRequest(
                    "a unit is supervised by a unit above it".into(),
                ));
            }
            Some(unit)
        }
        None => None,
    };
    let year = state.today()?.year();
    let picked = chosen
        .as_ref()
        .and_then(|u| list.iter().find(|s| s.code == u.code));
    let (reason_text, picked_reasons) = match picked {
        Some(s) => (s.reason_text(lang, year, overall), s.reasons.clone()),
        None => (String::new(), Vec::new()),
    };
    let mut areas = vec![Choice {
        value: own.clone(),
        label: state.unit_name(&own).await,
        selected: chosen.is_none(),
    }];
    // Two levels below one's own, indented by level (tree order).
    let subtree = state.store.units().subtree(&own, Some(2)).await?;
    let top = subtree.first().map(|u| u.depth).unwrap_or(0);
    for u in subtree {
        if u.code == own {
            continue;
        }
        let indent = "\u{3000}".repeat(usize::try_from(u.depth - top - 1).unwrap_or(0));
        areas.push(Choice {
            selected: chosen.as_ref().is_some_and(|c| c.code == u.code),
            label: format!("{indent}└ {}", u.name),
            value: u.code,
        });
    }
    if let Some(c) = &chosen {
        if !areas.iter().any(|a| a.value == c.code) {
            areas.push(Choice {
                value: c.code.clone(),
                label: c.name.clone(),
                selected: true,
            });
        }
    }
    let suggestions = list
        .iter()
        .map(|s| SuggestionRow {
            code: s.code.clone(),
            name: s.name.clone(),
            cases: s.cases,
            population: s
                .population
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            per_10k: s.per_10k_label(),
            outreach: format!(
                "{}/{}",
                s.outreach_events,
                s.outreach_target
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "—".into())
            ),
            events_done: s.events_done(),
            key_persons: s.key_persons,
            open_measures: s.open_measures,
            reasons: s
                .reasons
                .iter()
                .map(|r| pick(lang, r.zh(), r.en()))
                .collect::<Vec<_>>()
                .join(pick(lang, "、", ", ")),
        })
        .collect();
    let banks = super::choices::bank_choices();
    render(&NewPage {
        unit_name: state.unit_name(&own).await,
        year,
        overall: overall
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".into()),
        suggestions,
        areas,
        target_kinds: choices(
            TargetKind::ALL,
            TargetKind::as_str,
            |s| pick(lang, s.zh(), s.en()),
            Some(TargetKind::Unit),
        ),
        measures: choices(
            MeasureKind::ALL,
            MeasureKind::as_str,
            |s| pick(lang, s.zh(), s.en()),
            Some(if chosen.is_some() {
                MeasureKind::Interview
            } else {
                MeasureKind::WarningNotice
            }),
        ),
        reasons: SupervisionReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: pick(lang, r.zh(), r.en()).into(),
                selected: picked_reasons.contains(r),
            })
            .collect(),
        banks,
        target_name: chosen.map(|u| u.name).unwrap_or_default(),
        reason_text,
        deadline_days: DEFAULT_RECTIFICATION_DAYS,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn redirect(headers: &HeaderMap, to: String) -> Response {
    if headers.contains_key("hx-request") {
        return ([("hx-redirect", to)], axum::http::StatusCode::OK).into_response();
    }
    Redirect::to(&to).into_response()
}

/// `POST /supervision` (`target_kind`, `unit_code` — the unit in whose area the target lies,
/// for a unit target the unit itself —, `target_name`, `bank_code` for a bank outlet,
/// `measure`, one `reason` per reason code, `reason_text`, `deadline_days` (30 by default)):
/// issues a measure from one's own unit (audited by the store) and answers with its page. A
/// unit outside one's area answers not-found.
pub async fn issue(
    auth: Require<ManageSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let target_kind = TargetKind::parse(&field("target_kind")).ok_or_else(|| {
        WebError::BadRequest(format!("unknown target kind `{}`", field("target_kind")))
    })?;
    let measure = MeasureKind::parse(&field("measure"))
        .ok_or_else(|| WebError::BadRequest(format!("unknown measure `{}`", field("measure"))))?;
    let reasons = pairs
        .iter()
        .filter(|(k, v)| k == "reason" && !v.trim().is_empty())
        .map(|(_, v)| {
            SupervisionReason::parse(v.trim())
                .ok_or_else(|| WebError::BadRequest(format!("unknown reason `{}`", v.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let deadline_days = match field("deadline_days") {
        d if d.is_empty() => DEFAULT_RECTIFICATION_DAYS,
        d => d
            .parse()
            .map_err(|_| WebError::BadRequest("deadline_days must be a whole number".into()))?,
    };
    let bank_code = Some(field("bank_code")).filter(|b| !b.is_empty());
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let m = state
        .store
        .supervision()
        .issue(
            &scope,
            &NewSupervision {
                target_kind,
                target_name: field("target_name"),
                // A bank is named only for a bank outlet; the form keeps the select for all.
                bank_code: bank_code.filter(|_| target_kind == TargetKind::BankOutlet),
                unit_code: field("unit_code"),
                measure,
                reasons,
                reason_text: field("reason_text"),
                issuer_unit: p.unit_code.clone(),
                issued_by: p.login.clone(),
                issued_at: state.clock.now_ms(),
                deadline_days,
            },
        )
        .await?;
    Ok(redirect(&headers, format!("/supervision/{}", m.id)))
}

struct HistoryRow {
    kind: &'static str,
    label: &'static str,
    at: String,
    actor: String,
    note: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "supervision_measure.html")]
struct MeasurePage {
    lang: Lang,
    chrome: Chrome,
    m: Supervision,
    target: String,
    target_kind: &'static str,
    measure: &'static str,
    state_label: &'static str,
    unit: String,
    issuer: String,
    issued: String,
    deadline: String,
    overdue: bool,
    history: Vec<HistoryRow>,
    can_reply: bool,
    /// Replying belongs to the target's side: the issuing side sees why it cannot.
    issuer_cannot_reply: bool,
    can_manage: bool,
    can_extend: bool,
    extensions_left: i64,
    next_deadline: String,
    /// The default date for a returned report (today + 15 days).
    return_deadline: String,
}

/// `GET /supervision/{id}`: the measure with its history, and the forms the caller may use.
pub async fn detail(
    auth: Require<ViewSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/supervision");
    let lang = chrome.lang;
    let p = &auth.principal;
    let reader = reader_of(&state, p).await?;
    let repo = state.store.supervision();
    let m = repo.get(&reader.scope, reader.bank(), id).await?;
    let events = repo.events(&reader.scope, reader.bank(), id).await?;
    let now = state.clock.now_ms();
    // Extend, return and close belong to the issuing unit's side; the report to the target's
    // (a unit below the issuer, or the outlet's bank liaison), never to the issuer's.
    let issuer_side = match state.store.units().find(&m.issuer_unit).await? {
        Some(u) => reader.scope.contains_path(&u.path),
        None => false,
    };
    let can_manage = ManageSupervision::allows(p) && issuer_side;
    let reply_side = reader.bank.is_some() || !issuer_side;
    let may_reply = ReplySupervision::allows(p) && m.state == SupervisionState::Issued;
    let history = events
        .iter()
        .map(|e| HistoryRow {
            kind: e.kind.as_str(),
            label: pick(lang, e.kind.zh(), e.kind.en()),
            at: format_shanghai(e.at),
            actor: e.actor.clone(),
            note: e.note.clone(),
            deadline: e.deadline.map(format_shanghai_date).unwrap_or_default(),
        })
        .collect();
    let next_deadline = shanghai_date(m.deadline.max(now) + 15 * DAY_MS)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let return_deadline = shanghai_date(now + fanzha_store::DEFAULT_RETURN_DAYS * DAY_MS)
        .map(|d| d.to_string())
        .unwrap_or_default();
    render(&MeasurePage {
        target: target_label(&m),
        target_kind: pick(lang, m.target_kind.zh(), m.target_kind.en()),
        measure: pick(lang, m.measure.zh(), m.measure.en()),
        state_label: pick(lang, m.state.zh(), m.state.en()),
        unit: state.unit_name(&m.unit_code).await,
        issuer: state.unit_name(&m.issuer_unit).await,
        issued: format_shanghai(m.issued_at),
        deadline: format_shanghai_date(m.deadline),
        overdue: m.overdue(now),
        history,
        can_reply: may_reply && reply_side,
        issuer_cannot_reply: may_reply && !reply_side,
        can_manage: can_manage && m.state == SupervisionState::Replied,
        can_extend: can_manage && m.extendable(),
        extensions_left: fanzha_store::MAX_EXTENSIONS - m.extensions,
        next_deadline,
        return_deadline,
        m,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    report: String,
}

/// `POST /supervision/{id}/reply` (`report`): records the rectification report (整改报告) of a
/// measure against one's area — a bank liaison's only against their bank's outlets. Outside,
/// not-found; from the issuing unit or a unit above it, forbidden (the target's unit or bank
/// reports); a report recorded before or a closed measure, a conflict.
pub async fn reply(
    auth: Require<ReplySupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ReplyForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let reader = reader_of(&state, p).await?;
    state
        .store
        .supervision()
        .reply(
            &reader.scope,
            reader.bank(),
            id,
            &f.report,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(redirect(&headers, format!("/supervision/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct ExtendForm {
    /// The new deadline, a Shanghai date (the measure is due by its end).
    deadline: String,
    note: String,
}

/// `POST /supervision/{id}/extend` (`deadline` as a date, `note`): extends the deadline to the
/// end of that day in Shanghai, at most twice. Only the issuing unit's side; outside one's
/// area, not-found; a third extension or a closed measure, a conflict.
pub async fn extend(
    auth: Require<ManageSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ExtendForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let until = end_of_day(date(f.deadline.trim())?)?;
    state
        .store
        .supervision()
        .extend(&scope, id, until, &f.note, &p.login, state.clock.now_ms())
        .await?;
    Ok(redirect(&headers, format!("/supervision/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct RejectForm {
    /// What is still missing (required).
    note: String,
    /// The new deadline, a Shanghai date (due by its end); empty: 15 days from now.
    #[serde(default)]
    deadline: Option<String>,
}

/// `POST /supervision/{id}/reject` (`note`, `deadline` as a date, optional): 验收不通过 /
/// 退回整改 — returns the rectification report, the measure is rectified and reported again
/// by the new deadline (15 days from now by default, at most a year). Only the issuing unit's
/// side, while a report awaits acceptance.
pub async fn reject(
    auth: Require<ManageSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<RejectForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let until = match non_empty(&f.deadline) {
        Some(d) => Some(end_of_day(date(d)?)?),
        None => None,
    };
    state
        .store
        .supervision()
        .reject(&scope, id, &f.note, until, &p.login, state.clock.now_ms())
        .await?;
    Ok(redirect(&headers, format!("/supervision/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    note: String,
}

/// `POST /supervision/{id}/close` (`note`): accepts the rectification and closes the measure
/// (验收销号 / 摘牌). Only the issuing unit's side, after the report.
pub async fn close(
    auth: Require<ManageSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CloseForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .supervision()
        .close(&scope, id, &f.note, &p.login, state.clock.now_ms())
        .await?;
    Ok(redirect(&headers, format!("/supervision/{id}")))
}

#[derive(Template)]
#[template(path = "supervision_notice.html")]
struct NoticePage {
    lang: Lang,
    title: &'static str,
    number: String,
    addressee: String,
    facts: String,
    decision: String,
    demand: String,
    issuer: String,
    date: String,
}

/// The notice's title for a measure.
pub fn notice_title(lang: Lang, measure: MeasureKind) -> &'static str {
    match measure {
        MeasureKind::Interview => pick(lang, "约谈通知书", "Notice of interview"),
        MeasureKind::Listed => pick(
            lang,
            "挂牌整治通知书",
            "Notice of listing for rectification",
        ),
        MeasureKind::WarningNotice => pick(lang, "警示单", "Warning notice"),
        MeasureKind::Closure => pick(
            lang,
            "临时关停整改通知书",
            "Notice of temporary closure for rectification",
        ),
        MeasureKind::Circulated => {
            pick(lang, "督导整改通报", "Circulated notice for rectification")
        }
    }
}

/// `GET /supervision/{id}/notice`: the measure as the bureau's letter, for printing.
pub async fn notice(
    auth: Require<ViewSupervision>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let reader = reader_of(&state, &auth.principal).await?;
    let m = state
        .store
        .supervision()
        .get(&reader.scope, reader.bank(), id)
        .await?;
    let issuer = state.unit_name(&m.issuer_unit).await;
    let area = state.unit_name(&m.unit_code).await;
    let year = shanghai_date(m.issued_at).map(|d| d.year()).unwrap_or(0);
    let deadline = format_shanghai_date(m.deadline);
    let reasons = reasons_label(lang, &m);
    let (facts, decision, demand) = match lang {
        Lang::Zh => {
            let mut facts = format!("经查，你单位存在以下问题：{reasons}。");
            if !m.reason_text.is_empty() {
                facts.push_str(&m.reason_text);
            }
            let decision = match m.measure {
                MeasureKind::Interview => format!(
                    "根据电信网络诈骗打击治理工作要求，{issuer}决定对你单位进行约谈。请你单位主要负责人按通知时间到{issuer}反诈中心接受约谈。"
                ),
                MeasureKind::Listed => format!(
                    "根据电信网络诈骗打击治理工作要求，{issuer}决定对你单位挂牌整治，整治期间由{issuer}督导检查。"
                ),
                MeasureKind::WarningNotice => {
                    "根据电信网络诈骗打击治理工作要求，现向你单位发出警示，请高度重视，立即排查整改。"
                        .to_string()
                }
                MeasureKind::Closure => format!(
                    "根据电信网络诈骗打击治理工作要求，{issuer}决定对你网点临时关停整改，整改验收合格前暂停相关业务办理。"
                ),
                MeasureKind::Circulated => format!(
                    "根据电信网络诈骗打击治理工作要求，{issuer}对上述问题予以通报，请你单位对照整改。"
                ),
            };
            let demand = format!(
                "请于{deadline}前完成整改，并将书面整改报告报送{issuer}反诈中心（联席办）。逾期未整改或整改不到位的，将依规进一步采取措施。"
            );
            (facts, decision, demand)
        }
        Lang::En => {
            let mut facts =
                format!("Our review found the following in your organisation: {reasons}.");
            if !m.reason_text.is_empty() {
                facts.push(' ');
                facts.push_str(&m.reason_text);
            }
            let decision = match m.measure {
                MeasureKind::Interview => format!(
                    "Under the rules on countering telecom and online fraud, {issuer} will hold an interview with your organisation. Your principal officer is to attend at the anti-fraud center of {issuer} when notified."
                ),
                MeasureKind::Listed => format!(
                    "Under the rules on countering telecom and online fraud, {issuer} lists your organisation for rectification; {issuer} will supervise and inspect the rectification."
                ),
                MeasureKind::WarningNotice => "Under the rules on countering telecom and online fraud, you are hereby warned: review and rectify at once.".to_string(),
                MeasureKind::Closure => format!(
                    "Under the rules on countering telecom and online fraud, {issuer} orders your outlet closed temporarily for rectification; the business concerned is suspended until the rectification is accepted."
                ),
                MeasureKind::Circulated => format!(
                    "Under the rules on countering telecom and online fraud, {issuer} circulates the above; rectify accordingly."
                ),
            };
            let demand = format!(
                "Complete the rectification by {deadline} and send a written report to the anti-fraud center (joint office) of {issuer}. Failing that, further measures will follow."
            );
            (facts, decision, demand)
        }
    };
    let addressee = match m.target_kind {
        TargetKind::Unit => m.target_name.clone(),
        _ => match lang {
            Lang::Zh => format!("{}（{}）", target_label(&m), area),
            Lang::En => format!("{} ({})", target_label(&m), area),
        },
    };
    render(&NoticePage {
        title: notice_title(lang, m.measure),
        number: match lang {
            Lang::Zh => format!("督〔{year}〕{}号", m.id),
            Lang::En => format!("No. {year}-{}", m.id),
        },
        addressee,
        facts,
        decision,
        demand,
        issuer,
        date: format_shanghai_date(m.issued_at),
        lang,
    })
}
