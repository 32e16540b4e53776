//! The periods of the statistics and the work brief, on the Asia/Shanghai calendar: the span
//! itself, the span compared with it as 环比 (the period before, of the same length) and as
//! 同比 (the same span a year earlier), and the twelve months of the trend.

use chrono::{Datelike, Days, Months, NaiveDate};
use fanzha_core::time::{shanghai_date, shanghai_midnight, to_shanghai};

const DAY_MS: i64 = 86_400_000;

/// The period keys, in the order the page offers them.
pub const KEYS: [&str; 9] = [
    "today",
    "7d",
    "30d",
    "last_week",
    "month",
    "last_month",
    "quarter",
    "last_quarter",
    "year",
];

/// How the period before is found: the same calendar span so many months back, or the same
/// number of days immediately before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Months(u32),
    Days(u64),
}

/// A period: `[from, until)` in epoch ms UTC, and the Shanghai days it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// `today`, `7d`, `30d`, `last_week`, `month`, `last_month`, `quarter`, `last_quarter`,
    /// `year` or `custom`.
    pub key: &'static str,
    pub from: i64,
    pub until: i64,
    pub first_day: NaiveDate,
    /// The last day, inclusive (today for a period that runs to now).
    pub last_day: NaiveDate,
    step: Step,
}

/// Why a custom range was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// A date that is not `YYYY-MM-DD`.
    BadDate(String),
    /// The range ends before it starts.
    Reversed,
}

fn midnight(d: NaiveDate) -> i64 {
    shanghai_midnight(d).unwrap_or_else(|_| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis() - 8 * 3_600_000)
            .unwrap_or(0)
    })
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn first_of_quarter(d: NaiveDate) -> NaiveDate {
    let month = (d.month() - 1) / 3 * 3 + 1;
    NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d)
}

fn back_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n)).unwrap_or(d)
}

fn back_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

/// The same instant `n` months earlier, on the Shanghai calendar (31 March → 28/29 February).
pub fn months_before(ms: i64, n: u32) -> i64 {
    to_shanghai(ms)
        .and_then(|t| t.checked_sub_months(Months::new(n)))
        .map(|t| t.timestamp_millis())
        .unwrap_or(ms - i64::from(n) * 30 * DAY_MS)
}

