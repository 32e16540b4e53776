//! 通报: the numbered bulletins a unit issues to the units directly below it — the weekly or
//! monthly 情况通报 of cases, typical cases and prevention work (seed 002: "以周、月为时间节点向
//! 市委主要领导和各单位通报辖区发案、典型案例和宣防等工作"), and the 诈骗手法通报 that tells the
//! units of a new scam ("及时将工作中发现的诈骗手法通报有关单位") — each with its number of the year
//! (2026年第N期) and frozen text, and each recipient unit's receipt (签收).
//!
//! A bulletin is read by the units on its issuer's line (the issuer, the units below it) and by
//! the units above the issuer; only a recipient unit signs for itself, once. Issuing and
//! signing write an audit entry in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::bulletin_partners::{resolve, PartnerKind};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::units::Unit;
use sqlx::any::AnyRow;

code_enum! {
    /// What a bulletin reports.
    BulletinKind {
        /// 情况通报: cases, warnings, money, prevention of a period (from the work brief).
        Situation => "situation", "情况通报", "Situation report";
        /// 诈骗手法通报: a new scam or a new turn of an old one, and how to warn people.
        Methods => "methods", "诈骗手法通报", "Scam methods alert";
    }
}

/// The longest title or period kept (characters).
pub const MAX_BULLETIN_TITLE: usize = 200;
/// The longest text kept (characters).
pub const MAX_BULLETIN_BODY: usize = 20_000;

/// A bulletin to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBulletin {
    /// The issuing unit (the caller's own).
    pub unit_code: String,
    pub kind: BulletinKind,
    pub title: String,
    /// The period it covers, in words ("2026年11月1日至11月30日"); may be empty.
    pub period: String,
    /// For a methods alert, the fraud type's code, if one fits.
    pub fraud_type: Option<String>,
    pub body: String,
    pub issued_by: String,
    /// The kinds of industry partner to address besides the units below (通报有关单位): every
    /// partner of each kind the issuer has.
    pub partners: Vec<PartnerKind>,
}

/// An issued bulletin.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Bulletin {
    pub id: i64,
    pub unit_code: String,
    /// The year of its number (Asia/Shanghai) and the number within the year: 第`number`期.
    pub year: i64,
    pub number: i64,
    pub kind: BulletinKind,
    pub title: String,
    pub period: String,
    pub fraud_type: Option<String>,
    pub body: String,
    pub issued_by: String,
    pub issued_at: i64,
    /// Recipient units, and how many of them signed.
    pub recipients: i64,
    pub signed: i64,
    /// Industry partners addressed, and how many of them signed.
    pub partners: i64,
    pub partners_signed: i64,
}

/// A recipient unit and its receipt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BulletinReceipt {
    pub unit_code: String,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
}

/// Who reads bulletins: a unit (its own line and those above it) within a scope.
#[derive(Clone, Debug)]
pub struct BulletinReader {
    /// The reader's unit.
    pub unit: Unit,
    /// The reader's subtree.
    pub scope: Scope,
}

impl BulletinReader {
    /// The codes of the reader's unit and every unit above it, from its materialised path.
    fn line(&self) -> Vec<&str> {
        self.unit
            .path
            .split('/')
            .filter(|c| !c.is_empty())
            .collect()
    }

    /// `b.unit_code` is the reader's unit or above it, or inside the reader's subtree.
    fn push_condition(&self, sql: &mut Sql<'_>) {
        sql.push("(b.unit_code IN (");
        sql.args(self.line().into_iter().map(str::to_string));
        sql.push(") OR ");
        self.scope.push_condition(sql, "b.unit_code");
        sql.push(")");
    }
}

/// Which bulletins to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulletinFilter {
    pub kind: Option<BulletinKind>,
    /// Only those addressed to the reader's own unit and not yet signed.
    pub unsigned_only: bool,
}

pub(crate) const COLUMNS: &str = "b.id, b.unit_code, b.year, b.number, b.kind, b.title, b.period, \
     b.fraud_type, b.body, b.issued_by, b.issued_at, \
     (SELECT COUNT(*) FROM bulletin_recipients r WHERE r.bulletin_id = b.id) AS recipients, \
     (SELECT COUNT(*) FROM bulletin_recipients r WHERE r.bulletin_id = b.id \
      AND r.signed_at IS NOT NULL) AS signed, \
     (SELECT COUNT(*) FROM bulletin_partners p WHERE p.bulletin_id = b.id) AS partners, \
     (SELECT COUNT(*) FROM bulletin_partners p WHERE p.bulletin_id = b.id \
      AND p.signed_at IS NOT NULL) AS partners_signed";

