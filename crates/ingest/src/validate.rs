//! Row validation: a row's mapped values → a typed [`Record`], or the first field that fails and
//! why (the reason code of `fanzha-core`'s parser, or a row-level one).

use crate::field::{Field, Presence, RecordKind};
use crate::header::HeaderMap;
use crate::quarantine::reason;
use crate::record::{account_key, phone_key, AccountRecord, PersonRecord, PhoneRecord, Record};
use crate::values::{FieldColumns, RowValues, Values};
use fanzha_core::reason::Reasoned;
use fanzha_core::reference::{divisions, phone_segments};
use fanzha_core::{BankCard, DivisionCode, PhoneNumber, ResidentId};
use std::borrow::Cow;

/// Longest free-text value kept (names, addresses, employers, bank names), in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Why a row was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub column: Option<Field>,
    pub reason: &'static str,
}

impl Rejection {
    fn at(column: Field, reason: &'static str) -> Self {
        Rejection {
            column: Some(column),
            reason,
        }
    }
}

/// Validates rows of one file (one record kind, one header).
pub struct Validator {
    header: HeaderMap,
    /// Today in Asia/Shanghai, fixed for the whole file (birth dates after it are rejected).
    today: chrono::NaiveDate,
    /// (field, column index) of every field the file has, in the kind's field order.
    mapped: Vec<(Field, usize)>,
    /// The same, by field.
    columns: FieldColumns,
    required: Vec<Field>,
}

impl Validator {
    pub fn new(header: HeaderMap) -> Self {
        let kind = header.kind();
        let mapped: Vec<(Field, usize)> = kind
            .fields()
            .iter()
            .filter_map(|(f, _)| header.column(*f).map(|c| (*f, c)))
            .collect();
        let columns = FieldColumns::new(&mapped);
        let required = kind
            .fields()
            .iter()
            .filter(|(_, p)| *p == Presence::Required)
            .map(|(f, _)| *f)
            .collect();
        let now = fanzha_core::time::now_ms();
        let today = fanzha_core::time::shanghai_date(now).unwrap_or_default();
        Validator {
            header,
            today,
            mapped,
            columns,
            required,
        }
    }

    pub fn header(&self) -> &HeaderMap {
        &self.header
    }

    pub fn kind(&self) -> RecordKind {
        self.header.kind()
    }

    /// The fields the file has and their column indexes.
    pub fn mapped(&self) -> &[(Field, usize)] {
        &self.mapped
    }

    /// The column of each field the file has.
    pub(crate) fn columns(&self) -> &FieldColumns {
        &self.columns
    }

    /// Validates one row's values (taken out of `values`).
    pub fn validate<'a>(
        &self,
        line: u64,
        values: &mut Values<'a>,
    ) -> Result<Record<'a>, Rejection> {
        self.validate_keyed(line, values).map(|(record, _)| record)
    }

    /// [`Validator::validate`], with the record's [`Record::key`] computed from the parsed
    /// identifier before the record is assembled.
    pub(crate) fn validate_keyed<'a>(
        &self,
        line: u64,
        values: &mut impl RowValues<'a>,
    ) -> Result<(Record<'a>, u128), Rejection> {
        self.validate_with(line, values, |record, key| (record, key))
    }

    /// Validates one row and hands the record and its key to `finish`, which the compiler
    /// inlines where the record is built: a reader that pushes it into its batch builds it in
    /// place instead of moving ~180 bytes through every `Result` on the way.
    #[inline]
    pub(crate) fn validate_with<'a, T>(
        &self,
        line: u64,
        values: &mut impl RowValues<'a>,
        finish: impl FnOnce(Record<'a>, u128) -> T,
    ) -> Result<T, Rejection> {
        for f in &self.required {
            if !values.is_present(*f) {
                return Err(Rejection::at(*f, reason::EMPTY_REQUIRED));
            }
        }
        match self.kind() {
            RecordKind::People => person(line, values, self.today, |r, k| {
                finish(Record::Person(r), k)
            }),
            RecordKind::Phones => {
                phone(line, values, self.today, |r, k| finish(Record::Phone(r), k))
            }
            RecordKind::Accounts => account(line, values, self.today, |r, k| {
                finish(Record::Account(r), k)
            }),
        }
    }
}

// `parse`, `text` and `flag` are always inlined: they run for every field of every row, and as
// calls their prologues and epilogues cost more than their bodies (about 90 instructions a row,
// `crates/ingest/benches/instructions.sh`).
#[inline(always)]
fn parse<'a, T, E: Reasoned>(
    values: &impl RowValues<'a>,
    field: Field,
    f: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, Rejection> {
    match values.get(field) {
        None => Ok(None),
        Some(v) => f(v).map(Some).map_err(|e| Rejection::at(field, e.reason())),
    }
}

/// Parses `field` by `plain` on the value as read when that decides it (a value a plain path
/// takes has no surrounding whitespace, so trimming would not change it: most values skip the
/// trimming test), else by `general` on the trimmed value.
#[inline(always)]
fn parse_plain_first<'a, T, E: Reasoned>(
    values: &impl RowValues<'a>,
    field: Field,
    plain: impl FnOnce(&str) -> Option<Result<T, E>>,
    general: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, Rejection> {
    if let Some(verdict) = values.raw(field).and_then(plain) {
        return verdict
            .map(Some)
            .map_err(|e| Rejection::at(field, e.reason()));
    }
    parse(values, field, general)
}

