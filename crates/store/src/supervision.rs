//! The supervision register (督导整治): measures the center or a county takes against a
//! township or street of its own tree (发案居高不下, 宣防不落实, 涉诈重点人多 …) or against an
//! outside organisation in its area — a bank outlet (银行网点, named by its bank's code), a
//! telecom business hall (运营商营业厅), another organisation (其他单位). A measure is an
//! interview (约谈), a listing for rectification (挂牌整治), a warning notice (警示单 / 提示函),
//! a temporary closure (临时关停, outlets only) or a circulated notice (通报), with a deadline
//! for rectification.
//!
//! Life: `issued` → `replied` (整改报告 recorded: text, who, when) → `closed` (验收通过 / 摘牌:
//! who, when, note), or from `replied` back to `issued` (验收不通过 / 退回整改: what is still
//! missing, a new deadline). A measure is overdue while not closed after its deadline; the
//! deadline may be extended, with a note, at most twice. Every change is an entry of the
//! measure's history (`supervision_events`) and an audit entry, written in one transaction.
//!
//! Reads are scoped by the unit in whose area the target lies (`unit_code`): a `&Scope` always,
//! and for a bank liaison also their bank's code (only measures addressed to that bank's
//! outlets). Only the issuing unit or a unit above it extends, returns or closes a measure;
//! only the target's side records the report — a unit strictly below the issuer whose area
//! holds the target, or the liaison of the outlet's bank — never the issuer (separation of
//! duties: who judges the rectification does not also report it).

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, decode_err};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::units::Unit;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// One day in epoch ms.
const DAY_MS: i64 = 86_400_000;
/// Days to rectify when the issuer names none.
pub const DEFAULT_RECTIFICATION_DAYS: i64 = 30;
/// The most days a deadline may lie after the issue or the deadline it extends.
pub const MAX_RECTIFICATION_DAYS: i64 = 365;
/// Days to rectify again after a report is returned, when the issuer names no date.
pub const DEFAULT_RETURN_DAYS: i64 = 15;
/// How many times a deadline may be extended.
pub const MAX_EXTENSIONS: i64 = 2;
/// The longest name, reason, report or note kept (characters).
pub const MAX_SUPERVISION_TEXT: usize = 2000;

use crate::code_enum::code_enum;

code_enum! {
    /// What a measure is taken against.
    TargetKind {
        /// A unit of the org tree (乡镇街道, 县区), below the issuer.
        Unit => "unit", "乡镇街道/辖区单位", "Township or unit";
        /// 银行网点, with its bank's code.
        BankOutlet => "bank_outlet", "银行网点", "Bank outlet";
        /// 运营商营业厅.
        TelecomOutlet => "telecom_outlet", "运营商营业厅", "Telecom business hall";
        /// 其他单位 (a company, an agent).
        Organisation => "organisation", "其他单位", "Other organisation";
    }
}

impl TargetKind {
    /// A bank outlet or a telecom business hall: the only targets a 临时关停 may close.
    pub fn is_outlet(self) -> bool {
        matches!(self, TargetKind::BankOutlet | TargetKind::TelecomOutlet)
    }
}

code_enum! {
    /// The measure taken.
    MeasureKind {
        /// 约谈.
        Interview => "interview", "约谈", "Interview";
        /// 挂牌整治.
        Listed => "listed", "挂牌整治", "Listed for rectification";
        /// 警示单 / 提示函.
        WarningNotice => "warning_notice", "警示单/提示函", "Warning notice";
        /// 临时关停 (outlets only).
        Closure => "closure", "临时关停", "Temporary closure";
        /// 通报.
        Circulated => "circulated", "通报", "Circulated notice";
    }
}

code_enum! {
    /// Why a measure is taken; a free text says more.
    SupervisionReason {
        HighIncidence => "high_incidence", "发案高发", "High case incidence";
        OutreachLacking => "outreach_lacking", "宣防不落实", "Prevention work not done";
        KeyPersonControl => "key_person_control", "重点人员管控不力", "Key persons poorly controlled";
        TwoCards => "two_cards", "涉诈两卡突出", "Many fraud-linked cards";
        CardIssuance => "card_issuance", "开卡/送卡环节隐患", "Risk in opening or delivering cards";
        Other => "other", "其他", "Other";
    }
}

code_enum! {
    /// Where a measure stands.
    SupervisionState {
        /// Issued, rectification under way.
        Issued => "issued", "整改中", "Rectifying";
        /// The rectification report was received.
        Replied => "replied", "已报整改", "Report received";
        /// Accepted and closed (验收通过 / 摘牌).
        Closed => "closed", "已销号", "Closed";
    }
}

