//! 国家反诈中心APP推广, the public side, without a login. `/t/{code}`: a drive's page where a
//! member of staff (or a counter, 柜台窗口) enrols as a promoter — department, name, mobile
//! number — and `/tm/{token}`: the promoter's own page with their personal link, its QR code,
//! what they brought against the quota, and a poster of the QR code to print for a counter.
//! `/r/{code}`: the page a promoter's QR code opens for a resident — how to install and register
//! the app, then their area and number to record it. Nothing of other people is shown; the
//! promoter's page is reached by its unguessable token only.

use super::app_drives::{invite_link, new_code, period, PosterPage};
use super::quiz_public::Area;
use super::quizzes::qr_svg;
use super::render;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_store::{AppDrive, NewPromoter, NewReferral, Promoter, StoreError};
use rand::Rng;
use serde::Deserialize;

/// Whether the drive takes enrolments and registrations, and if not, why (a message key).
fn closed_reason(d: &AppDrive, now: i64) -> Option<&'static str> {
    if d.is_open(now) {
        None
    } else if now < d.opens_at {
        Some("ad_not_yet_open")
    } else {
        Some("ad_closed_notice")
    }
}

/// The areas a resident may name: the drive's unit and two levels below, indented.
async fn areas(state: &AppState, d: &AppDrive, chosen: &str) -> Result<Vec<Area>, WebError> {
    super::quiz_public::areas_below(state, &d.unit_code, chosen).await
}

/// The message for a refusal of the store, naming what to fix.
fn refusal(lang: Lang, e: &StoreError) -> Option<String> {
    let key = match e {
        StoreError::Invalid {
            field: "unit_code", ..
        } => "quiz_err_area",
        StoreError::Invalid {
            field: "employer", ..
        } => "ad_err_employer",
        StoreError::Invalid { field: "name", .. } => "ad_err_name",
        StoreError::Invalid {
            field: "daily_limit",
            ..
        } => "ad_err_daily",
        StoreError::Invalid { field: "phone", .. } => "ad_err_phone",
        StoreError::Invalid {
            field: "own_number",
            ..
        } => "ad_err_own",
        StoreError::Conflict {
            what: "promoter", ..
        } => "ad_err_other_name",
        StoreError::Conflict { .. } => "ad_closed_notice",
        _ => return None,
    };
    Some(lang.t(key).to_string())
}

