//! 打击成效: on the case page, the investigation status (立案侦查中 / 已破案 / 已撤案·不立案)
//! with the time it was solved and the money recovered (追赃), the suspects (masked) with their
//! role and measure, and the forms to set them; a suspect's page with the person in full
//! (every view audited) and the measure taken; and the register of gangs and dens dismantled
//! (打掉团伙/窝点) of one's area — filtered by period, kind and unit, paged, CSV / XLSX — with
//! its form. Data from the store's [`fanzha_store::Enforcement`], whose writes are audited in
//! the change's transaction.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::view::{date, midnight, pick, time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{Permission, RecordEnforcement, ViewEnforcement};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::{format_shanghai_date, from_shanghai};
use fanzha_core::Money;
use fanzha_store::{
    Case, CaseSupervision, DismantledFilter, DismantledKind, EnforcementUpdate,
    InvestigationStatus, NewDismantled, NewSuspect, PageRequest, Scope, SuspectCharge,
    SuspectMeasure, SuspectRole,
};
use serde::Deserialize;
use std::collections::HashMap;

/// Register entries per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

/// A suspect as the case page lists it: masked.
pub struct SuspectRow {
    pub id: i64,
    pub name: String,
    pub resident_id: String,
    pub phone: String,
    pub role: &'static str,
    pub measure: String,
    pub measure_at: String,
    /// On the wanted list with no measure yet (在逃).
    pub at_large: bool,
    /// The suspect's dossier in the reader's area (重点人员), if any.
    pub key_person: Option<super::key_person_cases::DossierBadge>,
    /// Entered with an ID number (so the person can be listed as a key person).
    pub has_id: bool,
}

/// The case page's 打击成效 section.
pub struct CaseEnforcementView {
    pub status: &'static str,
    pub status_code: &'static str,
    pub solved_at: String,
    /// For the form: the time solved as `YYYY-MM-DDTHH:MM` (Shanghai).
    pub solved_input: String,
    pub recovered: String,
    /// For the form: recovered money in yuan.
    pub recovered_input: String,
    /// 督办 as shown ('' when none) and its code.
    pub supervision: &'static str,
    pub supervision_code: &'static str,
    pub supervisions: Vec<Choice>,
    pub updated: String,
    /// For the form: the version the values shown are at, posted back so that a change made
    /// meanwhile by someone else is refused rather than overwritten.
    pub version: i64,
    pub suspects: Vec<SuspectRow>,
    /// Whether the forms are shown.
    pub can_record: bool,
    pub statuses: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub measures: Vec<Choice>,
    /// 集群战役 launched from the case: (id, name, strike day, running).
    pub operations: Vec<(i64, String, String, bool)>,
}

fn measure_label(lang: Lang, m: Option<SuspectMeasure>) -> String {
    match m {
        Some(m) => pick(lang, m.zh(), m.en()).to_string(),
        None => lang.t("enf_no_measure").to_string(),
    }
}

