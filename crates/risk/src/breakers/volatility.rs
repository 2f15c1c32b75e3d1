//! Volatility spike: trips when the latest bar's true range is more than k
//! times the average true range of the bars before it (per instrument).

use super::condition::Condition;
use rust_decimal::Decimal;
use smc_model::RiskObservation;
use smc_model::Timestamp;
use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
struct Series {
    prev_close: Option<Decimal>,
    ranges: VecDeque<Decimal>,
    sum: Decimal,
}

/// The volatility-spike measure.
#[derive(Debug, Clone)]
pub struct VolatilitySpike {
    period: usize,
    multiple: Decimal,
    series: Vec<Series>,
}

impl VolatilitySpike {
    /// `period` bars of true range make the average; `multiple` is k.
    pub fn new(period: usize, multiple: Decimal) -> Self {
        VolatilitySpike {
            period: period.max(1),
            multiple,
            series: Vec::new(),
        }
    }
}

impl Condition for VolatilitySpike {
    fn name(&self) -> &'static str {
        "volatility_spike"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Bar {
            instrument, candle, ..
        } = *observation
        else {
            return None;
        };
        let index = instrument.get();
        if self.series.len() <= index {
            self.series.resize_with(index + 1, Series::default);
        }
        let s = &mut self.series[index];
        let range = candle.high - candle.low;
        let tr = match s.prev_close {
            Some(pc) => range
                .max((candle.high - pc).abs())
                .max((candle.low - pc).abs()),
            None => range,
        };
        s.prev_close = Some(candle.close);
        let mut why = None;
        if s.ranges.len() == self.period {
            let atr = s.sum / Decimal::from(self.period as u64);
            if atr > Decimal::ZERO && tr > self.multiple * atr {
                why = Some(format!(
                    "true range {} is {}x the {}-bar average {}, limit {}x",
                    tr.normalize(),
                    (tr / atr).round_dp(2).normalize(),
                    self.period,
                    atr.round_dp(8).normalize(),
                    self.multiple
                ));
            }
            if let Some(old) = s.ranges.pop_front() {
                s.sum -= old;
            }
        }
        s.ranges.push_back(tr);
        s.sum += tr;
        why
    }

    fn rebase(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{Candle, InstrumentIndex, Timeframe};

    fn bar(c: &mut VolatilitySpike, low: Decimal, high: Decimal) -> Option<String> {
        let candle = Candle {
            open_time: Timestamp::from_ms(0),
            open: low,
            high,
            low,
            close: low,
            volume: dec!(1),
        };
        c.observe(
            &RiskObservation::Bar {
                instrument: InstrumentIndex::new(0),
                timeframe: Timeframe::M1,
                candle: &candle,
                close_time: Timestamp::from_ms(60_000),
            },
            Timestamp::from_ms(60_000),
        )
    }

    #[test]
    fn needs_a_full_window_then_trips_above_k_atr() {
        let mut c = VolatilitySpike::new(3, dec!(3));
        // Not enough history: even a huge bar does not trip.
        assert_eq!(bar(&mut c, dec!(100), dec!(200)), None);
        for _ in 0..3 {
            assert_eq!(bar(&mut c, dec!(100), dec!(101)), None);
        }
        // ATR of the last three is 1; a range of exactly 3 is not above 3x.
        assert_eq!(bar(&mut c, dec!(100), dec!(103)), None);
        // The window is now (1, 1, 3): ATR 5/3, limit 5.
        assert!(bar(&mut c, dec!(100), dec!(105.1)).is_some());
    }
}
