//! 集群战役 (cluster operations): a unit launches a coordinated strike on one case cluster from
//! a case of its area (主案), with the strike day (收网日) and its targets (打击目标), each landed
//! on the unit that is to find them (落地单位). The landing unit reports what it found; a target
//! caught becomes a suspect of the main case with the measure taken, in the report's
//! transaction, so the enforcement figures ([`crate::Enforcement::figures`]) count them.
//!
//! Who sees what: the launcher's area (an operation whose unit lies in the scope) sees the whole
//! operation; a landing unit's area sees the operation and only the targets landed inside it.
//! Targets are personal data: ID numbers only masked in the audit log. Every change writes its
//! audit entry in the same transaction; a report names the version it read.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::enforcement::{insert_suspect_on, record_measure, SuspectMeasure, SuspectRole};
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code, parse_optional_code};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_core::mask::mask_resident_id;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::ResidentId;
use sqlx::any::AnyRow;

/// The longest operation name kept (characters).
pub const MAX_OPERATION_NAME: usize = 60;
/// The longest goal, clue or note kept (characters).
pub const MAX_OPERATION_TEXT: usize = 500;
/// The most targets one operation holds.
pub const MAX_OPERATION_TARGETS: i64 = 2_000;
/// How far from the launch the strike day may lie, either way (days).
pub const MAX_STRIKE_DAYS: i64 = 366;
const DAY_MS: i64 = 86_400_000;

code_enum! {
    /// Where a target stands.
    TargetState {
        /// 待落地: not reported yet.
        Pending => "pending", "待落地", "Pending";
        /// 已落地: found and under watch, not caught yet.
        Located => "located", "已落地", "Located";
        /// 已抓获: caught, a measure taken.
        Caught => "caught", "已抓获", "Caught";
        /// 未查到: not at the address, left the area, no such person.
        NotFound => "not_found", "未查到", "Not found";
        /// 已撤销: the launcher took the target off the operation.
        Withdrawn => "withdrawn", "已撤销", "Withdrawn";
    }
}

impl TargetState {
    /// Caught and withdrawn targets take no more reports.
    pub fn is_final(self) -> bool {
        matches!(self, TargetState::Caught | TargetState::Withdrawn)
    }
}

/// An operation to launch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOperation {
    /// The launching unit (inside the launcher's scope).
    pub unit_code: String,
    pub name: String,
    /// The main case; inside the launcher's scope.
    pub case_id: String,
    /// The strike day's first instant (a Shanghai midnight).
    pub strike_at: i64,
    pub goal: String,
    pub by: String,
    pub at: i64,
}

/// A stored operation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Operation {
    pub id: i64,
    pub unit_code: String,
    pub name: String,
    pub case_id: String,
    pub strike_at: i64,
    pub goal: String,
    pub created_by: String,
    pub created_at: i64,
    pub ended_by: Option<String>,
    pub ended_at: Option<i64>,
}

impl Operation {
    pub fn running(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// How many targets stand where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TargetCounts {
    pub pending: i64,
    pub located: i64,
    pub caught: i64,
    pub not_found: i64,
    pub withdrawn: i64,
}

impl TargetCounts {
    /// Targets still on the operation (all but the withdrawn).
    pub fn active(&self) -> i64 {
        self.pending + self.located + self.caught + self.not_found
    }

    /// Targets the landing unit has reported on (落地率's numerator).
    pub fn landed(&self) -> i64 {
        self.located + self.caught + self.not_found
    }

    /// Counts `n` more targets in `state`.
    pub fn add(&mut self, state: TargetState, n: i64) {
        match state {
            TargetState::Pending => self.pending += n,
            TargetState::Located => self.located += n,
            TargetState::Caught => self.caught += n,
            TargetState::NotFound => self.not_found += n,
            TargetState::Withdrawn => self.withdrawn += n,
        }
    }
}

/// An operation with the counts of the targets the reader sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OperationSummary {
    pub operation: Operation,
    /// The reader's area holds the launching unit (sees every target, may add and withdraw).
    pub launcher: bool,
    pub counts: TargetCounts,
}

