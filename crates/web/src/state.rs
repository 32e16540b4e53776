//! What every handler can reach.

use crate::auth::session::Sessions;
use crate::auth::throttle::LoginThrottle;
use fanzha_store::Store;
use std::sync::Arc;

/// Time source; tests substitute a fixed or stepping clock.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sessions: Arc<Sessions>,
    pub throttle: Arc<LoginThrottle>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            sessions: Arc::default(),
            throttle: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }
}
