//! Live detection on the signal bus, for `fanzha serve` (beside the web server) and
//! `fanzha worker` (a process of its own): signals read in stream order from NATS JetStream,
//! run through the engine, warnings handed to the closed loop exactly once, the engine's state
//! snapshotted with the stream sequence it covers so that a restart resumes there.
//!
//! - `checkpoint.rs`: the snapshot file (written beside, then renamed over the last one);
//! - `detection.rs`: the loop, its periodic work (directory, rules, shut-down numbers,
//!   snapshots) and the quarantine of messages that are not signals;
//! - `incoming.rs`: an engine warning as the closed loop receives it (shared with the demo);
//! - `relay.rs`: a worker's notices to the web server's live pages over the bus;
//! - `archiving.rs`: the stream into the signal archive (Parquet by day, `fanzha-archive`).

pub mod archiving;
mod checkpoint;
mod detection;
pub mod incoming;
pub mod relay;

pub use checkpoint::Checkpoint;
pub use detection::{Detection, DetectionOptions};

/// After the signal stream was lost (the server restarted or the connection dropped): waits a
/// second for the client to reconnect on its own, then reads again from the message after
/// `through` (keeping the old reader when the stream cannot be opened yet: the next read fails
/// again and brings the loop back here).
pub(crate) async fn read_again(
    bus: &fanzha_bus::Bus,
    reader: &mut fanzha_bus::Reader,
    through: u64,
    error: &fanzha_bus::BusError,
) {
    tracing::warn!(%error, after = through, "signal stream lost; reading again");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    if let Ok(r) = bus.read_from(through + 1).await {
        *reader = r;
    }
}

/// How many messages after `through` the stream (holding `first..=last`) no longer has: a
/// process down longer than the stream's retention resumes at `first`, and says so.
pub(crate) fn lost_to_retention((first, last): (u64, u64), through: u64) -> u64 {
    if first <= through + 1 || first > last {
        return 0;
    }
    tracing::warn!(
        from = through + 1,
        to = first - 1,
        "the stream no longer holds these signals (older than its retention): reading resumes after them"
    );
    first - (through + 1)
}
