//! 涉诈号码处置 (通讯反制): requests to a telecom operator to shut down (关停), bar outgoing calls
//! on (限制呼出) or intercept (拦截) a number used for fraud, and the operator's answer.
//!
//! A request comes from the center or a unit — from a warning's suspect numbers, a case's
//! fraud numbers, or typed in — and is due 2 hours later (30 minutes when urgent). It is
//! addressed to the operator whose network carries the number (a virtual operator's number to
//! the network it resells), or, for an overseas or unknown number, to the operator the police
//! choose. The operator's liaison answers: executed (with the registered holder, 实名登记, when
//! the operator gives it — personal data, masked in lists) or not possible and why. Police
//! withdraw a request they no longer need.
//!
//! Police read the requests of their org subtree (by requesting unit); a liaison reads only
//! those addressed to their operator — the choice is a [`DisposalViewer`], so no query runs
//! without one. One request per number may be pending. Every write names the version it read
//! and writes its audit entry in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::pending::{Close, Read};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_core::reference::Carrier;
use fanzha_core::{PhoneKind, PhoneNumber};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Minutes an operator has to answer a request.
pub const DISPOSAL_MINUTES: i64 = 120;
/// Minutes for an urgent request (a victim on the line now).
pub const URGENT_DISPOSAL_MINUTES: i64 = 30;
/// The longest reason or note kept (characters).
pub const MAX_DISPOSAL_TEXT: usize = 1000;
const MINUTE_MS: i64 = 60_000;

code_enum! {
    /// A network operator (基础电信运营商); virtual operators answer through the network they
    /// resell.
    Operator {
        ChinaMobile => "china_mobile", "中国移动", "China Mobile";
        ChinaUnicom => "china_unicom", "中国联通", "China Unicom";
        ChinaTelecom => "china_telecom", "中国电信", "China Telecom";
        ChinaBroadnet => "china_broadnet", "中国广电", "China Broadnet";
    }
}

impl Operator {
    /// The operator whose network carries numbers of `carrier`.
    pub fn of_carrier(carrier: Carrier) -> Operator {
        Operator::parse(carrier.operator_code()).unwrap_or(Operator::ChinaMobile)
    }
}

code_enum! {
    /// What the operator is asked to do.
    DisposalMeasure {
        /// 关停 (停机): the line is suspended.
        Shutdown => "shutdown", "关停", "Shut down";
        /// 限制呼出: no outgoing calls or messages; the line stays reachable.
        RestrictOutgoing => "restrict_outgoing", "限制呼出", "Bar outgoing";
        /// 拦截: calls and messages from the number are blocked in the network (for overseas
        /// and spoofed numbers no domestic operator can suspend).
        Intercept => "intercept", "拦截", "Intercept";
    }
}

code_enum! {
    /// Where a request stands.
    DisposalState {
        Pending => "pending", "待处置", "Pending";
        Executed => "executed", "已处置", "Executed";
        Failed => "failed", "无法处置", "Not possible";
        Withdrawn => "withdrawn", "已撤回", "Withdrawn";
    }
}

/// Who reads requests.
#[derive(Clone, Debug)]
pub enum DisposalViewer {
    /// Police: the requests of units inside the subtree.
    Police(Scope),
    /// An operator's liaison: the requests addressed to that operator.
    Operator(Operator),
}

/// A request to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNumberDisposal {
    /// As typed or found in evidence; stored in its canonical form.
    pub number: String,
    /// `None`: the operator of the number's segment (required for overseas, fixed-line and
    /// service numbers, which the segment table does not place).
    pub operator: Option<Operator>,
    pub measure: DisposalMeasure,
    /// Why (what the number did), for the operator.
    pub reason: String,
    pub warning_id: Option<String>,
    pub case_id: Option<String>,
    /// The requesting unit (inside the requester's scope).
    pub unit_code: String,
    /// Due in 30 minutes instead of 2 hours.
    pub urgent: bool,
}

/// A stored request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NumberDisposal {
    pub id: i64,
    /// Canonical (`13800138000`, `0574-87654321`, `+85291234567`).
    pub number: String,
    /// [`PhoneKind::as_str`] of the number.
    pub number_kind: String,
    pub operator: Operator,
    pub measure: DisposalMeasure,
    pub reason: String,
    pub warning_id: Option<String>,
    pub case_id: Option<String>,
    pub unit_code: String,
    pub urgent: bool,
    pub requested_by: String,
    pub requested_at: i64,
    pub deadline: i64,
    pub state: DisposalState,
    /// The operator's note, or why police withdrew it.
    pub answer_note: String,
    /// The registered holder (实名登记) as the operator gave it.
    pub holder_name: Option<String>,
    pub holder_id: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub version: i64,
}

