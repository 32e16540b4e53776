//! 打掉团伙/窝点 of the history: behind some of the solved cases the station found the gang that
//! supplied them — card dealers (收贩卡团伙), a GOIP den relaying the calls, a laundering crew,
//! a lead-generation gang or a den — and dismantled it within days of the case, seizing
//! devices, phone cards and bank cards in the amounts each kind typically holds. Cases solved
//! close together at one station are linked to the same gang. The first is a card dealers'
//! gang with a bank clerk among them who opened the accounts (行业内鬼), detained and charged
//! with 帮信罪 on its first case. `/gangs`, the statistics' 打击成效
//! and the brief's seizures sentence then have figures.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{
    DismantledKind, NewDismantled, NewSuspect, SuspectCharge, SuspectMeasure, SuspectRole,
};
use rand::Rng;

/// Cases solved at one station at most this far apart may lead to the same gang.
const SAME_GANG_DAYS: i64 = 20;

/// What a gang of each kind is caught with: people arrested, devices, phone cards, bank cards
/// (inclusive ranges).
fn haul(kind: DismantledKind) -> [(i64, i64); 4] {
    match kind {
        DismantledKind::CardGang => [(3, 9), (0, 3), (0, 80), (20, 300)],
        DismantledKind::GoipDen => [(2, 6), (5, 60), (100, 2_000), (0, 20)],
        DismantledKind::LaunderingGang => [(3, 12), (2, 15), (10, 60), (30, 200)],
        DismantledKind::LeadGang => [(2, 8), (5, 40), (50, 400), (0, 30)],
        DismantledKind::FraudDen => [(5, 30), (10, 80), (50, 500), (10, 100)],
        DismantledKind::Other => [(1, 4), (0, 5), (0, 30), (0, 30)],
    }
}

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let mut solved = std::mem::take(&mut h.solved_cases);
    solved.sort_by_key(|(_, _, at)| *at);
    let mut linked = vec![false; solved.len()];
    let scope = h.root_scope.clone();
    for i in 0..solved.len() {
        if linked[i] || !h.chance(0.12) {
            continue;
        }
        let (_, station, solved_at) = solved[i].clone();
        // Dismantled a few days after the case was solved, never after now.
        let on = (solved_at + h.rng.random_range(0..5) * DAY_MS).min(h.now);
        let Some(day) = fanzha_core::time::shanghai_date(on) else {
            continue;
        };
        let Ok(dismantled_on) = fanzha_core::time::shanghai_midnight(day) else {
            continue;
        };
        let mut cases = Vec::new();
        for (j, (case_id, other_station, at)) in solved.iter().enumerate().skip(i) {
            if *at > solved_at + SAME_GANG_DAYS * DAY_MS || cases.len() == 3 {
                break;
            }
            if !linked[j] && *other_station == station {
                linked[j] = true;
                cases.push(case_id.clone());
            }
        }
        let first = out.gangs == 0;
        let kind = if first {
            DismantledKind::CardGang
        } else {
            h.weighted(&[
                (DismantledKind::CardGang, 4),
                (DismantledKind::GoipDen, 2),
                (DismantledKind::LaunderingGang, 2),
                (DismantledKind::LeadGang, 1),
                (DismantledKind::FraudDen, 1),
            ])
        };
        let [arrested, devices, phone_cards, bank_cards] =
            haul(kind).map(|(lo, hi)| h.rng.random_range(lo..=hi));
        let name = format!(
            "“{}·{}”{}",
            chrono::Datelike::month(&day),
            chrono::Datelike::day(&day),
            kind.zh()
        );
        h.at(on);
        if first {
            insider(h, &cases[0], dismantled_on.max(solved_at)).await?;
        }
        h.store
            .enforcement()
            .record_dismantled(
                &scope,
                &NewDismantled {
                    unit_code: station,
                    kind,
                    name,
                    dismantled_on,
                    arrested,
                    devices,
                    phone_cards,
                    bank_cards,
                    case_ids: cases,
                    note: String::new(),
                    created_by: "analyst".into(),
                },
                on,
            )
            .await?;
        out.gangs += 1;
    }
    Ok(())
}

/// The bank clerk who opened the gang's accounts (行业内鬼), on the gang's first case: detained
/// when the gang fell, charged with 帮信罪.
async fn insider(h: &mut History<'_>, case_id: &str, at: i64) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let repo = h.store.enforcement();
    let id = repo
        .add_suspect(
            &scope,
            &NewSuspect {
                case_id: case_id.to_string(),
                name: "某银行网点柜员".into(),
                resident_id: None,
                phone: None,
                role: SuspectRole::Insider,
                measure: Some(SuspectMeasure::CriminalDetention),
                measure_at: Some(at),
                note: "违规为收贩卡团伙批量开户".into(),
                created_by: "analyst".into(),
            },
            h.now,
        )
        .await?;
    repo.set_charge(
        &scope,
        id,
        Some(SuspectCharge::Helping),
        None,
        "analyst",
        h.now,
    )
    .await?;
    Ok(())
}
