//! 运营商反制数据: for a year and a unit of one's area, each operator's calls and SMS
//! intercepted and numbers shut down, month by month, with the year's total beside the same
//! months a year earlier (each unit's own entry standing for its subtree); the entries of the
//! unit and those directly below; and a form to enter or correct a month (all three figures
//! empty removes it). Police read every operator's, a liaison its own operator's. CSV / XLSX.
//! Entries are audited by the store.

use super::choices::{non_empty, unit_choices, Choice};
use super::figure_imports::FigureImportView;
use super::view::form_count as count;
use super::view::pick;
use super::{after_write, render, Chrome};
use crate::auth::permission::{EnterOperatorFigures, Permission, ViewOperatorFigures};
use crate::auth::principal::Principal;
use crate::auth::Require;
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
use fanzha_store::{FigureEnterer, InterceptCounts, Operator, OperatorFigureEntry};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// The month whose entries are listed (`YYYY-MM` of the year); the latest with any by
    /// default.
    #[serde(default)]
    month: Option<String>,
    format: Option<ExportFormat>,
}

/// The operators a caller reads: a liaison its own, police all.
fn operators_of(p: &Principal) -> Vec<Operator> {
    match p.operator {
        Some(own) => vec![own],
        None => Operator::ALL.to_vec(),
    }
}

/// One operator's line: a label, the months' figures, the year and a year earlier.
struct Line {
    code: &'static str,
    label: &'static str,
    months: Vec<InterceptCounts>,
    year: InterceptCounts,
    last_year: InterceptCounts,
}

/// An entry as listed.
struct EntryRow {
    unit: String,
    month: String,
    operator: &'static str,
    counts: InterceptCounts,
    entered_by: String,
}

#[derive(Template)]
#[template(path = "operator_figures.html")]
struct FiguresPage {
    lang: Lang,
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    units: Vec<Choice>,
    unit_code: String,
    unit_name: String,
    month_heads: Vec<String>,
    lines: Vec<Line>,
    total: Line,
    entries: Vec<EntryRow>,
    /// The months of the year with entries (`YYYY-MM`), the listed one selected.
    entry_months: Vec<Choice>,
    enter: bool,
    /// The operators one may enter for (a liaison: its own).
    enter_operators: Vec<Choice>,
    entry_units: Vec<Choice>,
    max_month: String,
    query: String,
    /// What a file import just did.
    import: Option<FigureImportView>,
}

fn add_up(counts: impl Iterator<Item = InterceptCounts>) -> InterceptCounts {
    counts.fold(InterceptCounts::default(), |a, b| InterceptCounts {
        calls_blocked: a.calls_blocked + b.calls_blocked,
        sms_blocked: a.sms_blocked + b.sms_blocked,
        numbers_shut: a.numbers_shut + b.numbers_shut,
        awareness_sms: a.awareness_sms + b.awareness_sms,
        awareness_calls: a.awareness_calls + b.awareness_calls,
    })
}

