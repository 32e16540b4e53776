//! Employer notices (提示单) for public-sector victims: 财政供养人员被骗每案通报 — and, the same
//! way, for staff of the enterprises of the anti-fraud alliance (企业反诈联盟), whose members
//! asked to be told of every case among their staff.
//!
//! Every case whose victim is paid from public funds, or works for an active alliance member
//! (the case's employer, else the victim's on record, is the member's name), owes one notice, issued within
//! [`NOTICE_DUE_HOURS`] of the case being opened to the victim's employer and, at the same
//! time, to the police station of the area, which urges the employer to hold anti-fraud talks.
//! The employer returns a receipt (回执: who signed, when, what it did). The register lists the
//! cases with where their notice stands; the figures count the period's notices issued, on
//! time and receipted; the employer table (目标管理考核) counts the cases per supervising
//! department or employer against the same period a year earlier.
//!
//! Scoped by the case's unit. Issuing and receipts write their audit entries in the same
//! transaction. Notices are numbered per issuing unit and Shanghai year, without gaps: the
//! number is taken under the store's write lock (SQLite) or a transaction-scoped advisory lock
//! (PostgreSQL), and a unique index backs it.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use chrono::Datelike;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The PostgreSQL advisory lock that numbers notices one at a time (an arbitrary constant key).
const NUMBERING_LOCK: i64 = 0x6e6f_7469_6365;

/// Hours after a case is opened by which its employer notice is due (第一时间下发).
pub const NOTICE_DUE_HOURS: i64 = 24;
const DUE_MS: i64 = NOTICE_DUE_HOURS * 3_600_000;
/// The longest employer, department or signatory name, in characters.
pub const MAX_NOTICE_NAME: usize = 100;
/// The longest account of what the employer did, in characters.
pub const MAX_NOTICE_TEXT: usize = 2_000;
/// The most rows the register returns at once.
pub const MAX_REGISTER_ROWS: usize = 2_000;

code_enum! {
    /// Why a case owes its employer a notice.
    NoticeGround {
        /// 财政供养人员被骗.
        PublicSector => "public_sector", "财政供养人员被骗", "Public-sector staff defrauded";
        /// 企业反诈联盟成员企业职工被骗.
        AllianceMember => "alliance_member", "联盟成员企业职工被骗", "Staff of an alliance member defrauded";
    }
}

code_enum! {
    /// Where a public-sector case's notice stands.
    NoticeState {
        /// 待下发: no notice issued yet.
        Pending => "pending", "待下发", "Not issued";
        /// 已下发待回执: issued, the employer's receipt not back.
        Issued => "issued", "已下发待回执", "Issued, awaiting receipt";
        /// 已回执: the employer signed and said what it did.
        Receipted => "receipted", "已回执", "Receipt returned";
    }
}

/// A notice to issue.
#[derive(Clone, Debug, Default)]
pub struct NewEmployerNotice {
    pub case_id: String,
    /// The unit issuing it (its numbering): the issuer's own unit.
    pub issuer_unit: String,
    pub employer: String,
    /// The employer's supervising department (主管部门), when known.
    pub department: Option<String>,
    /// The police station told at the same time.
    pub station_unit: String,
    pub by: String,
}

/// The employer's receipt (回执), as recorded by the center.
#[derive(Clone, Debug, Default)]
pub struct NoticeReceipt {
    pub case_id: String,
    /// Who signed for the employer.
    pub signatory: String,
    /// When the employer signed, epoch ms UTC.
    pub receipt_at: i64,
    /// What the employer did (全员反诈培训, 通报全单位, …).
    pub measures: String,
    pub by: String,
    /// The notice's version the receipt was entered against.
    pub expected_version: i64,
}

