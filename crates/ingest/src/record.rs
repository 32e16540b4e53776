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
    /// Registered on the national anti-fraud app; `None` when the file does not say.
    pub app_registered: Option<bool>,
    /// Signed up for 金钟罩 joint defense; `None` when the file does not say.
    pub joint_defense: Option<bool>,
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

    /// Whether the record holds memory of its own (text that had to be unescaped or
    /// trimmed); a record that only borrows from the file needs no work to drop.
    #[inline(always)]
    pub fn owns_heap(&self) -> bool {
        let owned = |t: &Cow<'_, str>| matches!(t, Cow::Owned(_));
        // Every field named, so that a field added later must be considered here.
        match self {
            Record::Person(PersonRecord {
                line: _,
                id: _,
                name,
                phone: _,
                address,
                village: _,
                employer,
                public_sector: _,
                app_registered: _,
                joint_defense: _,
            }) => {
                owned(name)
                    || address.as_ref().is_some_and(owned)
                    || employer.as_ref().is_some_and(owned)
            }
            Record::Phone(PhoneRecord {
                line: _,
                phone: _,
                owner: _,
                opened_at: _,
            }) => false,
            Record::Account(AccountRecord {
                line: _,
                card: _,
                holder: _,
                bank,
                opened_at: _,
                opened_division: _,
            }) => bank.as_ref().is_some_and(owned),
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
            Record::Person(r) => person_key(&r.id),
            Record::Phone(r) => phone_key(&r.phone),
            Record::Account(r) => account_key(&r.card),
        }
    }
}

/// [`Record::key`] of a person, from the ID number alone (the validator computes it before the
/// record is assembled: reading it back from a record just copied into place stalls on the copy).
/// [`ResidentId::key`]: `17 digits × 11 + check`, below 2^63.
#[inline]
pub(crate) fn person_key(id: &ResidentId) -> u128 {
    u128::from(id.key())
}

/// [`Record::key`] of a phone record.
#[inline]
pub(crate) fn phone_key(phone: &PhoneNumber) -> u128 {
    pack(&[phone.kind() as u8], phone.digits())
}

/// [`Record::key`] of an account record.
#[inline]
pub(crate) fn account_key(card: &BankCard) -> u128 {
    pack(&[], card.digits())
}

#[inline]
fn symbol(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => 10,
    }
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
        let id = |s: &str| person_key(&ResidentId::parse(s).expect("valid"));
        let a = id("11010519491231002X");
        assert_eq!(a, 11_010_519_491_231_002 * 11 + 10);
        assert_ne!(a, id("110105194912310038"));
        assert!(a < 1 << 63);
        // The length is kept: leading zeros and a shorter number differ.
        assert_ne!(pack(&[], b"0123"), pack(&[], b"123"));
        assert_ne!(pack(&[0], b"13800138000"), pack(&[1], b"13800138000"));
        assert!(pack(&[0], b"13800138000") < 1 << 64);
        // 33 symbols still fit in a u128 (11^33 < 2^128).
        let long = pack(&[4], &[b'9'; 32]);
        assert!(long > 1 << 64);
    }
}
