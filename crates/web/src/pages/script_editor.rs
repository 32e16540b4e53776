//! 劝阻话术 editing (`/scripts`): the center rewrites the sentences grid workers and 96110 seats
//! say for each fraud type as scams change, and may return a type to the built-in sentences.
//! Every change names the version it read and is audited by the store
//! ([`fanzha_store::TalkingPoints`]); the task pages and the dialer API read the result at once.

use super::scripts::builtin_points;
use super::view::{pick, time};
use super::{render, Chrome};
use crate::auth::permission::ManageRules;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::FraudType;
use serde::Deserialize;
use std::collections::HashMap;

/// One fraud type's sentences as the editor shows them.
struct Entry {
    code: &'static str,
    label: &'static str,
    zh: String,
    en: String,
    /// The center's own sentences (else the built-in ones).
    own: bool,
    version: i64,
    updated: String,
}

#[derive(Template)]
#[template(path = "scripts.html")]
struct EditorPage {
    lang: Lang,
    chrome: Chrome,
    entries: Vec<Entry>,
    max_points: usize,
}

/// `GET /scripts`: every fraud type's talking points, the center's own or the built-in ones,
/// each with its form.
pub async fn page(
    auth: Require<ManageRules>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/scripts");
    let lang = chrome.lang;
    let stored: HashMap<String, fanzha_store::StoredPoints> = state
        .store
        .talking_points()
        .all()
        .await?
        .into_iter()
        .map(|p| (p.fraud_type.clone(), p))
        .collect();
    let entries = FraudType::ALL
        .into_iter()
        .filter(|t| *t != FraudType::Normal)
        .map(|t| {
            let own = stored.get(t.code());
            let builtin = |l: Lang| builtin_points(l, t).join("\n");
            Entry {
                code: t.code(),
                label: pick(lang, t.zh(), t.en()),
                zh: own.map_or_else(|| builtin(Lang::Zh), |p| p.zh.join("\n")),
                en: own
                    .filter(|p| !p.en.is_empty())
                    .map_or_else(|| builtin(Lang::En), |p| p.en.join("\n")),
                own: own.is_some(),
                version: own.map_or(0, |p| p.version),
                updated: own
                    .map(|p| format!("{} · {}", p.updated_by, time(p.updated_at)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    render(&EditorPage {
        entries,
        max_points: fanzha_store::MAX_POINTS,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn fraud_type(code: &str) -> Result<FraudType, WebError> {
    FraudType::ALL
        .into_iter()
        .find(|t| t.code() == code && *t != FraudType::Normal)
        .ok_or_else(|| WebError::BadRequest(format!("unknown fraud type `{code}`")))
}

fn back(headers: &HeaderMap, code: &str) -> Response {
    super::after_write(
        headers,
        format!("/scripts#tp-{code}"),
        axum::http::StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct PointsForm {
    zh: String,
    #[serde(default)]
    en: String,
    /// The version the form showed (0: the built-in sentences).
    version: i64,
}

/// `POST /scripts/{type}` (`zh`, `en` — one sentence per line — and `version`): stores the
/// center's sentences for a fraud type.
pub async fn save(
    auth: Require<ManageRules>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(f): FormBody<PointsForm>,
) -> Result<Response, WebError> {
    let t = fraud_type(&code)?;
    state
        .store
        .talking_points()
        .set(
            t.code(),
            &f.zh,
            &f.en,
            f.version,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, t.code()))
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    version: i64,
}

/// `POST /scripts/{type}/reset` (`version`): the built-in sentences apply again.
pub async fn reset(
    auth: Require<ManageRules>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(f): FormBody<ResetForm>,
) -> Result<Response, WebError> {
    let t = fraud_type(&code)?;
    state
        .store
        .talking_points()
        .reset(t.code(), f.version, &auth.principal.login)
        .await?;
    Ok(back(&headers, t.code()))
}