/// An issued notice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EmployerNotice {
    pub case_id: String,
    pub issuer_unit: String,
    pub notice_year: i64,
    pub notice_seq: i64,
    pub employer: String,
    pub department: Option<String>,
    pub station_unit: String,
    pub issued_by: String,
    pub issued_at: i64,
    pub receipt_signatory: Option<String>,
    pub receipt_at: Option<i64>,
    pub receipt_measures: Option<String>,
    pub receipt_by: Option<String>,
    pub receipt_recorded: Option<i64>,
    pub version: i64,
}

/// A notice's number as printed: `〔2026〕第12号`.
pub(crate) fn notice_number(year: i64, seq: i64) -> String {
    format!("〔{year}〕第{seq}号")
}

impl EmployerNotice {
    /// The notice's number as printed: `〔2026〕第12号`.
    pub fn number(&self) -> String {
        notice_number(self.notice_year, self.notice_seq)
    }

    pub fn state(&self) -> NoticeState {
        if self.receipt_at.is_some() {
            NoticeState::Receipted
        } else {
            NoticeState::Issued
        }
    }
}

/// One public-sector case of the register with its notice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NoticeRow {
    pub case_id: String,
    pub report_no: Option<String>,
    pub unit_code: String,
    pub reported_at: i64,
    /// When the case was opened on the platform: the notice is due [`NOTICE_DUE_HOURS`] later.
    pub opened_at: i64,
    /// The victim's name as stored: lists mask it.
    pub victim_name: Option<String>,
    pub loss_fen: i64,
    pub fraud_type: Option<String>,
    /// The employer the case names (from the victim's registration or the report).
    pub case_employer: Option<String>,
    pub notice: Option<EmployerNotice>,
}

impl NoticeRow {
    pub fn due_at(&self) -> i64 {
        self.opened_at.saturating_add(DUE_MS)
    }

    pub fn state(&self) -> NoticeState {
        self.notice
            .as_ref()
            .map_or(NoticeState::Pending, EmployerNotice::state)
    }

    /// Not issued and past its due time.
    pub fn overdue(&self, now: i64) -> bool {
        self.notice.is_none() && now > self.due_at()
    }

    /// Issued after its due time.
    pub fn issued_late(&self) -> bool {
        self.notice
            .as_ref()
            .is_some_and(|n| n.issued_at > self.due_at())
    }
}

/// Which public-sector cases the register lists: reported in `[from, to)`.
#[derive(Clone, Debug, Default)]
pub struct NoticeFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub state: Option<NoticeState>,
    /// Part of the employer's or the department's name.
    pub employer: Option<String>,
    /// Only notices overdue at this instant (pending past their due time).
    pub overdue_at: Option<i64>,
}

/// The period's figures of the 每案通报 mechanism.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NoticeFigures {
    /// Public-sector cases reported in the period.
    pub cases: i64,
    pub loss_fen: i64,
    pub issued: i64,
    /// Issued within [`NOTICE_DUE_HOURS`] of the case being opened.
    pub issued_on_time: i64,
    pub receipted: i64,
    /// Not issued yet.
    pub pending: i64,
    /// Not issued and past the due time now.
    pub pending_overdue: i64,
}

impl NoticeFigures {
    /// 及时下发率: notices issued on time over the notices that are due — issued, or pending past
    /// their due time (a case opened an hour ago is not late yet); `None` when none is due.
    pub fn on_time_rate(&self) -> Option<f64> {
        let due = self.issued + self.pending_overdue;
        (due > 0).then(|| self.issued_on_time as f64 / due as f64)
    }

    /// 回执率: receipts over the notices issued; `None` without notices.
    pub fn receipt_rate(&self) -> Option<f64> {
        (self.issued > 0).then(|| self.receipted as f64 / self.issued as f64)
    }
}

/// One line of the employer table: an employer, with the supervising department its latest
/// notice names.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EmployerTally {
    /// The employer; empty when the case names none.
    pub name: String,
    /// The supervising department (主管部门) of the employer's latest notice that gave one.
    pub department: Option<String>,
    pub cases: i64,
    pub loss_fen: i64,
    /// The same period a year earlier.
    pub cases_before: i64,
    pub loss_before: i64,
}

