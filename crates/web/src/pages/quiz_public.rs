//! 反诈知识测试, the participant's side: the public pages a campaign's link or QR code opens on a
//! phone, without a login. `/q/{code}`: the campaign, where the participant names their area,
//! employer (where the campaign lists some) and mobile number; `/qa/{token}`: the questions,
//! then the score with every right answer explained, and the pledge (反诈倡议书) to sign. An
//! attempt is reached by its unguessable token only; nothing of other participants is shown.

use super::render;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_core::time::format_shanghai;
use fanzha_store::{Attempt, NewAttempt, QuizCampaign, StoreError};
use rand::Rng;
use serde::Deserialize;
use std::collections::HashMap;

/// Option letters, A to E.
pub const LETTERS: [&str; 5] = ["A", "B", "C", "D", "E"];

/// An area a participant may name: the campaign's unit and two levels below, indented.
pub struct Area {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

async fn areas(state: &AppState, c: &QuizCampaign, chosen: &str) -> Result<Vec<Area>, WebError> {
    areas_below(state, &c.unit_code, chosen).await
}

/// `unit_code` and the two levels below it as a form offers them, indented, `chosen` selected.
pub async fn areas_below(
    state: &AppState,
    unit_code: &str,
    chosen: &str,
) -> Result<Vec<Area>, WebError> {
    let units = state.store.units().subtree(unit_code, Some(2)).await?;
    let top = units.first().map_or(0, |u| u.depth);
    Ok(units
        .into_iter()
        .map(|u| Area {
            label: format!(
                "{}{}",
                "\u{3000}".repeat(usize::try_from(u.depth - top).unwrap_or(0)),
                u.name
            ),
            selected: u.code == chosen,
            code: u.code,
        })
        .collect())
}

/// Whether the campaign takes attempts, and if not, why (a message key).
fn closed_reason(c: &QuizCampaign, now: i64) -> Option<&'static str> {
    if c.is_open(now) {
        None
    } else if now < c.opens_at {
        Some("quiz_not_yet_open")
    } else {
        Some("quiz_closed_notice")
    }
}

#[derive(Template)]
#[template(path = "quiz_public.html")]
struct StartPage {
    lang: Lang,
    c: QuizCampaign,
    organizer: String,
    period: String,
    closed: Option<&'static str>,
    areas: Vec<Area>,
    employer: String,
    phone: String,
    error: Option<String>,
}

async fn start_page(
    state: &AppState,
    lang: Lang,
    c: QuizCampaign,
    form: Option<&StartBody>,
    error: Option<String>,
) -> Result<StartPage, WebError> {
    let now = state.clock.now_ms();
    Ok(StartPage {
        organizer: state.unit_name(&c.unit_code).await,
        period: super::quizzes::period(&c),
        closed: closed_reason(&c, now),
        areas: areas(state, &c, form.map_or("", |f| f.unit_code.as_str())).await?,
        employer: form.map(|f| f.employer.clone()).unwrap_or_default(),
        phone: form.map(|f| f.phone.clone()).unwrap_or_default(),
        error,
        lang,
        c,
    })
}

/// `GET /q/{code}`: the campaign's landing page.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let c = state.store.quiz_campaigns().by_code(&code).await?;
    render(&start_page(&state, lang, c, None, None).await?).map(IntoResponse::into_response)
}

#[derive(Debug, Default, Deserialize)]
pub struct StartBody {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    phone: String,
}

/// The participant's message for a refusal of the store, naming what to fix.
fn refusal(lang: Lang, e: &StoreError) -> Option<String> {
    let key = match e {
        StoreError::Invalid {
            field: "unit_code", ..
        } => "quiz_err_area",
        StoreError::Invalid {
            field: "employer", ..
        } => "quiz_err_employer",
        StoreError::Invalid {
            field: "daily_limit",
            ..
        } => "quiz_err_too_many",
        StoreError::Invalid { field: "phone", .. } => "quiz_err_phone",
        StoreError::Conflict { .. } => "quiz_closed_notice",
        _ => return None,
    };
    Some(lang.t(key).to_string())
}

/// `POST /q/{code}/start` (`unit_code`, `employer`, `phone`): starts an attempt and goes to
/// its questions; a refusal shows the form again with what to fix (400).
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(f): FormBody<StartBody>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let c = state.store.quiz_campaigns().by_code(&code).await?;
    let (token, seed) = {
        let mut rng = rand::rng();
        (
            format!("{:032x}", rng.random::<u128>()),
            rng.random::<u64>(),
        )
    };
    let employer = Some(f.employer.clone()).filter(|e| !e.trim().is_empty());
    let started = state
        .store
        .quiz_attempts()
        .start(
            &c,
            &NewAttempt {
                unit_code: f.unit_code.clone(),
                employer,
                phone: f.phone.clone(),
                token,
                seed,
            },
            state.clock.now_ms(),
        )
        .await;
    match started {
        Ok(token) => Ok(Redirect::to(&format!("/qa/{token}")).into_response()),
        Err(e) => match refusal(lang, &e) {
            Some(message) => {
                let page = start_page(&state, lang, c, Some(&f), Some(message)).await?;
                Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
            }
            None => Err(e.into()),
        },
    }
}

/// How many of the organiser's latest videos the result recommends.
const VIDEOS: usize = 3;

/// A video to watch after the quiz: title, where it was published, its link.
pub struct Video {
    pub title: String,
    pub account: String,
    pub platform: &'static str,
    pub link: String,
}