impl NumberDisposal {
    /// Still pending after its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.state == DisposalState::Pending && self.deadline < now
    }

    /// Executed by its deadline.
    pub fn on_time(&self) -> bool {
        self.state == DisposalState::Executed
            && self.answered_at.is_some_and(|a| a <= self.deadline)
    }
}

/// The operator's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisposalAnswer {
    /// Done; the registered holder when the operator gives it.
    Executed {
        holder_name: Option<String>,
        holder_id: Option<String>,
    },
    /// Not possible (a note says why: number not ours, already cancelled, …).
    Failed,
}

/// Which requests to list or count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DisposalFilter {
    pub state: Option<DisposalState>,
    pub operator: Option<Operator>,
    pub measure: Option<DisposalMeasure>,
    /// Only requests still pending after their deadline.
    pub overdue: bool,
    /// One number's requests (canonical form).
    pub number: Option<String>,
}

/// Counts of one operator's (or all) requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DisposalCounts {
    pub requested: i64,
    pub executed: i64,
    /// Executed by the deadline.
    pub on_time: i64,
    pub failed: i64,
    pub pending: i64,
    /// Pending past the deadline.
    pub overdue: i64,
    pub withdrawn: i64,
}

impl DisposalCounts {
    /// 按时处置率: executed on time ÷ requests that were due (answered, or pending past the
    /// deadline; withdrawn ones left out); `None` before any was due.
    pub fn on_time_rate(&self) -> Option<f64> {
        let due = self.executed + self.failed + self.overdue;
        (due > 0).then(|| self.on_time as f64 / due as f64)
    }

    fn add(&mut self, state: &str, late: bool, on_time: bool, n: i64) {
        self.requested += n;
        match DisposalState::parse(state) {
            Some(DisposalState::Pending) => {
                self.pending += n;
                if late {
                    self.overdue += n;
                }
            }
            Some(DisposalState::Executed) => {
                self.executed += n;
                if on_time {
                    self.on_time += n;
                }
            }
            Some(DisposalState::Failed) => self.failed += n,
            Some(DisposalState::Withdrawn) => self.withdrawn += n,
            None => {}
        }
    }
}

/// Figures over what a viewer reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DisposalFigures {
    pub all: DisposalCounts,
    pub by_operator: BTreeMap<Operator, DisposalCounts>,
    pub by_measure: BTreeMap<DisposalMeasure, DisposalCounts>,
}

const COLUMNS: &str = "d.id, d.number, d.number_kind, d.operator, d.measure, d.reason, \
     d.warning_id, d.case_id, d.unit_code, d.urgent, d.requested_by, d.requested_at, d.deadline, \
     d.state, d.answer_note, d.holder_name, d.holder_id, d.answered_by, d.answered_at, d.version";

fn from_row(row: &AnyRow) -> Result<NumberDisposal, sqlx::Error> {
    let urgent: i64 = col(row, "urgent")?;
    Ok(NumberDisposal {
        id: col(row, "id")?,
        number: col(row, "number")?,
        number_kind: col(row, "number_kind")?,
        operator: parse_code(row, "operator", Operator::parse)?,
        measure: parse_code(row, "measure", DisposalMeasure::parse)?,
        reason: col(row, "reason")?,
        warning_id: col(row, "warning_id")?,
        case_id: col(row, "case_id")?,
        unit_code: col(row, "unit_code")?,
        urgent: urgent == 1,
        requested_by: col(row, "requested_by")?,
        requested_at: col(row, "requested_at")?,
        deadline: col(row, "deadline")?,
        state: parse_code(row, "state", DisposalState::parse)?,
        answer_note: col(row, "answer_note")?,
        holder_name: col(row, "holder_name")?,
        holder_id: col(row, "holder_id")?,
        answered_by: col(row, "answered_by")?,
        answered_at: col(row, "answered_at")?,
        version: col(row, "version")?,
    })
}

