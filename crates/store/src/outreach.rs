//! Awareness talks and campaigns (反诈宣传): who held which talk where, how many people it
//! reached and how many installed the national anti-fraud app on the spot; and each unit's
//! yearly target (任务指标), set by the unit above.
//!
//! A record belongs to the unit where it happened and is read by that unit's subtree; it holds
//! no personal data. Recording and setting a target write an audit entry in the same
//! transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::decode_err;
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// What kind of outreach it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachKind {
    /// 宣讲 (a talk).
    Lecture,
    /// 入户走访 (door to door).
    DoorToDoor,
    /// 集中宣传 (a street stand, a market day).
    Street,
    /// 线上直播 (a live stream).
    Online,
    /// 其他.
    Other,
}

impl OutreachKind {
    pub const ALL: [OutreachKind; 5] = [
        OutreachKind::Lecture,
        OutreachKind::DoorToDoor,
        OutreachKind::Street,
        OutreachKind::Online,
        OutreachKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutreachKind::Lecture => "lecture",
            OutreachKind::DoorToDoor => "door_to_door",
            OutreachKind::Street => "street",
            OutreachKind::Online => "online",
            OutreachKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<OutreachKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether people met the police or grid workers in person (面对面宣防), as the bureaus
    /// count it: talks, door-to-door rounds and street stands, not live streams.
    pub fn face_to_face(self) -> bool {
        matches!(
            self,
            OutreachKind::Lecture | OutreachKind::DoorToDoor | OutreachKind::Street
        )
    }

    pub fn zh(self) -> &'static str {
        match self {
            OutreachKind::Lecture => "宣讲",
            OutreachKind::DoorToDoor => "入户走访",
            OutreachKind::Street => "集中宣传",
            OutreachKind::Online => "线上直播",
            OutreachKind::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OutreachKind::Lecture => "Talk",
            OutreachKind::DoorToDoor => "Door to door",
            OutreachKind::Street => "Street campaign",
            OutreachKind::Online => "Live stream",
            OutreachKind::Other => "Other",
        }
    }
}

/// Who the outreach was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachAudience {
    /// 学校 (pupils, students, parents).
    School,
    /// 企业.
    Enterprise,
    /// 村社区 (village or neighbourhood residents).
    Community,
    /// 老年群体.
    Elderly,
    /// 财政供养单位 (public-sector staff).
    PublicSector,
    /// 其他.
    Other,
}

impl OutreachAudience {
    pub const ALL: [OutreachAudience; 6] = [
        OutreachAudience::School,
        OutreachAudience::Enterprise,
        OutreachAudience::Community,
        OutreachAudience::Elderly,
        OutreachAudience::PublicSector,
        OutreachAudience::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutreachAudience::School => "school",
            OutreachAudience::Enterprise => "enterprise",
            OutreachAudience::Community => "community",
            OutreachAudience::Elderly => "elderly",
            OutreachAudience::PublicSector => "public_sector",
            OutreachAudience::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<OutreachAudience> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            OutreachAudience::School => "学校",
            OutreachAudience::Enterprise => "企业",
            OutreachAudience::Community => "村社区",
            OutreachAudience::Elderly => "老年群体",
            OutreachAudience::PublicSector => "财政供养单位",
            OutreachAudience::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OutreachAudience::School => "School",
            OutreachAudience::Enterprise => "Enterprise",
            OutreachAudience::Community => "Village / community",
            OutreachAudience::Elderly => "Elderly people",
            OutreachAudience::PublicSector => "Public-sector staff",
            OutreachAudience::Other => "Other",
        }
    }
}

/// The longest place kept (characters).
pub const MAX_PLACE_CHARS: usize = 200;
/// The longest note kept (characters).
pub const MAX_NOTE_CHARS: usize = 1000;
/// The most people one record may count (a provincial live stream stays below it).
pub const MAX_COUNT: i64 = 10_000_000;

/// A talk or campaign to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOutreach {
    /// Where it happened; must lie inside the recorder's scope.
    pub unit_code: String,
    /// The first instant of the day it was held (Asia/Shanghai), epoch ms UTC.
    pub held_on: i64,
    pub kind: OutreachKind,
    pub audience: OutreachAudience,
    /// Where (required, trimmed).
    pub place: String,
    pub people_reached: i64,
    /// National anti-fraud app installs on the spot.
    pub app_registrations: i64,
    /// Leaflets, brochures and proposals handed out (发放宣传资料, 份).
    pub materials: i64,
    /// People who asked questions (接受群众咨询, 人次).
    pub consultations: i64,
    pub note: String,
    /// Login of the recorder.
    pub created_by: String,
    /// The 企业反诈联盟 member it was held at (an event for enterprises only; active, of the
    /// recorder's area).
    pub alliance_member: Option<i64>,
}

