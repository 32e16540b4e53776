//! 财政供养人员被骗每案通报: the employer notice (提示单) of every public-sector victim's case.
//!
//! On the case page, where the notice stands (number, employer, supervising department, the
//! station told, the due time — [`NOTICE_DUE_HOURS`] after the case was opened — and the
//! employer's receipt), with the forms to issue it and record the receipt; the register
//! `/public-sector` of one's area for a period: the figures (cases, losses, notices issued on
//! time, receipts, overdue), the cases per supervising department or employer against the same
//! period a year earlier (the city departments' 目标管理考核), and the cases with their
//! notices (victims masked), filtered by state, employer and unit, CSV / XLSX. Data from the
//! store's [`fanzha_store::EmployerNotices`], whose writes are audited in the change's
//! transaction.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::enforcement::{input_time, shanghai_time};
use super::statistics::{change_class, change_label};
use super::view::{date, fraud_type_label, midnight, percent, pick, time, yuan};
use super::{render, Chrome};
use crate::auth::permission::{ManageCases, ViewCases};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use fanzha_core::mask::mask_name;
use fanzha_core::time::shanghai_date;
use fanzha_store::{
    Case, EmployerNotice, NewEmployerNotice, NoticeFilter, NoticeReceipt, NoticeRow, NoticeState,
    Scope, UnitLevel, NOTICE_DUE_HOURS,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The case page's 提示单 section (public-sector victims only).
pub struct NoticeView {
    /// Why the case owes the notice (财政供养人员被骗, 联盟成员企业职工被骗).
    pub ground: &'static str,
    pub state_code: &'static str,
    pub state: &'static str,
    /// Issued: its number, time, issuer, employer, department and station.
    pub issued: Option<IssuedView>,
    /// When the notice is (or was) due.
    pub due: String,
    /// Not issued and past due now.
    pub overdue: bool,
    /// Whether the forms are shown.
    pub can_manage: bool,
    /// For the issue form: the employer the case names.
    pub employer_input: String,
    /// For the issue form: the stations of the case's county, the victim's chosen.
    pub stations: Vec<Choice>,
    /// For the receipt form: now, Shanghai, as `YYYY-MM-DDTHH:MM`.
    pub now_input: String,
}

pub struct IssuedView {
    pub number: String,
    pub issued_at: String,
    pub issued_by: String,
    pub late: bool,
    pub employer: String,
    pub department: String,
    pub station: String,
    pub receipt_signatory: String,
    pub receipt_at: String,
    /// For the receipt form: the time recorded, or now.
    pub receipt_input: String,
    pub receipt_measures: String,
    pub receipt_recorded: String,
    pub version: i64,
}

fn state_label(lang: Lang, s: NoticeState) -> &'static str {
    pick(lang, s.zh(), s.en())
}

async fn issued_view(state: &AppState, n: &EmployerNotice, due_at: i64, now: i64) -> IssuedView {
    IssuedView {
        number: n.number(),
        issued_at: time(n.issued_at),
        issued_by: n.issued_by.clone(),
        late: n.issued_at > due_at,
        employer: n.employer.clone(),
        department: n.department.clone().unwrap_or_default(),
        station: state.unit_name(&n.station_unit).await,
        receipt_signatory: n.receipt_signatory.clone().unwrap_or_default(),
        receipt_at: n.receipt_at.map(time).unwrap_or_default(),
        receipt_input: input_time(n.receipt_at.unwrap_or(now)),
        receipt_measures: n.receipt_measures.clone().unwrap_or_default(),
        receipt_recorded: match (&n.receipt_by, n.receipt_recorded) {
            (Some(by), Some(at)) => format!("{by} · {}", time(at)),
            _ => String::new(),
        },
        version: n.version,
    }
}

