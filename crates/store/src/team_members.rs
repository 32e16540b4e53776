//! 劝阻队伍: who goes to a warned resident, village by village — the "四位一体" team of 反诈民警,
//! 社区民警, 乡村（街道）干部 and 网格员 (seed 003: "确保找得到人、见得着面、说得上话"; seed 000:
//! "一村（格）一警"). A member sits at a village or at a township (street, police station), where
//! they serve every village below; a village's team is its own members and its township's.
//! Members need no login (a village cadre is reached by phone). Entries are read and changed by
//! the unit's subtree; adding, importing and removing are audited. Names and phones are personal
//! data: the pages mask them in lists.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::units::UnitLevel;
use crate::versioned::{self, VersionedChange};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The longest member name kept (characters).
pub const MAX_TEAM_MEMBER_NAME: usize = 30;

/// The four parts of a village's team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamKind {
    /// 反诈民警: the station's anti-fraud officer.
    AntiFraudOfficer,
    /// 社区民警: the community (village) police officer.
    CommunityOfficer,
    /// 乡村（街道）干部: a village or street cadre.
    Cadre,
    /// 网格员.
    GridWorker,
}

impl TeamKind {
    pub const ALL: [TeamKind; 4] = [
        TeamKind::AntiFraudOfficer,
        TeamKind::CommunityOfficer,
        TeamKind::Cadre,
        TeamKind::GridWorker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamKind::AntiFraudOfficer => "anti_fraud_officer",
            TeamKind::CommunityOfficer => "community_officer",
            TeamKind::Cadre => "cadre",
            TeamKind::GridWorker => "grid_worker",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            TeamKind::AntiFraudOfficer => "反诈民警",
            TeamKind::CommunityOfficer => "社区民警",
            TeamKind::Cadre => "村（街道）干部",
            TeamKind::GridWorker => "网格员",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            TeamKind::AntiFraudOfficer => "Anti-fraud officer",
            TeamKind::CommunityOfficer => "Community officer",
            TeamKind::Cadre => "Village cadre",
            TeamKind::GridWorker => "Grid worker",
        }
    }

    /// A kind as a list or a form writes it: its code, its label in either language, or the
    /// words units use (`驻村民警`, `村干部`, `社区干部`, `专职网格员`).
    pub fn from_written(s: &str) -> Option<TeamKind> {
        let w = s.trim();
        if let Some(k) = TeamKind::ALL
            .into_iter()
            .find(|k| k.as_str() == w || k.zh() == w || k.en().eq_ignore_ascii_case(w))
        {
            return Some(k);
        }
        // The specific words before the general: 反诈 before 民警, 网格 before 社区.
        const WORDS: [(&str, TeamKind); 9] = [
            ("反诈", TeamKind::AntiFraudOfficer),
            ("网格", TeamKind::GridWorker),
            ("社区民警", TeamKind::CommunityOfficer),
            ("社区警", TeamKind::CommunityOfficer),
            ("驻村", TeamKind::CommunityOfficer),
            ("片警", TeamKind::CommunityOfficer),
            ("辅警", TeamKind::CommunityOfficer),
            ("干部", TeamKind::Cadre),
            ("书记", TeamKind::Cadre),
        ];
        WORDS
            .into_iter()
            .find(|(word, _)| w.contains(word))
            .map(|(_, k)| k)
    }

    pub fn parse(s: &str) -> Option<TeamKind> {
        TeamKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Whether the kind is police (the team needs one of the two at least).
    pub fn is_police(self) -> bool {
        matches!(
            self,
            TeamKind::AntiFraudOfficer | TeamKind::CommunityOfficer
        )
    }
}

/// A member to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTeamMember {
    /// A village or a township of the adder's area.
    pub unit_code: String,
    pub kind: TeamKind,
    pub name: String,
    /// Any valid number (a community office's landline too), kept canonical.
    pub phone: String,
    /// The member's account, where there is one.
    pub login: Option<String>,
}

/// A stored member.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TeamMember {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_level: UnitLevel,
    pub kind: TeamKind,
    pub name: String,
    pub phone: String,
    pub login: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
    pub version: i64,
}

/// What an import did: members added, rows that were on the list already, and rejected rows
/// by their index in the input with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TeamImport {
    pub added: usize,
    pub unchanged: usize,
    #[serde(skip)]
    pub rejected: Vec<(usize, &'static str)>,
}

/// Why an import row was rejected.
pub mod team_reason {
    /// The unit is neither a village nor a township (a county's officers serve through a
    /// station).
    pub const NOT_A_VILLAGE_OR_TOWNSHIP: &str = "not_a_village_or_township";
    /// The login names no account, or an account of another area.
    pub const UNKNOWN_LOGIN: &str = "unknown_login";
    /// The row breaks a rule the register checks (an empty or over-long name, a bad number).
    pub const INVALID: &str = "team_member_invalid";
}

