//! Closure lists (销户名单): the cards banks closed and the numbers operators took back, sent
//! beside the lists of new ones. A closure marks a listed card as closed, and it is what
//! screening counts for 频繁开销户 (a holder's cards closed within
//! [`SHORT_LIVED_DAYS`](fanzha_screen::SHORT_LIVED_DAYS) days of their opening): when a list
//! makes a holder's pattern, the holder's open, unreviewed cards are screened again, so the card
//! still in use goes onto the review list.

use super::{
    text, CardKind, ClosedCard, HolderFacts, NewCards, Rescreen, DAY_MS, MAX_CARDS_PER_IMPORT,
    SCREENING_LOCK,
};
use crate::audit::{append_on, NewAuditEntry};
use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use fanzha_screen::OPEN_CLOSE_LOOKBACK_DAYS;
use std::collections::{BTreeSet, HashMap};

/// A closed card of an issuer's list, validated by the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureRow {
    pub kind: CardKind,
    /// The card's account number, or the number (canonical) of a phone card.
    pub account_no: String,
    /// The issuer's code (a bank's, or the network operator's).
    pub bank_code: String,
    pub bank_name: String,
    pub resident_id: String,
    /// `""` when the list has no name.
    pub holder_name: String,
    /// When the list gives the opening date.
    pub opened_at: Option<i64>,
    pub closed_at: i64,
    pub outlet: String,
    /// The list it came in.
    pub batch: String,
}

/// A stored closure of a holder's card.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardClosure {
    pub kind: CardKind,
    pub account_no: String,
    pub bank_code: String,
    pub bank_name: String,
    /// The closure list's opening date, else the card's in the new-card lists.
    pub opened_at: Option<i64>,
    pub closed_at: i64,
    pub outlet: String,
}

impl CardClosure {
    /// Closed within [`SHORT_LIVED_DAYS`](fanzha_screen::SHORT_LIVED_DAYS) days of its opening.
    pub fn short_lived(&self) -> bool {
        self.opened_at
            .is_some_and(|o| fanzha_screen::short_lived(o, self.closed_at))
    }

    /// Whole days the card was open, when its opening is known.
    pub fn days_open(&self) -> Option<i64> {
        self.opened_at.map(|o| (self.closed_at - o).max(0) / DAY_MS)
    }
}

/// What a closure list did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClosureImport {
    /// Closures new to the platform.
    pub received: i64,
    /// Closures received before (same card, same closing time): nothing changed.
    pub duplicates: i64,
    /// Received closures of cards that came in a new-card list (now marked closed).
    pub listed: i64,
    /// Received closures within [`SHORT_LIVED_DAYS`](fanzha_screen::SHORT_LIVED_DAYS) days of the card's opening.
    pub short_lived: i64,
    /// Open cards of the holders whose screening changed (频繁开销户 found or counted higher).
    pub rescreened: i64,
    /// Of those, cards that went onto the review list.
    pub requeued: i64,
}

