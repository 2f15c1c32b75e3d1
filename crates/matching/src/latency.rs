//! Order latency in simulated time. An order decided at `t` reaches the
//! venue at `t + latency`; a bar can fill it only if the bar opened at or
//! after that instant. Bars have no intrabar clock, so an order that arrives
//! mid-bar waits for the next bar's open: latency rounds up to whole bars,
//! which never flatters a result. Because a decision is made at a bar's
//! close (= the next bar's open), even zero latency cannot fill an order in
//! the bar it was decided on.

use serde::Deserialize;
use smc_model::Timestamp;

/// A fixed delay between decision and arrival at the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyModel {
    pub ms: i64,
}

impl LatencyModel {
    /// When an order decided at `decided_at` reaches the venue.
    pub fn eligible_at(&self, decided_at: Timestamp) -> Timestamp {
        decided_at + self.ms.max(0)
    }

    /// Whether a bar opening at `bar_open` may fill an order eligible at
    /// `eligible_at`.
    pub fn eligible_in(eligible_at: Timestamp, bar_open: Timestamp) -> bool {
        bar_open >= eligible_at
    }

    /// For reports: `fixed 0 ms`.
    pub fn describe(&self) -> String {
        format!("fixed {} ms", self.ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_rounds_up_to_the_next_bar_open() {
        let l = LatencyModel { ms: 1_500 };
        let decided = 60_000; // close of the bar opened at 0
        let at = l.eligible_at(Timestamp::from_ms(decided));
        assert!(!LatencyModel::eligible_in(at, Timestamp::from_ms(60_000)));
        assert!(LatencyModel::eligible_in(at, Timestamp::from_ms(120_000)));
        assert!(LatencyModel::eligible_in(
            LatencyModel::default().eligible_at(Timestamp::from_ms(decided)),
            Timestamp::from_ms(60_000)
        ));
    }
}
