//! Key persons under watch (涉诈重点人员, 一人一档): a dossier per resident and category — card
//! sellers, people with a fraud record, travellers to high-risk regions abroad, returnees,
//! recruiters — with its entries (measures, visits, closing) in order.
//!
//! Scoped by the unit of the person's residence: a dossier is opened only for a resident the
//! opener's scope holds, and takes that resident's unit. Each change appends one entry, updates
//! the measure columns the lists and figures read, and writes its audit entry, in one
//! transaction; the entry's `seq` is the dossier's new `version`.
//!
//! Every dossier has a responsible officer (包保责任人: a grid worker or station officer using
//! the platform, or an officer named with a phone) and a visit cycle (定期走访): the category's
//! default ([`KeyPersonCategory::default_visit_cycle_days`]) unless the dossier overrides it. The
//! next visit is due on the Shanghai day that lies the cycle's days after the later of the last
//! visit and the (re)listing; from the midnight after that day the visit is overdue
//! ([`visit_due_day`], [`visit_overdue_from`]).

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::decode_err;
use crate::key_person_involvement::{push_involved_since, InvolvedSince};
use crate::key_person_proposals::ProposalKind;
use crate::mask::mask_key;
use crate::page::{Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// Why a person is under watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPersonCategory {
    /// 出租出借出售两卡人员.
    TwoCards,
    /// 涉诈前科人员.
    FraudRecord,
    /// 赴境外高危地区人员 (缅北、柬埔寨…).
    AbroadHighRisk,
    /// 劝返回流人员.
    Returned,
    /// 引流推广 / 跑分人员.
    Recruiter,
    /// 其他.
    Other,
}

impl KeyPersonCategory {
    pub const ALL: [KeyPersonCategory; 6] = [
        KeyPersonCategory::TwoCards,
        KeyPersonCategory::FraudRecord,
        KeyPersonCategory::AbroadHighRisk,
        KeyPersonCategory::Returned,
        KeyPersonCategory::Recruiter,
        KeyPersonCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyPersonCategory::TwoCards => "two_cards",
            KeyPersonCategory::FraudRecord => "fraud_record",
            KeyPersonCategory::AbroadHighRisk => "abroad_high_risk",
            KeyPersonCategory::Returned => "returned",
            KeyPersonCategory::Recruiter => "recruiter",
            KeyPersonCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<KeyPersonCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            KeyPersonCategory::TwoCards => "出租出借出售两卡人员",
            KeyPersonCategory::FraudRecord => "涉诈前科人员",
            KeyPersonCategory::AbroadHighRisk => "赴境外高危地区人员",
            KeyPersonCategory::Returned => "劝返回流人员",
            KeyPersonCategory::Recruiter => "引流推广/跑分人员",
            KeyPersonCategory::Other => "其他",
        }
    }

    /// Days between visits (定期走访) unless a dossier sets its own: monthly for people who
    /// were or may go abroad to the fraud compounds, every two months for card sellers and
    /// recruiters, quarterly for a fraud record and the rest.
    pub fn default_visit_cycle_days(self) -> i64 {
        match self {
            KeyPersonCategory::AbroadHighRisk | KeyPersonCategory::Returned => 30,
            KeyPersonCategory::TwoCards | KeyPersonCategory::Recruiter => 60,
            KeyPersonCategory::FraudRecord | KeyPersonCategory::Other => 90,
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            KeyPersonCategory::TwoCards => "Rents, lends or sells cards",
            KeyPersonCategory::FraudRecord => "Prior fraud record",
            KeyPersonCategory::AbroadHighRisk => "Travelled to high-risk regions abroad",
            KeyPersonCategory::Returned => "Returned from abroad",
            KeyPersonCategory::Recruiter => "Recruiter / money runner",
            KeyPersonCategory::Other => "Other",
        }
    }
}

/// 在控 or 已移出.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPersonStatus {
    Active,
    Closed,
}

impl KeyPersonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPersonStatus::Active => "active",
            KeyPersonStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<KeyPersonStatus> {
        match s {
            "active" => Some(KeyPersonStatus::Active),
            "closed" => Some(KeyPersonStatus::Closed),
            _ => None,
        }
    }
}

/// The kind of a punishment (惩戒).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PunishmentKind {
    /// 金融惩戒: no online payment, no new cards.
    Financial,
    /// 电信惩戒: no new phone numbers.
    Telecom,
    /// 信用惩戒.
    Credit,
}

impl PunishmentKind {
    pub const ALL: [PunishmentKind; 3] = [
        PunishmentKind::Financial,
        PunishmentKind::Telecom,
        PunishmentKind::Credit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PunishmentKind::Financial => "financial",
            PunishmentKind::Telecom => "telecom",
            PunishmentKind::Credit => "credit",
        }
    }

    pub fn parse(s: &str) -> Option<PunishmentKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a person stands on 劝返 (persuasion to come back from abroad).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbroadState {
    /// 在外: still abroad.
    Abroad,
    /// 已劝返: persuaded back.
    Returned,
    /// 拒不回国: refuses to come back (still abroad).
    Refused,
}

impl AbroadState {
    pub const ALL: [AbroadState; 3] = [
        AbroadState::Abroad,
        AbroadState::Returned,
        AbroadState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AbroadState::Abroad => "abroad",
            AbroadState::Returned => "returned",
            AbroadState::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<AbroadState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a key person stands as the officer found them (动态管控).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlState {
    /// 在控稳定: at home or working nearby, reachable.
    Stable,
    /// 外出: left the area (where to, when known).
    Away,
    /// 失联: cannot be reached.
    Lost,
}

impl ControlState {
    pub const ALL: [ControlState; 3] =
        [ControlState::Stable, ControlState::Away, ControlState::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::Stable => "stable",
            ControlState::Away => "away",
            ControlState::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<ControlState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ControlState::Stable => "在控稳定",
            ControlState::Away => "外出",
            ControlState::Lost => "失联",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ControlState::Stable => "Under control",
            ControlState::Away => "Away",
            ControlState::Lost => "Lost contact",
        }
    }
}

/// What the check of a person back from abroad found (回流人员核查).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturneeResult {
    /// 涉嫌犯罪，已采取刑事强制措施.
    Criminal,
    /// 行政处罚.
    Administrative,
    /// 教育训诫.
    Admonished,
    /// 未发现违法犯罪.
    NoOffence,
}

impl ReturneeResult {
    pub const ALL: [ReturneeResult; 4] = [
        ReturneeResult::Criminal,
        ReturneeResult::Administrative,
        ReturneeResult::Admonished,
        ReturneeResult::NoOffence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturneeResult::Criminal => "criminal",
            ReturneeResult::Administrative => "administrative",
            ReturneeResult::Admonished => "admonished",
            ReturneeResult::NoOffence => "no_offence",
        }
    }

    pub fn parse(s: &str) -> Option<ReturneeResult> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ReturneeResult::Criminal => "涉嫌犯罪·已采取刑事强制措施",
            ReturneeResult::Administrative => "行政处罚",
            ReturneeResult::Admonished => "教育训诫",
            ReturneeResult::NoOffence => "未发现违法犯罪",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ReturneeResult::Criminal => "Criminal measures taken",
            ReturneeResult::Administrative => "Administrative penalty",
            ReturneeResult::Admonished => "Admonished",
            ReturneeResult::NoOffence => "No offence found",
        }
    }
}

/// What a visit found of where the person stands and how to reach them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlUpdate {
    pub state: ControlState,
    /// Where the person is (外出: the place they went to); `None` keeps nothing.
    pub place: Option<String>,
    /// A contact number found working; `None` keeps the one on record.
    pub contact: Option<String>,
}

/// A dossier to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewKeyPerson {
    pub resident_id: String,
    pub category: KeyPersonCategory,
    /// Why the person is listed (trimmed, required).
    pub reason: String,
    /// Where the lead came from: `form`, `case`, `national`, …
    pub source: String,
    /// Login of the opener.
    pub created_by: String,
    /// Epoch ms UTC.
    pub at: i64,
}

