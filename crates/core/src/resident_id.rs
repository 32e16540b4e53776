//! Resident identity numbers (公民身份号码, GB 11643-1999): 6-digit address code, birth date
//! YYYYMMDD, 3-digit sequence (odd = male) and an ISO 7064 MOD 11-2 check character (`X` for 10).
//!
//! Strict validation ([`ResidentId::parse`]) does no normalisation, so its verdict is the test
//! vectors' `valid` column; [`ResidentId::parse_normalised`] strips whitespace and upper-cases
//! first. First-generation 15-digit numbers convert with [`ResidentId::from_legacy15`].

use crate::chars;
use crate::division_code::DivisionCode;
use crate::error_code::{Coded, ErrorCode};
use crate::reason::Reasoned;
use crate::reference::{address_code_history, address_codes, divisions};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// Days of each month (index 1–12) in a common year.
const DAYS_IN_MONTH: [u8; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/// The value (`X` = 10) of the check character [`CHECK_CHARS`] names for each remainder of the
/// weighted sum, as [`ResidentId::key`] counts it.
const CHECK_VALUES: [u64; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
/// Earliest birth year accepted (the standard's own example was born in 1880).
const MIN_BIRTH_YEAR: i32 = 1800;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// `男` / `女`.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Why a resident ID number was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("身份证号为空 / ID number is empty")]
    Empty,
    #[error("身份证号首尾有空白 / ID number has leading or trailing whitespace")]
    Whitespace,
    #[error("身份证号中间有空白 / ID number has whitespace inside")]
    EmbeddedSpace,
    #[error("身份证号应为 18 位 / ID number must have 18 characters")]
    BadLength,
    #[error(
        "身份证号含非数字字符（仅末位可为 X） / ID number has a non-digit (only the last may be X)"
    )]
    NonDigit,
    #[error("校验码应为大写 X / check character must be an upper-case X")]
    LowercaseCheckChar,
    #[error("校验码错误 / check digit does not match")]
    BadCheckDigit,
    #[error("出生日期无效 / birth date is not a real date")]
    BadBirthDate,
    #[error("出生日期晚于今天 / birth date is in the future")]
    BirthDateInFuture,
    #[error("地址码不存在 / address code {0:06} was never a division code")]
    UnknownDivisionCode(u32),
}

impl Reasoned for ResidentIdError {
    fn reason(&self) -> &'static str {
        match self {
            ResidentIdError::Empty => "empty",
            ResidentIdError::Whitespace => "whitespace",
            ResidentIdError::EmbeddedSpace => "embedded_space",
            ResidentIdError::BadLength => "bad_length",
            ResidentIdError::NonDigit => "non_digit",
            ResidentIdError::LowercaseCheckChar => "lowercase_check_char",
            ResidentIdError::BadCheckDigit => "bad_check_digit",
            ResidentIdError::BadBirthDate => "bad_birth_date",
            ResidentIdError::BirthDateInFuture => "birth_date_in_future",
            ResidentIdError::UnknownDivisionCode(_) => "unknown_division_code",
        }
    }
}

impl Coded for ResidentIdError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidResidentId
    }
}

/// A valid 18-character resident ID number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId {
    chars: [u8; 18],
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs: mask it.
        write!(
            f,
            "ResidentId({})",
            crate::mask::mask_resident_id(self.as_str())
        )
    }
}

