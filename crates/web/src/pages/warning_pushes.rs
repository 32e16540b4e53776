//! 预警推送 at `/warnings/pushes`: the center uploads the daily warning list an upstream platform
//! pushed (国家反诈大数据平台, 东风, 长矛, other; CSV / XLSX), each row entering the closed loop
//! through [`crate::push_import`]; the page answers with the counts (read, accepted, new,
//! merged, already known, quarantined by reason), the quarantined rows by line, column and
//! reason, and the accepted rows with personal data masked. Below: the imports of one's area and
//! the feedback (反馈) export per platform and period, CSV / XLSX — push ids with their current
//! outcome, handling unit and times, the file sent back up.

use super::choices::{choices, non_empty, parse_or, Choice};
use super::upload::Upload;
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::ImportPushes;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::ExportFormat;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::push_import::{feedback_table, import_pushes, PushImport};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use fanzha_core::time::{format_shanghai, shanghai_date, shanghai_midnight};
use fanzha_store::{FeedbackFilter, PushPlatform, MAX_FEEDBACK_ROWS};
use serde::Deserialize;

/// Imports listed on the page.
const IMPORTS_LISTED: i64 = 50;
/// The longest period one feedback file covers (days).
const MAX_FEEDBACK_DAYS: i64 = 366;

/// An import as listed (no personal data).
struct ImportRow {
    run: i64,
    platform: &'static str,
    file: String,
    unit: String,
    by: String,
    at: String,
    read: i64,
    accepted: i64,
    new: i64,
    merged: i64,
    known: i64,
    quarantined: i64,
}

/// What the upload did, as the page shows it.
struct ImportView {
    run: i64,
    file: String,
    platform: &'static str,
    read: usize,
    accepted: usize,
    new: usize,
    merged: usize,
    known: usize,
    quarantined: usize,
    by_reason: Vec<(String, i64)>,
    /// Line, column, reason.
    rejected: Vec<(i64, String, String)>,
    /// Accepted fund warnings (资金预警).
    funds: usize,
    rows: Vec<PushedLine>,
}

/// An accepted row as the page shows it: personal data masked.
struct PushedLine {
    line: u64,
    push_id: String,
    phone: String,
    resident_id: String,
    /// The kind's code (`fund` …), empty when the list states none, and its label.
    kind: &'static str,
    kind_label: &'static str,
    result: &'static str,
    result_label: &'static str,
    instruction: String,
}

#[derive(Template)]
#[template(path = "warning_pushes.html")]
struct PushesPage {
    lang: Lang,
    chrome: Chrome,
    platforms: Vec<Choice>,
    imports: Vec<ImportRow>,
    import: Option<ImportView>,
    from: String,
    to: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    platform: Option<String>,
}

/// `GET /warnings/pushes[?platform=]`: the upload form, the imports of one's area (of one
/// platform when named) and the feedback form.
pub async fn list(
    auth: Require<ImportPushes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let platform = parse_or(non_empty(&q.platform), PushPlatform::parse, "platform")?;
    page(&state, &auth, &headers, platform, None).await
}

