//! fanzha-sim — a synthetic city that behaves like the one an anti-fraud center watches.
//!
//! A real region's population (placed in real villages, with valid resident IDs, phone numbers
//! from the region's own number segments and bank cards with real BINs) lives a normal life —
//! calls, SMS, app installs, URL visits, transfers, new cards — while fraud campaigns of every
//! official type work through their scripts: fraud numbers dial strangers, victims move from a
//! first contact through long calls, fraud links and remote-control apps to transfers, and the
//! money is layered through mule accounts. Everything that happens to a victim, fraud number,
//! mule account or card seller is kept as ground truth.
//!
//! Entry points:
//! - [`Simulation`] — the generator, an iterator of [`fanzha_core::event::Signal`] in event time
//!   (the live stream; [`live::Paced`] paces it against the wall clock);
//! - [`output::write_city`] — the batch run into one file per feed plus `truth/`;
//! - [`feed`] — readers of such a directory for the other crates (`read_signals`, people,
//!   accounts, phones, truth).
//!
//! Architecture invariant: **the same parameters and seed give byte-identical output** — every
//! random draw comes from a ChaCha stream derived from the seed, and nothing depends on hash-map
//! iteration order or on the wall clock.

pub mod error;
pub mod feed;
pub mod format;
pub mod fraud;
pub mod fraud_type;
pub mod ledger;
pub mod live;
pub mod names;
pub mod normal;
pub mod numbers;
pub mod output;
pub mod params;
pub mod population;
pub mod records;
pub mod region;
pub mod rhythm;
pub mod rng;
pub mod schedule;
pub mod simulation;
pub mod stats;
pub mod tables;
pub mod truth;

pub use error::SimError;
pub use fraud_type::FraudType;
pub use params::SimParams;
pub use simulation::Simulation;
