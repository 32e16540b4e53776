//! 统计: closed-loop figures per unit for a period — the units directly below the viewer's (or a
//! unit chosen inside it), with warnings by level and by fraud type, stop-payment timeliness, and
//! export. Leaders read it; commanders rank their stations with it.
//!
//! Cases (发案) are counted the way assessments count them: per unit of the victim's
//! residence, with the same period a year earlier (同比), cases per 10,000 residents (万人发案数,
//! from the units' recorded populations, summed up the tree where a unit has none of its own)
//! and the cases of public-sector victims (财政供养人员). Registration on the national anti-fraud
//! app (注册率) is a snapshot of the residents as stored, in all and aged 16 to 60.

use super::statistics_brief::{brief, BriefInput, BriefSection, BriefUnit};
use super::victim_profile::{victim_profile, VictimProfile};
use super::view::{fraud_type_label, percent, pick, yuan};
use super::{render, Chrome};
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
use chrono::{Datelike, Months, NaiveDate};
use fanzha_core::time::{shanghai_date, shanghai_midnight, to_shanghai};
use fanzha_core::FraudType;
use fanzha_store::{
    effective_populations, CardFigures, CaseTally, DismantledTally, EnforcementFigures,
    FundFigures, InstructionFilter, KeyPersonFigures, LeadFigures, MeasureClass, OutreachFilter,
    OutreachTotals, PageRequest, RegistrationTally, Viewer, MAX_PAGE,
};
use fanzha_workflow::{loop_figures, Instruction, LoopFigures, OrgTree};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    /// `today`, `7d` (default), `30d`, `month` (this calendar month), `year` (this year).
    period: Option<String>,
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// `brief`: the figures written out as a printable work brief (工作简报).
    view: Option<String>,
}

struct UnitLine {
    code: String,
    name: String,
    /// The unit's own instructions and cases (at its level, not below): no drill-down.
    own_level: bool,
    f: LoopFigures,
    c: CaseFigures,
    r: Registration,
}

/// Residents and their registration on the national anti-fraud app.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registration {
    pub residents: i64,
    pub registered: i64,
    pub residents_16_60: i64,
    pub registered_16_60: i64,
}

impl Registration {
    fn add(&mut self, t: &RegistrationTally) {
        self.residents += t.residents;
        self.registered += t.registered;
        self.residents_16_60 += t.residents_16_60;
        self.registered_16_60 += t.registered_16_60;
    }

    pub fn rate(&self) -> Option<f64> {
        (self.residents > 0).then(|| self.registered as f64 / self.residents as f64)
    }

    pub fn rate_16_60(&self) -> Option<f64> {
        (self.residents_16_60 > 0)
            .then(|| self.registered_16_60 as f64 / self.residents_16_60 as f64)
    }
}

/// Cases of a unit (or of the whole unit viewed) in the period and the same period a year
/// earlier.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseFigures {
    pub cases: i64,
    pub last_year: i64,
    pub loss_fen: i64,
    pub public_sector: i64,
    /// Residents, where recorded (see [`effective_populations`]).
    pub population: Option<i64>,
}

impl CaseFigures {
    fn add(&mut self, t: &CaseTally) {
        self.cases += t.cases;
        self.loss_fen += t.loss_fen;
        self.public_sector += t.public_sector;
    }

    /// Change against the same period a year earlier; `None` without cases then.
    pub fn yoy(&self) -> Option<f64> {
        (self.last_year > 0).then(|| (self.cases - self.last_year) as f64 / self.last_year as f64)
    }

    /// Cases per 10,000 residents (万人发案数); `None` without a population.
    pub fn per_10k(&self) -> Option<f64> {
        self.population
            .filter(|p| *p > 0)
            .map(|p| self.cases as f64 * 10_000.0 / p as f64)
    }
}

