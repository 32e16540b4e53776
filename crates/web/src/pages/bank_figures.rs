//! 银行反诈数据: for a year and a unit of one's area, each bank's customers dissuaded from paying
//! a fraudster (with the money kept) and reminders pushed to its customers, month by month,
//! with the year's total beside the same months a year earlier (each unit's own entry standing
//! for its subtree); the entries of the year; and a form to enter or correct a month (every
//! figure empty removes it). Police read every bank's, a liaison its own bank's. CSV / XLSX.
//! Entries are audited by the store.

use super::choices::{bank_choices, bank_name, non_empty, unit_choices, Choice};
use super::view::form_count as count;
use super::view::yuan_short;
use super::{after_write, render, Chrome};
use crate::auth::permission::{EnterBankFigures, Permission, ViewBankFigures};
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
use fanzha_core::Money;
use fanzha_store::{BankCounts, BankEnterer, BankTotals};
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

/// A figure of a line: the i18n key, the `data-figure` name, how it is read, and whether it is
/// money (shown as yuan).
type Figure = (&'static str, &'static str, fn(&BankCounts) -> i64, bool);

/// The figures of a line, in table order.
const FIGURES: &[Figure] = &[
    ("bf_dissuaded", "dissuaded", |c| c.dissuaded, false),
    (
        "bf_dissuaded_yuan",
        "dissuaded-fen",
        |c| c.dissuaded_fen,
        true,
    ),
    (
        "of_awareness_sms",
        "awareness-sms",
        |c| c.awareness_sms,
        false,
    ),
    (
        "of_awareness_calls",
        "awareness-calls",
        |c| c.awareness_calls,
        false,
    ),
];

/// As shown in the month table: money in short form (¥86.5万), the exact amount being in the
/// entries and the export.
fn shown(lang: Lang, n: i64, money: bool) -> String {
    if money {
        yuan_short(lang, n)
    } else {
        n.to_string()
    }
}

/// As a spreadsheet cell: money as plain yuan with two decimals (a number, not a label).
fn cell(n: i64, money: bool) -> String {
    if money {
        format!("{}.{:02}", n / 100, (n % 100).abs())
    } else {
        n.to_string()
    }
}

/// One row of the month table: a figure of a bank (or of all banks), the months, the year and
/// a year earlier.
struct FigureRow {
    /// `data-bank`: the bank code, or `total`.
    bank: String,
    /// The bank's name on its first row, with how many rows it spans; empty on the others.
    label: String,
    span: usize,
    figure: &'static str,
    key: &'static str,
    months: Vec<String>,
    year: String,
    last_year: String,
    total: bool,
    /// The months, the year and a year earlier as spreadsheet cells.
    cells: Vec<String>,
}

/// An entry as listed.
struct EntryRow {
    unit: String,
    month: String,
    bank: String,
    counts: BankCounts,
    entered_by: String,
}

#[derive(Template)]
#[template(path = "bank_figures.html")]
struct FiguresPage {
    lang: Lang,
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    units: Vec<Choice>,
    unit_code: String,
    unit_name: String,
    month_heads: Vec<String>,
    rows: Vec<FigureRow>,
    entries: Vec<EntryRow>,
    /// The months of the year with entries (`YYYY-MM`), the listed one selected.
    entry_months: Vec<Choice>,
    enter: bool,
    /// The banks one may enter for (a liaison: its own).
    enter_banks: Vec<Choice>,
    entry_units: Vec<Choice>,
    max_month: String,
    query: String,
    /// What a file import just did.
    import: Option<super::figure_imports::FigureImportView>,
}

/// The rows of one line (a bank, or all banks): one per figure.
fn line_rows(
    lang: Lang,
    bank: &str,
    label: String,
    months: &[BankCounts],
    year: &BankCounts,
    last_year: &BankCounts,
) -> Vec<FigureRow> {
    FIGURES
        .iter()
        .enumerate()
        .map(|(i, &(key, figure, get, money))| FigureRow {
            bank: bank.to_string(),
            label: if i == 0 { label.clone() } else { String::new() },
            span: FIGURES.len(),
            figure,
            key,
            months: months.iter().map(|c| shown(lang, get(c), money)).collect(),
            year: shown(lang, get(year), money),
            last_year: shown(lang, get(last_year), money),
            total: bank == "total",
            cells: months
                .iter()
                .chain([year, last_year])
                .map(|c| cell(get(c), money))
                .collect(),
        })
        .collect()
}

