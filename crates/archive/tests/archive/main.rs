//! The signal archive against real files: round trips, compaction, crash recovery at every
//! step, the lock, retention.

mod crash;
mod round_trip;
mod support;
