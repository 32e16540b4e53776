//! The counter check (开卡前核验 · 一线拦截): a bank's or an operator's counter asks about an
//! applicant before opening a card. The card that would be opened — now, at this outlet, with
//! this reserved phone — is screened exactly as a listed card is, from the same history
//! ([`NewCards::facts_of`]), and the screening becomes advice
//! ([`fanzha_screen::counter_verdict`]). The check is kept with its full screening for the
//! police; the issuer reads its own checks, without the police's reasons. The counter then
//! records what it did, once.
//!
//! A refused applicant whose card turns up in a later new-card list of the same issuer is
//! counted per issuer (提示拒绝后仍开户), the figure bureaus interview banks about.

use super::{card_to_screen, text, CardKind, NewCards, DAY_MS};
use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::{decode_err, parse_code, parse_optional_code};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::pending::{Close, Read};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::stop_payments::Viewer;
use fanzha_core::ResidentId;
use fanzha_screen::{screen, CounterVerdict, Finding, Level};
use sqlx::any::AnyRow;

/// A refused applicant's card listed this many days after the check (or on the day before, as
/// lists date cards by day) counts as opened despite the refusal.
pub const OPENED_AFTER_REFUSAL_DAYS: i64 = 7;

/// What the counter asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardCheckRequest {
    pub kind: CardKind,
    /// The issuer: the bank's code, or the network operator's (`china_mobile` …).
    pub issuer_code: String,
    pub issuer_name: String,
    /// 18-character resident ID number of the applicant.
    pub resident_id: String,
    pub holder_name: String,
    /// The reserved phone (bank cards), canonical.
    pub phone: Option<String>,
    /// Phone cards: the number to be assigned, when chosen (canonical).
    pub number: Option<String>,
    pub outlet: String,
    /// Division code (digits) of the outlet.
    pub outlet_division: Option<String>,
    /// The clerk at the counter (经办柜员).
    pub clerk: String,
}

/// What the counter did after the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// 已拒绝办理.
    Refused,
    /// 客户放弃办理 (left once asked what the card is for).
    Abandoned,
    /// 核实后已办理.
    Opened,
}

impl CheckOutcome {
    pub const ALL: [CheckOutcome; 3] = [
        CheckOutcome::Refused,
        CheckOutcome::Abandoned,
        CheckOutcome::Opened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Refused => "refused",
            CheckOutcome::Abandoned => "abandoned",
            CheckOutcome::Opened => "opened",
        }
    }

    pub fn parse(s: &str) -> Option<CheckOutcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CheckOutcome::Refused => "已拒绝办理",
            CheckOutcome::Abandoned => "客户放弃办理",
            CheckOutcome::Opened => "核实后已办理",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CheckOutcome::Refused => "Refused",
            CheckOutcome::Abandoned => "Applicant gave up",
            CheckOutcome::Opened => "Opened after checking",
        }
    }

    /// The applicant left without the card.
    pub fn intercepted(self) -> bool {
        matches!(self, CheckOutcome::Refused | CheckOutcome::Abandoned)
    }
}

/// What the counter did, with its note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckAnswer {
    pub outcome: CheckOutcome,
    pub note: String,
}

/// A stored check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardCheck {
    pub id: i64,
    pub kind: CardKind,
    pub issuer_code: String,
    pub issuer_name: String,
    pub resident_id: String,
    pub holder_name: String,
    pub phone: Option<String>,
    pub outlet: String,
    pub outlet_division: Option<String>,
    pub clerk: String,
    /// The applicant's residence unit, else the checking liaison's.
    pub unit_code: String,
    pub verdict: CounterVerdict,
    pub score: i64,
    pub level: Level,
    /// Every reason found, police-only ones included, heaviest first.
    pub findings: Vec<Finding>,
    pub checked_by: String,
    pub checked_at: i64,
    /// `None` until the counter records it.
    pub outcome: Option<CheckOutcome>,
    pub answer_note: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub version: i64,
}

