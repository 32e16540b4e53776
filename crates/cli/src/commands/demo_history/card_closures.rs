//! 销户名单 of the history: the issuers' closure lists. Card sellers' cards are closed within
//! weeks of opening, once used; a few ordinary cards are closed too, most long after opening;
//! and some sellers come back for another card at home after their closures, which screening
//! finds by 频繁开销户 (`frequent_open_close`) although nothing else about it is odd.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::event::CardKind;
use fanzha_store::{ClosureRow, NewCardRow};
use rand::Rng;
use std::collections::BTreeMap;

/// Share of ordinary cards closed in the history.
const ORDINARY_CLOSED: f64 = 0.08;
/// Share of a seller's cards closed once used.
const SELLER_CLOSED: f64 = 0.7;
/// Share of sellers with two or more short-lived cards who open another one at home.
const SELLERS_BACK: f64 = 0.5;

pub(super) async fn seed(
    h: &mut History<'_>,
    opened: &[(NewCardRow, bool)],
    out: &mut Seeded,
) -> Result<(), CliError> {
    // The closures, by issuer and the morning after the closing.
    let mut lists: BTreeMap<(i64, CardKind, String), Vec<ClosureRow>> = BTreeMap::new();
    let mut short_lived: BTreeMap<&str, (usize, i64, &NewCardRow)> = BTreeMap::new();
    for (row, seller) in opened {
        let closed_at = if *seller {
            if !h.chance(SELLER_CLOSED) {
                continue;
            }
            row.opened_at + h.rng.random_range(10 * DAY_MS..60 * DAY_MS)
        } else {
            if !h.chance(ORDINARY_CLOSED) {
                continue;
            }
            row.opened_at + h.rng.random_range(20 * DAY_MS..400 * DAY_MS)
        };
        if closed_at >= h.now - DAY_MS {
            continue;
        }
        if *seller {
            let e = short_lived
                .entry(row.resident_id.as_str())
                .or_insert((0, closed_at, row));
            e.0 += 1;
            e.1 = e.1.max(closed_at);
        }
        let morning = (closed_at + 8 * 3_600_000) / DAY_MS * DAY_MS + DAY_MS + 3_600_000;
        lists
            .entry((morning.min(h.now), row.kind, row.bank_code.clone()))
            .or_default()
            .push(ClosureRow {
                kind: row.kind,
                account_no: row.account_no.clone(),
                bank_code: row.bank_code.clone(),
                bank_name: row.bank_name.clone(),
                resident_id: row.resident_id.clone(),
                holder_name: row.holder_name.clone(),
                // Some issuers send the opening date, others leave it to the new-card list.
                opened_at: h.chance(0.5).then_some(row.opened_at),
                closed_at,
                outlet: row.outlet.clone(),
                batch: format!("{} 销户", row.bank_code),
            });
    }
    let scope = h.root_scope.clone();
    let root = h.root.code.clone();
    for ((at, kind, issuer), rows) in &lists {
        let login = match kind {
            CardKind::BankCard => format!("bank_feed_{}", issuer.to_ascii_lowercase()),
            CardKind::SimCard => format!("operator_feed_{issuer}"),
        };
        let done = h
            .store
            .new_cards()
            .import_closures(&scope, &root, rows, &login, *at)
            .await?;
        out.card_closures += done.received as usize;
    }

    // Sellers who come back: a new card at home some weeks after their last closing.
    let back: Vec<(i64, NewCardRow)> = short_lived
        .values()
        .filter(|(n, _, _)| *n >= 2)
        .map(|(_, last, row)| (*last, (*row).clone()))
        .collect();
    let mut came_back = 0;
    for (last, row) in back {
        // At least one, so that even a small city shows the pattern.
        if came_back > 0 && !h.chance(SELLERS_BACK) {
            continue;
        }
        let at = last + h.rng.random_range(7 * DAY_MS..40 * DAY_MS);
        if at >= h.now - DAY_MS {
            continue;
        }
        let issuer = h.resident(18..=85);
        let Some(mut next) = super::new_cards::new_card(h, CardKind::BankCard, issuer, at, "")
        else {
            continue;
        };
        next.resident_id = row.resident_id.clone();
        next.holder_name = row.holder_name.clone();
        next.outlet_division = None;
        next.outlet = "城区支行".into();
        let morning = (at + 8 * 3_600_000) / DAY_MS * DAY_MS + DAY_MS + 3_600_000;
        let login = format!("bank_feed_{}", next.bank_code.to_ascii_lowercase());
        let done = h
            .store
            .new_cards()
            .import(&scope, &root, &[next], &login, morning.min(h.now))
            .await?;
        out.new_bank_cards += done.ids.len();
        came_back += done.ids.len();
    }
    Ok(())
}
