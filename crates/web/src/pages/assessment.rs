//! 综合考核 (赛马争先): the units directly below a unit (the viewer's own by default, or one
//! inside it through `?unit=`) ranked on a composite score for a period — the statistics
//! page's periods (`statistics_period.rs`). The indicators, their weights and direction and the
//! scoring method are the scheme in `AppState::assessment` (`crate::assessment`); every value
//! comes from the store's statistics queries over the unit's subtree: cases and losses
//! (`Cases::tally`, with the same span a year earlier), the closed loop
//! (`Statistics::loop_tally`), stop-payment timeliness and returns (`StopPayments`),
//! enforcement (`Enforcement::figures`), outreach (`Outreach::totals`), app registration
//! (`People::registration`) and key persons (`KeyPersons::figures`), with the residents from
//! `effective_populations`. Each unit's rank is compared with its rank over the period before,
//! of the same length. The table exports to CSV and XLSX and prints (`view=print`).

use super::statistics::{change, figures_of};
use super::statistics_period::{months_before, Period};
use super::{render, Chrome};
use crate::assessment::{score, Indicator, Scheme, Scores};
use crate::auth::permission::ViewStatistics;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::time::{format_shanghai, shanghai_date};
use fanzha_store::{
    effective_populations, CardFigures, DisposalCounts, DisposalViewer, EnforcementFigures,
    KeyPersonFigures, LoopTally, NoticeFigures, OutreachFilter, OutreachTotals, Scope, Unit,
    Viewer,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub struct AssessmentQuery {
    /// The statistics page's period keys (`last_month` by default), or `custom` with `from`
    /// and `to`.
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// `print`: the table as a printable page.
    view: Option<String>,
}

/// The figures of one unit (its whole subtree) over one period that the indicators read.
#[derive(Clone, Debug, Default)]
pub struct UnitFigures {
    pub population: Option<i64>,
    pub cases: i64,
    pub cases_last_year: i64,
    pub loss_fen: i64,
    pub loss_last_year_fen: i64,
    pub loop_tally: LoopTally,
    pub stops_requested: i64,
    pub stops_in_time: i64,
    pub enforcement: EnforcementFigures,
    pub returned_fen: i64,
    pub outreach: OutreachTotals,
    pub residents: i64,
    pub joint_defense: i64,
    pub residents_16_60: i64,
    pub registered_16_60: i64,
    pub key_persons: KeyPersonFigures,
    pub cards: CardFigures,
    pub notices: NoticeFigures,
    pub disposals: DisposalCounts,
}

/// `num / den`, or `None` without a base.
fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Per 10,000 residents, or `None` without a recorded population.
fn per_10k(n: i64, population: Option<i64>) -> Option<f64> {
    population
        .filter(|p| *p > 0)
        .map(|p| n as f64 * 10_000.0 / p as f64)
}

impl UnitFigures {
    /// The indicator's value for this unit; `None` where the unit has no base for it.
    pub fn value(&self, indicator: Indicator) -> Option<f64> {
        let t = &self.loop_tally;
        match indicator {
            Indicator::CasesPer10k => per_10k(self.cases, self.population),
            Indicator::CasesYoy => change(self.cases, self.cases_last_year),
            Indicator::LossYoy => change(self.loss_fen, self.loss_last_year_fen),
            Indicator::SignedInTime => ratio(t.signed_in_time, t.instructions),
            Indicator::ClosedInTime => ratio(t.closed_in_time, t.instructions),
            Indicator::DissuasionRate => figures_of(t).dissuasion_rate,
            Indicator::StopIn30Min => ratio(self.stops_in_time, self.stops_requested),
            Indicator::SolveRate => self.enforcement.solve_rate(),
            Indicator::SuspectsCaught => Some(self.enforcement.caught() as f64),
            Indicator::RecoveryRate => self.enforcement.recovery_rate(self.returned_fen),
            Indicator::OutreachPer10k => per_10k(self.outreach.people_reached, self.population),
            Indicator::OutreachEvents => Some(self.outreach.events as f64),
            Indicator::AppRegistration => ratio(self.registered_16_60, self.residents_16_60),
            Indicator::JointDefense => ratio(self.joint_defense, self.residents),
            Indicator::KeyPersonReturn => self.key_persons.return_rate(),
            Indicator::KeyPersonVisits => {
                let k = &self.key_persons;
                ratio(k.in_control - k.visits_overdue, k.in_control)
            }
            Indicator::NewCardInvolved => self.cards.involved_share(),
            Indicator::NoticesInTime => self.notices.on_time_rate(),
            Indicator::DisposalsInTime => self.disposals.on_time_rate(),
        }
    }
}

/// The unit directly below `top` that `code` lies under (itself when it is one), from the
/// subtree's parent links; `None` for `top` itself or a unit outside.
fn child_of(parents: &HashMap<&str, &str>, top: &str, code: &str) -> Option<String> {
    let mut cur = code;
    while let Some(p) = parents.get(cur) {
        if *p == top {
            return Some(cur.to_string());
        }
        cur = p;
    }
    None
}

/// The figures of each of `children` (units directly below `top`) over `[from, until)`, in
/// their order. Queries the scheme does not need are not run.
pub async fn gather(
    state: &AppState,
    scheme: &Scheme,
    top: &str,
    children: &[Unit],
    (from, until): (i64, i64),
    now: i64,
) -> Result<Vec<UnitFigures>, WebError> {
    use Indicator::*;
    let needs = |list: &[Indicator]| list.iter().any(|i| scheme.uses(*i));
    let scope = state.scope_of(top).await?;
    let subtree = state.store.units().subtree(top, None).await?;
    let populations = effective_populations(&subtree);
    let parents: HashMap<&str, &str> = subtree
        .iter()
        .filter_map(|u| u.parent_code.as_deref().map(|p| (u.code.as_str(), p)))
        .collect();
    let index: HashMap<&str, usize> = children
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let mut out: Vec<UnitFigures> = children
        .iter()
        .map(|u| UnitFigures {
            population: populations.get(&u.code).copied(),
            ..UnitFigures::default()
        })
        .collect();
    let slot =
        |code: &str| child_of(&parents, top, code).and_then(|c| index.get(c.as_str()).copied());
    if needs(&[CasesPer10k, CasesYoy, LossYoy]) {
        let cases = state.store.cases();
        for t in cases.tally(&scope, from, until).await? {
            if let Some(i) = slot(&t.unit_code) {
                out[i].cases += t.cases;
                out[i].loss_fen += t.loss_fen;
            }
        }
        let (ly_from, ly_until) = (months_before(from, 12), months_before(until, 12));
        for t in cases.tally(&scope, ly_from, ly_until).await? {
            if let Some(i) = slot(&t.unit_code) {
                out[i].cases_last_year += t.cases;
                out[i].loss_last_year_fen += t.loss_fen;
            }
        }
    }
    if needs(&[SignedInTime, ClosedInTime, DissuasionRate]) {
        let tallies = state
            .store
            .statistics()
            .loop_tally(&scope, top, from, until)
            .await?;
        for (line, t) in tallies.lines {
            if let Some(i) = line.as_deref().and_then(|c| index.get(c).copied()) {
                out[i].loop_tally = t;
            }
        }
    }
    if needs(&[AppRegistration, JointDefense]) {
        if let Some(day) = shanghai_date(now) {
            for t in state.store.people().registration(&scope, day).await? {
                if let Some(i) = slot(&t.unit_code) {
                    let f = &mut out[i];
                    f.residents += t.residents;
                    f.joint_defense += t.joint_defense;
                    f.residents_16_60 += t.residents_16_60;
                    f.registered_16_60 += t.registered_16_60;
                }
            }
        }
    }
    // The rest are answered per scope: one set of queries for each unit below.
    for (i, child) in children.iter().enumerate() {
        let sub: Scope = state.scope_of(&child.code).await?;
        let viewer = Viewer::Police(sub.clone());
        let f = &mut out[i];
        if needs(&[StopIn30Min]) {
            let t = state
                .store
                .stop_payments()
                .timeliness(&viewer, from, until)
                .await?;
            f.stops_requested = t.requested;
            f.stops_in_time = t.executed_in_time;
        }
        if needs(&[SolveRate, SuspectsCaught, RecoveryRate]) {
            f.enforcement = state.store.enforcement().figures(&sub, from, until).await?;
        }
        if needs(&[RecoveryRate]) {
            f.returned_fen = state
                .store
                .stop_payments()
                .fund_figures(&viewer, from, until)
                .await?
                .returned_fen;
        }
        if needs(&[OutreachPer10k, OutreachEvents]) {
            f.outreach = state
                .store
                .outreach()
                .totals(
                    &sub,
                    &OutreachFilter {
                        from: Some(from),
                        until: Some(until),
                        kind: None,
                    },
                )
                .await?;
        }
        if needs(&[KeyPersonReturn, KeyPersonVisits]) {
            f.key_persons = state.store.key_persons().figures(&sub, now).await?;
        }
        if needs(&[NewCardInvolved]) {
            f.cards = state
                .store
                .new_cards()
                .figures(&viewer, fanzha_store::CardKind::BankCard, from, until)
                .await?;
        }
        if needs(&[NoticesInTime]) {
            f.notices = state
                .store
                .employer_notices()
                .figures(&sub, from, until, now)
                .await?;
        }
        if needs(&[DisposalsInTime]) {
            f.disposals = state
                .store
                .number_disposals()
                .figures(
                    &DisposalViewer::Police(sub.clone()),
                    now,
                    Some((from, until)),
                )
                .await?
                .all;
        }
    }
    Ok(out)
}

/// The scheme's values of each unit.
fn values(scheme: &Scheme, figures: &[UnitFigures]) -> Vec<Vec<Option<f64>>> {
    figures
        .iter()
        .map(|f| {
            scheme
                .indicators
                .iter()
                .map(|w| f.value(w.indicator))
                .collect()
        })
        .collect()
}

/// One unit's line: its place now and in the period before, total and per indicator value
/// and points.
pub struct Line {
    pub code: String,
    pub name: String,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    pub total: Option<f64>,
    /// (value as shown, points as shown) per indicator of the scheme.
    pub cells: Vec<(String, String)>,
}

impl Line {
    pub fn rank_label(&self) -> String {
        self.rank
            .map(|r| r.to_string())
            .unwrap_or_else(|| "—".into())
    }

    pub fn previous_label(&self) -> String {
        self.previous_rank
            .map(|r| r.to_string())
            .unwrap_or_else(|| "—".into())
    }

    pub fn total_label(&self) -> String {
        points_label(self.total)
    }

    /// ↑2 (two places up since the period before), ↓1, 持平, or — without both ranks.
    pub fn change_label(&self, lang: Lang) -> String {
        match (self.rank, self.previous_rank) {
            (Some(now), Some(before)) if now < before => format!("↑{}", before - now),
            (Some(now), Some(before)) if now > before => format!("↓{}", now - before),
            (Some(_), Some(_)) => lang.t("yoy_flat").into(),
            _ => "—".into(),
        }
    }

    pub fn change_class(&self) -> &'static str {
        match (self.rank, self.previous_rank) {
            (Some(now), Some(before)) if now < before => "rank-up",
            (Some(now), Some(before)) if now > before => "rank-down",
            _ => "",
        }
    }
}