impl CardCheck {
    /// The screening as it was, for [`fanzha_screen::CounterAnswer::of`].
    pub fn screening(&self) -> fanzha_screen::Screening {
        fanzha_screen::Screening {
            score: self.score as u32,
            level: self.level,
            bank_score: fanzha_screen::bank_score(&self.findings),
            bank_level: Level::of_score(fanzha_screen::bank_score(&self.findings)),
            findings: self.findings.clone(),
        }
    }

    /// What the counter reads of it.
    pub fn answer(&self) -> fanzha_screen::CounterAnswer {
        fanzha_screen::CounterAnswer::of(&self.screening())
    }
}

/// Which checks to list or count (the reader's area is the viewer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckFilter {
    pub kind: Option<CardKind>,
    pub verdict: Option<CounterVerdict>,
    /// `Some(None)`: no outcome recorded yet.
    pub outcome: Option<Option<CheckOutcome>>,
    pub issuer_code: Option<String>,
    /// One applicant's checks.
    pub holder: Option<String>,
    /// Checked at or after (epoch ms).
    pub from: Option<i64>,
    /// Checked before (epoch ms).
    pub to: Option<i64>,
}

/// Counts of one issuer's checks (or of all).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckFigures {
    pub issuer_code: String,
    pub issuer_name: String,
    pub checks: i64,
    pub refuse: i64,
    pub verify: i64,
    pub proceed: i64,
    /// Outcomes recorded: refused, given up, opened.
    pub refused: i64,
    pub abandoned: i64,
    pub opened: i64,
    /// Checks advised `refuse` or `verify` whose outcome is not recorded yet.
    pub unanswered_flagged: i64,
    /// Checks advised `refuse` after which a card of the applicant at the same issuer was
    /// listed anyway (提示拒绝后仍开户; [`OPENED_AFTER_REFUSAL_DAYS`]).
    pub opened_despite_refusal: i64,
}

impl CheckFigures {
    /// Applicants who left without a card (拦截).
    pub fn intercepted(&self) -> i64 {
        self.refused + self.abandoned
    }
}

/// All checks' figures and each issuer's, busiest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckFigureTable {
    pub total: CheckFigures,
    pub by_issuer: Vec<CheckFigures>,
}

const COLUMNS: &str = "k.id, k.kind, k.issuer_code, k.issuer_name, k.resident_id, k.holder_name, \
     k.phone, k.outlet, k.outlet_division, k.clerk, k.unit_code, k.verdict, k.score, k.level, \
     k.findings, k.checked_by, k.checked_at, k.outcome, k.answer_note, k.answered_by, \
     k.answered_at, k.version";

fn from_row(row: &AnyRow) -> Result<CardCheck, sqlx::Error> {
    let findings: String = col(row, "findings")?;
    Ok(CardCheck {
        id: col(row, "id")?,
        kind: parse_code(row, "kind", CardKind::parse)?,
        issuer_code: col(row, "issuer_code")?,
        issuer_name: col(row, "issuer_name")?,
        resident_id: col(row, "resident_id")?,
        holder_name: col(row, "holder_name")?,
        phone: col(row, "phone")?,
        outlet: col(row, "outlet")?,
        outlet_division: col(row, "outlet_division")?,
        clerk: col(row, "clerk")?,
        unit_code: col(row, "unit_code")?,
        verdict: parse_code(row, "verdict", CounterVerdict::parse)?,
        score: col(row, "score")?,
        level: parse_code(row, "level", Level::parse)?,
        findings: serde_json::from_str(&findings)
            .map_err(|e| decode_err("findings", e.to_string()))?,
        checked_by: col(row, "checked_by")?,
        checked_at: col(row, "checked_at")?,
        outcome: parse_optional_code(row, "outcome", CheckOutcome::parse)?,
        answer_note: col(row, "answer_note")?,
        answered_by: col(row, "answered_by")?,
        answered_at: col(row, "answered_at")?,
        version: col(row, "version")?,
    })
}

