//! Money as integer fen (分, 1/100 yuan). Parsing accepts what case reports and bank extracts
//! contain — `1,234.56`, `1234.56元`, `1.2万`, `3亿`, `¥88`, `￥88.5`, `-12.30`, full-width digits —
//! and rejects more than two decimals (except through 万/亿, down to the fen), misplaced
//! thousands separators and overflow. Display is `1,234.56`.

use crate::chars;
use crate::error_code::{Coded, ErrorCode};
use crate::reason::Reasoned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An amount in fen.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

/// Why an amount was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额为空 / amount is empty")]
    Empty,
    #[error("金额含无法识别的字符 / amount has a character that is not a digit")]
    NonDigit,
    #[error("金额格式不对 / amount is not written as a number")]
    BadFormat,
    #[error("金额小数位过多（最多到分） / amount has more decimals than fen")]
    TooManyDecimals,
    #[error("金额超出范围 / amount is too large")]
    Overflow,
}

impl Reasoned for MoneyError {
    fn reason(&self) -> &'static str {
        match self {
            MoneyError::Empty => "empty",
            MoneyError::NonDigit => "non_digit",
            MoneyError::BadFormat => "bad_format",
            MoneyError::TooManyDecimals => "too_many_decimals",
            MoneyError::Overflow => "overflow",
        }
    }
}

impl Coded for MoneyError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidMoney
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// Whole yuan; `None` on overflow.
    pub fn from_yuan(yuan: i64) -> Option<Money> {
        yuan.checked_mul(100).map(Money)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }

    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }

    pub fn saturating_add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Parse an amount written in yuan (see the module documentation). Allocation-free.
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let mut rest = s.trim_matches(chars::is_space);
        if rest.is_empty() {
            return Err(MoneyError::Empty);
        }
        // Sign, currency sign (either order: `-¥12`, `¥-12`), unit suffix.
        let mut negative = false;
        while let Some(c) = rest.chars().next() {
            match chars::fold(c) {
                '-' | '−' if !negative => negative = true,
                '+' => {}
                '¥' | '￥' => {}
                _ => break,
            }
            rest = rest[c.len_utf8()..].trim_start_matches(chars::is_space);
        }
        for suffix in ["元整", "元", "圆", "块", "RMB", "CNY"] {
            if let Some(r) = rest.strip_suffix(suffix) {
                rest = r.trim_end_matches(chars::is_space);
                break;
            }
        }
        // Decimal places of a yuan amount that still land on a whole fen.
        let (rest, scale_decimals, multiplier) = if let Some(r) = rest.strip_suffix('万') {
            (r, 6u32, 10_000i128)
        } else if let Some(r) = rest.strip_suffix('亿') {
            (r, 10u32, 100_000_000i128)
        } else {
            (rest, 2u32, 1i128)
        };
        let rest = rest.trim_end_matches(chars::is_space);
        if rest.is_empty() {
            return Err(MoneyError::BadFormat);
        }

        let mut int_part: i128 = 0;
        let mut frac: i128 = 0;
        let mut frac_digits = 0u32;
        let mut int_digits = 0u32;
        let mut in_frac = false;
        // Thousands separators: digits since the last separator, and whether one was seen.
        let mut group_len = 0u32;
        let mut seen_sep = false;
        for c in rest.chars().map(chars::fold) {
            match c {
                '0'..='9' => {
                    let d = i128::from(c as u8 - b'0');
                    if in_frac {
                        frac_digits += 1;
                        if frac_digits > scale_decimals {
                            return Err(MoneyError::TooManyDecimals);
                        }
                        frac = frac * 10 + d;
                    } else {
                        int_digits += 1;
                        group_len += 1;
                        int_part = int_part * 10 + d;
                        if int_part > i128::from(i64::MAX) {
                            return Err(MoneyError::Overflow);
                        }
                    }
                }
                ',' | '，' if !in_frac => {
                    if int_digits == 0 || (seen_sep && group_len != 3) || group_len > 3 {
                        return Err(MoneyError::BadFormat);
                    }
                    seen_sep = true;
                    group_len = 0;
                }
                '.' | '。' if !in_frac => in_frac = true,
                ',' | '，' | '.' | '。' => return Err(MoneyError::BadFormat),
                _ => return Err(MoneyError::NonDigit),
            }
        }
        if seen_sep && group_len != 3 {
            return Err(MoneyError::BadFormat);
        }
        if int_digits == 0 && frac_digits == 0 {
            return Err(MoneyError::BadFormat);
        }
        // fen = (int + frac / 10^frac_digits) * multiplier * 100
        let frac_scale = 10i128.pow(frac_digits);
        let numerator = int_part
            .checked_mul(frac_scale)
            .and_then(|v| v.checked_add(frac))
            .and_then(|v| v.checked_mul(multiplier * 100))
            .ok_or(MoneyError::Overflow)?;
        if numerator % frac_scale != 0 {
            return Err(MoneyError::TooManyDecimals);
        }
        let fen = numerator / frac_scale;
        let fen = if negative { -fen } else { fen };
        i64::try_from(fen)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }
}

