//! 精准宣防名单 — targeted outreach lists. The bureaus study whom the local frauds hit ("定期分析
//! …受害人群特点") and send grid workers to exactly those people ("针对易受骗重点群体", "突出大学生、
//! 老年人、党政机关和企事业单位财会人员等重点群体，有的放矢开展精准防骗宣传"). A list is that order:
//! the residents of a unit's area in one group ([`TargetGroup`]) who are not on the national
//! anti-fraud app, frozen when issued, with a deadline and the fraud type to warn them about.
//! Each row is then recorded as reached — the app installed on the spot or not — or not met,
//! at the version read; an installation marks the resident registered, so the area's
//! registration rate (注册率) moves with the work.
//!
//! A list belongs to the unit it was issued for; a reader sees the lists of their area and, of
//! each, the rows of residents in their own subtree (a village's grid worker, their village).
//! Issuing and recording write an audit entry in the same transaction (ID numbers masked).

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
use crate::people::{birth_of, born_by};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

code_enum! {
    /// Who a list reaches: the groups the bureaus name as most deceived.
    TargetGroup {
        /// 60岁以上老年人: 冒充公检法, 保健品, 养老投资.
        Elderly => "elderly", "60岁以上老年人", "Aged 60 and over";
        /// 18–25岁青年 (在校大学生): 刷单返利, 游戏交易, 网络贷款.
        Young => "young", "18–25岁青年（含在校学生）", "Aged 18–25 (students)";
        /// 财政供养人员 (党政机关和企事业单位人员、财会人员): 冒充领导熟人.
        PublicSector => "public_sector", "财政供养人员", "Public-sector staff";
    }
}

code_enum! {
    /// Where a row of a list stands.
    ReachState {
        Pending => "pending", "待走访", "To visit";
        /// 已宣防: met and told, face to face.
        Reached => "reached", "已宣防", "Reached";
        /// 未见面: away, moved, nobody at home after repeated visits.
        Unreachable => "unreachable", "未见面", "Not met";
    }
}

/// The most residents one list may hold: a larger area is split by issuing for the units
/// below it.
pub const MAX_LIST_ROWS: i64 = 5_000;
/// The longest note kept on a row (characters).
pub const MAX_NOTE_CHARS: usize = 500;

/// A list to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOutreachList {
    /// The area: this unit and everything below it; inside the issuer's scope.
    pub unit_code: String,
    pub group: TargetGroup,
    /// The fraud type to warn them about (a `FraudType` code), if any.
    pub fraud_type: Option<String>,
    /// Everyone should be reached by then (epoch ms UTC); after the issue time.
    pub deadline: i64,
    pub created_by: String,
}

/// A list, with the figures of the rows the reader sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OutreachList {
    pub id: i64,
    pub unit_code: String,
    pub group: TargetGroup,
    pub fraud_type: Option<String>,
    pub deadline: i64,
    /// Residents on the list when issued (the whole area).
    pub residents: i64,
    pub created_by: String,
    pub created_at: i64,
    pub figures: ListFigures,
}

/// Rows by state, and the app installations among those reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ListFigures {
    pub rows: i64,
    pub pending: i64,
    pub reached: i64,
    pub unreachable: i64,
    pub app_installed: i64,
}

impl ListFigures {
    fn add(&mut self, state: ReachState, app: bool, n: i64) {
        self.rows += n;
        match state {
            ReachState::Pending => self.pending += n,
            ReachState::Reached => self.reached += n,
            ReachState::Unreachable => self.unreachable += n,
        }
        if app {
            self.app_installed += n;
        }
    }

    /// Share of the rows reached face to face.
    pub fn reached_share(&self) -> Option<f64> {
        (self.rows > 0).then(|| self.reached as f64 / self.rows as f64)
    }
}

/// One resident on a list, with what the register knows to find them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListRow {
    pub id: i64,
    pub list_id: i64,
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub unit_code: String,
    pub state: ReachState,
    pub app_installed: bool,
    pub note: String,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub version: i64,
}

/// What a visit found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReachRecord {
    /// [`ReachState::Reached`] or [`ReachState::Unreachable`].
    pub state: ReachState,
    /// Installed the app on the spot (only when reached).
    pub app_installed: bool,
    pub note: String,
}

