//! Guardians registered for a resident under 金钟罩 joint defense: family members (or others the
//! resident named) who are told by SMS when the resident receives a fraud warning.
//!
//! A guardian belongs to a resident, so every read is scoped through the resident's unit. A
//! resident has one guardian per phone number: recording the same resident and phone again
//! updates that guardian (name, relationship) instead of adding a second, so a guardian list
//! imported twice changes nothing. Saving a guardian from the page or a list also records the
//! resident's 金钟罩 sign-up (`people.joint_defense_registered`), because naming guardians is how
//! a resident joins; the one-by-one [`Guardians::add`] leaves the sign-up as it is.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
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
    /// [`StoreError::NotFound`]. The same resident and phone again updates that guardian.
    pub async fn add(&self, scope: &Scope, g: &NewGuardian) -> StoreResult<Guardian> {
        let g = checked(g)?;
        // Checks the resident exists and lies inside the scope.
        self.store.people().get(scope, &g.resident_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("guardians.begin").await?;
        let (saved, _) = upsert_on(&mut tx, &g).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("guardians.commit"))?;
        Ok(saved)
    }

    /// Records a guardian from the page as `actor`: like [`Guardians::add`], and the resident's
    /// 金钟罩 sign-up is recorded too; the change and its audit entry commit together.
    pub async fn save(
        &self,
        scope: &Scope,
        g: &NewGuardian,
        actor: &str,
    ) -> StoreResult<(Guardian, GuardianSaved)> {
        let g = checked(g)?;
        let person = self.store.people().get(scope, &g.resident_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("guardians.begin").await?;
        let (saved, how) = upsert_on(&mut tx, &g).await?;
        let signed_up = sign_up_on(&mut tx, &g.resident_id, true, g.created_at).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "guardian_saved".into(),
                target_type: "guardian".into(),
                target_id: Some(saved.id.to_string()),
                unit_code: Some(person.unit_code.clone()),
                detail: serde_json::json!({
                    "resident": mask_key(&g.resident_id),
                    "saved": how.as_str(),
                    "signed_up": signed_up,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("guardians.commit"))?;
        Ok((saved, how))
    }

    /// Imports a guardian list inside `scope` as `actor` at `at`: each row's resident must live
    /// inside the scope (else the row is rejected with [`guardian_reason::PERSON_UNKNOWN`]); a
    /// row saves its guardian (one per resident and phone) and records the resident's 金钟罩
    /// sign-up. The rows applied and one audit entry commit together.
    pub async fn import(
        &self,
        scope: &Scope,
        rows: &[NewGuardian],
        actor: &str,
        at: i64,
    ) -> StoreResult<GuardianImport> {
        let mut out = GuardianImport::default();
        let mut placed = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let g = match checked(row) {
                Ok(g) => g,
                Err(StoreError::Invalid { .. }) => {
                    out.rejected
                        .push((index, guardian_reason::GUARDIAN_INVALID));
                    continue;
                }
                Err(e) => return Err(e),
            };
            match self.store.people().get(scope, &g.resident_id).await {
                Ok(_) => placed.push(g),
                Err(StoreError::NotFound { .. }) => {
                    out.rejected.push((index, guardian_reason::PERSON_UNKNOWN))
                }
                Err(e) => return Err(e),
            }
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("guardians.begin").await?;
        let mut residents = std::collections::BTreeSet::new();
        for g in &placed {
            match upsert_on(&mut tx, g).await?.1 {
                GuardianSaved::Added => out.added += 1,
                GuardianSaved::Updated => out.updated += 1,
                GuardianSaved::Unchanged => out.unchanged += 1,
            }
            if residents.insert(g.resident_id.as_str())
                && sign_up_on(&mut tx, &g.resident_id, true, at).await?
            {
                out.signed_up += 1;
            }
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "guardians_imported".into(),
                target_type: "unit".into(),
                target_id: scope.unit_code().map(str::to_string),
                unit_code: scope.unit_code().map(str::to_string),
                detail: serde_json::json!({
                    "added": out.added,
                    "updated": out.updated,
                    "unchanged": out.unchanged,
                    "signed_up": out.signed_up,
                    "rejected": out.rejected.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("guardians.commit"))?;
        Ok(out)
    }

    /// Records or withdraws a resident's 金钟罩 sign-up as `actor`; whether it changed. Audited.
    pub async fn set_signed_up(
        &self,
        scope: &Scope,
        resident_id: &str,
        signed_up: bool,
        actor: &str,
        at: i64,
    ) -> StoreResult<bool> {
        let person = self.store.people().get(scope, resident_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("guardians.begin").await?;
        let changed = sign_up_on(&mut tx, resident_id, signed_up, at).await?;
        if changed {
            append_on(
                &mut tx,
                &NewAuditEntry {
                    actor: actor.to_string(),
                    action: if signed_up {
                        "joint_defense_signed_up"
                    } else {
                        "joint_defense_withdrawn"
                    }
                    .into(),
                    target_type: "person".into(),
                    target_id: Some(mask_key(resident_id)),
                    unit_code: Some(person.unit_code),
                    detail: serde_json::json!({}),
                },
            )
            .await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("guardians.commit"))?;
        Ok(changed)
    }

    /// The guardian `id` when its resident lies inside `scope`; [`StoreError::NotFound`]
    /// otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Guardian> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM guardians g JOIN people p ON p.resident_id = g.resident_id \
             WHERE g.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("guardians.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("guardians.get")),
            None => Err(StoreError::NotFound {
                what: "guardian",
                key: mask_key(&id.to_string()),
            }),
        }
    }

    /// The guardians of residents inside `scope` (and of `filter`), newest first, with the
    /// resident's name, unit and sign-up.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &GuardianFilter,
        page: &PageRequest<i64>,
    ) -> StoreResult<Page<ListedGuardian, i64>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS}, p.name AS resident_name, p.unit_code, \
             p.joint_defense_registered FROM guardians g \
             JOIN people p ON p.resident_id = g.resident_id WHERE "
        ));
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(unit) = scope_unit(&self.store.units(), filter.unit_code.as_deref()).await? {
            sql.push(" AND ");
            unit.push_condition(&mut sql, "p.unit_code");
        }
        if let Some(r) = &filter.resident_id {
            sql.push(" AND g.resident_id = ").arg(r.as_str());
        }
        if let Some(after) = page.after {
            sql.push(" AND g.id < ").arg(after);
        }
        let limit = page.clamped_limit();
        sql.push(" ORDER BY g.id DESC LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("guardians.list"))?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(ListedGuardian {
                    guardian: from_row(r)?,
                    resident_name: col(r, "resident_name")?,
                    unit_code: col(r, "unit_code")?,
                    signed_up: col::<i64>(r, "joint_defense_registered")? != 0,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("guardians.list"))?;
        Ok(Page::from_overfetch(items, limit, |g| g.guardian.id))
    }

    /// Removes a guardian of a resident inside `scope` as `actor`; the removal and its audit
    /// entry commit together.
    pub async fn delete(&self, scope: &Scope, id: i64, actor: &str) -> StoreResult<Guardian> {
        let g = self.get(scope, id).await?;
        let person = self.store.people().get(scope, &g.resident_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("guardians.begin").await?;
        let mut sql = Sql::new("DELETE FROM guardians WHERE id = ");
        sql.arg(id);
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("guardians.delete"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "guardian_removed".into(),
                target_type: "guardian".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(person.unit_code),
                detail: serde_json::json!({ "resident": mask_key(&g.resident_id) }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("guardians.commit"))?;
        Ok(g)
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

/// Why a row of a guardian list was not applied.
pub mod guardian_reason {
    /// No resident with the ID number lives inside the importer's area.
    pub const PERSON_UNKNOWN: &str = "person_unknown";
    /// The row breaks a guardian rule (an empty name or relationship, a number that takes no
    /// SMS).
    pub const GUARDIAN_INVALID: &str = "guardian_invalid";
}

/// What saving a guardian did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardianSaved {
    /// A new guardian of the resident.
    Added,
    /// The resident's guardian with this phone, with a new name or relationship.
    Updated,
    /// The resident's guardian with this phone, as stated.
    Unchanged,
}

impl GuardianSaved {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardianSaved::Added => "added",
            GuardianSaved::Updated => "updated",
            GuardianSaved::Unchanged => "unchanged",
        }
    }
}

