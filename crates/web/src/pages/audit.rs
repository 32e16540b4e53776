//! 审计日志: every state change and every view of unmasked personal data in one's subtree,
//! newest first, filterable by action, exportable.

use super::view::{audit_action_label, time};
use super::{render, Chrome};
use crate::auth::permission::ViewAudit;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_store::PageRequest;
use serde::Deserialize;

struct Line {
    id: i64,
    at: String,
    actor: String,
    action: String,
    action_label: String,
    /// The platform's own accounts in words (系统, 110接警数据 …); empty for a person's login.
    actor_label: String,
    target: String,
    unit: String,
    detail: String,
    /// The detail as a reader takes it in: `key: value` pairs, money in yuan.
    readable: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    lang: Lang,
    chrome: Chrome,
    lines: Vec<Line>,
    action: String,
    actions: Vec<ActionOption>,
    next: Option<i64>,
}

struct ActionOption {
    name: &'static str,
    label: String,
    selected: bool,
}

/// The actions offered in the filter (any other can be given in the URL).
const ACTIONS: &[&str] = &[
    "view_personal_data",
    "warning_search",
    "instruction_search",
    "warning_received",
    "instruction_signed",
    "instruction_delegated",
    "instruction_outcome_recorded",
    "instruction_escalated",
    "instruction_closed",
    "case_opened",
    "cases_imported",
    "case_extract_imported",
    "case_traced",
    "stop_payment_held",
    "stop_payment_frozen",
    "stop_payment_returned",
    "returns_list_printed",
    "rules_activated",
    "user_added",
    "user_saved",
    "import_divisions",
];

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub before: Option<i64>,
    pub format: Option<ExportFormat>,
}

pub async fn show(
    auth: Require<ViewAudit>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/audit");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let action = q.action.clone().unwrap_or_default();
    let mut lines = Vec::new();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut cursor = q.before;
    let mut next = None;
    // Read pages until 200 matching lines (the action filter is applied here; the log is
    // scanned newest first by its primary key).
    for _ in 0..20 {
        let page = state
            .store
            .audit()
            .list(
                &scope,
                &PageRequest {
                    after: cursor,
                    limit: 500,
                },
            )
            .await?;
        for e in page.items {
            if !action.is_empty() && e.action != action {
                continue;
            }
            // People by their account's name beside the login (each login looked up once).
            if !names.contains_key(&e.actor) {
                let name = super::view::actor_name(&state, lang, &e.actor).await;
                names.insert(e.actor.clone(), name);
            }
            if lines.len() == 200 {
                next = Some(e.id + 1);
                break;
            }
            lines.push(Line {
                id: e.id,
                at: time(e.at),
                actor_label: names.get(&e.actor).cloned().unwrap_or_default(),
                actor: e.actor,
                action_label: audit_action_label(lang, &e.action),
                action: e.action,
                target: format!("{} {}", e.target_type, e.target_id.unwrap_or_default()),
                unit: e.unit_code.unwrap_or_default(),
                readable: readable_detail(&e.detail),
                detail: e.detail.to_string(),
            });
        }
        if next.is_some() || page.next.is_none() {
            break;
        }
        cursor = page.next;
    }
    if let Some(format) = q.format {
        let headers = [
            "col_id",
            "col_time",
            "actor",
            "action",
            "action_code",
            "target",
            "unit",
            "detail",
        ];
        return Table {
            name: "audit_log".into(),
            headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: lines
                .iter()
                .map(|l| {
                    vec![
                        l.id.to_string(),
                        l.at.clone(),
                        l.actor.clone(),
                        l.action_label.clone(),
                        l.action.clone(),
                        l.target.clone(),
                        l.unit.clone(),
                        l.detail.clone(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    render(&AuditPage {
        lang,
        chrome,
        lines,
        action: action.clone(),
        actions: ACTIONS
            .iter()
            .map(|name| ActionOption {
                name,
                label: audit_action_label(lang, name),
                selected: *name == action,
            })
            .collect(),
        next,
    })
    .map(IntoResponse::into_response)
}

/// An audit entry's detail for reading: the object's fields as `key: value` joined by `；`,
/// amounts in fen (`…_fen`) as yuan, nested values as compact JSON; anything but an object as
/// compact JSON. The export keeps the JSON itself.
fn readable_detail(detail: &serde_json::Value) -> String {
    use serde_json::Value;
    let Value::Object(fields) = detail else {
        return detail.to_string();
    };
    fields
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Value::Number(n) if k.ends_with("_fen") => match n.as_i64() {
                    Some(fen) => super::view::yuan(fen),
                    None => n.to_string(),
                },
                Value::String(s) => s.clone(),
                Value::Null => "—".to_string(),
                other => other.to_string(),
            };
            format!("{k}: {value}")
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::readable_detail;

    #[test]
    fn the_platforms_own_accounts_read_in_words() {
        use crate::i18n::Lang;
        assert_eq!(crate::pages::view::actor_label(Lang::Zh, "system"), "系统");
        assert_eq!(
            crate::pages::view::actor_label(Lang::Zh, "bank_feed_icbc"),
            "ICBC 银行数据接口"
        );
        assert_eq!(
            crate::pages::view::actor_label(Lang::En, "110_feed"),
            "110 report feed"
        );
        assert_eq!(
            crate::pages::view::actor_label(Lang::Zh, "operator_feed_china_unicom"),
            "中国联通 运营商数据接口"
        );
        assert_eq!(
            crate::pages::view::actor_label(Lang::En, "operator_feed_china_telecom"),
            "China Telecom operator feed"
        );
        assert_eq!(
            crate::pages::view::actor_label(Lang::Zh, "operator_feed_x"),
            ""
        );
        assert_eq!(crate::pages::view::actor_label(Lang::Zh, "analyst"), "");
    }

    #[test]
    fn details_read_as_fields_with_money_in_yuan() {
        let d = serde_json::json!({"loss_fen": 235017, "occupation": "company_employee", "ids": [1, 2], "note": null});
        let r = readable_detail(&d);
        assert!(r.contains("loss_fen: ¥2,350.17"), "{r}");
        assert!(r.contains("occupation: company_employee"), "{r}");
        assert!(r.contains("ids: [1,2]") && r.contains("note: —"), "{r}");
        assert_eq!(readable_detail(&serde_json::json!("x")), "\"x\"");
    }
}