pub(crate) fn input_time(ms: i64) -> String {
    fanzha_core::time::to_shanghai(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The case page's section: status, recovered money, the suspects masked.
pub async fn case_section(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    c: &Case,
    can_record: bool,
) -> Result<CaseEnforcementView, WebError> {
    let repo = state.store.enforcement();
    let e = repo.of_case(scope, &c.id).await?;
    let suspects = repo.suspects(scope, &c.id).await?;
    let ids: Vec<&str> = suspects
        .iter()
        .filter_map(|s| s.resident_id.as_deref())
        .collect();
    let badges = super::key_person_cases::dossier_badges(state, scope, lang, &ids).await?;
    let suspects = suspects
        .into_iter()
        .map(|s| SuspectRow {
            key_person: s
                .resident_id
                .as_deref()
                .and_then(|rid| badges.get(rid).cloned()),
            has_id: s.resident_id.is_some(),
            id: s.id,
            name: mask_name(&s.name),
            resident_id: s
                .resident_id
                .as_deref()
                .map(mask_resident_id)
                .unwrap_or_default(),
            phone: s.phone.as_deref().map(mask_phone).unwrap_or_default(),
            role: pick(lang, s.role.zh(), s.role.en()),
            measure: measure_label(lang, s.measure),
            measure_at: s.measure_at.map(time).unwrap_or_default(),
            at_large: s.at_large(),
        })
        .collect();
    let operations = state
        .store
        .cluster_operations()
        .of_case(scope, &c.id)
        .await?
        .into_iter()
        .map(|o| {
            let running = o.running();
            (o.id, o.name, format_shanghai_date(o.strike_at), running)
        })
        .collect();
    Ok(CaseEnforcementView {
        operations,
        status: pick(lang, e.status.zh(), e.status.en()),
        status_code: e.status.as_str(),
        solved_at: e.solved_at.map(time).unwrap_or_default(),
        solved_input: e.solved_at.map(input_time).unwrap_or_default(),
        recovered: yuan(e.recovered_fen),
        recovered_input: format!("{}.{:02}", e.recovered_fen / 100, e.recovered_fen % 100),
        supervision: e
            .supervision
            .map(|v| pick(lang, v.zh(), v.en()))
            .unwrap_or(""),
        supervision_code: e.supervision.map(CaseSupervision::as_str).unwrap_or(""),
        supervisions: choices(
            CaseSupervision::ALL,
            CaseSupervision::as_str,
            |v| pick(lang, v.zh(), v.en()),
            e.supervision,
        ),
        updated: match (&e.updated_by, e.updated_at) {
            (Some(by), Some(at)) => format!("{by} · {}", time(at)),
            _ => String::new(),
        },
        version: e.version,
        suspects,
        can_record,
        statuses: choices(
            InvestigationStatus::ALL,
            InvestigationStatus::as_str,
            |s| pick(lang, s.zh(), s.en()),
            Some(e.status),
        ),
        roles: choices(
            SuspectRole::ALL,
            SuspectRole::as_str,
            |s| pick(lang, s.zh(), s.en()),
            None,
        ),
        measures: choices(
            SuspectMeasure::ALL,
            SuspectMeasure::as_str,
            |s| pick(lang, s.zh(), s.en()),
            None,
        ),
    })
}

/// A Shanghai wall-clock time from a form (`2026-03-01T10:30`, `2026-03-01 10:30` or a date).
pub(crate) fn shanghai_time(value: &str, what: &str) -> Result<i64, WebError> {
    let v = value.trim();
    let bad = || WebError::BadRequest(format!("{what}: not a time `{v}`"));
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(bad)?;
    from_shanghai(naive).map_err(|_| bad())
}

fn money_fen(value: &str) -> Result<i64, WebError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(0);
    }
    Money::parse(v)
        .map(Money::fen)
        .map_err(|e| WebError::BadRequest(format!("recovered: {e}")))
}

