//! Bank card numbers: 15–19 digits with a Luhn (ISO/IEC 7812) check digit; the BIN names the
//! issuing bank and card type ([`crate::reference::bank_bins`]).
//!
//! Not every real card passes Luhn (some 招商银行 American Express and 中国银行 debit cards), so a
//! Luhn failure on a known BIN is reported as invalid (`bad_luhn`) *with* the bank it would
//! belong to ([`BankCardError::BadLuhn`]), for the caller to treat as a warning.

use crate::chars;
use crate::error_code::{Coded, ErrorCode};
use crate::event::AccountNo;
use crate::reason::Reasoned;
use crate::reference::{bank_bins, BankBin};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

pub const MIN_LEN: usize = 15;
pub const MAX_LEN: usize = 19;

/// Why a card number was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BankCardError {
    #[error("卡号为空 / card number is empty")]
    Empty,
    #[error("卡号首尾有空白 / card number has leading or trailing whitespace")]
    Whitespace,
    #[error("卡号中间有空白 / card number has whitespace inside")]
    EmbeddedSpace,
    #[error("卡号含非数字字符 / card number has a non-digit")]
    NonDigit,
    #[error("卡号应为 15 至 19 位 / card number must have 15 to 19 digits")]
    BadLength,
    #[error("卡号校验位错误 / Luhn check digit does not match")]
    BadLuhn {
        /// The bank the BIN names, if any: a BIN hit with a Luhn failure is a warning.
        bin: Option<&'static BankBin>,
    },
}

impl Reasoned for BankCardError {
    fn reason(&self) -> &'static str {
        match self {
            BankCardError::Empty => "empty",
            BankCardError::Whitespace => "whitespace",
            BankCardError::EmbeddedSpace => "embedded_space",
            BankCardError::NonDigit => "non_digit",
            BankCardError::BadLength => "bad_length",
            BankCardError::BadLuhn { .. } => "bad_luhn",
        }
    }
}

impl Coded for BankCardError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidBankCard
    }
}

/// The shortest and longest account number kept: a card, a corporate account, a payment
/// platform's account.
pub const MIN_ACCOUNT_LEN: usize = 6;
pub const MAX_ACCOUNT_LEN: usize = 40;

/// An account number as people write it, compacted: full-width forms folded, spaces and dashes
/// dropped (`6222 0212 …`, `６２２２-…`). Not validated: see [`valid_account`].
pub fn compact_account(text: &str) -> String {
    text.chars()
        .map(chars::fold)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Whether a compacted account is 6 to 40 ASCII letters and digits (no Luhn or BIN check:
/// a corporate account has neither).
pub fn valid_account(compact: &str) -> bool {
    (MIN_ACCOUNT_LEN..=MAX_ACCOUNT_LEN).contains(&compact.len())
        && compact.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether ASCII digits pass the Luhn check.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// The Luhn check digit to append to `body` (ASCII digits).
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &b) in body.iter().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// A valid card number with its BIN match.
#[derive(Clone, Copy)]
pub struct BankCard {
    digits: [u8; MAX_LEN],
    len: u8,
    bin: Option<&'static BankBin>,
}

impl PartialEq for BankCard {
    fn eq(&self, other: &Self) -> bool {
        self.digits() == other.digits()
    }
}
impl Eq for BankCard {}
impl std::hash::Hash for BankCard {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digits().hash(state);
    }
}

impl fmt::Debug for BankCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BankCard({})", crate::mask::mask_card(self.as_str()))
    }
}

fn check_digits(d: &[u8]) -> Result<BankCard, BankCardError> {
    if !(MIN_LEN..=MAX_LEN).contains(&d.len()) {
        return Err(BankCardError::BadLength);
    }
    let bin = bank_bins().lookup(d).map(|m| m.row);
    if !luhn_valid(d) {
        return Err(BankCardError::BadLuhn { bin });
    }
    let mut digits = [0u8; MAX_LEN];
    digits[..d.len()].copy_from_slice(d);
    Ok(BankCard {
        digits,
        len: d.len() as u8,
        bin,
    })
}

impl BankCard {
    /// Strict validation: ASCII digits only, no normalisation. Allocation-free.
    pub fn parse(s: &str) -> Result<BankCard, BankCardError> {
        if s.is_empty() {
            return Err(BankCardError::Empty);
        }
        match chars::space_at(s) {
            chars::SpaceAt::Edge => return Err(BankCardError::Whitespace),
            chars::SpaceAt::Inside => return Err(BankCardError::EmbeddedSpace),
            chars::SpaceAt::None => {}
        }
        let d = s.as_bytes();
        if !d.iter().all(u8::is_ascii_digit) {
            return Err(BankCardError::NonDigit);
        }
        check_digits(d)
    }

    /// Drop whitespace and dashes and fold full-width digits, then validate.
    pub fn parse_normalised(s: &str) -> Result<BankCard, BankCardError> {
        let mut buf = [0u8; MAX_LEN];
        let mut n = 0;
        for c in s.chars().map(chars::fold) {
            match c {
                '0'..='9' => {
                    if n == MAX_LEN {
                        return Err(BankCardError::BadLength);
                    }
                    buf[n] = c as u8;
                    n += 1;
                }
                '-' => {}
                c if chars::is_space(c) => {}
                _ => return Err(BankCardError::NonDigit),
            }
        }
        if n == 0 {
            return Err(BankCardError::Empty);
        }
        check_digits(&buf[..n])
    }

