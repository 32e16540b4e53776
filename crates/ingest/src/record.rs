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
    /// identifiers), for duplicate detection without allocating.
    pub fn key(&self) -> u128 {
        match self {
            Record::Person(r) => pack(r.id.as_str().as_bytes()),
            Record::Phone(r) => pack(r.phone.digits()) | (u128::from(r.phone.kind() as u8) << 120),
            Record::Account(r) => pack(r.card.digits()),
        }
    }
}

/// Packs up to 32 characters from `0-9X` into a u128: base-11 digits, length in the top byte.
fn pack(chars: &[u8]) -> u128 {
    #[inline]
    fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            _ => 10,
        }
    }
    let len = chars.len();
    let chars = &chars[..len.min(32)];
    // 11^18 < 2^64: the first 18 characters (all of an ID number, a mobile number or most card
    // numbers) accumulate in a u64, the rest (if any) in u128 arithmetic.
    let (head, tail) = chars.split_at(chars.len().min(18));
    let small = head.iter().fold(0u64, |v, &c| v * 11 + u64::from(digit(c)));
    let v = tail
        .iter()
        .fold(u128::from(small), |v, &c| v * 11 + u128::from(digit(c)));
    v & ((1u128 << 112) - 1) | ((len as u128 & 0xff) << 112)
}
