//! What every repository does with a field: decode a stored code back into its enum, and check
//! a text handed to the store (trimmed, within its length, present when required).

use crate::error::{StoreError, StoreResult};
use crate::sql::col;
use sqlx::any::AnyRow;

/// A column whose stored value does not decode (an unknown code): a corrupt row.
pub(crate) fn decode_err(index: &str, msg: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: index.into(),
        source: msg.into(),
    }
}

/// The code stored in column `name`, parsed.
pub(crate) fn parse_code<T>(
    row: &AnyRow,
    name: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let v: String = col(row, name)?;
    parse(&v).ok_or_else(|| decode_err(name, format!("unknown code `{v}`")))
}

/// The code stored in nullable column `name`, parsed; `None` for NULL.
pub(crate) fn parse_optional_code<T>(
    row: &AnyRow,
    name: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, sqlx::Error> {
    let v: Option<String> = col(row, name)?;
    v.map(|v| parse(&v).ok_or_else(|| decode_err(name, format!("unknown code `{v}`"))))
        .transpose()
}

/// `value` trimmed; refused when longer than `max` characters, or empty and `required`.
pub(crate) fn bounded_text(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> StoreResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// A phone number as stored (canonical form); [`StoreError::Invalid`] naming `field` otherwise.
pub(crate) fn phone(field: &'static str, v: &str) -> StoreResult<String> {
    fanzha_core::PhoneNumber::parse(v.trim())
        .map(|p| p.canonical())
        .map_err(|e| StoreError::invalid(field, e.to_string()))
}
