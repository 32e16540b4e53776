//! An analysis group's figures over a period: the counts the statistics, enforcement and
//! stop-payment pages already compute for an area ([`crate::Enforcement::figures`],
//! [`crate::StopPayments::fund_figures`], the closed loop's 二次研判), with the same
//! definitions, restricted to the group's fraud types in its unit's subtree (and the reader's
//! scope).

use crate::analysis_groups::{AnalysisGroup, AnalysisGroups};
use crate::enforcement::{MEASURES_IN_SCOPE, PERSON};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::stop_payments::FundFigures;
use sqlx::any::AnyRow;

/// A group's figures over `[from, to)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroupFigures {
    /// Cases of the group's types reported in the period.
    pub cases: i64,
    /// Their losses.
    pub loss_fen: i64,
    /// Of those cases, solved (whenever): 破案数.
    pub solved: i64,
    /// Of those cases, dropped or not filed.
    pub dropped: i64,
    /// 追赃 on those cases.
    pub recovered_fen: i64,
    /// 抓获: people with a measure taken in the period on a case of the types, each once.
    pub people_caught: i64,
    /// The stop-payments of those cases by what became of them.
    pub funds: FundFigures,
    /// Warnings of the types detected in the period.
    pub warnings: i64,
    /// 二次研判 decided in the period on instructions of the types: passed and pushed down.
    pub review_approved: i64,
    /// … and found no fraud (误报).
    pub review_rejected: i64,
    /// Instructions of the types waiting for 二次研判 now (whenever issued).
    pub pending_review: i64,
}

impl GroupFigures {
    /// 在侦: the period's cases neither solved nor dropped.
    pub fn open_investigations(&self) -> i64 {
        self.cases - self.solved - self.dropped
    }

    /// 破案率: solved over the cases reported; `None` without cases.
    pub fn solve_rate(&self) -> Option<f64> {
        (self.cases > 0).then(|| self.solved as f64 / self.cases as f64)
    }
}

impl AnalysisGroups<'_> {
    /// The group's figures over `[from, to)`: its types, in its unit's subtree, inside
    /// `scope`. Six aggregate queries.
    pub async fn figures(
        &self,
        scope: &Scope,
        group: &AnalysisGroup,
        from: i64,
        to: i64,
    ) -> StoreResult<GroupFigures> {
        let ctx = "analysis_groups.figures";
        let store = self.store();
        let (lo, hi) = self.unit_range(group).await?;
        let labels = group.type_labels();
        let n = |row: &AnyRow, name: &'static str| -> StoreResult<i64> {
            Ok(col::<Option<i64>>(row, name)
                .map_err(StoreError::query(ctx))?
                .unwrap_or(0))
        };
        // The area: the reader's scope and the group's subtree, on the given unit column.
        let area = |sql: &mut Sql<'_>, column: &str| {
            scope.push_condition(sql, column);
            sql.push(&format!(
                " AND {column} IN (SELECT code FROM org_units WHERE path >= "
            ))
            .arg(lo.clone())
            .push(" AND path < ")
            .arg(hi.clone())
            .push(")");
        };
        let of_types = |sql: &mut Sql<'_>, column: &str| {
            sql.push(&format!(" AND {column} IN ("))
                .args(labels.iter().cloned())
                .push(")");
        };
        let in_period = |sql: &mut Sql<'_>, column: &str| {
            sql.push(&format!(" AND {column} >= "))
                .arg(from)
                .push(&format!(" AND {column} < "))
                .arg(to);
        };

        let mut sql = Sql::new(
            "SELECT COUNT(*) AS cases, \
             CAST(COALESCE(SUM(CASE WHEN e.status = 'solved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved, \
             CAST(COALESCE(SUM(CASE WHEN e.status = 'dropped' THEN 1 ELSE 0 END), 0) AS BIGINT) AS dropped, \
             CAST(COALESCE(SUM(c.loss_fen), 0) AS BIGINT) AS loss, \
             CAST(COALESCE(SUM(e.recovered_fen), 0) AS BIGINT) AS recovered \
             FROM cases c LEFT JOIN case_enforcement e ON e.case_id = c.id WHERE ",
        );
        area(&mut sql, "c.unit_code");
        of_types(&mut sql, "c.fraud_type");
        in_period(&mut sql, "c.reported_at");
        let row = sql
            .query()
            .fetch_one(store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut f = GroupFigures {
            cases: n(&row, "cases")?,
            solved: n(&row, "solved")?,
            dropped: n(&row, "dropped")?,
            loss_fen: n(&row, "loss")?,
            recovered_fen: n(&row, "recovered")?,
            ..GroupFigures::default()
        };

        let mut sql = Sql::new(format!(
            "SELECT COUNT(DISTINCT {PERSON}) AS n {MEASURES_IN_SCOPE}"
        ));
        area(&mut sql, "c.unit_code");
        of_types(&mut sql, "c.fraud_type");
        in_period(&mut sql, "m.measure_at");
        let row = sql
            .query()
            .fetch_one(store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.people_caught = n(&row, "n")?;

        let mut sql = Sql::new(
            "SELECT s.state, COUNT(*) AS n, CAST(SUM(s.requested_fen) AS BIGINT) AS requested, \
             CAST(SUM(s.held_fen) AS BIGINT) AS held FROM stop_payments s \
             JOIN cases c ON c.id = s.case_id WHERE ",
        );
        area(&mut sql, "s.unit_code");
        of_types(&mut sql, "c.fraud_type");
        in_period(&mut sql, "c.reported_at");
        sql.push(" GROUP BY s.state");
        for r in sql
            .query()
            .fetch_all(store.pool())
            .await
            .map_err(StoreError::query(ctx))?
        {
            let state: String = col(&r, "state").map_err(StoreError::query(ctx))?;
            f.funds
                .add(&state, n(&r, "n")?, n(&r, "requested")?, n(&r, "held")?);
        }

        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM warnings w WHERE ");
        area(&mut sql, "w.unit_code");
        of_types(&mut sql, "w.fraud_type");
        in_period(&mut sql, "w.detected_at");
        let row = sql
            .query()
            .fetch_one(store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.warnings = n(&row, "n")?;

        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(CASE WHEN ev.action = 'review_approved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS approved, \
             CAST(COALESCE(SUM(CASE WHEN ev.action = 'review_rejected' THEN 1 ELSE 0 END), 0) AS BIGINT) AS rejected \
             FROM instruction_events ev JOIN instructions i ON i.id = ev.instruction_id \
             WHERE ev.action IN ('review_approved', 'review_rejected') AND ",
        );
        area(&mut sql, "i.holder_unit");
        of_types(&mut sql, "i.fraud_type");
        in_period(&mut sql, "ev.at");
        let row = sql
            .query()
            .fetch_one(store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.review_approved = n(&row, "approved")?;
        f.review_rejected = n(&row, "rejected")?;

        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n FROM instructions i WHERE i.status = 'pending_review' AND ",
        );
        area(&mut sql, "i.holder_unit");
        of_types(&mut sql, "i.fraud_type");
        let row = sql
            .query()
            .fetch_one(store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.pending_review = n(&row, "n")?;
        Ok(f)
    }
}
