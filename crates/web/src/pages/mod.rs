//! Server-rendered pages, one module each, and the chrome they share (navigation by
//! permission, language, CSRF token for htmx writes).

pub mod admin;
pub mod alliance;
pub mod analysis_group;
pub mod analysis_group_form;
pub mod analysis_groups;
pub mod app_drive_public;
pub mod app_drives;
pub mod assessment;
pub mod audit;
pub mod bank_figures;
pub mod bulletins;
pub mod call_figures;
pub mod calls;
pub mod campaigns;
pub mod card_checks;
pub mod card_cleanups;
pub mod case_intake;
pub mod case_search;
pub mod cases;
pub mod choices;
pub mod cluster_operations;
pub mod crime_counts;
pub mod dashboard;
pub mod days_period;
pub mod enforcement;
pub mod evidence;
pub mod figure_imports;
pub mod fund_warnings;
pub mod group_filter;
pub mod guardians;
pub mod home;
pub mod instructions;
pub mod joint_member_desk;
pub mod joint_office;
pub mod joint_office_member;
pub mod joint_office_tasks;
pub mod key_person_cases;
pub mod key_person_exposure;
pub mod key_person_proposals;
pub mod key_person_units;
pub mod key_persons;
pub mod leak_sources;
pub mod liaison_desk;
pub mod login;
pub mod mobile;
pub mod model_sites;
pub mod mule_accounts;
pub mod new_card_lead;
pub mod new_cards;
pub mod number_disposals;
pub mod operator_figures;
pub mod outreach;
pub mod outreach_allocate;
pub mod outreach_lists;
pub mod outreach_posts;
pub mod partner_bulletins;
pub mod public_sector;
pub mod quiz_bank;
pub mod quiz_public;
pub mod quizzes;
pub mod returns;
pub mod rules;
pub mod script_editor;
pub mod scripts;
pub mod sms_lines;
pub mod solved_elsewhere;
pub mod statistics;
pub mod statistics_brief;
pub mod statistics_period;
pub mod stop_payments;
pub mod supervision;
pub mod teams;
pub mod tips;
pub mod todo;
pub mod two_card_leads;
pub mod typical_cases;
pub mod upload;
pub mod victim_profile;
pub mod view;
pub mod warning_pushes;
pub mod warning_search;
pub mod warnings;

use crate::auth::permission::{
    HandleInstructions, ImportPushes, ManageGuardians, ManageRules, ManageUsers, Permission,
    ReadPartnerBulletins, ReportJointTasks, ViewAnalysisGroups, ViewAppDrives, ViewAudit,
    ViewBankFigures, ViewBulletins, ViewCallTasks, ViewCardCleanups, ViewCases, ViewDashboard,
    ViewEnforcement, ViewInstructions, ViewJointOffice, ViewKeyPersons, ViewMuleAccounts,
    ViewNewCards, ViewNumberDisposals, ViewOperatorFigures, ViewOutreach, ViewQuizzes,
    ViewStatistics, ViewStopPayments, ViewSupervision, ViewTeams, ViewTips, ViewTodo,
    ViewTwoCardLeads, ViewWarnings,
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

/// One entry of the top navigation: a page, or a menu of pages (`children`).
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    /// The page, or one of the menu's pages, is the one shown.
    pub active: bool,
    pub children: Vec<NavItem>,
}

/// What every logged-in page shows around its content.
pub struct Chrome {
    pub lang: Lang,
    pub csrf_token: String,
    pub display_name: String,
    pub nav: Vec<NavItem>,
    /// The page listens to the live stream of closed-loop changes (`/events`): police only,
    /// never a bank's or an operator's liaison.
    pub live: bool,
}

/// A page of the navigation: (href, label key, whether the user may open it).
type Page = (&'static str, &'static str, bool);

