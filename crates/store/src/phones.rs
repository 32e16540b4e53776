//! Phone numbers, keyed by their canonical form.

use crate::error::{StoreError, StoreResult};
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_bulk, Merge, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::any::AnyRow;

/// A phone number to create or update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPhone {
    /// Canonical number (`13812345678`, `057462345678`, `+85291234567`).
    pub number: String,
    /// `mobile`, `fixed`, `virtual`, `overseas`, `service`.
    pub kind: String,
    pub carrier: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    /// Resident ID number of the owner, when known.
    pub owner_resident_id: Option<String>,
}

/// A stored phone number.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Phone {
    pub number: String,
    pub kind: String,
    pub carrier: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub owner_resident_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const SPEC: TableSpec = TableSpec {
    table: "phones",
    key: "number",
    columns: &[
        ("kind", Merge::Replace),
        ("carrier", Merge::KeepIfNull),
        ("province", Merge::KeepIfNull),
        ("city", Merge::KeepIfNull),
        ("owner_resident_id", Merge::KeepIfNull),
    ],
};

const COLUMNS: &str = "ph.number, ph.kind, ph.carrier, ph.province, ph.city, \
     ph.owner_resident_id, ph.created_at, ph.updated_at";

/// Phones are scoped through their owner's residence; phones without an owner are seen by the
/// whole platform only.
const FROM: &str = "FROM phones ph LEFT JOIN people p ON p.resident_id = ph.owner_resident_id";

fn phone_from_row(row: &AnyRow) -> Result<Phone, sqlx::Error> {
    Ok(Phone {
        number: col(row, "number")?,
        kind: col(row, "kind")?,
        carrier: col(row, "carrier")?,
        province: col(row, "province")?,
        city: col(row, "city")?,
        owner_resident_id: col(row, "owner_resident_id")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// The phone-number repository.
pub struct Phones<'s> {
    store: &'s Store,
}

impl<'s> Phones<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Phones { store }
    }

    /// Creates or updates numbers in one transaction; re-upserting the same rows changes
    /// nothing. Missing optional values never erase stored ones.
    pub async fn upsert(&self, phones: &[NewPhone]) -> StoreResult<UpsertOutcome> {
        let rows = upsert_rows(phones)?;
        let mut tx = self.store.begin_write("phones.begin").await?;
        let outcome = upsert_bulk(&mut tx, self.store.backend(), &SPEC, rows, now_ms()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("phones.commit"))?;
        Ok(outcome)
    }

    /// One number; [`StoreError::NotFound`] when absent or outside the scope.
    pub async fn get(&self, scope: &Scope, number: &str) -> StoreResult<Phone> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE ph.number = "));
        sql.arg(number).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("phones.get"))?;
        match row {
            Some(r) => phone_from_row(&r).map_err(StoreError::query("phones.get")),
            None => Err(StoreError::NotFound {
                what: "phone",
                key: mask_key(number),
            }),
        }
    }

    /// Numbers inside the scope, in number order.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<Phone>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(after) = &page.after {
            sql.push(" AND ph.number > ").arg(after.as_str());
        }
        sql.push(" ORDER BY ph.number LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("phones.list"))?;
        let items = rows
            .iter()
            .map(phone_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("phones.list"))?;
        Ok(Page::from_overfetch(items, limit, |p| p.number.clone()))
    }

    /// Numbers inside the scope.
    pub async fn count(&self, scope: &Scope) -> StoreResult<i64> {
        let mut sql = Sql::new(format!("SELECT COUNT(*) AS n {FROM} WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("phones.count"))?;
        col(&row, "n").map_err(StoreError::query("phones.count"))
    }
}

/// The upsert rows of a batch, checked.
pub(crate) fn upsert_rows(phones: &[NewPhone]) -> StoreResult<Vec<UpsertRow<'_>>> {
    let mut rows = Vec::with_capacity(phones.len());
    for (i, p) in phones.iter().enumerate() {
        if p.number.is_empty() || p.kind.is_empty() {
            return Err(StoreError::invalid(
                "phone",
                format!("row {} of the batch lacks a number or a kind", i + 1),
            ));
        }
        rows.push(UpsertRow {
            key: &p.number,
            values: vec![
                p.kind.as_str().into(),
                p.carrier.as_deref().into(),
                p.province.as_deref().into(),
                p.city.as_deref().into(),
                p.owner_resident_id.as_deref().into(),
            ],
        });
    }
    Ok(rows)
}