/// A measure or note added to a dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPersonMeasure {
    /// 惩戒 (punishment list) from `from` until before `until`.
    Punishment {
        kind: PunishmentKind,
        from: i64,
        until: Option<i64>,
    },
    /// 不准出境 (exit ban) from `from` until before `until`.
    ExitBan { from: i64, until: Option<i64> },
    /// 劝返: where the person stands, since `on`, and where abroad (kept when not given).
    Persuasion {
        state: AbroadState,
        on: i64,
        place: Option<String>,
    },
    /// 走访: a visit and what was found, with where the person stands when the officer says
    /// (动态管控).
    Visit {
        note: String,
        control: Option<ControlUpdate>,
    },
    /// 回流人员核查: the check of a person back from abroad and what it found.
    ReturneeCheck {
        result: ReturneeResult,
        note: String,
    },
    /// 移出: the dossier is closed.
    Close { reason: String },
}

impl KeyPersonMeasure {
    /// The entry kind stored for the measure.
    pub fn kind(&self) -> &'static str {
        match self {
            KeyPersonMeasure::Punishment { .. } => "punishment",
            KeyPersonMeasure::ExitBan { .. } => "exit_ban",
            KeyPersonMeasure::Persuasion { .. } => "persuasion",
            KeyPersonMeasure::Visit { .. } => "visit",
            KeyPersonMeasure::ReturneeCheck { .. } => "returnee_check",
            KeyPersonMeasure::Close { .. } => "closed",
        }
    }

    fn detail(&self) -> serde_json::Value {
        match self {
            KeyPersonMeasure::Punishment { kind, from, until } => {
                serde_json::json!({"punishment": kind.as_str(), "from": from, "until": until})
            }
            KeyPersonMeasure::ExitBan { from, until } => {
                serde_json::json!({"from": from, "until": until})
            }
            KeyPersonMeasure::Persuasion { state, on, place } => {
                serde_json::json!({"state": state.as_str(), "on": on, "place": place})
            }
            KeyPersonMeasure::Visit { note, control } => match control {
                None => serde_json::json!({"note": note}),
                Some(c) => serde_json::json!({
                    "note": note,
                    "control": c.state.as_str(),
                    "place": c.place,
                    "contact": c.contact,
                }),
            },
            KeyPersonMeasure::ReturneeCheck { result, note } => {
                serde_json::json!({"result": result.as_str(), "note": note})
            }
            KeyPersonMeasure::Close { reason } => serde_json::json!({"reason": reason}),
        }
    }

    /// Checks the measure's own rules, returning it with its text trimmed.
    pub(crate) fn validated(&self) -> StoreResult<KeyPersonMeasure> {
        let period = |from: i64, until: Option<i64>| match until {
            Some(u) if u <= from => Err(StoreError::invalid("until", "must be after the start")),
            _ => Ok(()),
        };
        let text = |field: &'static str, s: &str| {
            let t = s.trim();
            if t.is_empty() {
                Err(StoreError::invalid(field, "must not be empty"))
            } else {
                Ok(clip(t))
            }
        };
        Ok(match self {
            KeyPersonMeasure::Punishment { from, until, .. }
            | KeyPersonMeasure::ExitBan { from, until } => {
                period(*from, *until)?;
                self.clone()
            }
            KeyPersonMeasure::Persuasion { state, on, place } => KeyPersonMeasure::Persuasion {
                state: *state,
                on: *on,
                place: place
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(clip),
            },
            KeyPersonMeasure::Visit { note, control } => KeyPersonMeasure::Visit {
                note: text("note", note)?,
                control: match control {
                    None => None,
                    Some(c) => Some(ControlUpdate {
                        state: c.state,
                        place: c
                            .place
                            .as_deref()
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                            .map(clip),
                        contact: match c.contact.as_deref().map(str::trim) {
                            None | Some("") => None,
                            Some(phone) => Some(contact_phone(phone)?),
                        },
                    }),
                },
            },
            KeyPersonMeasure::ReturneeCheck { result, note } => KeyPersonMeasure::ReturneeCheck {
                result: *result,
                note: text("note", note)?,
            },
            KeyPersonMeasure::Close { reason } => KeyPersonMeasure::Close {
                reason: text("reason", reason)?,
            },
        })
    }
}

/// The longest text kept in a reason, note or place (characters).
pub const MAX_TEXT_CHARS: usize = 1000;

/// The longest visit cycle a dossier may set (days); the shortest is one day.
pub const MAX_VISIT_CYCLE_DAYS: i64 = 366;

/// The longest name of a responsible officer without a login (characters).
pub const MAX_OFFICER_NAME_CHARS: usize = 50;

const DAY_MS: i64 = 86_400_000;
/// Asia/Shanghai is UTC+8 all year (no daylight saving).
const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;

/// The first instant (Shanghai midnight) of the day a visit is due: the Shanghai day of `base`
/// (the last visit or the listing) plus `cycle_days`.
pub fn visit_due_day(base: i64, cycle_days: i64) -> i64 {
    ((base + SHANGHAI_OFFSET_MS).div_euclid(DAY_MS) + cycle_days) * DAY_MS - SHANGHAI_OFFSET_MS
}

/// The first instant a visit due `cycle_days` after `base` is overdue: the midnight after the
/// due day, so a visit any time on the due day is in time.
pub fn visit_overdue_from(base: i64, cycle_days: i64) -> i64 {
    visit_due_day(base, cycle_days) + DAY_MS
}

/// The responsible officer (包保责任人) to give a dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Responsible {
    /// A grid worker or unit commander using the platform, whose unit lies on the line of the
    /// dossier's unit (the unit itself or one above it); the phone is optional.
    User {
        login: String,
        phone: Option<String>,
    },
    /// An officer without a login, by name and phone.
    Named { name: String, phone: String },
}

/// A phone as stored: its significant digits, or a message saying why it is not one.
fn officer_phone(phone: &str) -> StoreResult<String> {
    fanzha_core::PhoneNumber::parse(phone.trim())
        .map(|p| p.digits_str().to_string())
        .map_err(|e| StoreError::invalid("phone", format!("not a phone number: {e}")))
}

/// A key person's contact number as stored: its significant digits; a slip names `contact`.
fn contact_phone(phone: &str) -> StoreResult<String> {
    fanzha_core::PhoneNumber::parse(phone)
        .map(|p| p.digits_str().to_string())
        .map_err(|e| StoreError::invalid("contact", format!("not a phone number: {e}")))
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT_CHARS).collect()
}

/// A stored dossier, with the resident's name and phone (for display; masked by lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyPerson {
    pub id: i64,
    pub resident_id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The unit of the residence when the dossier was opened.
    pub unit_code: String,
    pub category: KeyPersonCategory,
    pub status: KeyPersonStatus,
    pub reason: String,
    pub source: String,
    pub punishment_kind: Option<PunishmentKind>,
    pub punishment_from: Option<i64>,
    /// The first instant after the punishment (None: open-ended).
    pub punishment_until: Option<i64>,
    pub exit_ban_from: Option<i64>,
    pub exit_ban_until: Option<i64>,
    pub abroad_state: Option<AbroadState>,
    pub abroad_place: Option<String>,
    pub last_visit_at: Option<i64>,
    pub closed_reason: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    /// The responsible officer's login, when they use the platform.
    pub responsible_login: Option<String>,
    /// The responsible officer's name (a user's display name when assigned); `None`: nobody
    /// is responsible yet.
    pub responsible_name: Option<String>,
    pub responsible_phone: Option<String>,
    /// The dossier's own visit cycle in days; `None` takes the category's default.
    pub visit_cycle_days: Option<i64>,
    /// The latest (re)listing, epoch ms UTC.
    pub listed_at: i64,
    /// Where the person stands as the latest visit that said so found them (动态管控).
    pub control_state: Option<ControlState>,
    pub control_place: Option<String>,
    /// When that visit was.
    pub control_at: Option<i64>,
    /// The contact number found working at a visit (digits); the register's may be stale.
    pub contact_phone: Option<String>,
    /// 回流人员核查: the latest outcome and when.
    pub returnee_check: Option<ReturneeResult>,
    pub returnee_checked_at: Option<i64>,
}

