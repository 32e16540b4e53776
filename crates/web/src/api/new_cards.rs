//! `/api/v1/new-cards`: 新开卡审查 for machines. A bank's system pushes its daily list of newly
//! opened cards, an operator's its list of new phone cards (`"kind": "sim_card"`; each card
//! validated like a row of an uploaded list, the rejected ones kept in the import run's
//! quarantine, masked); the center's tools read the review list (masked; a liaison their own
//! bank's or operator's cards without the police's reasons), a card in full (audited) and
//! record the review.

use crate::auth::permission::{ImportNewCards, Permission, ReviewNewCards, ViewNewCards};
use crate::auth::Require;
use crate::card_screening::{
    batch_label, card_of_row, hex, issuer_view, kind_of, mask_number, police_only, reads_list,
    record_list, review_card, sender_code, sender_of, viewer_of, visible_findings, CardList,
};
use crate::error::WebError;
use crate::extract::{JsonBody, Query};
use crate::pages::choices::{non_empty, parse_or};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use fanzha_core::mask::{mask_name, mask_phone, mask_resident_id};
use fanzha_core::time::parse_timestamp;
use fanzha_ingest::new_cards::{CardChecker, CardFields};
use fanzha_ingest::quarantine::reason;
use fanzha_store::{
    CardFilter, CardKind, CardState, Level, NewAuditEntry, PageRequest, QuarantineRow, ReasonCode,
    ScreenedCard, Verdict, Viewer,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

/// Cards per push.
pub const MAX_CARDS_PER_PUSH: usize = 10_000;
/// The import run's file name of a pushed list.
const RUN_FILE: &str = "api";

/// One newly opened card.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct NewCardIn {
    /// The card number; a phone card's number (`number` is accepted too).
    #[serde(default, alias = "number")]
    pub card_no: String,
    #[serde(default)]
    pub holder_name: String,
    /// The holder's 18-character resident ID number.
    #[serde(default)]
    pub resident_id: String,
    /// RFC 3339, or the layouts of an uploaded list (`2026-11-30 10:15`, `2026年11月30日`, a
    /// date alone); without an offset Asia/Shanghai.
    #[serde(default)]
    pub opened_at: String,
    /// The reserved phone number.
    pub phone: Option<String>,
    /// 开户网点 as the bank names it (营业厅 for a phone card).
    pub outlet: Option<String>,
    /// Division code of the outlet.
    pub outlet_division: Option<String>,
    /// The bank's name (by default the BIN table's); for a phone card the operator's or
    /// virtual operator's (by default the network operator's).
    pub bank_name: Option<String>,
    /// The clerk who opened it (经办人 / 柜员号).
    pub clerk: Option<String>,
}

/// A bank's list of newly opened cards.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCardList {
    /// `bank_card` or `sim_card` (新入网电话卡); by default the caller's own kind (bank cards
    /// for the center and banks, phone cards for operators).
    pub kind: Option<String>,
    /// The list's label; the sending bank and today's date by default.
    pub batch: Option<String>,
    /// The sending bank's code (`ICBC`) or operator's (`china_mobile`), for the center; a
    /// liaison always sends their own bank's or operator's list. Cards of another bank or
    /// operator than the sender's are rejected (`other_bank`, `other_operator`).
    pub bank: Option<String>,
    /// At most 10,000 cards.
    pub cards: Vec<NewCardIn>,
}

/// A rejected card.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewCardRejection {
    /// Its index in `cards` (from 0).
    pub index: usize,
    /// The field to blame (`card_no`, `resident_id`, `holder_name`, `opened_at`, `phone`,
    /// `outlet`, `outlet_division`, `bank_name`, or `bank` when no bank is known).
    pub field: &'static str,
    /// The reason code (docs/reasons.md).
    pub reason: &'static str,
}

/// What a push did.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewCardListAnswer {
    /// The import run (its quarantine holds the rejected cards, masked).
    pub import_run: i64,
    /// Cards new to the platform, screened and stored.
    pub received: usize,
    /// Cards listed before (same card number): nothing changed.
    pub listed_before: i64,
    /// Received cards put on the review list (medium or high); absent for a bank liaison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued: Option<i64>,
    /// Earlier cards of the same holders screened again because of this list; absent for a
    /// bank liaison (it would tell of the holder's cards at other banks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescreened: Option<i64>,
    /// Received cards by level (`high`, `medium`, `low`, `none`); for a bank liaison, the
    /// level of the reasons a bank may read.
    #[schema(value_type = Object)]
    pub by_level: serde_json::Map<String, Value>,
    pub rejected: Vec<NewCardRejection>,
}

