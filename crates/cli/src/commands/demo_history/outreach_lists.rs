//! 精准宣防名单 of the history: three weeks ago the first station issued a list of its residents
//! of the group the last 90 days' cases hit hardest who were not on the anti-fraud app, with
//! the type that caught most of them; its grid workers have visited most of the demo grid
//! worker's village and part of the rest — reached, many installing the app on the spot, a few
//! not met — so `/outreach/lists` opens with a list under way, its coverage per village and the
//! visits still to make in the 待办.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{
    group_hits, NewOutreachList, PageRequest, ReachRecord, ReachState, StoreError, TargetGroup,
};

/// Visits recorded at most, across the list.
const MAX_VISITS: usize = 120;

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let Some(station) = h.townships.first().cloned() else {
        return Ok(());
    };
    let issued = (h.now - 21 * DAY_MS).max(h.start);
    if issued + DAY_MS >= h.now {
        return Ok(());
    }
    let store = h.store.clone();
    let repo = store.outreach_lists();
    let station_scope = h.scope(&station.code).await?;
    // Whom the station's frauds hit: the city's cases of the 90 days before the list.
    let victims = repo
        .victims(&h.root_scope, issued - 90 * DAY_MS, issued)
        .await?;
    let hits = group_hits(&victims);
    let hardest = hits
        .iter()
        .max_by_key(|g| g.cases)
        .filter(|g| g.cases > 0)
        .cloned();
    let group = hardest.as_ref().map_or(TargetGroup::Elderly, |g| g.group);
    let fraud_type = hardest.and_then(|g| g.top_fraud_type);
    let today = fanzha_core::time::shanghai_date(issued).unwrap_or_default();
    // The station's whole area, or the grid worker's village when the station is too large for
    // one list.
    let mut issued_for = None;
    for unit in [Some(station.code.clone()), h.grid_village.clone()]
        .into_iter()
        .flatten()
    {
        let new = NewOutreachList {
            unit_code: unit,
            group,
            fraud_type: fraud_type.clone(),
            deadline: issued + 30 * DAY_MS,
            created_by: "station".into(),
        };
        match repo.issue(&station_scope, &new, today, issued).await {
            Ok((id, _)) => {
                issued_for = Some(id);
                break;
            }
            Err(StoreError::Invalid { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some(id) = issued_for else {
        return Ok(());
    };
    out.outreach_lists += 1;
    // The grid worker's village first (most of it visited), then the others (some).
    let rows = repo
        .rows(&station_scope, id, None, &PageRequest::first(5_000))
        .await?
        .items;
    let grid = h.grid_village.clone().unwrap_or_default();
    let (own, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.unit_code == grid);
    let mut visits = 0;
    for (rows, share) in [(own, 0.8), (others, 0.3)] {
        for r in rows {
            if visits >= MAX_VISITS || !h.chance(share) {
                continue;
            }
            let at = h.after(issued, 20, 3_600_000);
            let met = h.chance(0.9);
            let found = ReachRecord {
                state: if met {
                    ReachState::Reached
                } else {
                    ReachState::Unreachable
                },
                app_installed: met && h.chance(0.6),
                note: if met {
                    String::new()
                } else {
                    "外出务工，多次上门未见".into()
                },
            };
            repo.record(&station_scope, r.id, r.version, &found, "grid", at)
                .await?;
            visits += 1;
        }
    }
    out.outreach_visits += visits;
    Ok(())
}
