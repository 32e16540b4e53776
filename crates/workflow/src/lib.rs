//! The closed loop (闭环): a warning becomes an instruction for the unit that owns the person's
//! residence; the instruction moves through `issued → signed → contacting → outcome → closed`
//! as immutable events, with deadlines per warning level and escalation on breach.
//!
//! Architecture invariant: this crate is pure decision logic — no clock, no database, no network.
//! Time comes in as arguments (epoch ms UTC), persistence and notification live in the callers.

pub mod event;
pub mod figures;
pub mod instruction;
pub mod level;
pub mod outcome;
pub mod routing;
pub mod sla;

pub use event::{Action, Event};
pub use figures::{loop_figures, LoopFigures};
pub use instruction::{Instruction, Status, TransitionError};
pub use level::WarningLevel;
pub use outcome::{ContactChannel, Outcome, UnreachableReason};
pub use routing::{route, OrgTree, Route, RoutingPolicy};
pub use sla::{Deadlines, SlaKind, SlaPolicy, SlaTimes};
