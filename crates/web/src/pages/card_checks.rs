//! 开卡前核验 · 一线拦截: a bank's or an operator's counter asks about an applicant before
//! opening a card and gets advice — 建议拒绝办理, 加强核验 or 正常办理 — with the reasons it may
//! read (never the police's, except a punishment it must enforce), then records what it did.
//! Police read the checks of their subtree with every reason; the figures count, per issuer, the
//! applicants turned away and those refused whose card was listed anyway. Data from the store's
//! [`fanzha_store::NewCards::check_applicant`] and its siblings, whose writes are audited.

use super::choices::{choices, non_empty, parse_or, unit_choices, Choice};
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::{CheckCardApplicants, Permission, ViewNewCards, ViewPersonalData};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::card_screening::{issuer_view, reads_list, viewer_of};
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::format_shanghai;
use fanzha_core::{PhoneKind, PhoneNumber, ResidentId};
use fanzha_store::{
    CardCheck, CardCheckRequest, CardKind, CheckFigures, CheckFilter, CheckOutcome, CounterVerdict,
    Operator, PageRequest, Role, Viewer,
};
use serde::Deserialize;

/// Checks per screen.
const PAGE_ROWS: u32 = 100;

/// The issuer a liaison checks for: the bank (bank cards) or the operator (phone cards), with
/// its name.
pub(crate) fn issuer_of(p: &Principal) -> Result<(CardKind, String, String), WebError> {
    if p.has_role(Role::BankLiaison) {
        let code = p
            .bank_code
            .clone()
            .ok_or(WebError::Forbidden("bank_liaison_without_bank"))?;
        let name = super::choices::bank_name(&code);
        return Ok((CardKind::BankCard, code, name));
    }
    let op: Operator = p
        .operator
        .ok_or(WebError::Forbidden("operator_liaison_without_operator"))?;
    Ok((
        CardKind::SimCard,
        op.as_str().to_string(),
        op.zh().to_string(),
    ))
}

/// What a counter sends, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    pub resident_id: String,
    #[serde(default)]
    pub holder_name: String,
    /// The reserved phone (bank cards).
    #[serde(default)]
    pub phone: String,
    /// The number to be assigned (phone cards).
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub outlet: String,
    #[serde(default)]
    pub outlet_division: String,
    #[serde(default)]
    pub clerk: String,
}

/// Validates what the counter sent into the store's request for the principal's issuer: a
/// slip answers 400 naming the field.
pub(crate) fn request_of(p: &Principal, f: &CheckForm) -> Result<CardCheckRequest, WebError> {
    let (kind, issuer_code, issuer_name) = issuer_of(p)?;
    let bad = |field: &str, why: String| WebError::BadRequest(format!("{field}: {why}"));
    let id =
        ResidentId::parse(f.resident_id.trim()).map_err(|e| bad("resident_id", e.to_string()))?;
    // A card's reserved phone and a new line's number are mobile numbers; a hotline or a
    // fixed line is a slip.
    let phone_of = |field: &str, text: &str| -> Result<Option<String>, WebError> {
        match text.trim() {
            "" => Ok(None),
            t => {
                let n = PhoneNumber::parse(t).map_err(|e| bad(field, e.to_string()))?;
                match n.kind() {
                    PhoneKind::Mobile | PhoneKind::Virtual | PhoneKind::Overseas
                        if field == "phone" =>
                    {
                        Ok(Some(n.canonical()))
                    }
                    PhoneKind::Mobile | PhoneKind::Virtual => Ok(Some(n.canonical())),
                    other => Err(bad(
                        field,
                        format!("`{t}` is a {} number, not a mobile one", other.as_str()),
                    )),
                }
            }
        }
    };
    let division = f.outlet_division.trim();
    let is_division =
        (6..=12).contains(&division.len()) && division.bytes().all(|b| b.is_ascii_digit());
    if !division.is_empty() && !is_division {
        return Err(bad(
            "outlet_division",
            format!("`{division}` is not a division code (6 to 12 digits)"),
        ));
    }
    Ok(CardCheckRequest {
        kind,
        issuer_code,
        issuer_name,
        resident_id: id.as_str().to_string(),
        holder_name: f.holder_name.trim().to_string(),
        phone: match kind {
            CardKind::BankCard => phone_of("phone", &f.phone)?,
            CardKind::SimCard => None,
        },
        number: match kind {
            CardKind::SimCard => phone_of("number", &f.number)?,
            CardKind::BankCard => None,
        },
        outlet: f.outlet.trim().to_string(),
        outlet_division: (!division.is_empty()).then(|| division.to_string()),
        clerk: f.clerk.trim().to_string(),
    })
}

