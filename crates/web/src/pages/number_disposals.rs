//! 涉诈号码处置 (通讯反制): asking an operator to shut down, bar or intercept a number used for
//! fraud, and the operator's answer. The page shows the figures of what the reader sees
//! (requested, executed, 按时处置率, not possible, pending, overdue, withdrawn; per operator and
//! per measure), the list with filters, paging and CSV / XLSX, and — for police — the request
//! form, prefilled from a warning's or a case's suspect number. An operator's liaison sees only
//! the requests addressed to their operator and answers them on the request's page; police
//! withdraw one they no longer need. The registered holder an operator gives is masked in the
//! list and shown in full on the request's page, every such view audited. Data from the
//! store's [`fanzha_store::NumberDisposals`], whose writes are audited.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::evidence::phone_origin;
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::{
    AnswerNumberDisposals, ListNumberDisposals, Permission, ReadPartnerBulletins,
    RequestNumberDisposals, ViewNumberDisposals, ViewPersonalData,
};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_core::time::format_shanghai;
use fanzha_store::{
    DisposalAnswer, DisposalCounts, DisposalFilter, DisposalMeasure, DisposalState, DisposalViewer,
    NewNumberDisposal, NumberDisposal, Operator, PageRequest, Partner, PartnerKind, Role,
    DISPOSAL_MINUTES, URGENT_DISPOSAL_MINUTES,
};
use serde::Deserialize;

/// Requests per screen; an export takes them all.
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    /// One number's requests (as typed; compared in canonical form).
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// Prefill the request form: a suspect number, and the warning or case it comes from.
    #[serde(default)]
    ask: Option<String>,
    #[serde(default)]
    warning: Option<String>,
    #[serde(default)]
    case: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `requests` (default for those who read the list), `figures`,
    /// `operators` or `measures`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// A request as listed: the registered holder masked.
struct Row {
    id: i64,
    number: String,
    origin: String,
    operator: &'static str,
    measure: &'static str,
    reason: String,
    unit: String,
    urgent: bool,
    requested: String,
    deadline: String,
    state_code: &'static str,
    state: &'static str,
    overdue: bool,
    holder: String,
    answered: String,
    answer_note: String,
}

/// One line of counts (all, an operator or a measure).
struct CountsRow {
    code: &'static str,
    label: String,
    requested: i64,
    executed: i64,
    on_time: i64,
    on_time_rate: String,
    failed: i64,
    pending: i64,
    overdue: i64,
    withdrawn: i64,
}

fn counts_row(code: &'static str, label: String, c: &DisposalCounts) -> CountsRow {
    CountsRow {
        code,
        label,
        requested: c.requested,
        executed: c.executed,
        on_time: c.on_time,
        on_time_rate: c
            .on_time_rate()
            .map(|r| format!("{:.1}%", r * 100.0))
            .unwrap_or_else(|| "—".into()),
        failed: c.failed,
        pending: c.pending,
        overdue: c.overdue,
        withdrawn: c.withdrawn,
    }
}

/// The request form's prefill.
struct Ask {
    number: String,
    origin: String,
    warning: String,
    case: String,
    /// The operator code of the number's segment, preselected; empty when unknown.
    operator: String,
}

#[derive(Template)]
#[template(path = "number_disposals.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    /// The reader's area, or the operator a liaison answers for.
    heading: String,
    all: CountsRow,
    by_operator: Vec<CountsRow>,
    by_measure: Vec<CountsRow>,
    /// The list, its filters and exports (not for leaders, who see the figures).
    list: bool,
    can_request: bool,
    states: Vec<Choice>,
    operators: Vec<Choice>,
    measures: Vec<Choice>,
    /// Police narrow by unit; a liaison reads one operator's requests of every unit.
    units: Vec<Choice>,
    overdue_only: bool,
    number: String,
    rows: Vec<Row>,
    total: i64,
    query: String,
    next: Option<String>,
    paged: bool,
    ask: Ask,
    request_units: Vec<Choice>,
    minutes: i64,
    urgent_minutes: i64,
    /// An operator's liaison: the police bulletins addressed to the operator not signed yet.
    bulletins_unsigned: Option<i64>,
}

#[derive(Template)]
#[template(path = "number_disposal.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    id: i64,
    version: i64,
    number: String,
    origin: String,
    operator: &'static str,
    measure: &'static str,
    reason: String,
    unit: String,
    urgent: bool,
    requested: String,
    requested_by: String,
    deadline: String,
    state_code: &'static str,
    state: &'static str,
    overdue: bool,
    on_time: bool,
    warning_id: String,
    case_id: String,
    /// Whether the warning and the case are links (an operator's liaison reads the numbers).
    link_warning: bool,
    link_case: bool,
    /// The registered holder in full (an audited view) — empty when none was given.
    holder_name: String,
    holder_id: String,
    answered: String,
    answered_by: String,
    answer_note: String,
    can_answer: bool,
    can_withdraw: bool,
    /// Earlier and later requests for the same number that the reader sees.
    history: Vec<Row>,
}

