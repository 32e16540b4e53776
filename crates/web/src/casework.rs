//! Casework: opening cases (from a 已被骗 feedback, a form or an import), classifying their
//! narrative, taking in bank extracts, tracing the money and turning the holders into
//! stop-payment requests; protective stop-payments (保护性止付) asked straight from a warning
//! before any case; then the requests' life as banks answer.
//!
//! Orchestration only: classification is `fanzha-text`, tracing and the stop-payment rules are
//! `fanzha-trace`, persistence is the store.

use crate::error::WebError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use fanzha_core::event::TransferChannel;
use fanzha_core::Occupation;
use fanzha_store::{
    Case, CaseTransfer, NewAuditEntry, NewCase, NewProtectiveStop, NewStopPayment, Scope,
    StopPayment, StopPaymentUpdate, StoreError, StoredWarning, Viewer,
};
use fanzha_trace::result::{holdings, summary};
use fanzha_trace::stop_payment::{self, FailReason, Institution, StopPaymentRequest, Target};
use fanzha_trace::{Policy, TraceParams, Tracer, TransferBook};
use fanzha_workflow::{Event, InstructionView, Outcome};

/// What a new case needs besides who opens it.
#[derive(Clone, Debug, Default)]
pub struct CaseInput {
    pub resident_id: Option<String>,
    pub victim_name: Option<String>,
    pub victim_phone: Option<String>,
    /// Unit of the victim's residence (decides who sees the case).
    pub unit_code: String,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub narrative: String,
    pub source: String,
    /// The 110 / 96110 report number of an imported case: a number opens one case only.
    pub report_no: Option<String>,
    pub instruction_id: Option<String>,
    pub victim_account: Option<String>,
    pub named: serde_json::Value,
    /// The victim's occupation as stated (`None`: not stated; a public-sector victim is then
    /// public-sector staff).
    pub occupation: Option<Occupation>,
    /// What the report wrote when it named no category (with `Some(Other)`).
    pub occupation_text: Option<String>,
    /// The victim's employer as the report or form gives it (工作单位).
    pub employer: Option<String>,
}

/// What opening a case with a report number came to.
#[derive(Clone, Debug)]
pub enum Opened {
    New(Box<Case>),
    /// The report was opened before, as this case (identifiers only: it may lie in another
    /// unit's area).
    Duplicate {
        case_id: String,
        unit_code: String,
    },
}

/// `AJ20261205083012` and four digits from a counter that starts at a random place in each
/// process: ids made within one second by one process never clash (up to 10,000 of them — an
/// imported 110 export opens hundreds of cases a second; a random suffix alone clashed), and
/// two processes clash only if both the second and the counters meet.
pub(crate) fn new_id(prefix: &str, now_ms: i64) -> String {
    static NEXT: std::sync::OnceLock<std::sync::atomic::AtomicU32> = std::sync::OnceLock::new();
    let stamp = fanzha_core::time::shanghai_stamp(now_ms);
    let n = NEXT
        .get_or_init(|| std::sync::atomic::AtomicU32::new(rand::random::<u32>() % 10_000))
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        % 10_000;
    format!("{prefix}{stamp}{n:04}")
}

/// Opens a case: classifies the narrative, notes a public-sector victim's employer, links the
/// victim's warnings, audits. A report number opened before is a conflict.
pub async fn open_case(state: &AppState, login: &str, input: CaseInput) -> Result<Case, WebError> {
    let report_no = input.report_no.clone().unwrap_or_default();
    match open_case_once(state, login, input).await? {
        Opened::New(case) => Ok(*case),
        Opened::Duplicate { case_id, .. } => Err(WebError::Store(StoreError::Conflict {
            what: "case",
            detail: format!("report {report_no} was opened before as case {case_id}"),
        })),
    }
}

