//! One module per subcommand.

pub mod bench;
pub mod bench_workflow;
pub mod cards;
pub mod cards_eval;
pub mod cases;
pub mod check;
pub mod database;
pub mod demo;
pub mod demo_cases;
pub mod detect;
pub mod errors;
pub mod eval;
pub mod guardians;
pub mod import;
pub mod import_divisions;
pub mod import_records;
pub mod key_persons;
pub mod migrate;
pub mod model;
pub mod rules;
pub mod simulate;
pub mod text;
pub mod trace;
pub mod units;
pub mod user;
pub mod warnings;