/// A stored record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OutreachEvent {
    pub id: i64,
    pub unit_code: String,
    pub held_on: i64,
    pub kind: OutreachKind,
    pub audience: OutreachAudience,
    pub place: String,
    pub people_reached: i64,
    pub app_registrations: i64,
    pub materials: i64,
    pub consultations: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Which records to list or total (the unit is the scope).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutreachFilter {
    /// Held on or after this instant.
    pub from: Option<i64>,
    /// Held before this instant.
    pub until: Option<i64>,
    pub kind: Option<OutreachKind>,
}

/// Sums over a scope and period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutreachTotals {
    pub events: i64,
    pub people_reached: i64,
    pub app_registrations: i64,
    /// Events held face to face (talks, door to door, street stands: 面对面宣防).
    pub face_to_face_events: i64,
    /// People those events reached.
    pub face_to_face_people: i64,
    pub materials: i64,
    pub consultations: i64,
}

/// A unit's target for a year.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OutreachQuota {
    pub unit_code: String,
    pub year: i64,
    pub events: i64,
    pub people: i64,
    pub set_by: String,
    pub set_at: i64,
}

const COLUMNS: &str = "o.id, o.unit_code, o.held_on, o.kind, o.audience, o.place, \
     o.people_reached, o.app_registrations, o.materials, o.consultations, o.note, o.created_by, \
     o.created_at";

fn from_row(row: &AnyRow) -> Result<OutreachEvent, sqlx::Error> {
    let kind: String = col(row, "kind")?;
    let audience: String = col(row, "audience")?;
    Ok(OutreachEvent {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        held_on: col(row, "held_on")?,
        kind: OutreachKind::parse(&kind)
            .ok_or_else(|| decode_err("kind", format!("unknown kind `{kind}`")))?,
        audience: OutreachAudience::parse(&audience)
            .ok_or_else(|| decode_err("audience", format!("unknown audience `{audience}`")))?,
        place: col(row, "place")?,
        people_reached: col(row, "people_reached")?,
        app_registrations: col(row, "app_registrations")?,
        materials: col(row, "materials")?,
        consultations: col(row, "consultations")?,
        note: col(row, "note")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
    })
}

fn push_filter(sql: &mut Sql<'_>, f: &OutreachFilter) {
    if let Some(from) = f.from {
        sql.push(" AND o.held_on >= ").arg(from);
    }
    if let Some(until) = f.until {
        sql.push(" AND o.held_on < ").arg(until);
    }
    if let Some(k) = f.kind {
        sql.push(" AND o.kind = ").arg(k.as_str());
    }
}

fn count_ok(field: &'static str, n: i64) -> StoreResult<()> {
    if n < 0 {
        return Err(StoreError::invalid(field, "must not be negative"));
    }
    if n > MAX_COUNT {
        return Err(StoreError::invalid(
            field,
            format!("must be at most {MAX_COUNT}"),
        ));
    }
    Ok(())
}

