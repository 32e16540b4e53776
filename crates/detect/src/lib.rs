//! fanzha-detect: the two-stage streaming detection engine.
//!
//! Stage 1 keeps the reputation of every calling / sending number over sliding windows (1 h,
//! 24 h, 7 d) and scores it ([`score`]); stage 2 keeps the risk of every person at the
//! receiving end and runs the rules ([`rules`], data in a TOML file) when their features change
//! materially; what fires becomes a [`warning::Warning`] with its evidence.
//!
//! **Architecture invariant: this crate does no I/O.** It consumes
//! [`fanzha_core::event::Signal`] values and returns warnings; rules arrive as text and
//! snapshots leave and return as bytes, all handed over by the caller.
//!
//! Entry point: [`engine::Engine`] (`ingest`, `ingest_batch`, `reload_rules`, `snapshot`,
//! `restore`).

pub mod config;
pub mod directory;
pub mod engine;
pub mod error;
pub mod features;
pub mod number;
pub mod number_kind;
pub mod number_table;
pub mod person;
mod prefetch;
pub mod rules;
pub mod score;
mod state_chunk;
pub mod synthetic;
pub mod warning;
pub mod window;

pub use config::EngineConfig;
pub use engine::{Engine, EngineStats, Ingested, MemoryReport, ScoreChange};
pub use error::DetectError;
pub use features::{FeatureValue, PersonFeatures};
pub use person::PersonKey;
pub use rules::RuleSet;
pub use warning::{Warning, WarningKind};
