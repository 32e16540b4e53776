//! fanzha-trace: following victim money through the transfer graph, and planning the
//! stop-payments that hold it.
//!
//! - [`graph`]: the transfer graph (CSR, sorted by time, 32 bytes per transfer);
//! - [`trace`]: the time-respecting forward trace with FIFO or proportional attribution,
//!   incremental when a new extract arrives; [`ledger`] holds the attribution policies;
//! - [`result`]: holders, totals; [`tree`]: the flow tree as output;
//! - [`reach`]: time-respecting reachability (no amounts), the reference rule;
//! - [`book`]: account numbers ↔ graph indices and the transfers taken in so far;
//! - [`stop_payment`]: stop-payment requests, their life cycle and pro-rata returns;
//! - [`eval`]: recall and false-hop rate against labelled laundering transfers;
//! - [`bench`]: a deterministic layering generator for the performance benchmark;
//! - [`io`]: the only module that touches files: bank extracts (CSV, XLSX) and AMLSim data.
//!
//! Architecture invariant: everything outside [`io`] is pure — no files, no clock, no network.

pub mod bench;
pub mod book;
pub mod error;
pub mod eval;
pub mod graph;
pub mod io;
pub mod ledger;
pub mod reach;
pub mod result;
pub mod stop_payment;
pub mod trace;
pub mod tree;

pub use book::TransferBook;
pub use error::TraceError;
pub use graph::{AccountIx, Edge, Graph};
pub use ledger::Policy;
pub use trace::{Flow, FlowKind, TraceParams, Tracer};
