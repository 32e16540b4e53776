//! 存量卡清理: asking banks to check and clean the cards risky residents already hold, and the
//! banks' answers. The page shows the figures of what the reader sees (requested, answered,
//! 按时反馈率, overdue, accounts closed and restricted; per bank and per reason), the list with
//! filters, paging and CSV / XLSX, and — for police who may ask — who would be asked about now,
//! per bank, with the form that asks. A bank's liaison sees only the requests addressed to
//! their bank and answers them on the request's page; police withdraw one they no longer need.
//! Holders are masked in the list; the request's page shows the holder and the accounts the
//! platform knows of in full, every such view audited. Data from the store's
//! [`fanzha_store::CardCleanups`], whose writes are audited.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::figure_imports::FigureImportView;
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::{
    AnswerCardCleanups, ListCardCleanups, Permission, RequestCardCleanups, ViewCardCleanups,
    ViewPersonalData,
};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_card, mask_name, mask_resident_id};
use fanzha_core::time::format_shanghai;
use fanzha_store::{
    CardCleanup, CleanupAnswer, CleanupCandidate, CleanupCounts, CleanupFilter, CleanupOutcome,
    CleanupReason, CleanupState, CleanupViewer, PageRequest, Role, CLEANUP_DAYS,
    CLEANUP_REPEAT_DAYS,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Requests per screen; an export takes them all.
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `requests` (default for those who read the list), `figures`,
    /// `banks` or `reasons`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
    /// The summary of a generation just made (`requested,holders,banks`).
    #[serde(default)]
    generated: Option<String>,
}

/// A request as listed: the holder masked.
struct Row {
    id: i64,
    bank: String,
    holder: String,
    reasons: String,
    unit: String,
    known_accounts: i64,
    requested: String,
    deadline: String,
    state_code: &'static str,
    state: &'static str,
    overdue: bool,
    outcome: String,
    accounts: String,
    answered: String,
    answer_note: String,
}

/// One line of counts (all, a bank or a reason).
struct CountsRow {
    code: String,
    label: String,
    c: CleanupCounts,
    on_time_rate: String,
}

fn counts_row(code: &str, label: String, c: &CleanupCounts) -> CountsRow {
    CountsRow {
        code: code.to_string(),
        label,
        on_time_rate: c
            .on_time_rate()
            .map(|r| format!("{:.1}%", r * 100.0))
            .unwrap_or_else(|| "—".into()),
        c: c.clone(),
    }
}

/// Who would be asked about at one bank now.
struct CandidateRow {
    bank_code: String,
    bank: String,
    holders: usize,
    punished: usize,
    mule_account: usize,
    gave_card_away: usize,
    frequent_open_close: usize,
    known_accounts: i64,
}

fn candidate_rows(candidates: &[CleanupCandidate]) -> Vec<CandidateRow> {
    let mut by_bank: BTreeMap<&str, CandidateRow> = BTreeMap::new();
    for c in candidates {
        let row = by_bank
            .entry(c.bank_code.as_str())
            .or_insert_with(|| CandidateRow {
                bank_code: c.bank_code.clone(),
                bank: c.bank_name.clone(),
                holders: 0,
                punished: 0,
                mule_account: 0,
                gave_card_away: 0,
                frequent_open_close: 0,
                known_accounts: 0,
            });
        row.holders += 1;
        row.known_accounts += c.known_accounts;
        for r in &c.reasons {
            match r {
                CleanupReason::Punished => row.punished += 1,
                CleanupReason::MuleAccount => row.mule_account += 1,
                CleanupReason::GaveCardAway => row.gave_card_away += 1,
                CleanupReason::FrequentOpenClose => row.frequent_open_close += 1,
            }
        }
    }
    by_bank.into_values().collect()
}

