//! The HTTP API (`/api/v1/…`) and the server-rendered UI of fanzha.
//!
//! Architecture invariant: every handler that touches data takes a [`auth::Require`] for the
//! permission it needs, so the role matrix is enforced by types; reads of personal data go
//! through the store's `Scope`.

pub mod assets;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod security;
pub mod state;

use axum::routing::{get, post};
use axum::Router;
pub use state::AppState;
use std::net::SocketAddr;

/// All routes of the platform.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home::show))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/lang/{lang}", get(pages::login::set_lang))
        .route("/api/v1/me", get(pages::home::me))
        .route("/assets/{*path}", get(assets::serve))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(security::same_origin_writes))
        .layer(security::headers())
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Serves on an already bound listener until `shutdown` completes (binding first lets the
/// caller report a busy port before anything else starts).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "serving");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
