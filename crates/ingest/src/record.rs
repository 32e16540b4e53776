//! Validated records: every identifier is a domain type from `fanzha-core`; free text (names,
//! addresses) is borrowed from the reader's buffer when it needs no unescaping.

use crate::field::Field;
use fanzha_core::event::EpochMs;
use fanzha_core::{BankCard, DivisionCode, PhoneNumber, ResidentId};
use std::borrow::Cow;

/// A resident (`fanzha import people`).
#[derive(Clone, Debug, PartialEq)]
pub struct PersonRecord<'a> {
    /// Physical line in the file (1-based, header = 1).
    pub line: u64,
    pub id: ResidentId,
    pub name: Cow<'a, str>,
    pub phone: Option<PhoneNumber>,
    pub address: Option<Cow<'a, str>>,
    /// Village / community (or a coarser division) of the residence.
    pub village: Option<DivisionCode>,
    pub employer: Option<Cow<'a, str>>,
    /// 财政供养人员; `None` when the file does not say.
    pub public_sector: Option<bool>,
}

/// A phone number and its owner (`fanzha import phones`).
#[derive(Clone, Debug, PartialEq)]
pub struct PhoneRecord {
    pub line: u64,
    pub phone: PhoneNumber,
    pub owner: Option<ResidentId>,
    pub opened_at: Option<EpochMs>,
}

/// A bank account or card and its holder (`fanzha import accounts`).
#[derive(Clone, Debug, PartialEq)]
pub struct AccountRecord<'a> {
    pub line: u64,
    pub card: BankCard,
    pub holder: Option<ResidentId>,
    /// The bank as the file names it; see [`AccountRecord::bank_name`] for the BIN fallback.
    pub bank: Option<Cow<'a, str>>,
    pub opened_at: Option<EpochMs>,
    pub opened_division: Option<DivisionCode>,
}

/// One validated row of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Record<'a> {
    Person(PersonRecord<'a>),
    Phone(PhoneRecord),
    Account(AccountRecord<'a>),
}

impl Record<'_> {
    pub fn line(&self) -> u64 {
        match self {
            Record::Person(r) => r.line,
            Record::Phone(r) => r.line,
            Record::Account(r) => r.line,
        }
    }

    pub(crate) fn set_line(&mut self, line: u64) {
        match self {
            Record::Person(r) => r.line = line,
            Record::Phone(r) => r.line = line,
            Record::Account(r) => r.line = line,
        }
    }

    /// The field that identifies the record.
    pub fn key_field(&self) -> Field {
        match self {
            Record::Person(_) => Field::IdNumber,
            Record::Phone(_) => Field::Phone,
            Record::Account(_) => Field::AccountNo,
        }
    }

    /// The natural key packed into an integer (exact, no hashing: equal keys ⇔ equal records'
    /// identifiers), for duplicate detection without allocating. A resident ID number and a
    /// mobile number fit in 64 bits, which keeps the duplicate set compact.
    pub fn key(&self) -> u128 {
        match self {
            // Always 18 characters: base 11 without a length marker, below 11^18 < 2^63.
            Record::Person(r) => base11(r.id.as_str().as_bytes()),
            Record::Phone(r) => pack(&[r.phone.kind() as u8], r.phone.digits()),
            Record::Account(r) => pack(&[], r.card.digits()),
        }
    }
}

#[inline]
fn symbol(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => 10,
    }
}

/// Up to 18 characters from `0-9X` as a base-11 number (the same length is assumed for all).
#[inline]
fn base11(chars: &[u8]) -> u128 {
    let chars = &chars[..chars.len().min(18)];
    u128::from(
        chars
            .iter()
            .fold(0u64, |v, &c| v * 11 + u64::from(symbol(c))),
    )
}

/// `prefix` symbols (each below 11) then up to 32 characters from `0-9X`, as a base-11 number
/// after a leading 1, which keeps the length: distinct sequences give distinct keys, and up to
/// 17 symbols give a key below 2^64.
fn pack(prefix: &[u8], chars: &[u8]) -> u128 {
    let chars = &chars[..chars.len().min(32)];
    let symbols = prefix
        .iter()
        .map(|&p| p % 11)
        .chain(chars.iter().map(|&c| symbol(c)));
    symbols.fold(1u128, |v, s| v * 11 + u128::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_are_distinct_and_narrow_for_ids_and_mobiles() {
        let a = base11(b"11010519491231002X");
        let b = base11(b"110105194912310021");
        assert_ne!(a, b);
        assert!(base11(b"XXXXXXXXXXXXXXXXXX") < 1 << 63);
        // The length is kept: leading zeros and a shorter number differ.
        assert_ne!(pack(&[], b"0123"), pack(&[], b"123"));
        assert_ne!(pack(&[0], b"13800138000"), pack(&[1], b"13800138000"));
        assert!(pack(&[0], b"13800138000") < 1 << 64);
        // 33 symbols still fit in a u128 (11^33 < 2^128).
        let long = pack(&[4], &[b'9'; 32]);
        assert!(long > 1 << 64);
    }
}
