//! `POST /api/v1/card-closures`: closure lists (销户名单) for machines. A bank's system pushes
//! the cards it closed, an operator's the numbers given up (`"kind": "sim_card"`), each
//! validated like a row of an uploaded list (rejected ones kept in the import run's
//! quarantine, masked). Listed cards are marked closed, and holders who open and close cards
//! again and again (频繁开销户) have their open cards screened again.

use super::new_cards::{field_of, list_hash, masked_raw};
use crate::auth::permission::ImportNewCards;
use crate::auth::Require;
use crate::card_closures::{closure_of_row, record_closures, ClosureList};
use crate::card_screening::{batch_label, issuer_view, kind_of, sender_code, sender_of};
use crate::error::WebError;
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use fanzha_ingest::card_closures::{ClosureChecker, ClosureFields};
use fanzha_store::QuarantineRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Closures per push.
pub const MAX_CLOSURES_PER_PUSH: usize = 10_000;
/// The import run's file name of a pushed list.
const RUN_FILE: &str = "api";

/// One closed card (or a number given up).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ClosureIn {
    /// The card number; a phone card's number (`number` is accepted too).
    #[serde(default, alias = "number")]
    pub card_no: String,
    /// The holder's 18-character resident ID number.
    #[serde(default)]
    pub resident_id: String,
    pub holder_name: Option<String>,
    /// RFC 3339, or the layouts of an uploaded list; without an offset Asia/Shanghai.
    #[serde(default)]
    pub closed_at: String,
    /// The opening date, when the issuer gives it (else the card's new-card list's is used).
    pub opened_at: Option<String>,
    /// The outlet (or shop) that closed it.
    pub outlet: Option<String>,
    pub bank_name: Option<String>,
}

/// An issuer's list of closed cards.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClosureListIn {
    /// `bank_card` or `sim_card`; by default the caller's own kind.
    pub kind: Option<String>,
    /// The list's label; the sender and today's date by default.
    pub batch: Option<String>,
    /// The sending bank's or operator's code, for the center; a liaison always sends their
    /// own.
    pub bank: Option<String>,
    /// At most 10,000 closures.
    pub closures: Vec<ClosureIn>,
}

/// A rejected closure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureRejection {
    /// Its index in `closures` (from 0).
    pub index: usize,
    /// The field to blame (`card_no`, `resident_id`, `holder_name`, `closed_at`, `opened_at`,
    /// `outlet`, `bank_name`, or `bank` when no issuer is known).
    pub field: &'static str,
    /// The reason code (docs/reasons.md).
    pub reason: &'static str,
}

/// What a push did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureListAnswer {
    pub import_run: i64,
    /// Closures new to the platform.
    pub received: i64,
    /// Closures received before (same card and closing time): nothing changed.
    pub listed_before: i64,
    /// Received closures of cards screened here (now marked closed).
    pub of_screened_cards: i64,
    /// Received closures within 90 days of the card's opening.
    pub short_lived: i64,
    /// Open cards of the holders screened again (frequent opening and closing); absent for a
    /// liaison (it would tell of the holder's cards at other issuers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescreened: Option<i64>,
    /// Of those, cards that went onto the review list; absent for a liaison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requeued: Option<i64>,
    pub rejected: Vec<ClosureRejection>,
}

/// Receives an issuer's closure list: each closure validated like a row of an uploaded list;
/// the good ones stored (a closure received before is not taken again), the rejected ones
/// answered by index and kept in the import run's quarantine.
#[utoipa::path(post, path = "/api/v1/card-closures", request_body = ClosureListIn,
    responses((status = 200, description = "Received", body = ClosureListAnswer),
              (status = 400, description = "More than 10,000 closures, or an unknown issuer"),
              (status = 403, description = "Not allowed to send lists")))]
pub async fn push(
    auth: Require<ImportNewCards>,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ClosureListIn>,
) -> Result<Json<ClosureListAnswer>, WebError> {
    if req.closures.len() > MAX_CLOSURES_PER_PUSH {
        return Err(WebError::BadRequest(format!(
            "{} closures in one request; send at most {MAX_CLOSURES_PER_PUSH} and split the list",
            req.closures.len()
        )));
    }
    let p = &auth.principal;
    let kind = kind_of(p, req.kind.as_deref())?;
    let named = sender_code(kind, req.bank.as_deref().unwrap_or(""))?;
    let sender = sender_of(p, named)?;
    let now = state.clock.now_ms();
    let batch = batch_label(req.batch.as_deref(), sender.as_deref(), now);
    let mut checker = ClosureChecker::new(kind, sender.as_deref(), now);
    let mut closures = Vec::with_capacity(req.closures.len());
    let mut lines = Vec::with_capacity(req.closures.len());
    let mut rejected = Vec::new();
    let mut quarantine = Vec::new();
    for (index, c) in req.closures.iter().enumerate() {
        let fields = ClosureFields {
            card: &c.card_no,
            resident_id: &c.resident_id,
            name: c.holder_name.as_deref().unwrap_or(""),
            opened_at: c.opened_at.as_deref().unwrap_or(""),
            closed_at: &c.closed_at,
            outlet: c.outlet.as_deref().unwrap_or(""),
            bank_name: c.bank_name.as_deref().unwrap_or(""),
        };
        match checker.check(&fields) {
            Ok(r) => {
                lines.push(index as u64 + 1);
                closures.push(closure_of_row(&r, &batch));
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
                rejected.push(ClosureRejection {
                    index,
                    field,
                    reason: why,
                });
            }
        }
    }
    let (run, done) = record_closures(
        &state,
        p,
        ClosureList {
            file: RUN_FILE,
            content_hash: list_hash(&req.closures),
            read: req.closures.len(),
            closures: &closures,
            lines: &lines,
            rejected: &quarantine,
        },
    )
    .await?;
    let police = !issuer_view(p);
    Ok(Json(ClosureListAnswer {
        import_run: run.0,
        received: done.received,
        listed_before: done.duplicates,
        of_screened_cards: done.listed,
        short_lived: done.short_lived,
        rescreened: police.then_some(done.rescreened),
        requeued: police.then_some(done.requeued),
        rejected,
    }))
}