code_enum! {
    /// An entry of a measure's history.
    SupervisionEventKind {
        Issued => "issued", "下发", "Issued";
        Replied => "replied", "整改报告", "Rectification report";
        Extended => "extended", "延期", "Deadline extended";
        Returned => "returned", "验收不通过·退回整改", "Report returned for more rectification";
        Closed => "closed", "验收销号", "Accepted and closed";
    }
}

/// A measure to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSupervision {
    pub target_kind: TargetKind,
    /// The outlet's or organisation's name; for a unit target, empty takes the unit's name.
    pub target_name: String,
    /// The bank of a bank outlet (a code of the BIN table's banks); `None` for other targets.
    pub bank_code: Option<String>,
    /// The unit in whose area the target lies; for a unit target, the unit itself.
    pub unit_code: String,
    pub measure: MeasureKind,
    /// One or more reasons.
    pub reasons: Vec<SupervisionReason>,
    /// What the reasons mean here (figures, facts); required with 其他.
    pub reason_text: String,
    /// The issuing unit (inside the caller's scope).
    pub issuer_unit: String,
    pub issued_by: String,
    pub issued_at: i64,
    /// Days to rectify (1 to [`MAX_RECTIFICATION_DAYS`]).
    pub deadline_days: i64,
}

/// A stored measure.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Supervision {
    pub id: i64,
    pub target_kind: TargetKind,
    pub target_name: String,
    pub bank_code: Option<String>,
    pub unit_code: String,
    pub measure: MeasureKind,
    pub reasons: Vec<SupervisionReason>,
    pub reason_text: String,
    pub issuer_unit: String,
    pub issued_by: String,
    pub issued_at: i64,
    pub deadline: i64,
    /// Extensions granted so far (at most [`MAX_EXTENSIONS`]).
    pub extensions: i64,
    /// Reports returned so far (验收不通过).
    pub returns: i64,
    pub state: SupervisionState,
    pub report: Option<String>,
    pub replied_by: Option<String>,
    pub replied_at: Option<i64>,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
    pub close_note: Option<String>,
    /// Entries in the history.
    pub version: i64,
}

impl Supervision {
    /// Not closed after its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.state != SupervisionState::Closed && self.deadline < now
    }

    /// Whether another extension may be granted.
    pub fn extendable(&self) -> bool {
        self.state != SupervisionState::Closed && self.extensions < MAX_EXTENSIONS
    }
}

/// An entry of a measure's history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SupervisionEvent {
    pub seq: i64,
    pub kind: SupervisionEventKind,
    pub actor: String,
    pub at: i64,
    /// The reasons (issued), the report (replied), why (extended), the acceptance note (closed).
    pub note: String,
    /// The deadline set by this entry (issued, extended).
    pub deadline: Option<i64>,
}

/// Which measures to list or count (the unit is the scope).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupervisionFilter {
    pub state: Option<SupervisionState>,
    pub measure: Option<MeasureKind>,
    pub target_kind: Option<TargetKind>,
    /// Only measures not closed after their deadline.
    pub overdue: bool,
    /// Issued at or after this instant.
    pub from: Option<i64>,
    /// Issued before this instant.
    pub until: Option<i64>,
}

/// Counts of one measure kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MeasureCounts {
    pub total: i64,
    /// Not closed.
    pub open: i64,
    pub closed: i64,
}

/// Figures over a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SupervisionFigures {
    pub total: i64,
    pub by_state: BTreeMap<SupervisionState, i64>,
    pub by_measure: BTreeMap<MeasureKind, MeasureCounts>,
    /// Not closed after the deadline.
    pub overdue: i64,
    /// Issued inside the period.
    pub issued_in_period: i64,
    /// Closed inside the period.
    pub closed_in_period: i64,
    /// Not closed, and a report of theirs was returned at least once (退回整改中).
    pub returned: i64,
}

impl SupervisionFigures {
    /// Measures not closed.
    pub fn open(&self) -> i64 {
        self.total - self.state(SupervisionState::Closed)
    }

    pub fn state(&self, s: SupervisionState) -> i64 {
        self.by_state.get(&s).copied().unwrap_or(0)
    }

    /// 挂牌整治 still in force (not yet 摘牌).
    pub fn listed_open(&self) -> i64 {
        self.measure(MeasureKind::Listed).open
    }

    pub fn measure(&self, m: MeasureKind) -> MeasureCounts {
        self.by_measure.get(&m).copied().unwrap_or_default()
    }
}

const COLUMNS: &str = "m.id, m.target_kind, m.target_name, m.bank_code, m.unit_code, m.measure, \
     m.reasons, m.reason_text, m.issuer_unit, m.issued_by, m.issued_at, m.deadline, \
     m.extensions, m.returns, m.state, m.report, m.replied_by, m.replied_at, m.closed_by, m.closed_at, \
     m.close_note, m.version";

