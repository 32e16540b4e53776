//! Authentication and authorisation: sessions, passwords, login throttling, and the
//! permission-typed extractor [`Require`].

pub mod password;
pub mod permission;
pub mod principal;
pub mod session;
pub mod throttle;

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::cookie::CookieJar;
use permission::Permission;
use principal::Principal;
use std::marker::PhantomData;

/// Proof that the caller is logged in and holds permission `P`; for state-changing requests
/// also that the request carries the session's CSRF token (header `X-CSRF-Token`).
pub struct Require<P: Permission> {
    pub principal: Principal,
    pub csrf_token: String,
    _permission: PhantomData<P>,
}

impl<P: Permission> FromRequestParts<AppState> for Require<P> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let session = jar
            .get(session::COOKIE)
            .and_then(|c| state.sessions.touch(c.value(), state.clock.now_ms()));
        let Some(session) = session else {
            return Err(if wants_page(parts) {
                WebError::LoginRequired {
                    next: parts.uri.path().to_string(),
                }
            } else {
                WebError::Unauthenticated
            });
        };
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !session::tokens_equal(sent, &session.csrf_token) {
                return Err(WebError::CsrfRejected);
            }
        }
        if !P::allows(&session.principal) {
            return Err(WebError::Forbidden(P::NAME));
        }
        Ok(Require {
            principal: session.principal,
            csrf_token: session.csrf_token,
            _permission: PhantomData,
        })
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser navigation (not htmx, not an API client) gets a redirect instead of a 401.
fn wants_page(parts: &Parts) -> bool {
    parts.method == Method::GET
        && !parts.headers.contains_key("hx-request")
        && parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}
