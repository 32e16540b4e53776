//! 运营商反制数据: what each operator's network did against fraud in a month within a unit's
//! area — calls and SMS intercepted (拦截诈骗电话、短信) and numbers it shut down on its own
//! model (自主关停涉诈号码) — and the anti-fraud reminders they pushed to their subscribers
//! (推送防骗短信, 语音提醒: "定期向用户推送防骗短信和语音提醒") as the operators report them to
//! the center; the bureaus quote them ("拦截诈骗电话234万条"). Entered by the operator's liaison for their own operator, or by
//! the center for any. A unit's own entry stands for its subtree (`crate::rollup`).
//!
//! Entries are read by the subtree of their unit; each change writes an audit entry (the
//! figures before and after) in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::crime_counts::month_enterable;
use crate::error::{StoreError, StoreResult};
use crate::field::parse_code;
use crate::number_disposals::Operator;
use crate::rollup::outermost;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use std::collections::BTreeMap;

/// The largest count one entry may carry (a province's month of intercepted calls stays far
/// below it).
pub const MAX_OPERATOR_COUNT: i64 = 10_000_000_000;

/// An operator's figures for a unit and month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct InterceptCounts {
    /// 拦截诈骗电话 (calls).
    pub calls_blocked: i64,
    /// 拦截诈骗短信 (messages).
    pub sms_blocked: i64,
    /// 自主关停涉诈号码 (numbers the operator's own model shut down).
    pub numbers_shut: i64,
    /// 推送防骗提醒短信 (anti-fraud reminders texted to subscribers).
    pub awareness_sms: i64,
    /// 防骗语音提醒 (voice reminders: calls or ring-back announcements).
    pub awareness_calls: i64,
}

impl InterceptCounts {
    fn add(&mut self, o: &InterceptCounts) {
        self.calls_blocked += o.calls_blocked;
        self.sms_blocked += o.sms_blocked;
        self.numbers_shut += o.numbers_shut;
        self.awareness_sms += o.awareness_sms;
        self.awareness_calls += o.awareness_calls;
    }

    fn checked(&self) -> StoreResult<()> {
        for (field, n) in [
            ("calls_blocked", self.calls_blocked),
            ("sms_blocked", self.sms_blocked),
            ("numbers_shut", self.numbers_shut),
            ("awareness_sms", self.awareness_sms),
            ("awareness_calls", self.awareness_calls),
        ] {
            if !(0..=MAX_OPERATOR_COUNT).contains(&n) {
                return Err(StoreError::invalid(
                    field,
                    format!("must be between 0 and {MAX_OPERATOR_COUNT}"),
                ));
            }
        }
        Ok(())
    }
}

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OperatorFigureEntry {
    pub operator: Operator,
    pub unit_code: String,
    /// `YYYYMM`.
    pub month: i64,
    pub counts: InterceptCounts,
    pub entered_by: String,
    pub entered_at: i64,
}

/// Who enters figures: the center for any operator, a liaison for its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureEnterer {
    Police,
    Operator(Operator),
}

/// Sums over a scope and months: per operator and in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OperatorTotals {
    pub total: InterceptCounts,
    pub by_operator: Vec<(Operator, InterceptCounts)>,
    /// The months with any entry.
    pub months: Vec<i64>,
}

/// The operator-figures repository.
pub struct OperatorFigures<'s> {
    store: &'s Store,
}

