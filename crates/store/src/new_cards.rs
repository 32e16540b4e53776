//! New-card screening (新开卡审查): the banks' daily lists of newly opened bank cards and the
//! operators' lists of new phone cards (新入网电话卡, [`CardKind::SimCard`]), each card
//! screened on arrival (`fanzha_screen`) from what the platform knows of its holder — the
//! holder's other new cards of the kind, key-person dossiers and punishments, two-card leads
//! found lent or sold, accounts that received victim money, numbers used for fraud, the phone
//! numbers on record (一人多卡), the residence, who else gives the same reserved phone — and
//! the review (审查) of the risky ones.
//!
//! A card belongs to the unit of its holder's registered residence (else the importing unit)
//! and is read by that unit's subtree; a bank liaison reads their own bank's cards, an operator
//! liaison their operator's phone cards (the issuer's code in `bank_code`). A card is
//! listed once: a list sent again adds nothing. When a list brings a card of a holder who has
//! other unreviewed cards inside the burst window, those are screened again, so every card of
//! a burst carries it. Importing and reviewing write an audit entry in the same transaction.

use crate::accounts::NewAccount;
use crate::audit::{append_on, NewAuditEntry};
use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, decode_err};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::phones::NewPhone;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::stop_payments::Viewer;
use crate::store::Store;
use fanzha_core::{PhoneKind, PhoneNumber, ResidentId};
pub use fanzha_screen::CardKind;
use fanzha_screen::{
    screen, Finding, Holder, Level, NewCard as CardToScreen, BURST_WINDOW_DAYS, SHORT_LIVED_DAYS,
};
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

mod clerks;
mod closures;
mod counter_checks;
pub use clerks::ClerkCardFigures;
pub use closures::{CardClosure, ClosureImport, ClosureRow};
pub use counter_checks::{
    CardCheck, CardCheckRequest, CheckAnswer, CheckFigureTable, CheckFigures, CheckFilter,
    CheckOutcome, OPENED_AFTER_REFUSAL_DAYS,
};

const DAY_MS: i64 = 86_400_000;
/// The longest text kept (characters).
pub const MAX_TEXT_CHARS: usize = 1000;
/// Cards per import.
pub const MAX_CARDS_PER_IMPORT: usize = 100_000;
/// The PostgreSQL advisory lock that queues new-card lists (an arbitrary constant key).
const SCREENING_LOCK: i64 = 0x006e_6577_6361_7264;

/// Where a card stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// Below medium risk: listed, not queued for review.
    NotQueued,
    /// On the review list (待审查).
    Pending,
    Reviewed,
}

impl CardState {
    pub const ALL: &'static [CardState] = &[
        CardState::Pending,
        CardState::Reviewed,
        CardState::NotQueued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CardState::NotQueued => "not_queued",
            CardState::Pending => "pending",
            CardState::Reviewed => "reviewed",
        }
    }

    pub fn parse(s: &str) -> Option<CardState> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CardState::NotQueued => "无需审查",
            CardState::Pending => "待审查",
            CardState::Reviewed => "已审查",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CardState::NotQueued => "No review needed",
            CardState::Pending => "To review",
            CardState::Reviewed => "Reviewed",
        }
    }
}

/// What the review found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 正常开户: the holder opened it for their own use.
    Normal,
    /// 持续关注: nothing proven; watch the account's flows.
    Watch,
    /// 涉嫌买卖两卡: opened to be sold, rented or lent (the holder may be listed as a key
    /// person).
    CardSeller,
    /// 冒名开户: opened with the holder's identity by someone else.
    Impersonated,
}

impl Verdict {
    pub const ALL: &'static [Verdict] = &[
        Verdict::Normal,
        Verdict::Watch,
        Verdict::CardSeller,
        Verdict::Impersonated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Normal => "normal",
            Verdict::Watch => "watch",
            Verdict::CardSeller => "card_seller",
            Verdict::Impersonated => "impersonated",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Normal => "正常开户",
            Verdict::Watch => "持续关注",
            Verdict::CardSeller => "涉嫌买卖两卡",
            Verdict::Impersonated => "冒名开户",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Verdict::Normal => "Normal",
            Verdict::Watch => "Watch",
            Verdict::CardSeller => "Card seller",
            Verdict::Impersonated => "Impersonated",
        }
    }
}

/// A card of a bank's (or an operator's) list, validated by the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCardRow {
    pub kind: CardKind,
    /// The card's account number, or a phone card's number (canonical).
    pub account_no: String,
    /// The issuer: the bank's code, or the network operator's (`china_mobile` …).
    pub bank_code: String,
    pub bank_name: String,
    /// 18-character resident ID number of the holder.
    pub resident_id: String,
    pub holder_name: String,
    /// Reserved phone, canonical.
    pub phone: Option<String>,
    pub opened_at: i64,
    /// 开户网点 as the bank names it ('' when the list has none).
    pub outlet: String,
    /// Division code (digits) of the outlet.
    pub outlet_division: Option<String>,
    /// The list it came in (bank and date).
    pub batch: String,
    /// The clerk who opened it (经办人), '' when the list does not say.
    pub clerk: String,
}

/// A stored, screened card.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScreenedCard {
    pub id: i64,
    pub kind: CardKind,
    pub account_no: String,
    pub bank_code: String,
    pub bank_name: String,
    pub resident_id: String,
    pub holder_name: String,
    pub phone: Option<String>,
    pub opened_at: i64,
    pub outlet: String,
    pub outlet_division: Option<String>,
    pub unit_code: String,
    pub batch: String,
    pub score: i64,
    pub level: Level,
    /// Score and level of the reasons a bank may read (what the sending bank is shown).
    pub bank_score: i64,
    pub bank_level: Level,
    pub findings: Vec<Finding>,
    pub state: CardState,
    pub verdict: Option<Verdict>,
    pub note: String,
    pub imported_by: String,
    pub imported_at: i64,
    pub screened_at: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    /// When the issuer's closure list (销户名单) said the card was closed.
    pub closed_at: Option<i64>,
    /// The clerk who opened it (经办人), '' when the list did not say.
    pub clerk: String,
}

impl ScreenedCard {
    /// Closed within [`SHORT_LIVED_DAYS`] days of its opening (开户后短期内销户).
    pub fn short_lived(&self) -> bool {
        self.closed_at
            .is_some_and(|c| fanzha_screen::short_lived(self.opened_at, c))
    }
}