pub(crate) fn from_row(row: &AnyRow) -> Result<Bulletin, sqlx::Error> {
    Ok(Bulletin {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        year: col(row, "year")?,
        number: col(row, "number")?,
        kind: parse_code(row, "kind", BulletinKind::parse)?,
        title: col(row, "title")?,
        period: col(row, "period")?,
        fraud_type: col(row, "fraud_type")?,
        body: col(row, "body")?,
        issued_by: col(row, "issued_by")?,
        issued_at: col(row, "issued_at")?,
        recipients: col(row, "recipients")?,
        signed: col(row, "signed")?,
        partners: col(row, "partners")?,
        partners_signed: col(row, "partners_signed")?,
    })
}

/// The bulletin repository.
pub struct Bulletins<'s> {
    pub(crate) store: &'s Store,
}

impl<'s> Bulletins<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Bulletins { store }
    }

    /// Issues `new` at `now`: numbered next in its unit's year (Asia/Shanghai), addressed to
    /// every unit directly below the issuer and to every partner of the kinds asked for, with
    /// its audit entry. [`StoreError::NotFound`] when the issuing unit lies outside `scope`;
    /// [`StoreError::Invalid`] for an empty title or text, a partner kind with nobody to
    /// address, or nobody to address at all.
    pub async fn issue(&self, scope: &Scope, new: &NewBulletin, now: i64) -> StoreResult<Bulletin> {
        let title = bounded_text("title", &new.title, MAX_BULLETIN_TITLE, true)?;
        let period = bounded_text("period", &new.period, MAX_BULLETIN_TITLE, false)?;
        let body = bounded_text("body", &new.body, MAX_BULLETIN_BODY, true)?;
        let unit = self.store.units().in_scope(scope, &new.unit_code).await?;
        let below = self.store.units().children(&unit.code).await?;
        if below.is_empty() && new.partners.is_empty() {
            return Err(StoreError::invalid(
                "unit_code",
                "a bulletin is addressed to the units below the issuer, and this unit has none",
            ));
        }
        let unit_scope = self.store.units().scope(&unit.code).await?;
        let year = fanzha_core::time::shanghai_date(now)
            .map(|d| i64::from(chrono::Datelike::year(&d)))
            .ok_or_else(|| StoreError::invalid("issued_at", "out of range"))?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("bulletins.begin").await?;
        let partners = resolve(&mut tx, &unit.code, &unit_scope, &new.partners).await?;
        // The next number of the year; a concurrent issue from another process meets the
        // unique key and is refused as a conflict rather than sharing a number.
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(MAX(number), 0) AS BIGINT) AS n FROM bulletins WHERE unit_code = ",
        );
        sql.arg(unit.code.as_str()).push(" AND year = ").arg(year);
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("bulletins.issue"))?;
        let number: i64 = col::<i64>(&row, "n").map_err(StoreError::query("bulletins.issue"))? + 1;
        let mut sql = Sql::new(
            "INSERT INTO bulletins (unit_code, year, number, kind, title, period, fraud_type, \
             body, issued_by, issued_at) VALUES (",
        );
        sql.arg(unit.code.as_str())
            .push(", ")
            .arg(year)
            .push(", ")
            .arg(number)
            .push(", ")
            .arg(new.kind.as_str())
            .push(", ")
            .arg(title.as_str())
            .push(", ")
            .arg(period.as_str())
            .push(", ")
            .arg(new.fraud_type.as_deref())
            .push(", ")
            .arg(body.as_str())
            .push(", ")
            .arg(new.issued_by.as_str())
            .push(", ")
            .arg(now)
            .push(") ON CONFLICT (unit_code, year, number) DO NOTHING RETURNING id");
        let id: i64 = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("bulletins.issue"))?
        {
            Some(r) => col(&r, "id").map_err(StoreError::query("bulletins.issue"))?,
            None => {
                return Err(StoreError::Conflict {
                    what: "bulletin",
                    detail: format!(
                        "number {number} of {year} was just taken by another issue: issue it again"
                    ),
                })
            }
        };
        for u in &below {
            let mut sql =
                Sql::new("INSERT INTO bulletin_recipients (bulletin_id, unit_code) VALUES (");
            sql.arg(id).push(", ").arg(u.code.as_str()).push(")");
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("bulletins.issue"))?;
        }
        for p in &partners {
            let mut sql =
                Sql::new("INSERT INTO bulletin_partners (bulletin_id, kind, code) VALUES (");
            sql.arg(id)
                .push(", ")
                .arg(p.kind.as_str())
                .push(", ")
                .arg(p.code.as_str())
                .push(")");
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("bulletins.issue"))?;
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.issued_by.clone(),
                action: "bulletin_issued".into(),
                target_type: "bulletin".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit.code.clone()),
                detail: serde_json::json!({
                    "kind": new.kind.as_str(),
                    "year": year,
                    "number": number,
                    "recipients": below.len(),
                    "partners": partners
                        .iter()
                        .map(|p| format!("{}:{}", p.kind.as_str(), p.code))
                        .collect::<Vec<_>>(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("bulletins.commit"))?;
        Ok(Bulletin {
            id,
            unit_code: unit.code,
            year,
            number,
            kind: new.kind,
            title,
            period,
            fraud_type: new.fraud_type.clone(),
            body,
            issued_by: new.issued_by.clone(),
            issued_at: now,
            recipients: below.len() as i64,
            signed: 0,
            partners: partners.len() as i64,
            partners_signed: 0,
        })
    }

    /// Bulletin `id` when `reader` may read it; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, reader: &BulletinReader, id: i64) -> StoreResult<Bulletin> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM bulletins b WHERE b.id = "));
        sql.arg(id).push(" AND ");
        reader.push_condition(&mut sql);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("bulletins.get")),
            None => Err(StoreError::NotFound {
                what: "bulletin",
                key: id.to_string(),
            }),
        }
    }

    /// The bulletins `reader` may read matching `filter`, the newest first; the page key is
    /// `"<issued_at>/<id>"`.
    pub async fn list(
        &self,
        reader: &BulletinReader,
        filter: &BulletinFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Bulletin>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM bulletins b WHERE "));
        reader.push_condition(&mut sql);
        if let Some(k) = filter.kind {
            sql.push(" AND b.kind = ").arg(k.as_str());
        }
        if filter.unsigned_only {
            sql.push(
                " AND EXISTS (SELECT 1 FROM bulletin_recipients r WHERE r.bulletin_id = b.id \
                 AND r.signed_at IS NULL AND r.unit_code = ",
            )
            .arg(reader.unit.code.as_str())
            .push(")");
        }
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "b.issued_at",
            "b.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("bulletins.list"))?;
        Ok(Page::from_overfetch(items, limit, |b| {
            format!("{}/{}", b.issued_at, b.id)
        }))
    }

    /// The recipient units of bulletin `id` (which `reader` may read) and their receipts, in
    /// unit-code order.
    pub async fn receipts(
        &self,
        reader: &BulletinReader,
        id: i64,
    ) -> StoreResult<Vec<BulletinReceipt>> {
        self.get(reader, id).await?;
        let mut sql = Sql::new(
            "SELECT unit_code, signed_by, signed_at FROM bulletin_recipients WHERE bulletin_id = ",
        );
        sql.arg(id).push(" ORDER BY unit_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.receipts"))?;
        rows.iter()
            .map(|r| {
                Ok(BulletinReceipt {
                    unit_code: col(r, "unit_code")?,
                    signed_by: col(r, "signed_by")?,
                    signed_at: col(r, "signed_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("bulletins.receipts"))
    }

    /// Signs bulletin `id` for the reader's own unit by `actor` at `now`, with its audit
    /// entry. [`StoreError::NotFound`] when the reader may not read it or its unit is not a
    /// recipient; [`StoreError::Conflict`] when the unit signed already.
    pub async fn sign(
        &self,
        reader: &BulletinReader,
        id: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<()> {
        let bulletin = self.get(reader, id).await?;
        let unit = reader.unit.code.as_str();
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("bulletins.begin").await?;
        let mut sql = Sql::new("SELECT signed_at FROM bulletin_recipients WHERE bulletin_id = ");
        sql.arg(id).push(" AND unit_code = ").arg(unit);
        let signed: Option<i64> = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("bulletins.sign"))?
        {
            Some(r) => col(&r, "signed_at").map_err(StoreError::query("bulletins.sign"))?,
            None => {
                return Err(StoreError::NotFound {
                    what: "bulletin addressed to your unit",
                    key: id.to_string(),
                })
            }
        };
        if signed.is_some() {
            return Err(StoreError::Conflict {
                what: "bulletin",
                detail: format!("your unit signed bulletin {id} already"),
            });
        }
        let mut sql = Sql::new("UPDATE bulletin_recipients SET signed_by = ");
        sql.arg(actor)
            .push(", signed_at = ")
            .arg(now)
            .push(" WHERE bulletin_id = ")
            .arg(id)
            .push(" AND unit_code = ")
            .arg(unit)
            .push(" AND signed_at IS NULL");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("bulletins.sign"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "bulletin",
                detail: format!("your unit signed bulletin {id} already"),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "bulletin_signed".into(),
                target_type: "bulletin".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit.to_string()),
                detail: serde_json::json!({
                    "issuer": bulletin.unit_code,
                    "year": bulletin.year,
                    "number": bulletin.number,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("bulletins.commit"))?;
        Ok(())
    }
}
