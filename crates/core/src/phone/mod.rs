//! Phone numbers as they appear in call records, SMS logs, case reports and spreadsheets:
//! mainland mobiles (located and attributed to a carrier by their 7-digit segment), virtual
//! operators (170/171/162/165/167 and segments the table marks as 虚拟运营商), fixed lines with
//! their area code, service numbers (95xxx, 96110, 400/800, 106 SMS ports, 110/12345 short
//! numbers) and overseas numbers with their country calling code.
//!
//! Parsing accepts `+86`, `0086` and (for 13-digit mobiles) `86` prefixes, spaces, dashes, dots,
//! parentheses and full-width digits, and allocates nothing: a [`PhoneNumber`] is `Copy` and keeps
//! its digits inline with `'static` references into the reference tables.

mod country;
mod service;

pub use country::{by_calling_code, match_calling_code, Country, COUNTRIES};
pub use service::ServiceKind;

use crate::chars;
use crate::error_code::{Coded, ErrorCode};
use crate::event::Msisdn;
use crate::reason::Reasoned;
use crate::reference::{phone_segments, AreaCode, Carrier, PhoneSegments, Segment};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Most significant digits a number may have (106 SMS ports reach 20).
pub const MAX_DIGITS: usize = 20;
/// Most digits accepted from the input before giving up with `too_long`.
const MAX_INPUT_DIGITS: usize = 24;

/// Whether a mobile number's first three digits are a prefix reserved for virtual operators
/// (虚拟运营商: 170, 171, 162, 165, 167), whatever network the segment table names.
fn is_virtual_prefix(prefix3: u32) -> bool {
    matches!(prefix3, 170 | 171 | 162 | 165 | 167)
}

/// What kind of number it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// Mainland mobile of a network operator.
    Mobile,
    /// Mainland mobile of a virtual operator (虚拟运营商).
    Virtual,
    /// Mainland fixed line with area code.
    FixedLine,
    /// Service number: hotline, emergency, 400/800, SMS port.
    Service,
    /// Outside the mainland (including Hong Kong, Macao and Taiwan), by country calling code.
    Overseas,
}

impl PhoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Virtual => "virtual",
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::Service => "service",
            PhoneKind::Overseas => "overseas",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "手机",
            PhoneKind::Virtual => "虚拟运营商号码",
            PhoneKind::FixedLine => "固定电话",
            PhoneKind::Service => "服务号码",
            PhoneKind::Overseas => "境外号码",
        }
    }
}

/// Why a phone number was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("号码为空 / phone number is empty")]
    Empty,
    #[error("号码过长 / phone number has too many digits")]
    TooLong,
    #[error("号码含非法字符 / phone number contains a character that is not a digit or separator")]
    NonDigit,
    #[error("号码位数不对 / phone number has the wrong number of digits")]
    BadLength,
    #[error("未知号段 / mobile number segment is not allocated")]
    UnknownSegment,
    #[error("未知长途区号 / unknown long-distance area code")]
    UnknownAreaCode,
    #[error("固定电话缺少区号 / fixed-line number without area code")]
    MissingAreaCode,
    #[error("本地号码无效 / the local part of the fixed-line number is not a subscriber number")]
    BadSubscriberNumber,
    #[error("未知国家代码 / unknown country calling code")]
    UnknownCountryCode,
}

impl Reasoned for PhoneError {
    fn reason(&self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::TooLong => "too_long",
            PhoneError::NonDigit => "non_digit",
            PhoneError::BadLength => "bad_length",
            PhoneError::UnknownSegment => "unknown_segment",
            PhoneError::UnknownAreaCode => "unknown_area_code",
            PhoneError::MissingAreaCode => "missing_area_code",
            PhoneError::BadSubscriberNumber => "bad_subscriber_number",
            PhoneError::UnknownCountryCode => "unknown_country_code",
        }
    }
}

impl Coded for PhoneError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidPhone
    }
}

/// A validated phone number.
#[derive(Clone, Copy, Debug)]
pub struct PhoneNumber {
    kind: PhoneKind,
    /// Mobile: 11 digits. Fixed line: trunk `0` + area code + local number. Service: as dialled.
    /// Overseas: calling code + national number.
    digits: [u8; MAX_DIGITS],
    len: u8,
    /// Fixed line: length of the area code with its `0`. Overseas: length of the calling code.
    split: u8,
    /// Where the number belongs, by its place in a reference table (four bytes where three
    /// pointers took 24: an import holds a million of these).
    place: Place,
    service: Option<ServiceKind>,
}

