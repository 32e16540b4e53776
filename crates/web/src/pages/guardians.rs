//! 金钟罩 joint defense (警民联防): the residents of one's area who signed up and the guardians
//! they named — family members or the grid worker, texted when the resident receives a fraud
//! warning (docs/guardians.md). The page shows the area's sign-ups (residents, signed up,
//! share), the guardians masked (filtered by unit or one resident's ID number, paged), a form to
//! add a guardian, and the import of guardian lists; the resident's page shows the person and
//! every guardian in full (each view audited), with removal and the sign-up itself. Data from
//! the store's [`fanzha_store::Guardians`]; writes are audited there, in the change's
//! transaction.

use super::choices::{unit_choices, Choice};
use super::upload::Upload;
use super::view::time;
use super::{render, Chrome};
use crate::auth::permission::{ImportGuardians, ManageGuardians, Permission};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::guardian_import::{import_guardian_list, GuardianListUpload};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::phone::{PhoneKind, PhoneNumber};
use fanzha_core::ResidentId;
use fanzha_ingest::guardians::{relation, RELATIONS};
use fanzha_store::{GuardianFilter, NewAuditEntry, NewGuardian, PageRequest, StoreError};
use serde::Deserialize;

/// Guardians per screen.
const PAGE_ROWS: u32 = 100;

/// A relation's label in the page's language (stored labels are Chinese).
fn relation_label(lang: Lang, stored: &str) -> String {
    match lang {
        Lang::Zh => stored.to_string(),
        // A closer word stored as written (女儿, 家属) reads as its relation.
        Lang::En => {
            let zh = relation(stored).unwrap_or(stored);
            RELATIONS
                .iter()
                .find(|(_, z, _)| *z == zh)
                .map(|(_, _, en)| en.to_string())
                .unwrap_or_else(|| stored.to_string())
        }
    }
}

fn relation_choices(lang: Lang) -> Vec<Choice> {
    RELATIONS
        .iter()
        .map(|(code, zh, en)| Choice {
            value: code.to_string(),
            label: match lang {
                Lang::Zh => zh.to_string(),
                Lang::En => en.to_string(),
            },
            selected: false,
        })
        .collect()
}

/// One guardian as the list shows it: personal data masked.
struct Row {
    id: i64,
    resident_name: String,
    resident_id: String,
    name: String,
    phone: String,
    relation: String,
    unit: String,
    signed_up: bool,
    created: String,
}

/// The result of a list import, as the page shows it.
struct ImportView {
    run: i64,
    file: String,
    read: usize,
    added: usize,
    updated: usize,
    unchanged: usize,
    signed_up: usize,
    /// (line, column, reason)
    rejected: Vec<(i64, String, String)>,
}

/// The area's sign-ups.
struct SignUps {
    residents: i64,
    signed_up: i64,
    share: String,
}

#[derive(Template)]
#[template(path = "guardians.html")]
struct ListPage {
    chrome: Chrome,
    lang: Lang,
    sign_ups: SignUps,
    units: Vec<Choice>,
    resident_query: String,
    query: String,
    rows: Vec<Row>,
    next: Option<i64>,
    paged: bool,
    relations: Vec<Choice>,
    import: Option<ImportView>,
    can_import: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    unit: Option<String>,
    /// One resident's guardians, by their ID number.
    #[serde(default)]
    resident_id: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<i64>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `guardians` (default) or `figures`.
    #[serde(default)]
    section: Option<String>,
}

/// `GET /guardians[?unit=&resident_id=][&after=ID][&format=csv|xlsx[&section=]]`: the area's
/// sign-ups and guardians, masked; an export holds every guardian matching.
pub async fn list(
    auth: Require<ManageGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &auth, &headers, &q, None).await
}

