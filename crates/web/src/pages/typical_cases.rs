//! 典型案例: cases picked to warn others (以案说法).
//!
//! On the case page, the case's typical entry — title, a summary written for publication,
//! the advice it teaches — with the form to mark, edit or unmark it (analysts); the summary is
//! prefilled from the narrative with the victim's name and long numbers taken out, and the
//! store refuses any text that still identifies someone. `/typical-cases` lists the typical
//! cases a unit reads (its area's and those its units above published) for a period and type,
//! as a page, CSV / XLSX, or a printable bulletin (典型案例通报) to hand out at talks. The work
//! brief writes the period's typical cases as its last paragraph. Data from the store's
//! [`fanzha_store::TypicalCases`], whose writes are audited in the change's transaction.

use super::choices::{fraud_type_choices, non_empty, Choice};
use super::view::{date, fraud_type_label, midnight, pick, time, yuan};
use super::{after_write, render, Chrome};
use crate::auth::permission::{ManageCases, Permission, ViewCases, ViewOutreach};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{Case, NewTypicalCase, Scope, TypicalCase, TypicalFilter};
use serde::Deserialize;

/// The case page's 典型案例 section.
pub struct TypicalView {
    /// The entry, when the case is typical.
    pub entry: Option<TypicalCase>,
    /// The form is shown.
    pub can_manage: bool,
    /// For the form: the entry's texts, or suggestions from the case.
    pub title_input: String,
    pub summary_input: String,
    pub advice_input: String,
    pub version: i64,
    pub updated: String,
}

