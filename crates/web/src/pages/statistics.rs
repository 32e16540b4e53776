//! 统计: closed-loop figures per unit for a period — the units directly below the viewer's (or a
//! unit chosen inside it), with warnings by level and by fraud type, stop-payment timeliness, and
//! export. Leaders read it; commanders rank their stations with it.
//!
//! Cases (发案) are counted the way assessments count them: per unit of the victim's
//! residence, with the same period a year earlier (同比), cases per 10,000 residents (万人发案数,
//! from the units' recorded populations, summed up the tree where a unit has none of its own)
//! and the cases of public-sector victims (财政供养人员). Registration on the national anti-fraud
//! app (注册率) is a snapshot of the residents as stored, in all and aged 16 to 60.
//!
//! Every figure is an aggregate query in the store (`Statistics::loop_tally`, `Cases::tally`,
//! …), exact however many instructions a period holds. Periods (`statistics_period.rs`): today,
//! 7 and 30 days, last week, this and last month, this and last quarter, this year, or a custom
//! range; cases and losses are compared with the period before (环比) and a year earlier (同比),
//! with the "两降" verdict, and the last twelve months are given as a trend.

mod export;

use super::statistics_brief::{brief, BriefInput, BriefSection, BriefUnit};
use super::statistics_period::{trend_months, Period};
use super::victim_profile::{victim_profile, VictimProfile};
use super::view::{fraud_type_label, percent, pick, yuan};
use super::{render, Chrome};
use crate::auth::permission::{
    IssueBulletins, Permission, ViewOperatorFigures, ViewOutreach, ViewStatistics, ViewWarnings,
};
use crate::auth::Require;
use crate::crime_share::{crime_share, months_within, CrimeShare};
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::shanghai_date;
use fanzha_core::FraudType;
use fanzha_store::{
    effective_populations, CallCounts, CardFigures, CaseTally, DismantledTally, DisposalCounts,
    DisposalViewer, EnforcementFigures, FundFigures, KeyPersonFigures, LeadFigures, LoopTally,
    MeasureClass, OutreachFilter, OutreachTotals, PostFilter, PostTally, PriorOutreachTally,
    ProposalFigures, RegistrationTally, SuspectCharge, TrendPoint, TypicalFilter, Viewer,
};
use fanzha_workflow::{LoopFigures, OrgTree};
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    /// `today`, `7d` (default), `30d`, `last_week` (Monday to Sunday), `month` (this calendar
    /// month), `last_month`, `quarter`, `last_quarter`, `year` (this year), or `custom` with
    /// `from` and `to`.
    period: Option<String>,
    /// A custom range's first and last day, `YYYY-MM-DD`.
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// `brief`: the figures written out as a printable work brief (工作简报).
    view: Option<String>,
    /// With `format=csv`: which table (`units`, `figures`, `case_types`, `trend`, `victims`,
    /// `enf_measures`, `enf_gangs`, `warning_types`); the units' by default.
    section: Option<String>,
}

struct UnitLine {
    code: String,
    name: String,
    /// The unit's own instructions and cases (at its level, not below): no drill-down.
    own_level: bool,
    f: LoopFigures,
    /// The store's counts behind `f` (signed, reached, dissuasion by channel).
    t: LoopTally,
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
    /// Residents signed up for 金钟罩 joint defense.
    pub joint_defense: i64,
}

impl Registration {
    fn add(&mut self, t: &RegistrationTally) {
        self.residents += t.residents;
        self.registered += t.registered;
        self.residents_16_60 += t.residents_16_60;
        self.registered_16_60 += t.registered_16_60;
        self.joint_defense += t.joint_defense;
    }

    /// The share of residents signed up for 金钟罩 (金钟罩注册率).
    pub fn joint_defense_rate(&self) -> Option<f64> {
        (self.residents > 0).then(|| self.joint_defense as f64 / self.residents as f64)
    }

    pub fn rate(&self) -> Option<f64> {
        (self.residents > 0).then(|| self.registered as f64 / self.residents as f64)
    }

    pub fn rate_16_60(&self) -> Option<f64> {
        (self.residents_16_60 > 0)
            .then(|| self.registered_16_60 as f64 / self.residents_16_60 as f64)
    }
}

