//! Validation of rows that arrive as owned cell texts (XLSX sheets, NDJSON objects), shared by
//! those readers; the CSV reader has its own zero-copy path.

use crate::field::Field;
use crate::quarantine::QuarantineEntry;
use crate::stage::Part;
use crate::validate::Validator;
use crate::values::Values;
use std::borrow::Cow;

/// A rejection decided while reading a row: the field to blame, if any, and the reason.
pub(crate) type ReadRejection = (Option<Field>, &'static str);

/// One row: its line, its raw text (for the quarantine) and its values by field, or a
/// rejection decided while reading it (bad JSON, stray cells).
pub(crate) struct OwnedRow {
    pub line: u64,
    pub raw: String,
    pub cells: Result<Vec<(Field, String)>, ReadRejection>,
}

/// Validates a batch of owned rows; records borrow from `rows`.
pub(crate) fn validate_rows<'a>(rows: &'a [OwnedRow], validator: &Validator) -> Part<'a> {
    let mut part = Part::with_capacity(rows.len());
    let mut values = Values::new();
    for row in rows {
        let cells = match &row.cells {
            Ok(c) => c,
            Err((column, reason)) => {
                part.quarantine.push(QuarantineEntry::new(
                    row.line,
                    *column,
                    reason,
                    row.raw.clone(),
                ));
                continue;
            }
        };
        values.clear();
        for (field, text) in cells {
            values.set(*field, Cow::Borrowed(text.as_str()));
        }
        match validator.validate_keyed(row.line, &mut values) {
            Ok((record, key)) => part.accept(record, key, row.raw.as_bytes()),
            Err(r) => part.quarantine.push(QuarantineEntry::new(
                row.line,
                r.column,
                r.reason,
                row.raw.clone(),
            )),
        }
    }
    part
}
