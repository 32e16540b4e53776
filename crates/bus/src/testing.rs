//! A stream of its own for each test, on the NATS server of `FANZHA_TEST_NATS_URL`.
//!
//! Without the variable, [`test_config`] prints why the test skips and returns `None`; with
//! `FANZHA_REQUIRE_SERVICES=1` it panics instead, so CI cannot skip silently.

use crate::BusConfig;
use std::sync::atomic::{AtomicU64, Ordering};

/// A configuration whose stream and subjects no other test (or process) uses.
pub fn test_config() -> Option<BusConfig> {
    let url = match std::env::var("FANZHA_TEST_NATS_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            if std::env::var("FANZHA_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("FANZHA_REQUIRE_SERVICES=1 but FANZHA_TEST_NATS_URL is not set");
            }
            eprintln!("skipped: set FANZHA_TEST_NATS_URL=nats://… to run against NATS JetStream");
            return None;
        }
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tag = format!("{}_{n}_{nanos}", std::process::id());
    let mut config = BusConfig::with_stream(url, &format!("FZ_TEST_{tag}"));
    config.retention = std::time::Duration::from_secs(3600);
    Some(config)
}
