//! 联席办 (the joint office of the anti-fraud joint meeting): its member departments, the
//! responsibility letters they sign each year, the meetings it holds and its spot checks of
//! members' staff on the national anti-fraud app. The task list (任务清单) is
//! [`crate::joint_tasks`].
//!
//! Everything is kept by a unit (`unit_code`, the unit whose joint office it is) and read by
//! those whose area holds that unit. Every write is audited in its transaction; a member's
//! change names the version it read.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::versioned::{self, VersionedChange};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The longest name, title or signer kept (characters).
pub const MAX_JOINT_NAME: usize = 100;
/// The longest note, summary, duties or reason kept (characters).
pub const MAX_JOINT_TEXT: usize = 2000;
/// The most staff a member may declare.
pub const MAX_JOINT_STAFF: i64 = 1_000_000;
/// A spot check below this share of staff registered on the app is marked as failing
/// (未达标): the bureaus ask every official to carry the app.
pub const SPOT_CHECK_PASS_PERCENT: i64 = 90;

code_enum! {
    /// What kind of body a member is.
    JointMemberKind {
        /// 党政部门 (教育局, 市场监管局, 工信局 …).
        Government => "government", "党政部门", "Government department";
        /// 乡镇街道 / 社区管委会.
        Township => "township", "乡镇街道", "Township or street";
        /// 金融机构 (人民银行支行, 商业银行).
        Finance => "finance", "金融机构", "Financial institution";
        /// 通信运营商 / 通管办.
        Telecom => "telecom", "通信运营商", "Telecom operator";
        /// 其他单位.
        Other => "other", "其他单位", "Other";
    }
}

code_enum! {
    /// What a meeting was.
    MeetingKind {
        /// 联席会议 (全体成员).
        Joint => "joint", "联席会议", "Joint meeting";
        /// 调度会.
        Dispatch => "dispatch", "调度会", "Dispatch meeting";
        /// 推进会.
        Promotion => "promotion", "推进会", "Progress meeting";
        /// 培训会.
        Training => "training", "培训会", "Training";
    }
}

/// A department joining the joint meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJointMember {
    /// The unit whose joint office it joins, inside the recorder's scope.
    pub unit_code: String,
    pub name: String,
    pub kind: JointMemberKind,
    pub contact_name: String,
    pub contact_phone: String,
    /// Its officials and staff (干部职工), the base of its spot checks.
    pub staff: i64,
    pub note: String,
    pub by: String,
}

/// What a change of a member sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JointMemberUpdate {
    pub contact_name: String,
    pub contact_phone: String,
    pub staff: i64,
    pub note: String,
    /// The [`JointMember::version`] the change was made from.
    pub version: i64,
    pub by: String,
}

/// A stored member, in full (mask the contact's phone in lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct JointMember {
    pub id: i64,
    pub unit_code: String,
    pub name: String,
    pub kind: JointMemberKind,
    pub contact_name: String,
    pub contact_phone: String,
    pub staff: i64,
    pub note: String,
    pub left_at: Option<i64>,
    pub left_reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

impl JointMember {
    pub fn active(&self) -> bool {
        self.left_at.is_none()
    }
}

/// A responsibility letter (防范电信网络诈骗责任书) a member signed for a year.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Letter {
    pub id: i64,
    pub member_id: i64,
    pub year: i64,
    pub signed_at: i64,
    /// Who signed for the member (its head, 主要领导).
    pub signer: String,
    /// The duties the letter names.
    pub duties: String,
    pub created_by: String,
}

/// A letter to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLetter {
    pub year: i64,
    pub signed_at: i64,
    pub signer: String,
    pub duties: String,
    pub by: String,
}

/// A meeting to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMeeting {
    pub unit_code: String,
    pub kind: MeetingKind,
    pub title: String,
    pub held_at: i64,
    pub chair: String,
    /// What was reported and decided (通报形势, 部署工作).
    pub summary: String,
    /// Members present: active members of the meeting's unit.
    pub attendees: Vec<i64>,
    pub by: String,
}

/// A stored meeting with the ids of the members present.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    pub id: i64,
    pub unit_code: String,
    pub kind: MeetingKind,
    pub title: String,
    pub held_at: i64,
    pub chair: String,
    pub summary: String,
    pub attendees: Vec<i64>,
    pub created_by: String,
}

/// A spot check of a member's staff on the national anti-fraud app.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SpotCheck {
    pub id: i64,
    pub member_id: i64,
    pub checked_at: i64,
    /// Staff checked on the spot, and how many had registered.
    pub checked: i64,
    pub registered: i64,
    pub note: String,
    pub created_by: String,
}

