//! Sessions: a random token in an HttpOnly, SameSite=Strict cookie maps to the logged-in
//! principal and a per-session CSRF token. Only a hash of the token is kept in memory.

use super::principal::Principal;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;

pub const COOKIE: &str = "fanzha_session";
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_MS: i64 = 8 * 3600 * 1000;

#[derive(Clone, Debug)]
pub struct Session {
    pub principal: Principal,
    pub csrf_token: String,
    pub last_seen_ms: i64,
}

#[derive(Default)]
pub struct Sessions {
    by_token_hash: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// Starts a session; returns the cookie token.
    pub fn create(&self, principal: Principal, now_ms: i64) -> (String, Session) {
        let token = random_token();
        let session = Session {
            principal,
            csrf_token: random_token(),
            last_seen_ms: now_ms,
        };
        let mut map = self.by_token_hash.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| now_ms - s.last_seen_ms < IDLE_TIMEOUT_MS);
        map.insert(digest(&token), session.clone());
        (token, session)
    }

    /// The live session for `token`, refreshing its idle timer.
    pub fn touch(&self, token: &str, now_ms: i64) -> Option<Session> {
        let mut map = self.by_token_hash.lock().unwrap_or_else(|e| e.into_inner());
        let key = digest(token);
        let session = map.get_mut(&key)?;
        if now_ms - session.last_seen_ms >= IDLE_TIMEOUT_MS {
            map.remove(&key);
            return None;
        }
        session.last_seen_ms = now_ms;
        Some(session.clone())
    }

    pub fn end(&self, token: &str) {
        self.by_token_hash
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&digest(token));
    }

    /// Ends every session of a user (password change, deactivation).
    pub fn end_all_for(&self, login: &str) {
        self.by_token_hash
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, s| s.principal.login != login);
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Keyed by a digest so a memory dump does not hand out live tokens.
fn digest(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

/// Constant-time comparison for CSRF tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_store::Role;

    fn principal() -> Principal {
        Principal {
            login: "li".into(),
            display_name: "李".into(),
            unit_code: "330281".into(),
            roles: vec![Role::UnitCommander],
            joint_member: None,
            bank_code: None,
            operator: None,
        }
    }

    #[test]
    fn a_session_lives_until_idle_timeout() {
        let s = Sessions::default();
        let (token, created) = s.create(principal(), 0);
        assert_eq!(
            s.touch(&token, 1000).unwrap().csrf_token,
            created.csrf_token
        );
        assert!(
            s.touch(&token, 1000 + IDLE_TIMEOUT_MS - 1).is_some(),
            "touching refreshes"
        );
        assert!(s.touch(&token, 1000 + 2 * IDLE_TIMEOUT_MS).is_none());
        assert!(s.touch("forged", 0).is_none());
    }

    #[test]
    fn logout_and_end_all_remove_sessions() {
        let s = Sessions::default();
        let (a, _) = s.create(principal(), 0);
        let (b, _) = s.create(principal(), 0);
        s.end(&a);
        assert!(s.touch(&a, 1).is_none());
        s.end_all_for("li");
        assert!(s.touch(&b, 1).is_none());
    }

    #[test]
    fn csrf_comparison() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "abcd"));
    }
}
