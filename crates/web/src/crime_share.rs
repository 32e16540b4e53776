//! 电诈案件占刑事案件比: telecom-fraud cases (the platform's cases, by the month they were
//! reported, Asia/Shanghai) over the criminal cases of every kind the units entered for the
//! same months ([`fanzha_store::CrimeCounts`]), beside the same months a year earlier and the
//! change in percentage points — as the bureaus report it ("占刑事案件总数25.9%，下降21.7个
//! 百分点"). Only months with an entered figure count on both sides, so a month nobody entered
//! never shows a share of 0 or ∞.

use crate::error::WebError;
use crate::state::AppState;
use chrono::NaiveDate;
use fanzha_core::time::shanghai_midnight;
use fanzha_store::{next_month, CaseFilter, CrimeMonthTotal, Scope};

/// One month: the fraud cases reported, and the criminal cases entered when any were.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonthShare {
    /// `YYYYMM`.
    pub month: i64,
    pub fraud_cases: i64,
    pub criminal: Option<CrimeMonthTotal>,
}

impl MonthShare {
    /// Fraud cases over criminal cases; `None` without an entry or with none filed.
    pub fn share(&self) -> Option<f64> {
        self.criminal
            .filter(|c| c.cases > 0)
            .map(|c| self.fraud_cases as f64 / c.cases as f64)
    }
}

/// The share over a run of months, and a year earlier.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrimeShare {
    pub months: Vec<MonthShare>,
    pub last_year: Vec<MonthShare>,
}

/// Fraud and criminal cases summed over the months with an entry.
fn summed(months: &[MonthShare]) -> (i64, i64, usize) {
    months
        .iter()
        .filter_map(|m| m.criminal.map(|c| (m.fraud_cases, c.cases)))
        .fold((0, 0, 0), |(f, c, n), (mf, mc)| (f + mf, c + mc, n + 1))
}

fn ratio((fraud, criminal, _): (i64, i64, usize)) -> Option<f64> {
    (criminal > 0).then(|| fraud as f64 / criminal as f64)
}

impl CrimeShare {
    /// Fraud cases, criminal cases and months, over the months with an entry.
    pub fn totals(&self) -> (i64, i64, usize) {
        summed(&self.months)
    }

    /// The same, a year earlier.
    pub fn last_year_totals(&self) -> (i64, i64, usize) {
        summed(&self.last_year)
    }

    pub fn share(&self) -> Option<f64> {
        ratio(summed(&self.months))
    }

    pub fn last_year_share(&self) -> Option<f64> {
        ratio(summed(&self.last_year))
    }

    /// The change from a year earlier, in percentage points.
    pub fn change_points(&self) -> Option<f64> {
        Some((self.share()? - self.last_year_share()?) * 100.0)
    }
}

