//! Reference tables compiled into the binary (`crates/core/data/`, see its `NOTICE.md`):
//! mobile number segments, administrative divisions down to villages, the history of GB/T 2260
//! address codes (and the bitmap of every known 6-digit address code built from it), and bank
//! card BINs.
//!
//! Each table is embedded gzip-compressed with `include_bytes!` and decompressed and indexed once,
//! on first use, behind a [`std::sync::OnceLock`]; afterwards every lookup borrows from the
//! `'static` table and allocates nothing. The binary therefore works on a machine without the
//! shared data folder.
//!
//! The embedded tables are fixed at build time and their loading is covered by tests, so a table
//! that fails to load is a build defect and aborts with a message rather than returning an error
//! from every lookup.

mod address_codes;
mod address_history;
mod bank_bins;
mod divisions;
mod gz;
mod phone_segments;

pub use address_codes::{address_codes, AddressCodes};
pub use address_history::{address_code_history, AddressCodeHistory, HistoryLevel, HistoryRecord};
pub use bank_bins::{bank_bins, Bank, BankBin, BankBins, BinMatch, CardType};
pub use divisions::{divisions, Division, Divisions};
pub use phone_segments::{phone_segments, AreaCode, Carrier, PhoneSegments, Segment};
