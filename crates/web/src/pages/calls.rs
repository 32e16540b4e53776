//! 96110外呼: the seat group's queue of dissuasion calls (numbers masked, most urgent first),
//! "claim next", and the claimed call's page with the full number as a `tel:` link, the talking
//! points for the fraud type and the result in one tap. Only the operator holding a call sees
//! its number, and each such view is written to the audit log.

use super::scripts::talking_points;
use super::view::{fraud_type_label, level_class, level_label, status_label, time};
use super::{render, Chrome};
use crate::api::actor_of;
use crate::auth::permission::{Permission, ViewCallTasks, ViewInstructions, WorkCallTasks};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_store::{
    CallResult, CallTask, CallTaskFilter, CallTaskState, NewAuditEntry, PageRequest, Scope,
};
use serde::Deserialize;

/// One queue row, as rendered.
pub struct CallRow {
    pub id: i64,
    pub level_class: &'static str,
    pub level_label: &'static str,
    pub msisdn: String,
    pub fraud_type: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub created: String,
    pub created_ms: i64,
    /// Waiting for a retry until then (epoch ms).
    pub due_later: Option<i64>,
    pub attempts: i64,
    pub result: &'static str,
    pub claimed_by: String,
    pub instruction_id: String,
}

/// The label of a task state.
pub fn state_label(lang: Lang, state: CallTaskState) -> &'static str {
    lang.t(match state {
        CallTaskState::Queued => "call_queued",
        CallTaskState::Claimed => "call_claimed",
        CallTaskState::Done => "call_done",
        CallTaskState::Cancelled => "call_cancelled",
    })
}

/// The label of a call result.
pub fn result_label(lang: Lang, result: CallResult) -> &'static str {
    lang.t(result_key(result))
}

fn result_key(result: CallResult) -> &'static str {
    match result {
        CallResult::Dissuaded => "cr_dissuaded",
        CallResult::Insisted => "cr_insisted",
        CallResult::NoAnswer => "cr_no_answer",
        CallResult::SwitchedOff => "cr_switched_off",
        CallResult::EmptyNumber => "cr_empty_number",
        CallResult::Refused => "cr_refused",
    }
}

fn row(lang: Lang, t: &CallTask, now_ms: i64) -> CallRow {
    let state = t.state_at(now_ms);
    CallRow {
        id: t.id,
        level_class: level_class(t.level),
        level_label: level_label(lang, t.level),
        msisdn: mask_phone(&t.msisdn),
        fraud_type: fraud_type_label(lang, t.fraud_type.as_deref()),
        state: state.as_str(),
        state_label: state_label(lang, state),
        created: time(t.created_at),
        created_ms: t.created_at,
        due_later: (state == CallTaskState::Queued && t.due_at > now_ms).then_some(t.due_at),
        attempts: t.attempts,
        result: t.result.map(|r| result_label(lang, r)).unwrap_or(""),
        claimed_by: match state {
            CallTaskState::Claimed => t.claimed_by.clone().unwrap_or_default(),
            _ => String::new(),
        },
        instruction_id: t.instruction_id.clone(),
    }
}

