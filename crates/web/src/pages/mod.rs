//! Server-rendered pages, one module each.

pub mod home;
pub mod login;

use crate::error::WebError;
use askama::Template;
use axum::response::Html;

/// Renders an askama template into an HTML response.
pub fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}