impl SpotCheck {
    /// Registered over checked, in whole per cent (rounded down).
    pub fn percent(&self) -> i64 {
        self.registered * 100 / self.checked.max(1)
    }

    /// Below [`SPOT_CHECK_PASS_PERCENT`].
    pub fn failing(&self) -> bool {
        self.registered * 100 < SPOT_CHECK_PASS_PERCENT * self.checked
    }
}

/// A spot check to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSpotCheck {
    pub checked_at: i64,
    pub checked: i64,
    pub registered: i64,
    pub note: String,
    pub by: String,
}

const MEMBER_COLUMNS: &str = "m.id, m.unit_code, m.name, m.kind, m.contact_name, \
    m.contact_phone, m.staff, m.note, m.left_at, m.left_reason, m.created_by, m.created_at, \
    m.version";

fn member_from_row(r: &AnyRow) -> Result<JointMember, sqlx::Error> {
    Ok(JointMember {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        name: col(r, "name")?,
        kind: parse_code(r, "kind", JointMemberKind::parse)?,
        contact_name: col(r, "contact_name")?,
        contact_phone: col(r, "contact_phone")?,
        staff: col(r, "staff")?,
        note: col(r, "note")?,
        left_at: col(r, "left_at")?,
        left_reason: col(r, "left_reason")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

fn letter_from_row(r: &AnyRow) -> Result<Letter, sqlx::Error> {
    Ok(Letter {
        id: col(r, "id")?,
        member_id: col(r, "member_id")?,
        year: col(r, "year")?,
        signed_at: col(r, "signed_at")?,
        signer: col(r, "signer")?,
        duties: col(r, "duties")?,
        created_by: col(r, "created_by")?,
    })
}

fn check_from_row(r: &AnyRow) -> Result<SpotCheck, sqlx::Error> {
    Ok(SpotCheck {
        id: col(r, "id")?,
        member_id: col(r, "member_id")?,
        checked_at: col(r, "checked_at")?,
        checked: col(r, "checked")?,
        registered: col(r, "registered")?,
        note: col(r, "note")?,
        created_by: col(r, "created_by")?,
    })
}

fn staff_ok(staff: i64) -> StoreResult<()> {
    if (0..=MAX_JOINT_STAFF).contains(&staff) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "staff",
            format!("between 0 and {MAX_JOINT_STAFF}"),
        ))
    }
}

fn phone_ok(v: &str) -> StoreResult<String> {
    crate::field::phone("contact_phone", v)
}

fn not_in_future(field: &'static str, at: i64, now: i64) -> StoreResult<()> {
    if at > now {
        Err(StoreError::invalid(field, "must not be in the future"))
    } else {
        Ok(())
    }
}

/// The joint office repository: members, letters, meetings, spot checks.
pub struct JointOffice<'s> {
    store: &'s Store,
}

