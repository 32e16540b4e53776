//! 资金预警 at `/warnings/funds`: the fund warnings pushed to the area — the person has paid a
//! known fraud account — with the payment (amount, time, payee account masked and its bank), the
//! instruction, and the stop-payments asked since. The center acts on these first ("对公安部下发的
//! 资金预警指令…提前介入，第一时间开展保护性止付"): those still waiting show how long they have
//! waited, red past 30 minutes, each with a one-click protective stop on the payee account for
//! the amount paid (`POST /warnings/{id}/fund-stop`). Tiles: received, amount, waiting, stopped,
//! the share stopped within 30 minutes of receipt, held. CSV / XLSX.

use super::choices::Choice;
use super::days_period::{period, period_choices};
use super::view::{level_class, level_label, pick, share, status_label, time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{ManageCases, Permission, ViewWarnings};
use crate::auth::Require;
use crate::casework::{request_protective_stop, ProtectiveStopInput};
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_card, mask_phone, mask_resident_id};
use fanzha_store::{FundWarning, FundWarningFilter, PushPlatform, MAX_FUND_WARNINGS};
use serde::Deserialize;

/// A stop is due within this long of the warning's receipt (the stop-payment deadline).
pub const STOP_WITHIN_MS: i64 = 30 * 60_000;

#[derive(Debug, Default, Deserialize)]
pub struct FundQuery {
    #[serde(default)]
    days: Option<String>,
    /// `1`: only those still waiting for a stop.
    #[serde(default)]
    awaiting: Option<String>,
    #[serde(default)]
    format: Option<ExportFormat>,
}

/// The period's figures.
struct Figures {
    received: usize,
    amount_fen: i64,
    awaiting: usize,
    /// Waiting longer than 30 minutes.
    late: usize,
    stopped: usize,
    in_time: usize,
    in_time_share: String,
    held_fen: i64,
}

struct Row {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    received: String,
    platform: String,
    push_id: String,
    person: String,
    unit: String,
    amount: String,
    paid_at: String,
    payee: String,
    bank: String,
    instruction_id: String,
    instruction_status: &'static str,
    /// `awaiting`, `late` (awaiting past 30 minutes), `stopped`, `closed` (no stop, closed).
    stop_state: &'static str,
    /// Minutes waited (awaiting) or taken to ask the first stop.
    minutes: i64,
    held: String,
    /// The one-click stop can be asked (awaiting or not, a payee account is known).
    can_stop: bool,
}

#[derive(Template)]
#[template(path = "fund_warnings.html")]
struct FundPage {
    lang: Lang,
    chrome: Chrome,
    figures: Figures,
    rows: Vec<Row>,
    periods: Vec<Choice>,
    awaiting_only: bool,
    query: String,
    can_stop: bool,
}

