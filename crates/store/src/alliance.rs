//! 企业反诈联盟 (the enterprise anti-fraud alliance): the enterprises of an area that joined the
//! police's alliance, each with the station responsible for it, its anti-fraud contact, its
//! staff and finance staff; and, for a period, what the platform knows of each by its name —
//! staff on record and registered on the national app, staff defrauded (finance staff apart),
//! awareness events held there.
//!
//! A member is read by those whose area holds its unit; joining, changing and leaving are
//! audited in the change's transaction, and a change names the version it read. The figures
//! count the people, cases and events of the reader's area only.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::versioned::{self, VersionedChange};
use fanzha_core::credit_code::CreditCode;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The longest enterprise or contact name kept (characters).
pub const MAX_MEMBER_NAME: usize = 100;
/// The longest note or reason kept (characters).
pub const MAX_MEMBER_TEXT: usize = 500;
/// The most staff a member may declare.
pub const MAX_MEMBER_STAFF: i64 = 1_000_000;

/// An enterprise joining.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMember {
    /// The station (or other unit) responsible, inside the recorder's scope.
    pub unit_code: String,
    /// The enterprise's name as its staff state it (the people table's employer).
    pub name: String,
    /// GB 32100 unified social credit code (checked, stored normalised).
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub staff: i64,
    pub finance_staff: i64,
    /// When it joined; not in the future.
    pub joined_at: i64,
    pub note: String,
    pub by: String,
}

/// What a change of a member sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberUpdate {
    pub contact_name: String,
    pub contact_phone: String,
    pub staff: i64,
    pub finance_staff: i64,
    pub note: String,
    /// The [`Member::version`] the change was made from.
    pub version: i64,
    pub by: String,
}

/// A stored member, in full (mask the contact's phone in lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub id: i64,
    pub unit_code: String,
    pub name: String,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub staff: i64,
    pub finance_staff: i64,
    pub joined_at: i64,
    pub left_at: Option<i64>,
    pub left_reason: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

impl Member {
    pub fn active(&self) -> bool {
        self.left_at.is_none()
    }
}

/// What the platform knows of a member for a period, in the reader's area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemberFigures {
    /// Residents whose employer is the member.
    pub known_staff: i64,
    /// Of them, registered on the national anti-fraud app.
    pub registered: i64,
    /// Cases reported in the period whose victim works there (the case's employer, else the
    /// victim's on record), and their loss.
    pub victims: i64,
    pub loss_fen: i64,
    /// Of them, victims working in finance or accounting (财务人员).
    pub finance_victims: i64,
    pub finance_loss_fen: i64,
    /// Awareness events held in the period for enterprises at a place naming the member.
    pub events: i64,
    pub people_reached: i64,
    /// The latest such event (ever, not only in the period).
    pub last_event_at: Option<i64>,
}

/// The alliance of an area for a period, all members together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AllianceTally {
    /// Active members, their declared staff and finance staff.
    pub members: i64,
    pub staff: i64,
    pub finance_staff: i64,
    /// Members' figures for the period (members who left included).
    pub events: i64,
    pub people_reached: i64,
    pub victims: i64,
    pub loss_fen: i64,
    pub finance_victims: i64,
    pub finance_loss_fen: i64,
    /// Active members without an event in the period.
    pub without_events: i64,
}

impl AllianceTally {
    /// Adds member `m` with its figures `f`: an active member counts as a member (with its
    /// staff, and as one without an event when it had none); every member's figures count.
    pub fn add(&mut self, m: &Member, f: &MemberFigures) {
        if m.active() {
            self.members += 1;
            self.staff += m.staff;
            self.finance_staff += m.finance_staff;
            self.without_events += i64::from(f.events == 0);
        }
        self.events += f.events;
        self.people_reached += f.people_reached;
        self.victims += f.victims;
        self.loss_fen += f.loss_fen;
        self.finance_victims += f.finance_victims;
        self.finance_loss_fen += f.finance_loss_fen;
    }
}

const COLUMNS: &str = "m.id, m.unit_code, m.name, m.credit_code, m.contact_name, \
    m.contact_phone, m.staff, m.finance_staff, m.joined_at, m.left_at, m.left_reason, m.note, \
    m.created_by, m.created_at, m.version";

