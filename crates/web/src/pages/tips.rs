//! 举报线索: the tips of one's area — figures of the last 30 days, the list (filter by state and
//! kind, reporter's number masked) and a form to record one; a tip's page with the reporter's
//! number in full (with the right to personal data, audited), the check form (查实 with what was
//! done, or 排除 with why) and, for a number, the way to ask its operator to shut it down; and
//! the grid worker's phone page (`/m/tips`) to report from a round and see what became of it.
//! Data from the store's [`fanzha_store::Tips`], whose writes are audited.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::view::pick;
use super::{after_write, render, Chrome};
use crate::auth::permission::{Permission, ReportTips, ReviewTips, ViewPersonalData, ViewTips};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::mask_phone;
use fanzha_core::time::format_shanghai;
use fanzha_store::{
    NewTip, PageRequest, Role, Tip, TipCounts, TipFilter, TipKind, TipSource, TipState,
};
use serde::Deserialize;

/// Tips per screen.
const PAGE_ROWS: u32 = 50;
/// The figures cover this many days back.
const FIGURE_DAYS: i64 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// A tip as listed: the reporter's number masked.
struct Row {
    id: i64,
    reported: String,
    unit: String,
    kind: &'static str,
    subject: String,
    source: &'static str,
    reporter: String,
    state: &'static str,
    state_code: &'static str,
}

async fn rows_of(state: &AppState, lang: Lang, tips: Vec<Tip>) -> Vec<Row> {
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(tips.len());
    for t in tips {
        rows.push(Row {
            id: t.id,
            reported: format_shanghai(t.reported_at),
            unit: names.get(&t.unit_code).await,
            kind: pick(lang, t.kind.zh(), t.kind.en()),
            source: pick(lang, t.source.zh(), t.source.en()),
            reporter: t
                .reporter_phone
                .as_deref()
                .map(mask_phone)
                .unwrap_or_default(),
            state: pick(lang, t.state.zh(), t.state.en()),
            state_code: t.state.as_str(),
            subject: t.subject,
        });
    }
    rows
}

/// The report form's choices, shared by the desk and the phone.
struct ReportForm {
    kinds: Vec<Choice>,
    sources: Vec<Choice>,
    units: Vec<Choice>,
}

async fn report_form(state: &AppState, lang: Lang, p: &Principal) -> Result<ReportForm, WebError> {
    let own = p.unit_code.as_str();
    let default_source = if p.has_role(Role::GridWorker) {
        TipSource::GridWorker
    } else {
        TipSource::Resident
    };
    Ok(ReportForm {
        kinds: choices(
            TipKind::ALL,
            TipKind::as_str,
            |k| pick(lang, k.zh(), k.en()),
            Some(TipKind::Phone),
        ),
        sources: choices(
            TipSource::ALL,
            TipSource::as_str,
            |s| pick(lang, s.zh(), s.en()),
            Some(default_source),
        ),
        units: unit_choices(state, own, own).await?,
    })
}

#[derive(Template)]
#[template(path = "tips.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    counts: TipCounts,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    rows: Vec<Row>,
    total: i64,
    next: Option<String>,
    query: String,
    paged: bool,
    /// The report form, for those who report.
    form: Option<ReportForm>,
}

