//! `/api/v1/signals`: the feeds' signals over HTTPS, for systems that send them as they happen
//! but do not speak NATS — a telco's CDR adapter, a bank's transfer relay. The body is NDJSON,
//! one message per line in exactly the form the signal stream carries (docs/serving.md, "The
//! stream"); each line is decoded and checked like a message read from the stream, the good ones
//! are published to the stream in order, and the answer names every rejected line with its
//! reason. An operator liaison's system may send the signals of its own network (calls, SMS, app
//! installs, URL visits, new phone cards with a number of its network), a bank liaison's those
//! of its accounts (transfers, its new bank cards); the center any.

use crate::auth::permission::PublishSignals;
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use fanzha_core::event::{AccountNo, CardKind, Msisdn, Signal};
use fanzha_store::{NewAuditEntry, Operator, Role};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use utoipa::ToSchema;

/// Lines per request.
pub const MAX_SIGNALS_PER_PUSH: usize = 10_000;

/// A publication under way: the stream sequences of the first and last signal once stored.
pub type Publishing<'a> = Pin<Box<dyn Future<Output = Result<(u64, u64), WebError>> + Send + 'a>>;

/// Where accepted signals go: the signal stream (`fanzha serve` with a bus sets
/// [`BusIntake`]); a server without one refuses pushes with `bus_unavailable`.
pub trait SignalIntake: Send + Sync {
    /// Publishes the signals in order; the stream sequences of the first and last.
    fn publish(&self, signals: Vec<Signal>) -> Publishing<'_>;
}

/// The signal stream on NATS JetStream.
pub struct BusIntake(pub fanzha_bus::Bus);

impl SignalIntake for BusIntake {
    fn publish(&self, signals: Vec<Signal>) -> Publishing<'_> {
        Box::pin(async move {
            let done = self.0.publish_all(signals, |_| {}).await?;
            Ok((done.first_sequence.unwrap_or(0), done.last_sequence))
        })
    }
}

/// A line that was not taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignalRejection {
    /// 1-based line of the body.
    pub line: usize,
    /// A reason code of docs/reasons.md (`bad_json`, `unknown_signal_type`, `bad_field`,
    /// `out_of_range`, `bad_amount`, `message_too_large`, `signal_type_not_allowed`,
    /// `number_not_of_operator`, `account_not_of_bank`).
    pub reason: &'static str,
    /// What was wrong, without the line's values (they hold phone numbers).
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignalPushAnswer {
    /// Non-empty lines received.
    pub received: usize,
    /// Signals published to the stream.
    pub accepted: usize,
    pub rejected: Vec<SignalRejection>,
    /// Stream sequences of the first and last signal published (absent when none was).
    pub first_sequence: Option<u64>,
    pub last_sequence: Option<u64>,
}

/// Publishes a batch of signals (NDJSON, one stream message per line) to the signal stream.
#[utoipa::path(post, path = "/api/v1/signals",
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One signal per line, as the stream carries it: {\"type\":\"call\",\"ts\":1764543600000,\"caller\":8617012345678,\"callee\":8613800000001,\"duration_s\":300,\"caller_cell\":0}"),
    responses((status = 200, description = "Published; rejected lines named", body = SignalPushAnswer),
              (status = 400, description = "More than 10,000 lines, or a body that is not UTF-8"),
              (status = 403, description = "Not allowed to send signals"),
              (status = 503, description = "This server has no signal stream (bus_unavailable)")))]
pub async fn push(
    auth: Require<PublishSignals>,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<SignalPushAnswer>, WebError> {
    let Some(intake) = state.intake.clone() else {
        return Err(WebError::NoSignalStream);
    };
    let text = std::str::from_utf8(&body)
        .map_err(|e| WebError::BadRequest(format!("the body is not UTF-8 text: {e}")))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if lines.len() > MAX_SIGNALS_PER_PUSH {
        return Err(WebError::BadRequest(format!(
            "{} signals in one request; send at most {MAX_SIGNALS_PER_PUSH} per request",
            lines.len()
        )));
    }
    let p = &auth.principal;
    let mut signals = Vec::with_capacity(lines.len());
    let mut rejected = Vec::new();
    for &(line, text) in &lines {
        match fanzha_bus::decode(text.as_bytes()) {
            Ok(signal) => match may_send(p, &signal) {
                Ok(()) => signals.push(signal),
                Err(reason) => rejected.push(SignalRejection {
                    line,
                    reason,
                    detail: refusal(reason, &signal),
                }),
            },
            Err(e) => rejected.push(SignalRejection {
                line,
                reason: e.reason,
                detail: without_values(&e.detail),
            }),
        }
    }
    let accepted = signals.len();
    let sequences = if signals.is_empty() {
        None
    } else {
        Some(intake.publish(signals).await?)
    };
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: p.login.clone(),
            action: "signals_pushed".into(),
            target_type: "signal_stream".into(),
            target_id: None,
            unit_code: Some(p.unit_code.clone()),
            detail: serde_json::json!({
                "received": lines.len(),
                "accepted": accepted,
                "rejected": rejected.len(),
                "first_sequence": sequences.map(|s| s.0),
                "last_sequence": sequences.map(|s| s.1),
            }),
        })
        .await?;
    Ok(Json(SignalPushAnswer {
        received: lines.len(),
        accepted,
        rejected,
        first_sequence: sequences.map(|s| s.0),
        last_sequence: sequences.map(|s| s.1),
    }))
}

