//! Two-card leads (两卡线索) pushed down for on-the-ground checks (落地核查): the national joint
//! office, the province or the center names a bank card or phone card (SIM) and its holder and
//! why it is suspect; the unit of the holder's residence checks on the ground and records what
//! it found (本人使用正常, 出租出借, 出售, 已注销, 查无此人, 其他) with a note. Roaming leads
//! (手机漫游线索) name a number seen roaming where the fraud compounds work, and where; their
//! check finds the holder abroad (滞留境外), back (已回国), abroad for ordinary reasons (正常出境),
//! or the number in someone else's hands ([`LeadResult::fits`]).
//!
//! A lead belongs to the unit that checks it (the registered holder's residence unit inside the
//! importer's area, else the importing unit) and is read by that unit's subtree. A lead is
//! received once per (kind, number, source, batch), so importing a batch again adds nothing.
//! Importing and recording a result write an audit entry in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::enforcement::{MeasureClass, SuspectMeasure};
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, decode_err, parse_optional_code};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// One day in epoch ms.
const DAY_MS: i64 = 86_400_000;
/// Days a unit has to check a lead by default.
pub const DEFAULT_DEADLINE_DAYS: i64 = 7;
/// The longest note, reason or name kept (characters).
pub const MAX_TEXT_CHARS: usize = 1000;

use crate::code_enum::code_enum;

code_enum! {
    /// What the lead names.
    LeadKind {
        /// 银行卡.
        BankCard => "bank_card", "银行卡", "Bank card";
        /// 电话卡 (a SIM's number).
        Sim => "sim", "电话卡", "Phone card";
        /// 手机漫游: a number seen roaming in a high-risk region abroad.
        Roaming => "roaming", "手机漫游", "Roaming abroad";
    }
}

code_enum! {
    /// Who sent the lead down.
    LeadSource {
        /// 国务院联席办 / 公安部.
        National => "national", "部级下发", "National";
        /// 省厅.
        Province => "province", "省厅下发", "Province";
        /// The center's own analysis.
        Center => "center", "中心研判", "Center";
    }
}

code_enum! {
    /// Where a lead stands.
    LeadState {
        Pending => "pending", "待核查", "Pending";
        Checked => "checked", "已核查", "Checked";
    }
}

code_enum! {
    /// What the check found.
    LeadResult {
        /// 本人使用正常 (cleared).
        Normal => "normal", "本人使用正常", "Used by the holder";
        /// 出租出借.
        Lent => "lent", "出租出借", "Lent or rented out";
        /// 出售.
        Sold => "sold", "出售", "Sold";
        /// 已注销.
        Cancelled => "cancelled", "已注销", "Card cancelled";
        /// 查无此人.
        NotFound => "not_found", "查无此人", "Holder not found";
        /// 其他 (a note says what).
        Other => "other", "其他", "Other";
        /// 本人滞留境外 (a roaming lead): to be persuaded back (劝返).
        Abroad => "abroad", "本人滞留境外", "Holder abroad";
        /// 本人已回国 (a roaming lead): a returnee to examine (回流人员).
        Returned => "returned", "本人已回国", "Holder back home";
        /// 正常出境 (务工、旅游、商务; a roaming lead): cleared.
        Travel => "travel", "正常出境", "Ordinary travel";
    }
}

impl LeadResult {
    /// Whether a check of a lead of `kind` may find this: a card is used, lent, sold,
    /// cancelled; a roaming number's holder is abroad, back, travelling, or gave it away.
    pub fn fits(self, kind: LeadKind) -> bool {
        use LeadResult::*;
        match kind {
            LeadKind::BankCard | LeadKind::Sim => {
                matches!(self, Normal | Lent | Sold | Cancelled | NotFound | Other)
            }
            LeadKind::Roaming => {
                matches!(
                    self,
                    Abroad | Returned | Travel | Lent | Sold | NotFound | Other
                )
            }
        }
    }

    /// Whether the holder gave the card away (出租出借 or 出售): the holder may be listed as a
    /// key person (两卡).
    pub fn card_given_away(self) -> bool {
        matches!(self, LeadResult::Lent | LeadResult::Sold)
    }
}

