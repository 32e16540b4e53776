//! 国家反诈中心APP推广, the police side: the drives of one's area with their figures and a form
//! to open one (`/app-drives`); a drive's page (`/app-drives/{id}`) with the link and QR code
//! where staff enrol as promoters, each department against what it owes (its staff × the
//! quota; the least progress first), the promoters with what each brought (names and numbers
//! masked), the residents per area, exports, the edit form and ending it early; a promoter in
//! full with their personal link (`/app-drives/{id}/promoters/{pid}`, audited); and a printable
//! poster (`/app-drives/{id}/poster`). Data from the store's `AppDrives`, whose writes are
//! audited; the public side is `app_drive_public`.

use super::choices::unit_choices;
use super::quizzes::{employers_text, parse_employers, public_address, qr_svg};
use super::view::share;
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageAppDrives, Permission, ViewAppDrives};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_core::time::{format_shanghai, format_shanghai_date};
use fanzha_store::{
    AppDrive, AppDriveText, AppDrives, DriveFigures, EmployerPromotion, NewAppDrive,
    PromoterProgress,
};
use serde::Deserialize;

/// Drives listed.
const LIST_LIMIT: i64 = 200;
/// Promoters shown on a drive's page (the export has them all).
const PROMOTER_ROWS: usize = 200;
/// The quota a new drive proposes (the seed's "每人不少于30个").
pub const DEFAULT_QUOTA: i64 = 30;

/// Where a drive stands at `now`: a message key and a class.
pub fn state_of(d: &AppDrive, now: i64) -> (&'static str, &'static str) {
    super::quizzes::run_state(d.is_open(now), d.opens_at, d.closed_at, now)
}

/// The days a drive runs (Asia/Shanghai, the last day included).
pub fn period(d: &AppDrive) -> String {
    super::quizzes::days_run(d.opens_at, d.ends_at())
}

/// The address where staff of drive `code` enrol as promoters.
pub fn enrol_link(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    public_address(state, headers, &format!("/t/{code}"))
}

/// The address a promoter of personal code `code` hands to residents.
pub fn invite_link(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    public_address(state, headers, &format!("/r/{code}"))
}

/// A fresh code for a public link.
pub use super::quizzes::new_code;

/// A drive as listed.
struct Row {
    id: i64,
    title: String,
    unit: String,
    quota: i64,
    period: String,
    state: &'static str,
    state_class: &'static str,
    figures: DriveFigures,
}

#[derive(Template)]
#[template(path = "app_drives.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    rows: Vec<Row>,
    form: Option<CreateForm>,
}

struct CreateForm {
    units: Vec<super::choices::Choice>,
    opens: String,
    closes: String,
    quota: i64,
}

