//! Org units: the tree every instruction travels down and every scope is cut from.

use crate::error::{StoreError, StoreResult};
use crate::scope::{path_range, Scope};
use crate::sql::{col, Sql};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_on, Merge, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The level of a unit in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Province,
    City,
    County,
    /// Township, street (街道) or police station.
    Township,
    /// Village, community or grid.
    Village,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 5] = [
        UnitLevel::Province,
        UnitLevel::City,
        UnitLevel::County,
        UnitLevel::Township,
        UnitLevel::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::City => "city",
            UnitLevel::County => "county",
            UnitLevel::Township => "township",
            UnitLevel::Village => "village",
        }
    }

    /// The label shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitLevel::Province => "省",
            UnitLevel::City => "市",
            UnitLevel::County => "县区",
            UnitLevel::Township => "乡镇街道",
            UnitLevel::Village => "村社区",
        }
    }

    pub fn parse(s: &str) -> Option<UnitLevel> {
        UnitLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The level of a division code by its natural length (2, 4, 6, 9 or 12 digits).
    pub fn of_division_code_len(len: usize) -> Option<UnitLevel> {
        match len {
            2 => Some(UnitLevel::Province),
            4 => Some(UnitLevel::City),
            6 => Some(UnitLevel::County),
            9 => Some(UnitLevel::Township),
            12 => Some(UnitLevel::Village),
            _ => None,
        }
    }
}

/// A unit to create or update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUnit {
    /// Alphanumeric, at most 32 characters; for units made from divisions, the division code in
    /// its natural length (`3302`, `330281`, `330281001`, `330281001001`).
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    /// `None` for a root. The parent must exist already or come earlier in the same batch.
    pub parent_code: Option<String>,
    /// The GB/T 2260 / statistical division code the unit covers, when it is one.
    pub division_code: Option<String>,
    /// Residents, when known; `None` keeps what is stored.
    pub population: Option<i64>,
}

/// A stored unit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    pub division_code: Option<String>,
    /// Materialised path of codes from the root, `/33/3302/330281/`.
    pub path: String,
    /// 1 for a root.
    pub depth: i64,
    pub population: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const SPEC: TableSpec = TableSpec {
    table: "org_units",
    key: "code",
    columns: &[
        ("name", Merge::Replace),
        ("level", Merge::Replace),
        ("parent_code", Merge::Replace),
        ("division_code", Merge::KeepIfNull),
        ("path", Merge::Replace),
        ("depth", Merge::Replace),
        ("population", Merge::KeepIfNull),
    ],
};

const COLUMNS: &str =
    "code, name, level, parent_code, division_code, path, depth, population, created_at, updated_at";

/// Checks a unit code: alphanumeric ASCII, 1 to 32 characters (so that materialised paths sort
/// as the scope ranges expect).
pub fn validate_unit_code(code: &str) -> StoreResult<()> {
    if code.is_empty() || code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(StoreError::invalid(
            "unit code",
            format!("`{code}` must be 1 to 32 ASCII letters or digits"),
        ));
    }
    Ok(())
}

fn unit_from_row(row: &AnyRow) -> Result<Unit, sqlx::Error> {
    let level: String = col(row, "level")?;
    Ok(Unit {
        code: col(row, "code")?,
        name: col(row, "name")?,
        level: UnitLevel::parse(&level).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "level".into(),
            source: format!("unknown unit level `{level}`").into(),
        })?,
        parent_code: col(row, "parent_code")?,
        division_code: col(row, "division_code")?,
        path: col(row, "path")?,
        depth: col(row, "depth")?,
        population: col(row, "population")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// The org-unit repository.
pub struct Units<'s> {
    store: &'s Store,
}