#[inline(always)]
fn phone_number<'a>(values: &impl RowValues<'a>) -> Result<Option<PhoneNumber>, Rejection> {
    parse_plain_first(
        values,
        Field::Phone,
        PhoneNumber::parse_plain,
        PhoneNumber::parse,
    )
}

#[inline(always)]
fn text<'a>(
    values: &mut impl RowValues<'a>,
    field: Field,
) -> Result<Option<Cow<'a, str>>, Rejection> {
    match values.take(field) {
        None => Ok(None),
        Some(v) => {
            // Byte length bounds the character count from above: most values skip the count.
            if v.len() > MAX_TEXT_CHARS && v.chars().count() > MAX_TEXT_CHARS {
                Err(Rejection::at(field, reason::TOO_LONG))
            } else {
                Ok(Some(v))
            }
        }
    }
}

/// 是/否, true/false, yes/no, y/n, 1/0 (case-insensitive).
pub fn parse_flag(s: &str) -> Option<bool> {
    match s {
        "是" | "1" | "Y" | "y" | "对" | "√" => Some(true),
        "否" | "0" | "N" | "n" | "×" => Some(false),
        _ if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes") => Some(true),
        _ if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("no") => Some(false),
        _ => None,
    }
}

#[inline(always)]
fn flag<'a>(values: &impl RowValues<'a>, field: Field) -> Result<Option<bool>, Rejection> {
    match values.get(field) {
        None => Ok(None),
        Some(v) => parse_flag(v)
            .map(Some)
            .ok_or(Rejection::at(field, reason::BAD_FLAG)),
    }
}

#[inline]
fn time<'a>(values: &impl RowValues<'a>, field: Field) -> Result<Option<i64>, Rejection> {
    parse(values, field, fanzha_core::time::parse_timestamp)
}

#[inline]
fn resident_id<'a>(
    values: &impl RowValues<'a>,
    today: chrono::NaiveDate,
) -> Result<Option<(ResidentId, u64)>, Rejection> {
    parse_plain_first(
        values,
        Field::IdNumber,
        |s| ResidentId::parse_plain_keyed(s, today).map(Ok),
        |s| ResidentId::parse_keyed_at(s, today),
    )
}

#[inline]
fn person<'a, T>(
    line: u64,
    values: &mut impl RowValues<'a>,
    today: chrono::NaiveDate,
    finish: impl FnOnce(PersonRecord<'a>, u128) -> T,
) -> Result<T, Rejection> {
    // The phone and village look-ups each miss the cache (tables of megabytes, random rows):
    // request their slots first so the misses overlap with parsing the ID number.
    let village = match values
        .raw(Field::VillageCode)
        .and_then(DivisionCode::parse_plain)
    {
        Some(code) => Some(Ok(code)),
        None => values.get(Field::VillageCode).map(DivisionCode::parse),
    };
    if let Some(Ok(code)) = village {
        divisions().prefetch(code);
    }
    if let Some(phone) = values.raw(Field::Phone) {
        phone_segments().prefetch(phone.as_bytes());
    }
    let id = resident_id(values, today)?;
    let phone = phone_number(values)?;
    let village = village
        .transpose()
        .and_then(|code| code.map(DivisionCode::known).transpose())
        .map_err(|e| Rejection::at(Field::VillageCode, e.reason()))?;
    let public_sector = flag(values, Field::PublicSector)?;
    let app_registered = flag(values, Field::AppRegistered)?;
    let joint_defense = flag(values, Field::JointDefense)?;
    let name = text(values, Field::Name)?;
    let address = text(values, Field::Address)?;
    let employer = text(values, Field::Employer)?;
    match (id, name) {
        (Some((id, key)), Some(name)) => Ok(finish(
            PersonRecord {
                line,
                id,
                name,
                phone,
                address,
                village,
                employer,
                public_sector,
                app_registered,
                joint_defense,
            },
            u128::from(key),
        )),
        (None, _) => Err(Rejection::at(Field::IdNumber, reason::EMPTY_REQUIRED)),
        (_, None) => Err(Rejection::at(Field::Name, reason::EMPTY_REQUIRED)),
    }
}

#[inline]
fn phone<'a, T>(
    line: u64,
    values: &mut impl RowValues<'a>,
    today: chrono::NaiveDate,
    finish: impl FnOnce(PhoneRecord, u128) -> T,
) -> Result<T, Rejection> {
    let phone = phone_number(values)?.ok_or(Rejection::at(Field::Phone, reason::EMPTY_REQUIRED))?;
    let owner = resident_id(values, today)?.map(|(id, _)| id);
    let opened_at = time(values, Field::OpenedAt)?;
    let key = phone_key(&phone);
    Ok(finish(
        PhoneRecord {
            line,
            phone,
            owner,
            opened_at,
        },
        key,
    ))
}

#[inline]
fn account<'a, T>(
    line: u64,
    values: &mut impl RowValues<'a>,
    today: chrono::NaiveDate,
    finish: impl FnOnce(AccountRecord<'a>, u128) -> T,
) -> Result<T, Rejection> {
    let card = parse(values, Field::AccountNo, BankCard::parse)?
        .ok_or(Rejection::at(Field::AccountNo, reason::EMPTY_REQUIRED))?;
    let holder = resident_id(values, today)?.map(|(id, _)| id);
    let opened_at = time(values, Field::OpenedAt)?;
    let opened_division = parse(values, Field::OpenedDivision, DivisionCode::parse_known)?;
    let bank = text(values, Field::Bank)?;
    let key = account_key(&card);
    Ok(finish(
        AccountRecord {
            line,
            card,
            holder,
            bank,
            opened_at,
            opened_division,
        },
        key,
    ))
}