/// The reference-table entry a number belongs to: one kind of place per kind of number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    None,
    /// A mobile's segment, numbered as by [`crate::reference::PhoneSegments::segment_id`].
    Segment(u16),
    /// A fixed line's area code, its position in `PhoneSegments::area_codes`.
    Area(u16),
    /// An overseas number's country, by calling code.
    Country(u16),
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.digits() == other.digits() && self.split == other.split
    }
}
impl Eq for PhoneNumber {}
impl Hash for PhoneNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.digits().hash(state);
    }
}

/// Digits collected from the input, on the stack.
struct Collected {
    buf: [u8; MAX_INPUT_DIGITS],
    n: usize,
    plus: bool,
}

fn collect(s: &str) -> Result<Collected, PhoneError> {
    let mut c = Collected {
        buf: [0; MAX_INPUT_DIGITS],
        n: 0,
        plus: false,
    };
    // Fast path: plain ASCII digits, copied as they are.
    let b = s.as_bytes();
    if !b.is_empty() && b.len() <= MAX_INPUT_DIGITS && b.iter().all(u8::is_ascii_digit) {
        c.buf[..b.len()].copy_from_slice(b);
        c.n = b.len();
        return Ok(c);
    }
    for ch in s.chars() {
        match chars::fold(ch) {
            d @ '0'..='9' => {
                if c.n == MAX_INPUT_DIGITS {
                    return Err(PhoneError::TooLong);
                }
                c.buf[c.n] = d as u8;
                c.n += 1;
            }
            '+' if c.n == 0 && !c.plus => c.plus = true,
            '-' | '(' | ')' | '.' | '/' => {}
            w if chars::is_space(w) => {}
            _ => return Err(PhoneError::NonDigit),
        }
    }
    if c.n == 0 {
        return Err(PhoneError::Empty);
    }
    Ok(c)
}

impl PhoneNumber {
    /// Parse a number as written by people and systems (see the module documentation).
    pub fn parse(s: &str) -> Result<PhoneNumber, PhoneError> {
        match plain_mobile(s.as_bytes()) {
            Some(mobile) => mobile,
            None => parse_general(s),
        }
    }

    /// The verdict of [`PhoneNumber::parse`] when `s` is a mainland mobile written as eleven
    /// plain digits (no whitespace: trimming would not change it); `None` for any other
    /// writing, which the general parse must decide. For callers that trim only what the plain
    /// path leaves.
    #[inline]
    pub fn parse_plain(s: &str) -> Option<Result<PhoneNumber, PhoneError>> {
        plain_mobile(s.as_bytes())
    }

    /// The number from its E.164 digits. A 10-digit national number starting `10` reads as a
    /// Beijing fixed line (`010` + 8 digits), never as a 106 SMS port of the same digits.
    pub fn from_msisdn(m: Msisdn) -> Result<PhoneNumber, PhoneError> {
        let mut buf = [0u8; 20];
        let mut v = m.0;
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
        international(&buf[..n])
    }

    /// The E.164 digits (`8613812345678`); `too_long` when they do not fit a `u64` (long SMS
    /// ports).
    pub fn to_msisdn(&self) -> Result<Msisdn, PhoneError> {
        let mut v: u64 = match self.kind {
            PhoneKind::Overseas => 0,
            _ => 86,
        };
        let digits = match self.kind {
            PhoneKind::FixedLine => &self.digits()[1..],
            _ => self.digits(),
        };
        for &b in digits {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or(PhoneError::TooLong)?;
        }
        Ok(Msisdn(v))
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The significant digits as ASCII (see the field documentation of the canonical form).
    pub fn digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }

    /// The digits as a `&str`.
    pub fn digits_str(&self) -> &str {
        std::str::from_utf8(self.digits()).unwrap_or_default()
    }

    /// Carrier of a mainland mobile (network owner or virtual operator, as the segment says).
    pub fn carrier(&self) -> Option<Carrier> {
        match self.place {
            Place::Segment(id) => phone_segments().carrier(id),
            _ => None,
        }
    }