/// The MOD 11-2 check character of the first 17 digits.
pub fn check_char(body: &[u8; 17]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// The MOD 11-2 weighted sum of the first 16 digits of `id` (digits 0–7 and 8–15 as two
/// little-endian words) plus the 17th, eight digits per two multiplications: each word's even and
/// odd digits are spread over 16-bit lanes, and a multiplication by the weights in reverse lane
/// order collects the lane products in the top lane (no lane below it exceeds 3 × 9 × 10, so
/// nothing carries into it). Only meaningful when all 17 are ASCII digits; [`check_char`] is the
/// reference it is tested against.
#[inline]
fn weighted_sum_of_digits(word0: u64, word8: u64, digit16: u8) -> u32 {
    const LANES: u64 = 0x00FF_00FF_00FF_00FF;
    /// Weights of the even (or odd) digits of an 8-digit group, in reverse lane order.
    const fn reversed(w: [u32; 17], first: usize) -> u64 {
        (w[first] as u64) << 48
            | (w[first + 2] as u64) << 32
            | (w[first + 4] as u64) << 16
            | w[first + 6] as u64
    }
    const EVEN0: u64 = reversed(WEIGHTS, 0);
    const ODD0: u64 = reversed(WEIGHTS, 1);
    const EVEN8: u64 = reversed(WEIGHTS, 8);
    const ODD8: u64 = reversed(WEIGHTS, 9);
    let top = |digits: u64, weights: u64| digits.wrapping_mul(weights) >> 48;
    let (d0, d8) = (word0 & 0x0F0F_0F0F_0F0F_0F0F, word8 & 0x0F0F_0F0F_0F0F_0F0F);
    let sum = top(d0 & LANES, EVEN0)
        + top(d0 >> 8 & LANES, ODD0)
        + top(d8 & LANES, EVEN8)
        + top(d8 >> 8 & LANES, ODD8);
    sum as u32 + u32::from(digit16 - b'0') * WEIGHTS[16]
}

/// [`ResidentId::key`] from the value of the first eight digits, the word of the next eight, the
/// 17th digit and the check character's value (`X` = 10): the 17 digits times 11 plus the check.
#[inline]
fn key_of(head: u64, word8: u64, digit16: u8, check: u64) -> u64 {
    let body =
        head * 1_000_000_000 + chars::eight_digits_value(word8) * 10 + u64::from(digit16 - b'0');
    body * 11 + check
}

fn digits_value(d: &[u8]) -> u32 {
    d.iter().fold(0, |v, &b| v * 10 + u32::from(b - b'0'))
}

/// Whether a 6-digit address code is known: ever a GB/T 2260 code (1981–2024), or a current
/// statistical county-level code. Always inlined: every ID number of an import asks.
#[inline(always)]
pub fn address_code_known(code6: u32) -> bool {
    address_codes().contains(code6)
}

/// Today's date in Asia/Shanghai.
fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

impl ResidentId {
    /// Strict validation against today's date (Asia/Shanghai).
    pub fn parse(s: &str) -> Result<ResidentId, ResidentIdError> {
        ResidentId::parse_at(s, today())
    }

    /// Strict validation with an explicit "today" (birth dates after it are rejected).
    pub fn parse_at(s: &str, today: NaiveDate) -> Result<ResidentId, ResidentIdError> {
        match ResidentId::parse_plain(s.as_bytes(), today) {
            Some((id, _)) => Ok(id),
            None => ResidentId::parse_general(s, today),
        }
    }

    /// The verdict of [`ResidentId::parse_keyed_at`] when `s` is a valid number written plainly
    /// (18 characters, no whitespace: trimming would not change it); `None` when it is not,
    /// and the general parse must decide. For callers that trim only what the plain path
    /// leaves.
    #[inline]
    pub fn parse_plain_keyed(s: &str, today: NaiveDate) -> Option<(ResidentId, u64)> {
        ResidentId::parse_plain(s.as_bytes(), today)
    }

    /// [`ResidentId::parse_at`] with the number's [`ResidentId::key`], which the plain path
    /// gets almost for free from the digits it has already read (an import keys its duplicate
    /// detection by it).
    #[inline]
    pub fn parse_keyed_at(s: &str, today: NaiveDate) -> Result<(ResidentId, u64), ResidentIdError> {
        match ResidentId::parse_plain(s.as_bytes(), today) {
            Some(keyed) => Ok(keyed),
            None => ResidentId::parse_general(s, today).map(|id| (id, id.key())),
        }
    }

    /// The verdict of [`ResidentId::parse_at`] for a valid number written plainly (what nearly
    /// every row of a file holds), in a few dozen instructions: 17 ASCII digits checked eight at
    /// a time, the check character, the birth date by a month-length table, the address code.
    /// `None` for anything else, for the general path to name the reason.
    #[inline]
    fn parse_plain(b: &[u8], today: NaiveDate) -> Option<(ResidentId, u64)> {
        let id: [u8; 18] = b.try_into().ok()?;
        let word = |i: usize| chars::word_at(&id, i);
        let (word0, word8) = (word(0), word(8));
        if !(chars::eight_digits(word0) && chars::eight_digits(word8) && id[16].is_ascii_digit()) {
            return None;
        }
        let remainder = (weighted_sum_of_digits(word0, word8, id[16]) % 11) as usize;
        if CHECK_CHARS[remainder] != id[17] {
            return None;
        }
        // Digits 6–13 are the birth date YYYYMMDD: read as four pairs in one step.
        let [century, year_in_century, month, day] = chars::digit_pairs(chars::word_at(&id, 6));
        let year = century * 100 + year_in_century;
        if year < MIN_BIRTH_YEAR as u32 || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        // Whether the year is a leap year matters only on 29 February.
        let leap = |y: u32| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        if day > u32::from(DAYS_IN_MONTH[month as usize])
            && !(month == 2 && day == 29 && leap(year))
        {
            return None;
        }
        // Born before this year: no need to read today's month and day (chrono derives them
        // from the day of the year, a table walk).
        let this_year = today.year() as u32;
        let future = year > this_year
            || (year == this_year && month * 100 + day > today.month() * 100 + today.day());
        let head = chars::eight_digits_value(word0);
        if future || !address_code_known(head as u32 / 100) {
            return None;
        }
        let key = key_of(head, word8, id[16], CHECK_VALUES[remainder]);
        Some((ResidentId { chars: id }, key))
    }

    fn parse_general(s: &str, today: NaiveDate) -> Result<ResidentId, ResidentIdError> {
        if s.is_empty() {
            return Err(ResidentIdError::Empty);
        }
        match chars::space_at(s) {
            chars::SpaceAt::Edge => return Err(ResidentIdError::Whitespace),
            chars::SpaceAt::Inside => return Err(ResidentIdError::EmbeddedSpace),
            chars::SpaceAt::None => {}
        }
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(ResidentIdError::BadLength);
        }
        let mut id = [0u8; 18];
        id.copy_from_slice(b);
        if !id[..17].iter().all(u8::is_ascii_digit) {
            return Err(ResidentIdError::NonDigit);
        }
        match id[17] {
            b'0'..=b'9' | b'X' => {}
            b'x' => return Err(ResidentIdError::LowercaseCheckChar),
            _ => return Err(ResidentIdError::NonDigit),
        }
        let body: &[u8; 17] = id[..17].try_into().unwrap_or(&[b'0'; 17]);
        if check_char(body) != id[17] {
            return Err(ResidentIdError::BadCheckDigit);
        }
        let year = digits_value(&id[6..10]) as i32;
        let birth =
            NaiveDate::from_ymd_opt(year, digits_value(&id[10..12]), digits_value(&id[12..14]))
                .filter(|_| year >= MIN_BIRTH_YEAR)
                .ok_or(ResidentIdError::BadBirthDate)?;
        if birth > today {
            return Err(ResidentIdError::BirthDateInFuture);
        }
        let code6 = digits_value(&id[..6]);
        if !address_code_known(code6) {
            return Err(ResidentIdError::UnknownDivisionCode(code6));
        }
        Ok(ResidentId { chars: id })
    }

    /// Strip all whitespace, fold full-width characters and upper-case `x`, then validate
    /// strictly.
    pub fn parse_normalised(s: &str) -> Result<ResidentId, ResidentIdError> {
        let mut buf = [0u8; 18];
        let mut n = 0;
        for c in s.chars().map(chars::fold) {
            if chars::is_space(c) {
                continue;
            }
            if n == 18 || !c.is_ascii() {
                // Too long or non-ASCII: let strict parsing name the reason.
                return ResidentId::parse(s.trim_matches(chars::is_space));
            }
            buf[n] = (c as u8).to_ascii_uppercase();
            n += 1;
        }
        ResidentId::parse(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }

    /// Convert a first-generation 15-digit number (GB 11643-1989: 2-digit year in the 1900s, no
    /// check digit) to its 18-digit form and validate it.
    pub fn from_legacy15(s: &str) -> Result<ResidentId, ResidentIdError> {
        let b = s.trim_matches(chars::is_space).as_bytes();
        if b.len() != 15 {
            return Err(ResidentIdError::BadLength);
        }
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(ResidentIdError::NonDigit);
        }
        let mut body = [0u8; 17];
        body[..6].copy_from_slice(&b[..6]);
        body[6..8].copy_from_slice(b"19");
        body[8..].copy_from_slice(&b[6..]);
        let mut id = [0u8; 18];
        id[..17].copy_from_slice(&body);
        id[17] = check_char(&body);
        ResidentId::parse(std::str::from_utf8(&id).unwrap_or_default())
    }

    /// Build a valid number from its parts (used by the synthetic population). `sequence` is the
    /// 3-digit sequence code (0–999); its last digit's parity is adjusted to `sex` (odd = male).
    pub fn generate(
        division6: u32,
        birth: NaiveDate,
        sequence: u16,
        sex: Sex,
    ) -> Result<ResidentId, ResidentIdError> {
        if !address_code_known(division6) {
            return Err(ResidentIdError::UnknownDivisionCode(division6));
        }
        if !(MIN_BIRTH_YEAR..=9999).contains(&birth.year()) {
            return Err(ResidentIdError::BadBirthDate);
        }
        let mut seq = u32::from(sequence % 1000);
        let odd = seq % 2 == 1;
        if odd != (sex == Sex::Male) {
            seq ^= 1;
        }
        let body = format!(
            "{division6:06}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        let body: [u8; 17] = body
            .as_bytes()
            .try_into()
            .map_err(|_| ResidentIdError::BadLength)?;
        let mut id = [0u8; 18];
        id[..17].copy_from_slice(&body);
        id[17] = check_char(&body);
        ResidentId::parse(std::str::from_utf8(&id).unwrap_or_default())
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.chars).unwrap_or_default()
    }

    /// The 18 characters as ASCII bytes (17 digits and a check character `0-9X`), without the
    /// UTF-8 check of [`ResidentId::as_str`].
    pub fn as_bytes(&self) -> &[u8; 18] {
        &self.chars
    }

    /// The number as one integer: the 17 digits of its body times 11 plus the check character
    /// (`X` = 10), below 2^63. Distinct numbers give distinct keys, so the detection engine keys
    /// a resident's state by it without a table from strings to ids; [`ResidentId::from_key`]
    /// gives the number back.
    #[inline]
    pub fn key(&self) -> u64 {
        // 8 + 8 + 1 digits (they are digits: the number was validated).
        let c = &self.chars;
        let check = match c[17] {
            b'X' => 10,
            c => u64::from(c - b'0'),
        };
        key_of(
            chars::eight_digits_value(chars::word_at(c, 0)),
            chars::word_at(c, 8),
            c[16],
            check,
        )
    }

    /// The resident ID number of a [`ResidentId::key`], validated again; an integer that is not
    /// the key of a valid number is refused.
    pub fn from_key(key: u64) -> Result<ResidentId, ResidentIdError> {
        let (body, check) = (key / 11, key % 11);
        if body >= 100_000_000_000_000_000 {
            return Err(ResidentIdError::BadLength);
        }
        let mut chars = [0u8; 18];
        let mut rest = body;
        for c in chars[..17].iter_mut().rev() {
            *c = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        chars[17] = if check == 10 {
            b'X'
        } else {
            b'0' + check as u8
        };
        ResidentId::parse(std::str::from_utf8(&chars).unwrap_or_default())
    }

    /// The 6-digit address code (place of registration when the number was issued).
    pub fn address_code(&self) -> u32 {
        digits_value(&self.chars[..6])
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(
            digits_value(&self.chars[6..10]) as i32,
            digits_value(&self.chars[10..12]),
            digits_value(&self.chars[12..14]),
        )
        .unwrap_or_default()
    }

    /// The 3-digit sequence code.
    pub fn sequence(&self) -> u16 {
        digits_value(&self.chars[14..17]) as u16
    }

    pub fn sex(&self) -> Sex {
        if self.sequence() % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        on.years_since(self.birth_date()).unwrap_or(0)
    }

    /// The region the address code names (`浙江省杭州市西湖区`): its latest GB/T 2260 record, or
    /// the current statistical division for codes only found there.
    pub fn region_name(&self) -> Option<String> {
        let code = self.address_code();
        if let Some(r) = address_code_history().latest(code) {
            return Some(r.full_name());
        }
        DivisionCode::from_gb2260(code)
            .and_then(|c| divisions().get(c))
            .map(|d| d.full_name())
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResidentId {
    type Err = ResidentIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ResidentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn standard_examples_are_valid() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_name().unwrap(), "北京市朝阳区");
        let id = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.region_name().unwrap(), "广东省汕头市潮阳县");
    }

    #[test]
    fn strict_reasons() {
        let r = |s: &str| ResidentId::parse(s).unwrap_err().reason();
        assert_eq!(r(""), "empty");
        assert_eq!(r(" 11010519491231002X"), "whitespace");
        assert_eq!(r("110105 19491231002X"), "embedded_space");
        assert_eq!(r("11010519491231002"), "bad_length");
        assert_eq!(r("11010519491231002x"), "lowercase_check_char");
        assert_eq!(r("11010519491231002Y"), "non_digit");
        assert_eq!(r("110105194912310021"), "bad_check_digit");
        assert_eq!(r("１１０１０５１９４９１２３１００２Ｘ"), "bad_length");
    }

    #[test]
    fn future_birth_date_depends_on_today() {
        let id = ResidentId::generate(330106, date(2030, 1, 1), 10, Sex::Male);
        assert_eq!(id.unwrap_err().reason(), "birth_date_in_future");
        let s = {
            let body = *b"33010620300101011";
            let mut v = body.to_vec();
            v.push(check_char(&body));
            String::from_utf8(v).unwrap()
        };
        assert!(ResidentId::parse_at(&s, date(2031, 1, 1)).is_ok());
        assert_eq!(
            ResidentId::parse_at(&s, date(2029, 12, 31)).unwrap_err(),
            ResidentIdError::BirthDateInFuture
        );
    }

    #[test]
    fn normalising_parse_fixes_case_and_spaces() {
        let id = ResidentId::parse_normalised(" 110105 1949 1231 002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        let id = ResidentId::parse_normalised("１１０１０５１９４９１２３１００２Ｘ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            ResidentId::parse_normalised("110105194912310021X").unwrap_err(),
            ResidentIdError::BadLength
        );
    }

    #[test]
    fn key_of_an_x_number() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.key(), 11010519491231002 * 11 + 10);
        assert_eq!(ResidentId::from_key(id.key()).unwrap(), id);
        // The same body with another check character is not a valid number.
        assert_eq!(
            ResidentId::from_key(11010519491231002 * 11 + 1).unwrap_err(),
            ResidentIdError::BadCheckDigit
        );
        assert_eq!(
            ResidentId::from_key(u64::MAX).unwrap_err(),
            ResidentIdError::BadLength
        );
    }

    #[test]
    fn legacy_15_digit_numbers_convert() {
        let id = ResidentId::from_legacy15("410102900101999").unwrap();
        assert_eq!(id.birth_date(), date(1990, 1, 1));
        assert_eq!(id.as_str().len(), 18);
        assert!(id.as_str().starts_with("41010219900101999"));
        assert_eq!(ResidentId::parse(id.as_str()).unwrap(), id);
        assert_eq!(
            ResidentId::from_legacy15("41010290010199").unwrap_err(),
            ResidentIdError::BadLength
        );
        assert_eq!(
            ResidentId::from_legacy15("41010290010199a").unwrap_err(),
            ResidentIdError::NonDigit
        );
    }

    #[test]
    fn generated_ids_carry_their_parts() {
        let id = ResidentId::generate(330281, date(1985, 6, 15), 123, Sex::Female).unwrap();
        assert_eq!(id.address_code(), 330281);
        assert_eq!(id.birth_date(), date(1985, 6, 15));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sequence(), 122);
        assert_eq!(id.region_name().unwrap(), "浙江省宁波市余姚市");
        assert_eq!(id.age_on(date(2026, 6, 14)), 40);
        assert_eq!(
            ResidentId::generate(990101, date(1985, 6, 15), 1, Sex::Male).unwrap_err(),
            ResidentIdError::UnknownDivisionCode(990101)
        );
    }

    #[test]
    fn debug_output_is_masked() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(format!("{id:?}"), "ResidentId(1101**********002X)");
    }

    fn known_codes() -> impl Strategy<Value = u32> {
        let codes: Vec<u32> = [
            110105, 330106, 330281, 410102, 440524, 510104, 360102, 130171,
        ]
        .to_vec();
        proptest::sample::select(codes)
    }

    proptest! {
        #[test]
        fn generated_ids_validate(
            code in known_codes(),
            days in 0i64..(125 * 365),
            seq in 0u16..1000,
            male in any::<bool>(),
        ) {
            let birth = date(1900, 1, 1) + chrono::Duration::days(days);
            let sex = if male { Sex::Male } else { Sex::Female };
            let id = ResidentId::generate(code, birth, seq, sex).unwrap();
            prop_assert_eq!(id.sex(), sex);
            prop_assert_eq!(id.birth_date(), birth);
            let again = ResidentId::parse(&id.to_string()).unwrap();
            prop_assert_eq!(again, id);
        }

        #[test]
        fn keys_give_the_number_back(
            code in known_codes(),
            days in 0i64..(125 * 365),
            seq in 0u16..1000,
            other_seq in 0u16..1000,
        ) {
            let birth = date(1900, 1, 1) + chrono::Duration::days(days);
            let id = ResidentId::generate(code, birth, seq, Sex::Male).unwrap();
            prop_assert!(id.key() < 1 << 63);
            prop_assert_eq!(ResidentId::from_key(id.key()).unwrap(), id);
            let other = ResidentId::generate(code, birth, other_seq, Sex::Male).unwrap();
            prop_assert_eq!(other.key() == id.key(), other == id);
        }

        #[test]
        fn keys_of_no_number_are_refused(key in any::<u64>()) {
            // Any integer either names a valid number whose key it is, or is refused.
            if let Ok(id) = ResidentId::from_key(key) {
                prop_assert_eq!(id.key(), key);
            }
        }

        #[test]
        fn one_changed_digit_is_caught(pos in 0usize..17, delta in 1u8..10) {
            let mut s = b"33010619850615998".to_vec();
            let body: [u8; 17] = s.clone().try_into().unwrap();
            s.push(check_char(&body));
            s[pos] = b'0' + (s[pos] - b'0' + delta) % 10;
            prop_assert!(ResidentId::parse(std::str::from_utf8(&s).unwrap()).is_err());
        }

        #[test]
        fn the_plain_path_agrees_with_the_general_one(
            code in prop_oneof![known_codes(), 100000u32..999999],
            y in prop_oneof![1795u32..2032, proptest::sample::select(vec![1799, 1800, 1900, 2000, 2024, 2100])],
            m in prop_oneof![0u32..14, proptest::sample::select(vec![2, 2, 4, 11, 12])],
            d in prop_oneof![0u32..33, proptest::sample::select(vec![28, 29, 29, 30, 31])],
            seq in 0u16..1000,
            fix_check in any::<bool>(),
            change in proptest::option::of((0usize..18, proptest::sample::select(
                vec![b'0', b'9', b'X', b'x', b' ', b'/', b':', b'A', 0x80],
            ))),
            today_days in 0i64..(240 * 365),
            near_birth in proptest::option::of(prop_oneof![-1i64..=1, -40i64..40]),
        ) {
            let mut id = format!("{code:06}{y:04}{m:02}{d:02}{seq:03}").into_bytes();
            let body: [u8; 17] = id.clone().try_into().unwrap();
            id.push(check_char(&body));
            if let Some((pos, c)) = change {
                id[pos] = c;
                if fix_check && pos < 17 && id[..17].iter().all(u8::is_ascii_digit) {
                    let body: [u8; 17] = id[..17].try_into().unwrap();
                    id[17] = check_char(&body);
                }
            }
            // Today a few days either side of the birth date (same year or not) or anywhere.
            let birth = NaiveDate::from_ymd_opt(y as i32, m, d);
            let today = match (near_birth, birth) {
                (Some(k), Some(b)) => b + chrono::Duration::days(k),
                _ => date(1800, 1, 1) + chrono::Duration::days(today_days),
            };
            let s = String::from_utf8_lossy(&id).into_owned();
            let general = ResidentId::parse_general(&s, today);
            prop_assert_eq!(ResidentId::parse_plain(s.as_bytes(), today).is_some(), general.is_ok(), "{}", s);
            prop_assert_eq!(ResidentId::parse_at(&s, today), general);
            prop_assert_eq!(ResidentId::parse_keyed_at(&s, today), general.map(|id| (id, id.key())));
        }

        #[test]
        fn the_word_wise_weighted_sum_gives_the_check_character(body in proptest::array::uniform17(0u8..10)) {
            let body = body.map(|d| b'0' + d);
            let sum = weighted_sum_of_digits(chars::word_at(&body, 0), chars::word_at(&body, 8), body[16]);
            let remainder = (sum % 11) as usize;
            prop_assert_eq!(CHECK_CHARS[remainder], check_char(&body));
            let mut id = [0u8; 18];
            id[..17].copy_from_slice(&body);
            id[17] = CHECK_CHARS[remainder];
            // The key the plain path computes is the one `key` gives.
            let today = date(2100, 1, 1);
            if let Some((parsed, key)) = ResidentId::parse_plain(&id, today) {
                prop_assert_eq!(key, parsed.key());
            }
        }

        #[test]
        fn eight_digits_is_a_byte_test(w in any::<[u8; 8]>(), digit_share in 0u8..4) {
            // Mostly digits, so that both outcomes are exercised.
            let w: Vec<u8> = w.iter().map(|&b| if b % 4 < digit_share { b'0' + b % 10 } else { b }).collect();
            let word = u64::from_le_bytes(w.clone().try_into().unwrap());
            prop_assert_eq!(chars::eight_digits(word), w.iter().all(u8::is_ascii_digit));
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,24}") {
            let _ = ResidentId::parse(&s);
            let _ = ResidentId::parse_normalised(&s);
            let _ = ResidentId::from_legacy15(&s);
        }
    }
}