/// The SQL condition on `people p` for a group on `today` (ages read from the ID number's
/// birth date).
fn push_group(sql: &mut Sql<'_>, group: TargetGroup, today: NaiveDate) {
    match group {
        TargetGroup::Elderly => {
            sql.push("SUBSTR(p.resident_id, 7, 8) <= ")
                .arg(born_by(today, 60));
        }
        TargetGroup::Young => {
            sql.push("SUBSTR(p.resident_id, 7, 8) <= ")
                .arg(born_by(today, 18))
                .push(" AND SUBSTR(p.resident_id, 7, 8) > ")
                .arg(born_by(today, 26));
        }
        TargetGroup::PublicSector => {
            sql.push("p.public_sector = 1");
        }
    }
}

/// Whether a resident born on `birth` (or public-sector staff) is in `group` on `today`.
pub fn in_group(
    group: TargetGroup,
    birth: NaiveDate,
    public_sector: bool,
    today: NaiveDate,
) -> bool {
    let b = birth.format("%Y%m%d").to_string();
    match group {
        TargetGroup::Elderly => b <= born_by(today, 60),
        TargetGroup::Young => b <= born_by(today, 18) && b > born_by(today, 26),
        TargetGroup::PublicSector => public_sector,
    }
}

const LIST_COLUMNS: &str = "l.id, l.unit_code, l.target_group, l.fraud_type, l.deadline, \
     l.residents, l.created_by, l.created_at";

fn list_from_row(row: &AnyRow) -> Result<OutreachList, sqlx::Error> {
    Ok(OutreachList {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        group: parse_code(row, "target_group", TargetGroup::parse)?,
        fraud_type: col(row, "fraud_type")?,
        deadline: col(row, "deadline")?,
        residents: col(row, "residents")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        figures: ListFigures::default(),
    })
}

const ROW_COLUMNS: &str = "r.id, r.list_id, r.resident_id, p.name, p.phone, p.address, \
     r.unit_code, r.state, r.app_installed, r.note, r.done_by, r.done_at, r.version";

fn row_from_row(row: &AnyRow) -> Result<ListRow, sqlx::Error> {
    Ok(ListRow {
        id: col(row, "id")?,
        list_id: col(row, "list_id")?,
        resident_id: col(row, "resident_id")?,
        name: col::<Option<String>>(row, "name")?.unwrap_or_default(),
        phone: col(row, "phone")?,
        address: col(row, "address")?,
        unit_code: col(row, "unit_code")?,
        state: parse_code(row, "state", ReachState::parse)?,
        app_installed: col::<i64>(row, "app_installed")? == 1,
        note: col(row, "note")?,
        done_by: col(row, "done_by")?,
        done_at: col(row, "done_at")?,
        version: col(row, "version")?,
    })
}

/// How the area's frauds hit one group over a period: the cases whose victim was in it on the
/// day of the report, their loss, and the fraud type most of them were caught by.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GroupHits {
    pub group: TargetGroup,
    pub cases: i64,
    pub loss_fen: i64,
    /// The commonest type among the group's cases (a `FraudType` code; ties to the smaller
    /// code), `None` without a typed case.
    pub top_fraud_type: Option<String>,
}

/// One case as the profile reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VictimFacts {
    pub resident_id: Option<String>,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub fraud_type: Option<String>,
    pub public_sector: bool,
}

/// Counts `cases` per group (a victim may be in two: a public-sector employee over 60), every
/// group listed in [`TargetGroup::ALL`] order. A victim without a readable ID number counts only
/// by the public-sector flag.
pub fn group_hits(cases: &[VictimFacts]) -> Vec<GroupHits> {
    TargetGroup::ALL
        .iter()
        .map(|&group| {
            let mut types: BTreeMap<&str, i64> = BTreeMap::new();
            let (mut n, mut loss) = (0, 0);
            for c in cases {
                let day = fanzha_core::time::shanghai_date(c.reported_at);
                let birth = c.resident_id.as_deref().and_then(birth_of);
                let hit = match (group, birth, day) {
                    (TargetGroup::PublicSector, _, _) => c.public_sector,
                    (_, Some(b), Some(d)) => in_group(group, b, c.public_sector, d),
                    _ => false,
                };
                if hit {
                    n += 1;
                    loss += c.loss_fen;
                    if let Some(t) = c.fraud_type.as_deref() {
                        *types.entry(t).or_default() += 1;
                    }
                }
            }
            // The largest count; the first (smallest) code among equals.
            let top = types
                .iter()
                .fold(None::<(&str, i64)>, |best, (t, k)| match best {
                    Some((_, b)) if b >= *k => best,
                    _ => Some((t, *k)),
                })
                .map(|(t, _)| t.to_string());
            GroupHits {
                group,
                cases: n,
                loss_fen: loss,
                top_fraud_type: top,
            }
        })
        .collect()
}

