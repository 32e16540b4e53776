//! 预警: the list of warnings of one's subtree and one warning's detail — the person (masked;
//! "show full" is audited), the evidence (rules, features, suspect numbers with their
//! reputations) and the instruction's history; and the protective stop-payments (保护性止付)
//! asked from the warning, with the form that asks the suspect account's bank to hold money at
//! once, before any case exists.

use super::choices::{fraud_type_choices, unit_choices, Choice};
use super::evidence::{duration, feature_label, feature_value, phone_origin};
use super::instructions::{event_lines, EventLine};
use super::view::{fraud_type_label, level_class, level_label, status_label, time};
use super::warning_search::{audit_person_search, Search, SearchForm, SOURCES};
use super::{render, Chrome};
use crate::api::people::audit_reveal;
use crate::auth::permission::{
    ImportPushes, ManageCases, Permission, RequestNumberDisposals, ViewPersonalData, ViewWarnings,
};
use crate::auth::Require;
use crate::casework::{request_protective_stop, ProtectiveStopInput};
use crate::error::WebError;
use crate::export::{every_page, Table};
use crate::extract::FormBody;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_store::{PageRequest, Scope, StopPayment, StoredWarning, Viewer};
use serde::Deserialize;
use std::collections::HashMap;

struct ListRow {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    at: String,
    fraud_type: String,
    unit: String,
    msisdn: String,
    score: String,
    source: String,
    instruction_id: String,
    /// The viewer may open the instruction (it is held inside the viewer's area).
    instruction_linked: bool,
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    rows: Vec<ListRow>,
    search: Search,
    /// How many warnings match (all pages).
    total: i64,
    fraud_types: Vec<Choice>,
    /// The analysis groups of one's area (分类研判组), for the `group` filter.
    groups: Vec<Choice>,
    sources: Vec<Choice>,
    units: Vec<Choice>,
    /// The form as a query string, for the page and export links.
    query: String,
    next: Option<String>,
    /// Not the first page: offer a way back to it.
    paged: bool,
    /// Offer the upload of pushed lists (预警推送).
    can_import_pushes: bool,
}

/// Rows per page on screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

fn source_label(lang: Lang, source: &str) -> &'static str {
    match source {
        "national_push" => lang.t("source_national_push"),
        "manual" => lang.t("source_manual"),
        _ => lang.t("source_engine"),
    }
}