/// Which cards to list or count (the reader's area is the viewer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardFilter {
    /// Bank cards or phone cards; `None` both.
    pub kind: Option<CardKind>,
    pub level: Option<Level>,
    /// Medium and high together (the review list's levels).
    pub flagged: bool,
    pub state: Option<CardState>,
    pub verdict: Option<Verdict>,
    pub bank_code: Option<String>,
    /// Opened at or after (epoch ms).
    pub from: Option<i64>,
    /// Opened before (epoch ms).
    pub to: Option<i64>,
    /// Cards whose screening found this reason.
    pub reason: Option<fanzha_screen::ReasonCode>,
    /// One holder's cards (resident ID number).
    pub holder: Option<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CardImport {
    /// Ids of the cards received, in the order given.
    pub ids: Vec<i64>,
    /// Cards listed before (same account number): nothing changed.
    pub duplicates: i64,
    /// Received cards by level.
    pub by_level: BTreeMap<Level, i64>,
    /// Received cards put on the review list.
    pub queued: i64,
    /// Earlier cards whose screening changed because of this list.
    pub rescreened: i64,
    /// Earlier cards that went onto the review list because of this list.
    pub requeued: i64,
    /// Received cards by the level a bank reads (police-only reasons left out).
    pub bank_by_level: BTreeMap<Level, i64>,
}

/// Figures of one bank.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BankCardFigures {
    pub bank_code: String,
    pub bank_name: String,
    pub screened: i64,
    /// Medium or high.
    pub flagged: i64,
    pub high: i64,
    pub card_seller: i64,
    /// Cards that later received victim money in a case (涉案).
    pub involved: i64,
    /// Cards closed within [`SHORT_LIVED_DAYS`] days of opening (开户后短期销户).
    pub short_lived: i64,
}

/// The new cards of one outlet (网点) of a bank: where 涉案比例 picks the outlets to interview or
/// list for rectification (约谈, 挂牌整治).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutletCardFigures {
    pub bank_code: String,
    pub bank_name: String,
    pub outlet: String,
    pub screened: i64,
    pub card_seller: i64,
    pub involved: i64,
    /// Cards closed within [`SHORT_LIVED_DAYS`] days of opening (开户后短期销户).
    pub short_lived: i64,
}

impl OutletCardFigures {
    /// 网点新开卡涉案比例.
    pub fn involved_share(&self) -> Option<f64> {
        (self.screened > 0).then(|| self.involved as f64 / self.screened as f64)
    }
}

impl BankCardFigures {
    /// 新开卡涉案比例: the share of the bank's new cards that received victim money.
    pub fn involved_share(&self) -> Option<f64> {
        (self.screened > 0).then(|| self.involved as f64 / self.screened as f64)
    }
}

/// Figures over the reader's area and a period of opening dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CardFigures {
    pub screened: i64,
    pub by_level: BTreeMap<Level, i64>,
    pub pending: i64,
    pub reviewed: i64,
    pub by_verdict: BTreeMap<Verdict, i64>,
    pub involved: i64,
    /// Involved cards the screening had flagged (medium or high) — what screening caught.
    pub involved_flagged: i64,
    /// Cards since closed by their issuer (销户), and of those the ones closed within
    /// [`SHORT_LIVED_DAYS`] days of opening.
    pub closed: i64,
    pub short_lived: i64,
    /// Per bank, most cards first.
    pub banks: Vec<BankCardFigures>,
}

impl CardFigures {
    pub fn flagged(&self) -> i64 {
        self.by_level
            .iter()
            .filter(|(l, _)| l.needs_review())
            .map(|(_, n)| n)
            .sum()
    }

    /// Cards reviewed as 涉嫌买卖两卡.
    pub fn card_sellers(&self) -> i64 {
        self.by_verdict
            .get(&Verdict::CardSeller)
            .copied()
            .unwrap_or(0)
    }

    /// 新开卡涉案比例 over all banks.
    pub fn involved_share(&self) -> Option<f64> {
        (self.screened > 0).then(|| self.involved as f64 / self.screened as f64)
    }
}

const COLUMNS: &str = "n.id, n.kind, n.account_no, n.bank_code, n.bank_name, n.resident_id, \
     n.holder_name, n.phone, n.opened_at, n.outlet, n.outlet_division, n.unit_code, n.batch, \
     n.score, n.level, n.bank_score, n.bank_level, n.findings, n.state, n.verdict, n.note, n.imported_by, n.imported_at, \
     n.screened_at, n.reviewed_by, n.reviewed_at, n.closed_at, n.clerk";

/// Holds when the card `n` was used in fraud (涉案): a bank card that received victim money in
/// a case — named by a stop-payment request, or the receiving side of a case's transfer where
/// the holder is not the victim; a phone card whose number was used for fraud
/// ([`fraud_numbers`]).
fn involved(backend: Backend) -> String {
    format!(
        "((n.kind = 'bank_card' AND (EXISTS (SELECT 1 FROM stop_payments s \
         WHERE s.account = n.account_no) \
         OR EXISTS (SELECT 1 FROM case_transfers t JOIN cases c ON c.id = t.case_id \
         WHERE t.to_account = n.account_no \
         AND (c.resident_id IS NULL OR c.resident_id <> n.resident_id)))) \
         OR (n.kind = 'sim_card' AND n.account_no IN ({})))",
        fraud_numbers(backend)
    )
}

/// Holds when the card `n` was closed within [`SHORT_LIVED_DAYS`] days of its opening (the SQL
/// form of [`fanzha_screen::short_lived`]).
fn short_lived_sql() -> String {
    short_lived_between("n.opened_at", "n.closed_at")
}

/// [`short_lived_sql`] over any two columns or expressions (false when either is NULL).
pub(crate) fn short_lived_between(opened: &str, closed: &str) -> String {
    format!(
        "({closed} IS NOT NULL AND {opened} IS NOT NULL AND {closed} - {opened} <= {})",
        SHORT_LIVED_DAYS * DAY_MS
    )
}

/// The counts the outlet and clerk rankings take per group of cards: screened, found sold,
/// involved, short-lived.
fn ranking_counts(backend: Backend) -> String {
    format!(
        "COUNT(*) AS screened, \
         CAST(SUM(CASE WHEN n.verdict = 'card_seller' THEN 1 ELSE 0 END) AS BIGINT) AS sellers, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS involved, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS short_lived",
        involved(backend),
        short_lived_sql()
    )
}

/// A query of the phone numbers used for fraud: named by a victim in a case (`named.phones`),
/// or the subject of a number-disposal request (涉诈号码处置). Uncorrelated, so the database
/// computes it once per statement.
fn fraud_numbers(backend: Backend) -> String {
    let j = backend.json_strings("c.named", "phones", "j");
    format!(
        "SELECT d.number FROM number_disposals d \
         UNION SELECT {} FROM cases c, {} WHERE {}",
        j.value, j.from, j.only_strings
    )
}