/// A target to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTarget {
    pub name: String,
    /// GB 11643 ID number (required: a target is found by who they are).
    pub resident_id: String,
    pub phone: Option<String>,
    pub role: SuspectRole,
    /// The landing unit; `None`: the station of the place the person lives when the platform
    /// knows them, else the county unit of the ID number's address code.
    pub unit_code: Option<String>,
    /// What ties them to the cluster (线索).
    pub clue: String,
}

/// A stored target, in full (mask it in lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    pub id: i64,
    pub operation_id: i64,
    pub unit_code: String,
    pub name: String,
    pub resident_id: String,
    pub phone: Option<String>,
    pub role: SuspectRole,
    pub clue: String,
    pub state: TargetState,
    pub measure: Option<SuspectMeasure>,
    pub measure_at: Option<i64>,
    /// The suspect entry of the main case made when caught.
    pub suspect_id: Option<i64>,
    pub report_note: String,
    pub reported_by: Option<String>,
    pub reported_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

/// A target with its operation, as a reader sees it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VisibleTarget {
    pub target: Target,
    pub operation: Operation,
    /// The reader's area launched the operation.
    pub launcher: bool,
}

/// What a landing unit reports on a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetReport {
    /// Located, caught or not found.
    pub state: TargetState,
    /// Required when caught, refused otherwise.
    pub measure: Option<SuspectMeasure>,
    pub measure_at: Option<i64>,
    /// Required when not found (why).
    pub note: String,
    /// The [`Target::version`] the report was made from.
    pub version: i64,
    pub by: String,
}

/// The period figures of the operations launched in an area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OperationFigures {
    /// Operations launched in the period.
    pub launched: i64,
    /// Their targets, by state.
    pub targets: TargetCounts,
}

const OPERATION_COLUMNS: &str = "o.id, o.unit_code, o.name, o.case_id, o.strike_at, o.goal, \
    o.created_by, o.created_at, o.ended_by, o.ended_at";
const TARGET_COLUMNS: &str = "t.id, t.operation_id, t.unit_code, t.name, t.resident_id, t.phone, \
    t.role, t.clue, t.state, t.measure, t.measure_at, t.suspect_id, t.report_note, \
    t.reported_by, t.reported_at, t.created_by, t.created_at, t.version";

fn operation_from_row(r: &AnyRow) -> Result<Operation, sqlx::Error> {
    Ok(Operation {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        name: col(r, "name")?,
        case_id: col(r, "case_id")?,
        strike_at: col(r, "strike_at")?,
        goal: col(r, "goal")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        ended_by: col(r, "ended_by")?,
        ended_at: col(r, "ended_at")?,
    })
}

