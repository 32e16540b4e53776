//! The risk reasons of a new card, their weights and the levels the summed score falls into.
//!
//! Weights are data a reviewer can read: each reason says what the field knows about card
//! selling (断卡) — people listed for it before, many cards in a few days, cards opened far
//! from home, ages the buyers recruit, reserved phone numbers shared by several holders.

use fanzha_core::event::CardKind;
use fanzha_core::DivisionCode;
use serde::{Deserialize, Serialize};

/// Why a card was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The holder is under a punishment (惩戒) that bars new cards: the bank should not have
    /// opened it.
    HolderPunished,
    /// The holder has an open key-person dossier (涉诈重点人员).
    HolderKeyPerson,
    /// A two-card lead found that the holder lent, rented out or sold a card before.
    HolderGaveCardAway,
    /// Another account of the holder received victim money in a case.
    HolderMuleAccount,
    /// Three or more cards of the holder opened within [`BURST_WINDOW_DAYS`] days (value: how
    /// many).
    CardBurst,
    /// A second card of the holder within [`BURST_WINDOW_DAYS`] days (value: 2).
    CardPair,
    /// Opened in another province than the holder's residence (value: the outlet's division).
    FarProvince,
    /// Opened in another city of the holder's province (value: the outlet's division).
    FarCity,
    /// The holder was under 16 at opening (value: age).
    Minor,
    /// The holder was 16–25 at opening, the age card buyers recruit most (value: age).
    Young,
    /// The holder was 70 or older at opening (value: age).
    Elderly,
    /// The reserved phone number is also the reserved number of other holders' cards or the
    /// registered phone of other residents (value: how many other people).
    SharedPhone,
    /// The reserved phone number is a virtual-operator or overseas number.
    VirtualPhone,
    /// Another phone number of the holder was used for fraud: named by a victim in a case, or
    /// shut down or barred at the police's request (涉诈号码处置).
    HolderFraudNumber,
    /// Phone cards: the holder has [`MANY_NUMBERS`] or more phone numbers on record, this one
    /// included — the lists of every operator and the numbers registered to them (一人多卡;
    /// value: how many).
    ManyNumbers,
    /// Phone cards: the new number lies in a virtual operator's segment (虚拟运营商号段).
    VirtualNumber,
    /// The holder opened and closed cards of this kind again and again (频繁开销户): at least
    /// [`FREQUENT_OPEN_CLOSE`] other cards closed within [`SHORT_LIVED_DAYS`] days of their
    /// opening, at any issuer, the closings no more than [`OPEN_CLOSE_LOOKBACK_DAYS`] days
    /// before this card's opening (value: how many).
    FrequentOpenClose,
}

/// Phone numbers of one holder from which a new phone card is flagged (一人多卡).
pub const MANY_NUMBERS: u32 = 5;

/// A card closed within this many days of its opening is short-lived (开户后短期内销户).
pub const SHORT_LIVED_DAYS: i64 = 90;

/// Short-lived cards of one holder from which a new card is flagged (频繁开销户).
pub const FREQUENT_OPEN_CLOSE: u32 = 2;

/// How far before a card's opening the holder's short-lived cards count.
pub const OPEN_CLOSE_LOOKBACK_DAYS: i64 = 365;

/// Cards of one holder this many days apart or closer count as one burst.
pub const BURST_WINDOW_DAYS: i64 = 7;

