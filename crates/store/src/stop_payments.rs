//! Emergency stop-payments (紧急止付): one request per account holding victim money, addressed
//! to the bank or platform that must execute it. Police see those of their org subtree; a bank
//! liaison sees only the requests addressed to their bank — the choice is a [`Viewer`], so no
//! query runs without one.
//!
//! A protective stop-payment (保护性止付) is requested straight from a warning, before any case
//! exists: it names the warning, its instruction and the person, and takes the case once one is
//! opened for the person ([`StopPayments::attach_to_case`]). Otherwise it lives like any other
//! request: the bank's liaison answers it within the deadline, police renew, freeze and return.

use crate::error::{StoreError, StoreResult};
use crate::page::{split_time_key, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// Who reads stop-payments.
#[derive(Clone, Debug)]
pub enum Viewer {
    /// Police: requests of units inside the subtree.
    Police(Scope),
    /// A bank liaison: requests addressed to this bank code only.
    Bank(String),
}

/// A request to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewStopPayment {
    pub id: String,
    pub case_id: String,
    pub unit_code: String,
    pub account: String,
    /// Bank code from the BIN table; `None` for payment platforms and unknown numbers.
    pub bank_code: Option<String>,
    /// Who executes it, as JSON (bank, third-party platform, unknown).
    pub institution: serde_json::Value,
    pub requested_fen: i64,
    pub requested_at: i64,
    /// 30 minutes after the report.
    pub deadline: i64,
    /// The request's life as the trace crate records it, as JSON.
    pub detail: serde_json::Value,
    /// Why it was asked, when not planned from the case's trace: an intake stop on an account
    /// the victim named at the report (接警止付) says so here.
    pub reason: Option<String>,
    /// Who asked for it by hand; `None` for a request planned from the case's trace.
    pub requested_by: Option<String>,
}

/// A protective stop-payment to record: asked from a warning, before any case.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProtectiveStop {
    pub id: String,
    pub warning_id: String,
    pub instruction_id: Option<String>,
    /// The warned person, whose case the request joins later.
    pub resident_id: Option<String>,
    /// The warning's unit (decides which police see it).
    pub unit_code: String,
    pub account: String,
    /// Bank code from the BIN table.
    pub bank_code: Option<String>,
    pub institution: serde_json::Value,
    /// What the bank is asked to hold.
    pub requested_fen: i64,
    pub requested_at: i64,
    /// 30 minutes after the request.
    pub deadline: i64,
    /// Why the analyst asks (the transfer seen, the warnings).
    pub reason: String,
    pub requested_by: String,
    pub detail: serde_json::Value,
}

/// A stored request.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StopPayment {
    pub id: String,
    /// `None` for a protective request whose person has no case yet.
    pub case_id: Option<String>,
    pub unit_code: String,
    pub account: String,
    pub bank_code: Option<String>,
    pub institution: serde_json::Value,
    pub requested_fen: i64,
    pub requested_at: i64,
    pub deadline: i64,
    /// `requested`, `held`, `failed`, `lapsed`, `frozen`, `returned`.
    pub state: String,
    pub held_fen: i64,
    /// When the bank answered (held or failed).
    pub executed_at: Option<i64>,
    pub detail: serde_json::Value,
    pub version: i64,
    pub updated_at: i64,
    /// The warning a protective request was asked from (`None` for a case's trace).
    pub warning_id: Option<String>,
    pub instruction_id: Option<String>,
    pub resident_id: Option<String>,
    /// A protective request's reason.
    pub reason: Option<String>,
    pub requested_by: Option<String>,
}

impl StopPayment {
    /// Asked from a warning rather than planned from a case's trace.
    pub fn is_protective(&self) -> bool {
        self.warning_id.is_some()
    }

    /// Asked at the report on an account the victim named (接警止付), before any trace: a
    /// case's request with a reason and no warning (a trace's requests carry no reason).
    pub fn is_intake(&self) -> bool {
        self.warning_id.is_none() && self.case_id.is_some() && self.reason.is_some()
    }
}

/// A change to persist under optimistic concurrency.
#[derive(Clone, Debug, PartialEq)]
pub struct StopPaymentUpdate {
    pub state: String,
    pub held_fen: i64,
    pub executed_at: Option<i64>,
    pub detail: serde_json::Value,
    pub at: i64,
}

