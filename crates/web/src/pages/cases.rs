//! 案件: the cases of one's subtree as a search (date, type, unit, source, public-sector
//! victims, the victim's occupation, least loss, and a case, report, phone, ID or account
//! number; `case_search.rs`), a form to open one, the import of 110 / 96110 report exports (导入), and the case page —
//! victim (masked), loss, narrative with the classifier's fraud type and the terms that decided
//! it, what the victim named, the warnings the victim had, the bank extracts taken in, the
//! trace, the stop-payments and the amounts held, each with its returns plan (发还计算), the
//! residents of one's area who hold those accounts (masked; the mule-account list has them
//! all), the linked cases (串并: what they share, masked, and the group's loss); a printable
//! employer notice (提示单) for public-sector victims.

use super::case_search::{audit_case_search, CaseSearch, CaseSearchForm, SOURCES};
use super::choices::{fraud_type_choices, unit_choices, Choice};
use super::view::{fraud_type_label, time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{
    ManageCases, ManageKeyPersons, Permission, RecordEnforcement, RecordVictimFollowUp,
    RequestNumberDisposals, ViewCases, ViewMuleAccounts, ViewWarnings,
};
use crate::auth::Require;
use crate::case_import::{import_cases, CaseImport};
use crate::casework::{open_case, take_in_extract, trace_case, CaseInput};
use crate::error::WebError;
use crate::export::every_page;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use fanzha_core::mask::{mask_card, mask_name, mask_phone};
use fanzha_ingest::reports::{suspect_accounts_of, suspect_phones_of};
use fanzha_store::{Case, LinkKind, Occupation, PageRequest, PriorOutreach, Viewer};
use serde::Deserialize;
use std::collections::HashMap;

struct CaseRow {
    id: String,
    reported: String,
    victim: String,
    unit: String,
    loss: String,
    fraud_type: String,
    source: String,
    /// The victim's occupation (category only: the text of 其他 stays on the case page).
    occupation: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    /// Opening and importing cases; without it the page is read-only.
    can_manage: bool,
    rows: Vec<CaseRow>,
    unit_code: String,
    import: Option<ImportView>,
    search: CaseSearch,
    /// How many cases match (all pages).
    total: i64,
    fraud_types: Vec<Choice>,
    /// The analysis groups of one's area (分类研判组), for the `group` filter.
    groups: Vec<Choice>,
    sources: Vec<Choice>,
    units: Vec<Choice>,
    /// The occupation categories (code, name), for the search and the case form.
    occupations: Vec<(&'static str, &'static str)>,
    /// The form as a query string, for the page and export links.
    query: String,
    /// Key of the next page, when more cases follow.
    next: Option<String>,
    paged: bool,
}

/// How a case was opened, in words; an unknown source as stored.
pub fn source_label(lang: Lang, source: &str) -> String {
    match source {
        "outcome" => lang.t("case_source_outcome").to_string(),
        "form" => lang.t("case_source_form").to_string(),
        "import" => lang.t("case_source_import").to_string(),
        "api" => lang.t("case_source_api").to_string(),
        other => other.to_string(),
    }
}

/// The victim's occupation in words: the category, 未知 when unknown; with `text`, what a
/// report wrote for 其他 ("其他（保洁员）").
pub fn occupation_label(lang: Lang, o: Option<Occupation>, text: Option<&str>) -> String {
    let name = match (o, lang) {
        (Some(o), Lang::Zh) => o.zh(),
        (Some(o), Lang::En) => o.en(),
        (None, _) => lang.t("occupation_unknown"),
    };
    match text {
        Some(t) if lang == Lang::Zh => format!("{name}（{t}）"),
        Some(t) => format!("{name} ({t})"),
        None => name.to_string(),
    }
}

/// Cases per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 200;

/// The figures and rows of an import, as the cases page shows them (no personal data: rows
/// are named by line and report number).
struct ImportView {
    file: String,
    run: i64,
    format: &'static str,
    encoding: &'static str,
    read: usize,
    imported: usize,
    duplicate: usize,
    rejected: usize,
    /// Imported cases whose occupation named no category (opened as 其他 with the text).
    occupation_unrecognised: usize,
    /// (line, report number, case id)
    imported_rows: Vec<(u64, String, String)>,
    /// (line, report number, case id when in one's area)
    duplicate_rows: Vec<(u64, String, Option<String>)>,
    /// (line, column, reason)
    rejected_rows: Vec<(i64, String, String)>,
    ignored: String,
}

/// Rows listed per kind on the page; the counts are always complete.
const IMPORT_ROWS_SHOWN: usize = 200;

impl ImportView {
    fn of(i: &CaseImport) -> ImportView {
        let (imported, duplicate, rejected) = i.counts();
        ImportView {
            file: i.file.clone(),
            run: i.import_run.0,
            format: i.format,
            encoding: i.encoding.unwrap_or(""),
            read: i.read,
            imported,
            duplicate,
            rejected,
            occupation_unrecognised: i.occupation_unrecognised(),
            imported_rows: i
                .imported
                .iter()
                .take(IMPORT_ROWS_SHOWN)
                .map(|c| (c.line, c.report_no.clone(), c.case_id.clone()))
                .collect(),
            duplicate_rows: i
                .duplicates
                .iter()
                .take(IMPORT_ROWS_SHOWN)
                .map(|d| (d.line, d.report_no.clone(), d.case_id.clone()))
                .collect(),
            rejected_rows: crate::import_run::rejected_lines(
                &i.rejected[..i.rejected.len().min(IMPORT_ROWS_SHOWN)],
            ),
            ignored: i.ignored_columns.join(", "),
        }
    }
}

/// `GET /cases?…`: the cases of one's area matching the search form, newest report first, a
/// page at a time; `format=csv|xlsx` exports every match.
pub async fn list(
    auth: Require<ViewCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::extract::Query(form): crate::extract::Query<CaseSearchForm>,
) -> Result<Response, WebError> {
    list_page(&state, &auth, &headers, &form, None).await
}

async fn list_page<P: Permission>(
    state: &AppState,
    auth: &Require<P>,
    headers: &HeaderMap,
    form: &CaseSearchForm,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/cases");
    let lang = chrome.lang;
    let own_unit = auth.principal.unit_code.clone();
    let mut search = CaseSearch::read(form);
    // A group stands for its fraud types in its unit's area (unless a unit is chosen).
    let group = match search.group_id {
        Some(id) => Some(super::group_filter::group_of(state, &own_unit, id).await?),
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
    let cases = state.store.cases();
    let page = match form.format {
        // An export takes every match, not one screen's page.
        Some(_) => {
            let (cases, scope, filter) = (&cases, &scope, &search.filter);
            every_page("cases", move |r| async move {
                Ok(cases.search(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: form.after.clone(),
                limit: PAGE_ROWS,
            };
            cases.search(&scope, &search.filter, &request).await?
        }
    };
    let total = cases.count(&scope, &search.filter).await?;
    audit_case_search(state, &search, &auth.principal.login, &unit_code, total).await?;
    if let (0, Some(slip)) = (total, search.slip) {
        search.problems.push(slip);
    }
    let next = page.next.clone();
    let mut unit_names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for c in page.items {
        if !unit_names.contains_key(&c.unit_code) {
            let name = state.unit_name(&c.unit_code).await;
            unit_names.insert(c.unit_code.clone(), name);
        }
        rows.push(CaseRow {
            reported: time(c.reported_at),
            victim: c.victim_name.as_deref().map(mask_name).unwrap_or_default(),
            unit: unit_names[&c.unit_code].clone(),
            loss: yuan(c.loss_fen),
            fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
            source: source_label(lang, &c.source),
            occupation: occupation_label(lang, c.occupation, None),
            id: c.id,
        });
    }
    if let Some(format) = form.format {
        let heads = [
            "col_id",
            "reported_at",
            "victim",
            "unit",
            "loss",
            "col_fraud_type",
            "col_source",
            "case_occupation",
        ];
        return crate::export::Table {
            name: "cases".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.reported.clone(),
                        r.victim.clone(),
                        r.unit.clone(),
                        r.loss.clone(),
                        r.fraud_type.clone(),
                        r.source.clone(),
                        r.occupation.clone(),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let units = unit_choices(state, &own_unit, &unit_code).await?;
    let fraud_types = fraud_type_choices(lang, &search.fraud_type);
    let own_scope = state.scope_of(&own_unit).await?;
    let groups = super::group_filter::group_choices(state, &own_scope, search.group_id).await?;
    let sources = SOURCES
        .iter()
        .map(|src| Choice {
            value: src.to_string(),
            label: source_label(lang, src),
            selected: search.source == *src,
        })
        .collect();
    let unit_param = if unit_code == own_unit {
        ""
    } else {
        unit_code.as_str()
    };
    render(&ListPage {
        can_manage: ManageCases::allows(&auth.principal),
        lang,
        unit_code: own_unit.clone(),
        chrome,
        rows,
        import,
        query: search.query_string(unit_param),
        search,
        total,
        fraud_types,
        groups,
        sources,
        units,
        occupations: Occupation::ALL
            .iter()
            .map(|o| (o.code(), if lang == Lang::Zh { o.zh() } else { o.en() }))
            .collect(),
        next,
        paged: form.after.is_some(),
    })
    .map(IntoResponse::into_response)
}

/// Longest file name kept (characters).
const MAX_FILE_NAME_CHARS: usize = 200;

/// `POST /cases/import` (multipart: `file`; optional `format` auto | csv | xlsx; optional
/// `unit_code`, a unit inside one's area to import for, one's own unit by default): opens a
/// case per good row of a 110 / 96110 export and answers the cases page with the figures —
/// imported, duplicate (report opened before), rejected with line and reason.
pub async fn import(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let mut upload: Option<(String, Vec<u8>)> = None;
    let mut format = fanzha_ingest::reports::ReportFormat::Auto;
    let mut unit = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.to_string()))?
    {
        match field.name() {
            Some("file") => {
                let name: String = field
                    .file_name()
                    .unwrap_or("reports.csv")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_FILE_NAME_CHARS)
                    .collect();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                upload = Some((name, bytes.to_vec()));
            }
            Some("format") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                format = text.parse().map_err(WebError::BadRequest)?;
            }
            Some("unit_code") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                unit = non_empty(Some(text));
            }
            _ => {}
        }
    }
    let (name, bytes) = upload
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| WebError::BadRequest("choose a report file to import".into()))?;
    let p = &auth.principal;
    let unit = match unit {
        Some(code) => state.unit_within(&p.unit_code, &code).await?.code,
        None => p.unit_code.clone(),
    };
    let outcome = import_cases(&state, &p.login, &unit, &name, &bytes, format).await?;
    list_page(
        &state,
        &auth,
        &headers,
        &CaseSearchForm::default(),
        Some(ImportView::of(&outcome)),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct NewCaseForm {
    resident_id: Option<String>,
    victim_name: Option<String>,
    victim_phone: Option<String>,
    unit_code: String,
    loss_yuan: String,
    narrative: String,
    victim_account: Option<String>,
    /// An occupation's code (or name); empty: not stated.
    occupation: Option<String>,
    /// The victim's employer (工作单位); a public-sector victim's receives the 提示单.
    #[serde(default)]
    employer: Option<String>,
    /// The accounts the victim paid into (收款账号), separated as in an export's cell: a fresh
    /// report's bank cards are asked to stop at once (接警止付).
    #[serde(default)]
    suspect_accounts: Option<String>,
    /// The numbers that called the victim (嫌疑电话).
    #[serde(default)]
    suspect_phones: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// `POST /cases`: opens a case from the form (a 110 / 96110 report); answers a redirect to it.
pub async fn create(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<NewCaseForm>,
) -> Result<Response, WebError> {
    let unit = state
        .unit_within(&auth.principal.unit_code, f.unit_code.trim())
        .await?;
    let loss_fen = fanzha_core::Money::parse(f.loss_yuan.trim())
        .map(|m| m.fen())
        .map_err(|e| WebError::BadRequest(format!("loss: {e}")))?;
    let occupation = match non_empty(f.occupation) {
        None => None,
        Some(text) => Occupation::from_code(&text)
            .map(Some)
            .or_else(|| Occupation::parse_label(&text).ok())
            .ok_or_else(|| WebError::BadRequest(format!("occupation: unknown {text:?}")))?,
    };
    let case = open_case(
        &state,
        &auth.principal.login,
        CaseInput {
            resident_id: non_empty(f.resident_id),
            victim_name: non_empty(f.victim_name),
            victim_phone: non_empty(f.victim_phone),
            unit_code: unit.code,
            reported_at: state.clock.now_ms(),
            loss_fen,
            narrative: f.narrative,
            source: "form".into(),
            victim_account: non_empty(f.victim_account),
            named: serde_json::json!({
                "phones": suspect_phones_of(f.suspect_phones.as_deref().unwrap_or("")),
                "accounts": suspect_accounts_of(f.suspect_accounts.as_deref().unwrap_or("")),
                "apps": [],
                "urls": [],
            }),
            occupation,
            employer: non_empty(f.employer),
            ..CaseInput::default()
        },
    )
    .await?;
    let to = format!("/cases/{}", case.id);
    // htmx would follow a 303 silently and swap the page into the form.
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::CREATED).into_response());
    }
    Ok(Redirect::to(&to).into_response())
}

struct RequestRow {
    id: String,
    account: String,
    institution: String,
    requested: String,
    held: String,
    state: String,
    deadline: i64,
    open: bool,
    /// Money is stopped or frozen there (or was returned): the returns plan applies.
    returns: bool,
    /// The warning a protective request (保护性止付) was asked from before the case; empty
    /// for a request of the case's trace.
    warning_id: String,
    /// Asked at the report on an account the victim named (接警止付).
    intake: bool,
}

/// A warning the victim had before the case.
struct WarningRow {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    detected: String,
    fraud_type: String,
}

/// A case linked to this one (串并), with what links them.
struct LinkedRow {
    id: String,
    reported: String,
    unit: String,
    loss: String,
    fraud_type: String,
    /// "同一收款账户 6222 **** **** 1234", one per shared value.
    links: Vec<String>,
    /// The link kinds, space-separated (for tests and styling).
    kinds: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    lang: Lang,
    /// The employer notice (提示单) of a public-sector victim's case.
    notice: Option<super::public_sector::NoticeView>,
    /// The case's 典型案例 entry and its form.
    typical: super::typical_cases::TypicalView,
    order_source: super::leak_sources::OrderSourceView,
    chrome: Chrome,
    /// Taking extracts in and tracing; without it the page is read-only.
    can_manage: bool,
    c: Case,
    victim: String,
    phone: String,
    /// The victim's occupation, with what the report wrote for 其他.
    occupation: String,
    /// Its code, `unknown` when unknown.
    occupation_code: &'static str,
    /// 受害人宣防情况 in words (未回访 until asked), its code (`unknown`), and the choices to
    /// record it when the reader may.
    prior_outreach: &'static str,
    prior_outreach_code: &'static str,
    prior_outreach_choices: Vec<super::choices::Choice>,
    follow_up: bool,
    unit: String,
    loss: String,
    reported: String,
    fraud_type: String,
    score: String,
    terms: Vec<String>,
    transfers: usize,
    extracts: Vec<String>,
    requests: Vec<RequestRow>,
    held_total: String,
    message: Option<String>,
    warnings: Vec<WarningRow>,
    /// Whether the warnings are links (a leader reads their numbers only).
    can_view_warnings: bool,
    /// What the victim named: (label key, values).
    named: Vec<(&'static str, String)>,
    /// The named receiving accounts and their stop-payments (接警止付).
    intake: Vec<super::case_intake::IntakeRow>,
    /// Some named account of a known bank has not been asked for yet.
    intake_askable: bool,
    /// The suspect numbers named, each to ask an operator to shut down (empty unless the
    /// reader may ask).
    disposal_numbers: Vec<String>,
    /// Residents of one's area holding the accounts of the stop-payments (masked).
    holders: Vec<super::mule_accounts::HolderRow>,
    /// Whether the 重点人员 badges of suspects and holders link to their dossiers.
    dossier_links: bool,
    /// Linked cases inside one's area, latest report first.
    linked: Vec<LinkedRow>,
    /// How many there are (past the rows shown too).
    linked_total: i64,
    /// The loss of the group: this case and every linked one.
    group_loss: String,
    /// More linked cases than rows.
    linked_more: bool,
    /// 打击成效: status, recovered money, suspects (masked).
    enf: super::enforcement::CaseEnforcementView,
}

/// What links two cases, in words, with the shared value masked where it is a number.
fn link_label(lang: Lang, kind: LinkKind, value: &str) -> String {
    let (key, shown) = match kind {
        LinkKind::SuspectPhone => ("link_suspect_phone", mask_phone(value)),
        LinkKind::ReceivingAccount => ("link_receiving_account", mask_card(value)),
        LinkKind::StopPaymentAccount => ("link_stop_payment_account", mask_card(value)),
        LinkKind::SuspectAccount => ("link_suspect_account", mask_card(value)),
        LinkKind::App => ("link_app", value.to_string()),
        LinkKind::Url => ("link_url", value.to_string()),
    };
    format!("{} {shown}", lang.t(key))
}

async fn linked_rows(
    state: &AppState,
    lang: Lang,
    cases: Vec<fanzha_store::LinkedCase>,
) -> Vec<LinkedRow> {
    let mut unit_names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(cases.len());
    for l in cases {
        let c = l.case;
        if !unit_names.contains_key(&c.unit_code) {
            let name = state.unit_name(&c.unit_code).await;
            unit_names.insert(c.unit_code.clone(), name);
        }
        let mut kinds: Vec<&str> = l.links.iter().map(|k| k.kind.as_str()).collect();
        kinds.dedup();
        rows.push(LinkedRow {
            reported: time(c.reported_at),
            unit: unit_names[&c.unit_code].clone(),
            loss: yuan(c.loss_fen),
            fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
            links: l
                .links
                .iter()
                .map(|k| link_label(lang, k.kind, &k.value))
                .collect(),
            kinds: kinds.join(" "),
            id: c.id,
        });
    }
    rows
}

/// The victim's named numbers, accounts, apps and URLs, for the case page (suspects' data,
/// not the victim's).
fn named_rows(named: &serde_json::Value) -> Vec<(&'static str, String)> {
    [
        ("suspect_phones", "phones"),
        ("suspect_accounts", "accounts"),
        ("apps", "apps"),
        ("urls", "urls"),
    ]
    .into_iter()
    .filter_map(|(label, key)| {
        let values: Vec<&str> = named[key]
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        (!values.is_empty()).then(|| (label, values.join("、")))
    })
    .collect()
}

pub fn institution_label(v: &serde_json::Value) -> String {
    match v["kind"].as_str() {
        Some("bank") => v["name"].as_str().unwrap_or("").to_string(),
        Some("third_party_payment") => "第三方支付平台".into(),
        _ => "未知机构".into(),
    }
}

pub fn state_label(lang: Lang, s: &str) -> &'static str {
    let (zh, en) = match s {
        "requested" => ("待止付", "Requested"),
        "held" => ("已止付", "Held"),
        "failed" => ("止付失败", "Failed"),
        "lapsed" => ("已失效", "Lapsed"),
        "frozen" => ("已冻结", "Frozen"),
        "returned" => ("已返还", "Returned"),
        _ => ("未知", "Unknown"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

pub(super) async fn case_page<P: Permission>(
    state: &AppState,
    auth: &Require<P>,
    headers: &HeaderMap,
    id: &str,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/cases");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let c = state.store.cases().get(&scope, id).await?;
    let transfers = state.store.cases().transfers(&scope, id).await?;
    let mut extracts: Vec<String> = transfers
        .iter()
        .filter_map(|t| t.source_file.clone())
        .collect();
    extracts.sort();
    extracts.dedup();
    let page = state
        .store
        .stop_payments()
        .list(
            &Viewer::Police(scope.clone()),
            Some(id),
            false,
            &PageRequest::first(500),
        )
        .await?;
    let held_total: i64 = page.items.iter().map(|s| s.held_fen).sum();
    let (intake, intake_askable) = super::case_intake::rows(lang, &c, &page.items);
    let requests = page
        .items
        .into_iter()
        .map(|s| RequestRow {
            intake: s.is_intake(),
            institution: institution_label(&s.institution),
            requested: yuan(s.requested_fen),
            held: yuan(s.held_fen),
            state: state_label(lang, &s.state).to_string(),
            open: s.state == "requested",
            returns: matches!(s.state.as_str(), "held" | "frozen" | "returned"),
            deadline: s.deadline,
            account: fanzha_core::mask::mask_card(&s.account),
            warning_id: s.warning_id.unwrap_or_default(),
            id: s.id,
        })
        .collect();
    // The holders section leads to 涉案账户开户人: shown to those who may open it.
    let holders = if ViewMuleAccounts::allows(&auth.principal) {
        let found = state.store.mule_accounts().for_case(&scope, id).await?;
        super::mule_accounts::holder_rows(state, &scope, lang, found).await?
    } else {
        Vec::new()
    };
    let linked = state.store.cases().linked(&scope, id).await?;
    let linked_total = linked.total;
    let group_loss = yuan(c.loss_fen + linked.loss_fen);
    let linked = linked_rows(state, lang, linked.cases).await;
    let warnings = state
        .store
        .warnings()
        .for_case(&scope, id)
        .await?
        .into_iter()
        .map(|w| WarningRow {
            level_label: super::view::level_label(lang, w.level),
            detected: time(w.detected_at),
            fraud_type: fraud_type_label(lang, w.fraud_type.as_deref()),
            level_class: super::view::level_class(w.level),
            id: w.id,
        })
        .collect();
    let enf = super::enforcement::case_section(
        state,
        &scope,
        lang,
        &c,
        RecordEnforcement::allows(&auth.principal),
    )
    .await?;
    let notice = super::public_sector::case_section(
        state,
        &scope,
        lang,
        &c,
        ManageCases::allows(&auth.principal),
    )
    .await?;
    let typical = super::typical_cases::case_section(
        state,
        &scope,
        lang,
        &c,
        ManageCases::allows(&auth.principal),
    )
    .await?;
    let order_source = super::leak_sources::case_section(
        state,
        lang,
        &c,
        RecordVictimFollowUp::allows(&auth.principal),
    )
    .await?;
    render(&CasePage {
        order_source,
        enf,
        notice,
        typical,
        can_manage: ManageCases::allows(&auth.principal),
        can_view_warnings: ViewWarnings::allows(&auth.principal),
        lang,
        warnings,
        holders,
        dossier_links: ManageKeyPersons::allows(&auth.principal),
        linked_more: linked_total > linked.len() as i64,
        linked,
        linked_total,
        group_loss,
        named: named_rows(&c.named),
        intake,
        intake_askable,
        disposal_numbers: if RequestNumberDisposals::allows(&auth.principal) {
            c.named["phones"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        },
        victim: c.victim_name.as_deref().map(mask_name).unwrap_or_default(),
        occupation: occupation_label(lang, c.occupation, c.occupation_text.as_deref()),
        occupation_code: c.occupation.map_or("unknown", Occupation::code),
        prior_outreach: c
            .prior_outreach
            .map_or(lang.t("prior_outreach_unknown"), |p| {
                super::view::pick(lang, p.zh(), p.en())
            }),
        prior_outreach_code: c.prior_outreach.map_or("unknown", PriorOutreach::as_str),
        prior_outreach_choices: PriorOutreach::ALL
            .iter()
            .map(|p| super::choices::Choice {
                value: p.as_str().into(),
                label: super::view::pick(lang, p.zh(), p.en()).into(),
                selected: c.prior_outreach == Some(*p),
            })
            .collect(),
        follow_up: RecordVictimFollowUp::allows(&auth.principal),
        phone: c
            .victim_phone
            .as_deref()
            .map(mask_phone)
            .unwrap_or_default(),
        unit: state.unit_name(&c.unit_code).await,
        loss: yuan(c.loss_fen),
        reported: time(c.reported_at),
        fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
        score: format!("{:.2}", c.type_score as f64 / 1000.0),
        terms: c
            .top_terms
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t["term"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        transfers: transfers.len(),
        extracts,
        requests,
        held_total: yuan(held_total),
        message,
        chrome,
        c,
    })
}

pub async fn detail(
    auth: Require<ViewCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    case_page(&state, &auth, &headers, &id, None).await
}

/// `POST /cases/{id}/extracts` (multipart `file`, optional `victim_account`): takes a bank
/// extract in; rejected rows are listed with line and reason.
pub async fn upload(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Html<String>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let case = state.store.cases().get(&scope, &id).await?;
    let mut message = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.to_string()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("extract.csv").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        if bytes.is_empty() {
            continue;
        }
        let (n, rejected) =
            take_in_extract(&state, &auth.principal.login, &case, &name, &bytes).await?;
        let lang = Lang::from_headers(&headers);
        message.push(format!(
            "{name}: {} {n} · {} {}",
            lang.t("transfers_taken_in"),
            lang.t("rows_rejected"),
            rejected.len()
        ));
        message.extend(rejected.into_iter().take(20));
    }
    case_page(&state, &auth, &headers, &id, Some(message.join("\n"))).await
}

#[derive(Debug, Deserialize)]
pub struct TraceForm {
    victim_account: Option<String>,
}

/// `POST /cases/{id}/trace`: traces the money and requests stop-payments for every holder.
pub async fn trace(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<TraceForm>,
) -> Result<Html<String>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let mut case = state.store.cases().get(&scope, &id).await?;
    if let Some(acc) = non_empty(f.victim_account) {
        case.victim_account = Some(acc);
    }
    let lang = Lang::from_headers(&headers);
    let out = trace_case(&state, &auth.principal.login, &case).await?;
    let msg = format!(
        "{} {} · {} {} · {} {} · {} {}",
        lang.t("traced"),
        yuan(out.traced_fen),
        lang.t("held_in_accounts"),
        yuan(out.held_fen),
        lang.t("holders"),
        out.holders,
        lang.t("new_requests"),
        out.new_requests
    );
    case_page(&state, &auth, &headers, &id, Some(msg)).await
}

#[derive(Template)]
#[template(path = "case_notice.html")]
struct NoticePage {
    lang: Lang,
    c: Case,
    loss: String,
    reported: String,
    fraud_type: String,
    /// The issue date, or today for a draft.
    today: String,
    /// The number once issued (`〔2026〕第12号`); a draft has none.
    number: Option<String>,
    /// The employer and station addressed: the notice's once issued, else the case's.
    employer: String,
    station: String,
    /// The victim works for an alliance member (not public-sector staff).
    alliance: bool,
}

/// How a notice addresses the station of a unit: the org tree names townships and streets
/// (阳明街道), so their station is that name with 派出所; a unit already named as police
/// (…派出所, …公安局, …分局) is addressed as named.
fn station_addressee(unit_name: &str) -> String {
    if ["派出所", "公安局", "分局", "警务室"]
        .iter()
        .any(|s| unit_name.ends_with(s))
    {
        unit_name.to_string()
    } else {
        format!("{unit_name}派出所")
    }
}

/// `GET /cases/{id}/notice`: 提示单 to the employer of a public-sector victim, for printing —
/// once issued with its number, employer and station (see `pages/public_sector.rs`), before
/// that as a draft addressed to the case's employer and unit.
pub async fn notice(
    auth: Require<ViewCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let c = state.store.cases().get(&scope, &id).await?;
    let Some(ground) = state.store.employer_notices().owed(&scope, &id).await? else {
        return Err(WebError::BadRequest(
            "the victim is neither public-sector staff nor staff of an alliance member; no \
             employer notice"
                .into(),
        ));
    };
    // The notice names the victim in full: who printed it is on the record.
    state
        .store
        .audit()
        .append(&fanzha_store::NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "view_personal_data".into(),
            target_type: "case".into(),
            target_id: Some(c.id.clone()),
            unit_code: Some(c.unit_code.clone()),
            detail: serde_json::json!({ "via": "employer_notice" }),
        })
        .await?;
    let lang = Lang::from_headers(&headers);
    let issued = state.store.employer_notices().of_case(&scope, &id).await?;
    let (number, employer, station_code, day) = match &issued {
        Some(n) => (
            Some(n.number()),
            n.employer.clone(),
            n.station_unit.clone(),
            n.issued_at,
        ),
        None => (
            None,
            c.employer.clone().unwrap_or_default(),
            c.unit_code.clone(),
            state.clock.now_ms(),
        ),
    };
    render(&NoticePage {
        lang,
        loss: yuan(c.loss_fen),
        reported: time(c.reported_at),
        fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
        today: fanzha_core::time::format_shanghai_date(day),
        number,
        employer,
        station: station_addressee(&state.unit_name(&station_code).await),
        alliance: ground == fanzha_store::NoticeGround::AllianceMember,
        c,
    })
}

#[derive(Debug, Deserialize)]
pub struct PriorOutreachForm {
    /// A [`PriorOutreach`] code; empty: not known after all.
    #[serde(default)]
    prior_outreach: String,
}

/// `POST /cases/{id}/prior-outreach` (`prior_outreach`: `face_to_face`, `remote_only`, `never`
/// or empty): records what the victim said when asked whether outreach had reached them
/// before (audited by the store, with the value before), and answers with the case page. A
/// case outside one's area answers not-found.
pub async fn set_prior_outreach(
    auth: Require<RecordVictimFollowUp>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<PriorOutreachForm>,
) -> Result<Response, WebError> {
    let value = match f.prior_outreach.trim() {
        "" => None,
        v => Some(PriorOutreach::parse(v).ok_or_else(|| {
            WebError::BadRequest(format!(
                "prior_outreach must be face_to_face, remote_only, never or empty, not `{v}`"
            ))
        })?),
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .cases()
        .set_prior_outreach(
            &scope,
            &id,
            value,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    let to = format!(
        "/cases/{}#prior-outreach",
        form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    );
    Ok(super::after_write(&headers, to, axum::http::StatusCode::OK))
}