impl Chrome {
    pub fn new(p: &Principal, csrf_token: &str, headers: &HeaderMap, active: &str) -> Chrome {
        // The pages, grouped by the work they serve; a menu whose user may open a single page
        // shows as that page, so a liaison or grid worker sees a short bar.
        let groups: [(Option<&'static str>, Vec<Page>); 11] = [
            (
                None,
                vec![("/dashboard", "nav_dashboard", ViewDashboard::allows(p))],
            ),
            (None, vec![("/todo", "nav_todo", ViewTodo::allows(p))]),
            (
                Some("nav_group_warnings"),
                vec![
                    ("/warnings", "nav_warnings", ViewWarnings::allows(p)),
                    (
                        "/warnings/funds",
                        "nav_fund_warnings",
                        ViewWarnings::allows(p),
                    ),
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
                    ("/calls", "nav_calls", ViewCallTasks::allows(p)),
                    ("/teams", "nav_teams", ViewTeams::allows(p)),
                    ("/tips", "tip_title", ViewTips::allows(p)),
                    ("/scripts", "nav_scripts", ManageRules::allows(p)),
                ],
            ),
            (
                None,
                vec![(
                    "/m",
                    "nav_tasks",
                    HandleInstructions::allows(p) && p.has_role(Role::GridWorker),
                )],
            ),
            (
                Some("nav_group_cases"),
                vec![
                    ("/cases", "nav_cases", ViewCases::allows(p)),
                    (
                        "/analysis-groups",
                        "nav_analysis_groups",
                        ViewAnalysisGroups::allows(p),
                    ),
                    (
                        "/stop-payments",
                        "nav_stop_payments",
                        ViewStopPayments::allows(p),
                    ),
                    (
                        "/mule-accounts",
                        "nav_mule_accounts",
                        ViewMuleAccounts::allows(p),
                    ),
                    ("/leak-sources", "ls_title", ViewCases::allows(p)),
                    ("/gangs", "nav_gangs", ViewEnforcement::allows(p)),
                    (
                        "/solved-elsewhere",
                        "nav_solved_elsewhere",
                        ViewEnforcement::allows(p),
                    ),
                    ("/campaigns", "nav_campaigns", ViewEnforcement::allows(p)),
                    ("/operations", "nav_operations", ViewEnforcement::allows(p)),
                    ("/public-sector", "nav_public_sector", ViewCases::allows(p)),
                    (
                        "/typical-cases",
                        "nav_typical_cases",
                        ViewOutreach::allows(p),
                    ),
                ],
            ),
            (
                Some("nav_group_control"),
                vec![
                    ("/key-persons", "nav_key_persons", ViewKeyPersons::allows(p)),
                    (
                        "/two-card-leads",
                        "nav_two_card_leads",
                        ViewTwoCardLeads::allows(p),
                    ),
                    (
                        "/card-screening",
                        "nav_card_screening",
                        ViewNewCards::allows(p),
                    ),
                    ("/card-checks", "nav_card_checks", ViewNewCards::allows(p)),
                    (
                        "/card-cleanups",
                        "nav_card_cleanups",
                        ViewCardCleanups::allows(p),
                    ),
                    (
                        "/number-disposals",
                        "nav_number_disposals",
                        ViewNumberDisposals::allows(p),
                    ),
                    (
                        "/operator-figures",
                        "nav_operator_figures",
                        ViewOperatorFigures::allows(p),
                    ),
                    ("/bank-figures", "bf_title", ViewBankFigures::allows(p)),
                    ("/guardians", "nav_guardians", ManageGuardians::allows(p)),
                ],
            ),
            (
                Some("nav_group_outreach"),
                vec![
                    ("/outreach", "nav_outreach_events", ViewOutreach::allows(p)),
                    ("/outreach/posts", "posts_title", ViewOutreach::allows(p)),
                    ("/outreach/lists", "ol_title", ViewOutreach::allows(p)),
                    ("/quizzes", "quiz_title", ViewQuizzes::allows(p)),
                    ("/app-drives", "nav_app_drives", ViewAppDrives::allows(p)),
                    ("/alliance", "nav_alliance", ViewOutreach::allows(p)),
                ],
            ),
            (
                Some("nav_group_joint"),
                vec![
                    (
                        "/joint-office",
                        "nav_joint_office",
                        ViewJointOffice::allows(p),
                    ),
                    (
                        "/joint-office/mine",
                        "nav_joint_member",
                        ReportJointTasks::allows(p),
                    ),
                    (
                        "/supervision",
                        "nav_supervision",
                        ViewSupervision::allows(p),
                    ),
                ],
            ),
            (
                Some("nav_group_reports"),
                vec![
                    ("/statistics", "nav_statistics", ViewStatistics::allows(p)),
                    ("/assessment", "nav_assessment", ViewStatistics::allows(p)),
                    ("/model-sites", "nav_model_sites", ViewStatistics::allows(p)),
                    (
                        "/crime-counts",
                        "nav_crime_counts",
                        ViewStatistics::allows(p),
                    ),
                    ("/bulletins", "nav_bulletins", ViewBulletins::allows(p)),
                    (
                        "/partner-bulletins",
                        "nav_bulletins",
                        ReadPartnerBulletins::allows(p),
                    ),
                ],
            ),
            (None, vec![("/audit", "nav_audit", ViewAudit::allows(p))]),
            (None, vec![("/admin", "nav_admin", ManageUsers::allows(p))]),
        ];
        let page = |&(href, key, _): &Page| NavItem {
            href,
            key,
            active: href == active,
            children: Vec::new(),
        };
        let nav = groups
            .iter()
            .filter_map(|(group, pages)| {
                let mut open: Vec<NavItem> =
                    pages.iter().filter(|(_, _, ok)| *ok).map(page).collect();
                match (group, open.len()) {
                    (_, 0) => None,
                    (None, _) | (Some(_), 1) => open.pop(),
                    (Some(key), _) => Some(NavItem {
                        href: open[0].href,
                        key,
                        active: open.iter().any(|i| i.active),
                        children: open,
                    }),
                }
            })
            .collect();
        Chrome {
            lang: Lang::from_headers(headers),
            csrf_token: csrf_token.to_string(),
            display_name: p.display_name.clone(),
            nav,
            live: crate::sse::Live::allows(p),
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

/// The answer to a form written from a page: go to `to` (a page, maybe with a `#section`).
///
/// A plain form post gets a 303. An htmx form gets `HX-Redirect`, which htmx follows by
/// assigning `location.href` — and when `to` is the page the form is on, differing at most by
/// its fragment, that only scrolls, leaving the values from before the write on screen. Then
/// `HX-Refresh` is sent too: htmx moves to the fragment, then reloads the page there.
pub fn after_write(
    headers: &HeaderMap,
    to: String,
    status: axum::http::StatusCode,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !headers.contains_key("hx-request") {
        return axum::response::Redirect::to(&to).into_response();
    }
    let same_page = headers
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|current| without_fragment(path_of(current)) == without_fragment(&to));
    if same_page {
        return (
            [("hx-redirect", to), ("hx-refresh", "true".to_string())],
            status,
        )
            .into_response();
    }
    ([("hx-redirect", to)], status).into_response()
}

/// Where a row's form goes back to: the page it was sent from (with its filters) when that lies
/// under `prefix`, else `fallback`.
pub fn back_under(headers: &HeaderMap, prefix: &str, fallback: String) -> String {
    headers
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .map(path_of)
        .filter(|p| p.starts_with(prefix))
        .map(str::to_string)
        .unwrap_or(fallback)
}

/// A form's hidden `version` field: the version of the record the form showed.
pub fn version_field(text: &str) -> Result<i64, crate::error::WebError> {
    text.trim()
        .parse()
        .map_err(|_| crate::error::WebError::BadRequest("version must be a whole number".into()))
}

/// The path and query of a URL (`http://host/a?b#c` → `/a?b#c`); a path is its own.
fn path_of(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => url,
    }
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_answered_with_the_same_page_reloads_it() {
        use axum::http::{HeaderValue, StatusCode};
        let htmx = |current: &str| {
            let mut h = HeaderMap::new();
            h.insert("hx-request", HeaderValue::from_static("true"));
            h.insert("hx-current-url", HeaderValue::from_str(current).unwrap());
            h
        };
        let answer = |h: &HeaderMap, to: &str| {
            let r = after_write(h, to.into(), StatusCode::OK);
            let get = |k: &str| r.headers().get(k).map(|v| v.to_str().unwrap().to_string());
            (
                r.status(),
                get("hx-redirect"),
                get("hx-refresh"),
                get("location"),
            )
        };
        // The form's own page, with or without a fragment on either side: redirect and reload.
        for current in [
            "http://127.0.0.1:8080/cases/AJ1",
            "http://127.0.0.1:8080/cases/AJ1#enforcement",
        ] {
            assert_eq!(
                answer(&htmx(current), "/cases/AJ1#enforcement"),
                (
                    StatusCode::OK,
                    Some("/cases/AJ1#enforcement".into()),
                    Some("true".into()),
                    None
                )
            );
        }
        // Another page: a redirect only.
        assert_eq!(
            answer(
                &htmx("http://127.0.0.1:8080/suspects/7"),
                "/cases/AJ1#enforcement"
            ),
            (
                StatusCode::OK,
                Some("/cases/AJ1#enforcement".into()),
                None,
                None
            )
        );
        // A plain form: 303 to the page.
        assert_eq!(
            answer(&HeaderMap::new(), "/cases/AJ1#x"),
            (
                StatusCode::SEE_OTHER,
                None,
                None,
                Some("/cases/AJ1#x".into())
            )
        );
        assert_eq!(path_of("https://h/a?b=1#c"), "/a?b=1#c");
        assert_eq!(path_of("https://h"), "/");
        assert_eq!(path_of("/a"), "/a");
    }

    fn chrome(role: Role, active: &str) -> Chrome {
        let p = Principal {
            login: "u".into(),
            display_name: "u".into(),
            unit_code: "330281".into(),
            roles: vec![role],
            joint_member: None,
            bank_code: (role == Role::BankLiaison).then(|| "ICBC".into()),
            operator: (role == Role::OperatorLiaison)
                .then_some(fanzha_store::Operator::ChinaMobile),
        };
        Chrome::new(&p, "t", &HeaderMap::new(), active)
    }

    fn shape(c: &Chrome) -> Vec<(&'static str, Vec<&'static str>)> {
        c.nav
            .iter()
            .map(|i| (i.key, i.children.iter().map(|c| c.href).collect()))
            .collect()
    }

    #[test]
    fn pages_are_grouped_into_menus_and_a_menu_of_one_page_is_that_page() {
        let analyst = chrome(Role::CenterAnalyst, "/stop-payments");
        let menus = shape(&analyst);
        let cases = menus
            .iter()
            .find(|(k, _)| *k == "nav_group_cases")
            .expect("the cases menu");
        assert!(cases.1.contains(&"/cases") && cases.1.contains(&"/stop-payments"));
        let active: Vec<_> = analyst
            .nav
            .iter()
            .filter(|i| i.active)
            .map(|i| i.key)
            .collect();
        assert_eq!(
            active,
            ["nav_group_cases"],
            "the menu holding the page shown"
        );
        assert!(analyst
            .nav
            .iter()
            .flat_map(|i| &i.children)
            .any(|c| c.active && c.href == "/stop-payments"));
        // A bank liaison opens the stop-payment board as a page of its own (no menu of one);
        // new-card screening, 存量卡清理 and the bank's monthly figures share the control menu.
        let liaison = chrome(Role::BankLiaison, "/stop-payments");
        let menus: Vec<_> = liaison
            .nav
            .iter()
            .filter(|i| !i.children.is_empty())
            .map(|i| (i.key, i.children.iter().map(|c| c.href).collect::<Vec<_>>()))
            .collect();
        assert_eq!(
            menus,
            [(
                "nav_group_control",
                vec![
                    "/card-screening",
                    "/card-checks",
                    "/card-cleanups",
                    "/bank-figures"
                ]
            )],
            "{:?}",
            shape(&liaison)
        );
        assert!(liaison
            .nav
            .iter()
            .any(|i| i.href == "/stop-payments" && i.key == "nav_stop_payments" && i.active));
        // Statistics, the composite assessment and the share of criminal cases share the
        // reports menu.
        let leader = chrome(Role::Leader, "/assessment");
        let reports = shape(&leader)
            .into_iter()
            .find(|(k, _)| *k == "nav_group_reports")
            .expect("the reports menu");
        assert_eq!(
            reports.1,
            [
                "/statistics",
                "/assessment",
                "/model-sites",
                "/crime-counts",
                "/bulletins"
            ]
        );
        assert!(leader
            .nav
            .iter()
            .any(|i| i.key == "nav_group_reports" && i.active));
    }
}