    /// The mobile segment (home location) of a mainland mobile.
    pub fn segment(&self) -> Option<&'static Segment> {
        match self.place {
            Place::Segment(id) => phone_segments().segment(id),
            _ => None,
        }
    }

    /// The area code entry of a fixed line.
    fn area(&self) -> Option<&'static AreaCode> {
        match self.place {
            Place::Area(id) => phone_segments().area_codes().get(usize::from(id)),
            _ => None,
        }
    }

    /// Home province (short form, `浙江`) of a mobile or fixed line.
    pub fn province(&self) -> Option<&'static str> {
        self.segment()
            .map(|s| &*s.province)
            .or(self.area().map(|a| &*a.province))
    }

    /// Home city (short form, `宁波`) of a mobile or fixed line.
    pub fn city(&self) -> Option<&'static str> {
        self.segment()
            .map(|s| &*s.city)
            .or(self.area().map(|a| &*a.city))
    }

    /// Long-distance area code with its `0`: the fixed line's own, or a mobile's home city's.
    pub fn area_code(&self) -> Option<&str> {
        match self.kind {
            PhoneKind::FixedLine => {
                std::str::from_utf8(&self.digits[..usize::from(self.split)]).ok()
            }
            _ => self.segment().map(|s| &*s.area_code),
        }
    }

    /// Country of an overseas number.
    pub fn country(&self) -> Option<&'static Country> {
        match self.place {
            Place::Country(code) => by_calling_code(code),
            _ => None,
        }
    }

    /// What kind of service number it is.
    pub fn service_kind(&self) -> Option<ServiceKind> {
        self.service
    }

    /// Whether calls from this number deserve the overseas / virtual-operator evidence flag.
    pub fn is_overseas_or_virtual(&self) -> bool {
        matches!(self.kind, PhoneKind::Overseas | PhoneKind::Virtual)
    }

    /// The canonical string: `13812345678`, `0574-62345678`, `95588`, `+12025550123`.
    pub fn canonical(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.digits_str();
        match self.kind {
            PhoneKind::FixedLine => {
                let (area, local) = s.split_at(usize::from(self.split));
                write!(f, "{area}-{local}")
            }
            PhoneKind::Overseas => write!(f, "+{s}"),
            _ => f.write_str(s),
        }
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<Msisdn> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(m: Msisdn) -> Result<Self, Self::Error> {
        PhoneNumber::from_msisdn(m)
    }
}

impl TryFrom<&PhoneNumber> for Msisdn {
    type Error = PhoneError;
    fn try_from(p: &PhoneNumber) -> Result<Self, Self::Error> {
        p.to_msisdn()
    }
}

fn build(kind: PhoneKind, d: &[u8], split: usize) -> Result<PhoneNumber, PhoneError> {
    if d.len() > MAX_DIGITS {
        return Err(PhoneError::BadLength);
    }
    let mut digits = [0u8; MAX_DIGITS];
    digits[..d.len()].copy_from_slice(d);
    Ok(PhoneNumber {
        kind,
        digits,
        len: d.len() as u8,
        split: split as u8,
        place: Place::None,
        service: None,
    })
}

fn is_mobile_shape(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
}

/// [`PhoneNumber::parse`] by normalising the input first: every form a number is written in.
fn parse_general(s: &str) -> Result<PhoneNumber, PhoneError> {
    let c = collect(s)?;
    let d = &c.buf[..c.n];
    if c.plus {
        return international(d);
    }
    if let Some(rest) = d.strip_prefix(b"00") {
        return international(rest);
    }
    domestic(d)
}

/// [`PhoneNumber::parse`] of eleven plain ASCII digits shaped like a mainland mobile (what
/// nearly every phone column holds), without the general path's copying and dispatch; `None`
/// for anything else.
#[inline]
fn plain_mobile(b: &[u8]) -> Option<Result<PhoneNumber, PhoneError>> {
    let d: &[u8; 11] = b.try_into().ok()?;
    let head = chars::word_at(d, 0);
    if !(chars::eight_digits(head) && d[8..].iter().all(u8::is_ascii_digit) && is_mobile_shape(d)) {
        return None;
    }
    // The seven-digit prefix read with the first eight digits in one step.
    Some(mobile_of_prefix(
        d,
        (chars::eight_digits_value(head) / 10) as u32,
    ))
}

/// An 11-digit mainland mobile (its digits collected, so ASCII digits).
fn mobile(d: &[u8]) -> Result<PhoneNumber, PhoneError> {
    let prefix7 = PhoneSegments::prefix7(d).ok_or(PhoneError::NonDigit)?;
    mobile_of_prefix(d, prefix7)
}