fn points_label(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.2}")).unwrap_or_else(|| "—".into())
}

/// The lines of `children`, best first (units without a total last, by name).
pub fn lines(
    scheme: &Scheme,
    children: &[Unit],
    now: &Scores,
    before: &Scores,
    values: &[Vec<Option<f64>>],
) -> Vec<Line> {
    let mut lines: Vec<Line> = children
        .iter()
        .enumerate()
        .map(|(u, unit)| Line {
            code: unit.code.clone(),
            name: unit.name.clone(),
            rank: now.ranks[u],
            previous_rank: before.ranks[u],
            total: now.totals[u],
            cells: scheme
                .indicators
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    (
                        w.indicator.format(values[u][i]),
                        points_label(now.points[u][i]),
                    )
                })
                .collect(),
        })
        .collect();
    lines.sort_by(|a, b| {
        a.rank
            .unwrap_or(u32::MAX)
            .cmp(&b.rank.unwrap_or(u32::MAX))
            .then_with(|| a.name.cmp(&b.name))
    });
    lines
}

/// An indicator as the page heads it.
pub struct Head {
    pub code: &'static str,
    pub label: &'static str,
    pub weight: String,
    pub better: &'static str,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    lang: Lang,
    chrome: Chrome,
    period: String,
    period_query: String,
    custom_from: String,
    custom_to: String,
    span: String,
    previous_span: String,
    unit_code: String,
    unit_name: String,
    parent: Option<String>,
    method: &'static str,
    floor: String,
    heads: Vec<Head>,
    lines: Vec<Line>,
    chart_json: String,
}

