//! 存量卡清理: asking a bank to check the cards a risky resident already holds there and to
//! close or restrict them, and the bank's answer.
//!
//! New cards are screened as they are opened (`new_cards.rs`); the cards opened before — the
//! 存量 — stay in use until someone asks. Whom to ask about is what the platform already knows:
//! a resident under a 惩戒 punishment now (their non-counter business should be restricted at
//! every bank), a resident whose account received victim money (涉案账户开户人), a resident a
//! two-card lead found lending or selling a card, a resident whose bank cards the banks' closure
//! lists show opened and closed again and again (频繁开销户). The banks asked are those where the platform
//! knows an account of the holder (bank extracts, new-card lists, cases); one request per holder
//! and bank, due [`CLEANUP_DAYS`] later, answered by the bank's liaison with what the bank found
//! and did: accounts closed (销户) or restricted (限制非柜面), verified normal (核实正常, with
//! why), or no account at the bank.
//!
//! Police read the requests of their org subtree by the holder's unit; a bank's liaison reads
//! only those addressed to their bank — the choice is a [`CleanupViewer`], so no query runs
//! without one. Every write names the version it read and writes its audit entry in the same
//! transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code, parse_optional_code};
use crate::mule_accounts::{JOINS, RECEIPTS};
use crate::new_cards::short_lived_between;
use crate::page::{push_newest_first, Page, PageRequest};
use crate::pending::{Close, Read};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_screen::{FREQUENT_OPEN_CLOSE, OPEN_CLOSE_LOOKBACK_DAYS};
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Days a bank has to answer.
pub const CLEANUP_DAYS: i64 = 7;
/// A holder and bank answered (or still pending) within this many days are not proposed again.
pub const CLEANUP_REPEAT_DAYS: i64 = 180;
/// The longest note kept (characters).
pub const MAX_CLEANUP_TEXT: usize = 1000;
/// The most requests one generation writes (a bank's work list, not a data export).
pub const MAX_CLEANUPS_PER_BATCH: usize = 5000;
const DAY_MS: i64 = 86_400_000;

code_enum! {
    /// Why a holder's existing cards should be checked.
    CleanupReason {
        /// A 惩戒 punishment in force: the holder's non-counter business is to be restricted.
        Punished => "punished", "惩戒期内", "Under punishment";
        /// An account of the holder received victim money in a case.
        MuleAccount => "mule_account", "名下账户接收被骗资金", "Account received victim money";
        /// A two-card lead found the holder lent or sold a card.
        GaveCardAway => "gave_card_away", "出租出借出售两卡", "Lent or sold a card";
        /// 频繁开销户: the banks' closure lists show two or more of the holder's bank cards
        /// closed within 90 days of their opening in the last year.
        FrequentOpenClose => "frequent_open_close", "频繁开销户", "Opened and closed again and again";
    }
}

code_enum! {
    /// Where a request stands.
    CleanupState {
        Pending => "pending", "待反馈", "Pending";
        Answered => "answered", "已反馈", "Answered";
        Withdrawn => "withdrawn", "已撤回", "Withdrawn";
    }
}

code_enum! {
    /// What the bank found and did.
    CleanupOutcome {
        /// Accounts closed or restricted.
        Cleaned => "cleaned", "已清理", "Cleaned";
        /// The accounts were checked and left as they are (the note says why).
        Normal => "normal", "核实正常", "Verified normal";
        /// The holder has no account at the bank.
        NoAccounts => "no_accounts", "本行无账户", "No account here";
    }
}

/// Who reads requests.
#[derive(Clone, Debug)]
pub enum CleanupViewer {
    /// Police: the requests of holders whose unit is inside the subtree.
    Police(Scope),
    /// A bank's liaison: the requests addressed to that bank code.
    Bank(String),
}

/// A holder and bank the platform would ask about.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CleanupCandidate {
    pub resident_id: String,
    pub holder_name: String,
    /// The unit of the holder's residence.
    pub unit_code: String,
    pub bank_code: String,
    pub bank_name: String,
    pub reasons: Vec<CleanupReason>,
    /// The holder's accounts at the bank the platform knows of, not known to be closed.
    pub known_accounts: i64,
}

