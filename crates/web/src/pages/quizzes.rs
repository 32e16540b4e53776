//! 反诈知识测试, the police side: the campaigns of one's area with their figures and a form to
//! open one (`/quizzes`); a campaign's page (`/quizzes/{id}`) with its public link and QR code,
//! participants, pass rate and pledges, each employer against the staff expected (全员参与:
//! the lowest share first), each area below, the questions most often answered wrong, the
//! latest attempts (numbers masked), exports, the edit form and closing it early; and a
//! printable poster (`/quizzes/{id}/poster`). Data from the store's `QuizCampaigns` and
//! `QuizAttempts`, whose writes are audited.

use super::choices::{choices, unit_choices, Choice};
use super::view::{pick, share};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageQuizzes, Permission, ViewQuizzes};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::mask_phone;
use fanzha_core::time::{format_shanghai, format_shanghai_date};
use fanzha_store::{
    EmployerParticipation, NewQuizCampaign, OutreachAudience, QuizArea, QuizCampaign,
    QuizCampaignText, QuizEmployer, QuizFigures,
};
use rand::Rng;
use serde::Deserialize;

/// Campaigns listed.
const LIST_LIMIT: i64 = 200;
/// Attempts shown on a campaign's page.
const RECENT_ROWS: i64 = 30;
/// Questions shown as the most missed.
const MISSED_ROWS: usize = 10;

/// The pledge a new campaign offers, to edit.
pub const DEFAULT_PLEDGE: &str = "反诈倡议书\n\
    一、不轻信陌生来电、短信和网络信息，凡是要求转账汇款的，先核实、不转账。\n\
    二、不点击陌生链接，不下载来历不明的APP，不开启屏幕共享。\n\
    三、不出租、出借、出售本人银行卡、电话卡和各类账号。\n\
    四、主动下载注册国家反诈中心APP，接到96110来电及时接听。\n\
    五、向家人、同事和邻里宣传防骗知识，发现可疑情况及时报警。\n\
    我承诺：做反诈宣传的践行者，守护好自己和家人的钱袋子。";

/// Where a campaign stands at `now`: a message key and a class.
pub fn state_of(c: &QuizCampaign, now: i64) -> (&'static str, &'static str) {
    run_state(c.is_open(now), c.opens_at, c.closed_at, now)
}

/// Where something that runs from `opens_at` stands at `now` (a quiz campaign, an app drive):
/// open, planned or closed, as a message key and a class.
pub fn run_state(
    open: bool,
    opens_at: i64,
    closed_at: Option<i64>,
    now: i64,
) -> (&'static str, &'static str) {
    if open {
        ("quiz_state_open", "ok")
    } else if now < opens_at && closed_at.is_none() {
        ("quiz_state_planned", "")
    } else {
        ("quiz_state_closed", "muted")
    }
}

/// A fresh 8-character code for a public link (no look-alike letters).
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The address of campaign `code`'s public page.
pub fn public_link(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    public_address(state, headers, &format!("/q/{code}"))
}

/// The public address of `path` (`/q/…`): the configured public address, else the one this
/// page was requested at.
pub fn public_address(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    let base = match &state.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            format!("http://{host}")
        }
    };
    format!("{base}{path}")
}

/// `text` as a QR code drawn in SVG (no script, no image request: the CSP allows it inline).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The employers of a form's text: one per line, the name then the staff expected, separated
/// by a comma, a tab or spaces (as pasted from a spreadsheet; `1,500` reads as 1500).
pub fn parse_employers(text: &str) -> Result<Vec<QuizEmployer>, WebError> {
    const SEPARATORS: [char; 5] = [',', '，', '\t', ' ', '\u{3000}'];
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let tail = line
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || *c == ',')
            .last()
            .map_or(line.len(), |(i, _)| i);
        let count = line[tail..].trim_start_matches(',').replace(',', "");
        let name = line[..tail].trim_end_matches(SEPARATORS).trim();
        let headcount = count.parse::<i64>().ok().filter(|_| !name.is_empty());
        let Some(headcount) = headcount else {
            return Err(WebError::BadRequest(format!(
                "employers: line {} needs a name and the staff expected (财政局,120)",
                n + 1
            )));
        };
        out.push(QuizEmployer {
            name: name.to_string(),
            headcount,
        });
    }
    Ok(out)
}