#[derive(Template)]
#[template(path = "assessment_print.html")]
struct PrintPage {
    lang: Lang,
    title: String,
    span: String,
    method: &'static str,
    floor: String,
    heads: Vec<Head>,
    lines: Vec<Line>,
    generated: String,
}

/// The period's days as the page states them: 2026-03-02 — 2026-03-08.
fn days(first: chrono::NaiveDate, last: chrono::NaiveDate) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first} — {last}")
    }
}

pub async fn show(
    auth: Require<ViewStatistics>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AssessmentQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/assessment");
    let lang = chrome.lang;
    let own = state.scope_of(&auth.principal.unit_code).await?;
    let unit_code = q
        .unit
        .clone()
        .unwrap_or_else(|| auth.principal.unit_code.clone());
    let unit = state
        .unit_within(&auth.principal.unit_code, &unit_code)
        .await?;
    let now = state.clock.now_ms();
    // Last month by default (a custom range given by its dates alone stays custom).
    let key = match (q.period.as_deref(), q.from.as_deref().map(str::trim)) {
        (None, None | Some("")) => Some("last_month"),
        (key, _) => key,
    };
    let period = Period::resolve(key, q.from.as_deref(), q.to.as_deref(), now)
        .map_err(|_| WebError::BadRequest(lang.t("stp_bad_range").to_string()))?;
    let scheme = state.assessment.clone();
    let children = state.store.units().children(&unit_code).await?;
    let this = gather(
        &state,
        &scheme,
        &unit_code,
        &children,
        (period.from, period.until),
        now,
    )
    .await?;
    let (prev_from, prev_until) = period.previous();
    let before = gather(
        &state,
        &scheme,
        &unit_code,
        &children,
        (prev_from, prev_until),
        now,
    )
    .await?;
    let this_values = values(&scheme, &this);
    let scores = score(&scheme, &this_values);
    let before_scores = score(&scheme, &values(&scheme, &before));
    let lines = lines(&scheme, &children, &scores, &before_scores, &this_values);
    let heads: Vec<Head> = scheme
        .indicators
        .iter()
        .map(|w| Head {
            code: w.indicator.code(),
            label: lang.t(w.indicator.label_key()),
            weight: format!("{}", w.weight),
            better: lang.t(w.better.label_key()),
        })
        .collect();
    let span = days(period.first_day, period.last_day);
    let previous_span = {
        let first = shanghai_date(prev_from).unwrap_or(period.first_day);
        let last = shanghai_date(prev_until - 1).unwrap_or(period.last_day);
        days(first, last)
    };
    let floor = format!("{}", scheme.floor);
    let method = lang.t(scheme.method.label_key());

    if let Some(format) = q.format {
        let mut headers: Vec<String> = [
            "asm_rank",
            "asm_unit",
            "asm_total",
            "asm_previous_rank",
            "asm_rank_change",
        ]
        .iter()
        .map(|k| lang.t(k).to_string())
        .collect();
        for h in &heads {
            headers.push(h.label.to_string());
            headers.push(format!("{}{}", h.label, lang.t("asm_points_suffix")));
        }
        return Table {
            name: format!(
                "assessment_{unit_code}_{}",
                if period.key == "custom" {
                    format!("{}_{}", period.first_day, period.last_day)
                } else {
                    period.key.to_string()
                }
            ),
            headers,
            rows: lines
                .iter()
                .map(|l| {
                    let mut row = vec![
                        l.rank_label(),
                        l.name.clone(),
                        l.total_label(),
                        l.previous_label(),
                        l.change_label(lang),
                    ];
                    for (value, points) in &l.cells {
                        row.push(value.clone());
                        row.push(points.clone());
                    }
                    row
                })
                .collect(),
        }
        .respond(format);
    }
    if q.view.as_deref() == Some("print") {
        return render(&PrintPage {
            lang,
            title: format!("{} · {}", unit.name, lang.t("asm_title")),
            span,
            method,
            floor,
            heads,
            lines,
            generated: format_shanghai(now),
        })
        .map(IntoResponse::into_response);
    }
    let ranked: Vec<&Line> = lines.iter().filter(|l| l.total.is_some()).collect();
    let chart_json = serde_json::json!({
        "units": ranked.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        "totals": ranked.iter().map(|l| l.total.unwrap_or(0.0)).collect::<Vec<_>>(),
        "label": lang.t("asm_total"),
    })
    .to_string()
    // Safe inside <script type="application/json">: no "</script>" can close it early.
    .replace('<', "\\u003c");
    let parent = match &unit.parent_code {
        Some(p) => match state.store.units().find(p).await? {
            Some(u) if own.contains_path(&u.path) => Some(u.code),
            _ => None,
        },
        None => None,
    };
    render(&AssessmentPage {
        lang,
        chrome,
        period: period.key.to_string(),
        period_query: period.query(),
        custom_from: period.first_day.to_string(),
        custom_to: period.last_day.to_string(),
        span,
        previous_span,
        unit_name: unit.name.clone(),
        unit_code,
        parent,
        method,
        floor,
        heads,
        lines,
        chart_json,
    })
    .map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_read_the_statistics_figures() {
        let f = UnitFigures {
            population: Some(20_000),
            cases: 6,
            cases_last_year: 4,
            loss_fen: 100,
            loss_last_year_fen: 0,
            loop_tally: LoopTally {
                instructions: 4,
                signed: 3,
                signed_in_time: 2,
                closed_in_time: 1,
                ..LoopTally::default()
            },
            stops_requested: 0,
            residents_16_60: 8,
            registered_16_60: 2,
            ..UnitFigures::default()
        };
        assert_eq!(f.value(Indicator::CasesPer10k), Some(3.0));
        assert_eq!(f.value(Indicator::CasesYoy), Some(0.5));
        // No loss a year earlier: no 损失同比 to score.
        assert_eq!(f.value(Indicator::LossYoy), None);
        // Unsigned instructions count against the rate.
        assert_eq!(f.value(Indicator::SignedInTime), Some(0.5));
        assert_eq!(f.value(Indicator::ClosedInTime), Some(0.25));
        assert_eq!(f.value(Indicator::StopIn30Min), None);
        assert_eq!(f.value(Indicator::AppRegistration), Some(0.25));
        assert_eq!(f.value(Indicator::SuspectsCaught), Some(0.0));
        let none = UnitFigures::default();
        assert_eq!(none.value(Indicator::CasesPer10k), None);
        assert_eq!(none.value(Indicator::OutreachPer10k), None);
        for i in [
            Indicator::KeyPersonVisits,
            Indicator::NewCardInvolved,
            Indicator::NoticesInTime,
            Indicator::DisposalsInTime,
        ] {
            assert_eq!(none.value(i), None, "{i:?} without a base");
        }
    }

    #[test]
    fn control_indicators_read_their_registers() {
        let f = UnitFigures {
            key_persons: KeyPersonFigures {
                in_control: 8,
                visits_overdue: 2,
                ..KeyPersonFigures::default()
            },
            disposals: DisposalCounts {
                requested: 6,
                executed: 3,
                on_time: 2,
                failed: 1,
                pending: 2,
                overdue: 0,
                withdrawn: 0,
            },
            ..UnitFigures::default()
        };
        assert_eq!(f.value(Indicator::KeyPersonVisits), Some(0.75));
        // Due: 3 executed + 1 not possible; 2 on time.
        assert_eq!(f.value(Indicator::DisposalsInTime), Some(0.5));
    }

    #[test]
    fn a_rank_change_reads_as_places_moved() {
        let line = |rank, previous_rank| Line {
            code: String::new(),
            name: String::new(),
            rank,
            previous_rank,
            total: None,
            cells: Vec::new(),
        };
        assert_eq!(line(Some(1), Some(3)).change_label(Lang::Zh), "↑2");
        assert_eq!(line(Some(4), Some(3)).change_label(Lang::Zh), "↓1");
        assert_eq!(line(Some(2), Some(2)).change_label(Lang::Zh), "持平");
        assert_eq!(line(Some(2), None).change_label(Lang::Zh), "—");
    }
}
