//! Users and their roles. Every user belongs to one org unit and sees its subtree.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_on, Merge, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::any::AnyRow;

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 研判民警: reviews warnings, pushes them down, runs cases and stop-payments.
    CenterAnalyst,
    /// County or station commander: the unit's instruction queue.
    UnitCommander,
    /// 网格员 / community officer: contacts people.
    GridWorker,
    /// Bank liaison: stop-payments of one bank only.
    BankLiaison,
    /// 运营商联络员: number disposals (关停, 限制呼出, 拦截) addressed to one operator only.
    OperatorLiaison,
    /// 成员单位联络员: a member department of a joint office (联席办), reporting the progress of
    /// its own tasks.
    JointMember,
    /// Leadership: statistics and rankings.
    Leader,
    /// Platform administrator.
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::CenterAnalyst,
        Role::UnitCommander,
        Role::GridWorker,
        Role::BankLiaison,
        Role::OperatorLiaison,
        Role::JointMember,
        Role::Leader,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CenterAnalyst => "center_analyst",
            Role::UnitCommander => "unit_commander",
            Role::GridWorker => "grid_worker",
            Role::BankLiaison => "bank_liaison",
            Role::OperatorLiaison => "operator_liaison",
            Role::JointMember => "joint_member",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::CenterAnalyst => "研判民警",
            Role::UnitCommander => "单位指挥员",
            Role::GridWorker => "网格员",
            Role::BankLiaison => "银行联络员",
            Role::OperatorLiaison => "运营商联络员",
            Role::JointMember => "成员单位联络员",
            Role::Leader => "领导",
            Role::Admin => "管理员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::CenterAnalyst => "Center analyst",
            Role::UnitCommander => "Unit commander",
            Role::GridWorker => "Grid worker",
            Role::BankLiaison => "Bank liaison",
            Role::OperatorLiaison => "Operator liaison",
            Role::JointMember => "Member liaison",
            Role::Leader => "Leader",
            Role::Admin => "Administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A user to create or update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub unit_code: String,
    /// At least one.
    pub roles: Vec<Role>,
    /// Required for bank liaisons.
    pub bank_code: Option<String>,
    /// Required for operator liaisons: an [`crate::Operator`] code (`china_mobile` …).
    pub operator: Option<String>,
    /// Required for member liaisons: the joint-office member (an active member of the user's
    /// unit's office) they report for.
    pub joint_member: Option<i64>,
    /// A password hash (PHC string); `None` keeps the stored one.
    pub password_hash: Option<String>,
}

/// A stored user (without the password hash, which only [`Users::password_hash`] returns).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub login: String,
    pub display_name: String,
    pub unit_code: String,
    pub bank_code: Option<String>,
    pub operator: Option<String>,
    pub joint_member: Option<i64>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

const SPEC: TableSpec = TableSpec {
    table: "users",
    key: "login",
    columns: &[
        ("display_name", Merge::Replace),
        ("unit_code", Merge::Replace),
        ("bank_code", Merge::Replace),
        ("operator", Merge::Replace),
        ("joint_member_id", Merge::Replace),
        ("password_hash", Merge::KeepIfNull),
    ],
};

const COLUMNS: &str = "u.login, u.display_name, u.unit_code, u.bank_code, u.operator, \
     u.joint_member_id, u.active, u.created_at, u.updated_at";

fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        login: col(row, "login")?,
        display_name: col(row, "display_name")?,
        unit_code: col(row, "unit_code")?,
        bank_code: col(row, "bank_code")?,
        operator: col(row, "operator")?,
        joint_member: col(row, "joint_member_id")?,
        roles: Vec::new(),
        active: flag(row, "active")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// The user repository.
pub struct Users<'s> {
    store: &'s Store,
}