/// A village with its team: its own members and its township's, by kind.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VillageTeam {
    pub code: String,
    pub name: String,
    pub township_code: Option<String>,
    pub township_name: String,
    /// Members serving the village, by kind (the village's own first).
    pub members: Vec<TeamMember>,
    /// Active accounts at the village that take instructions (grid workers, commanders).
    pub accounts: usize,
}

impl VillageTeam {
    pub fn of_kind(&self, kind: TeamKind) -> impl Iterator<Item = &TeamMember> {
        self.members.iter().filter(move |m| m.kind == kind)
    }

    /// The kinds nobody serves the village as.
    pub fn missing(&self) -> Vec<TeamKind> {
        TeamKind::ALL
            .into_iter()
            .filter(|k| self.of_kind(*k).next().is_none())
            .collect()
    }

    /// All four kinds are there.
    pub fn complete(&self) -> bool {
        self.missing().is_empty()
    }
}

const COLUMNS: &str = "m.id, m.unit_code, u.name AS unit_name, u.level AS unit_level, m.kind, \
     m.name, m.phone, m.login, m.created_by, m.created_at, m.removed_at, m.version";

fn from_row(r: &AnyRow) -> Result<TeamMember, sqlx::Error> {
    let kind: String = col(r, "kind")?;
    let level: String = col(r, "unit_level")?;
    Ok(TeamMember {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        unit_name: col(r, "unit_name")?,
        unit_level: UnitLevel::parse(&level).unwrap_or(UnitLevel::Village),
        kind: TeamKind::parse(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "kind".into(),
            source: format!("unknown team kind {kind:?}").into(),
        })?,
        name: col(r, "name")?,
        phone: col(r, "phone")?,
        login: col(r, "login")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        removed_at: col(r, "removed_at")?,
        version: col(r, "version")?,
    })
}

/// The member checked: name trimmed and bounded, phone valid and canonical.
fn checked(m: &NewTeamMember) -> StoreResult<NewTeamMember> {
    let phone = fanzha_core::PhoneNumber::parse(m.phone.trim())
        .map_err(|e| StoreError::invalid("phone", e.to_string()))?
        .canonical();
    Ok(NewTeamMember {
        unit_code: m.unit_code.trim().to_string(),
        kind: m.kind,
        name: bounded_text("name", &m.name, MAX_TEAM_MEMBER_NAME, true)?,
        phone,
        login: m
            .login
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    })
}

/// The team register.
pub struct TeamMembers<'s> {
    store: &'s Store,
}