/// The stations (townships) of the county of `unit_code`, the one `unit_code` lies in chosen;
/// the county itself first (a case held by the county bureau).
async fn station_choices(state: &AppState, unit_code: &str) -> Result<Vec<Choice>, WebError> {
    let units = state.store.units();
    let unit = units.get(unit_code).await?;
    // The path's codes from the root: the county and township above (or at) the case's unit.
    let mut county = None;
    let mut township = None;
    for code in unit.path.split('/').filter(|c| !c.is_empty()) {
        if let Some(u) = units.find(code).await? {
            match u.level {
                UnitLevel::County => county = Some(u),
                UnitLevel::Township => township = Some(u),
                _ => {}
            }
        }
    }
    let chosen = township
        .as_ref()
        .map(|t| t.code.clone())
        .unwrap_or_else(|| unit.code.clone());
    let Some(county) = county else {
        return Ok(vec![Choice {
            value: unit.code.clone(),
            label: unit.name.clone(),
            selected: true,
        }]);
    };
    let mut out = vec![Choice {
        selected: county.code == chosen,
        value: county.code.clone(),
        label: county.name.clone(),
    }];
    for t in units.children(&county.code).await? {
        out.push(Choice {
            selected: t.code == chosen,
            label: format!("└ {}", t.name),
            value: t.code,
        });
    }
    Ok(out)
}