/// A stored request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardCleanup {
    pub id: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub resident_id: String,
    pub holder_name: String,
    pub unit_code: String,
    pub reasons: Vec<CleanupReason>,
    pub known_accounts: i64,
    /// What the police added for the bank.
    pub note: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub deadline: i64,
    pub state: CleanupState,
    pub outcome: Option<CleanupOutcome>,
    pub accounts_found: Option<i64>,
    pub accounts_closed: Option<i64>,
    pub accounts_restricted: Option<i64>,
    /// The bank's note, or why police withdrew it.
    pub answer_note: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub version: i64,
}

impl CardCleanup {
    /// Still pending after its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.state == CleanupState::Pending && self.deadline < now
    }

    /// Answered by its deadline.
    pub fn on_time(&self) -> bool {
        self.state == CleanupState::Answered && self.answered_at.is_some_and(|a| a <= self.deadline)
    }
}

/// The bank's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanupAnswer {
    pub outcome: CleanupOutcome,
    /// The holder's accounts the bank found (any state).
    pub accounts_found: i64,
    pub accounts_closed: i64,
    /// Restricted to counter business (限制非柜面) or frozen for non-counter use.
    pub accounts_restricted: i64,
    pub note: String,
}

impl CleanupAnswer {
    /// Whether the figures agree with the outcome: nothing negative, no more accounts closed
    /// and restricted than found; `cleaned` closed or restricted at least one, `normal` found
    /// some and touched none (and says why), `no_accounts` found none.
    fn check(&self) -> StoreResult<()> {
        let invalid = |field: &'static str, msg: &str| Err(StoreError::invalid(field, msg));
        let (found, closed, restricted) = (
            self.accounts_found,
            self.accounts_closed,
            self.accounts_restricted,
        );
        if found < 0 || closed < 0 || restricted < 0 {
            return invalid("accounts_found", "account counts cannot be negative");
        }
        if closed.saturating_add(restricted) > found {
            return invalid(
                "accounts_closed",
                "more accounts closed and restricted than found",
            );
        }
        match self.outcome {
            CleanupOutcome::Cleaned if closed + restricted == 0 => invalid(
                "accounts_closed",
                "cleaned: give the accounts closed or restricted",
            ),
            CleanupOutcome::Normal if found == 0 => invalid(
                "accounts_found",
                "verified normal: give the accounts checked (none found is 本行无账户)",
            ),
            CleanupOutcome::Normal if closed + restricted > 0 => invalid(
                "outcome",
                "accounts were closed or restricted: the outcome is 已清理",
            ),
            CleanupOutcome::Normal if self.note.trim().is_empty() => {
                invalid("note", "verified normal: say why the accounts stay open")
            }
            CleanupOutcome::NoAccounts if found > 0 => invalid(
                "accounts_found",
                "no accounts: the accounts found must be 0",
            ),
            _ => Ok(()),
        }
    }
}

/// Which requests to list or count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanupFilter {
    pub state: Option<CleanupState>,
    pub bank_code: Option<String>,
    pub reason: Option<CleanupReason>,
    pub outcome: Option<CleanupOutcome>,
    /// Only requests still pending after their deadline.
    pub overdue: bool,
    /// One holder's requests.
    pub resident_id: Option<String>,
}

/// Counts of one bank's (or all) requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CleanupCounts {
    pub requested: i64,
    pub answered: i64,
    /// Answered by the deadline.
    pub on_time: i64,
    pub pending: i64,
    /// Pending past the deadline.
    pub overdue: i64,
    pub withdrawn: i64,
    pub cleaned: i64,
    pub normal: i64,
    pub no_accounts: i64,
    pub accounts_found: i64,
    pub accounts_closed: i64,
    pub accounts_restricted: i64,
}

impl CleanupCounts {
    /// 按时反馈率: answered on time ÷ requests that were due (answered, or pending past the
    /// deadline; withdrawn ones left out); `None` before any was due.
    pub fn on_time_rate(&self) -> Option<f64> {
        let due = self.answered + self.overdue;
        (due > 0).then(|| self.on_time as f64 / due as f64)
    }

    fn add(&mut self, r: &CountRow) {
        let n = r.n;
        self.requested += n;
        match CleanupState::parse(&r.state) {
            Some(CleanupState::Pending) => {
                self.pending += n;
                if r.late {
                    self.overdue += n;
                }
            }
            Some(CleanupState::Answered) => {
                self.answered += n;
                if r.in_time {
                    self.on_time += n;
                }
                match r.outcome.as_deref().and_then(CleanupOutcome::parse) {
                    Some(CleanupOutcome::Cleaned) => self.cleaned += n,
                    Some(CleanupOutcome::Normal) => self.normal += n,
                    Some(CleanupOutcome::NoAccounts) => self.no_accounts += n,
                    None => {}
                }
                self.accounts_found += r.found;
                self.accounts_closed += r.closed;
                self.accounts_restricted += r.restricted;
            }
            Some(CleanupState::Withdrawn) => self.withdrawn += n,
            None => {}
        }
    }
}

