//! Signals: the facts that feeds carry (calls, SMS, app events, URL visits, transfers, card
//! openings, pushed targets), in the compact in-memory form the detection engine consumes.
//!
//! Identities are packed integers so the engine can key state without allocating:
//! a phone number is its E.164 digits without `+` ([`Msisdn`]), an account is its number
//! ([`AccountNo`]). Time is UTC epoch milliseconds ([`EpochMs`]).

use serde::{Deserialize, Serialize};

/// UTC time as milliseconds since the Unix epoch.
pub type EpochMs = i64;

/// A phone number as the digits of its E.164 form without `+` (e.g. `8613812345678`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Msisdn(pub u64);

/// A bank card / account number, or a payment-platform account id, as an integer
/// (card numbers have at most 19 digits and fit in a `u64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountNo(pub u64);

/// What kind of app an install event concerns; fraud scripts rely on the first four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCategory {
    ScreenSharing,
    RemoteControl,
    FakeInvestment,
    FakeLoan,
    Chat,
    Shopping,
    Banking,
    Game,
    AntiFraud,
    Other,
}

/// How money moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferChannel {
    /// Online or counter bank transfer between accounts.
    Bank,
    /// Through a third-party payment platform.
    ThirdPartyPayment,
    /// Cash withdrawal (ATM / counter); the money leaves the traceable graph.
    CashOut,
}

/// What was opened in a card-opening record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    BankCard,
    SimCard,
}

impl CardKind {
    pub const ALL: [CardKind; 2] = [CardKind::BankCard, CardKind::SimCard];

    /// The stored code (`bank_card`, `sim_card`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CardKind::BankCard => "bank_card",
            CardKind::SimCard => "sim_card",
        }
    }

    pub fn parse(s: &str) -> Option<CardKind> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// 银行卡 / 电话卡: the two kinds of card 断卡 work is about (两卡).
    pub fn zh(self) -> &'static str {
        match self {
            CardKind::BankCard => "银行卡",
            CardKind::SimCard => "电话卡",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CardKind::BankCard => "Bank card",
            CardKind::SimCard => "Phone card",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub ts: EpochMs,
    pub caller: Msisdn,
    pub callee: Msisdn,
    /// Talk time in seconds; 0 when not answered.
    pub duration_s: u32,
    /// Cell the caller was in (0 when unknown).
    pub caller_cell: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    pub ts: EpochMs,
    pub sender: Msisdn,
    pub recipient: Msisdn,
    /// Host name of the first link in the message, if any.
    pub link_domain: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInstall {
    pub ts: EpochMs,
    pub msisdn: Msisdn,
    pub category: AppCategory,
    pub app_name: Box<str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlVisit {
    pub ts: EpochMs,
    pub msisdn: Msisdn,
    pub domain: Box<str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub ts: EpochMs,
    pub txn_id: u64,
    pub from: AccountNo,
    pub to: AccountNo,
    /// Integer fen, always positive.
    pub amount_fen: i64,
    pub channel: TransferChannel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardOpening {
    pub ts: EpochMs,
    /// Simulator / registry person id of the holder.
    pub person_id: u64,
    pub kind: CardKind,
    /// The new card's account number (bank card) or number (SIM, as `Msisdn.0`).
    pub number: u64,
    /// 6-digit division code of the branch or shop where it was opened.
    pub opened_in_division: u32,
}

/// A target pushed down from the national platform (国家反诈大数据平台推送).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalPush {
    pub ts: EpochMs,
    pub msisdn: Msisdn,
    /// 1 red, 2 orange, 3 yellow as pushed.
    pub level: u8,
}

/// Which list a number was put on (stage-1 list memberships).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberList {
    /// Pushed as a fraud number by the national platform (涉诈号码).
    NationalPush,
    /// A local blocklist (reported by residents, prior cases).
    Blocklist,
    /// Identified as a SIM in a GOIP gateway.
    Goip,
}

/// A number was put on a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberListed {
    pub ts: EpochMs,
    pub msisdn: Msisdn,
    pub list: NumberList,
}

/// One signal, in event time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    Call(Call),
    Sms(Sms),
    AppInstall(AppInstall),
    UrlVisit(UrlVisit),
    Transfer(Transfer),
    CardOpening(CardOpening),
    NationalPush(NationalPush),
    NumberListed(NumberListed),
}

impl Signal {
    pub fn ts(&self) -> EpochMs {
        match self {
            Signal::Call(e) => e.ts,
            Signal::Sms(e) => e.ts,
            Signal::AppInstall(e) => e.ts,
            Signal::UrlVisit(e) => e.ts,
            Signal::Transfer(e) => e.ts,
            Signal::CardOpening(e) => e.ts,
            Signal::NationalPush(e) => e.ts,
            Signal::NumberListed(e) => e.ts,
        }
    }
}