impl<'s> Units<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Units { store }
    }

    /// Creates or updates units, parents before children, in one transaction. Moving a unit
    /// under another parent moves its whole subtree.
    pub async fn upsert(&self, units: &[NewUnit]) -> StoreResult<UpsertOutcome> {
        for u in units {
            validate_unit_code(&u.code)?;
            if u.name.trim().is_empty() {
                return Err(StoreError::invalid(
                    "unit name",
                    format!("unit `{}` has no name", u.code),
                ));
            }
            if let Some(p) = &u.parent_code {
                validate_unit_code(p)?;
                if p == &u.code {
                    return Err(StoreError::invalid(
                        "parent code",
                        format!("unit `{p}` cannot be its own parent"),
                    ));
                }
            }
            if u.population.is_some_and(|p| p < 0) {
                return Err(StoreError::invalid(
                    "population",
                    format!("unit `{}`: negative", u.code),
                ));
            }
        }
        // The last occurrence of a code wins.
        let mut batch: HashMap<&str, &NewUnit> = HashMap::with_capacity(units.len());
        for u in units {
            batch.insert(u.code.as_str(), u);
        }
        let mut tx = self.store.begin_write("org_units.begin").await?;
        let outside_parents: Vec<&str> = batch
            .values()
            .filter_map(|u| u.parent_code.as_deref())
            .filter(|p| !batch.contains_key(p))
            .collect();
        let known = paths_of(&mut tx, &outside_parents).await?;
        let mut paths: HashMap<&str, String> = HashMap::with_capacity(batch.len());
        for code in batch.keys() {
            resolve_path(code, &batch, &known, &mut paths, 0)?;
        }
        let codes: Vec<&str> = batch.keys().copied().collect();
        let old_paths = paths_of(&mut tx, &codes).await?;
        for (code, old) in &old_paths {
            let new = &paths[code.as_str()];
            if new != old && new.starts_with(old.as_str()) {
                return Err(StoreError::invalid(
                    "parent code",
                    format!("unit `{code}` cannot move below its own subtree"),
                ));
            }
        }
        let mut ordered: Vec<&NewUnit> = batch.values().copied().collect();
        ordered.sort_by_key(|u| (depth_of(&paths[u.code.as_str()]), u.code.as_str()));
        let rows = ordered
            .iter()
            .map(|u| {
                let path = paths[u.code.as_str()].as_str();
                UpsertRow {
                    key: &u.code,
                    values: vec![
                        u.name.as_str().into(),
                        u.level.as_str().into(),
                        u.parent_code.as_deref().into(),
                        u.division_code.as_deref().into(),
                        path.into(),
                        depth_of(path).into(),
                        u.population.into(),
                    ],
                }
            })
            .collect();
        let now = now_ms();
        let mut outcome = upsert_on(&mut tx, self.store.backend(), &SPEC, rows, now).await?;
        outcome.duplicates = (units.len() - batch.len()) as u64;
        // Deepest first: a unit that moved within a subtree that moved as well takes its own
        // descendants along before the outer move rewrites what is left under the old path.
        let mut moved: Vec<(&str, &str)> = old_paths
            .iter()
            .map(|(code, old)| (old.as_str(), paths[code.as_str()].as_str()))
            .filter(|(old, new)| old != new)
            .collect();
        moved.sort_by_key(|(old, _)| std::cmp::Reverse(depth_of(old)));
        for (old, new) in moved {
            move_descendants(&mut tx, old, new, now).await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("org_units.commit"))?;
        Ok(outcome)
    }

    /// The unit, or `None`.
    pub async fn find(&self, code: &str) -> StoreResult<Option<Unit>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM org_units WHERE code = "));
        sql.arg(code);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("org_units.get"))?;
        row.map(|r| unit_from_row(&r))
            .transpose()
            .map_err(StoreError::query("org_units.get"))
    }

    /// Units with exactly this name (names repeat: 新建社区 is in many townships), by code.
    pub async fn named(&self, name: &str) -> StoreResult<Vec<Unit>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM org_units WHERE name = "));
        sql.arg(name).push(" ORDER BY code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("org_units.named"))?;
        rows.iter()
            .map(unit_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("org_units.named"))
    }

    /// The units a person means by `text`: the unit with that code, else those with that name
    /// (none, one, or several sharing it).
    pub async fn by_code_or_name(&self, text: &str) -> StoreResult<Vec<Unit>> {
        match self.find(text).await? {
            Some(u) => Ok(vec![u]),
            None => self.named(text).await,
        }
    }

    /// Whether unit `code` exists and lies inside `scope`.
    pub async fn contains(&self, scope: &Scope, code: &str) -> StoreResult<bool> {
        Ok(self
            .find(code)
            .await?
            .is_some_and(|u| scope.contains_path(&u.path)))
    }

    /// The unit when it lies inside `scope`; [`StoreError::NotFound`] (what `unit`) when it is
    /// absent or outside — a caller cannot tell the two apart.
    pub async fn in_scope(&self, scope: &Scope, code: &str) -> StoreResult<Unit> {
        match self.find(code).await? {
            Some(u) if scope.contains_path(&u.path) => Ok(u),
            _ => Err(StoreError::NotFound {
                what: "unit",
                key: code.to_string(),
            }),
        }
    }

    /// The unit, or [`StoreError::UnitNotFound`].
    pub async fn get(&self, code: &str) -> StoreResult<Unit> {
        self.find(code)
            .await?
            .ok_or_else(|| StoreError::UnitNotFound {
                code: code.to_string(),
            })
    }

    /// The scope of a unit: it and everything below it.
    pub async fn scope(&self, code: &str) -> StoreResult<Scope> {
        let unit = self.get(code).await?;
        Ok(Scope::subtree(unit.code, unit.path))
    }

    /// The unit and its descendants down to `max_depth` levels below it (all when `None`), in
    /// tree order (each unit followed by its subtree, siblings by code).
    pub async fn subtree(&self, code: &str, max_depth: Option<u32>) -> StoreResult<Vec<Unit>> {
        let root = self.get(code).await?;
        let (lo, hi) = path_range(&root.path);
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM org_units WHERE path >= "));
        sql.arg(lo).push(" AND path < ").arg(hi);
        if let Some(d) = max_depth {
            sql.push(" AND depth <= ").arg(root.depth + i64::from(d));
        }
        sql.push(" ORDER BY path");
        self.fetch_all(sql, "org_units.subtree").await
    }

    /// The direct children of a unit, by code.
    pub async fn children(&self, code: &str) -> StoreResult<Vec<Unit>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM org_units WHERE parent_code = "
        ));
        sql.arg(code).push(" ORDER BY code");
        self.fetch_all(sql, "org_units.children").await
    }

    /// The units without a parent, by code.
    pub async fn roots(&self) -> StoreResult<Vec<Unit>> {
        let sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM org_units WHERE parent_code IS NULL ORDER BY code"
        ));
        self.fetch_all(sql, "org_units.roots").await
    }

    /// Units inside the scope.
    pub async fn count(&self, scope: &Scope) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM org_units WHERE ");
        scope.push_condition(&mut sql, "code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("org_units.count"))?;
        col(&row, "n").map_err(StoreError::query("org_units.count"))
    }

    /// Records (or clears) the number of residents of a unit.
    pub async fn set_population(&self, code: &str, population: Option<i64>) -> StoreResult<()> {
        if population.is_some_and(|p| p < 0) {
            return Err(StoreError::invalid("population", "must not be negative"));
        }
        let mut sql = Sql::new("UPDATE org_units SET population = ");
        sql.arg(population)
            .push(", updated_at = ")
            .arg(now_ms())
            .push(" WHERE code = ")
            .arg(code);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("org_units.population"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnitNotFound {
                code: code.to_string(),
            });
        }
        Ok(())
    }

    async fn fetch_all(&self, sql: Sql<'_>, context: &'static str) -> StoreResult<Vec<Unit>> {
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(context))?;
        rows.iter()
            .map(unit_from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query(context))
    }
}