impl<'s> Users<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Users { store }
    }

    /// Creates or updates a user and replaces their roles.
    pub async fn upsert(&self, user: &NewUser) -> StoreResult<UpsertOutcome> {
        if user.login.is_empty() || user.display_name.trim().is_empty() {
            return Err(StoreError::invalid(
                "user",
                "login and display name are required",
            ));
        }
        if user.roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                format!("user `{}` needs a role", user.login),
            ));
        }
        if user.roles.contains(&Role::BankLiaison) && user.bank_code.is_none() {
            return Err(StoreError::invalid(
                "bank code",
                format!("bank liaison `{}` needs a bank code", user.login),
            ));
        }
        if user.roles.contains(&Role::OperatorLiaison)
            && user
                .operator
                .as_deref()
                .and_then(crate::Operator::parse)
                .is_none()
        {
            return Err(StoreError::invalid(
                "operator",
                format!(
                    "operator liaison `{}` needs an operator: one of {}",
                    user.login,
                    crate::Operator::ALL
                        .iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        self.store.units().get(&user.unit_code).await?;
        if user.roles.contains(&Role::JointMember) {
            self.check_member(user).await?;
        }
        let mut roles = user.roles.clone();
        roles.sort();
        roles.dedup();
        let mut tx = self.store.begin_write("users.begin").await?;
        let row = UpsertRow {
            key: &user.login,
            values: vec![
                user.display_name.as_str().into(),
                user.unit_code.as_str().into(),
                user.bank_code.as_deref().into(),
                user.operator.as_deref().into(),
                user.joint_member.into(),
                user.password_hash.as_deref().into(),
            ],
        };
        let mut outcome =
            upsert_on(&mut tx, self.store.backend(), &SPEC, vec![row], now_ms()).await?;
        let stored = roles_of(&mut tx, &user.login).await?;
        if stored != roles {
            let mut del = Sql::new("DELETE FROM user_roles WHERE login = ");
            del.arg(user.login.as_str());
            del.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("user_roles.delete"))?;
            let mut ins = Sql::new("INSERT INTO user_roles (login, role) VALUES ");
            for (i, r) in roles.iter().enumerate() {
                if i > 0 {
                    ins.push(", ");
                }
                ins.push("(")
                    .arg(user.login.as_str())
                    .push(", ")
                    .arg(r.as_str())
                    .push(")");
            }
            ins.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("user_roles.insert"))?;
            if outcome.unchanged == 1 {
                outcome.unchanged = 0;
                outcome.updated = 1;
            }
        }
        tx.commit()
            .await
            .map_err(StoreError::query("users.commit"))?;
        Ok(outcome)
    }

    /// A member liaison reports for an active member of their own unit's joint office.
    async fn check_member(&self, user: &NewUser) -> StoreResult<()> {
        let invalid = |why: String| StoreError::invalid("joint member", why);
        let Some(id) = user.joint_member else {
            return Err(invalid(format!(
                "member liaison `{}` needs the joint-office member they report for",
                user.login
            )));
        };
        let member = match self
            .store
            .joint_office()
            .member(&Scope::platform(), id)
            .await
        {
            Ok(m) => m,
            Err(StoreError::NotFound { .. }) => {
                return Err(invalid(format!(
                    "no joint-office member {id} in unit {}",
                    user.unit_code
                )))
            }
            Err(e) => return Err(e),
        };
        if member.unit_code != user.unit_code || !member.active() {
            return Err(invalid(format!(
                "member {id} is not an active member of unit {}'s joint office",
                user.unit_code
            )));
        }
        Ok(())
    }

    /// A user inside the scope; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, login: &str) -> StoreResult<User> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM users u WHERE u.login = "));
        sql.arg(login).push(" AND ");
        scope.push_condition(&mut sql, "u.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("users.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "user",
                key: login.to_string(),
            })?;
        let mut user = user_from_row(&row).map_err(StoreError::query("users.get"))?;
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("users.get"))?;
        user.roles = roles_of(&mut conn, login).await?;
        Ok(user)
    }

    /// Users inside the scope, by login.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<User>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM users u WHERE "));
        scope.push_condition(&mut sql, "u.unit_code");
        if let Some(after) = &page.after {
            sql.push(" AND u.login > ").arg(after.as_str());
        }
        sql.push(" ORDER BY u.login LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("users.list"))?;
        let mut items = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("users.list"))?;
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("users.list"))?;
        for u in &mut items {
            u.roles = roles_of(&mut conn, &u.login).await?;
        }
        Ok(Page::from_overfetch(items, limit, |u| u.login.clone()))
    }

    /// The stored password hash of an active user, for logging in; `None` when the user does
    /// not exist, is inactive or has no password.
    pub async fn password_hash(&self, login: &str) -> StoreResult<Option<String>> {
        let mut sql = Sql::new("SELECT password_hash FROM users WHERE active = 1 AND login = ");
        sql.arg(login);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("users.password"))?;
        match row {
            Some(r) => col(&r, "password_hash").map_err(StoreError::query("users.password")),
            None => Ok(None),
        }
    }

    pub async fn set_password_hash(&self, login: &str, hash: &str) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE users SET password_hash = ");
        sql.arg(hash)
            .push(", updated_at = ")
            .arg(now_ms())
            .push(" WHERE login = ")
            .arg(login);
        self.update_one(sql, login, "users.password").await
    }

    /// Deactivated users keep their history but cannot log in.
    pub async fn set_active(&self, login: &str, active: bool) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE users SET active = ");
        sql.arg(active)
            .push(", updated_at = ")
            .arg(now_ms())
            .push(" WHERE login = ")
            .arg(login);
        self.update_one(sql, login, "users.active").await
    }

    async fn update_one(
        &self,
        sql: Sql<'_>,
        login: &str,
        context: &'static str,
    ) -> StoreResult<()> {
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query(context))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "user",
                key: login.to_string(),
            });
        }
        Ok(())
    }
}

async fn roles_of(conn: &mut sqlx::AnyConnection, login: &str) -> StoreResult<Vec<Role>> {
    let mut sql = Sql::new("SELECT role FROM user_roles WHERE login = ");
    sql.arg(login).push(" ORDER BY role");
    let rows = sql
        .query()
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query("user_roles.get"))?;
    let mut roles = Vec::with_capacity(rows.len());
    for r in rows {
        let s: String = col(&r, "role").map_err(StoreError::query("user_roles.get"))?;
        roles.push(Role::parse(&s).ok_or_else(|| StoreError::Corrupt {
            what: "role",
            detail: s.clone(),
        })?);
    }
    roles.sort();
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
