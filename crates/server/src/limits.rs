//! Request rate limits per client address, per user and per API key,
//! answered 429 with `Retry-After`. In-process (governor's keyed GCRA
//! limiters) by default; with `storage.redis_url` the allowance lives in
//! Redis so that several API replicas share one allowance per key (a
//! fixed window of `burst / per_second` seconds allowing `burst`
//! requests, counted by [`smc_cache::SharedCounter`]). While Redis cannot
//! be reached each server falls back to its own in-process limiter, and
//! says so once in the log (and once again when Redis is back).

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use smc_cache::SharedCounter;
use smc_config::api::RateLimitConfig;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The allowance shared through Redis.
struct Shared {
    counter: SharedCounter,
    limit: u64,
    window: Duration,
    /// Whether the fallback to the in-process limiter was logged.
    falling_back: AtomicBool,
}

/// One limiter shared by the three kinds of key (`ip:…`, `user:…`, `key:…`).
pub struct RateLimits {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    shared: Option<Shared>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> RateLimits {
        let per_second = NonZeroU32::new(config.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.burst).unwrap_or(per_second);
        RateLimits {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            ),
            clock: DefaultClock::default(),
            shared: None,
        }
    }

    /// As [`RateLimits::new`], counting in the Redis at `redis_url`.
    pub fn shared(
        config: RateLimitConfig,
        redis_url: &str,
    ) -> Result<RateLimits, smc_cache::CacheError> {
        let per_second = u64::from(config.per_second.max(1));
        let burst = u64::from(config.burst).max(per_second);
        let window = Duration::from_millis((burst * 1_000).div_ceil(per_second));
        Ok(RateLimits {
            shared: Some(Shared {
                counter: SharedCounter::new(redis_url)?,
                limit: burst,
                window,
                falling_back: AtomicBool::new(false),
            }),
            ..RateLimits::new(config)
        })
    }

    /// Takes one request from `key`'s allowance, or says when to retry.
    pub async fn check(&self, key: &str) -> Result<(), ApiError> {
        if let Some(shared) = &self.shared {
            match shared.counter.hit(key, shared.limit, shared.window).await {
                Ok(decision) => {
                    if shared.falling_back.swap(false, Ordering::Relaxed) {
                        tracing::info!("Redis answers again: rate limits are shared again");
                    }
                    if decision.allowed {
                        return Ok(());
                    }
                    let seconds = decision.resets_in_ms.div_ceil(1_000).max(1);
                    return Err(too_many(key, seconds));
                }
                Err(e) => {
                    if !shared.falling_back.swap(true, Ordering::Relaxed) {
                        tracing::warn!("rate limits fall back to this server's own limiter: {e}");
                    }
                }
            }
        }
        self.check_local(key)
    }

    fn check_local(&self, key: &str) -> Result<(), ApiError> {
        // Lookup by &str would need the key owned anyway for a new entry.
        match self.limiter.check_key(&key.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(too_many(key, seconds))
            }
        }
    }

    /// Forgets keys whose allowance is full again (called now and then so
    /// that a scan of many addresses does not grow memory).
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}

fn too_many(key: &str, seconds: u64) -> ApiError {
    ApiError::too_many(
        format!("too many requests from {key}; retry in {seconds} s"),
        seconds,
    )
}
