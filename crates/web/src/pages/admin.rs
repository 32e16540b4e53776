//! 系统管理: users of one's subtree (add, with role, unit and bank) and the org tree's size.

use super::view::pick;
use super::{render, Chrome};
use crate::auth::password::hash_password;
use crate::auth::permission::ManageUsers;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_store::{NewAuditEntry, NewUser, Operator, PageRequest, Role, User};
use serde::Deserialize;

struct UserRow {
    login: String,
    name: String,
    unit: String,
    unit_name: String,
    roles: String,
    bank: String,
    active: bool,
}

struct UnitRow {
    code: String,
    name: String,
    level: &'static str,
    parent: String,
    parent_name: String,
    depth: i64,
    population: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    lang: Lang,
    chrome: Chrome,
    users: Vec<UserRow>,
    /// The admin's unit and two levels below (the whole tree is in the export).
    unit_rows: Vec<UnitRow>,
    units: i64,
    people: i64,
    roles: Vec<(&'static str, &'static str)>,
    operators: Vec<(&'static str, &'static str)>,
    message: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Require<ManageUsers>,
    headers: &HeaderMap,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/admin");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let users = state
        .store
        .users()
        .list(&scope, &PageRequest::first(1000))
        .await?;
    let unit_rows: Vec<UnitRow> = state
        .store
        .units()
        .subtree(&auth.principal.unit_code, Some(1))
        .await?
        .into_iter()
        .map(|u| unit_row(lang, u))
        .collect();
    // Units by code, for names: those on the page, then any other a user or parent names.
    let mut names: std::collections::HashMap<String, String> = unit_rows
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    let wanted: Vec<String> = users
        .items
        .iter()
        .map(|u| u.unit_code.clone())
        .chain(unit_rows.iter().map(|u| u.parent.clone()))
        .filter(|c| !c.is_empty())
        .collect();
    for code in wanted {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(code) {
            let name = state.unit_name(slot.key()).await;
            slot.insert(name);
        }
    }
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_default();
    let unit_rows = unit_rows
        .into_iter()
        .map(|u| UnitRow {
            parent_name: name_of(&u.parent),
            ..u
        })
        .collect();
    let rows = users
        .items
        .into_iter()
        .map(|u: User| UserRow {
            unit_name: name_of(&u.unit_code),
            roles: u
                .roles
                .iter()
                .map(|r| {
                    if lang == Lang::Zh {
                        r.label_zh()
                    } else {
                        r.label_en()
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            login: u.login,
            name: u.display_name,
            unit: u.unit_code,
            // A bank liaison's bank, an operator liaison's operator, a member liaison's member.
            bank: u
                .bank_code
                .or_else(|| {
                    u.operator
                        .as_deref()
                        .and_then(Operator::parse)
                        .map(|o| pick(lang, o.zh(), o.en()).to_string())
                })
                .or_else(|| {
                    u.joint_member
                        .map(|m| format!("{} {m}", lang.t("jm_member_no")))
                })
                .unwrap_or_default(),
            active: u.active,
        })
        .collect();
    render(&AdminPage {
        lang,
        users: rows,
        unit_rows,
        units: state.store.units().count(&scope).await?,
        people: state.store.people().count(&scope).await?,
        operators: Operator::ALL
            .iter()
            .map(|o| (o.as_str(), pick(lang, o.zh(), o.en())))
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    if lang == Lang::Zh {
                        r.label_zh()
                    } else {
                        r.label_en()
                    },
                )
            })
            .collect(),
        message,
        chrome,
    })
}

fn unit_row(lang: Lang, u: fanzha_store::Unit) -> UnitRow {
    UnitRow {
        level: if lang == Lang::Zh {
            u.level.label_zh()
        } else {
            u.level.as_str()
        },
        parent: u.parent_code.unwrap_or_default(),
        parent_name: String::new(),
        population: u.population.map(|p| p.to_string()).unwrap_or_default(),
        depth: u.depth,
        code: u.code,
        name: u.name,
    }
}

#[derive(Debug, Deserialize)]
pub struct AdminQuery {
    format: Option<crate::export::ExportFormat>,
    /// `users` (default) or `units`.
    table: Option<String>,
}

pub async fn show(
    auth: Require<ManageUsers>,
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::extract::Query(q): crate::extract::Query<AdminQuery>,
) -> Result<Response, WebError> {
    if let (Some(format), Some("units")) = (q.format, q.table.as_deref()) {
        let lang = Lang::from_headers(&headers);
        let units = state
            .store
            .units()
            .subtree(&auth.principal.unit_code, None)
            .await?;
        let heads = ["col_id", "unit_name", "level", "parent_unit", "population"];
        return crate::export::Table {
            name: "units".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: units
                .into_iter()
                .map(|u| {
                    let r = unit_row(lang, u);
                    vec![r.code, r.name, r.level.to_string(), r.parent, r.population]
                })
                .collect(),
        }
        .respond(format);
    }
    if let Some(format) = q.format {
        let lang = Lang::from_headers(&headers);
        let scope = state.scope_of(&auth.principal.unit_code).await?;
        let users = state
            .store
            .users()
            .list(&scope, &PageRequest::first(10_000))
            .await?;
        let heads = ["login_name", "name", "unit", "roles", "bank", "active"];
        return crate::export::Table {
            name: "users".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: users
                .items
                .iter()
                .map(|u| {
                    vec![
                        u.login.clone(),
                        u.display_name.clone(),
                        u.unit_code.clone(),
                        u.roles
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        u.bank_code.clone().unwrap_or_default(),
                        u.active.to_string(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    Ok(page(&state, &auth, &headers, None).await?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    login: String,
    display_name: String,
    unit_code: String,
    role: String,
    bank_code: Option<String>,
    /// An operator code, for operator liaisons.
    #[serde(default)]
    operator: Option<String>,
    /// The joint-office member's number, for member liaisons.
    #[serde(default, deserialize_with = "super::empty_as_none")]
    joint_member: Option<i64>,
    password: String,
}

/// `POST /admin/users`: adds (or updates) a user inside the admin's subtree; audited.
pub async fn add_user(
    auth: Require<ManageUsers>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<NewUserForm>,
) -> Result<Response, WebError> {
    let unit = state
        .unit_within(&auth.principal.unit_code, f.unit_code.trim())
        .await?;
    let role = Role::parse(&f.role)
        .ok_or_else(|| WebError::BadRequest(format!("unknown role `{}`", f.role)))?;
    let bank_code = f
        .bank_code
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    let hash = hash_password(&f.password).map_err(|e| WebError::BadRequest(e.to_string()))?;
    state
        .store
        .users()
        .upsert(&NewUser {
            login: f.login.trim().to_string(),
            display_name: f.display_name.trim().to_string(),
            unit_code: unit.code.clone(),
            roles: vec![role],
            joint_member: f.joint_member,
            bank_code,
            operator: f
                .operator
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty()),
            password_hash: Some(hash),
        })
        .await?;
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "user_added".into(),
            target_type: "user".into(),
            target_id: Some(f.login.trim().to_string()),
            unit_code: Some(unit.code),
            detail: serde_json::json!({"role": role.as_str()}),
        })
        .await?;
    let msg = format!(
        "{} {}",
        Lang::from_headers(&headers).t("user_saved"),
        f.login.trim()
    );
    Ok(page(&state, &auth, &headers, Some(msg))
        .await?
        .into_response())
}
