//! 资金预警: pushed warnings that say the person has paid a known fraud account, with the payment
//! the platform reported. The center acts on them before anything else ("对公安部下发的资金预警
//! 指令…第一时间开展保护性止付"): the list reads each fund warning of an area with its
//! instruction's state and the stop-payments asked since — protective ones asked from the warning,
//! and those of a case the warning is linked to — so that the ones still waiting for a stop stand
//! out, and the share stopped within 30 minutes of receipt can be counted.

use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use fanzha_core::PushKind;

/// The payment a fund warning reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WarningFund {
    pub amount_fen: Option<i64>,
    /// Epoch ms UTC.
    pub paid_at: Option<i64>,
    pub payee_account: Option<String>,
    pub payee_bank_code: Option<String>,
    pub payee_bank: Option<String>,
    pub payer_account: Option<String>,
}

/// Which fund warnings to list: received (stored) in `[from_ms, to_ms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundWarningFilter {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Only those still waiting for a stop: no stop-payment asked, instruction not closed.
    pub awaiting_only: bool,
}

/// A fund warning as listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FundWarning {
    pub warning_id: String,
    pub unit_code: String,
    pub level: u8,
    pub resident_id: Option<String>,
    pub msisdn: Option<String>,
    pub push_platform: Option<String>,
    pub push_id: Option<String>,
    pub pushed_at: Option<i64>,
    /// When the center received it (the warning's detection time), epoch ms UTC.
    pub received_at: i64,
    pub instruction_id: Option<String>,
    pub instruction_status: Option<String>,
    /// The instruction is open (or there is none yet).
    pub open: bool,
    pub fund: WarningFund,
    /// Stop-payments asked for it (protective ones and its cases').
    pub stops: i64,
    /// When the first was asked.
    pub first_stop_at: Option<i64>,
    /// What the banks hold on them.
    pub held_fen: i64,
}

impl FundWarning {
    /// Still waiting for a stop: none asked and the instruction not closed.
    pub fn awaiting(&self) -> bool {
        self.stops == 0 && self.open
    }

    /// A stop was asked within `window_ms` of receipt.
    pub fn stopped_within(&self, window_ms: i64) -> bool {
        self.first_stop_at
            .is_some_and(|at| at - self.received_at <= window_ms)
    }
}

/// The most fund warnings one list reads: a period holding more is refused (narrow it).
pub const MAX_FUND_WARNINGS: i64 = 20_000;

/// The stop-payments that count for a fund warning `w`: protective ones asked from it, and
/// those of the cases it is linked to.
const STOPS_OF_W: &str = "FROM stop_payments s WHERE s.warning_id = w.id OR s.case_id IN \
     (SELECT cw.case_id FROM case_warnings cw WHERE cw.warning_id = w.id)";

/// The fund-warnings repository.
pub struct FundWarnings<'s> {
    store: &'s Store,
}

