//! 国家反诈中心APP推广: a unit's drive to get residents onto the national anti-fraud app through
//! the staff of its departments, each owing a quota of relatives and friends (seed 003: "下发了每
//! 人不少于30个的任务指导数"). The drive has a public link where staff — and counters or service
//! windows (柜台、窗口) — enrol as promoters (推广人) and get a personal link; a resident who
//! installed the app through it names their area and mobile number, counted once per drive for
//! the first promoter. What a resident says is a claim: a referral counts as verified when the
//! resident registry holds the number's holder registered on the app (the registry's import,
//! or an outreach visit that installed it). Drives are read by the unit's subtree; opening,
//! changing and ending one are audited.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::quiz_attempts::mobile;
use crate::quiz_campaigns::{
    checked_employers, read_employers, valid_code, write_employers, QuizEmployer, MAX_EMPLOYER,
    MAX_TITLE,
};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::versioned::{self, VersionedChange};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The quota per promoter, at least and at most.
pub const QUOTAS: std::ops::RangeInclusive<i64> = 1..=1_000;
/// Referrals one promoter's link takes in a day (a link typed through by hand shows up here).
pub const REFERRALS_PER_DAY: i64 = 100;
/// The longest promoter name kept (characters): a person, or a counter such as
/// "工商银行余姚支行营业厅".
pub const MAX_PROMOTER_NAME: usize = 50;

/// What a drive's editor may change after it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveText {
    pub title: String,
    /// Residents each promoter is asked to bring (任务指导数).
    pub quota: i64,
    /// The end of the drive (exclusive), epoch ms.
    pub closes_at: i64,
    /// The departments expected to take part, with their staff.
    pub employers: Vec<QuizEmployer>,
}

/// A drive to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDrive {
    pub unit_code: String,
    /// The public link's code: 6 to 32 letters and digits, unique.
    pub code: String,
    pub opens_at: i64,
    pub text: DriveText,
    pub created_by: String,
}

/// A stored drive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AppDrive {
    pub id: i64,
    pub unit_code: String,
    pub code: String,
    pub title: String,
    pub quota: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    /// When it was ended before its time.
    pub closed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
    pub employers: Vec<QuizEmployer>,
}

impl AppDrive {
    /// Whether it takes enrolments and referrals at `now`.
    pub fn is_open(&self, now: i64) -> bool {
        self.closed_at.is_none() && self.opens_at <= now && now < self.closes_at
    }

    /// Its last instant: ended early, or its planned close.
    pub fn ends_at(&self) -> i64 {
        self.closed_at.unwrap_or(self.closes_at).min(self.closes_at)
    }

    /// The staff its departments have, over all of them.
    pub fn headcount(&self) -> i64 {
        self.employers.iter().map(|e| e.headcount).sum()
    }
}

/// Someone enrolling as a promoter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPromoter {
    /// One of the drive's departments; required when it lists any.
    pub employer: Option<String>,
    pub name: String,
    /// A mainland mobile number: one enrolment per number and drive.
    pub phone: String,
    /// The personal link's code (6 to 32 letters and digits) and the own page's token.
    pub code: String,
    pub token: String,
}

/// A promoter of a drive (their name and number are personal data).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Promoter {
    pub id: i64,
    pub drive_id: i64,
    pub code: String,
    pub token: String,
    pub employer: Option<String>,
    pub name: String,
    pub phone: String,
    pub enrolled_at: i64,
}

/// A resident who installed the app through a promoter's link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReferral {
    /// Where they live: the drive's unit or one below it.
    pub unit_code: String,
    pub phone: String,
}

/// A promoter with what they brought.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PromoterProgress {
    pub promoter: Promoter,
    pub referrals: i64,
    /// Referrals whose number's holder the registry has on the app.
    pub verified: i64,
}

/// A drive's (or a department's) figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DriveFigures {
    pub promoters: i64,
    pub referrals: i64,
    pub verified: i64,
    /// Promoters who brought the quota or more.
    pub at_quota: i64,
}

impl DriveFigures {
    fn add(&mut self, referrals: i64, verified: i64, quota: i64) {
        self.promoters += 1;
        self.referrals += referrals;
        self.verified += verified;
        self.at_quota += i64::from(referrals >= quota);
    }
}