impl ReasonCode {
    pub const ALL: &'static [ReasonCode] = &[
        ReasonCode::HolderPunished,
        ReasonCode::HolderKeyPerson,
        ReasonCode::HolderGaveCardAway,
        ReasonCode::HolderMuleAccount,
        ReasonCode::CardBurst,
        ReasonCode::CardPair,
        ReasonCode::FarProvince,
        ReasonCode::FarCity,
        ReasonCode::Minor,
        ReasonCode::Young,
        ReasonCode::Elderly,
        ReasonCode::SharedPhone,
        ReasonCode::VirtualPhone,
        ReasonCode::HolderFraudNumber,
        ReasonCode::ManyNumbers,
        ReasonCode::VirtualNumber,
        ReasonCode::FrequentOpenClose,
    ];

    /// Whether the reason rests on police records (dossiers, punishments, two-card leads,
    /// cases, number disposals) or on other issuers' lists (the holder's numbers at every
    /// operator): the issuing bank or operator never reads it, nor a score or level that
    /// counts it.
    pub fn police_only(self) -> bool {
        matches!(
            self,
            ReasonCode::HolderPunished
                | ReasonCode::HolderKeyPerson
                | ReasonCode::HolderGaveCardAway
                | ReasonCode::HolderMuleAccount
                | ReasonCode::HolderFraudNumber
                | ReasonCode::ManyNumbers
                | ReasonCode::FrequentOpenClose
        )
    }

    /// Whether screening can find the reason on a card of `kind`: the reserved phone is a
    /// bank card's, the holder's numbers and the number's segment a phone card's.
    pub fn applies_to(self, kind: CardKind) -> bool {
        match self {
            ReasonCode::SharedPhone | ReasonCode::VirtualPhone => kind == CardKind::BankCard,
            ReasonCode::ManyNumbers | ReasonCode::VirtualNumber => kind == CardKind::SimCard,
            _ => true,
        }
    }

    /// Points the reason adds to the card's score.
    pub fn weight(self) -> u32 {
        match self {
            ReasonCode::HolderPunished => 60,
            ReasonCode::HolderGaveCardAway
            | ReasonCode::HolderMuleAccount
            | ReasonCode::HolderFraudNumber => 50,
            ReasonCode::HolderKeyPerson => 40,
            ReasonCode::CardBurst => 35,
            ReasonCode::SharedPhone | ReasonCode::ManyNumbers | ReasonCode::FrequentOpenClose => 30,
            ReasonCode::FarProvince => 25,
            ReasonCode::Minor => 20,
            ReasonCode::VirtualPhone | ReasonCode::VirtualNumber => 15,
            ReasonCode::CardPair
            | ReasonCode::FarCity
            | ReasonCode::Young
            | ReasonCode::Elderly => 10,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::HolderPunished => "holder_punished",
            ReasonCode::HolderKeyPerson => "holder_key_person",
            ReasonCode::HolderGaveCardAway => "holder_gave_card_away",
            ReasonCode::HolderMuleAccount => "holder_mule_account",
            ReasonCode::CardBurst => "card_burst",
            ReasonCode::CardPair => "card_pair",
            ReasonCode::FarProvince => "far_province",
            ReasonCode::FarCity => "far_city",
            ReasonCode::Minor => "minor",
            ReasonCode::Young => "young",
            ReasonCode::Elderly => "elderly",
            ReasonCode::SharedPhone => "shared_phone",
            ReasonCode::VirtualPhone => "virtual_phone",
            ReasonCode::HolderFraudNumber => "holder_fraud_number",
            ReasonCode::ManyNumbers => "many_numbers",
            ReasonCode::VirtualNumber => "virtual_number",
            ReasonCode::FrequentOpenClose => "frequent_open_close",
        }
    }

    pub fn parse(s: &str) -> Option<ReasonCode> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// The reason's name in Chinese, without its value.
    pub fn zh(self) -> &'static str {
        match self {
            ReasonCode::HolderPunished => "开户人在惩戒期内",
            ReasonCode::HolderKeyPerson => "开户人为涉诈重点人员",
            ReasonCode::HolderGaveCardAway => "开户人曾出租出借或出售两卡",
            ReasonCode::HolderMuleAccount => "开户人名下账户曾接收被骗资金",
            ReasonCode::CardBurst => "短期内多头开卡",
            ReasonCode::CardPair => "短期内二次开卡",
            ReasonCode::FarProvince => "跨省异地开卡",
            ReasonCode::FarCity => "省内跨市开卡",
            ReasonCode::Minor => "开户人未满16周岁",
            ReasonCode::Young => "开户人16至25周岁",
            ReasonCode::Elderly => "开户人70周岁以上",
            ReasonCode::SharedPhone => "预留手机号多人共用",
            ReasonCode::VirtualPhone => "预留虚拟或境外号码",
            ReasonCode::HolderFraudNumber => "开户人名下号码曾用于诈骗",
            ReasonCode::ManyNumbers => "一人多卡",
            ReasonCode::VirtualNumber => "虚拟运营商号段",
            ReasonCode::FrequentOpenClose => "频繁开销户",
        }
    }

    /// The reason's name in English, without its value.
    pub fn en(self) -> &'static str {
        match self {
            ReasonCode::HolderPunished => "Holder under punishment",
            ReasonCode::HolderKeyPerson => "Holder is a key person",
            ReasonCode::HolderGaveCardAway => "Holder lent or sold a card before",
            ReasonCode::HolderMuleAccount => "Holder's account received victim money",
            ReasonCode::CardBurst => "Many cards in a few days",
            ReasonCode::CardPair => "Second card within days",
            ReasonCode::FarProvince => "Opened in another province",
            ReasonCode::FarCity => "Opened in another city",
            ReasonCode::Minor => "Holder under 16",
            ReasonCode::Young => "Holder aged 16–25",
            ReasonCode::Elderly => "Holder aged 70 or over",
            ReasonCode::SharedPhone => "Reserved phone shared",
            ReasonCode::VirtualPhone => "Virtual or overseas phone",
            ReasonCode::HolderFraudNumber => "Holder's number used for fraud",
            ReasonCode::ManyNumbers => "Many numbers of one holder",
            ReasonCode::VirtualNumber => "Virtual operator's number",
            ReasonCode::FrequentOpenClose => "Cards opened and closed again and again",
        }
    }
}