fn depth_of(path: &str) -> i64 {
    path.bytes().filter(|&b| b == b'/').count() as i64 - 1
}

/// The stored paths of those of `codes` that exist.
async fn paths_of(
    conn: &mut sqlx::AnyConnection,
    codes: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(1_000) {
        let mut sql = Sql::new("SELECT code, path FROM org_units WHERE code IN (");
        sql.args(chunk.iter().copied()).push(")");
        let rows = sql
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("org_units.paths"))?;
        for row in rows {
            let code: String = col(&row, "code").map_err(StoreError::query("org_units.paths"))?;
            let path: String = col(&row, "path").map_err(StoreError::query("org_units.paths"))?;
            out.insert(code, path);
        }
    }
    Ok(out)
}

/// The path of `code`, computed from its parent's (in the batch or stored).
fn resolve_path<'a>(
    code: &'a str,
    batch: &HashMap<&'a str, &'a NewUnit>,
    known: &HashMap<String, String>,
    paths: &mut HashMap<&'a str, String>,
    hops: usize,
) -> StoreResult<String> {
    if let Some(p) = paths.get(code) {
        return Ok(p.clone());
    }
    if hops > batch.len() {
        return Err(StoreError::invalid(
            "parent code",
            format!("unit `{code}` is its own ancestor"),
        ));
    }
    let unit = batch[code];
    let path = match unit.parent_code.as_deref() {
        None => format!("/{code}/"),
        Some(parent) => {
            let parent_path = if let Some((&p, _)) = batch.get_key_value(parent) {
                resolve_path(p, batch, known, paths, hops + 1)?
            } else {
                known
                    .get(parent)
                    .cloned()
                    .ok_or_else(|| StoreError::UnitNotFound {
                        code: parent.to_string(),
                    })?
            };
            format!("{parent_path}{code}/")
        }
    };
    paths.insert(code, path.clone());
    Ok(path)
}