fn push_viewer(sql: &mut Sql<'_>, viewer: &DisposalViewer) {
    match viewer {
        DisposalViewer::Police(scope) => scope.push_condition(sql, "d.unit_code"),
        DisposalViewer::Operator(op) => {
            sql.push("d.operator = ").arg(op.as_str());
        }
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &DisposalFilter, now: i64) {
    if let Some(s) = f.state {
        sql.push(" AND d.state = ").arg(s.as_str());
    }
    if let Some(o) = f.operator {
        sql.push(" AND d.operator = ").arg(o.as_str());
    }
    if let Some(m) = f.measure {
        sql.push(" AND d.measure = ").arg(m.as_str());
    }
    if f.overdue {
        sql.push(" AND d.state = 'pending' AND d.deadline < ")
            .arg(now);
    }
    if let Some(n) = &f.number {
        sql.push(" AND d.number = ").arg(n.clone());
    }
}

fn text(field: &'static str, value: &str, required: bool) -> StoreResult<String> {
    bounded_text(field, value, MAX_DISPOSAL_TEXT, required)
}

fn optional(field: &'static str, value: Option<&str>) -> StoreResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => text(field, v, true).map(Some),
        None => Ok(None),
    }
}

/// The number's canonical form, kind and the operator the request goes to; only interception
/// for an overseas number.
fn place(
    number: &str,
    measure: DisposalMeasure,
    chosen: Option<Operator>,
) -> StoreResult<(String, PhoneKind, Operator)> {
    let parsed = PhoneNumber::parse(number)
        .map_err(|e| StoreError::invalid("number", format!("`{}`: {e}", number.trim())))?;
    if parsed.kind() == PhoneKind::Overseas && measure != DisposalMeasure::Intercept {
        return Err(StoreError::invalid(
            "measure",
            format!(
                "{} is an overseas number: only interception (拦截) is possible",
                parsed.canonical()
            ),
        ));
    }
    let operator = match (chosen, parsed.carrier()) {
        (Some(op), _) => op,
        (None, Some(carrier)) => Operator::of_carrier(carrier),
        (None, None) => {
            return Err(StoreError::invalid(
                "operator",
                format!(
                    "no operator is known for {} ({}): choose the operator to address",
                    parsed.canonical(),
                    parsed.kind().as_str()
                ),
            ))
        }
    };
    Ok((parsed.canonical(), parsed.kind(), operator))
}

/// The number-disposal repository.
pub struct NumberDisposals<'s> {
    store: &'s Store,
}

