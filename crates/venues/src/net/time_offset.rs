//! The venue's clock as seen from here: local wall clock plus an offset
//! learned from the venue's time endpoint. Signed requests carry venue
//! time, so a drifting host clock does not get them refused.

use smc_model::{Clock, WallClock};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Shared, lock-free venue clock offset (venue − local, in ms).
#[derive(Debug, Clone, Default)]
pub struct TimeOffset {
    offset_ms: Arc<AtomicI64>,
}

impl TimeOffset {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// The venue's current time estimated from the local wall clock.
    pub fn venue_now_ms(&self) -> i64 {
        (WallClock.now() + self.offset_ms()).ms()
    }

    /// Learns the offset from a server time read between two local times
    /// (request sent at `sent_ms`, answer received at `received_ms`): the
    /// server read its clock at about the midpoint.
    pub fn observe(&self, sent_ms: i64, server_ms: i64, received_ms: i64) -> i64 {
        let midpoint = sent_ms + (received_ms - sent_ms) / 2;
        let offset = server_ms - midpoint;
        self.offset_ms.store(offset, Ordering::Relaxed);
        offset
    }

    /// Reads the venue's clock with `server_time` (a request not yet sent:
    /// futures do nothing until awaited, so the local clock is read just
    /// before it goes out and just after it answers) and learns the offset.
    pub async fn sync_with<E>(
        &self,
        server_time: impl Future<Output = Result<i64, E>>,
    ) -> Result<i64, E> {
        let sent = WallClock.now().ms();
        let server = server_time.await?;
        let received = WallClock.now().ms();
        Ok(self.observe(sent, server, received))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_uses_the_round_trip_midpoint() {
        let t = TimeOffset::new();
        assert_eq!(t.observe(1_000, 5_000, 1_200), 3_900);
        assert_eq!(t.clone().offset_ms(), 3_900, "clones share the offset");
    }
}
