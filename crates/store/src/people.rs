//! Residents (people), keyed by resident ID number.

use crate::division::natural_division_code;
use crate::error::{StoreError, StoreResult};
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_bulk, Merge, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::any::AnyRow;

/// A resident to create or update (values already validated by the importer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPerson {
    /// 18-character GB 11643 resident ID number.
    pub resident_id: String,
    pub name: String,
    /// Canonical phone number.
    pub phone: Option<String>,
    /// Division code of the residence (village, 12 digits; a padded or shorter code when only
    /// the township or county is known). The person belongs to the org unit of that code.
    pub residence_code: String,
    pub address: Option<String>,
    pub employer: Option<String>,
    /// 财政供养人员.
    pub public_sector: bool,
    /// Registered on the national anti-fraud app.
    pub app_registered: bool,
    /// Registered for 金钟罩 joint-defence warnings.
    pub joint_defense_registered: bool,
}

/// A stored resident.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub residence_code: String,
    /// The org unit of the residence.
    pub unit_code: String,
    pub address: Option<String>,
    pub employer: Option<String>,
    pub public_sector: bool,
    pub app_registered: bool,
    pub joint_defense_registered: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const SPEC: TableSpec = TableSpec {
    table: "people",
    key: "resident_id",
    columns: &[
        ("name", Merge::Replace),
        ("phone", Merge::KeepIfNull),
        ("residence_code", Merge::Replace),
        ("unit_code", Merge::Replace),
        ("address", Merge::KeepIfNull),
        ("employer", Merge::KeepIfNull),
        ("public_sector", Merge::Replace),
        ("app_registered", Merge::Replace),
        ("joint_defense_registered", Merge::Replace),
    ],
};

/// Which yes/no columns an imported batch carries. A file that does not say whether someone is
/// public-sector staff or registered on the anti-fraud app must not reset what another source
/// recorded: the columns it lacks are left out of the upsert (new rows take the column default,
/// 否). The same holds for the 金钟罩 joint-defense sign-up (which guardian lists and the
/// guardians page record as well).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PersonFlags {
    pub public_sector: bool,
    pub app_registered: bool,
    pub joint_defense: bool,
}

const IMPORT_BASE: [(&str, Merge); 6] = [
    ("name", Merge::Replace),
    ("phone", Merge::KeepIfNull),
    ("residence_code", Merge::Replace),
    ("unit_code", Merge::Replace),
    ("address", Merge::KeepIfNull),
    ("employer", Merge::KeepIfNull),
];

const fn import_spec(columns: &'static [(&'static str, Merge)]) -> TableSpec {
    TableSpec {
        table: "people",
        key: "resident_id",
        columns,
    }
}

/// The flag columns of a person row, in row order, and the [`PersonFlags`] bit of each.
const FLAG_COLUMNS: [(&str, u8); 3] = [
    ("public_sector", 1),
    ("app_registered", 2),
    ("joint_defense_registered", 4),
];

fn flag_bits(flags: PersonFlags) -> u8 {
    u8::from(flags.public_sector)
        | (u8::from(flags.app_registered) << 1)
        | (u8::from(flags.joint_defense) << 2)
}

/// The upsert shapes of imported batches, one per combination of flag columns.
static IMPORT_SPECS: std::sync::LazyLock<Vec<TableSpec>> = std::sync::LazyLock::new(|| {
    (0u8..8)
        .map(|bits| {
            let mut columns: Vec<(&'static str, Merge)> = IMPORT_BASE.to_vec();
            for (column, bit) in FLAG_COLUMNS {
                if bits & bit != 0 {
                    columns.push((column, Merge::Replace));
                }
            }
            import_spec(Box::leak(columns.into_boxed_slice()))
        })
        .collect()
});

/// The upsert shape of an imported batch with these flag columns.
pub(crate) fn import_spec_for(flags: PersonFlags) -> &'static TableSpec {
    &IMPORT_SPECS[usize::from(flag_bits(flags))]
}

/// The rows of an imported batch, carrying only the flag columns `flags` names.
pub(crate) fn import_rows(
    people: &[NewPerson],
    flags: PersonFlags,
) -> StoreResult<Vec<UpsertRow<'_>>> {
    let mut rows = upsert_rows(people)?;
    for row in &mut rows {
        // Full rows end with public_sector, app_registered, joint_defense_registered.
        let bits = flag_bits(flags);
        for (i, (_, bit)) in FLAG_COLUMNS.iter().enumerate().rev() {
            if bits & bit == 0 {
                row.values.remove(IMPORT_BASE.len() + i);
            }
        }
    }
    Ok(rows)
}

const COLUMNS: &str = "p.resident_id, p.name, p.phone, p.residence_code, p.unit_code, p.address, \
     p.employer, p.public_sector, p.app_registered, p.joint_defense_registered, p.created_at, \
     p.updated_at";