impl<'s> JointOffice<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        JointOffice { store }
    }

    /// Records a department joining the joint office of unit `m.unit_code` (inside `scope`);
    /// audited as `joint_member_added`. A name already of an active member of that unit is a
    /// [`StoreError::Conflict`].
    pub async fn add_member(
        &self,
        scope: &Scope,
        m: &NewJointMember,
        now: i64,
    ) -> StoreResult<i64> {
        let name = bounded_text("name", &m.name, MAX_JOINT_NAME, true)?;
        let contact_name = bounded_text("contact_name", &m.contact_name, MAX_JOINT_NAME, true)?;
        let contact_phone = phone_ok(&m.contact_phone)?;
        let note = bounded_text("note", &m.note, MAX_JOINT_TEXT, false)?;
        staff_ok(m.staff)?;
        self.store.units().in_scope(scope, &m.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_office.begin").await?;
        let ctx = "joint_office.add_member";
        let mut taken = Sql::new("SELECT m.id FROM joint_members m WHERE m.unit_code = ");
        taken
            .arg(m.unit_code.as_str())
            .push(" AND m.name = ")
            .arg(name.as_str())
            .push(" AND m.left_at IS NULL");
        if taken
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
            .is_some()
        {
            return Err(StoreError::Conflict {
                what: "joint office member",
                detail: format!("{name} is a member already"),
            });
        }
        let mut sql = Sql::new(
            "INSERT INTO joint_members (unit_code, name, kind, contact_name, contact_phone, \
             staff, note, created_by, created_at) VALUES (",
        );
        sql.args([
            m.unit_code.as_str(),
            &name,
            m.kind.as_str(),
            &contact_name,
            &contact_phone,
        ])
        .push(", ")
        .arg(m.staff)
        .push(", ")
        .args([note.as_str(), &m.by])
        .push(", ")
        .arg(now)
        .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        audit(
            &mut tx,
            &m.by,
            "joint_member_added",
            ("joint_member", id),
            &m.unit_code,
            serde_json::json!({ "name": name, "kind": m.kind.as_str(), "staff": m.staff }),
        )
        .await?;
        commit(tx).await?;
        Ok(id)
    }

    /// Changes a member's contact, staff and note from the version read; audited as
    /// `joint_member_updated` with the values before.
    pub async fn update_member(
        &self,
        scope: &Scope,
        id: i64,
        u: &JointMemberUpdate,
        now: i64,
    ) -> StoreResult<JointMember> {
        let contact_name = bounded_text("contact_name", &u.contact_name, MAX_JOINT_NAME, true)?;
        let contact_phone = phone_ok(&u.contact_phone)?;
        let note = bounded_text("note", &u.note, MAX_JOINT_TEXT, false)?;
        staff_ok(u.staff)?;
        let before = self.member(scope, id).await?;
        let mut sql = Sql::new("UPDATE joint_members SET contact_name = ");
        sql.arg(contact_name.as_str())
            .push(", contact_phone = ")
            .arg(contact_phone.as_str())
            .push(", staff = ")
            .arg(u.staff)
            .push(", note = ")
            .arg(note.as_str());
        let detail = serde_json::json!({
            "before": { "contact_name": before.contact_name, "staff": before.staff },
            "staff": u.staff,
        });
        self.change_member(
            &before,
            sql,
            (u.version, &u.by, now),
            ("joint_member_updated", detail),
        )
        .await?;
        self.member(scope, id).await
    }

    /// Records a member leaving the joint meeting (why, required) from the version read;
    /// audited as `joint_member_left`. It is kept with its letters, tasks and checks.
    pub async fn leave(
        &self,
        scope: &Scope,
        id: i64,
        reason: &str,
        (version, by, now): (i64, &str, i64),
    ) -> StoreResult<JointMember> {
        let reason = bounded_text("reason", reason, MAX_JOINT_TEXT, true)?;
        let before = self.member(scope, id).await?;
        if !before.active() {
            return Err(StoreError::Conflict {
                what: "joint office member",
                detail: format!("{} has left already", before.name),
            });
        }
        let mut sql = Sql::new("UPDATE joint_members SET left_at = ");
        sql.arg(now).push(", left_reason = ").arg(reason.as_str());
        let detail = serde_json::json!({ "reason": reason });
        self.change_member(
            &before,
            sql,
            (version, by, now),
            ("joint_member_left", detail),
        )
        .await?;
        self.member(scope, id).await
    }

    async fn change_member(
        &self,
        before: &JointMember,
        update: Sql<'_>,
        (version, by, now): (i64, &str, i64),
        (action, detail): (&str, serde_json::Value),
    ) -> StoreResult<()> {
        let change = VersionedChange {
            id: before.id,
            version,
            by,
            now,
            audit: NewAuditEntry {
                actor: by.to_string(),
                action: action.into(),
                target_type: "joint_member".into(),
                target_id: Some(before.id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail,
            },
            ctx: "joint_office.change_member",
        };
        versioned::apply(self.store, update, change, || StoreError::Conflict {
            what: "joint office member",
            detail: format!(
                "{} changed since it was read (version {} now, {version} read): reload it",
                before.name, before.version
            ),
        })
        .await
    }

    /// One member of a unit inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn member(&self, scope: &Scope, id: i64) -> StoreResult<JointMember> {
        let mut sql = Sql::new(format!(
            "SELECT {MEMBER_COLUMNS} FROM joint_members m WHERE m.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "m.unit_code");
        sql.fetch_one_decoded(
            self.store.pool(),
            "joint_office.member",
            member_from_row,
            || StoreError::NotFound {
                what: "joint office member",
                key: id.to_string(),
            },
        )
        .await
    }

    /// The members of units inside `scope` (those who left too, when `with_left`), by unit and
    /// name.
    pub async fn members(&self, scope: &Scope, with_left: bool) -> StoreResult<Vec<JointMember>> {
        let mut sql = Sql::new(format!(
            "SELECT {MEMBER_COLUMNS} FROM joint_members m WHERE "
        ));
        scope.push_condition(&mut sql, "m.unit_code");
        if !with_left {
            sql.push(" AND m.left_at IS NULL");
        }
        sql.push(" ORDER BY m.unit_code, m.name, m.id");
        sql.fetch_decoded(self.store.pool(), "joint_office.members", member_from_row)
            .await
    }

    /// Records the responsibility letter member `member_id` (active, inside `scope`) signed for
    /// `l.year`; audited as `joint_letter_signed`. A second letter for the same year is a
    /// [`StoreError::Conflict`].
    pub async fn sign_letter(
        &self,
        scope: &Scope,
        member_id: i64,
        l: &NewLetter,
        now: i64,
    ) -> StoreResult<i64> {
        let signer = bounded_text("signer", &l.signer, MAX_JOINT_NAME, true)?;
        let duties = bounded_text("duties", &l.duties, MAX_JOINT_TEXT, false)?;
        if !(2000..=2100).contains(&l.year) {
            return Err(StoreError::invalid("year", "between 2000 and 2100"));
        }
        not_in_future("signed_at", l.signed_at, now)?;
        let m = self.active_member(scope, member_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_office.begin").await?;
        let ctx = "joint_office.sign_letter";
        let mut taken = Sql::new("SELECT id FROM joint_letters WHERE member_id = ");
        taken.arg(member_id).push(" AND year = ").arg(l.year);
        if taken
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
            .is_some()
        {
            return Err(StoreError::Conflict {
                what: "responsibility letter",
                detail: format!("{} signed its letter for {} already", m.name, l.year),
            });
        }
        let mut sql = Sql::new(
            "INSERT INTO joint_letters (member_id, year, signed_at, signer, duties, created_by, \
             created_at) VALUES (",
        );
        sql.arg(member_id)
            .push(", ")
            .arg(l.year)
            .push(", ")
            .arg(l.signed_at)
            .push(", ")
            .args([signer.as_str(), &duties, &l.by])
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        audit(
            &mut tx,
            &l.by,
            "joint_letter_signed",
            ("joint_member", member_id),
            &m.unit_code,
            serde_json::json!({ "year": l.year, "signer": signer }),
        )
        .await?;
        commit(tx).await?;
        Ok(id)
    }

    /// The letters of `member` (read inside the reader's scope), newest year first.
    pub async fn letters(&self, member: &JointMember) -> StoreResult<Vec<Letter>> {
        let mut sql = Sql::new(
            "SELECT id, member_id, year, signed_at, signer, duties, created_by FROM \
             joint_letters WHERE member_id = ",
        );
        sql.arg(member.id).push(" ORDER BY year DESC");
        sql.fetch_decoded(self.store.pool(), "joint_office.letters", letter_from_row)
            .await
    }

    /// The letters signed for `year` by members of units inside `scope`, by member id.
    pub async fn letters_of_year(
        &self,
        scope: &Scope,
        year: i64,
    ) -> StoreResult<HashMap<i64, Letter>> {
        let mut sql = Sql::new(
            "SELECT l.id, l.member_id, l.year, l.signed_at, l.signer, l.duties, l.created_by \
             FROM joint_letters l JOIN joint_members m ON m.id = l.member_id WHERE l.year = ",
        );
        sql.arg(year).push(" AND ");
        scope.push_condition(&mut sql, "m.unit_code");
        let letters = sql
            .fetch_decoded(
                self.store.pool(),
                "joint_office.letters_of_year",
                letter_from_row,
            )
            .await?;
        Ok(letters.into_iter().map(|l| (l.member_id, l)).collect())
    }

    /// Records a meeting of the joint office of `m.unit_code` (inside `scope`), the members
    /// present being active members of that unit; audited as `joint_meeting_recorded`.
    pub async fn record_meeting(
        &self,
        scope: &Scope,
        m: &NewMeeting,
        now: i64,
    ) -> StoreResult<i64> {
        let title = bounded_text("title", &m.title, MAX_JOINT_NAME, true)?;
        let chair = bounded_text("chair", &m.chair, MAX_JOINT_NAME, false)?;
        let summary = bounded_text("summary", &m.summary, MAX_JOINT_TEXT, false)?;
        not_in_future("held_at", m.held_at, now)?;
        self.store.units().in_scope(scope, &m.unit_code).await?;
        let mut attendees = m.attendees.clone();
        attendees.sort_unstable();
        attendees.dedup();
        for &a in &attendees {
            let member = self.active_member(scope, a).await?;
            if member.unit_code != m.unit_code {
                return Err(StoreError::invalid(
                    "attendees",
                    format!("{} is a member of another joint office", member.name),
                ));
            }
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_office.begin").await?;
        let ctx = "joint_office.record_meeting";
        let mut sql = Sql::new(
            "INSERT INTO joint_meetings (unit_code, kind, title, held_at, chair, summary, \
             created_by, created_at) VALUES (",
        );
        sql.args([m.unit_code.as_str(), m.kind.as_str(), &title])
            .push(", ")
            .arg(m.held_at)
            .push(", ")
            .args([chair.as_str(), &summary, &m.by])
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        for &a in &attendees {
            let mut sql =
                Sql::new("INSERT INTO joint_meeting_members (meeting_id, member_id) VALUES (");
            sql.arg(id).push(", ").arg(a).push(")");
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query(ctx))?;
        }
        audit(
            &mut tx,
            &m.by,
            "joint_meeting_recorded",
            ("joint_meeting", id),
            &m.unit_code,
            serde_json::json!({
                "kind": m.kind.as_str(),
                "title": title,
                "attendees": attendees.len(),
            }),
        )
        .await?;
        commit(tx).await?;
        Ok(id)
    }

    /// One meeting of a unit inside `scope`, with the members present.
    pub async fn meeting(&self, scope: &Scope, id: i64) -> StoreResult<Meeting> {
        let mut sql = Sql::new(format!(
            "SELECT {MEETING_COLUMNS} FROM joint_meetings g WHERE g.id = "
        ));
        sql.arg(id);
        let mut meetings = self.meetings_where(scope, sql).await?;
        meetings.pop().ok_or_else(|| StoreError::NotFound {
            what: "joint meeting",
            key: id.to_string(),
        })
    }

    /// The meetings of units inside `scope` held in `[from, to)`, newest first.
    pub async fn meetings(&self, scope: &Scope, from: i64, to: i64) -> StoreResult<Vec<Meeting>> {
        let mut sql = Sql::new(format!(
            "SELECT {MEETING_COLUMNS} FROM joint_meetings g WHERE g.held_at >= "
        ));
        sql.arg(from).push(" AND g.held_at < ").arg(to);
        self.meetings_where(scope, sql).await
    }

    /// The meetings `sql` (a `SELECT … FROM joint_meetings g WHERE …` so far) selects inside
    /// `scope`, newest first, each with its attendees (read in a second query).
    async fn meetings_where(&self, scope: &Scope, mut sql: Sql<'_>) -> StoreResult<Vec<Meeting>> {
        let ctx = "joint_office.meetings";
        sql.push(" AND ");
        scope.push_condition(&mut sql, "g.unit_code");
        sql.push(" ORDER BY g.held_at DESC, g.id DESC");
        let mut meetings = sql
            .fetch_decoded(self.store.pool(), ctx, meeting_from_row)
            .await?;
        if meetings.is_empty() {
            return Ok(meetings);
        }
        let mut present = Sql::new(
            "SELECT meeting_id, member_id FROM joint_meeting_members WHERE meeting_id IN (",
        );
        for (k, m) in meetings.iter().enumerate() {
            if k > 0 {
                present.push(", ");
            }
            present.arg(m.id);
        }
        present.push(") ORDER BY member_id");
        let rows = present
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut by_meeting: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in &rows {
            let meeting: i64 = col(r, "meeting_id").map_err(StoreError::query(ctx))?;
            let member: i64 = col(r, "member_id").map_err(StoreError::query(ctx))?;
            by_meeting.entry(meeting).or_default().push(member);
        }
        for m in &mut meetings {
            m.attendees = by_meeting.remove(&m.id).unwrap_or_default();
        }
        Ok(meetings)
    }

    /// Records a spot check of member `member_id`'s staff (active, inside `scope`); audited as
    /// `joint_spot_check_recorded`.
    pub async fn record_spot_check(
        &self,
        scope: &Scope,
        member_id: i64,
        c: &NewSpotCheck,
        now: i64,
    ) -> StoreResult<i64> {
        let note = bounded_text("note", &c.note, MAX_JOINT_TEXT, false)?;
        if !(1..=MAX_JOINT_STAFF).contains(&c.checked) {
            return Err(StoreError::invalid(
                "checked",
                format!("between 1 and {MAX_JOINT_STAFF}"),
            ));
        }
        if !(0..=c.checked).contains(&c.registered) {
            return Err(StoreError::invalid(
                "registered",
                "between 0 and the staff checked",
            ));
        }
        not_in_future("checked_at", c.checked_at, now)?;
        let m = self.active_member(scope, member_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("joint_office.begin").await?;
        let ctx = "joint_office.record_spot_check";
        let mut sql = Sql::new(
            "INSERT INTO joint_spot_checks (unit_code, member_id, checked_at, checked, \
             registered, note, created_by, created_at) VALUES (",
        );
        sql.arg(m.unit_code.as_str())
            .push(", ")
            .arg(member_id)
            .push(", ")
            .arg(c.checked_at)
            .push(", ")
            .arg(c.checked)
            .push(", ")
            .arg(c.registered)
            .push(", ")
            .args([note.as_str(), &c.by])
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
        audit(
            &mut tx,
            &c.by,
            "joint_spot_check_recorded",
            ("joint_member", member_id),
            &m.unit_code,
            serde_json::json!({ "checked": c.checked, "registered": c.registered }),
        )
        .await?;
        commit(tx).await?;
        Ok(id)
    }

    /// The spot checks of members of units inside `scope` (of member `member` alone when
    /// given) made in `[from, to)`, newest first.
    pub async fn spot_checks(
        &self,
        scope: &Scope,
        member: Option<i64>,
        (from, to): (i64, i64),
    ) -> StoreResult<Vec<SpotCheck>> {
        let mut sql = Sql::new(
            "SELECT c.id, c.member_id, c.checked_at, c.checked, c.registered, c.note, \
             c.created_by FROM joint_spot_checks c WHERE c.checked_at >= ",
        );
        sql.arg(from)
            .push(" AND c.checked_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        if let Some(m) = member {
            sql.push(" AND c.member_id = ").arg(m);
        }
        sql.push(" ORDER BY c.checked_at DESC, c.id DESC");
        sql.fetch_decoded(
            self.store.pool(),
            "joint_office.spot_checks",
            check_from_row,
        )
        .await
    }

    /// The latest spot check of every member of units inside `scope`, by member id.
    pub async fn latest_spot_checks(&self, scope: &Scope) -> StoreResult<HashMap<i64, SpotCheck>> {
        let mut sql = Sql::new(
            "SELECT c.id, c.member_id, c.checked_at, c.checked, c.registered, c.note, \
             c.created_by FROM joint_spot_checks c WHERE NOT EXISTS (SELECT 1 FROM \
             joint_spot_checks d WHERE d.member_id = c.member_id AND (d.checked_at > \
             c.checked_at OR (d.checked_at = c.checked_at AND d.id > c.id))) AND ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        let checks = sql
            .fetch_decoded(
                self.store.pool(),
                "joint_office.latest_spot_checks",
                check_from_row,
            )
            .await?;
        Ok(checks.into_iter().map(|c| (c.member_id, c)).collect())
    }

    pub(crate) async fn active_member(&self, scope: &Scope, id: i64) -> StoreResult<JointMember> {
        let m = self.member(scope, id).await?;
        if m.active() {
            Ok(m)
        } else {
            Err(StoreError::Conflict {
                what: "joint office member",
                detail: format!("{} has left the joint meeting", m.name),
            })
        }
    }
}

const MEETING_COLUMNS: &str =
    "g.id, g.unit_code, g.kind, g.title, g.held_at, g.chair, g.summary, g.created_by";

fn meeting_from_row(r: &AnyRow) -> Result<Meeting, sqlx::Error> {
    Ok(Meeting {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        kind: parse_code(r, "kind", MeetingKind::parse)?,
        title: col(r, "title")?,
        held_at: col(r, "held_at")?,
        chair: col(r, "chair")?,
        summary: col(r, "summary")?,
        attendees: Vec::new(),
        created_by: col(r, "created_by")?,
    })
}

/// Appends the audit entry of a joint-office write to its transaction.
pub(crate) async fn audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &str,
    action: &str,
    (target_type, id): (&str, i64),
    unit_code: &str,
    detail: serde_json::Value,
) -> StoreResult<()> {
    append_on(
        tx,
        &NewAuditEntry {
            actor: actor.to_string(),
            action: action.into(),
            target_type: target_type.into(),
            target_id: Some(id.to_string()),
            unit_code: Some(unit_code.to_string()),
            detail,
        },
    )
    .await
    .map(|_| ())
}

pub(crate) async fn commit(tx: sqlx::Transaction<'_, sqlx::Any>) -> StoreResult<()> {
    tx.commit()
        .await
        .map_err(StoreError::query("joint_office.commit"))
}
