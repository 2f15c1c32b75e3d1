//! Request rate limits per client address, per user and per API key
//! (governor's keyed GCRA limiters), answered 429 with `Retry-After`.

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use smc_config::api::RateLimitConfig;
use std::num::NonZeroU32;

/// One limiter shared by the three kinds of key (`ip:…`, `user:…`, `key:…`).
pub struct RateLimits {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
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
        }
    }

    /// Takes one request from `key`'s allowance, or says when to retry.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        // Lookup by &str would need the key owned anyway for a new entry.
        match self.limiter.check_key(&key.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(ApiError::too_many(
                    format!("too many requests from {key}; retry in {seconds} s"),
                    seconds,
                ))
            }
        }
    }

    /// Forgets keys whose allowance is full again (called now and then so
    /// that a scan of many addresses does not grow memory).
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}
