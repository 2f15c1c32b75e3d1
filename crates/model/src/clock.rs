//! Clocks: the only way engine code learns the time. A backtest injects a
//! [`SimClock`] that follows the data; paper and live inject a [`WallClock`],
//! the single place in the workspace allowed to read system time (enforced by
//! `disallowed-methods` in `clippy.toml`), so a replay never depends on when it
//! ran.

use crate::timestamp::Timestamp;

/// The time source of an engine, in epoch milliseconds (UTC).
pub trait Clock {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// Told the time of every event the engine processes. A simulated clock
    /// advances to it; a wall clock ignores it.
    fn observe(&mut self, _event_time: Timestamp) {}
}

/// Simulated time, set from event times. It never runs backwards: an event
/// older than the clock (a late funding record, say) leaves it where it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimClock {
    now: Timestamp,
}

impl SimClock {
    pub fn new(start: Timestamp) -> Self {
        SimClock { now: start }
    }

    /// Moves the clock to `t` if that is later than now.
    pub fn set(&mut self, t: Timestamp) {
        self.now = self.now.max(t);
    }
}

impl Clock for SimClock {
    fn now(&self) -> Timestamp {
        self.now
    }

    fn observe(&mut self, event_time: Timestamp) {
        self.set(event_time);
    }
}

/// The system clock. Paper and live runs use it; nothing else may read
/// system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock;

impl Clock for WallClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned wall-clock read
    fn now(&self) -> Timestamp {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Timestamp::from_ms(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            // A system clock before 1970 is a broken host; report the epoch.
            Err(_) => Timestamp::EPOCH,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_clock_follows_events_and_never_runs_back() {
        let mut c = SimClock::new(Timestamp::from_ms(0));
        c.observe(Timestamp::from_ms(1_000));
        c.observe(Timestamp::from_ms(500));
        assert_eq!(c.now().ms(), 1_000);
    }

    #[test]
    fn wall_clock_is_after_2020() {
        assert!(WallClock.now() > Timestamp::from_ms(1_577_836_800_000));
    }
}
