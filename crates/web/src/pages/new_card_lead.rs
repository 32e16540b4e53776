//! 下发落地核查 from new-card screening: a center analyst sends a flagged card down as a two-card
//! lead (两卡线索, source 中心研判) to the unit of the holder's residence, which checks on the
//! ground whether the holder lent or sold it. The lead's result comes back into screening (a
//! holder found lending or selling flags their next cards), so screening, checking and the
//! next list close one loop. A card is sent once: the lead's batch names the card.

use crate::auth::permission::{ImportTwoCardLeads, Permission};
use crate::auth::Require;
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_store::{
    CardKind, LeadFilter, LeadKind, LeadSource, NewTwoCardLead, PageRequest, Scope, ScreenedCard,
    TwoCardLead, Viewer,
};

/// Days the holder's unit has to check a lead sent from screening.
pub const CHECK_DAYS: i64 = 7;

/// The batch a card's lead is sent in: one per card, so sending again adds nothing.
pub fn batch_of(card_id: i64) -> String {
    format!("新开卡审查 #{card_id}")
}

/// The leads sent for card `card_id` that the scope reads (the newest first).
pub async fn leads_of(
    state: &AppState,
    scope: &Scope,
    card_id: i64,
) -> Result<Vec<TwoCardLead>, WebError> {
    let filter = LeadFilter {
        batch: Some(batch_of(card_id)),
        ..LeadFilter::default()
    };
    Ok(state
        .store
        .two_card_leads()
        .list(
            scope,
            &filter,
            &PageRequest::first(10),
            state.clock.now_ms(),
        )
        .await?
        .items)
}

/// The lead a card becomes: its number, holder and the screening's reasons.
fn lead_of(card: &ScreenedCard) -> NewTwoCardLead {
    let reasons: Vec<String> = card.findings.iter().map(|f| f.describe_zh()).collect();
    NewTwoCardLead {
        kind: match card.kind {
            CardKind::BankCard => LeadKind::BankCard,
            CardKind::SimCard => LeadKind::Sim,
        },
        number: card.account_no.clone(),
        resident_id: card.resident_id.clone(),
        holder_name: card.holder_name.clone(),
        reason: if reasons.is_empty() {
            "新开卡审查".to_string()
        } else {
            format!("新开卡审查：{}", reasons.join("；"))
        },
        source: LeadSource::Center,
        batch: batch_of(card.id),
        upstream_id: String::new(),
        place: String::new(),
    }
}

/// `POST /card-screening/{id}/lead`: sends the card of one's area down as a two-card lead to
/// the holder's unit, due in [`CHECK_DAYS`] days (audited as an import of leads); a card sent
/// before is not sent again. Answers with the card page.
pub async fn send(
    auth: Require<ImportTwoCardLeads>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let card = state
        .store
        .new_cards()
        .get(&Viewer::Police(scope.clone()), id)
        .await?;
    state
        .store
        .two_card_leads()
        .import(
            &scope,
            &p.unit_code,
            &[lead_of(&card)],
            &p.login,
            state.clock.now_ms(),
            CHECK_DAYS,
        )
        .await?;
    let to = format!("/card-screening/{id}");
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::OK).into_response());
    }
    Ok(Redirect::to(&to).into_response())
}

/// Whether the principal may send cards down as leads (the button on the card page).
pub fn can_send(p: &crate::auth::principal::Principal) -> bool {
    ImportTwoCardLeads::allows(p)
}
