//! The closed loop (闭环): a warning becomes an instruction for the unit that owns the person's
//! residence; the instruction moves through `issued → signed → contacting → outcome → closed`
//! as immutable events, with deadlines per warning level and escalation on breach.
//!
//! Architecture invariant: the state machine, routing, SLA and figures modules are pure decision
//! logic — no clock, no database, no network; time comes in as arguments (epoch ms UTC).
//! [`service`] is the one module that persists their decisions in the store, audits them and
//! announces them; [`notify`] carries the announcements to outside systems as webhooks.

pub mod command;
pub mod error;
pub mod event;
pub mod figures;
mod group_commit;
pub mod instruction;
pub mod level;
pub mod notify;
pub mod outcome;
pub mod routing;
pub mod service;
pub mod sla;

pub use command::Command;
pub use error::LoopError;
pub use event::{Action, Event};
pub use figures::{loop_figures, LoopFigures};
pub use instruction::{Instruction, Status, TransitionError};
pub use level::WarningLevel;
pub use notify::{CallPolicy, DispatcherHandle, RecordedCall, WebhookConfig, WebhookDispatcher};
pub use outcome::{ContactChannel, Outcome, UnreachableReason};
pub use routing::{route, OrgTree, Route, RoutingPolicy};
pub use service::{
    Actor, IncomingWarning, InstructionView, JointTaskStep, LoopService, Notice, Received, UnitTree,
};
pub use sla::{Deadlines, SlaKind, SlaPolicy, SlaTimes};