impl Period {
    /// The period `key` as of `now_ms`; `from`/`to` (`YYYY-MM-DD`, both days included) make a
    /// custom range. An unknown key is the last 7 days.
    pub fn resolve(
        key: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        now_ms: i64,
    ) -> Result<Period, RangeError> {
        let today = shanghai_date(now_ms).unwrap_or_default();
        let parse = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| RangeError::BadDate(s.to_string()))
        };
        let custom = matches!(
            (key, from.filter(|s| !s.trim().is_empty())),
            (Some("custom"), _) | (None, Some(_))
        );
        if custom {
            let first = parse(from.unwrap_or_default())?;
            let last = match to.filter(|s| !s.trim().is_empty()) {
                Some(s) => parse(s)?,
                None => today,
            };
            if last < first {
                return Err(RangeError::Reversed);
            }
            let days = (last - first).num_days() as u64 + 1;
            return Ok(Period {
                key: "custom",
                from: midnight(first),
                until: midnight(last + Days::new(1)),
                first_day: first,
                last_day: last,
                step: Step::Days(days),
            });
        }
        let now_until = now_ms + 1;
        let open = |key, first: NaiveDate, step| Period {
            key,
            from: midnight(first),
            until: now_until,
            first_day: first,
            last_day: today,
            step,
        };
        let closed = |key, first: NaiveDate, next: NaiveDate, step| Period {
            key,
            from: midnight(first),
            until: midnight(next),
            first_day: first,
            last_day: back_days(next, 1),
            step,
        };
        let monday = back_days(today, u64::from(today.weekday().num_days_from_monday()));
        Ok(match key.unwrap_or("7d") {
            "today" => open("today", today, Step::Days(1)),
            "30d" => open("30d", back_days(today, 29), Step::Days(30)),
            "month" => open("month", first_of_month(today), Step::Months(1)),
            "quarter" => open("quarter", first_of_quarter(today), Step::Months(3)),
            "year" => open(
                "year",
                today.with_ordinal(1).unwrap_or(today),
                Step::Months(12),
            ),
            "last_week" => closed("last_week", back_days(monday, 7), monday, Step::Days(7)),
            "last_month" => {
                let this = first_of_month(today);
                closed("last_month", back_months(this, 1), this, Step::Months(1))
            }
            "last_quarter" => {
                let this = first_of_quarter(today);
                closed("last_quarter", back_months(this, 3), this, Step::Months(3))
            }
            _ => open("7d", back_days(today, 6), Step::Days(7)),
        })
    }

    /// The span compared as 环比: the period before, of the same length — the previous
    /// calendar month, quarter or year (to the same day and time for one that runs to now),
    /// or the same number of days immediately before.
    pub fn previous(&self) -> (i64, i64) {
        match self.step {
            Step::Months(n) => (months_before(self.from, n), months_before(self.until, n)),
            Step::Days(d) => {
                let len = d as i64 * DAY_MS;
                (self.from - len, self.until - len)
            }
        }
    }

    /// The span compared as 同比: the same Shanghai wall-clock span twelve months earlier
    /// (29 February maps to 28 February).
    pub fn year_before(&self) -> (i64, i64) {
        (months_before(self.from, 12), months_before(self.until, 12))
    }

    /// The query string naming this period (`period=…`, with `from`/`to` for a custom one).
    pub fn query(&self) -> String {
        if self.key == "custom" {
            format!("period=custom&from={}&to={}", self.first_day, self.last_day)
        } else {
            format!("period={}", self.key)
        }
    }
}