/// The targeted outreach lists repository.
pub struct OutreachLists<'s> {
    store: &'s Store,
}

impl<'s> OutreachLists<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        OutreachLists { store }
    }

    /// The cases reported in `[from_ms, until_ms)` inside `scope`, as the group profile reads
    /// them.
    pub async fn victims(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<VictimFacts>> {
        let q = "outreach_lists.victims";
        let mut sql = Sql::new(
            "SELECT c.resident_id, c.reported_at, c.loss_fen, c.fraud_type, c.public_sector \
             FROM cases c WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(until_ms);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        rows.iter()
            .map(|r| {
                Ok(VictimFacts {
                    resident_id: col(r, "resident_id")?,
                    reported_at: col(r, "reported_at")?,
                    loss_fen: col(r, "loss_fen")?,
                    fraud_type: col(r, "fraud_type")?,
                    public_sector: col::<i64>(r, "public_sector")? == 1,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(q))
    }

    /// Residents of the area of `unit_code` in `group` on `today` not on the app: those a
    /// list issued now would hold.
    pub async fn candidates(
        &self,
        scope: &Scope,
        unit_code: &str,
        group: TargetGroup,
        today: NaiveDate,
    ) -> StoreResult<i64> {
        self.store.units().in_scope(scope, unit_code).await?;
        let area = self.store.units().scope(unit_code).await?;
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM people p WHERE ");
        push_candidates(&mut sql, &area, group, today);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("outreach_lists.candidates"))?;
        col(&row, "n").map_err(StoreError::query("outreach_lists.candidates"))
    }

    /// Issues a list at `now` (`today` its day in Asia/Shanghai) with its audit entry; returns
    /// its id and how many residents it holds. Refused (`Invalid`) when nobody of the group is
    /// left to reach, when more than [`MAX_LIST_ROWS`] are (issue for the units below), or
    /// when the deadline is not after `now`; [`StoreError::NotFound`] for a unit outside `scope`.
    pub async fn issue(
        &self,
        scope: &Scope,
        new: &NewOutreachList,
        today: NaiveDate,
        now: i64,
    ) -> StoreResult<(i64, i64)> {
        if new.deadline <= now {
            return Err(StoreError::invalid("deadline", "must be after today"));
        }
        let candidates = self
            .candidates(scope, &new.unit_code, new.group, today)
            .await?;
        if candidates == 0 {
            return Err(StoreError::invalid(
                "target_group",
                "nobody of this group in the area is left off the anti-fraud app: choose another group or unit",
            ));
        }
        if candidates > MAX_LIST_ROWS {
            return Err(StoreError::invalid(
                "unit",
                format!(
                    "{candidates} residents: a list holds at most {MAX_LIST_ROWS}; issue one for each unit below"
                ),
            ));
        }
        let area = self.store.units().scope(&new.unit_code).await?;
        let q = "outreach_lists.issue";
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach_lists.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO outreach_lists (unit_code, target_group, fraud_type, deadline, residents, \
             created_by, created_at) VALUES (",
        );
        sql.arg(new.unit_code.as_str())
            .push(", ")
            .arg(new.group.as_str())
            .push(", ")
            .arg(new.fraud_type.as_deref())
            .push(", ")
            .arg(new.deadline)
            .push(", 0, ")
            .arg(new.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(q))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(q))?;
        // The rows are taken in the same transaction, so the count is what was frozen.
        let mut sql =
            Sql::new("INSERT INTO outreach_list_rows (list_id, resident_id, unit_code) SELECT ");
        sql.arg(id)
            .push(", p.resident_id, p.unit_code FROM people p WHERE ");
        push_candidates(&mut sql, &area, new.group, today);
        let residents = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(q))?
            .rows_affected() as i64;
        let mut sql = Sql::new("UPDATE outreach_lists SET residents = ");
        sql.arg(residents).push(" WHERE id = ").arg(id);
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(q))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.created_by.clone(),
                action: "outreach_list_issued".into(),
                target_type: "outreach_list".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(new.unit_code.clone()),
                detail: serde_json::json!({
                    "group": new.group.as_str(),
                    "fraud_type": new.fraud_type,
                    "residents": residents,
                    "deadline": new.deadline,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach_lists.commit"))?;
        Ok((id, residents))
    }

    /// The lists that concern `scope` — issued for a unit inside it or above it (a county's
    /// list reaches a village) with rows inside it — the newest first, each with the figures of
    /// its rows inside `scope`. At most `limit`.
    pub async fn lists(&self, scope: &Scope, limit: u32) -> StoreResult<Vec<OutreachList>> {
        let q = "outreach_lists.lists";
        let mut sql = Sql::new(format!(
            "SELECT {LIST_COLUMNS} FROM outreach_lists l WHERE EXISTS (SELECT 1 FROM \
             outreach_list_rows r WHERE r.list_id = l.id AND "
        ));
        scope.push_condition(&mut sql, "r.unit_code");
        sql.push(") ORDER BY l.created_at DESC, l.id DESC LIMIT ")
            .arg(i64::from(limit.clamp(1, 500)));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut lists = rows
            .iter()
            .map(list_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(q))?;
        let ids: Vec<i64> = lists.iter().map(|l| l.id).collect();
        let figures = self.figures_of(scope, &ids, false).await?;
        for l in &mut lists {
            if let Some(f) = figures.get(&(l.id, String::new())) {
                l.figures = *f;
            }
        }
        Ok(lists)
    }

    /// List `id` with the figures of its rows inside `scope`; [`StoreError::NotFound`] when
    /// none of its rows is.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<OutreachList> {
        let q = "outreach_lists.get";
        let mut sql = Sql::new(format!(
            "SELECT {LIST_COLUMNS} FROM outreach_lists l WHERE l.id = "
        ));
        sql.arg(id)
            .push(" AND EXISTS (SELECT 1 FROM outreach_list_rows r WHERE r.list_id = l.id AND ");
        scope.push_condition(&mut sql, "r.unit_code");
        sql.push(")");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                what: "outreach list",
                key: id.to_string(),
            });
        };
        let mut list = list_from_row(&row).map_err(StoreError::query(q))?;
        if let Some(f) = self
            .figures_of(scope, &[id], false)
            .await?
            .get(&(id, String::new()))
        {
            list.figures = *f;
        }
        Ok(list)
    }

    /// The figures of list `id`'s rows inside `scope`, per unit of the residents (their
    /// village or station), by unit code.
    pub async fn figures_by_unit(
        &self,
        scope: &Scope,
        id: i64,
    ) -> StoreResult<Vec<(String, ListFigures)>> {
        Ok(self
            .figures_of(scope, &[id], true)
            .await?
            .into_iter()
            .map(|((_, unit), f)| (unit, f))
            .collect())
    }

    /// Figures keyed by (list, resident's unit — empty unless `by_unit`).
    async fn figures_of(
        &self,
        scope: &Scope,
        ids: &[i64],
        by_unit: bool,
    ) -> StoreResult<BTreeMap<(i64, String), ListFigures>> {
        let mut out = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let q = "outreach_lists.figures";
        let unit = if by_unit { "r.unit_code" } else { "''" };
        let mut sql = Sql::new(format!(
            "SELECT r.list_id, {unit} AS unit, r.state, r.app_installed, COUNT(*) AS n \
             FROM outreach_list_rows r WHERE r.list_id IN ("
        ));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.arg(*id);
        }
        sql.push(") AND ");
        scope.push_condition(&mut sql, "r.unit_code");
        // PostgreSQL refuses a constant in GROUP BY: the unit is grouped on only when read.
        sql.push(" GROUP BY r.list_id, r.state, r.app_installed");
        if by_unit {
            sql.push(", r.unit_code");
        }
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        for r in &rows {
            let key = (
                col::<i64>(r, "list_id").map_err(StoreError::query(q))?,
                col::<String>(r, "unit").map_err(StoreError::query(q))?,
            );
            let state = parse_code(r, "state", ReachState::parse).map_err(StoreError::query(q))?;
            let app = col::<i64>(r, "app_installed").map_err(StoreError::query(q))? == 1;
            let n: i64 = col(r, "n").map_err(StoreError::query(q))?;
            out.entry(key)
                .or_insert_with(ListFigures::default)
                .add(state, app, n);
        }
        Ok(out)
    }

    /// The rows of list `id` inside `scope`, in `state` when given, in row order (the page key
    /// is the row id).
    pub async fn rows(
        &self,
        scope: &Scope,
        id: i64,
        state: Option<ReachState>,
        page: &PageRequest,
    ) -> StoreResult<Page<ListRow>> {
        let q = "outreach_lists.rows";
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!(
            "SELECT {ROW_COLUMNS} FROM outreach_list_rows r LEFT JOIN people p \
             ON p.resident_id = r.resident_id WHERE r.list_id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "r.unit_code");
        if let Some(s) = state {
            sql.push(" AND r.state = ").arg(s.as_str());
        }
        if let Some(after) = &page.after {
            let after: i64 = after
                .parse()
                .map_err(|_| StoreError::invalid("after", "not a page key of this list"))?;
            sql.push(" AND r.id > ").arg(after);
        }
        sql.push(" ORDER BY r.id LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let items = rows
            .iter()
            .map(row_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(q))?;
        Ok(Page::from_overfetch(items, limit, |r| r.id.to_string()))
    }

    /// Row `row_id` (of whichever list) when inside `scope`.
    pub async fn row(&self, scope: &Scope, row_id: i64) -> StoreResult<ListRow> {
        let q = "outreach_lists.row";
        let mut sql = Sql::new(format!(
            "SELECT {ROW_COLUMNS} FROM outreach_list_rows r LEFT JOIN people p \
             ON p.resident_id = r.resident_id WHERE r.id = "
        ));
        sql.arg(row_id).push(" AND ");
        scope.push_condition(&mut sql, "r.unit_code");
        match sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(q))?
        {
            Some(r) => row_from_row(&r).map_err(StoreError::query(q)),
            None => Err(StoreError::NotFound {
                what: "outreach list row",
                key: row_id.to_string(),
            }),
        }
    }

    /// Records what the visit to row `row_id` found (read at `version`) by `actor` at `now`,
    /// with its audit entry; an installation marks the resident registered on the app. A row
    /// may be recorded again (a second visit meets the one not met); [`StoreError::Conflict`]
    /// when it moved past `version`.
    #[allow(clippy::too_many_arguments)]
    pub async fn record(
        &self,
        scope: &Scope,
        row_id: i64,
        version: i64,
        found: &ReachRecord,
        actor: &str,
        now: i64,
    ) -> StoreResult<ListRow> {
        if found.state == ReachState::Pending {
            return Err(StoreError::invalid(
                "result",
                "say whether the resident was reached or not met",
            ));
        }
        if found.app_installed && found.state != ReachState::Reached {
            return Err(StoreError::invalid(
                "app_installed",
                "the app is installed only with a resident who was reached",
            ));
        }
        let note = bounded_text("note", &found.note, MAX_NOTE_CHARS, false)?;
        let current = self.row(scope, row_id).await?;
        let q = "outreach_lists.record";
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach_lists.begin").await?;
        let mut sql = Sql::new("UPDATE outreach_list_rows SET state = ");
        sql.arg(found.state.as_str())
            .push(", app_installed = ")
            .arg(i64::from(found.app_installed))
            .push(", note = ")
            .arg(note.clone())
            .push(", done_by = ")
            .arg(actor)
            .push(", done_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(row_id)
            .push(" AND version = ")
            .arg(version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(q))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "outreach list row",
                detail: format!(
                    "row {row_id} was recorded since it was read (version {} now, {version} read): reload the list",
                    current.version
                ),
            });
        }
        if found.app_installed {
            let mut sql = Sql::new("UPDATE people SET app_registered = 1, updated_at = ");
            sql.arg(now)
                .push(" WHERE resident_id = ")
                .arg(current.resident_id.as_str());
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query(q))?;
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "outreach_target_recorded".into(),
                target_type: "outreach_list".into(),
                target_id: Some(current.list_id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({
                    "row": row_id,
                    "resident_id": mask_key(&current.resident_id),
                    "state": {"from": current.state.as_str(), "to": found.state.as_str()},
                    "app_installed": found.app_installed,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach_lists.commit"))?;
        Ok(ListRow {
            state: found.state,
            app_installed: found.app_installed,
            note,
            done_by: Some(actor.to_string()),
            done_at: Some(now),
            version: version + 1,
            ..current
        })
    }

    /// Rows inside `scope` still to visit, and of them those of lists past their deadline at
    /// `now` (the 待办's line).
    pub async fn pending(&self, scope: &Scope, now: i64) -> StoreResult<(i64, i64)> {
        let q = "outreach_lists.pending";
        let mut sql = Sql::new("SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN l.deadline < ");
        sql.arg(now).push(
            " THEN 1 ELSE 0 END) AS BIGINT) AS overdue FROM outreach_list_rows r \
             JOIN outreach_lists l ON l.id = r.list_id WHERE r.state = 'pending' AND ",
        );
        scope.push_condition(&mut sql, "r.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        Ok((
            col(&row, "n").map_err(StoreError::query(q))?,
            col::<Option<i64>>(&row, "overdue")
                .map_err(StoreError::query(q))?
                .unwrap_or(0),
        ))
    }
}

