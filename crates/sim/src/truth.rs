//! Ground truth: what really happened to each victim, fraud number, mule account and card
//! seller (`truth/` files). Detection and tracing are evaluated against these.

use crate::records::code_enum;
use crate::FraudType;
use fanzha_core::event::{AccountNo, EpochMs, Msisdn};

code_enum! {
    /// How a victim's story ended (with no intervention: the simulated city has no police).
    VictimOutcome {
        /// Money was transferred to fraudsters.
        Defrauded => "defrauded",
        /// The victim became suspicious and stopped before paying.
        Aborted => "aborted",
        /// The script was still running when the simulated period ended.
        Pending => "pending",
    }
}

code_enum! {
    /// How a fraud number reaches people.
    FraudNumberKind {
        Virtual => "virtual",
        Overseas => "overseas",
        /// A freshly opened local SIM (often from a card seller).
        NewSim => "new_sim",
        /// A local SIM relayed through a GOIP gateway that moves between cells.
        Goip => "goip",
    }
}

/// One victim (`truth/victims.csv`): a resident a fraud script engaged past the first contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VictimTruth {
    pub person_id: u64,
    pub msisdn: Msisdn,
    pub fraud_type: FraudType,
    pub campaign_id: u32,
    /// The fraud number that made the first contact.
    pub fraud_number: Msisdn,
    pub first_contact_ts: EpochMs,
    pub long_call_ts: Option<EpochMs>,
    pub link_ts: Option<EpochMs>,
    pub app_install_ts: Option<EpochMs>,
    pub first_transfer_ts: Option<EpochMs>,
    pub last_transfer_ts: Option<EpochMs>,
    pub transfers: u32,
    pub loss_fen: i64,
    /// Whether a timely warning and call would have stopped this victim.
    pub dissuadable: bool,
    /// Defrauded before in this simulation (二次被骗).
    pub repeat: bool,
    pub outcome: VictimOutcome,
}

/// One fraud number (`truth/fraud_numbers.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FraudNumberTruth {
    pub msisdn: Msisdn,
    pub kind: FraudNumberKind,
    pub fraud_type: FraudType,
    pub campaign_id: u32,
    pub active_from_ts: EpochMs,
    pub calls: u64,
    pub sms: u64,
}

/// One mule account (`truth/mule_accounts.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MuleAccountTruth {
    pub account_no: AccountNo,
    /// 1 receives victim money directly; higher levels are further hops.
    pub level: u8,
    pub campaign_id: u32,
    pub fraud_type: FraudType,
    /// The card seller who opened it (0 when not a resident).
    pub holder_person_id: u64,
    pub first_in_ts: Option<EpochMs>,
    pub received_fen: i64,
}

/// One card seller (`truth/card_sellers.csv`): a resident who opened cards or SIMs to sell (断卡).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSellerTruth {
    pub person_id: u64,
    pub first_open_ts: EpochMs,
    pub last_open_ts: EpochMs,
    pub bank_cards: u32,
    pub sim_cards: u32,
    /// County code where the cards were opened.
    pub opened_in_division: u32,
}

/// Everything the truth files hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Truth {
    pub victims: Vec<VictimTruth>,
    pub fraud_numbers: Vec<FraudNumberTruth>,
    pub mule_accounts: Vec<MuleAccountTruth>,
    pub card_sellers: Vec<CardSellerTruth>,
}
