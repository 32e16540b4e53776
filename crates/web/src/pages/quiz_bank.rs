//! 反诈测试题库: the questions one's campaigns draw from — one's own unit's and those above it —
//! and those the units below keep, with how often each was answered wrongly in every campaign;
//! a form to add one to one's own unit; each question of one's subtree to rewrite or retire
//! (those above are read only); and the built-in questions to load. Data from the store's
//! `QuizQuestions`, whose writes are audited.

use super::choices::Choice;
use super::quiz_public::LETTERS;
use super::view::{pick, share};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageQuizzes, Permission, ViewQuizzes};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::FraudType;
use fanzha_store::{QuestionTally, QuizQuestion, QuizQuestionText};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct BankQuery {
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    fraud_type: Option<String>,
    #[serde(default)]
    loaded: Option<String>,
}

/// A question as listed, with its tally and, for one's own, its edit form's values.
struct Row {
    q: QuizQuestion,
    fraud_type: &'static str,
    unit: String,
    own: bool,
    tally: QuestionTally,
    options_text: String,
    types: Vec<Choice>,
    answers: Vec<Choice>,
}

/// A question's type as the bank names it: `other` is general knowledge here.
fn type_label(lang: Lang, t: FraudType) -> &'static str {
    if t == FraudType::Other {
        lang.t("quiz_general")
    } else {
        pick(lang, t.zh(), t.en())
    }
}

fn type_choices(lang: Lang, selected: Option<FraudType>) -> Vec<Choice> {
    FraudType::FRAUD
        .iter()
        .map(|t| Choice {
            value: t.code().to_string(),
            label: type_label(lang, *t).to_string(),
            selected: Some(*t) == selected,
        })
        .collect()
}

fn answer_choices(selected: usize) -> Vec<Choice> {
    LETTERS
        .iter()
        .enumerate()
        .map(|(i, l)| Choice {
            value: i.to_string(),
            label: (*l).to_string(),
            selected: i == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "quiz_bank.html")]
struct BankPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    rows: Vec<Row>,
    active: usize,
    filter: Vec<Choice>,
    can_manage: bool,
    loaded: Option<String>,
    new_types: Vec<Choice>,
    new_answers: Vec<Choice>,
}

/// `GET /quizzes/questions[?fraud_type=CODE]`: the bank one's campaigns draw from.
pub async fn bank(
    auth: Require<ViewQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BankQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/quizzes/questions",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let wanted = match q.fraud_type.as_deref() {
        Some(code) => Some(
            FraudType::parse_label(code)
                .map_err(|_| WebError::BadRequest(format!("unknown fraud_type `{code}`")))?,
        ),
        None => None,
    };
    let repo = state.store.quiz_questions();
    let scope = state.scope_of(&p.unit_code).await?;
    // What one's campaigns draw from (one's unit and those above), then the units below's own.
    let mut questions: Vec<QuizQuestion> = repo.bank_of(&p.unit_code, true).await?;
    let mut editable = std::collections::HashSet::new();
    for x in repo.in_scope(&scope, true).await? {
        editable.insert(x.id);
        if x.unit_code != p.unit_code {
            questions.push(x);
        }
    }
    questions.retain(|x| wanted.is_none_or(|t| x.fraud_type == t));
    // By fraud type as the official list orders them, general knowledge last.
    let rank = |t: FraudType| {
        FraudType::ALL
            .iter()
            .position(|x| *x == t)
            .unwrap_or(usize::MAX)
    };
    questions.sort_by_key(|x| (rank(x.fraud_type), x.id));
    let ids: Vec<i64> = questions.iter().map(|x| x.id).collect();
    let tallies = repo.tallies(&ids, None).await?;
    let can_manage = ManageQuizzes::allows(p);
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(questions.len());
    for x in questions {
        rows.push(Row {
            fraud_type: type_label(lang, x.fraud_type),
            unit: names.get(&x.unit_code).await,
            own: can_manage && editable.contains(&x.id),
            tally: tallies.get(&x.id).copied().unwrap_or_default(),
            options_text: x.options.join("\n"),
            types: type_choices(lang, Some(x.fraud_type)),
            answers: answer_choices(x.answer),
            q: x,
        });
    }
    render(&BankPage {
        unit_name: state.unit_name(&p.unit_code).await,
        active: rows.iter().filter(|r| r.q.active).count(),
        rows,
        filter: type_choices(lang, wanted),
        can_manage,
        loaded: q.loaded,
        new_types: type_choices(lang, Some(FraudType::OrderBrushing)),
        new_answers: answer_choices(0),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct QuestionBody {
    fraud_type: String,
    stem: String,
    /// One option per line.
    options: String,
    answer: String,
    explanation: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

fn text_of(f: &QuestionBody) -> Result<QuizQuestionText, WebError> {
    Ok(QuizQuestionText {
        fraud_type: FraudType::parse_label(f.fraud_type.trim())
            .map_err(|_| WebError::BadRequest(format!("unknown fraud_type `{}`", f.fraud_type)))?,
        stem: f.stem.clone(),
        options: f
            .options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        answer: f
            .answer
            .trim()
            .parse()
            .map_err(|_| WebError::BadRequest("answer: choose the right option".into()))?,
        explanation: f.explanation.clone(),
    })
}

/// `POST /quizzes/questions` (`fraud_type`, `stem`, `options` — one per line —, `answer` — the
/// right option's index —, `explanation`): adds a question to one's own unit's bank.
pub async fn add(
    auth: Require<ManageQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<QuestionBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let id = state
        .store
        .quiz_questions()
        .add(&p.unit_code, &text_of(&f)?, &p.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        format!("/quizzes/questions#q{id}"),
        StatusCode::CREATED,
    ))
}

/// `POST /quizzes/questions/{id}` (the question's fields, `active` when it is drawn,
/// `version`): rewrites or retires a question of one's own unit from the version read.
pub async fn edit(
    auth: Require<ManageQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<QuestionBody>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let version = super::version_field(f.version.as_deref().unwrap_or_default())?;
    let scope = state.scope_of(&p.unit_code).await?;
    state
        .store
        .quiz_questions()
        .update(
            &scope,
            id,
            version,
            &text_of(&f)?,
            f.active.is_some(),
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/quizzes/questions#q{id}"),
        StatusCode::OK,
    ))
}

/// `POST /quizzes/questions/builtin`: adds the built-in questions one's unit does not hold yet.
pub async fn load_builtin(
    auth: Require<ManageQuizzes>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let added = state
        .store
        .quiz_questions()
        .load_builtin(&p.unit_code, &p.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        format!("/quizzes/questions?loaded={added}"),
        StatusCode::OK,
    ))
}

/// A miss rate as shown (`—` before any answer).
pub fn miss_rate(t: &QuestionTally) -> String {
    share(t.wrong, t.answered)
}
