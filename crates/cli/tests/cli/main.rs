//! The CLI's end-to-end tests, as one test binary: each module runs the `fanzha` binary as a
//! user would, on a fresh data directory. One binary instead of one per file keeps the build
//! short.

mod common;

mod archive;
mod backup;
mod bench_workflow;
mod cards;
mod cases_import;
mod check;
mod demo;
mod figures;
mod guardians;
mod import_divisions;
mod import_records;
mod key_persons;
mod live_detection;
mod teams;
mod warnings_push;
