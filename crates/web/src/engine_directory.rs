//! The detection engine's directory from the store: every phone number and bank account held
//! by a resident, keyed by the resident's ID number as an integer (`ResidentId::key`), so a
//! warning's person is the resident again without a table (`ResidentId::from_key`). Used by
//! live detection (`fanzha serve`, `fanzha worker`), by `fanzha detect` on archived signals
//! and by the rules page's test-run on the signal archive.

use fanzha_core::event::{AccountNo, Msisdn};
use fanzha_core::{PhoneNumber, ResidentId};
use fanzha_detect::Engine;
use fanzha_store::{Holding, HoldingCursor, Scope, Store, StoreError};

/// Rows read per query.
const PAGE: i64 = 10_000;

/// What one load added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Loaded {
    pub phones: u64,
    pub accounts: u64,
    /// Rows whose number or ID number does not parse (the registers validate on import, so
    /// these are rows written by other means); skipped.
    pub skipped: u64,
}

/// Adds to the engine's directory the holdings changed at or after `since` (0: all).
pub async fn load(store: &Store, engine: &mut Engine, since: i64) -> Result<Loaded, StoreError> {
    let mut loaded = Loaded::default();
    let scope = Scope::platform();
    let mut after: HoldingCursor = None;
    loop {
        let page = store.holdings().phones(&scope, since, &after, PAGE).await?;
        for h in &page {
            match (phone_of(h), person_of(h)) {
                (Some(m), Some(p)) => {
                    engine.directory_mut().add_phone(m, p);
                    loaded.phones += 1;
                }
                _ => loaded.skipped += 1,
            }
        }
        match next_cursor(&page) {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    // The residents' numbers are what the engine will mostly see: size its indexes once.
    let phones = engine.directory().phones();
    engine.reserve_numbers(phones);
    let mut after: HoldingCursor = None;
    loop {
        let page = store
            .holdings()
            .accounts(&scope, since, &after, PAGE)
            .await?;
        for h in &page {
            match (h.number.parse::<u64>().ok(), person_of(h)) {
                (Some(a), Some(p)) => {
                    engine.directory_mut().add_account(AccountNo(a), p);
                    loaded.accounts += 1;
                }
                _ => loaded.skipped += 1,
            }
        }
        match next_cursor(&page) {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    Ok(loaded)
}

fn next_cursor(page: &[Holding]) -> Option<(String, String)> {
    if (page.len() as i64) < PAGE {
        return None;
    }
    page.last()
        .map(|h| (h.number.clone(), h.resident_id.clone()))
}

fn phone_of(h: &Holding) -> Option<Msisdn> {
    PhoneNumber::parse(&h.number).ok()?.to_msisdn().ok()
}

fn person_of(h: &Holding) -> Option<u64> {
    ResidentId::parse(&h.resident_id).ok().map(|r| r.key())
}