/// `GET /warnings/funds[?days=&awaiting=1&format=]`.
pub async fn page(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FundQuery>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let chrome = Chrome::new(p, &auth.csrf_token, &headers, "/warnings/funds");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let period = period(&state, q.days.as_deref())?;
    let awaiting_only = q.awaiting.as_deref().is_some_and(|a| a == "1");
    let now = state.clock.now_ms();
    // The figures count the whole period; the filter only narrows the rows.
    let listed = state
        .store
        .fund_warnings()
        .list(
            &scope,
            &FundWarningFilter {
                from_ms: period.from,
                to_ms: period.until,
                awaiting_only: false,
            },
            MAX_FUND_WARNINGS,
        )
        .await?;
    if listed.len() as i64 > MAX_FUND_WARNINGS {
        return Err(WebError::PeriodTooLarge {
            what: "fund warnings",
            limit: MAX_FUND_WARNINGS,
        });
    }
    let figures = figures_of(&listed, now);
    let mut names = state.unit_names();
    let mut rows = Vec::new();
    for w in listed.iter().filter(|w| !awaiting_only || w.awaiting()) {
        rows.push(row_of(lang, w, names.get(&w.unit_code).await, now));
    }
    if let Some(format) = q.format {
        return export(lang, &rows).respond(format);
    }
    let mut query = format!("days={}", period.days);
    if awaiting_only {
        query.push_str("&awaiting=1");
    }
    render(&FundPage {
        figures,
        rows,
        periods: period_choices(lang, period.days),
        awaiting_only,
        query,
        can_stop: ManageCases::allows(p),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn figures_of(listed: &[FundWarning], now: i64) -> Figures {
    let awaiting: Vec<&FundWarning> = listed.iter().filter(|w| w.awaiting()).collect();
    let FundTally {
        received,
        stopped,
        in_time,
    } = FundTally::of(listed);
    Figures {
        received: received as usize,
        amount_fen: listed.iter().filter_map(|w| w.fund.amount_fen).sum(),
        late: awaiting
            .iter()
            .filter(|w| now - w.received_at > STOP_WITHIN_MS)
            .count(),
        awaiting: awaiting.len(),
        stopped: stopped as usize,
        in_time: in_time as usize,
        in_time_share: share(in_time, received),
        held_fen: listed.iter().map(|w| w.held_fen).sum(),
    }
}

fn row_of(lang: Lang, w: &FundWarning, unit: String, now: i64) -> Row {
    let (stop_state, minutes) = match (w.first_stop_at, w.awaiting()) {
        (Some(at), _) => ("stopped", (at - w.received_at).max(0) / 60_000),
        (None, true) if now - w.received_at > STOP_WITHIN_MS => {
            ("late", (now - w.received_at) / 60_000)
        }
        (None, true) => ("awaiting", (now - w.received_at).max(0) / 60_000),
        (None, false) => ("closed", 0),
    };
    let person = match (&w.msisdn, &w.resident_id) {
        (Some(m), _) => mask_phone(m),
        (None, Some(r)) => mask_resident_id(r),
        (None, None) => String::new(),
    };
    let platform = w
        .push_platform
        .as_deref()
        .and_then(PushPlatform::parse)
        .map(|p| pick(lang, p.zh(), p.en()).to_string())
        .unwrap_or_default();
    Row {
        id: w.warning_id.clone(),
        level_class: level_class(w.level),
        level_label: level_label(lang, w.level),
        received: time(w.received_at),
        platform,
        push_id: w.push_id.clone().unwrap_or_default(),
        person,
        unit,
        amount: w.fund.amount_fen.map(yuan).unwrap_or_default(),
        paid_at: w.fund.paid_at.map(time).unwrap_or_default(),
        payee: w
            .fund
            .payee_account
            .as_deref()
            .map(mask_card)
            .unwrap_or_default(),
        bank: w.fund.payee_bank.clone().unwrap_or_default(),
        instruction_id: w.instruction_id.clone().unwrap_or_default(),
        instruction_status: w
            .instruction_status
            .as_deref()
            .map(|s| status_label(lang, s))
            .unwrap_or(""),
        stop_state,
        minutes,
        held: yuan(w.held_fen),
        can_stop: w.fund.payee_account.is_some() && w.fund.amount_fen.is_some(),
    }
}

fn stop_label(lang: Lang, r: &Row) -> String {
    match r.stop_state {
        "stopped" => format!(
            "{} · {} {}",
            lang.t("fw_stopped"),
            r.minutes,
            lang.t("fw_minutes")
        ),
        "late" | "awaiting" => {
            format!(
                "{} · {} {}",
                lang.t("fw_awaiting"),
                r.minutes,
                lang.t("fw_minutes")
            )
        }
        _ => lang.t("fw_closed_unstopped").to_string(),
    }
}

fn export(lang: Lang, rows: &[Row]) -> Table {
    let headers = [
        "col_id",
        "col_level",
        "fw_received",
        "wp_platform",
        "wp_push_id",
        "col_person",
        "unit",
        "fw_amount",
        "fw_paid_at",
        "fw_payee",
        "fw_bank",
        "instruction",
        "col_status",
        "fw_stop",
        "held",
    ];
    Table {
        name: "fund_warnings".into(),
        headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.level_label.to_string(),
                    r.received.clone(),
                    r.platform.clone(),
                    r.push_id.clone(),
                    r.person.clone(),
                    r.unit.clone(),
                    r.amount.clone(),
                    r.paid_at.clone(),
                    r.payee.clone(),
                    r.bank.clone(),
                    r.instruction_id.clone(),
                    r.instruction_status.to_string(),
                    stop_label(lang, r),
                    r.held.clone(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct FundStopForm {
    /// Where to go back to: `list` (the fund warnings) or the warning's page (default).
    #[serde(default)]
    back: Option<String>,
}

/// `POST /warnings/{id}/fund-stop`: 保护性止付 on a fund warning's payee account for the amount
/// paid, in one click — the account and amount as the platform reported them, never typed
/// again; the bank from the card's BIN, or the bank the platform named for another account.
/// Audited as every protective stop is.
pub async fn stop(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<FundStopForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let w = state.store.warnings().get(&scope, &id).await?;
    let fund = state
        .store
        .fund_warnings()
        .get(&w.id)
        .await?
        .ok_or_else(|| WebError::BadRequest("not a fund warning (资金预警)".into()))?;
    let (Some(account), Some(amount_fen)) = (fund.payee_account.clone(), fund.amount_fen) else {
        return Err(WebError::BadRequest(
            "the fund warning names no payee account or amount: ask the stop on the warning's page"
                .into(),
        ));
    };
    let paid = fund
        .paid_at
        .map(|at| format!("，{}转账", time(at)))
        .unwrap_or_default();
    let bank = fund.payee_bank.clone().unwrap_or_default();
    request_protective_stop(
        &state,
        &auth.principal.login,
        &w,
        ProtectiveStopInput {
            account,
            amount_fen,
            reason: format!("资金预警{}{paid} {} {bank}", push_ref(&w), yuan(amount_fen)),
            bank_code: fund.payee_bank_code.clone(),
        },
    )
    .await?;
    let to = match f.back.as_deref() {
        Some("list") => "/warnings/funds".to_string(),
        _ => format!("/warnings/{}#protective-stops", w.id),
    };
    Ok(super::after_write(&headers, to, axum::http::StatusCode::OK))
}

/// The push the warning came from, for the stop's reason (`（国家反诈大数据平台 GJ-1）`).
fn push_ref(w: &fanzha_store::StoredWarning) -> String {
    let push = &w.evidence["push"];
    match (push["platform_name"].as_str(), push["push_id"].as_str()) {
        (Some(p), Some(id)) => format!("（{p} {id}）"),
        _ => String::new(),
    }
}

/// A fund warning's payment on the warning's page: accounts masked.
pub struct FundView {
    pub amount: String,
    pub paid_at: String,
    pub payee: String,
    pub bank: String,
    pub payer: String,
    /// The one-click stop applies: payee account and amount known, no stop on it asked yet.
    pub can_stop: bool,
}

/// The payment of a warning, if it is a fund warning; `stopped` lists the accounts already
/// asked to be stopped from the warning.
pub async fn fund_view(
    state: &AppState,
    warning_id: &str,
    stopped: &[String],
) -> Result<Option<FundView>, WebError> {
    let Some(f) = state.store.fund_warnings().get(warning_id).await? else {
        return Ok(None);
    };
    let already = f
        .payee_account
        .as_ref()
        .is_some_and(|a| stopped.iter().any(|s| s == a));
    Ok(Some(FundView {
        amount: f.amount_fen.map(yuan).unwrap_or_default(),
        paid_at: f.paid_at.map(time).unwrap_or_default(),
        payee: f
            .payee_account
            .as_deref()
            .map(mask_card)
            .unwrap_or_default(),
        bank: f.payee_bank.clone().unwrap_or_default(),
        payer: f
            .payer_account
            .as_deref()
            .map(mask_card)
            .unwrap_or_default(),
        can_stop: f.payee_account.is_some() && f.amount_fen.is_some() && !already,
    }))
}

/// 资金预警 of a period for the work brief: received, with a stop asked, asked within 30
/// minutes of receipt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundTally {
    pub received: i64,
    pub stopped: i64,
    pub in_time: i64,
}

/// The fund warnings routed inside the scope and received in `[from, until)`, counted.
pub async fn tally(
    state: &AppState,
    scope: &fanzha_store::Scope,
    from: i64,
    until: i64,
) -> Result<FundTally, WebError> {
    let listed = state
        .store
        .fund_warnings()
        .list(
            scope,
            &FundWarningFilter {
                from_ms: from,
                to_ms: until,
                awaiting_only: false,
            },
            MAX_FUND_WARNINGS,
        )
        .await?;
    Ok(FundTally::of(&listed))
}

impl FundTally {
    /// Counts listed fund warnings: those with a stop, those stopped within 30 minutes.
    fn of(listed: &[FundWarning]) -> FundTally {
        let count =
            |keep: &dyn Fn(&FundWarning) -> bool| listed.iter().filter(|w| keep(w)).count() as i64;
        FundTally {
            received: listed.len() as i64,
            stopped: count(&|w| w.stops > 0),
            in_time: count(&|w| w.stopped_within(STOP_WITHIN_MS)),
        }
    }
}