/// Opens a case unless its report number was opened before (then nothing changes). When the
/// victim's ID number is registered, the case takes the person's name, phone and employer and
/// is linked to the person's warnings. The occupation is the stated one; without one, a victim
/// paid from public funds (财政供养人员) is public-sector staff, anyone else unknown. A victim is
/// paid from public funds when registered so, or when the report states 公职人员 (财政供养人员,
/// 公务员…): the case then owes the employer notice (提示单), addressed to the employer the
/// report names, else the registered one.
pub async fn open_case_once(
    state: &AppState,
    login: &str,
    input: CaseInput,
) -> Result<Opened, WebError> {
    if let Some(no) = &input.report_no {
        if let Some((case_id, unit_code)) = state.store.cases().by_report_no(no).await? {
            return Ok(Opened::Duplicate { case_id, unit_code });
        }
    }
    let now = state.clock.now_ms();
    let prediction = fanzha_text::default_classifier().classify(&input.narrative);
    let person = match &input.resident_id {
        Some(rid) => state.store.people().get(&Scope::platform(), rid).await.ok(),
        None => None,
    };
    let id = new_id("AJ", now);
    let top_terms: Vec<serde_json::Value> = prediction
        .top_terms
        .iter()
        .take(8)
        .map(|t| serde_json::json!({"term": t.term, "weight": t.weight}))
        .collect();
    let public_sector = person.as_ref().is_some_and(|p| p.public_sector)
        || input.occupation == Some(Occupation::PublicSector);
    let occupation = input
        .occupation
        .or_else(|| public_sector.then_some(Occupation::PublicSector));
    let new = NewCase {
        id: id.clone(),
        occupation,
        occupation_text: input
            .occupation_text
            .filter(|_| occupation == Some(Occupation::Other)),
        victim_name: input
            .victim_name
            .or_else(|| person.as_ref().map(|p| p.name.clone())),
        victim_phone: input
            .victim_phone
            .or_else(|| person.as_ref().and_then(|p| p.phone.clone())),
        public_sector,
        employer: input
            .employer
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .or_else(|| person.as_ref().and_then(|p| p.employer.clone())),
        resident_id: input.resident_id,
        unit_code: input.unit_code.clone(),
        reported_at: input.reported_at,
        loss_fen: input.loss_fen,
        narrative: input.narrative,
        fraud_type: prediction
            .fraud_type
            .is_fraud()
            .then(|| prediction.fraud_type.code().to_string()),
        type_score: (f64::from(prediction.score) * 1000.0).round() as i64,
        top_terms: serde_json::Value::Array(top_terms),
        source: input.source,
        report_no: input.report_no,
        instruction_id: input.instruction_id,
        victim_account: input.victim_account,
        named: input.named,
        created_by: login.to_string(),
        created_at: now,
    };
    if !state.store.cases().create(&new).await? {
        // Opened meanwhile by a concurrent import of the same report.
        let no = new.report_no.as_deref().unwrap_or_default();
        if let Some((case_id, unit_code)) = state.store.cases().by_report_no(no).await? {
            return Ok(Opened::Duplicate { case_id, unit_code });
        }
        return Err(WebError::Store(StoreError::Conflict {
            what: "case",
            detail: format!("case {id} could not be stored"),
        }));
    }
    let mut warnings = 0;
    let mut protective_stops = 0;
    if let Some(p) = &person {
        let ids: Vec<String> = state
            .store
            .warnings()
            .for_resident(&Scope::platform(), &p.resident_id)
            .await?
            .into_iter()
            .map(|w| w.id)
            .collect();
        warnings = state.store.cases().link_warnings(&id, &ids).await?;
        protective_stops = state
            .store
            .stop_payments()
            .attach_to_case(&id, &ids)
            .await?;
    }
    audit(
        state,
        login,
        "case_opened",
        "case",
        &id,
        &input.unit_code,
        serde_json::json!({
            "source": new.source,
            "loss_fen": new.loss_fen,
            "report_no": new.report_no,
            "occupation": new.occupation.map(Occupation::code),
            "warnings": warnings,
            "protective_stops": protective_stops,
        }),
    )
    .await?;
    let case = state.store.cases().get(&Scope::platform(), &id).await?;
    // 接警即止付: a fresh report's named accounts are asked for at once (audited on its own).
    if crate::intake_stops::is_fresh(case.reported_at, now) {
        crate::intake_stops::request_intake_stops(state, login, &case).await?;
    }
    Ok(Opened::New(Box::new(case)))
}