/// The employers as the form shows them.
pub fn employers_text(employers: &[QuizEmployer]) -> String {
    employers
        .iter()
        .map(|e| format!("{},{}", e.name, e.headcount))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A campaign as listed.
struct Row {
    id: i64,
    title: String,
    unit: String,
    audience: &'static str,
    audience_code: &'static str,
    period: String,
    state: &'static str,
    state_class: &'static str,
    figures: QuizFigures,
}

/// The days a campaign runs (Asia/Shanghai, the last day included).
pub(super) fn period(c: &QuizCampaign) -> String {
    days_run(c.opens_at, c.ends_at())
}

/// The days from `opens_at` to `ends_at` (exclusive), Asia/Shanghai, the last day included.
pub fn days_run(opens_at: i64, ends_at: i64) -> String {
    format!(
        "{} — {}",
        format_shanghai_date(opens_at),
        format_shanghai_date(ends_at - 1)
    )
}

#[derive(Template)]
#[template(path = "quizzes.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    rows: Vec<Row>,
    totals: QuizFigures,
    form: Option<CreateForm>,
}

struct CreateForm {
    units: Vec<Choice>,
    audiences: Vec<Choice>,
    opens: String,
    closes: String,
    pledge: &'static str,
}

/// `GET /quizzes`: the campaigns of one's area, the latest first, with their figures.
pub async fn list(
    auth: Require<ViewQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/quizzes");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let campaigns = state
        .store
        .quiz_campaigns()
        .list(&scope, LIST_LIMIT)
        .await?;
    let ids: Vec<i64> = campaigns.iter().map(|c| c.id).collect();
    let figures = state
        .store
        .quiz_attempts()
        .figures_by_campaign(&ids)
        .await?;
    let now = state.clock.now_ms();
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(campaigns.len());
    for c in campaigns {
        let (s, class) = state_of(&c, now);
        rows.push(Row {
            id: c.id,
            unit: names.get(&c.unit_code).await,
            audience: pick(lang, c.audience.zh(), c.audience.en()),
            audience_code: c.audience.as_str(),
            period: period(&c),
            state: lang.t(s),
            state_class: class,
            figures: figures.get(&c.id).copied().unwrap_or_default(),
            title: c.title,
        });
    }
    let totals = state
        .store
        .quiz_attempts()
        .period_figures(&scope, QuizArea::Organiser, 0, i64::MAX, None)
        .await?;
    let form = if ManageQuizzes::allows(p) {
        let today = state.today()?;
        Some(CreateForm {
            units: unit_choices(&state, &p.unit_code, &p.unit_code).await?,
            audiences: choices(
                &OutreachAudience::ALL,
                |a| a.as_str(),
                |a| pick(lang, a.zh(), a.en()),
                Some(OutreachAudience::PublicSector),
            ),
            opens: today.to_string(),
            closes: (today + chrono::Days::new(30)).to_string(),
            pledge: DEFAULT_PLEDGE,
        })
    } else {
        None
    };
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        rows,
        totals,
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
    audience: String,
    opens: String,
    closes: String,
    #[serde(default)]
    question_count: String,
    #[serde(default)]
    pass_score: String,
    #[serde(default)]
    pledge: String,
    #[serde(default)]
    employers: String,
}

pub(super) fn number_or(field: &str, v: &str, default: i64) -> Result<i64, WebError> {
    match v.trim() {
        "" => Ok(default),
        v => v
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{field}: not a whole number `{v}`"))),
    }
}

