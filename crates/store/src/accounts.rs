//! Bank accounts and cards, keyed by account number.

use crate::error::{StoreError, StoreResult};
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_bulk, Merge, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::any::AnyRow;

/// A bank account to create or update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAccount {
    /// Card or account number, digits only.
    pub account_no: String,
    /// Issuing bank's code (from the BIN table or the bank's own list).
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    /// `debit`, `credit`, `prepaid`, …
    pub card_type: Option<String>,
    /// Resident ID number of the holder, when known.
    pub holder_resident_id: Option<String>,
    pub holder_name: Option<String>,
    /// When the account was opened, epoch milliseconds UTC.
    pub opened_at: Option<i64>,
    /// Where it was opened (branch, outlet, online channel).
    pub opened_where: Option<String>,
}

/// A stored bank account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub account_no: String,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub card_type: Option<String>,
    pub holder_resident_id: Option<String>,
    pub holder_name: Option<String>,
    pub opened_at: Option<i64>,
    pub opened_where: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const SPEC: TableSpec = TableSpec {
    table: "bank_accounts",
    key: "account_no",
    columns: &[
        ("bank_code", Merge::KeepIfNull),
        ("bank_name", Merge::KeepIfNull),
        ("card_type", Merge::KeepIfNull),
        ("holder_resident_id", Merge::KeepIfNull),
        ("holder_name", Merge::KeepIfNull),
        ("opened_at", Merge::KeepIfNull),
        ("opened_where", Merge::KeepIfNull),
    ],
};

const COLUMNS: &str = "a.account_no, a.bank_code, a.bank_name, a.card_type, \
     a.holder_resident_id, a.holder_name, a.opened_at, a.opened_where, a.created_at, a.updated_at";

/// Accounts are scoped through their holder's residence; accounts without a known holder are
/// seen by the whole platform only.
const FROM: &str =
    "FROM bank_accounts a LEFT JOIN people p ON p.resident_id = a.holder_resident_id";

fn account_from_row(row: &AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        account_no: col(row, "account_no")?,
        bank_code: col(row, "bank_code")?,
        bank_name: col(row, "bank_name")?,
        card_type: col(row, "card_type")?,
        holder_resident_id: col(row, "holder_resident_id")?,
        holder_name: col(row, "holder_name")?,
        opened_at: col(row, "opened_at")?,
        opened_where: col(row, "opened_where")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// The bank-account repository.
pub struct Accounts<'s> {
    store: &'s Store,
}

impl<'s> Accounts<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Accounts { store }
    }

    /// Creates or updates accounts in one transaction; re-upserting the same rows changes
    /// nothing. Missing values never erase stored ones.
    pub async fn upsert(&self, accounts: &[NewAccount]) -> StoreResult<UpsertOutcome> {
        let rows = upsert_rows(accounts)?;
        let mut tx = self.store.begin_write("bank_accounts.begin").await?;
        let outcome = upsert_bulk(&mut tx, self.store.backend(), &SPEC, rows, now_ms()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("bank_accounts.commit"))?;
        Ok(outcome)
    }

    /// One account; [`StoreError::NotFound`] when absent or outside the scope.
    pub async fn get(&self, scope: &Scope, account_no: &str) -> StoreResult<Account> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE a.account_no = "));
        sql.arg(account_no).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("bank_accounts.get"))?;
        match row {
            Some(r) => account_from_row(&r).map_err(StoreError::query("bank_accounts.get")),
            None => Err(StoreError::NotFound {
                what: "account",
                key: mask_key(account_no),
            }),
        }
    }

    /// Accounts inside the scope, in account-number order.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<Account>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(after) = &page.after {
            sql.push(" AND a.account_no > ").arg(after.as_str());
        }
        sql.push(" ORDER BY a.account_no LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bank_accounts.list"))?;
        let items = rows
            .iter()
            .map(account_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("bank_accounts.list"))?;
        Ok(Page::from_overfetch(items, limit, |a| a.account_no.clone()))
    }

    /// Accounts inside the scope.
    pub async fn count(&self, scope: &Scope) -> StoreResult<i64> {
        let mut sql = Sql::new(format!("SELECT COUNT(*) AS n {FROM} WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("bank_accounts.count"))?;
        col(&row, "n").map_err(StoreError::query("bank_accounts.count"))
    }
}

/// The upsert rows of a batch, checked.
pub(crate) fn upsert_rows(accounts: &[NewAccount]) -> StoreResult<Vec<UpsertRow<'_>>> {
    let mut rows = Vec::with_capacity(accounts.len());
    for (i, a) in accounts.iter().enumerate() {
        if a.account_no.is_empty() {
            return Err(StoreError::invalid(
                "account",
                format!("row {} of the batch lacks an account number", i + 1),
            ));
        }
        rows.push(UpsertRow {
            key: &a.account_no,
            values: vec![
                a.bank_code.as_deref().into(),
                a.bank_name.as_deref().into(),
                a.card_type.as_deref().into(),
                a.holder_resident_id.as_deref().into(),
                a.holder_name.as_deref().into(),
                a.opened_at.into(),
                a.opened_where.as_deref().into(),
            ],
        });
    }
    Ok(rows)
}