fn target_from_row(r: &AnyRow) -> Result<Target, sqlx::Error> {
    Ok(Target {
        id: col(r, "id")?,
        operation_id: col(r, "operation_id")?,
        unit_code: col(r, "unit_code")?,
        name: col(r, "name")?,
        resident_id: col(r, "resident_id")?,
        phone: col(r, "phone")?,
        role: parse_code(r, "role", SuspectRole::parse)?,
        clue: col(r, "clue")?,
        state: parse_code(r, "state", TargetState::parse)?,
        measure: parse_optional_code(r, "measure", SuspectMeasure::parse)?,
        measure_at: col(r, "measure_at")?,
        suspect_id: col(r, "suspect_id")?,
        report_note: col(r, "report_note")?,
        reported_by: col(r, "reported_by")?,
        reported_at: col(r, "reported_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

/// A target's fields checked: text trimmed, ID number and phone validated and normalised.
fn validated_target(t: &NewTarget) -> StoreResult<NewTarget> {
    let resident_id = ResidentId::parse_normalised(t.resident_id.trim())
        .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?
        .as_str()
        .to_string();
    let phone = match t.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(
            PhoneNumber::parse(v)
                .map_err(|e| StoreError::invalid("phone", e.to_string()))?
                .canonical(),
        ),
    };
    Ok(NewTarget {
        name: bounded_text(
            "name",
            &t.name,
            crate::enforcement::MAX_SUSPECT_NAME_CHARS,
            true,
        )?,
        resident_id,
        phone,
        role: t.role,
        unit_code: t
            .unit_code
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        clue: bounded_text("clue", &t.clue, MAX_OPERATION_TEXT, false)?,
    })
}

/// The cluster-operation repository.
pub struct ClusterOperations<'s> {
    store: &'s Store,
}

impl<'s> ClusterOperations<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        ClusterOperations { store }
    }

    /// Launches an operation of a unit inside `scope` from a case inside `scope`, audited as
    /// `cluster_operation_launched`; returns its id. The strike day lies within
    /// [`MAX_STRIKE_DAYS`] of the launch; a unit's names are unique ([`StoreError::Conflict`]).
    pub async fn launch(&self, scope: &Scope, o: &NewOperation) -> StoreResult<i64> {
        let name = bounded_text("name", &o.name, MAX_OPERATION_NAME, true)?;
        let goal = bounded_text("goal", &o.goal, MAX_OPERATION_TEXT, false)?;
        if (o.strike_at - o.at).abs() > MAX_STRIKE_DAYS * DAY_MS {
            return Err(StoreError::invalid(
                "strike_at",
                format!("the strike day lies within {MAX_STRIKE_DAYS} days of today"),
            ));
        }
        self.store.units().in_scope(scope, &o.unit_code).await?;
        let case_id = o.case_id.trim();
        let mut sql = Sql::new("SELECT c.id FROM cases c WHERE c.id = ");
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let found = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("cluster_operations.case"))?;
        if found.is_none() {
            return Err(StoreError::NotFound {
                what: "case",
                key: case_id.to_string(),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cluster_operations.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO cluster_operations (unit_code, name, case_id, strike_at, goal, \
             created_by, created_at) VALUES (",
        );
        sql.args([o.unit_code.as_str(), &name, case_id])
            .push(", ")
            .arg(o.strike_at)
            .push(", ")
            .args([goal.as_str(), &o.by])
            .push(", ")
            .arg(o.at)
            .push(") ON CONFLICT (unit_code, name) DO NOTHING RETURNING id");
        let ctx = "cluster_operations.launch";
        let Some(row) = sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
        else {
            return Err(StoreError::Conflict {
                what: "cluster operation",
                detail: format!("the unit has an operation named `{name}`; choose another name"),
            });
        };
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: o.by.clone(),
                action: "cluster_operation_launched".into(),
                target_type: "cluster_operation".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(o.unit_code.clone()),
                detail: serde_json::json!({
                    "name": name,
                    "case_id": case_id,
                    "strike_at": o.strike_at,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("cluster_operations.commit"))?;
        Ok(id)
    }

    /// The operations the scope sees — launched inside it, or with a target landed inside it —
    /// the latest launched first (at most 200), each with the counts of the targets the scope
    /// sees.
    pub async fn list(&self, scope: &Scope) -> StoreResult<Vec<OperationSummary>> {
        let mut sql = Sql::new(format!(
            "SELECT {OPERATION_COLUMNS} FROM cluster_operations o WHERE "
        ));
        scope.push_condition(&mut sql, "o.unit_code");
        sql.push(" OR o.id IN (SELECT t.operation_id FROM cluster_targets t WHERE ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(") ORDER BY o.created_at DESC, o.id DESC LIMIT 200");
        let ctx = "cluster_operations.list";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let operations = rows
            .iter()
            .map(operation_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(ctx))?;
        let mut out = Vec::with_capacity(operations.len());
        for operation in operations {
            let launcher = self.is_launcher(scope, &operation).await?;
            let counts = self.counts(scope, operation.id, launcher).await?;
            out.push(OperationSummary {
                operation,
                launcher,
                counts,
            });
        }
        Ok(out)
    }

    /// One operation the scope sees, with its counts; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<OperationSummary> {
        let operation = self.stored(id).await?;
        let launcher = self.is_launcher(scope, &operation).await?;
        if !launcher && !self.has_target_in(scope, id).await? {
            return Err(not_found("cluster operation", id));
        }
        let counts = self.counts(scope, id, launcher).await?;
        Ok(OperationSummary {
            operation,
            launcher,
            counts,
        })
    }

    /// The operations launched from a case (newest first), for the case page; the case's scope
    /// is the caller's to check.
    pub async fn of_case(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<Operation>> {
        let mut sql = Sql::new(format!(
            "SELECT {OPERATION_COLUMNS} FROM cluster_operations o WHERE o.case_id = "
        ));
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "o.unit_code");
        sql.push(" ORDER BY o.created_at DESC, o.id DESC");
        let ctx = "cluster_operations.of_case";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        rows.iter()
            .map(operation_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(ctx))
    }

    /// The targets of an operation the scope sees: all of them for the launcher's area, those
    /// landed inside the scope otherwise; by landing unit, then as added.
    pub async fn targets(&self, scope: &Scope, id: i64) -> StoreResult<Vec<Target>> {
        Ok(self.open(scope, id).await?.1)
    }

    /// An operation the scope sees ([`Self::get`]) with its targets ([`Self::targets`]).
    pub async fn open(
        &self,
        scope: &Scope,
        id: i64,
    ) -> StoreResult<(OperationSummary, Vec<Target>)> {
        let summary = self.get(scope, id).await?;
        let mut sql = Sql::new(format!(
            "SELECT {TARGET_COLUMNS} FROM cluster_targets t WHERE t.operation_id = "
        ));
        sql.arg(id);
        if !summary.launcher {
            sql.push(" AND ");
            scope.push_condition(&mut sql, "t.unit_code");
        }
        sql.push(" ORDER BY t.unit_code, t.id");
        let ctx = "cluster_operations.targets";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let targets = rows
            .iter()
            .map(target_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(ctx))?;
        Ok((summary, targets))
    }

    /// One target the scope sees (landed inside it, or of an operation launched inside it).
    pub async fn target(&self, scope: &Scope, target_id: i64) -> StoreResult<Target> {
        Ok(self.visible_target(scope, target_id).await?.target)
    }

    /// [`Self::target`] with its operation and whether the reader's area launched it.
    pub async fn visible_target(
        &self,
        scope: &Scope,
        target_id: i64,
    ) -> StoreResult<VisibleTarget> {
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("cluster_operations.target"))?;
        let target = stored_target(&mut conn, target_id).await?;
        drop(conn);
        let operation = self.stored(target.operation_id).await?;
        let launcher = self.is_launcher(scope, &operation).await?;
        if launcher
            || self
                .store
                .units()
                .contains(scope, &target.unit_code)
                .await?
        {
            Ok(VisibleTarget {
                target,
                operation,
                launcher,
            })
        } else {
            Err(not_found("target", target_id))
        }
    }

    /// The landing unit for a person when none is named: the station (township-level unit)
    /// of the place they live, when the platform knows them and it lies inside `scope` — a
    /// village or grid has no officers to arrest anyone; else the unit inside `scope` whose
    /// division is the county of their ID number's address code. `None` when neither.
    pub async fn landing_unit(
        &self,
        scope: &Scope,
        resident_id: &str,
    ) -> StoreResult<Option<String>> {
        let ctx = "cluster_operations.landing_unit";
        let mut sql = Sql::new(
            "SELECT u.code, u.level, u.parent_code FROM people p \
             JOIN org_units u ON u.code = p.unit_code WHERE p.resident_id = ",
        );
        sql.arg(resident_id).push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(row) = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let code: String = col(&row, "code").map_err(StoreError::query(ctx))?;
            let level: String = col(&row, "level").map_err(StoreError::query(ctx))?;
            let parent: Option<String> =
                col(&row, "parent_code").map_err(StoreError::query(ctx))?;
            return Ok(Some(match parent {
                // A village's station, unless the scope is the village itself.
                Some(parent)
                    if level == "village"
                        && self.store.units().contains(scope, &parent).await? =>
                {
                    parent
                }
                _ => code,
            }));
        }
        let Some(county) = resident_id.get(..6) else {
            return Ok(None);
        };
        // Unit codes are division codes in a tree imported from the division tables; the
        // division column may hold the 6-digit county code or its 12-digit form.
        let mut sql = Sql::new("SELECT u.code FROM org_units u WHERE (u.code = ");
        sql.arg(county)
            .push(" OR u.division_code = ")
            .arg(county)
            .push(" OR u.division_code = ")
            .arg(format!("{county}000000"))
            .push(") AND ");
        scope.push_condition(&mut sql, "u.code");
        sql.push(" ORDER BY u.depth LIMIT 1");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        row.map(|r| col(&r, "code").map_err(StoreError::query(ctx)))
            .transpose()
    }

    /// Adds targets to an operation launched inside `scope` that has not ended, each landed on
    /// its named unit or on [`Self::landing_unit`], inside the launching unit's area; all or none, with one
    /// audit entry per target (`cluster_target_added`, the ID number masked). A person already
    /// a target of the operation is left as is and counted in the second number returned
    /// (added, already there). At most [`MAX_OPERATION_TARGETS`] per operation.
    pub async fn add_targets(
        &self,
        scope: &Scope,
        id: i64,
        targets: &[NewTarget],
        by: &str,
        now: i64,
    ) -> StoreResult<(usize, usize)> {
        let summary = self.get(scope, id).await?;
        if !summary.launcher {
            return Err(not_found("cluster operation", id));
        }
        if !summary.operation.running() {
            return Err(ended(id));
        }
        // Targets land inside the launching unit's own area, whoever adds them.
        let area = self
            .store
            .units()
            .scope(&summary.operation.unit_code)
            .await?;
        let mut checked = Vec::with_capacity(targets.len());
        for t in targets {
            let mut t = validated_target(t)?;
            let unit = match t.unit_code.take() {
                Some(u) => {
                    self.store.units().in_scope(&area, &u).await?;
                    u
                }
                None => self
                    .landing_unit(&area, &t.resident_id)
                    .await?
                    .ok_or_else(|| {
                        StoreError::invalid(
                            "unit_code",
                            format!(
                                "{} lives outside the area as far as the platform knows: name the \
                             unit that is to find them",
                                mask_resident_id(&t.resident_id)
                            ),
                        )
                    })?,
            };
            t.unit_code = Some(unit);
            checked.push(t);
        }
        let held = summary.counts.active() + summary.counts.withdrawn;
        if held + checked.len() as i64 > MAX_OPERATION_TARGETS {
            return Err(StoreError::invalid(
                "targets",
                format!("an operation holds at most {MAX_OPERATION_TARGETS} targets"),
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cluster_operations.begin").await?;
        let ctx = "cluster_operations.add_targets";
        let (mut added, mut already) = (0, 0);
        for t in &checked {
            let unit = t.unit_code.as_deref().unwrap_or_default();
            let mut sql = Sql::new(
                "INSERT INTO cluster_targets (operation_id, unit_code, name, resident_id, phone, \
                 role, clue, state, created_by, created_at) VALUES (",
            );
            sql.arg(id)
                .push(", ")
                .args([unit, t.name.as_str(), t.resident_id.as_str()])
                .push(", ")
                .arg(t.phone.as_deref())
                .push(", ")
                .args([t.role.as_str(), t.clue.as_str(), "pending", by])
                .push(", ")
                .arg(now)
                .push(") ON CONFLICT (operation_id, resident_id) DO NOTHING RETURNING id");
            let Some(row) = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query(ctx))?
            else {
                already += 1;
                continue;
            };
            let target_id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
            added += 1;
            append_on(
                &mut tx,
                &NewAuditEntry {
                    actor: by.to_string(),
                    action: "cluster_target_added".into(),
                    target_type: "cluster_target".into(),
                    target_id: Some(target_id.to_string()),
                    unit_code: Some(unit.to_string()),
                    detail: serde_json::json!({
                        "operation_id": id,
                        "resident_id": mask_resident_id(&t.resident_id),
                        "role": t.role.as_str(),
                    }),
                },
            )
            .await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("cluster_operations.commit"))?;
        Ok((added, already))
    }

    /// Records what the landing unit (inside `scope`) found, from the version it read. Caught:
    /// the measure and when (not in the future) — the person becomes a suspect of the main case
    /// with that measure (or, a suspect there already, gets the measure in their history), in
    /// the same transaction. Not found: why. Caught and withdrawn targets take no report
    /// ([`StoreError::Conflict`]); nor does a target changed since `version`.
    pub async fn report(
        &self,
        scope: &Scope,
        target_id: i64,
        r: &TargetReport,
        now: i64,
    ) -> StoreResult<Target> {
        let note = bounded_text("note", &r.note, MAX_OPERATION_TEXT, false)?;
        match (r.state, r.measure, r.measure_at) {
            (TargetState::Caught, Some(_), Some(at)) if at > now => {
                return Err(StoreError::invalid(
                    "measure_at",
                    "must not be in the future",
                ))
            }
            (TargetState::Caught, Some(_), Some(_)) => {}
            (TargetState::Caught, None, _) => {
                return Err(StoreError::invalid(
                    "measure",
                    "say which measure was taken",
                ))
            }
            (TargetState::Caught, _, None) => {
                return Err(StoreError::invalid("measure_at", "say when it was taken"))
            }
            (TargetState::Located | TargetState::NotFound, None, None) => {}
            (TargetState::Located | TargetState::NotFound, _, _) => {
                return Err(StoreError::invalid(
                    "measure",
                    "a measure goes with a target caught",
                ))
            }
            (TargetState::Pending | TargetState::Withdrawn, _, _) => {
                return Err(StoreError::invalid(
                    "state",
                    "report a target located, caught or not found",
                ))
            }
        }
        if r.state == TargetState::NotFound && note.is_empty() {
            return Err(StoreError::invalid(
                "note",
                "say why the target was not found (moved away, not at the address …)",
            ));
        }
        let VisibleTarget {
            target: current,
            operation,
            ..
        } = self.visible_target(scope, target_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cluster_operations.begin").await?;
        let ctx = "cluster_operations.report";
        let mut suspect_id = None;
        if let (TargetState::Caught, Some(measure), Some(at)) = (r.state, r.measure, r.measure_at) {
            let suspect = crate::NewSuspect {
                case_id: operation.case_id.clone(),
                name: current.name.clone(),
                resident_id: Some(current.resident_id.clone()),
                phone: current.phone.clone(),
                role: current.role,
                measure: Some(measure),
                measure_at: Some(at),
                note: format!("集群战役「{}」", operation.name),
                created_by: r.by.clone(),
            };
            let case_unit = case_unit(&mut tx, &operation.case_id).await?;
            let (id, inserted) = insert_suspect_on(&mut tx, &case_unit, &suspect, now).await?;
            if !inserted {
                record_measure(&mut tx, id, measure, at, &r.by, now).await?;
            }
            suspect_id = Some(id);
        }
        let mut sql = Sql::new("UPDATE cluster_targets SET state = ");
        sql.arg(r.state.as_str())
            .push(", measure = ")
            .arg(r.measure.map(SuspectMeasure::as_str))
            .push(", measure_at = ")
            .arg(r.measure_at)
            .push(", suspect_id = ")
            .arg(suspect_id)
            .push(", report_note = ")
            .arg(note.as_str())
            .push(", reported_by = ")
            .arg(r.by.as_str())
            .push(", reported_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(target_id)
            .push(" AND version = ")
            .arg(r.version)
            .push(" AND state NOT IN ('caught', 'withdrawn')");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        if done.rows_affected() != 1 {
            return Err(stale(&current, r.version));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: r.by.clone(),
                action: "cluster_target_reported".into(),
                target_type: "cluster_target".into(),
                target_id: Some(target_id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({
                    "operation_id": operation.id,
                    "state": r.state.as_str(),
                    "measure": r.measure.map(SuspectMeasure::as_str),
                    "measure_at": r.measure_at,
                    "suspect_id": suspect_id,
                    "before": { "state": current.state.as_str() },
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("cluster_operations.commit"))?;
        self.target(scope, target_id).await
    }

    /// Takes a target off an operation launched inside `scope` (why, required), from the
    /// version read; a caught target stays. Audited as `cluster_target_withdrawn`.
    pub async fn withdraw(
        &self,
        scope: &Scope,
        target_id: i64,
        version: i64,
        note: &str,
        by: &str,
        now: i64,
    ) -> StoreResult<Target> {
        let note = bounded_text("note", note, MAX_OPERATION_TEXT, true)?;
        let VisibleTarget {
            target: current,
            operation,
            launcher,
        } = self.visible_target(scope, target_id).await?;
        if !launcher {
            return Err(StoreError::DutySeparated {
                what: "target",
                detail: "the launching unit's area withdraws a target; report what you found"
                    .into(),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cluster_operations.begin").await?;
        let mut sql = Sql::new("UPDATE cluster_targets SET state = 'withdrawn', report_note = ");
        sql.arg(note.as_str())
            .push(", reported_by = ")
            .arg(by)
            .push(", reported_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(target_id)
            .push(" AND version = ")
            .arg(version)
            .push(" AND state NOT IN ('caught', 'withdrawn')");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("cluster_operations.withdraw"))?;
        if done.rows_affected() != 1 {
            return Err(stale(&current, version));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "cluster_target_withdrawn".into(),
                target_type: "cluster_target".into(),
                target_id: Some(target_id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({
                    "operation_id": operation.id,
                    "note": note,
                    "before": { "state": current.state.as_str() },
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("cluster_operations.commit"))?;
        self.target(scope, target_id).await
    }

    /// Ends an operation launched inside `scope` (战役结束): no more targets are added; the
    /// landing units may still report. Audited as `cluster_operation_ended`.
    pub async fn end(&self, scope: &Scope, id: i64, by: &str, now: i64) -> StoreResult<()> {
        let summary = self.get(scope, id).await?;
        if !summary.launcher {
            return Err(not_found("cluster operation", id));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cluster_operations.begin").await?;
        let mut sql = Sql::new("UPDATE cluster_operations SET ended_by = ");
        sql.arg(by)
            .push(", ended_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND ended_at IS NULL");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("cluster_operations.end"))?;
        if done.rows_affected() != 1 {
            return Err(ended(id));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "cluster_operation_ended".into(),
                target_type: "cluster_operation".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(summary.operation.unit_code.clone()),
                detail: serde_json::json!({ "counts": summary.counts }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("cluster_operations.commit"))
    }

    /// The operations launched in `[from, to)` by units inside `scope`, with their targets by
    /// state (as they stand now).
    pub async fn figures(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
    ) -> StoreResult<OperationFigures> {
        let ctx = "cluster_operations.figures";
        let mut sql =
            Sql::new("SELECT COUNT(*) AS n FROM cluster_operations o WHERE o.created_at >= ");
        sql.arg(from)
            .push(" AND o.created_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "o.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let launched: i64 = col(&row, "n").map_err(StoreError::query(ctx))?;
        let mut sql = Sql::new(
            "SELECT t.state, COUNT(*) AS n FROM cluster_targets t \
             JOIN cluster_operations o ON o.id = t.operation_id WHERE o.created_at >= ",
        );
        sql.arg(from)
            .push(" AND o.created_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "o.unit_code");
        sql.push(" GROUP BY t.state");
        let targets = self.counted(&sql, ctx).await?;
        Ok(OperationFigures { launched, targets })
    }

    /// Operation `id` as stored, whoever reads it.
    async fn stored(&self, id: i64) -> StoreResult<Operation> {
        let mut sql = Sql::new(format!(
            "SELECT {OPERATION_COLUMNS} FROM cluster_operations o WHERE o.id = "
        ));
        sql.arg(id);
        let ctx = "cluster_operations.get";
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
            .ok_or_else(|| not_found("cluster operation", id))?;
        operation_from_row(&row).map_err(StoreError::query(ctx))
    }

    async fn is_launcher(&self, scope: &Scope, o: &Operation) -> StoreResult<bool> {
        self.store.units().contains(scope, &o.unit_code).await
    }

    async fn has_target_in(&self, scope: &Scope, id: i64) -> StoreResult<bool> {
        let mut sql = Sql::new("SELECT 1 AS one FROM cluster_targets t WHERE t.operation_id = ");
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" LIMIT 1");
        Ok(sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("cluster_operations.has_target_in"))?
            .is_some())
    }

    /// The counts of an operation's targets: all of them, or those inside `scope`.
    async fn counts(&self, scope: &Scope, id: i64, all: bool) -> StoreResult<TargetCounts> {
        let mut sql = Sql::new(
            "SELECT t.state, COUNT(*) AS n FROM cluster_targets t WHERE t.operation_id = ",
        );
        sql.arg(id);
        if !all {
            sql.push(" AND ");
            scope.push_condition(&mut sql, "t.unit_code");
        }
        sql.push(" GROUP BY t.state");
        self.counted(&sql, "cluster_operations.counts").await
    }

    /// The counts of a `SELECT t.state, COUNT(*) AS n … GROUP BY t.state` query.
    async fn counted(&self, sql: &Sql<'_>, ctx: &'static str) -> StoreResult<TargetCounts> {
        let mut counts = TargetCounts::default();
        for row in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let state =
                parse_code(&row, "state", TargetState::parse).map_err(StoreError::query(ctx))?;
            counts.add(state, col(&row, "n").map_err(StoreError::query(ctx))?);
        }
        Ok(counts)
    }
}

async fn stored_target(conn: &mut sqlx::AnyConnection, id: i64) -> StoreResult<Target> {
    let mut sql = Sql::new(format!(
        "SELECT {TARGET_COLUMNS} FROM cluster_targets t WHERE t.id = "
    ));
    sql.arg(id);
    let ctx = "cluster_operations.target";
    let row = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?
        .ok_or_else(|| not_found("target", id))?;
    target_from_row(&row).map_err(StoreError::query(ctx))
}

async fn case_unit(conn: &mut sqlx::AnyConnection, case_id: &str) -> StoreResult<String> {
    let mut sql = Sql::new("SELECT unit_code FROM cases WHERE id = ");
    sql.arg(case_id);
    let ctx = "cluster_operations.case_unit";
    let row = sql
        .query()
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    col(&row, "unit_code").map_err(StoreError::query(ctx))
}

fn not_found(what: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        what,
        key: id.to_string(),
    }
}

fn ended(id: i64) -> StoreError {
    StoreError::Conflict {
        what: "cluster operation",
        detail: format!("operation {id} has ended"),
    }
}

/// Why a target change wrote nothing: it is caught or withdrawn already, or moved on.
fn stale(current: &Target, version: i64) -> StoreError {
    let detail = if current.state.is_final() {
        format!(
            "target {} is {} already",
            current.id,
            current.state.as_str()
        )
    } else {
        format!(
            "target {} changed since it was read (version {} now, {version} read): reload it",
            current.id, current.version
        )
    };
    StoreError::Conflict {
        what: "target",
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_by_state() {
        let mut c = TargetCounts::default();
        for (s, n) in [
            (TargetState::Pending, 4),
            (TargetState::Located, 3),
            (TargetState::Caught, 2),
            (TargetState::NotFound, 1),
            (TargetState::Withdrawn, 5),
        ] {
            c.add(s, n);
        }
        assert_eq!(c.active(), 10);
        assert_eq!(c.landed(), 6);
        assert_eq!(c.withdrawn, 5);
    }

    #[test]
    fn a_target_is_checked_and_normalised() {
        let t = validated_target(&NewTarget {
            name: " 张三 ".into(),
            resident_id: "11010519491231002x".into(),
            phone: Some("+86 139-0000-1234".into()),
            role: SuspectRole::CashMule,
            unit_code: Some("  ".into()),
            clue: String::new(),
        })
        .unwrap();
        assert_eq!(t.name, "张三");
        assert_eq!(t.resident_id, "11010519491231002X");
        assert_eq!(t.phone.as_deref(), Some("13900001234"));
        assert_eq!(t.unit_code, None);
        let bad = validated_target(&NewTarget {
            resident_id: "110105194912310021".into(),
            ..t.clone()
        });
        assert!(matches!(
            bad,
            Err(StoreError::Invalid {
                field: "resident_id",
                ..
            })
        ));
    }
}
