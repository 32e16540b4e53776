//! Who holds which number: every phone number and bank account the platform knows with the
//! resident it belongs to, for the live detection engine's directory (stage 2 keys its state by
//! the person behind a number). Read in pages, optionally only what changed since a time, so a
//! running engine picks up residents imported after it started.

use crate::error::StoreResult;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// A number (phone in its canonical form, or account number) and its holder's ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    pub number: String,
    pub resident_id: String,
}

/// Where a page of holdings starts: after this (number, resident) pair.
pub type HoldingCursor = Option<(String, String)>;

fn holding_from_row(row: &AnyRow) -> Result<Holding, sqlx::Error> {
    Ok(Holding {
        number: col(row, "number")?,
        resident_id: col(row, "resident_id")?,
    })
}

pub struct Holdings<'s> {
    store: &'s Store,
}

impl<'s> Holdings<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Holdings { store }
    }

    /// Phone numbers with their holder — a resident's own number and the numbers registered to
    /// a resident in the phone register — changed at or after `since` (epoch ms), holders inside
    /// `scope`, ordered by (number, resident) after `after`, at most `limit`.
    pub async fn phones(
        &self,
        scope: &Scope,
        since: i64,
        after: &HoldingCursor,
        limit: i64,
    ) -> StoreResult<Vec<Holding>> {
        // UNION, not UNION ALL: a resident's own number also in the phone register is one
        // holding, so the (number, resident) keyset never falls between two equal rows.
        let mut sql = Sql::new(
            "SELECT number, resident_id FROM (SELECT p.phone AS number, p.resident_id, \
             p.unit_code FROM people p WHERE p.phone IS NOT NULL AND p.updated_at >= ",
        );
        sql.arg(since).push(
            " UNION SELECT ph.number, p.resident_id, p.unit_code FROM phones ph \
             JOIN people p ON p.resident_id = ph.owner_resident_id WHERE (ph.updated_at >= ",
        );
        sql.arg(since)
            .push(" OR p.updated_at >= ")
            .arg(since)
            .push(")) h WHERE ");
        scope.push_condition(&mut sql, "h.unit_code");
        page(&mut sql, after, limit);
        sql.fetch_decoded(self.store.pool(), "holdings.phones", holding_from_row)
            .await
    }

    /// Bank accounts with their holder (residents inside `scope`), as [`Holdings::phones`].
    pub async fn accounts(
        &self,
        scope: &Scope,
        since: i64,
        after: &HoldingCursor,
        limit: i64,
    ) -> StoreResult<Vec<Holding>> {
        let mut sql = Sql::new(
            "SELECT number, resident_id FROM (SELECT a.account_no AS number, p.resident_id, \
             p.unit_code FROM bank_accounts a \
             JOIN people p ON p.resident_id = a.holder_resident_id WHERE (a.updated_at >= ",
        );
        sql.arg(since)
            .push(" OR p.updated_at >= ")
            .arg(since)
            .push(")) h WHERE ");
        scope.push_condition(&mut sql, "h.unit_code");
        page(&mut sql, after, limit);
        sql.fetch_decoded(self.store.pool(), "holdings.accounts", holding_from_row)
            .await
    }
}

fn page(sql: &mut Sql<'_>, after: &HoldingCursor, limit: i64) {
    if let Some((number, resident)) = after {
        sql.push(" AND (h.number > ")
            .arg(number.clone())
            .push(" OR (h.number = ")
            .arg(number.clone())
            .push(" AND h.resident_id > ")
            .arg(resident.clone())
            .push("))");
    }
    sql.push(" ORDER BY h.number, h.resident_id LIMIT ")
        .arg(limit.max(1));
}
