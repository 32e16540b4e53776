//! 集群战役: the cluster operations of one's area — launched here, or with targets landed here —
//! each with its progress (落地, 抓获, 未查到 per landing unit, pending targets past the strike
//! day marked); an operation's page with its targets (masked), the landing units' report forms,
//! the launcher's forms (add a target, import a target list, withdraw, end) and CSV / XLSX of
//! the targets; a target's page in full (every view audited). Data from the store's
//! [`fanzha_store::ClusterOperations`], whose writes are audited in the change's transaction.

use super::choices::{choices, unit_choices, Choice};
use super::enforcement::shanghai_time;
use super::figure_imports::FigureImportView;
use super::view::{date, midnight, pick, time};
use super::{after_write, render, Chrome};
use crate::auth::permission::{Permission, RecordEnforcement, ViewEnforcement};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::{format_shanghai_date, shanghai_date};
use fanzha_store::{
    NewOperation, NewTarget, OperationSummary, SuspectMeasure, SuspectRole, Target, TargetCounts,
    TargetReport, TargetState, VisibleTarget,
};
use serde::Deserialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

/// An operation as the list shows it.
struct OperationRow {
    id: i64,
    name: String,
    unit: String,
    case_id: String,
    strike_on: String,
    running: bool,
    launcher: bool,
    counts: TargetCounts,
    /// Targets still pending after the strike day.
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cluster_operations.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    rows: Vec<OperationRow>,
    can_launch: bool,
    units: Vec<Choice>,
    /// A case to launch from (`?case=`), filled in the form.
    case_id: String,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    case: Option<String>,
}

/// Whether targets of an operation are still pending once its strike day is over.
fn overdue(strike_at: i64, counts: &TargetCounts, now: i64) -> bool {
    counts.pending > 0 && now >= strike_at + DAY_MS
}