fn person_from_row(row: &AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        resident_id: col(row, "resident_id")?,
        name: col(row, "name")?,
        phone: col(row, "phone")?,
        residence_code: col(row, "residence_code")?,
        unit_code: col(row, "unit_code")?,
        address: col(row, "address")?,
        employer: col(row, "employer")?,
        public_sector: flag(row, "public_sector")?,
        app_registered: flag(row, "app_registered")?,
        joint_defense_registered: flag(row, "joint_defense_registered")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// Residents of one unit, their registration on the national anti-fraud app and their 金钟罩
/// joint-defense sign-up.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RegistrationTally {
    pub unit_code: String,
    pub residents: i64,
    pub registered: i64,
    /// Residents aged 16 to 60.
    pub residents_16_60: i64,
    pub registered_16_60: i64,
    /// Residents signed up for 金钟罩 joint defense (`joint_defense_registered`).
    pub joint_defense: i64,
}

/// The residents of one employer (工作单位) and how many registered on the national anti-fraud
/// app: the figure behind the spot checks of 单位干部职工注册情况.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EmployerRegistration {
    pub employer: String,
    /// Any of its staff is 财政供养 (a public body).
    pub public_sector: bool,
    pub staff: i64,
    pub registered: i64,
}

impl EmployerRegistration {
    /// 注册率; `None` without staff.
    pub fn rate(&self) -> Option<f64> {
        (self.staff > 0).then(|| self.registered as f64 / self.staff as f64)
    }
}

/// The people repository.
pub struct People<'s> {
    store: &'s Store,
}

impl<'s> People<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        People { store }
    }

    /// Creates or updates residents in one transaction; re-upserting the same rows changes
    /// nothing. Within the batch, the last row of a resident wins.
    pub async fn upsert(&self, people: &[NewPerson]) -> StoreResult<UpsertOutcome> {
        let rows = upsert_rows(people)?;
        let mut tx = self.store.begin_write("people.begin").await?;
        let outcome = upsert_bulk(&mut tx, self.store.backend(), &SPEC, rows, now_ms()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("people.commit"))?;
        Ok(outcome)
    }

    /// One resident; [`StoreError::NotFound`] when absent or outside the scope.
    pub async fn get(&self, scope: &Scope, resident_id: &str) -> StoreResult<Person> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM people p WHERE p.resident_id = "
        ));
        sql.arg(resident_id).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("people.get"))?;
        match row {
            Some(r) => person_from_row(&r).map_err(StoreError::query("people.get")),
            None => Err(StoreError::NotFound {
                what: "person",
                key: mask_key(resident_id),
            }),
        }
    }

    /// The resident holding this phone number, if one inside the scope does.
    pub async fn by_phone(&self, scope: &Scope, phone: &str) -> StoreResult<Option<Person>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM people p WHERE p.phone = "));
        sql.arg(phone).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" ORDER BY p.resident_id LIMIT 1");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("people.by_phone"))?;
        row.map(|r| person_from_row(&r))
            .transpose()
            .map_err(StoreError::query("people.by_phone"))
    }

    /// Residents inside the scope, by ID number.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<Person>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM people p WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(after) = &page.after {
            sql.push(" AND p.resident_id > ").arg(after.as_str());
        }
        sql.push(" ORDER BY p.resident_id LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("people.list"))?;
        let items = rows
            .iter()
            .map(person_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("people.list"))?;
        Ok(Page::from_overfetch(items, limit, |p| {
            p.resident_id.clone()
        }))
    }

    /// Residents inside the scope.
    pub async fn count(&self, scope: &Scope) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM people p WHERE ");
        scope.push_condition(&mut sql, "p.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("people.count"))?;
        col(&row, "n").map_err(StoreError::query("people.count"))
    }

    /// Residents of each unit inside the scope and how many registered on the national
    /// anti-fraud app (注册率), in all and aged 16 to 60 on `today` (the age band the
    /// assessments count; the age is read from the ID number's birth date).
    pub async fn registration(
        &self,
        scope: &Scope,
        today: chrono::NaiveDate,
    ) -> StoreResult<Vec<RegistrationTally>> {
        // Aged 16 to 60: born on or before the day 16 years ago and after the day 61 years ago.
        let (latest, after) = (born_by(today, 16), born_by(today, 61));
        let band = |sql: &mut Sql| {
            sql.push("SUBSTR(p.resident_id, 7, 8) <= ")
                .arg(latest.clone())
                .push(" AND SUBSTR(p.resident_id, 7, 8) > ")
                .arg(after.clone());
        };
        let mut sql = Sql::new(
            "SELECT p.unit_code, COUNT(*) AS n, CAST(SUM(p.app_registered) AS BIGINT) AS reg, \
             CAST(SUM(p.joint_defense_registered) AS BIGINT) AS jd, CAST(SUM(CASE WHEN ",
        );
        band(&mut sql);
        sql.push(" THEN 1 ELSE 0 END) AS BIGINT) AS n_band, CAST(SUM(CASE WHEN p.app_registered = 1 AND ");
        band(&mut sql);
        sql.push(" THEN 1 ELSE 0 END) AS BIGINT) AS reg_band FROM people p WHERE ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" GROUP BY p.unit_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("people.registration"))?;
        rows.iter()
            .map(|r| {
                let sum = |name| col::<Option<i64>>(r, name).map(Option::unwrap_or_default);
                Ok(RegistrationTally {
                    unit_code: col(r, "unit_code")?,
                    residents: col(r, "n")?,
                    registered: sum("reg")?,
                    residents_16_60: sum("n_band")?,
                    registered_16_60: sum("reg_band")?,
                    joint_defense: sum("jd")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("people.registration"))
    }

    /// The employers of the scope's residents with at least `min_staff` of them, the lowest
    /// registration rate first (the larger employer first on a tie, then by name).
    pub async fn registration_by_employer(
        &self,
        scope: &Scope,
        min_staff: i64,
    ) -> StoreResult<Vec<EmployerRegistration>> {
        let q = "people.registration_by_employer";
        let mut sql = Sql::new(
            "SELECT p.employer AS employer, CAST(MAX(p.public_sector) AS BIGINT) AS public_sector,              COUNT(*) AS staff, CAST(SUM(p.app_registered) AS BIGINT) AS registered              FROM people p WHERE p.employer IS NOT NULL AND p.employer <> '' AND ",
        );
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" GROUP BY p.employer HAVING COUNT(*) >= ")
            .arg(min_staff.max(1));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(EmployerRegistration {
                    employer: col(r, "employer")?,
                    public_sector: col::<i64>(r, "public_sector")? == 1,
                    staff: col(r, "staff")?,
                    registered: col::<Option<i64>>(r, "registered")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(q))?;
        // Exact order without floating point: a/b < c/d ⇔ a·d < c·b.
        out.sort_by(|a, b| {
            (a.registered * b.staff)
                .cmp(&(b.registered * a.staff))
                .then(b.staff.cmp(&a.staff))
                .then_with(|| a.employer.cmp(&b.employer))
        });
        Ok(out)
    }

    /// Residents whose unit is not in the org tree: only the whole platform sees them, so this
    /// count is how they are kept from vanishing.
    pub async fn count_unplaced(&self) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM people p \
             WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.code = p.unit_code)",
        )
        .fetch_one(self.store.pool())
        .await
        .map_err(StoreError::query("people.unplaced"))?;
        col(&row, "n").map_err(StoreError::query("people.unplaced"))
    }
}