/// An outcome as sent (`refused`, `abandoned` or `opened`).
pub(crate) fn outcome_of(text: &str) -> Result<CheckOutcome, WebError> {
    CheckOutcome::parse(text.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "unknown outcome `{}`: refused, abandoned or opened",
            text.trim()
        ))
    })
}

/// The advice as the counter reads it, one line per item.
pub(crate) fn advice_lines(lang: Lang, c: &CardCheck) -> Vec<String> {
    let a = c.answer();
    let mut lines = Vec::new();
    if a.punished {
        lines.push(lang.t("ck_punished").to_string());
    }
    if a.police_records {
        lines.push(lang.t("ck_police_records").to_string());
    }
    for f in &a.findings {
        lines.push(match lang {
            Lang::Zh => f.describe_zh(),
            Lang::En => f.describe_en(),
        });
    }
    lines
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    verdict: Option<String>,
    /// An outcome's code, or `none` for checks without one.
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
    /// `csv` or `xlsx`: every matching check (for those who read the list) and the figures per
    /// issuer, instead of the page.
    #[serde(default)]
    format: Option<ExportFormat>,
    /// With `format=csv`: `checks` (the default where the list is read) or `issuers`.
    #[serde(default)]
    section: Option<String>,
}

/// A check as listed: the applicant masked.
struct Row {
    id: i64,
    checked: String,
    issuer: String,
    outlet: String,
    clerk: String,
    applicant: String,
    verdict_code: &'static str,
    verdict: &'static str,
    outcome: String,
    unit: String,
}

struct FigureRow {
    issuer: String,
    checks: i64,
    refuse: i64,
    verify: i64,
    proceed: i64,
    intercepted: i64,
    opened: i64,
    unanswered: i64,
    despite: i64,
}

fn figure_row(f: &CheckFigures, label: String) -> FigureRow {
    FigureRow {
        issuer: label,
        checks: f.checks,
        refuse: f.refuse,
        verify: f.verify,
        proceed: f.proceed,
        intercepted: f.intercepted(),
        opened: f.opened,
        unanswered: f.unanswered_flagged,
        despite: f.opened_despite_refusal,
    }
}

#[derive(Template)]
#[template(path = "card_checks.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    heading: String,
    can_check: bool,
    /// Phone cards: the counter gives the number to be assigned instead of a reserved phone.
    sim: bool,
    list: bool,
    police: bool,
    total: FigureRow,
    by_issuer: Vec<FigureRow>,
    verdicts: Vec<Choice>,
    outcomes: Vec<Choice>,
    /// Police: the issuers with checks, and the units to narrow to.
    issuers: Vec<Choice>,
    units: Vec<Choice>,
    rows: Vec<Row>,
    query: String,
    next: Option<String>,
    /// What 提示拒绝后仍开户 counts, with its window.
    despite_hint: String,
}

async fn rows_of(state: &AppState, lang: Lang, items: &[CardCheck]) -> Vec<Row> {
    // Each unit looked up once: an export holds every check.
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(items.len());
    for c in items {
        rows.push(Row {
            id: c.id,
            checked: format_shanghai(c.checked_at),
            issuer: c.issuer_name.clone(),
            outlet: c.outlet.clone(),
            clerk: c.clerk.clone(),
            applicant: format!(
                "{} {}",
                mask_name(&c.holder_name),
                mask_resident_id(&c.resident_id)
            ),
            verdict_code: c.verdict.as_str(),
            verdict: pick(lang, c.verdict.zh(), c.verdict.en()),
            outcome: c
                .outcome
                .map(|o| pick(lang, o.zh(), o.en()).to_string())
                .unwrap_or_default(),
            unit: names.get(&c.unit_code).await,
        });
    }
    rows
}