/// The request's name of a field the list reader blames (new-card and closure lists).
pub(crate) fn field_of(column: &'static str, why: &'static str) -> &'static str {
    match column {
        "card" => "card_no",
        "name" => "holder_name",
        "bank" if why == reason::TOO_LONG => "bank_name",
        other => other,
    }
}

/// A rejected entry of a pushed list as the quarantine keeps it: the entry as sent, its card
/// number and ID number masked.
pub(crate) fn masked_raw<T: Serialize>(
    kind: CardKind,
    entry: &T,
    card_no: &str,
    resident_id: &str,
) -> String {
    let mut v = serde_json::to_value(entry).unwrap_or(Value::Null);
    v["card_no"] = json!(mask_number(kind, card_no));
    v["resident_id"] = json!(mask_resident_id(resident_id));
    v.to_string()
}

/// The import run's content hash of a pushed list: the entries as received, one per line.
pub(crate) fn list_hash<T: Serialize>(entries: &[T]) -> String {
    let mut hasher = Sha256::new();
    for e in entries {
        hasher.update(serde_json::to_vec(e).unwrap_or_default());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Screens a bank's list of newly opened cards: each card is validated like a row of an
/// uploaded list; the good ones are screened and stored (a card listed before is not taken
/// again), the rejected ones answered by index and kept in the import run's quarantine.
#[utoipa::path(post, path = "/api/v1/new-cards", request_body = NewCardList,
    responses((status = 200, description = "Screened", body = NewCardListAnswer),
              (status = 400, description = "More than 10,000 cards, or an unknown bank code"),
              (status = 403, description = "Not allowed to send lists")))]