fn from_row(row: &AnyRow) -> Result<ScreenedCard, sqlx::Error> {
    let level: String = col(row, "level")?;
    let bank_level: String = col(row, "bank_level")?;
    let state: String = col(row, "state")?;
    let verdict: Option<String> = col(row, "verdict")?;
    let findings: String = col(row, "findings")?;
    let kind: String = col(row, "kind")?;
    Ok(ScreenedCard {
        id: col(row, "id")?,
        kind: CardKind::parse(&kind)
            .ok_or_else(|| decode_err("kind", format!("unknown kind `{kind}`")))?,
        account_no: col(row, "account_no")?,
        bank_code: col(row, "bank_code")?,
        bank_name: col(row, "bank_name")?,
        resident_id: col(row, "resident_id")?,
        holder_name: col(row, "holder_name")?,
        phone: col(row, "phone")?,
        opened_at: col(row, "opened_at")?,
        outlet: col(row, "outlet")?,
        outlet_division: col(row, "outlet_division")?,
        unit_code: col(row, "unit_code")?,
        batch: col(row, "batch")?,
        score: col(row, "score")?,
        level: Level::parse(&level)
            .ok_or_else(|| decode_err("level", format!("unknown level `{level}`")))?,
        bank_score: col(row, "bank_score")?,
        bank_level: Level::parse(&bank_level)
            .ok_or_else(|| decode_err("bank_level", format!("unknown level `{bank_level}`")))?,
        findings: serde_json::from_str(&findings)
            .map_err(|e| decode_err("findings", e.to_string()))?,
        state: CardState::parse(&state)
            .ok_or_else(|| decode_err("state", format!("unknown state `{state}`")))?,
        verdict: verdict
            .map(|v| {
                Verdict::parse(&v).ok_or_else(|| decode_err("verdict", format!("unknown `{v}`")))
            })
            .transpose()?,
        note: col(row, "note")?,
        imported_by: col(row, "imported_by")?,
        imported_at: col(row, "imported_at")?,
        screened_at: col(row, "screened_at")?,
        reviewed_by: col(row, "reviewed_by")?,
        reviewed_at: col(row, "reviewed_at")?,
        closed_at: col(row, "closed_at")?,
        clerk: col(row, "clerk")?,
    })
}

fn push_viewer(sql: &mut Sql<'_>, viewer: &Viewer) {
    match viewer {
        Viewer::Police(scope) => scope.push_condition(sql, "n.unit_code"),
        Viewer::Bank(code) => {
            sql.push("n.bank_code = ").arg(code.clone());
        }
    }
}

/// The level column the viewer reads: a bank reads the level without the police's reasons.
fn level_column(viewer: &Viewer) -> &'static str {
    match viewer {
        Viewer::Police(_) => "n.level",
        Viewer::Bank(_) => "n.bank_level",
    }
}

fn push_filter(sql: &mut Sql<'_>, f: &CardFilter, viewer: &Viewer) {
    let level = level_column(viewer);
    if let Some(k) = f.kind {
        sql.push(" AND n.kind = ").arg(k.as_str());
    }
    if let Some(l) = f.level {
        sql.push(&format!(" AND {level} = ")).arg(l.as_str());
    }
    if f.flagged {
        sql.push(&format!(" AND {level} IN ('medium', 'high')"));
    }
    if let Some(s) = f.state {
        sql.push(" AND n.state = ").arg(s.as_str());
    }
    if let Some(v) = f.verdict {
        sql.push(" AND n.verdict = ").arg(v.as_str());
    }
    if let Some(b) = &f.bank_code {
        sql.push(" AND n.bank_code = ").arg(b.clone());
    }
    if let Some(from) = f.from {
        sql.push(" AND n.opened_at >= ").arg(from);
    }
    if let Some(to) = f.to {
        sql.push(" AND n.opened_at < ").arg(to);
    }
    if let Some(r) = f.reason {
        // Findings are stored as JSON objects `{"code":"<reason>",…}`; codes are snake_case
        // words, none a prefix of another inside the quotes.
        sql.push(" AND n.findings LIKE ")
            .arg(format!("%\"code\":\"{}\"%", r.as_str()));
    }
    if let Some(h) = &f.holder {
        sql.push(" AND n.resident_id = ").arg(h.clone());
    }
}

fn text(field: &'static str, value: &str, required: bool) -> StoreResult<String> {
    bounded_text(field, value, MAX_TEXT_CHARS, required)
}

/// A stored card of a holder of the list.
struct StoredCard {
    id: i64,
    kind: CardKind,
    account_no: String,
    opened_at: i64,
    state: CardState,
    phone: Option<String>,
    /// Closed by its issuer (the card is no longer screened again).
    closed: bool,
}

/// A card of the holder's that an issuer closed.
pub(crate) struct ClosedCard {
    pub(crate) kind: CardKind,
    pub(crate) account_no: String,
    /// From the closure list, else from the card's new-card list; `None` when neither says.
    pub(crate) opened_at: Option<i64>,
    pub(crate) closed_at: i64,
}

/// What the store knows of one holder, gathered before a list is screened.
#[derive(Default)]
struct HolderFacts {
    residence: Option<String>,
    unit_code: Option<String>,
    key_person: bool,
    gave_card_away: bool,
    mule_account: bool,
    /// A number of the holder's was used for fraud.
    fraud_number: bool,
    /// The holder's phone numbers on record: registered to them (phones, the residents'
    /// register) and their stored new phone cards.
    numbers: std::collections::BTreeSet<String>,
    /// Punishment periods of open dossiers: from, until (exclusive; `None` open-ended).
    punishments: Vec<(i64, Option<i64>)>,
    /// The holder's stored new cards.
    stored: Vec<StoredCard>,
    /// The holder's cards in the issuers' closure lists.
    closings: Vec<ClosedCard>,
}

impl HolderFacts {
    /// Under a punishment at `t`: the day the card was opened decides whether the bank should
    /// have refused it.
    fn punished_at(&self, t: i64) -> bool {
        self.punishments
            .iter()
            .any(|(from, until)| *from <= t && until.is_none_or(|u| u > t))
    }

    /// The holder's history as screening reads it for a card of `kind` opened at `opened_at`:
    /// `openings` are the other openings of that kind, `list_numbers` the phone numbers the
    /// list brings for the holder (phone cards), `phone_others` the other people giving the
    /// card's reserved phone.
    fn holder(
        &self,
        kind: CardKind,
        account_no: &str,
        opened_at: i64,
        openings: Vec<i64>,
        list_numbers: &[&str],
        phone_others: u32,
    ) -> Holder {
        let numbers_held = match kind {
            CardKind::BankCard => 0,
            CardKind::SimCard => {
                let mut all: std::collections::BTreeSet<&str> =
                    self.numbers.iter().map(String::as_str).collect();
                all.extend(list_numbers.iter().copied());
                all.len() as u32
            }
        };
        Holder {
            residence: self.residence.clone(),
            punished: self.punished_at(opened_at),
            key_person: self.key_person,
            gave_card_away: self.gave_card_away,
            mule_account: self.mule_account,
            fraud_number: self.fraud_number,
            other_openings: openings,
            numbers_held,
            phone_other_holders: phone_others,
            short_lived_closings: self
                .closings
                .iter()
                .filter(|c| c.kind == kind && c.account_no != account_no)
                .filter(|c| {
                    c.opened_at
                        .is_some_and(|o| fanzha_screen::short_lived(o, c.closed_at))
                })
                .map(|c| c.closed_at)
                .collect(),
        }
    }
}

