//! The web crate's integration tests, as one test binary: each module is one area of the UI or
//! API, driven through the router over a real store (SQLite, and PostgreSQL where the module
//! says so). One binary instead of one per file: the crate's dependencies are linked and their
//! generics instantiated once, which is most of the build time of these tests.

mod support;

mod alliance;
mod analysis_groups;
mod app_drives;
mod assessment;
mod auth;
mod bank_figures;
mod bulletins;
mod calls;
mod card_checks;
mod card_cleanups;
mod case_import;
mod casework;
mod cluster_operations;
mod employer_notices;
mod enforcement;
mod error_pages;
mod figure_imports;
mod fund_warnings;
mod guardians;
mod intake_stops;
mod joint_office;
mod key_person_exposure;
mod key_person_proposals;
mod key_persons;
mod leak_sources;
mod links;
mod lists;
mod live_events;
mod model_sites;
mod mule_accounts;
mod new_cards;
mod new_cards_api;
mod number_disposals;
mod occupation;
mod operator_figures;
mod outreach;
mod outreach_allocate;
mod outreach_lists;
mod outreach_reach;
mod partner_bulletins;
mod protective_stops;
mod pushes;
mod quizzes;
mod rbac;
mod rules;
mod signals_api;
mod solved_elsewhere;
mod statistics_periods;
mod supervision;
mod teams;
mod tips;
mod todo;
mod two_card_leads;
mod typical_cases;