impl NewCards<'_> {
    /// Receives an issuer's closure list at `at` for `importing_unit` (inside `scope`): stores
    /// every closure new to the platform, marks listed cards closed, screens the holders' open
    /// unreviewed cards again, and writes one audit entry, all in one transaction.
    /// [`StoreError::NotFound`] when the importing unit lies outside `scope`.
    pub async fn import_closures(
        &self,
        scope: &Scope,
        importing_unit: &str,
        closures: &[ClosureRow],
        actor: &str,
        at: i64,
    ) -> StoreResult<ClosureImport> {
        if closures.len() > MAX_CARDS_PER_IMPORT {
            return Err(StoreError::invalid(
                "closures",
                format!("at most {MAX_CARDS_PER_IMPORT} closures per list; split the file"),
            ));
        }
        match self.store.units().find(importing_unit).await? {
            Some(u) if scope.contains_path(&u.path) => {}
            _ => {
                return Err(StoreError::NotFound {
                    what: "unit",
                    key: importing_unit.to_string(),
                })
            }
        }
        let mut rows = Vec::with_capacity(closures.len());
        for c in closures {
            rows.push(ClosureRow {
                kind: c.kind,
                account_no: text("account_no", &c.account_no, true)?,
                bank_code: text("bank_code", &c.bank_code, true)?,
                bank_name: text("bank_name", &c.bank_name, false)?,
                resident_id: text("resident_id", &c.resident_id, true)?,
                holder_name: text("holder_name", &c.holder_name, false)?,
                opened_at: c.opened_at,
                closed_at: c.closed_at,
                outlet: text("outlet", &c.outlet, false)?,
                batch: text("batch", &c.batch, true)?,
            });
        }

        // Screened one list at a time, like the new-card lists (see `NewCards::import`).
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("card_closures.begin").await?;
        if self.store.backend() == Backend::Postgres {
            sqlx::query(&format!("SELECT pg_advisory_xact_lock({SCREENING_LOCK})"))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("card_closures.lock"))?;
        }
        let q = "card_closures.import";
        let mut out = ClosureImport::default();
        // Per holder: the kinds closed and the earliest closing of the list.
        let mut holders: HashMap<&str, (BTreeSet<CardKind>, i64)> = HashMap::new();
        for r in &rows {
            let mut sql = Sql::new(
                "INSERT INTO card_closures (kind, account_no, bank_code, bank_name, resident_id, \
                 holder_name, opened_at, closed_at, outlet, batch, imported_by, imported_at) \
                 VALUES (",
            );
            sql.args([
                r.kind.as_str(),
                &r.account_no,
                &r.bank_code,
                &r.bank_name,
                &r.resident_id,
                &r.holder_name,
            ])
            .push(", ")
            .arg(r.opened_at)
            .push(", ")
            .arg(r.closed_at)
            .push(", ")
            .args([r.outlet.as_str(), &r.batch, actor])
            .push(", ")
            .arg(at)
            .push(") ON CONFLICT (account_no, closed_at) DO NOTHING RETURNING id");
            let inserted = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query(q))?;
            if inserted.is_none() {
                out.duplicates += 1;
                continue;
            }
            out.received += 1;
            // The listed card of that account and holder opened before the closing (a recycled
            // number's other holder keeps their card open).
            let mut sql = Sql::new("UPDATE new_cards SET closed_at = ");
            sql.arg(r.closed_at)
                .push(" WHERE account_no = ")
                .arg(r.account_no.as_str())
                .push(" AND kind = ")
                .arg(r.kind.as_str())
                .push(" AND resident_id = ")
                .arg(r.resident_id.as_str())
                .push(" AND opened_at <= ")
                .arg(r.closed_at + DAY_MS)
                .push(" AND (closed_at IS NULL OR closed_at > ")
                .arg(r.closed_at)
                .push(") RETURNING opened_at");
            let listed = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query(q))?;
            let listed_opening: Option<i64> = listed
                .map(|row| col(&row, "opened_at"))
                .transpose()
                .map_err(StoreError::query(q))?;
            out.listed += i64::from(listed_opening.is_some());
            let closure = ClosedCard {
                kind: r.kind,
                account_no: r.account_no.clone(),
                opened_at: r.opened_at.or(listed_opening),
                closed_at: r.closed_at,
            };
            out.short_lived += i64::from(
                closure
                    .opened_at
                    .is_some_and(|o| fanzha_screen::short_lived(o, closure.closed_at)),
            );
            let entry = holders
                .entry(r.resident_id.as_str())
                .or_insert((BTreeSet::new(), r.closed_at));
            entry.0.insert(r.kind);
            entry.1 = entry.1.min(r.closed_at);
        }

        // The holders' open, unreviewed cards of the kinds closed, opened inside the look-back
        // of the list's closings: the closures may have made 频繁开销户 of them.
        let names: Vec<&str> = holders.keys().copied().collect();
        let facts = Self::facts_of(&mut tx, self.store.backend(), &names).await?;
        let phones: Vec<&str> = facts
            .values()
            .flat_map(|f| f.stored.iter().filter_map(|c| c.phone.as_deref()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let phone_people = Self::phone_holders(&mut tx, &phones).await?;
        for (holder, (kinds, first_closing)) in &holders {
            let Some(f) = facts.get(*holder) else {
                continue;
            };
            let since = first_closing - OPEN_CLOSE_LOOKBACK_DAYS * DAY_MS;
            for stored in f.stored.iter().filter(|c| {
                kinds.contains(&c.kind)
                    && !c.closed
                    && c.state != super::CardState::Reviewed
                    && c.opened_at >= since
            }) {
                let others = |phone: Option<&str>| -> u32 {
                    phone
                        .and_then(|p| phone_people.get(p))
                        .map(|who| who.iter().filter(|w| w.as_str() != *holder).count() as u32)
                        .unwrap_or(0)
                };
                let input = Rescreen {
                    holder,
                    facts: f,
                    stored,
                    openings: openings_beside(f, stored.kind, &stored.account_no),
                    list_numbers: &[],
                    phone_others: &others,
                };
                if let Some(requeued) = self.rescreen(&mut tx, &input, at).await? {
                    out.rescreened += 1;
                    out.requeued += i64::from(requeued);
                }
            }
        }

        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "card_closures_imported".into(),
                target_type: "unit".into(),
                target_id: Some(importing_unit.to_string()),
                unit_code: Some(importing_unit.to_string()),
                detail: serde_json::json!({
                    "received": out.received,
                    "duplicates": out.duplicates,
                    "short_lived": out.short_lived,
                    "rescreened": out.rescreened,
                    "banks": rows.iter().map(|r| r.bank_code.as_str()).collect::<BTreeSet<_>>(),
                    "kinds": rows.iter().map(|r| r.kind.as_str()).collect::<BTreeSet<_>>(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("card_closures.commit"))?;
        Ok(out)
    }

    /// The closures of one holder's cards, the latest first (for the card page; the caller
    /// has checked the reader may see the holder's card).
    pub async fn closures_of(&self, resident_id: &str) -> StoreResult<Vec<CardClosure>> {
        let q = "card_closures.of_holder";
        let mut sql = Sql::new(
            "SELECT c.kind AS kind, c.account_no AS account_no, c.bank_code AS bank_code, \
             c.bank_name AS bank_name, COALESCE(c.opened_at, n.opened_at) AS opened_at, \
             c.closed_at AS closed_at, c.outlet AS outlet \
             FROM card_closures c LEFT JOIN new_cards n \
             ON n.account_no = c.account_no AND n.resident_id = c.resident_id \
             WHERE c.resident_id = ",
        );
        sql.arg(resident_id)
            .push(" ORDER BY c.closed_at DESC, c.id DESC LIMIT 200");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        rows.iter()
            .map(|r| {
                let kind: String = col(r, "kind")?;
                Ok(CardClosure {
                    kind: CardKind::parse(&kind).unwrap_or(CardKind::BankCard),
                    account_no: col(r, "account_no")?,
                    bank_code: col(r, "bank_code")?,
                    bank_name: col(r, "bank_name")?,
                    opened_at: col(r, "opened_at")?,
                    closed_at: col(r, "closed_at")?,
                    outlet: col(r, "outlet")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(q))
    }
}

/// The holder's other openings of `kind` (for the burst reasons, unchanged by a closure).
fn openings_beside(f: &HolderFacts, kind: CardKind, account_no: &str) -> Vec<i64> {
    f.stored
        .iter()
        .filter(|c| c.kind == kind && c.account_no != account_no)
        .map(|c| c.opened_at)
        .collect()
}