/// The mobile `d` whose first seven digits are `prefix7`: its segment and whether a virtual
/// operator holds it.
fn mobile_of_prefix(d: &[u8], prefix7: u32) -> Result<PhoneNumber, PhoneError> {
    let table = phone_segments();
    let id = table
        .segment_id(prefix7)
        .ok_or(PhoneError::UnknownSegment)?;
    let carrier = table.carrier(id).ok_or(PhoneError::UnknownSegment)?;
    let kind = if is_virtual_prefix(prefix7 / 10_000) || carrier.is_virtual() {
        PhoneKind::Virtual
    } else {
        PhoneKind::Mobile
    };
    // Eleven digits (both callers checked), written as two whole words over the zeroed
    // array: byte copies over it left the number's later read spanning two stores, which the
    // CPU cannot forward (a stall on every mobile of an import).
    let d: &[u8; 11] = d.try_into().map_err(|_| PhoneError::BadLength)?;
    let head = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    let tail = u32::from_le_bytes([d[8], d[9], d[10], 0]);
    let mut digits = [0u8; MAX_DIGITS];
    digits[..8].copy_from_slice(&head.to_le_bytes());
    digits[8..12].copy_from_slice(&tail.to_le_bytes());
    Ok(PhoneNumber {
        kind,
        digits,
        len: 11,
        split: 0,
        place: Place::Segment(id),
        service: None,
    })
}

/// A fixed line written with its trunk `0` and area code.
fn fixed(d: &[u8]) -> Result<PhoneNumber, PhoneError> {
    let table = phone_segments();
    for area_len in [3, 4] {
        if d.len() <= area_len {
            break;
        }
        if let Some(area) = table.area_code_id(&d[..area_len]) {
            let local = &d[area_len..];
            if !(7..=8).contains(&local.len()) {
                return Err(PhoneError::BadLength);
            }
            if !(b'2'..=b'9').contains(&local[0]) {
                return Err(PhoneError::BadSubscriberNumber);
            }
            let mut p = build(PhoneKind::FixedLine, d, area_len)?;
            p.place = Place::Area(area);
            return Ok(p);
        }
    }
    Err(PhoneError::UnknownAreaCode)
}

fn service(d: &[u8]) -> Option<PhoneNumber> {
    let kind = ServiceKind::classify(d)?;
    let mut p = build(PhoneKind::Service, d, 0).ok()?;
    p.service = Some(kind);
    Some(p)
}

/// A number dialled inside the mainland, without international prefix.
fn domestic(d: &[u8]) -> Result<PhoneNumber, PhoneError> {
    // `86` + mobile, as some systems export it.
    if d.len() == 13 && d.starts_with(b"86") && is_mobile_shape(&d[2..]) {
        return mobile(&d[2..]);
    }
    match d[0] {
        b'1' => {
            if is_mobile_shape(d) {
                mobile(d)
            } else if let Some(p) = service(d) {
                Ok(p)
            } else {
                Err(PhoneError::BadLength)
            }
        }
        b'0' => {
            // A mobile dialled with a long-distance `0` in front.
            if d.len() == 12 && is_mobile_shape(&d[1..]) {
                return mobile(&d[1..]);
            }
            fixed(d)
        }
        _ => {
            if let Some(p) = service(d) {
                Ok(p)
            } else if (7..=8).contains(&d.len()) {
                Err(PhoneError::MissingAreaCode)
            } else {
                Err(PhoneError::BadLength)
            }
        }
    }
}

/// A number after `+` or `00`: calling code and national number.
fn international(d: &[u8]) -> Result<PhoneNumber, PhoneError> {
    if d.is_empty() {
        return Err(PhoneError::BadLength);
    }
    let (country, cc_len) = match_calling_code(d).ok_or(PhoneError::UnknownCountryCode)?;
    let national = &d[cc_len..];
    if country.calling_code == 86 {
        return china_national(national);
    }
    if !(4..=14).contains(&national.len()) || d.len() > 15 {
        return Err(PhoneError::BadLength);
    }
    let mut p = build(PhoneKind::Overseas, d, cc_len)?;
    p.place = Place::Country(country.calling_code);
    Ok(p)
}

/// The national part of a `+86` number: mobile, fixed line without its trunk `0`, or service.
fn china_national(n: &[u8]) -> Result<PhoneNumber, PhoneError> {
    // `+86 0574 …` is a common mistake for `+86 574 …`.
    let n = match n.strip_prefix(b"0") {
        Some(rest) if !rest.is_empty() && rest[0] != b'0' => rest,
        _ => n,
    };
    if n.is_empty() {
        return Err(PhoneError::BadLength);
    }
    if is_mobile_shape(n) {
        return mobile(n);
    }
    if n.len() + 1 > MAX_DIGITS {
        return Err(PhoneError::BadLength);
    }
    let mut with_trunk = [0u8; MAX_DIGITS];
    with_trunk[0] = b'0';
    with_trunk[1..=n.len()].copy_from_slice(n);
    let fixed_result = fixed(&with_trunk[..=n.len()]);
    if fixed_result.is_ok() {
        return fixed_result;
    }
    if let Some(p) = service(n) {
        return Ok(p);
    }
    fixed_result
}

#[cfg(test)]
mod tests;