/// The upsert rows of a batch, checked.
pub(crate) fn upsert_rows(people: &[NewPerson]) -> StoreResult<Vec<UpsertRow<'_>>> {
    let mut rows = Vec::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        if p.resident_id.is_empty() || p.name.is_empty() {
            return Err(StoreError::invalid(
                "person",
                format!("row {} of the batch lacks an ID number or a name", i + 1),
            ));
        }
        let unit = natural_division_code(&p.residence_code).map_err(|_| {
            StoreError::invalid(
                "residence code",
                format!(
                    "row {} of the batch: must be 2, 4, 6, 9 or 12 digits",
                    i + 1
                ),
            )
        })?;
        rows.push(UpsertRow {
            key: &p.resident_id,
            values: vec![
                p.name.as_str().into(),
                p.phone.as_deref().into(),
                p.residence_code.as_str().into(),
                unit.into(),
                p.address.as_deref().into(),
                p.employer.as_deref().into(),
                p.public_sector.into(),
                p.app_registered.into(),
                p.joint_defense_registered.into(),
            ],
        });
    }
    Ok(rows)
}

/// The day `years` years before `today` as the `YYYYMMDD` of an ID number's birth date: a
/// resident born on or before it is at least `years` old on `today` (compared with
/// `SUBSTR(resident_id, 7, 8)` in SQL, and with [`birth_of`] in code).
pub(crate) fn born_by(today: chrono::NaiveDate, years: u32) -> String {
    today
        .checked_sub_months(chrono::Months::new(12 * years))
        .map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

/// The birth date an ID number carries (characters 7–14), when they are a date; the check
/// digit is not verified, as the SQL comparisons do not verify it either.
pub fn birth_of(resident_id: &str) -> Option<chrono::NaiveDate> {
    resident_id
        .get(6..14)
        .and_then(|b| chrono::NaiveDate::parse_from_str(b, "%Y%m%d").ok())
}