fn join_reasons(reasons: &[SupervisionReason]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn from_row(row: &AnyRow) -> Result<Supervision, sqlx::Error> {
    let kind: String = col(row, "target_kind")?;
    let measure: String = col(row, "measure")?;
    let state: String = col(row, "state")?;
    let reasons: String = col(row, "reasons")?;
    Ok(Supervision {
        id: col(row, "id")?,
        target_kind: TargetKind::parse(&kind)
            .ok_or_else(|| decode_err("target_kind", format!("unknown target `{kind}`")))?,
        target_name: col(row, "target_name")?,
        bank_code: col(row, "bank_code")?,
        unit_code: col(row, "unit_code")?,
        measure: MeasureKind::parse(&measure)
            .ok_or_else(|| decode_err("measure", format!("unknown measure `{measure}`")))?,
        reasons: reasons
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| {
                SupervisionReason::parse(r)
                    .ok_or_else(|| decode_err("reasons", format!("unknown reason `{r}`")))
            })
            .collect::<Result<_, _>>()?,
        reason_text: col(row, "reason_text")?,
        issuer_unit: col(row, "issuer_unit")?,
        issued_by: col(row, "issued_by")?,
        issued_at: col(row, "issued_at")?,
        deadline: col(row, "deadline")?,
        extensions: col(row, "extensions")?,
        returns: col(row, "returns")?,
        state: SupervisionState::parse(&state)
            .ok_or_else(|| decode_err("state", format!("unknown state `{state}`")))?,
        report: col(row, "report")?,
        replied_by: col(row, "replied_by")?,
        replied_at: col(row, "replied_at")?,
        closed_by: col(row, "closed_by")?,
        closed_at: col(row, "closed_at")?,
        close_note: col(row, "close_note")?,
        version: col(row, "version")?,
    })
}

/// The scope condition, and for a bank liaison the bank's.
fn push_reader(sql: &mut Sql<'_>, scope: &Scope, bank: Option<&str>) {
    scope.push_condition(sql, "m.unit_code");
    if let Some(code) = bank {
        sql.push(" AND m.target_kind = 'bank_outlet' AND m.bank_code = ")
            .arg(code.to_string());
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &SupervisionFilter, now: i64) {
    if let Some(s) = f.state {
        sql.push(" AND m.state = ").arg(s.as_str());
    }
    if let Some(m) = f.measure {
        sql.push(" AND m.measure = ").arg(m.as_str());
    }
    if let Some(k) = f.target_kind {
        sql.push(" AND m.target_kind = ").arg(k.as_str());
    }
    if f.overdue {
        sql.push(" AND m.state <> 'closed' AND m.deadline < ")
            .arg(now);
    }
    if let Some(from) = f.from {
        sql.push(" AND m.issued_at >= ").arg(from);
    }
    if let Some(until) = f.until {
        sql.push(" AND m.issued_at < ").arg(until);
    }
}

fn text(field: &'static str, value: &str, required: bool) -> StoreResult<String> {
    bounded_text(field, value, MAX_SUPERVISION_TEXT, required)
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "supervision measure",
        key: id.to_string(),
    }
}

/// The supervision repository.
pub struct SupervisionRegister<'s> {
    store: &'s Store,
}