/// A lead to import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTwoCardLead {
    pub kind: LeadKind,
    /// The card number or the phone number, canonical.
    pub number: String,
    pub resident_id: String,
    pub holder_name: String,
    /// Why it is suspect (开卡后短期大额流水, 涉案账户, 批量开卡, …).
    pub reason: String,
    pub source: LeadSource,
    /// The batch it came in (e.g. the date and file of the push).
    pub batch: String,
    /// The lead's number upstream (线索编号), for the feedback; empty when none was given.
    pub upstream_id: String,
    /// Where a roaming number was seen (缅甸妙瓦底, 柬埔寨西港 …); empty for cards.
    pub place: String,
}

/// A stored lead.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TwoCardLead {
    pub id: i64,
    pub kind: LeadKind,
    pub number: String,
    pub resident_id: String,
    pub holder_name: String,
    pub reason: String,
    pub source: LeadSource,
    pub batch: String,
    /// The lead's number upstream (线索编号); empty when none was given.
    pub upstream_id: String,
    pub unit_code: String,
    pub received_at: i64,
    pub deadline: i64,
    pub state: LeadState,
    pub result: Option<LeadResult>,
    pub note: String,
    pub imported_by: String,
    pub checked_by: Option<String>,
    pub checked_at: Option<i64>,
    /// 打击处理: the measure taken against the holder of a card lent or sold, and when.
    pub measure: Option<SuspectMeasure>,
    pub measure_at: Option<i64>,
    /// Where a roaming number was seen; empty for cards.
    pub place: String,
    /// 线索转递: the unit that handed the lead on last, when and why.
    pub forwarded_from: Option<String>,
    pub forwarded_at: Option<i64>,
    pub forward_reason: Option<String>,
}

impl TwoCardLead {
    /// Still pending after its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.state == LeadState::Pending && self.deadline < now
    }
}

/// Which leads to list or count (the unit is the scope).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeadFilter {
    pub state: Option<LeadState>,
    pub result: Option<LeadResult>,
    pub kind: Option<LeadKind>,
    /// Only leads still pending after their deadline.
    pub overdue: bool,
    /// Only the leads of one batch (the push they came in).
    pub batch: Option<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TwoCardImport {
    /// Ids of the leads received, in the order given.
    pub ids: Vec<i64>,
    /// Leads received before (same kind, number, source and batch): nothing changed.
    pub duplicates: i64,
    /// How many went to the holder's residence unit (the rest to the importing unit).
    pub by_residence: i64,
}

/// Figures over a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LeadFigures {
    pub received: i64,
    pub checked: i64,
    pub pending: i64,
    /// Pending after the deadline.
    pub overdue: i64,
    pub by_result: BTreeMap<LeadResult, i64>,
    /// 打击处理: holders with a measure taken on a lead, each person once.
    pub dealt_with: i64,
    /// Of those, under a coercive measure (刑拘, 逮捕, 取保候审, 监视居住).
    pub coercive: i64,
    /// Roaming leads (手机漫游线索) among those received.
    pub roaming: i64,
}

impl LeadFigures {
    /// 出租出借 + 出售.
    pub fn given_away(&self) -> i64 {
        self.by_result
            .iter()
            .filter(|(r, _)| r.card_given_away())
            .map(|(_, n)| *n)
            .sum()
    }

    /// The share of checked leads whose card was lent or sold; `None` before any check.
    pub fn given_away_share(&self) -> Option<f64> {
        (self.checked > 0).then(|| self.given_away() as f64 / self.checked as f64)
    }
}

const COLUMNS: &str = "l.id, l.kind, l.number, l.resident_id, l.holder_name, l.reason, l.source, \
     l.batch, l.upstream_id, l.unit_code, l.received_at, l.deadline, l.state, l.result, l.note, l.imported_by, \
     l.checked_by, l.checked_at, l.measure, l.measure_at, l.place, l.forwarded_from, l.forwarded_at, \
     l.forward_reason";

