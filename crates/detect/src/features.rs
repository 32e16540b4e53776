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
    ($( $name:ident : $ty:ident => $variant:ident, $zh:literal, $doc:literal; )*) => {
        /// Stage-2 features of one person at one moment (see `docs/rules.md` for each).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct PersonFeatures { $( #[doc = $doc] pub $name: $ty, )* }

        impl PersonFeatures {
            /// Every feature name with its description, in documentation order.
            pub const NAMES: &'static [(&'static str, &'static str)] = &[ $( (stringify!($name), $doc), )* ];

            /// A feature's short Chinese label (for evidence on screen) and its description.
            pub fn describe(name: &str) -> Option<(&'static str, &'static str)> {
                match name { $( stringify!($name) => Some(($zh, $doc)), )* _ => None }
            }

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
    suspect_contacts: i64 => Int, "接触涉诈嫌疑号码数", "Distinct suspect numbers (stage-1 score at or above the suspect threshold, or listed) in contact within the horizon.";
    suspect_calls: i64 => Int, "涉诈嫌疑号码来电次数", "Calls from suspect numbers.";
    longest_suspect_call_s: i64 => Int, "与涉诈嫌疑号码最长通话", "Longest call with a suspect number, seconds.";
    total_suspect_call_s: i64 => Int, "与涉诈嫌疑号码累计通话", "Total call time with suspect numbers, seconds.";
    longest_suspect_call_score: f64 => Float, "最长通话嫌疑号码的风险分", "Stage-1 score of the suspect number with the longest call (0 when none).";
    max_suspect_score: f64 => Float, "接触号码的最高风险分", "Highest stage-1 score among the numbers in contact.";
    minutes_since_suspect_contact: i64 => Int, "距首次接触嫌疑号码", "Minutes since the first suspect contact; -1 when none.";
    suspect_link_sms: i64 => Int, "嫌疑号码带链接短信数", "SMS with a link from suspect numbers.";
    remote_contacts: i64 => Int, "境外或虚拟号段陌生号码接触数", "Strangers calling or texting from overseas or a virtual-operator segment.";
    longest_remote_call_s: i64 => Int, "与境外或虚拟号段陌生号码最长通话", "Longest call with an overseas or virtual-segment stranger, seconds.";
    remote_call_before_app_s: i64 => Int, "安装风险App前与境外或虚拟号段号码通话", "Longest call with an overseas or virtual-segment stranger whose contact began before the latest risky app install and ended at most 6 hours before it, seconds.";
    longest_stranger_call_s: i64 => Int, "与陌生号码最长通话", "Longest call with any number never in contact before, seconds.";
    longest_stranger_call_before_app_s: i64 => Int, "安装风险App前与陌生号码最长通话", "Longest stranger call that preceded the latest risky app install, seconds.";
    screen_share_after_contact: bool => Bool, "接触嫌疑号码后安装屏幕共享App", "A screen-sharing app was installed after a suspect contact.";
    remote_control_after_contact: bool => Bool, "接触嫌疑号码后安装远程控制App", "A remote-control app was installed after a suspect contact.";
    investment_app_after_contact: bool => Bool, "接触嫌疑号码后安装虚假投资App", "A fake-investment app was installed after a suspect contact.";
    loan_app_after_contact: bool => Bool, "接触嫌疑号码后安装虚假贷款App", "A fake-loan app was installed after a suspect contact.";
    minutes_contact_to_risky_app: i64 => Int, "接触嫌疑号码至安装风险App间隔", "Minutes from the last call or message of a suspect number to the latest risky app install after it (0 when installed during the contact); -1 when no suspect contact preceded an install.";
    risky_app_after_stranger: bool => Bool, "陌生号码接触后安装风险App", "Any risky app (screen sharing, remote control, fake investment, fake loan) was installed after a stranger contact.";
    fraud_link_opened: bool => Bool, "打开嫌疑号码短信中的链接", "The person visited a link that a suspect number had sent by SMS.";
    opened_stranger_link: bool => Bool, "打开陌生号码短信中的链接", "The person visited a link that any stranger had sent by SMS.";
    fraud_domain_visits: i64 => Int, "访问涉诈网站次数", "Visits to known fraud domains (listed, or linked by suspect numbers).";
    new_payee_transfers_after_contact: i64 => Int, "接触嫌疑号码后向新收款人转账笔数", "Transfers to payees new to the person after a suspect contact.";
    new_payee_fen_after_contact: i64 => Int, "接触嫌疑号码后向新收款人最大单笔转账", "Largest transfer to a new payee after a suspect contact, fen.";
    new_payee_fen_within_24h_of_contact: i64 => Int, "接触嫌疑号码24小时内向新收款人最大单笔转账", "Largest transfer to a new payee made during a suspect contact or within 24 hours of its last call or message, fen.";
    new_payee_fen_after_stranger: i64 => Int, "陌生号码接触后向新收款人最大单笔转账", "Largest transfer to a new payee after any stranger contact, fen.";
    national_push_level: i64 => Int, "国家平台推送等级", "Level of a national-platform push for this person (1 red, 2 orange, 3 yellow); 0 when none.";
    prior_warnings: i64 => Int, "既往预警次数", "Warnings this person has had before.";
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
        assert_eq!(
            PersonFeatures::describe("screen_share_after_contact").map(|d| d.0),
            Some("接触嫌疑号码后安装屏幕共享App")
        );
        assert!(PersonFeatures::NAMES
            .iter()
            .all(|(n, _)| PersonFeatures::describe(n).is_some_and(|(zh, _)| !zh.is_empty())));
        assert_eq!(PersonFeatures::describe("no_such_feature"), None);
        let v = f.values();
        assert_eq!(v.len(), PersonFeatures::NAMES.len());
        assert!(v
            .iter()
            .any(|(n, x)| *n == "max_suspect_score" && *x == FeatureValue::Float(0.75)));
    }
}
