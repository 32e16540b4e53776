//! Any bytes as a cluster operation's target list: reading never panics; every data row read is
//! either accepted or rejected with a line, and accepted rows carry a valid ID number (once per
//! list), a known role code and texts within their bounds.
#![no_main]
use fanzha_ingest::operation_targets::{
    read_target_list, MAX_CELL_CHARS, MAX_NAME_CHARS, ROLE_NAMES,
};
use fanzha_ingest::reports::ReportFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for format in [ReportFormat::Auto, ReportFormat::Csv] {
        if let Ok(list) = read_target_list("targets.csv", bytes, format) {
            assert_eq!(list.read, list.rows.len() + list.rejected.len());
            let mut seen = std::collections::HashSet::new();
            for r in &list.rows {
                assert!(r.line >= 2, "a data row lies below the header");
                assert!(fanzha_core::ResidentId::parse(&r.resident_id).is_ok());
                assert!(
                    seen.insert(r.resident_id.clone()),
                    "an ID number once per list"
                );
                assert!(ROLE_NAMES.iter().any(|(_, code)| *code == r.role));
                assert!(!r.name.is_empty() && r.name.chars().count() <= MAX_NAME_CHARS);
                assert!(r.clue.chars().count() <= MAX_CELL_CHARS);
            }
        }
    }
});
