//! `fanzha cards eval --city DIR`: the new-card screening rules measured on a simulated city.
//!
//! Every bank card the city opened is put on its bank's list of the day it was opened (with
//! `--kind sim_card`, every SIM on its operator's list of new phone cards), and each day's
//! lists are screened the next morning (09:00 Shanghai) exactly as the store does it: against the holder's openings known by then, with the holder's earlier unreviewed
//! cards in the burst window screened again. The truth names the card sellers (断卡). The
//! simulated city knows no key persons, leads or cases before its first day, so the history
//! reasons stay silent here; what is measured is what the list alone tells.

use crate::error::{CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::event::{CardKind, CardOpening, Msisdn, Signal};
use fanzha_core::{PhoneKind, PhoneNumber, ResidentId};
use fanzha_screen::{screen, Holder, Level, NewCard, BURST_WINDOW_DAYS};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Output directory of `fanzha simulate`.
    #[arg(long)]
    pub city: PathBuf,
    /// bank_card (the banks' lists) or sim_card (the operators' lists of new phone cards).
    #[arg(long, default_value = "bank_card", value_parser = super::cards::parse_kind)]
    pub kind: CardKind,
}

/// A resident as the screening sees them.
struct Resident {
    id: ResidentId,
    village: String,
    /// Kind of the registered phone (a bank card's reserved phone; one number on record).
    phone: Option<PhoneKind>,
}

/// One opened card and what the screening made of it.
struct Card {
    opening: CardOpening,
    /// Shanghai day number (days since the epoch, shifted to UTC+8).
    day: i64,
    first_level: Level,
    level: Level,
    /// The morning the card was first flagged (medium or high), epoch ms.
    flagged_at: Option<i64>,
}

fn shanghai_day(ts: i64) -> i64 {
    (ts + 8 * HOUR_MS).div_euclid(DAY_MS)
}