pub async fn list(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/warnings");
    let lang = chrome.lang;
    let own_unit = auth.principal.unit_code.clone();
    let mut search = Search::read(&form, state.clock.now_ms());
    // A group stands for its fraud types in its unit's area (unless a unit is chosen).
    let group = match search.group_id {
        Some(id) => Some(super::group_filter::group_of(&state, &own_unit, id).await?),
        None => None,
    };
    if let Some(g) = &group {
        search.filter.fraud_type = Some(super::group_filter::within_group(
            search.filter.fraud_type.take(),
            g,
        ));
    }
    let unit_asked = search
        .unit
        .clone()
        .or_else(|| group.as_ref().map(|g| g.unit_code.clone()));
    let (unit_code, scope) = state
        .narrowed_scope(&own_unit, unit_asked.as_deref())
        .await?;
    let warnings = state.store.warnings();
    let page = match form.format {
        // An export takes every match, not one screen's page.
        Some(_) => {
            let (warnings, scope, filter) = (&warnings, &scope, &search.filter);
            every_page("warnings", move |r| async move {
                Ok(warnings.search(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: form.after.clone(),
                limit: PAGE_ROWS,
            };
            warnings.search(&scope, &search.filter, &request).await?
        }
    };
    let total = warnings.count(&scope, &search.filter).await?;
    if let Some(person) = &search.person {
        audit_person_search(
            &state,
            "warning_search",
            &auth.principal.login,
            &unit_code,
            person,
            total,
        )
        .await?;
    }

    // A warning of the area may have its instruction still held above (the county has not
    // pushed it down): its number is shown, linked only where the viewer may open it.
    let linked = match form.format {
        Some(_) => Default::default(),
        None => {
            let ids: Vec<String> = page
                .items
                .iter()
                .filter_map(|w| w.instruction_id.clone())
                .collect();
            state.store.instructions().held_within(&scope, &ids).await?
        }
    };
    let mut unit_names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for w in page.items {
        if !unit_names.contains_key(&w.unit_code) {
            let name = state.unit_name(&w.unit_code).await;
            unit_names.insert(w.unit_code.clone(), name);
        }
        rows.push(ListRow {
            level_class: level_class(w.level),
            level_label: level_label(lang, w.level),
            at: time(w.detected_at),
            fraud_type: fraud_type_label(lang, w.fraud_type.as_deref()),
            unit: unit_names[&w.unit_code].clone(),
            msisdn: w.msisdn.as_deref().map(mask_phone).unwrap_or_default(),
            score: format!("{:.2}", w.score_permille as f64 / 1000.0),
            source: source_label(lang, &w.source).to_string(),
            instruction_linked: w
                .instruction_id
                .as_ref()
                .is_some_and(|i| linked.contains(i)),
            instruction_id: w.instruction_id.clone().unwrap_or_default(),
            id: w.id,
        });
    }
    if let Some(format) = form.format {
        let headers = [
            "col_id",
            "col_level",
            "col_time",
            "col_fraud_type",
            "unit",
            "col_phone",
            "col_score",
            "col_source",
            "instruction",
        ];
        return Table {
            name: "warnings".into(),
            headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.level_label.to_string(),
                        r.at.clone(),
                        r.fraud_type.clone(),
                        r.unit.clone(),
                        r.msisdn.clone(),
                        r.score.clone(),
                        r.source.clone(),
                        r.instruction_id.clone(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }

    let units = unit_choices(&state, &own_unit, &unit_code).await?;
    let own_scope = state.scope_of(&own_unit).await?;
    let groups = super::group_filter::group_choices(&state, &own_scope, search.group_id).await?;
    let fraud_types = fraud_type_choices(lang, &search.fraud_type);
    let sources = SOURCES
        .iter()
        .map(|src| Choice {
            value: src.to_string(),
            label: source_label(lang, src).to_string(),
            selected: search.source == *src,
        })
        .collect();
    let unit_param = if unit_code == own_unit {
        ""
    } else {
        unit_code.as_str()
    };
    render(&ListPage {
        groups,
        lang,
        chrome,
        rows,
        query: search.query_string(unit_param),
        search,
        total,
        fraud_types,
        sources,
        units,
        next: page.next,
        paged: form.after.is_some(),
        can_import_pushes: ImportPushes::allows(&auth.principal),
    })
    .map(IntoResponse::into_response)
}

struct Rule {
    name: String,
    label: String,
    level: u8,
}

struct Feature {
    name: String,
    label: String,
    value: String,
}

struct Suspect {
    number: String,
    origin: String,
    score: String,
    lists: String,
    calls: String,
    longest: String,
    callees: String,
}

#[derive(Template)]
#[template(path = "warning.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    fraud_type: String,
    score: String,
    source: &'static str,
    signal_at: String,
    detected_at: String,
    unit: String,
    person: String,
    msisdn: String,
    can_reveal: bool,
    rules: Vec<Rule>,
    features: Vec<Feature>,
    suspects: Vec<Suspect>,
    note: String,
    instruction_id: String,
    instruction_status: &'static str,
    /// The viewer may open the instruction.
    instruction_linked: bool,
    events: Vec<EventLine>,
    /// Protective stop-payments asked from this warning.
    stops: Vec<StopRow>,
    /// The payment, on a fund warning (资金预警).
    fund: Option<super::fund_warnings::FundView>,
    /// The kind the pushed list stated; empty when none.
    push_kind: &'static str,
    /// The analyst may ask for one (and show a request's account in full).
    can_request_stop: bool,
    /// The reader may ask an operator to shut down a suspect number.
    can_ask_disposal: bool,
}

/// A protective stop-payment on the warning page: the account masked, shown in full on demand
/// (audited).
struct StopRow {
    id: String,
    account: String,
    institution: String,
    requested: String,
    held: String,
    state: String,
    state_label: &'static str,
    requested_at: String,
    deadline: i64,
    reason: String,
    case_id: String,
    failure: String,
}

fn stop_row(lang: Lang, s: StopPayment) -> StopRow {
    use fanzha_trace::stop_payment::{FailReason, StopPaymentRequest, StopState};
    // Why the bank could not hold money, in its words where it gave them.
    let failure = match serde_json::from_value::<StopPaymentRequest>(s.detail.clone()) {
        Ok(StopPaymentRequest {
            state: StopState::Failed { reason, .. },
            ..
        }) => match reason {
            FailReason::AccountNotFound => lang.t("r_account_not_found").to_string(),
            FailReason::NoBalance => lang.t("r_no_balance").to_string(),
            FailReason::AccountClosed => lang.t("r_account_closed").to_string(),
            FailReason::Other(words) => words,
        },
        _ => String::new(),
    };
    StopRow {
        account: fanzha_core::mask::mask_card(&s.account),
        institution: super::cases::institution_label(&s.institution),
        requested: super::view::yuan(s.requested_fen),
        held: super::view::yuan(s.held_fen),
        state_label: super::cases::state_label(lang, &s.state),
        requested_at: time(s.requested_at),
        deadline: s.deadline,
        reason: s.reason.unwrap_or_default(),
        case_id: s.case_id.unwrap_or_default(),
        state: s.state,
        failure,
        id: s.id,
    }
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn rules_of(lang: Lang, ev: &serde_json::Value) -> Vec<Rule> {
    ev["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| Rule {
                    name: text(&r["name"]),
                    label: match lang {
                        Lang::Zh => text(&r["zh"]),
                        Lang::En => text(&r["en"]),
                    },
                    level: r["level"].as_u64().unwrap_or(3) as u8,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn features_of(lang: Lang, ev: &serde_json::Value) -> Vec<Feature> {
    ev["features"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    let name = text(&f["feature"]);
                    Feature {
                        label: feature_label(lang, &name),
                        value: feature_value(lang, &name, &f["value"]),
                        name,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn suspects_of(lang: Lang, ev: &serde_json::Value) -> Vec<Suspect> {
    ev["suspects"]
        .as_array()
        .map(|ss| {
            ss.iter()
                .map(|s| {
                    let number = if s.is_string() {
                        text(s)
                    } else {
                        text(&s["msisdn"])
                    };
                    Suspect {
                        origin: phone_origin(lang, &number),
                        number,
                        score: s["score"]
                            .as_f64()
                            .map(|v| format!("{v:.2}"))
                            .unwrap_or_default(),
                        lists: s["lists"]
                            .as_array()
                            .map(|l| l.iter().map(text).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default(),
                        calls: text(&s["calls_to_person"]),
                        longest: s["longest_call_s"]
                            .as_i64()
                            .map(|v| duration(lang, v))
                            .unwrap_or_default(),
                        callees: s["distinct_callees_24h"]
                            .as_f64()
                            .map(|v| format!("{v:.0}"))
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn detail(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/warnings");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let w: StoredWarning = state.store.warnings().get(&scope, &id).await?;
    let person = match &w.resident_id {
        Some(rid) => match state.store.people().get(&Scope::platform(), rid).await {
            Ok(p) => format!("{} · {}", mask_name(&p.name), mask_resident_id(rid)),
            Err(_) => mask_resident_id(rid),
        },
        None => lang.t("unknown_person").to_string(),
    };
    let unit = match state.store.units().find(&w.unit_code).await? {
        Some(u) => u.name,
        None => w.unit_code.clone(),
    };
    // An instruction held above the viewer's area (not yet pushed down) is named, not linked.
    let (instruction_status, events, instruction_linked) = match &w.instruction_id {
        Some(iid) => match state.loop_service.view(&scope, iid).await {
            Ok(v) => (
                status_label(lang, &v.stored.projection.status),
                event_lines(&state, lang, &v.events).await,
                true,
            ),
            Err(_) => (lang.t("held_above"), Vec::new(), false),
        },
        None => ("—", Vec::new(), false),
    };
    let stops = state
        .store
        .stop_payments()
        .for_warning(&Viewer::Police(scope.clone()), &w.id)
        .await?;
    let stopped: Vec<String> = stops.iter().map(|s| s.account.clone()).collect();
    let fund = super::fund_warnings::fund_view(&state, &w.id, &stopped).await?;
    let stops = stops.into_iter().map(|s| stop_row(lang, s)).collect();
    let ev = &w.evidence;
    let push_kind = ev["push"]["kind"]
        .as_str()
        .and_then(fanzha_core::PushKind::from_code)
        .map(|k| super::view::pick(lang, k.zh(), k.en()))
        .unwrap_or("");
    render(&DetailPage {
        stops,
        fund,
        push_kind,
        can_request_stop: ManageCases::allows(&auth.principal),
        can_ask_disposal: RequestNumberDisposals::allows(&auth.principal),
        lang,
        id: w.id.clone(),
        level_class: level_class(w.level),
        level_label: level_label(lang, w.level),
        fraud_type: fraud_type_label(lang, w.fraud_type.as_deref()),
        score: format!("{:.2}", w.score_permille as f64 / 1000.0),
        source: source_label(lang, &w.source),
        signal_at: time(w.signal_at),
        detected_at: time(w.detected_at),
        unit,
        person,
        msisdn: w.msisdn.as_deref().map(mask_phone).unwrap_or_default(),
        can_reveal: ViewPersonalData::allows(&auth.principal) && w.resident_id.is_some(),
        rules: rules_of(lang, ev),
        features: features_of(lang, ev),
        suspects: suspects_of(lang, ev),
        note: text(&ev["note"]),
        instruction_id: w.instruction_id.clone().unwrap_or_default(),
        instruction_linked,
        instruction_status,
        events,
        chrome,
    })
}

/// `GET /warnings/{id}/person`: the person's full data as a fragment; audited.
pub async fn reveal(
    auth: Require<ViewPersonalData>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let w = state.store.warnings().get(&scope, &id).await?;
    let rid = w.resident_id.ok_or(WebError::NotFound)?;
    let p = state.store.people().get(&scope, &rid).await?;
    audit_reveal(&state, &auth.principal.login, &p, "warning_detail").await?;
    let esc = |s: &str| {
        askama::filters::escape(s, askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    Ok(Html(format!(
        r#"<dl class="facts revealed" data-revealed="true"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>"#,
        lang.t("name"),
        esc(&p.name),
        lang.t("resident_id"),
        esc(&p.resident_id),
        lang.t("col_phone"),
        esc(p.phone.as_deref().unwrap_or("")),
        lang.t("address"),
        esc(p.address.as_deref().unwrap_or(&p.residence_code)),
    )))
}

#[derive(Debug, Deserialize)]
pub struct ProtectiveStopForm {
    account: String,
    amount_yuan: String,
    reason: String,
}

/// `POST /warnings/{id}/protective-stops`: 保护性止付 — asks the suspect account's bank to hold
/// money at once, before any case; back to the warning's page.
pub async fn request_stop(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<ProtectiveStopForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let w = state.store.warnings().get(&scope, &id).await?;
    let amount_fen = fanzha_core::Money::parse(f.amount_yuan.trim())
        .map(|m| m.fen())
        .map_err(|e| WebError::BadRequest(format!("amount: {e}")))?;
    request_protective_stop(
        &state,
        &auth.principal.login,
        &w,
        ProtectiveStopInput {
            account: f.account,
            amount_fen,
            reason: f.reason,
            bank_code: None,
        },
    )
    .await?;
    Ok(super::after_write(
        &headers,
        format!("/warnings/{}#protective-stops", w.id),
        axum::http::StatusCode::OK,
    ))
}

/// `GET /stop-payments/{id}/account`: a stop-payment's account number in full, as a fragment,
/// for police of its unit's area; audited.
pub async fn reveal_stop_account(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let s = state
        .store
        .stop_payments()
        .get(&Viewer::Police(scope), &id)
        .await?;
    crate::casework::audit(
        &state,
        &auth.principal.login,
        "stop_payment_account_viewed",
        "stop_payment",
        &s.id,
        &s.unit_code,
        serde_json::json!({"warning_id": s.warning_id, "case_id": s.case_id}),
    )
    .await?;
    let account = askama::filters::escape(&s.account, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default();
    Ok(Html(format!(
        r#"<span class="revealed" data-revealed="true">{account}</span>"#
    )))
}
