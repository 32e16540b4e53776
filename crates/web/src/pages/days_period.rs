//! The period of the figure pages that count by days (新开卡审查, 分类研判): the last 7, 30, 90
//! or 365 Asia/Shanghai days, today included, up to now; 30 by default.

use super::choices::Choice;
use super::view::pick;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;

/// The periods offered, in days; the first is the default.
pub const PERIODS: [i64; 4] = [30, 7, 90, 365];

const DAY_MS: i64 = 86_400_000;

/// `[from, until)` of the last `days` Shanghai days, today included, up to now.
pub struct Period {
    pub days: i64,
    pub from: i64,
    pub until: i64,
}

/// The period asked for (`days`), or the default; another number answers 400.
pub fn period(state: &AppState, days: Option<&str>) -> Result<Period, WebError> {
    let days = match days.map(str::trim).filter(|d| !d.is_empty()) {
        None => PERIODS[0],
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| PERIODS.contains(d))
            .ok_or_else(|| {
                WebError::BadRequest(format!("unknown period `{d}`: 7, 30, 90 or 365 days"))
            })?,
    };
    let now = state.clock.now_ms();
    let from = fanzha_core::time::shanghai_date(now)
        .and_then(|today| today.checked_sub_days(chrono::Days::new(days as u64 - 1)))
        .and_then(|first| fanzha_core::time::shanghai_midnight(first).ok())
        .unwrap_or(now - days * DAY_MS);
    Ok(Period {
        days,
        from,
        until: now + 1,
    })
}

/// The period select's options.
pub fn period_choices(lang: Lang, days: i64) -> Vec<Choice> {
    PERIODS
        .iter()
        .map(|d| Choice {
            value: d.to_string(),
            label: format!(
                "{}{d}{}",
                pick(lang, "近", "Last "),
                pick(lang, "天", " days")
            ),
            selected: *d == days,
        })
        .collect()
}