/// 09:00 Shanghai on the morning after Shanghai day `day`.
fn next_morning(day: i64) -> i64 {
    (day + 1) * DAY_MS - 8 * HOUR_MS + 9 * HOUR_MS
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

pub fn run(ctx: &Ctx, args: EvalArgs) -> CliResult {
    let dir = &args.city;
    let people = fanzha_sim::feed::read_people(dir)?;
    let truth = fanzha_sim::feed::read_truth(dir)?;
    let mut residents: HashMap<u64, Resident> = HashMap::with_capacity(people.len());
    for p in &people {
        let Ok(id) = ResidentId::parse(&p.resident_id) else {
            continue;
        };
        residents.insert(
            p.person_id,
            Resident {
                id,
                village: format!("{:012}", p.village),
                phone: p
                    .msisdn
                    .and_then(|m| PhoneNumber::from_msisdn(m).ok())
                    .map(|n| n.kind()),
            },
        );
    }
    let mut cards: Vec<Card> = Vec::new();
    for s in fanzha_sim::feed::read_signals(dir)? {
        if let Signal::CardOpening(c) = s.code(ErrorCode::RecordInvalid)? {
            if c.kind == args.kind && residents.contains_key(&c.person_id) {
                cards.push(Card {
                    day: shanghai_day(c.ts),
                    opening: c,
                    first_level: Level::None,
                    level: Level::None,
                    flagged_at: None,
                });
            }
        }
    }
    cards.sort_by_key(|c| (c.opening.ts, c.opening.number));
    let mut by_holder: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_day: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, c) in cards.iter().enumerate() {
        by_holder.entry(c.opening.person_id).or_default().push(i);
        by_day.entry(c.day).or_default().push(i);
    }

    let window = BURST_WINDOW_DAYS * DAY_MS;
    // Screens card `i` with the holder's openings listed by the morning after `day`.
    let screen_card = |cards: &[Card], i: usize, day: i64| -> Level {
        let c = &cards[i].opening;
        let r = &residents[&c.person_id];
        let other_openings: Vec<i64> = by_holder[&c.person_id]
            .iter()
            .filter(|&&j| j != i && cards[j].day <= day)
            .map(|&j| cards[j].opening.ts)
            .collect();
        let outlet = format!("{:06}", c.opened_in_division);
        let sim = c.kind == CardKind::SimCard;
        screen(
            &NewCard {
                kind: c.kind,
                opened_at: c.ts,
                holder: &r.id,
                outlet_division: Some(&outlet),
                phone_kind: if sim { None } else { r.phone },
                number_virtual: sim
                    && PhoneNumber::from_msisdn(Msisdn(c.number))
                        .is_ok_and(|n| n.kind() == PhoneKind::Virtual),
            },
            &Holder {
                residence: Some(r.village.clone()),
                // This number, the other new ones listed by then, and the registered phone.
                numbers_held: if sim {
                    (1 + other_openings.len() + usize::from(r.phone.is_some())) as u32
                } else {
                    0
                },
                other_openings,
                ..Holder::default()
            },
        )
        .level
    };
    for (&day, today) in &by_day {
        let morning = next_morning(day);
        for &i in today {
            let level = screen_card(&cards, i, day);
            let c = &mut cards[i];
            c.first_level = level;
            c.level = level;
            if level.needs_review() {
                c.flagged_at = Some(morning);
            }
        }
        // Earlier cards of today's holders inside the burst window, screened again.
        let holders: HashSet<u64> = today.iter().map(|&i| cards[i].opening.person_id).collect();
        for h in holders {
            for &j in &by_holder[&h] {
                if cards[j].day >= day
                    || !today.iter().any(|&i| {
                        cards[i].opening.person_id == h
                            && (cards[i].opening.ts - cards[j].opening.ts).abs() <= window
                    })
                {
                    continue;
                }
                let level = screen_card(&cards, j, day);
                let c = &mut cards[j];
                c.level = c.level.max(level);
                if level.needs_review() && c.flagged_at.is_none() {
                    c.flagged_at = Some(morning);
                }
            }
        }
    }

    let sellers: HashMap<u64, &fanzha_sim::truth::CardSellerTruth> = truth
        .card_sellers
        .iter()
        .map(|s| (s.person_id, s))
        .collect();
    let is_seller = |c: &Card| sellers.contains_key(&c.opening.person_id);
    let seller_cards = cards.iter().filter(|c| is_seller(c)).count();
    let flagged = cards.iter().filter(|c| c.level.needs_review()).count();
    let flagged_seller = cards
        .iter()
        .filter(|c| c.level.needs_review() && is_seller(c))
        .count();
    let first_flagged_seller = cards
        .iter()
        .filter(|c| c.first_level.needs_review() && is_seller(c))
        .count();
    let mut levels: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &cards {
        let e = levels.entry(c.level.as_str()).or_default();
        if is_seller(c) {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    // Per holder: sellers caught (any card flagged), holders flagged who sell nothing.
    let mut holder_flag: HashMap<u64, Option<i64>> = HashMap::new();
    for c in &cards {
        let e = holder_flag.entry(c.opening.person_id).or_default();
        if let Some(at) = c.flagged_at {
            *e = Some(e.map_or(at, |x| x.min(at)));
        }
    }
    let sellers_with_cards: Vec<u64> = sellers
        .keys()
        .copied()
        .filter(|p| by_holder.contains_key(p))
        .collect();
    let mut delays = Vec::new();
    let mut before_sale = 0;
    let mut caught = 0;
    for p in &sellers_with_cards {
        if let Some(Some(at)) = holder_flag.get(p) {
            caught += 1;
            let s = sellers[p];
            delays.push((at - s.first_open_ts) as f64 / HOUR_MS as f64);
            // The cards are sold one to three days after the last opening.
            if *at < s.last_open_ts + DAY_MS {
                before_sale += 1;
            }
        }
    }
    let flagged_holders = holder_flag.values().filter(|v| v.is_some()).count();
    let flagged_non_sellers = holder_flag
        .iter()
        .filter(|(p, v)| v.is_some() && !sellers.contains_key(p))
        .count();
    let level_table: BTreeMap<&str, serde_json::Value> = levels
        .iter()
        .map(|(l, (s, n))| (*l, serde_json::json!({"seller_cards": s, "other_cards": n})))
        .collect();
    Report::new("新开卡审查评估 / card screening on a simulated city")
        .field("city", dir.display().to_string())
        .field("kind", args.kind.as_str())
        .field("days_of_lists", by_day.len())
        .field("cards_screened", cards.len())
        .field("seller_cards", seller_cards)
        .field("cards_flagged", flagged)
        .field("by_level", level_table)
        .field("card_precision", share(flagged_seller, flagged))
        .field("card_recall", share(flagged_seller, seller_cards))
        .field(
            "card_recall_on_first_list",
            share(first_flagged_seller, seller_cards),
        )
        .field("sellers", sellers_with_cards.len())
        .field("sellers_caught", caught)
        .field("seller_recall", share(caught, sellers_with_cards.len()))
        .field("holders_flagged", flagged_holders)
        .field("holders_flagged_not_sellers", flagged_non_sellers)
        .field(
            "holder_precision",
            share(flagged_holders - flagged_non_sellers, flagged_holders),
        )
        .field("median_hours_first_opening_to_flag", median(delays))
        .field(
            "share_caught_before_earliest_sale",
            share(before_sale, sellers_with_cards.len()),
        )
        .print(ctx.json);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_mornings_are_shanghai() {
        // 2026-03-02 23:30 Shanghai is still the 2nd; the list is screened on the 3rd at 09:00.
        let late = 1_772_465_400_000;
        let day = shanghai_day(late);
        assert_eq!(shanghai_day(late + HOUR_MS), day + 1);
        assert_eq!(next_morning(day), 1_772_499_600_000);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(share(1, 0), None);
    }
}