/// A department of a drive against its staff.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EmployerPromotion {
    pub name: String,
    pub headcount: i64,
    pub figures: DriveFigures,
    /// Residents the department owes: its staff × the quota.
    pub expected: i64,
}

impl EmployerPromotion {
    /// Referrals over what the department owes, at most 1.
    pub fn progress(&self) -> f64 {
        (self.figures.referrals as f64 / self.expected.max(1) as f64).min(1.0)
    }

    /// Whether every member of staff brought the quota.
    pub fn done(&self) -> bool {
        self.figures.at_quota >= self.headcount
    }
}

/// Referrals of one area (a unit's materialised path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaReferrals {
    pub path: String,
    pub referrals: i64,
    pub verified: i64,
}

/// The figures of a period in an area: promoters who enrolled at the area's drives, and
/// residents of the area brought onto the app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PromotionPeriod {
    pub promoters: i64,
    pub referrals: i64,
    pub verified: i64,
}

const COLUMNS: &str = "d.id, d.unit_code, d.code, d.title, d.quota, d.opens_at, d.closes_at, \
     d.closed_at, d.created_by, d.created_at, d.version";

const PROMOTER_COLUMNS: &str =
    "pr.id, pr.drive_id, pr.code, pr.token, pr.employer, pr.name, pr.phone, pr.enrolled_at";

/// 1 when referral `r`'s number belongs to a resident registered on the app (an expression).
const VERIFIED: &str = "CASE WHEN EXISTS (SELECT 1 FROM people p WHERE p.phone = r.phone \
     AND p.app_registered = 1) THEN 1 ELSE 0 END";

fn from_row(r: &AnyRow) -> Result<AppDrive, sqlx::Error> {
    Ok(AppDrive {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        code: col(r, "code")?,
        title: col(r, "title")?,
        quota: col(r, "quota")?,
        opens_at: col(r, "opens_at")?,
        closes_at: col(r, "closes_at")?,
        closed_at: col(r, "closed_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
        employers: Vec::new(),
    })
}

fn promoter_from_row(r: &AnyRow) -> Result<Promoter, sqlx::Error> {
    Ok(Promoter {
        id: col(r, "id")?,
        drive_id: col(r, "drive_id")?,
        code: col(r, "code")?,
        token: col(r, "token")?,
        employer: col(r, "employer")?,
        name: col(r, "name")?,
        phone: col(r, "phone")?,
        enrolled_at: col(r, "enrolled_at")?,
    })
}

fn checked(t: &DriveText) -> StoreResult<DriveText> {
    if !QUOTAS.contains(&t.quota) {
        return Err(StoreError::invalid(
            "quota",
            "each promoter's quota is 1 to 1,000 residents",
        ));
    }
    Ok(DriveText {
        title: bounded_text("title", &t.title, MAX_TITLE, true)?,
        quota: t.quota,
        closes_at: t.closes_at,
        employers: checked_employers(&t.employers)?,
    })
}

fn not_open(d: &AppDrive) -> StoreError {
    StoreError::Conflict {
        what: "app drive",
        detail: format!("「{}」 is not open", d.title),
    }
}

/// The drive repository: drives, promoters, referrals and their figures.
pub struct AppDrives<'s> {
    store: &'s Store,
}