/// One reason that applied, with the figure it rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: ReasonCode,
    /// Cards in the burst, age, other holders of the phone, or the outlet's division code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

impl Finding {
    pub fn new(code: ReasonCode, value: Option<i64>) -> Finding {
        Finding { code, value }
    }

    /// The finding as a reviewer reads it, in Chinese (`短期内多头开卡（7日内4张）`).
    pub fn describe_zh(&self) -> String {
        let v = self.value.unwrap_or(0);
        match self.code {
            ReasonCode::CardBurst | ReasonCode::CardPair => {
                format!("{}（{}日内{}张）", self.code.zh(), BURST_WINDOW_DAYS, v)
            }
            ReasonCode::FarProvince | ReasonCode::FarCity => {
                format!("{}（开户地：{}）", self.code.zh(), division_name(v))
            }
            ReasonCode::Minor | ReasonCode::Young | ReasonCode::Elderly => {
                format!("{}（开户时{}岁）", self.code.zh(), v)
            }
            ReasonCode::SharedPhone => format!("{}（另有{}人使用）", self.code.zh(), v),
            ReasonCode::ManyNumbers => format!("{}（名下号码{}个）", self.code.zh(), v),
            ReasonCode::FrequentOpenClose => {
                format!("{}（{}天内销户{}张）", self.code.zh(), SHORT_LIVED_DAYS, v)
            }
            _ => self.code.zh().to_string(),
        }
    }

