//! 带破外地案件 and 上级下发线索破案: fraud cases a unit of one's area solved that are not the
//! area's own reported cases — another area's case cracked while working a local one, or a lead
//! sent down by the provincial or national center. The bureaus count them with their own solved
//! cases ("共破获涉电诈类案件179起（包括上级下发线索及带破外地案件），破案率416.27%"): the
//! register keeps each once per kind and reference, and the period's tally feeds 打击成效.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::enforcement::text_ok;
use crate::error::{StoreError, StoreResult};
use crate::field::parse_code;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;

code_enum! {
    /// Where a case solved outside the area's own came from.
    SolvedElsewhereKind {
        /// 上级下发线索: a lead the provincial or national center sent down.
        UpstreamLead => "upstream_lead", "上级下发线索", "Lead sent down";
        /// 带破外地案件: another area's case solved along the way.
        OtherArea => "other_area", "带破外地案件", "Another area's case";
    }
}

/// The longest reference (the other area's case number, the lead's number).
pub const MAX_SOLVED_REFERENCE: usize = 64;
/// The longest origin (发案地 / 下发单位) and note.
pub const MAX_SOLVED_ORIGIN: usize = 100;
pub const MAX_SOLVED_NOTE: usize = 500;
/// The most entries one list reads: a period holding more is refused (narrow it).
pub const MAX_SOLVED_LISTED: i64 = 5_000;

/// An entry as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSolvedElsewhere {
    /// The solving unit: one's own or one below.
    pub unit_code: String,
    pub kind: SolvedElsewhereKind,
    pub reference: String,
    /// 发案地 of another area's case, or the unit that sent the lead down.
    pub origin: String,
    /// A fraud-type code, when known.
    pub fraud_type: Option<String>,
    pub loss_fen: i64,
    /// The day solved (epoch ms of its Shanghai midnight).
    pub solved_on: i64,
    pub note: String,
    pub created_by: String,
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SolvedElsewhere {
    pub id: i64,
    pub unit_code: String,
    pub kind: SolvedElsewhereKind,
    pub reference: String,
    pub origin: String,
    pub fraud_type: Option<String>,
    pub loss_fen: i64,
    pub solved_on: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// A period's entries per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SolvedElsewhereTally {
    pub upstream_leads: i64,
    pub other_areas: i64,
}

impl SolvedElsewhereTally {
    pub fn total(&self) -> i64 {
        self.upstream_leads + self.other_areas
    }
}

/// The register of cases solved outside the area's own.
pub struct SolvedElsewhereCases<'s> {
    store: &'s Store,
}

impl<'s> SolvedElsewhereCases<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        SolvedElsewhereCases { store }
    }

    /// Records an entry for a unit inside the scope; audited `solved_elsewhere_recorded` in the
    /// same transaction. The same kind and reference twice is a [`StoreError::Conflict`].
    pub async fn record(
        &self,
        scope: &Scope,
        e: &NewSolvedElsewhere,
        now: i64,
    ) -> StoreResult<i64> {
        let reference = text_ok("reference", &e.reference, MAX_SOLVED_REFERENCE, true)?;
        let origin = text_ok("origin", &e.origin, MAX_SOLVED_ORIGIN, true)?;
        let note = text_ok("note", &e.note, MAX_SOLVED_NOTE, false)?;
        if e.loss_fen < 0 {
            return Err(StoreError::invalid("loss_fen", "not below zero"));
        }
        if e.solved_on > now {
            return Err(StoreError::invalid(
                "solved_on",
                "must not be in the future",
            ));
        }
        self.store.units().in_scope(scope, &e.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("solved_elsewhere.begin").await?;
        let ctx = "solved_elsewhere.record";
        let mut sql = Sql::new(
            "INSERT INTO solved_elsewhere (unit_code, kind, reference, origin, fraud_type, \
             loss_fen, solved_on, note, created_by, created_at) VALUES (",
        );
        sql.args([e.unit_code.as_str(), e.kind.as_str(), &reference, &origin])
            .push(", ")
            .arg(e.fraud_type.as_deref())
            .push(", ")
            .arg(e.loss_fen)
            .push(", ")
            .arg(e.solved_on)
            .push(", ")
            .args([note.as_str(), e.created_by.as_str()])
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
                actor: e.created_by.clone(),
                action: "solved_elsewhere_recorded".into(),
                target_type: "solved_elsewhere".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(e.unit_code.clone()),
                detail: serde_json::json!({
                    "kind": e.kind.as_str(),
                    "reference": reference,
                    "origin": origin,
                    "solved_on": e.solved_on,
                    "loss_fen": e.loss_fen,
                }),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::query(ctx))?;
        Ok(id)
    }

    /// The entries of units inside the scope solved in `[from, until)`, the latest first; at
    /// most `limit + 1`, so that the caller can tell a period holding more.
    pub async fn list(
        &self,
        scope: &Scope,
        (from, until): (i64, i64),
        limit: i64,
    ) -> StoreResult<Vec<SolvedElsewhere>> {
        let mut sql = Sql::new(
            "SELECT id, unit_code, kind, reference, origin, fraud_type, loss_fen, solved_on, \
             note, created_by, created_at FROM solved_elsewhere s WHERE ",
        );
        scope.push_condition(&mut sql, "s.unit_code");
        sql.push(" AND s.solved_on >= ")
            .arg(from)
            .push(" AND s.solved_on < ")
            .arg(until)
            .push(" ORDER BY s.solved_on DESC, s.id DESC LIMIT ")
            .arg(limit.clamp(0, MAX_SOLVED_LISTED) + 1);
        let ctx = "solved_elsewhere.list";
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        rows.iter()
            .map(|r| {
                Ok(SolvedElsewhere {
                    id: col(r, "id")?,
                    unit_code: col(r, "unit_code")?,
                    kind: parse_code(r, "kind", SolvedElsewhereKind::parse)?,
                    reference: col(r, "reference")?,
                    origin: col(r, "origin")?,
                    fraud_type: col(r, "fraud_type")?,
                    loss_fen: col(r, "loss_fen")?,
                    solved_on: col(r, "solved_on")?,
                    note: col(r, "note")?,
                    created_by: col(r, "created_by")?,
                    created_at: col(r, "created_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(ctx))
    }

    /// The entries of units inside the scope solved in `[from, until)`, per kind.
    pub async fn tally(
        &self,
        scope: &Scope,
        (from, until): (i64, i64),
    ) -> StoreResult<SolvedElsewhereTally> {
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'upstream_lead' THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS leads, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'other_area' THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS others FROM solved_elsewhere s WHERE ",
        );
        scope.push_condition(&mut sql, "s.unit_code");
        sql.push(" AND s.solved_on >= ")
            .arg(from)
            .push(" AND s.solved_on < ")
            .arg(until);
        let ctx = "solved_elsewhere.tally";
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        Ok(SolvedElsewhereTally {
            upstream_leads: col(&row, "leads").map_err(StoreError::query(ctx))?,
            other_areas: col(&row, "others").map_err(StoreError::query(ctx))?,
        })
    }
}
