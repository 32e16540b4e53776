//! 提请惩戒 / 不准出境报备: on a dossier, the unit proposes a punishment or an exit ban and sees
//! its proposals; on `/key-persons/proposals`, the area's proposals by state and kind with their
//! figures, and — for the center — the steps: report up (上报), return with why (退回), and the
//! decision from above: in force from a day (entered on the dossier) or declined. Names and ID
//! numbers masked in the list and its export; the center's 报送名单 (the proposals reported up
//! and awaiting the decision, in full, for the authority that decides) is the one export with
//! full values, and each is written to the audit log. Data from the store's
//! [`fanzha_store::KeyPersonProposals`], whose steps are audited in the change's transaction.

use super::choices::{non_empty, Choice};
use super::key_persons::{category_label, punishment_label};
use super::view::{date, midnight, pick};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageKeyPersons, Permission, ReportKeyPersonMeasures};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_core::time::format_shanghai;
use fanzha_core::ResidentId;
use fanzha_store::{
    NewAuditEntry, NewProposal, PageRequest, Proposal, ProposalFigures, ProposalFilter,
    ProposalKind, ProposalState, ProposalStep, PunishmentKind,
};
use serde::Deserialize;

/// A proposal as listed: the person masked.
pub struct ProposalRow {
    pub id: i64,
    pub version: i64,
    pub key_person_id: i64,
    pub person: String,
    pub kind: String,
    pub category: &'static str,
    pub reason: String,
    pub state_code: &'static str,
    pub state: &'static str,
    pub proposed: String,
    pub reported: String,
    pub decided: String,
    pub note: String,
}

/// What is proposed: the kind, and for a punishment the measure.
fn kind_label(lang: Lang, p: &Proposal) -> String {
    match (p.kind, p.punishment_kind) {
        (ProposalKind::Punishment, Some(k)) => format!(
            "{} · {}",
            pick(lang, p.kind.zh(), p.kind.en()),
            punishment_label(lang, k)
        ),
        _ => pick(lang, p.kind.zh(), p.kind.en()).to_string(),
    }
}

pub fn row(lang: Lang, p: Proposal) -> ProposalRow {
    let kind = kind_label(lang, &p);
    ProposalRow {
        id: p.id,
        version: p.version,
        key_person_id: p.key_person_id,
        person: format!(
            "{} {}",
            p.name.as_deref().map(mask_name).unwrap_or_default(),
            mask_resident_id(&p.resident_id)
        ),
        kind,
        category: category_label(lang, p.category),
        reason: p.reason,
        state_code: p.state.as_str(),
        state: pick(lang, p.state.zh(), p.state.en()),
        proposed: format!("{} {}", format_shanghai(p.proposed_at), p.proposed_by),
        reported: match (p.reported_at, p.reported_by) {
            (Some(at), Some(by)) => format!("{} {by}", format_shanghai(at)),
            _ => String::new(),
        },
        decided: match (p.decided_at, p.decided_by) {
            (Some(at), Some(by)) => format!("{} {by}", format_shanghai(at)),
            _ => String::new(),
        },
        note: p.note,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
    /// `csv` or `xlsx`: every proposal of the filter (masked), and the figures.
    #[serde(default)]
    format: Option<ExportFormat>,
    /// For CSV: `proposals` (the default) or `figures`.
    #[serde(default)]
    section: Option<String>,
}

#[derive(Template)]
#[template(path = "key_person_proposals.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    figures: fanzha_store::ProposalFigures,
    year: i32,
    rows: Vec<ProposalRow>,
    next: Option<String>,
    query: String,
    /// The center's steps.
    review: bool,
    today: String,
}

