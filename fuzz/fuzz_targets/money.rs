//! Any string: parsing never panics or overflows; a parsed amount's display form parses back to
//! the same number of fen.
#![no_main]
use fanzha_core::money::Money;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(m) = Money::parse(s) {
        assert_eq!(Money::parse(&m.to_string()), Ok(m), "{s:?}");
    }
});