/// A summary to start from: the narrative with the victim's name replaced by their surname and
/// 某 (王小明 → 王某) and every run of seven or more digits by ***, so what remains are amounts
/// and dates.
pub fn suggested_summary(narrative: &str, victim_name: Option<&str>) -> String {
    let mut text = narrative.trim().to_string();
    if let Some(name) = victim_name
        .map(str::trim)
        .filter(|n| n.chars().count() >= 2)
    {
        let surname: String = name.chars().take(1).collect();
        text = text.replace(name, &format!("{surname}某"));
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 7 { "***" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() >= 7 { "***" } else { &run });
    out
}

/// A title to start from: the case's type, as a bulletin names it.
fn suggested_title(lang: Lang, c: &Case) -> String {
    format!(
        "{}{}",
        fraud_type_label(lang, c.fraud_type.as_deref()),
        pick(lang, "典型案例", " case")
    )
}

/// The case page's section.
pub async fn case_section(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    c: &Case,
    can_manage: bool,
) -> Result<TypicalView, WebError> {
    let entry = state.store.typical_cases().of_case(scope, &c.id).await?;
    let (title_input, summary_input, advice_input, version, updated) = match &entry {
        Some(e) => (
            e.title.clone(),
            e.summary.clone(),
            e.advice.clone(),
            e.version,
            format!("{} · {}", e.updated_by, time(e.updated_at)),
        ),
        None => (
            suggested_title(lang, c),
            suggested_summary(&c.narrative, c.victim_name.as_deref()),
            String::new(),
            0,
            String::new(),
        ),
    };
    Ok(TypicalView {
        entry,
        can_manage,
        title_input,
        summary_input,
        advice_input,
        version,
        updated,
    })
}

#[derive(Debug, Deserialize)]
pub struct MarkForm {
    title: String,
    summary: String,
    #[serde(default)]
    advice: String,
    /// The version the form was filled from (hidden field; 0 when not typical yet).
    version: i64,
}

/// `POST /cases/{id}/typical` (`title`, `summary`, `advice`, `version`): marks the case as
/// typical, or edits its entry (audited by the store); 400 when a text identifies someone, 409
/// when someone changed the entry since the form was shown.
pub async fn mark(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<MarkForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .typical_cases()
        .mark(
            &scope,
            &NewTypicalCase {
                case_id: id.clone(),
                title: f.title,
                summary: f.summary,
                advice: f.advice,
                publisher_unit: auth.principal.unit_code.clone(),
                by: auth.principal.login.clone(),
                expected_version: f.version,
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/cases/{id}#typical"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct UnmarkForm {
    version: i64,
}

/// `POST /cases/{id}/typical/remove` (`version`): takes the case off the typical cases.
pub async fn unmark(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<UnmarkForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .typical_cases()
        .unmark(&scope, &id, f.version, &auth.principal.login)
        .await?;
    Ok(after_write(
        &headers,
        format!("/cases/{id}#typical"),
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    fraud_type: Option<String>,
    /// `print`: the bulletin.
    #[serde(default)]
    view: Option<String>,
    format: Option<ExportFormat>,
}

/// One typical case as the list and the bulletin show it (nothing identifying: the texts were
/// checked when written; the case's unit, time, type and loss).
pub struct TypicalRow {
    pub case_id: String,
    pub title: String,
    pub summary: String,
    pub advice: String,
    pub unit: String,
    pub reported: String,
    pub fraud_type: String,
    pub loss: String,
}

/// The typical cases a unit reads, reported in `[from, to)`, as rows.
pub async fn rows(
    state: &AppState,
    lang: Lang,
    reader_unit: &str,
    filter: &TypicalFilter,
) -> Result<(Vec<TypicalRow>, bool), WebError> {
    let (found, more) = state
        .store
        .typical_cases()
        .list(reader_unit, filter)
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for t in found {
        out.push(TypicalRow {
            unit: state.unit_name(&t.unit_code).await,
            reported: format_shanghai_date(t.reported_at),
            fraud_type: fraud_type_label(lang, t.fraud_type.as_deref()),
            loss: yuan(t.loss_fen),
            case_id: t.case_id,
            title: t.title,
            summary: t.summary,
            advice: t.advice,
        });
    }
    Ok((out, more))
}

#[derive(Template)]
#[template(path = "typical_cases.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    types: Vec<Choice>,
    rows: Vec<TypicalRow>,
    /// More matched than the list holds ([`fanzha_store::MAX_TYPICAL_LIST`]).
    more: bool,
    query: String,
    /// Case links are shown to those who may open cases.
    case_links: bool,
}

#[derive(Template)]
#[template(path = "typical_cases_print.html")]
struct PrintPage {
    lang: Lang,
    unit_name: String,
    span: String,
    today: String,
    rows: Vec<TypicalRow>,
}

/// `GET /typical-cases[?from=&until=&fraud_type=][&view=print][&format=csv|xlsx]`: the
/// typical cases one's unit reads whose case was reported from `from` to `until` inclusive
/// (Shanghai dates; the current year to today by default), latest first.
pub async fn list(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/typical-cases",
    );
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
    if until < from {
        return Err(WebError::BadRequest(
            "until: the period ends before it starts".into(),
        ));
    }
    let fraud_type = match non_empty(&q.fraud_type) {
        None => None,
        Some(v) => Some(
            fanzha_core::FraudType::parse_label(v)
                .map(|t| t.code().to_string())
                .map_err(|_| WebError::BadRequest(format!("fraud_type: unknown `{v}`")))?,
        ),
    };
    let filter = TypicalFilter {
        from: Some(midnight(from)?),
        to: Some(midnight(until.succ_opt().unwrap_or(until))?),
        fraud_type: fraud_type.clone(),
        area_only: false,
    };
    let unit = auth.principal.unit_code.clone();
    let (rows, more) = rows(&state, lang, &unit, &filter).await?;
    // An export or a printed bulletin is the whole period or nothing: never silently cut.
    if more && (q.format.is_some() || q.view.as_deref() == Some("print")) {
        return Err(WebError::PeriodTooLarge {
            what: "typical cases",
            limit: fanzha_store::MAX_TYPICAL_LIST as i64,
        });
    }
    if let Some(format) = q.format {
        let heads = [
            "tc_title",
            "reported_at",
            "unit",
            "col_fraud_type",
            "loss",
            "tc_summary",
            "tc_advice",
        ];
        return Table {
            name: "typical_cases".into(),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.title,
                        r.reported,
                        r.unit,
                        r.fraud_type,
                        r.loss,
                        r.summary,
                        r.advice,
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    if q.view.as_deref() == Some("print") {
        return render(&PrintPage {
            lang,
            unit_name: state.unit_name(&unit).await,
            span: format!("{from} – {until}"),
            today: today.to_string(),
            rows,
        })
        .map(IntoResponse::into_response);
    }
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from.to_string());
        query.append_pair("until", &until.to_string());
        if let Some(t) = &fraud_type {
            query.append_pair("fraud_type", t);
        }
        query.finish()
    };
    render(&ListPage {
        from: from.to_string(),
        until: until.to_string(),
        types: fraud_type_choices(lang, fraud_type.as_deref().unwrap_or("")),
        rows,
        more,
        query,
        case_links: ViewCases::allows(&auth.principal),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_summary_names_nobody() {
        let s = suggested_summary(
            "王小明接到13800001234来电，对方称其订单异常，王小明向6222020123456789015转账38000元。",
            Some("王小明"),
        );
        assert_eq!(
            s,
            "王某接到***来电，对方称其订单异常，王某向***转账38000元。"
        );
        assert_eq!(fanzha_store::identifying(&s, &["王小明"]), None);
        // Without a name, only the numbers go.
        assert_eq!(suggested_summary(" 转账5000元 ", None), "转账5000元");
        assert_eq!(suggested_summary("号码1234567", Some("李")), "号码***");
    }
}