/// One case whose trace found victim money in an account: a claim on what is held there
/// (see `fanzha_trace::stop_payment::returns_plan`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccountClaim {
    pub stop_payment_id: String,
    pub case_id: String,
    /// The case's unit.
    pub unit_code: String,
    /// The request's state (`requested`, `held`, `frozen`, `returned`, …).
    pub state: String,
    /// The victim money the case's trace found in the account.
    pub requested_fen: i64,
    /// What the bank holds against this request.
    pub held_fen: i64,
    pub reported_at: i64,
    pub loss_fen: i64,
    /// Whether the case lies inside the reader's scope. Outside it the victim's data below is
    /// `None`: the reader learns that another unit's case shares the account, not who.
    pub in_scope: bool,
    pub victim_name: Option<String>,
    pub resident_id: Option<String>,
    pub victim_account: Option<String>,
}

/// How many requests were answered within their deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Timeliness {
    pub requested: i64,
    pub executed: i64,
    pub executed_in_time: i64,
    pub held_fen: i64,
}

/// What stop-payments recovered over a period, the way the bureaus report it (止付账户 /
/// 止付金额 / 冻结账户 / 冻结金额 / 返还资金). An account counts as stopped once its bank held
/// money (held, later lapsed, frozen or returned), as frozen once frozen (returns come only
/// from frozen accounts); amounts are what the bank held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FundFigures {
    pub requested: i64,
    pub requested_fen: i64,
    pub stopped: i64,
    pub stopped_fen: i64,
    pub frozen: i64,
    pub frozen_fen: i64,
    pub returned: i64,
    pub returned_fen: i64,
    /// The bank answered that nothing could be held.
    pub failed: i64,
}

impl FundFigures {
    pub(crate) fn add(&mut self, state: &str, n: i64, requested_fen: i64, held_fen: i64) {
        self.requested += n;
        self.requested_fen += requested_fen;
        match state {
            "held" | "lapsed" | "frozen" | "returned" => {
                self.stopped += n;
                self.stopped_fen += held_fen;
            }
            "failed" => self.failed += n,
            _ => {}
        }
        if matches!(state, "frozen" | "returned") {
            self.frozen += n;
            self.frozen_fen += held_fen;
        }
        if state == "returned" {
            self.returned += n;
            self.returned_fen += held_fen;
        }
    }
}

const COLUMNS: &str = "s.id, s.case_id, s.unit_code, s.account, s.bank_code, s.institution, \
     s.requested_fen, s.requested_at, s.deadline, s.state, s.held_fen, s.executed_at, s.detail, \
     s.version, s.updated_at, s.warning_id, s.instruction_id, s.resident_id, s.reason, \
     s.requested_by";

fn json_col(row: &AnyRow, name: &'static str) -> Result<serde_json::Value, sqlx::Error> {
    let text: String = col(row, name)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: name.into(),
        source: Box::new(e),
    })
}

fn from_row(row: &AnyRow) -> Result<StopPayment, sqlx::Error> {
    Ok(StopPayment {
        id: col(row, "id")?,
        case_id: col(row, "case_id")?,
        unit_code: col(row, "unit_code")?,
        account: col(row, "account")?,
        bank_code: col(row, "bank_code")?,
        institution: json_col(row, "institution")?,
        requested_fen: col(row, "requested_fen")?,
        requested_at: col(row, "requested_at")?,
        deadline: col(row, "deadline")?,
        state: col(row, "state")?,
        held_fen: col(row, "held_fen")?,
        executed_at: col(row, "executed_at")?,
        detail: json_col(row, "detail")?,
        version: col(row, "version")?,
        updated_at: col(row, "updated_at")?,
        warning_id: col(row, "warning_id")?,
        instruction_id: col(row, "instruction_id")?,
        resident_id: col(row, "resident_id")?,
        reason: col(row, "reason")?,
        requested_by: col(row, "requested_by")?,
    })
}

fn push_viewer(sql: &mut Sql<'_>, viewer: &Viewer) {
    match viewer {
        Viewer::Police(scope) => scope.push_condition(sql, "s.unit_code"),
        Viewer::Bank(code) => {
            sql.push("s.bank_code = ").arg(code.clone());
        }
    }
}

/// The stop-payments repository.
pub struct StopPayments<'s> {
    store: &'s Store,
}