async fn list_page<P: Permission>(
    state: &AppState,
    auth: &Require<P>,
    headers: &HeaderMap,
    q: &ListQuery,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/guardians");
    let lang = chrome.lang;
    let own = auth.principal.unit_code.clone();
    let unit = q
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    let scope = state.scope_of(&own).await?;
    // A unit filter outside one's area shows nothing rather than failing.
    if let Some(u) = &unit {
        let inside = state
            .store
            .units()
            .get(u)
            .await
            .map(|found| scope.contains_path(&found.path))
            .unwrap_or(false);
        if !inside {
            return Err(WebError::NotFound);
        }
    }
    let resident_id = match q.resident_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(
            ResidentId::parse_normalised(r)
                .map_err(|e| WebError::BadRequest(format!("resident_id: {e}")))?
                .as_str()
                .to_string(),
        ),
    };
    let filter = GuardianFilter {
        unit_code: unit.clone(),
        resident_id: resident_id.clone(),
    };
    let repo = state.store.guardians();
    let page = match q.format {
        Some(_) => {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            every_page("guardians", move |r| async move {
                Ok(repo.list(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            repo.list(
                &scope,
                &filter,
                &PageRequest {
                    after: q.after,
                    limit: PAGE_ROWS,
                },
            )
            .await?
        }
    };
    if let Some(r) = &resident_id {
        // Looking a resident up by ID number is a search of personal data: audited.
        state
            .store
            .audit()
            .append(&NewAuditEntry {
                actor: auth.principal.login.clone(),
                action: "search_personal_data".into(),
                target_type: "guardians".into(),
                target_id: None,
                unit_code: Some(own.clone()),
                detail: serde_json::json!({ "resident": mask_resident_id(r) }),
            })
            .await?;
    }
    let mut rows = Vec::with_capacity(page.items.len());
    let mut names = state.unit_names();
    for g in page.items {
        let unit = names.get(&g.unit_code).await;
        rows.push(Row {
            id: g.guardian.id,
            resident_name: mask_name(&g.resident_name),
            resident_id: mask_resident_id(&g.guardian.resident_id),
            name: mask_name(&g.guardian.name),
            phone: mask_phone(&g.guardian.phone),
            relation: relation_label(lang, &g.guardian.relationship),
            unit,
            signed_up: g.signed_up,
            created: time(g.guardian.created_at),
        });
    }
    let tally = match fanzha_core::time::shanghai_date(state.clock.now_ms()) {
        Some(today) => state.store.people().registration(&scope, today).await?,
        None => Vec::new(),
    };
    let (residents, signed_up) = tally
        .iter()
        .fold((0, 0), |(n, s), t| (n + t.residents, s + t.joint_defense));
    let share = if residents > 0 {
        format!("{:.2}%", signed_up as f64 * 100.0 / residents as f64)
    } else {
        "—".into()
    };
    if let Some(format) = q.format {
        return export(lang, rows, residents, signed_up, &share)
            .respond(format, q.section.as_deref());
    }
    let mut query = Vec::new();
    if let Some(u) = &unit {
        query.push(format!("unit={u}"));
    }
    if let Some(r) = &resident_id {
        query.push(format!("resident_id={r}"));
    }
    let page = ListPage {
        lang,
        sign_ups: SignUps {
            residents,
            signed_up,
            share,
        },
        units: unit_choices(state, &own, unit.as_deref().unwrap_or(&own)).await?,
        resident_query: q.resident_id.clone().unwrap_or_default(),
        query: query.join("&"),
        rows,
        next: page.next,
        paged: q.after.is_some(),
        relations: relation_choices(lang),
        import,
        can_import: ImportGuardians::allows(&auth.principal),
        chrome,
    };
    Ok(render(&page)?.into_response())
}

/// The guardians (CSV's default) and the sign-up figures.
fn export(lang: Lang, rows: Vec<Row>, residents: i64, signed_up: i64, share: &str) -> Sheets {
    let guardians = rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.resident_name,
                r.resident_id,
                r.name,
                r.phone,
                r.relation,
                r.unit,
                if r.signed_up {
                    lang.t("yes")
                } else {
                    lang.t("no")
                }
                .to_string(),
                r.created,
            ]
        })
        .collect();
    Sheets {
        name: "guardians".into(),
        sheets: vec![
            Sheet::new(
                lang,
                "guardians",
                "nav_guardians",
                &[
                    "col_id",
                    "gd_resident",
                    "gd_resident_id",
                    "gd_name",
                    "gd_phone",
                    "gd_relation",
                    "unit",
                    "jd_signed_up",
                    "gd_recorded_at",
                ],
                guardians,
            ),
            Sheet::figures(
                lang,
                vec![
                    (lang.t("resident_count").to_string(), residents.to_string()),
                    (lang.t("jd_signed_up").to_string(), signed_up.to_string()),
                    (lang.t("jd_share").to_string(), share.to_string()),
                ],
            ),
        ],
    }
}

/// Answers a write with a page: htmx follows `hx-redirect`, a plain form a redirect.
fn to(headers: &HeaderMap, to: String, status: StatusCode) -> Response {
    if headers.contains_key("hx-request") {
        return ([("hx-redirect", to)], status).into_response();
    }
    Redirect::to(&to).into_response()
}

#[derive(Debug, Deserialize)]
pub struct NewForm {
    resident_id: String,
    name: String,
    phone: String,
    relation: String,
}