pub async fn push(
    auth: Require<ImportNewCards>,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<NewCardList>,
) -> Result<Json<NewCardListAnswer>, WebError> {
    if req.cards.len() > MAX_CARDS_PER_PUSH {
        return Err(WebError::BadRequest(format!(
            "{} cards in one request; send at most {MAX_CARDS_PER_PUSH} and split the list",
            req.cards.len()
        )));
    }
    let p = &auth.principal;
    let kind = kind_of(p, req.kind.as_deref())?;
    let named = sender_code(kind, req.bank.as_deref().unwrap_or(""))?;
    let sender = sender_of(p, named)?;
    let now = state.clock.now_ms();
    let batch = batch_label(req.batch.as_deref(), sender.as_deref(), now);
    let mut checker = CardChecker::new(kind, sender.as_deref(), now);
    let mut cards = Vec::with_capacity(req.cards.len());
    let mut lines = Vec::with_capacity(req.cards.len());
    let mut rejected = Vec::new();
    let mut quarantine = Vec::new();
    for (index, c) in req.cards.iter().enumerate() {
        let fields = CardFields {
            card: &c.card_no,
            resident_id: &c.resident_id,
            name: &c.holder_name,
            opened_at: &c.opened_at,
            phone: c.phone.as_deref().unwrap_or(""),
            outlet: c.outlet.as_deref().unwrap_or(""),
            outlet_division: c.outlet_division.as_deref().unwrap_or(""),
            bank_name: c.bank_name.as_deref().unwrap_or(""),
            clerk: c.clerk.as_deref().unwrap_or(""),
        };
        match checker.check(&fields) {
            Ok(r) => {
                lines.push(index as u64 + 1);
                cards.push(card_of_row(&r, &batch))
            }
            Err((column, why)) => {
                let field = field_of(column, why);
                quarantine.push(QuarantineRow {
                    file: RUN_FILE.into(),
                    line: index as i64 + 1,
                    column: Some(field.to_string()),
                    reason: why.to_string(),
                    raw: masked_raw(kind, c, &c.card_no, &c.resident_id),
                });
                rejected.push(NewCardRejection {
                    index,
                    field,
                    reason: why,
                });
            }
        }
    }
    let (run, done) = record_list(
        &state,
        p,
        CardList {
            file: RUN_FILE,
            // The list as received, card numbers and ID numbers included.
            content_hash: list_hash(&req.cards),
            read: req.cards.len(),
            cards: &cards,
            lines: &lines,
            rejected: &quarantine,
        },
    )
    .await?;
    let bank_view = issuer_view(p);
    let levels = if bank_view {
        &done.bank_by_level
    } else {
        &done.by_level
    };
    Ok(Json(NewCardListAnswer {
        import_run: run.0,
        received: done.ids.len(),
        listed_before: done.duplicates,
        queued: (!bank_view).then_some(done.queued),
        rescreened: (!bank_view).then_some(done.rescreened),
        by_level: Level::ALL
            .iter()
            .map(|l| {
                (
                    l.as_str().to_string(),
                    json!(levels.get(l).copied().unwrap_or(0)),
                )
            })
            .collect(),
        rejected,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `bank_card` or `sim_card`; both for the police by default, a liaison's own kind.
    pub kind: Option<String>,
    /// `high`, `medium`, `low` or `none`.
    pub level: Option<String>,
    /// `pending` (on the review list), `reviewed`, or `not_queued` (below medium).
    pub state: Option<String>,
    /// `normal`, `watch`, `card_seller` or `impersonated`.
    pub verdict: Option<String>,
    /// A bank code (`ICBC`) or operator code (`china_mobile`); a liaison reads their own
    /// bank's or operator's cards only.
    pub bank: Option<String>,
    /// Cards whose screening found this reason (`card_burst`, …); the police's own reasons
    /// are refused to a bank liaison.
    pub reason: Option<String>,
    /// A unit inside the caller's subtree (police; default: the caller's own).
    pub unit: Option<String>,
    /// Opened at or after (RFC 3339).
    pub from: Option<String>,
    /// Opened before (RFC 3339).
    pub to: Option<String>,
    /// The `next` key of the previous page.
    pub after: Option<String>,
    /// Cards per page (100 by default).
    pub limit: Option<u32>,
}

fn time_or(value: Option<&str>, what: &str) -> Result<Option<i64>, WebError> {
    value
        .map(|v| {
            parse_timestamp(v).map_err(|_| {
                WebError::BadRequest(format!("{what} `{v}` is not a time; use RFC 3339"))
            })
        })
        .transpose()
}

/// A finding as JSON: code, points, and the text in both languages.
fn finding_json(f: &fanzha_store::Finding) -> Value {
    json!({
        "code": f.code.as_str(),
        "points": f.code.weight(),
        "value": f.value,
        "zh": f.describe_zh(),
        "en": f.describe_en(),
    })
}

/// A card as listed: personal data masked, the findings the reader may see.
fn masked_json(c: &ScreenedCard, bank_view: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "kind": c.kind.as_str(),
        "bank_code": c.bank_code,
        "bank_name": c.bank_name,
        "card_no": mask_number(c.kind, &c.account_no),
        "holder_name": mask_name(&c.holder_name),
        "resident_id": mask_resident_id(&c.resident_id),
        "phone": c.phone.as_deref().map(mask_phone),
        "opened_at": c.opened_at,
        "outlet": c.outlet,
        "outlet_division": c.outlet_division,
        "batch": c.batch,
        // A bank reads the score and level of the reasons it may read, and whether the police
        // reviewed the card, never whether the police's reasons queued it.
        "score": if bank_view { c.bank_score } else { c.score },
        "level": if bank_view { c.bank_level.as_str() } else { c.level.as_str() },
        "findings": visible_findings(c, bank_view).map(finding_json).collect::<Vec<_>>(),
        "state": if bank_view && c.state != CardState::Reviewed { None } else { Some(c.state.as_str()) },
        "verdict": c.verdict.map(Verdict::as_str),
        "reviewed_at": c.reviewed_at,
    });
    if !bank_view {
        v["unit_code"] = json!(c.unit_code);
    }
    v
}

/// A card in full, with every finding.
fn full_json(c: &ScreenedCard) -> Value {
    json!({
        "id": c.id,
        "kind": c.kind.as_str(),
        "bank_code": c.bank_code,
        "bank_name": c.bank_name,
        "card_no": c.account_no,
        "holder_name": c.holder_name,
        "resident_id": c.resident_id,
        "phone": c.phone,
        "opened_at": c.opened_at,
        "outlet": c.outlet,
        "outlet_division": c.outlet_division,
        "unit_code": c.unit_code,
        "batch": c.batch,
        "score": c.score,
        "level": c.level.as_str(),
        "findings": c.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "state": c.state.as_str(),
        "verdict": c.verdict.map(Verdict::as_str),
        "note": c.note,
        "imported_by": c.imported_by,
        "imported_at": c.imported_at,
        "screened_at": c.screened_at,
        "reviewed_by": c.reviewed_by,
        "reviewed_at": c.reviewed_at,
    })
}

/// The new cards the caller reads, the latest opened first, personal data masked: the police
/// their subtree's (by the holder's residence) with every reason, a bank liaison their own
/// bank's without the police's reasons. Leaders read the figures on `/card-screening` only.
#[utoipa::path(get, path = "/api/v1/new-cards", params(ListQuery),
    responses((status = 200, description = "`{items, next, total}`: a page of cards, masked", body = Object),
              (status = 400, description = "Unknown level, state, verdict or reason; a bad time"),
              (status = 403, description = "Leaders (figures only), or a police reason asked by a bank"),
              (status = 404, description = "The unit is outside the caller's subtree")))]
