//! Analysis groups (分类研判组): the specialists of a center or county who analyse the cases and
//! warnings of some fraud types (刷单返利, 投资理财 …) in that unit's subtree.
//!
//! A group belongs to a unit (a province, city or county unit: the center or a county bureau)
//! and covers its subtree. It names one or more fraud types ([`FraudType`], never `normal`);
//! within one unit a type belongs to at most one active group, which the store enforces
//! ([`StoreError::TypeCovered`], naming the group that holds it) and the database backs with
//! a partial unique index. The lead and the members are users of the unit's subtree; the lead
//! is a member. A group is changed at the version read and deactivated, never deleted; a
//! deactivated group frees its types and its name. Every write appends its audit entry in the
//! same transaction.
//!
//! Reads take a [`Scope`]: a group is seen by those whose area holds its unit. The figures of
//! a group ([`AnalysisGroups::figures`], in `analysis_group_figures.rs`) count its types in
//! the subtree of its unit inside the reader's scope.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::{path_range, Scope};
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use crate::units::{Unit, UnitLevel};
use fanzha_core::FraudType;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The longest group name kept (characters).
pub const MAX_GROUP_NAME: usize = 40;
/// The most members a group holds, the lead included.
pub const MAX_GROUP_MEMBERS: usize = 50;

/// A group to set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAnalysisGroup {
    /// The owning unit (a province, city or county unit inside the caller's scope).
    pub unit_code: String,
    /// Its name (刷单返利研判组), unique among the unit's active groups.
    pub name: String,
    /// One or more fraud types, none of them `normal`.
    pub fraud_types: Vec<FraudType>,
    /// The lead's login (a user of the unit's subtree).
    pub lead: String,
    /// The members' logins (users of the unit's subtree); the lead is added when missing.
    pub members: Vec<String>,
    pub by: String,
    pub at: i64,
}

/// A change to a group, made against the version read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisGroupUpdate {
    pub name: String,
    pub fraud_types: Vec<FraudType>,
    pub lead: String,
    pub members: Vec<String>,
    pub expected_version: i64,
    pub by: String,
    pub at: i64,
}

/// A stored group.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnalysisGroup {
    pub id: i64,
    pub unit_code: String,
    pub name: String,
    /// In the order of [`FraudType::ALL`].
    pub fraud_types: Vec<FraudType>,
    pub lead: String,
    /// Every member's login, the lead included, sorted.
    pub members: Vec<String>,
    pub active: bool,
    pub version: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

impl AnalysisGroup {
    /// The type codes (`order_brushing` …), as instructions store them.
    pub fn type_codes(&self) -> Vec<String> {
        self.fraud_types
            .iter()
            .map(|t| t.code().to_string())
            .collect()
    }

    /// Every spelling a case or warning may hold for the group's types: each type's code and
    /// its Chinese and English names (older rows hold a name instead of the code).
    pub fn type_labels(&self) -> Vec<String> {
        type_labels(&self.fraud_types)
    }

    /// Whether `login` is the lead or a member.
    pub fn has_member(&self, login: &str) -> bool {
        self.lead == login || self.members.iter().any(|m| m == login)
    }
}

/// Every spelling of the types: code, Chinese name, English name.
pub(crate) fn type_labels(types: &[FraudType]) -> Vec<String> {
    types
        .iter()
        .flat_map(|t| [t.code(), t.zh(), t.en()])
        .map(str::to_string)
        .collect()
}

const COLUMNS: &str = "g.id, g.unit_code, g.name, g.lead_login, g.active, g.version, \
     g.created_by, g.created_at, g.updated_by, g.updated_at";

fn from_row(row: &AnyRow) -> Result<AnalysisGroup, sqlx::Error> {
    Ok(AnalysisGroup {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        name: col(row, "name")?,
        fraud_types: Vec::new(),
        lead: col(row, "lead_login")?,
        members: Vec::new(),
        active: flag(row, "active")?,
        version: col(row, "version")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        updated_by: col(row, "updated_by")?,
        updated_at: col(row, "updated_at")?,
    })
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "analysis group",
        key: id.to_string(),
    }
}