/// The employer-notice repository.
pub struct EmployerNotices<'s> {
    store: &'s Store,
}

const NOTICE_COLUMNS: &str = "n.case_id, n.issuer_unit, n.notice_year, n.notice_seq, \
     n.employer, n.department, n.station_unit, n.issued_by, n.issued_at, n.receipt_signatory, \
     n.receipt_at, n.receipt_measures, n.receipt_by, n.receipt_recorded, n.version";

fn notice_from_row(r: &AnyRow) -> Result<EmployerNotice, sqlx::Error> {
    Ok(EmployerNotice {
        case_id: col(r, "case_id")?,
        issuer_unit: col(r, "issuer_unit")?,
        notice_year: col(r, "notice_year")?,
        notice_seq: col(r, "notice_seq")?,
        employer: col(r, "employer")?,
        department: col(r, "department")?,
        station_unit: col(r, "station_unit")?,
        issued_by: col(r, "issued_by")?,
        issued_at: col(r, "issued_at")?,
        receipt_signatory: col(r, "receipt_signatory")?,
        receipt_at: col(r, "receipt_at")?,
        receipt_measures: col(r, "receipt_measures")?,
        receipt_by: col(r, "receipt_by")?,
        receipt_recorded: col(r, "receipt_recorded")?,
        version: col(r, "version")?,
    })
}

/// A name field trimmed, required and at most [`MAX_NOTICE_NAME`] characters.
fn name(field: &'static str, value: &str) -> StoreResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StoreError::invalid(field, "required"));
    }
    if v.chars().count() > MAX_NOTICE_NAME {
        return Err(StoreError::invalid(field, "at most 100 characters"));
    }
    Ok(v.to_string())
}

/// The Shanghai year of an instant (notices are numbered per year as printed).
fn shanghai_year(ms: i64) -> StoreResult<i64> {
    fanzha_core::time::shanghai_date(ms)
        .map(|d| i64::from(d.year()))
        .ok_or_else(|| StoreError::invalid("now", "not a representable time"))
}