struct Tab {
    key: &'static str,
    label: &'static str,
    count: i64,
    active: bool,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct QueuePage {
    lang: Lang,
    chrome: Chrome,
    tabs: Vec<Tab>,
    tab: String,
    rows: Vec<CallRow>,
    mine: Vec<CallRow>,
    can_work: bool,
    can_open_instructions: bool,
    recorded: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// `open` (queued and claimed, the default), `done`, `cancelled`.
    pub tab: Option<String>,
    /// The task whose result was just recorded (shown as a notice).
    pub recorded: Option<i64>,
}

const TABS: [&str; 3] = ["open", "done", "cancelled"];

/// `GET /calls`: the queue of one's subtree.
pub async fn queue(
    auth: Require<ViewCallTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/calls");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.call_tasks();
    let tab = q
        .tab
        .filter(|t| TABS.contains(&t.as_str()))
        .unwrap_or_else(|| "open".into());
    let filter = match tab.as_str() {
        "done" => CallTaskFilter {
            state: Some(CallTaskState::Done),
            ..CallTaskFilter::default()
        },
        "cancelled" => CallTaskFilter {
            state: Some(CallTaskState::Cancelled),
            ..CallTaskFilter::default()
        },
        _ => CallTaskFilter {
            open_only: true,
            ..CallTaskFilter::default()
        },
    };
    let page = repo
        .list(&scope, &filter, &PageRequest::first(200), now)
        .await?;
    let counts = repo.count_by_state(&scope, now).await?;
    let count = |s: CallTaskState| {
        counts
            .iter()
            .find(|(k, _)| *k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let tabs = vec![
        Tab {
            key: "open",
            label: lang.t("calls_open"),
            count: count(CallTaskState::Queued) + count(CallTaskState::Claimed),
            active: tab == "open",
        },
        Tab {
            key: "done",
            label: lang.t("call_done"),
            count: count(CallTaskState::Done),
            active: tab == "done",
        },
        Tab {
            key: "cancelled",
            label: lang.t("call_cancelled"),
            count: count(CallTaskState::Cancelled),
            active: tab == "cancelled",
        },
    ];
    let can_work = WorkCallTasks::allows(&auth.principal);
    let mine = if can_work {
        let filter = CallTaskFilter {
            claimed_by: Some(auth.principal.login.clone()),
            ..CallTaskFilter::default()
        };
        repo.list(&scope, &filter, &PageRequest::first(50), now)
            .await?
            .items
            .iter()
            .map(|t| row(lang, t, now))
            .collect()
    } else {
        Vec::new()
    };
    let recorded = match q.recorded {
        Some(id) => match repo.get(&scope, id).await {
            Ok(t) => Some(format!(
                "{} {} · {}",
                lang.t("call_recorded"),
                mask_phone(&t.msisdn),
                t.result.map(|r| result_label(lang, r)).unwrap_or("")
            )),
            Err(_) => None,
        },
        None => None,
    };
    render(&QueuePage {
        lang,
        tabs,
        tab,
        rows: page.items.iter().map(|t| row(lang, t, now)).collect(),
        mine,
        can_work,
        can_open_instructions: ViewInstructions::allows(&auth.principal),
        recorded,
        chrome,
    })
}

/// `POST /calls/claim`: claims the next call and sends the browser to it; with nothing to
/// claim, answers a notice in place.
pub async fn claim(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let actor = actor_of(&state, &auth.principal).await?;
    match state
        .loop_service
        .claim_next_call(&actor, state.clock.now_ms())
        .await?
    {
        Some(task) => Ok([("hx-redirect", format!("/calls/{}", task.id))].into_response()),
        None => Ok(Html(format!(
            r#"<p class="notice" data-claimed="none">{}</p>"#,
            lang.t("calls_none_to_claim")
        ))
        .into_response()),
    }
}

struct ResultButton {
    code: &'static str,
    key: &'static str,
    class: &'static str,
}

/// The results an operator taps, the connected ones first.
const RESULTS: &[ResultButton] = &[
    ResultButton {
        code: "dissuaded",
        key: "cr_dissuaded",
        class: "ok",
    },
    ResultButton {
        code: "insisted",
        key: "cr_insisted",
        class: "danger",
    },
    ResultButton {
        code: "no_answer",
        key: "cr_no_answer",
        class: "warn",
    },
    ResultButton {
        code: "switched_off",
        key: "cr_switched_off",
        class: "warn",
    },
    ResultButton {
        code: "empty_number",
        key: "cr_empty_number",
        class: "plain",
    },
    ResultButton {
        code: "refused",
        key: "cr_refused",
        class: "plain",
    },
];

#[derive(Template)]
#[template(path = "call_task.html")]
struct TaskPage {
    lang: Lang,
    chrome: Chrome,
    row: CallRow,
    version: i64,
    held: bool,
    /// Full number and name: only for the operator holding the call.
    number: String,
    name: String,
    lease_until: Option<i64>,
    instruction_status: &'static str,
    points: Vec<String>,
    buttons: &'static [ResultButton],
    note: String,
    can_open_instructions: bool,
}

/// `GET /calls/{id}`: one call. The operator holding it sees the full number and name
/// (audited); anyone else sees it masked.
pub async fn task(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/calls");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let t = state.store.call_tasks().get(&scope, id).await?;
    let held = t.held_by(&auth.principal.login, now);
    let instruction_status = match state
        .store
        .instructions()
        .get(&Scope::platform(), &t.instruction_id)
        .await
    {
        Ok(i) => status_label(lang, &i.projection.status),
        Err(_) => "",
    };
    let (number, name) = if held {
        audit_number_view(&state, &auth.principal.login, &t, "call_page").await?;
        let name = match &t.resident_id {
            Some(rid) => match state.store.people().get(&scope, rid).await {
                Ok(p) => p.name,
                Err(_) => lang.t("unknown_person").to_string(),
            },
            None => lang.t("unknown_person").to_string(),
        };
        (t.msisdn.clone(), name)
    } else {
        let name = match &t.resident_id {
            Some(rid) => match state.store.people().get(&scope, rid).await {
                Ok(p) => mask_name(&p.name),
                Err(_) => lang.t("unknown_person").to_string(),
            },
            None => lang.t("unknown_person").to_string(),
        };
        (mask_phone(&t.msisdn), name)
    };
    render(&TaskPage {
        lang,
        row: row(lang, &t, now),
        version: t.version,
        held,
        number,
        name,
        lease_until: t.lease_until.filter(|_| held),
        instruction_status,
        points: talking_points(&state, lang, t.fraud_type.as_deref()).await?,
        buttons: RESULTS,
        note: t.note.clone().unwrap_or_default(),
        can_open_instructions: ViewInstructions::allows(&auth.principal),
        chrome,
    })
}

/// Writes the audit entry for one view of a call's full number.
pub async fn audit_number_view(
    state: &AppState,
    login: &str,
    t: &CallTask,
    via: &str,
) -> Result<(), WebError> {
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: login.to_string(),
            action: "view_personal_data".into(),
            target_type: "call_task".into(),
            target_id: Some(t.id.to_string()),
            unit_code: Some(t.unit_code.clone()),
            detail: serde_json::json!({
                "via": via,
                "msisdn": mask_phone(&t.msisdn),
                "instruction_id": t.instruction_id,
            }),
        })
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct ResultForm {
    /// `dissuaded`, `insisted`, `no_answer`, `switched_off`, `empty_number`, `refused`.
    pub result: String,
    pub version: Option<i64>,
    pub note: Option<String>,
}

/// Reads a result code.
pub fn parse_result(code: &str) -> Result<CallResult, WebError> {
    CallResult::parse(code.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown call result `{code}`")))
}

/// `POST /calls/{id}/result`: the tapped result; back to the queue, which names it.
pub async fn result(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    FormBody(form): FormBody<ResultForm>,
) -> Result<Response, WebError> {
    let result = parse_result(&form.result)?;
    let actor = actor_of(&state, &auth.principal).await?;
    state
        .loop_service
        .record_call(
            &actor,
            id,
            form.version,
            result,
            form.note.filter(|n| !n.trim().is_empty()),
            state.clock.now_ms(),
        )
        .await?;
    Ok([("hx-redirect", format!("/calls?recorded={id}"))].into_response())
}

/// `POST /calls/{id}/release`: gives the call back to the queue.
pub async fn release(
    auth: Require<WorkCallTasks>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = actor_of(&state, &auth.principal).await?;
    state
        .loop_service
        .release_call(&actor, id, state.clock.now_ms())
        .await?;
    Ok([("hx-redirect", "/calls".to_string())].into_response())
}