impl KeyPerson {
    /// Back from the compounds abroad: a 劝返回流 dossier, or one persuaded back (已劝返), to be
    /// checked one by one (回流人员核查).
    pub fn returnee(&self) -> bool {
        self.category == KeyPersonCategory::Returned
            || self.abroad_state == Some(AbroadState::Returned)
    }

    /// Whether the punishment holds at `now`.
    pub fn punished_at(&self, now: i64) -> bool {
        active(self.punishment_from, self.punishment_until, now)
    }

    /// Whether the exit ban holds at `now`.
    pub fn exit_banned_at(&self, now: i64) -> bool {
        active(self.exit_ban_from, self.exit_ban_until, now)
    }

    /// The visit cycle in force: the dossier's own or the category's default (days).
    pub fn visit_cycle(&self) -> i64 {
        self.visit_cycle_days
            .unwrap_or_else(|| self.category.default_visit_cycle_days())
    }

    /// Where the cycle runs from: the later of the last visit and the (re)listing.
    pub fn visit_base(&self) -> i64 {
        self.last_visit_at
            .map_or(self.listed_at, |v| v.max(self.listed_at))
    }

    /// The first instant of the day the next visit is due (Shanghai midnight).
    pub fn next_visit_due(&self) -> i64 {
        visit_due_day(self.visit_base(), self.visit_cycle())
    }

    /// Whether the dossier is in control and its visit was due before the day of `now`.
    pub fn visit_overdue_at(&self, now: i64) -> bool {
        self.status == KeyPersonStatus::Active
            && now >= visit_overdue_from(self.visit_base(), self.visit_cycle())
    }
}

fn active(from: Option<i64>, until: Option<i64>, now: i64) -> bool {
    from.is_some_and(|f| f <= now) && until.is_none_or(|u| u > now)
}

/// One dossier entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KeyPersonEvent {
    pub seq: i64,
    /// Epoch ms UTC.
    pub at: i64,
    /// `registered`, `punishment`, `exit_ban`, `persuasion`, `visit`, `closed`, `reopened`,
    /// `assigned` (responsible officer), `visit_cycle`.
    pub kind: String,
    pub detail: serde_json::Value,
    pub actor: String,
}

/// A measure in force, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActiveMeasure {
    /// A punishment holds now.
    Punished,
    /// An exit ban holds now.
    ExitBan,
    /// Still abroad (在外 or 拒不回国).
    Abroad,
    /// Persuaded back (已劝返).
    Returned,
}

impl ActiveMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            ActiveMeasure::Punished => "punished",
            ActiveMeasure::ExitBan => "exit_ban",
            ActiveMeasure::Abroad => "abroad",
            ActiveMeasure::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ActiveMeasure> {
        [
            ActiveMeasure::Punished,
            ActiveMeasure::ExitBan,
            ActiveMeasure::Abroad,
            ActiveMeasure::Returned,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// Which dossiers to list (the unit is the scope).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPersonFilter {
    pub category: Option<KeyPersonCategory>,
    pub status: Option<KeyPersonStatus>,
    /// Only dossiers with this measure in force at the list's time.
    pub measure: Option<ActiveMeasure>,
    /// Only this resident's dossiers.
    pub resident_id: Option<String>,
    /// Only dossiers in control whose visit is overdue at the list's time.
    pub visit_overdue: bool,
    /// Only dossiers this login is responsible for.
    pub responsible: Option<String>,
    /// Only dossiers in control whose person stands so (动态管控).
    pub control: Option<ControlState>,
    /// Only returnees' dossiers (回流人员): `Some(None)` those in control not checked yet,
    /// `Some(Some(r))` those whose check found `r`.
    pub returnee: Option<Option<ReturneeResult>>,
    /// Only dossiers in control whose person was involved on the fraud's side of a case
    /// reported after the (re)listing (再次涉案), or after the dossier's latest visit or
    /// measure (再次涉案待跟进); see `key_person_involvement.rs`.
    pub involved_since: Option<InvolvedSince>,
}

/// The figures of a scope at one time. People are counted once however many dossiers they
/// have; categories count dossiers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KeyPersonFigures {
    /// People with a dossier in control (在控).
    pub in_control: i64,
    /// Dossiers in control per category, every category present.
    pub by_category: Vec<(KeyPersonCategory, i64)>,
    /// Dossiers closed (已移出).
    pub closed: i64,
    /// People in control under a punishment in force.
    pub punished: i64,
    /// People in control under an exit ban in force.
    pub exit_bans: i64,
    /// People still abroad (在外 or 拒不回国), closed dossiers included.
    pub abroad: i64,
    /// People persuaded back (已劝返), closed dossiers included: closing a returnee's dossier
    /// does not lower the rate. A person with a 劝返 state in several dossiers counts once, in
    /// this or [`KeyPersonFigures::abroad`], by the dossier whose latest persuasion entry is the
    /// latest (the later dossier's on a tie).
    pub returned: i64,
    /// People in control with a dossier whose visit is overdue (走访到期未走访).
    pub visits_overdue: i64,
    /// Dossiers in control without a responsible officer.
    pub unassigned: i64,
    /// People in control found away (外出) at their latest visit saying so.
    pub away: i64,
    /// People in control who could not be reached (失联).
    pub lost: i64,
    /// Returnees in control not checked yet (回流待核查), and returnees (closed dossiers
    /// included) whose check led to criminal measures (回流人员打击处理).
    pub returnees_unchecked: i64,
    pub returnees_prosecuted: i64,
    /// People in control involved again since their listing (再次涉案): a suspect of, or
    /// the holder of an account paid into by, a case reported after it.
    pub involved_since_listing: i64,
}

impl KeyPersonFigures {
    /// 劝返率: returned / (returned + still abroad); `None` when nobody was abroad.
    pub fn return_rate(&self) -> Option<f64> {
        let all = self.returned + self.abroad;
        (all > 0).then(|| self.returned as f64 / all as f64)
    }
}

const COLUMNS: &str = "k.id, k.resident_id, p.name, p.phone, k.unit_code, k.category, k.status, \
     k.reason, k.source, k.punishment_kind, k.punishment_from, k.punishment_until, \
     k.exit_ban_from, k.exit_ban_until, k.abroad_state, k.abroad_place, k.last_visit_at, \
     k.closed_reason, k.created_by, k.created_at, k.updated_at, k.version, \
     k.responsible_login, k.responsible_name, k.responsible_phone, k.visit_cycle_days, \
     COALESCE(k.listed_at, k.created_at) AS listed_at, k.control_state, k.control_place, \
     k.control_at, k.contact_phone, k.returnee_check, k.returnee_checked_at";

const FROM: &str = "FROM key_persons k LEFT JOIN people p ON p.resident_id = k.resident_id";

