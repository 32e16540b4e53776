//! 重点人员 (一人一档): the figures of one's area (people in control by category, punished, exit
//! bans in force, 劝返率), the dossiers — masked, filtered by category, status, measure in force
//! and unit, paged, CSV / XLSX — a form to list a resident by ID number, and the dossier page:
//! the person in full (each view audited), the entries in order, and forms to add a punishment,
//! an exit ban, a 劝返 state, a visit, or to close it; the responsible officer (包保责任人) and
//! the visit cycle (定期走访), with the next visit due and overdue visits filtered, counted and
//! exported. Data from the store's
//! [`fanzha_store::KeyPersons`]; writes are audited there, in the change's transaction.

use super::choices::{non_empty, parse_or};
use super::choices::{unit_choices, Choice};
use super::upload::Upload;
use super::view::{pick, time};
use super::{render, Chrome};
use crate::auth::permission::{
    ManageKeyPersons, Permission, ViewCases, ViewKeyPersons, ViewWarnings,
};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::key_person_import::{import_key_person_list, KeyPersonListUpload, SOURCES};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::{format_shanghai_date, shanghai_midnight};
use fanzha_core::ResidentId;
use fanzha_store::{
    AbroadState, ActiveMeasure, ControlState, ControlUpdate, InvolvedSince, KeyPerson,
    KeyPersonCategory, KeyPersonEvent, KeyPersonFilter, KeyPersonMeasure, KeyPersonStatus,
    NewAuditEntry, NewKeyPerson, PageRequest, PunishmentKind, Responsible, ReturneeResult, Scope,
    StoreError,
};
use serde::Deserialize;
use std::collections::HashSet;

/// Dossiers per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

pub fn category_label(lang: Lang, c: KeyPersonCategory) -> &'static str {
    pick(lang, c.zh(), c.en())
}

fn status_label(lang: Lang, s: KeyPersonStatus) -> &'static str {
    match s {
        KeyPersonStatus::Active => lang.t("kp_active"),
        KeyPersonStatus::Closed => lang.t("kp_closed"),
    }
}

pub(super) fn punishment_label(lang: Lang, k: PunishmentKind) -> &'static str {
    match k {
        PunishmentKind::Financial => lang.t("kp_punish_financial"),
        PunishmentKind::Telecom => lang.t("kp_punish_telecom"),
        PunishmentKind::Credit => lang.t("kp_punish_credit"),
    }
}

fn abroad_label(lang: Lang, s: AbroadState) -> &'static str {
    match s {
        AbroadState::Abroad => lang.t("kp_abroad"),
        AbroadState::Returned => lang.t("kp_returned"),
        AbroadState::Refused => lang.t("kp_refused"),
    }
}

/// The date a measure's exclusive end falls on (its last day).
fn last_day(until: i64) -> String {
    format_shanghai_date(until - 1)
}

fn period(lang: Lang, from: Option<i64>, until: Option<i64>) -> String {
    match (from, until) {
        (Some(f), Some(u)) => format!("{} – {}", format_shanghai_date(f), last_day(u)),
        (Some(f), None) => format!("{} – {}", format_shanghai_date(f), lang.t("kp_open_ended")),
        _ => String::new(),
    }
}

/// The measures of a dossier in force at `now`, in words.
fn measures(lang: Lang, k: &KeyPerson, now: i64) -> Vec<String> {
    let mut out = Vec::new();
    if k.punished_at(now) {
        let kind = k
            .punishment_kind
            .map(|p| punishment_label(lang, p))
            .unwrap_or_default();
        out.push(format!(
            "{} {kind} {}",
            lang.t("kp_punishment"),
            period(lang, k.punishment_from, k.punishment_until)
        ));
    }
    if k.exit_banned_at(now) {
        out.push(format!(
            "{} {}",
            lang.t("kp_exit_ban"),
            period(lang, k.exit_ban_from, k.exit_ban_until)
        ));
    }
    if let Some(s) = k.abroad_state {
        let place = k.abroad_place.as_deref().unwrap_or("");
        out.push(
            format!("{} {place}", abroad_label(lang, s))
                .trim()
                .to_string(),
        );
    }
    out
}

/// One dossier as the list shows it: personal data masked.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub resident_id: String,
    pub phone: String,
    pub unit: String,
    pub category: &'static str,
    pub status: &'static str,
    pub active: bool,
    pub measures: Vec<String>,
    pub last_visit: String,
    /// The responsible officer's name with the phone masked; empty when nobody is.
    pub responsible: String,
    /// The day the next visit is due (of a dossier in control).
    pub next_visit: String,
    pub overdue: bool,
    pub created: String,
    /// 动态管控 of a dossier in control: code and words (`外出 · 广东省深圳市 · 2026-11-03`).
    pub control_code: &'static str,
    pub control: String,
}

/// The responsible officer in words: name, and the phone masked or in full.
fn officer(k: &KeyPerson, masked: bool) -> String {
    let Some(name) = k.responsible_name.as_deref() else {
        return String::new();
    };
    match k.responsible_phone.as_deref() {
        Some(p) if masked => format!("{name} {}", mask_phone(p)),
        Some(p) => format!("{name} {p}"),
        None => name.to_string(),
    }
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            value: code(v).to_string(),
            label: label(v),
            selected: selected == Some(v),
        })
        .collect()
}

/// The figures tiles.
pub(super) struct Figures {
    in_control: i64,
    closed: i64,
    punished: i64,
    exit_bans: i64,
    abroad: i64,
    returned: i64,
    return_rate: String,
    visits_overdue: i64,
    visits_month: i64,
    unassigned: i64,
    /// People in control found away (外出) / out of reach (失联) at their latest visit.
    away: i64,
    lost: i64,
    /// Returnees in control not checked yet; returnees whose check led to criminal measures.
    returnees_unchecked: i64,
    returnees_prosecuted: i64,
    /// People in control involved again since their listing (再次涉案).
    involved_since_listing: i64,
    /// (category code, label, dossiers in control)
    by_category: Vec<(&'static str, &'static str, i64)>,
}

