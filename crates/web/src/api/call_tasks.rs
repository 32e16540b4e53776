//! `/api/v1/call-tasks`: the 96110 call queue for an outbound dialer. List the queue (numbers
//! masked), claim the next call (its full number, audited), record the call's result (appended
//! to the instruction as the caller's events), or put a call back.

use super::actor_of;
use crate::auth::permission::{ViewCallTasks, WorkCallTasks};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{JsonBody, Query};
use crate::i18n::Lang;
use crate::pages::calls::{audit_number_view, parse_result};
use crate::pages::scripts::talking_points;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use fanzha_core::mask::{mask_phone, mask_resident_id};
use fanzha_store::{CallTask, CallTaskFilter, CallTaskState, PageRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A task as JSON at `now_ms`; the number in full only when `reveal`.
fn task_json(t: &CallTask, now_ms: i64, reveal: bool) -> serde_json::Value {
    serde_json::json!({
        "id": t.id,
        "instruction_id": t.instruction_id,
        "warning_id": t.warning_id,
        "resident_id": t.resident_id.as_deref().map(mask_resident_id),
        "msisdn": if reveal { t.msisdn.clone() } else { mask_phone(&t.msisdn) },
        "level": t.level,
        "fraud_type": t.fraud_type,
        "unit_code": t.unit_code,
        "state": t.state_at(now_ms).as_str(),
        "claimed_by": t.claimed_by,
        "claimed_at": t.claimed_at,
        "lease_until": t.lease_until,
        "due_at": t.due_at,
        "attempts": t.attempts,
        "result": t.result.map(|r| r.as_str()),
        "note": t.note,
        "cancel_reason": t.cancel_reason,
        "version": t.version,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `open` (queued or claimed), `queued`, `claimed`, `done` or `cancelled`; all when absent.
    /// An expired claim is `queued`.
    pub state: Option<String>,
    /// Only the calls the caller holds now.
    #[serde(default)]
    pub mine: bool,
    /// The `next` key of the previous page.
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// The calls of the caller's subtree in queue order (most urgent level, then oldest), numbers
/// masked, with the counts per state.
#[utoipa::path(get, path = "/api/v1/call-tasks", params(ListQuery),
    responses((status = 200, description = "`{items, next, counts}`: a page of call tasks, numbers masked", body = Object),
              (status = 400, description = "Unknown state")))]
pub async fn list(
    auth: Require<ViewCallTasks>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let mut filter = CallTaskFilter::default();
    match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("open") => filter.open_only = true,
        Some(s) => {
            filter.state = Some(
                CallTaskState::parse(s)
                    .ok_or_else(|| WebError::BadRequest(format!("unknown state `{s}`")))?,
            )
        }
    }
    if q.mine {
        filter.claimed_by = Some(auth.principal.login.clone());
    }
    let repo = state.store.call_tasks();
    let page = repo
        .list(
            &scope,
            &filter,
            &PageRequest {
                after: q.after,
                limit: q.limit.unwrap_or(100),
            },
            now,
        )
        .await?;
    let counts: serde_json::Map<String, serde_json::Value> = repo
        .count_by_state(&scope, now)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), n.into()))
        .collect();
    Ok(Json(serde_json::json!({
        "items": page.items.iter().map(|t| task_json(t, now, false)).collect::<Vec<_>>(),
        "next": page.next,
        "counts": counts,
    })))
}

/// Claims the next call of the caller's subtree (most urgent level, then oldest) for the
/// lease; answers it with the full number and the talking points for its fraud type, and
/// writes the view to the audit log. `{"task": null}` when nothing is waiting.
#[utoipa::path(post, path = "/api/v1/call-tasks/claim",
    responses((status = 200, description = "`{task}`: the claimed call with its full number, or null", body = Object)))]
pub async fn claim(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, WebError> {
    let now = state.clock.now_ms();
    let actor = actor_of(&state, &auth.principal).await?;
    let Some(task) = state.loop_service.claim_next_call(&actor, now).await? else {
        return Ok(Json(serde_json::json!({ "task": null })));
    };
    audit_number_view(&state, &auth.principal.login, &task, "api_claim").await?;
    let mut json = task_json(&task, now, true);
    json["talking_points"] = talking_points(
        &state,
        Lang::from_headers(&headers),
        task.fraud_type.as_deref(),
    )
    .await?
    .into();
    Ok(Json(serde_json::json!({ "task": json })))
}

/// The result of one call.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResultRequest {
    /// `dissuaded` (reached, dissuaded), `insisted` (reached, will not listen), `no_answer`,
    /// `switched_off`, `empty_number`, `refused` (hung up).
    pub result: String,
    /// The task version the caller saw; a newer one answers 409 `conflict`.
    pub version: Option<i64>,
    pub note: Option<String>,
}

/// Records the result of a call the caller holds: the task is done (or queued again later
/// after no answer or a switched-off phone, while attempts remain) and the instruction gets a
/// phone contact attempt and the outcome as the caller's events.
#[utoipa::path(post, path = "/api/v1/call-tasks/{id}/result",
    params(("id" = i64, Path, description = "Call task id")),
    request_body = ResultRequest,
    responses((status = 200, description = "`{task, instruction: {id, status, version}}` after the call", body = Object),
              (status = 409, description = "Not held by the caller, changed meanwhile, or the instruction is settled"),
              (status = 404, description = "Unknown, or outside the caller's subtree")))]
pub async fn result(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<ResultRequest>,
) -> Result<Json<serde_json::Value>, WebError> {
    let result = parse_result(&req.result)?;
    let actor = actor_of(&state, &auth.principal).await?;
    let now = state.clock.now_ms();
    let rec = state
        .loop_service
        .record_call(
            &actor,
            id,
            req.version,
            result,
            req.note.filter(|n| !n.trim().is_empty()),
            now,
        )
        .await?;
    let p = &rec.instruction.stored.projection;
    Ok(Json(serde_json::json!({
        "task": task_json(&rec.task, now, false),
        "instruction": {
            "id": rec.instruction.stored.id,
            "status": p.status,
            "version": p.version,
        },
    })))
}

/// Puts a call the caller holds back in the queue without calling.
#[utoipa::path(post, path = "/api/v1/call-tasks/{id}/release",
    params(("id" = i64, Path, description = "Call task id")),
    responses((status = 200, description = "The task, queued again", body = Object),
              (status = 409, description = "Not held by the caller"),
              (status = 404, description = "Unknown, or outside the caller's subtree")))]
pub async fn release(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let actor = actor_of(&state, &auth.principal).await?;
    let now = state.clock.now_ms();
    let task = state.loop_service.release_call(&actor, id, now).await?;
    Ok(Json(task_json(&task, now, false)))
}