/// The types sorted and deduplicated; at least one, never `normal`.
fn checked_types(types: &[FraudType]) -> StoreResult<Vec<FraudType>> {
    let mut t = types.to_vec();
    t.sort();
    t.dedup();
    if t.is_empty() {
        return Err(StoreError::invalid(
            "fraud_types",
            "name at least one fraud type",
        ));
    }
    if t.contains(&FraudType::Normal) {
        return Err(StoreError::invalid(
            "fraud_types",
            "正常 (normal) is no fraud type: leave it out",
        ));
    }
    Ok(t)
}

/// Who the group is: its name, lead and members (the lead among them), checked.
struct Checked {
    name: String,
    types: Vec<FraudType>,
    lead: String,
    members: Vec<String>,
}

/// The analysis-group repository.
pub struct AnalysisGroups<'s> {
    store: &'s Store,
}

impl<'s> AnalysisGroups<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        AnalysisGroups { store }
    }

    pub(crate) fn store(&self) -> &'s Store {
        self.store
    }

    /// The unit when it lies inside `scope`; [`StoreError::NotFound`] otherwise.
    async fn unit_in(&self, scope: &Scope, code: &str) -> StoreResult<Unit> {
        self.store.units().in_scope(scope, code).await
    }

    /// Checks the name, types, lead and members against the owning unit.
    async fn check(
        &self,
        unit: &Unit,
        name: &str,
        types: &[FraudType],
        lead: &str,
        members: &[String],
    ) -> StoreResult<Checked> {
        let name = bounded_text("name", name, MAX_GROUP_NAME, true)?;
        let types = checked_types(types)?;
        let lead = lead.trim().to_string();
        if lead.is_empty() {
            return Err(StoreError::invalid("lead", "name the group's lead"));
        }
        let mut all: Vec<String> = members
            .iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        all.push(lead.clone());
        all.sort();
        all.dedup();
        if all.len() > MAX_GROUP_MEMBERS {
            return Err(StoreError::invalid(
                "members",
                format!("at most {MAX_GROUP_MEMBERS} members"),
            ));
        }
        let subtree = self.store.units().scope(&unit.code).await?;
        for login in &all {
            let field = if *login == lead { "lead" } else { "members" };
            match self.store.users().get(&subtree, login).await {
                Ok(u) if u.active => {}
                Ok(_) => {
                    return Err(StoreError::invalid(
                        field,
                        format!("user `{login}` is deactivated"),
                    ))
                }
                Err(StoreError::NotFound { .. }) => {
                    return Err(StoreError::invalid(
                        field,
                        format!(
                            "`{login}` is no user of {} or the units below it",
                            unit.name
                        ),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Checked {
            name,
            types,
            lead,
            members: all,
        })
    }

    /// Sets up a group and returns it as stored. The unit must lie inside `scope`
    /// ([`StoreError::NotFound`]) and be a province, city or county unit; the name is required
    /// and unique among the unit's active groups ([`StoreError::Conflict`]); a type another
    /// active group of the unit holds is refused with [`StoreError::TypeCovered`].
    pub async fn create(
        &self,
        scope: &Scope,
        new: &NewAnalysisGroup,
    ) -> StoreResult<AnalysisGroup> {
        let unit = self.unit_in(scope, new.unit_code.trim()).await?;
        if !matches!(
            unit.level,
            UnitLevel::Province | UnitLevel::City | UnitLevel::County
        ) {
            return Err(StoreError::invalid(
                "unit_code",
                "analysis groups are set up at the center or a county bureau",
            ));
        }
        let c = self
            .check(&unit, &new.name, &new.fraud_types, &new.lead, &new.members)
            .await?;
        let ctx = "analysis_groups.create";
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write(ctx).await?;
        refuse_taken(&mut tx, &unit.code, &c.types, None).await?;
        refuse_name(&mut tx, &unit.code, &c.name, None).await?;
        let mut sql = Sql::new(
            "INSERT INTO analysis_groups (unit_code, name, lead_login, active, version, \
             created_by, created_at, updated_by, updated_at) VALUES (",
        );
        sql.arg(unit.code.as_str())
            .push(", ")
            .arg(c.name.as_str())
            .push(", ")
            .arg(c.lead.as_str())
            .push(", 1, 1, ")
            .arg(new.by.as_str())
            .push(", ")
            .arg(new.at)
            .push(", ")
            .arg(new.by.as_str())
            .push(", ")
            .arg(new.at)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        write_types_and_members(&mut tx, id, &unit.code, &c.types, &c.members).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.by.clone(),
                action: "analysis_group_created".into(),
                target_type: "analysis_group".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit.code.clone()),
                detail: serde_json::json!({
                    "name": c.name,
                    "fraud_types": codes(&c.types),
                    "lead": c.lead,
                    "members": c.members,
                }),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::query(ctx))?;
        Ok(AnalysisGroup {
            id,
            unit_code: unit.code,
            name: c.name,
            fraud_types: c.types,
            lead: c.lead,
            members: c.members,
            active: true,
            version: 1,
            created_by: new.by.clone(),
            created_at: new.at,
            updated_by: new.by.clone(),
            updated_at: new.at,
        })
    }

    /// Changes an active group's name, types, lead and members at the version read
    /// ([`StoreError::Conflict`] when it changed meanwhile or is deactivated); the same checks
    /// as [`AnalysisGroups::create`].
    pub async fn update(
        &self,
        scope: &Scope,
        id: i64,
        change: &AnalysisGroupUpdate,
    ) -> StoreResult<AnalysisGroup> {
        let before = self.get(scope, id).await?;
        if !before.active {
            return Err(StoreError::Conflict {
                what: "analysis group",
                detail: "the group is deactivated; set up a new one".into(),
            });
        }
        let unit = self.store.units().get(&before.unit_code).await?;
        let c = self
            .check(
                &unit,
                &change.name,
                &change.fraud_types,
                &change.lead,
                &change.members,
            )
            .await?;
        let ctx = "analysis_groups.update";
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write(ctx).await?;
        refuse_taken(&mut tx, &unit.code, &c.types, Some(id)).await?;
        refuse_name(&mut tx, &unit.code, &c.name, Some(id)).await?;
        bump(
            &mut tx,
            id,
            change.expected_version,
            &change.by,
            change.at,
            Some((&c.name, &c.lead)),
            ctx,
        )
        .await?;
        for table in ["analysis_group_types", "analysis_group_members"] {
            let mut sql = Sql::new(format!("DELETE FROM {table} WHERE group_id = "));
            sql.arg(id);
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query(ctx))?;
        }
        write_types_and_members(&mut tx, id, &unit.code, &c.types, &c.members).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: change.by.clone(),
                action: "analysis_group_updated".into(),
                target_type: "analysis_group".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit.code.clone()),
                detail: serde_json::json!({
                    "name": c.name,
                    "fraud_types": codes(&c.types),
                    "lead": c.lead,
                    "members": c.members,
                    "before": {
                        "name": before.name,
                        "fraud_types": codes(&before.fraud_types),
                        "lead": before.lead,
                        "members": before.members,
                    },
                }),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::query(ctx))?;
        self.get(scope, id).await
    }

    /// Deactivates a group at the version read: its types and its name are free again for
    /// the unit's other groups; it stays readable, inactive.
    pub async fn deactivate(
        &self,
        scope: &Scope,
        id: i64,
        expected_version: i64,
        by: &str,
        at: i64,
    ) -> StoreResult<AnalysisGroup> {
        let before = self.get(scope, id).await?;
        if !before.active {
            return Err(StoreError::Conflict {
                what: "analysis group",
                detail: "the group is already deactivated".into(),
            });
        }
        let ctx = "analysis_groups.deactivate";
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write(ctx).await?;
        bump(&mut tx, id, expected_version, by, at, None, ctx).await?;
        let mut sql = Sql::new("UPDATE analysis_group_types SET active = 0 WHERE group_id = ");
        sql.arg(id);
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "analysis_group_deactivated".into(),
                target_type: "analysis_group".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail: serde_json::json!({
                    "name": before.name,
                    "fraud_types": codes(&before.fraud_types),
                }),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::query(ctx))?;
        self.get(scope, id).await
    }

    /// The group `id` when its unit lies inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<AnalysisGroup> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM analysis_groups g WHERE "));
        scope.push_condition(&mut sql, "g.unit_code");
        sql.push(" AND g.id = ").arg(id);
        let rows = self.fetch(&sql, "analysis_groups.get").await?;
        rows.into_iter().next().ok_or_else(|| not_found(id))
    }

    /// The groups whose unit lies inside `scope` (the inactive ones too when asked), active
    /// first, then by unit and name.
    pub async fn list(
        &self,
        scope: &Scope,
        with_inactive: bool,
    ) -> StoreResult<Vec<AnalysisGroup>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM analysis_groups g WHERE "));
        scope.push_condition(&mut sql, "g.unit_code");
        if !with_inactive {
            sql.push(" AND g.active = 1");
        }
        sql.push(" ORDER BY g.active DESC, g.unit_code, g.name, g.id");
        self.fetch(&sql, "analysis_groups.list").await
    }

    /// The active groups `login` leads or belongs to whose unit lies inside `scope`, by unit
    /// and name. A group's unit lies at or above its members' units, so a member's own groups
    /// are found with the platform scope: a group holds no personal data (its name, types and
    /// police logins), and its figures are read only through [`AnalysisGroups::figures`].
    pub async fn of_member(&self, scope: &Scope, login: &str) -> StoreResult<Vec<AnalysisGroup>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM analysis_groups g WHERE g.active = 1 AND \
             g.id IN (SELECT group_id FROM analysis_group_members WHERE login = "
        ));
        sql.arg(login).push(") AND ");
        scope.push_condition(&mut sql, "g.unit_code");
        sql.push(" ORDER BY g.unit_code, g.name, g.id");
        self.fetch(&sql, "analysis_groups.of_member").await
    }

    /// The groups of the query, with their types and members.
    async fn fetch(&self, sql: &Sql<'_>, ctx: &'static str) -> StoreResult<Vec<AnalysisGroup>> {
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut groups = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(ctx))?;
        if groups.is_empty() {
            return Ok(groups);
        }
        let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
        let mut types: BTreeMap<i64, Vec<FraudType>> = BTreeMap::new();
        let mut sql =
            Sql::new("SELECT group_id, fraud_type FROM analysis_group_types WHERE group_id IN (");
        sql.args(ids.iter().copied()).push(")");
        for r in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let id: i64 = col(&r, "group_id").map_err(StoreError::query(ctx))?;
            let code: String = col(&r, "fraud_type").map_err(StoreError::query(ctx))?;
            let t = FraudType::parse_label(&code).map_err(|_| StoreError::Corrupt {
                what: "analysis group type",
                detail: format!("unknown fraud type `{code}`"),
            })?;
            types.entry(id).or_default().push(t);
        }
        let mut members: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        let mut sql =
            Sql::new("SELECT group_id, login FROM analysis_group_members WHERE group_id IN (");
        sql.args(ids.iter().copied())
            .push(") ORDER BY group_id, login");
        for r in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let id: i64 = col(&r, "group_id").map_err(StoreError::query(ctx))?;
            let login: String = col(&r, "login").map_err(StoreError::query(ctx))?;
            members.entry(id).or_default().push(login);
        }
        for g in &mut groups {
            let mut t = types.remove(&g.id).unwrap_or_default();
            t.sort();
            g.fraud_types = t;
            g.members = members.remove(&g.id).unwrap_or_default();
        }
        Ok(groups)
    }

    /// The `[lo, hi)` path range of the group's unit, for the figures.
    pub(crate) async fn unit_range(&self, group: &AnalysisGroup) -> StoreResult<(String, String)> {
        let unit = self.store.units().get(&group.unit_code).await?;
        Ok(path_range(&unit.path))
    }
}