/// Residents of `area` in `group` on `today` who are not on the app.
fn push_candidates(sql: &mut Sql<'_>, area: &Scope, group: TargetGroup, today: NaiveDate) {
    area.push_condition(sql, "p.unit_code");
    sql.push(" AND p.app_registered = 0 AND ");
    push_group(sql, group, today);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_the_birth_date_on_the_day() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Sixty on the day counts; a day short does not.
        assert!(in_group(TargetGroup::Elderly, d(1966, 3, 10), false, today));
        assert!(!in_group(
            TargetGroup::Elderly,
            d(1966, 3, 11),
            false,
            today
        ));
        // 18 on the day up to the day before turning 26.
        assert!(in_group(TargetGroup::Young, d(2008, 3, 10), false, today));
        assert!(!in_group(TargetGroup::Young, d(2008, 3, 11), false, today));
        assert!(in_group(TargetGroup::Young, d(2000, 3, 11), false, today));
        assert!(!in_group(TargetGroup::Young, d(2000, 3, 10), false, today));
        assert!(in_group(
            TargetGroup::PublicSector,
            d(1990, 1, 1),
            true,
            today
        ));
        assert!(!in_group(
            TargetGroup::PublicSector,
            d(1990, 1, 1),
            false,
            today
        ));
    }

    #[test]
    fn cases_are_counted_per_group_with_the_commonest_type() {
        // 2027-01-15 08:00 UTC, a Friday afternoon in Shanghai.
        let at = 1_800_000_000_000;
        let case = |id: Option<&str>, t: Option<&str>, public: bool| VictimFacts {
            resident_id: id.map(str::to_string),
            reported_at: at,
            loss_fen: 100,
            fraud_type: t.map(str::to_string),
            public_sector: public,
        };
        let hits = group_hits(&[
            case(
                Some("330281195001010011"),
                Some("impersonating_police"),
                false,
            ),
            case(Some("330281195501010011"), Some("fake_investment"), true),
            case(
                Some("330281195601010011"),
                Some("impersonating_police"),
                false,
            ),
            case(Some("330281200501010011"), Some("order_brushing"), false),
            case(None, Some("impersonating_acquaintance"), true),
            case(Some("33028119850101001X"), None, false),
        ]);
        let get = |g| hits.iter().find(|h| h.group == g).unwrap();
        let elderly = get(TargetGroup::Elderly);
        assert_eq!((elderly.cases, elderly.loss_fen), (3, 300));
        assert_eq!(
            elderly.top_fraud_type.as_deref(),
            Some("impersonating_police")
        );
        assert_eq!(get(TargetGroup::Young).cases, 1);
        let public = get(TargetGroup::PublicSector);
        assert_eq!(public.cases, 2);
        // A tie goes to the smaller code.
        assert_eq!(public.top_fraud_type.as_deref(), Some("fake_investment"));
    }

    #[test]
    fn figures_add_up_by_state() {
        let mut f = ListFigures::default();
        f.add(ReachState::Reached, true, 2);
        f.add(ReachState::Reached, false, 1);
        f.add(ReachState::Unreachable, false, 1);
        f.add(ReachState::Pending, false, 4);
        assert_eq!(
            (f.rows, f.reached, f.unreachable, f.pending, f.app_installed),
            (8, 3, 1, 4, 2)
        );
        assert_eq!(f.reached_share(), Some(3.0 / 8.0));
    }
}
