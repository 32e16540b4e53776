//! 涉案账户开户人: residents of one's area whose bank accounts received victim money (两卡 leads),
//! from the store's [`fanzha_store::MuleAccounts`] — holder, ID number and account masked, the
//! cases that paid in (linked for those who open cases), figures, CSV / XLSX export.

use super::key_person_cases::{dossier_badges, DossierBadge};
use super::view::{time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{ManageKeyPersons, Permission, ViewCases, ViewMuleAccounts};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Table};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_card, mask_name, mask_resident_id};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{MuleAccount, PageRequest, Scope};
use serde::Deserialize;

/// Accounts per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 200;

/// One account as lists show it: personal data masked.
pub struct HolderRow {
    pub account: String,
    pub bank: String,
    pub holder: String,
    pub resident_id: String,
    pub unit: String,
    pub opened: String,
    pub cases: i64,
    pub case_ids: Vec<String>,
    pub received: String,
    pub requested: String,
    pub held: String,
    pub first_case: String,
    pub last_case: String,
    /// The holder's dossier in the reader's area (重点人员), if any.
    pub key_person: Option<DossierBadge>,
}

/// Masks and formats accounts for display, naming each holder's unit once per request, with
/// the holders' dossiers inside `scope`.
pub async fn holder_rows(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    accounts: Vec<MuleAccount>,
) -> Result<Vec<HolderRow>, WebError> {
    let holders: Vec<&str> = accounts
        .iter()
        .map(|m| m.holder_resident_id.as_str())
        .collect();
    let badges = dossier_badges(state, scope, lang, &holders).await?;
    let mut units = state.unit_names();
    let mut rows = Vec::with_capacity(accounts.len());
    for m in accounts {
        let unit = units.get(&m.holder_unit_code).await;
        let opened = [
            m.opened_at.map(format_shanghai_date),
            m.opened_where.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        rows.push(HolderRow {
            key_person: badges.get(&m.holder_resident_id).cloned(),
            account: mask_card(&m.account_no),
            bank: m.bank_name.or(m.bank_code).unwrap_or_default(),
            holder: m.holder_name.as_deref().map(mask_name).unwrap_or_default(),
            resident_id: mask_resident_id(&m.holder_resident_id),
            unit,
            opened,
            cases: m.cases,
            case_ids: m.case_ids,
            received: yuan(m.received_fen),
            requested: yuan(m.requested_fen),
            held: yuan(m.held_fen),
            first_case: time(m.first_case_at),
            last_case: time(m.last_case_at),
        });
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "mule_accounts.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    rows: Vec<HolderRow>,
    /// Whether the reader may open the cases (commanders see the case numbers only).
    /// The listed cases the reader may open (inside their area, with `view_cases`): only
    /// those are links.
    openable: std::collections::HashSet<String>,
    /// Whether the holders' 重点人员 badges link to their dossiers.
    dossier_links: bool,
    next: Option<String>,
    paged: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    format: Option<ExportFormat>,
    /// Page key from the previous page (opaque: no account number in it).
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// `GET /mule-accounts[?format=csv|xlsx][&after=KEY]`: the accounts whose holder lives in one's
/// area, each page the one with the latest case first. Pages follow a fixed order of opaque
/// tokens ([`fanzha_store::MuleAccounts::list`]): every account on exactly one page however cases
/// come in between, and the page key in the next-page link names no account number.
pub async fn list(
    auth: Require<ViewMuleAccounts>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/mule-accounts",
    );
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let accounts = state.store.mule_accounts();
    let page = match q.format {
        // An export takes every account, not one screen's page.
        Some(_) => {
            let (accounts, scope) = (&accounts, &scope);
            every_page("accounts", move |r| async move {
                Ok(accounts.list(scope, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            };
            accounts.list(&scope, &request).await?
        }
    };
    let rows = holder_rows(&state, &scope, lang, page.items).await?;
    if let Some(format) = q.format {
        let heads = [
            "account",
            "bank",
            "mule_holder",
            "resident_id",
            "col_target",
            "mule_opened",
            "mule_cases",
            "case",
            "mule_received",
            "requested",
            "held",
            "mule_first_case",
            "mule_last_case",
        ];
        return Table {
            name: "mule_accounts".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.account.clone(),
                        r.bank.clone(),
                        r.holder.clone(),
                        r.resident_id.clone(),
                        r.unit.clone(),
                        r.opened.clone(),
                        r.cases.to_string(),
                        r.case_ids.join(" "),
                        r.received.clone(),
                        r.requested.clone(),
                        r.held.clone(),
                        r.first_case.clone(),
                        r.last_case.clone(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let openable = if ViewCases::allows(&auth.principal) {
        let ids: Vec<String> = rows
            .iter()
            .flat_map(|r| r.case_ids.iter().cloned())
            .collect();
        state.store.cases().in_scope(&scope, &ids).await?
    } else {
        Default::default()
    };
    render(&ListPage {
        lang,
        openable,
        dossier_links: ManageKeyPersons::allows(&auth.principal),
        chrome,
        rows,
        next: page.next,
        paged: q.after.is_some(),
    })
    .map(IntoResponse::into_response)
}
