//! `/api/v1/figures`: the dashboard's figures for the caller's subtree (or a unit inside it).

use crate::auth::permission::ViewDashboard;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::Query;
use crate::figures::{dashboard, Dashboard};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
pub struct FiguresQuery {
    /// A unit inside the caller's subtree (default: the caller's unit).
    pub unit: Option<String>,
}

/// Today's warnings, closed-loop figures, open and overdue load, unit ranking.
#[utoipa::path(get, path = "/api/v1/figures", params(FiguresQuery),
    responses((status = 200, description = "Dashboard figures", body = Object)))]
pub async fn get(
    auth: Require<ViewDashboard>,
    State(state): State<AppState>,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<Dashboard>, WebError> {
    let unit = q.unit.unwrap_or_else(|| auth.principal.unit_code.clone());
    state.unit_within(&auth.principal.unit_code, &unit).await?;
    let scope = state.scope_of(&unit).await?;
    Ok(Json(
        dashboard(&state, &scope, &unit, state.clock.now_ms()).await?,
    ))
}
