//! Administrative division codes (行政区划代码): 2 digits province, 4 city, 6 county (GB/T 2260),
//! 9 township and 12 village (统计用区划代码). A child's code starts with its parent's code.

use crate::chars;
use crate::error_code::{Coded, ErrorCode};
use crate::reason::Reasoned;
use crate::reference::{divisions, Division};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The five levels of the division tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级, 2 digits.
    Province = 1,
    /// 地级, 4 digits.
    City = 2,
    /// 县级, 6 digits.
    County = 3,
    /// 乡级 (township, town, street), 9 digits.
    Township = 4,
    /// 村级 (village or community committee), 12 digits.
    Village = 5,
}

impl DivisionLevel {
    pub const ALL: [DivisionLevel; 5] = [
        DivisionLevel::Province,
        DivisionLevel::City,
        DivisionLevel::County,
        DivisionLevel::Township,
        DivisionLevel::Village,
    ];

    /// Number of digits of a code at this level.
    pub fn digits(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::City => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        }
    }

    /// The level whose codes have `n` digits.
    pub fn from_digits(n: usize) -> Option<DivisionLevel> {
        Some(match n {
            2 => DivisionLevel::Province,
            4 => DivisionLevel::City,
            6 => DivisionLevel::County,
            9 => DivisionLevel::Township,
            12 => DivisionLevel::Village,
            _ => return None,
        })
    }

    pub fn parent(self) -> Option<DivisionLevel> {
        Some(match self {
            DivisionLevel::Province => return None,
            DivisionLevel::City => DivisionLevel::Province,
            DivisionLevel::County => DivisionLevel::City,
            DivisionLevel::Township => DivisionLevel::County,
            DivisionLevel::Village => DivisionLevel::Township,
        })
    }

    pub fn child(self) -> Option<DivisionLevel> {
        Some(match self {
            DivisionLevel::Province => DivisionLevel::City,
            DivisionLevel::City => DivisionLevel::County,
            DivisionLevel::County => DivisionLevel::Township,
            DivisionLevel::Township => DivisionLevel::Village,
            DivisionLevel::Village => return None,
        })
    }

    /// Chinese label (`省级` … `村级`).
    pub fn label(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省级",
            DivisionLevel::City => "地级",
            DivisionLevel::County => "县级",
            DivisionLevel::Township => "乡级",
            DivisionLevel::Village => "村级",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DivisionLevel::Province => "province",
            DivisionLevel::City => "city",
            DivisionLevel::County => "county",
            DivisionLevel::Township => "township",
            DivisionLevel::Village => "village",
        }
    }
}

/// A syntactically valid division code: its digits and its level. Whether it exists is asked of
/// [`crate::reference::divisions`] ([`DivisionCode::division`], [`DivisionCode::parse_known`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode {
    value: u64,
    level: DivisionLevel,
}

/// Why a division code was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("行政区划代码为空 / division code is empty")]
    Empty,
    #[error("行政区划代码含非数字字符 / division code contains a non-digit")]
    NonDigit,
    #[error(
        "行政区划代码应为 2、4、6、9 或 12 位 / division code must have 2, 4, 6, 9 or 12 digits"
    )]
    BadLength,
    #[error("行政区划代码不存在 / unknown division code {0}")]
    Unknown(DivisionCode),
}

impl Reasoned for DivisionCodeError {
    fn reason(&self) -> &'static str {
        match self {
            DivisionCodeError::Empty => "empty",
            DivisionCodeError::NonDigit => "non_digit",
            DivisionCodeError::BadLength => "bad_length",
            DivisionCodeError::Unknown(_) => "unknown_division_code",
        }
    }
}

impl Coded for DivisionCodeError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidDivisionCode
    }
}

const POW10: [u64; 13] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
];

