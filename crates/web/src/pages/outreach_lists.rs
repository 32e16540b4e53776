//! 精准宣防名单: whom the area's frauds hit (the last 90 days' victims per group, with the type
//! that caught most of them), lists of the residents of a group not yet on the anti-fraud app
//! issued to the grid workers with a deadline, and each visit recorded on the list — reached
//! (the app installed or not) or not met. Data from [`fanzha_store::OutreachLists`], whose
//! writes are audited; names, ID numbers and phone numbers are masked on these pages.

use super::choices::{non_empty, parse_or, unit_choices, Choice};
use super::scripts::talking_points;
use super::view::pick;
use super::{after_write, back_under, render, version_field, Chrome};
use crate::auth::permission::{IssueOutreachLists, Permission, RecordOutreach, ViewOutreach};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::{AppState, UnitNames};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::{format_shanghai, format_shanghai_date, shanghai_date};
use fanzha_core::FraudType;
use fanzha_store::{
    group_hits, GroupHits, ListFigures, ListRow, NewOutreachList, OutreachList, PageRequest,
    ReachRecord, ReachState, TargetGroup,
};
use serde::Deserialize;

const DAY_MS: i64 = 86_400_000;
/// The profile looks this far back.
const PROFILE_DAYS: i64 = 90;
/// A list's default time to reach everyone.
const DEFAULT_DAYS: i64 = 30;
/// Rows per screen of a list.
const PAGE_ROWS: u32 = 100;

fn type_label(lang: Lang, code: Option<&str>) -> String {
    match code.and_then(|c| FraudType::parse_label(c).ok()) {
        Some(t) => pick(lang, t.zh(), t.en()).to_string(),
        None => "—".into(),
    }
}

fn share(part: i64, whole: i64) -> String {
    if whole > 0 {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    } else {
        "—".into()
    }
}

/// One group of the profile.
struct HitRow {
    group: &'static str,
    label: &'static str,
    cases: i64,
    share: String,
    loss_yuan: String,
    top_type: String,
    /// Residents of the reader's area in the group not on the app (a list issued now).
    unreached: i64,
}

/// A list as listed, with the figures of the reader's rows.
struct ListLine {
    id: i64,
    issued: String,
    unit: String,
    group: &'static str,
    fraud_type: String,
    deadline: String,
    overdue: bool,
    figures: ListFigures,
    coverage: String,
}

async fn line_of(names: &mut UnitNames<'_>, lang: Lang, l: &OutreachList, now: i64) -> ListLine {
    ListLine {
        id: l.id,
        issued: format_shanghai_date(l.created_at),
        unit: names.get(&l.unit_code).await,
        group: pick(lang, l.group.zh(), l.group.en()),
        fraud_type: type_label(lang, l.fraud_type.as_deref()),
        deadline: format_shanghai_date(l.deadline),
        overdue: l.deadline < now && l.figures.pending > 0,
        figures: l.figures,
        coverage: share(l.figures.reached, l.figures.rows),
    }
}

#[derive(Template)]
#[template(path = "outreach_lists.html")]
struct ListsPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    profile_days: i64,
    profile_cases: i64,
    hits: Vec<HitRow>,
    can_issue: bool,
    units: Vec<Choice>,
    groups: Vec<Choice>,
    types: Vec<Choice>,
    default_days: i64,
    lists: Vec<ListLine>,
}

/// The groups the last 90 days' cases of `scope` hit, with the residents of each left to reach.
async fn profile(
    state: &AppState,
    scope: &fanzha_store::Scope,
    unit_code: &str,
    now: i64,
    today: NaiveDate,
) -> Result<(i64, Vec<GroupHits>, Vec<i64>), WebError> {
    let repo = state.store.outreach_lists();
    let victims = repo
        .victims(scope, now - PROFILE_DAYS * DAY_MS, now + 1)
        .await?;
    let hits = group_hits(&victims);
    let mut unreached = Vec::with_capacity(hits.len());
    for h in &hits {
        unreached.push(repo.candidates(scope, unit_code, h.group, today).await?);
    }
    Ok((victims.len() as i64, hits, unreached))
}