impl<'s> SupervisionRegister<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        SupervisionRegister { store }
    }

    /// The unit `code` when it lies inside `scope`; [`StoreError::NotFound`] otherwise.
    async fn unit_in(&self, scope: &Scope, code: &str) -> StoreResult<Unit> {
        self.store.units().in_scope(scope, code).await
    }

    /// Issues a measure with its first history entry and audit entry, and returns it as
    /// stored. The issuing unit must lie inside `scope`, the target's unit inside the issuer's
    /// subtree ([`StoreError::NotFound`] otherwise) and a unit target strictly below the
    /// issuer; a bank outlet names a bank of the BIN table; a temporary closure only closes
    /// an outlet; at least one reason, a text with 其他 ([`StoreError::Invalid`]).
    pub async fn issue(&self, scope: &Scope, new: &NewSupervision) -> StoreResult<Supervision> {
        if !(1..=MAX_RECTIFICATION_DAYS).contains(&new.deadline_days) {
            return Err(StoreError::invalid(
                "deadline_days",
                format!("must be between 1 and {MAX_RECTIFICATION_DAYS}"),
            ));
        }
        let mut reasons = new.reasons.clone();
        reasons.sort();
        reasons.dedup();
        if reasons.is_empty() {
            return Err(StoreError::invalid("reasons", "name at least one reason"));
        }
        let reason_text = text(
            "reason_text",
            &new.reason_text,
            reasons.contains(&SupervisionReason::Other),
        )?;
        if new.measure == MeasureKind::Closure && !new.target_kind.is_outlet() {
            return Err(StoreError::invalid(
                "measure",
                "a temporary closure applies to a bank outlet or a telecom business hall only",
            ));
        }
        let bank_code = match (new.target_kind, new.bank_code.as_deref().map(str::trim)) {
            (TargetKind::BankOutlet, Some(code)) if !code.is_empty() => {
                let code = code.to_ascii_uppercase();
                if fanzha_core::reference::bank_bins().bank(&code).is_none() {
                    return Err(StoreError::invalid(
                        "bank_code",
                        format!("`{code}` is no bank of the BIN table"),
                    ));
                }
                Some(code)
            }
            (TargetKind::BankOutlet, _) => {
                return Err(StoreError::invalid(
                    "bank_code",
                    "a bank outlet names its bank",
                ))
            }
            (_, Some(code)) if !code.is_empty() => {
                return Err(StoreError::invalid(
                    "bank_code",
                    "only a bank outlet names a bank",
                ))
            }
            _ => None,
        };
        let issuer = self.unit_in(scope, new.issuer_unit.trim()).await?;
        let target_unit = self.unit_in(scope, new.unit_code.trim()).await?;
        if !target_unit.path.starts_with(&issuer.path) {
            return Err(StoreError::NotFound {
                what: "unit",
                key: target_unit.code,
            });
        }
        let target_name = if new.target_kind == TargetKind::Unit {
            if target_unit.code == issuer.code {
                return Err(StoreError::invalid(
                    "unit_code",
                    "a unit is supervised by a unit above it",
                ));
            }
            match text("target_name", &new.target_name, false)? {
                n if n.is_empty() => target_unit.name.clone(),
                n => n,
            }
        } else {
            text("target_name", &new.target_name, true)?
        };
        let at = new.issued_at;
        let deadline = at.saturating_add(new.deadline_days * DAY_MS);
        let codes = join_reasons(&reasons);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("supervision.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO supervision_measures (target_kind, target_name, bank_code, unit_code, \
             measure, reasons, reason_text, issuer_unit, issued_by, issued_at, deadline, \
             extensions, state, version) VALUES (",
        );
        sql.arg(new.target_kind.as_str())
            .push(", ")
            .arg(target_name.as_str())
            .push(", ")
            .arg(bank_code.as_deref())
            .push(", ")
            .arg(target_unit.code.as_str())
            .push(", ")
            .arg(new.measure.as_str())
            .push(", ")
            .arg(codes.as_str())
            .push(", ")
            .arg(reason_text.as_str())
            .push(", ")
            .arg(issuer.code.as_str())
            .push(", ")
            .arg(new.issued_by.as_str())
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(deadline)
            .push(", 0, 'issued', 1) RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("supervision.issue"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("supervision.issue"))?;
        insert_event(
            &mut tx,
            id,
            1,
            SupervisionEventKind::Issued,
            &new.issued_by,
            at,
            &reason_text,
            Some(deadline),
        )
        .await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.issued_by.clone(),
                action: "supervision_issued".into(),
                target_type: "supervision".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(target_unit.code.clone()),
                detail: serde_json::json!({
                    "measure": new.measure.as_str(),
                    "target_kind": new.target_kind.as_str(),
                    "bank_code": bank_code,
                    "issuer_unit": issuer.code,
                    "reasons": codes,
                    "deadline": deadline,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("supervision.commit"))?;
        Ok(Supervision {
            id,
            target_kind: new.target_kind,
            target_name,
            bank_code,
            unit_code: target_unit.code,
            measure: new.measure,
            reasons,
            reason_text,
            issuer_unit: issuer.code,
            issued_by: new.issued_by.clone(),
            issued_at: at,
            deadline,
            extensions: 0,
            returns: 0,
            state: SupervisionState::Issued,
            report: None,
            replied_by: None,
            replied_at: None,
            closed_by: None,
            closed_at: None,
            close_note: None,
            version: 1,
        })
    }

    /// The measure `id` when its target lies inside `scope` (and, with `bank`, is an outlet of
    /// that bank); [`StoreError::NotFound`] otherwise.
    pub async fn get(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        id: i64,
    ) -> StoreResult<Supervision> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM supervision_measures m WHERE "
        ));
        push_reader(&mut sql, scope, bank);
        sql.push(" AND m.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("supervision.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("supervision.get")),
            None => Err(not_found(id)),
        }
    }

    /// The history of measure `id`, in order; [`StoreError::NotFound`] as for
    /// [`SupervisionRegister::get`].
    pub async fn events(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        id: i64,
    ) -> StoreResult<Vec<SupervisionEvent>> {
        self.get(scope, bank, id).await?;
        let mut sql = Sql::new(
            "SELECT seq, kind, actor, at, note, deadline FROM supervision_events \
             WHERE measure_id = ",
        );
        sql.arg(id).push(" ORDER BY seq");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("supervision.events"))?;
        rows.iter()
            .map(|r| {
                let kind: String = col(r, "kind")?;
                Ok(SupervisionEvent {
                    seq: col(r, "seq")?,
                    kind: SupervisionEventKind::parse(&kind)
                        .ok_or_else(|| decode_err("kind", format!("unknown entry `{kind}`")))?,
                    actor: col(r, "actor")?,
                    at: col(r, "at")?,
                    note: col(r, "note")?,
                    deadline: col(r, "deadline")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("supervision.events"))
    }

    /// Measures inside `scope` (and `bank`'s outlets, when given) matching `filter` (overdue
    /// as of `now`), the latest issued first; the page key is `"<issued_at>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        filter: &SupervisionFilter,
        page: &PageRequest,
        now: i64,
    ) -> StoreResult<Page<Supervision>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM supervision_measures m WHERE "
        ));
        push_reader(&mut sql, scope, bank);
        push_filter(&mut sql, filter, now);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "m.issued_at",
            "m.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("supervision.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("supervision.list"))?;
        Ok(Page::from_overfetch(items, limit, |m| {
            format!("{}/{}", m.issued_at, m.id)
        }))
    }

    /// How many measures [`SupervisionRegister::list`] would give in all.
    pub async fn count(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        filter: &SupervisionFilter,
        now: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM supervision_measures m WHERE ");
        push_reader(&mut sql, scope, bank);
        push_filter(&mut sql, filter, now);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("supervision.count"))?;
        col(&row, "n").map_err(StoreError::query("supervision.count"))
    }

    /// Figures inside `scope` (and `bank`'s outlets): by state and measure kind (all measures),
    /// overdue as of `now`, and issued and closed inside `[from, until)`.
    pub async fn figures(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        from: i64,
        until: i64,
        now: i64,
    ) -> StoreResult<SupervisionFigures> {
        let q = || StoreError::query("supervision.figures");
        let mut sql = Sql::new(
            "SELECT m.measure AS measure, m.state AS state, \
             CAST(CASE WHEN m.state <> 'closed' AND m.deadline < ",
        );
        sql.arg(now).push(
            " THEN 1 ELSE 0 END AS BIGINT) AS late, COUNT(*) AS n FROM supervision_measures m \
             WHERE ",
        );
        push_reader(&mut sql, scope, bank);
        sql.push(" GROUP BY m.measure, m.state, late");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(q())?;
        let mut f = SupervisionFigures::default();
        for row in &rows {
            let measure: String = col(row, "measure").map_err(q())?;
            let state: String = col(row, "state").map_err(q())?;
            let late: i64 = col(row, "late").map_err(q())?;
            let n: i64 = col(row, "n").map_err(q())?;
            let (Some(measure), Some(state)) = (
                MeasureKind::parse(&measure),
                SupervisionState::parse(&state),
            ) else {
                return Err(StoreError::Corrupt {
                    what: "supervision measure",
                    detail: format!("measure `{measure}`, state `{state}`"),
                });
            };
            f.total += n;
            *f.by_state.entry(state).or_default() += n;
            let m = f.by_measure.entry(measure).or_default();
            m.total += n;
            if state == SupervisionState::Closed {
                m.closed += n;
            } else {
                m.open += n;
            }
            if late == 1 {
                f.overdue += n;
            }
        }
        let mut sql = Sql::new("SELECT CAST(COALESCE(SUM(CASE WHEN m.issued_at >= ");
        let (a, b) = (sql.bind(from), sql.bind(until));
        sql.push(&format!(
            "{a} AND m.issued_at < {b} THEN 1 ELSE 0 END), 0) AS BIGINT) AS issued, \
             CAST(COALESCE(SUM(CASE WHEN m.state = 'closed' AND m.closed_at >= {a} \
             AND m.closed_at < {b} THEN 1 ELSE 0 END), 0) AS BIGINT) AS closed, \
             CAST(COALESCE(SUM(CASE WHEN m.state <> 'closed' AND m.returns > 0 \
             THEN 1 ELSE 0 END), 0) AS BIGINT) AS returned \
             FROM supervision_measures m WHERE "
        ));
        push_reader(&mut sql, scope, bank);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(q())?;
        f.issued_in_period = col(&row, "issued").map_err(q())?;
        f.closed_in_period = col(&row, "closed").map_err(q())?;
        f.returned = col(&row, "returned").map_err(q())?;
        Ok(f)
    }

    /// [`SupervisionRegister::figures`] for each unit directly below `unit_code` (its whole
    /// subtree each), in the order of [`crate::units::Units::children`].
    /// [`StoreError::NotFound`] when `unit_code` lies outside `scope`.
    pub async fn figures_below(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        unit_code: &str,
        from: i64,
        until: i64,
        now: i64,
    ) -> StoreResult<Vec<(Unit, SupervisionFigures)>> {
        self.unit_in(scope, unit_code).await?;
        let mut out = Vec::new();
        for child in self.store.units().children(unit_code).await? {
            let sub = self.store.units().scope(&child.code).await?;
            let f = self.figures(&sub, bank, from, until, now).await?;
            out.push((child, f));
        }
        Ok(out)
    }

    /// Records the rectification report of measure `id` (整改报告), by `actor` at `at`, with
    /// its history and audit entries. Read as [`SupervisionRegister::get`] reads
    /// ([`StoreError::NotFound`]). Only the target's side reports: with `bank`, the liaison of
    /// the outlet's bank; without, a unit strictly below the issuing unit whose area holds the
    /// target — [`StoreError::DutySeparated`] when `scope` holds the issuing unit (the issuer
    /// or a unit above it judges the report and must not also record it).
    /// [`StoreError::Conflict`] when a report was recorded already or the measure is closed.
    pub async fn reply(
        &self,
        scope: &Scope,
        bank: Option<&str>,
        id: i64,
        report: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<Supervision> {
        let report = text("report", report, true)?;
        let m = self.get(scope, bank, id).await?;
        if bank.is_none() && self.issuer_side(scope, &m).await?.is_ok() {
            return Err(StoreError::DutySeparated {
                what: "supervision measure",
                detail: format!(
                    "measure {id} was issued by your unit or a unit below it: the rectification \
                     report is recorded by the target's unit (a unit below the issuer) or by \
                     the liaison of the outlet's bank, not by the issuing side"
                ),
            });
        }
        match m.state {
            SupervisionState::Issued => {}
            SupervisionState::Replied => {
                return Err(StoreError::Conflict {
                    what: "supervision measure",
                    detail: format!(
                        "the rectification report of measure {id} was recorded already"
                    ),
                })
            }
            SupervisionState::Closed => return Err(closed(id)),
        }
        let mut update = Sql::new("UPDATE supervision_measures SET state = 'replied', report = ");
        update
            .arg(report.as_str())
            .push(", replied_by = ")
            .arg(actor)
            .push(", replied_at = ")
            .arg(at);
        self.change(
            &m,
            update,
            SupervisionEventKind::Replied,
            &report,
            None,
            actor,
            at,
            serde_json::json!({"overdue": m.deadline < at}),
        )
        .await?;
        Ok(Supervision {
            state: SupervisionState::Replied,
            report: Some(report),
            replied_by: Some(actor.to_string()),
            replied_at: Some(at),
            version: m.version + 1,
            ..m
        })
    }

    /// Extends the deadline of measure `id` to `new_deadline`, with a note saying why, by
    /// `actor` at `at` (history and audit entries). [`StoreError::NotFound`] outside `scope`;
    /// [`StoreError::HeldElsewhere`] when the issuing unit lies outside `scope`;
    /// [`StoreError::Conflict`] when closed or extended [`MAX_EXTENSIONS`] times already;
    /// [`StoreError::Invalid`] when the new deadline is not later than the current one, or
    /// more than [`MAX_RECTIFICATION_DAYS`] after it.
    pub async fn extend(
        &self,
        scope: &Scope,
        id: i64,
        new_deadline: i64,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<Supervision> {
        let note = text("note", note, true)?;
        let m = self.issuers_own(scope, id).await?;
        if m.state == SupervisionState::Closed {
            return Err(closed(id));
        }
        if m.extensions >= MAX_EXTENSIONS {
            return Err(StoreError::Conflict {
                what: "supervision measure",
                detail: format!(
                    "the deadline of measure {id} was extended {MAX_EXTENSIONS} times already"
                ),
            });
        }
        if new_deadline <= m.deadline {
            return Err(StoreError::invalid(
                "deadline",
                "an extension moves the deadline later",
            ));
        }
        if new_deadline > m.deadline.saturating_add(MAX_RECTIFICATION_DAYS * DAY_MS) {
            return Err(StoreError::invalid(
                "deadline",
                format!("at most {MAX_RECTIFICATION_DAYS} days after the current deadline"),
            ));
        }
        let mut update = Sql::new("UPDATE supervision_measures SET deadline = ");
        update
            .arg(new_deadline)
            .push(", extensions = ")
            .arg(m.extensions + 1);
        self.change(
            &m,
            update,
            SupervisionEventKind::Extended,
            &note,
            Some(new_deadline),
            actor,
            at,
            serde_json::json!({
                "from": m.deadline,
                "to": new_deadline,
                "extension": m.extensions + 1,
            }),
        )
        .await?;
        Ok(Supervision {
            deadline: new_deadline,
            extensions: m.extensions + 1,
            version: m.version + 1,
            ..m
        })
    }

    /// Returns the rectification report of measure `id` (验收不通过 / 退回整改): the measure goes
    /// back from `replied` to `issued`, to be reported again by `new_deadline` (the end of
    /// [`DEFAULT_RETURN_DAYS`] from `at` when `None`), with a note saying what is still
    /// missing, by `actor` at `at` (history and audit entries, under the measure's version).
    /// [`StoreError::NotFound`] outside `scope`; [`StoreError::HeldElsewhere`] when the issuing
    /// unit lies outside `scope`; [`StoreError::Conflict`] when no report awaits acceptance
    /// (none recorded yet, or closed); [`StoreError::Invalid`] without a note, or when the new
    /// deadline is not after `at` or more than [`MAX_RECTIFICATION_DAYS`] after it.
    #[allow(clippy::too_many_arguments)]
    pub async fn reject(
        &self,
        scope: &Scope,
        id: i64,
        note: &str,
        new_deadline: Option<i64>,
        actor: &str,
        at: i64,
    ) -> StoreResult<Supervision> {
        let note = text("note", note, true)?;
        let deadline =
            new_deadline.unwrap_or_else(|| at.saturating_add(DEFAULT_RETURN_DAYS * DAY_MS));
        if deadline <= at {
            return Err(StoreError::invalid(
                "deadline",
                "the new deadline lies after today",
            ));
        }
        if deadline > at.saturating_add(MAX_RECTIFICATION_DAYS * DAY_MS) {
            return Err(StoreError::invalid(
                "deadline",
                format!("at most {MAX_RECTIFICATION_DAYS} days from now"),
            ));
        }
        let m = self.issuers_own(scope, id).await?;
        match m.state {
            SupervisionState::Replied => {}
            SupervisionState::Issued => {
                return Err(StoreError::Conflict {
                    what: "supervision measure",
                    detail: format!("measure {id} has no rectification report awaiting acceptance"),
                })
            }
            SupervisionState::Closed => return Err(closed(id)),
        }
        let mut update = Sql::new(
            "UPDATE supervision_measures SET state = 'issued', report = NULL, \
             replied_by = NULL, replied_at = NULL, deadline = ",
        );
        update.arg(deadline).push(", returns = ").arg(m.returns + 1);
        self.change(
            &m,
            update,
            SupervisionEventKind::Returned,
            &note,
            Some(deadline),
            actor,
            at,
            serde_json::json!({
                "from": m.deadline,
                "to": deadline,
                "return": m.returns + 1,
                "replied_by": m.replied_by,
            }),
        )
        .await?;
        Ok(Supervision {
            state: SupervisionState::Issued,
            report: None,
            replied_by: None,
            replied_at: None,
            deadline,
            returns: m.returns + 1,
            version: m.version + 1,
            ..m
        })
    }

    /// Closes measure `id` on acceptance of its rectification (验收通过 / 摘牌), with a note,
    /// by `actor` at `at` (history and audit entries). [`StoreError::NotFound`] outside
    /// `scope`; [`StoreError::HeldElsewhere`] when the issuing unit lies outside `scope`;
    /// [`StoreError::Conflict`] when closed already or no report was recorded yet.
    pub async fn close(
        &self,
        scope: &Scope,
        id: i64,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<Supervision> {
        let note = text("note", note, true)?;
        let m = self.issuers_own(scope, id).await?;
        match m.state {
            SupervisionState::Replied => {}
            SupervisionState::Issued => {
                return Err(StoreError::Conflict {
                    what: "supervision measure",
                    detail: format!(
                        "measure {id} has no rectification report yet: record it before closing"
                    ),
                })
            }
            SupervisionState::Closed => return Err(closed(id)),
        }
        let mut update = Sql::new("UPDATE supervision_measures SET state = 'closed', closed_by = ");
        update
            .arg(actor)
            .push(", closed_at = ")
            .arg(at)
            .push(", close_note = ")
            .arg(note.as_str());
        self.change(
            &m,
            update,
            SupervisionEventKind::Closed,
            &note,
            None,
            actor,
            at,
            serde_json::json!({"overdue": m.deadline < at}),
        )
        .await?;
        Ok(Supervision {
            state: SupervisionState::Closed,
            closed_by: Some(actor.to_string()),
            closed_at: Some(at),
            close_note: Some(note),
            version: m.version + 1,
            ..m
        })
    }

    /// The measure `id` read inside `scope`, when its issuing unit lies inside `scope` too.
    async fn issuers_own(&self, scope: &Scope, id: i64) -> StoreResult<Supervision> {
        let m = self.get(scope, None, id).await?;
        self.issuer_side(scope, &m).await??;
        Ok(m)
    }

    /// `Ok(Ok(()))` when `m`'s issuing unit lies inside `scope` (the caller is the issuer or a
    /// unit above it); `Ok(Err(HeldElsewhere))` otherwise.
    async fn issuer_side(
        &self,
        scope: &Scope,
        m: &Supervision,
    ) -> StoreResult<Result<(), StoreError>> {
        let issuer = self.store.units().find(&m.issuer_unit).await?;
        Ok(match issuer {
            Some(u) if scope.contains_path(&u.path) => Ok(()),
            other => Err(StoreError::HeldElsewhere {
                what: "supervision measure",
                unit_name: other
                    .map(|u| u.name)
                    .unwrap_or_else(|| m.issuer_unit.clone()),
                unit_code: m.issuer_unit.clone(),
                what_to_do: "only the issuing unit or a unit above it extends, returns or \
                             closes a measure",
            }),
        })
    }

    /// Applies `update` (an `UPDATE … SET …` without its `WHERE`) to `m` if nobody changed it
    /// since it was read, appends the history entry and the audit entry, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn change(
        &self,
        m: &Supervision,
        mut update: Sql<'_>,
        kind: SupervisionEventKind,
        note: &str,
        deadline: Option<i64>,
        actor: &str,
        at: i64,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        let seq = m.version + 1;
        update
            .push(", version = ")
            .arg(seq)
            .push(" WHERE id = ")
            .arg(m.id)
            .push(" AND version = ")
            .arg(m.version);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("supervision.begin").await?;
        let done = update
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("supervision.change"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "supervision measure",
                detail: format!("measure {} changed meanwhile: reload and retry", m.id),
            });
        }
        insert_event(&mut tx, m.id, seq, kind, actor, at, note, deadline).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: format!("supervision_{}", kind.as_str()),
                target_type: "supervision".into(),
                target_id: Some(m.id.to_string()),
                unit_code: Some(m.unit_code.clone()),
                detail,
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("supervision.commit"))
    }
}

