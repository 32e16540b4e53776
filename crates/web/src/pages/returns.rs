//! 发还计算: the returns plan of the money stopped or frozen in one account. Every case whose
//! trace found victim money there holds a stop-payment request on the account; each claims the
//! victim money its trace put there (the amount requested). The balance held against all those
//! requests is split pro rata (`fanzha_trace::stop_payment::returns_plan`): shares in whole fen,
//! remainders by largest fraction then earlier report, summing with the unclaimed rest to the
//! balance exactly. The plan is advice and a printable list (发还清单); recording a return stays
//! the stop-payment's own audited action (`POST /stop-payments/{id}/act`, `return`).
//!
//! Cases of other units may share the account: they count in the split and show their unit and
//! case number, never their victim.

use super::cases::{institution_label, state_label};
use super::view::{time, yuan};
use super::{render, Chrome};
use crate::auth::permission::ManageCases;
use crate::auth::Require;
use crate::casework::audit;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use fanzha_core::mask::{mask_card, mask_name};
use fanzha_store::{AccountClaim, StopPayment, Viewer};
use fanzha_trace::stop_payment::returns_plan;

/// States whose held amount is money in the account now.
fn holds_money(state: &str) -> bool {
    matches!(state, "held" | "frozen")
}

/// One claimant and its share.
pub struct ClaimRow {
    pub claim: AccountClaim,
    pub share_fen: i64,
}

/// The plan for the account of one stop-payment request.
pub struct Plan {
    /// The request the plan was asked for.
    pub request: StopPayment,
    /// Claims still open (not returned), earliest report first, with their shares.
    pub rows: Vec<ClaimRow>,
    /// Requests on the account already returned (no longer part of the split).
    pub returned: Vec<AccountClaim>,
    /// Held against the open requests (stopped or frozen): what is split.
    pub pool_fen: i64,
    /// Of the pool, what is frozen (only frozen money can be returned).
    pub frozen_fen: i64,
    pub claims_fen: i64,
    pub unclaimed_fen: i64,
}

/// Computes the plan for the account of request `id` (inside the reader's area).
pub async fn plan_for(
    state: &AppState,
    auth: &Require<ManageCases>,
    id: &str,
) -> Result<Plan, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let request = state
        .store
        .stop_payments()
        .get(&Viewer::Police(scope.clone()), id)
        .await?;
    let claims = state
        .store
        .stop_payments()
        .claims_on_account(&scope, &request.account)
        .await?;
    let (returned, open): (Vec<AccountClaim>, Vec<AccountClaim>) =
        claims.into_iter().partition(|c| c.state == "returned");
    let pool_fen: i64 = open
        .iter()
        .filter(|c| holds_money(&c.state))
        .map(|c| c.held_fen)
        .sum();
    let frozen_fen: i64 = open
        .iter()
        .filter(|c| c.state == "frozen")
        .map(|c| c.held_fen)
        .sum();
    let claims_fen: Vec<i64> = open.iter().map(|c| c.requested_fen).collect();
    let plan =
        returns_plan(pool_fen, &claims_fen).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(Plan {
        request,
        claims_fen: claims_fen.iter().sum(),
        rows: open
            .into_iter()
            .zip(plan.shares)
            .map(|(claim, share_fen)| ClaimRow { claim, share_fen })
            .collect(),
        returned,
        pool_fen,
        frozen_fen,
        unclaimed_fen: plan.unclaimed_fen,
    })
}

/// A row as the page shows it.
struct Row {
    stop_id: String,
    case_id: String,
    link: bool,
    unit: String,
    victim: String,
    reported: String,
    claim: String,
    held: String,
    state: String,
    state_label: &'static str,
    share: String,
    share_fen: i64,
    can_return: bool,
}

#[derive(Template)]
#[template(path = "returns.html")]
struct PlanPage {
    lang: Lang,
    chrome: Chrome,
    id: String,
    account: String,
    institution: String,
    pool: String,
    pool_fen: i64,
    frozen: String,
    not_frozen: bool,
    claims: String,
    unclaimed: String,
    unclaimed_fen: i64,
    rows: Vec<Row>,
    returned: Vec<Row>,
}