/// `POST /quizzes` (`unit_code`, `title`, `audience`, `opens`, `closes` — dates, the close
/// day included —, `question_count` (10), `pass_score` (80), `pledge`, `employers`): opens a
/// campaign with a new link code and goes to its page.
pub async fn create(
    auth: Require<ManageQuizzes>,
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
    let audience = OutreachAudience::parse(f.audience.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown audience `{}`", f.audience)))?;
    let opens_at = super::view::midnight(super::view::date(&f.opens)?)?;
    let closes_at = super::view::end_of_day(super::view::date(&f.closes)?)? + 1;
    let code = new_code();
    let scope = state.scope_of(&p.unit_code).await?;
    let id = state
        .store
        .quiz_campaigns()
        .open(
            &scope,
            &NewQuizCampaign {
                unit_code: unit.code,
                code,
                audience,
                question_count: number_or("question_count", &f.question_count, 10)?,
                pass_score: number_or("pass_score", &f.pass_score, 80)?,
                opens_at,
                text: QuizCampaignText {
                    title: f.title,
                    pledge: f.pledge,
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
        format!("/quizzes/{id}"),
        StatusCode::CREATED,
    ))
}

/// `n` of `of` as a percentage (`—` when `of` is 0), for the templates' borrowed cells.
pub fn ratio(n: impl std::borrow::Borrow<i64>, of: impl std::borrow::Borrow<i64>) -> String {
    share(*n.borrow(), *of.borrow())
}

/// An employer's participants over its staff expected, at most all of them.
pub fn employer_share(e: &EmployerParticipation) -> String {
    share(e.participants.min(e.headcount), e.headcount)
}

/// Two counts per area (a unit's materialised path) rolled up to the units directly below
/// `unit_code`, its own level first when anything sits there ("余姚市（本级）"), the largest
/// first count first: the per-area tables of quiz campaigns and app drives.
pub async fn roll_up_areas(
    state: &AppState,
    lang: Lang,
    unit_code: &str,
    rows: &[(String, i64, i64)],
) -> Result<Vec<(String, i64, i64)>, WebError> {
    let sum = |inside: &dyn Fn(&str) -> bool| {
        rows.iter()
            .filter(|(path, _, _)| inside(path))
            .fold((0, 0), |(a, b), (_, x, y)| (a + x, b + y))
    };
    let own = state.store.units().get(unit_code).await?;
    let mut out = Vec::new();
    if rows.iter().any(|(path, _, _)| *path == own.path) {
        let (a, b) = sum(&|path| path == own.path);
        out.push((format!("{}{}", own.name, lang.t("quiz_own_level")), a, b));
    }
    for child in state.store.units().children(unit_code).await? {
        let (a, b) = sum(&|path| path.starts_with(&child.path));
        out.push((child.name, a, b));
    }
    out.sort_by_key(|(_, a, _)| std::cmp::Reverse(*a));
    Ok(out)
}

/// An area below the campaign's unit with its participants.
struct AreaRow {
    name: String,
    participants: i64,
    passed: i64,
}

/// A question with how often it was missed.
struct MissedRow {
    stem: String,
    fraud_type: &'static str,
    answered: i64,
    wrong: i64,
}

/// A fraud type's questions together.
struct TypeRow {
    fraud_type: &'static str,
    answered: i64,
    wrong: i64,
}

/// An attempt as listed: the number masked.
struct AttemptRow {
    at: String,
    area: String,
    employer: String,
    phone: String,
    score: i64,
    passed: bool,
    pledged: bool,
}

#[derive(Template)]
#[template(path = "quiz_campaign.html")]
struct CampaignPage {
    lang: Lang,
    chrome: Chrome,
    c: QuizCampaign,
    unit: String,
    audience: &'static str,
    period: String,
    state: &'static str,
    state_class: &'static str,
    link: String,
    qr: String,
    figures: QuizFigures,
    employers: Vec<EmployerParticipation>,
    /// Employers whose every expected member took part, of all.
    employers_done: usize,
    expected: i64,
    expected_took_part: i64,
    areas: Vec<AreaRow>,
    missed: Vec<MissedRow>,
    types: Vec<TypeRow>,
    recent: Vec<AttemptRow>,
    can_manage: bool,
    employers_text: String,
    closes: String,
    open: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct CampaignQuery {
    #[serde(default)]
    format: Option<ExportFormat>,
    #[serde(default)]
    section: Option<String>,
}

/// Everything a campaign's page and export show.
struct Report {
    figures: QuizFigures,
    employers: Vec<EmployerParticipation>,
    areas: Vec<AreaRow>,
    missed: Vec<MissedRow>,
    types: Vec<TypeRow>,
}

async fn report(state: &AppState, lang: Lang, c: &QuizCampaign) -> Result<Report, WebError> {
    let attempts = state.store.quiz_attempts();
    let figures = attempts.figures(c.id).await?;
    let employers = attempts.employers(c).await?;
    // Participants per area directly below the campaign's unit (and its own level).
    let rows: Vec<(String, i64, i64)> = attempts
        .areas(c.id)
        .await?
        .into_iter()
        .map(|a| (a.path, a.participants, a.passed))
        .collect();
    let areas = roll_up_areas(state, lang, &c.unit_code, &rows)
        .await?
        .into_iter()
        .map(|(name, participants, passed)| AreaRow {
            name,
            participants,
            passed,
        })
        .collect();
    // The questions answered at this campaign, the most missed first, and per fraud type.
    let bank = state
        .store
        .quiz_questions()
        .bank_of(&c.unit_code, true)
        .await?;
    let ids: Vec<i64> = bank.iter().map(|q| q.id).collect();
    let tallies = state
        .store
        .quiz_questions()
        .tallies(&ids, Some(c.id))
        .await?;
    let mut missed: Vec<MissedRow> = bank
        .iter()
        .filter_map(|q| {
            let t = tallies.get(&q.id)?;
            Some(MissedRow {
                stem: q.stem.clone(),
                fraud_type: pick(lang, q.fraud_type.zh(), q.fraud_type.en()),
                answered: t.answered,
                wrong: t.wrong,
            })
        })
        .collect();
    let mut types: Vec<TypeRow> = Vec::new();
    for m in &missed {
        match types.iter_mut().find(|t| t.fraud_type == m.fraud_type) {
            Some(t) => {
                t.answered += m.answered;
                t.wrong += m.wrong;
            }
            None => types.push(TypeRow {
                fraud_type: m.fraud_type,
                answered: m.answered,
                wrong: m.wrong,
            }),
        }
    }
    let rate = |wrong: i64, answered: i64| wrong as f64 / answered.max(1) as f64;
    missed.sort_by(|a, b| {
        rate(b.wrong, b.answered)
            .total_cmp(&rate(a.wrong, a.answered))
            .then(b.answered.cmp(&a.answered))
    });
    types.sort_by(|a, b| rate(b.wrong, b.answered).total_cmp(&rate(a.wrong, a.answered)));
    Ok(Report {
        figures,
        employers,
        areas,
        missed,
        types,
    })
}

fn export(lang: Lang, c: &QuizCampaign, r: &Report) -> Sheets {
    let employers = r
        .employers
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.headcount.to_string(),
                e.participants.to_string(),
                share(e.participants.min(e.headcount), e.headcount),
                e.passed.to_string(),
            ]
        })
        .collect();
    let areas = r
        .areas
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.participants.to_string(),
                a.passed.to_string(),
                share(a.passed, a.participants),
            ]
        })
        .collect();
    let questions = r
        .missed
        .iter()
        .map(|m| {
            vec![
                m.stem.clone(),
                m.fraud_type.to_string(),
                m.answered.to_string(),
                m.wrong.to_string(),
                share(m.wrong, m.answered),
            ]
        })
        .collect();
    Sheets {
        name: format!("quiz_{}", c.code),
        sheets: vec![
            Sheet::new(
                lang,
                "employers",
                "quiz_employers",
                &[
                    "quiz_employer",
                    "quiz_headcount",
                    "quiz_participants",
                    "quiz_participation",
                    "quiz_passed_people",
                ],
                employers,
            ),
            Sheet::new(
                lang,
                "areas",
                "quiz_areas",
                &[
                    "unit",
                    "quiz_participants",
                    "quiz_passed_people",
                    "quiz_pass_rate",
                ],
                areas,
            ),
            Sheet::new(
                lang,
                "questions",
                "quiz_questions_missed",
                &[
                    "quiz_stem",
                    "col_fraud_type",
                    "quiz_answered",
                    "quiz_wrong",
                    "quiz_miss_rate",
                ],
                questions,
            ),
        ],
    }
}