/// Checks a record at `now`, returning it with its text trimmed.
fn validated(new: &NewOutreach, now: i64) -> StoreResult<NewOutreach> {
    count_ok("people_reached", new.people_reached)?;
    count_ok("app_registrations", new.app_registrations)?;
    count_ok("materials", new.materials)?;
    count_ok("consultations", new.consultations)?;
    if new.held_on > now {
        return Err(StoreError::invalid("held_on", "must not be in the future"));
    }
    let place = new.place.trim();
    if place.is_empty() {
        return Err(StoreError::invalid("place", "say where it was held"));
    }
    if place.chars().count() > MAX_PLACE_CHARS {
        return Err(StoreError::invalid(
            "place",
            format!("at most {MAX_PLACE_CHARS} characters"),
        ));
    }
    let note = new.note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(StoreError::invalid(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(NewOutreach {
        place: place.to_string(),
        note: note.to_string(),
        ..new.clone()
    })
}

/// The outreach repository.
pub struct Outreach<'s> {
    store: &'s Store,
}

impl<'s> Outreach<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Outreach { store }
    }

    /// The unit `code` when it lies inside `scope`; [`StoreError::NotFound`] otherwise.
    async fn unit_in(&self, scope: &Scope, code: &str) -> StoreResult<crate::units::Unit> {
        self.store.units().in_scope(scope, code).await
    }

    /// Records a talk or campaign at `now` (counts ≥ 0, not in the future, a place), with its
    /// audit entry; returns its id. [`StoreError::NotFound`] when the unit lies outside `scope`.
    pub async fn record(&self, scope: &Scope, new: &NewOutreach, now: i64) -> StoreResult<i64> {
        let new = validated(new, now)?;
        self.unit_in(scope, &new.unit_code).await?;
        if let Some(member) = new.alliance_member {
            if new.audience != OutreachAudience::Enterprise {
                return Err(StoreError::invalid(
                    "alliance_member",
                    "only an event for enterprises is held at an alliance member",
                ));
            }
            let m = self.store.alliance().get(scope, member).await?;
            if !m.active() {
                return Err(StoreError::Conflict {
                    what: "alliance member",
                    detail: format!("{} has left the alliance", m.name),
                });
            }
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO outreach_events (unit_code, held_on, kind, audience, place, \
             people_reached, app_registrations, materials, consultations, note, created_by, \
             created_at, alliance_member_id) VALUES (",
        );
        sql.arg(new.unit_code.as_str())
            .push(", ")
            .arg(new.held_on)
            .push(", ")
            .arg(new.kind.as_str())
            .push(", ")
            .arg(new.audience.as_str())
            .push(", ")
            .arg(new.place.as_str())
            .push(", ")
            .arg(new.people_reached)
            .push(", ")
            .arg(new.app_registrations)
            .push(", ")
            .arg(new.materials)
            .push(", ")
            .arg(new.consultations)
            .push(", ")
            .arg(new.note.as_str())
            .push(", ")
            .arg(new.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(", ")
            .arg(new.alliance_member)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("outreach.record"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("outreach.record"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.created_by.clone(),
                action: "outreach_recorded".into(),
                target_type: "outreach".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(new.unit_code.clone()),
                detail: serde_json::json!({
                    "kind": new.kind.as_str(),
                    "people_reached": new.people_reached,
                    "app_registrations": new.app_registrations,
                    "materials": new.materials,
                    "consultations": new.consultations,
                    "alliance_member": new.alliance_member,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach.commit"))?;
        Ok(id)
    }

    /// Records inside `scope` matching `filter`, the latest day first (then the newest record);
    /// the page key is `"<held_on>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &OutreachFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<OutreachEvent>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM outreach_events o WHERE "));
        scope.push_condition(&mut sql, "o.unit_code");
        push_filter(&mut sql, filter);
        push_newest_first(&mut sql, page.after.as_deref(), "o.held_on", "o.id", limit)?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("outreach.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("outreach.list"))?;
        Ok(Page::from_overfetch(items, limit, |o| {
            format!("{}/{}", o.held_on, o.id)
        }))
    }

    /// How many records [`Outreach::list`] would give in all.
    pub async fn count(&self, scope: &Scope, filter: &OutreachFilter) -> StoreResult<i64> {
        Ok(self.totals(scope, filter).await?.events)
    }

    /// Events, people reached and app installs inside `scope` matching `filter`.
    pub async fn totals(
        &self,
        scope: &Scope,
        filter: &OutreachFilter,
    ) -> StoreResult<OutreachTotals> {
        let sum =
            |expr: &str, name: &str| format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT) AS {name}");
        let in_person = OutreachKind::ALL
            .iter()
            .filter(|k| k.face_to_face())
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) AS events, {}, {}, {}, {}, {}, {} FROM outreach_events o WHERE ",
            sum("o.people_reached", "people"),
            sum("o.app_registrations", "apps"),
            sum("o.materials", "materials"),
            sum("o.consultations", "consultations"),
            sum(
                &format!("CASE WHEN o.kind IN ({in_person}) THEN 1 ELSE 0 END"),
                "f2f_events"
            ),
            sum(
                &format!("CASE WHEN o.kind IN ({in_person}) THEN o.people_reached ELSE 0 END"),
                "f2f_people"
            ),
        ));
        scope.push_condition(&mut sql, "o.unit_code");
        push_filter(&mut sql, filter);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("outreach.totals"))?;
        let n = |name: &'static str| -> StoreResult<i64> {
            col(&row, name).map_err(StoreError::query("outreach.totals"))
        };
        Ok(OutreachTotals {
            events: n("events")?,
            people_reached: n("people")?,
            app_registrations: n("apps")?,
            face_to_face_events: n("f2f_events")?,
            face_to_face_people: n("f2f_people")?,
            materials: n("materials")?,
            consultations: n("consultations")?,
        })
    }

    /// Totals for each unit directly below `unit_code` (its whole subtree each), in the order
    /// of [`crate::units::Units::children`]. [`StoreError::NotFound`] when `unit_code` lies
    /// outside `scope`.
    pub async fn totals_below(
        &self,
        scope: &Scope,
        unit_code: &str,
        filter: &OutreachFilter,
    ) -> StoreResult<Vec<(crate::units::Unit, OutreachTotals)>> {
        self.unit_in(scope, unit_code).await?;
        let mut out = Vec::new();
        for child in self.store.units().children(unit_code).await? {
            let sub = self.store.units().scope(&child.code).await?;
            let t = self.totals(&sub, filter).await?;
            out.push((child, t));
        }
        Ok(out)
    }

    /// Sets a unit's target for its year (`set_by` at `set_at`), replacing any earlier one,
    /// with its audit entry. Only units strictly below the top of `scope` take a target from it
    /// (the whole platform may set any); [`StoreError::NotFound`] outside it.
    pub async fn set_quota(&self, scope: &Scope, quota: &OutreachQuota) -> StoreResult<()> {
        let OutreachQuota {
            unit_code,
            year,
            events,
            people,
            set_by: actor,
            set_at: at,
        } = quota;
        let (year, events, people, at) = (*year, *events, *people, *at);
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::invalid("year", "must be between 2000 and 2100"));
        }
        count_ok("events", events)?;
        count_ok("people", people)?;
        let unit = self.unit_in(scope, unit_code).await?;
        if scope.unit_code() == Some(unit.code.as_str()) {
            return Err(StoreError::invalid(
                "unit_code",
                "a unit's target is set by the unit above",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO outreach_quotas (unit_code, year, events, people, set_by, set_at) \
             VALUES (",
        );
        sql.arg(unit.code.as_str())
            .push(", ")
            .arg(year)
            .push(", ")
            .arg(events)
            .push(", ")
            .arg(people)
            .push(", ")
            .arg(actor.as_str())
            .push(", ")
            .arg(at)
            .push(
                ") ON CONFLICT (unit_code, year) DO UPDATE SET events = excluded.events, \
                 people = excluded.people, set_by = excluded.set_by, set_at = excluded.set_at",
            );
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("outreach.set_quota"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.clone(),
                action: "outreach_quota_set".into(),
                target_type: "unit".into(),
                target_id: Some(unit.code.clone()),
                unit_code: Some(unit.code.clone()),
                detail: serde_json::json!({"year": year, "events": events, "people": people}),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach.commit"))?;
        Ok(())
    }

    /// A unit's target for `year`, if one was set; [`StoreError::NotFound`] when the unit lies
    /// outside `scope`.
    pub async fn quota(
        &self,
        scope: &Scope,
        unit_code: &str,
        year: i64,
    ) -> StoreResult<Option<OutreachQuota>> {
        self.unit_in(scope, unit_code).await?;
        let mut sql = Sql::new(
            "SELECT unit_code, year, events, people, set_by, set_at FROM outreach_quotas \
             WHERE unit_code = ",
        );
        sql.arg(unit_code).push(" AND year = ").arg(year);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("outreach.quota"))?;
        row.map(|r| {
            Ok(OutreachQuota {
                unit_code: col(&r, "unit_code")?,
                year: col(&r, "year")?,
                events: col(&r, "events")?,
                people: col(&r, "people")?,
                set_by: col(&r, "set_by")?,
                set_at: col(&r, "set_at")?,
            })
        })
        .transpose()
        .map_err(StoreError::query("outreach.quota"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk() -> NewOutreach {
        NewOutreach {
            unit_code: "330281001".into(),
            held_on: 100,
            kind: OutreachKind::Lecture,
            audience: OutreachAudience::School,
            place: "  阳明小学 ".into(),
            people_reached: 300,
            app_registrations: 40,
            materials: 500,
            consultations: 12,
            note: String::new(),
            created_by: "grid".into(),
            alliance_member: None,
        }
    }

    #[test]
    fn codes_round_trip() {
        for k in OutreachKind::ALL {
            assert_eq!(OutreachKind::parse(k.as_str()), Some(k));
        }
        for a in OutreachAudience::ALL {
            assert_eq!(OutreachAudience::parse(a.as_str()), Some(a));
        }
        assert_eq!(OutreachKind::parse("x"), None);
    }

    #[test]
    fn records_are_checked_and_trimmed() {
        assert_eq!(validated(&talk(), 100).unwrap().place, "阳明小学");
        let future = NewOutreach {
            held_on: 101,
            ..talk()
        };
        assert!(validated(&future, 100).is_err());
        let negative = NewOutreach {
            people_reached: -1,
            ..talk()
        };
        assert!(validated(&negative, 100).is_err());
        let negative_materials = NewOutreach {
            materials: -1,
            ..talk()
        };
        assert!(validated(&negative_materials, 100).is_err());
        let too_many = NewOutreach {
            consultations: MAX_COUNT + 1,
            ..talk()
        };
        assert!(validated(&too_many, 100).is_err());
        let nowhere = NewOutreach {
            place: " ".into(),
            ..talk()
        };
        assert!(validated(&nowhere, 100).is_err());
        let long = NewOutreach {
            note: "x".repeat(MAX_NOTE_CHARS + 1),
            ..talk()
        };
        assert!(validated(&long, 100).is_err());
    }
}