/// `GET /bank-figures[?year=YYYY&unit=CODE][&format=csv|xlsx]`.
pub async fn page(
    auth: Require<ViewBankFigures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    respond(&auth.principal, &auth.csrf_token, &state, &headers, q, None).await
}

/// `POST /bank-figures/import` (multipart: `file`, `format`, and `bank_code` for a file without
/// a bank column): a bank's monthly figures from its spreadsheet, one unit and month (and
/// bank) per row, each row entered as the form enters it (audited by the store); rows in error
/// quarantined with line and reason. Answers the page with what the import did.
pub async fn import(
    auth: Require<EnterBankFigures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let done = super::figure_imports::bank_figures(&auth.principal, &state, multipart).await?;
    let q = PageQuery {
        year: done.latest_month.map(|m| (m / 100).to_string()),
        month: done
            .latest_month
            .map(|m| format!("{}-{:02}", m / 100, m % 100)),
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

/// The page of `q` for `principal`, with the result of a file import when there was one.
async fn respond(
    principal: &crate::auth::principal::Principal,
    csrf_token: &str,
    state: &AppState,
    headers: &HeaderMap,
    q: PageQuery,
    import: Option<super::figure_imports::FigureImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(principal, csrf_token, headers, "/bank-figures");
    let lang = chrome.lang;
    let today = state.today()?;
    let year = super::view::year_param(non_empty(&q.year), today)?;
    let own_unit = principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let first = i64::from(year) * 100 + 1;
    let repo = state.store.bank_figures();
    // Each month, the year and a year earlier rolled up once (three reads); each bank's line
    // reads them.
    let mut by_month = repo.monthly_totals(&scope, first, first + 11).await?;
    let months: Vec<BankTotals> = (0..12)
        .map(|m| by_month.remove(&(first + m)).unwrap_or_default())
        .collect();
    let year_totals = repo.totals(&scope, first, first + 11).await?;
    let last_year_totals = repo.totals(&scope, first - 100, first - 89).await?;
    // A liaison reads its own bank's line; police every bank with figures in either year.
    let banks: Vec<String> = match &principal.bank_code {
        Some(own) => vec![own.clone()],
        None => {
            let mut banks: Vec<String> = year_totals
                .by_bank
                .iter()
                .chain(&last_year_totals.by_bank)
                .map(|(b, _)| b.clone())
                .collect();
            banks.sort();
            banks.dedup();
            banks
        }
    };
    let mut rows = Vec::new();
    let mut sum_months = vec![BankCounts::default(); 12];
    let (mut sum_year, mut sum_last) = (BankCounts::default(), BankCounts::default());
    for bank in &banks {
        let line: Vec<BankCounts> = months.iter().map(|t| t.of(bank)).collect();
        for (s, c) in sum_months.iter_mut().zip(&line) {
            s.add(c);
        }
        sum_year.add(&year_totals.of(bank));
        sum_last.add(&last_year_totals.of(bank));
        rows.extend(line_rows(
            lang,
            bank,
            bank_name(bank),
            &line,
            &year_totals.of(bank),
            &last_year_totals.of(bank),
        ));
    }
    rows.extend(line_rows(
        lang,
        "total",
        lang.t("of_total").to_string(),
        &sum_months,
        &sum_year,
        &sum_last,
    ));
    let listed = super::view::listed_month(non_empty(&q.month), year, &year_totals.months)?;
    let mut names = state.unit_names();
    let mut entries = Vec::new();
    for e in repo.entries(&scope, listed, listed).await? {
        if principal
            .bank_code
            .as_ref()
            .is_some_and(|own| *own != e.bank_code)
        {
            continue;
        }
        entries.push(EntryRow {
            unit: names.get(&e.unit_code).await,
            month: format!("{}-{:02}", e.month / 100, e.month % 100),
            bank: bank_name(&e.bank_code),
            counts: e.counts,
            entered_by: e.entered_by,
        });
    }
    let entry_months = super::view::entry_month_choices(year, &year_totals.months, listed);
    let unit = state.store.units().get(&unit_code).await?;
    let entry_units = super::choices::entry_unit_choices(state, &unit).await?;
    let enter_banks = match &principal.bank_code {
        Some(own) => vec![Choice {
            value: own.clone(),
            label: bank_name(own),
            selected: true,
        }],
        // The banks reporting in the area first, then every other bank of the table.
        None => {
            let mut all = bank_choices();
            // A stable sort: by name within each group.
            all.sort_by_key(|c| !banks.contains(&c.value));
            all
        }
    };
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
        rows,
        entries,
        entry_months,
        enter: EnterBankFigures::allows(principal),
        enter_banks,
        entry_units,
        max_month: format!("{}-{:02}", today.year(), today.month()),
        query,
        import,
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
    let mut headers = vec![t("bf_bank"), t("of_figure")];
    headers.extend(page.month_heads.iter().cloned());
    headers.push(t("of_year"));
    headers.push(t("of_last_year"));
    let mut bank = String::new();
    let rows = page
        .rows
        .into_iter()
        .map(|r| {
            if !r.label.is_empty() {
                bank = r.label.clone();
            }
            let mut row = vec![bank.clone(), t(r.key)];
            row.extend(r.cells);
            row
        })
        .collect();
    Sheets {
        name: format!("bank_figures_{}_{}", page.unit_code, page.year),
        sheets: vec![Sheet {
            key: "months",
            title: t("bf_title"),
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
    bank_code: String,
    /// `YYYY-MM`.
    month: String,
    #[serde(default)]
    dissuaded: String,
    /// Yuan, as typed (`12,000.50`, `1.2万`).
    #[serde(default)]
    dissuaded_yuan: String,
    #[serde(default)]
    awareness_sms: String,
    #[serde(default)]
    awareness_calls: String,
}

/// `POST /bank-figures` (`unit_code`, `bank_code`, `month` as `YYYY-MM`, `dissuaded`,
/// `dissuaded_yuan`, `awareness_sms`, `awareness_calls`; all empty removes the entry): enters a
/// bank's month for a unit of one's area (audited by the store). A liaison enters its own
/// bank's only (403 otherwise); a future month, a negative count, an amount without anyone
/// dissuaded or an unknown bank is refused; a unit outside one's area answers not-found.
pub async fn enter(
    auth: Require<EnterBankFigures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<EntryForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let unit = state.unit_within(&p.unit_code, f.unit_code.trim()).await?;
    let month = super::view::form_month(&f.month)?;
    let money = match f.dissuaded_yuan.trim() {
        "" => None,
        v => Some(
            Money::parse(v)
                .map(Money::fen)
                .map_err(|e| WebError::BadRequest(format!("dissuaded_yuan: {e}")))?,
        ),
    };
    let given = [
        count(&f.dissuaded, "people dissuaded")?,
        money,
        count(&f.awareness_sms, "reminders texted")?,
        count(&f.awareness_calls, "voice reminders")?,
    ];
    let counts = given.iter().any(Option::is_some).then(|| BankCounts {
        dissuaded: given[0].unwrap_or(0),
        dissuaded_fen: given[1].unwrap_or(0),
        awareness_sms: given[2].unwrap_or(0),
        awareness_calls: given[3].unwrap_or(0),
    });
    let enterer = match &p.bank_code {
        Some(own) => BankEnterer::Bank(own.clone()),
        None => BankEnterer::Police,
    };
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .bank_figures()
        .set(
            &scope,
            &enterer,
            f.bank_code.trim(),
            &unit.code,
            month,
            counts,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/bank-figures?year={}", month / 100),
        StatusCode::OK,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_a_row_per_figure_and_money_in_yuan() {
        use super::super::view::yuan;
        let c = BankCounts {
            dissuaded: 2,
            dissuaded_fen: 1_234_500,
            awareness_sms: 10,
            awareness_calls: 1,
        };
        let rows = line_rows(
            Lang::Zh,
            "ICBC",
            "工商银行".into(),
            &[c; 12],
            &c,
            &BankCounts::default(),
        );
        assert_eq!(rows.len(), FIGURES.len());
        assert_eq!(rows[0].label, "工商银行");
        assert!(rows[1..].iter().all(|r| r.label.is_empty()));
        assert_eq!(rows[1].year, yuan_short(Lang::Zh, 1_234_500));
        assert_ne!(rows[1].year, yuan(1_234_500), "the table is short");
        assert_eq!(rows[1].cells[0], "12345.00");
        assert_eq!(rows[1].cells[12], "12345.00");
        assert_eq!(rows[1].cells.len(), 14);
        assert_eq!(rows[0].months.len(), 12);
        assert!(!rows[0].total);
        assert!(line_rows(Lang::En, "total", String::new(), &[c; 12], &c, &c)[0].total);
    }
}