/// Cases of a unit (or of the whole unit viewed) in the period, the same period a year earlier
/// (同比) and the period before (环比).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseFigures {
    pub cases: i64,
    pub last_year: i64,
    pub previous: i64,
    pub loss_fen: i64,
    pub loss_last_year: i64,
    pub loss_previous: i64,
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
        change(self.cases, self.last_year)
    }

    /// "两降": cases and losses both below the same period a year earlier; `None` when there
    /// were no cases then (nothing to fall from).
    pub fn two_down(&self) -> Option<bool> {
        (self.last_year > 0)
            .then_some(self.cases < self.last_year && self.loss_fen < self.loss_last_year)
    }

    /// Cases per 10,000 residents (万人发案数); `None` without a population.
    pub fn per_10k(&self) -> Option<f64> {
        self.population
            .filter(|p| *p > 0)
            .map(|p| self.cases as f64 * 10_000.0 / p as f64)
    }
}

/// `(now − base) / base`; `None` when the base is zero.
pub fn change(now: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| (now - base) as f64 / base as f64)
}

/// A change as read on a report: ↑12.5% / ↓15.6% / 持平, or — when the base is zero.
pub fn change_label(lang: Lang, now: impl Borrow<i64>, base: impl Borrow<i64>) -> String {
    match change(*now.borrow(), *base.borrow()) {
        None => "—".into(),
        Some(r) if r.abs() < 0.0005 => lang.t("yoy_flat").into(),
        Some(r) if r > 0.0 => format!("↑{:.1}%", r * 100.0),
        Some(r) => format!("↓{:.1}%", -r * 100.0),
    }
}

/// `up` (more: bad), `down`, or nothing, for a change cell's colour.
pub fn change_class(now: impl Borrow<i64>, base: impl Borrow<i64>) -> &'static str {
    match change(*now.borrow(), *base.borrow()) {
        Some(r) if r >= 0.0005 => "up",
        Some(r) if r <= -0.0005 => "down",
        _ => "",
    }
}

/// 同比 of the cases as read on a report: ↑12.5% / ↓15.6% / 持平, or — without cases a year
/// earlier.
pub fn yoy_label(lang: Lang, c: &CaseFigures) -> String {
    change_label(lang, c.cases, c.last_year)
}

/// `up` (more cases: bad), `down`, or nothing, for the 同比 cell's colour.
pub fn yoy_class(c: &CaseFigures) -> &'static str {
    change_class(c.cases, c.last_year)
}

/// The "两降" verdict as the page states it.
pub fn two_down_label(lang: Lang, c: &CaseFigures) -> &'static str {
    match c.two_down() {
        Some(true) => lang.t("stp_two_down_met"),
        Some(false) => lang.t("stp_two_down_missed"),
        None => lang.t("stp_two_down_no_base"),
    }
}

/// Employers with fewer of the area's residents are left out of 单位干部职工注册情况 (a spot
/// check of a handful of people says little).
const EMPLOYER_MIN_STAFF: i64 = 5;

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
    /// The form to issue the brief as a numbered 情况通报 (one's own unit's brief, for those who
    /// issue bulletins): the CSRF token, the title and the text to edit.
    issue: Option<BriefIssue>,
}