/// `POST /guardians` (`resident_id`, `name`, `phone`, `relation`): records a guardian of a
/// resident of one's area (the resident's guardian with that phone is updated) and the
/// resident's sign-up; answers with the resident's page.
pub async fn create(
    auth: Require<ManageGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<NewForm>,
) -> Result<Response, WebError> {
    let id = ResidentId::parse_normalised(&f.resident_id)
        .map_err(|e| WebError::BadRequest(format!("resident_id: {e}")))?;
    let phone =
        PhoneNumber::parse(&f.phone).map_err(|e| WebError::BadRequest(format!("phone: {e}")))?;
    if !matches!(phone.kind(), PhoneKind::Mobile | PhoneKind::Virtual) {
        return Err(WebError::BadRequest(
            "phone: a guardian needs a mobile number that takes SMS".into(),
        ));
    }
    let relation = relation(&f.relation)
        .ok_or_else(|| WebError::BadRequest(format!("unknown relation `{}`", f.relation)))?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let saved = state
        .store
        .guardians()
        .save(
            &scope,
            &NewGuardian {
                resident_id: id.as_str().to_string(),
                name: f.name,
                phone: phone.canonical(),
                relationship: relation.into(),
                created_at: state.clock.now_ms(),
            },
            &auth.principal.login,
        )
        .await;
    match saved {
        Ok((g, how)) => {
            let status = if how == fanzha_store::GuardianSaved::Added {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(to(&headers, format!("/guardians/{}", g.id), status))
        }
        Err(StoreError::NotFound { .. }) => Err(StoreError::NotFound {
            what: "resident of your area with ID number",
            key: mask_resident_id(id.as_str()),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /guardians/import` (multipart: `file`; optional `format` auto | csv | xlsx): imports
/// a guardian list for one's area (see [`crate::guardian_import`]) and answers the page with
/// what it did — added, updated, unchanged, residents signed up, rows rejected with line,
/// column and reason.
pub async fn import(
    auth: Require<ImportGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(multipart, "guardians.csv", &[]).await?;
    let (file, bytes) = up.take_file("choose a list file to import")?;
    let done = import_guardian_list(
        &state,
        &GuardianListUpload {
            login: &auth.principal.login,
            unit_code: &auth.principal.unit_code,
            file: &file,
            bytes: &bytes,
            format: up.format,
        },
    )
    .await?;
    let view = ImportView {
        run: done.import_run.0,
        file,
        read: done.read,
        added: done.done.added,
        updated: done.done.updated,
        unchanged: done.done.unchanged,
        signed_up: done.done.signed_up,
        rejected: crate::import_run::rejected_lines(&done.rejected),
    };
    list_page(&state, &auth, &headers, &ListQuery::default(), Some(view)).await
}

/// One guardian in full, on the resident's page.
struct FullRow {
    id: i64,
    name: String,
    phone: String,
    relation: String,
    created: String,
}

#[derive(Template)]
#[template(path = "guardian.html")]
struct DetailPage {
    chrome: Chrome,
    lang: Lang,
    /// The guardian the page was opened by.
    id: i64,
    name: String,
    resident_id: String,
    phone: String,
    unit: String,
    signed_up: bool,
    guardians: Vec<FullRow>,
    relations: Vec<Choice>,
}

fn guardian_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /guardians/{id}`: the guardian's resident in full with all their guardians; every view
/// is audited.
pub async fn detail(
    auth: Require<ManageGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = guardian_id(&id)?;
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/guardians");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.guardians();
    let g = repo.get(&scope, id).await?;
    let person = state.store.people().get(&scope, &g.resident_id).await?;
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "view_personal_data".into(),
            target_type: "guardian".into(),
            target_id: Some(id.to_string()),
            unit_code: Some(person.unit_code.clone()),
            detail: serde_json::json!({
                "via": "guardians",
                "resident": mask_resident_id(&person.resident_id),
            }),
        })
        .await?;
    let guardians = repo
        .for_resident(&scope, &person.resident_id)
        .await?
        .into_iter()
        .map(|g| FullRow {
            id: g.id,
            name: g.name,
            phone: g.phone,
            relation: relation_label(lang, &g.relationship),
            created: time(g.created_at),
        })
        .collect();
    let page = DetailPage {
        lang,
        id,
        name: person.name,
        resident_id: person.resident_id,
        phone: person.phone.unwrap_or_else(|| "—".into()),
        unit: state.unit_name(&person.unit_code).await,
        signed_up: person.joint_defense_registered,
        guardians,
        relations: relation_choices(lang),
        chrome,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /guardians/{id}/remove`: removes the guardian; answers with the resident's page while
/// they have another guardian, the list otherwise.
pub async fn remove(
    auth: Require<ManageGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = guardian_id(&id)?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.guardians();
    let g = repo.delete(&scope, id, &auth.principal.login).await?;
    let next = repo
        .for_resident(&scope, &g.resident_id)
        .await?
        .first()
        .map(|o| format!("/guardians/{}", o.id))
        .unwrap_or_else(|| "/guardians".into());
    Ok(to(&headers, next, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    /// `1` to record the sign-up, `0` to withdraw it.
    signed_up: String,
}

/// `POST /guardians/{id}/sign-up` (`signed_up` 1 | 0): records or withdraws the 金钟罩 sign-up
/// of the guardian's resident (withdrawn, the guardians are kept but no longer texted).
pub async fn sign_up(
    auth: Require<ManageGuardians>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<SignUpForm>,
) -> Result<Response, WebError> {
    let id = guardian_id(&id)?;
    let on = match f.signed_up.trim() {
        "1" | "true" => true,
        "0" | "false" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "signed_up `{other}`: use 1 or 0"
            )))
        }
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let g = state.store.guardians().get(&scope, id).await?;
    state
        .store
        .guardians()
        .set_signed_up(
            &scope,
            &g.resident_id,
            on,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(to(&headers, format!("/guardians/{id}"), StatusCode::OK))
}