/// `share` as "25.9%", `—` when unknown.
pub fn share_label(share: Option<f64>) -> String {
    share
        .map(|s| format!("{:.1}%", s * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// A change in percentage points: "↑3.2个百分点" / "↓21.7 pp", `—` when unknown.
pub fn points_label(lang: crate::i18n::Lang, points: Option<f64>) -> String {
    let unit = lang.t("crime_points");
    match points {
        None => "—".into(),
        Some(p) if p.abs() < 0.05 => lang.t("yoy_flat").into(),
        Some(p) if p > 0.0 => format!("↑{p:.1}{unit}"),
        Some(p) => format!("↓{:.1}{unit}", -p),
    }
}

/// The first instant of month `YYYYMM` in Asia/Shanghai, epoch ms.
fn month_start(month: i64) -> Result<i64, WebError> {
    let day = NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1)
        .ok_or_else(|| WebError::BadRequest(format!("not a month: {month}")))?;
    shanghai_midnight(day).map_err(|e| WebError::BadRequest(e.to_string()))
}

/// The months (`YYYYMM`) lying wholly inside `first..=last`, and the month of `today` when it
/// lies inside and the period runs to it (its figures are the month so far).
pub fn months_within(first: NaiveDate, last: NaiveDate, today: NaiveDate) -> Vec<i64> {
    use chrono::Datelike;
    let code = |d: NaiveDate| i64::from(d.year()) * 100 + i64::from(d.month());
    let mut out = Vec::new();
    let mut m = code(first);
    while m <= code(last) {
        let start = NaiveDate::from_ymd_opt((m / 100) as i32, (m % 100) as u32, 1);
        let next = next_month(m);
        let end = NaiveDate::from_ymd_opt((next / 100) as i32, (next % 100) as u32, 1)
            .and_then(|d| d.pred_opt());
        if let (Some(start), Some(end)) = (start, end) {
            // Months after today have nothing to count yet.
            let whole = start >= first && end <= last && start <= today;
            let running = start >= first && code(today) == m && last >= today;
            if whole || running {
                out.push(m);
            }
        }
        m = next;
    }
    out
}

async fn month_lines(
    state: &AppState,
    scope: &Scope,
    months: &[i64],
) -> Result<Vec<MonthShare>, WebError> {
    let (Some(&first), Some(&last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let entered = state
        .store
        .crime_counts()
        .totals(scope, first, last)
        .await?;
    // A long period (a custom range of years) counts fraud cases only in the months that
    // have an entry: the others never enter a share, and each month is a query.
    let every_month = months.len() <= 24;
    let mut out = Vec::with_capacity(months.len());
    for &month in months {
        let criminal = entered.get(&month).copied();
        if !every_month && criminal.is_none() {
            out.push(MonthShare {
                month,
                fraud_cases: 0,
                criminal,
            });
            continue;
        }
        let filter = CaseFilter {
            from_ms: Some(month_start(month)?),
            to_ms: Some(month_start(next_month(month))?),
            ..CaseFilter::default()
        };
        out.push(MonthShare {
            month,
            fraud_cases: state.store.cases().count(scope, &filter).await?,
            criminal,
        });
    }
    Ok(out)
}

/// The share over `months` (`YYYYMM`, ascending) inside `scope`, and over the same months a
/// year earlier.
pub async fn crime_share(
    state: &AppState,
    scope: &Scope,
    months: &[i64],
) -> Result<CrimeShare, WebError> {
    let earlier: Vec<i64> = months.iter().map(|m| m - 100).collect();
    Ok(CrimeShare {
        months: month_lines(state, scope, months).await?,
        last_year: month_lines(state, scope, &earlier).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn whole_months_and_the_running_one_count() {
        let today = d(2026, 11, 23);
        assert_eq!(
            months_within(d(2026, 1, 1), d(2026, 12, 31), today),
            (202601..=202611).collect::<Vec<_>>()
        );
        // A week inside a month: none; a quarter: its three months.
        assert!(months_within(d(2026, 3, 2), d(2026, 3, 8), today).is_empty());
        assert_eq!(
            months_within(d(2026, 7, 1), d(2026, 9, 30), today),
            vec![202607, 202608, 202609]
        );
        // This month so far.
        assert_eq!(
            months_within(d(2026, 11, 1), d(2026, 11, 23), today),
            vec![202611]
        );
        // Across a year end.
        assert_eq!(
            months_within(d(2025, 11, 15), d(2026, 2, 28), today),
            vec![202512, 202601, 202602]
        );
    }

    #[test]
    fn only_months_with_an_entry_count() {
        let m = |month, fraud, criminal: Option<i64>| MonthShare {
            month,
            fraud_cases: fraud,
            criminal: criminal.map(|cases| CrimeMonthTotal { cases, units: 1 }),
        };
        let share = CrimeShare {
            months: vec![
                m(202601, 10, Some(40)),
                m(202602, 99, None),
                m(202603, 16, Some(60)),
            ],
            last_year: vec![
                m(202501, 30, Some(60)),
                m(202502, 1, Some(0)),
                m(202503, 17, Some(40)),
            ],
        };
        assert_eq!(share.totals(), (26, 100, 2));
        assert_eq!(share.share(), Some(0.26));
        assert_eq!(share.last_year_share(), Some(0.48));
        let pp = share.change_points().unwrap();
        assert!((pp + 22.0).abs() < 1e-9, "{pp}");
        assert_eq!(share.months[1].share(), None);
        assert_eq!(share_label(share.share()), "26.0%");
        assert_eq!(
            CrimeShare::default().change_points(),
            None,
            "no entries, no change"
        );
    }
}