fn parsed<T>(
    row: &AnyRow,
    name: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, sqlx::Error> {
    let s: Option<String> = col(row, name)?;
    s.map(|s| parse(&s).ok_or_else(|| decode_err(name, format!("unknown {name} `{s}`"))))
        .transpose()
}

fn from_row(row: &AnyRow) -> Result<KeyPerson, sqlx::Error> {
    Ok(KeyPerson {
        id: col(row, "id")?,
        resident_id: col(row, "resident_id")?,
        name: col(row, "name")?,
        phone: col(row, "phone")?,
        unit_code: col(row, "unit_code")?,
        category: parsed(row, "category", KeyPersonCategory::parse)?
            .ok_or_else(|| decode_err("category", "missing".into()))?,
        status: parsed(row, "status", KeyPersonStatus::parse)?
            .ok_or_else(|| decode_err("status", "missing".into()))?,
        reason: col(row, "reason")?,
        source: col(row, "source")?,
        punishment_kind: parsed(row, "punishment_kind", PunishmentKind::parse)?,
        punishment_from: col(row, "punishment_from")?,
        punishment_until: col(row, "punishment_until")?,
        exit_ban_from: col(row, "exit_ban_from")?,
        exit_ban_until: col(row, "exit_ban_until")?,
        abroad_state: parsed(row, "abroad_state", AbroadState::parse)?,
        abroad_place: col(row, "abroad_place")?,
        last_visit_at: col(row, "last_visit_at")?,
        closed_reason: col(row, "closed_reason")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        version: col(row, "version")?,
        responsible_login: col(row, "responsible_login")?,
        responsible_name: col(row, "responsible_name")?,
        responsible_phone: col(row, "responsible_phone")?,
        visit_cycle_days: col(row, "visit_cycle_days")?,
        listed_at: col(row, "listed_at")?,
        control_state: parsed(row, "control_state", ControlState::parse)?,
        control_place: col(row, "control_place")?,
        control_at: col(row, "control_at")?,
        contact_phone: col(row, "contact_phone")?,
        returnee_check: parsed(row, "returnee_check", ReturneeResult::parse)?,
        returnee_checked_at: col(row, "returnee_checked_at")?,
    })
}

/// Appends "the visit of dossier `k` is overdue at `now`" (the dossier still in control),
/// the SQL twin of [`KeyPerson::visit_overdue_at`]: the cycle's default per category is
/// written out from [`KeyPersonCategory::default_visit_cycle_days`].
fn push_visit_overdue(sql: &mut Sql<'_>, now: i64) {
    let mut cycle = String::from("COALESCE(k.visit_cycle_days, CASE k.category");
    for c in KeyPersonCategory::ALL {
        cycle.push_str(&format!(
            " WHEN '{}' THEN {}",
            c.as_str(),
            c.default_visit_cycle_days()
        ));
    }
    cycle.push_str(" ELSE 90 END)");
    let listed = "COALESCE(k.listed_at, k.created_at)";
    let base = format!(
        "(CASE WHEN k.last_visit_at IS NOT NULL AND k.last_visit_at > {listed} \
         THEN k.last_visit_at ELSE {listed} END)"
    );
    let now = sql.bind(now);
    sql.push(&format!(
        "(k.status = 'active' AND ((({base} + {SHANGHAI_OFFSET_MS}) / {DAY_MS} + {cycle} + 1) \
         * {DAY_MS} - {SHANGHAI_OFFSET_MS}) <= {now})"
    ));
}

/// Appends an optional text as a parameter, or `NULL`.
fn push_text(sql: &mut Sql<'_>, text: Option<String>) {
    match text {
        Some(t) => sql.arg(t),
        None => sql.push("NULL"),
    };
}

/// Appends "`from` ≤ now < `until`" for a measure's columns.
fn push_in_force(sql: &mut Sql<'_>, from: &str, until: &str, now: i64) {
    let now = sql.bind(now);
    sql.push(&format!(
        "({from} <= {now} AND ({until} IS NULL OR {until} > {now}))"
    ));
}

/// Holds for a returnee's dossier `k` (the SQL twin of [`KeyPerson::returnee`]).
const RETURNEE: &str = "(k.category = 'returned' OR k.abroad_state = 'returned')";

fn push_filter(sql: &mut Sql<'_>, f: &KeyPersonFilter, now: i64) {
    if let Some(c) = f.category {
        sql.push(" AND k.category = ").arg(c.as_str());
    }
    if let Some(s) = f.status {
        sql.push(" AND k.status = ").arg(s.as_str());
    }
    if let Some(rid) = &f.resident_id {
        sql.push(" AND k.resident_id = ").arg(rid.clone());
    }
    if let Some(login) = &f.responsible {
        sql.push(" AND k.responsible_login = ").arg(login.clone());
    }
    match f.returnee {
        None => {}
        Some(None) => {
            sql.push(" AND ")
                .push(RETURNEE)
                .push(" AND k.status = 'active' AND k.returnee_check IS NULL");
        }
        Some(Some(r)) => {
            sql.push(" AND ")
                .push(RETURNEE)
                .push(" AND k.returnee_check = ")
                .arg(r.as_str());
        }
    }
    if let Some(c) = f.control {
        sql.push(" AND k.status = 'active' AND k.control_state = ")
            .arg(c.as_str());
    }
    if f.visit_overdue {
        sql.push(" AND ");
        push_visit_overdue(sql, now);
    }
    if let Some(since) = f.involved_since {
        sql.push(" AND ");
        push_involved_since(sql, since);
    }
    match f.measure {
        None => {}
        Some(ActiveMeasure::Punished) => {
            sql.push(" AND ");
            push_in_force(sql, "k.punishment_from", "k.punishment_until", now);
        }
        Some(ActiveMeasure::ExitBan) => {
            sql.push(" AND ");
            push_in_force(sql, "k.exit_ban_from", "k.exit_ban_until", now);
        }
        Some(ActiveMeasure::Abroad) => {
            sql.push(" AND k.abroad_state IN ('abroad', 'refused')");
        }
        Some(ActiveMeasure::Returned) => {
            sql.push(" AND k.abroad_state = 'returned'");
        }
    }
}

/// What to do when a resident's dossier in a category is still open at a unit outside one's
/// area.
const HELD_ELSEWHERE_WHAT_TO_DO: &str = "the person has moved; ask that unit to close its \
     dossier (移出), then list the person again and the dossier, with its entries, comes over to \
     your unit";

/// Joins a user `u` to its unit `o` and the dossier's unit `d` (to be named by the caller's
/// `d.code = …`) where `u` is an active grid worker or unit commander whose unit is on `d`'s
/// line: `o`'s path is a prefix of `d`'s — the dossier's unit or a unit above it. Never a unit
/// below: an officer reads (and visits from the phone) their own subtree only, where a dossier
/// held above them would not be.
const OFFICER_JOINS: &str = "JOIN org_units o ON o.code = u.unit_code \
     JOIN org_units d ON substr(d.path, 1, length(o.path)) = o.path \
     AND u.active = 1 AND EXISTS (SELECT 1 FROM user_roles r WHERE r.login = u.login \
     AND r.role IN ('grid_worker', 'unit_commander'))";

/// The conflict [`KeyPersons::append`] reports when the dossier is no longer the version read.
const VERSION_MOVED: &str = "key_person_version";

/// An entry to append: its kind, its detail, and what its audit entry says besides the `seq`.
struct Entry {
    kind: &'static str,
    detail: serde_json::Value,
    audit: serde_json::Value,
    /// Written only if the dossier is still this version (the detail depends on what was read).
    read_version: Option<i64>,
}

/// The key-person repository.
pub struct KeyPersons<'s> {
    pub(crate) store: &'s Store,
}