struct BriefIssue {
    csrf: String,
    title: String,
    body: String,
    /// The industry partners the unit may address too (联席办成员单位 and others).
    partners: Vec<super::bulletins::PartnerChoice>,
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

/// Cases of one fraud type in the period, a year earlier and in the period before.
#[derive(Default)]
struct CaseTypeLine {
    label: String,
    cases: i64,
    last_year: i64,
    previous: i64,
    loss_fen: i64,
    loss_last_year: i64,
    loss_previous: i64,
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

struct TypeLine {
    label: String,
    count: i64,
    /// The warnings search showing these warnings.
    query: String,
}

struct StatLinks {
    warnings: bool,
    operator_figures: bool,
    bank_figures: bool,
    tips: bool,
    posts: bool,
    quizzes: bool,
    app_drives: bool,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatsPage {
    lang: Lang,
    chrome: Chrome,
    /// The pages behind the figures the viewer may open (a figure links only where it can).
    links: StatLinks,
    /// The period's key, and the query string that names it (custom: with its dates).
    period: String,
    period_query: String,
    custom_from: String,
    custom_to: String,
    /// "2026年3月2日至3月8日".
    span: String,
    unit_code: String,
    unit_name: String,
    parent: Option<String>,
    total: LoopFigures,
    total_tally: LoopTally,
    red: i64,
    orange: i64,
    yellow: i64,
    lines: Vec<UnitLine>,
    types: Vec<TypeLine>,
    cases: CaseFigures,
    case_types: Vec<CaseTypeLine>,
    /// The last twelve months, oldest first, and the same as the chart's JSON.
    trend: Vec<TrendLine>,
    trend_json: String,
    registration: Registration,
    /// 单位干部职工注册情况: employers of the area's residents, the lowest rate first.
    employers: Vec<fanzha_store::EmployerRegistration>,
    victims: VictimProfile,
    key_persons: KeyPersonFigures,
    /// 上报惩戒 / 不准出境报备: people reported up in the period.
    proposals: ProposalFigures,
    outreach: OutreachTotals,
    /// New-media posts of the period.
    posts: PostTally,
    /// The period's victims by whether outreach had reached them before (面对面宣防率).
    prior_outreach: PriorOutreachTally,
    /// 电诈案件占刑事案件比 over the period's whole months.
    crime: CrimeShare,
    /// What the operators intercepted over the same months.
    interceptions: fanzha_store::InterceptCounts,
    /// The banks' figures over the period's whole months (银行反诈数据).
    bank_counts: fanzha_store::BankCounts,
    /// 断卡: the period's new cards as screened, and the two-card leads now.
    cards: CardFigures,
    leads: LeadFigures,
    /// 存量卡清理: the requests to banks made in the period, as they stand.
    cleanups: fanzha_store::CleanupCounts,
    /// 集群战役 launched in the period, their targets as they stand.
    operations: fanzha_store::OperationFigures,
    /// 通讯反制: the number disposals asked in the period, as they stand.
    disposals: DisposalCounts,
    /// The tips reported in the period (举报线索) and where they stand.
    tips: fanzha_store::TipCounts,
    /// 反诈知识测试: the attempts handed in during the period.
    quiz: fanzha_store::QuizFigures,
    /// 国家反诈中心APP推广 of the period.
    promotion: fanzha_store::PromotionPeriod,
    /// 96110 calls made in the period.
    calls: CallCounts,
    funds: FundFigures,
    /// 资金返还率: money returned to victims over the period's case losses.
    return_rate: Option<f64>,
    /// 打击成效 of the period.
    enf: EnforcementFigures,
    enf_coercive: i64,
    /// Of the people caught, those charged with 诈骗罪.
    enf_caught_fraud: i64,
    /// 同比 of the people caught and prosecuted (↑12.5% / ↓ / 持平 / —).
    enf_caught_yoy: String,
    enf_prosecuted_yoy: String,
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
}

fn minutes(m: Option<f64>) -> String {
    m.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

/// For the template, which passes references.
pub fn minutes_label(m: impl std::borrow::Borrow<Option<f64>>) -> String {
    minutes(*m.borrow())
}

/// The closed-loop figures the page and the brief show, from the store's counts.
pub fn figures_of(t: &LoopTally) -> LoopFigures {
    let u = |n: i64| u64::try_from(n).unwrap_or(0);
    let rate = |ok: i64, n: i64| (n > 0).then(|| ok as f64 / n as f64);
    let dissuaded = t.dissuaded();
    LoopFigures {
        instructions: u(t.instructions),
        open: u(t.open),
        overdue: u(t.overdue),
        sign_in_sla_rate: rate(t.signed_in_time, t.signed),
        contact_in_sla_rate: rate(t.contacted_in_time, t.contacted),
        close_in_sla_rate: rate(t.closed_in_time, t.closed),
        dissuaded: u(dissuaded),
        defrauded: u(t.defrauded),
        unreachable: u(t.unreachable),
        false_alarm: u(t.false_alarm),
        dissuasion_rate: rate(dissuaded, dissuaded + t.defrauded + t.unreachable),
        median_sign_minutes: t.median_sign_minutes,
        median_contact_minutes: t.median_contact_minutes,
        loss_fen: t.loss_fen,
        saved_fen: t.saved_fen,
    }
}

/// One month of the trend.
pub struct TrendLine {
    /// `2026-03`.
    pub month: String,
    pub point: TrendPoint,
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
    let period = Period::resolve(q.period.as_deref(), q.from.as_deref(), q.to.as_deref(), now)
        .map_err(|_| WebError::BadRequest(lang.t("stp_bad_range").to_string()))?;
    let (from, until) = (period.from, period.until);
    let (prev_from, prev_until) = period.previous();
    let (ly_from, ly_until) = period.year_before();
    let tallies = state
        .store
        .statistics()
        .loop_tally(&scope, &unit_code, from, until)
        .await?;
    let total_tally = tallies.total.clone();
    let total = figures_of(&total_tally);
    let children = state.store.units().children(&unit_code).await?;
    let subtree = state.store.units().subtree(&unit_code, None).await?;
    let populations = effective_populations(&subtree);
    let this_year = state.store.cases().tally(&scope, from, until).await?;
    let victims = victim_profile(
        lang,
        &state.store.cases().victims(&scope, from, until).await?,
    )
    .with_occupations(
        lang,
        &state
            .store
            .cases()
            .by_occupation(&scope, from, until)
            .await?,
    );
    let last_year = state.store.cases().tally(&scope, ly_from, ly_until).await?;
    let previous = state
        .store
        .cases()
        .tally(&scope, prev_from, prev_until)
        .await?;
    let registrations = match shanghai_date(now) {
        Some(day) => state.store.people().registration(&scope, day).await?,
        None => Vec::new(),
    };
    let employers = state
        .store
        .people()
        .registration_by_employer(&scope, EMPLOYER_MIN_STAFF)
        .await?;
    let mut registration = Registration::default();
    let mut per_line: BTreeMap<String, (LoopTally, CaseFigures, Registration)> = BTreeMap::new();
    for (line, t) in tallies.lines {
        per_line
            .entry(line.unwrap_or_else(|| unit_code.clone()))
            .or_default()
            .0 = t;
    }
    let mut cases = CaseFigures {
        population: populations.get(&unit_code).copied(),
        ..CaseFigures::default()
    };
    let mut case_types: BTreeMap<String, CaseTypeLine> = BTreeMap::new();
    {
        let tree = state.loop_service.tree();
        for t in &this_year {
            cases.add(t);
            let e = case_types
                .entry(type_key(t.fraud_type.as_deref()))
                .or_default();
            e.cases += t.cases;
            e.loss_fen += t.loss_fen;
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                per_line.entry(line).or_default().1.add(t);
            }
        }
        for t in &last_year {
            cases.last_year += t.cases;
            cases.loss_last_year += t.loss_fen;
            let e = case_types
                .entry(type_key(t.fraud_type.as_deref()))
                .or_default();
            e.last_year += t.cases;
            e.loss_last_year += t.loss_fen;
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                let c = &mut per_line.entry(line).or_default().1;
                c.last_year += t.cases;
                c.loss_last_year += t.loss_fen;
            }
        }
        for t in &previous {
            cases.previous += t.cases;
            cases.loss_previous += t.loss_fen;
            let e = case_types
                .entry(type_key(t.fraud_type.as_deref()))
                .or_default();
            e.previous += t.cases;
            e.loss_previous += t.loss_fen;
            if let Some(line) = line_of(&*tree, &t.unit_code, &unit_code) {
                let c = &mut per_line.entry(line).or_default().1;
                c.previous += t.cases;
                c.loss_previous += t.loss_fen;
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
        let (t, mut c, r) = per_line.remove(code).unwrap_or_default();
        c.population = populations.get(code).copied();
        (figures_of(&t), t, c, r)
    };
    // Instructions and cases held at the unit itself (pending review at the center, not yet
    // passed down; cases opened at the unit) get a line of their own, so that the lines add up
    // to the totals.
    let (own_f, own_t, mut own_c, own_r) = line(&unit_code);
    own_c.population = None;
    let own_line = (own_f.instructions > 0
        || own_c.cases > 0
        || own_c.last_year > 0
        || own_c.previous > 0
        || own_r.residents > 0)
        .then(|| UnitLine {
            f: own_f,
            t: own_t,
            c: own_c,
            r: own_r,
            code: unit_code.clone(),
            name: format!("{}{}", unit.name, lang.t("own_level")),
            own_level: true,
        });
    let lines: Vec<UnitLine> = own_line
        .into_iter()
        .chain(children.iter().map(|u| {
            let (f, t, c, r) = line(&u.code);
            UnitLine {
                f,
                t,
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
        .map(|(key, mut l)| {
            l.label = type_label(lang, &key);
            l
        })
        .filter(|l| l.cases > 0 || l.last_year > 0 || l.previous > 0)
        .collect();
    case_types.sort_by(|a, b| {
        b.cases
            .cmp(&a.cases)
            .then(b.last_year.cmp(&a.last_year))
            .then(a.label.cmp(&b.label))
    });
    let counts = state
        .store
        .warnings()
        .count_by_level(&scope, from, until)
        .await?;
    // Counted by type code (older rows may spell a type by its name), each linked to the
    // warnings search for the same unit, period and type.
    let mut by_type: BTreeMap<String, i64> = BTreeMap::new();
    for (t, n) in state
        .store
        .statistics()
        .warnings_by_type(&scope, from, until)
        .await?
    {
        *by_type.entry(type_key(t.as_deref())).or_default() += n;
    }
    let unit_param = if unit_code == auth.principal.unit_code {
        ""
    } else {
        unit_code.as_str()
    };
    let mut types: Vec<TypeLine> = by_type
        .into_iter()
        .map(|(key, count)| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("from", &period.first_day.to_string());
            if period.until <= now {
                query.append_pair("to", &period.last_day.to_string());
            }
            TypeLine {
                label: type_label(lang, &key),
                query: query
                    .append_pair("fraud_type", &key)
                    .append_pair("unit", unit_param)
                    .finish(),
                count,
            }
        })
        .collect();
    types.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let (months, bounds) = trend_months(now);
    let trend: Vec<TrendLine> = months
        .iter()
        .zip(state.store.statistics().monthly(&scope, &bounds).await?)
        .map(|(m, point)| TrendLine {
            month: m.format("%Y-%m").to_string(),
            point,
        })
        .collect();
    let trend_json = serde_json::json!({
        "months": trend.iter().map(|t| t.month.clone()).collect::<Vec<_>>(),
        "cases": trend.iter().map(|t| t.point.cases).collect::<Vec<_>>(),
        "loss": trend.iter().map(|t| t.point.loss_fen as f64 / 100.0).collect::<Vec<_>>(),
        "warnings": trend.iter().map(|t| t.point.warnings).collect::<Vec<_>>(),
        "labels": {
            "cases": lang.t("case_count"),
            "loss": lang.t("case_loss"),
            "warnings": lang.t("stp_warnings"),
        },
    })
    .to_string()
    // Safe inside <script type="application/json">: no "</script>" can close it early.
    .replace('<', "\\u003c");
    let t = state
        .store
        .stop_payments()
        .timeliness(&Viewer::Police(scope.clone()), from, until)
        .await?;
    let funds = state
        .store
        .stop_payments()
        .fund_figures(&Viewer::Police(scope.clone()), from, until)
        .await?;
    let key_persons = state.store.key_persons().figures(&scope, now).await?;
    let proposals = state
        .store
        .key_person_proposals()
        .figures(&scope, from, until)
        .await?;
    let cards = state
        .store
        .new_cards()
        .figures(
            &Viewer::Police(scope.clone()),
            fanzha_store::CardKind::BankCard,
            from,
            until,
        )
        .await?;
    let leads = state.store.two_card_leads().figures(&scope, now).await?;
    let tips = state.store.tips().counts(&scope, from, until).await?;
    let disposals = state
        .store
        .number_disposals()
        .figures(
            &DisposalViewer::Police(scope.clone()),
            now,
            Some((from, until)),
        )
        .await?
        .all;
    let cleanups = state
        .store
        .card_cleanups()
        .figures(
            &fanzha_store::CleanupViewer::Police(scope.clone()),
            now,
            Some((from, until)),
        )
        .await?
        .all;
    let calls = state
        .store
        .call_tasks()
        .call_figures(&scope, from, until)
        .await?
        .all;
    let outreach = state
        .store
        .outreach()
        .totals(
            &scope,
            &OutreachFilter {
                from: Some(from),
                until: Some(until),
                kind: None,
            },
        )
        .await?;
    let posts = state
        .store
        .outreach_posts()
        .figures(
            &scope,
            &PostFilter {
                from: Some(from),
                until: Some(until),
                ..PostFilter::default()
            },
        )
        .await?
        .total;
    let prior_outreach = state
        .store
        .cases()
        .prior_outreach_tally(&scope, from, until)
        .await?;
    let months = shanghai_date(now)
        .map(|today| months_within(period.first_day, period.last_day, today))
        .unwrap_or_default();
    let crime = crime_share(&state, &scope, &months).await?;
    let interceptions = match (months.first(), months.last()) {
        (Some(&first), Some(&last)) => {
            state
                .store
                .operator_figures()
                .totals(&scope, first, last)
                .await?
                .total
        }
        _ => fanzha_store::InterceptCounts::default(),
    };
    let bank_counts = match (months.first(), months.last()) {
        (Some(&first), Some(&last)) => {
            state
                .store
                .bank_figures()
                .totals(&scope, first, last)
                .await?
                .total
        }
        _ => fanzha_store::BankCounts::default(),
    };
    let return_rate =
        (cases.loss_fen > 0).then(|| funds.returned_fen as f64 / cases.loss_fen as f64);
    let enf = state
        .store
        .enforcement()
        .figures(&scope, from, until)
        .await?;
    let enf_recovery_rate = enf.recovery_rate(funds.returned_fen);
    let operations = state
        .store
        .cluster_operations()
        .figures(&scope, from, until)
        .await?;
    let alliance = state.store.alliance().tally(&scope, from, until).await?;
    let promotion = state.store.app_drives().period(&scope, from, until).await?;
    let quizzes = state.store.quiz_attempts();
    // By the participants' area: a city's campaign counts in each county for its residents.
    let by_area = fanzha_store::QuizArea::Participant;
    let quiz = quizzes
        .period_figures(&scope, by_area, from, until, None)
        .await?;
    let quiz_public_sector = quizzes
        .period_figures(
            &scope,
            by_area,
            from,
            until,
            Some(fanzha_store::OutreachAudience::PublicSector),
        )
        .await?;
    let joint = super::joint_office::tally(&state, &scope, (from, until)).await?;
    // 同比 of people caught and prosecuted: the same period a year earlier.
    let enf_last_year = state
        .store
        .enforcement()
        .figures(
            &scope,
            super::statistics_period::months_before(from, 12),
            super::statistics_period::months_before(until, 12),
        )
        .await?;
    let span = span_label(lang, Some(period.first_day), Some(period.last_day));

    if q.view.as_deref() == Some("brief") {
        let notices = state
            .store
            .employer_notices()
            .figures(&scope, from, until, now)
            .await?;
        // The brief retells the latest and says how many the period has.
        let (typical, typical_more) = state
            .store
            .typical_cases()
            .list(
                &unit_code,
                &TypicalFilter {
                    from: Some(from),
                    to: Some(until),
                    fraud_type: None,
                    area_only: true,
                },
            )
            .await?;
        let input = BriefInput {
            notices: &notices,
            typical: &typical,
            typical_more,
            unit_name: &unit.name,
            span: span.clone(),
            cases: &cases,
            case_types: case_types
                .iter()
                .filter(|t| t.cases > 0)
                .map(|t| (t.label.as_str(), t.cases))
                .collect(),
            victims: &victims,
            warnings: (counts.red, counts.orange, counts.yellow),
            loop_figures: &total,
            channels: &total_tally,
            funds: &funds,
            fund_warnings: super::fund_warnings::tally(&state, &scope, from, until).await?,
            return_rate,
            stopped_in_time: (t.requested > 0).then_some((t.executed_in_time, t.requested)),
            registration: &registration,
            employers: &employers,
            key_persons: &key_persons,
            proposals: &proposals,
            outreach: &outreach,
            posts: &posts,
            prior_outreach: &prior_outreach,
            crime: &crime,
            cards: &cards,
            leads: &leads,
            cleanups: &cleanups,
            disposals: &disposals,
            tips: &tips,
            calls: &calls,
            interceptions: &interceptions,
            bank_counts: &bank_counts,
            enforcement: &enf,
            enforcement_last_year: &enf_last_year,
            recovery_rate: enf_recovery_rate,
            operations: &operations,
            alliance: &alliance,
            quiz: &quiz,
            quiz_public_sector: &quiz_public_sector,
            promotion: &promotion,
            joint: &joint,
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
        let sections = brief(lang, &input);
        let issue =
            if IssueBulletins::allows(&auth.principal) && unit_code == auth.principal.unit_code {
                Some(BriefIssue {
                    csrf: auth.csrf_token.clone(),
                    title: format!("{}{}", unit.name, lang.t("bl_situation_title")),
                    body: sections
                        .iter()
                        .map(|s| format!("{}\n{}", s.title, s.text))
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                    partners: super::bulletins::partner_choices(&state, lang, &unit_code).await?,
                })
            } else {
                None
            };
        return render(&BriefPage {
            lang,
            title: format!("{}{}", unit.name, lang.t("work_brief")),
            span: input.span.clone(),
            sections,
            generated: fanzha_core::time::format_shanghai(now),
            issue,
        })
        .map(IntoResponse::into_response);
    }
    let parent = match &unit.parent_code {
        Some(p) => match state.store.units().find(p).await? {
            Some(u) if own.contains_path(&u.path) => Some(u.code),
            _ => None,
        },
        None => None,
    };
    let p = &auth.principal;
    let links = StatLinks {
        warnings: ViewWarnings::allows(p),
        operator_figures: ViewOperatorFigures::allows(p),
        bank_figures: crate::auth::permission::ViewBankFigures::allows(p),
        tips: crate::auth::permission::ViewTips::allows(p),
        posts: ViewOutreach::allows(p),
        quizzes: crate::auth::permission::ViewQuizzes::allows(p),
        app_drives: crate::auth::permission::ViewAppDrives::allows(p),
    };
    let page = StatsPage {
        links,
        lang,
        chrome,
        period: period.key.to_string(),
        period_query: period.query(),
        custom_from: period.first_day.to_string(),
        custom_to: period.last_day.to_string(),
        span,
        unit_name: unit.name.clone(),
        unit_code,
        parent,
        total,
        total_tally,
        red: counts.red,
        orange: counts.orange,
        yellow: counts.yellow,
        lines,
        types,
        cases,
        case_types,
        trend,
        trend_json,
        registration,
        employers,
        victims,
        key_persons,
        proposals,
        outreach,
        posts,
        prior_outreach,
        crime,
        interceptions,
        bank_counts,
        cards,
        leads,
        cleanups,
        operations,
        disposals,
        tips,
        quiz,
        promotion,
        calls,
        funds,
        return_rate,
        enf_coercive: enf.of_class(MeasureClass::Coercive),
        enf_caught_yoy: change_label(lang, enf.caught(), enf_last_year.caught()),
        enf_prosecuted_yoy: change_label(lang, enf.prosecuted, enf_last_year.prosecuted),
        enf_caught_fraud: enf
            .caught_by_charge
            .iter()
            .find(|(c, _)| *c == SuspectCharge::Fraud)
            .map_or(0, |(_, n)| *n),
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
    };
    if let Some(format) = q.format {
        let name = format!(
            "statistics_{}_{}",
            page.unit_code,
            if period.key == "custom" {
                format!("{}_{}", period.first_day, period.last_day)
            } else {
                period.key.to_string()
            }
        );
        return export::sheets(&page, name).respond(format, q.section.as_deref());
    }
    render(&page).map(IntoResponse::into_response)
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
    use super::super::statistics_period::months_before;
    use super::*;
    use fanzha_core::time::shanghai_midnight;

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
        // Losses and 环比 read the same way; a zero base gives —.
        assert_eq!(change_label(Lang::Zh, 38_670, 100_000), "↓61.3%");
        assert_eq!(change_label(Lang::En, 0, 0), "—");
        assert_eq!(change_class(5, 0), "");
    }

    #[test]
    fn two_down_needs_both_cases_and_losses_below_last_year() {
        let c = |cases, last_year, loss_fen, loss_last_year| CaseFigures {
            cases,
            last_year,
            loss_fen,
            loss_last_year,
            ..CaseFigures::default()
        };
        assert_eq!(c(3, 5, 100, 200).two_down(), Some(true));
        assert_eq!(c(3, 5, 300, 200).two_down(), Some(false));
        assert_eq!(c(5, 5, 100, 200).two_down(), Some(false));
        assert_eq!(c(3, 0, 100, 0).two_down(), None);
        assert_eq!(
            two_down_label(Lang::Zh, &c(3, 5, 100, 200)),
            "发案、损失双下降"
        );
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
        assert_eq!(months_before(t, 12), e);
        // 29 February has no twin: the day before 1 March.
        let leap =
            shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()).unwrap();
        let feb28 =
            shanghai_midnight(chrono::NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()).unwrap();
        assert_eq!(months_before(leap, 12), feb28);
    }
}
