//! `POST /api/v1/cases`: the 110 platform sends a fraud report as it is taken (接警即止付). The
//! report is validated like a row of an imported export (`fanzha_ingest::reports`), placed in a
//! unit by the same rules and opened once per report number; a fresh report's named bank cards
//! are asked to stop at once ([`crate::intake_stops`]), and the answer says which accounts were
//! asked for and why the others were not, so the platform can tell the caller at once.

use crate::auth::permission::ManageCases;
use crate::auth::Require;
use crate::case_import::{open_report, ReportOutcome};
use crate::error::WebError;
use crate::extract::JsonBody;
use crate::intake_stops::{case_requests, status_of_named};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use fanzha_core::mask::mask_card;
use fanzha_ingest::reports::{validate_report, ReportField};
use fanzha_store::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One report as the 110 platform takes it. Required: `report_no`, `reported_at`, `loss_fen`
/// (may be 0), `narrative`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReportIn {
    /// 警情编号: a report number opens one case only (sending it again answers the case).
    #[serde(default)]
    pub report_no: String,
    /// RFC 3339, or an export's layouts (`2026-03-01 10:30`, `2026年3月1日 10时30分`); without
    /// an offset Asia/Shanghai.
    #[serde(default)]
    pub reported_at: String,
    /// The loss in fen.
    pub loss_fen: Option<i64>,
    #[serde(default)]
    pub narrative: String,
    pub victim_name: Option<String>,
    /// The victim's 18-character resident ID number.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// The numbers that called the victim.
    #[serde(default)]
    pub suspect_phones: Vec<String>,
    /// The accounts the victim paid into: bank cards are asked to stop at once.
    #[serde(default)]
    pub suspect_accounts: Vec<String>,
    /// Apps and URLs the victim named.
    #[serde(default)]
    pub apps_or_urls: Vec<String>,
    /// The unit that takes the case (code or exact name); by default the victim's registered
    /// residence when it lies in the sender's area, else the sender's unit.
    pub unit: Option<String>,
    /// The victim's own account (the trace's start).
    pub victim_account: Option<String>,
    pub occupation: Option<String>,
    pub employer: Option<String>,
    /// The online order a fake customer-service caller knew (docs/leak-sources.md): platform
    /// (淘宝, 京东, …), shop, courier (中通, …), outlet (needs its courier), the order's date,
    /// and what the caller knew of it (`订单号`, `收件人姓名`, `手机号`, `收货地址`, `快递单号`,
    /// `商品信息`, `订单金额`, or their codes `order_no` … `amount`).
    pub platform: Option<String>,
    pub shop: Option<String>,
    pub courier: Option<String>,
    pub outlet: Option<String>,
    pub ordered_on: Option<String>,
    #[serde(default)]
    pub order_known: Vec<String>,
}

impl CaseReportIn {
    fn field(&self, f: ReportField) -> String {
        let one = |v: &Option<String>| v.clone().unwrap_or_default();
        // Lists are joined as an export's cell would hold them.
        let list = |v: &[String]| v.join("、");
        match f {
            ReportField::ReportNo => self.report_no.clone(),
            ReportField::ReportedAt => self.reported_at.clone(),
            ReportField::Loss => self.loss_fen.map(yuan_text).unwrap_or_default(),
            ReportField::Narrative => self.narrative.clone(),
            ReportField::VictimName => one(&self.victim_name),
            ReportField::IdNumber => one(&self.id_number),
            ReportField::Phone => one(&self.phone),
            ReportField::SuspectPhone => list(&self.suspect_phones),
            ReportField::SuspectAccount => list(&self.suspect_accounts),
            ReportField::AppOrUrl => list(&self.apps_or_urls),
            ReportField::Unit => one(&self.unit),
            ReportField::VictimAccount => one(&self.victim_account),
            ReportField::Occupation => one(&self.occupation),
            ReportField::Employer => one(&self.employer),
            ReportField::Platform => one(&self.platform),
            ReportField::Shop => one(&self.shop),
            ReportField::Courier => one(&self.courier),
            ReportField::Outlet => one(&self.outlet),
            ReportField::OrderedOn => one(&self.ordered_on),
            ReportField::OrderKnown => list(&self.order_known),
        }
    }
}

/// Fen as the yuan text an export would hold (`-12.05`, `300.00`): the row validator reads it
/// back exactly.
fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A named account and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedAccountOut {
    /// Masked.
    pub account: String,
    pub bank: Option<String>,
    /// The stop-payment request, once asked (`requested` with its 30-minute deadline).
    pub request_id: Option<String>,
    pub request_state: Option<String>,
    /// Why none was asked: `not_a_card`, `unknown_bank`, `no_loss`, `not_asked` (a report
    /// older than 24 hours: the case page asks by hand).
    pub skipped: Option<String>,
}

/// The case the report opened (or had opened).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReportAnswer {
    /// `None` for a report opened before by a unit outside the sender's area.
    pub case_id: Option<String>,
    pub unit_code: Option<String>,
    /// The report number had been opened before: nothing changed.
    pub duplicate: bool,
    /// The fraud type the narrative reads as (`fake_customer_service`, …).
    pub fraud_type: Option<String>,
    pub named_accounts: Vec<NamedAccountOut>,
}