impl Figures {
    /// The figures of the dossiers inside `scope` at `now`, with the visits of `month`.
    pub(super) async fn of(
        state: &AppState,
        scope: &Scope,
        lang: Lang,
        now: i64,
        (month_from, month_until): (i64, i64),
    ) -> Result<Figures, WebError> {
        let repo = state.store.key_persons();
        let f = repo.figures(scope, now).await?;
        let visits_month = repo.visits(scope, month_from, month_until).await?;
        Ok(Figures {
            visits_overdue: f.visits_overdue,
            visits_month,
            unassigned: f.unassigned,
            away: f.away,
            lost: f.lost,
            returnees_unchecked: f.returnees_unchecked,
            returnees_prosecuted: f.returnees_prosecuted,
            involved_since_listing: f.involved_since_listing,
            in_control: f.in_control,
            closed: f.closed,
            punished: f.punished,
            exit_bans: f.exit_bans,
            abroad: f.abroad,
            returned: f.returned,
            return_rate: f
                .return_rate()
                .map(|r| format!("{:.1}%", r * 100.0))
                .unwrap_or_else(|| "—".into()),
            by_category: f
                .by_category
                .iter()
                .map(|(c, n)| (c.as_str(), category_label(lang, *c), *n))
                .collect(),
        })
    }

    /// The label keys of [`Figures::values`], in the order the page shows them.
    pub(super) const KEYS: [&'static str; 15] = [
        "kp_in_control",
        "kp_punished_now",
        "kp_exit_ban_now",
        "kp_still_abroad",
        "kp_returned",
        "kp_return_rate",
        "kp_closed",
        "kp_visits_overdue",
        "kp_visits_month",
        "kp_unassigned",
        "kp_away",
        "kp_lost",
        "kp_returnees_unchecked",
        "kp_returnees_prosecuted",
        "kpc_involved_again",
    ];

    /// The figures as text, in the order of [`Figures::KEYS`].
    pub(super) fn values(&self) -> [String; 15] {
        [
            self.in_control.to_string(),
            self.punished.to_string(),
            self.exit_bans.to_string(),
            self.abroad.to_string(),
            self.returned.to_string(),
            self.return_rate.clone(),
            self.closed.to_string(),
            self.visits_overdue.to_string(),
            self.visits_month.to_string(),
            self.unassigned.to_string(),
            self.away.to_string(),
            self.lost.to_string(),
            self.returnees_unchecked.to_string(),
            self.returnees_prosecuted.to_string(),
            self.involved_since_listing.to_string(),
        ]
    }
}

#[derive(Template)]
#[template(path = "key_persons.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    figures: Figures,
    /// The same figures for each unit directly below the one shown.
    units_below: Vec<super::key_person_units::UnitLine>,
    /// Rows, the count and the forms are for those who manage dossiers (leaders see figures).
    manage: bool,
    rows: Vec<Row>,
    total: i64,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    measures: Vec<Choice>,
    /// The "visit overdue", "mine" and "involved again" filters as set (`involved`: the
    /// query's code, empty when not set).
    visit_overdue: bool,
    mine: bool,
    involved: &'static str,
    /// 动态管控 states, for the filter.
    controls: Vec<Choice>,
    /// 回流人员核查: `unchecked` and the results, for the filter.
    returnees: Vec<Choice>,
    units: Vec<Choice>,
    /// The filter as a query string, for the export and paging links.
    query: String,
    next: Option<String>,
    paged: bool,
    /// Every category, for the form that lists a person.
    all_categories: Vec<Choice>,
    /// What an import just did.
    import: Option<ImportView>,
    /// Where a list may come from, for the import form.
    sources: Vec<Choice>,
}