/// What screening reads of a card itself.
fn card_to_screen<'a>(
    kind: CardKind,
    account_no: &str,
    opened_at: i64,
    holder: &'a ResidentId,
    outlet_division: Option<&'a str>,
    phone: Option<&str>,
) -> CardToScreen<'a> {
    CardToScreen {
        kind,
        opened_at,
        holder,
        outlet_division,
        phone_kind: phone
            .and_then(|p| PhoneNumber::parse(p).ok())
            .map(|p| p.kind()),
        number_virtual: kind == CardKind::SimCard
            && PhoneNumber::parse(account_no).is_ok_and(|p| p.kind() == PhoneKind::Virtual),
    }
}

/// A stored card to screen again and what screening reads beside the holder's facts.
struct Rescreen<'a> {
    holder: &'a str,
    facts: &'a HolderFacts,
    stored: &'a StoredCard,
    /// The holder's other openings of the card's kind.
    openings: Vec<i64>,
    /// New phone numbers of the holder in the list being received.
    list_numbers: &'a [&'a str],
    /// Other people giving the card's reserved phone.
    phone_others: &'a (dyn Fn(Option<&str>) -> u32 + Sync),
}

/// The new-card repository.
pub struct NewCards<'s> {
    store: &'s Store,
}

impl<'s> NewCards<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        NewCards { store }
    }

    async fn count(&self, what: &'static str, sql: Sql<'_>) -> StoreResult<i64> {
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(what))?;
        col(&row, "n").map_err(StoreError::query(what))
    }

    /// Everything the screening of these holders' cards needs, a few queries per 300 holders.
    async fn facts_of(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        backend: Backend,
        holders: &[&str],
    ) -> StoreResult<HashMap<String, HolderFacts>> {
        let q = "new_cards.facts";
        let mut out: HashMap<String, HolderFacts> = holders
            .iter()
            .map(|h| (h.to_string(), HolderFacts::default()))
            .collect();
        for chunk in holders.chunks(300) {
            let mut sql = Sql::new(
                "SELECT resident_id, residence_code, unit_code FROM people WHERE resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "resident_id").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    f.residence = Some(col(r, "residence_code").map_err(StoreError::query(q))?);
                    f.unit_code = Some(col(r, "unit_code").map_err(StoreError::query(q))?);
                }
            }
            let mut sql = Sql::new(
                "SELECT resident_id, punishment_from, punishment_until FROM key_persons \
                 WHERE status = 'active' AND resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "resident_id").map_err(StoreError::query(q))?;
                let from: Option<i64> = col(r, "punishment_from").map_err(StoreError::query(q))?;
                let until: Option<i64> =
                    col(r, "punishment_until").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    f.key_person = true;
                    if let Some(from) = from {
                        f.punishments.push((from, until));
                    }
                }
            }
            let mut sql = Sql::new(
                "SELECT DISTINCT resident_id AS r FROM two_card_leads \
                 WHERE result IN ('lent', 'sold') AND resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "r").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    f.gave_card_away = true;
                }
            }
            let mut sql = Sql::new(
                "SELECT DISTINCT a.holder_resident_id AS r FROM bank_accounts a \
                 WHERE a.holder_resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(
                ") AND (EXISTS (SELECT 1 FROM stop_payments s WHERE s.account = a.account_no) \
                 OR EXISTS (SELECT 1 FROM case_transfers t JOIN cases c ON c.id = t.case_id \
                 WHERE t.to_account = a.account_no \
                 AND (c.resident_id IS NULL OR c.resident_id <> a.holder_resident_id)))",
            );
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "r").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    f.mule_account = true;
                }
            }
            // The phone numbers registered to the holders, and whether one was used for fraud
            // (their new phone cards are read with the stored cards below).
            let mut sql = Sql::new(format!(
                "SELECT x.r AS r, x.num AS num, CAST(CASE WHEN x.num IN ({}) THEN 1 ELSE 0 END \
                 AS BIGINT) AS fraud FROM (\
                 SELECT owner_resident_id AS r, number AS num FROM phones \
                 WHERE owner_resident_id IN (",
                fraud_numbers(backend)
            ));
            sql.args(chunk.iter().copied()).push(
                ") UNION SELECT resident_id AS r, phone AS num FROM people \
                 WHERE phone IS NOT NULL AND resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(")) x");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "r").map_err(StoreError::query(q))?;
                let num: String = col(r, "num").map_err(StoreError::query(q))?;
                let fraud: i64 = col(r, "fraud").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    f.fraud_number |= fraud == 1;
                    f.numbers.insert(num);
                }
            }
            let mut sql = Sql::new(format!(
                "SELECT id, kind, account_no, resident_id, opened_at, state, phone, closed_at, \
                 CAST(CASE WHEN kind = 'sim_card' AND account_no IN ({}) THEN 1 ELSE 0 END \
                 AS BIGINT) AS fraud FROM new_cards WHERE resident_id IN (",
                fraud_numbers(backend)
            ));
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "resident_id").map_err(StoreError::query(q))?;
                let state: String = col(r, "state").map_err(StoreError::query(q))?;
                let kind =
                    CardKind::parse(&col::<String>(r, "kind").map_err(StoreError::query(q))?)
                        .unwrap_or(CardKind::BankCard);
                let account_no: String = col(r, "account_no").map_err(StoreError::query(q))?;
                let fraud: i64 = col(r, "fraud").map_err(StoreError::query(q))?;
                if let Some(f) = out.get_mut(&id) {
                    if kind == CardKind::SimCard {
                        f.fraud_number |= fraud == 1;
                        f.numbers.insert(account_no.clone());
                    }
                    f.stored.push(StoredCard {
                        id: col(r, "id").map_err(StoreError::query(q))?,
                        kind,
                        account_no,
                        opened_at: col(r, "opened_at").map_err(StoreError::query(q))?,
                        state: CardState::parse(&state).unwrap_or(CardState::NotQueued),
                        phone: col(r, "phone").map_err(StoreError::query(q))?,
                        closed: col::<Option<i64>>(r, "closed_at")
                            .map_err(StoreError::query(q))?
                            .is_some(),
                    });
                }
            }
            let mut sql = Sql::new(
                "SELECT c.resident_id AS r, c.kind AS kind, c.account_no AS account_no, \
                 COALESCE(c.opened_at, n.opened_at) AS opened_at, c.closed_at AS closed_at \
                 FROM card_closures c LEFT JOIN new_cards n \
                 ON n.account_no = c.account_no AND n.resident_id = c.resident_id \
                 WHERE c.resident_id IN (",
            );
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let id: String = col(r, "r").map_err(StoreError::query(q))?;
                let kind =
                    CardKind::parse(&col::<String>(r, "kind").map_err(StoreError::query(q))?)
                        .unwrap_or(CardKind::BankCard);
                if let Some(f) = out.get_mut(&id) {
                    f.closings.push(ClosedCard {
                        kind,
                        account_no: col(r, "account_no").map_err(StoreError::query(q))?,
                        opened_at: col(r, "opened_at").map_err(StoreError::query(q))?,
                        closed_at: col(r, "closed_at").map_err(StoreError::query(q))?,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The accounts of `rows` listed before.
    async fn listed_before(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        rows: &[NewCardRow],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in rows.chunks(500) {
            let mut sql = Sql::new("SELECT account_no FROM new_cards WHERE account_no IN (");
            sql.args(chunk.iter().map(|r| r.account_no.clone()))
                .push(")");
            let got = sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query("new_cards.listed_before"))?;
            for r in &got {
                found.insert(
                    col(r, "account_no").map_err(StoreError::query("new_cards.listed_before"))?,
                );
            }
        }
        Ok(found)
    }

    /// Everyone who gives each of `phones`: in stored new cards and in the residents' register.
    async fn phone_holders(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        phones: &[&str],
    ) -> StoreResult<HashMap<String, std::collections::HashSet<String>>> {
        let q = "new_cards.phone_holders";
        let mut out: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
        for chunk in phones.chunks(300) {
            let mut sql =
                Sql::new("SELECT phone AS p, resident_id AS r FROM new_cards WHERE phone IN (");
            sql.args(chunk.iter().copied())
                .push(") UNION SELECT phone AS p, resident_id AS r FROM people WHERE phone IN (");
            sql.args(chunk.iter().copied()).push(")");
            for r in &sql
                .query()
                .fetch_all(&mut **tx)
                .await
                .map_err(StoreError::query(q))?
            {
                let p: String = col(r, "p").map_err(StoreError::query(q))?;
                let who: String = col(r, "r").map_err(StoreError::query(q))?;
                out.entry(p).or_default().insert(who);
            }
        }
        Ok(out)
    }

    /// Receives a bank's list at `at` for `importing_unit` (inside `scope`): screens every card
    /// new to the platform, stores it with its screening at its holder's residence unit (else
    /// the importing unit), screens again the holders' earlier unreviewed cards inside the
    /// burst window, records the cards as bank accounts, and writes one audit entry.
    /// [`StoreError::NotFound`] when the importing unit lies outside `scope`.
    pub async fn import(
        &self,
        scope: &Scope,
        importing_unit: &str,
        cards: &[NewCardRow],
        actor: &str,
        at: i64,
    ) -> StoreResult<CardImport> {
        if cards.len() > MAX_CARDS_PER_IMPORT {
            return Err(StoreError::invalid(
                "cards",
                format!("at most {MAX_CARDS_PER_IMPORT} cards per list; split the file"),
            ));
        }
        self.store.units().in_scope(scope, importing_unit).await?;
        // Validate every card before writing any; the first of two rows of one account wins.
        let mut rows: Vec<NewCardRow> = Vec::with_capacity(cards.len());
        let mut seen = std::collections::HashSet::new();
        let mut in_list_duplicates = 0;
        for c in cards {
            let row = NewCardRow {
                kind: c.kind,
                account_no: text("account_no", &c.account_no, true)?,
                bank_code: text("bank_code", &c.bank_code, true)?,
                bank_name: text("bank_name", &c.bank_name, false)?,
                resident_id: text("resident_id", &c.resident_id, true)?,
                holder_name: text("holder_name", &c.holder_name, false)?,
                phone: c
                    .phone
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
                // A card is not opened after the bank reported it (clocks may run ahead).
                opened_at: c.opened_at.min(at),
                outlet: text("outlet", &c.outlet, false)?,
                outlet_division: c
                    .outlet_division
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                batch: text("batch", &c.batch, true)?,
                clerk: text("clerk", &c.clerk, false)?,
            };
            ResidentId::parse(&row.resident_id)
                .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?;
            if seen.insert(row.account_no.clone()) {
                rows.push(row);
            } else {
                in_list_duplicates += 1;
            }
        }

        // The cards are bank accounts (phone numbers) the platform now knows, with their
        // holders: a later case naming one finds its holder (涉案账户开户人, 实名登记). Recorded
        // in the list's transaction (below), so a failure leaves nothing half done that a
        // second upload would skip.
        let accounts: Vec<NewAccount> = rows
            .iter()
            .filter(|r| r.kind == CardKind::BankCard)
            .map(|r| NewAccount {
                account_no: r.account_no.clone(),
                bank_code: Some(r.bank_code.clone()),
                bank_name: (!r.bank_name.is_empty()).then(|| r.bank_name.clone()),
                card_type: None,
                holder_resident_id: Some(r.resident_id.clone()),
                holder_name: (!r.holder_name.is_empty()).then(|| r.holder_name.clone()),
                opened_at: Some(r.opened_at),
                opened_where: (!r.outlet.is_empty()).then(|| r.outlet.clone()),
            })
            .collect();
        let phones: Vec<NewPhone> = rows
            .iter()
            .filter(|r| r.kind == CardKind::SimCard)
            .filter_map(|r| {
                let number = PhoneNumber::parse(&r.account_no).ok()?;
                Some(NewPhone {
                    number: number.canonical(),
                    kind: number.kind().as_str().to_string(),
                    carrier: number.carrier().map(|c| c.label().to_string()),
                    province: number.province().map(str::to_string),
                    city: number.city().map(str::to_string),
                    owner_resident_id: Some(r.resident_id.clone()),
                })
            })
            .collect();

        // Lists are screened one at a time, the history read inside the writing transaction:
        // two lists of one holder at once must see each other's cards. SQLite writers queue
        // behind the store's write guard; on PostgreSQL a transaction-scoped advisory lock does
        // the same across processes.
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("new_cards.begin").await?;
        if self.store.backend() == crate::dialect::Backend::Postgres {
            sqlx::query(&format!("SELECT pg_advisory_xact_lock({SCREENING_LOCK})"))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("new_cards.lock"))?;
        }
        for chunk in accounts.chunks(5000) {
            crate::upsert::upsert_bulk(
                &mut tx,
                self.store.backend(),
                &crate::accounts::SPEC,
                crate::accounts::upsert_rows(chunk)?,
                at,
            )
            .await?;
        }
        for chunk in phones.chunks(5000) {
            crate::upsert::upsert_bulk(
                &mut tx,
                self.store.backend(),
                &crate::phones::SPEC,
                crate::phones::upsert_rows(chunk)?,
                at,
            )
            .await?;
        }

        // What is known of each holder, and every opening of theirs near this list.
        let window = BURST_WINDOW_DAYS * DAY_MS;
        let mut by_holder: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_holder.entry(r.resident_id.as_str()).or_default().push(i);
        }
        // Only holders with a card new to the platform are screened (a list sent again costs
        // one look-up per 500 cards).
        let stored_accounts = Self::listed_before(&mut tx, &rows).await?;
        let fresh_holders: Vec<&str> = by_holder
            .iter()
            .filter(|(_, idx)| {
                idx.iter()
                    .any(|&i| !stored_accounts.contains(rows[i].account_no.as_str()))
            })
            .map(|(h, _)| *h)
            .collect();
        let facts = Self::facts_of(&mut tx, self.store.backend(), &fresh_holders).await?;
        // Phones of the list and of the holders' stored cards (those may be screened again).
        let mut phones: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(|r| r.phone.as_deref()).collect();
        for f in facts.values() {
            phones.extend(f.stored.iter().filter_map(|c| c.phone.as_deref()));
        }
        let phones: Vec<&str> = phones.into_iter().collect();
        let phone_people = Self::phone_holders(&mut tx, &phones).await?;
        // Holders of one phone within the list count for each other too.
        let mut list_phone_holders: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
        for r in &rows {
            if let Some(p) = r.phone.as_deref() {
                list_phone_holders
                    .entry(p)
                    .or_default()
                    .insert(r.resident_id.as_str());
            }
        }

        // The new phone numbers the list brings for each holder.
        let list_numbers = |holder: &str| -> Vec<&str> {
            by_holder[holder]
                .iter()
                .map(|&i| &rows[i])
                .filter(|o| {
                    o.kind == CardKind::SimCard && !stored_accounts.contains(o.account_no.as_str())
                })
                .map(|o| o.account_no.as_str())
                .collect()
        };
        let phone_count = |phone: Option<&str>, me: &str| -> u32 {
            let Some(p) = phone else { return 0 };
            let mut all: std::collections::HashSet<&str> = phone_people
                .get(p)
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if let Some(l) = list_phone_holders.get(p) {
                all.extend(l.iter().copied());
            }
            all.remove(me);
            all.len() as u32
        };

        let mut out = CardImport {
            duplicates: in_list_duplicates,
            ..CardImport::default()
        };
        for r in &rows {
            if stored_accounts.contains(r.account_no.as_str()) {
                out.duplicates += 1;
                continue;
            }
            let f = &facts[r.resident_id.as_str()];
            let openings: Vec<i64> = f
                .stored
                .iter()
                .filter(|c| c.kind == r.kind)
                .map(|c| c.opened_at)
                .chain(
                    by_holder[r.resident_id.as_str()]
                        .iter()
                        .map(|&i| &rows[i])
                        .filter(|o| {
                            o.kind == r.kind
                                && o.account_no != r.account_no
                                && !stored_accounts.contains(o.account_no.as_str())
                        })
                        .map(|o| o.opened_at),
                )
                .collect();
            let id = ResidentId::parse(&r.resident_id)
                .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?;
            let s = screen(
                &card_to_screen(
                    r.kind,
                    &r.account_no,
                    r.opened_at,
                    &id,
                    r.outlet_division.as_deref(),
                    r.phone.as_deref(),
                ),
                &f.holder(
                    r.kind,
                    &r.account_no,
                    r.opened_at,
                    openings,
                    &list_numbers(&r.resident_id),
                    phone_count(r.phone.as_deref(), &r.resident_id),
                ),
            );
            let state = if s.level.needs_review() {
                CardState::Pending
            } else {
                CardState::NotQueued
            };
            let unit = f
                .unit_code
                .clone()
                .unwrap_or_else(|| importing_unit.to_string());
            let findings = serde_json::to_string(&s.findings)
                .map_err(|e| StoreError::invalid("findings", e.to_string()))?;
            let mut sql = Sql::new(
                "INSERT INTO new_cards (kind, account_no, bank_code, bank_name, resident_id, \
                 holder_name, phone, opened_at, outlet, outlet_division, unit_code, batch, score, \
                 level, bank_score, bank_level, findings, state, note, imported_by, imported_at, \
                 screened_at, clerk) VALUES (",
            );
            sql.args([
                r.kind.as_str(),
                r.account_no.as_str(),
                &r.bank_code,
                &r.bank_name,
                &r.resident_id,
                &r.holder_name,
            ])
            .push(", ")
            .arg(r.phone.as_deref())
            .push(", ")
            .arg(r.opened_at)
            .push(", ")
            .arg(r.outlet.as_str())
            .push(", ")
            .arg(r.outlet_division.as_deref())
            .push(", ")
            .args([unit.as_str(), &r.batch])
            .push(", ")
            .arg(i64::from(s.score))
            .push(", ")
            .arg(s.level.as_str())
            .push(", ")
            .arg(i64::from(s.bank_score))
            .push(", ")
            .args([s.bank_level.as_str(), &findings, state.as_str(), ""])
            .push(", ")
            .arg(actor)
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(at)
            .push(", ")
            .arg(r.clerk.as_str())
            .push(") ON CONFLICT (account_no) DO NOTHING RETURNING id");
            let row = sql
                .query()
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::query("new_cards.import"))?;
            match row {
                Some(row) => {
                    out.ids
                        .push(col(&row, "id").map_err(StoreError::query("new_cards.import"))?);
                    *out.by_level.entry(s.level).or_default() += 1;
                    *out.bank_by_level.entry(s.bank_level).or_default() += 1;
                    out.queued += i64::from(state == CardState::Pending);
                }
                None => out.duplicates += 1,
            }
        }

        // Earlier unreviewed cards of these holders: the list may have made a burst of them.
        for (holder, idx) in &by_holder {
            let fresh: Vec<&NewCardRow> = idx
                .iter()
                .map(|&i| &rows[i])
                .filter(|r| !stored_accounts.contains(r.account_no.as_str()))
                .collect();
            let Some(f) = facts.get(*holder).filter(|_| !fresh.is_empty()) else {
                continue;
            };
            for stored in &f.stored {
                let (account, opened_at) = (&stored.account_no, &stored.opened_at);
                let fresh_of_kind = || fresh.iter().filter(|r| r.kind == stored.kind);
                if stored.state == CardState::Reviewed
                    || stored.closed
                    || !fresh_of_kind().any(|r| (r.opened_at - opened_at).abs() <= window)
                {
                    continue;
                }
                let openings: Vec<i64> = f
                    .stored
                    .iter()
                    .filter(|c| c.kind == stored.kind && &c.account_no != account)
                    .map(|c| c.opened_at)
                    .chain(fresh_of_kind().map(|r| r.opened_at))
                    .collect();
                let numbers = list_numbers(holder);
                let others = |phone: Option<&str>| phone_count(phone, holder);
                let input = Rescreen {
                    holder,
                    facts: f,
                    stored,
                    openings,
                    list_numbers: &numbers,
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
                action: "new_cards_imported".into(),
                target_type: "unit".into(),
                target_id: Some(importing_unit.to_string()),
                unit_code: Some(importing_unit.to_string()),
                detail: serde_json::json!({
                    "received": out.ids.len(),
                    "duplicates": out.duplicates,
                    "queued": out.queued,
                    "rescreened": out.rescreened,
                    "banks": rows.iter().map(|r| r.bank_code.as_str())
                        .collect::<std::collections::BTreeSet<_>>(),
                    "kinds": rows.iter().map(|r| r.kind.as_str())
                        .collect::<std::collections::BTreeSet<_>>(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("new_cards.commit"))?;

        Ok(out)
    }

    /// Screens a stored, unreviewed card again with what is known of its holder now and
    /// stores the new screening when it changed: `Some(requeued)` then (whether the card went
    /// onto the review list by it), `None` when nothing changed.
    async fn rescreen(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        input: &Rescreen<'_>,
        at: i64,
    ) -> StoreResult<Option<bool>> {
        let stored = input.stored;
        let old = self.get_on(tx, stored.id).await?;
        let id = ResidentId::parse(input.holder)
            .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?;
        let s = screen(
            &card_to_screen(
                stored.kind,
                &stored.account_no,
                stored.opened_at,
                &id,
                old.outlet_division.as_deref(),
                old.phone.as_deref(),
            ),
            &input.facts.holder(
                stored.kind,
                &stored.account_no,
                stored.opened_at,
                input.openings.clone(),
                input.list_numbers,
                (input.phone_others)(old.phone.as_deref()),
            ),
        );
        if i64::from(s.score) == old.score && s.findings == old.findings {
            return Ok(None);
        }
        let new_state = if s.level.needs_review() || old.state == CardState::Pending {
            CardState::Pending
        } else {
            CardState::NotQueued
        };
        let findings = serde_json::to_string(&s.findings)
            .map_err(|e| StoreError::invalid("findings", e.to_string()))?;
        let mut sql = Sql::new("UPDATE new_cards SET score = ");
        sql.arg(i64::from(s.score))
            .push(", level = ")
            .arg(s.level.as_str())
            .push(", bank_score = ")
            .arg(i64::from(s.bank_score))
            .push(", bank_level = ")
            .arg(s.bank_level.as_str())
            .push(", findings = ")
            .arg(findings)
            .push(", state = ")
            .arg(new_state.as_str())
            .push(", screened_at = ")
            .arg(at)
            .push(" WHERE id = ")
            .arg(stored.id)
            .push(" AND state <> 'reviewed'");
        let done = sql
            .query()
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("new_cards.rescreen"))?;
        Ok((done.rows_affected() == 1)
            .then_some(new_state == CardState::Pending && old.state != CardState::Pending))
    }

    async fn get_on(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: i64,
    ) -> StoreResult<ScreenedCard> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM new_cards n WHERE n.id = "));
        sql.arg(id);
        let row = sql
            .query()
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::query("new_cards.get"))?;
        from_row(&row).map_err(StoreError::query("new_cards.get"))
    }

    /// The card `id` when the viewer may read it; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, viewer: &Viewer, id: i64) -> StoreResult<ScreenedCard> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM new_cards n WHERE "));
        push_viewer(&mut sql, viewer);
        sql.push(" AND n.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("new_cards.get")),
            None => Err(StoreError::NotFound {
                what: "new card",
                key: id.to_string(),
            }),
        }
    }

    /// When `bank`'s latest list of new bank cards was received (epoch ms), `None` before any:
    /// a liaison's desk reminds them of the day's list.
    pub async fn last_received(&self, bank: &str) -> StoreResult<Option<i64>> {
        let mut sql = Sql::new(
            "SELECT MAX(imported_at) AS at FROM new_cards WHERE kind = 'bank_card' AND bank_code = ",
        );
        sql.arg(bank.to_string());
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.last_received"))?;
        col(&row, "at").map_err(StoreError::query("new_cards.last_received"))
    }

    /// Cards the viewer may read matching `filter`, the latest opened first; the page key is
    /// `"<opened_at>/<id>"`.
    pub async fn list(
        &self,
        viewer: &Viewer,
        filter: &CardFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<ScreenedCard>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM new_cards n WHERE "));
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, viewer);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "n.opened_at",
            "n.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("new_cards.list"))?;
        Ok(Page::from_overfetch(items, limit, |c| {
            format!("{}/{}", c.opened_at, c.id)
        }))
    }

    /// How many cards [`NewCards::list`] would give in all.
    pub async fn count_matching(&self, viewer: &Viewer, filter: &CardFilter) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM new_cards n WHERE ");
        push_viewer(&mut sql, viewer);
        push_filter(&mut sql, filter, viewer);
        self.count("new_cards.count", sql).await
    }

    /// Cases the card was used in, latest report first: for a bank card those whose money
    /// reached its account (stop-payment requests and transfers into it where the holder is
    /// not the victim), for a phone card those whose victim named its number. The caller shows
    /// only the cases of the reader's area.
    pub async fn cases_of(&self, card: &ScreenedCard) -> StoreResult<Vec<String>> {
        if card.kind == CardKind::SimCard {
            let j = self.store.backend().json_strings("c.named", "phones", "j");
            let mut sql = Sql::new(format!(
                "SELECT c.id, c.reported_at FROM cases c WHERE EXISTS (SELECT 1 FROM {} \
                 WHERE {} AND {} = ",
                j.from, j.only_strings, j.value
            ));
            sql.arg(card.account_no.clone())
                .push(") ORDER BY c.reported_at DESC, c.id");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("new_cards.cases_of"))?;
            return rows
                .iter()
                .map(|r| col(r, "id").map_err(StoreError::query("new_cards.cases_of")))
                .collect();
        }
        let mut sql = Sql::new(
            "SELECT c.id, c.reported_at FROM cases c WHERE c.id IN (\
             SELECT s.case_id FROM stop_payments s WHERE s.account = ",
        );
        let acc = sql.bind(card.account_no.clone());
        let holder = sql.bind(card.resident_id.clone());
        sql.push(&format!(
            "{acc} UNION SELECT t.case_id FROM case_transfers t JOIN cases v ON v.id = t.case_id \
             WHERE t.to_account = {acc} AND (v.resident_id IS NULL OR v.resident_id <> {holder})) \
             ORDER BY c.reported_at DESC, c.id"
        ));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.cases_of"))?;
        rows.iter()
            .map(|r| col(r, "id").map_err(StoreError::query("new_cards.cases_of")))
            .collect()
    }

    /// Records the review of card `id` (a note is required unless the card is 正常开户) by
    /// `actor` at `at`, with its audit entry, and returns the card as now stored.
    /// [`StoreError::NotFound`] outside `scope`; [`StoreError::Conflict`] when reviewed before.
    pub async fn review(
        &self,
        scope: &Scope,
        id: i64,
        verdict: Verdict,
        note: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<ScreenedCard> {
        let note = text("note", note, verdict != Verdict::Normal)?;
        let card = self.get(&Viewer::Police(scope.clone()), id).await?;
        let conflict = || StoreError::Conflict {
            what: "new card",
            detail: format!("card {id} was reviewed already"),
        };
        if card.state == CardState::Reviewed {
            return Err(conflict());
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("new_cards.begin").await?;
        let mut sql = Sql::new("UPDATE new_cards SET state = 'reviewed', verdict = ");
        sql.arg(verdict.as_str())
            .push(", note = ")
            .arg(note.as_str())
            .push(", reviewed_by = ")
            .arg(actor)
            .push(", reviewed_at = ")
            .arg(at)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state <> 'reviewed'");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("new_cards.review"))?;
        if done.rows_affected() != 1 {
            return Err(conflict());
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "new_card_reviewed".into(),
                target_type: "new_card".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(card.unit_code.clone()),
                detail: serde_json::json!({
                    "verdict": verdict.as_str(),
                    "level": card.level.as_str(),
                    "bank_code": card.bank_code,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("new_cards.commit"))?;
        Ok(ScreenedCard {
            state: CardState::Reviewed,
            verdict: Some(verdict),
            note,
            reviewed_by: Some(actor.to_string()),
            reviewed_at: Some(at),
            ..card
        })
    }

    /// The outlets whose cards of `kind` opened in `[from, to)` (those the viewer may read)
    /// were later used in fraud or found sold, or two or more of them closed within
    /// [`SHORT_LIVED_DAYS`] days: at most `limit`, the most involved cards first, then the most
    /// cards found sold, then the most short-lived, then the highest share.
    pub async fn outlet_figures(
        &self,
        viewer: &Viewer,
        kind: CardKind,
        from: i64,
        to: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutletCardFigures>> {
        let mut sql = Sql::new(format!(
            "SELECT n.bank_code AS bank_code, MAX(n.bank_name) AS bank_name, n.outlet AS outlet, \
             {} FROM new_cards n WHERE ",
            ranking_counts(self.store.backend())
        ));
        push_viewer(&mut sql, viewer);
        sql.push(" AND n.kind = ")
            .arg(kind.as_str())
            .push(" AND n.opened_at >= ")
            .arg(from)
            .push(" AND n.opened_at < ")
            .arg(to)
            .push(" GROUP BY n.bank_code, n.outlet");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.outlets"))?;
        let mut out = Vec::new();
        for row in &rows {
            let q = || StoreError::query("new_cards.outlets");
            let o = OutletCardFigures {
                bank_code: col(row, "bank_code").map_err(q())?,
                bank_name: col(row, "bank_name").map_err(q())?,
                outlet: col(row, "outlet").map_err(q())?,
                screened: col(row, "screened").map_err(q())?,
                card_seller: col(row, "sellers").map_err(q())?,
                involved: col(row, "involved").map_err(q())?,
                short_lived: col(row, "short_lived").map_err(q())?,
            };
            if o.involved > 0 || o.card_seller > 0 || o.short_lived >= 2 {
                out.push(o);
            }
        }
        out.sort_by(|a, b| {
            b.involved
                .cmp(&a.involved)
                .then(b.card_seller.cmp(&a.card_seller))
                .then(b.short_lived.cmp(&a.short_lived))
                .then(
                    b.involved_share()
                        .unwrap_or(0.0)
                        .total_cmp(&a.involved_share().unwrap_or(0.0)),
                )
                .then(a.bank_code.cmp(&b.bank_code))
                .then(a.outlet.cmp(&b.outlet))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// Figures of the cards of `kind` the viewer may read opened in `[from, to)`: by level,
    /// state and verdict, those later used in fraud (涉案: bank cards that received victim
    /// money, phone numbers used for fraud), and the same per bank or operator.
    pub async fn figures(
        &self,
        viewer: &Viewer,
        kind: CardKind,
        from: i64,
        to: i64,
    ) -> StoreResult<CardFigures> {
        let mut sql = Sql::new(format!(
            "SELECT n.bank_code AS bank_code, MAX(n.bank_name) AS bank_name, {level} AS level, \
             n.state AS state, n.verdict AS verdict, \
             CAST(CASE WHEN {involved} THEN 1 ELSE 0 END AS BIGINT) AS involved, \
             CAST(CASE WHEN n.closed_at IS NULL THEN 0 \
             WHEN {short} THEN 2 ELSE 1 END AS BIGINT) AS closed, \
             COUNT(*) AS n FROM new_cards n WHERE ",
            level = level_column(viewer),
            involved = involved(self.store.backend()),
            short = short_lived_sql()
        ));
        push_viewer(&mut sql, viewer);
        sql.push(" AND n.kind = ")
            .arg(kind.as_str())
            .push(" AND n.opened_at >= ")
            .arg(from)
            .push(" AND n.opened_at < ")
            .arg(to)
            .push(&format!(
                " GROUP BY n.bank_code, {}, n.state, n.verdict, involved, closed",
                level_column(viewer)
            ));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("new_cards.figures"))?;
        let mut f = CardFigures::default();
        let mut banks: BTreeMap<String, BankCardFigures> = BTreeMap::new();
        for row in &rows {
            let q = || StoreError::query("new_cards.figures");
            let bank_code: String = col(row, "bank_code").map_err(q())?;
            let bank_name: String = col(row, "bank_name").map_err(q())?;
            let level: String = col(row, "level").map_err(q())?;
            let state: String = col(row, "state").map_err(q())?;
            let verdict: Option<String> = col(row, "verdict").map_err(q())?;
            let involved: i64 = col(row, "involved").map_err(q())?;
            let closed: i64 = col(row, "closed").map_err(q())?;
            let n: i64 = col(row, "n").map_err(q())?;
            if closed > 0 {
                f.closed += n;
            }
            if closed == 2 {
                f.short_lived += n;
            }
            let level = Level::parse(&level).unwrap_or(Level::None);
            let verdict = verdict.as_deref().and_then(Verdict::parse);
            f.screened += n;
            *f.by_level.entry(level).or_default() += n;
            match CardState::parse(&state) {
                Some(CardState::Pending) => f.pending += n,
                Some(CardState::Reviewed) => f.reviewed += n,
                _ => {}
            }
            if let Some(v) = verdict {
                *f.by_verdict.entry(v).or_default() += n;
            }
            if involved == 1 {
                f.involved += n;
                if level.needs_review() {
                    f.involved_flagged += n;
                }
            }
            let b = banks
                .entry(bank_code.clone())
                .or_insert_with(|| BankCardFigures {
                    bank_code,
                    bank_name: bank_name.clone(),
                    ..BankCardFigures::default()
                });
            if b.bank_name.is_empty() {
                b.bank_name = bank_name;
            }
            b.screened += n;
            if level.needs_review() {
                b.flagged += n;
            }
            if level == Level::High {
                b.high += n;
            }
            if verdict == Some(Verdict::CardSeller) {
                b.card_seller += n;
            }
            if involved == 1 {
                b.involved += n;
            }
            if closed == 2 {
                b.short_lived += n;
            }
        }
        f.banks = banks.into_values().collect();
        f.banks.sort_by(|a, b| {
            b.screened
                .cmp(&a.screened)
                .then(a.bank_code.cmp(&b.bank_code))
        });
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in CardState::ALL {
            assert_eq!(CardState::parse(s.as_str()), Some(*s));
        }
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(*v));
        }
        assert_eq!(Verdict::parse("x"), None);
    }

    #[test]
    fn the_reason_filter_matches_the_stored_json() {
        let json = serde_json::to_string(&vec![Finding::new(
            fanzha_screen::ReasonCode::CardBurst,
            Some(3),
        )])
        .unwrap();
        assert!(json.contains("\"code\":\"card_burst\""), "{json}");
    }

    #[test]
    fn shares_need_cards() {
        let mut f = CardFigures::default();
        assert_eq!(f.involved_share(), None);
        f.screened = 4;
        f.involved = 1;
        assert_eq!(f.involved_share(), Some(0.25));
        f.by_level.insert(Level::High, 2);
        f.by_level.insert(Level::Medium, 1);
        f.by_level.insert(Level::Low, 1);
        assert_eq!(f.flagged(), 3);
    }
}
