//! 刑事案件立案数: the criminal cases of every kind each unit filed in a month, entered by the
//! unit or the unit above from its statistics office's figures — the denominator of
//! 电诈案件占刑事案件比 (telecom-fraud cases as a share of all criminal cases).
//!
//! A unit's own entry stands for its whole subtree; a unit without one counts the entries
//! below it ([`CrimeCounts::totals`]), so a county bureau may enter its total while another
//! county's stations enter theirs, and nothing is counted twice. Entries are read by the
//! subtree of their unit; each change writes an audit entry (the value before and after) in
//! the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::outreach::MAX_COUNT;
use crate::rollup::outermost;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use std::collections::BTreeMap;

/// A month as `YYYYMM` (e.g. 202611), between 2000-01 and 2100-12.
pub fn month_ok(month: i64) -> bool {
    (200001..=210012).contains(&month) && (1..=12).contains(&(month % 100))
}

/// A month figures may be entered for at `now`: a valid `YYYYMM`, not after the current month
/// (Asia/Shanghai).
pub(crate) fn month_enterable(month: i64, now: i64) -> StoreResult<()> {
    if !month_ok(month) {
        return Err(StoreError::invalid(
            "month",
            "give the month as YYYY-MM between 2000-01 and 2100-12",
        ));
    }
    if month > shanghai_month(now).unwrap_or(210012) {
        return Err(StoreError::invalid("month", "must not lie in the future"));
    }
    Ok(())
}

/// The month (`YYYYMM`, Asia/Shanghai) of instant `ms`.
pub fn shanghai_month(ms: i64) -> Option<i64> {
    use chrono::Datelike;
    fanzha_core::time::shanghai_date(ms).map(|d| i64::from(d.year()) * 100 + i64::from(d.month()))
}

/// The month before `month` (`YYYYMM`).
pub fn previous_month(month: i64) -> i64 {
    if month % 100 == 1 {
        (month / 100 - 1) * 100 + 12
    } else {
        month - 1
    }
}

/// The month after `month` (`YYYYMM`).
pub fn next_month(month: i64) -> i64 {
    if month % 100 == 12 {
        (month / 100 + 1) * 100 + 1
    } else {
        month + 1
    }
}

/// One unit's figure for one month.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CrimeCountEntry {
    pub unit_code: String,
    pub month: i64,
    pub cases: i64,
    pub entered_by: String,
    pub entered_at: i64,
}

/// A scope's criminal cases in one month, and how many units' entries made it up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CrimeMonthTotal {
    pub cases: i64,
    pub units: i64,
}

/// The entries that count for a scope: those with no entry above them for the same month.
fn uncovered(entries: &[(String, i64, i64)]) -> BTreeMap<i64, CrimeMonthTotal> {
    let keyed: Vec<(String, i64)> = entries.iter().map(|(p, m, _)| (p.clone(), *m)).collect();
    let mut out: BTreeMap<i64, CrimeMonthTotal> = BTreeMap::new();
    for ((_, month, cases), counts) in entries.iter().zip(outermost(&keyed)) {
        if counts {
            let t = out.entry(*month).or_default();
            t.cases += cases;
            t.units += 1;
        }
    }
    out
}

/// The criminal-case counts repository.
pub struct CrimeCounts<'s> {
    store: &'s Store,
}

