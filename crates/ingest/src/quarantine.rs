//! The quarantine: every rejected row, kept with where it came from and why, so that nothing
//! in a file silently vanishes.

use crate::field::Field;
use serde::Serialize;

/// Row-level reasons (value-level reasons such as `bad_check_digit` come from `fanzha-core`).
pub mod reason {
    /// The row has more or fewer fields than the header.
    pub const WRONG_FIELD_COUNT: &str = "wrong_field_count";
    /// A required field is empty.
    pub const EMPTY_REQUIRED: &str = "empty_required";
    /// The record's key (ID number, phone, account) already appeared earlier in the same file.
    pub const DUPLICATE_IN_FILE: &str = "duplicate_in_file";
    /// The row's bytes are not valid in the file's encoding.
    pub const ENCODING_ERROR: &str = "encoding_error";
    /// A quoted field is never closed; the row's first line is quarantined and reading resumes
    /// on the next line.
    pub const UNTERMINATED_QUOTE: &str = "unterminated_quote";
    /// An NDJSON line is not a JSON object.
    pub const BAD_JSON: &str = "bad_json";
    /// A yes/no field holds something other than 是/否, true/false, 1/0, y/n.
    pub const BAD_FLAG: &str = "bad_flag";
    /// A text field is longer than the store accepts.
    pub const TOO_LONG: &str = "too_long";

    /// All row-level reasons, for documentation and tests.
    pub const ALL: [&str; 8] = [
        WRONG_FIELD_COUNT,
        EMPTY_REQUIRED,
        DUPLICATE_IN_FILE,
        ENCODING_ERROR,
        UNTERMINATED_QUOTE,
        BAD_JSON,
        BAD_FLAG,
        TOO_LONG,
    ];
}

/// One rejected row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuarantineEntry {
    /// Physical line number in the file (1-based, the header is line 1); for XLSX the sheet
    /// row number, for NDJSON the line number.
    pub line: u64,
    /// The field whose value was rejected, if the reason concerns one field.
    pub column: Option<Field>,
    /// Stable reason code (`bad_check_digit`, `wrong_field_count` …).
    pub reason: &'static str,
    /// The row as it stood in the file (decoded to UTF-8; invalid bytes replaced by U+FFFD).
    pub raw: String,
}

impl QuarantineEntry {
    pub fn new(
        line: u64,
        column: Option<Field>,
        reason: &'static str,
        raw: impl Into<String>,
    ) -> Self {
        QuarantineEntry {
            line,
            column,
            reason,
            raw: raw.into(),
        }
    }
}