impl DivisionCode {
    /// Parse a 2/4/6/9/12-digit code (full-width digits accepted, surrounding whitespace trimmed).
    /// Allocation-free.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionCodeError> {
        // Fast path: plain ASCII digits (what nearly every file holds).
        if let Some(code) = DivisionCode::parse_plain(s) {
            return Ok(code);
        }
        let b = s.as_bytes();
        if !b.is_empty() && b.len() <= 12 && b.iter().all(u8::is_ascii_digit) {
            let level = DivisionLevel::from_digits(b.len()).ok_or(DivisionCodeError::BadLength)?;
            let value = b.iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
            return Ok(DivisionCode { value, level });
        }
        let s = s.trim_matches(chars::is_space);
        if s.is_empty() {
            return Err(DivisionCodeError::Empty);
        }
        let mut value = 0u64;
        let mut n = 0usize;
        for c in s.chars() {
            let c = chars::fold(c);
            let d = c.to_digit(10).ok_or(DivisionCodeError::NonDigit)?;
            n += 1;
            if n > 12 {
                return Err(DivisionCodeError::BadLength);
            }
            value = value * 10 + u64::from(d);
        }
        let level = DivisionLevel::from_digits(n).ok_or(DivisionCodeError::BadLength)?;
        Ok(DivisionCode { value, level })
    }

    /// The verdict of [`DivisionCode::parse`] for a village's code written as twelve plain
    /// digits (the usual column; no whitespace: trimming would not change it); `None` for any
    /// other writing, which `parse` decides.
    #[inline]
    pub fn parse_plain(s: &str) -> Option<DivisionCode> {
        let b: &[u8; 12] = s.as_bytes().try_into().ok()?;
        // The first eight digits in one step, the last four in another.
        let (head, tail) = (chars::word_at(b, 0), chars::word_at(b, 4));
        if !(chars::eight_digits(head) && chars::eight_digits(tail)) {
            return None;
        }
        Some(DivisionCode {
            value: chars::eight_digits_value(head) * 10_000
                + chars::eight_digits_value(tail) % 10_000,
            level: DivisionLevel::Village,
        })
    }

    /// Parse and require the code to exist in the current division tables.
    pub fn parse_known(s: &str) -> Result<DivisionCode, DivisionCodeError> {
        DivisionCode::parse(s)?.known()
    }

    /// This code when it exists in the divisions table, `Unknown` otherwise (the second half of
    /// [`DivisionCode::parse_known`], for callers that parse early and look up later).
    #[inline]
    pub fn known(self) -> Result<DivisionCode, DivisionCodeError> {
        if divisions().contains(self) {
            Ok(self)
        } else {
            Err(DivisionCodeError::Unknown(self))
        }
    }

    /// Build from the numeric value and level; `None` when the value has more digits than the
    /// level allows.
    pub fn new(value: u64, level: DivisionLevel) -> Option<DivisionCode> {
        (value < POW10[level.digits()]).then_some(DivisionCode { value, level })
    }

    /// Read a 6-digit GB/T 2260 code, where a province is written `410000` and a city `410100`,
    /// as the code of its real level (`41`, `4101`); other 6-digit codes are counties.
    pub fn from_gb2260(code6: u32) -> Option<DivisionCode> {
        if code6 >= 1_000_000 {
            return None;
        }
        let v = u64::from(code6);
        Some(if v % 10_000 == 0 {
            DivisionCode {
                value: v / 10_000,
                level: DivisionLevel::Province,
            }
        } else if v % 100 == 0 {
            DivisionCode {
                value: v / 100,
                level: DivisionLevel::City,
            }
        } else {
            DivisionCode {
                value: v,
                level: DivisionLevel::County,
            }
        })
    }

    /// The 6-digit GB/T 2260 form (`41` → `410000`); `None` below county level.
    pub fn gb2260(self) -> Option<u32> {
        let d = self.level.digits();
        (d <= 6).then(|| (self.value * POW10[6 - d]) as u32)
    }

    /// The code's digits as a number (`330281`).
    pub fn value(self) -> u64 {
        self.value
    }

    pub fn level(self) -> DivisionLevel {
        self.level
    }

    /// The code right-padded with zeros to 12 digits; sorts a tree in pre-order together with
    /// the level.
    pub fn padded12(self) -> u64 {
        self.value * POW10[12 - self.level.digits()]
    }

    /// The ancestor at `level` (itself when `level` is its own level); `None` below its level.
    pub fn ancestor(self, level: DivisionLevel) -> Option<DivisionCode> {
        let own = self.level.digits();
        let want = level.digits();
        (want <= own).then(|| DivisionCode {
            value: self.value / POW10[own - want],
            level,
        })
    }

    /// The code one level up; `None` for a province.
    pub fn parent(self) -> Option<DivisionCode> {
        self.ancestor(self.level.parent()?)
    }

    /// The province the code lies in.
    pub fn province(self) -> DivisionCode {
        DivisionCode {
            value: self.value / POW10[self.level.digits() - 2],
            level: DivisionLevel::Province,
        }
    }

    /// Whether `other` is this code or lies below it.
    pub fn contains(self, other: DivisionCode) -> bool {
        other.ancestor(self.level) == Some(self)
    }

    /// The entry in the current division tables, if the code exists.
    pub fn division(self) -> Option<Division<'static>> {
        divisions().get(self)
    }

    /// Write the zero-padded digits into `buf`, returning them as a `&str`.
    pub fn write_digits(self, buf: &mut [u8; 12]) -> &str {
        let n = self.level.digits();
        let mut v = self.value;
        for i in (0..n).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.level.digits())
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DivisionCode::parse(s)
    }
}

