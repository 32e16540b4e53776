//! 带破/上级线索破案 at `/solved-elsewhere`: the cases units of one's area solved that are not the
//! area's own reported cases — leads sent down by the provincial or national center (上级下发
//! 线索) and other areas' cases cracked along the way (带破外地案件). The bureaus count them with
//! their own ("共破获涉电诈类案件179起（包括上级下发线索及带破外地案件），破案率416.27%"): the
//! page lists a period's entries with the tally and records one; 打击成效 on the statistics page
//! and the work brief count them (`EnforcementFigures::solved_all`). CSV / XLSX. No personal
//! data.

use super::choices::{choices, fraud_type_choices, non_empty, unit_choices, Choice};
use super::view::{date, fraud_type_label, midnight, pick, yuan};
use super::{render, Chrome};
use crate::auth::permission::{Permission, RecordEnforcement, ViewEnforcement};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{
    NewSolvedElsewhere, SolvedElsewhereKind, SolvedElsewhereTally, MAX_SOLVED_LISTED,
};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    format: Option<ExportFormat>,
}

struct Row {
    id: i64,
    solved_on: String,
    unit: String,
    kind: &'static str,
    kind_code: &'static str,
    reference: String,
    origin: String,
    fraud_type: String,
    loss: String,
    note: String,
    created_by: String,
}

#[derive(Template)]
#[template(path = "solved_elsewhere.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    tally: SolvedElsewhereTally,
    rows: Vec<Row>,
    can_record: bool,
    kinds: Vec<Choice>,
    fraud_types: Vec<Choice>,
    units: Vec<Choice>,
    today: String,
    query: String,
}

/// `GET /solved-elsewhere[?from=&until=&format=]`: the period's entries of one's area (the
/// current year to today by default), latest first.
pub async fn list(
    auth: Require<ViewEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let chrome = Chrome::new(p, &auth.csrf_token, &headers, "/solved-elsewhere");
    let lang = chrome.lang;
    let today = state.today()?;
    let from = match non_empty(&q.from) {
        Some(v) => date(v)?,
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let until = match non_empty(&q.until) {
        Some(v) => date(v)?,
        None => today,
    };
    let span = (
        midnight(from)?,
        midnight(until.succ_opt().unwrap_or(until))?,
    );
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.solved_elsewhere();
    let entries = repo.list(&scope, span, MAX_SOLVED_LISTED).await?;
    if entries.len() as i64 > MAX_SOLVED_LISTED {
        return Err(WebError::PeriodTooLarge {
            what: "cases solved elsewhere",
            limit: MAX_SOLVED_LISTED,
        });
    }
    let tally = repo.tally(&scope, span).await?;
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        rows.push(Row {
            id: e.id,
            solved_on: format_shanghai_date(e.solved_on),
            unit: names.get(&e.unit_code).await,
            kind: pick(lang, e.kind.zh(), e.kind.en()),
            kind_code: e.kind.as_str(),
            reference: e.reference,
            origin: e.origin,
            fraud_type: fraud_type_label(lang, e.fraud_type.as_deref()),
            loss: yuan(e.loss_fen),
            note: e.note,
            created_by: e.created_by,
        });
    }
    if let Some(format) = q.format {
        let heads = [
            "se_solved_on",
            "unit",
            "se_kind",
            "se_reference",
            "se_origin",
            "col_fraud_type",
            "se_loss",
            "enf_note",
            "enf_recorded_by",
        ];
        return Table {
            name: "solved_elsewhere".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.solved_on,
                        r.unit,
                        r.kind.to_string(),
                        r.reference,
                        r.origin,
                        r.fraud_type,
                        r.loss,
                        r.note,
                        r.created_by,
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &from.to_string())
        .append_pair("until", &until.to_string())
        .finish();
    render(&ListPage {
        from: from.to_string(),
        until: until.to_string(),
        tally,
        rows,
        can_record: RecordEnforcement::allows(p),
        kinds: choices(
            SolvedElsewhereKind::ALL,
            SolvedElsewhereKind::as_str,
            |k| pick(lang, k.zh(), k.en()),
            Some(SolvedElsewhereKind::OtherArea),
        ),
        // A type or none: the search lists' 未分类 is no type to record.
        fraud_types: fraud_type_choices(lang, "")
            .into_iter()
            .filter(|c| c.value != "untyped")
            .collect(),
        units: unit_choices(&state, &p.unit_code, &p.unit_code).await?,
        today: today.to_string(),
        query,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    unit_code: Option<String>,
    kind: String,
    reference: String,
    origin: String,
    #[serde(default)]
    fraud_type: Option<String>,
    #[serde(default)]
    loss_yuan: Option<String>,
    solved_on: String,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /solved-elsewhere`: records a case solved outside the area's own for one's unit or a
/// unit below (default one's own); audited by the store; back to the list.
pub async fn record(
    auth: Require<RecordEnforcement>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<RecordForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let kind = SolvedElsewhereKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("kind: unknown `{}`", f.kind)))?;
    let fraud_type = match non_empty(&f.fraud_type) {
        None => None,
        Some(t) => Some(
            fanzha_core::FraudType::parse_label(t)
                .map_err(|_| WebError::BadRequest(format!("fraud_type: unknown `{t}`")))?
                .code()
                .to_string(),
        ),
    };
    let loss_fen = match non_empty(&f.loss_yuan) {
        None => 0,
        Some(v) => fanzha_core::Money::parse(v)
            .map_err(|e| WebError::BadRequest(format!("loss_yuan: {e}")))?
            .fen(),
    };
    state
        .store
        .solved_elsewhere()
        .record(
            &scope,
            &NewSolvedElsewhere {
                unit_code: non_empty(&f.unit_code).unwrap_or(&p.unit_code).to_string(),
                kind,
                reference: f.reference,
                origin: f.origin,
                fraud_type,
                loss_fen,
                solved_on: midnight(date(&f.solved_on)?)?,
                note: f.note.unwrap_or_default(),
                created_by: p.login.clone(),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        "/solved-elsewhere".into(),
        axum::http::StatusCode::CREATED,
    ))
}