    /// The finding as a reviewer reads it, in English.
    pub fn describe_en(&self) -> String {
        let v = self.value.unwrap_or(0);
        match self.code {
            ReasonCode::CardBurst | ReasonCode::CardPair => {
                format!("{} ({v} within {BURST_WINDOW_DAYS} days)", self.code.en())
            }
            ReasonCode::FarProvince | ReasonCode::FarCity => {
                format!("{} ({})", self.code.en(), division_name(v))
            }
            ReasonCode::Minor | ReasonCode::Young | ReasonCode::Elderly => {
                format!("{} (aged {v})", self.code.en())
            }
            ReasonCode::SharedPhone => format!("{} (by {v} others)", self.code.en()),
            ReasonCode::ManyNumbers => format!("{} ({v} numbers)", self.code.en()),
            ReasonCode::FrequentOpenClose => format!(
                "{} ({v} closed within {SHORT_LIVED_DAYS} days of opening)",
                self.code.en()
            ),
            _ => self.code.en().to_string(),
        }
    }
}

/// The full name of a division code given as a number (`653101` → its name), or the digits.
fn division_name(code: i64) -> String {
    let digits = code.to_string();
    let padded = match digits.len() {
        1 | 3 | 5 => format!("0{digits}"),
        _ => digits.clone(),
    };
    DivisionCode::parse(&padded)
        .ok()
        .and_then(|c| c.division())
        .map(|d| d.full_name())
        .unwrap_or(digits)
}

/// How risky a new card is, from its score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Below [`Level::LOW`]: nothing to look at.
    None,
    Low,
    Medium,
    High,
}

impl Level {
    /// Lowest score of each level.
    pub const LOW: u32 = 10;
    pub const MEDIUM: u32 = 25;
    pub const HIGH: u32 = 50;
    pub const ALL: &'static [Level] = &[Level::High, Level::Medium, Level::Low, Level::None];

    pub fn of_score(score: u32) -> Level {
        if score >= Self::HIGH {
            Level::High
        } else if score >= Self::MEDIUM {
            Level::Medium
        } else if score >= Self::LOW {
            Level::Low
        } else {
            Level::None
        }
    }

    /// Medium and high cards go to the review list (待审查); low ones are shown, not queued.
    pub fn needs_review(self) -> bool {
        self >= Level::Medium
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Self::ALL.iter().copied().find(|l| l.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::None => "无风险",
            Level::Low => "低风险",
            Level::Medium => "中风险",
            Level::High => "高风险",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Level::None => "No risk",
            Level::Low => "Low",
            Level::Medium => "Medium",
            Level::High => "High",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_have_names() {
        for r in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(r.as_str()), Some(*r));
            assert!(!r.zh().is_empty() && !r.en().is_empty());
            assert!(r.weight() > 0);
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(*l));
        }
        assert_eq!(ReasonCode::parse("nope"), None);
    }

    #[test]
    fn levels_split_the_score_at_their_floors() {
        assert_eq!(Level::of_score(0), Level::None);
        assert_eq!(Level::of_score(9), Level::None);
        assert_eq!(Level::of_score(10), Level::Low);
        assert_eq!(Level::of_score(24), Level::Low);
        assert_eq!(Level::of_score(25), Level::Medium);
        assert_eq!(Level::of_score(49), Level::Medium);
        assert_eq!(Level::of_score(50), Level::High);
        assert!(Level::Medium.needs_review() && Level::High.needs_review());
        assert!(!Level::Low.needs_review() && !Level::None.needs_review());
    }

    #[test]
    fn findings_read_with_their_figures() {
        let f = Finding::new(ReasonCode::CardBurst, Some(4));
        assert_eq!(f.describe_zh(), "短期内多头开卡（7日内4张）");
        assert_eq!(
            f.describe_en(),
            "Many cards in a few days (4 within 7 days)"
        );
        let far = Finding::new(ReasonCode::FarProvince, Some(330281));
        assert!(far.describe_zh().contains("余姚"), "{}", far.describe_zh());
        let unknown = Finding::new(ReasonCode::FarCity, Some(999999));
        assert!(unknown.describe_en().contains("999999"));
        assert_eq!(
            Finding::new(ReasonCode::Young, Some(19)).describe_zh(),
            "开户人16至25周岁（开户时19岁）"
        );
    }
}
