//! Readers for fanzha's record feeds: people, phone numbers and bank accounts from CSV (UTF-8 or
//! GBK/GB18030, detected; gzip-compressed or not), XLSX and NDJSON.
//!
//! A file goes through [`import_file`]: its encoding is detected, its header mapped to
//! [`Field`]s through the alias table (`aliases.toml`), and every row validated into the domain
//! types of `fanzha-core` ([`Record`]). A row that fails becomes a [`QuarantineEntry`] with its
//! line, column and reason; records and quarantine entries reach the consumer ([`Sink`]) in
//! [`Batch`]es, so memory stays bounded whatever the file's size. CSV is parsed in parallel.
//!
//! Case reports (110 / 96110 exports) have their own reader, [`reports::read_reports`]: one
//! validated report per row, by the report alias table (`reports.toml`).
//!
//! Architecture invariant: this crate depends only on `fanzha-core`; it knows nothing of the
//! database. Storing is the consumer's business.

mod batch;
pub mod card_closures;
pub mod cleanup_answers;
mod csv_mapped;
mod csv_reader;
pub mod csv_rows;
mod days;
pub mod encoding;
mod error;
mod field;
mod file_hash;
mod format;
pub mod guardians;
pub mod header;
pub mod joint_tasks;
pub mod key_person_list;
mod key_set;
pub mod monthly_figures;
mod ndjson;
pub mod new_cards;
pub mod operation_targets;
mod pipeline;
pub mod populations;
pub mod quarantine;
mod record;
pub mod reports;
mod slot_table;
mod stage;
mod summary;
pub mod synthetic;
mod table_rows;
pub mod team_members;
pub mod two_card_leads;
mod validate;
mod values;
pub mod warning_pushes;
mod xlsx;

pub use batch::{Batch, CountingSink, Records, RecordsIntoIter, Sink};
pub use csv_reader::MAX_ROW_BYTES;
pub use error::IngestError;
pub use field::{Field, Presence, RecordKind};
pub use format::Format;
pub use header::HeaderMap;
pub use pipeline::{content_hash, import_file, ImportOptions};
pub use quarantine::QuarantineEntry;
pub use record::{AccountRecord, PersonRecord, PhoneRecord, Record};
pub use summary::ImportSummary;
pub use validate::{parse_flag, Rejection, Validator, MAX_TEXT_CHARS};
pub use values::Values;
