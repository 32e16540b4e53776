//! `/api/v1/people`: residents of one's subtree. Lists are masked; the full record is a detail
//! view that needs `view_personal_data` and is written to the audit log each time.

use crate::auth::permission::{Permission, ViewPersonalData, ViewWarnings};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_store::{NewAuditEntry, PageRequest, Person};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only residents of this unit's subtree (inside the caller's).
    pub unit: Option<String>,
    pub after: Option<String>,
    pub limit: Option<u32>,
    /// Full values instead of masked ones: needs `view_personal_data`, and every resident
    /// shown is written to the audit log.
    #[serde(default)]
    pub reveal: bool,
}

/// Residents, masked.
#[utoipa::path(get, path = "/api/v1/people", params(ListQuery),
    responses((status = 200, description = "A page of residents, masked", body = Object)))]
pub async fn list(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let scope = match &q.unit {
        Some(code) => {
            state.unit_within(&auth.principal.unit_code, code).await?;
            state.scope_of(code).await?
        }
        None => state.scope_of(&auth.principal.unit_code).await?,
    };
    let page = state
        .store
        .people()
        .list(
            &scope,
            &PageRequest {
                after: q.after,
                limit: q.limit.unwrap_or(50),
            },
        )
        .await?;
    let items: Vec<_> = if q.reveal {
        if !ViewPersonalData::allows(&auth.principal) {
            return Err(WebError::Forbidden(ViewPersonalData::NAME));
        }
        for p in &page.items {
            audit_reveal(&state, &auth.principal.login, p, "api_list").await?;
        }
        page.items
            .iter()
            .map(|p| serde_json::to_value(p).unwrap_or_default())
            .collect()
    } else {
        page.items.iter().map(masked).collect()
    };
    // The page key is a resident ID: only say whether more follow.
    Ok(Json(serde_json::json!({
        "items": items,
        "more": page.next.is_some(),
    })))
}

pub fn masked(p: &Person) -> serde_json::Value {
    serde_json::json!({
        "resident_id": mask_resident_id(&p.resident_id),
        "name": mask_name(&p.name),
        "phone": p.phone.as_deref().map(mask_phone),
        "unit_code": p.unit_code,
        "public_sector": p.public_sector,
        "app_registered": p.app_registered,
        "joint_defense_registered": p.joint_defense_registered,
    })
}

/// The full record of one resident; audited as `view_personal_data`.
#[utoipa::path(get, path = "/api/v1/people/{resident_id}",
    params(("resident_id" = String, Path, description = "Resident ID number")),
    responses((status = 200, description = "The full record", body = Object),
              (status = 404, description = "Unknown, or outside the caller's subtree")))]
pub async fn get(
    auth: Require<ViewPersonalData>,
    State(state): State<AppState>,
    Path(resident_id): Path<String>,
) -> Result<Json<Person>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let person = state.store.people().get(&scope, &resident_id).await?;
    audit_reveal(&state, &auth.principal.login, &person, "api").await?;
    Ok(Json(person))
}

/// Writes the audit entry for one view of a person's unmasked data.
pub async fn audit_reveal(
    state: &AppState,
    login: &str,
    person: &Person,
    via: &str,
) -> Result<(), WebError> {
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: login.to_string(),
            action: "view_personal_data".into(),
            target_type: "person".into(),
            target_id: Some(mask_resident_id(&person.resident_id)),
            unit_code: Some(person.unit_code.clone()),
            detail: serde_json::json!({"via": via}),
        })
        .await?;
    Ok(())
}