impl fmt::Display for Money {
    /// `1,234.56`, `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        if self.0 < 0 {
            f.write_str("-")?;
        }
        // Group the yuan digits by thousands without allocating.
        let mut buf = [0u8; 32];
        let mut i = buf.len();
        let mut v = yuan;
        let mut n = 0;
        loop {
            if n > 0 && n % 3 == 0 {
                i -= 1;
                buf[i] = b',';
            }
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
            if v == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&buf[i..]).unwrap_or_default())?;
        write!(f, ".{fen:02}")
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(s: &str) -> i64 {
        Money::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).fen()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(fen("1,234.56"), 123_456);
        assert_eq!(fen("1234.56元"), 123_456);
        assert_eq!(fen("1.2万"), 1_200_000);
        assert_eq!(fen("1.2万元"), 1_200_000);
        assert_eq!(fen("3亿"), 30_000_000_000);
        assert_eq!(fen("¥88"), 8_800);
        assert_eq!(fen("￥88.5"), 8_850);
        assert_eq!(fen("-12.30"), -1_230);
        assert_eq!(fen("-¥12.30"), -1_230);
        assert_eq!(fen("１２３４．５６"), 123_456);
        assert_eq!(fen(" 0.05 "), 5);
        assert_eq!(fen(".5"), 50);
        assert_eq!(fen("5."), 500);
        assert_eq!(fen("1.234567万"), 1_234_567);
        assert_eq!(fen("12,345,678"), 1_234_567_800);
    }

    #[test]
    fn rejected_forms() {
        let r = |s: &str| Money::parse(s).unwrap_err().reason();
        assert_eq!(r(""), "empty");
        assert_eq!(r("   "), "empty");
        assert_eq!(r("1.234"), "too_many_decimals");
        assert_eq!(r("1.2345678万"), "too_many_decimals");
        assert_eq!(r("12a"), "non_digit");
        assert_eq!(r("1,23"), "bad_format");
        assert_eq!(r("1234,567"), "bad_format");
        assert_eq!(r(",123"), "bad_format");
        assert_eq!(r("1.2.3"), "bad_format");
        assert_eq!(r("¥"), "bad_format");
        assert_eq!(r("万"), "bad_format");
        assert_eq!(r("."), "bad_format");
        assert_eq!(r("99999999999999999999"), "overflow");
        assert_eq!(r("92233720368547758.08"), "overflow");
        assert_eq!(r("1000000000000亿"), "overflow");
        assert_eq!(
            Money::parse("x").unwrap_err().code(),
            ErrorCode::InvalidMoney
        );
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(Money(123_456).to_string(), "1,234.56");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(Money(-1_230).to_string(), "-12.30");
        assert_eq!(Money(100_000_000).to_string(), "1,000,000.00");
        assert_eq!(Money(i64::MIN).to_string(), "-92,233,720,368,547,758.08");
    }

    #[test]
    fn extremes_parse() {
        assert_eq!(fen("92233720368547758.07"), i64::MAX);
        assert_eq!(fen("-92,233,720,368,547,758.08"), i64::MIN);
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(v in any::<i64>()) {
            prop_assert_eq!(Money::parse(&Money(v).to_string()).unwrap(), Money(v));
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,30}") {
            let _ = Money::parse(&s);
        }

        #[test]
        fn wan_is_ten_thousand_yuan(v in 0i64..100_000_000) {
            prop_assert_eq!(fen(&format!("{v}万")), v * 1_000_000);
        }
    }
}