/// `GET /app-drives`: the drives of one's area, the latest first, with their figures.
pub async fn list(
    auth: Require<ViewAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/app-drives");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let drives = state.store.app_drives().list(&scope, LIST_LIMIT).await?;
    let figures = state.store.app_drives().figures_by_drive(&drives).await?;
    let now = state.clock.now_ms();
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(drives.len());
    for d in drives {
        let (s, class) = state_of(&d, now);
        rows.push(Row {
            id: d.id,
            unit: names.get(&d.unit_code).await,
            quota: d.quota,
            period: period(&d),
            state: lang.t(s),
            state_class: class,
            figures: figures.get(&d.id).copied().unwrap_or_default(),
            title: d.title,
        });
    }
    let form = if ManageAppDrives::allows(p) {
        let today = state.today()?;
        Some(CreateForm {
            units: unit_choices(&state, &p.unit_code, &p.unit_code).await?,
            opens: today.to_string(),
            closes: (today + chrono::Days::new(30)).to_string(),
            quota: DEFAULT_QUOTA,
        })
    } else {
        None
    };
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        rows,
        form,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct CreateBody {
    #[serde(default)]
    unit_code: Option<String>,
    title: String,
    opens: String,
    closes: String,
    #[serde(default)]
    quota: String,
    #[serde(default)]
    employers: String,
}

fn quota_of(v: &str) -> Result<i64, WebError> {
    super::quizzes::number_or("quota", v, DEFAULT_QUOTA)
}

/// `POST /app-drives` (`unit_code`, `title`, `opens`, `closes` — dates, the close day
/// included —, `quota` (30), `employers`): opens a drive with a new link code and goes to its
/// page.
pub async fn create(
    auth: Require<ManageAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<CreateBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let unit = state
        .unit_within(
            &p.unit_code,
            super::choices::non_empty(&f.unit_code).unwrap_or(&p.unit_code),
        )
        .await?;
    let opens_at = super::view::midnight(super::view::date(&f.opens)?)?;
    let closes_at = super::view::end_of_day(super::view::date(&f.closes)?)? + 1;
    let scope = state.scope_of(&p.unit_code).await?;
    let id = state
        .store
        .app_drives()
        .open(
            &scope,
            &NewAppDrive {
                unit_code: unit.code,
                code: new_code(),
                opens_at,
                text: AppDriveText {
                    title: f.title,
                    quota: quota_of(&f.quota)?,
                    closes_at,
                    employers: parse_employers(&f.employers)?,
                },
                created_by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/app-drives/{id}"),
        StatusCode::CREATED,
    ))
}

/// A department's referrals over what it owes, at most all of it.
pub fn progress(e: &EmployerPromotion) -> String {
    share(e.figures.referrals.min(e.expected), e.expected)
}

/// A promoter as listed: name and number masked.
struct PromoterRow {
    id: i64,
    name: String,
    employer: String,
    phone: String,
    enrolled: String,
    referrals: i64,
    verified: i64,
    at_quota: bool,
}

/// An area below the drive's unit with the residents registered there.
struct AreaRow {
    name: String,
    referrals: i64,
    verified: i64,
}

/// Everything a drive's page and export show.
struct Report {
    figures: DriveFigures,
    employers: Vec<EmployerPromotion>,
    promoters: Vec<PromoterProgress>,
    areas: Vec<AreaRow>,
}

async fn report(state: &AppState, lang: Lang, d: &AppDrive) -> Result<Report, WebError> {
    let repo = state.store.app_drives();
    let promoters = repo.promoters(d).await?;
    let (figures, employers) = AppDrives::tally(d, &promoters);
    let rows: Vec<(String, i64, i64)> = repo
        .areas(d.id)
        .await?
        .into_iter()
        .map(|a| (a.path, a.referrals, a.verified))
        .collect();
    let areas = super::quizzes::roll_up_areas(state, lang, &d.unit_code, &rows)
        .await?
        .into_iter()
        .map(|(name, referrals, verified)| AreaRow {
            name,
            referrals,
            verified,
        })
        .collect();
    Ok(Report {
        figures,
        employers,
        promoters,
        areas,
    })
}

fn export(lang: Lang, d: &AppDrive, r: &Report) -> Sheets {
    let employers = r
        .employers
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.headcount.to_string(),
                e.figures.promoters.to_string(),
                e.figures.referrals.to_string(),
                e.figures.verified.to_string(),
                e.figures.at_quota.to_string(),
                progress(e),
            ]
        })
        .collect();
    let promoters = r
        .promoters
        .iter()
        .map(|p| {
            vec![
                mask_name(&p.promoter.name),
                p.promoter.employer.clone().unwrap_or_default(),
                mask_phone(&p.promoter.phone),
                format_shanghai(p.promoter.enrolled_at),
                p.referrals.to_string(),
                p.verified.to_string(),
            ]
        })
        .collect();
    let areas = r
        .areas
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.referrals.to_string(),
                a.verified.to_string(),
                share(a.verified, a.referrals),
            ]
        })
        .collect();
    Sheets {
        name: format!("app_drive_{}", d.code),
        sheets: vec![
            Sheet::new(
                lang,
                "employers",
                "ad_employers",
                &[
                    "quiz_employer",
                    "quiz_headcount",
                    "ad_promoters",
                    "ad_referrals",
                    "ad_verified",
                    "ad_at_quota",
                    "ad_progress",
                ],
                employers,
            ),
            Sheet::new(
                lang,
                "promoters",
                "ad_promoters",
                &[
                    "ad_promoter_name",
                    "quiz_employer",
                    "quiz_phone",
                    "ad_enrolled_at",
                    "ad_referrals",
                    "ad_verified",
                ],
                promoters,
            ),
            Sheet::new(
                lang,
                "areas",
                "ad_areas",
                &["unit", "ad_referrals", "ad_verified", "ad_verified_rate"],
                areas,
            ),
        ],
    }
}

