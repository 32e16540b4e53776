//! `/api/v1/warnings`: warnings of one's subtree, and the entry point for warnings from outside
//! the engine — the national center's push (国家反诈中心推送) and an analyst's own.

use crate::auth::permission::{PushWarnings, ViewWarnings};
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{JsonBody, Query};
use crate::pages::warning_search::{fraud_type_filter, SOURCES};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use fanzha_core::mask::{mask_phone, mask_resident_id};
use fanzha_core::PushKind;
use fanzha_ingest::warning_pushes::{kind_and_fund, read_fund, FundCells};
use fanzha_store::{
    valid_push_id, PageRequest, PushPlatform, StoredWarning, WarningFilter, WarningPush,
};
use fanzha_workflow::{IncomingWarning, Received, WarningLevel};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A warning to route into the closed loop.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushRequest {
    /// The endangered person's resident ID (preferred: routes by residence).
    pub resident_id: Option<String>,
    /// Their phone number.
    pub msisdn: Option<String>,
    /// Division code of the residence when no resident is on file.
    pub residence_code: Option<String>,
    /// 1 red, 2 orange, 3 yellow.
    pub level: u8,
    /// Fraud-type code (`impersonate_police`, `investment`, …).
    pub fraud_type: Option<String>,
    /// `national_push` (default) or `manual`.
    pub source: Option<String>,
    /// What the sender knows, shown as evidence.
    pub note: Option<String>,
    /// Suspect numbers or accounts named by the sender.
    #[serde(default)]
    pub suspects: Vec<String>,
    /// The platform's identity of the push, its kind and — for a fund warning (资金预警) — the
    /// payment: a real-time push, received once per platform and push id.
    pub push: Option<PushOrigin>,
}

/// A pushed warning's upstream identity, kind and payment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushOrigin {
    /// `national` (default), `dongfeng`, `changmao` or `other`.
    pub platform: Option<String>,
    /// 1 to 64 letters, digits, `-`, `_`, `.`.
    pub push_id: String,
    /// When the platform pushed it, epoch ms UTC; default now.
    pub pushed_at: Option<i64>,
    /// `fund`, `call`, `sms`, `app`, `url`, `other`, or as lists write it (`资金预警`); a push
    /// with a payment and no kind is a fund warning.
    pub kind: Option<String>,
    pub fund: Option<FundPayment>,
}

/// What a fund warning says about the payment.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FundPayment {
    /// Fen, above zero.
    pub amount_fen: Option<i64>,
    /// Epoch ms UTC.
    pub paid_at: Option<i64>,
    /// The payee account (a card, or any account of 6 to 40 letters and digits).
    pub payee_account: Option<String>,
    /// The payee's bank as written (`建设银行余姚支行`, `CCB`); else the card's BIN names it.
    pub payee_bank: Option<String>,
    pub payer_account: Option<String>,
}

/// The push's platform and identity, kind and payment, validated by the list import's rules.
fn origin_of(o: &PushOrigin, now: i64) -> Result<WarningPush, WebError> {
    let bad = |field: &str, why: &str| WebError::BadRequest(format!("push.{field}: {why}"));
    let platform = match o.platform.as_deref().map(str::trim) {
        None | Some("") => PushPlatform::National,
        Some(p) => PushPlatform::parse(p).ok_or_else(|| bad("platform", "unknown platform"))?,
    };
    if !valid_push_id(&o.push_id) {
        return Err(bad("push_id", "bad_push_id"));
    }
    let pushed_at = o.pushed_at.unwrap_or(now);
    if pushed_at > now + 86_400_000 {
        return Err(bad("pushed_at", "pushed_in_future"));
    }
    let kind = match o.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(PushKind::from_written(k).ok_or_else(|| bad("kind", "unknown_push_kind"))?),
    };
    let f = o.fund.as_ref();
    let text = |v: Option<&String>| v.map(String::as_str).unwrap_or("").to_string();
    let cells = (
        f.and_then(|f| f.amount_fen)
            .map(|fen| fanzha_core::Money(fen).to_string())
            .unwrap_or_default(),
        f.and_then(|f| f.paid_at)
            .map(fanzha_core::time::format_shanghai)
            .unwrap_or_default(),
        text(f.and_then(|f| f.payee_account.as_ref())),
        text(f.and_then(|f| f.payee_bank.as_ref())),
        text(f.and_then(|f| f.payer_account.as_ref())),
    );
    let read = read_fund(
        &FundCells {
            amount: &cells.0,
            paid_at: &cells.1,
            accounts: &cells.2,
            payee_bank: &cells.3,
            payer: &cells.4,
        },
        now,
    )
    .map_err(|(column, why)| bad(&format!("fund.{column}"), why))?;
    // A `fund` object states a payment even when it names only the account.
    let (kind, fund) =
        kind_and_fund(kind, read.map(|(f, _)| (f, true))).map_err(|why| bad("fund", why))?;
    Ok(WarningPush {
        platform,
        push_id: o.push_id.clone(),
        pushed_at,
        import_run: None,
        kind,
        fund: fund.map(crate::push_import::stored_fund),
    })
}

/// Routes a warning: merges into the person's open instruction or issues a new one.
#[utoipa::path(post, path = "/api/v1/warnings", request_body = PushRequest,
    responses((status = 201, description = "Routed", body = Object),
              (status = 400, description = "Invalid level or no way to place the person")))]
