//! Secure response headers and a same-origin rule for every state-changing request.

use crate::error::WebError;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::layer::util::Stack;
use tower_http::set_header::SetResponseHeaderLayer;

type HeaderLayer = SetResponseHeaderLayer<HeaderValue>;
/// Four header layers stacked.
pub type SecureHeaders = Stack<HeaderLayer, Stack<HeaderLayer, Stack<HeaderLayer, HeaderLayer>>>;

/// Content-Security-Policy and friends on every response. Scripts only from our own origin;
/// ECharts draws with inline styles, so styles allow 'unsafe-inline'.
pub fn headers() -> SecureHeaders {
    let csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
               connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    Stack::new(
        SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ),
        Stack::new(
            SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            Stack::new(
                SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ),
                SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ),
            ),
        ),
    )
}

/// A write whose `Origin` names another site is refused before any handler runs (this also
/// covers the login form, which has no session yet).
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        if let (Some(origin), Some(host)) = (origin, host) {
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if origin_host != host {
                return WebError::ForeignOrigin.into_response();
            }
        }
    }
    next.run(req).await
}