/// After officers acted on an instruction: a 已被骗 feedback opens a case (once).
pub async fn after_instruction_change(
    state: &AppState,
    login: &str,
    view: &InstructionView,
    new_events: usize,
) -> Result<Option<Case>, WebError> {
    let recent: &[Event] = &view.events[view.events.len().saturating_sub(new_events)..];
    let loss = recent.iter().find_map(|e| match &e.action {
        fanzha_workflow::Action::OutcomeRecorded {
            outcome: Outcome::Defrauded { loss_fen },
            ..
        } => Some((*loss_fen, e.note.clone(), e.at_ms)),
        _ => None,
    });
    let Some((loss_fen, note, at)) = loss else {
        return Ok(None);
    };
    if state
        .store
        .cases()
        .for_instruction(&view.stored.id)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let narrative = note.unwrap_or_else(|| {
        format!(
            "预警指令{}反馈：当事人已被骗，损失{}。",
            view.stored.id,
            crate::pages::view::yuan(loss_fen)
        )
    });
    let case = open_case(
        state,
        login,
        CaseInput {
            resident_id: view.stored.resident_id.clone(),
            unit_code: view.stored.owner_unit.clone(),
            reported_at: at,
            loss_fen,
            narrative,
            source: "outcome".into(),
            instruction_id: Some(view.stored.id.clone()),
            named: serde_json::json!({}),
            ..CaseInput::default()
        },
    )
    .await?;
    Ok(Some(case))
}

fn channel_name(c: TransferChannel) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "bank".into())
}

fn channel_of(name: &str) -> TransferChannel {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .unwrap_or(TransferChannel::Bank)
}