impl<'s> TeamMembers<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        TeamMembers { store }
    }

    /// Member `id` of `scope` (removed ones too).
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<TeamMember> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM team_members m JOIN org_units u ON u.code = m.unit_code \
             WHERE m.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "m.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("team_members.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("team_members.get")),
            None => Err(StoreError::NotFound {
                what: "team member",
                key: id.to_string(),
            }),
        }
    }

    /// The active members of `scope`, by unit path and kind.
    pub async fn list(&self, scope: &Scope) -> StoreResult<Vec<TeamMember>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM team_members m JOIN org_units u ON u.code = m.unit_code \
             WHERE m.removed_at IS NULL AND "
        ));
        scope.push_condition(&mut sql, "m.unit_code");
        sql.push(" ORDER BY u.path, m.kind, m.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("team_members.list"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("team_members.list"))
    }

    /// Why `m` cannot join in `scope`, as a row reason; `None` when it can. Reads the unit and
    /// the login.
    async fn refusal(&self, scope: &Scope, m: &NewTeamMember) -> StoreResult<Option<&'static str>> {
        let Some(unit) = self.store.units().find(&m.unit_code).await? else {
            return Ok(Some("unknown_unit"));
        };
        if !scope.contains_path(&unit.path) {
            return Ok(Some("unit_outside_area"));
        }
        if !matches!(unit.level, UnitLevel::Village | UnitLevel::Township) {
            return Ok(Some(team_reason::NOT_A_VILLAGE_OR_TOWNSHIP));
        }
        if let Some(login) = &m.login {
            match self.store.users().get(scope, login).await {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => return Ok(Some(team_reason::UNKNOWN_LOGIN)),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Adds a member at a village or township of `scope`; audited `team_member_added`. The
    /// same person of the same kind at the same place twice is a conflict (`team member`).
    pub async fn add(
        &self,
        scope: &Scope,
        m: &NewTeamMember,
        by: &str,
        now: i64,
    ) -> StoreResult<TeamMember> {
        let m = checked(m)?;
        match self.refusal(scope, &m).await? {
            None => {}
            Some("unknown_unit") | Some("unit_outside_area") => {
                return Err(StoreError::NotFound {
                    what: "unit",
                    key: m.unit_code.clone(),
                })
            }
            Some(team_reason::UNKNOWN_LOGIN) => {
                return Err(StoreError::invalid(
                    "login",
                    "no account of that login in your area: leave it empty or correct it",
                ))
            }
            Some(_) => return Err(StoreError::invalid(
                "unit_code",
                "a team member serves a village (community, grid) or a township (street, station)",
            )),
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("team_members.add").await?;
        let id = insert(&mut tx, &m, by, now).await?;
        append_on(&mut tx, &added_entry(id, &m, by)).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("team_members.add"))?;
        self.get(scope, id).await
    }

    /// Adds the rows of a list (a unit's team roster) in one transaction: a row already on the
    /// register (same place, kind and phone) is unchanged; a row whose unit or login cannot be
    /// used is rejected with its reason, the rest still added. Audited once,
    /// `team_members_imported`, with the counts.
    pub async fn import(
        &self,
        scope: &Scope,
        rows: &[NewTeamMember],
        by: &str,
        now: i64,
    ) -> StoreResult<TeamImport> {
        let mut out = TeamImport::default();
        let mut good = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let m = match checked(row) {
                Ok(m) => m,
                Err(_) => {
                    out.rejected.push((i, team_reason::INVALID));
                    continue;
                }
            };
            match self.refusal(scope, &m).await? {
                Some(reason) => out.rejected.push((i, reason)),
                None => good.push(m),
            }
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("team_members.import").await?;
        for m in &good {
            let mut exists = Sql::new(
                "SELECT COUNT(*) AS n FROM team_members WHERE removed_at IS NULL AND unit_code = ",
            );
            exists
                .arg(m.unit_code.as_str())
                .push(" AND kind = ")
                .arg(m.kind.as_str())
                .push(" AND phone = ")
                .arg(m.phone.as_str());
            let row = exists
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::query("team_members.import"))?;
            let n: i64 = col(&row, "n").map_err(StoreError::query("team_members.import"))?;
            if n > 0 {
                out.unchanged += 1;
                continue;
            }
            insert(&mut tx, m, by, now).await?;
            out.added += 1;
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "team_members_imported".into(),
                target_type: "team".into(),
                target_id: scope.unit_code().map(str::to_string),
                unit_code: scope.unit_code().map(str::to_string),
                detail: serde_json::json!({
                    "added": out.added,
                    "unchanged": out.unchanged,
                    "rejected": out.rejected.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("team_members.import"))?;
        Ok(out)
    }

    /// Takes member `id` off the team (kept, with the time); audited `team_member_removed`.
    pub async fn remove(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<TeamMember> {
        let before = self.get(scope, id).await?;
        if before.removed_at.is_some() {
            return Err(StoreError::Conflict {
                what: "team member",
                detail: format!("member {id} was removed already"),
            });
        }
        let mut update = Sql::new("UPDATE team_members SET removed_at = ");
        update.arg(now);
        versioned::apply(
            self.store,
            update,
            VersionedChange {
                id,
                version,
                by,
                now,
                audit: NewAuditEntry {
                    actor: by.to_string(),
                    action: "team_member_removed".into(),
                    target_type: "team_member".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(before.unit_code.clone()),
                    detail: serde_json::json!({
                        "kind": before.kind.as_str(),
                        "unit_code": before.unit_code,
                    }),
                },
                ctx: "team_members.remove",
            },
            || StoreError::Conflict {
                what: "team member",
                detail: format!("member {id} changed since version {version}: reload it"),
            },
        )
        .await?;
        self.get(scope, id).await
    }

    /// Every village of `scope` with its team (its own members and its township's) and its
    /// accounts that take instructions, in tree order.
    pub async fn villages(&self, scope: &Scope) -> StoreResult<Vec<VillageTeam>> {
        let mut sql = Sql::new(
            "SELECT v.code, v.name, p.code AS township_code, p.name AS township_name, \
             p.level AS township_level FROM org_units v \
             LEFT JOIN org_units p ON p.code = v.parent_code WHERE v.level = 'village' AND ",
        );
        scope.push_condition(&mut sql, "v.code");
        sql.push(" ORDER BY v.path");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("team_members.villages"))?;
        // The townships' members serve villages of the scope even when the township itself
        // lies above a village-level scope.
        let mut members = self.list(scope).await?;
        if let Some(code) = scope.unit_code() {
            let unit = self.store.units().get(code).await?;
            if unit.level == UnitLevel::Village {
                if let Some(parent) = &unit.parent_code {
                    let above = self.store.units().scope(parent).await?;
                    members.extend(
                        self.list(&above)
                            .await?
                            .into_iter()
                            .filter(|m| &m.unit_code == parent),
                    );
                }
            }
        }
        let mut by_unit: HashMap<&str, Vec<&TeamMember>> = HashMap::new();
        for m in &members {
            by_unit.entry(m.unit_code.as_str()).or_default().push(m);
        }
        let accounts = self.accounts_by_unit(scope).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let read = |c: &'static str| {
                col::<Option<String>>(r, c).map_err(StoreError::query("team_members.villages"))
            };
            let code = read("code")?.unwrap_or_default();
            let township_level = read("township_level")?;
            let township_code =
                read("township_code")?.filter(|_| township_level.as_deref() == Some("township"));
            let mut serving: Vec<TeamMember> = by_unit
                .get(code.as_str())
                .into_iter()
                .flatten()
                .map(|m| (*m).clone())
                .collect();
            if let Some(t) = &township_code {
                serving.extend(
                    by_unit
                        .get(t.as_str())
                        .into_iter()
                        .flatten()
                        .map(|m| (*m).clone()),
                );
            }
            out.push(VillageTeam {
                accounts: accounts.get(&code).copied().unwrap_or(0),
                name: read("name")?.unwrap_or_default(),
                township_name: read("township_name")?.unwrap_or_default(),
                township_code,
                code,
                members: serving,
            });
        }
        Ok(out)
    }

    /// Active accounts that take instructions (grid workers, commanders), by unit of `scope`
    /// (a unit without any is absent).
    pub async fn accounts_by_unit(&self, scope: &Scope) -> StoreResult<HashMap<String, usize>> {
        let mut sql = Sql::new(
            "SELECT u.unit_code, COUNT(DISTINCT u.login) AS n FROM users u \
             JOIN user_roles r ON r.login = u.login \
             WHERE u.active = 1 AND r.role IN ('grid_worker', 'unit_commander') AND ",
        );
        scope.push_condition(&mut sql, "u.unit_code");
        sql.push(" GROUP BY u.unit_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("team_members.accounts"))?;
        let mut out = HashMap::new();
        for r in &rows {
            let code: String =
                col(r, "unit_code").map_err(StoreError::query("team_members.accounts"))?;
            let n: i64 = col(r, "n").map_err(StoreError::query("team_members.accounts"))?;
            out.insert(code, n as usize);
        }
        Ok(out)
    }
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    m: &NewTeamMember,
    by: &str,
    now: i64,
) -> StoreResult<i64> {
    let mut sql = Sql::new(
        "INSERT INTO team_members (unit_code, kind, name, phone, login, created_by, created_at) \
         VALUES (",
    );
    sql.arg(m.unit_code.as_str())
        .push(", ")
        .arg(m.kind.as_str())
        .push(", ")
        .arg(m.name.as_str())
        .push(", ")
        .arg(m.phone.as_str())
        .push(", ")
        .arg(m.login.as_deref())
        .push(", ")
        .arg(by)
        .push(", ")
        .arg(now)
        .push(") RETURNING id");
    let row = sql
        .query()
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::query("team member"))?;
    col(&row, "id").map_err(StoreError::query("team_members.add"))
}