#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseReportIn,
    responses((status = 201, description = "Case opened; named bank cards asked to stop", body = CaseReportAnswer),
              (status = 200, description = "The report was opened before (nothing changed)", body = CaseReportAnswer),
              (status = 400, description = "A field is missing or invalid (`field: reason`), or the unit cannot take the case"),
              (status = 403, description = "Not allowed to open cases")))]
pub async fn push(
    auth: Require<ManageCases>,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<CaseReportIn>,
) -> Result<(StatusCode, Json<CaseReportAnswer>), WebError> {
    if req.loss_fen.is_none() {
        return Err(WebError::BadRequest("loss_fen: empty_required".into()));
    }
    let report = validate_report(&|f| req.field(f)).map_err(|(field, reason)| {
        WebError::BadRequest(format!("{}: {reason}", api_name(field)))
    })?;
    let importer = state.store.units().get(&auth.principal.unit_code).await?;
    let outcome = open_report(&state, &auth.principal.login, &importer, report).await?;
    let (status, case_id, duplicate) = match outcome {
        ReportOutcome::Opened { case_id, .. } => (StatusCode::CREATED, Some(case_id), false),
        ReportOutcome::Duplicate { case_id } => (StatusCode::OK, case_id, true),
        ReportOutcome::Rejected { column, reason } => {
            return Err(WebError::BadRequest(format!("{column}: {reason}")))
        }
    };
    let Some(case_id) = case_id else {
        return Ok((status, Json(CaseReportAnswer::unseen())));
    };
    let case = state
        .store
        .cases()
        .get(&Scope::platform(), &case_id)
        .await?;
    let requests = case_requests(&state, &case.id).await?;
    let named_accounts = status_of_named(&case, &requests)
        .into_iter()
        .map(|a| NamedAccountOut {
            account: mask_card(&a.account),
            bank: a.bank_name,
            request_id: a.request_id,
            request_state: a.request_state,
            skipped: a.skipped.map(str::to_string),
        })
        .collect();
    Ok((
        status,
        Json(CaseReportAnswer {
            unit_code: Some(case.unit_code),
            fraud_type: case.fraud_type,
            case_id: Some(case.id),
            duplicate,
            named_accounts,
        }),
    ))
}

impl CaseReportAnswer {
    /// A duplicate of another area's case: its existence only.
    fn unseen() -> Self {
        CaseReportAnswer {
            case_id: None,
            unit_code: None,
            duplicate: true,
            fraud_type: None,
            named_accounts: Vec::new(),
        }
    }
}

/// The request body's name of a report field, for error messages.
fn api_name(f: ReportField) -> &'static str {
    match f {
        ReportField::ReportNo => "report_no",
        ReportField::ReportedAt => "reported_at",
        ReportField::Loss => "loss_fen",
        ReportField::Narrative => "narrative",
        ReportField::VictimName => "victim_name",
        ReportField::IdNumber => "id_number",
        ReportField::Phone => "phone",
        ReportField::SuspectPhone => "suspect_phones",
        ReportField::SuspectAccount => "suspect_accounts",
        ReportField::AppOrUrl => "apps_or_urls",
        ReportField::Unit => "unit",
        ReportField::VictimAccount => "victim_account",
        ReportField::Occupation => "occupation",
        ReportField::Employer => "employer",
        ReportField::Platform => "platform",
        ReportField::Shop => "shop",
        ReportField::Courier => "courier",
        ReportField::Outlet => "outlet",
        ReportField::OrderedOn => "ordered_on",
        ReportField::OrderKnown => "order_known",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_reads_back_exactly_as_yuan() {
        for fen in [0, 1, 5, 99, 100, 1_005, 123_456_789, -1, -1_205] {
            let money = fanzha_core::Money::parse(&yuan_text(fen)).expect("yuan text parses");
            assert_eq!(money.fen(), fen, "{}", yuan_text(fen));
        }
    }

    #[test]
    fn a_report_in_fields_is_validated_like_an_export_row() {
        let req = CaseReportIn {
            report_no: "J2026120700001".into(),
            reported_at: "2026-12-07 09:30".into(),
            loss_fen: Some(1_234_500),
            narrative: "对方自称客服，称需注销百万保障，受害人转账。".into(),
            suspect_accounts: vec!["6222 0212 3456 7890 128".replace(' ', ""), "zfb_abc".into()],
            suspect_phones: vec!["13800138000".into()],
            ..CaseReportIn::default()
        };
        let r = validate_report(&|f| req.field(f)).expect("valid");
        assert_eq!(r.loss_fen, 1_234_500);
        assert_eq!(r.report_no, "J2026120700001");
        assert_eq!(r.suspect_accounts.len(), 2);
        assert_eq!(r.suspect_phones.len(), 1);
        let bad = CaseReportIn {
            id_number: Some("110101199003070000".into()),
            ..req
        };
        let (field, _) = validate_report(&|f| bad.field(f)).expect_err("bad ID number");
        assert_eq!(api_name(field), "id_number");
    }
}
