//! A signal as a message: the JSON object serde writes for [`Signal`] (tagged by `type`), one
//! message per signal. Feeds outside fanzha (a telco's CDR adapter, a bank's transfer relay)
//! publish the same objects; docs/serving.md lists their fields.
//!
//! Decoding checks what the types alone do not: the event time lies in a plausible range and a
//! transfer's amount is positive. A message that fails gets a reason code (docs/reasons.md) so
//! the reader can quarantine it instead of dropping it.

use fanzha_core::event::Signal;
use serde_json::Value;

/// Largest payload read: a signal is a few hundred bytes; anything far larger is not one.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in epoch milliseconds: event times outside are
/// unit mix-ups (seconds for milliseconds) or garbage.
const EARLIEST_TS: i64 = 946_684_800_000;
const LATEST_TS: i64 = 4_102_444_800_000;

/// The `type` tags serde gives the signal kinds, in [`Signal`]'s order.
pub const SIGNAL_TYPES: [&str; 8] = [
    "call",
    "sms",
    "app_install",
    "url_visit",
    "transfer",
    "card_opening",
    "national_push",
    "number_listed",
];

/// Why a message is not a signal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct DecodeError {
    /// A reason code of docs/reasons.md: `message_too_large`, `bad_json`, `unknown_signal_type`,
    /// `bad_field`, `out_of_range`, `bad_amount`.
    pub reason: &'static str,
    pub detail: String,
}

impl DecodeError {
    fn new(reason: &'static str, detail: impl Into<String>) -> DecodeError {
        DecodeError {
            reason,
            detail: detail.into(),
        }
    }
}

/// The message body of a signal.
pub fn encode(signal: &Signal) -> Vec<u8> {
    // Serialising these plain structs cannot fail (no maps with non-string keys, no I/O).
    serde_json::to_vec(signal).unwrap_or_default()
}

/// The `type` tag of a signal, which is also the last token of its subject.
pub fn type_of(signal: &Signal) -> &'static str {
    match signal {
        Signal::Call(_) => SIGNAL_TYPES[0],
        Signal::Sms(_) => SIGNAL_TYPES[1],
        Signal::AppInstall(_) => SIGNAL_TYPES[2],
        Signal::UrlVisit(_) => SIGNAL_TYPES[3],
        Signal::Transfer(_) => SIGNAL_TYPES[4],
        Signal::CardOpening(_) => SIGNAL_TYPES[5],
        Signal::NationalPush(_) => SIGNAL_TYPES[6],
        Signal::NumberListed(_) => SIGNAL_TYPES[7],
    }
}

/// Why a body that is not a signal is not one: not JSON, no known `type`, or a bad field.
fn why_not(body: &[u8], error: serde_json::Error) -> DecodeError {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return DecodeError::new("bad_json", e.to_string()),
    };
    match value.get("type").and_then(Value::as_str) {
        Some(k) if SIGNAL_TYPES.contains(&k) => DecodeError::new("bad_field", error.to_string()),
        Some(k) => DecodeError::new(
            "unknown_signal_type",
            format!("type {k:?}; expected one of {}", SIGNAL_TYPES.join(", ")),
        ),
        None => DecodeError::new(
            "unknown_signal_type",
            "no \"type\" field naming the kind of signal",
        ),
    }
}

/// The signal in a message body, checked.
pub fn decode(body: &[u8]) -> Result<Signal, DecodeError> {
    if body.len() > MAX_MESSAGE_BYTES {
        return Err(DecodeError::new(
            "message_too_large",
            format!("{} bytes, at most {MAX_MESSAGE_BYTES}", body.len()),
        ));
    }
    // The common case in one pass; only a message that fails is parsed again, to say why.
    let signal: Signal = match serde_json::from_slice(body) {
        Ok(s) => s,
        Err(e) => return Err(why_not(body, e)),
    };
    let ts = signal.ts();
    if !(EARLIEST_TS..LATEST_TS).contains(&ts) {
        return Err(DecodeError::new(
            "out_of_range",
            format!("ts {ts} is not epoch milliseconds between 2000 and 2100"),
        ));
    }
    if let Signal::Transfer(t) = &signal {
        if t.amount_fen <= 0 {
            return Err(DecodeError::new(
                "bad_amount",
                format!("amount_fen {} must be positive (fen)", t.amount_fen),
            ));
        }
    }
    Ok(signal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_core::event::{AccountNo, Call, Msisdn, Transfer, TransferChannel};
    use proptest::prelude::*;

    const TS: i64 = 1_764_000_000_000;

    fn call(ts: i64) -> Signal {
        Signal::Call(Call {
            ts,
            caller: Msisdn(8617012345678),
            callee: Msisdn(8613812345678),
            duration_s: 600,
            caller_cell: 7,
        })
    }

    #[test]
    fn a_call_reads_back() {
        let body = encode(&call(TS));
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"type":"call","ts":1764000000000,"caller":8617012345678,"callee":8613812345678,"duration_s":600,"caller_cell":7}"#
        );
        assert_eq!(decode(&body).unwrap(), call(TS));
        assert_eq!(type_of(&call(TS)), "call");
    }

    #[test]
    fn bad_messages_have_reasons() {
        let r = |b: &[u8]| decode(b).unwrap_err().reason;
        assert_eq!(r(b""), "bad_json");
        assert_eq!(r(b"\xff\xfe"), "bad_json");
        assert_eq!(r(b"[1,2]"), "unknown_signal_type");
        assert_eq!(r(br#"{"ts":1}"#), "unknown_signal_type");
        assert_eq!(r(br#"{"type":"fax","ts":1}"#), "unknown_signal_type");
        assert_eq!(r(br#"{"type":"call","ts":1764000000000}"#), "bad_field");
        assert_eq!(
            r(br#"{"type":"call","ts":1764000000000,"caller":"138","callee":1,"duration_s":1,"caller_cell":0}"#),
            "bad_field"
        );
        // Seconds where milliseconds belong.
        assert_eq!(r(&encode(&call(1_764_000_000))), "out_of_range");
        let refund = Signal::Transfer(Transfer {
            ts: TS,
            txn_id: 1,
            from: AccountNo(1),
            to: AccountNo(2),
            amount_fen: 0,
            channel: TransferChannel::Bank,
        });
        assert_eq!(r(&encode(&refund)), "bad_amount");
        assert_eq!(r(&vec![b' '; MAX_MESSAGE_BYTES + 1]), "message_too_large");
    }

    proptest! {
        #[test]
        fn any_bytes_decode_or_give_a_reason(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            match decode(&body) {
                Ok(s) => prop_assert_eq!(decode(&encode(&s)).unwrap(), s),
                Err(e) => prop_assert!(!e.reason.is_empty()),
            }
        }

        #[test]
        fn calls_round_trip(
            ts in EARLIEST_TS..LATEST_TS,
            caller in any::<u64>(),
            callee in any::<u64>(),
            duration_s in any::<u32>(),
            caller_cell in any::<u32>(),
        ) {
            let s = Signal::Call(Call { ts, caller: Msisdn(caller), callee: Msisdn(callee), duration_s, caller_cell });
            prop_assert_eq!(decode(&encode(&s)).unwrap(), s);
        }
    }
}