/// Reads a bank extract (CSV or XLSX, with each bank's column aliases) into the case.
/// Returns (transfers taken in, rows rejected with their reasons).
pub async fn take_in_extract(
    state: &AppState,
    login: &str,
    case: &Case,
    file_name: &str,
    bytes: &[u8],
) -> Result<(usize, Vec<String>), WebError> {
    // The extract reader works on files (CSV, CSV.gz, XLSX by extension).
    let ext = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("csv")
        .to_ascii_lowercase();
    let path = std::env::temp_dir().join(format!(
        "fanzha-extract-{}-{}.{ext}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::write(&path, bytes).map_err(|e| WebError::Export(e.to_string()))?;
    let columns = fanzha_trace::io::columns::Columns::builtin()
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let read = fanzha_trace::io::extract::read_extract(&path, &columns);
    let _ = std::fs::remove_file(&path);
    let extract = read.map_err(|e| WebError::BadRequest(format!("{file_name}: {e}")))?;
    let rejected: Vec<String> = extract
        .rejected
        .iter()
        .map(|r| format!("{file_name}:{} {} {}", r.line, r.reason, r.detail))
        .collect();
    let rows: Vec<CaseTransfer> = extract
        .transfers
        .into_iter()
        .map(|t| CaseTransfer {
            txn_id: t.txn_id,
            from_account: t.from,
            to_account: t.to,
            at: t.ts,
            amount_fen: t.amount_fen,
            channel: channel_name(t.channel),
            source_file: Some(file_name.to_string()),
        })
        .collect();
    let n = state.store.cases().add_transfers(&case.id, &rows).await?;
    audit(
        state,
        login,
        "case_extract_imported",
        "case",
        &case.id,
        &case.unit_code,
        serde_json::json!({"file": file_name, "transfers": n, "rejected": rejected.len()}),
    )
    .await?;
    Ok((n, rejected))
}

/// What a trace found and requested.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TraceOutcome {
    pub traced_fen: i64,
    pub held_fen: i64,
    pub cashed_out_fen: i64,
    pub holders: usize,
    pub max_hop: u32,
    pub new_requests: usize,
}

/// Traces the victim's money through the case's transfers (FIFO, 6 hops, from the report's
/// loss) and requests a stop on every account still holding some.
pub async fn trace_case(
    state: &AppState,
    login: &str,
    case: &Case,
) -> Result<TraceOutcome, WebError> {
    let victim = case
        .victim_account
        .clone()
        .ok_or_else(|| WebError::BadRequest("give the victim's account first".into()))?;
    let transfers = state
        .store
        .cases()
        .transfers(&Scope::platform(), &case.id)
        .await?;
    // One `add` per extract: the book keeps a transfer once when both banks' extracts show it,
    // and identical rows within one extract apart. Transfers taken in without a file (from the
    // report itself) form one extract of their own. Extracts in the order they were taken in.
    let mut extracts: Vec<(Option<&str>, Vec<&fanzha_store::CaseTransfer>)> = Vec::new();
    for t in &transfers {
        let file = t.source_file.as_deref();
        match extracts.iter_mut().find(|(f, _)| *f == file) {
            Some((_, rows)) => rows.push(t),
            None => extracts.push((file, vec![t])),
        }
    }
    let mut book = TransferBook::new();
    for (_, rows) in &extracts {
        book.add(rows.iter().map(|t| fanzha_trace::book::RawTransfer {
            txn_id: t.txn_id.clone(),
            from: t.from_account.clone(),
            to: t.to_account.clone(),
            ts: t.at,
            amount_fen: t.amount_fen,
            channel: channel_of(&t.channel),
        }));
    }
    let graph = book
        .graph()
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let victim_ix = book
        .index_of(&victim)
        .filter(|&v| !graph.out_edges(v).is_empty())
        .ok_or_else(|| {
            WebError::BadRequest(
                "no transfer leaves the victim's account in the extracts taken in".into(),
            )
        })?;
    let since = transfers
        .iter()
        .filter(|t| t.from_account == victim)
        .map(|t| t.at)
        .min()
        .unwrap_or(case.reported_at);
    let params = TraceParams {
        victim: victim_ix,
        since,
        claim_fen: (case.loss_fen > 0).then_some(case.loss_fen),
        hop_limit: 6,
        policy: Policy::Fifo,
    };
    let tracer = Tracer::trace(&graph, params).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let s = summary(&tracer);
    let targets: Vec<Target> = holdings(&tracer)
        .iter()
        .filter(|h| !h.is_victim && h.held_fen > 0)
        .map(|h| Target {
            account: book.account(h.account).to_string(),
            held_fen: h.held_fen,
            via_third_party: h.via_third_party,
        })
        .collect();
    let now = state.clock.now_ms();
    let reported: DateTime<Utc> = DateTime::from_timestamp_millis(now).unwrap_or_default();
    let mut requests = Vec::new();
    for batch in stop_payment::plan(reported, &targets) {
        for r in batch.requests {
            let bank_code = match &r.institution {
                Institution::Bank { code, .. } => Some(code.clone()),
                _ => None,
            };
            requests.push(NewStopPayment {
                id: new_id("ZF", now),
                case_id: case.id.clone(),
                unit_code: case.unit_code.clone(),
                account: r.account.clone(),
                bank_code,
                institution: serde_json::to_value(&r.institution).unwrap_or_default(),
                requested_fen: r.requested_fen,
                requested_at: now,
                deadline: r.deadline.timestamp_millis(),
                detail: serde_json::to_value(&r).unwrap_or_default(),
                reason: None,
                requested_by: None,
            });
        }
    }
    let new_requests = state.store.stop_payments().create_many(&requests).await?;
    audit(
        state,
        login,
        "case_traced",
        "case",
        &case.id,
        &case.unit_code,
        serde_json::json!({"held_fen": s.held_fen, "holders": s.holders, "new_requests": new_requests}),
    )
    .await?;
    Ok(TraceOutcome {
        traced_fen: s.traced_fen,
        held_fen: s.held_fen,
        cashed_out_fen: s.cashed_out_fen,
        holders: s.holders,
        max_hop: s.max_hop,
        new_requests,
    })
}

/// What an analyst asks for in a protective stop-payment.
#[derive(Clone, Debug)]
pub struct ProtectiveStopInput {
    /// The suspect account's card number as typed.
    pub account: String,
    pub amount_fen: i64,
    pub reason: String,
    /// The bank holding the account, when the platform named it: lets a corporate or other
    /// account that is no card (no Luhn digit, no BIN) be stopped. A card's BIN wins.
    pub bank_code: Option<String>,
}

/// Asks the suspect account's bank to hold money at once, straight from a warning (保护性止付):
/// the card number must pass Luhn and its BIN must name a bank, which then sees the request in
/// its queue with the 30-minute deadline. Audited with the account masked.
pub async fn request_protective_stop(
    state: &AppState,
    login: &str,
    warning: &StoredWarning,
    input: ProtectiveStopInput,
) -> Result<StopPayment, WebError> {
    let (account, bank_code, bank_name) = stop_account(&input.account, input.bank_code.as_deref())?;
    if input.amount_fen <= 0 {
        return Err(WebError::BadRequest(
            "amount: 止付金额须大于零 / the amount to hold must be positive".into(),
        ));
    }
    let reason: String = input.reason.trim().chars().take(500).collect();
    if reason.is_empty() {
        return Err(WebError::BadRequest(
            "reason: 请填写止付事由 / give the reason".into(),
        ));
    }
    let institution = Institution::Bank {
        code: bank_code.clone(),
        name: bank_name,
    };
    let now = state.clock.now_ms();
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(now).unwrap_or_default();
    let request =
        StopPaymentRequest::new(account.clone(), institution.clone(), input.amount_fen, at);
    let id = new_id("BH", now);
    state
        .store
        .stop_payments()
        .create_protective(&NewProtectiveStop {
            id: id.clone(),
            warning_id: warning.id.clone(),
            instruction_id: warning.instruction_id.clone(),
            resident_id: warning.resident_id.clone(),
            unit_code: warning.unit_code.clone(),
            account: account.clone(),
            bank_code: Some(bank_code.clone()),
            institution: serde_json::to_value(&institution).unwrap_or_default(),
            requested_fen: input.amount_fen,
            requested_at: now,
            deadline: request.deadline.timestamp_millis(),
            reason: reason.clone(),
            requested_by: login.to_string(),
            detail: serde_json::to_value(&request).unwrap_or_default(),
        })
        .await?;
    audit(
        state,
        login,
        "protective_stop_requested",
        "stop_payment",
        &id,
        &warning.unit_code,
        serde_json::json!({
            "warning_id": warning.id,
            "instruction_id": warning.instruction_id,
            "account": fanzha_core::mask::mask_card(&account),
            "bank_code": bank_code,
            "requested_fen": input.amount_fen,
        }),
    )
    .await?;
    Ok(state
        .store
        .stop_payments()
        .get(&Viewer::Police(Scope::platform()), &id)
        .await?)
}

/// The account to stop and its bank (code, name): a card whose BIN names its bank, or — when
/// the bank is named — any account of 6 to 40 letters and digits (spaces and dashes dropped).
fn stop_account(
    typed: &str,
    bank_code: Option<&str>,
) -> Result<(String, String, String), WebError> {
    let card = fanzha_core::BankCard::parse_normalised(typed);
    if let Some(bin) = card.as_ref().ok().and_then(|c| c.bin()) {
        let number = card
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        return Ok((number, bin.bank_code.to_string(), bin.bank_name.to_string()));
    }
    let Some(code) = bank_code.filter(|c| !c.trim().is_empty()) else {
        return Err(match card {
            Err(e) => WebError::BadRequest(format!("account: {e}")),
            Ok(_) => WebError::BadRequest(
                "account: 卡号发卡行未知 / the card's BIN names no known bank".into(),
            ),
        });
    };
    let bank = fanzha_core::reference::bank_bins()
        .bank(code.trim())
        .ok_or_else(|| WebError::BadRequest(format!("bank: unknown bank code `{code}`")))?;
    let account = fanzha_core::bank_card::compact_account(typed);
    if !fanzha_core::bank_card::valid_account(&account) {
        return Err(WebError::BadRequest(
            "account: 账号须为6至40位字母或数字 / 6 to 40 letters and digits".into(),
        ));
    }
    Ok((account, bank.code.to_string(), bank.name.to_string()))
}

/// What a bank liaison or an analyst does with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopAction {
    /// The bank holds this much.
    Held {
        amount_fen: i64,
    },
    Failed {
        reason: FailReason,
    },
    Renew,
    Freeze,
    RenewFreeze,
    Lapse,
    Return,
}

