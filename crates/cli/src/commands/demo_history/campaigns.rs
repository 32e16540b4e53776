//! 专项行动 of the history: the county's campaigns over the history's months — a card-cutting
//! campaign (断卡行动) over the middle months and the current one running up to now — so that
//! `/campaigns` shows their results from the history's cases, suspects and gangs.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::NewCampaign;

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    // Whole Shanghai days: midnight in Shanghai is 16:00 UTC the day before.
    let midnight = |t: i64| (t + 8 * 3_600_000) / DAY_MS * DAY_MS - 8 * 3_600_000;
    let span = h.now - h.start;
    let campaigns = [
        (
            "断卡行动",
            midnight(h.start + span / 4),
            midnight(h.start + span * 3 / 4),
            "清理涉诈银行卡、电话卡，打掉收贩卡团伙",
        ),
        (
            "“迎庆”专项行动",
            midnight(h.now - 45 * DAY_MS),
            midnight(h.now + 15 * DAY_MS),
            "压发案、抓逃犯、打团伙，确保节日期间发案下降",
        ),
    ];
    let scope = h.root_scope.clone();
    for (name, starts_at, ends_at, goal) in campaigns {
        if ends_at <= starts_at {
            continue;
        }
        h.store
            .campaigns()
            .create(
                &scope,
                &NewCampaign {
                    unit_code: h.root.code.clone(),
                    name: name.into(),
                    starts_at,
                    ends_at,
                    goal: goal.into(),
                    by: "analyst".into(),
                    at: starts_at.min(h.now),
                },
            )
            .await?;
        out.campaigns += 1;
    }
    Ok(())
}