fn from_row(r: &AnyRow) -> Result<Member, sqlx::Error> {
    Ok(Member {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        name: col(r, "name")?,
        credit_code: col(r, "credit_code")?,
        contact_name: col(r, "contact_name")?,
        contact_phone: col(r, "contact_phone")?,
        staff: col(r, "staff")?,
        finance_staff: col(r, "finance_staff")?,
        joined_at: col(r, "joined_at")?,
        left_at: col(r, "left_at")?,
        left_reason: col(r, "left_reason")?,
        note: col(r, "note")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

/// Staff and finance staff within bounds, finance staff not more than staff.
fn staff_ok(staff: i64, finance_staff: i64) -> StoreResult<()> {
    if !(0..=MAX_MEMBER_STAFF).contains(&staff) {
        return Err(StoreError::invalid(
            "staff",
            format!("between 0 and {MAX_MEMBER_STAFF}"),
        ));
    }
    if !(0..=staff).contains(&finance_staff) {
        return Err(StoreError::invalid(
            "finance_staff",
            "between 0 and the staff",
        ));
    }
    Ok(())
}

fn phone_ok(v: &str) -> StoreResult<String> {
    crate::field::phone("contact_phone", v)
}

/// A case of a member's staff (the victim in full: mask it for lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemberCase {
    pub case_id: String,
    pub unit_code: String,
    pub reported_at: i64,
    pub victim_name: Option<String>,
    pub loss_fen: i64,
    /// The victim's occupation code, when known.
    pub occupation: Option<String>,
    /// The employer notice (提示单) issued for it: its number as printed, and whether the
    /// member returned its receipt.
    pub notice: Option<(String, bool)>,
}

/// An awareness event held at a member.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemberEvent {
    pub id: i64,
    pub unit_code: String,
    pub held_on: i64,
    pub kind: String,
    pub place: String,
    pub people_reached: i64,
    pub app_registrations: i64,
}

/// Staff defrauded: the case's employer, else the victim's on record, is the member's name.
const CASES_OF_MEMBERS: &str = "FROM cases c LEFT JOIN people p ON p.resident_id = c.resident_id \
    JOIN alliance_members m ON m.name = COALESCE(NULLIF(c.employer, ''), p.employer)";

/// Awareness events for enterprises held at the member: recorded as held there, or — recorded
/// without a member — at a place naming it (`%` and `_` in a name are matched literally).
const EVENTS_OF_MEMBERS: &str = "FROM alliance_members m JOIN outreach_events e \
    ON e.audience = 'enterprise' AND (e.alliance_member_id = m.id OR (e.alliance_member_id IS \
    NULL AND e.place LIKE '%' || REPLACE(REPLACE(REPLACE(m.name, '\\', '\\\\'), '%', \
    '\\%'), '_', '\\_') || '%' ESCAPE '\\'))";

/// The alliance repository.
pub struct Alliance<'s> {
    store: &'s Store,
}