async fn row(state: &AppState, lang: Lang, c: &AccountClaim, share_fen: i64) -> Row {
    Row {
        stop_id: c.stop_payment_id.clone(),
        case_id: c.case_id.clone(),
        link: c.in_scope,
        unit: state.unit_name(&c.unit_code).await,
        victim: match (&c.victim_name, c.in_scope) {
            (Some(n), true) => mask_name(n),
            (None, true) => String::new(),
            (_, false) => lang.t("other_unit_case").to_string(),
        },
        reported: time(c.reported_at),
        claim: yuan(c.requested_fen),
        held: yuan(c.held_fen),
        state_label: state_label(lang, &c.state),
        state: c.state.clone(),
        share: yuan(share_fen),
        share_fen,
        can_return: c.in_scope && c.state == "frozen",
    }
}

/// `GET /stop-payments/{id}/returns`: the returns plan of the request's account.
pub async fn plan(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/cases");
    let lang = chrome.lang;
    let p = plan_for(&state, &auth, &id).await?;
    let mut rows = Vec::with_capacity(p.rows.len());
    for r in &p.rows {
        rows.push(row(&state, lang, &r.claim, r.share_fen).await);
    }
    let mut returned = Vec::with_capacity(p.returned.len());
    for c in &p.returned {
        returned.push(row(&state, lang, c, c.held_fen).await);
    }
    render(&PlanPage {
        lang,
        chrome,
        account: mask_card(&p.request.account),
        institution: institution_label(&p.request.institution),
        pool: yuan(p.pool_fen),
        pool_fen: p.pool_fen,
        frozen: yuan(p.frozen_fen),
        not_frozen: p.frozen_fen < p.pool_fen,
        claims: yuan(p.claims_fen),
        unclaimed: yuan(p.unclaimed_fen),
        unclaimed_fen: p.unclaimed_fen,
        rows,
        returned,
        id,
    })
}

/// A line of the printed list: full names and accounts of one's own cases.
struct PrintRow {
    n: usize,
    case_id: String,
    unit: String,
    victim: String,
    resident_id: String,
    victim_account: String,
    claim: String,
    share: String,
}

#[derive(Template)]
#[template(path = "returns_print.html")]
struct PrintPage {
    lang: Lang,
    id: String,
    account: String,
    institution: String,
    pool: String,
    unclaimed: String,
    unclaimed_fen: i64,
    total: String,
    rows: Vec<PrintRow>,
    today: String,
}

/// `GET /stop-payments/{id}/returns/print`: 冻结资金发还清单 for printing — the victims of
/// one's own cases in full (name, ID number, the account to return to), other units' cases by
/// unit and case number. A view of personal data: audited.
pub async fn print(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let p = plan_for(&state, &auth, &id).await?;
    let mut rows = Vec::with_capacity(p.rows.len());
    for (i, r) in p.rows.iter().enumerate() {
        let c = &r.claim;
        rows.push(PrintRow {
            n: i + 1,
            case_id: c.case_id.clone(),
            unit: state.unit_name(&c.unit_code).await,
            victim: if c.in_scope {
                c.victim_name.clone().unwrap_or_default()
            } else {
                lang.t("other_unit_case").to_string()
            },
            resident_id: c.resident_id.clone().unwrap_or_default(),
            victim_account: c.victim_account.clone().unwrap_or_default(),
            claim: yuan(c.requested_fen),
            share: yuan(r.share_fen),
        });
    }
    audit(
        &state,
        &auth.principal.login,
        "returns_list_printed",
        "stop_payment",
        &id,
        &p.request.unit_code,
        serde_json::json!({
            "account": mask_card(&p.request.account),
            "pool_fen": p.pool_fen,
            "cases": p.rows.iter().map(|r| &r.claim.case_id).collect::<Vec<_>>(),
            "shares_fen": p.rows.iter().map(|r| r.share_fen).collect::<Vec<_>>(),
        }),
    )
    .await?;
    render(&PrintPage {
        lang,
        account: p.request.account.clone(),
        institution: institution_label(&p.request.institution),
        pool: yuan(p.pool_fen),
        unclaimed: yuan(p.unclaimed_fen),
        unclaimed_fen: p.unclaimed_fen,
        total: yuan(p.rows.iter().map(|r| r.share_fen).sum::<i64>() + p.unclaimed_fen),
        rows,
        today: fanzha_core::time::format_shanghai_date(state.clock.now_ms()),
        id,
    })
}
