//! The landing page after login: who you are, your unit, and what you may do.

use crate::auth::permission::{
    AnswerNumberDisposals, Authenticated, Permission, ReportJointTasks, ViewDashboard, MATRIX,
};
use crate::auth::Require;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{render, Chrome};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use fanzha_store::Role;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    chrome: Chrome,
    display_name: String,
    unit_name: String,
    unit_code: String,
    roles: Vec<&'static str>,
    /// A bank liaison's work waiting for the bank.
    desk: Option<super::liaison_desk::Desk>,
}

/// `/`: each role lands where its work is — grid workers on their tasks, commanders and the
/// center on the dashboard, operator liaisons on the requests addressed to them, member liaisons
/// on their department's tasks, bank liaisons
/// on their desk (what waits for the bank) above this overview of who they are and what they
/// may do.
pub async fn show(
    auth: Require<Authenticated>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    if p.has_role(Role::GridWorker) {
        return Ok(Redirect::to("/m").into_response());
    }
    if ViewDashboard::allows(p) {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    if AnswerNumberDisposals::allows(p) {
        return Ok(Redirect::to("/number-disposals").into_response());
    }
    if ReportJointTasks::allows(p) {
        return Ok(Redirect::to("/joint-office/mine").into_response());
    }
    let lang = Lang::from_headers(&headers);
    let unit = state.store.units().find(&p.unit_code).await?;
    let desk = match (&p.bank_code, p.has_role(Role::BankLiaison)) {
        (Some(bank), true) => {
            Some(super::liaison_desk::bank_desk(&state, &p.unit_code, bank).await?)
        }
        _ => None,
    };
    let page = HomePage {
        lang,
        chrome: Chrome::new(p, &auth.csrf_token, &headers, "/"),
        display_name: p.display_name.clone(),
        unit_name: unit.map(|u| u.name).unwrap_or_else(|| p.unit_code.clone()),
        unit_code: p.unit_code.clone(),
        desk,
        roles: p
            .roles
            .iter()
            .map(|r| {
                if lang == Lang::Zh {
                    r.label_zh()
                } else {
                    r.label_en()
                }
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /api/v1/me`: the caller's identity and permissions.
pub async fn me(auth: Require<Authenticated>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "login": auth.principal.login,
        "display_name": auth.principal.display_name,
        "unit_code": auth.principal.unit_code,
        "roles": auth.principal.roles,
        "bank_code": auth.principal.bank_code,
        "operator": auth.principal.operator.map(|o| o.as_str()),
        "permissions": granted(&auth),
        "csrf_token": auth.csrf_token,
    }))
}

fn granted(auth: &Require<Authenticated>) -> Vec<&'static str> {
    MATRIX
        .iter()
        .filter(|(_, roles)| auth.principal.roles.iter().any(|r| roles.contains(r)))
        .map(|(n, _)| *n)
        .collect()
}