/// The result of a list import, as the page shows it.
struct ImportView {
    run: i64,
    file: String,
    read: usize,
    listed: usize,
    already_listed: usize,
    measures_added: usize,
    measures_unchanged: usize,
    /// (line, column, reason)
    rejected: Vec<(i64, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// `overdue`: only dossiers whose visit is overdue now.
    #[serde(default)]
    visit: Option<String>,
    /// `1`: only dossiers one is responsible for.
    #[serde(default)]
    mine: Option<String>,
    /// `stable`, `away`, `lost`: only dossiers in control whose person stands so.
    #[serde(default)]
    control: Option<String>,
    /// `unchecked`: returnees in control not checked yet; a check's result: returnees whose
    /// check found it.
    #[serde(default)]
    returnee: Option<String>,
    /// `since_listing` (or `1`): only dossiers in control whose person was involved in a case
    /// since the listing; `pending`: since the dossier's latest visit or measure.
    #[serde(default)]
    involved: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `dossiers` (default for those who manage them), `figures` or
    /// `categories`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// `GET /key-persons[?category=&status=&measure=&unit=&visit=overdue&mine=1&involved=1]
/// [&format=csv|xlsx]
/// [&after=KEY]`.
pub async fn list(
    auth: Require<ViewKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &auth, &headers, &q, None).await
}

async fn list_page<P: Permission>(
    state: &AppState,
    auth: &Require<P>,
    headers: &HeaderMap,
    q: &ListQuery,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/key-persons");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    // Those who only read the figures export the figures, never the dossiers.
    let manage = ManageKeyPersons::allows(&auth.principal);
    let filter = KeyPersonFilter {
        category: parse_or(non_empty(&q.category), KeyPersonCategory::parse, "category")?,
        status: parse_or(non_empty(&q.status), KeyPersonStatus::parse, "status")?,
        measure: parse_or(non_empty(&q.measure), ActiveMeasure::parse, "measure")?,
        resident_id: None,
        visit_overdue: match non_empty(&q.visit) {
            None => false,
            Some("overdue") => true,
            Some(other) => {
                return Err(WebError::BadRequest(format!(
                    "visit: unknown value `{other}` (overdue)"
                )))
            }
        },
        responsible: non_empty(&q.mine)
            .filter(|v| *v != "0")
            .map(|_| auth.principal.login.clone()),
        control: parse_or(non_empty(&q.control), ControlState::parse, "control")?,
        returnee: match non_empty(&q.returnee) {
            None => None,
            Some("unchecked") => Some(None),
            Some(r) => Some(Some(ReturneeResult::parse(r).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "returnee: unknown value `{r}` (unchecked, criminal, administrative, \
                     admonished, no_offence)"
                ))
            })?)),
        },
        involved_since: match non_empty(&q.involved) {
            None | Some("0") => None,
            Some("1" | "since_listing") => Some(InvolvedSince::Listing),
            Some("pending") => Some(InvolvedSince::LastAction),
            Some(other) => {
                return Err(WebError::BadRequest(format!(
                    "involved: unknown value `{other}` (since_listing, pending)"
                )))
            }
        },
    };
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let repo = state.store.key_persons();
    let month = month_of(now)?;
    let figures = Figures::of(state, &scope, lang, now, month).await?;
    // The same figures for each unit directly below.
    let units_below =
        super::key_person_units::unit_lines(state, &unit_code, lang, now, month).await?;
    let (rows, total, next) = if manage {
        let page = match q.format {
            Some(_) => {
                let (repo, scope, filter) = (&repo, &scope, &filter);
                every_page("key persons", move |r| async move {
                    Ok(repo.list(scope, filter, &r, now).await?)
                })
                .await?
            }
            None => {
                let request = PageRequest {
                    after: q.after.clone(),
                    limit: PAGE_ROWS,
                };
                repo.list(&scope, &filter, &request, now).await?
            }
        };
        let total = repo.count(&scope, &filter, now).await?;
        let ids: Vec<i64> = page.items.iter().map(|k| k.id).collect();
        let involved = repo
            .involved_among(&scope, &ids, InvolvedSince::Listing)
            .await?;
        (
            rows_of(state, lang, page.items, &involved, now).await,
            total,
            page.next,
        )
    } else {
        (Vec::new(), 0, None)
    };
    if let Some(format) = q.format {
        return export(lang, manage.then_some(rows), &figures, &units_below)
            .respond(format, q.section.as_deref());
    }
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("category", non_empty(&q.category)),
            ("status", non_empty(&q.status)),
            ("measure", non_empty(&q.measure)),
            ("visit", filter.visit_overdue.then_some("overdue")),
            ("mine", filter.responsible.is_some().then_some("1")),
            ("control", filter.control.map(ControlState::as_str)),
            (
                "returnee",
                filter
                    .returnee
                    .map(|r| r.map_or("unchecked", ReturneeResult::as_str)),
            ),
            ("involved", filter.involved_since.map(involved_code)),
            (
                "unit",
                (unit_code != own_unit).then_some(unit_code.as_str()),
            ),
        ] {
            if let Some(v) = v {
                query.append_pair(k, v);
            }
        }
        query.finish()
    };
    let units = unit_choices(state, &own_unit, &unit_code).await?;
    let category_choice = |selected| {
        choices(
            &KeyPersonCategory::ALL,
            KeyPersonCategory::as_str,
            |c| category_label(lang, c).to_string(),
            selected,
        )
    };
    render(&ListPage {
        lang,
        figures,
        units_below,
        manage,
        rows,
        total,
        categories: category_choice(filter.category),
        all_categories: category_choice(None),
        statuses: choices(
            &[KeyPersonStatus::Active, KeyPersonStatus::Closed],
            KeyPersonStatus::as_str,
            |s| status_label(lang, s).to_string(),
            filter.status,
        ),
        measures: choices(
            &[
                ActiveMeasure::Punished,
                ActiveMeasure::ExitBan,
                ActiveMeasure::Abroad,
                ActiveMeasure::Returned,
            ],
            ActiveMeasure::as_str,
            |m| {
                lang.t(match m {
                    ActiveMeasure::Punished => "kp_punished_now",
                    ActiveMeasure::ExitBan => "kp_exit_ban_now",
                    ActiveMeasure::Abroad => "kp_still_abroad",
                    ActiveMeasure::Returned => "kp_returned",
                })
                .to_string()
            },
            filter.measure,
        ),
        visit_overdue: filter.visit_overdue,
        mine: filter.responsible.is_some(),
        involved: filter.involved_since.map_or("", involved_code),
        controls: choices(
            &ControlState::ALL,
            ControlState::as_str,
            |c| pick(lang, c.zh(), c.en()).to_string(),
            filter.control,
        ),
        returnees: std::iter::once(Choice {
            value: "unchecked".into(),
            label: lang.t("kp_returnees_unchecked").into(),
            selected: filter.returnee == Some(None),
        })
        .chain(ReturneeResult::ALL.iter().map(|r| Choice {
            value: r.as_str().into(),
            label: pick(lang, r.zh(), r.en()).into(),
            selected: filter.returnee == Some(Some(*r)),
        }))
        .collect(),
        units,
        query,
        next,
        paged: q.after.is_some(),
        import,
        sources: SOURCES
            .iter()
            .map(|(code, zh, en)| Choice {
                value: (*code).to_string(),
                label: pick(lang, zh, en).to_string(),
                selected: false,
            })
            .collect(),
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// The `involved` query value of a filter.
fn involved_code(since: InvolvedSince) -> &'static str {
    match since {
        InvolvedSince::Listing => "since_listing",
        InvolvedSince::LastAction => "pending",
    }
}

/// This Shanghai month of `now`: its first instant and the first instant of the next.
fn month_of(now: i64) -> Result<(i64, i64), WebError> {
    let out_of_range = || WebError::BadRequest("the date is out of range".into());
    let first = fanzha_core::time::shanghai_date(now)
        .and_then(|d| d.with_day(1))
        .ok_or_else(out_of_range)?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(out_of_range)?;
    let midnight = |d| shanghai_midnight(d).map_err(|e| WebError::BadRequest(e.to_string()));
    Ok((midnight(first)?, midnight(next)?))
}

/// The list's rows; `involved` marks those 再次涉案 (a tag among the measures).
async fn rows_of(
    state: &AppState,
    lang: Lang,
    items: Vec<KeyPerson>,
    involved: &HashSet<i64>,
    now: i64,
) -> Vec<Row> {
    let mut units = state.unit_names();
    let mut rows = Vec::with_capacity(items.len());
    for k in items {
        let unit = units.get(&k.unit_code).await;
        rows.push(Row {
            id: k.id,
            name: k.name.as_deref().map(mask_name).unwrap_or_default(),
            resident_id: mask_resident_id(&k.resident_id),
            phone: k.phone.as_deref().map(mask_phone).unwrap_or_default(),
            unit,
            category: category_label(lang, k.category),
            status: status_label(lang, k.status),
            active: k.status == KeyPersonStatus::Active,
            measures: {
                let mut m = measures(lang, &k, now);
                if involved.contains(&k.id) {
                    m.push(lang.t("kpc_involved_again").to_string());
                }
                m
            },
            last_visit: k.last_visit_at.map(time).unwrap_or_default(),
            responsible: officer(&k, true),
            next_visit: if k.status == KeyPersonStatus::Active {
                format_shanghai_date(k.next_visit_due())
            } else {
                String::new()
            },
            overdue: k.visit_overdue_at(now),
            created: time(k.created_at),
            control_code: match k.status {
                KeyPersonStatus::Active => k.control_state.map(ControlState::as_str).unwrap_or(""),
                KeyPersonStatus::Closed => "",
            },
            control: match k.status {
                KeyPersonStatus::Active => control_text(lang, &k),
                KeyPersonStatus::Closed => String::new(),
            },
        });
    }
    rows
}

#[derive(Debug, Deserialize)]
pub struct NewForm {
    resident_id: String,
    category: String,
    reason: String,
}

/// Answers a write with the dossier: htmx follows `hx-redirect` (a 303 would be followed
/// silently and swapped into the form) and reloads the dossier when the form is on it, a plain
/// form a redirect.
pub(super) fn to_dossier(headers: &HeaderMap, id: i64, status: axum::http::StatusCode) -> Response {
    super::after_write(headers, format!("/key-persons/{id}"), status)
}

/// `POST /key-persons` (`resident_id`, `category`, `reason`): lists a resident of one's area;
/// answers with their dossier (the existing one when they are listed in the category already;
/// a closed one, wherever it was held, is reopened under the person's unit). A dossier still
/// open at a unit outside one's area is refused with [`StoreError::HeldElsewhere`], which
/// names that unit and says what to do.
pub async fn create(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<NewForm>,
) -> Result<Response, WebError> {
    let id = ResidentId::parse_normalised(&f.resident_id)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let category = KeyPersonCategory::parse(f.category.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown category `{}`", f.category)))?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let created = state
        .store
        .key_persons()
        .create(
            &scope,
            &NewKeyPerson {
                resident_id: id.as_str().to_string(),
                category,
                reason: f.reason,
                source: "form".into(),
                created_by: auth.principal.login.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await;
    match created {
        Ok((kp, true)) => Ok(to_dossier(&headers, kp, axum::http::StatusCode::CREATED)),
        Ok((kp, false)) => Ok(to_dossier(&headers, kp, axum::http::StatusCode::OK)),
        Err(StoreError::NotFound { .. }) => Err(StoreError::NotFound {
            what: "resident of your area with ID number",
            key: mask_resident_id(id.as_str()),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /key-persons/import` (multipart: `file`; optional `format` auto | csv | xlsx,
/// `category` for rows that name none, `source` (see [`SOURCES`], `national` by default),
/// `label` the list's name): applies a key-person list to the dossiers of one's area (see
/// [`crate::key_person_import`]) and answers the page with what it did — listed, already
/// listed, measures entered or already held, rows rejected with line, column and reason.
pub async fn import(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(
        multipart,
        "key_persons.csv",
        &["category", "source", "label"],
    )
    .await?;
    let category = parse_or(up.trimmed("category"), KeyPersonCategory::parse, "category")?;
    let source = up
        .text("source")
        .map(str::trim)
        .unwrap_or("national")
        .to_string();
    let label = up.text("label").unwrap_or_default().to_string();
    let (file, bytes) = up.take_file("choose a list file to import")?;
    let done = import_key_person_list(
        &state,
        &KeyPersonListUpload {
            login: &auth.principal.login,
            unit_code: &auth.principal.unit_code,
            source: &source,
            category,
            label: &label,
            file: &file,
            bytes: &bytes,
            format: up.format,
        },
    )
    .await?;
    let view = ImportView {
        run: done.import_run.0,
        file,
        read: done.read,
        listed: done.done.listed,
        already_listed: done.done.already_listed,
        measures_added: done.done.measures_added,
        measures_unchanged: done.done.measures_unchanged,
        rejected: crate::import_run::rejected_lines(&done.rejected),
    };
    list_page(&state, &auth, &headers, &ListQuery::default(), Some(view)).await
}

/// One dossier entry in words.
struct EventRow {
    seq: i64,
    kind: String,
    at: String,
    label: &'static str,
    detail: String,
    actor: String,
}

fn date_of(v: &serde_json::Value) -> Option<i64> {
    v.as_i64()
}

fn event_row(lang: Lang, e: KeyPersonEvent) -> EventRow {
    let d = &e.detail;
    let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
    let (label, detail) = match e.kind.as_str() {
        "registered" | "reopened" => (
            if e.kind == "registered" {
                lang.t("kp_ev_registered")
            } else {
                lang.t("kp_ev_reopened")
            },
            format!(
                "{} · {}",
                KeyPersonCategory::parse(&s("category"))
                    .map(|c| category_label(lang, c))
                    .unwrap_or(""),
                s("reason")
            ),
        ),
        "punishment" => (
            lang.t("kp_punishment"),
            format!(
                "{} {}",
                PunishmentKind::parse(&s("punishment"))
                    .map(|k| punishment_label(lang, k))
                    .unwrap_or(""),
                period(lang, date_of(&d["from"]), date_of(&d["until"]))
            ),
        ),
        "exit_ban" => (
            lang.t("kp_exit_ban"),
            period(lang, date_of(&d["from"]), date_of(&d["until"])),
        ),
        "persuasion" => (
            lang.t("kp_persuasion"),
            format!(
                "{} {} {}",
                AbroadState::parse(&s("state"))
                    .map(|a| abroad_label(lang, a))
                    .unwrap_or(""),
                date_of(&d["on"])
                    .map(format_shanghai_date)
                    .unwrap_or_default(),
                s("place")
            )
            .trim()
            .to_string(),
        ),
        "visit" => (
            lang.t("kp_visit"),
            [
                s("note"),
                ControlState::parse(&s("control"))
                    .map(|c| pick(lang, c.zh(), c.en()).to_string())
                    .unwrap_or_default(),
                s("place"),
            ]
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        ),
        "assigned" => (
            lang.t("kp_ev_assigned"),
            [s("name"), s("login"), s("phone")]
                .into_iter()
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        ),
        "visit_cycle" => (
            lang.t("kp_ev_visit_cycle"),
            match d["days"].as_i64() {
                Some(days) => format!("{days} {}", lang.t("kp_cycle_days")),
                None => format!(
                    "{} {} {}",
                    lang.t("kp_cycle_default"),
                    d["default"].as_i64().unwrap_or_default(),
                    lang.t("kp_cycle_days")
                ),
            },
        ),
        "returnee_check" => (
            lang.t("kp_returnee_check"),
            [
                ReturneeResult::parse(&s("result"))
                    .map(|r| pick(lang, r.zh(), r.en()).to_string())
                    .unwrap_or_default(),
                s("note"),
            ]
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        ),
        "closed" => (lang.t("kp_close"), s("reason")),
        _ => ("", e.kind.clone()),
    };
    EventRow {
        seq: e.seq,
        at: time(e.at),
        label: if label.is_empty() { "·" } else { label },
        kind: e.kind,
        detail,
        actor: e.actor,
    }
}

#[derive(Template)]
#[template(path = "key_person.html")]
struct DossierPage {
    lang: Lang,
    chrome: Chrome,
    k: KeyPerson,
    category: &'static str,
    status: &'static str,
    active: bool,
    name: String,
    phone: String,
    address: String,
    employer: String,
    residence: String,
    unit: String,
    sex_age: String,
    measures: Vec<String>,
    last_visit: String,
    /// 动态管控: where the person stands (code, label with place and since), and the contact
    /// number found at a visit; empty before any visit said so.
    control_code: &'static str,
    control: String,
    contact: String,
    control_states: Vec<Choice>,
    /// 回流人员核查 of a returnee: whether one is, the latest outcome (words, day), the form's
    /// results.
    returnee: bool,
    returnee_check: String,
    returnee_results: Vec<Choice>,
    created: String,
    events: Vec<EventRow>,
    /// The person's other dossiers: (id, category, status).
    others: Vec<(i64, &'static str, &'static str)>,
    link_warnings: bool,
    /// The person's cases (a case search by the ID number, audited as such).
    link_cases: bool,
    punishment_kinds: Vec<Choice>,
    /// 提请惩戒 / 不准出境报备 of this dossier, the newest first.
    proposals: Vec<super::key_person_proposals::ProposalRow>,
    abroad_states: Vec<Choice>,
    today: String,
    /// The responsible officer in full (name, phone, login), empty when nobody is.
    responsible: String,
    /// Users who may be made responsible: login, "name · unit".
    officers: Vec<Choice>,
    /// The cycle in force, and whether it is the category's default.
    visit_cycle: i64,
    cycle_is_default: bool,
    next_visit: String,
    overdue: bool,
    /// 存量卡清理 requests about the person, the latest first.
    cleanups: Vec<super::card_cleanups::CleanupLine>,
    /// 开卡前核验 of the person at banks' and operators' counters.
    card_checks: Vec<super::card_checks::CheckLine>,
    /// 涉案情况: the person's cases, the latest first.
    cases: Vec<super::key_person_cases::CaseLine>,
    /// In control and involved on the fraud's side of a case reported since the listing.
    involved_again: bool,
}

fn dossier_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /key-persons/{id}`: the dossier, with the person in full; every view is audited.
pub async fn detail(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = dossier_id(&id)?;
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/key-persons");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.key_persons();
    let k = repo.get(&scope, id).await?;
    // The resident as stored now (they may have moved out of the area since).
    let person = match state.store.people().get(&scope, &k.resident_id).await {
        Ok(p) => Some(p),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: auth.principal.login.clone(),
            action: "view_personal_data".into(),
            target_type: "key_person".into(),
            target_id: Some(k.id.to_string()),
            unit_code: Some(k.unit_code.clone()),
            detail: serde_json::json!({
                "via": "key_person_dossier",
                "resident": mask_resident_id(&k.resident_id),
            }),
        })
        .await?;
    let mut events = Vec::new();
    for e in repo.events(&scope, id).await? {
        // A dossier that followed the person from another unit says where from, by name.
        let moved_from = match e.detail["moved_from"].as_str() {
            Some(code) => Some(state.unit_name(code).await),
            None => None,
        };
        let mut row = event_row(lang, e);
        if let Some(unit) = moved_from {
            row.detail = format!("{} · {}{}", row.detail, lang.t("kp_moved_from"), unit);
        }
        events.push(row);
    }
    let others = repo
        .list(
            &scope,
            &KeyPersonFilter {
                resident_id: Some(k.resident_id.clone()),
                ..KeyPersonFilter::default()
            },
            &PageRequest::first(20),
            now,
        )
        .await?
        .items
        .into_iter()
        .filter(|o| o.id != k.id)
        .map(|o| {
            (
                o.id,
                category_label(lang, o.category),
                status_label(lang, o.status),
            )
        })
        .collect();
    let sex_age = ResidentId::parse(&k.resident_id)
        .ok()
        .map(|r| {
            let today = fanzha_core::time::shanghai_date(now).unwrap_or(r.birth_date());
            let sex = match (lang, r.sex()) {
                (Lang::Zh, s) => s.label(),
                (Lang::En, fanzha_core::Sex::Male) => "male",
                (Lang::En, fanzha_core::Sex::Female) => "female",
            };
            format!("{sex} · {}", r.age_on(today))
        })
        .unwrap_or_default();
    let mut officers = Vec::new();
    for (login, name, unit) in repo.officers(&scope, id).await? {
        officers.push(Choice {
            selected: k.responsible_login.as_deref() == Some(login.as_str()),
            label: format!("{name} · {}", state.unit_name(&unit).await),
            value: login,
        });
    }
    let responsible = match &k.responsible_login {
        Some(login) => format!("{} · {login}", officer(&k, false)),
        None => officer(&k, false),
    };
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    let proposals = state
        .store
        .key_person_proposals()
        .list(
            &scope,
            &fanzha_store::ProposalFilter {
                key_person_id: Some(id),
                ..Default::default()
            },
            &PageRequest::first(50),
        )
        .await?
        .items
        .into_iter()
        .map(|p| super::key_person_proposals::row(lang, p))
        .collect();
    let cleanups =
        super::card_cleanups::cleanups_of(&state, &scope, lang, &k.resident_id, now).await?;
    let card_checks = super::card_checks::checks_of(&state, &scope, lang, &k.resident_id).await?;
    let link_cases = ViewCases::allows(&auth.principal);
    let (cases, involved_again) =
        super::key_person_cases::case_lines(&state, &scope, lang, &k, link_cases).await?;
    render(&DossierPage {
        cleanups,
        card_checks,
        cases,
        involved_again,
        proposals,
        responsible,
        officers,
        visit_cycle: k.visit_cycle(),
        cycle_is_default: k.visit_cycle_days.is_none(),
        next_visit: format_shanghai_date(k.next_visit_due()),
        overdue: k.visit_overdue_at(now),
        lang,
        category: category_label(lang, k.category),
        status: status_label(lang, k.status),
        active: k.status == KeyPersonStatus::Active,
        name: person
            .as_ref()
            .map(|p| p.name.clone())
            .or_else(|| k.name.clone())
            .unwrap_or_default(),
        phone: text(person.as_ref().and_then(|p| p.phone.as_ref())),
        address: text(person.as_ref().and_then(|p| p.address.as_ref())),
        employer: text(person.as_ref().and_then(|p| p.employer.as_ref())),
        residence: text(person.as_ref().map(|p| &p.residence_code)),
        unit: state.unit_name(&k.unit_code).await,
        sex_age,
        measures: measures(lang, &k, now),
        last_visit: k.last_visit_at.map(time).unwrap_or_default(),
        control_code: k.control_state.map(ControlState::as_str).unwrap_or(""),
        control: control_text(lang, &k),
        contact: k.contact_phone.clone().unwrap_or_default(),
        control_states: choices(
            &ControlState::ALL,
            ControlState::as_str,
            |c| pick(lang, c.zh(), c.en()).to_string(),
            None,
        ),
        returnee: k.returnee(),
        returnee_check: k
            .returnee_check
            .map(|r| {
                format!(
                    "{} · {}",
                    pick(lang, r.zh(), r.en()),
                    k.returnee_checked_at
                        .map(format_shanghai_date)
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        returnee_results: choices(
            &ReturneeResult::ALL,
            ReturneeResult::as_str,
            |r| pick(lang, r.zh(), r.en()).to_string(),
            None,
        ),
        created: time(k.created_at),
        events,
        others,
        link_warnings: ViewWarnings::allows(&auth.principal),
        link_cases,
        punishment_kinds: choices(
            &PunishmentKind::ALL,
            PunishmentKind::as_str,
            |p| punishment_label(lang, p).to_string(),
            Some(PunishmentKind::Financial),
        ),
        abroad_states: choices(
            &AbroadState::ALL,
            AbroadState::as_str,
            |a| abroad_label(lang, a).to_string(),
            None,
        ),
        today: format_shanghai_date(now),
        k,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct EventForm {
    /// `punishment`, `exit_ban`, `persuasion`, `visit`, `close`.
    kind: String,
    #[serde(default)]
    punishment: Option<String>,
    /// First day (YYYY-MM-DD, Shanghai).
    #[serde(default)]
    from: Option<String>,
    /// Last day, inclusive; empty for open-ended.
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    /// `assign`: the login of a user, or empty for an officer without one.
    #[serde(default)]
    officer: Option<String>,
    #[serde(default)]
    officer_name: Option<String>,
    #[serde(default)]
    officer_phone: Option<String>,
    /// `visit_cycle`: days, empty for the category's default.
    #[serde(default)]
    cycle: Option<String>,
    /// `visit`: where the person stands (`stable`, `away`, `lost`; empty: not said), where
    /// they went, and a contact number found working.
    #[serde(default)]
    control: Option<String>,
    #[serde(default)]
    control_place: Option<String>,
    #[serde(default)]
    contact: Option<String>,
    /// `returnee_check`: what the check found (`criminal`, `administrative`, `admonished`,
    /// `no_offence`).
    #[serde(default)]
    result: Option<String>,
}

/// Where the person stands, as lists and the dossier read it: `外出 · 广东省深圳市 · 2026-11-03`.
pub(crate) fn control_text(lang: Lang, k: &KeyPerson) -> String {
    let Some(c) = k.control_state else {
        return String::new();
    };
    [
        pick(lang, c.zh(), c.en()).to_string(),
        k.control_place.clone().unwrap_or_default(),
        k.control_at.map(format_shanghai_date).unwrap_or_default(),
    ]
    .into_iter()
    .filter(|v| !v.is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}

/// What a visit form says of where the person stands: nothing when no state is chosen (a place
/// or number without one is a slip, named).
pub(crate) fn control_of(
    control: Option<&str>,
    place: Option<&str>,
    contact: Option<&str>,
) -> Result<Option<ControlUpdate>, WebError> {
    let state = parse_or(control, ControlState::parse, "control")?;
    match state {
        None if place.is_some() || contact.is_some() => Err(WebError::BadRequest(
            "control: choose where the person stands before giving a place or a number".into(),
        )),
        None => Ok(None),
        Some(state) => Ok(Some(ControlUpdate {
            state,
            place: place.map(str::to_string),
            contact: contact.map(str::to_string),
        })),
    }
}

/// A form date (`YYYY-MM-DD`, Shanghai) as the epoch ms of its midnight; `next_day` gives the
/// midnight after it (the exclusive end of a period whose last day it is).
fn form_date(field: &str, value: &str, next_day: bool) -> Result<i64, WebError> {
    let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("{field}: write the date as YYYY-MM-DD")))?;
    let date = if next_day {
        date.succ_opt()
            .ok_or_else(|| WebError::BadRequest(format!("{field}: date out of range")))?
    } else {
        date
    };
    shanghai_midnight(date).map_err(|e| WebError::BadRequest(format!("{field}: {e}")))
}

fn measure_of(f: &EventForm, now: i64) -> Result<KeyPersonMeasure, WebError> {
    let from = || -> Result<i64, WebError> {
        match non_empty(&f.from) {
            Some(v) => form_date("from", v, false),
            None => Err(WebError::BadRequest(
                "from: the first day is required".into(),
            )),
        }
    };
    let until = || -> Result<Option<i64>, WebError> {
        non_empty(&f.until)
            .map(|v| form_date("until", v, true))
            .transpose()
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(match f.kind.trim() {
        "punishment" => KeyPersonMeasure::Punishment {
            kind: parse_or(
                non_empty(&f.punishment),
                PunishmentKind::parse,
                "punishment",
            )?
            .ok_or_else(|| WebError::BadRequest("punishment: choose the kind".into()))?,
            from: from()?,
            until: until()?,
        },
        "exit_ban" => KeyPersonMeasure::ExitBan {
            from: from()?,
            until: until()?,
        },
        "persuasion" => KeyPersonMeasure::Persuasion {
            state: parse_or(non_empty(&f.state), AbroadState::parse, "state")?
                .ok_or_else(|| WebError::BadRequest("state: choose where the person is".into()))?,
            on: match non_empty(&f.on) {
                Some(v) => form_date("on", v, false)?,
                None => now,
            },
            place: non_empty(&f.place).map(str::to_string),
        },
        "visit" => KeyPersonMeasure::Visit {
            note: text(&f.note),
            control: control_of(
                non_empty(&f.control),
                non_empty(&f.control_place),
                non_empty(&f.contact),
            )?,
        },
        "returnee_check" => KeyPersonMeasure::ReturneeCheck {
            result: parse_or(non_empty(&f.result), ReturneeResult::parse, "result")?.ok_or_else(
                || WebError::BadRequest("result: choose what the check found".into()),
            )?,
            note: text(&f.note),
        },
        "close" => KeyPersonMeasure::Close {
            reason: text(&f.reason),
        },
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown entry kind `{other}`"
            )))
        }
    })
}

/// What the `assign` form names: a user (with an optional phone) or an officer by name and
/// phone.
fn responsible_of(f: &EventForm) -> Responsible {
    let phone = non_empty(&f.officer_phone).map(str::to_string);
    match non_empty(&f.officer) {
        Some(login) => Responsible::User {
            login: login.to_string(),
            phone,
        },
        None => Responsible::Named {
            name: f.officer_name.clone().unwrap_or_default(),
            phone: phone.unwrap_or_default(),
        },
    }
}

/// The `visit_cycle` form's days; empty goes back to the category's default.
fn cycle_of(f: &EventForm) -> Result<Option<i64>, WebError> {
    non_empty(&f.cycle)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| WebError::BadRequest("cycle: write the number of days".into()))
        })
        .transpose()
}

/// `POST /key-persons/{id}/events`: adds a measure, a visit or the closing to a dossier of
/// one's area, names its responsible officer (`kind=assign`: `officer` a login, or
/// `officer_name` and `officer_phone`) or sets its visit cycle (`kind=visit_cycle`: `cycle`
/// days, empty for the category's default); answers with the dossier.
pub async fn add_event(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<EventForm>,
) -> Result<Response, WebError> {
    let id = dossier_id(&id)?;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let repo = state.store.key_persons();
    let login = &auth.principal.login;
    match f.kind.trim() {
        "assign" => {
            repo.assign(&scope, id, &responsible_of(&f), login, now)
                .await?;
        }
        "visit_cycle" => {
            repo.set_visit_cycle(&scope, id, cycle_of(&f)?, login, now)
                .await?;
        }
        _ => {
            let measure = measure_of(&f, now)?;
            repo.add_event(&scope, id, &measure, login, now).await?;
        }
    }
    Ok(to_dossier(&headers, id, axum::http::StatusCode::OK))
}

/// The dossiers (CSV's default, for those who manage them), the figures and the dossiers in
/// control per category.
fn export(
    lang: Lang,
    rows: Option<Vec<Row>>,
    f: &Figures,
    units: &[super::key_person_units::UnitLine],
) -> Sheets {
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        let dossiers = rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.name.clone(),
                    r.resident_id.clone(),
                    r.phone.clone(),
                    r.unit.clone(),
                    r.category.to_string(),
                    r.status.to_string(),
                    r.measures.join("；"),
                    r.last_visit.clone(),
                    r.responsible.clone(),
                    r.next_visit.clone(),
                    if r.overdue { "1" } else { "" }.to_string(),
                    r.created.clone(),
                ]
            })
            .collect();
        let heads = [
            "col_id",
            "name",
            "resident_id",
            "col_phone",
            "unit",
            "kp_category",
            "col_status",
            "kp_measures",
            "kp_last_visit",
            "kp_responsible",
            "kp_next_visit",
            "kp_visit_overdue",
            "kp_listed_at",
        ];
        sheets.push(Sheet::new(
            lang,
            "dossiers",
            "nav_key_persons",
            &heads,
            dossiers,
        ));
    }
    sheets.push(Sheet::figures(
        lang,
        Figures::KEYS
            .into_iter()
            .zip(f.values())
            .map(|(k, v)| (lang.t(k).to_string(), v))
            .collect(),
    ));
    let categories = f
        .by_category
        .iter()
        .map(|(_, label, n)| vec![label.to_string(), n.to_string()])
        .collect();
    sheets.push(Sheet::new(
        lang,
        "categories",
        "kp_category",
        &["kp_category", "kp_in_control"],
        categories,
    ));
    sheets.push(super::key_person_units::sheet(lang, units));
    Sheets {
        name: "key_persons".into(),
        sheets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_day_ends_the_period_at_the_next_midnight() {
        let from = form_date("from", "2026-03-01", false).unwrap();
        let until = form_date("until", "2026-03-31", true).unwrap();
        assert_eq!(until - from, 31 * 86_400_000);
        assert_eq!(format_shanghai_date(from), "2026-03-01");
        assert_eq!(last_day(until), "2026-03-31");
        assert!(form_date("from", "2026/03/01", false).is_err());
    }

    #[test]
    fn forms_become_measures() {
        let form = |kind: &str| EventForm {
            kind: kind.into(),
            punishment: Some("financial".into()),
            from: Some("2026-03-01".into()),
            until: Some(String::new()),
            state: Some("returned".into()),
            on: None,
            place: Some(" 缅北 ".into()),
            note: Some("在家".into()),
            reason: Some("稳控".into()),
            officer: Some(" grid_1 ".into()),
            officer_name: None,
            officer_phone: Some(String::new()),
            cycle: Some("45".into()),
            control: None,
            control_place: None,
            contact: None,
            result: Some("admonished".into()),
        };
        assert!(matches!(
            measure_of(&form("punishment"), 0).unwrap(),
            KeyPersonMeasure::Punishment {
                kind: PunishmentKind::Financial,
                until: None,
                ..
            }
        ));
        assert_eq!(
            measure_of(&form("persuasion"), 7).unwrap(),
            KeyPersonMeasure::Persuasion {
                state: AbroadState::Returned,
                on: 7,
                place: Some("缅北".into())
            }
        );
        assert!(measure_of(&form("bogus"), 0).is_err());
        // A visit says where the person stands only when a state is chosen.
        assert_eq!(
            measure_of(&form("visit"), 0).unwrap(),
            KeyPersonMeasure::Visit {
                note: "在家".into(),
                control: None
            }
        );
        let away = EventForm {
            control: Some("away".into()),
            control_place: Some("广东省深圳市".into()),
            contact: Some("13900003333".into()),
            ..form("visit")
        };
        assert_eq!(
            measure_of(&away, 0).unwrap(),
            KeyPersonMeasure::Visit {
                note: "在家".into(),
                control: Some(ControlUpdate {
                    state: ControlState::Away,
                    place: Some("广东省深圳市".into()),
                    contact: Some("13900003333".into()),
                })
            }
        );
        let place_alone = EventForm {
            control_place: Some("深圳".into()),
            ..form("visit")
        };
        assert!(measure_of(&place_alone, 0).is_err());
        let unknown = EventForm {
            control: Some("missing".into()),
            ..form("visit")
        };
        assert!(measure_of(&unknown, 0).is_err());
        assert_eq!(
            measure_of(&form("returnee_check"), 0).unwrap(),
            KeyPersonMeasure::ReturneeCheck {
                result: ReturneeResult::Admonished,
                note: "在家".into()
            }
        );
        let no_result = EventForm {
            result: None,
            ..form("returnee_check")
        };
        assert!(measure_of(&no_result, 0).is_err());
        let no_start = EventForm {
            from: None,
            ..form("exit_ban")
        };
        assert!(measure_of(&no_start, 0).is_err());
        assert_eq!(
            responsible_of(&form("assign")),
            Responsible::User {
                login: "grid_1".into(),
                phone: None
            }
        );
        let named = EventForm {
            officer: Some(String::new()),
            officer_name: Some("王警官".into()),
            officer_phone: Some("13900002222".into()),
            ..form("assign")
        };
        assert_eq!(
            responsible_of(&named),
            Responsible::Named {
                name: "王警官".into(),
                phone: "13900002222".into()
            }
        );
        assert_eq!(cycle_of(&form("visit_cycle")).unwrap(), Some(45));
        let bad = EventForm {
            cycle: Some("30天".into()),
            ..form("visit_cycle")
        };
        assert!(cycle_of(&bad).is_err());
        let default = EventForm {
            cycle: Some(" ".into()),
            ..form("visit_cycle")
        };
        assert_eq!(cycle_of(&default).unwrap(), None);
    }

    #[test]
    fn a_month_runs_from_its_first_shanghai_midnight_to_the_next() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-31T23:30:00+08:00")
            .unwrap()
            .timestamp_millis();
        let (from, until) = month_of(now).unwrap();
        assert_eq!(format_shanghai_date(from), "2026-03-01");
        assert_eq!(format_shanghai_date(until), "2026-04-01");
        assert_eq!(until - from, 31 * 86_400_000);
    }
}
