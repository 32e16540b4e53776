//! Any bytes as an issuer's list (new cards or closures, bank or phone cards, CSV or whatever
//! the content looks like): reading never panics; every data row read is either accepted or
//! rejected with a line, and accepted rows carry validated values.
#![no_main]
use fanzha_core::event::CardKind;
use fanzha_ingest::card_closures::read_card_closures;
use fanzha_ingest::new_cards::read_new_cards;
use fanzha_ingest::reports::ReportFormat;
use libfuzzer_sys::fuzz_target;

/// 2026-12-01 00:00 UTC.
const NOW: i64 = 1_796_083_200_000;

fuzz_target!(|bytes: &[u8]| {
    for kind in [CardKind::BankCard, CardKind::SimCard] {
        for format in [ReportFormat::Auto, ReportFormat::Csv] {
            if let Ok(f) = read_new_cards("list.csv", bytes, format, kind, None, NOW) {
                assert_eq!(f.read, f.rows.len() + f.rejected.len());
                for r in &f.rows {
                    assert!(r.line >= 2, "a data row lies below the header");
                    assert!(r.opened_at <= NOW + 86_400_000);
                    assert!(fanzha_core::ResidentId::parse(&r.resident_id).is_ok());
                }
            }
            if let Ok(f) = read_card_closures("list.csv", bytes, format, kind, None, NOW) {
                assert_eq!(f.read, f.rows.len() + f.rejected.len());
                for r in &f.rows {
                    assert!(r.line >= 2, "a data row lies below the header");
                    assert!(r.closed_at <= NOW + 86_400_000);
                    assert!(fanzha_core::ResidentId::parse(&r.resident_id).is_ok());
                }
            }
        }
    }
});