/// `GET /card-checks`: the figures of the checks one reads, per issuer; the form for a
/// counter's liaison; the list (masked) with filters for those who read lists.
pub async fn list(
    auth: Require<ViewNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/card-checks");
    let lang = chrome.lang;
    let p = &auth.principal;
    let (viewer, unit, issuer) = viewer_of(&state, p, non_empty(&q.unit)).await?;
    let verdict = parse_or(non_empty(&q.verdict), CounterVerdict::parse, "verdict")?;
    let outcome = match non_empty(&q.outcome) {
        None => None,
        Some("none") => Some(None),
        Some(o) => Some(Some(outcome_of(o)?)),
    };
    let filter = CheckFilter {
        verdict,
        outcome,
        // An issuer reads its own checks only; the police may narrow to one (a bank's code,
        // or an operator's).
        issuer_code: if issuer {
            None
        } else {
            non_empty(&q.issuer).map(str::to_string)
        },
        ..CheckFilter::default()
    };
    let repo = state.store.new_cards();
    let figures = repo.check_figures(&viewer, &CheckFilter::default()).await?;
    let list = reads_list(p);
    let (items, next) = match (list, q.format) {
        (false, _) => (Vec::new(), None),
        (true, Some(_)) => {
            let (repo, viewer, filter) = (&repo, &viewer, &filter);
            let all = every_page("card checks", move |r| async move {
                Ok(repo.list_checks(viewer, filter, &r).await?)
            })
            .await?;
            (all.items, None)
        }
        (true, None) => {
            let page = repo
                .list_checks(
                    &viewer,
                    &filter,
                    &PageRequest {
                        after: q.after.clone(),
                        limit: PAGE_ROWS,
                    },
                )
                .await?;
            (page.items, page.next)
        }
    };
    let total = figure_row(&figures.total, lang.t("ck_all").into());
    let by_issuer: Vec<FigureRow> = figures
        .by_issuer
        .iter()
        .map(|f| figure_row(f, f.issuer_name.clone()))
        .collect();
    if let Some(format) = q.format {
        let rows = rows_of(&state, lang, &items).await;
        return export(
            lang,
            list.then_some(rows),
            !issuer_view(p),
            &by_issuer,
            &total,
        )
        .respond(format, q.section.as_deref());
    }
    let heading = match &viewer {
        Viewer::Bank(_) => issuer_of(p).map(|(_, _, name)| name).unwrap_or_default(),
        Viewer::Police(_) => state.unit_name(&unit).await,
    };
    // Built in a block: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("verdict", &q.verdict),
            ("outcome", &q.outcome),
            ("issuer", &q.issuer),
            ("unit", &q.unit),
        ] {
            if let Some(v) = non_empty(v) {
                query.append_pair(k, v);
            }
        }
        query.finish()
    };
    let mut outcome_choices = vec![Choice {
        value: "none".into(),
        label: lang.t("ck_no_outcome").into(),
        selected: outcome == Some(None),
    }];
    outcome_choices.extend(choices(
        &CheckOutcome::ALL,
        CheckOutcome::as_str,
        |o| pick(lang, o.zh(), o.en()),
        outcome.flatten(),
    ));
    let can_check = CheckCardApplicants::allows(p);
    let (issuers, units) = if issuer {
        (Vec::new(), Vec::new())
    } else {
        let issuers = figures
            .by_issuer
            .iter()
            .map(|f| Choice {
                value: f.issuer_code.clone(),
                label: f.issuer_name.clone(),
                selected: filter.issuer_code.as_deref() == Some(f.issuer_code.as_str()),
            })
            .collect();
        (issuers, unit_choices(&state, &p.unit_code, &unit).await?)
    };
    render(&ListPage {
        issuers,
        units,
        heading,
        can_check,
        sim: can_check && issuer_of(p).is_ok_and(|(k, _, _)| k == CardKind::SimCard),
        list,
        police: !issuer_view(p),
        total,
        by_issuer,
        verdicts: choices(
            &CounterVerdict::ALL,
            CounterVerdict::as_str,
            |v| pick(lang, v.zh(), v.en()),
            verdict,
        ),
        outcomes: outcome_choices,
        rows: rows_of(&state, lang, &items).await,
        query,
        next,
        despite_hint: lang.t("ck_despite_hint").replace(
            "{days}",
            &fanzha_store::OPENED_AFTER_REFUSAL_DAYS.to_string(),
        ),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// The export of `GET /card-checks?format=`: the checks (applicants masked, as listed) where the
/// reader reads the list, and the figures per issuer with their total. As on the page, only
/// the police see the unit a check is kept at.
fn export(
    lang: Lang,
    rows: Option<Vec<Row>>,
    police: bool,
    by_issuer: &[FigureRow],
    total: &FigureRow,
) -> Sheets {
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        let checks = rows
            .into_iter()
            .map(|r| {
                let mut row = vec![
                    r.id.to_string(),
                    r.checked,
                    r.issuer,
                    r.outlet,
                    r.clerk,
                    r.applicant,
                ];
                if police {
                    row.push(r.unit);
                }
                row.push(r.verdict.to_string());
                row.push(r.outcome);
                row
            })
            .collect();
        let mut heads = vec![
            "col_id",
            "ck_checked_at",
            "ck_issuer",
            "ck_outlet",
            "ck_clerk",
            "ck_applicant",
        ];
        if police {
            heads.push("unit");
        }
        heads.extend(["ck_verdict", "ck_outcome"]);
        sheets.push(Sheet::new(
            lang,
            "checks",
            "nav_card_checks",
            &heads,
            checks,
        ));
    }
    let figures = by_issuer
        .iter()
        .chain(std::iter::once(total))
        .map(|f| {
            vec![
                f.issuer.clone(),
                f.checks.to_string(),
                f.refuse.to_string(),
                f.verify.to_string(),
                f.proceed.to_string(),
                f.intercepted.to_string(),
                f.opened.to_string(),
                f.unanswered.to_string(),
                f.despite.to_string(),
            ]
        })
        .collect();
    sheets.push(Sheet::new(
        lang,
        "issuers",
        "ck_by_issuer",
        &[
            "ck_issuer",
            "ck_checks",
            "ck_refuse",
            "ck_verify",
            "ck_proceed",
            "ck_intercepted",
            "ck_opened",
            "ck_unanswered",
            "ck_despite",
        ],
        figures,
    ));
    Sheets {
        name: "card_checks".into(),
        sheets,
    }
}

/// `POST /card-checks` (`resident_id`, `holder_name`, `phone` or `number`, `outlet`,
/// `outlet_division`, `clerk`): a counter's check of an applicant; opens the check's page with
/// the advice.
pub async fn create(
    auth: Require<CheckCardApplicants>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<CheckForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let req = request_of(p, &f)?;
    let check = state
        .store
        .new_cards()
        .check_applicant(&p.unit_code, &req, &p.login, state.clock.now_ms())
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/card-checks/{}", check.id),
        axum::http::StatusCode::OK,
    ))
}

