//! The case page's 接警止付 section: each receiving account the victim named at the report, the
//! stop-payment asked on it or why none was, and `POST /cases/{id}/intake-stops` to ask for the
//! ones not asked yet (an older report's; a fresh report asks on opening). See
//! [`crate::intake_stops`].

use super::cases::{case_page, state_label};
use crate::auth::permission::ManageCases;
use crate::auth::Require;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::intake_stops::{request_intake_stops, skip, status_of_named};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use fanzha_core::mask::mask_card;
use fanzha_store::{Case, StopPayment};

/// One named account on the case page.
pub struct IntakeRow {
    /// Masked, like every account in the requests table.
    pub account: String,
    pub bank: String,
    /// `requested` / `held` / … for an account asked for, else the skip code.
    pub code: String,
    /// The request's state or the reason, in words.
    pub status: String,
}

/// The rows, and whether some account may still be asked for by hand.
pub fn rows(lang: Lang, case: &Case, requests: &[StopPayment]) -> (Vec<IntakeRow>, bool) {
    let named = status_of_named(case, requests);
    let askable = named.iter().any(|a| a.skipped == Some(skip::NOT_ASKED));
    let rows = named
        .into_iter()
        .map(|a| {
            let (code, status) = match (a.request_state.as_deref(), a.skipped) {
                (Some(s), _) => (s.to_string(), state_label(lang, s).to_string()),
                (None, Some(reason)) => (reason.to_string(), lang.t(skip_key(reason)).to_string()),
                (None, None) => (String::new(), String::new()),
            };
            IntakeRow {
                account: mask_card(&a.account),
                bank: a.bank_name.unwrap_or_default(),
                code,
                status,
            }
        })
        .collect();
    (rows, askable)
}

fn skip_key(reason: &str) -> &'static str {
    match reason {
        skip::NOT_A_CARD => "intake_not_a_card",
        skip::UNKNOWN_BANK => "intake_unknown_bank",
        skip::NO_LOSS => "intake_no_loss",
        _ => "intake_not_asked",
    }
}

/// `POST /cases/{id}/intake-stops`: asks the banks of the named accounts not asked yet.
pub async fn request(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let case = state.store.cases().get(&scope, &id).await?;
    let made = request_intake_stops(&state, &auth.principal.login, &case).await?;
    let lang = Lang::from_headers(&headers);
    let msg = format!("{} {made}", lang.t("intake_requested"));
    case_page(&state, &auth, &headers, &id, Some(msg)).await
}
