//! 两卡线索 · 落地核查: the bank-card and phone-card leads pushed down by the national joint
//! office, the province or the center, each checked on the ground by the unit of the holder's
//! residence. The page shows the figures of one's area (received, checked, pending, overdue,
//! by result, the share lent or sold), the masked list with filters, paging and CSV / XLSX,
//! the center's import (CSV / XLSX; bad rows to the quarantine with line and reason) and a
//! check form per pending lead; a lent or sold card's holder can be listed as a key person
//! (两卡) in the same action. Data from the store's [`fanzha_store::TwoCardLeads`], whose
//! writes are audited.

use super::choices::{choices, non_empty, parse_or};
use super::choices::{unit_choices, Choice};
use super::upload::Upload;
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::{
    CheckTwoCardLeads, ForwardTwoCardLeads, ImportTwoCardLeads, ManageKeyPersons,
    ManageTwoCardLeads, Permission, RecordEnforcement, ViewTwoCardLeads,
};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_core::mask::{mask_card, mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::{format_shanghai_date, shanghai_date};
use fanzha_ingest::two_card_leads::{read_leads, CardKind};
use fanzha_store::{
    AbroadState, KeyPersonCategory, KeyPersonMeasure, LeadFilter, LeadKind, LeadResult, LeadSource,
    LeadState, NewKeyPerson, NewTwoCardLead, PageRequest, QuarantineRow, SuspectMeasure,
    TwoCardLead, DEFAULT_DEADLINE_DAYS,
};
use serde::Deserialize;

/// Leads per screen; an export takes all (up to [`MAX_PAGE`]).
const PAGE_ROWS: u32 = 100;
/// The import-run kind of lead imports.
pub const IMPORT_KIND: &str = "two_card_leads";

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// One push's leads (its batch label).
    #[serde(default)]
    batch: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `leads` (default for those who manage them), `feedback` (the checked
    /// leads by their upstream number, to send back), `figures` or `results`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// A lead as listed: personal data masked.
struct Row {
    id: i64,
    /// 线索编号 upstream; empty when none was given.
    upstream_id: String,
    batch: String,
    kind: &'static str,
    number: String,
    resident_id: String,
    name: String,
    reason: String,
    source: &'static str,
    unit: String,
    received: String,
    deadline: String,
    pending: bool,
    overdue: bool,
    state: &'static str,
    result: String,
    note: String,
    checked_by: String,
    checked: String,
    /// 打击处理 of a lent or sold card's holder: its label and day, empty while none.
    measure: String,
    /// A measure may be recorded (a card lent or sold, none recorded yet).
    measure_due: bool,
    /// Where a roaming number was seen; empty for cards.
    place: String,
    /// The results a check of this lead may find (code, label).
    fitting: Vec<(&'static str, &'static str)>,
    /// 线索转递: `转自 阳明街道 · 户籍地在慈溪` when the lead was handed on; empty otherwise.
    forwarded: String,
}

struct Figures {
    received: i64,
    checked: i64,
    pending: i64,
    overdue: i64,
    given_away: i64,
    given_away_share: String,
    by_result: Vec<(&'static str, &'static str, i64)>,
    /// 打击处理: holders dealt with, and of those under a coercive measure.
    dealt_with: i64,
    coercive: i64,
    /// 手机漫游线索 received.
    roaming: i64,
}

/// What an import did, as the page shows it (no personal data: rejected rows by line).
struct ImportView {
    run: i64,
    file: String,
    read: usize,
    received: usize,
    duplicates: i64,
    by_residence: i64,
    rejected: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "two_card_leads.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    figures: Figures,
    /// The list, its exports and filters (not for leaders, who see the figures).
    manage: bool,
    can_import: bool,
    can_check: bool,
    can_forward: bool,
    can_list_key_person: bool,
    /// 打击处理 may be recorded on a lent or sold card's lead.
    can_record_measure: bool,
    measures: Vec<Choice>,
    states: Vec<Choice>,
    results: Vec<Choice>,
    kinds: Vec<Choice>,
    sources: Vec<Choice>,
    units: Vec<Choice>,
    overdue_only: bool,
    batch: String,
    rows: Vec<Row>,
    total: i64,
    query: String,
    next: Option<String>,
    paged: bool,
    import: Option<ImportView>,
    deadline_days: i64,
}

fn masked_number(kind: LeadKind, number: &str) -> String {
    match kind {
        LeadKind::BankCard => mask_card(number),
        LeadKind::Sim | LeadKind::Roaming => mask_phone(number),
    }
}

/// The key-person category a check's result lists the holder in, when it lists one: a card
/// lent or sold (两卡), a roaming number's holder abroad (赴境外高危地区) or back (劝返回流).
fn key_person_category(result: LeadResult) -> Option<KeyPersonCategory> {
    match result {
        LeadResult::Lent | LeadResult::Sold => Some(KeyPersonCategory::TwoCards),
        LeadResult::Abroad => Some(KeyPersonCategory::AbroadHighRisk),
        LeadResult::Returned => Some(KeyPersonCategory::Returned),
        _ => None,
    }
}

async fn rows_of(state: &AppState, lang: Lang, leads: Vec<TwoCardLead>, now: i64) -> Vec<Row> {
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(leads.len());
    for l in leads {
        let unit = names.get(&l.unit_code).await;
        let forwarded = match &l.forwarded_from {
            Some(from) => format!(
                "{} {} · {}",
                lang.t("tcl_forwarded_from"),
                names.get(from).await,
                l.forward_reason.clone().unwrap_or_default()
            ),
            None => String::new(),
        };
        rows.push(Row {
            forwarded,
            id: l.id,
            upstream_id: l.upstream_id.clone(),
            batch: l.batch.clone(),
            kind: pick(lang, l.kind.zh(), l.kind.en()),
            number: masked_number(l.kind, &l.number),
            resident_id: mask_resident_id(&l.resident_id),
            name: mask_name(&l.holder_name),
            reason: l.reason.clone(),
            source: pick(lang, l.source.zh(), l.source.en()),
            unit,
            received: format_shanghai_date(l.received_at),
            deadline: format_shanghai_date(l.deadline),
            pending: l.state == LeadState::Pending,
            overdue: l.overdue(now),
            state: pick(lang, l.state.zh(), l.state.en()),
            result: l
                .result
                .map(|r| pick(lang, r.zh(), r.en()).to_string())
                .unwrap_or_default(),
            note: l.note.clone(),
            checked_by: l.checked_by.clone().unwrap_or_default(),
            checked: l
                .checked_at
                .map(fanzha_core::time::format_shanghai)
                .unwrap_or_default(),
            measure: match (l.measure, l.measure_at) {
                (Some(m), Some(at)) => format!(
                    "{} · {}",
                    pick(lang, m.zh(), m.en()),
                    format_shanghai_date(at)
                ),
                _ => String::new(),
            },
            measure_due: l.measure.is_none() && l.result.is_some_and(LeadResult::card_given_away),
            fitting: LeadResult::ALL
                .iter()
                .filter(|r| r.fits(l.kind))
                .map(|r| (r.as_str(), pick(lang, r.zh(), r.en())))
                .collect(),
            place: l.place.clone(),
        });
    }
    rows
}

/// `GET /two-card-leads[?state=&result=&kind=&overdue=1&unit=][&format=csv|xlsx][&after=KEY]`.
pub async fn list(
    auth: Require<ViewTwoCardLeads>,
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
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        headers,
        "/two-card-leads",
    );
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    // Those who only read the figures export the figures, never the leads.
    let manage = ManageTwoCardLeads::allows(&auth.principal);
    let filter = LeadFilter {
        state: parse_or(non_empty(&q.state), LeadState::parse, "state")?,
        result: parse_or(non_empty(&q.result), LeadResult::parse, "result")?,
        kind: parse_or(non_empty(&q.kind), LeadKind::parse, "kind")?,
        overdue: non_empty(&q.overdue).is_some_and(|v| v != "0"),
        batch: non_empty(&q.batch).map(str::to_string),
    };
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let repo = state.store.two_card_leads();
    let (rows, total, next) = if manage {
        let page = match q.format {
            Some(_) => {
                let (repo, scope, filter) = (&repo, &scope, &filter);
                every_page("two-card leads", move |r| async move {
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
        (
            rows_of(state, lang, page.items, now).await,
            total,
            page.next,
        )
    } else {
        (Vec::new(), 0, None)
    };
    let f = repo.figures(&scope, now).await?;
    let figures = Figures {
        received: f.received,
        checked: f.checked,
        pending: f.pending,
        overdue: f.overdue,
        given_away: f.given_away(),
        dealt_with: f.dealt_with,
        coercive: f.coercive,
        roaming: f.roaming,
        given_away_share: f
            .given_away_share()
            .map(|r| format!("{:.1}%", r * 100.0))
            .unwrap_or_else(|| "—".into()),
        by_result: LeadResult::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    pick(lang, r.zh(), r.en()),
                    f.by_result.get(r).copied().unwrap_or(0),
                )
            })
            .collect(),
    };
    if let Some(format) = q.format {
        return export(lang, manage.then_some(rows), &figures)
            .respond(format, q.section.as_deref());
    }
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", non_empty(&q.state)),
            ("result", non_empty(&q.result)),
            ("kind", non_empty(&q.kind)),
            ("overdue", filter.overdue.then_some("1")),
            ("batch", non_empty(&q.batch)),
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
    let p = &auth.principal;
    render(&ListPage {
        unit_name: state.unit_name(&unit_code).await,
        figures,
        manage,
        can_import: ImportTwoCardLeads::allows(p),
        can_check: CheckTwoCardLeads::allows(p),
        can_forward: ForwardTwoCardLeads::allows(p),
        can_list_key_person: ManageKeyPersons::allows(p),
        can_record_measure: RecordEnforcement::allows(p),
        measures: choices(
            SuspectMeasure::ALL,
            SuspectMeasure::as_str,
            |m| pick(lang, m.zh(), m.en()),
            None,
        ),
        states: choices(
            LeadState::ALL,
            LeadState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        results: choices(
            LeadResult::ALL,
            LeadResult::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.result,
        ),
        kinds: choices(
            LeadKind::ALL,
            LeadKind::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.kind,
        ),
        sources: choices(
            LeadSource::ALL,
            LeadSource::as_str,
            |s| pick(lang, s.zh(), s.en()),
            Some(LeadSource::National),
        ),
        units,
        overdue_only: filter.overdue,
        batch: non_empty(&q.batch).unwrap_or_default().to_string(),
        rows,
        total,
        query,
        next,
        paged: q.after.is_some(),
        import,
        deadline_days: DEFAULT_DEADLINE_DAYS,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /two-card-leads/import` (multipart: `file`; optional `format` auto | csv | xlsx,
/// `source` national | province | center, `batch` (the push's label, today's date by
/// default), `deadline_days` (7 by default)): receives the leads of a CSV / XLSX list for one's
/// own unit — each placed at its registered holder's residence unit inside one's area, else
/// kept by one's unit — and answers the page with the figures: read, received, received
/// before, rejected with line and reason (the quarantine of the import run).
pub async fn import(
    auth: Require<ImportTwoCardLeads>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(
        multipart,
        "leads.csv",
        &["source", "batch", "deadline_days"],
    )
    .await?;
    let source = match up.text("source").map(str::trim) {
        Some(text) => LeadSource::parse(text)
            .ok_or_else(|| WebError::BadRequest(format!("unknown source `{text}`")))?,
        None => LeadSource::National,
    };
    let batch = up
        .text("batch")
        .map(|t| t.trim().chars().take(100).collect::<String>())
        .filter(|t| !t.is_empty());
    let deadline_days = match up.trimmed("deadline_days") {
        Some(text) => text
            .parse()
            .map_err(|_| WebError::BadRequest("deadline_days must be a whole number".into()))?,
        None => DEFAULT_DEADLINE_DAYS,
    };
    let format = up.format;
    let (file, bytes) = up.take_file("choose a lead file to import")?;
    let now = state.clock.now_ms();
    let batch = match batch {
        Some(b) => b,
        None => shanghai_date(now)
            .map(|d| d.to_string())
            .unwrap_or_else(|| now.to_string()),
    };
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let parsed = read_leads(&file, &bytes, format)?;
    let rejected: Vec<QuarantineRow> = parsed
        .rejected
        .iter()
        .map(|r| quarantine_row(&file, r.line, r.column, r.reason, &r.raw))
        .collect();
    let run = ImportRecord::begin(
        &state.store,
        IMPORT_KIND,
        &file,
        &bytes,
        parsed.read,
        rejected,
    )
    .await?;
    let leads: Vec<NewTwoCardLead> = parsed
        .rows
        .iter()
        .map(|r| NewTwoCardLead {
            kind: match r.kind {
                CardKind::BankCard => LeadKind::BankCard,
                CardKind::Sim => LeadKind::Sim,
                CardKind::Roaming => LeadKind::Roaming,
            },
            number: r.number.clone(),
            resident_id: r.resident_id.clone(),
            holder_name: r.name.clone(),
            reason: r.reason.clone(),
            source,
            batch: batch.clone(),
            upstream_id: r.lead_id.clone(),
            place: r.place.clone(),
        })
        .collect();
    // One batch: when it fails, none of its leads counts as received (importing the file again
    // receives them; a lead received before is recognised).
    let done = match state
        .store
        .two_card_leads()
        .import(&scope, &p.unit_code, &leads, &p.login, now, deadline_days)
        .await
    {
        Ok(done) => done,
        Err(e) => {
            let not_applied = parsed.rows.iter().map(|r| (r.line, r.raw.clone()));
            return Err(run.fail(0, not_applied, e).await);
        }
    };
    let FinishedImport { run, rejected, .. } = run.finish(leads.len()).await?;
    let view = ImportView {
        run: run.0,
        file,
        read: parsed.read,
        received: done.ids.len(),
        duplicates: done.duplicates,
        by_residence: done.by_residence,
        rejected: crate::import_run::rejected_lines(&rejected),
    };
    list_page(&state, &auth, &headers, &ListQuery::default(), Some(view)).await
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    result: String,
    #[serde(default)]
    note: String,
    /// `1` / `on`: list the holder as a key person — 两卡 for 出租出借 and 出售, 赴境外高危地区
    /// (滞留境外, with where) for a roaming holder abroad, 劝返回流 for one back home.
    #[serde(default)]
    key_person: Option<String>,
}

/// `POST /two-card-leads/{id}/check` (`result`, `note`, optional `key_person`): records what
/// the check on the ground found (audited by the store). With `key_person` and a lent or sold
/// card, the registered holder is listed as a key person (两卡) in the same action; with a
/// roaming holder abroad or back, as 赴境外高危地区人员 or 劝返回流人员, with the 劝返 state
/// (在外 where the number roams, or 已回国) entered on the dossier. A lead outside one's area
/// answers not-found; one checked before, a conflict; a result of another kind of lead, 400.
pub async fn check(
    auth: Require<CheckTwoCardLeads>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CheckForm>,
) -> Result<Response, WebError> {
    let result = LeadResult::parse(f.result.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown result `{}`", f.result.trim())))?;
    let list_key_person = f
        .key_person
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0");
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.two_card_leads();
    let lead = repo.get(&scope, id).await?;
    let category = key_person_category(result);
    if list_key_person {
        let Some(_) = category else {
            return Err(WebError::BadRequest(
                "only the holder of a card lent or sold, or of a roaming number abroad or back, \
                 is listed as a key person"
                    .into(),
            ));
        };
        if !ManageKeyPersons::allows(p) {
            return Err(WebError::Forbidden(ManageKeyPersons::NAME));
        }
        // Checked before anything is written: the holder must be a registered resident.
        if state
            .store
            .people()
            .get(&scope, &lead.resident_id)
            .await
            .is_err()
        {
            return Err(WebError::BadRequest(
                "the holder is not a registered resident of your area: record the check \
                 without listing, and register the person first"
                    .into(),
            ));
        }
    }
    let now = state.clock.now_ms();
    let checked = repo
        .record_result(&scope, id, result, &f.note, &p.login, now)
        .await?;
    if let (true, Some(category)) = (list_key_person, category) {
        let what = if checked.kind == LeadKind::Roaming {
            format!("手机漫游线索核查（{}）", checked.place)
        } else {
            "两卡线索核查".to_string()
        };
        let why = if checked.reason.is_empty() {
            format!("{what}：{}", result.zh())
        } else {
            format!("{what}：{}（{}）", result.zh(), checked.reason)
        };
        let (dossier, _) = state
            .store
            .key_persons()
            .create(
                &scope,
                &NewKeyPerson {
                    resident_id: checked.resident_id.clone(),
                    category,
                    reason: why,
                    source: "two_card_lead".into(),
                    created_by: p.login.clone(),
                    at: now,
                },
            )
            .await?;
        let abroad = match result {
            LeadResult::Abroad => Some(AbroadState::Abroad),
            LeadResult::Returned => Some(AbroadState::Returned),
            _ => None,
        };
        if let Some(abroad) = abroad {
            state
                .store
                .key_persons()
                .add_event(
                    &scope,
                    dossier,
                    &KeyPersonMeasure::Persuasion {
                        state: abroad,
                        on: now,
                        place: (!checked.place.is_empty()).then(|| checked.place.clone()),
                    },
                    &p.login,
                    now,
                )
                .await?;
        }
    }
    let to = "/two-card-leads";
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::OK).into_response());
    }
    Ok(Redirect::to(to).into_response())
}

#[derive(Debug, Deserialize)]
pub struct MeasureForm {
    measure: String,
    /// The day (or day and time) the measure was taken, Asia/Shanghai.
    measure_at: String,
}

/// `POST /two-card-leads/{id}/measure` (`measure`, `measure_at`): records 打击处理 of the holder
/// of a card found lent or sold, on a lead of one's area (audited by the store). A lead whose
/// card was not found lent or sold is a conflict.
pub async fn set_measure(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<MeasureForm>,
) -> Result<Response, WebError> {
    let measure = SuspectMeasure::parse(f.measure.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown measure `{}`", f.measure.trim())))?;
    let at = super::enforcement::shanghai_time(&f.measure_at, "measure_at")?;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .two_card_leads()
        .set_measure(&scope, id, measure, at, &p.login, state.clock.now_ms())
        .await?;
    Ok(super::after_write(
        &headers,
        "/two-card-leads?state=checked".into(),
        axum::http::StatusCode::OK,
    ))
}

/// The leads (CSV's default, for those who manage them), the figures and the checked leads per
/// result.
fn export(lang: Lang, rows: Option<Vec<Row>>, f: &Figures) -> Sheets {
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        // 反馈: the checked leads by the number they came down with.
        let feedback = rows
            .iter()
            .filter(|r| !r.pending)
            .map(|r| {
                vec![
                    r.upstream_id.clone(),
                    r.batch.clone(),
                    r.kind.to_string(),
                    r.place.clone(),
                    r.number.clone(),
                    r.result.clone(),
                    r.note.clone(),
                    r.unit.clone(),
                    r.checked.clone(),
                ]
            })
            .collect();
        let leads = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.upstream_id,
                    r.batch,
                    r.kind.to_string(),
                    r.place,
                    r.number,
                    r.resident_id,
                    r.name,
                    r.reason,
                    r.source.to_string(),
                    r.unit,
                    r.received,
                    r.deadline,
                    r.state.to_string(),
                    r.result,
                    r.note,
                    r.checked_by,
                    r.measure,
                ]
            })
            .collect();
        let heads = [
            "col_id",
            "tcl_lead_id",
            "tcl_batch",
            "tcl_kind",
            "tcl_place",
            "tcl_number",
            "resident_id",
            "name",
            "tcl_reason",
            "tcl_source",
            "unit",
            "tcl_received",
            "tcl_deadline",
            "col_status",
            "tcl_result",
            "tcl_note",
            "tcl_checked_by",
            "tcl_measure",
        ];
        sheets.push(Sheet::new(
            lang,
            "leads",
            "nav_two_card_leads",
            &heads,
            leads,
        ));
        sheets.push(Sheet::new(
            lang,
            "feedback",
            "tcl_feedback",
            &[
                "tcl_lead_id",
                "tcl_batch",
                "tcl_kind",
                "tcl_place",
                "tcl_number",
                "tcl_result",
                "tcl_note",
                "unit",
                "tcl_checked_at",
            ],
            feedback,
        ));
    }
    let figures = [
        ("tcl_received_n", f.received.to_string()),
        ("tcl_checked_n", f.checked.to_string()),
        ("tcl_pending_n", f.pending.to_string()),
        ("tcl_overdue_n", f.overdue.to_string()),
        ("tcl_given_away", f.given_away.to_string()),
        ("tcl_given_away_share", f.given_away_share.clone()),
        ("tcl_dealt_with", f.dealt_with.to_string()),
        ("tcl_coercive", f.coercive.to_string()),
    ];
    sheets.push(Sheet::figures(
        lang,
        figures
            .into_iter()
            .map(|(k, v)| (lang.t(k).to_string(), v))
            .collect(),
    ));
    let results = f
        .by_result
        .iter()
        .map(|(_, label, n)| vec![label.to_string(), n.to_string()])
        .collect();
    sheets.push(Sheet::new(
        lang,
        "results",
        "tcl_result",
        &["tcl_result", "tcl_checked_n"],
        results,
    ));
    Sheets {
        name: "two_card_leads".into(),
        sheets,
    }
}

#[derive(Debug, Deserialize)]
pub struct ForwardForm {
    /// The receiving unit: its code, or its name when no other unit bears it.
    #[serde(default)]
    unit: String,
    #[serde(default)]
    reason: String,
}

/// `POST /two-card-leads/{id}/forward` (`unit`, `reason`): 线索转递 — a pending lead of one's
/// area handed on to the unit the holder belongs to, with a fresh deadline (audited by the
/// store). An unknown unit answers not-found; a name several units bear, or the unit that
/// holds it already, 400; a lead checked before, a conflict.
pub async fn forward(
    auth: Require<ForwardTwoCardLeads>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<ForwardForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let named = f.unit.trim();
    if named.is_empty() {
        return Err(WebError::BadRequest(
            "unit: name the unit to hand the lead on to (code or name)".into(),
        ));
    }
    let mut bearing = state.store.units().by_code_or_name(named).await?;
    let to = match bearing.len() {
        0 => return Err(WebError::NotFound),
        1 => bearing.remove(0).code,
        n => {
            return Err(WebError::BadRequest(format!(
                "unit: {n} units are named `{named}`: give its code"
            )))
        }
    };
    state
        .store
        .two_card_leads()
        .forward(&scope, id, &to, &f.reason, &p.login, state.clock.now_ms())
        .await?;
    Ok(super::after_write(
        &headers,
        "/two-card-leads".into(),
        axum::http::StatusCode::OK,
    ))
}
