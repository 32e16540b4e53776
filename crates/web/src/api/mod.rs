//! The JSON API under `/api/v1/`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! Every handler names its permission in its signature ([`crate::auth::Require`]) and reads
//! through the caller's org scope, so a record of another subtree answers 404 `not_found`.

pub mod call_tasks;
pub mod card_checks;
pub mod card_cleanups;
pub mod card_closures;
pub mod cases;
pub mod figures;
pub mod instructions;
pub mod new_cards;
pub mod openapi;
pub mod people;
pub mod signals;
pub mod units;
pub mod warnings;

use crate::auth::principal::Principal;
use crate::error::WebError;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use fanzha_workflow::Actor;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/warnings", get(warnings::list).post(warnings::push))
        .route("/api/v1/warnings/{id}", get(warnings::get))
        .route("/api/v1/instructions", get(instructions::list))
        .route("/api/v1/instructions/{id}", get(instructions::get))
        .route(
            "/api/v1/instructions/{id}/commands",
            post(instructions::command),
        )
        .route("/api/v1/call-tasks", get(call_tasks::list))
        .route("/api/v1/call-tasks/claim", post(call_tasks::claim))
        .route("/api/v1/call-tasks/{id}/result", post(call_tasks::result))
        .route("/api/v1/call-tasks/{id}/release", post(call_tasks::release))
        .route("/api/v1/cases", post(cases::push))
        .route("/api/v1/figures", get(figures::get))
        .route("/api/v1/people", get(people::list))
        .route("/api/v1/people/{resident_id}", get(people::get))
        .route("/api/v1/units/{code}/children", get(units::children))
        .route(
            "/api/v1/new-cards",
            // 10,000 cards can pass the default 2 MB request limit.
            get(new_cards::list)
                .post(new_cards::push)
                .layer(axum::extract::DefaultBodyLimit::max(16 << 20)),
        )
        .route(
            "/api/v1/card-closures",
            post(card_closures::push).layer(axum::extract::DefaultBodyLimit::max(16 << 20)),
        )
        .route("/api/v1/card-checks", post(card_checks::push))
        .route(
            "/api/v1/card-checks/{id}/outcome",
            post(card_checks::outcome),
        )
        .route("/api/v1/card-cleanups", get(card_cleanups::list))
        .route(
            "/api/v1/card-cleanups/{id}/answer",
            post(card_cleanups::answer),
        )
        .route(
            "/api/v1/signals",
            // 10,000 signals of a few hundred bytes each.
            post(signals::push).layer(axum::extract::DefaultBodyLimit::max(16 << 20)),
        )
        .route("/api/v1/new-cards/{id}", get(new_cards::get))
        .route("/api/v1/new-cards/{id}/review", post(new_cards::review))
}

/// The caller as the closed loop sees them: login, unit, and the unit's subtree.
pub async fn actor_of(state: &AppState, p: &Principal) -> Result<Actor, WebError> {
    Ok(Actor {
        login: p.login.clone(),
        unit_code: p.unit_code.clone(),
        scope: state.scope_of(&p.unit_code).await?,
    })
}