/// `GET /outreach/lists`: the profile of the area's victims by group, the form to issue a list
/// (commanders and analysts), and the lists of the area with how far each has got.
pub async fn list(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/outreach/lists",
    );
    let lang = chrome.lang;
    let own = auth.principal.unit_code.clone();
    let now = state.clock.now_ms();
    let today = shanghai_date(now).ok_or_else(|| WebError::BadRequest("clock".into()))?;
    let scope = state.scope_of(&own).await?;
    let (profile_cases, hits, unreached) = profile(&state, &scope, &own, now, today).await?;
    // The form proposes the group hit hardest, and its commonest type.
    let hardest = hits.iter().max_by_key(|h| h.cases).filter(|h| h.cases > 0);
    let hit_rows = hits
        .iter()
        .zip(unreached)
        .map(|(h, unreached)| HitRow {
            group: h.group.as_str(),
            label: pick(lang, h.group.zh(), h.group.en()),
            cases: h.cases,
            share: share(h.cases, profile_cases),
            loss_yuan: format!("{:.2}", h.loss_fen as f64 / 100.0),
            top_type: type_label(lang, h.top_fraud_type.as_deref()),
            unreached,
        })
        .collect();
    let can_issue = IssueOutreachLists::allows(&auth.principal);
    let (units, groups, types) = if can_issue {
        let group = hardest.map(|h| h.group);
        let fraud = hardest.and_then(|h| h.top_fraud_type.as_deref());
        let types = FraudType::ALL
            .iter()
            .filter(|t| !matches!(t, FraudType::Normal))
            .map(|t| Choice {
                value: t.code().to_string(),
                label: pick(lang, t.zh(), t.en()).to_string(),
                selected: Some(t.code()) == fraud,
            })
            .collect();
        (
            unit_choices(&state, &own, &own).await?,
            super::choices::choices(
                TargetGroup::ALL,
                TargetGroup::as_str,
                |g| pick(lang, g.zh(), g.en()),
                group,
            ),
            types,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let mut names = state.unit_names();
    let mut lists = Vec::new();
    for l in state.store.outreach_lists().lists(&scope, 100).await? {
        lists.push(line_of(&mut names, lang, &l, now).await);
    }
    render(&ListsPage {
        unit_name: state.unit_name(&own).await,
        profile_days: PROFILE_DAYS,
        profile_cases,
        hits: hit_rows,
        can_issue,
        units,
        groups,
        types,
        default_days: DEFAULT_DAYS,
        lists,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    /// A unit of one's subtree; one's own when empty.
    #[serde(default)]
    unit: String,
    group: String,
    /// A fraud type's code; none when empty.
    #[serde(default)]
    fraud_type: String,
    /// Days to reach everyone (1–365).
    #[serde(default)]
    days: String,
}

/// `POST /outreach/lists` (`unit`, `group`, `fraud_type`, `days`): issues a list of the
/// residents of the group not on the app in the unit's area; opens it. Refused (400, nothing
/// stored) for an unknown group or type, a number of days outside 1–365, a group nobody is left
/// in, or more than 5,000 residents (issue for the units below).
pub async fn issue(
    auth: Require<IssueOutreachLists>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<IssueForm>,
) -> Result<Response, WebError> {
    let own = &auth.principal.unit_code;
    let unit_code = match f.unit.trim() {
        "" => own.clone(),
        code => state.unit_within(own, code).await?.code,
    };
    let group = TargetGroup::parse(f.group.trim())
        .ok_or_else(|| WebError::BadRequest(format!("group: unknown `{}`", f.group.trim())))?;
    let fraud_type = match f.fraud_type.trim() {
        "" => None,
        t => Some(
            FraudType::parse_label(t)
                .map_err(|_| WebError::BadRequest(format!("fraud_type: unknown `{t}`")))?
                .code()
                .to_string(),
        ),
    };
    let days: i64 = match f.days.trim() {
        "" => DEFAULT_DAYS,
        d => d
            .parse()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| WebError::BadRequest("days: a whole number from 1 to 365".into()))?,
    };
    let now = state.clock.now_ms();
    let today = shanghai_date(now).ok_or_else(|| WebError::BadRequest("clock".into()))?;
    let scope = state.scope_of(own).await?;
    let (id, _) = state
        .store
        .outreach_lists()
        .issue(
            &scope,
            &NewOutreachList {
                unit_code,
                group,
                fraud_type,
                deadline: now + days * DAY_MS,
                created_by: auth.principal.login.clone(),
            },
            today,
            now,
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/outreach/lists/{id}"),
        StatusCode::CREATED,
    ))
}

/// A row as shown: the resident masked.
struct RowLine {
    id: i64,
    name: String,
    resident_id: String,
    age: String,
    phone: String,
    address: String,
    unit: String,
    state: &'static str,
    state_label: &'static str,
    app: bool,
    note: String,
    done: String,
    version: i64,
}

struct UnitLine {
    unit: String,
    figures: ListFigures,
    coverage: String,
}

#[derive(Template)]
#[template(path = "outreach_list.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    line: ListLine,
    points: Vec<String>,
    units: Vec<UnitLine>,
    states: Vec<Choice>,
    state_code: String,
    rows: Vec<RowLine>,
    can_record: bool,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RowsQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// The resident's age on `today`, read from the ID number's birth date ("—" when unreadable).
fn age_on(resident_id: &str, today: NaiveDate) -> String {
    fanzha_store::birth_of(resident_id)
        .and_then(|b| today.years_since(b))
        .map(|a| a.to_string())
        .unwrap_or_else(|| "—".into())
}

async fn row_line(names: &mut UnitNames<'_>, lang: Lang, r: ListRow, today: NaiveDate) -> RowLine {
    RowLine {
        id: r.id,
        name: mask_name(&r.name),
        age: age_on(&r.resident_id, today),
        resident_id: mask_resident_id(&r.resident_id),
        phone: r.phone.as_deref().map(mask_phone).unwrap_or_default(),
        address: r.address.unwrap_or_default(),
        unit: names.get(&r.unit_code).await,
        state: r.state.as_str(),
        state_label: pick(lang, r.state.zh(), r.state.en()),
        app: r.app_installed,
        note: r.note,
        done: match (r.done_by, r.done_at) {
            (Some(by), Some(at)) => format!("{by} · {}", format_shanghai(at)),
            _ => String::new(),
        },
        version: r.version,
    }
}

/// `GET /outreach/lists/{id}[?state=pending|reached|unreachable][&after=ROW]`: a list — what
/// to tell them (the talking points of its fraud type), how far each village has got, and its
/// rows of the reader's area (masked) with the visit form for those who record outreach.
pub async fn show(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<RowsQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/outreach/lists",
    );
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let today = shanghai_date(now).ok_or_else(|| WebError::BadRequest("clock".into()))?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.outreach_lists();
    let list = repo.get(&scope, id).await?;
    let wanted = parse_or(non_empty(&q.state), ReachState::parse, "state")?;
    let page = repo
        .rows(
            &scope,
            id,
            wanted,
            &PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            },
        )
        .await?;
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(page.items.len());
    for r in page.items {
        rows.push(row_line(&mut names, lang, r, today).await);
    }
    let mut units = Vec::new();
    for (code, f) in repo.figures_by_unit(&scope, id).await? {
        units.push(UnitLine {
            unit: names.get(&code).await,
            coverage: share(f.reached, f.rows),
            figures: f,
        });
    }
    let points = talking_points(&state, lang, list.fraud_type.as_deref()).await?;
    render(&ListPage {
        line: line_of(&mut names, lang, &list, now).await,
        points,
        units,
        states: super::choices::choices(
            ReachState::ALL,
            ReachState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            wanted,
        ),
        state_code: wanted.map(|s| s.as_str().to_string()).unwrap_or_default(),
        rows,
        can_record: RecordOutreach::allows(&auth.principal),
        next: page.next,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct VisitForm {
    version: String,
    /// `reached` or `unreachable`.
    result: String,
    /// Present (any value) when the app was installed on the spot.
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    note: String,
}

/// `POST /outreach/list-rows/{id}` (`version`, `result`, `app`, `note`): records a visit to a
/// resident of one's area on a list (audited; an installation registers the resident on the
/// app) and answers with the list. Another visit recorded first answers 409; a row outside
/// one's area 404; a result that is neither reached nor not met, or the app without a meeting,
/// 400.
pub async fn record(
    auth: Require<RecordOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(row_id): Path<i64>,
    FormBody(f): FormBody<VisitForm>,
) -> Result<Response, WebError> {
    let version = version_field(&f.version)?;
    let result = ReachState::parse(f.result.trim())
        .ok_or_else(|| WebError::BadRequest(format!("result: unknown `{}`", f.result.trim())))?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let row = state
        .store
        .outreach_lists()
        .record(
            &scope,
            row_id,
            version,
            &ReachRecord {
                state: result,
                app_installed: f.app.is_some_and(|a| !a.is_empty() && a != "0"),
                note: f.note,
            },
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    let back = back_under(
        &headers,
        "/outreach/lists/",
        format!("/outreach/lists/{}", row.list_id),
    );
    Ok(after_write(&headers, back, StatusCode::OK))
}
