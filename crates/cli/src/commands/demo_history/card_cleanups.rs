//! 存量卡清理 of the history: the center asked the banks about the flagged holders of its area
//! (punished card sellers, holders of accounts that received victim money, holders found
//! lending or selling a card) twice — about two months ago and again last week — and the banks
//! answered most of the first round, a few of them late, one bank not at all, and part of the
//! second; so
//! `/card-cleanups` opens with per-bank on-time rates, accounts closed and restricted, and a
//! few requests overdue.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{CleanupAnswer, CleanupOutcome, CleanupViewer, StoreError};
use rand::Rng;

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let police = CleanupViewer::Police(scope.clone());
    // 10:00 Shanghai (02:00 UTC) of the round's day; how many of it the banks answer.
    let rounds = [(60, 0.9), (6, 0.55)];
    for (days_ago, answered) in rounds {
        let at = (h.now - days_ago * DAY_MS) / DAY_MS * DAY_MS + 2 * 3_600_000;
        if at <= h.start || at >= h.now {
            continue;
        }
        let g = h
            .store
            .card_cleanups()
            .generate(
                &scope,
                None,
                &[],
                "请核查该人员在本行的全部存量账户，依《反电信网络诈骗法》第三十一条销户或限制非柜面业务，并在时限内反馈。",
                "analyst",
                at,
            )
            .await?;
        out.card_cleanups += usize::try_from(g.requested).unwrap_or(0);
        let (Some(first), Some(last)) = (g.first_id, g.last_id) else {
            continue;
        };
        for id in first..=last {
            let c = match h.store.card_cleanups().get(&police, id).await {
                Ok(c) => c,
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            // One bank of every round of three or more is still silent (overdue after the
            // first round), whatever the dice say.
            if !h.chance(answered) || (id == last && g.requested >= 3) {
                continue;
            }
            // Four in five within the week, the rest late (eight to twelve days).
            let when = if h.chance(0.8) {
                h.after(c.requested_at, 6, 3_600_000)
            } else {
                h.after(c.requested_at + 7 * DAY_MS, 5, 3_600_000)
            };
            let known = c.known_accounts.max(1);
            let answer = match h.weighted(&[(0u8, 60), (1, 25), (2, 15)]) {
                0 => {
                    let found = known + i64::from(h.chance(0.4));
                    let closed = h.rng.random_range(0..=found);
                    CleanupAnswer {
                        outcome: CleanupOutcome::Cleaned,
                        accounts_found: found,
                        accounts_closed: closed,
                        accounts_restricted: found - closed,
                        note: "已约谈持卡人，按规定处置".into(),
                    }
                }
                1 => CleanupAnswer {
                    outcome: CleanupOutcome::Normal,
                    accounts_found: known,
                    accounts_closed: 0,
                    accounts_restricted: 0,
                    note: "代发工资账户，本人到柜面核实用途，留存承诺书".into(),
                },
                _ => CleanupAnswer {
                    outcome: CleanupOutcome::NoAccounts,
                    accounts_found: 0,
                    accounts_closed: 0,
                    accounts_restricted: 0,
                    note: "账户已于此前销户".into(),
                },
            };
            let liaison = format!("bank_{}", c.bank_code.to_lowercase());
            h.store
                .card_cleanups()
                .answer(&c.bank_code, id, c.version, &answer, &liaison, when)
                .await?;
        }
    }
    Ok(())
}