fn closed(id: i64) -> StoreError {
    StoreError::Conflict {
        what: "supervision measure",
        detail: format!("measure {id} is closed"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    seq: i64,
    kind: SupervisionEventKind,
    actor: &str,
    at: i64,
    note: &str,
    deadline: Option<i64>,
) -> StoreResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO supervision_events (measure_id, seq, kind, actor, at, note, deadline) \
         VALUES (",
    );
    sql.arg(id)
        .push(", ")
        .arg(seq)
        .push(", ")
        .arg(kind.as_str())
        .push(", ")
        .arg(actor)
        .push(", ")
        .arg(at)
        .push(", ")
        .arg(note)
        .push(", ")
        .arg(deadline)
        .push(")");
    sql.query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("supervision.event"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(*k));
        }
        for m in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(m.as_str()), Some(*m));
        }
        for r in SupervisionReason::ALL {
            assert_eq!(SupervisionReason::parse(r.as_str()), Some(*r));
            assert!(
                !r.as_str().contains(','),
                "reasons are stored comma-separated"
            );
        }
        for s in SupervisionState::ALL {
            assert_eq!(SupervisionState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(MeasureKind::parse("x"), None);
        assert!(TargetKind::BankOutlet.is_outlet());
        assert!(!TargetKind::Unit.is_outlet());
    }

    #[test]
    fn overdue_until_closed() {
        let m = Supervision {
            id: 1,
            target_kind: TargetKind::Unit,
            target_name: "阳明街道".into(),
            bank_code: None,
            unit_code: "330281001".into(),
            measure: MeasureKind::Listed,
            reasons: vec![SupervisionReason::HighIncidence],
            reason_text: String::new(),
            issuer_unit: "330281".into(),
            issued_by: "a".into(),
            issued_at: 0,
            deadline: 10,
            extensions: 0,
            returns: 0,
            state: SupervisionState::Replied,
            report: None,
            replied_by: None,
            replied_at: None,
            closed_by: None,
            closed_at: None,
            close_note: None,
            version: 2,
        };
        assert!(!m.overdue(10));
        assert!(m.overdue(11));
        assert!(m.extendable());
        let done = Supervision {
            state: SupervisionState::Closed,
            ..m.clone()
        };
        assert!(!done.overdue(11));
        assert!(!done.extendable());
        let twice = Supervision { extensions: 2, ..m };
        assert!(!twice.extendable());
    }
}