/// `GET /key-persons/proposals[?state=&kind=][&after=KEY][&format=csv|xlsx]`.
pub async fn list(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/key-persons");
    let lang = chrome.lang;
    let st = super::choices::parse_or(non_empty(&q.state), ProposalState::parse, "state")?;
    let kind = super::choices::parse_or(non_empty(&q.kind), ProposalKind::parse, "kind")?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.key_person_proposals();
    let page = repo
        .list(
            &scope,
            &ProposalFilter {
                state: st,
                kind,
                key_person_id: None,
            },
            &PageRequest {
                after: q.after.clone(),
                limit: 100,
            },
        )
        .await?;
    let today = state.today()?;
    let year_start =
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
    let figures = repo
        .figures(&scope, midnight(year_start)?, state.clock.now_ms() + 1)
        .await?;
    if let Some(format) = q.format {
        let filter = ProposalFilter {
            state: st,
            kind,
            key_person_id: None,
        };
        let all = every_page("proposals", |page| {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            async move { Ok(repo.list(scope, filter, &page).await?) }
        })
        .await?;
        let rows = all.items.into_iter().map(|p| row(lang, p)).collect();
        return export(lang, rows, &figures, chrono::Datelike::year(&today))
            .respond(format, q.section.as_deref());
    }
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = st {
            query.append_pair("state", s.as_str());
        }
        if let Some(k) = kind {
            query.append_pair("kind", k.as_str());
        }
        query.finish()
    };
    render(&ListPage {
        states: ProposalState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: pick(lang, s.zh(), s.en()).into(),
                selected: st == Some(*s),
            })
            .collect(),
        kinds: ProposalKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: kind == Some(*k),
            })
            .collect(),
        figures,
        year: chrono::Datelike::year(&today),
        rows: page.items.into_iter().map(|p| row(lang, p)).collect(),
        next: page.next,
        query,
        review: ReportKeyPersonMeasures::allows(&auth.principal),
        today: today.to_string(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ProposeForm {
    kind: String,
    #[serde(default)]
    punishment_kind: String,
    reason: String,
}

/// `POST /key-persons/{id}/proposals` (`kind`, `punishment_kind` for a punishment, `reason`):
/// proposes a punishment or an exit ban for a dossier of one's area (audited by the store);
/// answers with the dossier. One of a kind open per dossier (409 otherwise).
pub async fn propose(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ProposeForm>,
) -> Result<Response, WebError> {
    let kind = ProposalKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{}`", f.kind.trim())))?;
    let punishment_kind = match (kind, f.punishment_kind.trim()) {
        (ProposalKind::ExitBan, _) | (_, "") => None,
        (_, code) => Some(
            PunishmentKind::parse(code)
                .ok_or_else(|| WebError::BadRequest(format!("unknown punishment kind `{code}`")))?,
        ),
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .key_person_proposals()
        .propose(
            &scope,
            &NewProposal {
                key_person_id: id,
                kind,
                punishment_kind,
                reason: f.reason,
                proposed_by: auth.principal.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/key-persons/{id}#proposals"),
        StatusCode::CREATED,
    ))
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    version: i64,
    /// `report`, `return`, `in_force` or `decline`.
    step: String,
    #[serde(default)]
    note: String,
    /// For `in_force`: the first day (Shanghai) and, optionally, the last.
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

/// `POST /key-persons/proposals/{id}/step` (`version`, `step`, `note`, `from`, `until`): the
/// center reports a proposal up, returns it with why, or records the decision — in force from
/// `from` through `until` (entered on the dossier) or declined with why. A step that does not
/// follow from where the proposal stands, or a stale version, is 409.
pub async fn step(
    auth: Require<ReportKeyPersonMeasures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<StepForm>,
) -> Result<Response, WebError> {
    let step = match f.step.trim() {
        "report" => ProposalStep::Report,
        "return" => ProposalStep::Return { note: f.note },
        "decline" => ProposalStep::Decline { note: f.note },
        "in_force" => {
            let from = midnight(date(f.from.trim())?)?;
            let until = match f.until.trim() {
                "" => None,
                d => {
                    // Through the last day: the punishment ends at the next midnight.
                    let last = date(d)?;
                    Some(midnight(last.succ_opt().unwrap_or(last))?)
                }
            };
            ProposalStep::InForce { from, until }
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown step `{other}`: report, return, in_force or decline"
            )))
        }
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .key_person_proposals()
        .step(
            &scope,
            id,
            f.version,
            &step,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        "/key-persons/proposals".into(),
        StatusCode::OK,
    ))
}

/// The list export: the proposals as listed (masked) and the page's figures.
fn export(lang: Lang, rows: Vec<ProposalRow>, f: &ProposalFigures, year: i32) -> Sheets {
    let proposals = rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.person,
                r.category.to_string(),
                r.kind,
                r.reason,
                r.proposed,
                r.state.to_string(),
                r.reported,
                r.decided,
                r.note,
            ]
        })
        .collect();
    let heads = [
        "col_id",
        "kpp_person",
        "kp_category",
        "kpp_kind",
        "kpp_reason",
        "kpp_proposed_at",
        "kpp_state",
        "kpp_reported_at",
        "kpp_decision",
        "kpp_note",
    ];
    let figures = [
        (lang.t("kpp_proposed").to_string(), f.proposed),
        (lang.t("kpp_reported").to_string(), f.reported),
        (lang.t("kpp_in_force").to_string(), f.in_force),
        (lang.t("kpp_returned").to_string(), f.returned),
        (lang.t("kpp_declined").to_string(), f.declined),
        (
            format!("{year} {}", lang.t("kpp_people_punishment")),
            f.people_reported_punishment,
        ),
        (
            format!("{year} {}", lang.t("kpp_people_exit_ban")),
            f.people_reported_exit_ban,
        ),
    ];
    Sheets {
        name: "key_person_proposals".into(),
        sheets: vec![
            Sheet::new(lang, "proposals", "kpp_title", &heads, proposals),
            Sheet::figures(
                lang,
                figures
                    .into_iter()
                    .map(|(k, v)| (k, v.to_string()))
                    .collect(),
            ),
        ],
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportListQuery {
    /// `punishment` or `exit_ban`.
    kind: String,
    format: ExportFormat,
}

/// `GET /key-persons/proposals/report-list?kind=punishment|exit_ban&format=xlsx|csv`: the
/// center's 报送名单 — every proposal of the kind reported up and awaiting the decision, with
/// the person in full (name, sex, birth date, ID number, place of household registration as the
/// ID number gives it), for the authority that decides. Full personal data leaves the platform
/// here, so every export is written to the audit log with the proposals it held.
pub async fn report_list(
    auth: Require<ReportKeyPersonMeasures>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReportListQuery>,
) -> Result<Response, WebError> {
    let lang = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/key-persons").lang;
    let kind = ProposalKind::parse(q.kind.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "unknown kind `{}`: punishment or exit_ban",
            q.kind.trim()
        ))
    })?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.key_person_proposals();
    let filter = ProposalFilter {
        state: Some(ProposalState::Reported),
        kind: Some(kind),
        key_person_id: None,
    };
    let mut all = every_page("proposals", |page| {
        let (repo, scope, filter) = (&repo, &scope, &filter);
        async move { Ok(repo.list(scope, filter, &page).await?) }
    })
    .await?
    .items;
    // The order they went up in: the list is numbered.
    all.sort_by_key(|p| (p.reported_at, p.id));
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "export_personal_data".into(),
            target_type: "key_person_proposals".into(),
            target_id: None,
            unit_code: Some(auth.principal.unit_code.clone()),
            detail: serde_json::json!({
                "via": "report_list",
                "kind": kind.as_str(),
                "rows": all.len(),
                "proposal_ids": all.iter().map(|p| p.id).collect::<Vec<_>>(),
            }),
        })
        .await?;
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(all.len());
    for (n, p) in all.iter().enumerate() {
        // The stored ID number was validated on entry; a legacy row that no longer parses is
        // listed with what the dossier holds and blank derived fields.
        let id = ResidentId::parse_normalised(&p.resident_id).ok();
        rows.push(vec![
            (n + 1).to_string(),
            p.name.clone().unwrap_or_default(),
            id.as_ref()
                .map(|i| pick(lang, i.sex().label(), i.sex().as_str()).to_string())
                .unwrap_or_default(),
            id.as_ref()
                .map(|i| i.birth_date().to_string())
                .unwrap_or_default(),
            p.resident_id.clone(),
            id.as_ref()
                .and_then(ResidentId::region_name)
                .unwrap_or_default(),
            names.get(&p.unit_code).await,
            category_label(lang, p.category).to_string(),
            kind_label(lang, p),
            p.reason.clone(),
            p.proposed_by.clone(),
            format_shanghai(p.proposed_at),
            p.reported_at.map(format_shanghai).unwrap_or_default(),
        ]);
    }
    let heads = [
        "col_no",
        "name",
        "sex",
        "kpp_birth_date",
        "resident_id",
        "kpp_household",
        "unit",
        "kp_category",
        "kpp_kind",
        "kpp_reason",
        "kpp_proposed_by",
        "kpp_proposed_at",
        "kpp_reported_at",
    ];
    let today = state.today()?;
    let table = Table {
        name: format!("report_list_{}_{}", kind.as_str(), today.format("%Y%m%d")),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows,
    };
    table.respond(q.format)
}