/// The latest short videos with a link that the campaign's unit and those below published
/// (新媒体宣传, docs/outreach.md): the third part of the seed's "测试题、倡议书、宣传视频".
async fn videos(state: &AppState, lang: Lang, c: &QuizCampaign) -> Result<Vec<Video>, WebError> {
    let scope = state.store.units().scope(&c.unit_code).await?;
    let posts = state
        .store
        .outreach_posts()
        .list(
            &scope,
            &fanzha_store::PostFilter {
                form: Some(fanzha_store::PostForm::Video),
                ..Default::default()
            },
            &fanzha_store::PageRequest::first(20),
        )
        .await?;
    Ok(posts
        .items
        .into_iter()
        .filter(|p| !p.link.is_empty())
        .take(VIDEOS)
        .map(|p| Video {
            platform: super::view::pick(lang, p.platform.zh(), p.platform.en()),
            title: p.title,
            account: p.account,
            link: p.link,
        })
        .collect())
}

/// A question as the participant sees it.
pub struct Item {
    pub n: usize,
    pub stem: String,
    pub fraud_type: &'static str,
    /// (index, letter, text, chosen, the right one)
    pub options: Vec<(usize, &'static str, String, bool, bool)>,
    pub explanation: String,
    pub correct: Option<bool>,
    pub right_letter: &'static str,
}

fn items(lang: Lang, a: &Attempt, chosen: &[Option<usize>]) -> Vec<Item> {
    a.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let q = &item.question;
            let pick = item.chosen.or(chosen.get(i).copied().flatten());
            Item {
                n: i + 1,
                stem: q.stem.clone(),
                fraud_type: super::view::pick(lang, q.fraud_type.zh(), q.fraud_type.en()),
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(j, o)| (j, LETTERS[j % 5], o.clone(), pick == Some(j), j == q.answer))
                    .collect(),
                explanation: q.explanation.clone(),
                correct: item.correct,
                right_letter: LETTERS[q.answer % 5],
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "quiz_attempt.html")]
struct AttemptPage {
    lang: Lang,
    c: QuizCampaign,
    a: Attempt,
    items: Vec<Item>,
    error: Option<String>,
    /// Whether the campaign still takes attempts (to offer another).
    open: bool,
    pledged_at: String,
    /// Videos to watch, once the answers are in.
    videos: Vec<Video>,
}

async fn attempt_page(
    state: &AppState,
    lang: Lang,
    a: Attempt,
    chosen: &[Option<usize>],
    error: Option<String>,
) -> Result<AttemptPage, WebError> {
    let c = state
        .store
        .quiz_campaigns()
        .get(&fanzha_store::Scope::platform(), a.campaign_id)
        .await?;
    let videos = if a.submitted_at.is_some() {
        videos(state, lang, &c).await?
    } else {
        Vec::new()
    };
    Ok(AttemptPage {
        videos,
        items: items(lang, &a, chosen),
        open: c.is_open(state.clock.now_ms()),
        pledged_at: a.pledged_at.map(format_shanghai).unwrap_or_default(),
        lang,
        c,
        a,
        error,
    })
}

/// `GET /qa/{token}`: the questions, or once handed in, the score and the answers explained.
pub async fn attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let a = state.store.quiz_attempts().get(&token).await?;
    render(&attempt_page(&state, lang, a, &[], None).await?).map(IntoResponse::into_response)
}

/// `POST /qa/{token}` (`q0` … `qN`: the option chosen for each question): hands the answers
/// in and shows the score; a question left open shows the questions again naming it (400).
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    FormBody(f): FormBody<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let repo = state.store.quiz_attempts();
    let a = repo.get(&token).await?;
    let chosen: Vec<Option<usize>> = (0..a.items.len())
        .map(|i| f.get(&format!("q{i}")).and_then(|v| v.trim().parse().ok()))
        .collect();
    if a.submitted_at.is_none() {
        if let Some(open) = chosen.iter().position(Option::is_none) {
            let message = lang
                .t("quiz_err_unanswered")
                .replace("{n}", &(open + 1).to_string());
            let page = attempt_page(&state, lang, a, &chosen, Some(message)).await?;
            return Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response());
        }
    }
    match repo.submit(&token, &chosen, state.clock.now_ms()).await {
        Ok(_) => Ok(Redirect::to(&format!("/qa/{token}#result")).into_response()),
        // Handed in already (a second tap) or expired: the page says where it stands.
        Err(StoreError::Conflict { .. }) => {
            let a = repo.get(&token).await?;
            let message = if a.submitted_at.is_some() {
                lang.t("quiz_err_submitted")
            } else {
                lang.t("quiz_err_expired")
            };
            let page = attempt_page(&state, lang, a, &chosen, Some(message.to_string())).await?;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /qa/{token}/pledge`: signs the campaign's pledge after the quiz.
pub async fn pledge(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let repo = state.store.quiz_attempts();
    let a = repo.get(&token).await?;
    let c = state
        .store
        .quiz_campaigns()
        .get(&fanzha_store::Scope::platform(), a.campaign_id)
        .await?;
    if c.pledge.is_empty() {
        return Err(WebError::BadRequest(
            "this campaign has no pledge to sign".into(),
        ));
    }
    repo.pledge(&token, state.clock.now_ms()).await?;
    Ok(Redirect::to(&format!("/qa/{token}#pledge")).into_response())
}
