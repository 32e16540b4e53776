//! Guardians registered for a resident under 金钟罩 joint defense: family members (or others the
//! resident named) who are told by SMS when the resident receives a fraud warning.
//!
//! A guardian belongs to a resident, so every read is scoped through the resident's unit.

use crate::error::{StoreError, StoreResult};
use crate::mask::mask_key;
use crate::scope::Scope;
use crate::sms::valid_sms_number;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// A guardian to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGuardian {
    pub resident_id: String,
    pub name: String,
    pub phone: String,
    /// 父亲, 女儿, 配偶, …
    pub relationship: String,
    pub created_at: i64,
}

/// A stored guardian.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Guardian {
    pub id: i64,
    pub resident_id: String,
    pub name: String,
    pub phone: String,
    pub relationship: String,
    pub created_at: i64,
}

const COLUMNS: &str = "g.id, g.resident_id, g.name, g.phone, g.relationship, g.created_at";

fn from_row(row: &AnyRow) -> Result<Guardian, sqlx::Error> {
    Ok(Guardian {
        id: col(row, "id")?,
        resident_id: col(row, "resident_id")?,
        name: col(row, "name")?,
        phone: col(row, "phone")?,
        relationship: col(row, "relationship")?,
        created_at: col(row, "created_at")?,
    })
}

/// The guardians repository.
pub struct Guardians<'s> {
    store: &'s Store,
}

impl<'s> Guardians<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Guardians { store }
    }

    /// Records a guardian for a resident inside `scope`; a resident outside it (or absent) is
    /// [`StoreError::NotFound`].
    pub async fn add(&self, scope: &Scope, g: &NewGuardian) -> StoreResult<Guardian> {
        let name = g.name.trim();
        let phone = g.phone.trim();
        let relationship = g.relationship.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("name", "must not be empty"));
        }
        if !valid_sms_number(phone) {
            return Err(StoreError::invalid(
                "phone",
                "must be 3 to 20 digits, optionally after +",
            ));
        }
        if relationship.is_empty() {
            return Err(StoreError::invalid("relationship", "must not be empty"));
        }
        // Checks the resident exists and lies inside the scope.
        self.store.people().get(scope, &g.resident_id).await?;
        let mut sql = Sql::new(
            "INSERT INTO guardians (resident_id, name, phone, relationship, created_at) VALUES (",
        );
        sql.arg(g.resident_id.as_str())
            .push(", ")
            .arg(name)
            .push(", ")
            .arg(phone)
            .push(", ")
            .arg(relationship)
            .push(", ")
            .arg(g.created_at)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("guardians.add"))?;
        Ok(Guardian {
            id: col(&row, "id").map_err(StoreError::query("guardians.add"))?,
            resident_id: g.resident_id.clone(),
            name: name.to_string(),
            phone: phone.to_string(),
            relationship: relationship.to_string(),
            created_at: g.created_at,
        })
    }

    /// A resident's guardians, in the order they were recorded; empty when the resident has
    /// none or lies outside `scope`.
    pub async fn for_resident(
        &self,
        scope: &Scope,
        resident_id: &str,
    ) -> StoreResult<Vec<Guardian>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM guardians g JOIN people p ON p.resident_id = g.resident_id \
             WHERE g.resident_id = "
        ));
        sql.arg(resident_id).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" ORDER BY g.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("guardians.for_resident"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("guardians.for_resident"))
    }

    /// Removes a guardian of a resident inside `scope`.
    pub async fn remove(&self, scope: &Scope, id: i64) -> StoreResult<()> {
        let mut sql = Sql::new("DELETE FROM guardians WHERE id = ");
        sql.arg(id)
            .push(" AND resident_id IN (SELECT p.resident_id FROM people p WHERE ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(")");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("guardians.remove"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "guardian",
                key: mask_key(&id.to_string()),
            });
        }
        Ok(())
    }
}