impl<'s> EmployerNotices<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        EmployerNotices { store }
    }

    /// Why the case inside the scope owes its employer a notice (`None`: it owes none).
    pub async fn owed(&self, scope: &Scope, case_id: &str) -> StoreResult<Option<NoticeGround>> {
        Ok(self.case_in(scope, case_id).await?.1)
    }

    /// The case's `(unit, why it owes a notice)` when it lies inside the scope: public-sector
    /// staff first, else staff of an active alliance member by the employer's name.
    async fn case_in(
        &self,
        scope: &Scope,
        case_id: &str,
    ) -> StoreResult<(String, Option<NoticeGround>)> {
        let ctx = "employer_notices.case";
        let mut sql = Sql::new(
            "SELECT c.unit_code, c.public_sector, CAST(CASE WHEN EXISTS (SELECT 1 FROM \
             alliance_members m WHERE m.left_at IS NULL AND m.name = \
             COALESCE(NULLIF(c.employer, ''), p.employer)) THEN 1 ELSE 0 END AS BIGINT) AS \
             alliance FROM cases c LEFT JOIN people p ON p.resident_id = c.resident_id \
             WHERE c.id = ",
        );
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?
            .ok_or_else(|| StoreError::NotFound {
                what: "case",
                key: case_id.to_string(),
            })?;
        let public_sector = col::<i64>(&row, "public_sector").map_err(StoreError::query(ctx))? != 0;
        let alliance = col::<i64>(&row, "alliance").map_err(StoreError::query(ctx))? != 0;
        Ok((
            col(&row, "unit_code").map_err(StoreError::query(ctx))?,
            match (public_sector, alliance) {
                (true, _) => Some(NoticeGround::PublicSector),
                (false, true) => Some(NoticeGround::AllianceMember),
                (false, false) => None,
            },
        ))
    }

    /// The notice of a case inside the scope; `None` when none was issued.
    pub async fn of_case(
        &self,
        scope: &Scope,
        case_id: &str,
    ) -> StoreResult<Option<EmployerNotice>> {
        self.case_in(scope, case_id).await?;
        let mut sql = Sql::new(format!(
            "SELECT {NOTICE_COLUMNS} FROM employer_notices n WHERE n.case_id = "
        ));
        sql.arg(case_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("employer_notices.of_case"))?;
        row.as_ref()
            .map(notice_from_row)
            .transpose()
            .map_err(StoreError::query("employer_notices.of_case"))
    }

    /// Issues the notice of a public-sector case inside the scope at `now`, with the next
    /// number of the issuing unit's year and its audit entry (`employer_notice_issued`). The
    /// station told must be a unit inside the scope. A case has one notice: issuing again is
    /// refused with [`StoreError::Conflict`] naming the number it has.
    pub async fn issue(
        &self,
        scope: &Scope,
        n: &NewEmployerNotice,
        now: i64,
    ) -> StoreResult<EmployerNotice> {
        let employer = name("employer", &n.employer)?;
        let department = match n.department.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => Some(name("department", d)?),
            _ => None,
        };
        let (unit_code, ground) = self.case_in(scope, &n.case_id).await?;
        if ground.is_none() {
            return Err(StoreError::invalid(
                "case_id",
                "the victim is neither public-sector staff nor staff of an alliance member; no \
                 employer notice is owed",
            ));
        }
        let station = n.station_unit.trim();
        let mut sql = Sql::new("SELECT o.level FROM org_units o WHERE o.code = ");
        sql.arg(station).push(" AND ");
        scope.push_condition(&mut sql, "o.code");
        let level: Option<String> = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("employer_notices.station"))?
            .map(|r| col::<String>(&r, "level"))
            .transpose()
            .map_err(StoreError::query("employer_notices.station"))?;
        let Some(level) = level else {
            return Err(StoreError::invalid(
                "station_unit",
                "choose a unit of your own area",
            ));
        };
        // The notice goes to a police station (a township's) or the county bureau; a village
        // or grid has no one to receive it, a city unit is not local. The case's own unit is
        // always allowed (a case held where no county exists above it).
        if !matches!(level.as_str(), "county" | "township") && station != unit_code {
            return Err(StoreError::invalid(
                "station_unit",
                "choose a police station (a township) or a county bureau of your area",
            ));
        }
        let year = shanghai_year(now)?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("employer_notices.begin").await?;
        // SQLite writers queue behind the store's write guard; on PostgreSQL a transaction-scoped
        // advisory lock does the same across processes, so two notices never read one number.
        if self.store.backend() == crate::dialect::Backend::Postgres {
            sqlx::query(&format!("SELECT pg_advisory_xact_lock({NUMBERING_LOCK})"))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("employer_notices.lock"))?;
        }
        let mut sql = Sql::new(format!(
            "SELECT {NOTICE_COLUMNS} FROM employer_notices n WHERE n.case_id = "
        ));
        sql.arg(n.case_id.as_str());
        if let Some(row) = sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("employer_notices.existing"))?
        {
            let existing =
                notice_from_row(&row).map_err(StoreError::query("employer_notices.existing"))?;
            return Err(StoreError::Conflict {
                what: "employer_notice",
                detail: format!(
                    "the case's notice was issued before as {}; print that one",
                    existing.number()
                ),
            });
        }
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(MAX(notice_seq), 0) AS BIGINT) AS last FROM employer_notices \
             WHERE issuer_unit = ",
        );
        sql.arg(n.issuer_unit.as_str())
            .push(" AND notice_year = ")
            .arg(year);
        let last: i64 = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| col(&r, "last"))
            .map_err(StoreError::query("employer_notices.number"))?;
        let seq = last + 1;
        let mut sql = Sql::new(
            "INSERT INTO employer_notices (case_id, issuer_unit, notice_year, notice_seq, \
             employer, department, station_unit, issued_by, issued_at, version) VALUES (",
        );
        sql.arg(n.case_id.as_str())
            .push(", ")
            .arg(n.issuer_unit.as_str())
            .push(", ")
            .arg(year)
            .push(", ")
            .arg(seq)
            .push(", ")
            .arg(employer.as_str())
            .push(", ")
            .arg(department.as_deref())
            .push(", ")
            .arg(station)
            .push(", ")
            .arg(n.by.as_str())
            .push(", ")
            .arg(now)
            .push(", 1)");
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("employer_notices.issue"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: n.by.clone(),
                action: "employer_notice_issued".into(),
                target_type: "case".into(),
                target_id: Some(n.case_id.clone()),
                unit_code: Some(unit_code),
                detail: serde_json::json!({
                    "number": format!("〔{year}〕第{seq}号"),
                    "issuer_unit": n.issuer_unit,
                    "employer": employer,
                    "department": department,
                    "station_unit": station,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("employer_notices.commit"))?;
        drop(_writer);
        self.of_case(scope, &n.case_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "employer_notice",
                key: n.case_id.clone(),
            })
    }

    /// Records (or corrects) the employer's receipt of an issued notice at `now`, with its
    /// audit entry (`employer_notice_receipt`). The signing time lies between the minute of the
    /// issue and `now`. The change applies only to the version it was made from: when another change
    /// came first it is refused with [`StoreError::Conflict`] and nothing is written.
    pub async fn record_receipt(
        &self,
        scope: &Scope,
        r: &NoticeReceipt,
        now: i64,
    ) -> StoreResult<EmployerNotice> {
        let signatory = name("signatory", &r.signatory)?;
        let measures = r.measures.trim();
        if measures.is_empty() {
            return Err(StoreError::invalid(
                "measures",
                "say what the employer did about the notice",
            ));
        }
        if measures.chars().count() > MAX_NOTICE_TEXT {
            return Err(StoreError::invalid("measures", "at most 2,000 characters"));
        }
        let (unit_code, _) = self.case_in(scope, &r.case_id).await?;
        let current = self
            .of_case(scope, &r.case_id)
            .await?
            .ok_or_else(|| StoreError::invalid("case_id", "issue the notice first"))?;
        // Forms give minutes: a receipt in the minute of the issue is not before it.
        if r.receipt_at < current.issued_at - current.issued_at.rem_euclid(60_000) {
            return Err(StoreError::invalid(
                "receipt_at",
                "must not be before the notice was issued",
            ));
        }
        if r.receipt_at > now {
            return Err(StoreError::invalid(
                "receipt_at",
                "must not be in the future",
            ));
        }
        let expected = r.expected_version;
        let conflict = |found: i64| StoreError::Conflict {
            what: "employer_notice",
            detail: format!("expected version {expected}, found {found}; reload and retry"),
        };
        if current.version != expected {
            return Err(conflict(current.version));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("employer_notices.begin").await?;
        let mut sql = Sql::new("UPDATE employer_notices SET receipt_signatory = ");
        sql.arg(signatory.as_str())
            .push(", receipt_at = ")
            .arg(r.receipt_at)
            .push(", receipt_measures = ")
            .arg(measures)
            .push(", receipt_by = ")
            .arg(r.by.as_str())
            .push(", receipt_recorded = ")
            .arg(now)
            .push(", version = version + 1 WHERE case_id = ")
            .arg(r.case_id.as_str())
            .push(" AND version = ")
            .arg(expected);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("employer_notices.receipt"))?;
        if done.rows_affected() != 1 {
            drop(tx);
            let found = self
                .of_case(scope, &r.case_id)
                .await?
                .map_or(0, |n| n.version);
            return Err(conflict(found));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: r.by.clone(),
                action: "employer_notice_receipt".into(),
                target_type: "case".into(),
                target_id: Some(r.case_id.clone()),
                unit_code: Some(unit_code),
                detail: serde_json::json!({
                    "number": current.number(),
                    "signatory": signatory,
                    "receipt_at": r.receipt_at,
                    "corrected": current.receipt_at.is_some(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("employer_notices.commit"))?;
        drop(_writer);
        self.of_case(scope, &r.case_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "employer_notice",
                key: r.case_id.clone(),
            })
    }

    /// The public-sector cases inside the scope that match, latest report first, at most
    /// [`MAX_REGISTER_ROWS`]; the flag says whether more matched.
    pub async fn register(
        &self,
        scope: &Scope,
        f: &NoticeFilter,
    ) -> StoreResult<(Vec<NoticeRow>, bool)> {
        let ctx = "employer_notices.register";
        let mut sql = Sql::new(format!(
            "SELECT c.id AS c_id, c.report_no, c.unit_code, c.reported_at, c.created_at, \
             c.victim_name, c.loss_fen, c.fraud_type, c.employer AS case_employer, \
             {NOTICE_COLUMNS} FROM cases c LEFT JOIN employer_notices n ON n.case_id = c.id \
             WHERE c.public_sector = 1 AND "
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        if let Some(from) = f.from {
            sql.push(" AND c.reported_at >= ").arg(from);
        }
        if let Some(to) = f.to {
            sql.push(" AND c.reported_at < ").arg(to);
        }
        match f.state {
            Some(NoticeState::Pending) => {
                sql.push(" AND n.case_id IS NULL");
            }
            Some(NoticeState::Issued) => {
                sql.push(" AND n.case_id IS NOT NULL AND n.receipt_at IS NULL");
            }
            Some(NoticeState::Receipted) => {
                sql.push(" AND n.receipt_at IS NOT NULL");
            }
            None => {}
        }
        if let Some(at) = f.overdue_at {
            sql.push(" AND n.case_id IS NULL AND c.created_at < ")
                .arg(at.saturating_sub(DUE_MS));
        }
        if let Some(e) = f
            .employer
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let p = sql.bind(e.to_string());
            let backend = self.store.backend();
            sql.push(&format!(
                " AND ({} OR {})",
                backend.contains_text("COALESCE(n.employer, c.employer, '')", &p),
                backend.contains_text("COALESCE(n.department, '')", &p),
            ));
        }
        sql.push(" ORDER BY c.reported_at DESC, c.id DESC LIMIT ")
            .arg(MAX_REGISTER_ROWS as i64 + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let more = rows.len() > MAX_REGISTER_ROWS;
        let mut out = Vec::with_capacity(rows.len().min(MAX_REGISTER_ROWS));
        for r in rows.iter().take(MAX_REGISTER_ROWS) {
            let issued: Option<String> = col(r, "case_id").map_err(StoreError::query(ctx))?;
            out.push(NoticeRow {
                case_id: col(r, "c_id").map_err(StoreError::query(ctx))?,
                report_no: col(r, "report_no").map_err(StoreError::query(ctx))?,
                unit_code: col(r, "unit_code").map_err(StoreError::query(ctx))?,
                reported_at: col(r, "reported_at").map_err(StoreError::query(ctx))?,
                opened_at: col(r, "created_at").map_err(StoreError::query(ctx))?,
                victim_name: col(r, "victim_name").map_err(StoreError::query(ctx))?,
                loss_fen: col(r, "loss_fen").map_err(StoreError::query(ctx))?,
                fraud_type: col(r, "fraud_type").map_err(StoreError::query(ctx))?,
                case_employer: col(r, "case_employer").map_err(StoreError::query(ctx))?,
                notice: match issued {
                    Some(_) => Some(notice_from_row(r).map_err(StoreError::query(ctx))?),
                    None => None,
                },
            });
        }
        Ok((out, more))
    }

    /// The figures of the public-sector cases inside the scope reported in `[from, to)`;
    /// "overdue" is as of `now`.
    pub async fn figures(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        now: i64,
    ) -> StoreResult<NoticeFigures> {
        let ctx = "employer_notices.figures";
        let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS cases, ");
        sql.push("CAST(COALESCE(SUM(c.loss_fen), 0) AS BIGINT) AS loss, ")
            .push(
                "CAST(COALESCE(SUM(CASE WHEN n.case_id IS NOT NULL THEN 1 ELSE 0 END), 0) \
                 AS BIGINT) AS issued, ",
            )
            .push("CAST(COALESCE(SUM(CASE WHEN n.issued_at <= c.created_at + ")
            .arg(DUE_MS)
            .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, ")
            .push(
                "CAST(COALESCE(SUM(CASE WHEN n.receipt_at IS NOT NULL THEN 1 ELSE 0 END), 0) \
                 AS BIGINT) AS receipted, ",
            )
            .push("CAST(COALESCE(SUM(CASE WHEN n.case_id IS NULL AND c.created_at < ")
            .arg(now.saturating_sub(DUE_MS))
            .push(
                " THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue FROM cases c \
                 LEFT JOIN employer_notices n ON n.case_id = c.id \
                 WHERE c.public_sector = 1 AND c.reported_at >= ",
            )
            .arg(from)
            .push(" AND c.reported_at < ")
            .arg(to)
            .push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let r = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let get = |name: &'static str| col::<i64>(&r, name).map_err(StoreError::query(ctx));
        let cases = get("cases")?;
        let issued = get("issued")?;
        Ok(NoticeFigures {
            cases,
            loss_fen: get("loss")?,
            issued,
            issued_on_time: get("on_time")?,
            receipted: get("receipted")?,
            pending: cases - issued,
            pending_overdue: get("overdue")?,
        })
    }

    /// The public-sector cases inside the scope per employer in `[from, to)` against
    /// `[before_from, before_to)` (the same period a year earlier), most cases first. A case's
    /// employer is its notice's, else the one the case names — one key in both periods, so a
    /// year-earlier case without a notice counts under the same line; each line carries the
    /// department of the employer's latest notice that gave one.
    pub async fn by_employer(
        &self,
        scope: &Scope,
        (from, to): (i64, i64),
        (before_from, before_to): (i64, i64),
    ) -> StoreResult<Vec<EmployerTally>> {
        let ctx = "employer_notices.by_employer";
        let mut lines: BTreeMap<String, EmployerTally> = BTreeMap::new();
        // The latest issue that named a department, per employer.
        let mut departments: BTreeMap<String, (i64, String)> = BTreeMap::new();
        // Each window counted on its own: a custom period longer than a year overlaps the
        // year before, and a case in both counts in both.
        for (start, end, current) in [(from, to, true), (before_from, before_to, false)] {
            let mut sql = Sql::new(
                "SELECT COALESCE(NULLIF(TRIM(n.employer), ''), NULLIF(TRIM(c.employer), ''), '') \
                 AS name, NULLIF(TRIM(n.department), '') AS department, n.issued_at, c.loss_fen \
                 FROM cases c LEFT JOIN employer_notices n ON n.case_id = c.id \
                 WHERE c.public_sector = 1 AND c.reported_at >= ",
            );
            sql.arg(start)
                .push(" AND c.reported_at < ")
                .arg(end)
                .push(" AND ");
            scope.push_condition(&mut sql, "c.unit_code");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query(ctx))?;
            for r in &rows {
                let name: String = col(r, "name").map_err(StoreError::query(ctx))?;
                let loss: i64 = col(r, "loss_fen").map_err(StoreError::query(ctx))?;
                let department: Option<String> =
                    col(r, "department").map_err(StoreError::query(ctx))?;
                let issued_at: Option<i64> = col(r, "issued_at").map_err(StoreError::query(ctx))?;
                if let (Some(d), Some(at)) = (department, issued_at) {
                    let slot = departments.entry(name.clone()).or_insert((at, d.clone()));
                    if at > slot.0 {
                        *slot = (at, d);
                    }
                }
                let line = lines.entry(name.clone()).or_insert_with(|| EmployerTally {
                    name,
                    ..EmployerTally::default()
                });
                if current {
                    line.cases += 1;
                    line.loss_fen += loss;
                } else {
                    line.cases_before += 1;
                    line.loss_before += loss;
                }
            }
        }
        let mut out: Vec<EmployerTally> = lines
            .into_values()
            .map(|mut t| {
                t.department = departments.get(&t.name).map(|(_, d)| d.clone());
                t
            })
            .collect();
        out.sort_by(|a, b| {
            b.cases
                .cmp(&a.cases)
                .then(b.loss_fen.cmp(&a.loss_fen))
                .then(b.cases_before.cmp(&a.cases_before))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(opened_at: i64, issued_at: Option<i64>, receipt: Option<i64>) -> NoticeRow {
        NoticeRow {
            case_id: "c".into(),
            report_no: None,
            unit_code: "330281".into(),
            reported_at: opened_at,
            opened_at,
            victim_name: None,
            loss_fen: 0,
            fraud_type: None,
            case_employer: None,
            notice: issued_at.map(|at| EmployerNotice {
                case_id: "c".into(),
                issuer_unit: "3302".into(),
                notice_year: 2026,
                notice_seq: 7,
                employer: "余姚市第二人民医院".into(),
                department: None,
                station_unit: "330281001".into(),
                issued_by: "analyst".into(),
                issued_at: at,
                receipt_signatory: receipt.map(|_| "王主任".into()),
                receipt_at: receipt,
                receipt_measures: receipt.map(|_| "全员培训".into()),
                receipt_by: None,
                receipt_recorded: None,
                version: 1,
            }),
        }
    }

    #[test]
    fn a_notice_is_due_a_day_after_the_case_is_opened() {
        let opened = 1_000_000;
        let pending = row(opened, None, None);
        assert_eq!(pending.state(), NoticeState::Pending);
        assert!(!pending.overdue(opened + DUE_MS));
        assert!(pending.overdue(opened + DUE_MS + 1));
        let on_time = row(opened, Some(opened + DUE_MS), None);
        assert_eq!(on_time.state(), NoticeState::Issued);
        assert!(!on_time.issued_late());
        assert!(!on_time.overdue(opened + 10 * DUE_MS));
        let late = row(opened, Some(opened + DUE_MS + 1), Some(opened + 2 * DUE_MS));
        assert!(late.issued_late());
        assert_eq!(late.state(), NoticeState::Receipted);
        assert_eq!(late.notice.unwrap().number(), "〔2026〕第7号");
    }

    #[test]
    fn rates_are_absent_without_a_base() {
        let f = NoticeFigures::default();
        assert_eq!(f.on_time_rate(), None);
        assert_eq!(f.receipt_rate(), None);
        let f = NoticeFigures {
            cases: 4,
            issued: 2,
            issued_on_time: 1,
            receipted: 1,
            pending: 2,
            pending_overdue: 2,
            ..NoticeFigures::default()
        };
        assert_eq!(f.on_time_rate(), Some(0.25));
        assert_eq!(f.receipt_rate(), Some(0.5));
        // A pending case still inside its day is not late: it is left out.
        let f = NoticeFigures {
            pending_overdue: 0,
            ..f
        };
        assert_eq!(f.on_time_rate(), Some(0.5));
        let f = NoticeFigures {
            cases: 1,
            pending: 1,
            ..NoticeFigures::default()
        };
        assert_eq!(f.on_time_rate(), None, "nothing due yet");
    }

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(name("employer", "  市卫健局 ").unwrap(), "市卫健局");
        assert!(name("employer", "   ").is_err());
        assert!(name("employer", &"局".repeat(MAX_NOTICE_NAME + 1)).is_err());
        assert!(name("employer", &"局".repeat(MAX_NOTICE_NAME)).is_ok());
    }

    #[test]
    fn the_year_is_shanghais() {
        // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Shanghai.
        let ms = 1_767_198_600_000;
        assert_eq!(shanghai_year(ms).unwrap(), 2026);
        assert_eq!(shanghai_year(ms - 3_600_000).unwrap(), 2025);
    }
}