#[derive(Template)]
#[template(path = "card_cleanups.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    /// The reader's area, or the bank a liaison answers for.
    heading: String,
    all: CountsRow,
    by_bank: Vec<CountsRow>,
    by_reason: Vec<CountsRow>,
    /// The list, its filters and exports (not for leaders, who see the figures).
    list: bool,
    can_request: bool,
    /// Who would be asked about now, per bank (police who may ask).
    candidates: Vec<CandidateRow>,
    candidate_total: usize,
    generated: String,
    states: Vec<Choice>,
    banks: Vec<Choice>,
    reasons: Vec<Choice>,
    outcomes: Vec<Choice>,
    units: Vec<Choice>,
    overdue_only: bool,
    rows: Vec<Row>,
    total: i64,
    query: String,
    next: Option<String>,
    paged: bool,
    days: i64,
    repeat_days: i64,
    /// A bank's liaison: the work list to download and the answer file to upload.
    can_answer: bool,
    /// What an answer file just did.
    import: Option<FigureImportView>,
}

struct AccountRow {
    account_no: String,
    opened: String,
    opened_where: String,
    closed: bool,
    mule: bool,
}

#[derive(Template)]
#[template(path = "card_cleanup.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    id: i64,
    version: i64,
    bank: String,
    /// In full on an audited view, masked otherwise.
    holder_name: String,
    holder_id: String,
    reasons: Vec<&'static str>,
    unit: String,
    known_accounts: i64,
    note: String,
    requested: String,
    requested_by: String,
    deadline: String,
    state_code: &'static str,
    state: &'static str,
    overdue: bool,
    on_time: bool,
    outcome: String,
    accounts_found: String,
    accounts_closed: String,
    accounts_restricted: String,
    answered: String,
    answered_by: String,
    answer_note: String,
    accounts: Vec<AccountRow>,
    outcomes: Vec<Choice>,
    can_answer: bool,
    can_withdraw: bool,
    /// The holder's other requests (other banks, earlier rounds) the reader sees.
    history: Vec<Row>,
}

/// The bank a liaison answers for; refused when the account names none.
pub(crate) fn liaison_bank(p: &Principal) -> Result<String, WebError> {
    p.bank_code
        .clone()
        .ok_or(WebError::Forbidden(AnswerCardCleanups::NAME))
}

/// The open accounts at `bank` the platform knows of for the holders of `requests` (the bank's
/// own requests): holder → account numbers, in one query per 300 holders.
pub(crate) async fn open_accounts(
    state: &AppState,
    bank: &str,
    requests: &[CardCleanup],
) -> Result<std::collections::HashMap<String, Vec<String>>, WebError> {
    let holders: Vec<&str> = requests.iter().map(|c| c.resident_id.as_str()).collect();
    Ok(state
        .store
        .card_cleanups()
        .known_accounts_at(bank, &holders)
        .await?
        .into_iter()
        .map(|(holder, accounts)| {
            let open = accounts
                .into_iter()
                .filter(|a| !a.closed)
                .map(|a| a.account_no)
                .collect();
            (holder, open)
        })
        .collect())
}

/// An answer's outcome as sent (`cleaned`, `normal` or `no_accounts`).
pub(crate) fn outcome_of(text: &str) -> Result<CleanupOutcome, WebError> {
    CleanupOutcome::parse(text.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "unknown outcome `{}`: cleaned, normal or no_accounts",
            text.trim()
        ))
    })
}

/// Whose requests the caller reads: a bank liaison their bank's; police their subtree
/// (narrowed to `unit` when given). With the heading and the chosen unit (police only).
async fn viewer_of(
    state: &AppState,
    p: &Principal,
    unit: Option<&str>,
) -> Result<(CleanupViewer, String, Option<String>), WebError> {
    if p.has_role(Role::BankLiaison) {
        let bank = liaison_bank(p)?;
        return Ok((CleanupViewer::Bank(bank.clone()), bank, None));
    }
    let (code, scope) = state.narrowed_scope(&p.unit_code, unit).await?;
    Ok((
        CleanupViewer::Police(scope),
        state.unit_name(&code).await,
        Some(code),
    ))
}

fn reason_labels(lang: Lang, reasons: &[CleanupReason]) -> String {
    reasons
        .iter()
        .map(|r| pick(lang, r.zh(), r.en()))
        .collect::<Vec<_>>()
        .join("、")
}

fn optional_count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