/// `GET /operator-figures[?year=YYYY&unit=CODE][&format=csv|xlsx]`.
pub async fn page(
    auth: Require<ViewOperatorFigures>,
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
    let chrome = Chrome::new(principal, csrf_token, headers, "/operator-figures");
    let lang = chrome.lang;
    let today = state.today()?;
    let year = super::view::year_param(non_empty(&q.year), today)?;
    let own_unit = principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let first = i64::from(year) * 100 + 1;
    let repo = state.store.operator_figures();
    let readable = operators_of(principal);
    // Each month, the year and a year earlier rolled up once (three reads); each operator's
    // line reads them.
    let mut by_month = repo.monthly_totals(&scope, first, first + 11).await?;
    let months: Vec<fanzha_store::OperatorTotals> = (0..12)
        .map(|m| by_month.remove(&(first + m)).unwrap_or_default())
        .collect();
    let year_totals = repo.totals(&scope, first, first + 11).await?;
    let last_year_totals = repo.totals(&scope, first - 100, first - 89).await?;
    let of = |t: &fanzha_store::OperatorTotals, op: Operator| {
        t.by_operator
            .iter()
            .find(|(o, _)| *o == op)
            .map_or(InterceptCounts::default(), |(_, c)| *c)
    };
    let lines: Vec<Line> = readable
        .iter()
        .map(|&op| Line {
            code: op.as_str(),
            label: pick(lang, op.zh(), op.en()),
            months: months.iter().map(|t| of(t, op)).collect(),
            year: of(&year_totals, op),
            last_year: of(&last_year_totals, op),
        })
        .collect();
    let total = Line {
        code: "total",
        label: lang.t("of_total"),
        months: (0..12)
            .map(|m| add_up(lines.iter().map(|l| l.months[m])))
            .collect(),
        year: add_up(lines.iter().map(|l| l.year)),
        last_year: add_up(lines.iter().map(|l| l.last_year)),
    };
    let listed = super::view::listed_month(non_empty(&q.month), year, &year_totals.months)?;
    let entry_months = super::view::entry_month_choices(year, &year_totals.months, listed);
    let mut names = state.unit_names();
    let mut entries = Vec::new();
    for e in repo.entries(&scope, listed, listed).await? {
        let OperatorFigureEntry {
            operator,
            unit_code: code,
            month,
            counts,
            entered_by,
            ..
        } = e;
        if !readable.contains(&operator) {
            continue;
        }
        entries.push(EntryRow {
            unit: names.get(&code).await,
            month: format!("{}-{:02}", month / 100, month % 100),
            operator: pick(lang, operator.zh(), operator.en()),
            counts,
            entered_by,
        });
    }
    let unit = state.store.units().get(&unit_code).await?;
    let entry_units = super::choices::entry_unit_choices(state, &unit).await?;
    let enter_operators = match principal.operator {
        Some(own) => vec![own],
        None => Operator::ALL.to_vec(),
    }
    .into_iter()
    .map(|o| Choice {
        value: o.as_str().into(),
        label: pick(lang, o.zh(), o.en()).into(),
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
    let page = FiguresPage {
        year,
        years: (2000.max(today.year() - 5)..=today.year()).rev().collect(),
        units: unit_choices(state, &own_unit, &unit_code).await?,
        unit_name: unit.name.clone(),
        unit_code,
        month_heads: super::view::month_heads(lang),
        lines,
        total,
        entries,
        entry_months,
        enter: EnterOperatorFigures::allows(principal),
        import,
        enter_operators,
        entry_units,
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

fn export(page: FiguresPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let mut headers = vec![t("of_operator"), t("of_figure")];
    headers.extend(page.month_heads.iter().cloned());
    headers.push(t("of_year"));
    headers.push(t("of_last_year"));
    let mut rows = Vec::new();
    for l in page.lines.iter().chain(std::iter::once(&page.total)) {
        for (key, get) in [
            (
                "of_calls",
                (|c: &InterceptCounts| c.calls_blocked) as fn(&InterceptCounts) -> i64,
            ),
            ("of_sms", |c: &InterceptCounts| c.sms_blocked),
            ("of_shut", |c: &InterceptCounts| c.numbers_shut),
            ("of_awareness_sms", |c: &InterceptCounts| c.awareness_sms),
            ("of_awareness_calls", |c: &InterceptCounts| {
                c.awareness_calls
            }),
        ] {
            let mut row = vec![l.label.to_string(), t(key)];
            row.extend(l.months.iter().map(|c| get(c).to_string()));
            row.push(get(&l.year).to_string());
            row.push(get(&l.last_year).to_string());
            rows.push(row);
        }
    }
    Sheets {
        name: format!("operator_figures_{}_{}", page.unit_code, page.year),
        sheets: vec![Sheet {
            key: "months",
            title: t("of_title"),
            table: Table {
                name: format!("{} {}", page.unit_name, page.year),
                headers,
                rows,
            },
        }],
    }
}

#[derive(Debug, Deserialize)]
pub struct EntryForm {
    unit_code: String,
    operator: String,
    /// `YYYY-MM`.
    month: String,
    #[serde(default)]
    calls_blocked: String,
    #[serde(default)]
    sms_blocked: String,
    #[serde(default)]
    numbers_shut: String,
    #[serde(default)]
    awareness_sms: String,
    #[serde(default)]
    awareness_calls: String,
}

/// `POST /operator-figures` (`unit_code`, `operator`, `month` as `YYYY-MM`, the five counts —
/// `calls_blocked`, `sms_blocked`, `numbers_shut`, `awareness_sms`, `awareness_calls`; all
/// empty removes the entry): enters an operator's month for a unit of one's area
/// (audited by the store). A liaison enters its own operator's only (403 otherwise); a future
/// month or a negative count is refused; a unit outside one's area answers not-found.
pub async fn enter(
    auth: Require<EnterOperatorFigures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<EntryForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let unit = state.unit_within(&p.unit_code, f.unit_code.trim()).await?;
    let operator = Operator::parse(f.operator.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown operator `{}`", f.operator)))?;
    let month = super::view::form_month(&f.month)?;
    let given = [
        count(&f.calls_blocked, "calls blocked")?,
        count(&f.sms_blocked, "SMS blocked")?,
        count(&f.numbers_shut, "numbers shut down")?,
        count(&f.awareness_sms, "reminders texted")?,
        count(&f.awareness_calls, "voice reminders")?,
    ];
    let counts = given.iter().any(Option::is_some).then(|| InterceptCounts {
        calls_blocked: given[0].unwrap_or(0),
        sms_blocked: given[1].unwrap_or(0),
        numbers_shut: given[2].unwrap_or(0),
        awareness_sms: given[3].unwrap_or(0),
        awareness_calls: given[4].unwrap_or(0),
    });
    let enterer = match p.operator {
        Some(own) => FigureEnterer::Operator(own),
        None => FigureEnterer::Police,
    };
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .operator_figures()
        .set(
            &scope,
            enterer,
            operator,
            &unit.code,
            month,
            counts,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/operator-figures?year={}", month / 100),
        StatusCode::OK,
    ))
}

/// `POST /operator-figures/import` (multipart: `file`, `format`, and `operator` for a file
/// without an operator column): an operator's monthly figures from its spreadsheet, one unit
/// and month per row, each row entered as the form enters it (audited by the store); rows in
/// error quarantined with line and reason. Answers the page with what the import did.
pub async fn import(
    auth: Require<EnterOperatorFigures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let done = super::figure_imports::operator_figures(&auth.principal, &state, multipart).await?;
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