#[derive(Template)]
#[template(path = "app_drive.html")]
struct DrivePage {
    lang: Lang,
    chrome: Chrome,
    d: AppDrive,
    unit: String,
    period: String,
    state: &'static str,
    state_class: &'static str,
    link: String,
    qr: String,
    figures: DriveFigures,
    headcount: i64,
    expected: i64,
    employers: Vec<EmployerPromotion>,
    employers_done: usize,
    promoters: Vec<PromoterRow>,
    promoters_more: usize,
    areas: Vec<AreaRow>,
    can_manage: bool,
    employers_text: String,
    closes: String,
    open: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DriveQuery {
    #[serde(default)]
    format: Option<ExportFormat>,
    #[serde(default)]
    section: Option<String>,
}

/// `GET /app-drives/{id}[?format=csv|xlsx[&section=employers|promoters|areas]]`: a drive of
/// one's area with its figures.
pub async fn detail(
    auth: Require<ViewAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<DriveQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/app-drives");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let d = state.store.app_drives().get(&scope, id).await?;
    let r = report(&state, lang, &d).await?;
    if let Some(format) = q.format {
        return export(lang, &d, &r).respond(format, q.section.as_deref());
    }
    let now = state.clock.now_ms();
    let (s, class) = state_of(&d, now);
    let link = enrol_link(&state, &headers, &d.code);
    let promoters_more = r.promoters.len().saturating_sub(PROMOTER_ROWS);
    let promoters = r
        .promoters
        .iter()
        .take(PROMOTER_ROWS)
        .map(|x| PromoterRow {
            id: x.promoter.id,
            name: mask_name(&x.promoter.name),
            employer: x.promoter.employer.clone().unwrap_or_default(),
            phone: mask_phone(&x.promoter.phone),
            enrolled: format_shanghai(x.promoter.enrolled_at),
            referrals: x.referrals,
            verified: x.verified,
            at_quota: x.referrals >= d.quota,
        })
        .collect();
    let headcount = d.headcount();
    render(&DrivePage {
        unit: state.unit_name(&d.unit_code).await,
        period: period(&d),
        state: lang.t(s),
        state_class: class,
        qr: qr_svg(&link),
        link,
        figures: r.figures,
        headcount,
        expected: headcount.saturating_mul(d.quota),
        employers_done: r.employers.iter().filter(|e| e.done()).count(),
        employers: r.employers,
        promoters,
        promoters_more,
        areas: r.areas,
        can_manage: ManageAppDrives::allows(p),
        employers_text: employers_text(&d.employers),
        closes: format_shanghai_date(d.closes_at - 1),
        open: d.closed_at.is_none() && now < d.closes_at,
        d,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct UpdateBody {
    title: String,
    closes: String,
    #[serde(default)]
    quota: String,
    #[serde(default)]
    employers: String,
    version: String,
}

/// `POST /app-drives/{id}` (`title`, `closes`, `quota`, `employers`, `version`): changes a
/// drive of one's area from the version read.
pub async fn update(
    auth: Require<ManageAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<UpdateBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .app_drives()
        .update(
            &scope,
            id,
            super::version_field(&f.version)?,
            &AppDriveText {
                title: f.title,
                quota: quota_of(&f.quota)?,
                closes_at: super::view::end_of_day(super::view::date(&f.closes)?)? + 1,
                employers: parse_employers(&f.employers)?,
            },
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/app-drives/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct CloseBody {
    version: String,
}

/// `POST /app-drives/{id}/close` (`version`): ends a drive now; its links stop taking
/// enrolments and registrations.
pub async fn close(
    auth: Require<ManageAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CloseBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .app_drives()
        .close(
            &scope,
            id,
            super::version_field(&f.version)?,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/app-drives/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "app_drive_promoter.html")]
struct PromoterPage {
    lang: Lang,
    chrome: Chrome,
    d: AppDrive,
    name: String,
    employer: String,
    phone: String,
    enrolled: String,
    referrals: i64,
    verified: i64,
    link: String,
    qr: String,
}

/// `GET /app-drives/promoters/{id}`: a promoter in full — name, number, their personal
/// link and QR code (for one who lost it) and what they brought; audited
/// (`app_drive_promoter_viewed`).
pub async fn promoter(
    auth: Require<ManageAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/app-drives");
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.app_drives();
    let x = repo.promoter(&scope, id).await?;
    let d = repo.get(&scope, x.drive_id).await?;
    let (referrals, verified) = repo.brought(&x).await?;
    crate::casework::audit(
        &state,
        &p.login,
        "app_drive_promoter_viewed",
        "app_drive_promoter",
        &x.id.to_string(),
        &d.unit_code,
        serde_json::json!({ "drive": d.id }),
    )
    .await?;
    let link = invite_link(&state, &headers, &x.code);
    render(&PromoterPage {
        lang: chrome.lang,
        chrome,
        qr: qr_svg(&link),
        link,
        enrolled: format_shanghai(x.enrolled_at),
        employer: x.employer.unwrap_or_default(),
        name: x.name,
        phone: x.phone,
        referrals,
        verified,
        d,
    })
    .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "app_drive_poster.html")]
pub struct PosterPage {
    pub lang: Lang,
    pub unit: String,
    pub title: String,
    /// What the poster asks of whoever reads it (a message key).
    pub call: &'static str,
    pub note: &'static str,
    pub period: String,
    pub link: String,
    pub qr: String,
}

/// `GET /app-drives/{id}/poster`: the poster calling staff to enrol — title, organiser,
/// period, quota, the QR code and the link.
pub async fn poster(
    auth: Require<ViewAppDrives>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let d = state.store.app_drives().get(&scope, id).await?;
    let link = enrol_link(&state, &headers, &d.code);
    render(&PosterPage {
        unit: state.unit_name(&d.unit_code).await,
        call: "ad_poster_call",
        note: "ad_poster_note",
        period: format!("{} · {} {}", period(&d), lang.t("ad_quota"), d.quota),
        qr: qr_svg(&link),
        link,
        title: d.title,
        lang,
    })
    .map(IntoResponse::into_response)
}

/// The drives open now for one's area, with their enrolment links, for the phone page.
pub struct HandOut {
    pub title: String,
    pub organizer: String,
    pub period: String,
    pub quota: i64,
    pub link: String,
    pub qr: String,
}

/// The drives open now around `unit_code` as the phone shows them.
pub async fn hand_outs(
    state: &AppState,
    headers: &HeaderMap,
    unit_code: &str,
) -> Result<Vec<HandOut>, WebError> {
    let open = state
        .store
        .app_drives()
        .open_around(unit_code, state.clock.now_ms())
        .await?;
    let mut names = state.unit_names();
    let mut out = Vec::with_capacity(open.len());
    for d in open {
        let link = enrol_link(state, headers, &d.code);
        out.push(HandOut {
            organizer: names.get(&d.unit_code).await,
            period: period(&d),
            quota: d.quota,
            qr: qr_svg(&link),
            link,
            title: d.title,
        });
    }
    Ok(out)
}
