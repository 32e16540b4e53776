//! Any string: parsing never panics; a valid code reparses to itself and exposes its parts.
#![no_main]
use fanzha_core::credit_code::CreditCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = CreditCode::parse(s);
    if let Ok(c) = CreditCode::parse_normalised(s) {
        assert_eq!(CreditCode::parse(c.as_str()), Ok(c));
        let _ = (
            c.registration_authority(),
            c.org_type(),
            c.division(),
            c.region_name(),
        );
        assert_eq!(c.org_code().len(), 9);
    }
});