impl<'s> OperatorFigures<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        OperatorFigures { store }
    }

    /// Sets `operator`'s figures for unit `unit_code` (inside `scope`) and `month` (`None`
    /// removes the entry) by `by` at `now`, with its audit entry. A liaison enters its own
    /// operator's only ([`StoreError::DutySeparated`] otherwise); the month is not after the
    /// current one (Asia/Shanghai).
    #[allow(clippy::too_many_arguments)]
    pub async fn set(
        &self,
        scope: &Scope,
        enterer: FigureEnterer,
        operator: Operator,
        unit_code: &str,
        month: i64,
        counts: Option<InterceptCounts>,
        by: &str,
        now: i64,
    ) -> StoreResult<()> {
        if let FigureEnterer::Operator(own) = enterer {
            if own != operator {
                return Err(StoreError::DutySeparated {
                    what: "operator figures",
                    detail: "a liaison enters its own operator's figures only".into(),
                });
            }
        }
        month_enterable(month, now)?;
        if let Some(c) = &counts {
            c.checked()?;
        }
        self.store.units().in_scope(scope, unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("operator_figures.begin").await?;
        let mut sql = Sql::new(
            "SELECT calls_blocked, sms_blocked, numbers_shut, awareness_sms, awareness_calls \
             FROM operator_figures WHERE operator = ",
        );
        sql.arg(operator.as_str())
            .push(" AND unit_code = ")
            .arg(unit_code)
            .push(" AND month = ")
            .arg(month);
        let before = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("operator_figures.set"))?
        {
            Some(r) => Some(
                (|| -> Result<_, sqlx::Error> {
                    Ok(InterceptCounts {
                        calls_blocked: col(&r, "calls_blocked")?,
                        sms_blocked: col(&r, "sms_blocked")?,
                        numbers_shut: col(&r, "numbers_shut")?,
                        awareness_sms: col(&r, "awareness_sms")?,
                        awareness_calls: col(&r, "awareness_calls")?,
                    })
                })()
                .map_err(StoreError::query("operator_figures.set"))?,
            ),
            None => None,
        };
        let sql = match &counts {
            Some(c) => {
                let mut sql = Sql::new(
                    "INSERT INTO operator_figures (operator, unit_code, month, calls_blocked, \
                     sms_blocked, numbers_shut, awareness_sms, awareness_calls, entered_by, \
                     entered_at) VALUES (",
                );
                sql.arg(operator.as_str())
                    .push(", ")
                    .arg(unit_code)
                    .push(", ")
                    .arg(month)
                    .push(", ")
                    .arg(c.calls_blocked)
                    .push(", ")
                    .arg(c.sms_blocked)
                    .push(", ")
                    .arg(c.numbers_shut)
                    .push(", ")
                    .arg(c.awareness_sms)
                    .push(", ")
                    .arg(c.awareness_calls)
                    .push(", ")
                    .arg(by)
                    .push(", ")
                    .arg(now)
                    .push(
                        ") ON CONFLICT (operator, unit_code, month) DO UPDATE SET \
                         calls_blocked = excluded.calls_blocked, \
                         sms_blocked = excluded.sms_blocked, \
                         numbers_shut = excluded.numbers_shut, \
                         awareness_sms = excluded.awareness_sms, \
                         awareness_calls = excluded.awareness_calls, \
                         entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                    );
                sql
            }
            None => {
                let mut sql = Sql::new("DELETE FROM operator_figures WHERE operator = ");
                sql.arg(operator.as_str())
                    .push(" AND unit_code = ")
                    .arg(unit_code)
                    .push(" AND month = ")
                    .arg(month);
                sql
            }
        };
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("operator_figures.set"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "operator_figures_set".into(),
                target_type: "unit".into(),
                target_id: Some(unit_code.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({
                    "operator": operator.as_str(),
                    "month": month,
                    "counts": counts,
                    "before": before,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("operator_figures.commit"))?;
        Ok(())
    }

    async fn rows(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<(String, OperatorFigureEntry)>> {
        let mut sql = Sql::new(
            "SELECT u.path, e.operator, e.unit_code, e.month, e.calls_blocked, e.sms_blocked, \
             e.numbers_shut, e.awareness_sms, e.awareness_calls, e.entered_by, e.entered_at \
             FROM operator_figures e \
             JOIN org_units u ON u.code = e.unit_code WHERE ",
        );
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" AND e.month >= ")
            .arg(from)
            .push(" AND e.month <= ")
            .arg(until)
            .push(" ORDER BY e.unit_code, e.month, e.operator");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("operator_figures.list"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    col(r, "path")?,
                    OperatorFigureEntry {
                        operator: parse_code(r, "operator", Operator::parse)?,
                        unit_code: col(r, "unit_code")?,
                        month: col(r, "month")?,
                        counts: InterceptCounts {
                            calls_blocked: col(r, "calls_blocked")?,
                            sms_blocked: col(r, "sms_blocked")?,
                            numbers_shut: col(r, "numbers_shut")?,
                            awareness_sms: col(r, "awareness_sms")?,
                            awareness_calls: col(r, "awareness_calls")?,
                        },
                        entered_by: col(r, "entered_by")?,
                        entered_at: col(r, "entered_at")?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("operator_figures.list"))
    }

    /// The entries of units inside `scope` for months `from..=until` (`YYYYMM`), by unit,
    /// month and operator.
    pub async fn entries(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<OperatorFigureEntry>> {
        Ok(self
            .rows(scope, from, until)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// `scope`'s figures over months `from..=until`: per operator and in all, each unit's own
    /// entry standing for its subtree (per operator and month).
    pub async fn totals(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<OperatorTotals> {
        let rows = self.rows(scope, from, until).await?;
        Ok(Self::tally(Self::counted(&rows)))
    }

    /// [`Self::totals`] of each month of `from..=until` that has entries, from one read (the
    /// rollup is per operator and month, so one query serves a year's page).
    pub async fn monthly_totals(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<BTreeMap<i64, OperatorTotals>> {
        let rows = self.rows(scope, from, until).await?;
        let mut by_month: BTreeMap<i64, Vec<&OperatorFigureEntry>> = BTreeMap::new();
        for e in Self::counted(&rows) {
            by_month.entry(e.month).or_default().push(e);
        }
        Ok(by_month
            .into_iter()
            .map(|(m, entries)| (m, Self::tally(entries.into_iter())))
            .collect())
    }

    /// The entries that count: each unit's own entry stands for its subtree, per operator and
    /// month.
    fn counted(
        rows: &[(String, OperatorFigureEntry)],
    ) -> impl Iterator<Item = &OperatorFigureEntry> + '_ {
        let keyed: Vec<(String, (Operator, i64))> = rows
            .iter()
            .map(|(p, e)| (p.clone(), (e.operator, e.month)))
            .collect();
        rows.iter()
            .zip(outermost(&keyed))
            .filter(|(_, counts)| *counts)
            .map(|((_, e), _)| e)
    }

    fn tally<'e>(entries: impl Iterator<Item = &'e OperatorFigureEntry>) -> OperatorTotals {
        let mut by: BTreeMap<Operator, InterceptCounts> = BTreeMap::new();
        let mut out = OperatorTotals::default();
        let mut months = std::collections::BTreeSet::new();
        for e in entries {
            by.entry(e.operator).or_default().add(&e.counts);
            out.total.add(&e.counts);
            months.insert(e.month);
        }
        out.by_operator = by.into_iter().collect();
        out.months = months.into_iter().collect();
        out
    }
}