async fn rows_of(state: &AppState, lang: Lang, items: Vec<CardCleanup>, now: i64) -> Vec<Row> {
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(items.len());
    for c in items {
        let unit = names.get(&c.unit_code).await;
        let accounts = match c.state {
            CleanupState::Answered => format!(
                "{} / {} / {}",
                optional_count(c.accounts_found),
                optional_count(c.accounts_closed),
                optional_count(c.accounts_restricted)
            ),
            _ => String::new(),
        };
        rows.push(Row {
            id: c.id,
            bank: c.bank_name.clone(),
            holder: format!(
                "{} {}",
                mask_name(&c.holder_name),
                mask_resident_id(&c.resident_id)
            ),
            reasons: reason_labels(lang, &c.reasons),
            unit,
            known_accounts: c.known_accounts,
            requested: format_shanghai(c.requested_at),
            deadline: format_shanghai(c.deadline),
            state_code: c.state.as_str(),
            state: pick(lang, c.state.zh(), c.state.en()),
            overdue: c.overdue(now),
            outcome: c
                .outcome
                .map(|o| pick(lang, o.zh(), o.en()).to_string())
                .unwrap_or_default(),
            accounts,
            answered: c.answered_at.map(format_shanghai).unwrap_or_default(),
            answer_note: c.answer_note.clone(),
        });
    }
    rows
}

/// `GET /card-cleanups[?state=&bank=&reason=&outcome=&overdue=1&unit=]
/// [&format=csv|xlsx[&section=]][&after=KEY]`.
pub async fn list(
    auth: Require<ViewCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    respond(&auth.principal, &auth.csrf_token, &state, &headers, q, None).await
}