fn codes(types: &[FraudType]) -> Vec<&'static str> {
    types.iter().map(|t| t.code()).collect()
}

/// [`StoreError::TypeCovered`] when another active group of the unit holds one of the types.
async fn refuse_taken(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit_code: &str,
    types: &[FraudType],
    except: Option<i64>,
) -> StoreResult<()> {
    let ctx = "analysis_groups.types";
    let mut sql = Sql::new(
        "SELECT t.fraud_type, g.id, g.name FROM analysis_group_types t \
         JOIN analysis_groups g ON g.id = t.group_id WHERE t.active = 1 AND t.unit_code = ",
    );
    sql.arg(unit_code)
        .push(" AND t.fraud_type IN (")
        .args(types.iter().map(|t| t.code()))
        .push(")");
    if let Some(id) = except {
        sql.push(" AND t.group_id <> ").arg(id);
    }
    sql.push(" ORDER BY t.fraud_type LIMIT 1");
    let row = sql
        .query()
        .fetch_optional(&mut **tx)
        .await
        .map_err(StoreError::query(ctx))?;
    if let Some(r) = row {
        let code: String = col(&r, "fraud_type").map_err(StoreError::query(ctx))?;
        let fraud_type = FraudType::parse_label(&code).map_err(|_| StoreError::Corrupt {
            what: "analysis group type",
            detail: format!("unknown fraud type `{code}`"),
        })?;
        return Err(StoreError::TypeCovered {
            fraud_type: fraud_type.zh().to_string(),
            group_id: col(&r, "id").map_err(StoreError::query(ctx))?,
            group_name: col(&r, "name").map_err(StoreError::query(ctx))?,
        });
    }
    Ok(())
}