/// What importing a guardian list did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GuardianImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Residents whose 金钟罩 sign-up the list recorded (they were not signed up before).
    pub signed_up: usize,
    /// (index of the row in the slice given, reason) of the rows not applied.
    #[serde(skip)]
    pub rejected: Vec<(usize, &'static str)>,
}

/// Which guardians to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuardianFilter {
    /// Residents of this unit's subtree only (it must lie inside the reader's scope).
    pub unit_code: Option<String>,
    /// One resident's guardians.
    pub resident_id: Option<String>,
}

/// A guardian with its resident, for lists.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedGuardian {
    pub guardian: Guardian,
    pub resident_name: String,
    pub unit_code: String,
    /// The resident's 金钟罩 sign-up.
    pub signed_up: bool,
}

/// The scope of a unit filter: `None` without one; an unknown unit is [`StoreError::NotFound`].
async fn scope_unit(
    units: &crate::units::Units<'_>,
    unit: Option<&str>,
) -> StoreResult<Option<Scope>> {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Ok(Some(units.scope(u).await?)),
        None => Ok(None),
    }
}

/// The guardian with its text trimmed, checked.
fn checked(g: &NewGuardian) -> StoreResult<NewGuardian> {
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
    Ok(NewGuardian {
        resident_id: g.resident_id.trim().to_string(),
        name: name.to_string(),
        phone: phone.to_string(),
        relationship: relationship.to_string(),
        created_at: g.created_at,
    })
}