impl<'s> CrimeCounts<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        CrimeCounts { store }
    }

    /// Sets unit `unit_code`'s criminal cases of `month` (`None` removes the entry) by `by` at
    /// `now`, with its audit entry. The unit lies inside `scope` (a unit enters its own figure
    /// or those below it); the month is not after the current one.
    pub async fn set(
        &self,
        scope: &Scope,
        unit_code: &str,
        month: i64,
        cases: Option<i64>,
        by: &str,
        now: i64,
    ) -> StoreResult<()> {
        month_enterable(month, now)?;
        if let Some(n) = cases {
            if !(0..=MAX_COUNT).contains(&n) {
                return Err(StoreError::invalid(
                    "cases",
                    format!("must be between 0 and {MAX_COUNT}"),
                ));
            }
        }
        self.store.units().in_scope(scope, unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("crime_counts.begin").await?;
        let mut sql = Sql::new("SELECT cases FROM criminal_case_counts WHERE unit_code = ");
        sql.arg(unit_code).push(" AND month = ").arg(month);
        let before: Option<i64> = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("crime_counts.set"))?
        {
            Some(r) => Some(col(&r, "cases").map_err(StoreError::query("crime_counts.set"))?),
            None => None,
        };
        let sql = match cases {
            Some(n) => {
                let mut sql = Sql::new(
                    "INSERT INTO criminal_case_counts (unit_code, month, cases, entered_by, \
                     entered_at) VALUES (",
                );
                sql.arg(unit_code)
                    .push(", ")
                    .arg(month)
                    .push(", ")
                    .arg(n)
                    .push(", ")
                    .arg(by)
                    .push(", ")
                    .arg(now)
                    .push(
                        ") ON CONFLICT (unit_code, month) DO UPDATE SET cases = excluded.cases, \
                         entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                    );
                sql
            }
            None => {
                let mut sql = Sql::new("DELETE FROM criminal_case_counts WHERE unit_code = ");
                sql.arg(unit_code).push(" AND month = ").arg(month);
                sql
            }
        };
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("crime_counts.set"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "criminal_case_count_set".into(),
                target_type: "unit".into(),
                target_id: Some(unit_code.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({"month": month, "cases": cases, "before": before}),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("crime_counts.commit"))?;
        Ok(())
    }

    /// The entries of units inside `scope` for months `from..=until` (`YYYYMM`), by unit then
    /// month.
    pub async fn entries(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<CrimeCountEntry>> {
        let mut sql = Sql::new(
            "SELECT e.unit_code, e.month, e.cases, e.entered_by, e.entered_at \
             FROM criminal_case_counts e WHERE ",
        );
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" AND e.month >= ")
            .arg(from)
            .push(" AND e.month <= ")
            .arg(until)
            .push(" ORDER BY e.unit_code, e.month");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("crime_counts.entries"))?;
        rows.iter()
            .map(|r| {
                Ok(CrimeCountEntry {
                    unit_code: col(r, "unit_code")?,
                    month: col(r, "month")?,
                    cases: col(r, "cases")?,
                    entered_by: col(r, "entered_by")?,
                    entered_at: col(r, "entered_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("crime_counts.entries"))
    }

    /// `scope`'s criminal cases per month of `from..=until` (`YYYYMM`; months nobody entered
    /// are absent): each unit's own entry where it has one, else the entries below it.
    pub async fn totals(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<BTreeMap<i64, CrimeMonthTotal>> {
        let mut sql = Sql::new(
            "SELECT u.path, e.month, e.cases FROM criminal_case_counts e \
             JOIN org_units u ON u.code = e.unit_code WHERE ",
        );
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" AND e.month >= ")
            .arg(from)
            .push(" AND e.month <= ")
            .arg(until);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("crime_counts.totals"))?;
        let entries = rows
            .iter()
            .map(|r| Ok((col(r, "path")?, col(r, "month")?, col(r, "cases")?)))
            .collect::<Result<Vec<(String, i64, i64)>, sqlx::Error>>()
            .map_err(StoreError::query("crime_counts.totals"))?;
        Ok(uncovered(&entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_checked_and_stepped() {
        assert!(month_ok(202611));
        assert_eq!(previous_month(202601), 202512);
        assert_eq!(previous_month(202611), 202610);
        assert_eq!(shanghai_month(1_800_000_000_000), Some(202701));
        assert!(!month_ok(202613));
        assert!(!month_ok(202600));
        assert!(!month_ok(199912));
        assert_eq!(next_month(202612), 202701);
        assert_eq!(next_month(202603), 202604);
    }

    #[test]
    fn a_units_own_entry_stands_for_its_subtree() {
        let e = |p: &str, m: i64, n: i64| (p.to_string(), m, n);
        let totals = uncovered(&[
            // County A entered its own total; its stations' entries are inside it.
            e("/3302/330281/", 202611, 100),
            e("/3302/330281/330281001/", 202611, 30),
            e("/3302/330281/330281002/", 202611, 40),
            // County B has none: its stations add up.
            e("/3302/330282/330282001/", 202611, 7),
            e("/3302/330282/330282002/", 202611, 8),
            // In another month only a station of A entered.
            e("/3302/330281/330281001/", 202610, 25),
        ]);
        assert_eq!(
            totals[&202611],
            CrimeMonthTotal {
                cases: 115,
                units: 3
            }
        );
        assert_eq!(
            totals[&202610],
            CrimeMonthTotal {
                cases: 25,
                units: 1
            }
        );
        // A sibling whose code starts like another's is not below it.
        let siblings = uncovered(&[e("/33/3302/", 202611, 5), e("/33/33021/", 202611, 6)]);
        assert_eq!(siblings[&202611].cases, 11);
    }
}