/// One group of the figures query.
struct CountRow {
    state: String,
    outcome: Option<String>,
    late: bool,
    in_time: bool,
    n: i64,
    found: i64,
    closed: i64,
    restricted: i64,
}

/// Figures over what a viewer reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CleanupFigures {
    pub all: CleanupCounts,
    /// Per bank code, with the bank's name.
    pub by_bank: BTreeMap<String, (String, CleanupCounts)>,
    /// A request counts under each of its reasons.
    pub by_reason: BTreeMap<CleanupReason, CleanupCounts>,
}

/// What one generation wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GeneratedCleanups {
    pub requested: i64,
    pub holders: i64,
    pub banks: i64,
    /// The first and last request written (`None` when none).
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
}

/// An account of the holder at the bank that the platform knows of.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KnownAccount {
    pub account_no: String,
    pub opened_at: Option<i64>,
    pub opened_where: Option<String>,
    /// In a closure list the bank sent.
    pub closed: bool,
    /// Received victim money in a case.
    pub received_victim_money: bool,
}

const COLUMNS: &str = "c.id, c.bank_code, c.bank_name, c.resident_id, c.holder_name, \
     c.unit_code, c.reasons, c.known_accounts, c.note, c.requested_by, c.requested_at, \
     c.deadline, c.state, c.outcome, c.accounts_found, c.accounts_closed, \
     c.accounts_restricted, c.answer_note, c.answered_by, c.answered_at, c.version";

fn parse_reasons(s: &str) -> Vec<CleanupReason> {
    s.split(',').filter_map(CleanupReason::parse).collect()
}

