//! 止付看板: open stop-payment requests with their 30-minute countdowns. A bank liaison sees
//! only the requests addressed to their bank (chosen in the data layer by [`Viewer::Bank`])
//! and confirms the amount held or why it failed; analysts renew, freeze and return. Protective
//! requests (保护性止付, asked from a warning before any case) join the same queue, marked.

use super::cases::{institution_label, state_label};
use super::view::{time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{ConfirmStopPayments, ManageCases, Permission, ViewStopPayments};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::casework::{act_on_stop_payment, StopAction};
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::FormBody;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_store::{PageRequest, Role, StopPayment, Viewer};
use fanzha_trace::stop_payment::FailReason;
use serde::Deserialize;

/// Liaisons see their bank; everyone else their org subtree.
pub async fn viewer_of(state: &AppState, p: &Principal) -> Result<Viewer, WebError> {
    if p.has_role(Role::BankLiaison) {
        let bank = p
            .bank_code
            .clone()
            .ok_or(WebError::Forbidden("bank_code"))?;
        return Ok(Viewer::Bank(bank));
    }
    Ok(Viewer::Police(state.scope_of(&p.unit_code).await?))
}

pub struct BoardRow {
    pub id: String,
    pub version: i64,
    /// Empty for a protective request no case holds yet.
    pub case_id: String,
    /// The warning a protective request was asked from; empty otherwise.
    pub warning_id: String,
    pub protective: bool,
    /// Asked at the report on an account the victim named (接警止付).
    pub intake: bool,
    pub account: String,
    pub institution: String,
    pub requested: String,
    pub requested_at: String,
    pub held: String,
    pub state: String,
    pub state_label: &'static str,
    pub deadline: i64,
    pub can_confirm: bool,
    pub can_manage: bool,
    /// Police open the case; a liaison sees the request only.
    pub link_case: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "stop_payment_row.html")]
pub struct RowFragment {
    pub lang: Lang,
    pub r: BoardRow,
}

#[derive(Template)]
#[template(path = "stop_payments.html")]
struct BoardPage {
    lang: Lang,
    chrome: Chrome,
    rows: Vec<RowFragment>,
    open_only: bool,
    in_time: String,
    held_total: String,
}

fn row(lang: Lang, p: &Principal, s: StopPayment) -> BoardRow {
    // A liaison may show the full account number: it is their own bank's account.
    let liaison = p.has_role(Role::BankLiaison);
    BoardRow {
        intake: s.is_intake(),
        account: if liaison {
            s.account.clone()
        } else {
            fanzha_core::mask::mask_card(&s.account)
        },
        institution: institution_label(&s.institution),
        requested: yuan(s.requested_fen),
        requested_at: time(s.requested_at),
        held: yuan(s.held_fen),
        state_label: state_label(lang, &s.state),
        can_confirm: ConfirmStopPayments::allows(p) && s.state == "requested",
        can_manage: ManageCases::allows(p) && matches!(s.state.as_str(), "held" | "frozen"),
        link_case: ManageCases::allows(p),
        deadline: s.deadline,
        state: s.state,
        version: s.version,
        protective: s.warning_id.is_some(),
        warning_id: s.warning_id.unwrap_or_default(),
        case_id: s.case_id.unwrap_or_default(),
        id: s.id,
        error: None,
    }
}

#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    all: bool,
    format: Option<ExportFormat>,
}

pub async fn board(
    auth: Require<ViewStopPayments>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/stop-payments",
    );
    let lang = chrome.lang;
    let viewer = viewer_of(&state, &auth.principal).await?;
    let page = state
        .store
        .stop_payments()
        .list(&viewer, None, !q.all, &PageRequest::first(500))
        .await?;
    let now = state.clock.now_ms();
    let t = state
        .store
        .stop_payments()
        .timeliness(&viewer, now - 30 * 86_400_000, now + 1)
        .await?;
    let rows: Vec<RowFragment> = page
        .items
        .into_iter()
        .map(|s| RowFragment {
            lang,
            r: row(lang, &auth.principal, s),
        })
        .collect();
    if let Some(format) = q.format {
        let headers = [
            "col_id",
            "case",
            "warning",
            "account",
            "institution",
            "requested",
            "held",
            "col_status",
            "col_time",
        ];
        return Table {
            name: "stop_payments".into(),
            headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .iter()
                .map(|f| {
                    let r = &f.r;
                    vec![
                        r.id.clone(),
                        r.case_id.clone(),
                        r.warning_id.clone(),
                        r.account.clone(),
                        r.institution.clone(),
                        r.requested.clone(),
                        r.held.clone(),
                        r.state_label.to_string(),
                        r.requested_at.clone(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    render(&BoardPage {
        lang,
        chrome,
        rows,
        open_only: !q.all,
        in_time: if t.requested == 0 {
            "—".into()
        } else {
            format!("{}/{}", t.executed_in_time, t.requested)
        },
        held_total: yuan(t.held_fen),
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    /// `held`, `failed`, `renew`, `freeze`, `renew_freeze`, `lapse`, `return`.
    action: String,
    amount_yuan: Option<String>,
    /// `account_not_found`, `no_balance`, `account_closed`, or free text.
    reason: Option<String>,
}

/// `POST /stop-payments/{id}/act`: answers the re-rendered row.
pub async fn act(
    auth: Require<ViewStopPayments>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<ActForm>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let p = &auth.principal;
    let action = match f.action.as_str() {
        "held" | "failed" if !ConfirmStopPayments::allows(p) => {
            return Err(WebError::Forbidden(ConfirmStopPayments::NAME))
        }
        "held" => StopAction::Held {
            amount_fen: fanzha_core::Money::parse(f.amount_yuan.as_deref().unwrap_or("").trim())
                .map(|m| m.fen())
                .map_err(|e| WebError::BadRequest(format!("amount: {e}")))?,
        },
        "failed" => StopAction::Failed {
            reason: match f.reason.as_deref().unwrap_or("") {
                "account_not_found" => FailReason::AccountNotFound,
                "no_balance" => FailReason::NoBalance,
                "account_closed" => FailReason::AccountClosed,
                other => FailReason::Other(other.chars().take(200).collect()),
            },
        },
        _ if !ManageCases::allows(p) => return Err(WebError::Forbidden(ManageCases::NAME)),
        "renew" => StopAction::Renew,
        "freeze" => StopAction::Freeze,
        "renew_freeze" => StopAction::RenewFreeze,
        "lapse" => StopAction::Lapse,
        "return" => StopAction::Return,
        other => return Err(WebError::BadRequest(format!("unknown action `{other}`"))),
    };
    let viewer = viewer_of(&state, p).await?;
    let (s, error) = match act_on_stop_payment(&state, &p.login, &viewer, &id, action).await {
        Ok(s) => (s, None),
        Err(
            e @ (WebError::NotFound | WebError::Store(fanzha_store::StoreError::NotFound { .. })),
        ) => return Err(e),
        Err(e) => (
            state.store.stop_payments().get(&viewer, &id).await?,
            Some(e.to_string()),
        ),
    };
    let mut r = row(lang, p, s);
    r.error = error;
    render(&RowFragment { lang, r })
}