/// [`StoreError::Conflict`] when another active group of the unit has the name.
async fn refuse_name(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit_code: &str,
    name: &str,
    except: Option<i64>,
) -> StoreResult<()> {
    let ctx = "analysis_groups.name";
    let mut sql = Sql::new("SELECT id FROM analysis_groups WHERE active = 1 AND unit_code = ");
    sql.arg(unit_code).push(" AND name = ").arg(name);
    if let Some(id) = except {
        sql.push(" AND id <> ").arg(id);
    }
    let row = sql
        .query()
        .fetch_optional(&mut **tx)
        .await
        .map_err(StoreError::query(ctx))?;
    if row.is_some() {
        return Err(StoreError::Conflict {
            what: "analysis group",
            detail: format!(
                "the unit already has an active group named `{name}`: choose another name"
            ),
        });
    }
    Ok(())
}

/// Moves the group to the next version when it is still at `expected` and active, setting the
/// name and lead when given, or deactivating it when not.
async fn bump(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    expected: i64,
    by: &str,
    at: i64,
    name_and_lead: Option<(&str, &str)>,
    ctx: &'static str,
) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE analysis_groups SET version = version + 1, updated_by = ");
    sql.arg(by).push(", updated_at = ").arg(at);
    match name_and_lead {
        Some((name, lead)) => {
            sql.push(", name = ")
                .arg(name)
                .push(", lead_login = ")
                .arg(lead);
        }
        None => {
            sql.push(", active = 0");
        }
    }
    sql.push(" WHERE id = ")
        .arg(id)
        .push(" AND active = 1 AND version = ")
        .arg(expected);
    let done = sql
        .query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query(ctx))?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            what: "analysis group",
            detail: "the group was changed meanwhile: reload it and try again".into(),
        });
    }
    Ok(())
}

async fn write_types_and_members(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    unit_code: &str,
    types: &[FraudType],
    members: &[String],
) -> StoreResult<()> {
    let ctx = "analysis_groups.write";
    for t in types {
        let mut sql = Sql::new(
            "INSERT INTO analysis_group_types (group_id, unit_code, fraud_type, active) VALUES (",
        );
        sql.arg(id)
            .push(", ")
            .arg(unit_code)
            .push(", ")
            .arg(t.code())
            .push(", 1)");
        sql.query()
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(ctx))?;
    }
    for login in members {
        let mut sql = Sql::new("INSERT INTO analysis_group_members (group_id, login) VALUES (");
        sql.arg(id).push(", ").arg(login.as_str()).push(")");
        sql.query()
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(ctx))?;
    }
    Ok(())
}
