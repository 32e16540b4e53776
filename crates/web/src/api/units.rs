//! `/api/v1/units`: the org tree below one's unit (targets of a push-down).

use crate::auth::permission::ViewInstructions;
use crate::auth::Require;
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;

/// Children of a unit inside the caller's subtree.
#[utoipa::path(get, path = "/api/v1/units/{code}/children",
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 200, description = "Child units", body = Object),
              (status = 404, description = "Outside the caller's subtree")))]
pub async fn children(
    auth: Require<ViewInstructions>,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    state.unit_within(&auth.principal.unit_code, &code).await?;
    let children = state.store.units().children(&code).await?;
    let items: Vec<_> = children
        .iter()
        .map(|u| serde_json::json!({"code": u.code, "name": u.name, "level": u.level.as_str()}))
        .collect();
    Ok(Json(serde_json::json!(items)))
}
