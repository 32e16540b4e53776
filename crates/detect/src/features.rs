//! The named stage-2 features rules are written over. One list, so that rule validation, rule
//! evaluation, evidence and documentation all agree on the names.

use serde::{Deserialize, Serialize};

/// A feature value as rules and evidence see it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FeatureValue {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl std::fmt::Display for FeatureValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeatureValue::Bool(b) => write!(f, "{b}"),
            FeatureValue::Int(i) => write!(f, "{i}"),
            FeatureValue::Float(x) => write!(f, "{x:.3}"),
        }
    }
}

macro_rules! person_features {
    ($( $name:ident : $ty:ident => $variant:ident, $doc:literal; )*) => {
        /// Stage-2 features of one person at one moment (see `docs/rules.md` for each).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct PersonFeatures { $( #[doc = $doc] pub $name: $ty, )* }

        impl PersonFeatures {
            /// Every feature name with its description, in documentation order.
            pub const NAMES: &'static [(&'static str, &'static str)] = &[ $( (stringify!($name), $doc), )* ];

            pub fn get(&self, name: &str) -> Option<FeatureValue> {
                match name { $( stringify!($name) => Some(FeatureValue::$variant(self.$name.into())), )* _ => None }
            }

            /// Every feature as `(name, value)`.
            pub fn values(&self) -> [(&'static str, FeatureValue); PersonFeatures::NAMES.len()] {
                [ $( (stringify!($name), FeatureValue::$variant(self.$name.into())), )* ]
            }
        }
    };
}

person_features! {
    suspect_contacts: i64 => Int, "Distinct suspect numbers (stage-1 score at or above the suspect threshold, or listed) in contact within the horizon.";
    suspect_calls: i64 => Int, "Calls from suspect numbers.";
    longest_suspect_call_s: i64 => Int, "Longest call with a suspect number, seconds.";
    total_suspect_call_s: i64 => Int, "Total call time with suspect numbers, seconds.";
    longest_suspect_call_score: f64 => Float, "Stage-1 score of the suspect number with the longest call (0 when none).";
    max_suspect_score: f64 => Float, "Highest stage-1 score among the numbers in contact.";
    minutes_since_suspect_contact: i64 => Int, "Minutes since the first suspect contact; -1 when none.";
    suspect_link_sms: i64 => Int, "SMS with a link from suspect numbers.";
    remote_contacts: i64 => Int, "Strangers calling or texting from overseas or a virtual-operator segment.";
    longest_remote_call_s: i64 => Int, "Longest call with an overseas or virtual-segment stranger, seconds.";
    remote_call_before_app_s: i64 => Int, "Longest call with an overseas or virtual-segment stranger whose contact began before the latest risky app install and ended at most 6 hours before it, seconds.";
    longest_stranger_call_s: i64 => Int, "Longest call with any number never in contact before, seconds.";
    longest_stranger_call_before_app_s: i64 => Int, "Longest stranger call that preceded the latest risky app install, seconds.";
    screen_share_after_contact: bool => Bool, "A screen-sharing app was installed after a suspect contact.";
    remote_control_after_contact: bool => Bool, "A remote-control app was installed after a suspect contact.";
    investment_app_after_contact: bool => Bool, "A fake-investment app was installed after a suspect contact.";
    loan_app_after_contact: bool => Bool, "A fake-loan app was installed after a suspect contact.";
    minutes_contact_to_risky_app: i64 => Int, "Minutes from the last call or message of a suspect number to the latest risky app install after it (0 when installed during the contact); -1 when no suspect contact preceded an install.";
    risky_app_after_stranger: bool => Bool, "Any risky app (screen sharing, remote control, fake investment, fake loan) was installed after a stranger contact.";
    fraud_link_opened: bool => Bool, "The person visited a link that a suspect number had sent by SMS.";
    opened_stranger_link: bool => Bool, "The person visited a link that any stranger had sent by SMS.";
    fraud_domain_visits: i64 => Int, "Visits to known fraud domains (listed, or linked by suspect numbers).";
    new_payee_transfers_after_contact: i64 => Int, "Transfers to payees new to the person after a suspect contact.";
    new_payee_fen_after_contact: i64 => Int, "Largest transfer to a new payee after a suspect contact, fen.";
    new_payee_fen_within_24h_of_contact: i64 => Int, "Largest transfer to a new payee made during a suspect contact or within 24 hours of its last call or message, fen.";
    new_payee_fen_after_stranger: i64 => Int, "Largest transfer to a new payee after any stranger contact, fen.";
    national_push_level: i64 => Int, "Level of a national-platform push for this person (1 red, 2 orange, 3 yellow); 0 when none.";
    prior_warnings: i64 => Int, "Warnings this person has had before.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_values_agree_with_fields() {
        let f = PersonFeatures {
            longest_suspect_call_s: 600,
            screen_share_after_contact: true,
            max_suspect_score: 0.75,
            ..Default::default()
        };
        assert_eq!(
            f.get("longest_suspect_call_s"),
            Some(FeatureValue::Int(600))
        );
        assert_eq!(
            f.get("screen_share_after_contact"),
            Some(FeatureValue::Bool(true))
        );
        assert_eq!(f.get("no_such_feature"), None);
        let v = f.values();
        assert_eq!(v.len(), PersonFeatures::NAMES.len());
        assert!(v
            .iter()
            .any(|(n, x)| *n == "max_suspect_score" && *x == FeatureValue::Float(0.75)));
    }
}