impl<'s> KeyPersons<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        KeyPersons { store }
    }

    /// Opens a dossier for a resident inside `scope`, with its `registered` entry and an audit
    /// entry. Returns the dossier's id and whether it was opened or reopened now: a resident
    /// already listed in the category keeps the one dossier. When it is closed it is reopened
    /// (with a `reopened` entry) under the unit the person lives in now, wherever it was held
    /// before (the entry and the audit name that unit as `moved_from`). When it is still open
    /// inside `scope` its id comes back unchanged; when it is still open outside `scope` (the
    /// person has moved) nothing changes and [`StoreError::HeldElsewhere`] names the unit that
    /// holds it. [`StoreError::NotFound`] when the scope holds no such resident.
    pub async fn create(&self, scope: &Scope, new: &NewKeyPerson) -> StoreResult<(i64, bool)> {
        let reason = new.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "say why the person is listed",
            ));
        }
        let reason = clip(reason);
        let person = self.store.people().get(scope, &new.resident_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("key_persons.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO key_persons (resident_id, unit_code, category, status, reason, source, \
             created_by, created_at, updated_at, listed_at, version) VALUES (",
        );
        sql.arg(person.resident_id.as_str())
            .push(", ")
            .arg(person.unit_code.as_str())
            .push(", ")
            .arg(new.category.as_str())
            .push(", 'active', ")
            .arg(reason.as_str())
            .push(", ")
            .arg(new.source.as_str())
            .push(", ")
            .arg(new.created_by.as_str())
            .push(", ")
            .arg(new.at)
            .push(", ")
            .arg(new.at)
            .push(", ")
            .arg(new.at)
            .push(", 1) ON CONFLICT DO NOTHING RETURNING id");
        let row = sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("key_persons.create"))?;
        // `moved_from`: the unit a reopened dossier was held by, when the person has moved.
        let (id, seq, kind, moved_from) = match row {
            Some(row) => {
                let id: i64 = col(&row, "id").map_err(StoreError::query("key_persons.create"))?;
                (id, 1, "registered", None)
            }
            None => {
                // The one dossier of the resident in the category. It may lie outside the
                // caller's scope: the person has moved since it was opened.
                let mut sql = Sql::new(
                    "SELECT k.id, k.status, k.unit_code, u.name AS unit_name, u.path AS unit_path \
                     FROM key_persons k LEFT JOIN org_units u ON u.code = k.unit_code \
                     WHERE k.resident_id = ",
                );
                sql.arg(person.resident_id.as_str())
                    .push(" AND k.category = ")
                    .arg(new.category.as_str());
                let row = sql
                    .query()
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::query("key_persons.create"))?;
                let existing = (|| -> Result<_, sqlx::Error> {
                    Ok((
                        col::<i64>(&row, "id")?,
                        col::<String>(&row, "status")?,
                        col::<String>(&row, "unit_code")?,
                        col::<Option<String>>(&row, "unit_name")?,
                        col::<Option<String>>(&row, "unit_path")?,
                    ))
                })()
                .map_err(StoreError::query("key_persons.create"))?;
                let (id, status, held_by, held_by_name, held_by_path) = existing;
                let in_scope = match held_by_path.as_deref() {
                    Some(path) => scope.contains_path(path),
                    None => scope.unit_code().is_none(),
                };
                if status != KeyPersonStatus::Closed.as_str() {
                    if in_scope {
                        return Ok((id, false));
                    }
                    return Err(StoreError::HeldElsewhere {
                        what: "a key-person dossier of this resident in this category",
                        unit_name: held_by_name.unwrap_or_else(|| held_by.clone()),
                        unit_code: held_by,
                        what_to_do: HELD_ELSEWHERE_WHAT_TO_DO,
                    });
                }
                // Reopened where the person lives now: a dossier follows the residence. Moved
                // to another unit, it leaves its officer behind — the new area names its own
                // (包保责任人 are of the unit that holds the dossier).
                let mut sql = Sql::new(
                    "UPDATE key_persons SET status = 'active', closed_reason = NULL, reason = ",
                );
                sql.arg(reason.as_str());
                if held_by != person.unit_code {
                    sql.push(
                        ", responsible_login = NULL, responsible_name = NULL, \
                         responsible_phone = NULL",
                    );
                }
                sql.push(", unit_code = ")
                    .arg(person.unit_code.as_str())
                    .push(", updated_at = ")
                    .arg(new.at)
                    .push(", listed_at = ")
                    .arg(new.at)
                    .push(", version = version + 1 WHERE id = ")
                    .arg(id)
                    .push(" AND status = 'closed' RETURNING version");
                let row = sql
                    .query()
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::query("key_persons.reopen"))?
                    .ok_or_else(|| StoreError::Conflict {
                        what: "key_persons.reopen",
                        detail: format!(
                            "key person {id} was reopened meanwhile; list the person again"
                        ),
                    })?;
                let seq: i64 =
                    col(&row, "version").map_err(StoreError::query("key_persons.reopen"))?;
                let moved = (held_by != person.unit_code).then_some(held_by);
                (id, seq, "reopened", moved)
            }
        };
        let mut detail = serde_json::json!({
            "category": new.category.as_str(),
            "reason": reason,
            "source": new.source,
        });
        let mut audit_detail = serde_json::json!({
            "resident": mask_key(&person.resident_id),
            "category": new.category.as_str(),
        });
        if let Some(from) = &moved_from {
            detail["moved_from"] = from.as_str().into();
            audit_detail["moved_from"] = from.as_str().into();
        }
        insert_event(&mut tx, id, seq, new.at, kind, &detail, &new.created_by).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.created_by.clone(),
                action: format!("key_person_{kind}"),
                target_type: "key_person".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(person.unit_code.clone()),
                detail: audit_detail,
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("key_persons.commit"))?;
        Ok((id, true))
    }

    /// One dossier inside `scope`; [`StoreError::NotFound`] when absent or outside it.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<KeyPerson> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE k.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "k.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "key person",
                key: id.to_string(),
            })?;
        from_row(&row).map_err(StoreError::query("key_persons.get"))
    }

    /// Dossiers inside `scope` matching `filter` at `now`, the newest first; the page key is
    /// the last dossier's id.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &KeyPersonFilter,
        page: &PageRequest,
        now: i64,
    ) -> StoreResult<Page<KeyPerson>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE "));
        scope.push_condition(&mut sql, "k.unit_code");
        push_filter(&mut sql, filter, now);
        if let Some(after) = page.after.as_deref() {
            let after: i64 = after
                .parse()
                .map_err(|_| StoreError::invalid("after", "not a page key of this list"))?;
            sql.push(" AND k.id < ").arg(after);
        }
        sql.push(" ORDER BY k.id DESC LIMIT ").arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("key_persons.list"))?;
        Ok(Page::from_overfetch(items, limit, |k| k.id.to_string()))
    }

    /// The dossiers inside `scope` (of `category` when given) whose latest punishment began in
    /// `[from, until)`, in the order it began — those a 惩戒曝光 notice of the period names —
    /// at most `limit`.
    pub async fn punished_between(
        &self,
        scope: &Scope,
        category: Option<KeyPersonCategory>,
        from: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<KeyPerson>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE "));
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" AND k.punishment_from >= ")
            .arg(from)
            .push(" AND k.punishment_from < ")
            .arg(until);
        if let Some(c) = category {
            sql.push(" AND k.category = ").arg(c.as_str());
        }
        sql.push(" ORDER BY k.punishment_from, k.id LIMIT ")
            .arg(limit.clamp(1, 10_000));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.punished_between"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("key_persons.punished_between"))
    }

    /// How many dossiers [`KeyPersons::list`] would give in all.
    pub async fn count(
        &self,
        scope: &Scope,
        filter: &KeyPersonFilter,
        now: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM key_persons k WHERE ");
        scope.push_condition(&mut sql, "k.unit_code");
        push_filter(&mut sql, filter, now);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.count"))?;
        col(&row, "n").map_err(StoreError::query("key_persons.count"))
    }

    /// Adds a measure, visit or closing to a dossier inside `scope` at `at`, with its audit
    /// entry; returns the entry's `seq`. A closed dossier takes no more entries
    /// ([`StoreError::Invalid`]).
    pub async fn add_event(
        &self,
        scope: &Scope,
        id: i64,
        measure: &KeyPersonMeasure,
        actor: &str,
        at: i64,
    ) -> StoreResult<i64> {
        let measure = measure.validated()?;
        let set = |sql: &mut Sql<'_>| match &measure {
            KeyPersonMeasure::Punishment { kind, from, until } => {
                sql.push(", punishment_kind = ")
                    .arg(kind.as_str())
                    .push(", punishment_from = ")
                    .arg(*from)
                    .push(", punishment_until = ")
                    .arg(*until);
            }
            KeyPersonMeasure::ExitBan { from, until } => {
                sql.push(", exit_ban_from = ")
                    .arg(*from)
                    .push(", exit_ban_until = ")
                    .arg(*until);
            }
            KeyPersonMeasure::Persuasion { state, place, .. } => {
                sql.push(", abroad_state = ")
                    .arg(state.as_str())
                    .push(", abroad_place = COALESCE(");
                push_text(sql, place.clone());
                sql.push(", abroad_place)");
            }
            KeyPersonMeasure::Visit { control, .. } => {
                sql.push(", last_visit_at = ").arg(at);
                if let Some(c) = control {
                    sql.push(", control_state = ")
                        .arg(c.state.as_str())
                        .push(", control_place = ");
                    push_text(sql, c.place.clone());
                    sql.push(", control_at = ")
                        .arg(at)
                        .push(", contact_phone = COALESCE(");
                    push_text(sql, c.contact.clone());
                    sql.push(", contact_phone)");
                }
            }
            KeyPersonMeasure::ReturneeCheck { result, .. } => {
                sql.push(", returnee_check = ")
                    .arg(result.as_str())
                    .push(", returnee_checked_at = ")
                    .arg(at);
            }
            KeyPersonMeasure::Close { reason } => {
                sql.push(", status = 'closed', closed_reason = ")
                    .arg(reason.clone());
            }
        };
        let entry = Entry {
            kind: measure.kind(),
            detail: measure.detail(),
            audit: serde_json::json!({}),
            read_version: None,
        };
        let seq = self.append(scope, id, entry, set, actor, at).await?;
        // A punishment or exit ban entered is the decision on a proposal reported up.
        let decided = match &measure {
            KeyPersonMeasure::Punishment { .. } => Some(ProposalKind::Punishment),
            KeyPersonMeasure::ExitBan { .. } => Some(ProposalKind::ExitBan),
            _ => None,
        };
        if let Some(kind) = decided {
            self.store
                .key_person_proposals()
                .settle_by_measure(id, kind, actor, at)
                .await?;
        }
        Ok(seq)
    }

    /// Makes `who` responsible for a dossier in control inside `scope` (包保责任人), with an
    /// `assigned` entry naming the officer before and its audit entry; returns the entry's
    /// `seq`, or `None` when `who` is responsible already (nothing is written). A user must be
    /// an active grid worker or unit commander whose unit is the dossier's or one above it;
    /// anyone else is refused with [`StoreError::Invalid`] (`responsible`), the same
    /// way whether the login exists or not. An officer without a login needs a name and a
    /// phone.
    pub async fn assign(
        &self,
        scope: &Scope,
        id: i64,
        who: &Responsible,
        actor: &str,
        at: i64,
    ) -> StoreResult<Option<i64>> {
        // The entry names the officer before: written only if the dossier is still the version
        // read, else read again (another assignment landed in between).
        let mut attempts = 0;
        loop {
            match self.assign_once(scope, id, who, actor, at).await {
                Err(StoreError::Conflict {
                    what: VERSION_MOVED,
                    ..
                }) if attempts < 3 => attempts += 1,
                done => return done,
            }
        }
    }

    async fn assign_once(
        &self,
        scope: &Scope,
        id: i64,
        who: &Responsible,
        actor: &str,
        at: i64,
    ) -> StoreResult<Option<i64>> {
        let k = self.get(scope, id).await?;
        let (login, name, phone) = match who {
            Responsible::User { login, phone } => {
                let login = login.trim();
                let name = self.officer_on_line(&k.unit_code, login).await?;
                let phone = match phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                    Some(p) => Some(officer_phone(p)?),
                    None => None,
                };
                (Some(login.to_string()), name, phone)
            }
            Responsible::Named { name, phone } => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(StoreError::invalid("name", "name the responsible officer"));
                }
                if phone.trim().is_empty() {
                    return Err(StoreError::invalid(
                        "phone",
                        "give the responsible officer's phone",
                    ));
                }
                let name: String = name.chars().take(MAX_OFFICER_NAME_CHARS).collect();
                (None, name, Some(officer_phone(phone)?))
            }
        };
        if k.responsible_login == login
            && k.responsible_name.as_deref() == Some(name.as_str())
            && k.responsible_phone == phone
        {
            return Ok(None);
        }
        let entry = Entry {
            kind: "assigned",
            detail: serde_json::json!({
                "login": login,
                "name": name,
                "phone": phone,
                "previous": {"login": k.responsible_login, "name": k.responsible_name},
            }),
            audit: serde_json::json!({"login": login}),
            read_version: Some(k.version),
        };
        let set = |sql: &mut Sql<'_>| {
            sql.push(", responsible_login = ");
            push_text(sql, login.clone());
            sql.push(", responsible_name = ")
                .arg(name.clone())
                .push(", responsible_phone = ");
            push_text(sql, phone.clone());
        };
        self.append(scope, id, entry, set, actor, at)
            .await
            .map(Some)
    }

    /// The display name of `login` when it is an active grid worker or unit commander whose
    /// unit is `unit_code` or one above it.
    async fn officer_on_line(&self, unit_code: &str, login: &str) -> StoreResult<String> {
        let mut sql = Sql::new(format!(
            "SELECT u.display_name FROM users u {OFFICER_JOINS} WHERE u.login = "
        ));
        sql.arg(login).push(" AND d.code = ").arg(unit_code);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.officer"))?
            .ok_or_else(|| {
                StoreError::invalid(
                    "responsible",
                    format!(
                        "`{login}` is no active grid worker or unit commander of the person's \
                         unit or a unit above it"
                    ),
                )
            })?;
        col(&row, "display_name").map_err(StoreError::query("key_persons.officer"))
    }

    /// The users who may be made responsible for a dossier inside `scope` (see
    /// [`KeyPersons::assign`]): (login, display name, unit code), by unit and login.
    pub async fn officers(
        &self,
        scope: &Scope,
        id: i64,
    ) -> StoreResult<Vec<(String, String, String)>> {
        let k = self.get(scope, id).await?;
        let mut sql = Sql::new(format!(
            "SELECT u.login, u.display_name, u.unit_code FROM users u {OFFICER_JOINS} \
             WHERE d.code = "
        ));
        sql.arg(k.unit_code.as_str())
            .push(" ORDER BY u.unit_code, u.login LIMIT 500");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.officers"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    col(r, "login")?,
                    col(r, "display_name")?,
                    col(r, "unit_code")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::query("key_persons.officers"))
    }

    /// Sets a dossier's own visit cycle in days (1 to [`MAX_VISIT_CYCLE_DAYS`]), or, with
    /// `None`, goes back to the category's default, with a `visit_cycle` entry and its audit
    /// entry; returns the entry's `seq`, or `None` when the cycle is so already.
    pub async fn set_visit_cycle(
        &self,
        scope: &Scope,
        id: i64,
        days: Option<i64>,
        actor: &str,
        at: i64,
    ) -> StoreResult<Option<i64>> {
        if let Some(d) = days {
            if !(1..=MAX_VISIT_CYCLE_DAYS).contains(&d) {
                return Err(StoreError::invalid(
                    "cycle",
                    format!("a visit cycle is 1 to {MAX_VISIT_CYCLE_DAYS} days"),
                ));
            }
        }
        let k = self.get(scope, id).await?;
        if k.visit_cycle_days == days {
            return Ok(None);
        }
        let entry = Entry {
            kind: "visit_cycle",
            detail: serde_json::json!({
                "days": days,
                "default": k.category.default_visit_cycle_days(),
            }),
            audit: serde_json::json!({"days": days}),
            read_version: None,
        };
        let set = |sql: &mut Sql<'_>| {
            sql.push(", visit_cycle_days = ").arg(days);
        };
        self.append(scope, id, entry, set, actor, at)
            .await
            .map(Some)
    }

    /// Visits (走访 entries) recorded in `[from, until)` on the dossiers inside `scope`
    /// (本期走访人次: each visit counts).
    pub async fn visits(&self, scope: &Scope, from: i64, until: i64) -> StoreResult<i64> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n FROM key_person_events e JOIN key_persons k \
             ON k.id = e.key_person_id WHERE e.kind = 'visit' AND e.at >= ",
        );
        sql.arg(from).push(" AND e.at < ").arg(until).push(" AND ");
        scope.push_condition(&mut sql, "k.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.visits"))?;
        col(&row, "n").map_err(StoreError::query("key_persons.visits"))
    }

    /// Appends an entry to a dossier in control inside `scope`: `set` adds the projection's
    /// columns to the `UPDATE`, after `updated_at`; the audit entry (`key_person_<kind>`)
    /// carries the entry's `seq`. Returns the `seq`.
    async fn append<'a>(
        &self,
        scope: &Scope,
        id: i64,
        entry: Entry,
        set: impl FnOnce(&mut Sql<'a>),
        actor: &str,
        at: i64,
    ) -> StoreResult<i64> {
        let read_version = entry.read_version;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("key_persons.begin").await?;
        let mut sql = Sql::new("UPDATE key_persons SET version = version + 1, updated_at = ");
        sql.arg(at);
        set(&mut sql);
        sql.push(" WHERE id = ")
            .arg(id)
            .push(" AND status = 'active' AND ");
        if let Some(v) = read_version {
            sql.push("version = ").arg(v).push(" AND ");
        }
        scope.push_condition(&mut sql, "unit_code");
        sql.push(" RETURNING version, unit_code");
        let row = sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("key_persons.add_event"))?;
        let Some(row) = row else {
            drop(tx);
            // Absent, outside the scope, or closed: say which of the caller's concern it is.
            let current = self.get(scope, id).await?;
            if read_version.is_some_and(|v| v != current.version)
                && current.status == KeyPersonStatus::Active
            {
                return Err(StoreError::Conflict {
                    what: VERSION_MOVED,
                    detail: format!("key person {id} changed since it was read; read it again"),
                });
            }
            return Err(StoreError::invalid(
                "status",
                format!(
                    "key person {} is {}; reopen it by listing the person again",
                    current.id,
                    current.status.as_str()
                ),
            ));
        };
        let seq: i64 = col(&row, "version").map_err(StoreError::query("key_persons.add_event"))?;
        let unit_code: String =
            col(&row, "unit_code").map_err(StoreError::query("key_persons.add_event"))?;
        insert_event(&mut tx, id, seq, at, entry.kind, &entry.detail, actor).await?;
        let mut audit = entry.audit;
        audit["seq"] = seq.into();
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: format!("key_person_{}", entry.kind),
                target_type: "key_person".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit_code),
                detail: audit,
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("key_persons.commit"))?;
        Ok(seq)
    }

    /// The entries of a dossier inside `scope`, in order.
    pub async fn events(&self, scope: &Scope, id: i64) -> StoreResult<Vec<KeyPersonEvent>> {
        let mut sql = Sql::new(
            "SELECT e.seq, e.at, e.kind, e.detail, e.actor FROM key_person_events e \
             JOIN key_persons k ON k.id = e.key_person_id WHERE e.key_person_id = ",
        );
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" ORDER BY e.seq");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.events"))?;
        rows.iter()
            .map(|r| {
                let detail: String = col(r, "detail")?;
                Ok(KeyPersonEvent {
                    seq: col(r, "seq")?,
                    at: col(r, "at")?,
                    kind: col(r, "kind")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| decode_err("detail", e.to_string()))?,
                    actor: col(r, "actor")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::query("key_persons.events"))
    }

    /// The figures of the dossiers inside `scope` at `now` (see [`KeyPersonFigures`]).
    pub async fn figures(&self, scope: &Scope, now: i64) -> StoreResult<KeyPersonFigures> {
        let mut sql = Sql::new(
            "SELECT \
             COUNT(DISTINCT CASE WHEN k.status = 'active' THEN k.resident_id END) AS in_control, \
             COUNT(CASE WHEN k.status = 'closed' THEN 1 END) AS closed, \
             COUNT(DISTINCT CASE WHEN k.status = 'active' AND ",
        );
        push_in_force(&mut sql, "k.punishment_from", "k.punishment_until", now);
        sql.push(
            " THEN k.resident_id END) AS punished, \
             COUNT(DISTINCT CASE WHEN k.status = 'active' AND ",
        );
        push_in_force(&mut sql, "k.exit_ban_from", "k.exit_ban_until", now);
        sql.push(" THEN k.resident_id END) AS exit_bans, COUNT(DISTINCT CASE WHEN ");
        push_visit_overdue(&mut sql, now);
        sql.push(" THEN k.resident_id END) AS visits_overdue, COUNT(DISTINCT CASE WHEN ");
        push_involved_since(&mut sql, InvolvedSince::Listing);
        sql.push(
            " THEN k.resident_id END) AS involved_since_listing, COUNT(CASE WHEN \
             k.status = 'active' AND k.responsible_name IS NULL THEN 1 END) AS unassigned, \
             COUNT(DISTINCT CASE WHEN k.status = 'active' AND k.control_state = 'away' \
             THEN k.resident_id END) AS away, \
             COUNT(DISTINCT CASE WHEN k.status = 'active' AND k.control_state = 'lost' \
             THEN k.resident_id END) AS lost, \
             COUNT(DISTINCT CASE WHEN k.status = 'active' AND k.returnee_check IS NULL AND \
             (k.category = 'returned' OR k.abroad_state = 'returned') \
             THEN k.resident_id END) AS returnees_unchecked, \
             COUNT(DISTINCT CASE WHEN k.returnee_check = 'criminal' \
             THEN k.resident_id END) AS returnees_prosecuted \
             FROM key_persons k WHERE ",
        );
        scope.push_condition(&mut sql, "k.unit_code");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.figures"))?;
        let n = |row: &AnyRow, name: &'static str| -> StoreResult<i64> {
            col(row, name).map_err(StoreError::query("key_persons.figures"))
        };
        let mut figures = KeyPersonFigures {
            in_control: n(&row, "in_control")?,
            closed: n(&row, "closed")?,
            punished: n(&row, "punished")?,
            exit_bans: n(&row, "exit_bans")?,
            visits_overdue: n(&row, "visits_overdue")?,
            unassigned: n(&row, "unassigned")?,
            away: n(&row, "away")?,
            lost: n(&row, "lost")?,
            returnees_unchecked: n(&row, "returnees_unchecked")?,
            returnees_prosecuted: n(&row, "returnees_prosecuted")?,
            involved_since_listing: n(&row, "involved_since_listing")?,
            by_category: KeyPersonCategory::ALL.iter().map(|c| (*c, 0)).collect(),
            ..KeyPersonFigures::default()
        };
        // 劝返: each person once, in the state of the dossier whose latest persuasion entry is
        // the latest (a later dossier's "returned" supersedes an earlier one's "abroad").
        let mut sql = Sql::new(
            "SELECT COUNT(CASE WHEN s.abroad_state IN ('abroad', 'refused') THEN 1 END) AS abroad, \
             COUNT(CASE WHEN s.abroad_state = 'returned' THEN 1 END) AS returned FROM (\
             SELECT d.abroad_state, ROW_NUMBER() OVER (PARTITION BY d.resident_id \
             ORDER BY d.persuaded_at DESC, d.id DESC) AS rn FROM (\
             SELECT k.id, k.resident_id, k.abroad_state, COALESCE((SELECT MAX(e.at) \
             FROM key_person_events e WHERE e.key_person_id = k.id AND e.kind = 'persuasion'), \
             0) AS persuaded_at FROM key_persons k WHERE k.abroad_state IS NOT NULL AND ",
        );
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(") d) s WHERE s.rn = 1");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.figures"))?;
        figures.abroad = n(&row, "abroad")?;
        figures.returned = n(&row, "returned")?;
        let mut sql = Sql::new("SELECT k.category, COUNT(*) AS n FROM key_persons k WHERE ");
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" AND k.status = 'active' GROUP BY k.category");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.figures"))?;
        for r in &rows {
            let c: String = col(r, "category").map_err(StoreError::query("key_persons.figures"))?;
            let count: i64 = col(r, "n").map_err(StoreError::query("key_persons.figures"))?;
            if let Some(slot) = figures
                .by_category
                .iter_mut()
                .find(|(k, _)| k.as_str() == c)
            {
                slot.1 = count;
            }
        }
        Ok(figures)
    }
}