fn push_viewer(sql: &mut Sql<'_>, viewer: &Viewer) {
    match viewer {
        Viewer::Police(scope) => scope.push_condition(sql, "k.unit_code"),
        Viewer::Bank(issuer) => {
            sql.push("k.issuer_code = ").arg(issuer.clone());
        }
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &CheckFilter) {
    if let Some(k) = f.kind {
        sql.push(" AND k.kind = ").arg(k.as_str());
    }
    if let Some(v) = f.verdict {
        sql.push(" AND k.verdict = ").arg(v.as_str());
    }
    match f.outcome {
        Some(Some(o)) => {
            sql.push(" AND k.outcome = ").arg(o.as_str());
        }
        Some(None) => {
            sql.push(" AND k.outcome IS NULL");
        }
        None => {}
    }
    if let Some(i) = &f.issuer_code {
        sql.push(" AND k.issuer_code = ").arg(i.clone());
    }
    if let Some(h) = &f.holder {
        sql.push(" AND k.resident_id = ").arg(h.clone());
    }
    if let Some(from) = f.from {
        sql.push(" AND k.checked_at >= ").arg(from);
    }
    if let Some(to) = f.to {
        sql.push(" AND k.checked_at < ").arg(to);
    }
}

/// Holds when a card of check `k`'s applicant at its issuer was listed after a refusal.
fn opened_after_refusal() -> String {
    format!(
        "(k.verdict = 'refuse' AND EXISTS (SELECT 1 FROM new_cards n \
         WHERE n.resident_id = k.resident_id AND n.bank_code = k.issuer_code \
         AND n.kind = k.kind AND n.opened_at > k.checked_at - {DAY_MS} \
         AND n.opened_at <= k.checked_at + {}))",
        OPENED_AFTER_REFUSAL_DAYS * DAY_MS
    )
}

impl NewCards<'_> {
    /// Checks an applicant for `req`'s issuer at `at`, asked by `actor` (a liaison of
    /// `fallback_unit`): screens the card that would be opened, stores the check with its
    /// advice under the applicant's residence unit (else `fallback_unit`), and writes its audit
    /// entry in the same transaction. [`StoreError::Invalid`] for a bad ID number or a field
    /// too long.
    pub async fn check_applicant(
        &self,
        fallback_unit: &str,
        req: &CardCheckRequest,
        actor: &str,
        at: i64,
    ) -> StoreResult<CardCheck> {
        let resident_id = text("resident_id", &req.resident_id, true)?;
        let holder = ResidentId::parse(&resident_id)
            .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?;
        let issuer_code = text("issuer_code", &req.issuer_code, true)?;
        let issuer_name = text("issuer_name", &req.issuer_name, false)?;
        let holder_name = text("holder_name", &req.holder_name, false)?;
        let outlet = text("outlet", &req.outlet, false)?;
        let clerk = text("clerk", &req.clerk, false)?;
        let phone = req
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let division = req
            .outlet_division
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let number = req.number.as_deref().unwrap_or("");

        let backend = self.store.backend();
        let mut tx = self.store.begin_write("card_checks.begin").await?;
        let facts = Self::facts_of(&mut tx, backend, &[resident_id.as_str()]).await?;
        let f = &facts[resident_id.as_str()];
        let openings: Vec<i64> = f
            .stored
            .iter()
            .filter(|c| c.kind == req.kind)
            .map(|c| c.opened_at)
            .collect();
        let phone_others = match phone {
            Some(p) => Self::phone_holders(&mut tx, &[p])
                .await?
                .get(p)
                .map(|who| who.iter().filter(|r| **r != resident_id).count() as u32)
                .unwrap_or(0),
            None => 0,
        };
        let list_numbers: Vec<&str> = (!number.is_empty()).then_some(number).into_iter().collect();
        let s = screen(
            &card_to_screen(req.kind, number, at, &holder, division, phone),
            &f.holder(req.kind, number, at, openings, &list_numbers, phone_others),
        );
        let verdict = fanzha_screen::counter_verdict(&s);
        let unit = f
            .unit_code
            .clone()
            .unwrap_or_else(|| fallback_unit.to_string());
        let findings = serde_json::to_string(&s.findings)
            .map_err(|e| StoreError::invalid("findings", e.to_string()))?;

        let q = "card_checks.insert";
        let mut sql = Sql::new(
            "INSERT INTO card_checks (kind, issuer_code, issuer_name, resident_id, holder_name, \
             phone, outlet, outlet_division, clerk, unit_code, verdict, score, level, findings, \
             checked_by, checked_at, state) VALUES (",
        );
        sql.args([
            req.kind.as_str(),
            issuer_code.as_str(),
            issuer_name.as_str(),
            resident_id.as_str(),
            holder_name.as_str(),
        ])
        .push(", ")
        .arg(phone)
        .push(", ")
        .arg(outlet.as_str())
        .push(", ")
        .arg(division)
        .push(", ")
        .args([clerk.as_str(), unit.as_str(), verdict.as_str()])
        .push(", ")
        .arg(i64::from(s.score))
        .push(", ")
        .args([s.level.as_str(), findings.as_str(), actor])
        .push(", ")
        .arg(at)
        .push(", 'pending') RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(q))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query(q))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "card_check".into(),
                target_type: "card_check".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit.clone()),
                detail: serde_json::json!({
                    "kind": req.kind.as_str(),
                    "issuer_code": issuer_code,
                    "resident_id": fanzha_core::mask::mask_resident_id(&resident_id),
                    "verdict": verdict.as_str(),
                    "score": s.score,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("card_checks.commit"))?;
        Ok(CardCheck {
            id,
            kind: req.kind,
            issuer_code,
            issuer_name,
            resident_id,
            holder_name,
            phone: phone.map(str::to_string),
            outlet,
            outlet_division: division.map(str::to_string),
            clerk,
            unit_code: unit,
            verdict,
            score: i64::from(s.score),
            level: s.level,
            findings: s.findings,
            checked_by: actor.to_string(),
            checked_at: at,
            outcome: None,
            answer_note: String::new(),
            answered_by: None,
            answered_at: None,
            version: 1,
        })
    }

    /// Check `id` when `viewer` reads it; [`StoreError::NotFound`] otherwise.
    pub async fn get_check(&self, viewer: &Viewer, id: i64) -> StoreResult<CardCheck> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM card_checks k WHERE "));
        push_viewer(&mut sql, viewer);
        sql.push(" AND k.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("card_checks.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("card_checks.get")),
            None => Err(StoreError::NotFound {
                what: "card check",
                key: id.to_string(),
            }),
        }
    }

    /// Checks `viewer` reads matching `filter`, the latest first; the page key is
    /// `"<checked_at>/<id>"`.
    pub async fn list_checks(
        &self,
        viewer: &Viewer,
        filter: &CheckFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<CardCheck>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM card_checks k WHERE "));
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "k.checked_at",
            "k.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("card_checks.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("card_checks.list"))?;
        Ok(Page::from_overfetch(items, limit, |c| {
            format!("{}/{}", c.checked_at, c.id)
        }))
    }

    /// How many checks `viewer` reads match `filter`.
    pub async fn count_checks(&self, viewer: &Viewer, filter: &CheckFilter) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM card_checks k WHERE ");
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("card_checks.count"))?;
        col(&row, "n").map_err(StoreError::query("card_checks.count"))
    }

    /// Records what `issuer`'s counter did after check `id` (read at `version`), by `actor` at
    /// `at`, with its audit entry. [`StoreError::NotFound`] for another issuer's check;
    /// [`StoreError::Conflict`] when an outcome is recorded already or it moved past `version`.
    pub async fn record_check_outcome(
        &self,
        issuer: &str,
        id: i64,
        version: i64,
        answer: &CheckAnswer,
        actor: &str,
        at: i64,
    ) -> StoreResult<CardCheck> {
        let outcome = answer.outcome;
        let note = text("note", &answer.note, false)?;
        let current = self
            .get_check(&Viewer::Bank(issuer.to_string()), id)
            .await?;
        let read = Read {
            table: "card_checks",
            what: "card check",
            target_type: "card_check",
            id: current.id,
            state: if current.outcome.is_some() {
                "answered"
            } else {
                "pending"
            },
            version: current.version,
            unit_code: &current.unit_code,
        };
        let close = Close {
            state: "answered",
            note: &note,
            actor,
            at,
            columns: vec![("outcome", outcome.as_str().into())],
            action: "card_check_outcome",
            detail: serde_json::json!({
                "issuer_code": issuer,
                "verdict": current.verdict.as_str(),
                "outcome": outcome.as_str(),
            }),
        };
        crate::pending::close(self.store, read, version, close).await?;
        Ok(CardCheck {
            outcome: Some(outcome),
            answer_note: note,
            answered_by: Some(actor.to_string()),
            answered_at: Some(at),
            version: version + 1,
            ..current
        })
    }

    /// Figures of the checks `viewer` reads matching `filter`: all, and per issuer.
    pub async fn check_figures(
        &self,
        viewer: &Viewer,
        filter: &CheckFilter,
    ) -> StoreResult<CheckFigureTable> {
        let q = "card_checks.figures";
        let sum = |cond: &str, name: &str| {
            format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS {name}")
        };
        let mut sql = Sql::new(format!(
            "SELECT k.issuer_code AS issuer_code, MAX(k.issuer_name) AS issuer_name, \
             COUNT(*) AS checks, {}, {}, {}, {}, {}, {}, {}, {} \
             FROM card_checks k WHERE ",
            sum("k.verdict = 'refuse'", "refuse"),
            sum("k.verdict = 'verify'", "verify"),
            sum("k.verdict = 'proceed'", "proceed"),
            sum("k.outcome = 'refused'", "refused"),
            sum("k.outcome = 'abandoned'", "abandoned"),
            sum("k.outcome = 'opened'", "opened"),
            sum(
                "k.outcome IS NULL AND k.verdict <> 'proceed'",
                "unanswered_flagged"
            ),
            sum(&opened_after_refusal(), "opened_despite_refusal"),
        ));
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter);
        sql.push(" GROUP BY k.issuer_code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut out = CheckFigureTable::default();
        for r in &rows {
            let g = |name: &'static str| col::<i64>(r, name).map_err(StoreError::query(q));
            let f = CheckFigures {
                issuer_code: col(r, "issuer_code").map_err(StoreError::query(q))?,
                issuer_name: col(r, "issuer_name").map_err(StoreError::query(q))?,
                checks: g("checks")?,
                refuse: g("refuse")?,
                verify: g("verify")?,
                proceed: g("proceed")?,
                refused: g("refused")?,
                abandoned: g("abandoned")?,
                opened: g("opened")?,
                unanswered_flagged: g("unanswered_flagged")?,
                opened_despite_refusal: g("opened_despite_refusal")?,
            };
            let t = &mut out.total;
            t.checks += f.checks;
            t.refuse += f.refuse;
            t.verify += f.verify;
            t.proceed += f.proceed;
            t.refused += f.refused;
            t.abandoned += f.abandoned;
            t.opened += f.opened;
            t.unanswered_flagged += f.unanswered_flagged;
            t.opened_despite_refusal += f.opened_despite_refusal;
            out.by_issuer.push(f);
        }
        out.by_issuer.sort_by(|a, b| {
            b.checks
                .cmp(&a.checks)
                .then(a.issuer_code.cmp(&b.issuer_code))
        });
        Ok(out)
    }

    /// The checks of applicant `resident_id` inside `scope`, the latest first (at most 50): the
    /// key-person dossier shows them.
    pub async fn checks_of_applicant(
        &self,
        scope: &Scope,
        resident_id: &str,
    ) -> StoreResult<Vec<CardCheck>> {
        let filter = CheckFilter {
            holder: Some(resident_id.to_string()),
            ..CheckFilter::default()
        };
        let page = PageRequest {
            after: None,
            limit: 50,
        };
        Ok(self
            .list_checks(&Viewer::Police(scope.clone()), &filter, &page)
            .await?
            .items)
    }
}
