//! Login throttling: after repeated failures for one login or from one address, further
//! attempts are refused for a while, so passwords cannot be guessed at speed.

use std::collections::HashMap;
use std::sync::Mutex;

/// Failures allowed inside the window before the key is locked.
pub const MAX_FAILURES: usize = 5;
/// Window over which failures are counted, and how long a lock lasts.
pub const WINDOW_MS: i64 = 15 * 60_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl LoginThrottle {
    /// Milliseconds until `key` may try again; `None` when it may try now.
    pub fn locked_for(&self, key: &str, now_ms: i64) -> Option<i64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let recent: Vec<i64> = map
            .get(key)?
            .iter()
            .copied()
            .filter(|t| now_ms - t < WINDOW_MS)
            .collect();
        if recent.len() >= MAX_FAILURES {
            let newest = recent.iter().copied().max().unwrap_or(now_ms);
            Some(newest + WINDOW_MS - now_ms)
        } else {
            None
        }
    }

    pub fn record_failure(&self, key: &str, now_ms: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.entry(key.to_string()).or_default();
        list.retain(|t| now_ms - t < WINDOW_MS);
        list.push(now_ms);
        // Bound memory under attack: a key never keeps more than a lock's worth of entries.
        if list.len() > MAX_FAILURES * 2 {
            list.drain(..list.len() - MAX_FAILURES * 2);
        }
    }

    pub fn record_success(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_key_for_the_window() {
        let t = LoginThrottle::default();
        for i in 0..MAX_FAILURES as i64 {
            assert_eq!(t.locked_for("u", 1000 + i), None);
            t.record_failure("u", 1000 + i);
        }
        let wait = t.locked_for("u", 2000).expect("locked");
        assert!(wait > WINDOW_MS - 2000 && wait <= WINDOW_MS);
        assert_eq!(
            t.locked_for("other", 2000),
            None,
            "other keys are unaffected"
        );
        assert_eq!(
            t.locked_for("u", 1004 + WINDOW_MS),
            None,
            "the lock expires"
        );
    }

    #[test]
    fn success_clears_the_count() {
        let t = LoginThrottle::default();
        for i in 0..4 {
            t.record_failure("u", i);
        }
        t.record_success("u");
        t.record_failure("u", 10);
        assert_eq!(t.locked_for("u", 11), None);
    }
}
