//! Stale market data: trips when no candle has arrived for longer than a
//! maximum age, measured on the clock the gate observes (event times, and
//! timer ticks in paper and live modes). A gap in the data trips it when
//! the first bar after the gap arrives, or earlier when a tick shows it.

use super::condition::Condition;
use smc_model::RiskObservation;
use smc_model::Timestamp;

/// The staleness measure.
#[derive(Debug, Clone)]
pub struct StaleData {
    max_age_ms: i64,
    last_data: Option<Timestamp>,
}

impl StaleData {
    pub fn new(max_age_ms: i64) -> Self {
        StaleData {
            max_age_ms,
            last_data: None,
        }
    }
}

impl Condition for StaleData {
    fn name(&self) -> &'static str {
        "stale_data"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, now: Timestamp) -> Option<String> {
        let why = self.last_data.and_then(|last| {
            let age = now - last;
            (age > self.max_age_ms)
                .then(|| format!("no market data for {age} ms, limit {} ms", self.max_age_ms))
        });
        if let RiskObservation::Bar { close_time, .. } = *observation {
            self.last_data = Some(self.last_data.map_or(close_time, |t| t.max(close_time)));
        }
        why
    }

    fn rebase(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::InstrumentIndex;
    use smc_model::{Candle, Timeframe};

    #[test]
    fn trips_when_the_clock_runs_past_the_last_candle() {
        let mut c = StaleData::new(90_000);
        let candle = Candle {
            open_time: Timestamp::from_ms(0),
            open: dec!(1),
            high: dec!(1),
            low: dec!(1),
            close: dec!(1),
            volume: dec!(0),
        };
        let bar = |t| RiskObservation::Bar {
            instrument: InstrumentIndex::new(0),
            timeframe: Timeframe::M1,
            candle: &candle,
            close_time: t,
        };
        assert_eq!(
            c.observe(&bar(Timestamp::from_ms(60_000)), Timestamp::from_ms(60_000)),
            None
        );
        assert_eq!(
            c.observe(
                &RiskObservation::Time(Timestamp::from_ms(150_000)),
                Timestamp::from_ms(150_000)
            ),
            None
        );
        assert!(
            c.observe(
                &RiskObservation::Time(Timestamp::from_ms(150_001)),
                Timestamp::from_ms(150_001)
            )
            .is_some()
        );
        assert_eq!(
            c.observe(
                &bar(Timestamp::from_ms(120_000)),
                Timestamp::from_ms(150_001)
            )
            .map(|_| ()),
            Some(())
        );
        // A gap: the bar after it shows the data was stale.
        assert_eq!(
            c.observe(
                &bar(Timestamp::from_ms(180_000)),
                Timestamp::from_ms(180_000)
            ),
            None
        );
        assert!(
            c.observe(
                &bar(Timestamp::from_ms(600_000)),
                Timestamp::from_ms(600_000)
            )
            .unwrap()
            .contains("420000 ms")
        );
    }
}