/// Applies an action under the trace crate's rules and stores it (optimistic concurrency).
pub async fn act_on_stop_payment(
    state: &AppState,
    login: &str,
    viewer: &Viewer,
    id: &str,
    action: StopAction,
) -> Result<StopPayment, WebError> {
    let current = state.store.stop_payments().get(viewer, id).await?;
    let mut request: StopPaymentRequest = serde_json::from_value(current.detail.clone())
        .map_err(|e| WebError::Export(format!("stored stop-payment unreadable: {e}")))?;
    let now = state.clock.now_ms();
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(now).unwrap_or_default();
    let result = match &action {
        StopAction::Held { amount_fen } => request.confirm_held(at, *amount_fen),
        StopAction::Failed { reason } => request.fail(at, reason.clone()),
        StopAction::Renew => request.renew(at),
        StopAction::Freeze => request.freeze(at),
        StopAction::RenewFreeze => request.renew_freeze(at),
        StopAction::Lapse => request.lapse(at),
        StopAction::Return => request.mark_returned(at),
    };
    result.map_err(|e| WebError::BadRequest(e.to_string()))?;
    let held_fen = match &request.state {
        stop_payment::StopState::Held { amount_fen, .. }
        | stop_payment::StopState::Frozen { amount_fen, .. }
        | stop_payment::StopState::Lapsed { amount_fen, .. }
        | stop_payment::StopState::Returned { amount_fen, .. } => *amount_fen,
        _ => 0,
    };
    let executed_at =
        matches!(action, StopAction::Held { .. } | StopAction::Failed { .. }).then_some(now);
    state
        .store
        .stop_payments()
        .update(
            viewer,
            id,
            current.version,
            &StopPaymentUpdate {
                state: request.state.name().to_string(),
                held_fen,
                executed_at,
                detail: serde_json::to_value(&request).unwrap_or_default(),
                at: now,
            },
        )
        .await?;
    audit(
        state,
        login,
        &format!("stop_payment_{}", request.state.name()),
        "stop_payment",
        id,
        &current.unit_code,
        serde_json::json!({
            "case_id": current.case_id,
            "warning_id": current.warning_id,
            "held_fen": held_fen,
        }),
    )
    .await?;
    Ok(state.store.stop_payments().get(viewer, id).await?)
}

pub(crate) async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    target_type: &str,
    target_id: &str,
    unit_code: &str,
    detail: serde_json::Value,
) -> Result<(), WebError> {
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: actor.to_string(),
            action: action.to_string(),
            target_type: target_type.to_string(),
            target_id: Some(target_id.to_string()),
            unit_code: Some(unit_code.to_string()),
            detail,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::new_id;
    use std::collections::HashSet;

    #[test]
    fn ids_made_in_the_same_second_never_clash() {
        let now = 1_764_900_000_000;
        let ids: HashSet<String> = (0..10_000).map(|_| new_id("AJ", now)).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.starts_with("AJ2025") && id.len() == 2 + 14 + 4));
    }
}
