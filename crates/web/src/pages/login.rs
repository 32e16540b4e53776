//! 登录: form login with throttling per login name and per client address.

use crate::auth::password::{burn_verification, verify_password};
use crate::auth::permission::Authenticated;
use crate::auth::principal::Principal;
use crate::auth::session::COOKIE;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::pages::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use fanzha_store::Scope;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    next: String,
    login: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

pub async fn show(headers: HeaderMap, Query(q): Query<NextParam>) -> Result<Response, WebError> {
    let page = LoginPage {
        lang: Lang::from_headers(&headers),
        next: safe_next(q.next.as_deref()),
        login: String::new(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    FormBody(form): FormBody<LoginForm>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let now = state.clock.now_ms();
    let login = form.login.trim().to_string();
    let keys = [format!("login:{login}"), format!("addr:{}", addr.ip())];
    let refuse = |error: &'static str, status: StatusCode| -> Result<Response, WebError> {
        let page = LoginPage {
            lang,
            next: safe_next(form.next.as_deref()),
            login: login.clone(),
            error: Some(error),
        };
        Ok((status, render(&page)?).into_response())
    };
    if keys
        .iter()
        .any(|k| state.throttle.locked_for(k, now).is_some())
    {
        tracing::warn!(event = "login_throttled", addr = %addr.ip(), "login refused while throttled");
        return refuse("login_throttled", StatusCode::TOO_MANY_REQUESTS);
    }
    let hash = state.store.users().password_hash(&login).await?;
    let verified = match &hash {
        Some(phc) => verify_password(&form.password, phc),
        None => {
            burn_verification(&form.password);
            false
        }
    };
    let user = if verified {
        state
            .store
            .users()
            .get(&Scope::platform(), &login)
            .await
            .ok()
            .filter(|u| u.active)
    } else {
        None
    };
    let Some(user) = user else {
        keys.iter()
            .for_each(|k| state.throttle.record_failure(k, now));
        tracing::warn!(event = "login_failed", addr = %addr.ip(), "login failed");
        return refuse("login_failed", StatusCode::UNAUTHORIZED);
    };
    keys.iter().for_each(|k| state.throttle.record_success(k));
    let (token, _) = state.sessions.create(Principal::from(user), now);
    let cookie = Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    tracing::info!(event = "login", "user logged in");
    Ok((
        jar.add(cookie),
        Redirect::to(&safe_next(form.next.as_deref())),
    )
        .into_response())
}

/// Ends the session; a write like any other, so it needs the CSRF token. htmx gets a 200 with
/// `HX-Redirect` (it would follow a 303 silently and paste the login page into the button).
pub async fn logout(
    _auth: Require<Authenticated>,
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    if let Some(c) = jar.get(COOKIE) {
        state.sessions.end(c.value());
    }
    let jar = jar.remove(Cookie::build(COOKIE).path("/").build());
    if headers.contains_key("hx-request") {
        return (jar, [("hx-redirect", "/login")], StatusCode::OK).into_response();
    }
    (jar, Redirect::to("/login")).into_response()
}

/// Sets the language cookie and returns to the page the toggle was clicked on.
pub async fn set_lang(
    axum::extract::Path(lang): axum::extract::Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    let cookie = Cookie::build((Lang::COOKIE, value))
        .path("/")
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), Redirect::to(&safe_next(Some(&back)))).into_response()
}

/// Only same-site paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.starts_with("/login") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/instructions?u=1")), "/instructions?u=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "evil",
            "/login",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
