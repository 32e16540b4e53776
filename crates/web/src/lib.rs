//! The HTTP API (`/api/v1/…`) and the server-rendered UI of fanzha.
//!
//! Architecture invariant: every handler that touches data takes a [`auth::Require`] for the
//! permission it needs, so the role matrix is enforced by types; reads of personal data go
//! through the store's `Scope`.

pub mod api;
pub mod assessment;
pub mod assets;
pub mod auth;
pub mod card_closures;
pub mod card_screening;
pub mod case_import;
pub mod casework;
pub mod cleanup_answers;
pub mod crime_share;
pub mod engine_directory;
pub mod engine_feed;
pub mod error;
pub mod error_page;
pub mod export;
pub mod extract;
pub mod figure_import;
pub mod figures;
pub mod guardian_import;
pub mod i18n;
pub mod import_run;
pub mod intake_stops;
pub mod joint_task_import;
pub mod key_person_import;
pub mod operation_import;
pub mod pages;
pub mod push_import;
pub mod reason_labels;
pub mod rules_lab;
pub mod security;
pub mod sse;
pub mod state;
pub mod team_import;
pub mod unit_match;

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
        .route("/dashboard", get(pages::dashboard::show))
        .route(
            "/dashboard/counters",
            get(pages::dashboard::counters_fragment),
        )
        .route("/dashboard/live", get(pages::dashboard::live_fragment))
        .route("/warnings", get(pages::warnings::list))
        .route(
            "/warnings/pushes",
            get(pages::warning_pushes::list).post(pages::warning_pushes::import),
        )
        .route(
            "/warnings/pushes/feedback",
            get(pages::warning_pushes::feedback),
        )
        .route(
            "/solved-elsewhere",
            get(pages::solved_elsewhere::list).post(pages::solved_elsewhere::record),
        )
        .route("/warnings/funds", get(pages::fund_warnings::page))
        .route("/warnings/{id}/fund-stop", post(pages::fund_warnings::stop))
        .route("/warnings/{id}", get(pages::warnings::detail))
        .route("/warnings/{id}/person", get(pages::warnings::reveal))
        .route(
            "/warnings/{id}/protective-stops",
            post(pages::warnings::request_stop),
        )
        .route("/instructions", get(pages::instructions::queue))
        .route(
            "/instructions/bulk-sign",
            post(pages::instructions::bulk_sign),
        )
        .route("/instructions/{id}", get(pages::instructions::detail))
        .route("/instructions/{id}/act", post(pages::instructions::act))
        .route(
            "/instructions/{id}/feedback",
            post(pages::instructions::feedback),
        )
        .route("/m", get(pages::mobile::tasks))
        .route("/m/instructions/{id}", get(pages::mobile::task))
        .route("/m/instructions/{id}/outcome", post(pages::mobile::outcome))
        .route(
            "/m/outreach",
            get(pages::mobile::outreach_form).post(pages::mobile::record_outreach),
        )
        .route("/m/key-persons", get(pages::mobile::key_persons))
        .route(
            "/m/key-persons/{id}/visit",
            post(pages::mobile::record_visit),
        )
        .route("/scripts", get(pages::script_editor::page))
        .route("/scripts/{code}", post(pages::script_editor::save))
        .route("/scripts/{code}/reset", post(pages::script_editor::reset))
        .route("/calls", get(pages::calls::queue))
        .route("/calls/figures", get(pages::call_figures::figures))
        .route("/calls/claim", post(pages::calls::claim))
        .route("/calls/{id}", get(pages::calls::task))
        .route("/calls/{id}/result", post(pages::calls::result))
        .route("/calls/{id}/release", post(pages::calls::release))
        .route("/cases", get(pages::cases::list).post(pages::cases::create))
        .route(
            "/cases/import",
            // A month of reports can pass the default 2 MB request limit.
            post(pages::cases::import).layer(axum::extract::DefaultBodyLimit::max(
                fanzha_ingest::reports::MAX_REPORT_FILE_BYTES + (1 << 20),
            )),
        )
        .route("/cases/{id}", get(pages::cases::detail))
        .route("/cases/{id}/extracts", post(pages::cases::upload))
        .route("/cases/{id}/trace", post(pages::cases::trace))
        .route(
            "/cases/{id}/intake-stops",
            post(pages::case_intake::request),
        )
        .route(
            "/cases/{id}/order-source",
            post(pages::leak_sources::record),
        )
        .route("/leak-sources", get(pages::leak_sources::page))
        .route("/leak-sources/tasks", post(pages::leak_sources::hand_over))
        .route(
            "/cases/{id}/prior-outreach",
            post(pages::cases::set_prior_outreach),
        )
        .route("/cases/{id}/notice", get(pages::cases::notice))
        .route(
            "/cases/{id}/employer-notice",
            post(pages::public_sector::issue),
        )
        .route(
            "/cases/{id}/employer-notice/receipt",
            post(pages::public_sector::receipt),
        )
        .route("/public-sector", get(pages::public_sector::register))
        .route("/cases/{id}/typical", post(pages::typical_cases::mark))
        .route(
            "/cases/{id}/typical/remove",
            post(pages::typical_cases::unmark),
        )
        .route("/typical-cases", get(pages::typical_cases::list))
        .route(
            "/cases/{id}/enforcement",
            post(pages::enforcement::set_status),
        )
        .route(
            "/cases/{id}/suspects",
            post(pages::enforcement::add_suspect),
        )
        .route(
            "/campaigns",
            get(pages::campaigns::list).post(pages::campaigns::create),
        )
        .route(
            "/model-sites",
            get(pages::model_sites::list).post(pages::model_sites::award),
        )
        .route("/model-sites/{id}/revoke", post(pages::model_sites::revoke))
        .route(
            "/alliance",
            get(pages::alliance::list).post(pages::alliance::join),
        )
        .route(
            "/alliance/{id}",
            get(pages::alliance::member).post(pages::alliance::update),
        )
        .route("/alliance/{id}/leave", post(pages::alliance::leave))
        .route("/todo", get(pages::todo::show))
        .route("/joint-office", get(pages::joint_office::desk))
        .route(
            "/joint-office/members",
            post(pages::joint_office::add_member),
        )
        .route(
            "/joint-office/members/{id}",
            get(pages::joint_office_member::member).post(pages::joint_office_member::update),
        )
        .route(
            "/joint-office/members/{id}/leave",
            post(pages::joint_office_member::leave),
        )
        .route(
            "/joint-office/members/{id}/letters",
            post(pages::joint_office_member::sign_letter),
        )
        .route(
            "/joint-office/members/{id}/spot-checks",
            post(pages::joint_office_member::spot_check),
        )
        .route(
            "/joint-office/meetings",
            post(pages::joint_office::record_meeting),
        )
        .route(
            "/joint-office/meetings/{id}",
            get(pages::joint_office::meeting),
        )
        .route(
            "/joint-office/tasks",
            get(pages::joint_office_tasks::list).post(pages::joint_office_tasks::assign),
        )
        .route(
            "/joint-office/tasks/import",
            post(pages::joint_office::import_tasks),
        )
        .route(
            "/joint-office/tasks/{id}",
            get(pages::joint_office_tasks::task),
        )
        .route(
            "/joint-office/tasks/{id}/report",
            post(pages::joint_office_tasks::report),
        )
        .route("/joint-office/mine", get(pages::joint_member_desk::desk))
        .route(
            "/joint-office/mine/tasks/{id}/report",
            post(pages::joint_member_desk::report),
        )
        .route(
            "/joint-office/tasks/{id}/accept",
            post(pages::joint_office_tasks::accept),
        )
        .route(
            "/joint-office/tasks/{id}/return",
            post(pages::joint_office_tasks::send_back),
        )
        .route(
            "/joint-office/tasks/{id}/press",
            post(pages::joint_office_tasks::press),
        )
        .route(
            "/operations",
            get(pages::cluster_operations::list).post(pages::cluster_operations::launch),
        )
        .route("/operations/{id}", get(pages::cluster_operations::detail))
        .route(
            "/operations/{id}/targets",
            post(pages::cluster_operations::add_target),
        )
        .route(
            "/operations/{id}/targets/import",
            post(pages::cluster_operations::import_targets),
        )
        .route("/operations/{id}/end", post(pages::cluster_operations::end))
        .route(
            "/operation-targets/{id}",
            get(pages::cluster_operations::target),
        )
        .route(
            "/operation-targets/{id}/report",
            post(pages::cluster_operations::report),
        )
        .route(
            "/operation-targets/{id}/withdraw",
            post(pages::cluster_operations::withdraw),
        )
        .route("/suspects/{id}", get(pages::enforcement::suspect))
        .route(
            "/suspects/{id}/measure",
            post(pages::enforcement::set_measure),
        )
        .route(
            "/suspects/{id}/charge",
            post(pages::enforcement::set_charge),
        )
        .route(
            "/suspects/{id}/wanted",
            post(pages::enforcement::set_wanted),
        )
        .route(
            "/suspects/{id}/key-person",
            post(pages::key_person_cases::list_suspect),
        )
        .route(
            "/gangs",
            get(pages::enforcement::register).post(pages::enforcement::record_gang),
        )
        .route("/mule-accounts", get(pages::mule_accounts::list))
        .route("/card-screening", get(pages::new_cards::list))
        .route(
            "/card-checks",
            get(pages::card_checks::list).post(pages::card_checks::create),
        )
        .route("/card-checks/{id}", get(pages::card_checks::detail))
        .route(
            "/card-checks/{id}/outcome",
            post(pages::card_checks::outcome),
        )
        .route("/card-screening/import", post(pages::new_cards::import))
        .route("/card-screening/{id}", get(pages::new_cards::detail))
        .route(
            "/card-screening/{id}/review",
            post(pages::new_cards::review),
        )
        .route(
            "/card-screening/{id}/lead",
            post(pages::new_card_lead::send),
        )
        .route(
            "/key-persons",
            get(pages::key_persons::list).post(pages::key_persons::create),
        )
        .route("/key-persons/import", post(pages::key_persons::import))
        .route(
            "/key-persons/proposals",
            get(pages::key_person_proposals::list),
        )
        .route(
            "/key-persons/proposals/report-list",
            get(pages::key_person_proposals::report_list),
        )
        .route(
            "/key-persons/proposals/{id}/step",
            post(pages::key_person_proposals::step),
        )
        .route(
            "/key-persons/{id}/proposals",
            post(pages::key_person_proposals::propose),
        )
        .route("/key-persons/{id}", get(pages::key_persons::detail))
        .route(
            "/key-persons/{id}/events",
            post(pages::key_persons::add_event),
        )
        .route(
            "/guardians",
            get(pages::guardians::list).post(pages::guardians::create),
        )
        .route("/guardians/import", post(pages::guardians::import))
        .route("/teams", get(pages::teams::page))
        .route("/teams/members", post(pages::teams::add))
        .route("/teams/import", post(pages::teams::import))
        .route("/teams/members/{id}", get(pages::teams::member))
        .route("/teams/members/{id}/remove", post(pages::teams::remove))
        .route("/guardians/{id}", get(pages::guardians::detail))
        .route("/guardians/{id}/remove", post(pages::guardians::remove))
        .route("/guardians/{id}/sign-up", post(pages::guardians::sign_up))
        .route("/outreach", get(pages::outreach::list))
        .route("/outreach/quotas", post(pages::outreach::set_quota))
        .route(
            "/outreach/lists",
            get(pages::outreach_lists::list).post(pages::outreach_lists::issue),
        )
        .route("/outreach/lists/{id}", get(pages::outreach_lists::show))
        .route(
            "/outreach/list-rows/{id}",
            post(pages::outreach_lists::record),
        )
        .route(
            "/outreach/posts",
            get(pages::outreach_posts::list).post(pages::outreach_posts::record),
        )
        .route(
            "/outreach/posts/{id}/count",
            post(pages::outreach_posts::count_again),
        )
        .route(
            "/number-disposals",
            get(pages::number_disposals::list).post(pages::number_disposals::request),
        )
        .route(
            "/number-disposals/{id}",
            get(pages::number_disposals::detail),
        )
        .route(
            "/number-disposals/{id}/answer",
            post(pages::number_disposals::answer),
        )
        .route(
            "/number-disposals/{id}/withdraw",
            post(pages::number_disposals::withdraw),
        )
        .route("/card-cleanups", get(pages::card_cleanups::list))
        .route(
            "/card-cleanups/generate",
            post(pages::card_cleanups::generate),
        )
        .route(
            "/card-cleanups/worklist",
            get(pages::card_cleanups::worklist),
        )
        .route(
            "/card-cleanups/answers",
            post(pages::card_cleanups::import_answers),
        )
        .route("/card-cleanups/{id}", get(pages::card_cleanups::detail))
        .route(
            "/card-cleanups/{id}/answer",
            post(pages::card_cleanups::answer),
        )
        .route(
            "/card-cleanups/{id}/withdraw",
            post(pages::card_cleanups::withdraw),
        )
        .route("/two-card-leads", get(pages::two_card_leads::list))
        .route(
            "/two-card-leads/import",
            post(pages::two_card_leads::import),
        )
        .route(
            "/two-card-leads/{id}/check",
            post(pages::two_card_leads::check),
        )
        .route(
            "/two-card-leads/{id}/forward",
            post(pages::two_card_leads::forward),
        )
        .route(
            "/two-card-leads/{id}/measure",
            post(pages::two_card_leads::set_measure),
        )
        .route(
            "/supervision",
            get(pages::supervision::list).post(pages::supervision::issue),
        )
        .route("/supervision/new", get(pages::supervision::new_form))
        .route("/supervision/{id}", get(pages::supervision::detail))
        .route("/supervision/{id}/reply", post(pages::supervision::reply))
        .route("/supervision/{id}/extend", post(pages::supervision::extend))
        .route("/supervision/{id}/reject", post(pages::supervision::reject))
        .route("/supervision/{id}/close", post(pages::supervision::close))
        .route("/supervision/{id}/notice", get(pages::supervision::notice))
        .route(
            "/analysis-groups",
            get(pages::analysis_groups::list).post(pages::analysis_groups::create),
        )
        .route(
            "/analysis-groups/{id}",
            get(pages::analysis_group::detail).post(pages::analysis_group::update),
        )
        .route(
            "/analysis-groups/{id}/deactivate",
            post(pages::analysis_group::deactivate),
        )
        .route("/stop-payments", get(pages::stop_payments::board))
        .route("/stop-payments/{id}/act", post(pages::stop_payments::act))
        .route(
            "/stop-payments/{id}/account",
            get(pages::warnings::reveal_stop_account),
        )
        .route("/stop-payments/{id}/returns", get(pages::returns::plan))
        .route(
            "/stop-payments/{id}/returns/print",
            get(pages::returns::print),
        )
        .route("/statistics", get(pages::statistics::show))
        .route(
            "/operator-figures",
            get(pages::operator_figures::page).post(pages::operator_figures::enter),
        )
        .route(
            "/operator-figures/import",
            post(pages::operator_figures::import),
        )
        .route(
            "/bank-figures",
            get(pages::bank_figures::page).post(pages::bank_figures::enter),
        )
        .route("/bank-figures/import", post(pages::bank_figures::import))
        .route("/tips", get(pages::tips::list).post(pages::tips::report))
        .route("/tips/{id}", get(pages::tips::detail))
        .route("/tips/{id}/review", post(pages::tips::review))
        .route("/m/tips", get(pages::tips::phone))
        .route(
            "/key-persons/exposure",
            get(pages::key_person_exposure::list),
        )
        .route(
            "/key-persons/exposure/notice",
            get(pages::key_person_exposure::notice),
        )
        .route(
            "/quizzes",
            get(pages::quizzes::list).post(pages::quizzes::create),
        )
        .route(
            "/quizzes/questions",
            get(pages::quiz_bank::bank).post(pages::quiz_bank::add),
        )
        .route(
            "/quizzes/questions/builtin",
            post(pages::quiz_bank::load_builtin),
        )
        .route("/quizzes/questions/{id}", post(pages::quiz_bank::edit))
        .route(
            "/quizzes/{id}",
            get(pages::quizzes::detail).post(pages::quizzes::update),
        )
        .route("/quizzes/{id}/close", post(pages::quizzes::close))
        .route("/quizzes/{id}/poster", get(pages::quizzes::poster))
        .route("/m/quizzes", get(pages::quizzes::phone))
        .route(
            "/app-drives",
            get(pages::app_drives::list).post(pages::app_drives::create),
        )
        .route(
            "/app-drives/{id}",
            get(pages::app_drives::detail).post(pages::app_drives::update),
        )
        .route("/app-drives/{id}/close", post(pages::app_drives::close))
        .route("/app-drives/{id}/poster", get(pages::app_drives::poster))
        .route(
            "/app-drives/promoters/{id}",
            get(pages::app_drives::promoter),
        )
        .route(
            "/t/{id}",
            get(pages::app_drive_public::show).post(pages::app_drive_public::enrol),
        )
        .route("/tm/{id}", get(pages::app_drive_public::mine))
        .route("/tm/{id}/poster", get(pages::app_drive_public::poster))
        .route(
            "/r/{id}",
            get(pages::app_drive_public::invite).post(pages::app_drive_public::register),
        )
        .route(
            "/outreach/allocate",
            get(pages::outreach_allocate::page).post(pages::outreach_allocate::apply),
        )
        .route("/q/{id}", get(pages::quiz_public::show))
        .route("/q/{id}/start", post(pages::quiz_public::start))
        .route(
            "/qa/{id}",
            get(pages::quiz_public::attempt).post(pages::quiz_public::submit),
        )
        .route("/qa/{id}/pledge", post(pages::quiz_public::pledge))
        .route(
            "/bulletins",
            get(pages::bulletins::list).post(pages::bulletins::issue),
        )
        .route("/bulletins/{id}", get(pages::bulletins::show))
        .route("/bulletins/{id}/sign", post(pages::bulletins::sign))
        .route("/partner-bulletins", get(pages::partner_bulletins::list))
        .route(
            "/partner-bulletins/{id}",
            get(pages::partner_bulletins::show),
        )
        .route(
            "/partner-bulletins/{id}/sign",
            post(pages::partner_bulletins::sign),
        )
        .route(
            "/crime-counts",
            get(pages::crime_counts::page).post(pages::crime_counts::enter),
        )
        .route("/crime-counts/import", post(pages::crime_counts::import))
        .route("/assessment", get(pages::assessment::show))
        .route("/audit", get(pages::audit::show))
        .route("/admin", get(pages::admin::show))
        .route("/admin/users", post(pages::admin::add_user))
        .route(
            "/admin/rules",
            get(pages::rules::show).post(pages::rules::submit),
        )
        .route("/events", get(sse::events))
        .merge(api::routes())
        .route("/assets/{*path}", get(assets::serve))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(security::same_origin_writes))
        .layer(axum::middleware::from_fn(error_page::html_errors))
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
