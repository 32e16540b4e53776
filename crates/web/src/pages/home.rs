//! The landing page after login: who you are, your unit, and what you may do.

use crate::auth::permission::{Authenticated, MATRIX};
use crate::auth::Require;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::Json;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    csrf_token: String,
    display_name: String,
    unit_name: String,
    unit_code: String,
    roles: Vec<&'static str>,
    permissions: Vec<&'static str>,
}

pub async fn show(
    auth: Require<Authenticated>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let p = &auth.principal;
    let unit = state.store.units().find(&p.unit_code).await?;
    let page = HomePage {
        lang,
        csrf_token: auth.csrf_token.clone(),
        display_name: p.display_name.clone(),
        unit_name: unit.map(|u| u.name).unwrap_or_else(|| p.unit_code.clone()),
        unit_code: p.unit_code.clone(),
        roles: p
            .roles
            .iter()
            .map(|r| {
                if lang == Lang::Zh {
                    r.label_zh()
                } else {
                    r.as_str()
                }
            })
            .collect(),
        permissions: granted(&auth),
    };
    render(&page)
}

/// `GET /api/v1/me`: the caller's identity and permissions.
pub async fn me(auth: Require<Authenticated>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "login": auth.principal.login,
        "display_name": auth.principal.display_name,
        "unit_code": auth.principal.unit_code,
        "roles": auth.principal.roles,
        "bank_code": auth.principal.bank_code,
        "permissions": granted(&auth),
    }))
}

fn granted(auth: &Require<Authenticated>) -> Vec<&'static str> {
    MATRIX
        .iter()
        .filter(|(_, roles)| auth.principal.roles.iter().any(|r| roles.contains(r)))
        .map(|(n, _)| *n)
        .collect()
}