/// Whose requests the caller reads: police their subtree (narrowed to `unit` when given);
/// an operator liaison their operator's. With the heading and the chosen unit (police only).
async fn viewer_of(
    state: &AppState,
    lang: Lang,
    p: &Principal,
    unit: Option<&str>,
) -> Result<(DisposalViewer, String, Option<String>), WebError> {
    if p.has_role(Role::OperatorLiaison) && !RequestNumberDisposals::allows(p) {
        let op = p
            .operator
            .ok_or(WebError::Forbidden(AnswerNumberDisposals::NAME))?;
        return Ok((
            DisposalViewer::Operator(op),
            pick(lang, op.zh(), op.en()).to_string(),
            None,
        ));
    }
    let (code, scope) = state.narrowed_scope(&p.unit_code, unit).await?;
    Ok((
        DisposalViewer::Police(scope),
        state.unit_name(&code).await,
        Some(code),
    ))
}

async fn rows_of(state: &AppState, lang: Lang, items: Vec<NumberDisposal>, now: i64) -> Vec<Row> {
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(items.len());
    for d in items {
        let unit = names.get(&d.unit_code).await;
        let holder = [
            d.holder_name.as_deref().map(mask_name),
            d.holder_id.as_deref().map(mask_resident_id),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        rows.push(Row {
            id: d.id,
            origin: phone_origin(lang, &d.number),
            number: d.number.clone(),
            operator: pick(lang, d.operator.zh(), d.operator.en()),
            measure: pick(lang, d.measure.zh(), d.measure.en()),
            reason: d.reason.clone(),
            unit,
            urgent: d.urgent,
            requested: format_shanghai(d.requested_at),
            deadline: format_shanghai(d.deadline),
            state_code: d.state.as_str(),
            state: pick(lang, d.state.zh(), d.state.en()),
            overdue: d.overdue(now),
            holder,
            answered: d.answered_at.map(format_shanghai).unwrap_or_default(),
            answer_note: d.answer_note.clone(),
        });
    }
    rows
}

/// The number as typed in canonical form, or as typed when it does not parse (it then
/// matches nothing).
fn canonical(number: &str) -> String {
    fanzha_core::PhoneNumber::parse(number)
        .map(|p| p.canonical())
        .unwrap_or_else(|_| number.trim().to_string())
}

/// `GET /number-disposals[?state=&operator=&measure=&overdue=1&number=&unit=]
/// [&ask=NUMBER&warning=ID|case=ID][&format=csv|xlsx[&section=]][&after=KEY]`.
pub async fn list(
    auth: Require<ViewNumberDisposals>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/number-disposals",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let now = state.clock.now_ms();
    let (viewer, heading, unit_code) = viewer_of(&state, lang, p, non_empty(&q.unit)).await?;
    // Leaders read the figures only.
    let list = ListNumberDisposals::allows(p);
    let filter = DisposalFilter {
        state: parse_or(non_empty(&q.state), DisposalState::parse, "state")?,
        operator: parse_or(non_empty(&q.operator), Operator::parse, "operator")?,
        measure: parse_or(non_empty(&q.measure), DisposalMeasure::parse, "measure")?,
        overdue: non_empty(&q.overdue).is_some_and(|v| v != "0"),
        number: non_empty(&q.number).map(canonical),
    };
    let repo = state.store.number_disposals();
    let (rows, total, next) = if list {
        let page = match q.format {
            Some(_) => {
                let (repo, viewer, filter) = (&repo, &viewer, &filter);
                every_page("number disposals", move |r| async move {
                    Ok(repo.list(viewer, filter, &r, now).await?)
                })
                .await?
            }
            None => {
                let request = PageRequest {
                    after: q.after.clone(),
                    limit: PAGE_ROWS,
                };
                repo.list(&viewer, &filter, &request, now).await?
            }
        };
        let total = repo.count(&viewer, &filter, now).await?;
        (
            rows_of(&state, lang, page.items, now).await,
            total,
            page.next,
        )
    } else {
        (Vec::new(), 0, None)
    };
    let f = repo.figures(&viewer, now, None).await?;
    let all = counts_row("all", lang.t("all").to_string(), &f.all);
    let by_operator: Vec<CountsRow> = Operator::ALL
        .iter()
        .filter(|o| f.by_operator.contains_key(o) || matches!(viewer, DisposalViewer::Police(_)))
        .map(|o| {
            counts_row(
                o.as_str(),
                pick(lang, o.zh(), o.en()).to_string(),
                &f.by_operator.get(o).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let by_measure: Vec<CountsRow> = DisposalMeasure::ALL
        .iter()
        .map(|m| {
            counts_row(
                m.as_str(),
                pick(lang, m.zh(), m.en()).to_string(),
                &f.by_measure.get(m).cloned().unwrap_or_default(),
            )
        })
        .collect();
    if let Some(format) = q.format {
        return export(lang, list.then_some(rows), &all, &by_operator, &by_measure)
            .respond(format, q.section.as_deref());
    }
    let own_unit = p.unit_code.clone();
    let can_request = RequestNumberDisposals::allows(p);
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", non_empty(&q.state)),
            ("operator", non_empty(&q.operator)),
            ("measure", non_empty(&q.measure)),
            ("overdue", filter.overdue.then_some("1")),
            ("number", non_empty(&q.number)),
            ("unit", unit_code.as_deref().filter(|c| *c != own_unit)),
        ] {
            if let Some(v) = v {
                query.append_pair(k, v);
            }
        }
        query.finish()
    };
    let units = match &unit_code {
        Some(code) => unit_choices(&state, &own_unit, code).await?,
        None => Vec::new(),
    };
    let request_units = if can_request {
        unit_choices(&state, &own_unit, &own_unit).await?
    } else {
        Vec::new()
    };
    let ask_number = non_empty(&q.ask).unwrap_or_default().to_string();
    let ask = Ask {
        origin: phone_origin(lang, &ask_number),
        operator: fanzha_core::PhoneNumber::parse(&ask_number)
            .ok()
            .and_then(|n| n.carrier())
            .map(|c| Operator::of_carrier(c).as_str().to_string())
            .unwrap_or_default(),
        number: ask_number,
        warning: non_empty(&q.warning).unwrap_or_default().to_string(),
        case: non_empty(&q.case).unwrap_or_default().to_string(),
    };
    let bulletins_unsigned = match p.operator {
        Some(op) if ReadPartnerBulletins::allows(p) => Some(
            state
                .store
                .bulletins()
                .unsigned_for_partner(&Partner {
                    kind: PartnerKind::Operator,
                    code: op.as_str().to_string(),
                })
                .await?,
        ),
        _ => None,
    };
    render(&ListPage {
        bulletins_unsigned,
        heading,
        all,
        by_operator,
        by_measure,
        list,
        can_request,
        states: choices(
            DisposalState::ALL,
            DisposalState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        operators: choices(
            Operator::ALL,
            Operator::as_str,
            |o| pick(lang, o.zh(), o.en()),
            filter.operator,
        ),
        measures: choices(
            DisposalMeasure::ALL,
            DisposalMeasure::as_str,
            |m| pick(lang, m.zh(), m.en()),
            filter.measure,
        ),
        units,
        overdue_only: filter.overdue,
        number: non_empty(&q.number).unwrap_or_default().to_string(),
        rows,
        total,
        query,
        next,
        paged: q.after.is_some(),
        ask,
        request_units,
        minutes: DISPOSAL_MINUTES,
        urgent_minutes: URGENT_DISPOSAL_MINUTES,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct RequestForm {
    number: String,
    /// Empty: the operator of the number's segment.
    #[serde(default)]
    operator: String,
    measure: String,
    reason: String,
    /// Empty: one's own unit.
    #[serde(default)]
    unit: String,
    #[serde(default)]
    warning_id: String,
    #[serde(default)]
    case_id: String,
    /// `1` / `on`: due in 30 minutes.
    #[serde(default)]
    urgent: Option<String>,
}

/// `POST /number-disposals` (`number`, `measure`, `reason`; optional `operator`, `unit`,
/// `warning_id`, `case_id`, `urgent`): asks the operator for a unit of one's subtree and goes
/// to the request's page. A number already pending is a conflict.
pub async fn request(
    auth: Require<RequestNumberDisposals>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<RequestForm>,
) -> Result<Response, WebError> {
    let measure = DisposalMeasure::parse(f.measure.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown measure `{}`", f.measure.trim())))?;
    let operator = match f.operator.trim() {
        "" => None,
        code => Some(
            Operator::parse(code)
                .ok_or_else(|| WebError::BadRequest(format!("unknown operator `{code}`")))?,
        ),
    };
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let unit_code = match f.unit.trim() {
        "" => p.unit_code.clone(),
        code => code.to_string(),
    };
    let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let d = state
        .store
        .number_disposals()
        .request(
            &scope,
            &NewNumberDisposal {
                number: f.number,
                operator,
                measure,
                reason: f.reason,
                warning_id: blank(&f.warning_id),
                case_id: blank(&f.case_id),
                unit_code,
                urgent: f
                    .urgent
                    .as_deref()
                    .is_some_and(|v| !v.is_empty() && v != "0"),
            },
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/number-disposals/{}", d.id),
        axum::http::StatusCode::OK,
    ))
}

/// `GET /number-disposals/{id}`: the request with its answer, the registered holder in full
/// (audited when police read it), the number's other requests, and the answer form (the
/// operator's liaison) or the withdrawal (police).
pub async fn detail(
    auth: Require<ListNumberDisposals>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/number-disposals",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let (viewer, _, _) = viewer_of(&state, lang, p, None).await?;
    let repo = state.store.number_disposals();
    let d = repo.get(&viewer, id).await?;
    let now = state.clock.now_ms();
    let police = matches!(viewer, DisposalViewer::Police(_));
    let holder_given = d.holder_name.is_some() || d.holder_id.is_some();
    // Police see the holder in full only with the right to personal data; the liaison sees
    // what their operator gave. Every such view is audited.
    let show_holder = holder_given && (!police || ViewPersonalData::allows(p));
    if show_holder {
        crate::casework::audit(
            &state,
            &p.login,
            "number_disposal_holder_viewed",
            "number_disposal",
            &d.id.to_string(),
            &d.unit_code,
            serde_json::json!({ "number": d.number }),
        )
        .await?;
    }
    let history_filter = DisposalFilter {
        number: Some(d.number.clone()),
        ..DisposalFilter::default()
    };
    let history = repo
        .list(&viewer, &history_filter, &PageRequest::first(50), now)
        .await?
        .items
        .into_iter()
        .filter(|h| h.id != d.id)
        .collect();
    let pending = d.state == DisposalState::Pending;
    render(&DetailPage {
        id: d.id,
        version: d.version,
        origin: phone_origin(lang, &d.number),
        number: d.number.clone(),
        operator: pick(lang, d.operator.zh(), d.operator.en()),
        measure: pick(lang, d.measure.zh(), d.measure.en()),
        reason: d.reason.clone(),
        unit: state.unit_name(&d.unit_code).await,
        urgent: d.urgent,
        requested: format_shanghai(d.requested_at),
        requested_by: d.requested_by.clone(),
        deadline: format_shanghai(d.deadline),
        state_code: d.state.as_str(),
        state: pick(lang, d.state.zh(), d.state.en()),
        overdue: d.overdue(now),
        on_time: d.on_time(),
        warning_id: d.warning_id.clone().unwrap_or_default(),
        case_id: d.case_id.clone().unwrap_or_default(),
        link_warning: crate::auth::permission::ViewWarnings::allows(p),
        link_case: crate::auth::permission::ViewCases::allows(p),
        holder_name: match (show_holder, &d.holder_name) {
            (true, Some(n)) => n.clone(),
            (false, Some(n)) => mask_name(n),
            _ => String::new(),
        },
        holder_id: match (show_holder, &d.holder_id) {
            (true, Some(n)) => n.clone(),
            (false, Some(n)) => mask_resident_id(n),
            _ => String::new(),
        },
        answered: d.answered_at.map(format_shanghai).unwrap_or_default(),
        answered_by: d.answered_by.clone().unwrap_or_default(),
        answer_note: d.answer_note.clone(),
        can_answer: pending && !police && AnswerNumberDisposals::allows(p),
        can_withdraw: pending && police && RequestNumberDisposals::allows(p),
        history: rows_of(&state, lang, history, now).await,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    version: i64,
    /// `executed` or `failed`.
    outcome: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    holder_name: String,
    #[serde(default)]
    holder_id: String,
}

/// `POST /number-disposals/{id}/answer` (`version`, `outcome` executed | failed, `note`,
/// optional `holder_name`, `holder_id`): the operator liaison's answer to a request addressed
/// to their operator. A holder's ID number, when given, must be a valid resident ID.
pub async fn answer(
    auth: Require<AnswerNumberDisposals>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<AnswerForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let operator = p
        .operator
        .ok_or(WebError::Forbidden(AnswerNumberDisposals::NAME))?;
    let answer = match f.outcome.trim() {
        "executed" => {
            let holder_id = match f.holder_id.trim() {
                "" => None,
                text => Some(
                    fanzha_core::ResidentId::parse(text)
                        .map_err(|e| {
                            WebError::BadRequest(format!("holder ID number `{text}`: {e}"))
                        })?
                        .to_string(),
                ),
            };
            DisposalAnswer::Executed {
                holder_name: Some(f.holder_name.trim().to_string()).filter(|s| !s.is_empty()),
                holder_id,
            }
        }
        "failed" => DisposalAnswer::Failed,
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown outcome `{other}`: executed or failed"
            )))
        }
    };
    let done = state
        .store
        .number_disposals()
        .answer(
            operator,
            id,
            f.version,
            &answer,
            &f.note,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    // A number shut down, barred or intercepted for fraud goes on the live engine's blocklist:
    // the people it already reached, and any it reaches through another route, score higher.
    if done.state == fanzha_store::DisposalState::Executed {
        match fanzha_core::PhoneNumber::parse(&done.number).and_then(|n| n.to_msisdn()) {
            Ok(m) => state
                .engine_feed
                .list_number(m, fanzha_core::event::NumberList::Blocklist),
            Err(e) => {
                tracing::warn!(request = id, error = %e, "executed number not fed to the engine")
            }
        }
    }
    Ok(super::after_write(
        &headers,
        format!("/number-disposals/{id}"),
        axum::http::StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    version: i64,
    note: String,
}

/// `POST /number-disposals/{id}/withdraw` (`version`, `note`): police withdraw a pending
/// request of their area, saying why.
pub async fn withdraw(
    auth: Require<RequestNumberDisposals>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<WithdrawForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .number_disposals()
        .withdraw(
            &scope,
            id,
            f.version,
            &f.note,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/number-disposals/{id}"),
        axum::http::StatusCode::OK,
    ))
}

const COUNT_HEADS: [&str; 9] = [
    "nd_group",
    "nd_requested",
    "nd_executed",
    "nd_on_time",
    "nd_on_time_rate",
    "nd_failed",
    "nd_pending",
    "nd_overdue",
    "nd_withdrawn",
];

fn count_cells(r: &CountsRow) -> Vec<String> {
    vec![
        r.label.clone(),
        r.requested.to_string(),
        r.executed.to_string(),
        r.on_time.to_string(),
        r.on_time_rate.clone(),
        r.failed.to_string(),
        r.pending.to_string(),
        r.overdue.to_string(),
        r.withdrawn.to_string(),
    ]
}

/// The requests (CSV's default, for those who read the list), the figures, and the counts per
/// operator and per measure.
fn export(
    lang: Lang,
    rows: Option<Vec<Row>>,
    all: &CountsRow,
    by_operator: &[CountsRow],
    by_measure: &[CountsRow],
) -> Sheets {
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        let requests = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.number,
                    r.origin,
                    r.operator.to_string(),
                    r.measure.to_string(),
                    r.reason,
                    r.unit,
                    if r.urgent {
                        lang.t("yes")
                    } else {
                        lang.t("no")
                    }
                    .to_string(),
                    r.requested,
                    r.deadline,
                    r.state.to_string(),
                    r.answered,
                    r.holder,
                    r.answer_note,
                ]
            })
            .collect();
        sheets.push(Sheet::new(
            lang,
            "requests",
            "nav_number_disposals",
            &[
                "col_id",
                "nd_number",
                "number_origin",
                "nd_operator",
                "nd_measure",
                "nd_reason",
                "unit",
                "nd_urgent",
                "nd_requested_at",
                "nd_deadline",
                "col_status",
                "nd_answered_at",
                "nd_holder",
                "nd_note",
            ],
            requests,
        ));
    }
    sheets.push(Sheet::figures(
        lang,
        [
            ("nd_requested", all.requested.to_string()),
            ("nd_executed", all.executed.to_string()),
            ("nd_on_time", all.on_time.to_string()),
            ("nd_on_time_rate", all.on_time_rate.clone()),
            ("nd_failed", all.failed.to_string()),
            ("nd_pending", all.pending.to_string()),
            ("nd_overdue", all.overdue.to_string()),
            ("nd_withdrawn", all.withdrawn.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (lang.t(k).to_string(), v))
        .collect(),
    ));
    sheets.push(Sheet::new(
        lang,
        "operators",
        "nd_by_operator",
        &COUNT_HEADS,
        by_operator.iter().map(count_cells).collect(),
    ));
    sheets.push(Sheet::new(
        lang,
        "measures",
        "nd_by_measure",
        &COUNT_HEADS,
        by_measure.iter().map(count_cells).collect(),
    ));
    Sheets {
        name: "number_disposals".into(),
        sheets,
    }
}
