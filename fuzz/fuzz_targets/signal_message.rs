//! Any bytes as a message of the signal stream: decoding never panics; a body is a signal or has
//! a reason, and a signal decoded is one with a plausible time (and a positive transfer amount)
//! that encodes to a body decoding to the same signal.
#![no_main]
use fanzha_bus::codec::{decode, encode};
use fanzha_core::event::Signal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match decode(bytes) {
        Ok(signal) => {
            assert!(signal.ts() >= 946_684_800_000 && signal.ts() < 4_102_444_800_000);
            if let Signal::Transfer(t) = &signal {
                assert!(t.amount_fen > 0);
            }
            assert_eq!(decode(&encode(&signal)).unwrap(), signal);
        }
        Err(e) => assert!(
            [
                "message_too_large",
                "bad_json",
                "unknown_signal_type",
                "bad_field",
                "out_of_range",
                "bad_amount"
            ]
            .contains(&e.reason),
            "{e}"
        ),
    }
});
