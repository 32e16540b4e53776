//! Any string: parsing never panics; a parsed number's canonical form parses back to it, and its
//! E.164 form, when it fits, converts back to a number of the same digits.
#![no_main]
use fanzha_core::mask::mask_phone;
use fanzha_core::phone::PhoneNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = mask_phone(s);
    if let Ok(p) = PhoneNumber::parse(s) {
        let canonical = p.to_string();
        let again = PhoneNumber::parse(&canonical).expect("canonical form parses");
        assert_eq!(again, p, "{s:?} -> {canonical}");
        if let Ok(m) = p.to_msisdn() {
            let back = PhoneNumber::from_msisdn(m).expect("own E.164 form parses");
            assert_eq!(back.to_msisdn().ok(), Some(m));
        }
        let _ = (
            p.city(),
            p.province(),
            p.carrier(),
            p.area_code(),
            p.country(),
        );
    }
});
