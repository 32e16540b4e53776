//! Aggregates for the statistics pages (统计, 工作简报), computed by the database so that the
//! figures are exact however many rows a period holds.
//!
//! - [`Statistics::loop_tally`]: the closed-loop figures of the instructions issued in a period
//!   — received, signed, contacted and closed (each with how many within the deadline),
//!   outcomes with the dissuasion channel, loss, amount saved, median minutes to sign and to
//!   first contact — for a unit in total and per unit directly below it (and its own level).
//! - [`Statistics::warnings_by_type`]: warnings per fraud type as stored.
//! - [`Statistics::monthly`]: cases, their losses and warnings per span between consecutive
//!   bounds (the month-by-month trend).
//!
//! An instruction's deadlines, step times and outcome live in its state (the JSON text of the
//! projection, `instructions.state`, as `fanzha_workflow::Instruction` serialises it:
//! `first_signed_at`, `first_contact_at`, `closed_at`, `deadlines.{sign_by,contact_by,close_by}`,
//! `outcome.kind` and `outcome.channel`); the queries read them with the dialect's JSON
//! functions. `open`, `overdue`, `loss_fen` and `saved_fen` are the projection's columns.

use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// The aggregate queries of the statistics pages.
pub struct Statistics<'s> {
    store: &'s Store,
}

impl Store {
    /// The aggregate queries of the statistics pages.
    pub fn statistics(&self) -> Statistics<'_> {
        Statistics { store: self }
    }
}

/// Closed-loop counts of a set of instructions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoopTally {
    pub instructions: i64,
    /// Not yet closed (办结).
    pub open: i64,
    /// Open with a deadline breached.
    pub overdue: i64,
    /// Signed (签收), and of those signed by the sign deadline.
    pub signed: i64,
    pub signed_in_time: i64,
    /// Reached (first contact made), and of those within the contact deadline.
    pub contacted: i64,
    pub contacted_in_time: i64,
    /// Closed, and of those by the close deadline.
    pub closed: i64,
    pub closed_in_time: i64,
    /// 劝阻成功 by channel: by phone, face to face (见面/上门), through relatives, by SMS.
    pub dissuaded_phone: i64,
    pub dissuaded_visit: i64,
    pub dissuaded_relatives: i64,
    pub dissuaded_sms: i64,
    /// 自主防范: the person had already recognised the fraud (counts as prevented).
    pub self_aware: i64,
    pub defrauded: i64,
    pub unreachable: i64,
    pub false_alarm: i64,
    pub loss_fen: i64,
    pub saved_fen: i64,
    /// Median minutes from issue to the first signature / first contact (None when none).
    pub median_sign_minutes: Option<f64>,
    pub median_contact_minutes: Option<f64>,
}

impl LoopTally {
    /// Prevented: dissuaded by any channel, or self-aware.
    pub fn dissuaded(&self) -> i64 {
        self.dissuaded_phone
            + self.dissuaded_visit
            + self.dissuaded_relatives
            + self.dissuaded_sms
            + self.self_aware
    }
}

/// [`LoopTally`] of a unit: in total, and per line — each unit directly below it (with
/// everything beneath that unit), plus the unit's own level under `None` (instructions held at
/// the unit itself). Units below without instructions have no line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoopTallies {
    pub total: LoopTally,
    pub lines: Vec<(Option<String>, LoopTally)>,
}

/// Cases, their losses and warnings in one span of a trend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrendPoint {
    pub cases: i64,
    pub loss_fen: i64,
    pub warnings: i64,
}

const CTX: &str = "statistics.loop_tally";