#[derive(Template)]
#[template(path = "app_drive_enrol.html")]
struct EnrolPage {
    lang: Lang,
    d: AppDrive,
    organizer: String,
    period: String,
    closed: Option<&'static str>,
    employer: String,
    name: String,
    phone: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EnrolBody {
    #[serde(default)]
    employer: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

async fn enrol_page(
    state: &AppState,
    lang: Lang,
    d: AppDrive,
    form: Option<&EnrolBody>,
    error: Option<String>,
) -> EnrolPage {
    EnrolPage {
        organizer: state.unit_name(&d.unit_code).await,
        period: period(&d),
        closed: closed_reason(&d, state.clock.now_ms()),
        employer: form.map(|f| f.employer.clone()).unwrap_or_default(),
        name: form.map(|f| f.name.clone()).unwrap_or_default(),
        phone: form.map(|f| f.phone.clone()).unwrap_or_default(),
        error,
        lang,
        d,
    }
}

/// `GET /t/{code}`: a drive's page where staff enrol as promoters.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let d = state.store.app_drives().by_code(&code).await?;
    render(&enrol_page(&state, lang, d, None, None).await).map(IntoResponse::into_response)
}

/// `POST /t/{code}` (`employer`, `name`, `phone`): enrols a promoter and goes to their own
/// page (the same number and name enrolled before: their page again); a refusal shows the form
/// again with what to fix (400).
pub async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(f): FormBody<EnrolBody>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let d = state.store.app_drives().by_code(&code).await?;
    let token = format!("{:032x}", rand::rng().random::<u128>());
    let enrolled = state
        .store
        .app_drives()
        .enroll(
            &d,
            &NewPromoter {
                employer: Some(f.employer.clone()).filter(|e| !e.trim().is_empty()),
                name: f.name.clone(),
                phone: f.phone.clone(),
                code: new_code(),
                token,
            },
            state.clock.now_ms(),
        )
        .await;
    match enrolled {
        Ok(p) => Ok(Redirect::to(&format!("/tm/{}", p.token)).into_response()),
        Err(e) => match refusal(lang, &e) {
            Some(message) => {
                let page = enrol_page(&state, lang, d, Some(&f), Some(message)).await;
                Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "app_drive_mine.html")]
struct MinePage {
    lang: Lang,
    d: AppDrive,
    p: Promoter,
    organizer: String,
    period: String,
    open: bool,
    link: String,
    qr: String,
    referrals: i64,
    verified: i64,
    /// Residents still to bring to reach the quota.
    left: i64,
}

/// `GET /tm/{token}`: the promoter's own page — their link and QR code to show relatives and
/// friends, and what they brought against the quota.
pub async fn mine(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let repo = state.store.app_drives();
    let p = repo.promoter_by_token(&token).await?;
    let d = repo
        .get(&fanzha_store::Scope::platform(), p.drive_id)
        .await?;
    let (referrals, verified) = repo.brought(&p).await?;
    let link = invite_link(&state, &headers, &p.code);
    render(&MinePage {
        organizer: state.unit_name(&d.unit_code).await,
        period: period(&d),
        open: d.is_open(state.clock.now_ms()),
        qr: qr_svg(&link),
        link,
        left: (d.quota - referrals).max(0),
        referrals,
        verified,
        lang,
        d,
        p,
    })
    .map(IntoResponse::into_response)
}

/// `GET /tm/{token}/poster`: the promoter's QR code as a poster to print, for a counter or a
/// service window (柜台、窗口摆放安装二维码).
pub async fn poster(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let repo = state.store.app_drives();
    let p = repo.promoter_by_token(&token).await?;
    let d = repo
        .get(&fanzha_store::Scope::platform(), p.drive_id)
        .await?;
    let link = invite_link(&state, &headers, &p.code);
    render(&PosterPage {
        unit: format!("{} · {}", state.unit_name(&d.unit_code).await, p.name),
        title: lang.t("ad_invite_title").to_string(),
        call: "ad_invite_call",
        note: "ad_invite_note",
        period: period(&d),
        qr: qr_svg(&link),
        link,
        lang,
    })
    .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "app_drive_invite.html")]
struct InvitePage {
    lang: Lang,
    d: AppDrive,
    /// The promoter's personal code (the form's address).
    code: String,
    promoter: String,
    organizer: String,
    closed: Option<&'static str>,
    areas: Vec<Area>,
    phone: String,
    error: Option<String>,
    /// After recording: a message key (recorded now, or counted before).
    done: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InviteBody {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    phone: String,
    /// The box "I installed and registered the app".
    #[serde(default)]
    installed: String,
}

async fn invite_page(
    state: &AppState,
    lang: Lang,
    d: AppDrive,
    p: &Promoter,
    form: Option<&InviteBody>,
    outcome: (Option<String>, Option<&'static str>),
) -> Result<InvitePage, WebError> {
    Ok(InvitePage {
        // The promoter's name as residents see it: masked, it is personal data.
        promoter: fanzha_core::mask::mask_name(&p.name),
        code: p.code.clone(),
        organizer: state.unit_name(&d.unit_code).await,
        closed: closed_reason(&d, state.clock.now_ms()),
        areas: areas(state, &d, form.map_or("", |f| f.unit_code.as_str())).await?,
        phone: form.map(|f| f.phone.clone()).unwrap_or_default(),
        error: outcome.0,
        done: outcome.1,
        lang,
        d,
    })
}

async fn promoter_and_drive(
    state: &AppState,
    code: &str,
) -> Result<(Promoter, AppDrive), WebError> {
    let repo = state.store.app_drives();
    let p = repo.promoter_by_code(code).await?;
    let d = repo
        .get(&fanzha_store::Scope::platform(), p.drive_id)
        .await?;
    Ok((p, d))
}

/// `GET /r/{code}`: how to install and register the national anti-fraud app, and the form to
/// record it for the promoter of `code`.
pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let (p, d) = promoter_and_drive(&state, &code).await?;
    let page = invite_page(&state, lang, d, &p, None, (None, None)).await?;
    render(&page).map(IntoResponse::into_response)
}

/// `POST /r/{code}` (`unit_code`, `phone`, `installed`): records that the resident installed
/// the app through this link; a number counted before says so; a refusal shows the form again
/// with what to fix (400).
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(f): FormBody<InviteBody>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let (p, d) = promoter_and_drive(&state, &code).await?;
    if f.installed.trim().is_empty() {
        let message = Some(lang.t("ad_err_installed").to_string());
        let page = invite_page(&state, lang, d, &p, Some(&f), (message, None)).await?;
        return Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response());
    }
    let recorded = state
        .store
        .app_drives()
        .refer(
            &d,
            &p,
            &NewReferral {
                unit_code: f.unit_code.clone(),
                phone: f.phone.clone(),
            },
            state.clock.now_ms(),
        )
        .await;
    let (status, outcome) = match recorded {
        Ok(_) => (StatusCode::OK, (None, Some("ad_done"))),
        Err(StoreError::Conflict {
            what: "referral", ..
        }) => (StatusCode::OK, (None, Some("ad_done_before"))),
        Err(e) => match refusal(lang, &e) {
            Some(message) => (StatusCode::BAD_REQUEST, (Some(message), None)),
            None => return Err(e.into()),
        },
    };
    let page = invite_page(&state, lang, d, &p, Some(&f), outcome).await?;
    Ok((status, render(&page)?).into_response())
}