/// The case page's section; `None` when the victim is not public-sector staff.
pub async fn case_section(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    c: &Case,
    can_manage: bool,
) -> Result<Option<NoticeView>, WebError> {
    let Some(ground) = state.store.employer_notices().owed(scope, &c.id).await? else {
        return Ok(None);
    };
    let now = state.clock.now_ms();
    let notice = state.store.employer_notices().of_case(scope, &c.id).await?;
    let due_at = c.created_at + NOTICE_DUE_HOURS * 3_600_000;
    let s = notice
        .as_ref()
        .map_or(NoticeState::Pending, EmployerNotice::state);
    let issued = match &notice {
        Some(n) => Some(issued_view(state, n, due_at, now).await),
        None => None,
    };
    let stations = if can_manage && notice.is_none() {
        // The victim's station: of their registered residence, else of the case's unit.
        let residence = match &c.resident_id {
            Some(id) => match state.store.people().get(scope, id).await {
                Ok(p) => Some(p.residence_code),
                Err(fanzha_store::StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let known = match residence {
            Some(code) => state.store.units().find(&code).await?.map(|u| u.code),
            None => None,
        };
        station_choices(state, known.as_deref().unwrap_or(&c.unit_code)).await?
    } else {
        Vec::new()
    };
    Ok(Some(NoticeView {
        ground: pick(lang, ground.zh(), ground.en()),
        state_code: s.as_str(),
        state: state_label(lang, s),
        overdue: notice.is_none() && now > due_at,
        due: time(due_at),
        issued,
        can_manage,
        employer_input: c.employer.clone().unwrap_or_default(),
        stations,
        now_input: input_time(now),
    }))
}

fn back(headers: &HeaderMap, to: String) -> Response {
    super::after_write(headers, to, axum::http::StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    employer: String,
    #[serde(default)]
    department: Option<String>,
    station_unit: String,
}

/// `POST /cases/{id}/employer-notice` (`employer`, `department`, `station_unit`): issues the
/// case's notice with the next number of the issuer's unit and year (audited by the store);
/// 409 when the case has one already.
pub async fn issue(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<IssueForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .employer_notices()
        .issue(
            &scope,
            &NewEmployerNotice {
                case_id: id.clone(),
                issuer_unit: auth.principal.unit_code.clone(),
                employer: f.employer,
                department: f.department,
                station_unit: f.station_unit,
                by: auth.principal.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{id}#employer-notice")))
}

#[derive(Debug, Deserialize)]
pub struct ReceiptForm {
    signatory: String,
    receipt_at: String,
    measures: String,
    /// The version the form was filled from (hidden field).
    version: i64,
}

/// `POST /cases/{id}/employer-notice/receipt` (`signatory`, `receipt_at` — Shanghai time —,
/// `measures`, `version`): records or corrects the employer's receipt (audited by the store);
/// 409 when someone changed the notice since the form was shown.
pub async fn receipt(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<ReceiptForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let receipt_at = shanghai_time(&f.receipt_at, "receipt_at")?;
    state
        .store
        .employer_notices()
        .record_receipt(
            &scope,
            &NoticeReceipt {
                case_id: id.clone(),
                signatory: f.signatory,
                receipt_at,
                measures: f.measures,
                by: auth.principal.login.clone(),
                expected_version: f.version,
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(back(&headers, format!("/cases/{id}#employer-notice")))
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    /// `1`: only notices not issued and past due now.
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `cases` (default), `figures` or `employers`.
    #[serde(default)]
    section: Option<String>,
}

struct RegisterRow {
    case_id: String,
    report_no: String,
    reported: String,
    unit: String,
    victim: String,
    loss: String,
    fraud_type: String,
    employer: String,
    department: String,
    state_code: &'static str,
    state: &'static str,
    number: String,
    issued: String,
    late: bool,
    due: String,
    overdue: bool,
    station: String,
    receipt: String,
}

struct EmployerLine {
    name: String,
    department: String,
    cases: i64,
    loss: String,
    cases_before: i64,
    loss_before: String,
    change: String,
    change_class: &'static str,
}

struct FiguresView {
    cases: i64,
    loss: String,
    issued: i64,
    on_time_rate: String,
    receipted: i64,
    receipt_rate: String,
    pending: i64,
    overdue: i64,
    cases_before: i64,
    change: String,
    change_class: &'static str,
}

#[derive(Template)]
#[template(path = "public_sector.html")]
struct RegisterPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    before: String,
    states: Vec<Choice>,
    units: Vec<Choice>,
    unit_name: String,
    employer: String,
    overdue_only: bool,
    figures: FiguresView,
    employers: Vec<EmployerLine>,
    rows: Vec<RegisterRow>,
    more: bool,
    due_hours: i64,
    query: String,
}

/// The same dates a year earlier (29 February → 28 February).
fn a_year_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(Months::new(12)).unwrap_or(d)
}

/// `GET /public-sector[?from=&until=&state=&employer=&overdue=1&unit=][&format=csv|xlsx]`: the
/// public-sector victims' cases of one's area reported from `from` to `until` inclusive
/// (Shanghai dates; the current year to today by default) with their notices, the figures and
/// the employer table. Victims masked.
pub async fn register(
    auth: Require<ViewCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/public-sector",
    );
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let today = shanghai_date(now)
        .ok_or_else(|| WebError::BadRequest("the clock is out of range".into()))?;
    let from = match non_empty(&q.from) {
        Some(v) => date(v)?,
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let until = match non_empty(&q.until) {
        Some(v) => date(v)?,
        None => today,
    };
    if until < from {
        return Err(WebError::BadRequest(
            "until: the period ends before it starts".into(),
        ));
    }
    let notice_state = parse_or(non_empty(&q.state), NoticeState::parse, "state")?;
    let overdue_only = non_empty(&q.overdue).is_some_and(|v| v == "1");
    let employer = non_empty(&q.employer).map(|e| e.trim().to_string());
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let start = midnight(from)?;
    let end = midnight(until.succ_opt().unwrap_or(until))?;
    let repo = state.store.employer_notices();
    let (found, more) = repo
        .register(
            &scope,
            &NoticeFilter {
                from: Some(start),
                to: Some(end),
                state: notice_state,
                employer: employer.clone(),
                overdue_at: overdue_only.then_some(now),
            },
        )
        .await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(found.len());
    for r in found {
        for code in std::iter::once(&r.unit_code).chain(r.notice.as_ref().map(|n| &n.station_unit))
        {
            if !names.contains_key(code) {
                let n = state.unit_name(code).await;
                names.insert(code.clone(), n);
            }
        }
        rows.push(register_row(lang, &names, &r, now));
    }
    // An export of the cases is the whole register of the period or nothing: never silently
    // cut (the figures and the employer table count every case whatever the list holds).
    let cases_exported = match q.format {
        Some(ExportFormat::Xlsx) => true,
        Some(ExportFormat::Csv) => matches!(non_empty(&q.section), None | Some("cases")),
        None => false,
    };
    if more && cases_exported {
        return Err(WebError::PeriodTooLarge {
            what: "employer notices",
            limit: fanzha_store::MAX_REGISTER_ROWS as i64,
        });
    }
    let f = repo.figures(&scope, start, end, now).await?;
    let (before_from, before_until) = (a_year_before(from), a_year_before(until));
    let before = (
        midnight(before_from)?,
        midnight(before_until.succ_opt().unwrap_or(before_until))?,
    );
    let f_before = repo.figures(&scope, before.0, before.1, now).await?;
    let employers = repo
        .by_employer(&scope, (start, end), before)
        .await?
        .into_iter()
        .map(|t| EmployerLine {
            name: if t.name.is_empty() {
                lang.t("ps_no_employer").to_string()
            } else {
                t.name
            },
            department: t.department.unwrap_or_default(),
            cases: t.cases,
            loss: yuan(t.loss_fen),
            cases_before: t.cases_before,
            loss_before: yuan(t.loss_before),
            change: change_label(lang, t.cases, t.cases_before),
            change_class: change_class(t.cases, t.cases_before),
        })
        .collect();
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from.to_string());
        query.append_pair("until", &until.to_string());
        if let Some(s) = notice_state {
            query.append_pair("state", s.as_str());
        }
        if let Some(e) = &employer {
            query.append_pair("employer", e);
        }
        if overdue_only {
            query.append_pair("overdue", "1");
        }
        if unit_code != own_unit {
            query.append_pair("unit", &unit_code);
        }
        query.finish()
    };
    let page = RegisterPage {
        from: from.to_string(),
        until: until.to_string(),
        before: format!("{before_from} – {before_until}"),
        states: choices(
            NoticeState::ALL,
            NoticeState::as_str,
            |s| state_label(lang, s),
            notice_state,
        ),
        units: unit_choices(&state, &own_unit, &unit_code).await?,
        unit_name: state.unit_name(&unit_code).await,
        employer: employer.unwrap_or_default(),
        overdue_only,
        figures: FiguresView {
            cases: f.cases,
            loss: yuan(f.loss_fen),
            issued: f.issued,
            on_time_rate: percent(f.on_time_rate()),
            receipted: f.receipted,
            receipt_rate: percent(f.receipt_rate()),
            pending: f.pending,
            overdue: f.pending_overdue,
            cases_before: f_before.cases,
            change: change_label(lang, f.cases, f_before.cases),
            change_class: change_class(f.cases, f_before.cases),
        },
        employers,
        rows,
        more,
        due_hours: NOTICE_DUE_HOURS,
        query,
        lang,
        chrome,
    };
    if let Some(format) = q.format {
        return export(page).respond(format, q.section.as_deref());
    }
    render(&page).map(IntoResponse::into_response)
}

fn register_row(
    lang: Lang,
    names: &HashMap<String, String>,
    r: &NoticeRow,
    now: i64,
) -> RegisterRow {
    let s = r.state();
    let n = r.notice.as_ref();
    RegisterRow {
        case_id: r.case_id.clone(),
        report_no: r.report_no.clone().unwrap_or_default(),
        reported: time(r.reported_at),
        unit: names[&r.unit_code].clone(),
        victim: r.victim_name.as_deref().map(mask_name).unwrap_or_default(),
        loss: yuan(r.loss_fen),
        fraud_type: fraud_type_label(lang, r.fraud_type.as_deref()),
        employer: n
            .map(|n| n.employer.clone())
            .or_else(|| r.case_employer.clone())
            .unwrap_or_default(),
        department: n.and_then(|n| n.department.clone()).unwrap_or_default(),
        state_code: s.as_str(),
        state: state_label(lang, s),
        number: n.map(EmployerNotice::number).unwrap_or_default(),
        issued: n.map(|n| time(n.issued_at)).unwrap_or_default(),
        late: r.issued_late(),
        due: time(r.due_at()),
        overdue: r.overdue(now),
        station: n
            .map(|n| names[&n.station_unit].clone())
            .unwrap_or_default(),
        receipt: n
            .and_then(|n| {
                // The signatory is a person: masked in the register, in full on the case page.
                n.receipt_at.map(|at| {
                    format!(
                        "{} · {}",
                        mask_name(n.receipt_signatory.as_deref().unwrap_or("")),
                        time(at)
                    )
                })
            })
            .unwrap_or_default(),
    }
}

/// The register as a workbook: the cases (CSV's default), the figures of the tiles, and the
/// table per employer.
fn export(page: RegisterPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let heads = |keys: &[&str]| keys.iter().map(|k| t(k)).collect::<Vec<_>>();
    let f = &page.figures;
    let figure_rows = [
        ("ps_cases", f.cases.to_string()),
        ("ps_same_period", f.cases_before.to_string()),
        ("yoy", f.change.clone()),
        ("loss", f.loss.clone()),
        ("ps_issued", f.issued.to_string()),
        ("ps_on_time_rate", f.on_time_rate.clone()),
        ("ps_receipted", f.receipted.to_string()),
        ("ps_receipt_rate", f.receipt_rate.clone()),
        ("ps_pending", f.pending.to_string()),
        ("ps_overdue", f.overdue.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| vec![t(k), v])
    .collect();
    let employer_rows = page
        .employers
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.department.clone(),
                e.cases.to_string(),
                e.loss.clone(),
                e.cases_before.to_string(),
                e.loss_before.clone(),
                e.change.clone(),
            ]
        })
        .collect();
    let case_rows = page
        .rows
        .into_iter()
        .map(|r| {
            let state = if r.overdue {
                format!("{}（{}）", r.state, lang.t("ps_overdue"))
            } else if r.late {
                format!("{}（{}）", r.state, lang.t("ps_late"))
            } else {
                r.state.to_string()
            };
            vec![
                r.case_id,
                r.report_no,
                r.reported,
                r.unit,
                r.victim,
                r.loss,
                r.fraud_type,
                r.employer,
                r.department,
                state,
                r.number,
                r.issued,
                r.due,
                r.station,
                r.receipt,
            ]
        })
        .collect();
    let sheet = |key, title: &str, headers, rows| Sheet {
        key,
        title: t(title),
        table: Table {
            name: String::new(),
            headers,
            rows,
        },
    };
    Sheets {
        name: format!("public_sector_notices_{}_{}", page.from, page.until),
        sheets: vec![
            sheet(
                "cases",
                "ps_register",
                heads(&[
                    "case",
                    "report_no",
                    "reported_at",
                    "unit",
                    "victim",
                    "loss",
                    "col_fraud_type",
                    "ps_employer",
                    "ps_department",
                    "ps_state",
                    "ps_number",
                    "ps_issued_at",
                    "ps_due",
                    "ps_station",
                    "ps_receipt",
                ]),
                case_rows,
            ),
            sheet(
                "figures",
                "st_x_figures",
                heads(&["st_x_figure", "st_x_value"]),
                figure_rows,
            ),
            sheet(
                "employers",
                "ps_by_employer",
                heads(&[
                    "ps_employer",
                    "ps_department",
                    "ps_cases",
                    "loss",
                    "ps_same_period",
                    "ps_loss_before",
                    "yoy",
                ]),
                employer_rows,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_before_keeps_the_day_and_folds_the_leap_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(a_year_before(d(2026, 3, 31)), d(2025, 3, 31));
        assert_eq!(a_year_before(d(2028, 2, 29)), d(2027, 2, 28));
        assert_eq!(a_year_before(d(2026, 1, 1)), d(2025, 1, 1));
    }
}
