//! 银行反诈数据 of the history: each month, the four big banks' branches in every township report
//! the customers they talked out of paying a fraudster, the money kept, and the reminders they
//! pushed — entered by the center, and by the demo's ICBC liaison for ICBC, who has not yet
//! reported last month (so the bank's desk shows it waiting). `/bank-figures`, the statistics'
//! tiles and the brief's 断卡 paragraph then have a year of figures.

use super::{month_start, History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{BankCounts, BankEnterer};
use rand::Rng;

/// The banks reporting, each with its share of the customers.
const BANKS: &[(&str, f64)] = &[("ICBC", 0.35), ("ABC", 0.25), ("CCB", 0.2), ("BOC", 0.2)];

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let months = h.month_list(h.months_before());
    let Some((&this_month, before)) = months.split_last() else {
        return Ok(());
    };
    let last_month = before.last().copied();
    let mut living: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for p in &h.world.people {
        let township = h.township(&format!("{:012}", p.village)).to_string();
        *living.entry(township).or_default() += 1.0;
    }
    for &month in months.iter().filter(|m| **m != this_month) {
        let entered =
            (month_start(fanzha_store::next_month(month)) + 5 * DAY_MS).min(h.now - 60_000);
        for t in h.townships.clone() {
            let people = living.get(&t.code).copied().unwrap_or(0.0);
            for &(bank, share) in BANKS {
                let liaison = bank == "ICBC";
                if liaison && Some(month) == last_month {
                    continue;
                }
                let customers = people * share;
                // About one customer in 400 a month, rounded at random so that a small
                // township's branch still dissuades someone some months.
                let expected = customers / 400.0 * h.rng.random_range(0.3..1.7);
                let dissuaded = (expected + h.rng.random_range(0.0..1.0)).floor() as i64;
                let per_person_yuan = h.rng.random_range(8_000..120_000);
                let counts = BankCounts {
                    dissuaded,
                    dissuaded_fen: dissuaded * per_person_yuan * 100,
                    awareness_sms: (customers * h.rng.random_range(0.2..0.6)) as i64,
                    awareness_calls: (customers * h.rng.random_range(0.0..0.05)) as i64,
                };
                let (enterer, by) = if liaison {
                    (BankEnterer::Bank(bank.into()), "bank_icbc")
                } else {
                    (BankEnterer::Police, "analyst")
                };
                h.store
                    .bank_figures()
                    .set(
                        &scope,
                        &enterer,
                        bank,
                        &t.code,
                        month,
                        Some(counts),
                        by,
                        entered,
                    )
                    .await?;
            }
        }
        out.bank_figure_months += 1;
    }
    Ok(())
}