/// `GET /quizzes/{id}[?format=csv|xlsx[&section=employers|areas|questions]]`: a campaign of
/// one's area with its figures.
pub async fn detail(
    auth: Require<ViewQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/quizzes");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let c = state.store.quiz_campaigns().get(&scope, id).await?;
    let r = report(&state, lang, &c).await?;
    if let Some(format) = q.format {
        return export(lang, &c, &r).respond(format, q.section.as_deref());
    }
    let now = state.clock.now_ms();
    let (s, class) = state_of(&c, now);
    let link = public_link(&state, &headers, &c.code);
    let mut names = state.unit_names();
    let mut recent = Vec::new();
    for a in state
        .store
        .quiz_attempts()
        .recent(&scope, c.id, RECENT_ROWS)
        .await?
    {
        recent.push(AttemptRow {
            at: format_shanghai(a.submitted_at),
            area: names.get(&a.unit_code).await,
            employer: a.employer.unwrap_or_default(),
            phone: mask_phone(&a.phone),
            score: a.score,
            passed: a.passed,
            pledged: a.pledged,
        });
    }
    let expected: i64 = r.employers.iter().map(|e| e.headcount).sum();
    let expected_took_part: i64 = r
        .employers
        .iter()
        .map(|e| e.participants.min(e.headcount))
        .sum();
    render(&CampaignPage {
        unit: state.unit_name(&c.unit_code).await,
        audience: pick(lang, c.audience.zh(), c.audience.en()),
        period: period(&c),
        state: lang.t(s),
        state_class: class,
        qr: qr_svg(&link),
        link,
        figures: r.figures,
        employers_done: r
            .employers
            .iter()
            .filter(|e| e.participants >= e.headcount)
            .count(),
        expected,
        expected_took_part,
        employers: r.employers,
        areas: r.areas,
        missed: r.missed.into_iter().take(MISSED_ROWS).collect(),
        types: r.types,
        recent,
        can_manage: ManageQuizzes::allows(p),
        employers_text: employers_text(&c.employers),
        closes: format_shanghai_date(c.closes_at - 1),
        open: c.closed_at.is_none() && now < c.closes_at,
        c,
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
    pledge: String,
    #[serde(default)]
    employers: String,
    version: String,
}

/// `POST /quizzes/{id}` (`title`, `closes`, `pledge`, `employers`, `version`): changes a
/// campaign of one's area from the version read.
pub async fn update(
    auth: Require<ManageQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<UpdateBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .quiz_campaigns()
        .update(
            &scope,
            id,
            super::version_field(&f.version)?,
            &QuizCampaignText {
                title: f.title,
                pledge: f.pledge,
                closes_at: super::view::end_of_day(super::view::date(&f.closes)?)? + 1,
                employers: parse_employers(&f.employers)?,
            },
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/quizzes/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct CloseBody {
    version: String,
}

/// `POST /quizzes/{id}/close` (`version`): ends a campaign now; its link stops taking attempts.
pub async fn close(
    auth: Require<ManageQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CloseBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .quiz_campaigns()
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
        format!("/quizzes/{id}"),
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "quiz_poster.html")]
struct PosterPage {
    lang: Lang,
    c: QuizCampaign,
    unit: String,
    period: String,
    link: String,
    qr: String,
}

/// `GET /quizzes/{id}/poster`: the campaign's poster to print — title, organiser, period, the
/// QR code and the link.
pub async fn poster(
    auth: Require<ViewQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let c = state.store.quiz_campaigns().get(&scope, id).await?;
    let link = public_link(&state, &headers, &c.code);
    render(&PosterPage {
        unit: state.unit_name(&c.unit_code).await,
        period: period(&c),
        qr: qr_svg(&link),
        link,
        lang,
        c,
    })
    .map(IntoResponse::into_response)
}

/// An open campaign as the phone shows it: to hand out, its QR code on the screen.
struct HandOut {
    title: String,
    organizer: String,
    period: String,
    link: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "mobile_quizzes.html")]
struct PhonePage {
    lang: Lang,
    chrome: Chrome,
    campaigns: Vec<HandOut>,
    /// The app drives open around one's unit, where staff enrol as promoters.
    drives: Vec<super::app_drives::HandOut>,
}

/// `GET /m/quizzes`: the campaigns open now for one's area — one's unit's, those of the units
/// above it (the county's for its villages) and below — each with its link and QR code on the
/// screen for a resident to scan; then the app drives open around it, with the link where staff
/// enrol as promoters.
pub async fn phone(
    auth: Require<ViewQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m/quizzes");
    let lang = chrome.lang;
    let open = state
        .store
        .quiz_campaigns()
        .open_around(&auth.principal.unit_code, state.clock.now_ms())
        .await?;
    let mut names = state.unit_names();
    let mut campaigns = Vec::with_capacity(open.len());
    for c in open {
        let link = public_link(&state, &headers, &c.code);
        campaigns.push(HandOut {
            organizer: names.get(&c.unit_code).await,
            period: period(&c),
            qr: qr_svg(&link),
            link,
            title: c.title,
        });
    }
    let drives = if crate::auth::permission::ViewAppDrives::allows(&auth.principal) {
        super::app_drives::hand_outs(&state, &headers, &auth.principal.unit_code).await?
    } else {
        Vec::new()
    };
    render(&PhonePage {
        campaigns,
        drives,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employers_are_read_as_pasted_from_a_spreadsheet() {
        let got =
            parse_employers("余姚市财政局,120\n余姚市 教育局\t1,500\n\n卫健局　30\n").unwrap();
        assert_eq!(
            got.iter()
                .map(|e| (e.name.as_str(), e.headcount))
                .collect::<Vec<_>>(),
            [
                ("余姚市财政局", 120),
                ("余姚市 教育局", 1500),
                ("卫健局", 30)
            ]
        );
        assert!(parse_employers("财政局").is_err());
        assert!(parse_employers("财政局,很多").is_err());
    }

    #[test]
    fn a_link_becomes_a_qr_code_in_svg() {
        let svg = qr_svg("https://fz.example.gov.cn/q/abcd2345");
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{svg:.40}"
        );
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
