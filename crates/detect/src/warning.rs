//! Warnings: the engine's judgement that a person is being defrauded now, with the evidence a
//! police officer reads before calling them.

use crate::features::FeatureValue;
use crate::person::PersonKey;
use fanzha_core::event::{EpochMs, Msisdn};
use serde::{Deserialize, Serialize};

/// Whether this is a person's first warning or an update of an open one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// No warning was open for the person.
    New,
    /// An open warning's level went up (e.g. yellow → red).
    Raised,
    /// More rules fired into an open warning without changing its level.
    Merged,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::New => "new",
            WarningKind::Raised => "raised",
            WarningKind::Merged => "merged",
        }
    }
}

/// A rule that fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiredRule {
    pub name: String,
    pub level: u8,
    pub zh: String,
    pub en: String,
}

/// One feature a fired rule read, with its value at the time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub feature: String,
    pub value: FeatureValue,
}

/// A number in contact with the person that stage 1 holds suspect, with its reputation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuspectNumber {
    pub msisdn: Msisdn,
    pub score: f32,
    /// Lists the number is on (`national_push`, `blocklist`, `goip`).
    pub lists: Vec<String>,
    pub calls_to_person: u16,
    pub longest_call_s: u32,
    pub calls_24h: f32,
    pub distinct_callees_24h: f32,
    pub new_callee_share_24h: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// Event time of the signal that raised it.
    pub ts: EpochMs,
    pub person: PersonKey,
    /// The person's number the engine last saw.
    pub msisdn: Option<Msisdn>,
    /// 1 red, 2 orange, 3 yellow: the open warning's level after this update.
    pub level: u8,
    /// The likely fraud type (official Chinese category), when the evidence suggests one.
    pub fraud_type: Option<String>,
    /// 1 − Π(1 − weight) over every rule fired into the open warning.
    pub score: f32,
    /// Rules that fired on this evaluation.
    pub rules: Vec<FiredRule>,
    pub evidence: Vec<Evidence>,
    pub suspects: Vec<SuspectNumber>,
}

impl Warning {
    /// The person id when the directory knows the person.
    pub fn person_id(&self) -> Option<u64> {
        match self.person {
            PersonKey::Person(id) => Some(id),
            PersonKey::Number(_) => None,
        }
    }
}