/// `GET /tips[?state=&kind=][&after=KEY]`.
pub async fn list(
    auth: Require<ViewTips>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/tips");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let filter = TipFilter {
        state: parse_or(non_empty(&q.state), TipState::parse, "state")?,
        kind: parse_or(non_empty(&q.kind), TipKind::parse, "kind")?,
        reported_by: None,
    };
    let repo = state.store.tips();
    let page = repo
        .list(
            &scope,
            &filter,
            &PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            },
        )
        .await?;
    let now = state.clock.now_ms();
    let counts = repo
        .counts(&scope, now - FIGURE_DAYS * 86_400_000, now + 1)
        .await?;
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = filter.state {
            query.append_pair("state", s.as_str());
        }
        if let Some(k) = filter.kind {
            query.append_pair("kind", k.as_str());
        }
        query.finish()
    };
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        counts,
        states: choices(
            TipState::ALL,
            TipState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        kinds: choices(
            TipKind::ALL,
            TipKind::as_str,
            |k| pick(lang, k.zh(), k.en()),
            filter.kind,
        ),
        total: repo.count(&scope, &filter).await?,
        rows: rows_of(&state, lang, page.items).await,
        next: page.next,
        query,
        paged: q.after.is_some(),
        form: if ReportTips::allows(p) {
            Some(report_form(&state, lang, p).await?)
        } else {
            None
        },
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ReportBody {
    #[serde(default)]
    unit_code: Option<String>,
    kind: String,
    subject: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    reporter_phone: Option<String>,
}

/// `POST /tips` (`unit_code` — one's own or a unit below, default one's own —, `kind`,
/// `subject`, `detail`, `source`, `reporter_phone`): records a tip (audited by the store). A
/// grid worker goes back to the phone page, the others to the tip's page. A malformed subject
/// of its kind or callback number is refused naming the field.
pub async fn report(
    auth: Require<ReportTips>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<ReportBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let unit = state
        .unit_within(
            &p.unit_code,
            non_empty(&f.unit_code).unwrap_or(&p.unit_code),
        )
        .await?;
    let kind = TipKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{}`", f.kind.trim())))?;
    let source = match non_empty(&f.source) {
        Some(s) => TipSource::parse(s)
            .ok_or_else(|| WebError::BadRequest(format!("unknown source `{s}`")))?,
        None if p.has_role(Role::GridWorker) => TipSource::GridWorker,
        None => TipSource::Police,
    };
    let scope = state.scope_of(&p.unit_code).await?;
    let id = state
        .store
        .tips()
        .report(
            &scope,
            &NewTip {
                unit_code: unit.code,
                kind,
                subject: f.subject,
                detail: f.detail,
                source,
                reporter_phone: f.reporter_phone,
                reported_by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    let to = if p.has_role(Role::GridWorker) {
        "/m/tips?saved=1".to_string()
    } else {
        format!("/tips/{id}")
    };
    Ok(after_write(&headers, to, StatusCode::CREATED))
}

#[derive(Template)]
#[template(path = "tip.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    t: Tip,
    unit: String,
    kind: &'static str,
    source: &'static str,
    state: &'static str,
    reported: String,
    reviewed: String,
    /// The reporter's number: in full with the right to personal data (audited), else masked.
    reporter: String,
    can_review: bool,
    /// For a phone number: the way to ask its operator to shut it down.
    dispose: Option<String>,
}

/// `GET /tips/{id}`: a tip of one's area with its check.
pub async fn detail(
    auth: Require<ViewTips>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/tips");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let t = state.store.tips().get(&scope, id).await?;
    let reporter = match t.reporter_phone.as_deref() {
        Some(number) if ViewPersonalData::allows(p) => {
            crate::casework::audit(
                &state,
                &p.login,
                "tip_reporter_viewed",
                "tip",
                &t.id.to_string(),
                &t.unit_code,
                serde_json::json!({}),
            )
            .await?;
            number.to_string()
        }
        Some(number) => mask_phone(number),
        None => String::new(),
    };
    let dispose = (t.kind == TipKind::Phone).then(|| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("ask", &t.subject);
        format!("/number-disposals?{}#request", q.finish())
    });
    render(&DetailPage {
        unit: state.unit_name(&t.unit_code).await,
        kind: pick(lang, t.kind.zh(), t.kind.en()),
        source: pick(lang, t.source.zh(), t.source.en()),
        state: pick(lang, t.state.zh(), t.state.en()),
        reported: format_shanghai(t.reported_at),
        reviewed: t.reviewed_at.map(format_shanghai).unwrap_or_default(),
        reporter,
        can_review: t.state == TipState::Pending && ReviewTips::allows(p),
        dispose,
        t,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ReviewBody {
    state: String,
    #[serde(default)]
    finding: String,
    version: String,
}

/// `POST /tips/{id}/review` (`state` confirmed|dismissed, `finding`, `version`): the check of a
/// pending tip of one's area (audited by the store); a stale version or a second check is a
/// conflict, no finding is refused.
pub async fn review(
    auth: Require<ReviewTips>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ReviewBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let to = TipState::parse(f.state.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown state `{}`", f.state.trim())))?;
    let version = super::version_field(&f.version)?;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .tips()
        .review(
            &scope,
            id,
            version,
            to,
            &f.finding,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(&headers, format!("/tips/{id}"), StatusCode::OK))
}

#[derive(Debug, Default, Deserialize)]
pub struct PhoneQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "mobile_tips.html")]
struct PhonePage {
    lang: Lang,
    chrome: Chrome,
    unit: String,
    saved: bool,
    form: ReportForm,
    /// One's own tips, the newest first, with what became of them.
    mine: Vec<(Row, String)>,
}

/// `GET /m/tips[?saved=1]`: the phone's report form and one's own latest tips with their
/// checks.
pub async fn phone(
    auth: Require<ReportTips>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PhoneQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m/tips");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let own = state
        .store
        .tips()
        .list(
            &scope,
            &TipFilter {
                reported_by: Some(p.login.clone()),
                ..TipFilter::default()
            },
            &PageRequest::first(20),
        )
        .await?
        .items;
    let findings: Vec<String> = own.iter().map(|t| t.finding.clone()).collect();
    let mine = rows_of(&state, lang, own)
        .await
        .into_iter()
        .zip(findings)
        .collect();
    render(&PhonePage {
        unit: state.unit_name(&p.unit_code).await,
        saved: q.saved.as_deref() == Some("1"),
        form: report_form(&state, lang, p).await?,
        mine,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}
