//! A rate-limit counter in Redis that several API replicas share: a fixed
//! window per key, counted by one Lua script (INCR, and PEXPIRE on the
//! window's first hit) so that the count and its expiry are one atomic
//! step. The window is numbered by Redis's own clock (`TIME`), so replicas
//! whose clocks differ still count into the same window.

use crate::link::Link;
use crate::{CacheError, keys};
use std::time::Duration;

const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local key = KEYS[1] .. ':' .. math.floor(now / window)
local n = redis.call('INCR', key)
if n == 1 then redis.call('PEXPIRE', key, window) end
return {n, window - (now % window)}
";

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Within the allowance.
    pub allowed: bool,
    /// Requests counted in this window, this one included.
    pub count: u64,
    /// Milliseconds until the window ends.
    pub resets_in_ms: u64,
}

/// The shared counters.
pub struct SharedCounter {
    link: Link,
    script: redis::Script,
}

impl std::fmt::Debug for SharedCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCounter")
    }
}

impl SharedCounter {
    /// Counters in the Redis at `url`; connects on first use.
    pub fn new(url: &str) -> Result<SharedCounter, CacheError> {
        Ok(SharedCounter {
            link: Link::new(url)?,
            script: redis::Script::new(SCRIPT),
        })
    }

    /// Counts one request of `key` against `limit` per `window`.
    pub async fn hit(
        &self,
        key: &str,
        limit: u64,
        window: Duration,
    ) -> Result<Decision, CacheError> {
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        let prefix = keys::counter(key);
        let script = &self.script;
        let (count, resets_in_ms): (u64, u64) = self
            .link
            .run(|mut c| async move {
                let mut call = script.key(prefix);
                call.arg(window_ms);
                call.invoke_async(&mut c).await
            })
            .await?;
        Ok(Decision {
            allowed: count <= limit,
            count,
            resets_in_ms,
        })
    }
}