async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    seq: i64,
    at: i64,
    kind: &str,
    detail: &serde_json::Value,
    actor: &str,
) -> StoreResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO key_person_events (key_person_id, seq, at, kind, detail, actor) VALUES (",
    );
    sql.arg(id)
        .push(", ")
        .arg(seq)
        .push(", ")
        .arg(at)
        .push(", ")
        .arg(kind)
        .push(", ")
        .arg(detail.to_string())
        .push(", ")
        .arg(actor)
        .push(")");
    sql.query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("key_person_events.insert"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in KeyPersonCategory::ALL {
            assert_eq!(KeyPersonCategory::parse(c.as_str()), Some(c));
        }
        for k in PunishmentKind::ALL {
            assert_eq!(PunishmentKind::parse(k.as_str()), Some(k));
        }
        for s in AbroadState::ALL {
            assert_eq!(AbroadState::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            ActiveMeasure::parse("exit_ban"),
            Some(ActiveMeasure::ExitBan)
        );
        assert_eq!(KeyPersonCategory::parse("x"), None);
    }

    #[test]
    fn a_period_holds_from_its_start_until_before_its_end() {
        assert!(active(Some(10), Some(20), 10));
        assert!(active(Some(10), None, 1_000));
        assert!(!active(Some(10), Some(20), 20));
        assert!(!active(Some(10), Some(20), 9));
        assert!(!active(None, None, 9));
    }

    #[test]
    fn the_return_rate_needs_someone_abroad() {
        let mut f = KeyPersonFigures::default();
        assert_eq!(f.return_rate(), None);
        f.returned = 3;
        f.abroad = 1;
        assert_eq!(f.return_rate(), Some(0.75));
    }

    fn shanghai(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_visit_is_due_on_the_shanghai_day_a_cycle_after_and_overdue_the_day_after() {
        // Visited at 23:30 on 1 March (Shanghai), monthly: due on 31 March, overdue from 1 April.
        let visit = shanghai("2026-03-01T23:30:00+08:00");
        assert_eq!(
            visit_due_day(visit, 30),
            shanghai("2026-03-31T00:00:00+08:00")
        );
        assert_eq!(
            visit_overdue_from(visit, 30),
            shanghai("2026-04-01T00:00:00+08:00")
        );
        // 00:30 in Shanghai is the day before in UTC: the Shanghai day counts.
        let early = shanghai("2026-03-02T00:30:00+08:00");
        assert_eq!(
            visit_due_day(early, 1),
            shanghai("2026-03-03T00:00:00+08:00")
        );
    }

    #[test]
    fn every_category_has_a_cycle_of_one_to_the_longest_days() {
        for c in KeyPersonCategory::ALL {
            assert!((1..=MAX_VISIT_CYCLE_DAYS).contains(&c.default_visit_cycle_days()));
        }
        assert_eq!(KeyPersonCategory::Returned.default_visit_cycle_days(), 30);
        assert_eq!(KeyPersonCategory::TwoCards.default_visit_cycle_days(), 60);
        assert_eq!(
            KeyPersonCategory::FraudRecord.default_visit_cycle_days(),
            90
        );
    }

    fn dossier(listed_at: i64, last_visit_at: Option<i64>, cycle: Option<i64>) -> KeyPerson {
        KeyPerson {
            id: 1,
            resident_id: String::new(),
            name: None,
            phone: None,
            unit_code: "33".into(),
            category: KeyPersonCategory::Returned,
            status: KeyPersonStatus::Active,
            reason: String::new(),
            source: "form".into(),
            punishment_kind: None,
            punishment_from: None,
            punishment_until: None,
            exit_ban_from: None,
            exit_ban_until: None,
            abroad_state: None,
            abroad_place: None,
            last_visit_at,
            closed_reason: None,
            created_by: "x".into(),
            created_at: listed_at,
            updated_at: listed_at,
            version: 1,
            responsible_login: None,
            responsible_name: None,
            responsible_phone: None,
            visit_cycle_days: cycle,
            listed_at,
            control_state: None,
            control_place: None,
            control_at: None,
            contact_phone: None,
            returnee_check: None,
            returnee_checked_at: None,
        }
    }

    #[test]
    fn the_cycle_runs_from_the_later_of_the_last_visit_and_the_listing() {
        let listed = shanghai("2026-03-01T10:00:00+08:00");
        let never = dossier(listed, None, None);
        assert_eq!(never.visit_cycle(), 30, "the category's default");
        assert_eq!(
            never.next_visit_due(),
            shanghai("2026-03-31T00:00:00+08:00")
        );
        // A visit before a relisting does not count; one after it does.
        let before = dossier(listed, Some(listed - 5 * DAY_MS), Some(7));
        assert_eq!(before.visit_base(), listed);
        let after = dossier(listed, Some(listed + DAY_MS), Some(7));
        assert_eq!(
            after.next_visit_due(),
            shanghai("2026-03-09T00:00:00+08:00")
        );
        assert!(!after.visit_overdue_at(shanghai("2026-03-09T23:59:59+08:00")));
        assert!(after.visit_overdue_at(shanghai("2026-03-10T00:00:00+08:00")));
        let closed = KeyPerson {
            status: KeyPersonStatus::Closed,
            ..after
        };
        assert!(!closed.visit_overdue_at(shanghai("2027-01-01T00:00:00+08:00")));
    }

    proptest::proptest! {
        /// The due day is the base's Shanghai calendar day plus the cycle, as chrono counts
        /// days; a visit is in time through the due day and overdue from the next midnight.
        #[test]
        fn due_days_agree_with_the_calendar(
            base in 1_500_000_000_000i64..2_500_000_000_000,
            cycle in 1..=MAX_VISIT_CYCLE_DAYS,
        ) {
            let day = fanzha_core::time::shanghai_date(base).unwrap();
            let due = visit_due_day(base, cycle);
            let expected = day + chrono::Days::new(cycle as u64);
            proptest::prop_assert_eq!(fanzha_core::time::shanghai_date(due), Some(expected));
            proptest::prop_assert_eq!(
                due,
                fanzha_core::time::shanghai_midnight(expected).unwrap()
            );
            let overdue = visit_overdue_from(base, cycle);
            proptest::prop_assert_eq!(
                fanzha_core::time::shanghai_date(overdue - 1),
                Some(expected)
            );
            proptest::prop_assert!(overdue > base + (cycle - 1) * DAY_MS);
            let k = dossier(base, None, Some(cycle));
            proptest::prop_assert!(!k.visit_overdue_at(overdue - 1));
            proptest::prop_assert!(k.visit_overdue_at(overdue));
        }
    }

    #[test]
    fn measures_are_checked_and_trimmed() {
        let bad = KeyPersonMeasure::ExitBan {
            from: 10,
            until: Some(10),
        };
        assert!(bad.validated().is_err());
        let visit = KeyPersonMeasure::Visit {
            note: "  在家  ".into(),
            control: None,
        };
        assert_eq!(
            visit.validated().unwrap(),
            KeyPersonMeasure::Visit {
                note: "在家".into(),
                control: None,
            }
        );
        assert!(KeyPersonMeasure::Close { reason: " ".into() }
            .validated()
            .is_err());
    }
}