/// The trend's months: the first day of each of the twelve months up to and including the
/// one of `now_ms`, and the bounds between them (13: the last is `now_ms + 1`).
pub fn trend_months(now_ms: i64) -> (Vec<NaiveDate>, Vec<i64>) {
    let today = shanghai_date(now_ms).unwrap_or_default();
    let this = first_of_month(today);
    let months: Vec<NaiveDate> = (0..12).rev().map(|k| back_months(this, k)).collect();
    let mut bounds: Vec<i64> = months.iter().map(|d| midnight(*d)).collect();
    bounds.push(now_ms + 1);
    (months, bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn at(rfc: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc)
            .unwrap()
            .timestamp_millis()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn get(key: &str, now: &str) -> Period {
        Period::resolve(Some(key), None, None, at(now)).unwrap()
    }

    #[test]
    fn last_week_runs_monday_to_sunday_in_shanghai() {
        // Wednesday 11 March 2026, 00:30 Shanghai (still 10 March in UTC).
        let p = get("last_week", "2026-03-11T00:30:00+08:00");
        assert_eq!((p.first_day, p.last_day), (d(2026, 3, 2), d(2026, 3, 8)));
        assert_eq!(p.from, at("2026-03-02T00:00:00+08:00"));
        assert_eq!(p.until, at("2026-03-09T00:00:00+08:00"));
        assert!(at("2026-03-08T23:59:59+08:00") < p.until);
        // On a Monday, last week is the seven days just ended.
        let p = get("last_week", "2026-03-09T00:00:00+08:00");
        assert_eq!((p.first_day, p.last_day), (d(2026, 3, 2), d(2026, 3, 8)));
        // 环比: the week before; 同比: twelve months earlier.
        assert_eq!(
            p.previous(),
            (
                at("2026-02-23T00:00:00+08:00"),
                at("2026-03-02T00:00:00+08:00")
            )
        );
        assert_eq!(
            p.year_before(),
            (
                at("2025-03-02T00:00:00+08:00"),
                at("2025-03-09T00:00:00+08:00")
            )
        );
    }

    #[test]
    fn months_and_quarters_follow_the_calendar() {
        let now = "2026-05-20T10:00:00+08:00";
        let p = get("last_month", now);
        assert_eq!((p.first_day, p.last_day), (d(2026, 4, 1), d(2026, 4, 30)));
        assert_eq!(
            p.previous(),
            (
                at("2026-03-01T00:00:00+08:00"),
                at("2026-04-01T00:00:00+08:00")
            )
        );
        let p = get("quarter", now);
        assert_eq!(p.first_day, d(2026, 4, 1));
        assert_eq!(p.until, at(now) + 1);
        // The quarter so far against the same days of the quarter before.
        assert_eq!(
            p.previous(),
            (
                at("2026-01-01T00:00:00+08:00"),
                at("2026-02-20T10:00:00+08:00") + 1
            )
        );
        let p = get("last_quarter", now);
        assert_eq!((p.first_day, p.last_day), (d(2026, 1, 1), d(2026, 3, 31)));
        // In January, last quarter is the last one of the year before.
        let p = get("last_quarter", "2026-01-05T08:00:00+08:00");
        assert_eq!((p.first_day, p.last_day), (d(2025, 10, 1), d(2025, 12, 31)));
        let p = get("last_month", "2026-01-05T08:00:00+08:00");
        assert_eq!((p.first_day, p.last_day), (d(2025, 12, 1), d(2025, 12, 31)));
        // This month so far, on the 31st: the month before ends on its last day.
        let p = get("month", "2026-03-31T12:00:00+08:00");
        assert_eq!(
            p.previous(),
            (
                at("2026-02-01T00:00:00+08:00"),
                at("2026-02-28T12:00:00+08:00") + 1
            )
        );
    }

    #[test]
    fn rolling_days_compare_with_the_days_before() {
        let now = "2026-03-11T15:00:00+08:00";
        let p = get("7d", now);
        assert_eq!(p.first_day, d(2026, 3, 5));
        let week = 7 * DAY_MS;
        assert_eq!(p.previous(), (p.from - week, p.until - week));
        let p = get("today", now);
        assert_eq!(p.previous(), (p.from - DAY_MS, p.until - DAY_MS));
        // An unknown key is the last seven days.
        assert_eq!(get("fortnight", now).key, "7d");
    }

    #[test]
    fn a_custom_range_includes_both_days() {
        let now = at("2026-03-11T15:00:00+08:00");
        let p =
            Period::resolve(Some("custom"), Some("2026-02-01"), Some("2026-02-10"), now).unwrap();
        assert_eq!(p.from, at("2026-02-01T00:00:00+08:00"));
        assert_eq!(p.until, at("2026-02-11T00:00:00+08:00"));
        assert_eq!(
            p.previous(),
            (
                at("2026-01-22T00:00:00+08:00"),
                at("2026-02-01T00:00:00+08:00")
            )
        );
        assert_eq!(p.query(), "period=custom&from=2026-02-01&to=2026-02-10");
        // A start alone runs to today; dates that do not parse or run backwards are refused.
        let p = Period::resolve(None, Some("2026-03-01"), None, now).unwrap();
        assert_eq!((p.key, p.last_day), ("custom", d(2026, 3, 11)));
        assert_eq!(
            Period::resolve(Some("custom"), Some("2026-02-30"), None, now),
            Err(RangeError::BadDate("2026-02-30".into()))
        );
        assert_eq!(
            Period::resolve(Some("custom"), Some("2026-02-10"), Some("2026-02-01"), now),
            Err(RangeError::Reversed)
        );
    }

    #[test]
    fn the_trend_covers_twelve_months_to_now() {
        let now = at("2026-03-11T15:00:00+08:00");
        let (months, bounds) = trend_months(now);
        assert_eq!(months.len(), 12);
        assert_eq!((months[0], months[11]), (d(2025, 4, 1), d(2026, 3, 1)));
        assert_eq!(bounds.len(), 13);
        assert_eq!(bounds[0], at("2025-04-01T00:00:00+08:00"));
        assert_eq!(bounds[12], now + 1);
    }
}
