//! The one table of stable error codes. Every user-facing error in fanzha maps to exactly one
//! code here; `docs/errors.md` is generated from this table (`fanzha errors --markdown`) and a
//! test keeps the two in step.

/// Broad class of an error, used for the HTTP status and for exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller sent something invalid; fix the input.
    InvalidInput,
    /// The caller may not do this.
    Forbidden,
    /// The thing does not exist (or is outside the caller's scope).
    NotFound,
    /// A concurrent change won; reload and retry.
    Conflict,
    /// A dependency (database, broker, file system) failed; retry or check the service.
    Unavailable,
    /// A defect in fanzha; report it.
    Internal,
}

impl ErrorKind {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput => 400,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

macro_rules! error_codes {
    ($( $variant:ident => ($code:literal, $kind:ident, $what_to_do:literal), )*) => {
        /// A stable, documented error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];
            /// The code as shown to users and in JSON (`snake_case`, never changes).
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }
            pub fn kind(self) -> ErrorKind {
                match self { $( ErrorCode::$variant => ErrorKind::$kind, )* }
            }
            /// What the user should do about it.
            pub fn what_to_do(self) -> &'static str {
                match self { $( ErrorCode::$variant => $what_to_do, )* }
            }
        }
    };
}

error_codes! {
    // configuration and files
    ConfigInvalid => ("config_invalid", InvalidInput, "Fix the named key in fanzha.toml or the FANZHA_* variable."),
    DataDirUnusable => ("data_dir_unusable", Unavailable, "Make the data directory writable or choose another with --data-dir."),
    FileUnreadable => ("file_unreadable", InvalidInput, "Check the path and permissions of the input file."),
    FileFormatUnknown => ("file_format_unknown", InvalidInput, "Use .csv, .csv.gz, .xlsx, .ndjson or .parquet, or pass --format."),
    HeaderMissingColumn => ("header_missing_column", InvalidInput, "Add the named column or an alias of it to the file's header row."),
    ReferenceDataMissing => ("reference_data_missing", InvalidInput, "Pass the path to ../shared/data or set FANZHA_DATA_ROOT."),
    // domain validation (row-level reasons are listed separately in docs/reasons.md)
    InvalidPhone => ("invalid_phone", InvalidInput, "Give an 11-digit mainland mobile, a fixed line with area code, a service number or +country code."),
    InvalidResidentId => ("invalid_resident_id", InvalidInput, "Check the 18-digit number: check digit, birth date and region code."),
    InvalidBankCard => ("invalid_bank_card", InvalidInput, "Check the card number's length and Luhn check digit."),
    InvalidCreditCode => ("invalid_credit_code", InvalidInput, "Check the 18-character unified social credit code and its check character."),
    InvalidDivisionCode => ("invalid_division_code", InvalidInput, "Give a 2, 4, 6, 9 or 12 digit code that exists in the division tables."),
    InvalidMoney => ("invalid_money", InvalidInput, "Write the amount as 1234.56, 1,234.56, 1234.56元, 1.2万 or ¥88."),
    InvalidTime => ("invalid_time", InvalidInput, "Write times as RFC 3339 (2026-01-02T03:04:05+08:00) or 'YYYY-MM-DD HH:MM:SS' in Asia/Shanghai."),
    // store
    DatabaseUnavailable => ("database_unavailable", Unavailable, "Check database_url and that the database server is running."),
    DatabaseMigration => ("database_migration", Internal, "Run `fanzha migrate`; if it fails, restore the last backup and report the error."),
    DatabaseQuery => ("database_query", Internal, "Retry; if it persists, report the error with the log line."),
    // backup and restore
    BackupFailed => ("backup_failed", Unavailable, "Check free space where the backup goes and, for PostgreSQL, that pg_dump / pg_restore of the server's major version are installed (apt-get install postgresql-client)."),
    BackupDamaged => ("backup_damaged", InvalidInput, "A file of the backup is missing or does not match its manifest's checksum: restore another backup."),
    RestoreRefused => ("restore_refused", Conflict, "The target already holds a database or an engine snapshot: pass --force to replace it (an SQLite file is kept beside as *.before-restore-<time>)."),
    // bus
    BusUnavailable => ("bus_unavailable", Unavailable, "Check nats_url (FANZHA_NATS_URL) and that the NATS server runs with JetStream enabled (`nats-server -js`)."),
    BusStream => ("bus_stream", Unavailable, "The signal stream could not be created or read; check the NATS server's JetStream limits and that the stream's subjects do not overlap another stream's."),
    // signal archive
    ArchiveLocked => ("archive_locked", Conflict, "Another process archives this stream into the same directory: run one archiver per stream and directory (stop the other, or pass another --dir)."),
    ArchiveDamaged => ("archive_damaged", Unavailable, "The archive's state file ARCHIVE.json cannot be read: restore it from a backup, or move the stream's archive directory away to start a new archive."),
    NotFound => ("not_found", NotFound, "Check the id; it may be outside your unit's area."),
    UnitNotFound => ("unit_not_found", NotFound, "Import the org tree first (`fanzha import divisions --root CODE`) or check the code."),
    Conflict => ("conflict", Conflict, "Someone changed this first; reload and try again."),
    RecordInvalid => ("record_invalid", InvalidInput, "Fix the named field of the record (unit code, parent, role, bank code) and retry."),
    // auth
    Unauthenticated => ("unauthenticated", Forbidden, "Log in again."),
    Forbidden => ("forbidden", Forbidden, "Ask your unit's administrator for the role this needs."),
    OutOfScope => ("out_of_scope", NotFound, "This record belongs to another unit's area."),
    // closed loop
    InstructionIllegalTransition => ("instruction_illegal_transition", Conflict, "The instruction is no longer in a state that allows this; reload it and choose an available action."),
    InstructionCommandInvalid => ("instruction_command_invalid", InvalidInput, "Push an instruction only to a unit below the one holding it, and name existing units and users."),
    // analysis groups
    AnalysisGroupTypeTaken => ("analysis_group_type_taken", Conflict, "A fraud type belongs to one active analysis group of a unit: remove it from the group the message names, or deactivate that group, then save again."),
    // web
    RequestInvalid => ("request_invalid", InvalidInput, "Fix the request as the message says; /api/openapi.json describes every endpoint's shape."),
    LoginFailed => ("login_failed", Forbidden, "Check the login name and password; after 5 failures logins pause for 15 minutes."),
    LoginThrottled => ("login_throttled", Forbidden, "Too many failed logins: wait until the time shown, or ask an administrator."),
    CsrfRejected => ("csrf_rejected", Forbidden, "Reload the page and try again; the form was older than your session."),
    PasswordTooWeak => ("password_too_weak", InvalidInput, "Choose a password of at least 10 characters."),
    PeriodTooLarge => ("period_too_large", InvalidInput, "The period holds more records than one file carries: narrow the period (fewer days) and export it in parts."),
    AssessmentSchemeInvalid => ("assessment_scheme_invalid", InvalidInput, "Fix the assessment file (assessment_file in fanzha.toml or FANZHA_ASSESSMENT_FILE) as the message says: indicator codes from docs/assessment.md, better = \"higher\" or \"lower\", weights above 0 that sum to 100, floor 0 to 99."),
    // models and engines
    ModelInvalid => ("model_invalid", InvalidInput, "Retrain the model with this version of fanzha (`fanzha model train`)."),
    RuleInvalid => ("rule_invalid", InvalidInput, "Fix the named rule's condition in the rules file; the previous rules stay active."),
    SnapshotInvalid => ("snapshot_invalid", InvalidInput, "The engine snapshot is damaged or from another version; start from an older snapshot or replay the feed from the start."),
    TraceAccountUnknown => ("trace_account_unknown", InvalidInput, "The start account has no transfers in the extract; check the number and time range."),
    TraceParamsInvalid => ("trace_params_invalid", InvalidInput, "Give a hop limit from 1 to 64 and a positive reported amount in fen."),
    StopPaymentIllegalTransition => ("stop_payment_illegal_transition", Conflict, "The stop-payment is no longer in a state that allows this (renewed twice, expired, failed or frozen); reload it and choose an available action."),
    StopPaymentAmountInvalid => ("stop_payment_amount_invalid", InvalidInput, "Give a held amount between 1 fen and the amount requested."),
    TextLabelUnknown => ("text_label_unknown", InvalidInput, "Use a fraud-type code (order_brushing, fake_loan, …, other, normal) or its Chinese name (刷单返利 …) in the label column."),
    TrainingSetTooSmall => ("training_set_too_small", InvalidInput, "Give at least two fraud types with enough labelled texts (and at least as many per type as folds)."),
    ModelDataInvalid => ("model_data_invalid", InvalidInput, "Fix the named row and column: features are numbers (empty, NaN or \\N when missing), labels are 0 or 1, and both classes are present."),
    SimulationParamsInvalid => ("simulation_params_invalid", InvalidInput, "Give a region code that exists in the division tables, at least one person and one day, and a speed or rate above zero."),
    FeedRowInvalid => ("feed_row_invalid", InvalidInput, "The named feed file has a row that does not match its documented columns (docs/simulation.md); regenerate the file or fix the row."),
    // generic
    Io => ("io", Unavailable, "Check disk space and permissions."),
    Internal => ("internal", Internal, "A defect in fanzha: report it with the log line."),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implemented by every error type that reaches a user.
pub trait Coded {
    fn code(&self) -> ErrorCode;
}

/// The error-code table as Markdown (the body of `docs/errors.md`).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "# Error codes\n\nGenerated from `crates/core/src/error_code.rs` by `fanzha errors --markdown`.\n\n\
         | code | kind | HTTP | what to do |\n|---|---|---|---|\n",
    );
    for c in ErrorCode::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.as_str(),
            c.kind().as_str(),
            c.kind().http_status(),
            c.what_to_do()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c);
            assert!(c
                .as_str()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        }
    }

    #[test]
    fn docs_table_matches_enum() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md");
        let on_disk = std::fs::read_to_string(path).expect("docs/errors.md exists");
        assert_eq!(
            on_disk,
            markdown_table(),
            "regenerate with `fanzha errors --markdown > docs/errors.md`"
        );
    }
}