/// Saves a checked guardian: the resident's guardian with this phone is updated when its name
/// or relationship differs, a new one added otherwise.
async fn upsert_on(
    conn: &mut sqlx::AnyConnection,
    g: &NewGuardian,
) -> StoreResult<(Guardian, GuardianSaved)> {
    let mut sql = Sql::new(format!(
        "SELECT {COLUMNS} FROM guardians g WHERE g.resident_id = "
    ));
    sql.arg(g.resident_id.as_str())
        .push(" AND g.phone = ")
        .arg(g.phone.as_str());
    let found = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("guardians.find"))?
        .map(|r| from_row(&r))
        .transpose()
        .map_err(StoreError::query("guardians.find"))?;
    match found {
        Some(old) if old.name == g.name && old.relationship == g.relationship => {
            Ok((old, GuardianSaved::Unchanged))
        }
        Some(old) => {
            let mut sql = Sql::new("UPDATE guardians SET name = ");
            sql.arg(g.name.as_str())
                .push(", relationship = ")
                .arg(g.relationship.as_str())
                .push(" WHERE id = ")
                .arg(old.id);
            sql.query()
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("guardians.update"))?;
            Ok((
                Guardian {
                    name: g.name.clone(),
                    relationship: g.relationship.clone(),
                    ..old
                },
                GuardianSaved::Updated,
            ))
        }
        None => {
            let mut sql = Sql::new(
                "INSERT INTO guardians (resident_id, name, phone, relationship, created_at) VALUES (",
            );
            sql.arg(g.resident_id.as_str())
                .push(", ")
                .arg(g.name.as_str())
                .push(", ")
                .arg(g.phone.as_str())
                .push(", ")
                .arg(g.relationship.as_str())
                .push(", ")
                .arg(g.created_at)
                .push(") RETURNING id");
            let row = sql
                .query()
                .fetch_one(&mut *conn)
                .await
                .map_err(StoreError::query("guardians.add"))?;
            Ok((
                Guardian {
                    id: col(&row, "id").map_err(StoreError::query("guardians.add"))?,
                    resident_id: g.resident_id.clone(),
                    name: g.name.clone(),
                    phone: g.phone.clone(),
                    relationship: g.relationship.clone(),
                    created_at: g.created_at,
                },
                GuardianSaved::Added,
            ))
        }
    }
}

/// Sets a resident's 金钟罩 sign-up; whether it changed.
async fn sign_up_on(
    conn: &mut sqlx::AnyConnection,
    resident_id: &str,
    signed_up: bool,
    at: i64,
) -> StoreResult<bool> {
    let flag = i64::from(signed_up);
    let mut sql = Sql::new("UPDATE people SET joint_defense_registered = ");
    sql.arg(flag)
        .push(", updated_at = ")
        .arg(at)
        .push(" WHERE resident_id = ")
        .arg(resident_id)
        .push(" AND joint_defense_registered <> ")
        .arg(flag);
    let done = sql
        .query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("guardians.sign_up"))?;
    Ok(done.rows_affected() > 0)
}