impl<'s> AppDrives<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        AppDrives { store }
    }

    async fn count(&self, sql: Sql<'_>, ctx: &'static str) -> StoreResult<i64> {
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        col(&row, "n").map_err(StoreError::query(ctx))
    }

    /// Opens drive `d` (audited `app_drive_opened`); returns its id. [`StoreError::NotFound`]
    /// for a unit outside `scope`; [`StoreError::Invalid`] naming the field for a bad title,
    /// quota, period or department list; [`StoreError::Conflict`] for a code in use.
    pub async fn open(&self, scope: &Scope, d: &NewDrive, now: i64) -> StoreResult<i64> {
        valid_code(&d.code)?;
        let text = checked(&d.text)?;
        if text.closes_at <= d.opens_at {
            return Err(StoreError::invalid(
                "closes_at",
                "a drive closes after it opens",
            ));
        }
        self.store.units().in_scope(scope, &d.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut taken = Sql::new("SELECT COUNT(*) AS n FROM app_drives WHERE code = ");
        taken.arg(d.code.as_str());
        if self.count(taken, "app_drives.open").await? > 0 {
            return Err(StoreError::Conflict {
                what: "app drive",
                detail: format!("the link code {} is in use", d.code),
            });
        }
        let mut tx = self.store.begin_write("app_drives.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO app_drives (unit_code, code, title, quota, opens_at, closes_at, \
             created_by, created_at) VALUES (",
        );
        sql.arg(d.unit_code.as_str())
            .push(", ")
            .arg(d.code.as_str())
            .push(", ")
            .arg(text.title.as_str())
            .push(", ")
            .arg(text.quota)
            .push(", ")
            .arg(d.opens_at)
            .push(", ")
            .arg(text.closes_at)
            .push(", ")
            .arg(d.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("app_drives.open"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("app_drives.open"))?;
        write_employers(
            &mut tx,
            "app_drive_employers",
            "drive_id",
            id,
            &text.employers,
        )
        .await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: d.created_by.clone(),
                action: "app_drive_opened".into(),
                target_type: "app_drive".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(d.unit_code.clone()),
                detail: serde_json::json!({
                    "title": text.title,
                    "code": d.code,
                    "quota": text.quota,
                    "employers": text.employers.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("app_drives.commit"))?;
        Ok(id)
    }

    async fn one(&self, sql: Sql<'_>, key: String) -> StoreResult<AppDrive> {
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("app_drives.get"))?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                what: "app drive",
                key,
            });
        };
        let mut d = from_row(&row).map_err(StoreError::query("app_drives.get"))?;
        d.employers = read_employers(self.store, "app_drive_employers", "drive_id", d.id).await?;
        Ok(d)
    }

    /// Drive `id` when it lies inside `scope`, with its departments.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<AppDrive> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM app_drives d WHERE d.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "d.unit_code");
        self.one(sql, id.to_string()).await
    }

    /// The drive of public link `code`, with its departments.
    pub async fn by_code(&self, code: &str) -> StoreResult<AppDrive> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM app_drives d WHERE d.code = "
        ));
        sql.arg(code.trim());
        self.one(sql, code.trim().to_string()).await
    }

    async fn many(&self, sql: Sql<'_>, ctx: &'static str) -> StoreResult<Vec<AppDrive>> {
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(ctx))
    }

    /// The drives of `scope` (without their departments), the latest opened first, at most
    /// `limit`.
    pub async fn list(&self, scope: &Scope, limit: i64) -> StoreResult<Vec<AppDrive>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM app_drives d WHERE "));
        scope.push_condition(&mut sql, "d.unit_code");
        sql.push(" ORDER BY d.opens_at DESC, d.id DESC LIMIT ")
            .arg(limit.clamp(1, 1_000));
        self.many(sql, "app_drives.list").await
    }

    /// The drives open at `now` that concern `unit_code`: its own, those of the units above it
    /// and below it — what an officer there hands out (without their departments).
    pub async fn open_around(&self, unit_code: &str, now: i64) -> StoreResult<Vec<AppDrive>> {
        let unit = self.store.units().get(unit_code).await?;
        let above = crate::quiz_questions::unit_and_above(&unit);
        let below = self.store.units().scope(unit_code).await?;
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM app_drives d WHERE (d.unit_code IN ("
        ));
        sql.args(above.iter().map(String::as_str)).push(") OR ");
        below.push_condition(&mut sql, "d.unit_code");
        sql.push(") AND d.closed_at IS NULL AND d.opens_at <= ")
            .arg(now)
            .push(" AND d.closes_at > ")
            .arg(now)
            .push(" ORDER BY d.opens_at DESC, d.id DESC LIMIT 50");
        self.many(sql, "app_drives.open_around").await
    }

    /// Rewrites drive `id`'s title, quota, close and departments from `version` (audited
    /// `app_drive_updated` with the values before). [`StoreError::Invalid`] for a close before
    /// the opening; [`StoreError::Conflict`] when it changed since it was read.
    pub async fn update(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        t: &DriveText,
        by: &str,
        now: i64,
    ) -> StoreResult<AppDrive> {
        let t = checked(t)?;
        let before = self.get(scope, id).await?;
        if t.closes_at <= before.opens_at {
            return Err(StoreError::invalid(
                "closes_at",
                "a drive closes after it opens",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("app_drives.update").await?;
        let mut update = Sql::new("UPDATE app_drives SET title = ");
        update
            .arg(t.title.as_str())
            .push(", quota = ")
            .arg(t.quota)
            .push(", closes_at = ")
            .arg(t.closes_at)
            .push(", updated_by = ")
            .arg(by)
            .push(", updated_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version);
        let done = update
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("app_drives.update"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "app drive",
                detail: format!("drive {id} changed since version {version}: reload it"),
            });
        }
        write_employers(&mut tx, "app_drive_employers", "drive_id", id, &t.employers).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "app_drive_updated".into(),
                target_type: "app_drive".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail: serde_json::json!({
                    "before": {
                        "title": before.title,
                        "quota": before.quota,
                        "closes_at": before.closes_at,
                        "employers": before.employers,
                    },
                    "employers": t.employers.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("app_drives.commit"))?;
        self.get(scope, id).await
    }

    /// Ends drive `id` now, from `version` (audited `app_drive_closed`): its links stop taking
    /// enrolments and referrals. [`StoreError::Conflict`] when it is closed already or changed.
    pub async fn close(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<AppDrive> {
        let before = self.get(scope, id).await?;
        if before.closed_at.is_some() || before.closes_at <= now {
            return Err(StoreError::Conflict {
                what: "app drive",
                detail: format!("drive {id} is closed already"),
            });
        }
        let mut update = Sql::new("UPDATE app_drives SET closed_at = ");
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
                    action: "app_drive_closed".into(),
                    target_type: "app_drive".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(before.unit_code.clone()),
                    detail: serde_json::json!({ "planned_close": before.closes_at }),
                },
                ctx: "app_drives.close",
            },
            || StoreError::Conflict {
                what: "app drive",
                detail: format!("drive {id} changed since version {version}: reload it"),
            },
        )
        .await?;
        self.get(scope, id).await
    }

    async fn promoter_where(&self, sql: Sql<'_>, key: String) -> StoreResult<Promoter> {
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("app_drive_promoters.get"))?;
        match row {
            Some(r) => promoter_from_row(&r).map_err(StoreError::query("app_drive_promoters.get")),
            None => Err(StoreError::NotFound {
                what: "promoter",
                key,
            }),
        }
    }

    /// Enrols `p` as a promoter of `drive` at `now`. The same number and name enrolled before
    /// get their enrolment back (a lost link). [`StoreError::Conflict`] when the drive is not
    /// open, or the number is enrolled under another name; [`StoreError::Invalid`] naming the
    /// field for a department the drive does not list (or none where it lists some), an empty
    /// name, or a number that is not a mobile.
    pub async fn enroll(
        &self,
        drive: &AppDrive,
        p: &NewPromoter,
        now: i64,
    ) -> StoreResult<Promoter> {
        if !drive.is_open(now) {
            return Err(not_open(drive));
        }
        let name = bounded_text("name", &p.name, MAX_PROMOTER_NAME, true)?;
        let phone = mobile(&p.phone)?;
        let employer = match p.employer.as_deref().map(str::trim) {
            None | Some("") if drive.employers.is_empty() => None,
            None | Some("") => {
                return Err(StoreError::invalid("employer", "choose your department"));
            }
            Some(e) => {
                let e = bounded_text("employer", e, MAX_EMPLOYER, true)?;
                if !drive.employers.is_empty() && !drive.employers.iter().any(|x| x.name == e) {
                    return Err(StoreError::invalid(
                        "employer",
                        "choose your department from the list",
                    ));
                }
                Some(e)
            }
        };
        valid_code(&p.code)?;
        let _writer = self.store.write_guard().await;
        let mut before = Sql::new(format!(
            "SELECT {PROMOTER_COLUMNS} FROM app_drive_promoters pr WHERE pr.drive_id = "
        ));
        before
            .arg(drive.id)
            .push(" AND pr.phone = ")
            .arg(phone.as_str());
        match self.promoter_where(before, phone.clone()).await {
            Ok(known) if known.name == name => return Ok(known),
            Ok(_) => {
                return Err(StoreError::Conflict {
                    what: "promoter",
                    detail: "this number is enrolled under another name".into(),
                })
            }
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let mut sql = Sql::new(
            "INSERT INTO app_drive_promoters (drive_id, code, token, employer, name, phone, \
             enrolled_at) VALUES (",
        );
        sql.arg(drive.id)
            .push(", ")
            .arg(p.code.as_str())
            .push(", ")
            .arg(p.token.as_str())
            .push(", ")
            .arg(employer.as_deref())
            .push(", ")
            .arg(name.as_str())
            .push(", ")
            .arg(phone.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        // A second enrolment racing this one (PostgreSQL takes no writer lock) meets the
        // unique number per drive: the same refusal as above.
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(
                |e| match StoreError::query("app_drive_promoters.enroll")(e) {
                    StoreError::Conflict { .. } => StoreError::Conflict {
                        what: "promoter",
                        detail: "this number is enrolled already".into(),
                    },
                    other => other,
                },
            )?;
        Ok(Promoter {
            id: col(&row, "id").map_err(StoreError::query("app_drive_promoters.enroll"))?,
            drive_id: drive.id,
            code: p.code.clone(),
            token: p.token.clone(),
            employer,
            name,
            phone,
            enrolled_at: now,
        })
    }

    /// The promoter whose own page is `token`.
    pub async fn promoter_by_token(&self, token: &str) -> StoreResult<Promoter> {
        let mut sql = Sql::new(format!(
            "SELECT {PROMOTER_COLUMNS} FROM app_drive_promoters pr WHERE pr.token = "
        ));
        sql.arg(token.trim());
        self.promoter_where(sql, "(token)".into()).await
    }

    /// The promoter of personal link `code`.
    pub async fn promoter_by_code(&self, code: &str) -> StoreResult<Promoter> {
        let mut sql = Sql::new(format!(
            "SELECT {PROMOTER_COLUMNS} FROM app_drive_promoters pr WHERE pr.code = "
        ));
        sql.arg(code.trim());
        self.promoter_where(sql, code.trim().to_string()).await
    }

    /// Promoter `id` when their drive lies inside `scope`.
    pub async fn promoter(&self, scope: &Scope, id: i64) -> StoreResult<Promoter> {
        let mut sql = Sql::new(format!(
            "SELECT {PROMOTER_COLUMNS} FROM app_drive_promoters pr \
             JOIN app_drives d ON d.id = pr.drive_id WHERE pr.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "d.unit_code");
        self.promoter_where(sql, id.to_string()).await
    }

    /// Records that the resident `r` installed the app through `promoter`'s link at `now`;
    /// returns the referral's id. [`StoreError::Conflict`] when the drive is not open, or the
    /// number was registered in this drive before (by any promoter); [`StoreError::Invalid`]
    /// naming the field for an area outside the drive's (`unit_code`), a number that is not a
    /// mobile (`phone`) or is the promoter's own (`own_number`), or a link that took [`REFERRALS_PER_DAY`] in
    /// the last day (`daily_limit`).
    pub async fn refer(
        &self,
        drive: &AppDrive,
        promoter: &Promoter,
        r: &NewReferral,
        now: i64,
    ) -> StoreResult<i64> {
        if promoter.drive_id != drive.id {
            return Err(StoreError::invalid(
                "promoter",
                "not a promoter of this drive",
            ));
        }
        if !drive.is_open(now) {
            return Err(not_open(drive));
        }
        let phone = mobile(&r.phone)?;
        if phone == promoter.phone {
            return Err(StoreError::invalid(
                "own_number",
                "a promoter's own number does not count: bring relatives and friends",
            ));
        }
        let Some(unit) = self.store.units().find(r.unit_code.trim()).await? else {
            return Err(StoreError::invalid("unit_code", "choose your area"));
        };
        let own = self.store.units().scope(&drive.unit_code).await?;
        if !own.contains_path(&unit.path) {
            return Err(StoreError::invalid(
                "unit_code",
                "the area lies outside the drive's",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut seen = Sql::new("SELECT COUNT(*) AS n FROM app_drive_referrals WHERE drive_id = ");
        seen.arg(drive.id).push(" AND phone = ").arg(phone.as_str());
        if self.count(seen, "app_drive_referrals.refer").await? > 0 {
            return Err(StoreError::Conflict {
                what: "referral",
                detail: "this number was registered in this drive before".into(),
            });
        }
        let mut today =
            Sql::new("SELECT COUNT(*) AS n FROM app_drive_referrals WHERE promoter_id = ");
        today
            .arg(promoter.id)
            .push(" AND registered_at > ")
            .arg(now - 86_400_000);
        if self.count(today, "app_drive_referrals.refer").await? >= REFERRALS_PER_DAY {
            return Err(StoreError::invalid(
                "daily_limit",
                format!("this link took {REFERRALS_PER_DAY} registrations today: try tomorrow"),
            ));
        }
        let mut sql = Sql::new(
            "INSERT INTO app_drive_referrals (drive_id, promoter_id, unit_code, phone, \
             registered_at) VALUES (",
        );
        sql.arg(drive.id)
            .push(", ")
            .arg(promoter.id)
            .push(", ")
            .arg(unit.code.as_str())
            .push(", ")
            .arg(phone.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        // A second registration of the number racing this one: counted before, as above.
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(
                |e| match StoreError::query("app_drive_referrals.refer")(e) {
                    StoreError::Conflict { .. } => StoreError::Conflict {
                        what: "referral",
                        detail: "this number was registered in this drive before".into(),
                    },
                    other => other,
                },
            )?;
        col(&row, "id").map_err(StoreError::query("app_drive_referrals.refer"))
    }

    /// Every promoter of `drives` with their referrals and how many of those are verified, the
    /// most referrals first.
    async fn progress_of(&self, drives: &[i64]) -> StoreResult<Vec<PromoterProgress>> {
        let mut out = Vec::new();
        for chunk in drives.chunks(200) {
            let mut sql = Sql::new(format!(
                "SELECT {PROMOTER_COLUMNS}, COUNT(r.id) AS referrals, \
                 CAST(COALESCE(SUM(CASE WHEN r.id IS NULL THEN 0 ELSE {VERIFIED} END), 0) \
                 AS BIGINT) AS verified \
                 FROM app_drive_promoters pr \
                 LEFT JOIN app_drive_referrals r ON r.promoter_id = pr.id \
                 WHERE pr.drive_id IN ("
            ));
            sql.args(chunk.iter().copied()).push(
                ") GROUP BY pr.id, pr.drive_id, pr.code, pr.token, pr.employer, pr.name, \
                 pr.phone, pr.enrolled_at",
            );
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("app_drives.progress"))?;
            for r in &rows {
                out.push(
                    (|| {
                        Ok::<_, sqlx::Error>(PromoterProgress {
                            promoter: promoter_from_row(r)?,
                            referrals: col(r, "referrals")?,
                            verified: col(r, "verified")?,
                        })
                    })()
                    .map_err(StoreError::query("app_drives.progress"))?,
                );
            }
        }
        out.sort_by(|a, b| {
            b.referrals
                .cmp(&a.referrals)
                .then(a.promoter.enrolled_at.cmp(&b.promoter.enrolled_at))
                .then(a.promoter.id.cmp(&b.promoter.id))
        });
        Ok(out)
    }

    /// Drive `drive`'s promoters with what each brought, the most first.
    pub async fn promoters(&self, drive: &AppDrive) -> StoreResult<Vec<PromoterProgress>> {
        self.progress_of(&[drive.id]).await
    }

    /// The figures of each of `drives` (by id; drives without a promoter are absent).
    pub async fn figures_by_drive(
        &self,
        drives: &[AppDrive],
    ) -> StoreResult<HashMap<i64, DriveFigures>> {
        let quota: HashMap<i64, i64> = drives.iter().map(|d| (d.id, d.quota)).collect();
        let ids: Vec<i64> = drives.iter().map(|d| d.id).collect();
        let mut out: HashMap<i64, DriveFigures> = HashMap::new();
        for p in self.progress_of(&ids).await? {
            let q = quota.get(&p.promoter.drive_id).copied().unwrap_or(i64::MAX);
            out.entry(p.promoter.drive_id)
                .or_default()
                .add(p.referrals, p.verified, q);
        }
        Ok(out)
    }

    /// Drive `drive`'s figures, and each of its departments against its staff (the least
    /// progress first), from the promoters' progress `promoters` (as [`AppDrives::promoters`]
    /// reads it).
    pub fn tally(
        drive: &AppDrive,
        promoters: &[PromoterProgress],
    ) -> (DriveFigures, Vec<EmployerPromotion>) {
        let mut total = DriveFigures::default();
        let mut by_employer: HashMap<&str, DriveFigures> = HashMap::new();
        for p in promoters {
            total.add(p.referrals, p.verified, drive.quota);
            if let Some(e) = &p.promoter.employer {
                by_employer.entry(e.as_str()).or_default().add(
                    p.referrals,
                    p.verified,
                    drive.quota,
                );
            }
        }
        let mut employers: Vec<EmployerPromotion> = drive
            .employers
            .iter()
            .map(|e| EmployerPromotion {
                name: e.name.clone(),
                headcount: e.headcount,
                figures: by_employer
                    .get(e.name.as_str())
                    .copied()
                    .unwrap_or_default(),
                expected: e.headcount.saturating_mul(drive.quota),
            })
            .collect();
        employers.sort_by(|a, b| {
            a.progress()
                .total_cmp(&b.progress())
                .then(b.headcount.cmp(&a.headcount))
                .then(a.name.cmp(&b.name))
        });
        (total, employers)
    }

    /// Drive `drive_id`'s referrals per area named (the unit's path), for the caller to roll up.
    pub async fn areas(&self, drive_id: i64) -> StoreResult<Vec<AreaReferrals>> {
        let mut sql = Sql::new(format!(
            "SELECT u.path, COUNT(*) AS referrals, CAST(SUM({VERIFIED}) AS BIGINT) AS verified \
             FROM app_drive_referrals r JOIN org_units u ON u.code = r.unit_code \
             WHERE r.drive_id = "
        ));
        sql.arg(drive_id).push(" GROUP BY u.path ORDER BY u.path");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("app_drives.areas"))?;
        rows.iter()
            .map(|r| {
                Ok(AreaReferrals {
                    path: col(r, "path")?,
                    referrals: col(r, "referrals")?,
                    verified: col(r, "verified")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("app_drives.areas"))
    }

    /// The period `[from, until)` in `scope`: promoters who enrolled at drives its units
    /// organised, and residents of its area registered through any drive (a city's drive counts
    /// in each county for the county's residents).
    pub async fn period(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<PromotionPeriod> {
        let mut promoters = Sql::new(
            "SELECT COUNT(*) AS n FROM app_drive_promoters pr \
             JOIN app_drives d ON d.id = pr.drive_id WHERE ",
        );
        scope.push_condition(&mut promoters, "d.unit_code");
        promoters
            .push(" AND pr.enrolled_at >= ")
            .arg(from)
            .push(" AND pr.enrolled_at < ")
            .arg(until);
        let promoters = self.count(promoters, "app_drives.period").await?;
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({VERIFIED}), 0) AS BIGINT) AS verified \
             FROM app_drive_referrals r WHERE "
        ));
        scope.push_condition(&mut sql, "r.unit_code");
        sql.push(" AND r.registered_at >= ")
            .arg(from)
            .push(" AND r.registered_at < ")
            .arg(until);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("app_drives.period"))?;
        Ok(PromotionPeriod {
            promoters,
            referrals: col(&row, "n").map_err(StoreError::query("app_drives.period"))?,
            verified: col(&row, "verified").map_err(StoreError::query("app_drives.period"))?,
        })
    }

    /// The referrals `promoter` brought, and how many are verified.
    pub async fn brought(&self, promoter: &Promoter) -> StoreResult<(i64, i64)> {
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({VERIFIED}), 0) AS BIGINT) AS verified \
             FROM app_drive_referrals r WHERE r.promoter_id = "
        ));
        sql.arg(promoter.id);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("app_drives.brought"))?;
        let n = col(&row, "n").map_err(StoreError::query("app_drives.brought"))?;
        let v = col(&row, "verified").map_err(StoreError::query("app_drives.brought"))?;
        Ok((n, v))
    }
}
