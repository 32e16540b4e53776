//! Any string: parsing never panics; a parsed instant formatted in Asia/Shanghai parses back to
//! an instant that formats the same (the same second, or the earlier of two instants sharing a
//! wall-clock time in the daylight-saving years 1986–1991).
#![no_main]
use fanzha_core::time::{format_shanghai, parse_timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(ms) = parse_timestamp(s) {
        let shown = format_shanghai(ms);
        if let Ok(again) = parse_timestamp(&shown) {
            assert_eq!(format_shanghai(again), shown, "{s:?}");
            assert!(again <= ms.div_euclid(1000) * 1000, "{s:?} -> {shown}");
        }
    }
});
