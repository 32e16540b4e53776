//! 银行反诈数据: what each bank's branches did against fraud in a month within a unit's area, as
//! the banks report them to the center — customers its counters and call-backs talked out of
//! paying a fraudster (柜面劝阻, with the money that stayed with them) and the anti-fraud
//! reminders it pushed to its customers (seed 004: "商业银行…定期向用户推送防骗短信和语音提醒").
//! Entered by the bank's liaison for their own bank, or by the center for any. A unit's own
//! entry stands for its subtree (`crate::rollup`), as with the operators' figures.
//!
//! Entries are read by the subtree of their unit; each change writes an audit entry (the
//! figures before and after) in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::crime_counts::month_enterable;
use crate::error::{StoreError, StoreResult};
use crate::rollup::outermost;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use std::collections::BTreeMap;

/// The largest count one entry may carry.
pub const MAX_BANK_COUNT: i64 = 10_000_000_000;
/// The largest amount one entry may carry: ¥10 billion, in fen.
pub const MAX_BANK_FEN: i64 = 1_000_000_000_000;

/// A bank's figures for a unit and month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BankCounts {
    /// 劝阻 (people): customers talked out of paying a fraudster at the counter or on a
    /// call-back.
    pub dissuaded: i64,
    /// The money they were about to pay, in fen (劝阻金额).
    pub dissuaded_fen: i64,
    /// 推送防骗提醒短信 (anti-fraud reminders texted to customers).
    pub awareness_sms: i64,
    /// 防骗语音提醒 (voice reminders: calls or announcements).
    pub awareness_calls: i64,
}

impl BankCounts {
    pub fn add(&mut self, o: &BankCounts) {
        self.dissuaded += o.dissuaded;
        self.dissuaded_fen += o.dissuaded_fen;
        self.awareness_sms += o.awareness_sms;
        self.awareness_calls += o.awareness_calls;
    }

    fn checked(&self) -> StoreResult<()> {
        for (field, n, max) in [
            ("dissuaded", self.dissuaded, MAX_BANK_COUNT),
            ("dissuaded_fen", self.dissuaded_fen, MAX_BANK_FEN),
            ("awareness_sms", self.awareness_sms, MAX_BANK_COUNT),
            ("awareness_calls", self.awareness_calls, MAX_BANK_COUNT),
        ] {
            if !(0..=max).contains(&n) {
                return Err(StoreError::invalid(
                    field,
                    format!("must be between 0 and {max}"),
                ));
            }
        }
        if self.dissuaded == 0 && self.dissuaded_fen > 0 {
            return Err(StoreError::invalid(
                "dissuaded_fen",
                "an amount kept needs the people dissuaded",
            ));
        }
        Ok(())
    }
}

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BankFigureEntry {
    pub bank_code: String,
    pub unit_code: String,
    /// `YYYYMM`.
    pub month: i64,
    pub counts: BankCounts,
    pub entered_by: String,
    pub entered_at: i64,
}

/// Who enters figures: the center for any bank, a liaison for its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankEnterer {
    Police,
    Bank(String),
}

/// Sums over a scope and months: per bank (in code order) and in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BankTotals {
    pub total: BankCounts,
    pub by_bank: Vec<(String, BankCounts)>,
    /// The months with any entry.
    pub months: Vec<i64>,
}

impl BankTotals {
    /// `bank`'s figures (zero without an entry).
    pub fn of(&self, bank: &str) -> BankCounts {
        self.by_bank
            .iter()
            .find(|(b, _)| b == bank)
            .map_or(BankCounts::default(), |(_, c)| *c)
    }
}

/// The bank-figures repository.
pub struct BankFigures<'s> {
    store: &'s Store,
}

const COUNT_COLUMNS: &str = "dissuaded, dissuaded_fen, awareness_sms, awareness_calls";

fn counts_of(r: &sqlx::any::AnyRow) -> Result<BankCounts, sqlx::Error> {
    Ok(BankCounts {
        dissuaded: col(r, "dissuaded")?,
        dissuaded_fen: col(r, "dissuaded_fen")?,
        awareness_sms: col(r, "awareness_sms")?,
        awareness_calls: col(r, "awareness_calls")?,
    })
}

