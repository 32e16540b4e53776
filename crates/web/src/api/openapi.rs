//! The OpenAPI document of `/api/v1/`, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fanzha API",
        description = "Warnings, the closed loop of instructions, 96110 call tasks, figures and residents of the caller's org subtree. Authenticate with the session cookie from POST /login; writes carry the session's X-CSRF-Token header."
    ),
    paths(
        super::warnings::push,
        super::warnings::list,
        super::warnings::get,
        super::instructions::list,
        super::instructions::get,
        super::instructions::command,
        super::figures::get,
        super::people::list,
        super::people::get,
        super::units::children,
        super::call_tasks::list,
        super::call_tasks::claim,
        super::call_tasks::result,
        super::call_tasks::release,
    ),
    components(schemas(
        super::warnings::PushRequest,
        super::instructions::CommandRequest,
        super::call_tasks::ResultRequest
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
