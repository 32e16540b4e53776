//! The OpenAPI document of `/api/v1/`, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fanzha API",
        description = "Warnings, the closed loop of instructions, 96110 call tasks, figures, residents, new-card screening and existing-card cleanup (存量卡清理) of the caller's org subtree — a bank liaison: its bank's. Authenticate with the session cookie from POST /login; writes carry the session's X-CSRF-Token header."
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
        super::new_cards::push,
        super::cases::push,
        super::signals::push,
        super::new_cards::list,
        super::new_cards::get,
        super::new_cards::review,
        super::card_closures::push,
        super::card_cleanups::list,
        super::card_cleanups::answer,
        super::card_checks::push,
        super::card_checks::outcome,
    ),
    components(schemas(
        super::cases::CaseReportIn,
        super::cases::CaseReportAnswer,
        super::cases::NamedAccountOut,
        super::warnings::PushRequest,
        super::warnings::PushOrigin,
        super::warnings::FundPayment,
        super::instructions::CommandRequest,
        super::call_tasks::ResultRequest,
        super::new_cards::NewCardList,
        super::signals::SignalPushAnswer,
        super::signals::SignalRejection,
        super::new_cards::NewCardIn,
        super::new_cards::NewCardListAnswer,
        super::new_cards::NewCardRejection,
        super::new_cards::NewCardReview,
        super::card_closures::ClosureListIn,
        super::card_closures::ClosureIn,
        super::card_closures::ClosureListAnswer,
        super::card_closures::ClosureRejection,
        super::card_cleanups::CleanupAnswerIn,
        super::card_checks::CardCheckIn,
        super::card_checks::CardCheckAnswer,
        super::card_checks::CheckReasonOut,
        super::card_checks::CheckOutcomeIn
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `/api/v1/` route of the router (read from its source) is in the document.
    #[test]
    fn the_document_lists_every_api_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let src = include_str!("mod.rs");
        let mut checked = 0;
        for (at, _) in src.match_indices(".route(") {
            let rest = &src[at..];
            let open = rest.find('"').unwrap() + 1;
            let path = &rest[open..open + rest[open..].find('"').unwrap()];
            if !path.starts_with("/api/v1/") {
                continue;
            }
            checked += 1;
            assert!(doc["paths"][path].is_object(), "{path} is not documented");
        }
        assert!(checked >= 16, "{checked} routes read");
    }
}