/// `GET /operations[?case=ID]`: the cluster operations of one's area, the latest first, with
/// the form to launch one (from the case named, when one is).
pub async fn list(
    auth: Require<ViewEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/operations");
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let mut rows = Vec::new();
    for s in state.store.cluster_operations().list(&scope).await? {
        let o = &s.operation;
        rows.push(OperationRow {
            id: o.id,
            unit: state.unit_name(&o.unit_code).await,
            case_id: o.case_id.clone(),
            strike_on: format_shanghai_date(o.strike_at),
            running: o.running(),
            launcher: s.launcher,
            overdue: o.running() && overdue(o.strike_at, &s.counts, now),
            counts: s.counts,
            name: o.name.clone(),
        });
    }
    let can_launch = RecordEnforcement::allows(p);
    let units = if can_launch {
        unit_choices(&state, &p.unit_code, &p.unit_code).await?
    } else {
        Vec::new()
    };
    render(&ListPage {
        lang: chrome.lang,
        unit_name: state.unit_name(&p.unit_code).await,
        rows,
        can_launch,
        units,
        case_id: q.case.unwrap_or_default().trim().to_string(),
        today: shanghai_date(now)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct LaunchForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    case_id: String,
    /// The strike day (`YYYY-MM-DD`); today when empty.
    #[serde(default)]
    strike_on: String,
    #[serde(default)]
    goal: String,
}

/// `POST /operations` (`unit_code` — one's own unit when empty —, `name`, `case_id`,
/// `strike_on`, `goal`): launches an operation (audited) and opens it.
pub async fn launch(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<LaunchForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let strike_at = match f.strike_on.trim() {
        "" => shanghai_date(now)
            .ok_or_else(|| WebError::BadRequest("no date for today".into()))
            .and_then(midnight)?,
        d => midnight(date(d)?)?,
    };
    let id = state
        .store
        .cluster_operations()
        .launch(
            &scope,
            &NewOperation {
                unit_code: match f.unit_code.trim() {
                    "" => p.unit_code.clone(),
                    u => u.to_string(),
                },
                name: f.name,
                case_id: f.case_id,
                strike_at,
                goal: f.goal,
                by: p.login.clone(),
                at: now,
            },
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/operations/{id}"),
        StatusCode::OK,
    ))
}

/// A landing unit's line of progress.
struct UnitProgress {
    unit: String,
    counts: TargetCounts,
    overdue: bool,
}

/// A target as the operation's page lists it: masked.
struct TargetRow {
    id: i64,
    name: String,
    resident_id: String,
    phone: String,
    role: &'static str,
    unit: String,
    clue: String,
    state_code: &'static str,
    state: &'static str,
    measure: String,
    report_note: String,
    reported: String,
    version: i64,
    /// Open to a report (not caught nor withdrawn) and the reader may report.
    can_report: bool,
    can_withdraw: bool,
    suspect_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "cluster_operation.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    id: i64,
    name: String,
    unit: String,
    case_id: String,
    strike_on: String,
    goal: String,
    launched: String,
    ended: String,
    running: bool,
    launcher: bool,
    counts: TargetCounts,
    /// 落地率: targets reported on over targets still on the operation, as a percentage.
    landed_rate: String,
    overdue: bool,
    progress: Vec<UnitProgress>,
    targets: Vec<TargetRow>,
    can_record: bool,
    roles: Vec<Choice>,
    measures: Vec<Choice>,
    report_states: Vec<Choice>,
    landing_units: Vec<Choice>,
    /// The result of a target-list import just done.
    import: Option<FigureImportView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    format: Option<ExportFormat>,
}

/// `GET /operations/{id}[?format=csv|xlsx]`: an operation of one's area with its progress and
/// targets (masked; a landing unit reads its own targets only); the export lists the targets.
pub async fn detail(
    auth: Require<ViewEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, WebError> {
    respond(
        &auth.principal,
        &auth.csrf_token,
        &state,
        &headers,
        id,
        q.format,
        None,
    )
    .await
}

async fn respond(
    p: &Principal,
    csrf: &str,
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    format: Option<ExportFormat>,
    import: Option<FigureImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(p, csrf, headers, "/operations");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let ops = state.store.cluster_operations();
    let (
        OperationSummary {
            operation: o,
            launcher,
            counts,
        },
        targets,
    ) = ops.open(&scope, id).await?;
    let now = state.clock.now_ms();
    let can_record = RecordEnforcement::allows(p);
    let mut unit_names = BTreeMap::new();
    for t in &targets {
        if !unit_names.contains_key(&t.unit_code) {
            unit_names.insert(t.unit_code.clone(), state.unit_name(&t.unit_code).await);
        }
    }
    let rows: Vec<TargetRow> = targets
        .iter()
        .map(|t| target_row(lang, t, &unit_names, can_record, launcher))
        .collect();
    if let Some(format) = format {
        return export(lang, &o.name, &rows).respond(format);
    }
    let mut by_unit: BTreeMap<&str, TargetCounts> = BTreeMap::new();
    for t in &targets {
        by_unit
            .entry(t.unit_code.as_str())
            .or_default()
            .add(t.state, 1);
    }
    let progress = by_unit
        .into_iter()
        .map(|(code, counts)| UnitProgress {
            unit: unit_names.get(code).cloned().unwrap_or_default(),
            overdue: o.running() && overdue(o.strike_at, &counts, now),
            counts,
        })
        .collect();
    let landing_units = if launcher && can_record && o.running() {
        landing_choices(state, &o.unit_code).await?
    } else {
        Vec::new()
    };
    let report_states = [
        TargetState::Located,
        TargetState::Caught,
        TargetState::NotFound,
    ];
    render(&DetailPage {
        id: o.id,
        unit: state.unit_name(&o.unit_code).await,
        case_id: o.case_id.clone(),
        strike_on: format_shanghai_date(o.strike_at),
        goal: o.goal.clone(),
        launched: format!("{} · {}", o.created_by, time(o.created_at)),
        ended: match (&o.ended_by, o.ended_at) {
            (Some(by), Some(at)) => format!("{by} · {}", time(at)),
            _ => String::new(),
        },
        running: o.running(),
        launcher,
        landed_rate: match counts.active() {
            0 => "—".into(),
            n => format!("{:.1}%", counts.landed() as f64 * 100.0 / n as f64),
        },
        overdue: o.running() && overdue(o.strike_at, &counts, now),
        counts,
        progress,
        targets: rows,
        can_record,
        roles: choices(
            SuspectRole::ALL,
            SuspectRole::as_str,
            |r| pick(lang, r.zh(), r.en()),
            None,
        ),
        measures: choices(
            SuspectMeasure::ALL,
            SuspectMeasure::as_str,
            |m| pick(lang, m.zh(), m.en()),
            None,
        ),
        report_states: choices(
            &report_states,
            TargetState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            None,
        ),
        landing_units,
        import,
        name: o.name,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

fn target_row(
    lang: Lang,
    t: &Target,
    unit_names: &BTreeMap<String, String>,
    can_record: bool,
    launcher: bool,
) -> TargetRow {
    let open = !t.state.is_final();
    TargetRow {
        id: t.id,
        name: mask_name(&t.name),
        resident_id: mask_resident_id(&t.resident_id),
        phone: t.phone.as_deref().map(mask_phone).unwrap_or_default(),
        role: pick(lang, t.role.zh(), t.role.en()),
        unit: unit_names.get(&t.unit_code).cloned().unwrap_or_default(),
        clue: t.clue.clone(),
        state_code: t.state.as_str(),
        state: pick(lang, t.state.zh(), t.state.en()),
        measure: match (t.measure, t.measure_at) {
            (Some(m), Some(at)) => format!("{} · {}", pick(lang, m.zh(), m.en()), time(at)),
            _ => String::new(),
        },
        report_note: t.report_note.clone(),
        reported: match (&t.reported_by, t.reported_at) {
            (Some(by), Some(at)) => format!("{by} · {}", time(at)),
            _ => String::new(),
        },
        version: t.version,
        can_report: can_record && open,
        can_withdraw: can_record && open && launcher,
        suspect_id: t.suspect_id,
    }
}

fn export(lang: Lang, name: &str, rows: &[TargetRow]) -> Table {
    let heads = [
        "op_target_name",
        "resident_id",
        "enf_phone",
        "enf_role",
        "op_landing_unit",
        "op_clue",
        "op_state",
        "enf_measure",
        "op_report_note",
        "op_reported",
    ];
    Table {
        name: format!("cluster_operation_{name}"),
        headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.resident_id.clone(),
                    r.phone.clone(),
                    r.role.to_string(),
                    r.unit.clone(),
                    r.clue.clone(),
                    r.state.to_string(),
                    r.measure.clone(),
                    r.report_note.clone(),
                    r.reported.clone(),
                ]
            })
            .collect(),
    }
}

/// The units a target may land on, for the launcher's form: empty (the platform places the
/// person), the launching unit and the two levels below it (counties, stations).
async fn landing_choices(state: &AppState, unit_code: &str) -> Result<Vec<Choice>, WebError> {
    let mut out = vec![Choice {
        value: String::new(),
        label: String::new(),
        selected: true,
    }];
    for u in state.store.units().subtree(unit_code, Some(2)).await? {
        out.push(Choice {
            label: u.name.clone(),
            value: u.code,
            selected: false,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
    /// Empty: where the platform places the person.
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    clue: String,
}

/// `POST /operations/{id}/targets` (`name`, `resident_id`, `phone`, `role`, `unit_code`,
/// `clue`): the launcher adds one target (audited).
pub async fn add_target(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<TargetForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let role = match f.role.trim() {
        "" => SuspectRole::Other,
        r => SuspectRole::parse(r)
            .ok_or_else(|| WebError::BadRequest(format!("unknown role `{r}`")))?,
    };
    let phone = Some(f.phone).filter(|v| !v.trim().is_empty());
    state
        .store
        .cluster_operations()
        .add_targets(
            &scope,
            id,
            &[NewTarget {
                name: f.name,
                resident_id: f.resident_id,
                phone,
                role,
                unit_code: Some(f.unit_code),
                clue: f.clue,
            }],
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/operations/{id}#targets"),
        StatusCode::OK,
    ))
}

/// `POST /operations/{id}/targets/import` (multipart: `file`, `format`): the launcher's list of
/// targets added in one go; rows in error quarantined with line and reason. Answers the
/// operation's page with what the import did.
pub async fn import_targets(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let mut up = super::upload::Upload::read(multipart, "targets.csv", &[]).await?;
    let format = up.format;
    let (file, bytes) = up.take_file("choose the list of targets (CSV or XLSX)")?;
    let done = crate::operation_import::import_targets(
        &state,
        &crate::operation_import::TargetUpload {
            login: &p.login,
            unit_code: &p.unit_code,
            operation_id: id,
            file: &file,
            bytes: &bytes,
            format,
        },
    )
    .await?;
    let view = FigureImportView::new(
        done.import_run,
        file,
        done.read,
        done.added + done.already,
        &done.rejected,
    );
    respond(p, &auth.csrf_token, &state, &headers, id, None, Some(view)).await
}

/// `POST /operations/{id}/end`: the launcher ends the operation (audited); reports still come.
pub async fn end(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .cluster_operations()
        .end(&scope, id, &p.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        format!("/operations/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "cluster_target.html")]
struct TargetPage {
    lang: Lang,
    chrome: Chrome,
    t: Target,
    operation: String,
    unit: String,
    role: &'static str,
    state: &'static str,
    measure: String,
    reported: String,
    added: String,
    /// The reader's area launched the operation (the main case, and so the suspect, is theirs).
    launcher: bool,
}

/// `GET /operation-targets/{id}`: a target in full — name, ID number, phone — for the officers
/// who find them; every view is written to the audit log.
pub async fn target(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/operations");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let VisibleTarget {
        target: t,
        operation: o,
        launcher,
    } = state
        .store
        .cluster_operations()
        .visible_target(&scope, id)
        .await?;
    state
        .store
        .audit()
        .append(&fanzha_store::NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "view_personal_data".into(),
            target_type: "cluster_target".into(),
            target_id: Some(t.id.to_string()),
            unit_code: Some(t.unit_code.clone()),
            detail: serde_json::json!({ "via": "cluster_target", "operation_id": o.id }),
        })
        .await?;
    let unit_names = BTreeMap::new();
    let row = target_row(lang, &t, &unit_names, false, false);
    render(&TargetPage {
        operation: o.name,
        unit: state.unit_name(&t.unit_code).await,
        role: row.role,
        state: row.state,
        measure: row.measure,
        reported: row.reported,
        added: format!("{} · {}", t.created_by, time(t.created_at)),
        launcher,
        t,
        lang,
        chrome,
    })
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    measure: String,
    /// When the measure was taken (`YYYY-MM-DDTHH:MM`, Shanghai).
    #[serde(default)]
    measure_at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /operation-targets/{id}/report` (`state` located | caught | not_found, `measure` and
/// `measure_at` when caught, `note` — why, when not found —, `version` read): what the landing
/// unit found (audited); a catch makes the person a suspect of the main case.
pub async fn report(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ReportForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let target_state = TargetState::parse(f.state.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown state `{}`", f.state)))?;
    let caught = target_state == TargetState::Caught;
    let measure = match f.measure.trim() {
        "" => None,
        m if caught => Some(
            SuspectMeasure::parse(m)
                .ok_or_else(|| WebError::BadRequest(format!("unknown measure `{m}`")))?,
        ),
        // The form sends its measure select whatever the state; it counts only for a catch.
        _ => None,
    };
    let measure_at = match f.measure_at.trim() {
        "" => None,
        _ if !caught => None,
        v => Some(shanghai_time(v, "measure_at")?),
    };
    let t = state
        .store
        .cluster_operations()
        .report(
            &scope,
            id,
            &TargetReport {
                state: target_state,
                measure,
                measure_at,
                note: f.note,
                version: f.version,
                by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/operations/{}#target-{}", t.operation_id, t.id),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// `POST /operation-targets/{id}/withdraw` (`note` why, `version` read): the launcher takes a
/// target off the operation (audited).
pub async fn withdraw(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<WithdrawForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let t = state
        .store
        .cluster_operations()
        .withdraw(
            &scope,
            id,
            f.version,
            &f.note,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/operations/{}#target-{}", t.operation_id, t.id),
        StatusCode::OK,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_overdue_only_when_pending_after_the_strike_day() {
        let counts = TargetCounts {
            pending: 1,
            ..TargetCounts::default()
        };
        let strike = 1_800_000_000_000;
        assert!(!overdue(strike, &counts, strike + DAY_MS - 1));
        assert!(overdue(strike, &counts, strike + DAY_MS));
        assert!(!overdue(
            strike,
            &TargetCounts::default(),
            strike + 5 * DAY_MS
        ));
    }
}
