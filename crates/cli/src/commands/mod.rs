//! One module per subcommand.

pub mod check;
pub mod database;
pub mod demo;
pub mod errors;
pub mod import;
pub mod import_divisions;
pub mod import_records;
pub mod migrate;
pub mod units;
pub mod model;
pub mod detect;
pub mod eval;
pub mod rules;
pub mod simulate;
pub mod bench;
pub mod trace;
pub mod text;
pub mod user;