pub async fn push(
    auth: Require<PushWarnings>,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<PushRequest>,
) -> Result<(StatusCode, Json<Received>), WebError> {
    let level = WarningLevel::from_number(req.level).ok_or_else(|| {
        WebError::BadRequest("level must be 1 (red), 2 (orange) or 3 (yellow)".into())
    })?;
    let source = req.source.unwrap_or_else(|| "national_push".into());
    if !["national_push", "manual"].contains(&source.as_str()) {
        return Err(WebError::BadRequest(
            "source must be national_push or manual".into(),
        ));
    }
    if req.resident_id.is_none() && req.msisdn.is_none() && req.residence_code.is_none() {
        return Err(WebError::BadRequest(
            "name the person: resident_id, msisdn or residence_code".into(),
        ));
    }
    let now = state.clock.now_ms();
    let origin = req.push.as_ref().map(|o| origin_of(o, now)).transpose()?;
    if let Some(o) = &origin {
        if let Some(known) = state
            .store
            .warning_pushes()
            .find(o.platform, &o.push_id)
            .await?
        {
            return Err(WebError::Store(fanzha_store::StoreError::Conflict {
                what: "push",
                detail: format!("push {} received before as warning {known}", o.push_id),
            }));
        }
    }
    let received = state
        .loop_service
        .receive(
            IncomingWarning {
                id: origin.as_ref().map(|o| o.platform.warning_id(&o.push_id)),
                resident_id: req.resident_id,
                msisdn: req.msisdn,
                residence_code: req.residence_code,
                level,
                fraud_type: req.fraud_type,
                score_permille: 1000,
                source,
                signal_at: now,
                evidence: serde_json::json!({
                    "pushed_by": auth.principal.login,
                    "note": req.note,
                    "suspects": req.suspects,
                    "push": origin.as_ref().map(|o| serde_json::json!({
                        "platform": o.platform.as_str(),
                        "platform_name": o.platform.zh(),
                        "push_id": o.push_id,
                        "pushed_at": o.pushed_at,
                        "kind": o.kind.map(PushKind::code),
                    })),
                }),
            },
            now,
        )
        .await?;
    if let Some(o) = &origin {
        state
            .store
            .warning_pushes()
            .attach(&received.warning_id, o)
            .await?;
    }
    Ok((StatusCode::CREATED, Json(received)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Detected at or after (epoch ms UTC); default: the last 24 hours.
    pub since: Option<i64>,
    /// Detected before (epoch ms UTC).
    pub until: Option<i64>,
    /// Only this level or more urgent.
    pub min_level: Option<u8>,
    /// A fraud-type code (`fake_investment` …, or its Chinese name), or `untyped`.
    pub fraud_type: Option<String>,
    /// `engine`, `national_push` or `manual`.
    pub source: Option<String>,
    /// A unit inside the caller's subtree (default: the caller's own).
    pub unit: Option<String>,
    /// `true`: only warnings whose instruction is open; `false`: only closed ones.
    pub open: Option<bool>,
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// Warnings routed inside the caller's subtree, newest first, personal data masked.
#[utoipa::path(get, path = "/api/v1/warnings", params(ListQuery),
    responses((status = 200, description = "A page of warnings", body = Object),
              (status = 400, description = "Unknown fraud type, source or level"),
              (status = 404, description = "The unit is outside the caller's subtree")))]
pub async fn list(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (_, scope) = state
        .narrowed_scope(&auth.principal.unit_code, q.unit.as_deref())
        .await?;
    if q.min_level.is_some_and(|l| !(1..=3).contains(&l)) {
        return Err(WebError::BadRequest("min_level must be 1, 2 or 3".into()));
    }
    let fraud_type = match q.fraud_type.as_deref() {
        None => None,
        Some(label) => Some(
            fraud_type_filter(label)
                .ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "unknown fraud type `{label}`; use a code such as fake_investment, or untyped"
                    ))
                })?
                .1,
        ),
    };
    if let Some(source) = q.source.as_deref() {
        if !SOURCES.contains(&source) {
            return Err(WebError::BadRequest(
                "source must be engine, national_push or manual".into(),
            ));
        }
    }
    let filter = WarningFilter {
        from_ms: Some(
            q.since
                .unwrap_or_else(|| state.clock.now_ms() - 24 * 3_600_000),
        ),
        to_ms: q.until,
        min_level: q.min_level,
        fraud_type,
        source: q.source,
        instruction_open: q.open,
        ..WarningFilter::default()
    };
    let page = state
        .store
        .warnings()
        .search(
            &scope,
            &filter,
            &PageRequest {
                after: q.after,
                limit: q.limit.unwrap_or(100),
            },
        )
        .await?;
    let items: Vec<_> = page.items.into_iter().map(masked).collect();
    Ok(Json(serde_json::json!({"items": items, "next": page.next})))
}

/// One warning with its evidence, personal data masked.
#[utoipa::path(get, path = "/api/v1/warnings/{id}",
    params(("id" = String, Path, description = "Warning id")),
    responses((status = 200, description = "The warning", body = Object),
              (status = 404, description = "Unknown, or outside the caller's subtree")))]
pub async fn get(
    auth: Require<ViewWarnings>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<StoredWarning>, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    Ok(Json(masked(state.store.warnings().get(&scope, &id).await?)))
}

pub fn masked(mut w: StoredWarning) -> StoredWarning {
    w.resident_id = w.resident_id.as_deref().map(mask_resident_id);
    w.msisdn = w.msisdn.as_deref().map(mask_phone);
    w
}