impl<'s> Alliance<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Alliance { store }
    }

    /// Records an enterprise joining, responsible unit inside `scope`, at `now`; audited as
    /// `alliance_member_joined`; returns its id. A credit code already of an active member is
    /// a [`StoreError::Conflict`].
    pub async fn join(&self, scope: &Scope, m: &NewMember, now: i64) -> StoreResult<i64> {
        let name = bounded_text("name", &m.name, MAX_MEMBER_NAME, true)?;
        let credit_code = CreditCode::parse_normalised(&m.credit_code)
            .map_err(|e| StoreError::invalid("credit_code", e.to_string()))?;
        let contact_name = bounded_text("contact_name", &m.contact_name, MAX_MEMBER_NAME, true)?;
        let contact_phone = phone_ok(&m.contact_phone)?;
        let note = bounded_text("note", &m.note, MAX_MEMBER_TEXT, false)?;
        staff_ok(m.staff, m.finance_staff)?;
        if m.joined_at > now {
            return Err(StoreError::invalid(
                "joined_at",
                "must not be in the future",
            ));
        }
        self.store.units().in_scope(scope, &m.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("alliance.begin").await?;
        let ctx = "alliance.join";
        let mut taken = Sql::new("SELECT m.name FROM alliance_members m WHERE m.credit_code = ");
        taken
            .arg(credit_code.as_str())
            .push(" AND m.left_at IS NULL");
        if let Some(row) = taken
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(ctx))?
        {
            let holder: String = col(&row, "name").map_err(StoreError::query(ctx))?;
            return Err(StoreError::Conflict {
                what: "alliance member",
                detail: format!("{} is a member already (as {holder})", credit_code.as_str()),
            });
        }
        let mut sql = Sql::new(
            "INSERT INTO alliance_members (unit_code, name, credit_code, contact_name, \
             contact_phone, staff, finance_staff, joined_at, note, created_by, created_at) \
             VALUES (",
        );
        sql.args([
            m.unit_code.as_str(),
            &name,
            credit_code.as_str(),
            &contact_name,
            &contact_phone,
        ])
        .push(", ")
        .arg(m.staff)
        .push(", ")
        .arg(m.finance_staff)
        .push(", ")
        .arg(m.joined_at)
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
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: m.by.clone(),
                action: "alliance_member_joined".into(),
                target_type: "alliance_member".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(m.unit_code.clone()),
                detail: serde_json::json!({
                    "name": name,
                    "credit_code": credit_code.as_str(),
                    "staff": m.staff,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("alliance.commit"))?;
        Ok(id)
    }

    /// Changes a member's contact and staff from the version read, audited as
    /// `alliance_member_updated` with the values before.
    pub async fn update(
        &self,
        scope: &Scope,
        id: i64,
        u: &MemberUpdate,
        now: i64,
    ) -> StoreResult<Member> {
        let contact_name = bounded_text("contact_name", &u.contact_name, MAX_MEMBER_NAME, true)?;
        let contact_phone = phone_ok(&u.contact_phone)?;
        let note = bounded_text("note", &u.note, MAX_MEMBER_TEXT, false)?;
        staff_ok(u.staff, u.finance_staff)?;
        let before = self.get(scope, id).await?;
        let mut sql = Sql::new("UPDATE alliance_members SET contact_name = ");
        sql.arg(contact_name.as_str())
            .push(", contact_phone = ")
            .arg(contact_phone.as_str())
            .push(", staff = ")
            .arg(u.staff)
            .push(", finance_staff = ")
            .arg(u.finance_staff)
            .push(", note = ")
            .arg(note.as_str());
        let detail = serde_json::json!({
            "before": {
                "contact_name": before.contact_name,
                "staff": before.staff,
                "finance_staff": before.finance_staff,
            },
            "staff": u.staff,
            "finance_staff": u.finance_staff,
        });
        self.change(
            &before,
            sql,
            u.version,
            &u.by,
            now,
            ("alliance_member_updated", detail),
        )
        .await?;
        self.get(scope, id).await
    }

    /// Records a member leaving the alliance (why, required) from the version read; audited as
    /// `alliance_member_left`. The member is kept, its credit code free to join again.
    pub async fn leave(
        &self,
        scope: &Scope,
        id: i64,
        reason: &str,
        version: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<Member> {
        let reason = bounded_text("reason", reason, MAX_MEMBER_TEXT, true)?;
        let before = self.get(scope, id).await?;
        if !before.active() {
            return Err(StoreError::Conflict {
                what: "alliance member",
                detail: format!("{} has left already", before.name),
            });
        }
        let mut sql = Sql::new("UPDATE alliance_members SET left_at = ");
        sql.arg(now).push(", left_reason = ").arg(reason.as_str());
        let detail = serde_json::json!({ "reason": reason });
        self.change(
            &before,
            sql,
            version,
            by,
            now,
            ("alliance_member_left", detail),
        )
        .await?;
        self.get(scope, id).await
    }

    /// Ends `update` (an `UPDATE alliance_members SET …` so far) with the bookkeeping columns,
    /// applies it to member `before` at `version` only, with its audit entry, in one
    /// transaction; [`StoreError::Conflict`] when the member moved on.
    async fn change(
        &self,
        before: &Member,
        update: Sql<'_>,
        version: i64,
        by: &str,
        now: i64,
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
                target_type: "alliance_member".into(),
                target_id: Some(before.id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail,
            },
            ctx: "alliance.change",
        };
        versioned::apply(self.store, update, change, || StoreError::Conflict {
            what: "alliance member",
            detail: format!(
                "{} changed since it was read (version {} now, {version} read): reload it",
                before.name, before.version
            ),
        })
        .await
    }

    /// One member of a unit inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Member> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM alliance_members m WHERE m.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "m.unit_code");
        sql.fetch_one_decoded(self.store.pool(), "alliance.get", from_row, || {
            StoreError::NotFound {
                what: "alliance member",
                key: id.to_string(),
            }
        })
        .await
    }

    /// The members of units inside `scope` (those who left too, when `with_left`), by name.
    pub async fn list(&self, scope: &Scope, with_left: bool) -> StoreResult<Vec<Member>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM alliance_members m WHERE "));
        scope.push_condition(&mut sql, "m.unit_code");
        if !with_left {
            sql.push(" AND m.left_at IS NULL");
        }
        sql.push(" ORDER BY m.name, m.id");
        sql.fetch_decoded(self.store.pool(), "alliance.list", from_row)
            .await
    }

    /// The figures of every member of units inside `scope` for `[from, to)`, by member id
    /// (members with nothing known are absent), counting the people, cases and events of
    /// `scope` only. Three aggregate queries whatever the number of members.
    pub async fn figures(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
    ) -> StoreResult<HashMap<i64, MemberFigures>> {
        self.figures_where(scope, from, to, None).await
    }

    /// [`Self::figures`] of member `id` alone (the default when nothing is known).
    pub async fn figures_of(
        &self,
        scope: &Scope,
        id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<MemberFigures> {
        let mut figures = self.figures_where(scope, from, to, Some(id)).await?;
        Ok(figures.remove(&id).unwrap_or_default())
    }

    /// The figures of the members of `scope`, or of member `only`.
    async fn figures_where(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        only: Option<i64>,
    ) -> StoreResult<HashMap<i64, MemberFigures>> {
        let one = |sql: &mut Sql<'_>| {
            if let Some(id) = only {
                sql.push(" AND m.id = ").arg(id);
            }
        };
        let mut out: HashMap<i64, MemberFigures> = HashMap::new();
        let ctx = "alliance.figures";
        let n = |r: &AnyRow, name: &'static str| -> Result<i64, sqlx::Error> {
            Ok(col::<Option<i64>>(r, name)?.unwrap_or(0))
        };
        // Staff on record.
        let mut sql = Sql::new(
            "SELECT m.id, COUNT(*) AS staff, CAST(SUM(p.app_registered) AS BIGINT) AS registered \
             FROM alliance_members m JOIN people p ON p.employer = m.name WHERE ",
        );
        scope.push_condition(&mut sql, "m.unit_code");
        one(&mut sql);
        sql.push(" AND ");
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" GROUP BY m.id");
        for r in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let f = out
                .entry(col(&r, "id").map_err(StoreError::query(ctx))?)
                .or_default();
            f.known_staff = n(&r, "staff").map_err(StoreError::query(ctx))?;
            f.registered = n(&r, "registered").map_err(StoreError::query(ctx))?;
        }
        // Staff defrauded: the case's employer, else the victim's on record.
        let mut sql = Sql::new(format!(
            "SELECT m.id, COUNT(*) AS victims, CAST(SUM(c.loss_fen) AS BIGINT) AS loss, \
             CAST(SUM(CASE WHEN c.occupation IN ('finance', 'accountant') THEN 1 ELSE 0 END) \
             AS BIGINT) AS finance_victims, \
             CAST(SUM(CASE WHEN c.occupation IN ('finance', 'accountant') THEN c.loss_fen \
             ELSE 0 END) AS BIGINT) AS finance_loss \
             {CASES_OF_MEMBERS} WHERE c.reported_at >= ",
        ));
        sql.arg(from)
            .push(" AND c.reported_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "m.unit_code");
        one(&mut sql);
        sql.push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" GROUP BY m.id");
        for r in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let f = out
                .entry(col(&r, "id").map_err(StoreError::query(ctx))?)
                .or_default();
            f.victims = n(&r, "victims").map_err(StoreError::query(ctx))?;
            f.loss_fen = n(&r, "loss").map_err(StoreError::query(ctx))?;
            f.finance_victims = n(&r, "finance_victims").map_err(StoreError::query(ctx))?;
            f.finance_loss_fen = n(&r, "finance_loss").map_err(StoreError::query(ctx))?;
        }
        // Awareness events for enterprises held at the member (see EVENTS_OF_MEMBERS).
        let mut sql = Sql::new(
            "SELECT m.id, \
             CAST(SUM(CASE WHEN e.held_on >= ",
        );
        sql.arg(from)
            .push(" AND e.held_on < ")
            .arg(to)
            .push(
                " THEN 1 ELSE 0 END) AS BIGINT) AS events, \
                 CAST(SUM(CASE WHEN e.held_on >= ",
            )
            .arg(from)
            .push(" AND e.held_on < ")
            .arg(to)
            .push(
                " THEN e.people_reached ELSE 0 END) AS BIGINT) AS reached, \
                 MAX(e.held_on) AS last_event ",
            )
            .push(EVENTS_OF_MEMBERS)
            .push(" WHERE ");
        scope.push_condition(&mut sql, "m.unit_code");
        one(&mut sql);
        sql.push(" AND ");
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" GROUP BY m.id");
        for r in sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let f = out
                .entry(col(&r, "id").map_err(StoreError::query(ctx))?)
                .or_default();
            f.events = n(&r, "events").map_err(StoreError::query(ctx))?;
            f.people_reached = n(&r, "reached").map_err(StoreError::query(ctx))?;
            f.last_event_at = col(&r, "last_event").map_err(StoreError::query(ctx))?;
        }
        Ok(out)
    }

    /// The cases reported in `[from, to)` of member `id`'s staff, of `scope`, latest first (at
    /// most 500).
    pub async fn cases(
        &self,
        scope: &Scope,
        id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<MemberCase>> {
        self.get(scope, id).await?;
        let mut sql = Sql::new(format!(
            "SELECT c.id, c.unit_code, c.reported_at, c.victim_name, c.loss_fen, c.occupation, \
             n.notice_year, n.notice_seq, n.receipt_at {CASES_OF_MEMBERS} LEFT JOIN \
             employer_notices n ON n.case_id = c.id WHERE m.id = "
        ));
        sql.arg(id)
            .push(" AND c.reported_at >= ")
            .arg(from)
            .push(" AND c.reported_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" ORDER BY c.reported_at DESC, c.id LIMIT 500");
        let ctx = "alliance.cases";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        rows.iter()
            .map(|r| {
                Ok(MemberCase {
                    case_id: col(r, "id")?,
                    unit_code: col(r, "unit_code")?,
                    reported_at: col(r, "reported_at")?,
                    victim_name: col(r, "victim_name")?,
                    loss_fen: col(r, "loss_fen")?,
                    occupation: col(r, "occupation")?,
                    notice: match (
                        col::<Option<i64>>(r, "notice_year")?,
                        col::<Option<i64>>(r, "notice_seq")?,
                    ) {
                        (Some(year), Some(seq)) => Some((
                            crate::employer_notices::notice_number(year, seq),
                            col::<Option<i64>>(r, "receipt_at")?.is_some(),
                        )),
                        _ => None,
                    },
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(ctx))
    }

    /// The awareness events held in `[from, to)` at member `id`, of `scope`, latest first (at
    /// most 500).
    pub async fn events(
        &self,
        scope: &Scope,
        id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<MemberEvent>> {
        self.get(scope, id).await?;
        let mut sql = Sql::new(
            "SELECT e.id, e.unit_code, e.held_on, e.kind, e.place, e.people_reached, \
             e.app_registrations ",
        );
        sql.push(EVENTS_OF_MEMBERS)
            .push(" WHERE m.id = ")
            .arg(id)
            .push(" AND e.held_on >= ")
            .arg(from)
            .push(" AND e.held_on < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "e.unit_code");
        sql.push(" ORDER BY e.held_on DESC, e.id DESC LIMIT 500");
        let ctx = "alliance.events";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        rows.iter()
            .map(|r| {
                Ok(MemberEvent {
                    id: col(r, "id")?,
                    unit_code: col(r, "unit_code")?,
                    held_on: col(r, "held_on")?,
                    kind: col(r, "kind")?,
                    place: col(r, "place")?,
                    people_reached: col(r, "people_reached")?,
                    app_registrations: col(r, "app_registrations")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(ctx))
    }

    /// The members of `scope` and their figures for `[from, to)`, added up.
    pub async fn tally(&self, scope: &Scope, from: i64, to: i64) -> StoreResult<AllianceTally> {
        let figures = self.figures(scope, from, to).await?;
        let mut t = AllianceTally::default();
        for m in self.list(scope, true).await? {
            t.add(&m, &figures.get(&m.id).copied().unwrap_or_default());
        }
        Ok(t)
    }
}
