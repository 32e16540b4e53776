//! Texts as the pages list them (an instruction's 反诈提醒 and 金钟罩 alerts, a joint-office
//! task's notices): when, what for, to whom (masked: these are lists), the text, and how far it
//! got — queued, submitted, delivered, undeliverable, failed — with the SMSC's reason.

use super::view::{sms_purpose, sms_state, time};
use crate::i18n::Lang;
use fanzha_core::mask::mask_phone;
use fanzha_store::SmsMessage;

pub struct SmsLine {
    pub at: String,
    pub purpose: &'static str,
    pub to: String,
    pub text: String,
    /// The state in the reader's language, and its code for styling and tests.
    pub state: &'static str,
    pub state_code: &'static str,
    /// Why it failed, when it did.
    pub error: String,
}

pub fn sms_lines(lang: Lang, messages: Vec<SmsMessage>) -> Vec<SmsLine> {
    messages
        .into_iter()
        .map(|m| SmsLine {
            at: time(m.created_at),
            purpose: sms_purpose(lang, m.purpose),
            to: mask_phone(&m.to_number),
            text: m.text,
            state: sms_state(lang, m.state),
            state_code: m.state.as_str(),
            error: m.last_error.unwrap_or_default(),
        })
        .collect()
}