fn back(headers: &HeaderMap, to: String) -> Response {
    super::after_write(headers, to, axum::http::StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    solved_at: Option<String>,
    #[serde(default)]
    recovered_yuan: Option<String>,
    /// 督办: `ministry`, `province`, `city`, or empty for none.
    #[serde(default)]
    supervision: Option<String>,
    /// The version the form was filled from (hidden field).
    version: i64,
}

/// `POST /cases/{id}/enforcement` (`status`, `solved_at` for a solved case, `recovered_yuan`,
/// `supervision` — 督办 `ministry` | `province` | `city`, empty for none —, `version` — the one
/// the form showed): sets the case's investigation status, the money recovered and who
/// supervises it (audited by the store); 409 when someone changed them since the form was
/// shown.
pub async fn set_status(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<StatusForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let status = InvestigationStatus::parse(f.status.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown status `{}`", f.status)))?;
    let solved_at = match (status, non_empty(&f.solved_at)) {
        (InvestigationStatus::Solved, Some(v)) => Some(shanghai_time(v, "solved_at")?),
        (InvestigationStatus::Solved, None) => {
            return Err(WebError::BadRequest(
                "solved_at: say when it was solved".into(),
            ))
        }
        _ => None,
    };
    let update = EnforcementUpdate {
        status,
        solved_at,
        recovered_fen: money_fen(f.recovered_yuan.as_deref().unwrap_or(""))?,
        supervision: parse_or(
            non_empty(&f.supervision),
            CaseSupervision::parse,
            "supervision",
        )?,
        expected_version: f.version,
        by: auth.principal.login.clone(),
    };
    state
        .store
        .enforcement()
        .set(&scope, &id, &update, state.clock.now_ms())
        .await?;
    Ok(back(&headers, format!("/cases/{id}#enforcement")))
}

#[derive(Debug, Deserialize)]
pub struct SuspectForm {
    name: String,
    #[serde(default)]
    resident_id: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    role: String,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    measure_at: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /cases/{id}/suspects`: adds a suspect (name, ID number, phone, role, optionally the
/// measure and when it was taken) to a case of one's area (audited, the ID number masked). A
/// person already a suspect of the case (the same ID number; a form sent twice) is not added
/// again.
pub async fn add_suspect(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<SuspectForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let role = SuspectRole::parse(f.role.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown role `{}`", f.role)))?;
    let measure = parse_or(non_empty(&f.measure), SuspectMeasure::parse, "measure")?;
    let measure_at = match (measure, non_empty(&f.measure_at)) {
        (Some(_), Some(v)) => Some(shanghai_time(v, "measure_at")?),
        (Some(_), None) => {
            return Err(WebError::BadRequest(
                "measure_at: say when the measure was taken".into(),
            ))
        }
        (None, _) => None,
    };
    state
        .store
        .enforcement()
        .add_suspect(
            &scope,
            &NewSuspect {
                case_id: id.clone(),
                name: f.name,
                resident_id: f.resident_id,
                phone: f.phone,
                role,
                measure,
                measure_at,
                note: f.note.unwrap_or_default(),
                created_by: auth.principal.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{id}#enforcement")))
}

#[derive(Template)]
#[template(path = "suspect.html")]
struct SuspectPage {
    lang: Lang,
    chrome: Chrome,
    s: fanzha_store::Suspect,
    role: &'static str,
    measure: String,
    measure_at: String,
    added: String,
    measures: Vec<Choice>,
    /// 罪名 and 移送起诉 as shown; the form's charges.
    charge: String,
    prosecuted: String,
    prosecuted_on: String,
    charges: Vec<Choice>,
    /// 上网追逃 as shown, and the form's date.
    wanted: String,
    wanted_on: String,
}

/// `GET /suspects/{id}`: a suspect of one's area in full — name, ID number, phone — written to
/// the audit log as `view_personal_data`; with the form for the measure taken.
pub async fn suspect(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/cases");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let s = state.store.enforcement().suspect(&scope, id).await?;
    state
        .store
        .audit()
        .append(&fanzha_store::NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "view_personal_data".into(),
            target_type: "suspect".into(),
            target_id: Some(s.id.to_string()),
            unit_code: Some(s.unit_code.clone()),
            detail: serde_json::json!({ "via": "suspect_detail", "case_id": s.case_id }),
        })
        .await?;
    render(&SuspectPage {
        role: pick(lang, s.role.zh(), s.role.en()),
        measure: measure_label(lang, s.measure),
        measure_at: s.measure_at.map(time).unwrap_or_default(),
        added: format!("{} · {}", s.created_by, time(s.created_at)),
        measures: choices(
            SuspectMeasure::ALL,
            SuspectMeasure::as_str,
            |m| pick(lang, m.zh(), m.en()),
            s.measure,
        ),
        charge: s
            .charge
            .map(|c| pick(lang, c.zh(), c.en()).to_string())
            .unwrap_or_else(|| "—".into()),
        prosecuted: s.prosecuted_at.map(time).unwrap_or_default(),
        prosecuted_on: s
            .prosecuted_at
            .and_then(fanzha_core::time::shanghai_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        charges: choices(
            SuspectCharge::ALL,
            SuspectCharge::as_str,
            |c| pick(lang, c.zh(), c.en()),
            s.charge,
        ),
        wanted: s.wanted_at.map(time).unwrap_or_default(),
        wanted_on: s
            .wanted_at
            .and_then(fanzha_core::time::shanghai_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        lang,
        chrome,
        s,
    })
}

#[derive(Debug, Deserialize)]
pub struct ChargeForm {
    /// A charge code; empty while none is known.
    #[serde(default)]
    charge: String,
    /// The day the case went to the procuratorate; empty while it has not.
    #[serde(default)]
    prosecuted_on: String,
}

/// `POST /suspects/{id}/charge` (`charge`, `prosecuted_on`): records 罪名 and 移送起诉 of a
/// suspect of one's area (audited with the values before).
pub async fn set_charge(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ChargeForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let charge = match f.charge.trim() {
        "" => None,
        code => Some(
            SuspectCharge::parse(code)
                .ok_or_else(|| WebError::BadRequest(format!("unknown charge `{code}`")))?,
        ),
    };
    let prosecuted_at = match f.prosecuted_on.trim() {
        "" => None,
        day => Some(shanghai_time(day, "prosecuted_on")?),
    };
    let s = state
        .store
        .enforcement()
        .set_charge(
            &scope,
            id,
            charge,
            prosecuted_at,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{}#enforcement", s.case_id)))
}

#[derive(Debug, Deserialize)]
pub struct WantedForm {
    /// The day the suspect was put on the wanted list; empty takes them off it.
    #[serde(default)]
    wanted_on: String,
}

/// `POST /suspects/{id}/wanted` (`wanted_on`): puts a suspect of one's area on the wanted list
/// (上网追逃) from that day, or takes them off it (empty); audited with the day before.
pub async fn set_wanted(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<WantedForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let wanted_at = match f.wanted_on.trim() {
        "" => None,
        day => Some(shanghai_time(day, "wanted_on")?),
    };
    let s = state
        .store
        .enforcement()
        .set_wanted(
            &scope,
            id,
            wanted_at,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{}#enforcement", s.case_id)))
}

#[derive(Debug, Deserialize)]
pub struct MeasureForm {
    measure: String,
    measure_at: String,
}

/// `POST /suspects/{id}/measure` (`measure`, `measure_at`): sets or changes the measure taken
/// against a suspect of one's area (audited with the one before).
pub async fn set_measure(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<MeasureForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let measure = SuspectMeasure::parse(f.measure.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown measure `{}`", f.measure)))?;
    let at = shanghai_time(&f.measure_at, "measure_at")?;
    let s = state
        .store
        .enforcement()
        .set_measure(
            &scope,
            id,
            measure,
            at,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{}#enforcement", s.case_id)))
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

struct GangRow {
    id: i64,
    dismantled_on: String,
    unit: String,
    kind: &'static str,
    name: String,
    arrested: i64,
    devices: i64,
    phone_cards: i64,
    bank_cards: i64,
    /// All cards seized; more than phone + bank cards on entries recorded before the two
    /// were counted apart.
    cards: i64,
    cases: Vec<String>,
    note: String,
    created_by: String,
}

#[derive(Template)]
#[template(path = "gangs.html")]
struct RegisterPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    unit_name: String,
    total: i64,
    rows: Vec<GangRow>,
    can_record: bool,
    /// The units one may record for: one's own and those below.
    record_units: Vec<Choice>,
    today: String,
    query: String,
    next: Option<String>,
    paged: bool,
}

/// `GET /gangs[?from=&until=&kind=&unit=][&format=csv|xlsx][&after=KEY]`: the register of gangs
/// and dens dismantled in one's area, the period `from` to `until` inclusive (Shanghai dates;
/// the current year to today by default). No personal data.
pub async fn register(
    auth: Require<ViewEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/gangs");
    let lang = chrome.lang;
    let today = state.today()?;
    let from = match non_empty(&q.from) {
        Some(v) => date(v)?,
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let until = match non_empty(&q.until) {
        Some(v) => date(v)?,
        None => today,
    };
    let kind = parse_or(non_empty(&q.kind), DismantledKind::parse, "kind")?;
    let filter = DismantledFilter {
        from: Some(midnight(from)?),
        until: Some(midnight(until.succ_opt().unwrap_or(until))?),
        kind,
    };
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let repo = state.store.enforcement();
    let page = match q.format {
        Some(_) => {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            every_page("gangs", move |r| async move {
                Ok(repo.dismantled(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            };
            repo.dismantled(&scope, &filter, &request).await?
        }
    };
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for g in page.items {
        if !names.contains_key(&g.unit_code) {
            let n = state.unit_name(&g.unit_code).await;
            names.insert(g.unit_code.clone(), n);
        }
        rows.push(GangRow {
            id: g.id,
            dismantled_on: format_shanghai_date(g.dismantled_on),
            unit: names[&g.unit_code].clone(),
            kind: pick(lang, g.kind.zh(), g.kind.en()),
            name: g.name,
            arrested: g.arrested,
            devices: g.devices,
            phone_cards: g.phone_cards,
            bank_cards: g.bank_cards,
            cards: g.cards,
            cases: g.case_ids,
            note: g.note,
            created_by: g.created_by,
        });
    }
    if let Some(format) = q.format {
        let heads = [
            "enf_dismantled_on",
            "unit",
            "enf_gang_kind",
            "enf_gang_name",
            "enf_arrested",
            "enf_devices",
            "enf_phone_cards",
            "enf_bank_cards",
            "enf_cards",
            "enf_linked_cases",
            "enf_note",
            "enf_recorded_by",
        ];
        return Table {
            name: "dismantled".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.dismantled_on,
                        r.unit,
                        r.kind.to_string(),
                        r.name,
                        r.arrested.to_string(),
                        r.devices.to_string(),
                        r.phone_cards.to_string(),
                        r.bank_cards.to_string(),
                        r.cards.to_string(),
                        r.cases.join("、"),
                        r.note,
                        r.created_by,
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let total = repo.count_dismantled(&scope, &filter).await?;
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from.to_string());
        query.append_pair("until", &until.to_string());
        if let Some(k) = kind {
            query.append_pair("kind", k.as_str());
        }
        if unit_code != own_unit {
            query.append_pair("unit", &unit_code);
        }
        query.finish()
    };
    let units = unit_choices(&state, &own_unit, &unit_code).await?;
    let record_units = unit_choices(&state, &own_unit, &own_unit).await?;
    render(&RegisterPage {
        from: from.to_string(),
        until: until.to_string(),
        kinds: choices(
            DismantledKind::ALL,
            DismantledKind::as_str,
            |k| pick(lang, k.zh(), k.en()),
            kind,
        ),
        units,
        unit_name: state.unit_name(&unit_code).await,
        total,
        rows,
        can_record: RecordEnforcement::allows(&auth.principal),
        record_units,
        today: today.to_string(),
        query,
        next: page.next,
        paged: q.after.is_some(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct GangForm {
    #[serde(default)]
    unit_code: Option<String>,
    kind: String,
    name: String,
    dismantled_on: String,
    #[serde(default)]
    arrested: Option<String>,
    #[serde(default)]
    devices: Option<String>,
    #[serde(default)]
    phone_cards: Option<String>,
    #[serde(default)]
    bank_cards: Option<String>,
    /// Case ids, separated by commas, `、` or spaces.
    #[serde(default)]
    cases: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn count(value: &Option<String>, what: &str) -> Result<i64, WebError> {
    match non_empty(value) {
        None => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number"))),
    }
}

/// `POST /gangs`: records a gang or den dismantled by one's unit or a unit below (default
/// one's own), linked to cases of one's area (audited by the store).
pub async fn record_gang(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<GangForm>,
) -> Result<Response, WebError> {
    let own = &auth.principal.unit_code;
    let unit_code = non_empty(&f.unit_code).unwrap_or(own).to_string();
    let scope = state.scope_of(own).await?;
    let kind = DismantledKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{}`", f.kind)))?;
    let case_ids = f
        .cases
        .as_deref()
        .unwrap_or("")
        .split(|c: char| c == ',' || c == '，' || c == '、' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    state
        .store
        .enforcement()
        .record_dismantled(
            &scope,
            &NewDismantled {
                unit_code,
                kind,
                name: f.name,
                dismantled_on: midnight(date(&f.dismantled_on)?)?,
                arrested: count(&f.arrested, "arrested")?,
                devices: count(&f.devices, "devices")?,
                phone_cards: count(&f.phone_cards, "phone_cards")?,
                bank_cards: count(&f.bank_cards, "bank_cards")?,
                case_ids,
                note: f.note.unwrap_or_default(),
                created_by: auth.principal.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, "/gangs".into()))
}