/// Whether the caller's institution sends this signal: an operator the phone network's that
/// touch its own network (by the numbers' segments); a bank its transfers and new bank cards that
/// touch its own accounts (by BIN); the center all. The refusal's reason code otherwise.
fn may_send(p: &Principal, signal: &Signal) -> Result<(), &'static str> {
    if p.has_role(Role::CenterAnalyst) || p.has_role(Role::Admin) {
        return Ok(());
    }
    let phone = matches!(
        signal,
        Signal::Call(_) | Signal::Sms(_) | Signal::AppInstall(_) | Signal::UrlVisit(_)
    ) || matches!(signal, Signal::CardOpening(c) if c.kind == CardKind::SimCard);
    if p.has_role(Role::OperatorLiaison) && phone {
        return match p.operator {
            Some(op) if touches_network(signal, op) => Ok(()),
            _ => Err("number_not_of_operator"),
        };
    }
    if p.has_role(Role::BankLiaison) {
        let own = |a: u64| {
            let bank = bank_of(AccountNo(a));
            bank.is_some() && bank == p.bank_code.as_deref()
        };
        match signal {
            Signal::Transfer(t) if own(t.from.0) || own(t.to.0) => return Ok(()),
            Signal::CardOpening(c) if c.kind == CardKind::BankCard && own(c.number) => {
                return Ok(())
            }
            Signal::Transfer(_) | Signal::CardOpening(_) => return Err("account_not_of_bank"),
            _ => {}
        }
    }
    Err("signal_type_not_allowed")
}

/// Whether a phone signal involves the operator's network: one of its numbers is on a mobile
/// segment of that network (a virtual operator's numbers count for the network it resells), or
/// none of them is on a mobile segment at all (fixed lines, service and overseas numbers: the
/// segments cannot say whose they are, so they are not refused). A number ported to another
/// network (携号转网) still counts for the network of its segment.
fn touches_network(signal: &Signal, op: Operator) -> bool {
    let numbers: [Option<u64>; 2] = match signal {
        Signal::Call(c) => [Some(c.caller.0), Some(c.callee.0)],
        Signal::Sms(m) => [Some(m.sender.0), Some(m.recipient.0)],
        Signal::AppInstall(a) => [Some(a.msisdn.0), None],
        Signal::UrlVisit(u) => [Some(u.msisdn.0), None],
        Signal::CardOpening(c) => [Some(c.number), None],
        _ => [None, None],
    };
    let networks = numbers.into_iter().flatten().map(|n| {
        fanzha_core::PhoneNumber::from_msisdn(Msisdn(n))
            .ok()
            .and_then(|p| p.carrier())
            .map(Operator::of_carrier)
    });
    let mut placed = false;
    for network in networks.flatten() {
        if network == op {
            return true;
        }
        placed = true;
    }
    !placed
}

/// The issuing bank's code of an account number, by its BIN (a number failing the Luhn check
/// still names its BIN: transfer records carry internal account numbers too).
fn bank_of(a: AccountNo) -> Option<&'static str> {
    let bin = match fanzha_core::BankCard::from_account_no(a) {
        Ok(card) => card.bin(),
        Err(fanzha_core::bank_card::BankCardError::BadLuhn { bin }) => bin,
        Err(_) => None,
    };
    bin.map(|b| &*b.bank_code)
}

fn refusal(reason: &str, signal: &Signal) -> String {
    let kind = fanzha_bus::codec::type_of(signal);
    if reason == "account_not_of_bank" {
        format!("a {kind} that touches no account of this account's bank")
    } else if reason == "number_not_of_operator" {
        format!("a {kind} whose numbers are all on other operators' networks")
    } else {
        format!("{kind} signals are not sent by this account's institution")
    }
}

/// The decoder's explanation with the values it quotes left out (`"13800000001"`,
/// `` `-5` ``) — a rejected line's numbers stay with the sender, not in answers that scripts
/// log — and the names it quotes kept (`` missing field `ts` ``).
fn without_values(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len());
    let mut quoted: Option<(char, String)> = None;
    for c in detail.chars() {
        match &mut quoted {
            Some((q, inside)) if c == *q => {
                let is_value = *q == '"' || inside.chars().any(|x| x.is_ascii_digit());
                out.push_str(if is_value { "…" } else { inside.as_str() });
                out.push(c);
                quoted = None;
            }
            Some((_, inside)) => inside.push(c),
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    quoted = Some((c, String::new()));
                }
            }
        }
    }
    if quoted.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn quoted_values_are_left_out_of_a_rejection() {
        assert_eq!(
            without_values(r#"invalid type: string "13800000001", expected u64 at line 1"#),
            r#"invalid type: string "…", expected u64 at line 1"#
        );
        assert_eq!(
            without_values("invalid value: integer `-5`, expected u32"),
            "invalid value: integer `…`, expected u32"
        );
        assert_eq!(without_values("missing field `ts`"), "missing field `ts`");
        assert_eq!(without_values(r#"cut "1380"#), r#"cut "…"#);
        assert_eq!(without_values("no quotes"), "no quotes");
    }
}
