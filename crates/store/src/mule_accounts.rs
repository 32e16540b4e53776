//! Local holders of mule accounts (两卡 · 涉案账户开户人): accounts that received victim money in
//! cases — named by a stop-payment request or as the receiving side of a case's transfer — whose
//! holder is a resident the platform knows. Such a holder sold, rented or lent the card, or is
//! the fraudster; either way a lead for the unit of the holder's residence.
//!
//! Scoped by the holder's residence (`people.unit_code`), not by the case: a county sees its own
//! residents' cards whichever county's victims paid into them. An account whose holder is not a
//! known resident is no local lead and is never listed, not even to the whole platform.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

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
///
/// A transfer shows in the sender's and in the receiver's bank extract, and a case keeps the
/// rows of both; it counts once, as the trace's `TransferBook` keeps it: the same
/// (transaction id or none, from, to, time, amount, channel) in two extracts is one transfer,
/// while identical rows within one extract (`source_file`) are distinct transfers. So per case
/// and key, the rows of the extract that holds the most of them count.
pub(crate) const RECEIPTS: &str = "WITH extract_rows AS (\
     SELECT t.case_id, t.txn_id, t.from_account, t.to_account, t.at, t.amount_fen, t.channel, \
     COUNT(*) AS n FROM case_transfers t \
     GROUP BY t.case_id, t.source_file, t.txn_id, t.from_account, t.to_account, t.at, \
     t.amount_fen, t.channel), \
     kept_transfers AS (\
     SELECT e.case_id, e.to_account, e.amount_fen * MAX(e.n) AS received_fen \
     FROM extract_rows e \
     GROUP BY e.case_id, e.txn_id, e.from_account, e.to_account, e.at, e.amount_fen, e.channel), \
     receipts AS (\
     SELECT s.case_id, s.account, 0 AS received_fen, s.requested_fen, s.held_fen \
     FROM stop_payments s \
     UNION ALL \
     SELECT t.case_id, t.to_account, t.received_fen, 0, 0 FROM kept_transfers t) ";

/// Joins a receipt `r` to its case `c`, the account `a` and the holder `p`; the WHERE clause
/// that follows starts with the exclusions.
pub(crate) const JOINS: &str = "FROM receipts r \
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

    /// Accounts whose holder lives inside the scope; each page the one with the latest case
    /// first (ties by account number).
    ///
    /// Pages are cut in the order of each account's page token (`page_token`), not by the
    /// latest case: that is an aggregate, and a case coming in between two pages would move an
    /// account across the page boundary, to be skipped or listed twice. The token never changes for an account, so
    /// every account is listed on exactly one page however the figures move, and the page key
    /// (the token of the page's last account) names no account number. Newest first thus holds
    /// within a page — over the whole list when it fits on one page. A key handed out by another
    /// process (the token's secret is per process) or not read as a key starts at the first page.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<MuleAccount>> {
        let limit = usize::try_from(page.clamped_limit()).unwrap_or(usize::MAX);
        let after = page.after.as_deref().and_then(parse_page_key);
        // Which accounts there are: the numbers only, ordered and cut here.
        let mut sql = Sql::new(format!("{RECEIPTS}SELECT DISTINCT r.account {JOINS}"));
        scope.push_condition(&mut sql, "p.unit_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("mule_accounts.list"))?;
        let mut tokens = rows
            .iter()
            .map(|row| col::<String>(row, "account").map(|a| (page_token(&a), a)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("mule_accounts.list"))?;
        tokens.retain(|(token, _)| after.is_none_or(|after| *token > after));
        tokens.sort_unstable();
        let next = (tokens.len() > limit).then(|| page_key(tokens[limit - 1].0));
        tokens.truncate(limit);
        if tokens.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next,
            });
        }
        // Their holders and figures.
        let accounts: Vec<&str> = tokens.iter().map(|(_, a)| a.as_str()).collect();
        let mut sql = aggregate(scope, Only::Accounts(&accounts));
        sql.push(" ORDER BY m.last_case_at DESC, m.account_no");
        let items = self.fetch(&sql, scope, "mule_accounts.list").await?;
        Ok(Page { items, next })
    }

    /// The accounts named by one case's stop-payment requests whose holder lives inside the
    /// scope, with their figures over every case; in account-number order.
    pub async fn for_case(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<MuleAccount>> {
        let mut sql = aggregate(scope, Only::Case(case_id));
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

/// Which accounts [`aggregate`] takes.
enum Only<'a> {
    /// Those of the case's stop-payment requests.
    Case(&'a str),
    /// These (at least one).
    Accounts(&'a [&'a str]),
}

/// `SELECT m.* FROM (one row per account) m`, ready for a WHERE or ORDER BY.
fn aggregate<'a>(scope: &Scope, only: Only<'a>) -> Sql<'a> {
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
    match only {
        Only::Case(id) => {
            sql.push(" AND a.account_no IN (SELECT account FROM stop_payments WHERE case_id = ")
                .arg(id)
                .push(")");
        }
        Only::Accounts(accounts) => {
            sql.push(" AND a.account_no IN (")
                .args(accounts.iter().copied())
                .push(")");
        }
    }
    sql.push(
        " GROUP BY a.account_no, a.bank_code, a.bank_name, a.holder_resident_id, \
         a.holder_name, p.name, p.unit_code, a.opened_at, a.opened_where) m",
    );
    sql
}

/// The process's secret for page tokens: std's SipHash, keyed at random when first used.
fn token_secret() -> &'static RandomState {
    static SECRET: OnceLock<RandomState> = OnceLock::new();
    SECRET.get_or_init(RandomState::new)
}

/// An account's place in the paging order: a keyed hash of its number (128 bits, two halves
/// under one secret), the same for the life of the process and telling nothing of the number.
fn page_token(account: &str) -> u128 {
    let secret = token_secret();
    let hi = secret.hash_one((0u8, account));
    let lo = secret.hash_one((1u8, account));
    (u128::from(hi) << 64) | u128::from(lo)
}

/// This process's mark on its page keys, so that a key from another one is not taken for a
/// place in this order.
fn key_mark() -> u32 {
    // The low half of a keyed hash; truncation intended.
    token_secret().hash_one("fanzha.mule_accounts.page_key") as u32
}

/// Page key: the mark and the token, in hex.
fn page_key(token: u128) -> String {
    format!("{:08x}{token:032x}", key_mark())
}

fn parse_page_key(key: &str) -> Option<u128> {
    if key.len() != 40 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mark = u32::from_str_radix(&key[..8], 16).ok()?;
    (mark == key_mark())
        .then(|| u128::from_str_radix(&key[8..], 16).ok())
        .flatten()
}