async fn page(
    state: &AppState,
    auth: &Require<ImportPushes>,
    headers: &HeaderMap,
    platform: Option<PushPlatform>,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        headers,
        "/warnings/pushes",
    );
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let listed = state
        .store
        .warning_pushes()
        .imports(&scope, platform, IMPORTS_LISTED)
        .await?;
    let mut imports = Vec::with_capacity(listed.len());
    for i in listed {
        imports.push(ImportRow {
            run: i.import_run.0,
            platform: pick(lang, i.platform.zh(), i.platform.en()),
            file: i.file,
            unit: state.unit_name(&i.unit_code).await,
            by: i.imported_by,
            at: format_shanghai(i.imported_at),
            read: i.read,
            accepted: i.accepted,
            new: i.new,
            merged: i.merged,
            known: i.known,
            quarantined: i.quarantined,
        });
    }
    let today = shanghai_date(state.clock.now_ms()).unwrap_or_default();
    render(&PushesPage {
        platforms: choices(
            PushPlatform::ALL,
            PushPlatform::as_str,
            |p| pick(lang, p.zh(), p.en()),
            Some(platform.unwrap_or(PushPlatform::National)),
        ),
        imports,
        import,
        from: (today - chrono::Duration::days(6)).to_string(),
        to: today.to_string(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /warnings/pushes` (multipart: `file`; `platform` national (default) | dongfeng |
/// changmao | other; optional `format` auto | csv | xlsx): imports the list for one's unit and answers the
/// page with what it did.
pub async fn import(
    auth: Require<ImportPushes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(multipart, "pushes.csv", &["platform"]).await?;
    let platform = match up.text("platform").map(str::trim) {
        Some(text) => Some(
            PushPlatform::parse(text)
                .ok_or_else(|| WebError::BadRequest(format!("unknown platform `{text}`")))?,
        ),
        None => None,
    };
    // The national platform's daily push is the list most centers receive.
    let platform = platform.unwrap_or(PushPlatform::National);
    let (file, bytes) = up.take_file("choose a push list to import")?;
    let p = &auth.principal;
    let done = import_pushes(
        &state,
        &p.login,
        &p.unit_code,
        platform,
        &file,
        &bytes,
        up.format,
    )
    .await?;
    let lang = Lang::from_headers(&headers);
    let view = view_of(&done, lang);
    page(&state, &auth, &headers, None, Some(view)).await
}

fn view_of(d: &PushImport, lang: Lang) -> ImportView {
    ImportView {
        run: d.import_run.0,
        file: d.file.clone(),
        platform: pick(lang, d.platform.zh(), d.platform.en()),
        read: d.read,
        accepted: d.accepted(),
        new: d.new_count(),
        merged: d.merged(),
        known: d.known(),
        quarantined: d.quarantined(),
        by_reason: d.by_reason.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        rejected: crate::import_run::rejected_lines(&d.rejected),
        funds: d.funds(),
        rows: d
            .rows
            .iter()
            .map(|r| PushedLine {
                line: r.line,
                push_id: r.push_id.clone(),
                phone: r.phone.clone().unwrap_or_default(),
                resident_id: r.resident_id.clone().unwrap_or_default(),
                kind: r.kind.map(|k| k.code()).unwrap_or(""),
                kind_label: r.kind.map(|k| pick(lang, k.zh(), k.en())).unwrap_or(""),
                result: r.result.as_str(),
                result_label: lang.t(match r.result.as_str() {
                    "new" => "wp_result_new",
                    "merged" => "wp_result_merged",
                    _ => "wp_result_known",
                }),
                instruction: r.instruction_id.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct FeedbackQuery {
    platform: String,
    /// First day pushed (Shanghai), `YYYY-MM-DD`.
    from: String,
    /// Last day pushed (Shanghai), inclusive.
    to: String,
    #[serde(default)]
    format: Option<ExportFormat>,
}

fn day(text: &str, field: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("{field} must be a date YYYY-MM-DD")))
}

/// `GET /warnings/pushes/feedback?platform=&from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv|xlsx]`:
/// the feedback file of a platform's pushes in the period (days in Asia/Shanghai, both
/// included) imported by units of one's area: push id, status, outcome, handling unit, times.
/// CSV unless XLSX is asked for. A period holding more than [`MAX_FEEDBACK_ROWS`] pushes is
/// refused (400 `period_too_large`: narrow the period), a date at the calendar's end is a 400.
pub async fn feedback(
    auth: Require<ImportPushes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FeedbackQuery>,
) -> Result<Response, WebError> {
    let platform = PushPlatform::parse(q.platform.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown platform `{}`", q.platform)))?;
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if to < from {
        return Err(WebError::BadRequest("to lies before from".into()));
    }
    if (to - from).num_days() >= MAX_FEEDBACK_DAYS {
        return Err(WebError::BadRequest(format!(
            "one feedback file covers at most {MAX_FEEDBACK_DAYS} days"
        )));
    }
    let out_of_range = || WebError::BadRequest("date out of range".into());
    let after_to = to.succ_opt().ok_or_else(out_of_range)?;
    let filter = FeedbackFilter {
        platform,
        from_ms: shanghai_midnight(from).map_err(|_| out_of_range())?,
        to_ms: shanghai_midnight(after_to).map_err(|_| out_of_range())?,
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let lang = Lang::from_headers(&headers);
    let mut table = feedback_table(&state, &scope, &filter, lang, MAX_FEEDBACK_ROWS).await?;
    table.name = format!("feedback_{}_{}_{}", platform.as_str(), from, to);
    table.respond(q.format.unwrap_or(ExportFormat::Csv))
}
