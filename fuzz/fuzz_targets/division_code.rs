//! Any string: parsing never panics; a parsed code displays as itself, its ancestors are
//! prefixes, and looking it up in the division tree is safe.
#![no_main]
use fanzha_core::division_code::DivisionCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(c) = DivisionCode::parse(s) {
        assert_eq!(DivisionCode::parse(&c.to_string()), Ok(c));
        if let Some(p) = c.parent() {
            assert!(p.contains(c));
            assert!(c.to_string().starts_with(&p.to_string()));
        }
        if let Some(d) = c.division() {
            assert_eq!(d.code(), c);
            let _ = d.full_name();
            let _ = d.children().count();
        }
    }
});