impl<'s> StopPayments<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        StopPayments { store }
    }

    /// Records requests; an account already requested for the same case is skipped (a second
    /// trace after a new extract adds only the new holders). Returns how many were new.
    pub async fn create_many(&self, requests: &[NewStopPayment]) -> StoreResult<usize> {
        let mut added = 0;
        let mut tx = self.store.begin_write("stop_payments.begin").await?;
        for r in requests {
            if r.requested_fen <= 0 {
                return Err(StoreError::invalid("requested_fen", "must be positive"));
            }
            let mut sql = Sql::new(
                "INSERT INTO stop_payments (id, case_id, unit_code, account, bank_code, institution, \
                 requested_fen, requested_at, deadline, state, held_fen, executed_at, detail, version, \
                 updated_at, reason, requested_by) VALUES (",
            );
            sql.arg(r.id.as_str())
                .push(", ")
                .arg(r.case_id.as_str())
                .push(", ")
                .arg(r.unit_code.as_str())
                .push(", ")
                .arg(r.account.as_str())
                .push(", ")
                .arg(r.bank_code.as_deref())
                .push(", ")
                .arg(r.institution.to_string())
                .push(", ")
                .arg(r.requested_fen)
                .push(", ")
                .arg(r.requested_at)
                .push(", ")
                .arg(r.deadline)
                .push(", 'requested', 0, NULL, ")
                .arg(r.detail.to_string())
                .push(", 1, ")
                .arg(r.requested_at)
                .push(", ")
                .arg(r.reason.as_deref())
                .push(", ")
                .arg(r.requested_by.as_deref())
                .push(") ON CONFLICT (case_id, account) DO NOTHING");
            let done = sql
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("stop_payments.create"))?;
            added += done.rows_affected() as usize;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("stop_payments.commit"))?;
        Ok(added)
    }

    /// Records a protective request asked from a warning. The same account asked twice from
    /// one warning is a [`StoreError::Conflict`].
    pub async fn create_protective(&self, r: &NewProtectiveStop) -> StoreResult<()> {
        if r.requested_fen <= 0 {
            return Err(StoreError::invalid("requested_fen", "must be positive"));
        }
        if r.reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "must not be empty"));
        }
        let mut sql = Sql::new(
            "INSERT INTO stop_payments (id, case_id, unit_code, account, bank_code, institution, \
             requested_fen, requested_at, deadline, state, held_fen, executed_at, detail, version, \
             updated_at, warning_id, instruction_id, resident_id, reason, requested_by) VALUES (",
        );
        sql.arg(r.id.as_str())
            .push(", NULL, ")
            .arg(r.unit_code.as_str())
            .push(", ")
            .arg(r.account.as_str())
            .push(", ")
            .arg(r.bank_code.as_deref())
            .push(", ")
            .arg(r.institution.to_string())
            .push(", ")
            .arg(r.requested_fen)
            .push(", ")
            .arg(r.requested_at)
            .push(", ")
            .arg(r.deadline)
            .push(", 'requested', 0, NULL, ")
            .arg(r.detail.to_string())
            .push(", 1, ")
            .arg(r.requested_at)
            .push(", ")
            .arg(r.warning_id.as_str())
            .push(", ")
            .arg(r.instruction_id.as_deref())
            .push(", ")
            .arg(r.resident_id.as_deref())
            .push(", ")
            .arg(r.reason.as_str())
            .push(", ")
            .arg(r.requested_by.as_str())
            .push(") ON CONFLICT (warning_id, account) DO NOTHING");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.create_protective"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "stop-payment",
                detail: format!(
                    "a stop-payment on this account was already requested from warning {}",
                    r.warning_id
                ),
            });
        }
        Ok(())
    }

    /// The protective requests asked from one warning that the viewer may see, newest first.
    pub async fn for_warning(
        &self,
        viewer: &Viewer,
        warning_id: &str,
    ) -> StoreResult<Vec<StopPayment>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM stop_payments s WHERE s.warning_id = "
        ));
        sql.arg(warning_id).push(" AND ");
        push_viewer(&mut sql, viewer);
        sql.push(" ORDER BY s.requested_at DESC, s.id DESC");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.for_warning"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("stop_payments.for_warning"))
    }

    /// A case opened for a warned person takes the protective requests of those warnings that
    /// no case holds yet: its page lists them and what their banks held counts for it. A
    /// request on an account the case already has a request for stays apart. Returns how many
    /// were attached.
    pub async fn attach_to_case(
        &self,
        case_id: &str,
        warning_ids: &[String],
    ) -> StoreResult<usize> {
        if warning_ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.begin_write("stop_payments.attach.begin").await?;
        let mut sql = Sql::new(
            "SELECT s.id FROM stop_payments s WHERE s.case_id IS NULL AND s.warning_id IN (",
        );
        for (i, w) in warning_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.arg(w.as_str());
        }
        sql.push(") ORDER BY s.requested_at, s.id");
        let ids: Vec<String> = sql
            .query()
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::query("stop_payments.attach"))?
            .iter()
            .map(|r| col(r, "id"))
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("stop_payments.attach"))?;
        let mut attached = 0;
        for id in &ids {
            let mut sql = Sql::new("UPDATE stop_payments SET case_id = ");
            sql.arg(case_id)
                .push(", version = version + 1 WHERE id = ")
                .arg(id.as_str())
                .push(" AND case_id IS NULL AND NOT EXISTS (SELECT 1 FROM stop_payments o WHERE o.case_id = ")
                .arg(case_id)
                .push(" AND o.account = stop_payments.account)");
            let done = sql
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("stop_payments.attach"))?;
            attached += done.rows_affected() as usize;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("stop_payments.attach.commit"))?;
        Ok(attached)
    }

    /// One request the viewer may see; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, viewer: &Viewer, id: &str) -> StoreResult<StopPayment> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM stop_payments s WHERE s.id = "
        ));
        sql.arg(id).push(" AND ");
        push_viewer(&mut sql, viewer);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("stop_payments.get")),
            None => Err(StoreError::NotFound {
                what: "stop-payment",
                key: id.to_string(),
            }),
        }
    }

    /// Requests the viewer may see, newest first; `open_only` keeps those still `requested`
    /// or `held`. Page key `"<requested_at>/<id>"`.
    pub async fn list(
        &self,
        viewer: &Viewer,
        case_id: Option<&str>,
        open_only: bool,
        page: &PageRequest,
    ) -> StoreResult<Page<StopPayment>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM stop_payments s WHERE "));
        push_viewer(&mut sql, viewer);
        if let Some(c) = case_id {
            sql.push(" AND s.case_id = ").arg(c.to_string());
        }
        if open_only {
            sql.push(" AND s.state IN ('requested', 'held', 'frozen')");
        }
        if let Some((at, id)) = page.after.as_deref().and_then(split_time_key) {
            sql.push(" AND (s.requested_at < ")
                .arg(at)
                .push(" OR (s.requested_at = ")
                .arg(at)
                .push(" AND s.id < ")
                .arg(id.to_string())
                .push("))");
        }
        sql.push(" ORDER BY s.requested_at DESC, s.id DESC LIMIT ")
            .arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("stop_payments.list"))?;
        Ok(Page::from_overfetch(items, limit, |s| {
            format!("{}/{}", s.requested_at, s.id)
        }))
    }

    /// Stores a transition decided against `expected_version`; a concurrent change wins and
    /// this one gets [`StoreError::Conflict`].
    pub async fn update(
        &self,
        viewer: &Viewer,
        id: &str,
        expected_version: i64,
        u: &StopPaymentUpdate,
    ) -> StoreResult<()> {
        self.get(viewer, id).await?;
        let mut sql = Sql::new("UPDATE stop_payments SET state = ");
        sql.arg(u.state.as_str())
            .push(", held_fen = ")
            .arg(u.held_fen)
            .push(", executed_at = COALESCE(executed_at, ")
            .arg(u.executed_at)
            .push("), detail = ")
            .arg(u.detail.to_string())
            .push(", version = version + 1, updated_at = ")
            .arg(u.at)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected_version);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.update"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "stop-payment",
                detail: format!("changed since version {expected_version}; reload and retry"),
            });
        }
        Ok(())
    }

    /// Every request on one account, of every case on the platform, with the claim its case
    /// makes on the account; earliest report first (ties by case id), the order that breaks
    /// ties in a pro-rata split. Victims' data only for cases inside `scope`.
    pub async fn claims_on_account(
        &self,
        scope: &Scope,
        account: &str,
    ) -> StoreResult<Vec<AccountClaim>> {
        let mut sql = Sql::new(
            "SELECT s.id, s.case_id, s.unit_code, s.state, s.requested_fen, s.held_fen, \
             c.reported_at, c.loss_fen, c.victim_name, c.resident_id, c.victim_account, \
             CAST(CASE WHEN ",
        );
        scope.push_condition(&mut sql, "s.unit_code");
        sql.push(
            " THEN 1 ELSE 0 END AS BIGINT) AS in_scope \
             FROM stop_payments s JOIN cases c ON c.id = s.case_id WHERE s.account = ",
        )
        .arg(account)
        .push(" ORDER BY c.reported_at, s.case_id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.claims_on_account"))?;
        rows.iter()
            .map(|r| {
                let in_scope = col::<i64>(r, "in_scope")? == 1;
                let personal = |name: &'static str| -> Result<Option<String>, sqlx::Error> {
                    Ok(if in_scope { col(r, name)? } else { None })
                };
                Ok(AccountClaim {
                    stop_payment_id: col(r, "id")?,
                    case_id: col(r, "case_id")?,
                    unit_code: col(r, "unit_code")?,
                    state: col(r, "state")?,
                    requested_fen: col(r, "requested_fen")?,
                    held_fen: col(r, "held_fen")?,
                    reported_at: col(r, "reported_at")?,
                    loss_fen: col(r, "loss_fen")?,
                    victim_name: personal("victim_name")?,
                    resident_id: personal("resident_id")?,
                    victim_account: personal("victim_account")?,
                    in_scope,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("stop_payments.claims_on_account"))
    }

    /// The requests of the cases reported in `[from_ms, to_ms)` that the viewer may see, summed
    /// by what became of them: the same cases whose losses a return rate divides by, so returns
    /// on older cases never inflate a period's rate.
    pub async fn fund_figures(
        &self,
        viewer: &Viewer,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<FundFigures> {
        let mut sql = Sql::new(
            "SELECT s.state, COUNT(*) AS n, CAST(SUM(s.requested_fen) AS BIGINT) AS requested, \
             CAST(SUM(s.held_fen) AS BIGINT) AS held FROM stop_payments s \
             JOIN cases c ON c.id = s.case_id WHERE ",
        );
        push_viewer(&mut sql, viewer);
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(to_ms)
            .push(" GROUP BY s.state");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.fund_figures"))?;
        let mut figures = FundFigures::default();
        for r in &rows {
            let read = || -> Result<(String, i64, i64, i64), sqlx::Error> {
                Ok((
                    col(r, "state")?,
                    col(r, "n")?,
                    col::<Option<i64>>(r, "requested")?.unwrap_or(0),
                    col::<Option<i64>>(r, "held")?.unwrap_or(0),
                ))
            };
            let (state, n, requested, held) =
                read().map_err(StoreError::query("stop_payments.fund_figures"))?;
            figures.add(&state, n, requested, held);
        }
        Ok(figures)
    }

    /// Requests the viewer may see still waiting for the bank (`requested`), and how many of
    /// them are past their deadline at `now`: what a liaison's desk shows.
    pub async fn awaiting_bank(&self, viewer: &Viewer, now: i64) -> StoreResult<(i64, i64)> {
        let q = "stop_payments.awaiting_bank";
        let mut sql = Sql::new("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN s.deadline < ");
        sql.arg(now)
            .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS late FROM stop_payments s WHERE ");
        push_viewer(&mut sql, viewer);
        sql.push(" AND s.state = 'requested'");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        Ok((
            col(&row, "n").map_err(StoreError::query(q))?,
            col(&row, "late").map_err(StoreError::query(q))?,
        ))
    }

    /// Requests made in `[from_ms, to_ms)` the viewer may see, and how many the bank answered
    /// within the 30-minute deadline.
    pub async fn timeliness(
        &self,
        viewer: &Viewer,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Timeliness> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS requested, \
             SUM(CASE WHEN s.executed_at IS NOT NULL THEN 1 ELSE 0 END) AS executed, \
             SUM(CASE WHEN s.executed_at IS NOT NULL AND s.executed_at <= s.deadline AND s.held_fen > 0 THEN 1 ELSE 0 END) AS in_time, \
             CAST(SUM(s.held_fen) AS BIGINT) AS held FROM stop_payments s WHERE ",
        );
        push_viewer(&mut sql, viewer);
        sql.push(" AND s.requested_at >= ")
            .arg(from_ms)
            .push(" AND s.requested_at < ")
            .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("stop_payments.timeliness"))?;
        let get = |name: &'static str| -> Result<i64, sqlx::Error> {
            Ok(col::<Option<i64>>(&row, name)?.unwrap_or(0))
        };
        Ok(Timeliness {
            requested: get("requested").map_err(StoreError::query("stop_payments.timeliness"))?,
            executed: get("executed").map_err(StoreError::query("stop_payments.timeliness"))?,
            executed_in_time: get("in_time")
                .map_err(StoreError::query("stop_payments.timeliness"))?,
            held_fen: get("held").map_err(StoreError::query("stop_payments.timeliness"))?,
        })
    }
}
