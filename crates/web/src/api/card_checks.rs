//! `POST /api/v1/card-checks`: a bank's or an operator's counter system asks about an applicant
//! before opening a card (开卡前核验 · 一线拦截) and gets the advice with the reasons it may read;
//! `POST /api/v1/card-checks/{id}/outcome` records what the counter did. The same rules as the
//! page (`pages::card_checks`).

use crate::auth::permission::CheckCardApplicants;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::JsonBody;
use crate::i18n::Lang;
use crate::pages::card_checks::{advice_lines, issuer_of, outcome_of, request_of, CheckForm};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use fanzha_store::CardCheck;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The applicant as the counter has them. Required: `resident_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardCheckIn {
    /// 18-character resident ID number.
    #[serde(default)]
    pub resident_id: String,
    #[serde(default)]
    pub holder_name: String,
    /// Bank cards: the reserved phone.
    #[serde(default)]
    pub phone: String,
    /// Phone cards: the number to be assigned, when chosen.
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub outlet: String,
    /// The outlet's division code (6 to 12 digits).
    #[serde(default)]
    pub outlet_division: String,
    #[serde(default)]
    pub clerk: String,
}

/// A reason the counter may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckReasonOut {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// The advice: `refuse`, `verify` or `proceed`, why (what the issuer may read), and the check's
/// id and version for recording the outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardCheckAnswer {
    pub id: i64,
    pub version: i64,
    pub verdict: String,
    pub verdict_zh: String,
    /// The applicant is under a punishment (惩戒): new cards are barred by law.
    pub punished: bool,
    /// The police hold other fraud-risk records of the applicant (not named).
    pub police_records: bool,
    pub reasons: Vec<CheckReasonOut>,
    /// The advice in Chinese, one line per item, as the page shows it.
    pub advice_zh: Vec<String>,
    /// `null` until recorded: `refused`, `abandoned` or `opened`.
    pub outcome: Option<String>,
}

fn answer_of(c: &CardCheck) -> CardCheckAnswer {
    let a = c.answer();
    CardCheckAnswer {
        id: c.id,
        version: c.version,
        verdict: c.verdict.as_str().into(),
        verdict_zh: c.verdict.zh().into(),
        punished: a.punished,
        police_records: a.police_records,
        reasons: a
            .findings
            .iter()
            .map(|f| CheckReasonOut {
                code: f.code.as_str().into(),
                zh: f.describe_zh(),
                en: f.describe_en(),
            })
            .collect(),
        advice_zh: advice_lines(Lang::Zh, c),
        outcome: c.outcome.map(|o| o.as_str().into()),
    }
}

/// Checks an applicant at the caller's counter (a bank liaison for its bank's cards, an
/// operator liaison for its operator's lines).
#[utoipa::path(post, path = "/api/v1/card-checks", request_body = CardCheckIn,
    responses((status = 200, description = "The advice", body = CardCheckAnswer),
              (status = 400, description = "A field that is not valid, named with why"),
              (status = 403, description = "Not a bank's or an operator's liaison")))]
pub async fn push(
    auth: Require<CheckCardApplicants>,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<CardCheckIn>,
) -> Result<Json<CardCheckAnswer>, WebError> {
    let p = &auth.principal;
    let form = CheckForm {
        resident_id: req.resident_id,
        holder_name: req.holder_name,
        phone: req.phone,
        number: req.number,
        outlet: req.outlet,
        outlet_division: req.outlet_division,
        clerk: req.clerk,
    };
    let check = state
        .store
        .new_cards()
        .check_applicant(
            &p.unit_code,
            &request_of(p, &form)?,
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(Json(answer_of(&check)))
}

/// What the counter did after a check, at the version the check was answered with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckOutcomeIn {
    pub version: i64,
    /// `refused`, `abandoned` or `opened`.
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// Records the outcome of a check of the caller's issuer, once.
#[utoipa::path(post, path = "/api/v1/card-checks/{id}/outcome", request_body = CheckOutcomeIn,
    params(("id" = i64, Path, description = "The check")),
    responses((status = 200, description = "Recorded", body = CardCheckAnswer),
              (status = 400, description = "An unknown outcome"),
              (status = 403, description = "Not a bank's or an operator's liaison"),
              (status = 404, description = "No such check of the caller's issuer"),
              (status = 409, description = "Recorded before, or changed since read")))]
pub async fn outcome(
    auth: Require<CheckCardApplicants>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<CheckOutcomeIn>,
) -> Result<Json<CardCheckAnswer>, WebError> {
    let p = &auth.principal;
    let (_, issuer, _) = issuer_of(p)?;
    let done = state
        .store
        .new_cards()
        .record_check_outcome(
            &issuer,
            id,
            req.version,
            &fanzha_store::CheckAnswer {
                outcome: outcome_of(&req.outcome)?,
                note: req.note.clone(),
            },
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(Json(answer_of(&done)))
}
