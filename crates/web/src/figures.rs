//! What the 指挥大屏 shows, computed for one unit's subtree: today's warnings by level and by
//! hour, the closed-loop figures of today's instructions, the open and overdue load, and the
//! ranking of the units directly below.
//!
//! Today's rows are read into memory (at most `MAX_PAGE` instructions and warnings a day per
//! view — a city's daily volume); longer periods belong to the statistics reports.

use crate::error::WebError;
use crate::state::AppState;
use fanzha_core::time::{shanghai_date, shanghai_midnight, to_shanghai};
use fanzha_store::{
    InstructionFilter, LevelCounts, PageRequest, Scope, Timeliness, Viewer, MAX_PAGE,
};
use fanzha_workflow::{loop_figures, Instruction, LoopFigures, OrgTree};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub unit_code: String,
    pub unit_name: String,
    /// Start of today, Asia/Shanghai, epoch ms UTC.
    pub day_start: i64,
    pub warnings_today: LevelCounts,
    /// Warnings per hour of today (red, orange, yellow).
    pub hourly: Vec<[i64; 3]>,
    /// Closed-loop figures of instructions issued today.
    pub today: LoopFigures,
    /// Open instructions (any day) and how many of them are overdue.
    pub open: i64,
    pub open_overdue: i64,
    pub ranking: Vec<UnitFigures>,
    /// Stop-payments requested today and how many banks held within 30 minutes.
    pub stop_payments: Timeliness,
}

/// One unit directly below the viewer's, with its subtree's figures for today.
#[derive(Clone, Debug, Serialize)]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub instructions: u64,
    pub open: u64,
    pub overdue: u64,
    pub dissuaded: u64,
    pub sign_in_sla_rate: Option<f64>,
    pub contact_in_sla_rate: Option<f64>,
}

pub async fn dashboard(
    state: &AppState,
    scope: &Scope,
    unit_code: &str,
    now_ms: i64,
) -> Result<Dashboard, WebError> {
    let day_start = shanghai_date(now_ms)
        .and_then(|d| shanghai_midnight(d).ok())
        .unwrap_or(now_ms - now_ms.rem_euclid(86_400_000));
    let unit = state.store.units().find(unit_code).await?;
    let warnings_today = state
        .store
        .warnings()
        .count_by_level(scope, day_start, now_ms + 1)
        .await?;
    let recent = state
        .store
        .warnings()
        .recent(scope, day_start, None, &PageRequest::first(MAX_PAGE))
        .await?;
    let mut hourly = vec![[0i64; 3]; 24];
    for w in &recent.items {
        let hour = to_shanghai(w.detected_at)
            .map(|t| chrono_hour(&t))
            .unwrap_or(0);
        let level = usize::from(w.level.clamp(1, 3) - 1);
        hourly[hour][level] += 1;
    }
    let filter = InstructionFilter {
        issued_since: Some(day_start),
        ..InstructionFilter::default()
    };
    let todays = state
        .store
        .instructions()
        .list(scope, &filter, &PageRequest::first(MAX_PAGE))
        .await?;
    let mut states: Vec<(String, Instruction)> = Vec::with_capacity(todays.items.len());
    for i in &todays.items {
        if let Ok(s) = serde_json::from_str::<Instruction>(&i.projection.state) {
            states.push((i.projection.holder_unit.clone(), s));
        }
    }
    let today = loop_figures(states.iter().map(|(_, s)| s));

    let open_counts = state
        .store
        .instructions()
        .count_by_status(
            scope,
            &InstructionFilter {
                open_only: true,
                ..InstructionFilter::default()
            },
        )
        .await?;
    let open: i64 = open_counts.iter().map(|(_, n)| n).sum();
    let overdue: i64 = state
        .store
        .instructions()
        .count_by_status(
            scope,
            &InstructionFilter {
                open_only: true,
                overdue_only: true,
                ..InstructionFilter::default()
            },
        )
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();

    let stop_payments = state
        .store
        .stop_payments()
        .timeliness(&Viewer::Police(scope.clone()), day_start, now_ms + 1)
        .await?;

    // Group today's instructions under the child unit whose subtree holds them.
    let children = state.store.units().children(unit_code).await?;
    let mut per_child: BTreeMap<&str, Vec<&Instruction>> = BTreeMap::new();
    let tree = state.loop_service.tree();
    for (holder, s) in &states {
        let mut cur = holder.clone();
        loop {
            let parent = tree.parent(&cur);
            match parent {
                Some(p) if p == unit_code => {
                    if let Some(c) = children.iter().find(|c| c.code == cur) {
                        per_child.entry(c.code.as_str()).or_default().push(s);
                    }
                    break;
                }
                Some(p) => cur = p,
                None => break,
            }
        }
    }
    let mut ranking: Vec<UnitFigures> = children
        .iter()
        .map(|c| {
            let f = loop_figures(
                per_child
                    .get(c.code.as_str())
                    .into_iter()
                    .flatten()
                    .copied(),
            );
            UnitFigures {
                code: c.code.clone(),
                name: c.name.clone(),
                instructions: f.instructions,
                open: f.open,
                overdue: f.overdue,
                dissuaded: f.dissuaded,
                sign_in_sla_rate: f.sign_in_sla_rate,
                contact_in_sla_rate: f.contact_in_sla_rate,
            }
        })
        .collect();
    // Most overdue first, then most work: the units that need a call from the commander.
    ranking.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.instructions.cmp(&a.instructions))
            .then(a.code.cmp(&b.code))
    });
    drop(tree);
    Ok(Dashboard {
        stop_payments,
        unit_code: unit_code.to_string(),
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        day_start,
        warnings_today,
        hourly,
        today,
        open,
        open_overdue: overdue,
        ranking,
    })
}

fn chrono_hour(t: &impl chrono::Timelike) -> usize {
    t.hour() as usize % 24
}
