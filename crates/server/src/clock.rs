//! The server's clock: the wall clock plus an offset that tests move
//! forward, so that token expiry and throttling windows are tested without
//! sleeping. Nothing in production moves it.

use smc_model::{Clock, Timestamp, WallClock};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

#[derive(Debug, Default)]
pub struct ServerClock {
    offset_ms: AtomicI64,
}

impl ServerClock {
    pub fn now(&self) -> Timestamp {
        let wall = WallClock.now();
        Timestamp::from_ms(
            wall.ms()
                .saturating_add(self.offset_ms.load(Ordering::Relaxed)),
        )
    }

    /// Seconds since the epoch.
    pub fn unix(&self) -> i64 {
        self.now().ms().div_euclid(1000)
    }

    /// Moves the clock forward (tests).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
