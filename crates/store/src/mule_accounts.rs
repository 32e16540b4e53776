//! Local holders of mule accounts (两卡 · 涉案账户开户人): accounts that received victim money in
//! cases — named by a stop-payment request or as the receiving side of a case's transfer — whose
//! holder is a resident the platform knows. Such a holder sold, rented or lent the card, or is
//! the fraudster; either way a lead for the unit of the holder's residence.
//!
//! Scoped by the holder's residence (`people.unit_code`), not by the case: a county sees its own
//! residents' cards whichever county's victims paid into them. An account whose holder is not a
//! known resident is no local lead and is never listed, not even to the whole platform.

use crate::error::{StoreError, StoreResult};
use crate::page::{split_time_key, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// One account that received victim money, with its holder and what passed through it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MuleAccount {
    pub account_no: String,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub holder_resident_id: String,
    /// The name the bank gave, else the resident's.
    pub holder_name: Option<String>,
    /// The org unit of the holder's residence.
    pub holder_unit_code: String,
    pub opened_at: Option<i64>,
    pub opened_where: Option<String>,
    /// Distinct cases whose money reached the account.
    pub cases: i64,
    /// Victim money transferred into the account, from the cases' transfers.
    pub received_fen: i64,
    /// Victim money the cases' stop-payment requests asked the bank to stop there.
    pub requested_fen: i64,
    /// What the bank holds against those requests.
    pub held_fen: i64,
    /// Report time of the earliest and the latest of those cases.
    pub first_case_at: i64,
    pub last_case_at: i64,
    /// The cases, latest report first.
    pub case_ids: Vec<String>,
}

/// Every (case, account) receipt of victim money: a stop-payment request, or a transfer into
/// the account. Neither the victim's own account nor an account of the victim counts.
const RECEIPTS: &str = "WITH receipts AS (\
     SELECT s.case_id, s.account, 0 AS received_fen, s.requested_fen, s.held_fen \
     FROM stop_payments s \
     UNION ALL \
     SELECT t.case_id, t.to_account, t.amount_fen, 0, 0 FROM case_transfers t) ";

/// Joins a receipt `r` to its case `c`, the account `a` and the holder `p`; the WHERE clause
/// that follows starts with the exclusions.
const JOINS: &str = "FROM receipts r \
     JOIN cases c ON c.id = r.case_id \
     JOIN bank_accounts a ON a.account_no = r.account \
     JOIN people p ON p.resident_id = a.holder_resident_id \
     WHERE (c.victim_account IS NULL OR r.account <> c.victim_account) \
     AND (c.resident_id IS NULL OR a.holder_resident_id <> c.resident_id) AND ";

fn from_row(row: &AnyRow) -> Result<MuleAccount, sqlx::Error> {
    Ok(MuleAccount {
        account_no: col(row, "account_no")?,
        bank_code: col(row, "bank_code")?,
        bank_name: col(row, "bank_name")?,
        holder_resident_id: col(row, "holder_resident_id")?,
        holder_name: col(row, "holder_name")?,
        holder_unit_code: col(row, "holder_unit_code")?,
        opened_at: col(row, "opened_at")?,
        opened_where: col(row, "opened_where")?,
        cases: col(row, "cases")?,
        received_fen: col(row, "received_fen")?,
        requested_fen: col(row, "requested_fen")?,
        held_fen: col(row, "held_fen")?,
        first_case_at: col(row, "first_case_at")?,
        last_case_at: col(row, "last_case_at")?,
        case_ids: Vec::new(),
    })
}

/// The mule-account holders repository.
pub struct MuleAccounts<'s> {
    store: &'s Store,
}