/// Rewrites the paths below a unit that moved from `old` to `new`.
async fn move_descendants(
    conn: &mut sqlx::AnyConnection,
    old: &str,
    new: &str,
    now: i64,
) -> StoreResult<()> {
    let (_, hi) = path_range(old);
    let old_len = old.chars().count() as i64;
    let delta = depth_of(new) - depth_of(old);
    let mut sql = Sql::new("UPDATE org_units SET path = ");
    sql.arg(new.to_string())
        .push(" || substr(path, CAST(")
        .arg(old_len + 1)
        // PostgreSQL's substr takes an INTEGER; a bound i64 is a BIGINT.
        .push(" AS INTEGER)), depth = depth + ")
        .arg(delta)
        .push(", updated_at = ")
        .arg(now)
        .push(" WHERE path > ")
        .arg(old.to_string())
        .push(" AND path < ")
        .arg(hi);
    sql.query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("org_units.move"))?;
    Ok(())
}

/// Residents of every unit of a subtree (as [`Units::subtree`] returns it): the unit's own
/// figure where one is recorded, else the sum over its children when every child has a figure;
/// absent otherwise. A partial sum would make a rate per resident look higher than it is, so a
/// county whose census figure is recorded keeps it, and one with a township lacking any figure
/// has none.
pub fn effective_populations(subtree: &[Unit]) -> HashMap<String, i64> {
    // Per parent: (sum of the children's figures, whether a child lacks one).
    let mut sums: HashMap<&str, (i64, bool)> = HashMap::new();
    let mut out: HashMap<String, i64> = HashMap::new();
    // Deepest first, so every child is settled before its parent reads it.
    let mut order: Vec<&Unit> = subtree.iter().collect();
    order.sort_by_key(|u| std::cmp::Reverse(u.depth));
    for u in order {
        let own = u.population.or_else(|| match sums.get(u.code.as_str()) {
            Some((sum, false)) => Some(*sum),
            _ => None,
        });
        if let Some(p) = own {
            out.insert(u.code.clone(), p);
        }
        if let Some(parent) = u.parent_code.as_deref() {
            let e = sums.entry(parent).or_default();
            match own {
                Some(p) => e.0 += p,
                None => e.1 = true,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> NewUnit {
        NewUnit {
            code: code.into(),
            name: format!("unit {code}"),
            level: UnitLevel::Township,
            parent_code: parent.map(Into::into),
            division_code: None,
            population: None,
        }
    }

    #[test]
    fn codes_must_be_alphanumeric() {
        assert!(validate_unit_code("330281").is_ok());
        assert!(validate_unit_code("").is_err());
        assert!(validate_unit_code("33/02").is_err());
        assert!(validate_unit_code("33%").is_err());
        assert!(validate_unit_code(&"1".repeat(33)).is_err());
    }

    #[test]
    fn paths_follow_parents_in_batch_and_in_store() {
        let a = unit("330281", Some("3302"));
        let b = unit("330281001", Some("330281"));
        let batch: HashMap<&str, &NewUnit> = [("330281", &a), ("330281001", &b)].into();
        let known: HashMap<String, String> = [("3302".to_string(), "/33/3302/".to_string())].into();
        let mut paths = HashMap::new();
        let p = resolve_path("330281001", &batch, &known, &mut paths, 0).unwrap();
        assert_eq!(p, "/33/3302/330281/330281001/");
        assert_eq!(depth_of(&p), 4);
    }

    #[test]
    fn missing_parent_is_unit_not_found_and_cycles_are_invalid() {
        let a = unit("1", Some("9"));
        let batch: HashMap<&str, &NewUnit> = [("1", &a)].into();
        let err = resolve_path("1", &batch, &HashMap::new(), &mut HashMap::new(), 0).unwrap_err();
        assert!(matches!(err, StoreError::UnitNotFound { code } if code == "9"));

        let x = unit("1", Some("2"));
        let y = unit("2", Some("1"));
        let batch: HashMap<&str, &NewUnit> = [("1", &x), ("2", &y)].into();
        let err = resolve_path("1", &batch, &HashMap::new(), &mut HashMap::new(), 0).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }));
    }

    fn stored(code: &str, parent: Option<&str>, depth: i64, population: Option<i64>) -> Unit {
        Unit {
            code: code.into(),
            name: code.into(),
            level: UnitLevel::Township,
            parent_code: parent.map(Into::into),
            division_code: None,
            path: String::new(),
            depth,
            population,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn populations_add_up_only_where_every_child_has_a_figure() {
        let tree = [
            stored("c", None, 1, None),
            stored("t1", Some("c"), 2, None),
            stored("v1", Some("t1"), 3, Some(1200)),
            stored("v2", Some("t1"), 3, Some(800)),
            stored("t2", Some("c"), 2, Some(5000)),
            stored("v3", Some("t2"), 3, Some(10)),
            stored("t3", Some("c"), 2, None),
            stored("v4", Some("t3"), 3, None),
        ];
        let p = effective_populations(&tree);
        assert_eq!(p.get("t1"), Some(&2000));
        // A recorded figure wins over the sum of the villages.
        assert_eq!(p.get("t2"), Some(&5000));
        assert_eq!(p.get("t3"), None);
        assert_eq!(p.get("v4"), None);
        // t3 has no figure: a sum over t1 and t2 alone would undercount the county.
        assert_eq!(p.get("c"), None);
        let covered: Vec<Unit> = tree
            .iter()
            .filter(|u| !u.code.ends_with('3') && u.code != "v4")
            .cloned()
            .collect();
        assert_eq!(effective_populations(&covered).get("c"), Some(&7000));
    }

    #[test]
    fn levels_round_trip() {
        for l in UnitLevel::ALL {
            assert_eq!(UnitLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(
            UnitLevel::of_division_code_len(9),
            Some(UnitLevel::Township)
        );
        assert_eq!(UnitLevel::of_division_code_len(5), None);
    }
}
