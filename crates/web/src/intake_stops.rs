//! 接警即止付: stop-payments asked the moment a report is taken, on the receiving accounts the
//! victim names, before any bank extract is in or any trace has run. The first 30 minutes
//! decide whether money comes back; the trace (`casework::trace_case`) follows once the banks'
//! extracts arrive and asks for the accounts further down the chain.
//!
//! A case opened with named accounts (from the 110 system's API, an imported export or the
//! form) asks at once when its report is fresh ([`INTAKE_WINDOW_MS`]); for an older report — a
//! back-filled export — the case page offers the same request by hand. Each named account that
//! is a bank card whose BIN names a bank becomes one request to that bank for the case's loss
//! (the victim rarely knows how the loss split between several accounts; a bank holds what is
//! there, up to the amount asked), with the 30-minute deadline from the moment it is asked.
//! Platform accounts and cards of no known bank are listed with the reason they were not asked.

use crate::casework::audit;
use crate::error::WebError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use fanzha_core::mask::mask_card;
use fanzha_core::BankCard;
use fanzha_store::{Case, NewStopPayment, PageRequest, Scope, StopPayment, Viewer};
use fanzha_trace::stop_payment::{Institution, StopPaymentRequest};
use serde::Serialize;

/// A report this recent asks for its named accounts on opening; an older one (a back-filled
/// export) waits for the hand of an analyst, since money named days ago has long moved on.
pub const INTAKE_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// The reason an intake request carries (shown to the bank and on the case).
pub const INTAKE_REASON: &str = "接警止付：受害人报警时指认的收款账户";

/// Why a named account was not asked for (stable codes, shown translated).
pub mod skip {
    /// Not a bank card number (a payment platform's account, a wallet id): the platform is
    /// asked through its own channel.
    pub const NOT_A_CARD: &str = "not_a_card";
    /// A valid card number whose BIN names no bank known to the BIN table.
    pub const UNKNOWN_BANK: &str = "unknown_bank";
    /// The case states no loss: there is no amount to hold.
    pub const NO_LOSS: &str = "no_loss";
    /// A card of a known bank not asked yet (an older report): the case page asks by hand.
    pub const NOT_ASKED: &str = "not_asked";
}

/// A named account and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedAccount {
    /// As the victim named it (full: the suspect's account, not the victim's).
    pub account: String,
    /// The bank its BIN names, for a card.
    pub bank_name: Option<String>,
    /// The case's stop-payment request on it, if any (intake, trace or protective).
    pub request_id: Option<String>,
    /// The request's state (`requested`, `held`, …).
    pub request_state: Option<String>,
    /// Why it was not asked for (see [`skip`]); `None` once a request exists.
    pub skipped: Option<&'static str>,
}

/// The accounts the victim named, distinct, in the order named.
pub fn named_accounts(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in case.named["accounts"].as_array().into_iter().flatten() {
        let Some(text) = v.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        // Cards compare by digits, whatever spacing the report used.
        let key = BankCard::parse_normalised(text)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| text.to_string());
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// Each named account with its request, or why there is none: what the case page shows and the
/// API answers. Pure: `requests` are the case's stop-payment requests.
pub fn status_of_named(case: &Case, requests: &[StopPayment]) -> Vec<NamedAccount> {
    named_accounts(case)
        .into_iter()
        .map(|account| {
            let card = BankCard::parse_normalised(&account).ok();
            let bank_name = card
                .as_ref()
                .and_then(|c| c.bin())
                .map(|b| b.bank_name.to_string());
            let request = requests.iter().find(|r| r.account == account);
            let skipped = match (&card, &bank_name, request) {
                (_, _, Some(_)) => None,
                (None, _, None) => Some(skip::NOT_A_CARD),
                (Some(_), None, None) => Some(skip::UNKNOWN_BANK),
                (Some(_), Some(_), None) if case.loss_fen <= 0 => Some(skip::NO_LOSS),
                (Some(_), Some(_), None) => Some(skip::NOT_ASKED),
            };
            NamedAccount {
                account,
                bank_name,
                request_id: request.map(|r| r.id.clone()),
                request_state: request.map(|r| r.state.clone()),
                skipped,
            }
        })
        .collect()
}

/// The requests to make now: a bank card of a known bank, named by the victim, that the case
/// has not asked for (in any way) yet, for the case's loss. Pure.
pub fn plan_intake(
    case: &Case,
    requests: &[StopPayment],
    now_ms: i64,
    login: &str,
    mut new_id: impl FnMut() -> String,
) -> Vec<NewStopPayment> {
    if case.loss_fen <= 0 {
        return Vec::new();
    }
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    status_of_named(case, requests)
        .into_iter()
        .filter(|a| a.skipped == Some(skip::NOT_ASKED))
        .filter_map(|a| {
            let card = BankCard::parse_normalised(&a.account).ok()?;
            let bin = card.bin()?;
            let institution = Institution::Bank {
                code: bin.bank_code.to_string(),
                name: bin.bank_name.to_string(),
            };
            let request =
                StopPaymentRequest::new(a.account.clone(), institution.clone(), case.loss_fen, at);
            Some(NewStopPayment {
                id: new_id(),
                case_id: case.id.clone(),
                unit_code: case.unit_code.clone(),
                account: a.account,
                bank_code: Some(bin.bank_code.to_string()),
                institution: serde_json::to_value(&institution).unwrap_or_default(),
                requested_fen: case.loss_fen,
                requested_at: now_ms,
                deadline: request.deadline.timestamp_millis(),
                detail: serde_json::to_value(&request).unwrap_or_default(),
                reason: Some(INTAKE_REASON.to_string()),
                requested_by: Some(login.to_string()),
            })
        })
        .collect()
}

/// Whether a report taken at `reported_at` is fresh enough to ask on opening.
pub fn is_fresh(reported_at: i64, now_ms: i64) -> bool {
    now_ms - reported_at <= INTAKE_WINDOW_MS
}

/// The case's stop-payment requests (every kind), as the police see them.
pub async fn case_requests(state: &AppState, case_id: &str) -> Result<Vec<StopPayment>, WebError> {
    Ok(state
        .store
        .stop_payments()
        .list(
            &Viewer::Police(Scope::platform()),
            Some(case_id),
            false,
            &PageRequest::first(500),
        )
        .await?
        .items)
}

/// Asks the banks to hold the money on the accounts the victim named that the case has not
/// asked for yet; audited (`intake_stops_requested`, accounts masked). Returns how many
/// requests were made.
pub async fn request_intake_stops(
    state: &AppState,
    login: &str,
    case: &Case,
) -> Result<usize, WebError> {
    // Most cases name no account (a 已被骗 feedback, a form without one): no query for them.
    if case.loss_fen <= 0 || named_accounts(case).is_empty() {
        return Ok(0);
    }
    let existing = case_requests(state, &case.id).await?;
    let now = state.clock.now_ms();
    let planned = plan_intake(case, &existing, now, login, || {
        crate::casework::new_id("ZF", now)
    });
    if planned.is_empty() {
        return Ok(0);
    }
    let made = state.store.stop_payments().create_many(&planned).await?;
    audit(
        state,
        login,
        "intake_stops_requested",
        "case",
        &case.id,
        &case.unit_code,
        serde_json::json!({
            "requests": made,
            "requested_fen": case.loss_fen,
            "accounts": planned.iter().map(|r| mask_card(&r.account)).collect::<Vec<_>>(),
            "banks": planned.iter().filter_map(|r| r.bank_code.clone()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    Ok(made)
}