struct FindingRow {
    text: String,
    points: u32,
    police_only: bool,
}

#[derive(Template)]
#[template(path = "card_check.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    id: i64,
    version: i64,
    verdict_code: &'static str,
    verdict: &'static str,
    /// What the advice asks of the counter.
    advice_hint: &'static str,
    advice: Vec<String>,
    /// Police: every reason, the police's marked.
    findings: Vec<FindingRow>,
    police: bool,
    score: i64,
    kind: String,
    issuer: String,
    applicant_name: String,
    applicant_id: String,
    phone: String,
    outlet: String,
    clerk: String,
    unit: String,
    checked: String,
    checked_by: String,
    outcome: String,
    answered: String,
    answer_note: String,
    outcomes: Vec<Choice>,
    can_answer: bool,
}

/// `GET /card-checks/{id}`: the check with its advice; the applicant in full for the issuer
/// that asked and for police with personal-data rights (every such view audited); the
/// outcome form while none is recorded.
pub async fn detail(
    auth: Require<ViewNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/card-checks");
    let lang = chrome.lang;
    let p = &auth.principal;
    if !reads_list(p) {
        return Err(WebError::Forbidden("review_new_cards|import_new_cards"));
    }
    let (viewer, _, issuer) = viewer_of(&state, p, None).await?;
    let c = state.store.new_cards().get_check(&viewer, id).await?;
    let full = issuer || ViewPersonalData::allows(p);
    if full {
        crate::casework::audit(
            &state,
            &p.login,
            "view_personal_data",
            "card_check",
            &c.id.to_string(),
            &c.unit_code,
            serde_json::json!({ "resident_id": mask_resident_id(&c.resident_id) }),
        )
        .await?;
    }
    let shown = |full_value: &str, masked: String| {
        if full {
            full_value.to_string()
        } else {
            masked
        }
    };
    let phone = c.phone.clone().unwrap_or_default();
    render(&DetailPage {
        id: c.id,
        version: c.version,
        verdict_code: c.verdict.as_str(),
        verdict: pick(lang, c.verdict.zh(), c.verdict.en()),
        advice_hint: lang.t(match c.verdict {
            CounterVerdict::Refuse => "ck_advice_refuse",
            CounterVerdict::Verify => "ck_advice_verify",
            CounterVerdict::Proceed => "ck_advice_proceed",
        }),
        advice: advice_lines(lang, &c),
        findings: if issuer {
            Vec::new()
        } else {
            c.findings
                .iter()
                .map(|f| FindingRow {
                    text: match lang {
                        Lang::Zh => f.describe_zh(),
                        Lang::En => f.describe_en(),
                    },
                    points: f.code.weight(),
                    police_only: f.code.police_only(),
                })
                .collect()
        },
        police: !issuer,
        score: c.score,
        kind: crate::card_screening::kind_t(lang, c.kind, "nc_kind_tab").to_string(),
        issuer: c.issuer_name.clone(),
        applicant_name: shown(&c.holder_name, mask_name(&c.holder_name)),
        applicant_id: shown(&c.resident_id, mask_resident_id(&c.resident_id)),
        phone: shown(&phone, mask_phone(&phone)),
        outlet: c.outlet.clone(),
        clerk: c.clerk.clone(),
        unit: state.unit_name(&c.unit_code).await,
        checked: format_shanghai(c.checked_at),
        checked_by: c.checked_by.clone(),
        outcome: c
            .outcome
            .map(|o| pick(lang, o.zh(), o.en()).to_string())
            .unwrap_or_default(),
        answered: c
            .answered_at
            .map(|t| {
                format!(
                    "{} · {}",
                    format_shanghai(t),
                    c.answered_by.clone().unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        answer_note: c.answer_note.clone(),
        outcomes: choices(
            &CheckOutcome::ALL,
            CheckOutcome::as_str,
            |o| pick(lang, o.zh(), o.en()),
            None,
        ),
        can_answer: issuer && c.outcome.is_none() && CheckCardApplicants::allows(p),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    version: i64,
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /card-checks/{id}/outcome` (`version`, `outcome` refused | abandoned | opened,
/// `note`): what the counter did, once, on a check of its own issuer.
pub async fn outcome(
    auth: Require<CheckCardApplicants>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<OutcomeForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let (_, issuer, _) = issuer_of(p)?;
    let outcome = outcome_of(&f.outcome)?;
    state
        .store
        .new_cards()
        .record_check_outcome(
            &issuer,
            id,
            f.version,
            &fanzha_store::CheckAnswer {
                outcome,
                note: f.note.clone(),
            },
            &p.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/card-checks/{id}"),
        axum::http::StatusCode::OK,
    ))
}

/// A counter check of an applicant, as the applicant's pages list it.
pub struct CheckLine {
    pub id: i64,
    pub checked: String,
    pub issuer: String,
    pub outlet: String,
    pub verdict_code: &'static str,
    pub verdict: &'static str,
    pub outcome: &'static str,
}

/// The counter checks of applicant `resident_id` inside `scope`, the latest first: a key person
/// trying to open cards is something their responsible officer should know.
pub(crate) async fn checks_of(
    state: &AppState,
    scope: &fanzha_store::Scope,
    lang: Lang,
    resident_id: &str,
) -> Result<Vec<CheckLine>, WebError> {
    Ok(state
        .store
        .new_cards()
        .checks_of_applicant(scope, resident_id)
        .await?
        .into_iter()
        .map(|c| CheckLine {
            id: c.id,
            checked: format_shanghai(c.checked_at),
            issuer: c.issuer_name.clone(),
            outlet: c.outlet.clone(),
            verdict_code: c.verdict.as_str(),
            verdict: pick(lang, c.verdict.zh(), c.verdict.en()),
            outcome: c.outcome.map(|o| pick(lang, o.zh(), o.en())).unwrap_or(""),
        })
        .collect())
}
