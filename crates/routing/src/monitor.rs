//! What the router needs to know of a venue's recent behaviour, kept from
//! the session's events: whether it is connected, its circuit breaker,
//! errors and disconnects in a sliding window, and its order round trip
//! (an exponentially weighted mean, so one slow answer counts but fades).

use crate::venue::Health;
use rust_decimal::Decimal;
use std::collections::VecDeque;

/// One venue's recent behaviour. Times are epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueMonitor {
    /// How far back errors and disconnects count.
    pub window_ms: i64,
    connected: bool,
    breaker_tripped: bool,
    errors: VecDeque<i64>,
    disconnects: VecDeque<i64>,
    latency_ms: Option<Decimal>,
}

/// The weight of a new round trip in the mean (1/8, as TCP's SRTT).
const LATENCY_WEIGHT: Decimal = Decimal::from_parts(125, 0, 0, false, 3);

impl VenueMonitor {
    /// A venue not connected yet, counting the last `window_ms`.
    pub fn new(window_ms: i64) -> Self {
        VenueMonitor {
            window_ms,
            connected: false,
            breaker_tripped: false,
            errors: VecDeque::new(),
            disconnects: VecDeque::new(),
            latency_ms: None,
        }
    }

    pub fn connected(&mut self) {
        self.connected = true;
    }

    pub fn disconnected(&mut self, at_ms: i64) {
        if self.connected {
            self.disconnects.push_back(at_ms);
        }
        self.connected = false;
    }

    pub fn error(&mut self, at_ms: i64) {
        self.errors.push_back(at_ms);
    }

    pub fn breaker(&mut self, tripped: bool) {
        self.breaker_tripped = tripped;
    }

    /// Records an order's round trip.
    pub fn round_trip(&mut self, ms: Decimal) {
        let ms = ms.max(Decimal::ZERO);
        self.latency_ms = Some(match self.latency_ms {
            None => ms,
            Some(mean) => mean + (ms - mean) * LATENCY_WEIGHT,
        });
    }

    /// The mean round trip (`default` before any was measured).
    pub fn latency_ms(&self, default: Decimal) -> Decimal {
        self.latency_ms.unwrap_or(default)
    }

    /// The health at `now_ms`, forgetting what left the window.
    pub fn health(&mut self, now_ms: i64) -> Health {
        let since = now_ms - self.window_ms;
        for q in [&mut self.errors, &mut self.disconnects] {
            while q.front().is_some_and(|&t| t < since) {
                q.pop_front();
            }
        }
        let count = |q: &VecDeque<i64>| u32::try_from(q.len()).unwrap_or(u32::MAX);
        Health {
            connected: self.connected,
            breaker_tripped: self.breaker_tripped,
            recent_errors: count(&self.errors),
            recent_disconnects: count(&self.disconnects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn errors_and_disconnects_count_only_within_the_window() {
        let mut m = VenueMonitor::new(60_000);
        assert!(!m.health(0).connected);
        m.connected();
        m.error(1_000);
        m.error(50_000);
        m.disconnected(55_000);
        m.disconnected(56_000); // already down: one disconnect
        let h = m.health(70_000);
        assert_eq!(
            (h.connected, h.recent_errors, h.recent_disconnects),
            (false, 1, 1)
        );
        m.connected();
        m.breaker(true);
        let h = m.health(200_000);
        assert_eq!(
            (
                h.connected,
                h.breaker_tripped,
                h.recent_errors,
                h.recent_disconnects
            ),
            (true, true, 0, 0)
        );
    }

    #[test]
    fn the_round_trip_is_a_weighted_mean() {
        let mut m = VenueMonitor::new(60_000);
        assert_eq!(m.latency_ms(dec!(50)), dec!(50));
        m.round_trip(dec!(10));
        m.round_trip(dec!(90));
        // 10 + (90 − 10) / 8
        assert_eq!(m.latency_ms(dec!(50)), dec!(20));
    }
}
