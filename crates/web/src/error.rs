//! How the web layer fails: every error carries an [`ErrorCode`] and becomes a JSON body
//! `{code, message, what_to_do}` with the code's HTTP status, except that a page request
//! without a session is redirected to the login page.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not logged in")]
    Unauthenticated,
    /// A browser asked for a page without a session: send it to log in, then back.
    #[error("log in to continue")]
    LoginRequired { next: String },
    #[error("this needs the permission `{0}`")]
    Forbidden(&'static str),
    #[error("the request's CSRF token is missing or wrong")]
    CsrfRejected,
    #[error("the request came from another site")]
    ForeignOrigin,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// An export whose period holds more rows than one file carries.
    #[error("the period holds more than {limit} {what}: narrow the period")]
    PeriodTooLarge { what: &'static str, limit: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Loop(#[from] fanzha_workflow::LoopError),
    /// An uploaded file that cannot be read as a whole (no header, a required column missing).
    #[error(transparent)]
    File(#[from] fanzha_ingest::IngestError),
    #[error("export failed: {0}")]
    Export(String),
    #[error("page rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error("this server has no signal stream to publish to")]
    NoSignalStream,
    #[error(transparent)]
    Bus(#[from] fanzha_bus::BusError),
}

impl Coded for WebError {
    fn code(&self) -> ErrorCode {
        match self {
            WebError::Unauthenticated | WebError::LoginRequired { .. } => {
                ErrorCode::Unauthenticated
            }
            WebError::Forbidden(_) => ErrorCode::Forbidden,
            WebError::CsrfRejected | WebError::ForeignOrigin => ErrorCode::CsrfRejected,
            WebError::NotFound => ErrorCode::NotFound,
            WebError::BadRequest(_) => ErrorCode::RequestInvalid,
            WebError::PeriodTooLarge { .. } => ErrorCode::PeriodTooLarge,
            WebError::Store(e) => e.code(),
            WebError::Loop(e) => e.code(),
            WebError::File(e) => e.code(),
            WebError::Export(_) => ErrorCode::Internal,
            WebError::Render(_) => ErrorCode::Internal,
            WebError::NoSignalStream => ErrorCode::BusUnavailable,
            WebError::Bus(e) => e.code(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::LoginRequired { next } = &self {
            let location = format!("/login?next={}", percent_encode(next));
            return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
        }
        let code = self.code();
        let status = match &self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::from_u16(code.kind().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        };
        if status.is_server_error() {
            tracing::error!(code = code.as_str(), error = %self, "request failed");
        }
        let body = serde_json::json!({
            "code": code.as_str(),
            "message": self.to_string(),
            "what_to_do": code.what_to_do(),
        });
        (status, axum::Json(body)).into_response()
    }
}

/// Minimal query-component encoding for a same-site path (no external crate needed for this).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