impl<'s> MuleAccounts<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        MuleAccounts { store }
    }

    /// Accounts whose holder lives inside the scope, the one with the latest case first (ties
    /// by account number). Page key `"<last_case_at>/<account_no>"`.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<MuleAccount>> {
        let limit = page.clamped_limit();
        let mut sql = aggregate(scope, None);
        sql.push(" WHERE 1 = 1");
        if let Some((at, account)) = page.after.as_deref().and_then(split_time_key) {
            sql.push(" AND (m.last_case_at < ")
                .arg(at)
                .push(" OR (m.last_case_at = ")
                .arg(at)
                .push(" AND m.account_no > ")
                .arg(account.to_string())
                .push("))");
        }
        sql.push(" ORDER BY m.last_case_at DESC, m.account_no LIMIT ")
            .arg(limit + 1);
        let items = self.fetch(&sql, scope, "mule_accounts.list").await?;
        Ok(Page::from_overfetch(items, limit, |m| {
            format!("{}/{}", m.last_case_at, m.account_no)
        }))
    }

    /// The accounts named by one case's stop-payment requests whose holder lives inside the
    /// scope, with their figures over every case; in account-number order.
    pub async fn for_case(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<MuleAccount>> {
        let mut sql = aggregate(scope, Some(case_id));
        sql.push(" ORDER BY m.account_no");
        self.fetch(&sql, scope, "mule_accounts.for_case").await
    }

    async fn fetch(
        &self,
        sql: &Sql<'_>,
        scope: &Scope,
        what: &'static str,
    ) -> StoreResult<Vec<MuleAccount>> {
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(what))?;
        let mut items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(what))?;
        if items.is_empty() {
            return Ok(items);
        }
        // The cases of the accounts found, in one more query.
        let mut cases = Sql::new(format!(
            "{RECEIPTS}SELECT DISTINCT r.account, r.case_id, c.reported_at {JOINS}"
        ));
        scope.push_condition(&mut cases, "p.unit_code");
        cases
            .push(" AND r.account IN (")
            .args(items.iter().map(|m| m.account_no.as_str()))
            .push(") ORDER BY c.reported_at DESC, r.case_id");
        let rows = cases
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(what))?;
        let mut by_account: HashMap<String, Vec<String>> = HashMap::new();
        for row in &rows {
            let account: String = col(row, "account").map_err(StoreError::query(what))?;
            let case_id: String = col(row, "case_id").map_err(StoreError::query(what))?;
            by_account.entry(account).or_default().push(case_id);
        }
        for m in &mut items {
            m.case_ids = by_account.remove(&m.account_no).unwrap_or_default();
        }
        Ok(items)
    }
}

/// `SELECT m.* FROM (one row per account) m`, ready for a WHERE or ORDER BY; with `case_id`,
/// only the accounts of that case's stop-payment requests.
fn aggregate<'a>(scope: &Scope, case_id: Option<&'a str>) -> Sql<'a> {
    let mut sql = Sql::new(format!(
        "SELECT m.* FROM ({RECEIPTS}SELECT a.account_no, a.bank_code, a.bank_name, \
         a.holder_resident_id, COALESCE(a.holder_name, p.name) AS holder_name, \
         p.unit_code AS holder_unit_code, a.opened_at, a.opened_where, \
         COUNT(DISTINCT r.case_id) AS cases, \
         CAST(SUM(r.received_fen) AS BIGINT) AS received_fen, \
         CAST(SUM(r.requested_fen) AS BIGINT) AS requested_fen, \
         CAST(SUM(r.held_fen) AS BIGINT) AS held_fen, \
         MIN(c.reported_at) AS first_case_at, MAX(c.reported_at) AS last_case_at {JOINS}"
    ));
    scope.push_condition(&mut sql, "p.unit_code");
    if let Some(id) = case_id {
        sql.push(" AND a.account_no IN (SELECT account FROM stop_payments WHERE case_id = ")
            .arg(id)
            .push(")");
    }
    sql.push(
        " GROUP BY a.account_no, a.bank_code, a.bank_name, a.holder_resident_id, \
         a.holder_name, p.name, p.unit_code, a.opened_at, a.opened_where) m",
    );
    sql
}