impl Statistics<'_> {
    /// The closed-loop figures of the instructions issued in `[from_ms, until_ms)`, held
    /// inside both `scope` and the subtree of `unit_code`, in total and per line (see
    /// [`LoopTallies`]).
    pub async fn loop_tally(
        &self,
        scope: &Scope,
        unit_code: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<LoopTallies> {
        let n = |row: &AnyRow, name: &'static str| -> StoreResult<i64> {
            Ok(col::<Option<i64>>(row, name)
                .map_err(StoreError::query(CTX))?
                .unwrap_or(0))
        };
        let sum = |cond: &str, name: &str| {
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}"
            )
        };
        let figures = [
            "COUNT(*) AS n".to_string(),
            "CAST(COALESCE(SUM(x.open), 0) AS BIGINT) AS open".to_string(),
            "CAST(COALESCE(SUM(x.overdue), 0) AS BIGINT) AS overdue".to_string(),
            sum("x.signed_at IS NOT NULL", "signed"),
            sum("x.signed_at <= x.sign_by", "signed_in_time"),
            sum("x.contact_at IS NOT NULL", "contacted"),
            sum("x.contact_at <= x.contact_by", "contacted_in_time"),
            sum("x.closed_at IS NOT NULL", "closed"),
            sum("x.closed_at <= x.close_by", "closed_in_time"),
            sum("x.outcome = 'dissuaded' AND x.channel = 'phone'", "d_phone"),
            sum("x.outcome = 'dissuaded' AND x.channel = 'visit'", "d_visit"),
            sum(
                "x.outcome = 'dissuaded' AND x.channel = 'relatives'",
                "d_relatives",
            ),
            sum("x.outcome = 'dissuaded' AND x.channel = 'sms'", "d_sms"),
            sum("x.outcome = 'self_aware'", "self_aware"),
            sum("x.outcome = 'defrauded'", "defrauded"),
            sum("x.outcome = 'unreachable'", "unreachable"),
            sum("x.outcome = 'false_alarm'", "false_alarm"),
            "CAST(COALESCE(SUM(x.loss_fen), 0) AS BIGINT) AS loss".to_string(),
            "CAST(COALESCE(SUM(x.saved_fen), 0) AS BIGINT) AS saved".to_string(),
        ]
        .join(", ");
        let mut sql = Sql::new(format!("SELECT lc.code AS line, {figures} FROM "));
        self.push_lines_from(&mut sql, scope, unit_code, from_ms, until_ms);
        sql.push(" GROUP BY lc.code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(CTX))?;
        let mut out = LoopTallies::default();
        for r in &rows {
            let t = LoopTally {
                instructions: n(r, "n")?,
                open: n(r, "open")?,
                overdue: n(r, "overdue")?,
                signed: n(r, "signed")?,
                signed_in_time: n(r, "signed_in_time")?,
                contacted: n(r, "contacted")?,
                contacted_in_time: n(r, "contacted_in_time")?,
                closed: n(r, "closed")?,
                closed_in_time: n(r, "closed_in_time")?,
                dissuaded_phone: n(r, "d_phone")?,
                dissuaded_visit: n(r, "d_visit")?,
                dissuaded_relatives: n(r, "d_relatives")?,
                dissuaded_sms: n(r, "d_sms")?,
                self_aware: n(r, "self_aware")?,
                defrauded: n(r, "defrauded")?,
                unreachable: n(r, "unreachable")?,
                false_alarm: n(r, "false_alarm")?,
                loss_fen: n(r, "loss")?,
                saved_fen: n(r, "saved")?,
                median_sign_minutes: None,
                median_contact_minutes: None,
            };
            add(&mut out.total, &t);
            let line: Option<String> = col(r, "line").map_err(StoreError::query(CTX))?;
            out.lines.push((line, t));
        }
        out.lines.sort_by(|a, b| a.0.cmp(&b.0));
        for column in ["signed_at", "contact_at"] {
            let lines = self
                .medians(scope, unit_code, from_ms, until_ms, column, true)
                .await?;
            for (line, m) in lines {
                if let Some((_, t)) = out.lines.iter_mut().find(|(l, _)| *l == line) {
                    set_median(t, column, m);
                }
            }
            let total = self
                .medians(scope, unit_code, from_ms, until_ms, column, false)
                .await?;
            if let Some((_, m)) = total.into_iter().next() {
                set_median(&mut out.total, column, m);
            }
        }
        Ok(out)
    }

    /// The instructions of the period with their step times, deadlines and outcome (`x`), the
    /// holder's unit (`hu`) and the line it is counted under (`lc`: the unit directly below
    /// `unit_code` above the holder; NULL at `unit_code` itself).
    fn push_lines_from<'a>(
        &self,
        sql: &mut Sql<'a>,
        scope: &Scope,
        unit_code: &'a str,
        from_ms: i64,
        until_ms: i64,
    ) {
        let b = self.store.backend();
        let int = |path: &[&str]| b.json_bigint("i.state", path);
        let text = |path: &[&str]| b.json_text("i.state", path);
        sql.push(&format!(
            "(SELECT i.holder_unit, i.issued_at, i.open, i.overdue, i.loss_fen, i.saved_fen, \
             {} AS signed_at, {} AS contact_at, {} AS closed_at, \
             {} AS sign_by, {} AS contact_by, {} AS close_by, \
             {} AS outcome, {} AS channel FROM instructions i WHERE ",
            int(&["first_signed_at"]),
            int(&["first_contact_at"]),
            int(&["closed_at"]),
            int(&["deadlines", "sign_by"]),
            int(&["deadlines", "contact_by"]),
            int(&["deadlines", "close_by"]),
            text(&["outcome", "kind"]),
            text(&["outcome", "channel"]),
        ));
        scope.push_condition(sql, "i.holder_unit");
        sql.push(" AND i.issued_at >= ")
            .arg(from_ms)
            .push(" AND i.issued_at < ")
            .arg(until_ms)
            .push(
                ") x JOIN org_units hu ON hu.code = x.holder_unit \
                 JOIN org_units tu ON tu.code = ",
            )
            .arg(unit_code)
            .push(
                " AND hu.path >= tu.path \
                 AND hu.path < substr(tu.path, 1, length(tu.path) - 1) || '0' \
                 LEFT JOIN org_units lc ON lc.parent_code = tu.code \
                 AND hu.path >= lc.path \
                 AND hu.path < substr(lc.path, 1, length(lc.path) - 1) || '0'",
            );
    }

    /// The median, in minutes, of `column − issued_at` over the instructions where `column`
    /// is set: per line, or over all (one entry, line None).
    async fn medians(
        &self,
        scope: &Scope,
        unit_code: &str,
        from_ms: i64,
        until_ms: i64,
        column: &str,
        per_line: bool,
    ) -> StoreResult<Vec<(Option<String>, f64)>> {
        let line = if per_line { "lc.code" } else { "NULL" };
        // The middle one or two values of each line's ordered delays, averaged.
        let mut sql = Sql::new(format!(
            "SELECT z.line, CAST(SUM(z.d) AS BIGINT) AS s, COUNT(*) AS k FROM (\
             SELECT y.line, y.d, ROW_NUMBER() OVER (PARTITION BY y.line ORDER BY y.d) AS rn, \
             COUNT(*) OVER (PARTITION BY y.line) AS cnt FROM (\
             SELECT {line} AS line, x.{column} - x.issued_at AS d FROM "
        ));
        self.push_lines_from(&mut sql, scope, unit_code, from_ms, until_ms);
        sql.push(&format!(
            " WHERE x.{column} IS NOT NULL) y) z \
             WHERE z.rn = (z.cnt + 1) / 2 OR z.rn = (z.cnt + 2) / 2 GROUP BY z.line"
        ));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("statistics.medians"))?;
        rows.iter()
            .map(|r| {
                let s: i64 = col(r, "s")?;
                let k: i64 = col(r, "k")?;
                let line: Option<String> = col(r, "line")?;
                Ok((line, s as f64 / k.max(1) as f64 / 60_000.0))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("statistics.medians"))
    }

    /// Warnings detected in `[from_ms, until_ms)` inside the scope, per fraud type as stored
    /// (None: untyped), in no particular order.
    pub async fn warnings_by_type(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<(Option<String>, i64)>> {
        let mut sql = Sql::new("SELECT w.fraud_type, COUNT(*) AS n FROM warnings w WHERE ");
        scope.push_condition(&mut sql, "w.unit_code");
        sql.push(" AND w.detected_at >= ")
            .arg(from_ms)
            .push(" AND w.detected_at < ")
            .arg(until_ms)
            .push(" GROUP BY w.fraud_type");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("statistics.warnings_by_type"))?;
        rows.iter()
            .map(|r| Ok((col(r, "fraud_type")?, col(r, "n")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("statistics.warnings_by_type"))
    }

    /// Cases reported (with their losses) and warnings detected inside the scope, per span
    /// `[bounds[k], bounds[k + 1])`: one point per span, in order. `bounds` must ascend.
    pub async fn monthly(&self, scope: &Scope, bounds: &[i64]) -> StoreResult<Vec<TrendPoint>> {
        let spans = bounds.len().saturating_sub(1);
        let mut out = vec![TrendPoint::default(); spans];
        if spans == 0 {
            return Ok(out);
        }
        for (table, at, with_loss) in [
            ("cases", "reported_at", true),
            ("warnings", "detected_at", false),
        ] {
            let mut sql = Sql::new("SELECT b.k, COUNT(*) AS n");
            if with_loss {
                sql.push(", CAST(COALESCE(SUM(b.loss_fen), 0) AS BIGINT) AS loss");
            }
            sql.push(" FROM (SELECT CASE");
            for (k, end) in bounds[1..].iter().enumerate() {
                sql.push(&format!(" WHEN t.{at} < "))
                    .arg(*end)
                    .push(&format!(" THEN CAST({k} AS BIGINT)"));
            }
            sql.push(" END AS k");
            if with_loss {
                sql.push(", t.loss_fen");
            }
            sql.push(&format!(" FROM {table} t WHERE "));
            scope.push_condition(&mut sql, "t.unit_code");
            sql.push(&format!(" AND t.{at} >= "))
                .arg(bounds[0])
                .push(&format!(" AND t.{at} < "))
                .arg(bounds[spans])
                .push(") b GROUP BY b.k");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("statistics.monthly"))?;
            for r in &rows {
                let k: Option<i64> =
                    col(r, "k").map_err(StoreError::query("statistics.monthly"))?;
                let n: i64 = col(r, "n").map_err(StoreError::query("statistics.monthly"))?;
                let Some(p) = k
                    .and_then(|k| usize::try_from(k).ok())
                    .and_then(|k| out.get_mut(k))
                else {
                    continue;
                };
                if with_loss {
                    p.cases = n;
                    p.loss_fen = col::<Option<i64>>(r, "loss")
                        .map_err(StoreError::query("statistics.monthly"))?
                        .unwrap_or(0);
                } else {
                    p.warnings = n;
                }
            }
        }
        Ok(out)
    }
}

fn set_median(t: &mut LoopTally, column: &str, minutes: f64) {
    if column == "signed_at" {
        t.median_sign_minutes = Some(minutes);
    } else {
        t.median_contact_minutes = Some(minutes);
    }
}

fn add(total: &mut LoopTally, t: &LoopTally) {
    total.instructions += t.instructions;
    total.open += t.open;
    total.overdue += t.overdue;
    total.signed += t.signed;
    total.signed_in_time += t.signed_in_time;
    total.contacted += t.contacted;
    total.contacted_in_time += t.contacted_in_time;
    total.closed += t.closed;
    total.closed_in_time += t.closed_in_time;
    total.dissuaded_phone += t.dissuaded_phone;
    total.dissuaded_visit += t.dissuaded_visit;
    total.dissuaded_relatives += t.dissuaded_relatives;
    total.dissuaded_sms += t.dissuaded_sms;
    total.self_aware += t.self_aware;
    total.defrauded += t.defrauded;
    total.unreachable += t.unreachable;
    total.false_alarm += t.false_alarm;
    total.loss_fen += t.loss_fen;
    total.saved_fen += t.saved_fen;
}
