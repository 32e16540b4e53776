//! Any bytes as a bank's filled-in 存量卡清理 work list: reading never panics; every data row read
//! is either accepted or rejected with a line, and accepted rows carry a request number, an
//! outcome code and counts in range.
#![no_main]
use fanzha_ingest::cleanup_answers::{read_cleanup_answers, MAX_ACCOUNTS};
use fanzha_ingest::reports::ReportFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for format in [ReportFormat::Auto, ReportFormat::Csv] {
        if let Ok(f) = read_cleanup_answers("answers.csv", bytes, format) {
            assert_eq!(f.read, f.rows.len() + f.rejected.len());
            for r in &f.rows {
                assert!(r.line >= 2, "a data row lies below the header");
                assert!(r.id > 0);
                assert!(["cleaned", "normal", "no_accounts"].contains(&r.outcome));
                for n in [r.accounts_found, r.accounts_closed, r.accounts_restricted] {
                    assert!((0..=MAX_ACCOUNTS).contains(&n));
                }
            }
        }
    }
});
