//! Service numbers: emergency and government short numbers, carrier hotlines, the 95xxx and
//! 96xxx hotline ranges (银行/保险 95xxx, 96110 anti-fraud), 400/800 enterprise numbers and 106
//! SMS ports. These have no home city and no carrier.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// 110, 112, 119, 120, 122.
    Emergency,
    /// Other short numbers: 114, carrier hotlines (10086, 10010, 10000), government hotlines
    /// (12345, 12315, 12381), postal 11185.
    ShortCode,
    /// 95xxx (national hotlines of banks, insurers, carriers).
    Hotline95,
    /// 96xxx (regional hotlines, 96110 anti-fraud warning line).
    Hotline96,
    /// 400 enterprise number (caller pays local rate).
    Enterprise400,
    /// 800 toll-free number.
    TollFree800,
    /// 106 SMS port (bulk and notification SMS senders).
    SmsPort,
}

const EMERGENCY: [&[u8]; 5] = [b"110", b"112", b"119", b"120", b"122"];
const OTHER_THREE_DIGIT: [&[u8]; 2] = [b"114", b"117"];

impl ServiceKind {
    /// Classify dialled digits, or `None` when they are not a service number.
    pub fn classify(d: &[u8]) -> Option<ServiceKind> {
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = d.len();
        Some(match d {
            _ if n == 3 && EMERGENCY.contains(&d) => ServiceKind::Emergency,
            _ if n == 3 && OTHER_THREE_DIGIT.contains(&d) => ServiceKind::ShortCode,
            [b'1', b'0', b'6', ..] if (8..=20).contains(&n) => ServiceKind::SmsPort,
            [b'1', b'0'..=b'2', ..] if n == 5 => ServiceKind::ShortCode,
            [b'9', b'5', ..] if (5..=8).contains(&n) => ServiceKind::Hotline95,
            [b'9', b'6', ..] if (5..=6).contains(&n) => ServiceKind::Hotline96,
            [b'4', b'0', b'0', ..] if n == 10 => ServiceKind::Enterprise400,
            [b'8', b'0', b'0', ..] if n == 10 => ServiceKind::TollFree800,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Emergency => "emergency",
            ServiceKind::ShortCode => "short_code",
            ServiceKind::Hotline95 => "hotline_95",
            ServiceKind::Hotline96 => "hotline_96",
            ServiceKind::Enterprise400 => "enterprise_400",
            ServiceKind::TollFree800 => "toll_free_800",
            ServiceKind::SmsPort => "sms_port",
        }
    }
}