/// The page for `p` (with what an answer file did, after one).
async fn respond(
    p: &Principal,
    csrf_token: &str,
    state: &AppState,
    headers: &HeaderMap,
    q: ListQuery,
    import: Option<FigureImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(p, csrf_token, headers, "/card-cleanups");
    let lang = chrome.lang;
    let state = state.clone();
    let now = state.clock.now_ms();
    let (viewer, heading, unit_code) = viewer_of(&state, p, non_empty(&q.unit)).await?;
    // Leaders read the figures only.
    let list = ListCardCleanups::allows(p);
    let filter = CleanupFilter {
        state: parse_or(non_empty(&q.state), CleanupState::parse, "state")?,
        bank_code: non_empty(&q.bank).map(str::to_string),
        reason: parse_or(non_empty(&q.reason), CleanupReason::parse, "reason")?,
        outcome: parse_or(non_empty(&q.outcome), CleanupOutcome::parse, "outcome")?,
        overdue: non_empty(&q.overdue).is_some_and(|v| v != "0"),
        resident_id: None,
    };
    let repo = state.store.card_cleanups();
    let (rows, total, next) = if list {
        let page = match q.format {
            Some(_) => {
                let (repo, viewer, filter) = (&repo, &viewer, &filter);
                every_page("card cleanups", move |r| async move {
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
    let by_bank: Vec<CountsRow> = f
        .by_bank
        .iter()
        .map(|(code, (name, c))| counts_row(code, name.clone(), c))
        .collect();
    let by_reason: Vec<CountsRow> = CleanupReason::ALL
        .iter()
        .map(|r| {
            counts_row(
                r.as_str(),
                pick(lang, r.zh(), r.en()).to_string(),
                &f.by_reason.get(r).cloned().unwrap_or_default(),
            )
        })
        .collect();
    if let Some(format) = q.format {
        return export(lang, list.then_some(rows), &all, &by_bank, &by_reason)
            .respond(format, q.section.as_deref());
    }
    let own_unit = p.unit_code.clone();
    let can_request = RequestCardCleanups::allows(p) && matches!(viewer, CleanupViewer::Police(_));
    let candidates = match (&viewer, can_request) {
        (CleanupViewer::Police(scope), true) => repo.candidates(scope, None, &[], now).await?,
        _ => Vec::new(),
    };
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", non_empty(&q.state)),
            ("bank", non_empty(&q.bank)),
            ("reason", non_empty(&q.reason)),
            ("outcome", non_empty(&q.outcome)),
            ("overdue", filter.overdue.then_some("1")),
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
    let banks = f
        .by_bank
        .iter()
        .map(|(code, (name, _))| Choice {
            value: code.clone(),
            label: name.clone(),
            selected: filter.bank_code.as_deref() == Some(code.as_str()),
        })
        .collect();
    let generated = non_empty(&q.generated)
        .map(|g| {
            let n: Vec<&str> = g.split(',').collect();
            match n.as_slice() {
                [requested, holders, banks] => lang
                    .t("cc_generated")
                    .replace("{requested}", requested)
                    .replace("{holders}", holders)
                    .replace("{banks}", banks),
                _ => String::new(),
            }
        })
        .unwrap_or_default();
    render(&ListPage {
        can_answer: AnswerCardCleanups::allows(p) && matches!(viewer, CleanupViewer::Bank(_)),
        import,
        heading,
        all,
        by_bank,
        by_reason,
        list,
        can_request,
        candidate_total: candidates.len(),
        candidates: candidate_rows(&candidates),
        generated,
        states: choices(
            CleanupState::ALL,
            CleanupState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        banks,
        reasons: choices(
            CleanupReason::ALL,
            CleanupReason::as_str,
            |r| pick(lang, r.zh(), r.en()),
            filter.reason,
        ),
        outcomes: choices(
            CleanupOutcome::ALL,
            CleanupOutcome::as_str,
            |o| pick(lang, o.zh(), o.en()),
            filter.outcome,
        ),
        units,
        overdue_only: filter.overdue,
        rows,
        total,
        query,
        next,
        paged: q.after.is_some(),
        days: CLEANUP_DAYS,
        repeat_days: CLEANUP_REPEAT_DAYS,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Default, Deserialize)]
pub struct GenerateForm {
    /// Empty: every bank.
    #[serde(default)]
    bank: String,
    /// One reason's holders only; empty: every reason.
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// `POST /card-cleanups/generate` (`bank`, `reason`, `note`, all optional): asks the banks
/// about every holder of one's subtree proposed now, and goes back to the list with what was
/// written.
pub async fn generate(
    auth: Require<RequestCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<GenerateForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let reasons = match f.reason.trim() {
        "" => Vec::new(),
        r => vec![CleanupReason::parse(r)
            .ok_or_else(|| WebError::BadRequest(format!("unknown reason `{r}`")))?],
    };
    let bank = Some(f.bank.trim()).filter(|b| !b.is_empty());
    let g = state
        .store
        .card_cleanups()
        .generate(
            &scope,
            bank,
            &reasons,
            &f.note,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!(
            "/card-cleanups?generated={},{},{}",
            g.requested, g.holders, g.banks
        ),
        axum::http::StatusCode::OK,
    ))
}

/// `GET /card-cleanups/{id}`: the request with its answer, the holder and the accounts the
/// platform knows of at the bank (in full for the bank's liaison and for police with
/// personal-data rights, every such view audited), the holder's other requests, and the answer
/// form (the bank's liaison) or the withdrawal (police).
pub async fn detail(
    auth: Require<ListCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/card-cleanups",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let (viewer, _, _) = viewer_of(&state, p, None).await?;
    let repo = state.store.card_cleanups();
    let c = repo.get(&viewer, id).await?;
    let now = state.clock.now_ms();
    let police = matches!(viewer, CleanupViewer::Police(_));
    // The bank needs the holder to find the accounts; police see it with the right to
    // personal data. Every such view is audited.
    let full = !police || ViewPersonalData::allows(p);
    let known = repo.known_accounts(&c).await?;
    if full {
        crate::casework::audit(
            &state,
            &p.login,
            "card_cleanup_holder_viewed",
            "card_cleanup",
            &c.id.to_string(),
            &c.unit_code,
            serde_json::json!({ "bank_code": c.bank_code, "accounts": known.len() }),
        )
        .await?;
    }
    let history_filter = CleanupFilter {
        resident_id: Some(c.resident_id.clone()),
        ..CleanupFilter::default()
    };
    let history = repo
        .list(&viewer, &history_filter, &PageRequest::first(50), now)
        .await?
        .items
        .into_iter()
        .filter(|h| h.id != c.id)
        .collect();
    let pending = c.state == CleanupState::Pending;
    render(&DetailPage {
        id: c.id,
        version: c.version,
        bank: c.bank_name.clone(),
        holder_name: if full {
            c.holder_name.clone()
        } else {
            mask_name(&c.holder_name)
        },
        holder_id: if full {
            c.resident_id.clone()
        } else {
            mask_resident_id(&c.resident_id)
        },
        reasons: c
            .reasons
            .iter()
            .map(|r| pick(lang, r.zh(), r.en()))
            .collect(),
        unit: state.unit_name(&c.unit_code).await,
        known_accounts: c.known_accounts,
        note: c.note.clone(),
        requested: format_shanghai(c.requested_at),
        requested_by: c.requested_by.clone(),
        deadline: format_shanghai(c.deadline),
        state_code: c.state.as_str(),
        state: pick(lang, c.state.zh(), c.state.en()),
        overdue: c.overdue(now),
        on_time: c.on_time(),
        outcome: c
            .outcome
            .map(|o| pick(lang, o.zh(), o.en()).to_string())
            .unwrap_or_default(),
        accounts_found: optional_count(c.accounts_found),
        accounts_closed: optional_count(c.accounts_closed),
        accounts_restricted: optional_count(c.accounts_restricted),
        answered: c.answered_at.map(format_shanghai).unwrap_or_default(),
        answered_by: c.answered_by.clone().unwrap_or_default(),
        answer_note: c.answer_note.clone(),
        accounts: known
            .into_iter()
            .map(|a| AccountRow {
                account_no: if full {
                    a.account_no
                } else {
                    mask_card(&a.account_no)
                },
                opened: a.opened_at.map(format_shanghai).unwrap_or_default(),
                opened_where: a.opened_where.unwrap_or_default(),
                closed: a.closed,
                mule: a.received_victim_money,
            })
            .collect(),
        outcomes: choices(
            CleanupOutcome::ALL,
            CleanupOutcome::as_str,
            |o| pick(lang, o.zh(), o.en()),
            None,
        ),
        can_answer: pending && !police && AnswerCardCleanups::allows(p),
        can_withdraw: pending && police && RequestCardCleanups::allows(p),
        history: rows_of(&state, lang, history, now).await,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    version: i64,
    /// `cleaned`, `normal` or `no_accounts`.
    outcome: String,
    #[serde(default)]
    accounts_found: String,
    #[serde(default)]
    accounts_closed: String,
    #[serde(default)]
    accounts_restricted: String,
    #[serde(default)]
    note: String,
}

/// A count as typed: empty is 0; anything but a whole number is a bad request naming the field.
fn count_of(field: &str, text: &str) -> Result<i64, WebError> {
    match text.trim() {
        "" => Ok(0),
        t => t
            .parse::<i64>()
            .map_err(|_| WebError::BadRequest(format!("{field}: `{t}` is not a whole number"))),
    }
}

/// `POST /card-cleanups/{id}/answer` (`version`, `outcome` cleaned | normal | no_accounts,
/// `accounts_found`, `accounts_closed`, `accounts_restricted`, `note`): the bank liaison's
/// answer to a request addressed to their bank.
pub async fn answer(
    auth: Require<AnswerCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<AnswerForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let bank = liaison_bank(p)?;
    let outcome = outcome_of(&f.outcome)?;
    let answer = CleanupAnswer {
        outcome,
        accounts_found: count_of("accounts_found", &f.accounts_found)?,
        accounts_closed: count_of("accounts_closed", &f.accounts_closed)?,
        accounts_restricted: count_of("accounts_restricted", &f.accounts_restricted)?,
        note: f.note,
    };
    state
        .store
        .card_cleanups()
        .answer(
            &bank,
            id,
            f.version,
            &answer,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/card-cleanups/{id}"),
        axum::http::StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    version: i64,
    note: String,
}

/// `POST /card-cleanups/{id}/withdraw` (`version`, `note`): police withdraw a pending request
/// of their area, saying why.
pub async fn withdraw(
    auth: Require<RequestCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<WithdrawForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .card_cleanups()
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
        format!("/card-cleanups/{id}"),
        axum::http::StatusCode::OK,
    ))
}

const COUNT_HEADS: [&str; 10] = [
    "nd_group",
    "cc_requested",
    "cc_answered",
    "cc_on_time_rate",
    "cc_pending",
    "cc_overdue",
    "cc_cleaned",
    "cc_normal",
    "cc_accounts_closed",
    "cc_accounts_restricted",
];

fn count_cells(r: &CountsRow) -> Vec<String> {
    vec![
        r.label.clone(),
        r.c.requested.to_string(),
        r.c.answered.to_string(),
        r.on_time_rate.clone(),
        r.c.pending.to_string(),
        r.c.overdue.to_string(),
        r.c.cleaned.to_string(),
        r.c.normal.to_string(),
        r.c.accounts_closed.to_string(),
        r.c.accounts_restricted.to_string(),
    ]
}

/// The requests (CSV's default, for those who read the list), the figures, and the counts per
/// bank and per reason.
fn export(
    lang: Lang,
    rows: Option<Vec<Row>>,
    all: &CountsRow,
    by_bank: &[CountsRow],
    by_reason: &[CountsRow],
) -> Sheets {
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        let requests = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.bank,
                    r.holder,
                    r.reasons,
                    r.unit,
                    r.known_accounts.to_string(),
                    r.requested,
                    r.deadline,
                    r.state.to_string(),
                    r.outcome,
                    r.accounts,
                    r.answered,
                    r.answer_note,
                ]
            })
            .collect();
        sheets.push(Sheet::new(
            lang,
            "requests",
            "nav_card_cleanups",
            &[
                "col_id",
                "cc_bank",
                "cc_holder",
                "cc_reasons",
                "unit",
                "cc_known_accounts",
                "nd_requested_at",
                "cc_deadline",
                "col_status",
                "cc_outcome",
                "cc_accounts_answered",
                "nd_answered_at",
                "nd_note",
            ],
            requests,
        ));
    }
    let c = &all.c;
    sheets.push(Sheet::figures(
        lang,
        [
            ("cc_requested", c.requested.to_string()),
            ("cc_answered", c.answered.to_string()),
            ("cc_on_time", c.on_time.to_string()),
            ("cc_on_time_rate", all.on_time_rate.clone()),
            ("cc_pending", c.pending.to_string()),
            ("cc_overdue", c.overdue.to_string()),
            ("cc_withdrawn", c.withdrawn.to_string()),
            ("cc_cleaned", c.cleaned.to_string()),
            ("cc_normal", c.normal.to_string()),
            ("cc_no_accounts", c.no_accounts.to_string()),
            ("cc_accounts_found", c.accounts_found.to_string()),
            ("cc_accounts_closed", c.accounts_closed.to_string()),
            ("cc_accounts_restricted", c.accounts_restricted.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (lang.t(k).to_string(), v))
        .collect(),
    ));
    sheets.push(Sheet::new(
        lang,
        "banks",
        "cc_by_bank",
        &COUNT_HEADS,
        by_bank.iter().map(count_cells).collect(),
    ));
    sheets.push(Sheet::new(
        lang,
        "reasons",
        "cc_by_reason",
        &COUNT_HEADS,
        by_reason.iter().map(count_cells).collect(),
    ));
    Sheets {
        name: "card_cleanups".into(),
        sheets,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct WorklistQuery {
    format: Option<ExportFormat>,
}

/// The work list's columns: what the answer file is read by (`fanzha_ingest::cleanup_answers`)
/// — 编号, 核查结果, the three counts and 说明 — with the request in between for the bank's
/// staff. Chinese in either language: the file goes back to be read.
const WORKLIST_HEADERS: [&str; 12] = [
    "编号",
    "持卡人",
    "证件号码",
    "核查事由",
    "已知账户",
    "申请时间",
    "反馈时限",
    "核查结果",
    "查见账户数",
    "销户数",
    "限制非柜面数",
    "说明",
];

/// `GET /card-cleanups/worklist[?format=csv|xlsx]` (XLSX by default): a bank liaison's pending
/// requests as a work list to fill in — the holder and the known open accounts in full (the
/// bank needs them; the download is audited with its count), the answer columns empty,
/// 核查结果 to be one of 已清理, 核实正常, 本行无账户. The filled-in file goes back through
/// `POST /card-cleanups/answers`.
pub async fn worklist(
    auth: Require<AnswerCardCleanups>,
    State(state): State<AppState>,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let bank = liaison_bank(p)?;
    let now = state.clock.now_ms();
    let repo = state.store.card_cleanups();
    let viewer = CleanupViewer::Bank(bank.clone());
    let filter = CleanupFilter {
        state: Some(CleanupState::Pending),
        ..CleanupFilter::default()
    };
    let pending = {
        let (repo, viewer, filter) = (&repo, &viewer, &filter);
        every_page("card cleanups", move |r| async move {
            Ok(repo.list(viewer, filter, &r, now).await?)
        })
        .await?
        .items
    };
    let open = open_accounts(&state, &bank, &pending).await?;
    let mut rows = Vec::with_capacity(pending.len());
    for c in &pending {
        let accounts = open
            .get(&c.resident_id)
            .map(|a| a.join(" "))
            .unwrap_or_default();
        let mut row = vec![
            c.id.to_string(),
            c.holder_name.clone(),
            c.resident_id.clone(),
            reason_labels(Lang::Zh, &c.reasons),
            accounts,
            format_shanghai(c.requested_at),
            format_shanghai(c.deadline),
        ];
        row.resize(WORKLIST_HEADERS.len(), String::new());
        rows.push(row);
    }
    crate::casework::audit(
        &state,
        &p.login,
        "card_cleanup_worklist_exported",
        "card_cleanup",
        &bank,
        &p.unit_code,
        serde_json::json!({ "bank_code": bank, "requests": rows.len() }),
    )
    .await?;
    Table {
        name: format!("card_cleanups_{}", bank.to_lowercase()),
        headers: WORKLIST_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    }
    .respond(q.format.unwrap_or(ExportFormat::Xlsx))
}

/// `POST /card-cleanups/answers` (multipart: `file`, `format`): a bank liaison's answers from
/// the work list filled in, each row answered as the request's page answers it (audited by the
/// store); rows in error quarantined with line and reason. Answers the page with what the
/// import did.
pub async fn import_answers(
    auth: Require<AnswerCardCleanups>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let bank = liaison_bank(p)?;
    let mut up = super::upload::Upload::read(multipart, "card_cleanup_answers.csv", &[]).await?;
    let format = up.format;
    let (file, bytes) = up.take_file("choose the work list with the answers filled in")?;
    let done =
        crate::cleanup_answers::import_answers(&state, &bank, &p.login, &file, &bytes, format)
            .await?;
    let view = FigureImportView::new(
        done.import_run,
        file,
        done.read,
        done.applied,
        &done.rejected,
    );
    respond(
        p,
        &auth.csrf_token,
        &state,
        &headers,
        ListQuery::default(),
        Some(view),
    )
    .await
}

/// A 存量卡清理 request about a holder, as the holder's pages (the key-person dossier, a new
/// card's page) list it.
pub(crate) struct CleanupLine {
    pub id: i64,
    pub bank: String,
    pub state_code: &'static str,
    pub state: &'static str,
    pub outcome: &'static str,
    /// Found / closed / restricted, once answered.
    pub accounts: String,
    pub requested: String,
}

/// The person's cleanup requests the reader's area holds, the latest first.
pub(crate) async fn cleanups_of(
    state: &AppState,
    scope: &fanzha_store::Scope,
    lang: Lang,
    resident_id: &str,
    now: i64,
) -> Result<Vec<CleanupLine>, WebError> {
    let filter = fanzha_store::CleanupFilter {
        resident_id: Some(resident_id.to_string()),
        ..fanzha_store::CleanupFilter::default()
    };
    let page = state
        .store
        .card_cleanups()
        .list(
            &fanzha_store::CleanupViewer::Police(scope.clone()),
            &filter,
            &PageRequest::first(50),
            now,
        )
        .await?;
    let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    Ok(page
        .items
        .into_iter()
        .map(|c| CleanupLine {
            id: c.id,
            bank: c.bank_name.clone(),
            state_code: c.state.as_str(),
            state: pick(lang, c.state.zh(), c.state.en()),
            outcome: c.outcome.map(|o| pick(lang, o.zh(), o.en())).unwrap_or(""),
            accounts: match c.state {
                fanzha_store::CleanupState::Answered => format!(
                    "{} / {} / {}",
                    count(c.accounts_found),
                    count(c.accounts_closed),
                    count(c.accounts_restricted)
                ),
                _ => String::new(),
            },
            requested: format_shanghai(c.requested_at),
        })
        .collect())
}