/// 同比 as read on a report: ↑12.5% / ↓15.6% / 持平, or — without cases a year earlier.
pub fn yoy_label(lang: Lang, c: &CaseFigures) -> String {
    match c.yoy() {
        None => "—".into(),
        Some(r) if r.abs() < 0.0005 => lang.t("yoy_flat").into(),
        Some(r) if r > 0.0 => format!("↑{:.1}%", r * 100.0),
        Some(r) => format!("↓{:.1}%", -r * 100.0),
    }
}

/// `up` (more cases: bad), `down`, or nothing, for the 同比 cell's colour.
pub fn yoy_class(c: &CaseFigures) -> &'static str {
    match c.yoy() {
        Some(r) if r >= 0.0005 => "up",
        Some(r) if r <= -0.0005 => "down",
        _ => "",
    }
}

/// A registration rate the way reports give it, to two decimals (54.94%).
pub fn rate_label(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub fn per_10k_label(c: &CaseFigures) -> String {
    c.per_10k()
        .map(|v| format!("{v:.2}"))
        .unwrap_or_else(|| "—".into())
}

#[derive(Template)]
#[template(path = "statistics_brief.html")]
struct BriefPage {
    lang: Lang,
    title: String,
    span: String,
    sections: Vec<BriefSection>,
    generated: String,
}

/// The period a brief covers, as a report heads it: 2026年1月1日至12月3日 / 1 January to
/// 3 December 2026 (one day: that day).
fn span_label(lang: Lang, from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let (Some(from), Some(to)) = (from, to) else {
        return String::new();
    };
    let zh = |d: NaiveDate, year: bool| {
        if year {
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        } else {
            format!("{}月{}日", d.month(), d.day())
        }
    };
    let en = |d: NaiveDate, year: bool| {
        if year {
            d.format("%-d %B %Y").to_string()
        } else {
            d.format("%-d %B").to_string()
        }
    };
    match lang {
        Lang::Zh if from == to => zh(from, true),
        Lang::Zh => format!("{}至{}", zh(from, true), zh(to, from.year() != to.year())),
        _ if from == to => en(from, true),
        _ => format!("{} to {}", en(from, from.year() != to.year()), en(to, true)),
    }
}

struct CaseTypeLine {
    label: String,
    cases: i64,
    loss_fen: i64,
}

/// Where a unit's figures go on a page about `top`: its own line, the line of the child of
/// `top` it lies under, or nowhere (outside `top`).
fn line_of(tree: &(impl OrgTree + ?Sized), unit: &str, top: &str) -> Option<String> {
    if unit == top {
        return Some(top.to_string());
    }
    let mut cur = unit.to_string();
    while let Some(p) = tree.parent(&cur) {
        if p == top {
            return Some(cur);
        }
        cur = p;
    }
    None
}

/// The same instant a year earlier, on the Shanghai calendar (29 February → 28 February).
fn a_year_before(ms: i64) -> i64 {
    to_shanghai(ms)
        .and_then(|t| t.checked_sub_months(Months::new(12)))
        .map(|t| t.timestamp_millis())
        .unwrap_or(ms - 365 * 86_400_000)
}

struct TypeLine {
    label: String,
    count: usize,
    /// The warnings search showing these warnings.
    query: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatsPage {
    lang: Lang,
    chrome: Chrome,
    period: String,
    unit_code: String,
    unit_name: String,
    parent: Option<String>,
    total: LoopFigures,
    red: i64,
    orange: i64,
    yellow: i64,
    lines: Vec<UnitLine>,
    types: Vec<TypeLine>,
    cases: CaseFigures,
    case_types: Vec<CaseTypeLine>,
    registration: Registration,
    victims: VictimProfile,
    key_persons: KeyPersonFigures,
    outreach: OutreachTotals,
    /// 断卡: the period's new cards as screened, and the two-card leads now.
    cards: CardFigures,
    leads: LeadFigures,
    funds: FundFigures,
    /// 资金返还率: money returned to victims over the period's case losses.
    return_rate: Option<f64>,
    /// 打击成效 of the period.
    enf: EnforcementFigures,
    enf_coercive: i64,
    enf_administrative: i64,
    enf_education: i64,
    /// 损失追回率: (returns + 追赃) over the period's case losses.
    enf_recovery_rate: Option<f64>,
    /// (code, label, people) per measure.
    enf_measures: Vec<(&'static str, &'static str, i64)>,
    /// (code, label, tally) per kind of gang or den.
    enf_group_lines: Vec<(&'static str, &'static str, DismantledTally)>,
    enf_groups_total: DismantledTally,
    stop_in_time: String,
    held_fen: i64,
    truncated: bool,
}

fn minutes(m: Option<f64>) -> String {
    m.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

/// For the template, which passes references.
pub fn minutes_label(m: impl std::borrow::Borrow<Option<f64>>) -> String {
    minutes(*m.borrow())
}

pub async fn show(
    auth: Require<ViewStatistics>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/statistics");
    let lang = chrome.lang;
    let own = state.scope_of(&auth.principal.unit_code).await?;
    let unit_code = q
        .unit
        .clone()
        .unwrap_or_else(|| auth.principal.unit_code.clone());
    let unit = state
        .unit_within(&auth.principal.unit_code, &unit_code)
        .await?;
    let scope = state.scope_of(&unit_code).await?;
    let now = state.clock.now_ms();
    let today = shanghai_date(now)
        .and_then(|d| shanghai_midnight(d).ok())
        .unwrap_or(now - now.rem_euclid(86_400_000));
    let period = match q.period.as_deref() {
        Some("today") => "today",
        Some("30d") => "30d",
        Some("month") => "month",
        Some("year") => "year",
        _ => "7d",
    };
    let first_of = |month: bool| {
        shanghai_date(now)
            .and_then(|d| {
                if month {
                    d.with_day(1)
                } else {
                    d.with_ordinal(1)
                }
            })
            .and_then(|d| shanghai_midnight(d).ok())
            .unwrap_or(today)
    };
    let from = match period {
        "today" => today,
        "30d" => today - 29 * 86_400_000,
        "month" => first_of(true),
        "year" => first_of(false),
        _ => today - 6 * 86_400_000,
    };
    let page = state
        .store
        .instructions()
        .list(
            &scope,
            &InstructionFilter {
                issued_since: Some(from),
                ..InstructionFilter::default()
            },
            &PageRequest::first(MAX_PAGE),
        )
        .await?;
    let truncated = page.next.is_some();
    let states: Vec<(String, Instruction)> = page
        .items
        .iter()
        .filter_map(|i| {
            serde_json::from_str::<Instruction>(&i.projection.state)
                .ok()
                .map(|s| (i.projection.holder_unit.clone(), s))
        })
        .collect();
    let total = loop_figures(states.iter().map(|(_, s)| s));
    let children = state.store.units().children(&unit_code).await?;
    let subtree = state.store.units().subtree(&unit_code, None).await?;
    let populations = effective_populations(&subtree);
    let this_year = state.store.cases().tally(&scope, from, now + 1).await?;
    let victims = victim_profile(
        lang,
        &state.store.cases().victims(&scope, from, now + 1).await?,
    );
    let last_year = state
        .store
        .cases()
        .tally(&scope, a_year_before(from), a_year_before(now + 1))
        .await?;
    let registrations = match shanghai_date(now) {
        Some(day) => state.store.people().registration(&scope, day).await?,
        None => Vec::new(),
    };
    let mut registration = Registration::default();
    let mut per_line: BTreeMap<String, (Vec<&Instruction>, CaseFigures, Registration)> =
        BTreeMap::new();
    let mut cases = CaseFigures {
        population: populations.get(&unit_code).copied(),
        ..CaseFigures::default()
    };
    let mut case_types: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    {
        let tree = state.loop_service.tree();
        for (holder, s) in &states {
            if let Some(line) = line_of(&*tree, holder, &unit_code) {
                per_line.entry(line).or_default().0.push(s);
            }
        }
        for t in &this_year {
            cases.add(t);
            let key = type_key(t.fraud_type.as_deref());
            let e = case_types.entry(key).or_default();
            e.0 += t.cases;
            e.1 += t.loss_fen;
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                per_line.entry(line).or_default().1.add(t);
            }
        }
        for t in &last_year {
            cases.last_year += t.cases;
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                per_line.entry(line).or_default().1.last_year += t.cases;
            }
        }
        for t in &registrations {
            registration.add(t);
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                per_line.entry(line).or_default().2.add(t);
            }
        }
    }
    let mut line = |code: &str| {
        let (ins, mut c, r) = per_line.remove(code).unwrap_or_default();
        c.population = populations.get(code).copied();
        (loop_figures(ins), c, r)
    };
    // Instructions and cases held at the unit itself (pending review at the center, not yet
    // passed down; cases opened at the unit) get a line of their own, so that the lines add up
    // to the totals.
    let (own_f, mut own_c, own_r) = line(&unit_code);
    own_c.population = None;
    let own_line =
        (own_f.instructions > 0 || own_c.cases > 0 || own_c.last_year > 0 || own_r.residents > 0)
            .then(|| UnitLine {
                f: own_f,
                c: own_c,
                r: own_r,
                code: unit_code.clone(),
                name: format!("{}{}", unit.name, lang.t("own_level")),
                own_level: true,
            });
    let lines: Vec<UnitLine> = own_line
        .into_iter()
        .chain(children.iter().map(|u| {
            let (f, c, r) = line(&u.code);
            UnitLine {
                f,
                c,
                r,
                code: u.code.clone(),
                name: u.name.clone(),
                own_level: false,
            }
        }))
        .collect();
    let mut case_types: Vec<CaseTypeLine> = case_types
        .into_iter()
        .map(|(key, (n, loss))| CaseTypeLine {
            label: type_label(lang, &key),
            cases: n,
            loss_fen: loss,
        })
        .collect();
    case_types.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.label.cmp(&b.label)));
    let counts = state
        .store
        .warnings()
        .count_by_level(&scope, from, now + 1)
        .await?;
    let warnings = state
        .store
        .warnings()
        .recent(&scope, from, None, &PageRequest::first(MAX_PAGE))
        .await?;
    // Counted by type code (older rows may spell a type by its name), each linked to the
    // warnings search for the same unit, period and type.
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for w in &warnings.items {
        *by_type
            .entry(type_key(w.fraud_type.as_deref()))
            .or_default() += 1;
    }
    let first_day = shanghai_date(from)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let unit_param = if unit_code == auth.principal.unit_code {
        ""
    } else {
        unit_code.as_str()
    };
    let mut types: Vec<TypeLine> = by_type
        .into_iter()
        .map(|(key, count)| TypeLine {
            label: type_label(lang, &key),
            query: form_urlencoded::Serializer::new(String::new())
                .append_pair("from", &first_day)
                .append_pair("fraud_type", &key)
                .append_pair("unit", unit_param)
                .finish(),
            count,
        })
        .collect();
    types.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let t = state
        .store
        .stop_payments()
        .timeliness(&Viewer::Police(scope.clone()), from, now + 1)
        .await?;
    let funds = state
        .store
        .stop_payments()
        .fund_figures(&Viewer::Police(scope.clone()), from, now + 1)
        .await?;
    let key_persons = state.store.key_persons().figures(&scope, now).await?;
    let cards = state
        .store
        .new_cards()
        .figures(&Viewer::Police(scope.clone()), from, now + 1)
        .await?;
    let leads = state.store.two_card_leads().figures(&scope, now).await?;
    let outreach = state
        .store
        .outreach()
        .totals(
            &scope,
            &OutreachFilter {
                from: Some(from),
                until: Some(now + 1),
                kind: None,
            },
        )
        .await?;
    let return_rate =
        (cases.loss_fen > 0).then(|| funds.returned_fen as f64 / cases.loss_fen as f64);
    let enf = state
        .store
        .enforcement()
        .figures(&scope, from, now + 1)
        .await?;
    let enf_recovery_rate = enf.recovery_rate(funds.returned_fen);

    if q.view.as_deref() == Some("brief") {
        let today_date = shanghai_date(now);
        let input = BriefInput {
            unit_name: &unit.name,
            span: span_label(lang, shanghai_date(from), today_date),
            cases: &cases,
            case_types: case_types
                .iter()
                .map(|t| (t.label.as_str(), t.cases))
                .collect(),
            victims: &victims,
            warnings: (counts.red, counts.orange, counts.yellow),
            loop_figures: &total,
            funds: &funds,
            return_rate,
            stopped_in_time: (t.requested > 0).then_some((t.executed_in_time, t.requested)),
            registration: &registration,
            key_persons: &key_persons,
            outreach: &outreach,
            cards: &cards,
            leads: &leads,
            enforcement: &enf,
            recovery_rate: enf_recovery_rate,
            units: lines
                .iter()
                .filter(|l| !l.own_level)
                .map(|l| BriefUnit {
                    name: &l.name,
                    cases: &l.c,
                    overdue: l.f.overdue,
                })
                .collect(),
        };
        return render(&BriefPage {
            lang,
            title: format!("{}{}", unit.name, lang.t("work_brief")),
            span: input.span.clone(),
            sections: brief(lang, &input),
            generated: fanzha_core::time::format_shanghai(now),
        })
        .map(IntoResponse::into_response);
    }
    if let Some(format) = q.format {
        let heads = [
            "unit",
            "instructions_today",
            "dissuaded",
            "defrauded",
            "unreachable",
            "overdue",
            "sign_in_sla",
            "contact_in_sla",
            "dissuasion_rate",
            "median_sign_min",
            "loss",
            "saved",
            "population",
            "case_count",
            "cases_last_year",
            "yoy",
            "per_10k",
            "case_loss",
            "public_sector_cases",
            "resident_count",
            "app_registered",
            "registration_rate",
            "registration_rate_16_60",
        ];
        return Table {
            name: format!("statistics_{unit_code}_{period}"),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: lines
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.f.instructions.to_string(),
                        l.f.dissuaded.to_string(),
                        l.f.defrauded.to_string(),
                        l.f.unreachable.to_string(),
                        l.f.overdue.to_string(),
                        percent(l.f.sign_in_sla_rate),
                        percent(l.f.contact_in_sla_rate),
                        percent(l.f.dissuasion_rate),
                        minutes(l.f.median_sign_minutes),
                        yuan(l.f.loss_fen),
                        yuan(l.f.saved_fen),
                        l.c.population.map(|p| p.to_string()).unwrap_or_default(),
                        l.c.cases.to_string(),
                        l.c.last_year.to_string(),
                        yoy_label(lang, &l.c),
                        per_10k_label(&l.c),
                        yuan(l.c.loss_fen),
                        l.c.public_sector.to_string(),
                        l.r.residents.to_string(),
                        l.r.registered.to_string(),
                        rate_label(l.r.rate()),
                        rate_label(l.r.rate_16_60()),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let parent = match &unit.parent_code {
        Some(p) => match state.store.units().find(p).await? {
            Some(u) if own.contains_path(&u.path) => Some(u.code),
            _ => None,
        },
        None => None,
    };
    render(&StatsPage {
        lang,
        chrome,
        period: period.to_string(),
        unit_name: unit.name.clone(),
        unit_code,
        parent,
        total,
        red: counts.red,
        orange: counts.orange,
        yellow: counts.yellow,
        lines,
        types,
        cases,
        case_types,
        registration,
        victims,
        key_persons,
        outreach,
        cards,
        leads,
        funds,
        return_rate,
        enf_coercive: enf.of_class(MeasureClass::Coercive),
        enf_administrative: enf.of_class(MeasureClass::Administrative),
        enf_education: enf.of_class(MeasureClass::Education),
        enf_recovery_rate,
        enf_measures: enf
            .by_measure
            .iter()
            .map(|(m, n)| (m.as_str(), pick(lang, m.zh(), m.en()), *n))
            .collect(),
        enf_group_lines: enf
            .dismantled
            .iter()
            .map(|t| (t.kind.as_str(), pick(lang, t.kind.zh(), t.kind.en()), *t))
            .collect(),
        enf_groups_total: enf.dismantled_total(),
        enf,
        stop_in_time: if t.requested == 0 {
            "—".into()
        } else {
            format!("{}/{}", t.executed_in_time, t.requested)
        },
        held_fen: t.held_fen,
        truncated,
    })
    .map(IntoResponse::into_response)
}

/// A fraud type as counted: its code (older rows may spell a type by its name), or `untyped`.
fn type_key(stored: Option<&str>) -> String {
    match stored {
        None => "untyped".to_string(),
        Some(t) => FraudType::parse_label(t)
            .map(|t| t.code().to_string())
            .unwrap_or_else(|_| t.to_string()),
    }
}

fn type_label(lang: Lang, key: &str) -> String {
    match key {
        "untyped" => fraud_type_label(lang, None),
        k => fraud_type_label(lang, Some(k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(cases: i64, last_year: i64, population: Option<i64>) -> CaseFigures {
        CaseFigures {
            cases,
            last_year,
            population,
            ..CaseFigures::default()
        }
    }

    #[test]
    fn year_on_year_reads_as_a_report_does() {
        assert_eq!(yoy_label(Lang::Zh, &figures(27, 32, None)), "↓15.6%");
        assert_eq!(yoy_label(Lang::Zh, &figures(9, 8, None)), "↑12.5%");
        assert_eq!(yoy_label(Lang::Zh, &figures(4, 4, None)), "持平");
        assert_eq!(yoy_label(Lang::Zh, &figures(4, 0, None)), "—");
        assert_eq!(yoy_class(&figures(9, 8, None)), "up");
        assert_eq!(yoy_class(&figures(7, 8, None)), "down");
    }

    #[test]
    fn a_brief_is_headed_by_its_period() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
        assert_eq!(
            span_label(Lang::Zh, d(1, 1), d(12, 3)),
            "2026年1月1日至12月3日"
        );
        assert_eq!(span_label(Lang::Zh, d(3, 1), d(3, 1)), "2026年3月1日");
        assert_eq!(
            span_label(Lang::Zh, NaiveDate::from_ymd_opt(2025, 12, 28), d(1, 3)),
            "2025年12月28日至2026年1月3日"
        );
        assert_eq!(
            span_label(Lang::En, d(1, 1), d(12, 3)),
            "1 January to 3 December 2026"
        );
    }

    #[test]
    fn cases_per_ten_thousand_need_a_population() {
        assert_eq!(per_10k_label(&figures(1938, 0, Some(1_468_182))), "13.20");
        assert_eq!(per_10k_label(&figures(3, 0, None)), "—");
        assert_eq!(per_10k_label(&figures(3, 0, Some(0))), "—");
    }

    #[test]
    fn a_year_before_keeps_the_shanghai_wall_clock() {
        // 2024-03-01 00:00 Shanghai → 2023-03-01 00:00 Shanghai.
        let t = shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()).unwrap();
        let e = shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2023, 3, 1).unwrap()).unwrap();
        assert_eq!(a_year_before(t), e);
        // 29 February has no twin: the day before 1 March.
        let leap =
            shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()).unwrap();
        let feb28 =
            shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()).unwrap();
        assert_eq!(a_year_before(leap), feb28);
    }
}