pub async fn list(
    auth: Require<ViewNewCards>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, WebError> {
    let p = &auth.principal;
    if !reads_list(p) {
        return Err(WebError::Forbidden(ReviewNewCards::NAME));
    }
    let (viewer, _, bank_view) = viewer_of(&state, p, non_empty(&q.unit)).await?;
    let reason = parse_or(non_empty(&q.reason), ReasonCode::parse, "reason")?;
    if bank_view && (reason.is_some_and(police_only) || non_empty(&q.state).is_some()) {
        return Err(WebError::Forbidden(ReviewNewCards::NAME));
    }
    let kind = match non_empty(&q.kind) {
        Some(k) => Some(kind_of(p, Some(k))?),
        None => None,
    };
    let filter = CardFilter {
        kind,
        level: parse_or(non_empty(&q.level), Level::parse, "level")?,
        flagged: false,
        state: parse_or(non_empty(&q.state), CardState::parse, "state")?,
        verdict: parse_or(non_empty(&q.verdict), Verdict::parse, "verdict")?,
        // Bank codes are upper case (`ICBC`), operator codes lower (`china_mobile`).
        bank_code: non_empty(&q.bank).map(|b| {
            if b.contains('_') {
                b.to_ascii_lowercase()
            } else {
                b.to_ascii_uppercase()
            }
        }),
        from: time_or(non_empty(&q.from), "from")?,
        to: time_or(non_empty(&q.to), "to")?,
        reason,
        holder: None,
    };
    let repo = state.store.new_cards();
    let page = repo
        .list(
            &viewer,
            &filter,
            &PageRequest {
                after: non_empty(&q.after).map(str::to_string),
                limit: q.limit.unwrap_or(100),
            },
        )
        .await?;
    let total = repo.count_matching(&viewer, &filter).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|c| masked_json(c, bank_view))
        .collect();
    Ok(Json(
        json!({"items": items, "next": page.next, "total": total}),
    ))
}

fn card_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// One card of the caller's subtree in full — the holder's name, ID number and phone, every
/// finding with its points — and the cases of the caller's area whose money reached it. Every
/// read is written to the audit log (`view_personal_data`).
#[utoipa::path(get, path = "/api/v1/new-cards/{id}",
    params(("id" = i64, Path, description = "Card id")),
    responses((status = 200, description = "The card in full", body = Object),
              (status = 404, description = "Unknown, or outside the caller's subtree")))]
pub async fn get(
    auth: Require<ReviewNewCards>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, WebError> {
    let id = card_id(&id)?;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.new_cards();
    let c = repo.get(&Viewer::Police(scope.clone()), id).await?;
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: p.login.clone(),
            action: "view_personal_data".into(),
            target_type: "new_card".into(),
            target_id: Some(c.id.to_string()),
            unit_code: Some(c.unit_code.clone()),
            detail: json!({
                "via": "api",
                "resident": mask_resident_id(&c.resident_id),
                "card": mask_number(c.kind, &c.account_no),
            }),
        })
        .await?;
    let all_cases = repo.cases_of(&c).await?;
    let visible = state.store.cases().in_scope(&scope, &all_cases).await?;
    let cases: Vec<&String> = all_cases
        .iter()
        .filter(|id| visible.contains(*id))
        .collect();
    let mut v = full_json(&c);
    v["cases"] = json!(cases);
    v["other_area_cases"] = json!(all_cases.len() - cases.len());
    Ok(Json(v))
}

/// The review of a card.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCardReview {
    /// `normal` (正常开户), `watch` (持续关注), `card_seller` (涉嫌买卖两卡) or `impersonated`
    /// (冒名开户).
    pub verdict: String,
    /// Required for all but `normal`.
    #[serde(default)]
    pub note: String,
    /// With `card_seller`: also list the registered holder as a key person (两卡), as the
    /// card page does.
    #[serde(default)]
    pub key_person: bool,
}

/// Records the review of a card of the caller's subtree (audited) and answers the card as
/// stored. A card is reviewed once.
#[utoipa::path(post, path = "/api/v1/new-cards/{id}/review", request_body = NewCardReview,
    params(("id" = i64, Path, description = "Card id")),
    responses((status = 200, description = "The card as stored", body = Object),
              (status = 400, description = "Unknown verdict, or the note missing"),
              (status = 404, description = "Unknown, or outside the caller's subtree"),
              (status = 409, description = "Reviewed before")))]
pub async fn review(
    auth: Require<ReviewNewCards>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NewCardReview>,
) -> Result<Json<Value>, WebError> {
    let id = card_id(&id)?;
    let verdict = Verdict::parse(req.verdict.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "unknown verdict `{}`; use normal, watch, card_seller or impersonated",
            req.verdict.trim()
        ))
    })?;
    let reviewed = review_card(
        &state,
        &auth.principal,
        id,
        verdict,
        &req.note,
        req.key_person,
    )
    .await?;
    Ok(Json(full_json(&reviewed)))
}
