//! `/api/v1/instructions`: the queue of one's subtree, one instruction with its history, and
//! the commands that move it (sign, delegate, record an outcome, …).

use super::actor_of;
use crate::auth::permission::{HandleInstructions, Permission, ReviewWarnings, ViewInstructions};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{JsonBody, Query};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use fanzha_store::{InstructionFilter, PageRequest};
use fanzha_workflow::{Command, InstructionView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only open instructions.
    #[serde(default)]
    pub open: Option<bool>,
    /// Comma-separated status codes (`issued,signed,contacting,dissuaded,…`).
    pub status: Option<String>,
    /// 1 red, 2 orange, 3 yellow.
    pub level: Option<u8>,
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Only those held by exactly this unit.
    pub held_by: Option<String>,
    /// Only those about this resident (18-digit ID number).
    pub resident_id: Option<String>,
    /// Only this fraud type (a code such as `impersonate_police`), or `untyped`.
    pub fraud_type: Option<String>,
    /// Only those with at least this many warnings merged in (2: 多次预警).
    pub min_warnings: Option<i64>,
    /// Only those a fund warning (资金预警) joined.
    #[serde(default)]
    pub fund: Option<bool>,
    pub after: Option<String>,
    pub limit: Option<u32>,
}

impl ListQuery {
    pub fn filter(&self) -> InstructionFilter {
        InstructionFilter {
            open_only: self.open.unwrap_or(false),
            statuses: self
                .status
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            level: self.level,
            overdue_only: self.overdue.unwrap_or(false),
            held_by: self.held_by.clone(),
            issued_since: None,
            resident_id: self.resident_id.clone(),
            // Stored by code: an alias or Chinese name is read as its code.
            fraud_type: self
                .fraud_type
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| match fanzha_core::FraudType::parse_label(t) {
                    Ok(ft) if t != "untyped" => ft.code().to_string(),
                    _ => t.to_string(),
                }),
            fraud_types: None,
            min_warnings: self.min_warnings.filter(|n| *n > 1),
            fund_only: self.fund.unwrap_or(false),
        }
    }

    pub fn page(&self) -> PageRequest {
        PageRequest {
            after: self.after.clone(),
            limit: self.limit.unwrap_or(100),
        }
    }
}

/// Instructions held inside the caller's subtree, newest first.
#[utoipa::path(get, path = "/api/v1/instructions", params(ListQuery),
    responses((status = 200, description = "A page of instructions", body = Object)))]
pub async fn list(
    auth: Require<ViewInstructions>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let page = state
        .store
        .instructions()
        .list(&scope, &q.filter(), &q.page())
        .await?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id,
                "level": i.projection.level,
                "status": i.projection.status,
                "holder_unit": i.projection.holder_unit,
                "owner_unit": i.owner_unit,
                "fraud_type": i.fraud_type,
                "assignee": i.projection.assignee,
                "issued_at": i.issued_at,
                "next_due_at": i.projection.next_due_at,
                "overdue": i.projection.overdue,
                "version": i.projection.version,
                "resident_id": i.resident_id.as_deref().map(fanzha_core::mask::mask_resident_id),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"items": items, "next": page.next})))
}

/// One instruction: its state, derived from its events, and the events.
#[utoipa::path(get, path = "/api/v1/instructions/{id}",
    params(("id" = String, Path, description = "Instruction id")),
    responses((status = 200, description = "The instruction", body = Object),
              (status = 404, description = "Unknown, or held outside the caller's subtree")))]
pub async fn get(
    auth: Require<ViewInstructions>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InstructionView>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let mut view = state.loop_service.view(&scope, &id).await?;
    mask_view(&mut view);
    Ok(Json(view))
}

/// Lists and API answers show the resident masked; the full value is on the person's detail.
pub fn mask_view(view: &mut InstructionView) {
    view.stored.resident_id = view
        .stored
        .resident_id
        .as_deref()
        .map(fanzha_core::mask::mask_resident_id);
}

/// Commands applied in order as one change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommandRequest {
    /// The version the caller last saw; a newer stored version answers 409 `conflict`.
    pub version: Option<u64>,
    pub note: Option<String>,
    /// e.g. `[{"command":"sign"},{"command":"delegate","to_unit":"330281001001"}]`
    #[schema(value_type = Vec<Object>)]
    pub commands: Vec<Command>,
}

/// Signs, delegates, records an outcome, closes, … (the state machine decides what is legal).
#[utoipa::path(post, path = "/api/v1/instructions/{id}/commands",
    params(("id" = String, Path, description = "Instruction id")),
    request_body = CommandRequest,
    responses((status = 200, description = "The instruction after the change", body = Object),
              (status = 409, description = "Illegal now, or changed meanwhile"),
              (status = 404, description = "Unknown, or held outside the caller's subtree")))]
pub async fn command(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CommandRequest>,
) -> Result<Json<InstructionView>, WebError> {
    check_review_permission(&auth, &req.commands)?;
    let actor = actor_of(&state, &auth.principal).await?;
    let mut view = state
        .loop_service
        .act(
            &actor,
            &id,
            req.version,
            &req.commands,
            req.note.filter(|n| !n.trim().is_empty()),
            state.clock.now_ms(),
        )
        .await?;
    crate::casework::after_instruction_change(
        &state,
        &auth.principal.login,
        &view,
        req.commands.len(),
    )
    .await?;
    mask_view(&mut view);
    Ok(Json(view))
}

/// 二次研判 decisions need the review permission on top of handling instructions.
pub fn check_review_permission(
    auth: &Require<HandleInstructions>,
    commands: &[Command],
) -> Result<(), WebError> {
    let reviews = commands
        .iter()
        .any(|c| matches!(c, Command::ApproveReview { .. } | Command::RejectReview));
    if reviews && !ReviewWarnings::allows(&auth.principal) {
        return Err(WebError::Forbidden(ReviewWarnings::NAME));
    }
    Ok(())
}
