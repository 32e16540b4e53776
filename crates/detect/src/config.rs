//! Engine settings. Thresholds that decide *whether* to warn live in the rules file; these decide
//! how state is kept.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineConfig {
    /// How far behind the newest event time an event may arrive and still count (the watermark
    /// trails the newest event time by this much). Later events are counted as late and refused.
    pub allowed_lateness_ms: i64,
    /// Stage-1 score at or above which a number is a suspect for stage 2.
    pub suspect_score: f32,
    /// Stage-1 score changes smaller than this are not written to the score changelog.
    pub changelog_min_delta: f32,
    /// How long a warning stays open: a later hit within this time merges into it.
    pub warning_open_ms: i64,
    /// How long a contact counts as "recent" for stage 2 (suspect contact → later action).
    pub contact_horizon_ms: i64,
    /// State of numbers and persons idle this long (and pair contacts this old) is dropped.
    pub idle_eviction_ms: i64,
}

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            allowed_lateness_ms: 5 * MINUTE_MS,
            suspect_score: 0.5,
            changelog_min_delta: 0.05,
            warning_open_ms: 3 * DAY_MS,
            contact_horizon_ms: 7 * DAY_MS,
            idle_eviction_ms: 30 * DAY_MS,
        }
    }
}