impl<'s> FundWarnings<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        FundWarnings { store }
    }

    /// The payment a warning reports; `None` when it is no fund warning. The caller has read
    /// the warning inside its scope.
    pub async fn get(&self, warning_id: &str) -> StoreResult<Option<WarningFund>> {
        let mut sql = Sql::new(
            "SELECT amount_fen, paid_at, payee_account, payee_bank_code, payee_bank, \
             payer_account FROM warning_funds WHERE warning_id = ",
        );
        sql.arg(warning_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("fund_warnings.get"))?;
        row.map(|r| fund_of(&r))
            .transpose()
            .map_err(StoreError::query("fund_warnings.get"))
    }

    /// The fund warnings routed inside the scope and received in the period, newest first; at
    /// most `limit + 1`, so that the caller can tell a period holding more.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &FundWarningFilter,
        limit: i64,
    ) -> StoreResult<Vec<FundWarning>> {
        let mut sql = Sql::new(format!(
            "SELECT w.id, w.unit_code, w.level, w.resident_id, w.msisdn, w.push_platform, \
             w.push_id, w.pushed_at, w.detected_at, w.instruction_id, i.status, i.open, \
             f.amount_fen, f.paid_at, f.payee_account, f.payee_bank_code, f.payee_bank, \
             f.payer_account, \
             (SELECT COUNT(*) {STOPS_OF_W}) AS stops, \
             (SELECT MIN(s.requested_at) {STOPS_OF_W}) AS first_stop_at, \
             (SELECT CAST(COALESCE(SUM(s.held_fen), 0) AS BIGINT) {STOPS_OF_W}) AS held_fen \
             FROM warnings w JOIN warning_funds f ON f.warning_id = w.id \
             LEFT JOIN instructions i ON i.id = w.instruction_id WHERE w.push_kind = "
        ));
        sql.arg(PushKind::Fund.code())
            .push(" AND w.detected_at >= ")
            .arg(filter.from_ms)
            .push(" AND w.detected_at < ")
            .arg(filter.to_ms)
            .push(" AND ");
        scope.push_condition(&mut sql, "w.unit_code");
        if filter.awaiting_only {
            push_awaiting(&mut sql);
        }
        sql.push(" ORDER BY w.detected_at DESC, w.id DESC LIMIT ")
            .arg(limit.clamp(0, MAX_FUND_WARNINGS) + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("fund_warnings.list"))?;
        rows.iter()
            .map(|row| {
                let level: i64 = col(row, "level")?;
                let status: Option<String> = col(row, "status")?;
                Ok(FundWarning {
                    warning_id: col(row, "id")?,
                    unit_code: col(row, "unit_code")?,
                    level: u8::try_from(level).unwrap_or(3),
                    resident_id: col(row, "resident_id")?,
                    msisdn: col(row, "msisdn")?,
                    push_platform: col(row, "push_platform")?,
                    push_id: col(row, "push_id")?,
                    pushed_at: col(row, "pushed_at")?,
                    received_at: col(row, "detected_at")?,
                    instruction_id: col(row, "instruction_id")?,
                    open: match status {
                        Some(_) => flag(row, "open")?,
                        None => true,
                    },
                    instruction_status: status,
                    fund: fund_of(row)?,
                    stops: col(row, "stops")?,
                    first_stop_at: col(row, "first_stop_at")?,
                    held_fen: col(row, "held_fen")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("fund_warnings.list"))
    }

    /// How many fund warnings routed inside the scope and received since `since_ms` still wait
    /// for a stop (for 待办).
    pub async fn awaiting_count(&self, scope: &Scope, since_ms: i64) -> StoreResult<i64> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n FROM warnings w \
             LEFT JOIN instructions i ON i.id = w.instruction_id WHERE w.push_kind = ",
        );
        sql.arg(PushKind::Fund.code())
            .push(" AND w.detected_at >= ")
            .arg(since_ms)
            .push(" AND ");
        scope.push_condition(&mut sql, "w.unit_code");
        push_awaiting(&mut sql);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("fund_warnings.awaiting_count"))?;
        col(&row, "n").map_err(StoreError::query("fund_warnings.awaiting_count"))
    }

    /// Of these instructions, those a fund warning was merged into.
    pub async fn instructions_with_fund(
        &self,
        ids: &[String],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        // A page's ids, in chunks to stay far below any bind limit.
        for chunk in ids.chunks(200) {
            let mut sql =
                Sql::new("SELECT DISTINCT instruction_id FROM warnings WHERE push_kind = ");
            sql.arg(PushKind::Fund.code())
                .push(" AND instruction_id IN (")
                .args(chunk.iter().cloned())
                .push(")");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("fund_warnings.instructions_with_fund"))?;
            for row in rows {
                found.insert(
                    col(&row, "instruction_id")
                        .map_err(StoreError::query("fund_warnings.instructions_with_fund"))?,
                );
            }
        }
        Ok(found)
    }
}

/// Still waiting for a stop: the instruction (if any) open and no stop-payment asked.
fn push_awaiting(sql: &mut Sql<'_>) {
    sql.push(" AND (i.open IS NULL OR i.open = 1) AND NOT EXISTS (SELECT 1 ")
        .push(STOPS_OF_W)
        .push(")");
}

fn fund_of(row: &sqlx::any::AnyRow) -> Result<WarningFund, sqlx::Error> {
    Ok(WarningFund {
        amount_fen: col(row, "amount_fen")?,
        paid_at: col(row, "paid_at")?,
        payee_account: col(row, "payee_account")?,
        payee_bank_code: col(row, "payee_bank_code")?,
        payee_bank: col(row, "payee_bank")?,
        payer_account: col(row, "payer_account")?,
    })
}

/// Writes a fund warning's payment inside the transaction that gives the warning its push
/// identity; a second write for the same warning changes nothing.
pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    warning_id: &str,
    f: &WarningFund,
) -> StoreResult<()> {
    if f.amount_fen.is_some_and(|a| a <= 0) {
        return Err(StoreError::invalid("amount_fen", "a positive amount"));
    }
    let mut sql = Sql::new(
        "INSERT INTO warning_funds (warning_id, amount_fen, paid_at, payee_account, \
         payee_bank_code, payee_bank, payer_account) VALUES (",
    );
    sql.arg(warning_id)
        .push(", ")
        .arg(f.amount_fen)
        .push(", ")
        .arg(f.paid_at)
        .push(", ")
        .arg(f.payee_account.as_deref())
        .push(", ")
        .arg(f.payee_bank_code.as_deref())
        .push(", ")
        .arg(f.payee_bank.as_deref())
        .push(", ")
        .arg(f.payer_account.as_deref())
        .push(") ON CONFLICT (warning_id) DO NOTHING");
    sql.query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("fund_warnings.insert"))?;
    Ok(())
}