impl<'s> BankFigures<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        BankFigures { store }
    }

    /// Sets `bank_code`'s figures for unit `unit_code` (inside `scope`) and `month` (`None`
    /// removes the entry) by `by` at `now`, with its audit entry. A liaison enters its own
    /// bank's only ([`StoreError::DutySeparated`] otherwise); the bank must be a known one; the
    /// month is not after the current one (Asia/Shanghai).
    #[allow(clippy::too_many_arguments)]
    pub async fn set(
        &self,
        scope: &Scope,
        enterer: &BankEnterer,
        bank_code: &str,
        unit_code: &str,
        month: i64,
        counts: Option<BankCounts>,
        by: &str,
        now: i64,
    ) -> StoreResult<()> {
        if let BankEnterer::Bank(own) = enterer {
            if own != bank_code {
                return Err(StoreError::DutySeparated {
                    what: "bank figures",
                    detail: "a liaison enters its own bank's figures only".into(),
                });
            }
        }
        if fanzha_core::reference::bank_bins()
            .bank(bank_code)
            .is_none()
        {
            return Err(StoreError::invalid(
                "bank_code",
                format!("`{bank_code}` is not a bank code of the reference table (ICBC, ABC …)"),
            ));
        }
        month_enterable(month, now)?;
        if let Some(c) = &counts {
            c.checked()?;
        }
        self.store.units().in_scope(scope, unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("bank_figures.begin").await?;
        let ctx = "bank_figures.set";
        let key = |sql: &mut Sql<'_>| {
            sql.arg(bank_code.to_string())
                .push(" AND unit_code = ")
                .arg(unit_code.to_string())
                .push(" AND month = ")
                .arg(month);
        };
        let mut sql = Sql::new(format!(
            "SELECT {COUNT_COLUMNS} FROM bank_figures WHERE bank_code = "
        ));
        key(&mut sql);
        let before = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
        {
            Some(r) => Some(counts_of(&r).map_err(StoreError::query(ctx))?),
            None => None,
        };
        let sql = match &counts {
            Some(c) => {
                let mut sql = Sql::new(format!(
                    "INSERT INTO bank_figures (bank_code, unit_code, month, {COUNT_COLUMNS}, \
                     entered_by, entered_at) VALUES ("
                ));
                sql.arg(bank_code)
                    .push(", ")
                    .arg(unit_code)
                    .push(", ")
                    .arg(month);
                for n in [
                    c.dissuaded,
                    c.dissuaded_fen,
                    c.awareness_sms,
                    c.awareness_calls,
                ] {
                    sql.push(", ").arg(n);
                }
                sql.push(", ").arg(by).push(", ").arg(now).push(
                    ") ON CONFLICT (bank_code, unit_code, month) DO UPDATE SET \
                         dissuaded = excluded.dissuaded, \
                         dissuaded_fen = excluded.dissuaded_fen, \
                         awareness_sms = excluded.awareness_sms, \
                         awareness_calls = excluded.awareness_calls, \
                         entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                );
                sql
            }
            None => {
                let mut sql = Sql::new("DELETE FROM bank_figures WHERE bank_code = ");
                key(&mut sql);
                sql
            }
        };
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "bank_figures_set".into(),
                target_type: "unit".into(),
                target_id: Some(unit_code.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({
                    "bank": bank_code,
                    "month": month,
                    "counts": counts,
                    "before": before,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("bank_figures.commit"))?;
        Ok(())
    }

    /// The entries (with their unit's path) of units inside `scope` for months
    /// `from..=until`, by unit, month and bank.
    async fn rows(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<(String, BankFigureEntry)>> {
        let mut sql = Sql::new(
            "SELECT u.path, e.bank_code, e.unit_code, e.month, e.dissuaded, e.dissuaded_fen, \
             e.awareness_sms, e.awareness_calls, e.entered_by, e.entered_at \
             FROM bank_figures e JOIN org_units u ON u.code = e.unit_code WHERE ",
        );
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" AND e.month >= ")
            .arg(from)
            .push(" AND e.month <= ")
            .arg(until)
            .push(" ORDER BY e.unit_code, e.month, e.bank_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bank_figures.list"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    col(r, "path")?,
                    BankFigureEntry {
                        bank_code: col(r, "bank_code")?,
                        unit_code: col(r, "unit_code")?,
                        month: col(r, "month")?,
                        counts: counts_of(r)?,
                        entered_by: col(r, "entered_by")?,
                        entered_at: col(r, "entered_at")?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("bank_figures.list"))
    }

    /// The entries of units inside `scope` for months `from..=until` (`YYYYMM`), by unit,
    /// month and bank.
    pub async fn entries(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<BankFigureEntry>> {
        Ok(self
            .rows(scope, from, until)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// `scope`'s figures over months `from..=until`: per bank and in all, each unit's own
    /// entry standing for its subtree (per bank and month).
    pub async fn totals(&self, scope: &Scope, from: i64, until: i64) -> StoreResult<BankTotals> {
        let rows = self.rows(scope, from, until).await?;
        Ok(Self::tally(Self::counted(&rows)))
    }

    /// [`Self::totals`] of each month of `from..=until` that has entries, from one read: a
    /// year's page needs twelve months, which the rollup (per bank and month) lets one query
    /// serve.
    pub async fn monthly_totals(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<BTreeMap<i64, BankTotals>> {
        let rows = self.rows(scope, from, until).await?;
        let mut by_month: BTreeMap<i64, Vec<&BankFigureEntry>> = BTreeMap::new();
        for e in Self::counted(&rows) {
            by_month.entry(e.month).or_default().push(e);
        }
        Ok(by_month
            .into_iter()
            .map(|(m, entries)| (m, Self::tally(entries.into_iter())))
            .collect())
    }

    /// The entries that count: each unit's own entry stands for its subtree, per bank and
    /// month.
    fn counted(rows: &[(String, BankFigureEntry)]) -> impl Iterator<Item = &BankFigureEntry> + '_ {
        let keyed: Vec<(String, (&str, i64))> = rows
            .iter()
            .map(|(p, e)| (p.clone(), (e.bank_code.as_str(), e.month)))
            .collect();
        rows.iter()
            .zip(outermost(&keyed))
            .filter(|(_, counts)| *counts)
            .map(|((_, e), _)| e)
    }

    fn tally<'e>(entries: impl Iterator<Item = &'e BankFigureEntry>) -> BankTotals {
        let mut by: BTreeMap<&str, BankCounts> = BTreeMap::new();
        let mut out = BankTotals::default();
        let mut months = std::collections::BTreeSet::new();
        for e in entries {
            by.entry(e.bank_code.as_str()).or_default().add(&e.counts);
            out.total.add(&e.counts);
            months.insert(e.month);
        }
        out.by_bank = by.into_iter().map(|(b, c)| (b.to_string(), c)).collect();
        out.months = months.into_iter().collect();
        out
    }
}
