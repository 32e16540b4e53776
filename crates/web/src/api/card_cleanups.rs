//! `/api/v1/card-cleanups`: 存量卡清理 for machines. A bank's system pulls the requests addressed
//! to its bank — with `reveal=true` the holder and the open accounts the platform knows of in
//! full, each such read audited as the work list's download is — and answers each at the
//! version it read; the center's tools read the requests of their subtree, masked, with the
//! figures. Asking the banks stays on the page (who is asked is decided there, per bank).

use crate::auth::permission::{AnswerCardCleanups, ListCardCleanups, Permission};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{JsonBody, Query};
use crate::pages::choices::{non_empty, parse_or};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_store::{
    CardCleanup, CleanupAnswer, CleanupFilter, CleanupOutcome, CleanupReason, CleanupState,
    CleanupViewer, PageRequest, Role,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `pending`, `answered` or `withdrawn`.
    pub state: Option<String>,
    /// A bank code (`ICBC`); police only (a liaison reads its own bank's).
    pub bank: Option<String>,
    /// `punished`, `mule_account` or `gave_card_away`.
    pub reason: Option<String>,
    /// `cleaned`, `normal` or `no_accounts`.
    pub outcome: Option<String>,
    /// Only requests pending past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// A bank liaison: the holder and the known open accounts in full (audited).
    #[serde(default)]
    pub reveal: bool,
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// The bank's answer to one request.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CleanupAnswerIn {
    /// The request's version as read.
    pub version: i64,
    /// `cleaned` (accounts closed or restricted), `normal` (checked, left open: say why in
    /// `note`) or `no_accounts`.
    pub outcome: String,
    #[serde(default)]
    pub accounts_found: i64,
    #[serde(default)]
    pub accounts_closed: i64,
    /// Restricted to counter business (限制非柜面).
    #[serde(default)]
    pub accounts_restricted: i64,
    #[serde(default)]
    pub note: String,
}

/// A bank liaison reads its bank's requests; `None` for police.
fn bank_viewer(p: &Principal) -> Option<CleanupViewer> {
    match (&p.bank_code, p.has_role(Role::BankLiaison)) {
        (Some(bank), true) => Some(CleanupViewer::Bank(bank.clone())),
        _ => None,
    }
}

/// A request as JSON; the holder masked unless `full`, with the known open accounts then.
fn request_json(c: &CardCleanup, now: i64, accounts: Option<Vec<String>>) -> Value {
    let full = accounts.is_some();
    json!({
        "id": c.id,
        "version": c.version,
        "bank_code": c.bank_code,
        "bank_name": c.bank_name,
        "holder_name": if full { c.holder_name.clone() } else { mask_name(&c.holder_name) },
        "resident_id": if full { c.resident_id.clone() } else { mask_resident_id(&c.resident_id) },
        "reasons": c.reasons,
        "unit_code": c.unit_code,
        "known_accounts": c.known_accounts,
        "accounts": accounts,
        "note": c.note,
        "requested_at": c.requested_at,
        "deadline": c.deadline,
        "overdue": c.overdue(now),
        "state": c.state.as_str(),
        "outcome": c.outcome.map(CleanupOutcome::as_str),
        "accounts_found": c.accounts_found,
        "accounts_closed": c.accounts_closed,
        "accounts_restricted": c.accounts_restricted,
        "answer_note": c.answer_note,
        "answered_at": c.answered_at,
    })
}

/// The requests the caller reads (a bank liaison: its bank's; police: their subtree's), the
/// latest first, with `total` and the `figures` of all the caller reads.
#[utoipa::path(get, path = "/api/v1/card-cleanups", params(ListQuery),
    responses((status = 200, description = "A page of requests: items, next, total, figures"),
              (status = 400, description = "An unknown state, reason or outcome"),
              (status = 403, description = "Not allowed to read them, or `reveal` asked by police")))]
pub async fn list(
    auth: Require<ListCardCleanups>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, WebError> {
    let p = &auth.principal;
    let now = state.clock.now_ms();
    let viewer = match bank_viewer(p) {
        Some(v) => v,
        None if q.reveal => return Err(WebError::Forbidden(AnswerCardCleanups::NAME)),
        None => CleanupViewer::Police(state.scope_of(&p.unit_code).await?),
    };
    let bank_view = matches!(viewer, CleanupViewer::Bank(_));
    let filter = CleanupFilter {
        state: parse_or(non_empty(&q.state), CleanupState::parse, "state")?,
        bank_code: non_empty(&q.bank)
            .filter(|_| !bank_view)
            .map(str::to_ascii_uppercase),
        reason: parse_or(non_empty(&q.reason), CleanupReason::parse, "reason")?,
        outcome: parse_or(non_empty(&q.outcome), CleanupOutcome::parse, "outcome")?,
        overdue: q.overdue,
        resident_id: None,
    };
    let repo = state.store.card_cleanups();
    let page = repo
        .list(
            &viewer,
            &filter,
            &PageRequest {
                after: non_empty(&q.after).map(str::to_string),
                limit: q.limit.unwrap_or(100),
            },
            now,
        )
        .await?;
    let total = repo.count(&viewer, &filter, now).await?;
    let mut items = Vec::with_capacity(page.items.len());
    let open = match (&viewer, q.reveal) {
        (CleanupViewer::Bank(bank), true) => {
            Some(crate::pages::card_cleanups::open_accounts(&state, bank, &page.items).await?)
        }
        _ => None,
    };
    for c in &page.items {
        // A holder may have several requests of the bank (earlier rounds): each lists them.
        let accounts = open
            .as_ref()
            .map(|o| o.get(&c.resident_id).cloned().unwrap_or_default());
        items.push(request_json(c, now, accounts));
    }
    if q.reveal {
        crate::casework::audit(
            &state,
            &p.login,
            "card_cleanup_worklist_exported",
            "card_cleanup",
            p.bank_code.as_deref().unwrap_or(""),
            &p.unit_code,
            json!({ "bank_code": p.bank_code, "requests": items.len(), "via": "api" }),
        )
        .await?;
    }
    let figures = repo.figures(&viewer, now, None).await?.all;
    Ok(Json(
        json!({"items": items, "next": page.next, "total": total, "figures": figures}),
    ))
}

/// A bank liaison's answer to a request addressed to its bank, at the version read: the
/// request as it stands after.
#[utoipa::path(post, path = "/api/v1/card-cleanups/{id}/answer", request_body = CleanupAnswerIn,
    params(("id" = i64, Path, description = "The request")),
    responses((status = 200, description = "Answered"),
              (status = 400, description = "An unknown outcome, or figures that do not agree with it"),
              (status = 403, description = "Not a bank liaison"),
              (status = 404, description = "No such request of the caller's bank"),
              (status = 409, description = "Answered or withdrawn already, or changed since read")))]
pub async fn answer(
    auth: Require<AnswerCardCleanups>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<CleanupAnswerIn>,
) -> Result<Json<Value>, WebError> {
    let p = &auth.principal;
    let bank = crate::pages::card_cleanups::liaison_bank(p)?;
    let outcome = crate::pages::card_cleanups::outcome_of(&req.outcome)?;
    let now = state.clock.now_ms();
    let done = state
        .store
        .card_cleanups()
        .answer(
            &bank,
            id,
            req.version,
            &CleanupAnswer {
                outcome,
                accounts_found: req.accounts_found,
                accounts_closed: req.accounts_closed,
                accounts_restricted: req.accounts_restricted,
                note: req.note,
            },
            &p.login,
            now,
        )
        .await?;
    Ok(Json(request_json(&done, now, None)))
}
