//! Errors as a person in a browser should see them. Handlers answer errors as JSON
//! (`error.rs`: code, message, what to do), which is right for the API and for htmx requests
//! that show the message in place; but a page opened in the browser — a link followed, an
//! address typed, an export clicked — would show raw JSON. This layer turns such an answer
//! into a page in the reader's language: what happened in words, what to do, the code for
//! whoever reports it, and the ways back. The JSON stays the answer for `/api/`, htmx and
//! anything that does not ask for HTML.

use crate::i18n::Lang;
use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The largest error body read back (errors are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    status: u16,
    heading: &'static str,
    explanation: &'static str,
    code: String,
    message: String,
    what_to_do: String,
    /// A same-site page to go back to, from the `Referer`.
    back: Option<String>,
}

/// Whether the request is a page the browser navigates to (not the API, not htmx, asks for
/// HTML).
fn wants_page(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    method == Method::GET
        && !path.starts_with("/api/")
        && headers.get("hx-request").is_none()
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

/// The same-site path of the `Referer`, when there is one (never another site's address).
fn same_site_back(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

/// The heading and explanation of a status, in `lang`.
fn words(lang: Lang, status: StatusCode) -> (&'static str, &'static str) {
    let key = match status.as_u16() {
        400 | 422 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",
        429 => "too_many",
        s if s >= 500 => "server",
        _ => "other",
    };
    let t = |k: &str| lang.t(k);
    match key {
        "bad_request" => (t("errp_bad_request"), t("errp_bad_request_why")),
        "unauthenticated" => (t("errp_unauthenticated"), t("errp_unauthenticated_why")),
        "forbidden" => (t("errp_forbidden"), t("errp_forbidden_why")),
        "not_found" => (t("errp_not_found"), t("errp_not_found_why")),
        "conflict" => (t("errp_conflict"), t("errp_conflict_why")),
        "too_large" => (t("errp_too_large"), t("errp_too_large_why")),
        "too_many" => (t("errp_too_many"), t("errp_too_many_why")),
        "server" => (t("errp_server"), t("errp_server_why")),
        _ => (t("errp_other"), t("errp_other_why")),
    }
}

/// Renders the JSON error answers of browser page requests as pages (see the module's
/// comment); every other answer passes unchanged.
pub async fn html_errors(req: Request, next: Next) -> Response {
    let page = wants_page(req.method(), req.uri().path(), req.headers());
    let lang = Lang::from_headers(req.headers());
    let back = same_site_back(req.headers());
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !page || !json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let text = |k: &str| error[k].as_str().unwrap_or_default().to_string();
    let (heading, explanation) = words(lang, status);
    let page = ErrorPage {
        lang,
        status: status.as_u16(),
        heading,
        explanation,
        code: text("code"),
        message: text("message"),
        what_to_do: text("what_to_do"),
        back,
    };
    match page.render() {
        Ok(html) => {
            let mut out = (status, Html(html)).into_response();
            // The security headers set on the way out still apply; keep any the handler set.
            for (name, value) in parts.headers.iter() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    out.headers_mut().insert(name.clone(), value.clone());
                }
            }
            out
        }
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_browser_page_requests_get_a_page() {
        let browser = headers(&[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]);
        assert!(wants_page(&Method::GET, "/warnings/1", &browser));
        assert!(!wants_page(&Method::GET, "/api/v1/me", &browser));
        assert!(!wants_page(&Method::POST, "/warnings/1", &browser));
        let htmx = headers(&[("accept", "text/html"), ("hx-request", "true")]);
        assert!(!wants_page(&Method::GET, "/warnings/1", &htmx));
        let script = headers(&[("accept", "application/json")]);
        assert!(!wants_page(&Method::GET, "/warnings/1", &script));
    }

    #[test]
    fn the_way_back_stays_on_the_site() {
        let same = headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080/dashboard?x=1"),
        ]);
        assert_eq!(same_site_back(&same).as_deref(), Some("/dashboard?x=1"));
        let other = headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://evil.example/127.0.0.1:8080/x"),
        ]);
        assert_eq!(same_site_back(&other), None);
        let sneaky = headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080//evil.example/"),
        ]);
        assert_eq!(same_site_back(&sneaky), None);
    }
}