impl Serialize for DivisionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DivisionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DivisionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_follow_digit_count() {
        for (s, level) in [
            ("33", DivisionLevel::Province),
            ("3302", DivisionLevel::City),
            ("330281", DivisionLevel::County),
            ("330281001", DivisionLevel::Township),
            ("330281001001", DivisionLevel::Village),
        ] {
            let c = DivisionCode::parse(s).unwrap();
            assert_eq!(c.level(), level);
            assert_eq!(c.to_string(), s);
        }
    }

    #[test]
    fn bad_codes_are_rejected_with_reason() {
        assert_eq!(DivisionCode::parse("").unwrap_err().reason(), "empty");
        assert_eq!(
            DivisionCode::parse("33028").unwrap_err().reason(),
            "bad_length"
        );
        assert_eq!(
            DivisionCode::parse("3302811").unwrap_err().reason(),
            "bad_length"
        );
        assert_eq!(
            DivisionCode::parse("3302810010011").unwrap_err().reason(),
            "bad_length"
        );
        assert_eq!(
            DivisionCode::parse("33a281").unwrap_err().reason(),
            "non_digit"
        );
        assert_eq!(
            DivisionCode::parse_known("990101").unwrap_err().reason(),
            "unknown_division_code"
        );
    }

    #[test]
    fn full_width_digits_and_spaces_are_accepted() {
        assert_eq!(
            DivisionCode::parse(" ３３０２８１ ").unwrap().value(),
            330281
        );
    }

    #[test]
    fn parent_and_ancestors() {
        let c = DivisionCode::parse("330281001001").unwrap();
        assert_eq!(c.parent().unwrap().to_string(), "330281001");
        assert_eq!(c.ancestor(DivisionLevel::City).unwrap().to_string(), "3302");
        assert_eq!(c.province().to_string(), "33");
        assert!(DivisionCode::parse("33").unwrap().parent().is_none());
        assert!(DivisionCode::parse("3302").unwrap().contains(c));
        assert!(!DivisionCode::parse("3301").unwrap().contains(c));
        assert!(c
            .parent()
            .unwrap()
            .ancestor(DivisionLevel::Village)
            .is_none());
    }

    #[test]
    fn gb2260_form_round_trips() {
        assert_eq!(DivisionCode::from_gb2260(410000).unwrap().to_string(), "41");
        assert_eq!(
            DivisionCode::from_gb2260(410100).unwrap().to_string(),
            "4101"
        );
        assert_eq!(
            DivisionCode::from_gb2260(410102).unwrap().to_string(),
            "410102"
        );
        assert_eq!(DivisionCode::parse("41").unwrap().gb2260(), Some(410000));
        assert_eq!(DivisionCode::parse("410102001").unwrap().gb2260(), None);
    }

    #[test]
    fn leading_zero_codes_keep_their_width() {
        let c = DivisionCode::parse("000000").unwrap();
        assert_eq!(c.to_string(), "000000");
        let mut buf = [0u8; 12];
        assert_eq!(c.write_digits(&mut buf), "000000");
    }

    #[test]
    fn serde_uses_the_string_form() {
        let c = DivisionCode::parse("330281").unwrap();
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(j, "\"330281\"");
        assert_eq!(serde_json::from_str::<DivisionCode>(&j).unwrap(), c);
    }

    proptest! {
        #[test]
        fn twelve_digits_read_like_a_fold(n in 0u64..1_000_000_000_000, lead in proptest::option::of(0usize..12)) {
            let mut text = format!("{n:012}").into_bytes();
            if let Some(i) = lead {
                // A non-digit anywhere falls back to the general path's verdict.
                text[i] = b'a';
                let s = String::from_utf8(text).unwrap();
                prop_assert_eq!(DivisionCode::parse(&s), Err(DivisionCodeError::NonDigit));
                prop_assert_eq!(DivisionCode::parse_plain(&s), None);
            } else {
                let s = std::str::from_utf8(&text).unwrap();
                let code = DivisionCode::parse(s).unwrap();
                prop_assert_eq!(DivisionCode::parse_plain(s), Some(code));
                // Padded, it is left to the general path.
                prop_assert_eq!(DivisionCode::parse_plain(&format!(" {s}")), None);
                prop_assert_eq!(code.value(), n);
                prop_assert_eq!(code.level(), DivisionLevel::Village);
            }
        }

        #[test]
        fn display_parse_round_trip(level in 0usize..5, raw in 0u64..1_000_000_000_000) {
            let level = DivisionLevel::ALL[level];
            let code = DivisionCode::new(raw % POW10[level.digits()], level).unwrap();
            prop_assert_eq!(DivisionCode::parse(&code.to_string()).unwrap(), code);
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,20}") {
            let _ = DivisionCode::parse(&s);
        }
    }
}