fn from_row(row: &AnyRow) -> Result<TwoCardLead, sqlx::Error> {
    let kind: String = col(row, "kind")?;
    let source: String = col(row, "source")?;
    let state: String = col(row, "state")?;
    let result: Option<String> = col(row, "result")?;
    Ok(TwoCardLead {
        id: col(row, "id")?,
        kind: LeadKind::parse(&kind)
            .ok_or_else(|| decode_err("kind", format!("unknown kind `{kind}`")))?,
        number: col(row, "number")?,
        resident_id: col(row, "resident_id")?,
        holder_name: col(row, "holder_name")?,
        reason: col(row, "reason")?,
        source: LeadSource::parse(&source)
            .ok_or_else(|| decode_err("source", format!("unknown source `{source}`")))?,
        batch: col(row, "batch")?,
        upstream_id: col(row, "upstream_id")?,
        unit_code: col(row, "unit_code")?,
        received_at: col(row, "received_at")?,
        deadline: col(row, "deadline")?,
        state: LeadState::parse(&state)
            .ok_or_else(|| decode_err("state", format!("unknown state `{state}`")))?,
        result: result
            .map(|r| {
                LeadResult::parse(&r)
                    .ok_or_else(|| decode_err("result", format!("unknown result `{r}`")))
            })
            .transpose()?,
        note: col(row, "note")?,
        imported_by: col(row, "imported_by")?,
        checked_by: col(row, "checked_by")?,
        checked_at: col(row, "checked_at")?,
        measure: parse_optional_code(row, "measure", SuspectMeasure::parse)?,
        measure_at: col(row, "measure_at")?,
        place: col(row, "place")?,
        forwarded_from: col(row, "forwarded_from")?,
        forwarded_at: col(row, "forwarded_at")?,
        forward_reason: col(row, "forward_reason")?,
    })
}

fn push_filter(sql: &mut Sql<'_>, f: &LeadFilter, now: i64) {
    if let Some(s) = f.state {
        sql.push(" AND l.state = ").arg(s.as_str());
    }
    if let Some(r) = f.result {
        sql.push(" AND l.result = ").arg(r.as_str());
    }
    if let Some(k) = f.kind {
        sql.push(" AND l.kind = ").arg(k.as_str());
    }
    if f.overdue {
        sql.push(" AND l.state = 'pending' AND l.deadline < ")
            .arg(now);
    }
    if let Some(b) = &f.batch {
        sql.push(" AND l.batch = ").arg(b.clone());
    }
}

fn text(field: &'static str, value: &str, required: bool) -> StoreResult<String> {
    bounded_text(field, value, MAX_TEXT_CHARS, required)
}

/// The two-card lead repository.
pub struct TwoCardLeads<'s> {
    store: &'s Store,
}

