//! 新开卡名单 of the history: the banks' daily lists of new bank cards and the operators' of
//! new phone cards (新入网电话卡) over the history's months, each screened the morning after
//! the cards were opened, as the live feed does it; card sellers' bursts far from home among
//! them; the flagged ones reviewed by the stations within days; and some sellers' cards later
//! used in fraud — victim money into a bank card, a number a victim named and the operator shut
//! down — so that 新开卡涉案比例 and the shops to interview have something to show.

use super::{card_of, phone_of, History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::event::CardKind;
use fanzha_core::{BankCard, DivisionCode, PhoneNumber};
use fanzha_sim::records::Person;
use fanzha_store::{
    CardFilter, CardState, CaseFilter, CaseTransfer, DisposalAnswer, DisposalMeasure, NewCardRow,
    NewNumberDisposal, PageRequest, Verdict, Viewer,
};
use rand::Rng;
use std::collections::BTreeMap;

/// Ordinary new bank cards and phone cards per 10,000 residents a month.
const BANK_CARDS_PER_10K_MONTH: f64 = 60.0;
const PHONE_CARDS_PER_10K_MONTH: f64 = 40.0;
/// Card sellers per 10,000 residents a month.
const SELLERS_PER_10K_MONTH: f64 = 1.5;
/// Where the history's sellers open their cards: far from a city of the east coast.
const FAR_COUNTIES: [&str; 4] = ["653101", "650102", "530102", "451002"];

/// One card of the history, as its issuer's list names it.
struct Opened {
    row: NewCardRow,
    seller: bool,
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let far: Vec<&str> = FAR_COUNTIES
        .into_iter()
        .filter(|c| DivisionCode::parse_known(c).is_ok())
        .collect();
    let mut cards: Vec<Opened> = Vec::new();
    for kind in CardKind::ALL {
        let per_month = match kind {
            CardKind::BankCard => BANK_CARDS_PER_10K_MONTH,
            CardKind::SimCard => PHONE_CARDS_PER_10K_MONTH,
        };
        for _ in 0..h.scaled(per_month, 20) {
            let holder = h.resident(18..=85);
            let at = h.moment(1);
            let home = format!("{:06}", holder.village / 1_000_000);
            if let Some(row) = new_card(h, kind, holder, at, &home) {
                cards.push(Opened { row, seller: false });
            }
        }
    }
    let sellers = h.scaled(SELLERS_PER_10K_MONTH, 4);
    for _ in 0..sellers {
        let seller = h.resident(18..=25);
        let first = h.moment(3);
        let county = *h.pick(&far);
        let (bank_cards, sims) = (h.rng.random_range(3..=6), h.rng.random_range(1..=4));
        for k in 0..bank_cards + sims {
            let kind = if k < bank_cards {
                CardKind::BankCard
            } else {
                CardKind::SimCard
            };
            let at =
                first + h.rng.random_range(0..3) * DAY_MS + h.rng.random_range(0..6) * 3_600_000;
            // Each card at another bank or operator: the issuer of another resident's card.
            let issuer = h.resident(18..=85);
            if let Some(mut row) = new_card(h, kind, issuer, at.min(h.now - 3_600_000), county) {
                row.resident_id = seller.resident_id.to_string();
                row.holder_name = seller.name.to_string();
                row.phone = match kind {
                    CardKind::BankCard => phone_of(seller),
                    CardKind::SimCard => None,
                };
                cards.push(Opened { row, seller: true });
            }
        }
    }

    // The lists: one per issuer and day, screened at 09:00 the morning after (or now).
    let mut lists: BTreeMap<(i64, CardKind, String), Vec<NewCardRow>> = BTreeMap::new();
    let mut sellers_of: BTreeMap<String, bool> = BTreeMap::new();
    let opened: Vec<(NewCardRow, bool)> = cards.iter().map(|c| (c.row.clone(), c.seller)).collect();
    for c in cards {
        let morning = (c.row.opened_at + 8 * 3_600_000) / DAY_MS * DAY_MS + DAY_MS + 3_600_000;
        sellers_of.insert(c.row.account_no.clone(), c.seller);
        lists
            .entry((morning.min(h.now), c.row.kind, c.row.bank_code.clone()))
            .or_default()
            .push(c.row);
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
            .import(&scope, &root, rows, &login, *at)
            .await?;
        match kind {
            CardKind::BankCard => out.new_bank_cards += done.ids.len(),
            CardKind::SimCard => out.new_phone_cards += done.ids.len(),
        }
    }

    // The stations review what was queued, within days; the last week's wait.
    let pending = h
        .store
        .new_cards()
        .list(
            &Viewer::Police(scope.clone()),
            &CardFilter {
                state: Some(CardState::Pending),
                to: Some(h.now - 7 * DAY_MS),
                ..CardFilter::default()
            },
            &PageRequest::first(10_000),
        )
        .await?;
    let mut sold: Vec<(CardKind, String, i64)> = Vec::new();
    for c in pending.items {
        let seller = sellers_of.get(&c.account_no).copied().unwrap_or(false);
        let (verdict, note) = if seller {
            if h.chance(0.8) {
                (Verdict::CardSeller, "本人承认开卡后出售给他人")
            } else {
                (Verdict::Watch, "本人否认出售，列入持续关注")
            }
        } else if h.chance(0.8) {
            (Verdict::Normal, "")
        } else {
            (Verdict::Watch, "异地开卡理由存疑，持续关注")
        };
        let at = c.opened_at + h.rng.random_range(DAY_MS..5 * DAY_MS);
        h.store
            .new_cards()
            .review(&scope, c.id, verdict, note, "analyst", at.min(h.now))
            .await?;
        if seller {
            sold.push((c.kind, c.account_no, c.opened_at));
        }
    }

    // Some sellers' cards turn up in cases: victim money into a bank card, a phone number a
    // victim named and the operator shut down.
    for (kind, number, opened) in sold {
        if !h.chance(0.4) {
            continue;
        }
        let after = CaseFilter {
            from_ms: Some(opened + 2 * DAY_MS),
            to_ms: Some(h.now),
            ..CaseFilter::default()
        };
        let cases = h
            .store
            .cases()
            .search(&scope, &after, &PageRequest::first(20))
            .await?;
        let Some(case) = cases.items.first() else {
            continue;
        };
        match kind {
            CardKind::BankCard => {
                h.store
                    .cases()
                    .add_transfers(
                        &case.id,
                        &[CaseTransfer {
                            txn_id: None,
                            from_account: case
                                .victim_account
                                .clone()
                                .unwrap_or_else(|| "未知账户".into()),
                            to_account: number,
                            at: case.reported_at - 3_600_000,
                            amount_fen: h.rng.random_range(5_000..50_000) * 100,
                            channel: "bank".into(),
                            source_file: None,
                        }],
                    )
                    .await?;
            }
            CardKind::SimCard => {
                let unit = h.township(&case.unit_code).to_string();
                let at = case.reported_at + 1_800_000;
                let requested = h
                    .store
                    .number_disposals()
                    .request(
                        &scope,
                        &NewNumberDisposal {
                            number,
                            operator: None,
                            measure: DisposalMeasure::Shutdown,
                            reason: "被害人报案指认的诈骗号码，系异地新入网电话卡".into(),
                            warning_id: None,
                            case_id: Some(case.id.clone()),
                            unit_code: unit,
                            urgent: false,
                        },
                        "analyst",
                        at,
                    )
                    .await?;
                h.store
                    .number_disposals()
                    .answer(
                        requested.operator,
                        requested.id,
                        requested.version,
                        &DisposalAnswer::Executed {
                            holder_name: None,
                            holder_id: None,
                        },
                        "",
                        &format!("operator_feed_{}", requested.operator.as_str()),
                        at + h.rng.random_range(10 * 60_000..100 * 60_000),
                    )
                    .await?;
                out.disposals += 1;
            }
        }
    }
    super::card_closures::seed(h, &opened, out).await
}

/// A new card of `kind` at the bank (or on the network) of `issuer`'s own card (or number),
/// opened at `at` in `county`, in `issuer`'s name — the caller puts a seller's name on it.
pub(super) fn new_card(
    h: &mut History<'_>,
    kind: CardKind,
    issuer: &Person,
    at: i64,
    county: &str,
) -> Option<NewCardRow> {
    let place = DivisionCode::parse(county)
        .ok()
        .and_then(|d| fanzha_core::reference::divisions().get(d))
        .map(|d| d.name().to_string())
        .unwrap_or_default();
    let (account_no, code, name, shop) = match kind {
        CardKind::BankCard => {
            // Another card of the same BIN: the issuer's card with new account digits.
            let own = card_of(issuer)?;
            let bin_len = BankCard::parse(&own).ok()?.bin()?.bin.len();
            let body: String = own[..bin_len]
                .chars()
                .chain(
                    (bin_len..own.len() - 1)
                        .map(|_| char::from(b'0' + h.rng.random_range(0..10u8))),
                )
                .collect();
            let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
            let card = BankCard::parse(&format!("{body}{check}")).ok()?;
            let bin = card.bin()?;
            (
                card.as_str().to_string(),
                bin.bank_code.to_string(),
                bin.bank_name.to_string(),
                "支行",
            )
        }
        CardKind::SimCard => {
            // A number of the issuer's own segment.
            let own = phone_of(issuer)?;
            let number = PhoneNumber::parse(&format!(
                "{}{:04}",
                &own[..7],
                h.rng.random_range(0..10_000u32)
            ))
            .ok()?;
            let carrier = number.carrier()?;
            (
                number.canonical(),
                carrier.operator_code().to_string(),
                carrier.operator_name().to_string(),
                "营业厅",
            )
        }
    };
    let date = fanzha_core::time::shanghai_date(at)
        .map(|d| d.to_string())
        .unwrap_or_default();
    Some(NewCardRow {
        kind,
        batch: format!("{code} {date}"),
        account_no,
        bank_code: code,
        bank_name: name,
        resident_id: issuer.resident_id.to_string(),
        holder_name: issuer.name.to_string(),
        phone: match kind {
            CardKind::BankCard => phone_of(issuer),
            CardKind::SimCard => None,
        },
        opened_at: at,
        outlet: format!("{place}{shop}"),
        outlet_division: Some(county.to_string()),
        clerk: format!(
            "{}{:02}",
            match kind {
                CardKind::BankCard => "柜员",
                CardKind::SimCard => "营业员",
            },
            h.rng.random_range(1..=6)
        ),
    })
}