fn reasons_text(reasons: &[CleanupReason]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn from_row(row: &AnyRow) -> Result<CardCleanup, sqlx::Error> {
    Ok(CardCleanup {
        id: col(row, "id")?,
        bank_code: col(row, "bank_code")?,
        bank_name: col(row, "bank_name")?,
        resident_id: col(row, "resident_id")?,
        holder_name: col(row, "holder_name")?,
        unit_code: col(row, "unit_code")?,
        reasons: parse_reasons(&col::<String>(row, "reasons")?),
        known_accounts: col(row, "known_accounts")?,
        note: col(row, "note")?,
        requested_by: col(row, "requested_by")?,
        requested_at: col(row, "requested_at")?,
        deadline: col(row, "deadline")?,
        state: parse_code(row, "state", CleanupState::parse)?,
        outcome: parse_optional_code(row, "outcome", CleanupOutcome::parse)?,
        accounts_found: col(row, "accounts_found")?,
        accounts_closed: col(row, "accounts_closed")?,
        accounts_restricted: col(row, "accounts_restricted")?,
        answer_note: col(row, "answer_note")?,
        answered_by: col(row, "answered_by")?,
        answered_at: col(row, "answered_at")?,
        version: col(row, "version")?,
    })
}

fn push_viewer(sql: &mut Sql<'_>, viewer: &CleanupViewer) {
    match viewer {
        CleanupViewer::Police(scope) => scope.push_condition(sql, "c.unit_code"),
        CleanupViewer::Bank(bank) => {
            sql.push("c.bank_code = ").arg(bank.clone());
        }
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &CleanupFilter, now: i64) {
    if let Some(s) = f.state {
        sql.push(" AND c.state = ").arg(s.as_str());
    }
    if let Some(b) = &f.bank_code {
        sql.push(" AND c.bank_code = ").arg(b.clone());
    }
    if let Some(r) = f.reason {
        // `reasons` is a comma-separated list: match one whole code.
        sql.push(" AND (',' || c.reasons || ',') LIKE ")
            .arg(format!("%,{},%", r.as_str()));
    }
    if let Some(o) = f.outcome {
        sql.push(" AND c.outcome = ").arg(o.as_str());
    }
    if f.overdue {
        sql.push(" AND c.state = 'pending' AND c.deadline < ")
            .arg(now);
    }
    if let Some(r) = &f.resident_id {
        sql.push(" AND c.resident_id = ").arg(r.clone());
    }
}

fn text(field: &'static str, value: &str, required: bool) -> StoreResult<String> {
    bounded_text(field, value, MAX_CLEANUP_TEXT, required)
}

/// The residents flagged for a cleanup, one row per (resident, reason): punishments in force at
/// the bound time, cards lent or sold, accounts that received victim money, bank cards opened
/// and closed again and again. Expects `RECEIPTS` before it (it continues that `WITH`).
fn flagged_sql(sql: &mut Sql<'_>, now: i64) {
    sql.push(
        ", flagged AS (\
         SELECT k.resident_id AS r, 'punished' AS reason FROM key_persons k \
         WHERE k.status = 'active' AND k.punishment_from IS NOT NULL AND k.punishment_from <= ",
    )
    .arg(now)
    .push(" AND (k.punishment_until IS NULL OR k.punishment_until > ")
    .arg(now)
    .push(
        ") UNION SELECT l.resident_id, 'gave_card_away' FROM two_card_leads l \
         WHERE l.result IN ('lent', 'sold') AND l.resident_id IS NOT NULL \
         UNION SELECT a.holder_resident_id, 'mule_account' ",
    )
    .push(JOINS)
    .push(
        "1 = 1 UNION SELECT z.resident_id, 'frequent_open_close' FROM card_closures z \
         LEFT JOIN new_cards n ON n.account_no = z.account_no AND n.resident_id = z.resident_id \
         WHERE z.kind = 'bank_card' AND z.closed_at <= ",
    )
    .arg(now)
    .push(" AND z.closed_at > ")
    .arg(now.saturating_sub(OPEN_CLOSE_LOOKBACK_DAYS * DAY_MS))
    .push(" AND ")
    .push(&short_lived_between(
        "COALESCE(z.opened_at, n.opened_at)",
        "z.closed_at",
    ))
    .push(" GROUP BY z.resident_id HAVING COUNT(DISTINCT z.account_no) >= ")
    .arg(i64::from(FREQUENT_OPEN_CLOSE))
    .push(") ");
}

/// The cleanup repository.
pub struct CardCleanups<'s> {
    store: &'s Store,
}

impl<'s> CardCleanups<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        CardCleanups { store }
    }

    /// The holders of `scope` (by their residence) and banks to ask about at `now`, for
    /// `reasons` (all when empty) and `bank` (all when `None`): every bank where the platform
    /// knows an account of the holder that is not known to be closed, unless a request for the
    /// holder and bank is pending or was made in the last [`CLEANUP_REPEAT_DAYS`] days and not
    /// withdrawn. Ordered by bank, then unit, then holder.
    pub async fn candidates(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        reasons: &[CleanupReason],
        now: i64,
    ) -> StoreResult<Vec<CleanupCandidate>> {
        let q = "card_cleanups.candidates";
        let mut sql = Sql::new(RECEIPTS);
        flagged_sql(&mut sql, now);
        sql.push(
            "SELECT f.r AS r, f.reason AS reason, p.name AS name, p.unit_code AS unit_code, \
             a.bank_code AS bank_code, MAX(a.bank_name) AS bank_name, \
             COUNT(DISTINCT a.account_no) AS n \
             FROM flagged f JOIN people p ON p.resident_id = f.r \
             JOIN bank_accounts a ON a.holder_resident_id = f.r \
             WHERE a.bank_code IS NOT NULL AND ",
        );
        scope.push_condition(&mut sql, "p.unit_code");
        if let Some(bank) = bank {
            sql.push(" AND a.bank_code = ").arg(bank.to_string());
        }
        sql.push(
            " AND NOT EXISTS (SELECT 1 FROM card_closures z \
             WHERE z.account_no = a.account_no AND z.resident_id = f.r) \
             AND NOT EXISTS (SELECT 1 FROM card_cleanups q WHERE q.resident_id = f.r \
             AND q.bank_code = a.bank_code AND (q.state = 'pending' OR (q.state = 'answered' \
             AND q.requested_at > ",
        )
        .arg(now.saturating_sub(CLEANUP_REPEAT_DAYS * DAY_MS))
        .push(
            "))) GROUP BY f.r, f.reason, p.name, p.unit_code, a.bank_code \
             ORDER BY a.bank_code, p.unit_code, f.r",
        );
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut merged: BTreeMap<(String, String, String), CleanupCandidate> = BTreeMap::new();
        for row in &rows {
            let reason: String = col(row, "reason").map_err(StoreError::query(q))?;
            let Some(reason) = CleanupReason::parse(&reason) else {
                continue;
            };
            if !reasons.is_empty() && !reasons.contains(&reason) {
                continue;
            }
            let resident_id: String = col(row, "r").map_err(StoreError::query(q))?;
            let bank_code: String = col(row, "bank_code").map_err(StoreError::query(q))?;
            let unit_code: String = col(row, "unit_code").map_err(StoreError::query(q))?;
            let n: i64 = col(row, "n").map_err(StoreError::query(q))?;
            let key = (bank_code.clone(), unit_code.clone(), resident_id.clone());
            match merged.get_mut(&key) {
                Some(c) => {
                    c.reasons.push(reason);
                    c.known_accounts = c.known_accounts.max(n);
                }
                None => {
                    let bank_name: Option<String> =
                        col(row, "bank_name").map_err(StoreError::query(q))?;
                    merged.insert(
                        key,
                        CleanupCandidate {
                            resident_id,
                            holder_name: col(row, "name").map_err(StoreError::query(q))?,
                            unit_code,
                            bank_name: bank_name.unwrap_or_else(|| bank_code.clone()),
                            bank_code,
                            reasons: vec![reason],
                            known_accounts: n,
                        },
                    );
                }
            }
        }
        Ok(merged
            .into_values()
            .map(|mut c| {
                c.reasons.sort();
                c.reasons.dedup();
                c
            })
            .collect())
    }

    /// Asks the banks about every candidate of [`CardCleanups::candidates`] (at most
    /// [`MAX_CLEANUPS_PER_BATCH`]; generate again for the rest) by `actor` at `at`, with
    /// `note` for the banks, each request audited, in one transaction. Candidates asked about
    /// meanwhile (a pending request for the holder and bank) are skipped.
    pub async fn generate(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        reasons: &[CleanupReason],
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<GeneratedCleanups> {
        let note = text("note", note, false)?;
        let mut candidates = self.candidates(scope, bank, reasons, at).await?;
        candidates.truncate(MAX_CLEANUPS_PER_BATCH);
        let deadline = at.saturating_add(CLEANUP_DAYS * DAY_MS);
        let mut out = GeneratedCleanups::default();
        let (mut holders, mut banks) = (BTreeSet::new(), BTreeSet::new());
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("card_cleanups.begin").await?;
        for c in &candidates {
            let mut sql = Sql::new(
                "INSERT INTO card_cleanups (bank_code, bank_name, resident_id, holder_name, \
                 unit_code, reasons, known_accounts, note, requested_by, requested_at, deadline, \
                 state) SELECT ",
            );
            sql.arg(c.bank_code.as_str())
                .push(", ")
                .arg(c.bank_name.as_str())
                .push(", ")
                .arg(c.resident_id.as_str())
                .push(", ")
                .arg(c.holder_name.as_str())
                .push(", ")
                .arg(c.unit_code.as_str())
                .push(", ")
                .arg(reasons_text(&c.reasons))
                .push(", ")
                .arg(c.known_accounts)
                .push(", ")
                .arg(note.as_str())
                .push(", ")
                .arg(actor)
                .push(", ")
                .arg(at)
                .push(", ")
                .arg(deadline)
                .push(
                    ", 'pending' WHERE NOT EXISTS (SELECT 1 FROM card_cleanups q \
                     WHERE q.state = 'pending' AND q.resident_id = ",
                )
                .arg(c.resident_id.as_str())
                .push(" AND q.bank_code = ")
                .arg(c.bank_code.as_str())
                .push(") RETURNING id");
            let Some(row) = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query("card_cleanups.generate"))?
            else {
                continue;
            };
            let id: i64 = col(&row, "id").map_err(StoreError::query("card_cleanups.generate"))?;
            append_on(
                &mut tx,
                &NewAuditEntry {
                    actor: actor.to_string(),
                    action: "card_cleanup_requested".into(),
                    target_type: "card_cleanup".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(c.unit_code.clone()),
                    detail: serde_json::json!({
                        "bank_code": c.bank_code,
                        "reasons": c.reasons,
                        "known_accounts": c.known_accounts,
                    }),
                },
            )
            .await?;
            out.requested += 1;
            out.first_id.get_or_insert(id);
            out.last_id = Some(id);
            holders.insert(c.resident_id.as_str());
            banks.insert(c.bank_code.as_str());
        }
        tx.commit()
            .await
            .map_err(StoreError::query("card_cleanups.commit"))?;
        out.holders = holders.len() as i64;
        out.banks = banks.len() as i64;
        Ok(out)
    }

    /// Request `id` when `viewer` reads it; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, viewer: &CleanupViewer, id: i64) -> StoreResult<CardCleanup> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM card_cleanups c WHERE "));
        push_viewer(&mut sql, viewer);
        sql.push(" AND c.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("card_cleanups.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("card_cleanups.get")),
            None => Err(StoreError::NotFound {
                what: "card cleanup",
                key: id.to_string(),
            }),
        }
    }

    /// Requests `viewer` reads matching `filter` (overdue as of `now`), the latest first; the
    /// page key is `"<requested_at>/<id>"`.
    pub async fn list(
        &self,
        viewer: &CleanupViewer,
        filter: &CleanupFilter,
        page: &PageRequest,
        now: i64,
    ) -> StoreResult<Page<CardCleanup>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM card_cleanups c WHERE "));
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, now);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "c.requested_at",
            "c.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("card_cleanups.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("card_cleanups.list"))?;
        Ok(Page::from_overfetch(items, limit, |c| {
            format!("{}/{}", c.requested_at, c.id)
        }))
    }

    /// How many requests [`CardCleanups::list`] would give in all.
    pub async fn count(
        &self,
        viewer: &CleanupViewer,
        filter: &CleanupFilter,
        now: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM card_cleanups c WHERE ");
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, now);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("card_cleanups.count"))?;
        col(&row, "n").map_err(StoreError::query("card_cleanups.count"))
    }

    /// The holder's accounts at the request's bank that the platform knows of (what the bank
    /// is asked about at least), by account number.
    pub async fn known_accounts(&self, c: &CardCleanup) -> StoreResult<Vec<KnownAccount>> {
        let mut of = self
            .known_accounts_at(&c.bank_code, &[c.resident_id.as_str()])
            .await?;
        Ok(of.remove(&c.resident_id).unwrap_or_default())
    }

    /// [`CardCleanups::known_accounts`] of many holders at one bank (a work list, an API page),
    /// a query per 300 holders rather than one per request: holder → accounts by number.
    pub async fn known_accounts_at(
        &self,
        bank: &str,
        holders: &[&str],
    ) -> StoreResult<HashMap<String, Vec<KnownAccount>>> {
        let q = "card_cleanups.known_accounts";
        let mut out: HashMap<String, Vec<KnownAccount>> = HashMap::new();
        for chunk in holders.chunks(300) {
            let mut sql = Sql::new(RECEIPTS);
            sql.push(
                "SELECT a.holder_resident_id AS holder, a.account_no AS account_no, \
                 a.opened_at AS opened_at, a.opened_where AS opened_where, \
                 CAST(CASE WHEN EXISTS (SELECT 1 FROM card_closures z \
                 WHERE z.account_no = a.account_no AND z.resident_id = a.holder_resident_id) \
                 THEN 1 ELSE 0 END AS BIGINT) AS closed, \
                 CAST(CASE WHEN a.account_no IN (SELECT r.account ",
            )
            .push(JOINS)
            .push(
                "1 = 1) THEN 1 ELSE 0 END AS BIGINT) AS mule \
                 FROM bank_accounts a WHERE a.bank_code = ",
            )
            .arg(bank)
            .push(" AND a.holder_resident_id IN (");
            sql.args(chunk.iter().copied())
                .push(") ORDER BY a.holder_resident_id, a.account_no");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query(q))?;
            for r in &rows {
                let holder: String = col(r, "holder").map_err(StoreError::query(q))?;
                let account = (|| {
                    Ok::<_, sqlx::Error>(KnownAccount {
                        account_no: col(r, "account_no")?,
                        opened_at: col(r, "opened_at")?,
                        opened_where: col(r, "opened_where")?,
                        closed: col::<i64>(r, "closed")? == 1,
                        received_victim_money: col::<i64>(r, "mule")? == 1,
                    })
                })()
                .map_err(StoreError::query(q))?;
                out.entry(holder).or_default().push(account);
            }
        }
        Ok(out)
    }

    /// Records `bank`'s answer to request `id` (read at `version`) by `actor` at `at`, with its
    /// audit entry. [`StoreError::Invalid`] when the figures do not agree with the outcome
    /// ([`CleanupAnswer`]); [`StoreError::NotFound`] for another bank's request;
    /// [`StoreError::Conflict`] when it is no longer pending or moved past `version`.
    pub async fn answer(
        &self,
        bank: &str,
        id: i64,
        version: i64,
        answer: &CleanupAnswer,
        actor: &str,
        at: i64,
    ) -> StoreResult<CardCleanup> {
        answer.check()?;
        let note = text("note", &answer.note, false)?;
        let current = self.get(&CleanupViewer::Bank(bank.to_string()), id).await?;
        let close = Close {
            state: CleanupState::Answered.as_str(),
            note: &note,
            actor,
            at,
            columns: vec![
                ("outcome", answer.outcome.as_str().into()),
                ("accounts_found", answer.accounts_found.into()),
                ("accounts_closed", answer.accounts_closed.into()),
                ("accounts_restricted", answer.accounts_restricted.into()),
            ],
            action: "card_cleanup_answered",
            detail: serde_json::json!({
                "bank_code": bank,
                "outcome": answer.outcome.as_str(),
                "accounts_found": answer.accounts_found,
                "accounts_closed": answer.accounts_closed,
                "accounts_restricted": answer.accounts_restricted,
                "on_time": at <= current.deadline,
            }),
        };
        self.close(&current, version, close).await?;
        Ok(CardCleanup {
            state: CleanupState::Answered,
            outcome: Some(answer.outcome),
            accounts_found: Some(answer.accounts_found),
            accounts_closed: Some(answer.accounts_closed),
            accounts_restricted: Some(answer.accounts_restricted),
            answer_note: note,
            answered_by: Some(actor.to_string()),
            answered_at: Some(at),
            version: version + 1,
            ..current
        })
    }

    /// Withdraws pending request `id` (read at `version`) of a holder inside `scope`, with why,
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
    ) -> StoreResult<CardCleanup> {
        let note = text("note", note, true)?;
        let current = self.get(&CleanupViewer::Police(scope.clone()), id).await?;
        let close = Close {
            state: CleanupState::Withdrawn.as_str(),
            note: &note,
            actor,
            at,
            columns: Vec::new(),
            action: "card_cleanup_withdrawn",
            detail: serde_json::json!({ "bank_code": current.bank_code }),
        };
        self.close(&current, version, close).await?;
        Ok(CardCleanup {
            state: CleanupState::Withdrawn,
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
        current: &CardCleanup,
        version: i64,
        close: Close<'_>,
    ) -> StoreResult<()> {
        let read = Read {
            table: "card_cleanups",
            what: "card cleanup",
            target_type: "card_cleanup",
            id: current.id,
            state: current.state.as_str(),
            version: current.version,
            unit_code: &current.unit_code,
        };
        crate::pending::close(self.store, read, version, close).await
    }

    /// Counts of what `viewer` reads — all, per bank and per reason — with requests pending
    /// past their deadline at `now` counted as overdue; with `period` (`[from, until)` epoch
    /// ms) only the requests made in it.
    pub async fn figures(
        &self,
        viewer: &CleanupViewer,
        now: i64,
        period: Option<(i64, i64)>,
    ) -> StoreResult<CleanupFigures> {
        let q = "card_cleanups.figures";
        let mut sql = Sql::new(
            "SELECT c.bank_code AS bank_code, MAX(c.bank_name) AS bank_name, \
             c.reasons AS reasons, c.state AS state, c.outcome AS outcome, \
             CAST(CASE WHEN c.state = 'pending' AND c.deadline < ",
        );
        sql.arg(now).push(
            " THEN 1 ELSE 0 END AS BIGINT) AS late, \
             CAST(CASE WHEN c.answered_at <= c.deadline THEN 1 ELSE 0 END AS BIGINT) AS in_time, \
             COUNT(*) AS n, CAST(COALESCE(SUM(c.accounts_found), 0) AS BIGINT) AS found, \
             CAST(COALESCE(SUM(c.accounts_closed), 0) AS BIGINT) AS closed, \
             CAST(COALESCE(SUM(c.accounts_restricted), 0) AS BIGINT) AS restricted \
             FROM card_cleanups c WHERE ",
        );
        push_viewer(&mut sql, viewer);
        if let Some((from, until)) = period {
            sql.push(" AND c.requested_at >= ")
                .arg(from)
                .push(" AND c.requested_at < ")
                .arg(until);
        }
        sql.push(" GROUP BY c.bank_code, c.reasons, c.state, c.outcome, late, in_time");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut f = CleanupFigures::default();
        for row in &rows {
            let e = || StoreError::query(q);
            let bank_code: String = col(row, "bank_code").map_err(e())?;
            let bank_name: String = col(row, "bank_name").map_err(e())?;
            let reasons: String = col(row, "reasons").map_err(e())?;
            let r = CountRow {
                state: col(row, "state").map_err(e())?,
                outcome: col(row, "outcome").map_err(e())?,
                late: col::<i64>(row, "late").map_err(e())? == 1,
                in_time: col::<i64>(row, "in_time").map_err(e())? == 1,
                n: col(row, "n").map_err(e())?,
                found: col(row, "found").map_err(e())?,
                closed: col(row, "closed").map_err(e())?,
                restricted: col(row, "restricted").map_err(e())?,
            };
            f.all.add(&r);
            f.by_bank
                .entry(bank_code)
                .or_insert_with(|| (bank_name, CleanupCounts::default()))
                .1
                .add(&r);
            for reason in parse_reasons(&reasons) {
                f.by_reason.entry(reason).or_default().add(&r);
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(outcome: CleanupOutcome, found: i64, closed: i64, restricted: i64) -> CleanupAnswer {
        CleanupAnswer {
            outcome,
            accounts_found: found,
            accounts_closed: closed,
            accounts_restricted: restricted,
            note: String::new(),
        }
    }

    #[test]
    fn codes_round_trip() {
        for r in CleanupReason::ALL {
            assert_eq!(CleanupReason::parse(r.as_str()), Some(*r));
        }
        for s in CleanupState::ALL {
            assert_eq!(CleanupState::parse(s.as_str()), Some(*s));
        }
        for o in CleanupOutcome::ALL {
            assert_eq!(CleanupOutcome::parse(o.as_str()), Some(*o));
        }
        let all = CleanupReason::ALL.to_vec();
        assert_eq!(parse_reasons(&reasons_text(&all)), all);
        assert_eq!(parse_reasons(""), Vec::<CleanupReason>::new());
    }

    #[test]
    fn the_answer_must_agree_with_its_figures() {
        use CleanupOutcome::*;
        assert!(answer(Cleaned, 3, 1, 2).check().is_ok());
        assert!(answer(Cleaned, 3, 0, 0).check().is_err());
        assert!(answer(Cleaned, 1, 1, 1).check().is_err());
        assert!(answer(Cleaned, -1, 0, 0).check().is_err());
        assert!(answer(NoAccounts, 0, 0, 0).check().is_ok());
        assert!(answer(NoAccounts, 2, 0, 0).check().is_err());
        // Verified normal needs accounts checked, none touched, and why.
        assert!(answer(Normal, 2, 0, 0).check().is_err());
        let mut normal = answer(Normal, 2, 0, 0);
        normal.note = "工资代发账户，本人到柜面核实".into();
        assert!(normal.check().is_ok());
        normal.accounts_restricted = 1;
        assert!(normal.check().is_err());
        let mut none = answer(Normal, 0, 0, 0);
        none.note = "x".into();
        assert!(none.check().is_err());
    }

    #[test]
    fn the_on_time_rate_counts_what_was_due() {
        let row = |state: &str, late: bool, in_time: bool, n: i64| CountRow {
            state: state.into(),
            outcome: (state == "answered").then(|| "cleaned".to_string()),
            late,
            in_time,
            n,
            found: n,
            closed: n,
            restricted: 0,
        };
        let mut c = CleanupCounts::default();
        assert_eq!(c.on_time_rate(), None);
        c.add(&row("answered", false, true, 3));
        c.add(&row("answered", false, false, 1));
        c.add(&row("pending", true, false, 1));
        c.add(&row("pending", false, false, 4));
        c.add(&row("withdrawn", false, true, 2));
        assert_eq!(c.requested, 11);
        assert_eq!((c.answered, c.on_time, c.cleaned), (4, 3, 4));
        assert_eq!((c.pending, c.overdue, c.withdrawn), (5, 1, 2));
        assert_eq!((c.accounts_found, c.accounts_closed), (4, 4));
        assert_eq!(c.on_time_rate(), Some(0.6));
    }
}
