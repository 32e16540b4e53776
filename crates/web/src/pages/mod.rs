//! Server-rendered pages, one module each, and the chrome they share (navigation by
//! permission, language, CSRF token for htmx writes).

pub mod admin;
pub mod audit;
pub mod calls;
pub mod case_search;
pub mod cases;
pub mod choices;
pub mod dashboard;
pub mod enforcement;
pub mod evidence;
pub mod guardians;
pub mod home;
pub mod instructions;
pub mod key_persons;
pub mod login;
pub mod mobile;
pub mod mule_accounts;
pub mod new_cards;
pub mod outreach;
pub mod returns;
pub mod rules;
pub mod scripts;
pub mod statistics;
pub mod statistics_brief;
pub mod statistics_period;
pub mod stop_payments;
pub mod supervision;
pub mod two_card_leads;
pub mod victim_profile;
pub mod view;
pub mod warning_pushes;
pub mod warning_search;
pub mod warnings;

use crate::auth::permission::{
    HandleInstructions, ImportPushes, ManageGuardians, ManageUsers, Permission, ViewAudit,
    ViewCallTasks, ViewCases, ViewDashboard, ViewEnforcement, ViewInstructions, ViewKeyPersons,
    ViewMuleAccounts, ViewNewCards, ViewOutreach, ViewStatistics, ViewStopPayments,
    ViewSupervision, ViewTwoCardLeads, ViewWarnings,
};
use crate::auth::principal::Principal;
use crate::error::WebError;
use crate::i18n::Lang;
use askama::Template;
use axum::http::HeaderMap;
use axum::response::Html;
use fanzha_store::Role;

/// Renders an askama template into an HTML response.
pub fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

/// One entry of the top navigation.
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

/// What every logged-in page shows around its content.
pub struct Chrome {
    pub lang: Lang,
    pub csrf_token: String,
    pub display_name: String,
    pub nav: Vec<NavItem>,
}

impl Chrome {
    pub fn new(p: &Principal, csrf_token: &str, headers: &HeaderMap, active: &str) -> Chrome {
        let items: &[(&'static str, &'static str, bool)] = &[
            ("/dashboard", "nav_dashboard", ViewDashboard::allows(p)),
            ("/warnings", "nav_warnings", ViewWarnings::allows(p)),
            (
                "/warnings/pushes",
                "nav_warning_pushes",
                ImportPushes::allows(p),
            ),
            (
                "/instructions",
                "nav_instructions",
                ViewInstructions::allows(p),
            ),
            (
                "/m",
                "nav_tasks",
                HandleInstructions::allows(p) && p.has_role(Role::GridWorker),
            ),
            ("/calls", "nav_calls", ViewCallTasks::allows(p)),
            ("/cases", "nav_cases", ViewCases::allows(p)),
            ("/gangs", "nav_gangs", ViewEnforcement::allows(p)),
            (
                "/mule-accounts",
                "nav_mule_accounts",
                ViewMuleAccounts::allows(p),
            ),
            (
                "/card-screening",
                "nav_card_screening",
                ViewNewCards::allows(p),
            ),
            ("/key-persons", "nav_key_persons", ViewKeyPersons::allows(p)),
            ("/guardians", "nav_guardians", ManageGuardians::allows(p)),
            ("/outreach", "nav_outreach", ViewOutreach::allows(p)),
            (
                "/two-card-leads",
                "nav_two_card_leads",
                ViewTwoCardLeads::allows(p),
            ),
            (
                "/supervision",
                "nav_supervision",
                ViewSupervision::allows(p),
            ),
            (
                "/stop-payments",
                "nav_stop_payments",
                ViewStopPayments::allows(p),
            ),
            ("/statistics", "nav_statistics", ViewStatistics::allows(p)),
            ("/audit", "nav_audit", ViewAudit::allows(p)),
            ("/admin", "nav_admin", ManageUsers::allows(p)),
        ];
        Chrome {
            lang: Lang::from_headers(headers),
            csrf_token: csrf_token.to_string(),
            display_name: p.display_name.clone(),
            nav: items
                .iter()
                .filter(|(_, _, ok)| *ok)
                .map(|&(href, key, _)| NavItem {
                    href,
                    key,
                    active: href == active,
                })
                .collect(),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// Reads an optional query value where an empty one (a select's "all" option submits `level=`)
/// means absent, instead of failing the whole request on the empty number.
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    use serde::Deserialize;
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}
