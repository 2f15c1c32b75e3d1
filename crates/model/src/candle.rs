//! An OHLCV candle as read from a market data source.

use crate::timestamp::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One OHLCV bar. `open_time` is the bar's open in epoch milliseconds (UTC);
/// the bar closes at `open_time + timeframe.duration_ms()` (not Binance's
/// `closeTime`, which is one millisecond earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub open_time: Timestamp,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

impl Candle {
    /// Checks the OHLC invariants every source must satisfy:
    /// `low <= min(open, close)`, `high >= max(open, close)`, `volume >= 0`.
    /// Returns the name of the first violated rule.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.high < self.low {
            return Err("high is below low");
        }
        if self.high < self.open || self.high < self.close {
            return Err("high is below open or close");
        }
        if self.low > self.open || self.low > self.close {
            return Err("low is above open or close");
        }
        if self.volume.is_sign_negative() && !self.volume.is_zero() {
            return Err("volume is negative");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn candle(o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Candle {
        Candle {
            open_time: Timestamp::from_ms(0),
            open: o,
            high: h,
            low: l,
            close: c,
            volume: dec!(1),
        }
    }

    #[test]
    fn valid_candle_passes() {
        assert_eq!(
            candle(dec!(1), dec!(2), dec!(0.5), dec!(1.5)).check(),
            Ok(())
        );
    }

    #[test]
    fn high_below_low_is_reported() {
        assert_eq!(
            candle(dec!(1), dec!(0.5), dec!(2), dec!(1)).check(),
            Err("high is below low")
        );
    }

    #[test]
    fn high_below_close_is_reported() {
        let c = candle(dec!(1), dec!(1.2), dec!(0.9), dec!(1.3));
        assert_eq!(c.check(), Err("high is below open or close"));
    }

    #[test]
    fn low_above_open_is_reported() {
        let c = candle(dec!(0.8), dec!(1.2), dec!(0.9), dec!(1.0));
        assert_eq!(c.check(), Err("low is above open or close"));
    }
}