    /// Complete `body` (ASCII digits, 14–18 of them) with its Luhn digit.
    pub fn with_check_digit(body: &str) -> Result<BankCard, BankCardError> {
        let b = body.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(BankCardError::NonDigit);
        }
        if !(MIN_LEN - 1..MAX_LEN).contains(&b.len()) {
            return Err(BankCardError::BadLength);
        }
        let mut buf = [0u8; MAX_LEN];
        buf[..b.len()].copy_from_slice(b);
        buf[b.len()] = luhn_check_digit(b);
        check_digits(&buf[..=b.len()])
    }

    /// From an account number integer (as carried in signals).
    pub fn from_account_no(a: AccountNo) -> Result<BankCard, BankCardError> {
        let mut buf = [0u8; 20];
        let mut v = a.0;
        let mut n = 0;
        loop {
            buf[n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        buf[..n].reverse();
        check_digits(&buf[..n])
    }

    pub fn digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.digits()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The BIN row naming the issuing bank, if the BIN is known.
    pub fn bin(&self) -> Option<&'static BankBin> {
        self.bin
    }

    /// The number as an integer account id. Card numbers do not start with `0`; one that does
    /// loses its leading zeros here.
    pub fn to_account_no(&self) -> AccountNo {
        AccountNo(
            self.digits()
                .iter()
                .fold(0u64, |v, &b| v * 10 + u64::from(b - b'0')),
        )
    }
}

impl fmt::Display for BankCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BankCard {
    type Err = BankCardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BankCard::parse(s)
    }
}

impl Serialize for BankCard {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BankCard {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        BankCard::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_bin_names_the_bank() {
        let c = BankCard::parse("6228480123456789015").unwrap();
        let bin = c.bin().unwrap();
        assert_eq!(&*bin.bank_code, "ABC");
        assert_eq!(&*bin.bank_name, "中国农业银行");
        assert_eq!(bin.card_type.label(), "储蓄卡");
        assert_eq!(c.to_account_no(), AccountNo(6_228_480_123_456_789_015));
        assert_eq!(BankCard::from_account_no(c.to_account_no()).unwrap(), c);
    }

    #[test]
    fn luhn_failure_still_reports_the_bank() {
        match BankCard::parse("6228480123456789016") {
            Err(BankCardError::BadLuhn { bin: Some(b) }) => assert_eq!(&*b.bank_code, "ABC"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_reasons() {
        let r = |s: &str| BankCard::parse(s).unwrap_err().reason();
        assert_eq!(r(""), "empty");
        assert_eq!(r(" 6228480123456789015"), "whitespace");
        assert_eq!(r("622848 0123456789015"), "embedded_space");
        assert_eq!(r("6228480123A56789015"), "non_digit");
        assert_eq!(r("６２２８４８０１２３４５６７８９０１５"), "non_digit");
        assert_eq!(r("622848000007"), "bad_length");
        assert_eq!(r("62284801234567890125"), "bad_length");
        assert_eq!(r("6228480123456789016"), "bad_luhn");
    }

    #[test]
    fn normalising_parse_strips_separators() {
        let c = BankCard::parse_normalised("6228 4801-2345 6789 015").unwrap();
        assert_eq!(c.as_str(), "6228480123456789015");
        let c = BankCard::parse_normalised("６２２８４８０１２３４５６７８９０１５").unwrap();
        assert_eq!(c.as_str(), "6228480123456789015");
        assert_eq!(
            BankCard::parse_normalised("62284801234567890150").unwrap_err(),
            BankCardError::BadLength
        );
    }

    #[test]
    fn debug_output_is_masked() {
        let c = BankCard::parse("6228480123456789015").unwrap();
        assert_eq!(format!("{c:?}"), "BankCard(6228 **** **** 9015)");
    }

    proptest! {
        #[test]
        fn generated_cards_validate(body in "[1-9][0-9]{13,17}") {
            let c = BankCard::with_check_digit(&body).unwrap();
            prop_assert!(luhn_valid(c.digits()));
            prop_assert_eq!(BankCard::parse(c.as_str()).unwrap(), c);
            prop_assert_eq!(BankCard::from_account_no(c.to_account_no()).unwrap(), c);
        }

        #[test]
        fn one_changed_digit_fails_luhn(body in "[1-9][0-9]{14}", pos in 0usize..16, delta in 1u8..10) {
            let c = BankCard::with_check_digit(&body).unwrap();
            let mut d = c.digits().to_vec();
            d[pos] = b'0' + (d[pos] - b'0' + delta) % 10;
            prop_assert!(!luhn_valid(&d));
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,24}") {
            let _ = BankCard::parse(&s);
            let _ = BankCard::parse_normalised(&s);
            let _ = BankCard::with_check_digit(&s);
        }
    }

    #[test]
    fn accounts_are_compacted_and_checked() {
        assert_eq!(
            compact_account(" 6222 0212-3456 ７８９０ "),
            "6222021234567890"
        );
        assert!(valid_account("110012345678901234"));
        assert!(valid_account("ABC123"));
        assert!(!valid_account("12345"));
        assert!(!valid_account(&"1".repeat(41)));
        assert!(!valid_account("6222中文1234"));
    }
}
