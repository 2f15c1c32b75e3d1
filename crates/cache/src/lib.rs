//! Redis as the shared cache of `smc serve` (`storage.redis_url`).
//!
//! The primary, which hosts the sessions, writes each session's latest
//! state ([`SessionSnapshot`]) through a [`CacheWriter`]: off the session's
//! path (a slot per session that only keeps the newest snapshot, drained by
//! one task), one MULTI/EXEC per snapshot, every key with an expiry that is
//! refreshed while the session lives. API replicas read it back through a
//! [`CacheReader`]. [`SharedCounter`] gives several replicas one rate-limit
//! allowance per key.
//!
//! Everything here is derived from the sessions' events (and so from their
//! journals): losing Redis loses no trading state, and the writer simply
//! resumes once Redis answers again.
//!
//! Keys (all JSON values carry `"schema": 1`):
//! - `smc:sessions`: a hash, session id → its summary with `heartbeat_ms`;
//! - `smc:session:<id>:<part>`: one string per part (`summary`, `positions`,
//!   `orders`, `equity`, `breakers`, `health`, `risk`, `detections`,
//!   `fills`), `{"schema":1,"session":…,"written_ms":…,"data":…}`.
//!
//! A session is live while its `summary` key exists: its expiry ([`DEFAULT_TTL`],
//! 5 minutes) is pushed forward by every write and by the writer's
//! heartbeat (every third of the expiry), so a primary that dies leaves
//! keys that vanish on their own.

#![forbid(unsafe_code)]

/// Rate-limit counters shared by replicas.
pub mod counter;
/// Key names.
pub mod keys;
/// One Redis connection, reconnected after failures.
mod link;
/// Reading sessions back.
pub mod reader;
/// Writing session snapshots.
pub mod writer;

pub use counter::{Decision, SharedCounter};
pub use reader::{CacheReader, CachedSession};
pub use writer::{CacheWriter, SessionSnapshot, WriterStats};

use std::time::Duration;

/// The version of the JSON written under every key.
pub const SCHEMA: u32 = 1;

/// How long a key lives without being refreshed.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// What went wrong talking to Redis.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The URL is not a `redis://` or `rediss://` URL redis-rs accepts.
    #[error("storage.redis_url: {0}")]
    Url(String),
    /// Redis did not answer, or answered with an error.
    #[error("Redis is unreachable: {0}")]
    Unreachable(String),
    /// A value under a key is not what this version writes.
    #[error("Redis key `{key}`: {reason}")]
    Malformed { key: String, reason: String },
}

impl From<redis::RedisError> for CacheError {
    fn from(e: redis::RedisError) -> Self {
        CacheError::Unreachable(e.to_string())
    }
}

/// Checks that `url` is a Redis URL (without connecting).
pub fn check_url(url: &str) -> Result<(), CacheError> {
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(CacheError::Url(
            "expected redis://HOST:PORT or rediss://HOST:PORT".into(),
        ));
    }
    redis::Client::open(url)
        .map(drop)
        .map_err(|e| CacheError::Url(e.to_string()))
}