fn added_entry(id: i64, m: &NewTeamMember, by: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor: by.to_string(),
        action: "team_member_added".into(),
        target_type: "team_member".into(),
        target_id: Some(id.to_string()),
        unit_code: Some(m.unit_code.clone()),
        detail: serde_json::json!({ "kind": m.kind.as_str(), "login": m.login }),
    }
}

#[cfg(test)]
mod tests {
    use super::TeamKind;

    #[test]
    fn a_kind_is_read_as_units_write_it() {
        for k in TeamKind::ALL {
            assert_eq!(TeamKind::from_written(k.as_str()), Some(k));
            assert_eq!(TeamKind::from_written(k.zh()), Some(k));
            assert_eq!(TeamKind::from_written(&k.en().to_lowercase()), Some(k));
        }
        let read = |s| TeamKind::from_written(s);
        assert_eq!(read("派出所反诈民警"), Some(TeamKind::AntiFraudOfficer));
        assert_eq!(read("驻村民警"), Some(TeamKind::CommunityOfficer));
        assert_eq!(read("社区网格员"), Some(TeamKind::GridWorker));
        assert_eq!(read("专职网格员"), Some(TeamKind::GridWorker));
        assert_eq!(read("村干部"), Some(TeamKind::Cadre));
        assert_eq!(read("村支部书记"), Some(TeamKind::Cadre));
        assert_eq!(read("志愿者"), None);
    }
}