impl<'s> NumberDisposals<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        NumberDisposals { store }
    }

    /// Records a request by `actor` at `at` for a unit inside `scope`, with its audit entry,
    /// and returns it. [`StoreError::Invalid`] for a number that does not parse, a measure the
    /// number cannot take (only interception for overseas numbers), an empty reason or no
    /// operator for a number the segment table does not place; [`StoreError::NotFound`] for a
    /// unit, warning or case outside `scope`; [`StoreError::Conflict`] while a request for the
    /// number is pending.
    pub async fn request(
        &self,
        scope: &Scope,
        new: &NewNumberDisposal,
        actor: &str,
        at: i64,
    ) -> StoreResult<NumberDisposal> {
        let (number, kind, operator) = place(&new.number, new.measure, new.operator)?;
        let reason = text("reason", &new.reason, true)?;
        let warning_id = optional("warning_id", new.warning_id.as_deref())?;
        let case_id = optional("case_id", new.case_id.as_deref())?;
        self.store.units().in_scope(scope, &new.unit_code).await?;
        if let Some(w) = &warning_id {
            self.linked_in_scope(scope, "warnings", "warning", w)
                .await?;
        }
        if let Some(c) = &case_id {
            self.linked_in_scope(scope, "cases", "case", c).await?;
        }
        let minutes = if new.urgent {
            URGENT_DISPOSAL_MINUTES
        } else {
            DISPOSAL_MINUTES
        };
        let deadline = at.saturating_add(minutes * MINUTE_MS);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("number_disposals.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO number_disposals (number, number_kind, operator, measure, reason, \
             warning_id, case_id, unit_code, urgent, requested_by, requested_at, deadline, state) \
             VALUES (",
        );
        sql.arg(number.as_str())
            .push(", ")
            .arg(kind.as_str())
            .push(", ")
            .arg(operator.as_str())
            .push(", ")
            .arg(new.measure.as_str())
            .push(", ")
            .arg(reason.as_str())
            .push(", ")
            .arg(warning_id.as_deref())
            .push(", ")
            .arg(case_id.as_deref())
            .push(", ")
            .arg(new.unit_code.as_str())
            .push(", ")
            .arg(i64::from(new.urgent))
            .push(", ")
            .arg(actor)
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(deadline)
            .push(", 'pending') RETURNING id");
        let row = sql.query().fetch_one(&mut *tx).await.map_err(|e| {
            match StoreError::query("number_disposals.request")(e) {
                StoreError::Conflict { .. } => StoreError::Conflict {
                    what: "number disposal",
                    detail: format!("a request for {number} is pending already"),
                },
                other => other,
            }
        })?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("number_disposals.request"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "number_disposal_requested".into(),
                target_type: "number_disposal".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(new.unit_code.clone()),
                detail: serde_json::json!({
                    "operator": operator.as_str(),
                    "measure": new.measure.as_str(),
                    "urgent": new.urgent,
                    "warning_id": warning_id,
                    "case_id": case_id,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("number_disposals.commit"))?;
        Ok(NumberDisposal {
            id,
            number,
            number_kind: kind.as_str().to_string(),
            operator,
            measure: new.measure,
            reason,
            warning_id,
            case_id,
            unit_code: new.unit_code.clone(),
            urgent: new.urgent,
            requested_by: actor.to_string(),
            requested_at: at,
            deadline,
            state: DisposalState::Pending,
            answer_note: String::new(),
            holder_name: None,
            holder_id: None,
            answered_by: None,
            answered_at: None,
            version: 1,
        })
    }

    /// [`StoreError::NotFound`] unless row `id` of `table` exists with its unit inside `scope`.
    async fn linked_in_scope(
        &self,
        scope: &Scope,
        table: &'static str,
        what: &'static str,
        id: &str,
    ) -> StoreResult<()> {
        let mut sql = Sql::new(format!("SELECT t.id AS id FROM {table} t WHERE "));
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" AND t.id = ").arg(id);
        let found = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("number_disposals.linked"))?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound {
                what,
                key: id.to_string(),
            }),
        }
    }

    /// Request `id` when `viewer` reads it; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, viewer: &DisposalViewer, id: i64) -> StoreResult<NumberDisposal> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM number_disposals d WHERE "));
        push_viewer(&mut sql, viewer);
        sql.push(" AND d.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("number_disposals.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("number_disposals.get")),
            None => Err(StoreError::NotFound {
                what: "number disposal",
                key: id.to_string(),
            }),
        }
    }

    /// Requests `viewer` reads matching `filter` (overdue as of `now`), the latest first; the
    /// page key is `"<requested_at>/<id>"`.
    pub async fn list(
        &self,
        viewer: &DisposalViewer,
        filter: &DisposalFilter,
        page: &PageRequest,
        now: i64,
    ) -> StoreResult<Page<NumberDisposal>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM number_disposals d WHERE "));
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, now);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "d.requested_at",
            "d.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("number_disposals.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("number_disposals.list"))?;
        Ok(Page::from_overfetch(items, limit, |d| {
            format!("{}/{}", d.requested_at, d.id)
        }))
    }

    /// How many requests [`NumberDisposals::list`] would give in all.
    pub async fn count(
        &self,
        viewer: &DisposalViewer,
        filter: &DisposalFilter,
        now: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM number_disposals d WHERE ");
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, now);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("number_disposals.count"))?;
        col(&row, "n").map_err(StoreError::query("number_disposals.count"))
    }

    /// Records `operator`'s answer to request `id` (read at `version`) by `actor` at `at`,
    /// with its audit entry. A note is required when it was not possible; a holder's name or
    /// ID number only with an execution. [`StoreError::NotFound`] for another operator's
    /// request; [`StoreError::Conflict`] when it is no longer pending or moved past `version`.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer(
        &self,
        operator: Operator,
        id: i64,
        version: i64,
        answer: &DisposalAnswer,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<NumberDisposal> {
        let (state, holder_name, holder_id) = match answer {
            DisposalAnswer::Executed {
                holder_name,
                holder_id,
            } => (
                DisposalState::Executed,
                optional("holder_name", holder_name.as_deref())?,
                optional("holder_id", holder_id.as_deref())?,
            ),
            DisposalAnswer::Failed => (DisposalState::Failed, None, None),
        };
        let note = text("note", note, state == DisposalState::Failed)?;
        let current = self.get(&DisposalViewer::Operator(operator), id).await?;
        let detail = serde_json::json!({
            "state": state.as_str(),
            "operator": operator.as_str(),
            "on_time": at <= current.deadline,
            "holder_given": holder_name.is_some() || holder_id.is_some(),
        });
        let close = Close {
            state: state.as_str(),
            note: &note,
            actor,
            at,
            columns: vec![
                ("holder_name", holder_name.as_deref().into()),
                ("holder_id", holder_id.as_deref().into()),
            ],
            action: "number_disposal_answered",
            detail,
        };
        self.close(&current, version, close).await?;
        Ok(NumberDisposal {
            state,
            answer_note: note,
            holder_name,
            holder_id,
            answered_by: Some(actor.to_string()),
            answered_at: Some(at),
            version: version + 1,
            ..current
        })
    }

    /// Withdraws pending request `id` (read at `version`) of a unit inside `scope`, with why,
    /// by `actor` at `at`. [`StoreError::NotFound`] outside `scope`; [`StoreError::Conflict`]
    /// when it is no longer pending or moved past `version`.
    pub async fn withdraw(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<NumberDisposal> {
        let note = text("note", note, true)?;
        let current = self.get(&DisposalViewer::Police(scope.clone()), id).await?;
        let close = Close {
            state: DisposalState::Withdrawn.as_str(),
            note: &note,
            actor,
            at,
            columns: Vec::new(),
            action: "number_disposal_withdrawn",
            detail: serde_json::json!({ "operator": current.operator.as_str() }),
        };
        self.close(&current, version, close).await?;
        Ok(NumberDisposal {
            state: DisposalState::Withdrawn,
            answer_note: note,
            answered_by: Some(actor.to_string()),
            answered_at: Some(at),
            version: version + 1,
            ..current
        })
    }

    /// Closes `current` (read at `version`) as `close` says.
    async fn close(
        &self,
        current: &NumberDisposal,
        version: i64,
        close: Close<'_>,
    ) -> StoreResult<()> {
        let read = Read {
            table: "number_disposals",
            what: "number disposal",
            target_type: "number_disposal",
            id: current.id,
            state: current.state.as_str(),
            version: current.version,
            unit_code: &current.unit_code,
        };
        crate::pending::close(self.store, read, version, close).await
    }

    /// Counts of what `viewer` reads — all, per operator and per measure — with requests
    /// pending past their deadline at `now` counted as overdue; with `period` (`[from, until)`
    /// epoch ms) only the requests made in it.
    /// Every number an operator executed a disposal on (the whole platform, each once, in
    /// order): what the live detection engine puts on its blocklist when it starts.
    pub async fn executed_numbers(&self) -> StoreResult<Vec<String>> {
        let rows = Sql::new(
            "SELECT DISTINCT number FROM number_disposals WHERE state = 'executed' ORDER BY number",
        )
        .query()
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("number_disposals.executed_numbers"))?;
        rows.iter()
            .map(|r| col(r, "number"))
            .collect::<Result<Vec<String>, sqlx::Error>>()
            .map_err(StoreError::query("number_disposals.executed_numbers"))
    }

    pub async fn figures(
        &self,
        viewer: &DisposalViewer,
        now: i64,
        period: Option<(i64, i64)>,
    ) -> StoreResult<DisposalFigures> {
        let mut sql = Sql::new(
            "SELECT d.operator AS operator, d.measure AS measure, d.state AS state, \
             CAST(CASE WHEN d.state = 'pending' AND d.deadline < ",
        );
        sql.arg(now).push(
            " THEN 1 ELSE 0 END AS BIGINT) AS late, \
             CAST(CASE WHEN d.answered_at <= d.deadline THEN 1 ELSE 0 END AS BIGINT) AS in_time, \
             COUNT(*) AS n FROM number_disposals d WHERE ",
        );
        push_viewer(&mut sql, viewer);
        if let Some((from, until)) = period {
            sql.push(" AND d.requested_at >= ")
                .arg(from)
                .push(" AND d.requested_at < ")
                .arg(until);
        }
        sql.push(" GROUP BY d.operator, d.measure, d.state, late, in_time");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("number_disposals.figures"))?;
        let mut f = DisposalFigures::default();
        for row in &rows {
            let q = || StoreError::query("number_disposals.figures");
            let operator: String = col(row, "operator").map_err(q())?;
            let measure: String = col(row, "measure").map_err(q())?;
            let state: String = col(row, "state").map_err(q())?;
            let late = col::<i64>(row, "late").map_err(q())? == 1;
            let in_time = col::<i64>(row, "in_time").map_err(q())? == 1;
            let n: i64 = col(row, "n").map_err(q())?;
            f.all.add(&state, late, in_time, n);
            if let Some(op) = Operator::parse(&operator) {
                f.by_operator
                    .entry(op)
                    .or_default()
                    .add(&state, late, in_time, n);
            }
            if let Some(m) = DisposalMeasure::parse(&measure) {
                f.by_measure
                    .entry(m)
                    .or_default()
                    .add(&state, late, in_time, n);
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for o in Operator::ALL {
            assert_eq!(Operator::parse(o.as_str()), Some(*o));
        }
        for m in DisposalMeasure::ALL {
            assert_eq!(DisposalMeasure::parse(m.as_str()), Some(*m));
        }
        for s in DisposalState::ALL {
            assert_eq!(DisposalState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Operator::parse("china_mobile_mvno"), None);
    }

    #[test]
    fn every_carrier_names_an_operator_by_its_code_and_name() {
        use Carrier::*;
        for c in [
            ChinaMobile,
            ChinaUnicom,
            ChinaTelecom,
            ChinaBroadnet,
            ChinaMobileMvno,
            ChinaUnicomMvno,
            ChinaTelecomMvno,
            ChinaBroadnetMvno,
        ] {
            let o = Operator::parse(c.operator_code()).expect("a known operator code");
            assert_eq!(o.zh(), c.operator_name(), "{c:?}");
        }
    }

    #[test]
    fn virtual_operators_answer_through_their_network() {
        assert_eq!(
            Operator::of_carrier(Carrier::ChinaUnicomMvno),
            Operator::ChinaUnicom
        );
        assert_eq!(
            Operator::of_carrier(Carrier::ChinaTelecom),
            Operator::ChinaTelecom
        );
        assert_eq!(
            Operator::of_carrier(Carrier::ChinaBroadnetMvno),
            Operator::ChinaBroadnet
        );
        assert_eq!(
            Operator::of_carrier(Carrier::ChinaMobileMvno),
            Operator::ChinaMobile
        );
    }

    #[test]
    fn numbers_are_placed_with_their_operator() {
        use DisposalMeasure::{Intercept, Shutdown};
        let (n, kind, op) = place("+86 139-0000-1234", Shutdown, None).unwrap();
        assert_eq!((n.as_str(), kind), ("13900001234", PhoneKind::Mobile));
        assert_eq!(op, Operator::ChinaMobile);
        // An overseas number needs a chosen operator.
        assert!(matches!(
            place("+85291234567", Intercept, None),
            Err(StoreError::Invalid {
                field: "operator",
                ..
            })
        ));
        assert!(matches!(
            place("+85291234567", Shutdown, Some(Operator::ChinaTelecom)),
            Err(StoreError::Invalid {
                field: "measure",
                ..
            })
        ));
        let (n, kind, op) = place("+85291234567", Intercept, Some(Operator::ChinaTelecom)).unwrap();
        assert_eq!(
            (n.as_str(), kind, op),
            ("+85291234567", PhoneKind::Overseas, Operator::ChinaTelecom)
        );
        assert!(matches!(
            place("12", Shutdown, None),
            Err(StoreError::Invalid {
                field: "number",
                ..
            })
        ));
    }

    #[test]
    fn the_on_time_rate_counts_what_was_due() {
        let mut c = DisposalCounts::default();
        assert_eq!(c.on_time_rate(), None);
        c.add("executed", false, true, 3);
        c.add("executed", false, false, 1);
        c.add("failed", false, false, 1);
        c.add("pending", true, false, 1);
        c.add("pending", false, false, 5);
        c.add("withdrawn", false, true, 2);
        assert_eq!(c.requested, 13);
        assert_eq!((c.executed, c.on_time, c.failed), (4, 3, 1));
        assert_eq!((c.pending, c.overdue, c.withdrawn), (6, 1, 2));
        assert_eq!(c.on_time_rate(), Some(0.5));
    }
}
