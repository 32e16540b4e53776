//! 网格员 pages for a phone: my tasks, then one task with the person's address and a `tel:` link,
//! the talking points for the fraud type, and the outcome in two taps. Opening a task shows the
//! person's full contact data, so each opening is written to the audit log.

use super::instructions::{apply_form, event_lines, ActForm, EventLine};
use super::scripts::talking_points;
use super::view::{fraud_type_label, level_class, level_label, status_label};
use super::{render, Chrome};
use crate::api::people::audit_reveal;
use crate::auth::permission::HandleInstructions;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::mask_name;
use fanzha_store::{InstructionFilter, PageRequest, Scope};

struct TaskCard {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    status: String,
    status_label: &'static str,
    person: String,
    fraud_type: String,
    next_due_at: Option<i64>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "mobile_tasks.html")]
struct TasksPage {
    lang: Lang,
    chrome: Chrome,
    open: Vec<TaskCard>,
    done: Vec<TaskCard>,
}

pub async fn tasks(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let page = state
        .store
        .instructions()
        .list(
            &scope,
            &InstructionFilter::default(),
            &PageRequest::first(100),
        )
        .await?;
    let (mut open, mut done) = (Vec::new(), Vec::new());
    for i in page.items {
        let p = &i.projection;
        let person = match &i.resident_id {
            Some(rid) => match state.store.people().get(&scope, rid).await {
                Ok(person) => mask_name(&person.name),
                Err(_) => fanzha_core::mask::mask_resident_id(rid),
            },
            None => lang.t("unknown_person").to_string(),
        };
        let card = TaskCard {
            level_class: level_class(p.level),
            level_label: level_label(lang, p.level),
            status_label: status_label(lang, &p.status),
            status: p.status.clone(),
            person,
            fraud_type: fraud_type_label(lang, i.fraud_type.as_deref()),
            next_due_at: p.next_due_at,
            overdue: p.overdue,
            id: i.id,
        };
        let actionable = matches!(
            p.status.as_str(),
            "issued" | "signed" | "contacting" | "unreachable"
        );
        if actionable {
            open.push(card);
        } else {
            done.push(card);
        }
    }
    render(&TasksPage {
        lang,
        chrome,
        open,
        done,
    })
}

#[derive(Template)]
#[template(path = "mobile_task.html")]
struct TaskPage {
    lang: Lang,
    chrome: Chrome,
    id: String,
    version: i64,
    level_class: &'static str,
    level_label: &'static str,
    status: String,
    status_label: &'static str,
    fraud_type: String,
    name: String,
    phone: Option<String>,
    address: String,
    points: Vec<&'static str>,
    next_due_at: Option<i64>,
    actionable: bool,
    buttons: &'static [OutcomeButton],
    events: Vec<EventLine>,
    /// 金钟罩: the person's registered guardians (calling them is 亲属劝阻).
    guardians: Vec<GuardianLine>,
    /// Texts sent about this instruction (反诈提醒, guardian alerts) and where they stand.
    texts: Vec<TextLine>,
}

struct GuardianLine {
    name: String,
    relationship: String,
    phone: String,
}

struct TextLine {
    purpose: &'static str,
    to: String,
    state: String,
}

struct OutcomeButton {
    code: &'static str,
    key: &'static str,
    class: &'static str,
}

/// The outcomes a grid worker taps, most common first.
const BUTTONS: &[OutcomeButton] = &[
    OutcomeButton {
        code: "dissuaded_phone",
        key: "o_dissuaded_phone",
        class: "ok",
    },
    OutcomeButton {
        code: "dissuaded_visit",
        key: "o_dissuaded_visit",
        class: "ok",
    },
    OutcomeButton {
        code: "dissuaded_relatives",
        key: "o_dissuaded_relatives",
        class: "ok",
    },
    OutcomeButton {
        code: "self_aware",
        key: "o_self_aware",
        class: "ok",
    },
    OutcomeButton {
        code: "unreachable_no_answer",
        key: "o_unreachable_no_answer",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_switched_off",
        key: "o_unreachable_switched_off",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_empty_number",
        key: "o_unreachable_empty_number",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_refused",
        key: "o_unreachable_refused",
        class: "warn",
    },
    OutcomeButton {
        code: "false_alarm",
        key: "o_false_alarm",
        class: "plain",
    },
];

pub async fn task(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let view = state.loop_service.view(&scope, &id).await?;
    let stored = &view.stored;
    let warning_phone = match view.state.warning_ids.first() {
        Some(w) => state
            .store
            .warnings()
            .get(&Scope::platform(), w)
            .await
            .ok()
            .and_then(|w| w.msisdn),
        None => None,
    };
    let (name, phone, address) = match &stored.resident_id {
        Some(rid) => match state.store.people().get(&scope, rid).await {
            Ok(person) => {
                audit_reveal(&state, &auth.principal.login, &person, "grid_task").await?;
                let address = person
                    .address
                    .clone()
                    .unwrap_or_else(|| person.residence_code.clone());
                (person.name, person.phone.or(warning_phone), address)
            }
            Err(_) => (
                lang.t("unknown_person").to_string(),
                warning_phone,
                String::new(),
            ),
        },
        None => (
            lang.t("unknown_person").to_string(),
            warning_phone,
            String::new(),
        ),
    };
    let guardians = match &stored.resident_id {
        Some(rid) => state
            .store
            .guardians()
            .for_resident(&scope, rid)
            .await?
            .into_iter()
            .map(|g| GuardianLine {
                name: g.name,
                relationship: g.relationship,
                phone: g.phone,
            })
            .collect(),
        None => Vec::new(),
    };
    let texts = state
        .store
        .sms()
        .for_instruction(&stored.id)
        .await?
        .into_iter()
        .map(|m| TextLine {
            purpose: lang.t(match m.purpose.as_str() {
                "guardian_alert" => "sms_guardian_alert",
                "warning_to_person" => "sms_warning_to_person",
                _ => "sms_escalation",
            }),
            to: fanzha_core::mask::mask_phone(&m.to_number),
            state: m.state.as_str().to_string(),
        })
        .collect();
    let p = &stored.projection;
    render(&TaskPage {
        guardians,
        texts,
        lang,
        id: stored.id.clone(),
        version: p.version,
        level_class: level_class(p.level),
        level_label: level_label(lang, p.level),
        status: p.status.clone(),
        status_label: status_label(lang, &p.status),
        fraud_type: fraud_type_label(lang, stored.fraud_type.as_deref()),
        points: talking_points(lang, stored.fraud_type.as_deref()),
        name,
        phone,
        address,
        next_due_at: p.next_due_at,
        actionable: matches!(p.status.as_str(), "issued" | "signed" | "contacting"),
        buttons: BUTTONS,
        events: event_lines(&state, lang, &view.events).await,
        chrome,
    })
}

/// `POST /m/instructions/{id}/outcome`: the tapped outcome; the page reloads to show it.
pub async fn outcome(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormBody(form): FormBody<ActForm>,
) -> Result<Response, WebError> {
    apply_form(&state, &auth, &id, &form).await??;
    Ok(([("hx-refresh", "true")], "").into_response())
}