impl<'s> TwoCardLeads<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        TwoCardLeads { store }
    }

    /// Receives a batch of leads at `at` for `importing_unit` (inside `scope`), each due
    /// `deadline_days` later, with one audit entry. Each lead goes to its registered holder's
    /// residence unit when that lies inside `scope`, else to `importing_unit`; a lead received
    /// before (same kind, number, source and batch) changes nothing. [`StoreError::NotFound`]
    /// when the importing unit lies outside `scope`.
    pub async fn import(
        &self,
        scope: &Scope,
        importing_unit: &str,
        leads: &[NewTwoCardLead],
        actor: &str,
        at: i64,
        deadline_days: i64,
    ) -> StoreResult<TwoCardImport> {
        if !(1..=365).contains(&deadline_days) {
            return Err(StoreError::invalid(
                "deadline_days",
                "must be between 1 and 365",
            ));
        }
        self.store.units().in_scope(scope, importing_unit).await?;
        // Validate and place every lead before writing any.
        let mut placed = Vec::with_capacity(leads.len());
        let mut by_residence = 0;
        for lead in leads {
            let number = text("number", &lead.number, true)?;
            let resident_id = text("resident_id", &lead.resident_id, true)?;
            let holder_name = text("holder_name", &lead.holder_name, false)?;
            let reason = text("reason", &lead.reason, false)?;
            let batch = text("batch", &lead.batch, true)?;
            let upstream_id = text("upstream_id", &lead.upstream_id, false)?;
            let place = text("place", &lead.place, false)?;
            let unit = match self.store.people().get(scope, &resident_id).await {
                Ok(p) => {
                    by_residence += 1;
                    p.unit_code
                }
                Err(StoreError::NotFound { .. }) => importing_unit.to_string(),
                Err(e) => return Err(e),
            };
            placed.push((
                lead,
                number,
                resident_id,
                holder_name,
                reason,
                batch,
                upstream_id,
                place,
                unit,
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("two_card_leads.begin").await?;
        let mut out = TwoCardImport {
            by_residence,
            ..TwoCardImport::default()
        };
        let deadline = at.saturating_add(deadline_days * DAY_MS);
        for (lead, number, resident_id, holder_name, reason, batch, upstream_id, place, unit) in
            &placed
        {
            let mut sql = Sql::new(
                "INSERT INTO two_card_leads (kind, number, resident_id, holder_name, reason, \
                 source, batch, upstream_id, place, unit_code, received_at, deadline, state, \
                 note, imported_by) VALUES (",
            );
            sql.arg(lead.kind.as_str())
                .push(", ")
                .arg(number.as_str())
                .push(", ")
                .arg(resident_id.as_str())
                .push(", ")
                .arg(holder_name.as_str())
                .push(", ")
                .arg(reason.as_str())
                .push(", ")
                .arg(lead.source.as_str())
                .push(", ")
                .arg(batch.as_str())
                .push(", ")
                .arg(upstream_id.as_str())
                .push(", ")
                .arg(place.as_str())
                .push(", ")
                .arg(unit.as_str())
                .push(", ")
                .arg(at)
                .push(", ")
                .arg(deadline)
                .push(", 'pending', '', ")
                .arg(actor)
                .push(") ON CONFLICT (kind, number, source, batch) DO NOTHING RETURNING id");
            let row = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query("two_card_leads.import"))?;
            match row {
                Some(r) => out
                    .ids
                    .push(col(&r, "id").map_err(StoreError::query("two_card_leads.import"))?),
                None => out.duplicates += 1,
            }
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "two_card_leads_imported".into(),
                target_type: "unit".into(),
                target_id: Some(importing_unit.to_string()),
                unit_code: Some(importing_unit.to_string()),
                detail: serde_json::json!({
                    "received": out.ids.len(),
                    "duplicates": out.duplicates,
                    "by_residence": out.by_residence,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("two_card_leads.commit"))?;
        Ok(out)
    }

    /// The lead `id` when it lies inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<TwoCardLead> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM two_card_leads l WHERE "));
        scope.push_condition(&mut sql, "l.unit_code");
        sql.push(" AND l.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("two_card_leads.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("two_card_leads.get")),
            None => Err(StoreError::NotFound {
                what: "two-card lead",
                key: id.to_string(),
            }),
        }
    }

    /// Leads inside `scope` matching `filter` (overdue as of `now`), the latest received
    /// first; the page key is `"<received_at>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &LeadFilter,
        page: &PageRequest,
        now: i64,
    ) -> StoreResult<Page<TwoCardLead>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM two_card_leads l WHERE "));
        scope.push_condition(&mut sql, "l.unit_code");
        push_filter(&mut sql, filter, now);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "l.received_at",
            "l.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("two_card_leads.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("two_card_leads.list"))?;
        Ok(Page::from_overfetch(items, limit, |l| {
            format!("{}/{}", l.received_at, l.id)
        }))
    }

    /// How many leads [`TwoCardLeads::list`] would give in all.
    pub async fn count(&self, scope: &Scope, filter: &LeadFilter, now: i64) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM two_card_leads l WHERE ");
        scope.push_condition(&mut sql, "l.unit_code");
        push_filter(&mut sql, filter, now);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("two_card_leads.count"))?;
        col(&row, "n").map_err(StoreError::query("two_card_leads.count"))
    }

    /// Hands pending lead `id` of `scope` on to unit `to` (线索转递), with why, by `actor` at `at`:
    /// the lead moves there with a fresh deadline as long as its first, and the hand-over is
    /// kept and audited. [`StoreError::NotFound`] outside `scope` or for an unknown unit;
    /// [`StoreError::Invalid`] without a reason or to the unit that holds it;
    /// [`StoreError::Conflict`] once checked.
    pub async fn forward(
        &self,
        scope: &Scope,
        id: i64,
        to: &str,
        reason: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<TwoCardLead> {
        let reason = text("reason", reason, true)?;
        let lead = self.get(scope, id).await?;
        let unit =
            self.store
                .units()
                .find(to.trim())
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "unit",
                    key: to.trim().to_string(),
                })?;
        if unit.code == lead.unit_code {
            return Err(StoreError::invalid(
                "unit",
                "the lead is held by that unit already: name the unit the holder belongs to",
            ));
        }
        let conflict = || StoreError::Conflict {
            what: "two-card lead",
            detail: format!("lead {id} was checked already: it is not handed on"),
        };
        if lead.state != LeadState::Pending {
            return Err(conflict());
        }
        let deadline = at + (lead.deadline - lead.received_at).max(0);
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("two_card_leads.begin").await?;
        let mut sql = Sql::new("UPDATE two_card_leads SET unit_code = ");
        sql.arg(unit.code.as_str())
            .push(", deadline = ")
            .arg(deadline)
            .push(", forwarded_from = ")
            .arg(lead.unit_code.as_str())
            .push(", forwarded_at = ")
            .arg(at)
            .push(", forward_reason = ")
            .arg(reason.as_str())
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'pending' AND unit_code = ")
            .arg(lead.unit_code.as_str());
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("two_card_leads.forward"))?;
        if done.rows_affected() != 1 {
            return Err(conflict());
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "two_card_lead_forwarded".into(),
                target_type: "two_card_lead".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(lead.unit_code.clone()),
                detail: serde_json::json!({
                    "from": lead.unit_code,
                    "to": unit.code,
                    "reason": reason,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("two_card_leads.commit"))?;
        Ok(TwoCardLead {
            forwarded_from: Some(lead.unit_code.clone()),
            unit_code: unit.code,
            deadline,
            forwarded_at: Some(at),
            forward_reason: Some(reason),
            ..lead
        })
    }

    /// Records what the check of lead `id` found (a note is required for 其他), by `actor` at
    /// `at`, with its audit entry, and returns the lead as now stored.
    /// [`StoreError::NotFound`] outside `scope`; [`StoreError::Conflict`] when already checked.
    pub async fn record_result(
        &self,
        scope: &Scope,
        id: i64,
        result: LeadResult,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<TwoCardLead> {
        let note = text("note", note, result == LeadResult::Other)?;
        let lead = self.get(scope, id).await?;
        if !result.fits(lead.kind) {
            return Err(StoreError::invalid(
                "result",
                format!(
                    "a {} lead is not found {}: choose a result of its kind",
                    lead.kind.zh(),
                    result.zh()
                ),
            ));
        }
        let conflict = || StoreError::Conflict {
            what: "two-card lead",
            detail: format!("lead {id} was checked already"),
        };
        if lead.state != LeadState::Pending {
            return Err(conflict());
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("two_card_leads.begin").await?;
        let mut sql = Sql::new("UPDATE two_card_leads SET state = 'checked', result = ");
        sql.arg(result.as_str())
            .push(", note = ")
            .arg(note.as_str())
            .push(", checked_by = ")
            .arg(actor)
            .push(", checked_at = ")
            .arg(at)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'pending'");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("two_card_leads.record_result"))?;
        if done.rows_affected() != 1 {
            return Err(conflict());
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "two_card_lead_checked".into(),
                target_type: "two_card_lead".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(lead.unit_code.clone()),
                detail: serde_json::json!({
                    "result": result.as_str(),
                    "kind": lead.kind.as_str(),
                    "overdue": lead.deadline < at,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("two_card_leads.commit"))?;
        Ok(TwoCardLead {
            state: LeadState::Checked,
            result: Some(result),
            note,
            checked_by: Some(actor.to_string()),
            checked_at: Some(at),
            ..lead
        })
    }

    /// Records 打击处理 on lead `id` of `scope`: the measure taken against the holder of a card
    /// found lent or sold, at `at` (not in the future), by `actor` at `now`, with its audit
    /// entry (the measure before). [`StoreError::NotFound`] outside `scope`;
    /// [`StoreError::Conflict`] when the lead's card was not found lent or sold.
    pub async fn set_measure(
        &self,
        scope: &Scope,
        id: i64,
        measure: SuspectMeasure,
        at: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<TwoCardLead> {
        if at > now {
            return Err(StoreError::invalid(
                "measure_at",
                "a measure cannot lie in the future",
            ));
        }
        let lead = self.get(scope, id).await?;
        if !lead.result.is_some_and(LeadResult::card_given_away) {
            return Err(StoreError::Conflict {
                what: "two-card lead",
                detail: format!(
                    "lead {id} was not found lent or sold: only such a holder is dealt with here"
                ),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("two_card_leads.begin").await?;
        let mut sql = Sql::new("UPDATE two_card_leads SET measure = ");
        sql.arg(measure.as_str())
            .push(", measure_at = ")
            .arg(at)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'checked'");
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("two_card_leads.set_measure"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "two_card_lead_measure_set".into(),
                target_type: "two_card_lead".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(lead.unit_code.clone()),
                detail: serde_json::json!({
                    "measure": measure.as_str(),
                    "measure_at": at,
                    "before": lead.measure.map(SuspectMeasure::as_str),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("two_card_leads.commit"))?;
        Ok(TwoCardLead {
            measure: Some(measure),
            measure_at: Some(at),
            ..lead
        })
    }

    /// Received, checked, pending, overdue (as of `now`) and checked by result, inside `scope`.
    pub async fn figures(&self, scope: &Scope, now: i64) -> StoreResult<LeadFigures> {
        let mut sql = Sql::new(
            "SELECT l.kind AS kind, l.state AS state, l.result AS result, \
             CAST(CASE WHEN l.state = 'pending' AND l.deadline < ",
        );
        sql.arg(now).push(
            " THEN 1 ELSE 0 END AS BIGINT) AS late, COUNT(*) AS n FROM two_card_leads l WHERE ",
        );
        scope.push_condition(&mut sql, "l.unit_code");
        sql.push(" GROUP BY l.kind, l.state, l.result, late");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("two_card_leads.figures"))?;
        let mut f = LeadFigures::default();
        for row in &rows {
            let q = || StoreError::query("two_card_leads.figures");
            let state: String = col(row, "state").map_err(q())?;
            let result: Option<String> = col(row, "result").map_err(q())?;
            let late: i64 = col(row, "late").map_err(q())?;
            let n: i64 = col(row, "n").map_err(q())?;
            let kind: String = col(row, "kind").map_err(q())?;
            f.received += n;
            if kind == LeadKind::Roaming.as_str() {
                f.roaming += n;
            }
            if state == LeadState::Checked.as_str() {
                f.checked += n;
                if let Some(r) = result.as_deref().and_then(LeadResult::parse) {
                    *f.by_result.entry(r).or_default() += n;
                }
            } else {
                f.pending += n;
                if late == 1 {
                    f.overdue += n;
                }
            }
        }
        // 打击处理: people (the holder's ID number), each once, and those under coercion.
        let mut sql = Sql::new(
            "SELECT COUNT(DISTINCT l.resident_id) AS dealt, \
             COUNT(DISTINCT CASE WHEN l.measure IN (",
        );
        sql.args(
            SuspectMeasure::ALL
                .iter()
                .filter(|m| m.class() == MeasureClass::Coercive)
                .map(|m| m.as_str()),
        );
        sql.push(") THEN l.resident_id END) AS coercive FROM two_card_leads l WHERE ");
        scope.push_condition(&mut sql, "l.unit_code");
        sql.push(" AND l.measure IS NOT NULL");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("two_card_leads.figures"))?;
        f.dealt_with = col(&row, "dealt").map_err(StoreError::query("two_card_leads.figures"))?;
        f.coercive = col(&row, "coercive").map_err(StoreError::query("two_card_leads.figures"))?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in LeadKind::ALL {
            assert_eq!(LeadKind::parse(k.as_str()), Some(*k));
        }
        for s in LeadSource::ALL {
            assert_eq!(LeadSource::parse(s.as_str()), Some(*s));
        }
        for r in LeadResult::ALL {
            assert_eq!(LeadResult::parse(r.as_str()), Some(*r));
        }
        assert_eq!(LeadResult::parse("x"), None);
        assert!(LeadResult::Sold.card_given_away());
        assert!(LeadResult::Lent.card_given_away());
        assert!(!LeadResult::Normal.card_given_away());
    }

    #[test]
    fn share_of_cards_given_away() {
        let mut f = LeadFigures {
            checked: 4,
            ..LeadFigures::default()
        };
        assert_eq!(f.given_away_share(), Some(0.0));
        f.by_result.insert(LeadResult::Sold, 1);
        f.by_result.insert(LeadResult::Lent, 1);
        f.by_result.insert(LeadResult::Normal, 2);
        assert_eq!(f.given_away_share(), Some(0.5));
        assert_eq!(LeadFigures::default().given_away_share(), None);
    }
}
