//! Access tokens revoked before they expire: by a logout (its token id)
//! or by a user's deletion (every token issued to them before then). Kept
//! in memory; entries are dropped once the tokens they name have expired,
//! so the set stays as small as the access-token lifetime allows.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct Revocations {
    /// Token id → its expiry (unix seconds).
    tokens: Mutex<HashMap<String, i64>>,
    /// Username → tokens issued at or before this (unix seconds) are dead.
    users: Mutex<HashMap<String, i64>>,
}

impl Revocations {
    pub fn revoke_token(&self, jti: &str, exp: i64) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(jti.to_string(), exp);
    }

    pub fn revoke_user(&self, username: &str, now: i64) {
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(username.to_string(), now);
    }

    /// Whether a token `jti` issued to `username` at `iat` is revoked.
    pub fn is_revoked(&self, jti: &str, username: &str, iat: i64) -> bool {
        let token = self
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(jti);
        token
            || self
                .users
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(username)
                .is_some_and(|before| iat <= *before)
    }

    /// Drops entries that can no longer match a live token.
    pub fn prune(&self, now: i64, access_ttl: i64) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, exp| *exp > now);
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, at| *at + access_ttl > now);
    }
}
