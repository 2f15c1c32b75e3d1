//! The intrabar path: the order in which a bar is assumed to have visited
//! its open, high, low and close. A bar says nothing about this order, so
//! the rule is named, chosen in config, and stated in every report.

use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::Candle;

/// Which way the account would be hurt by price moving, for `stop-first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Long (or about to buy): a falling price is adverse.
    Long,
    /// Short (or about to sell): a rising price is adverse.
    Short,
}

/// A named intrabar path rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntrabarRule {
    /// Open → high → low → close, whatever the bar.
    #[default]
    Ohlc,
    /// Open → the extreme nearer the open → the other → close (ties: high first).
    NearestExtreme,
    /// Open → the extreme adverse to the exposure → the other → close, so a
    /// bar that touches both a position's stop and its target fills the stop.
    StopFirst,
}

impl IntrabarRule {
    /// The name used in config and reports.
    pub fn name(self) -> &'static str {
        match self {
            IntrabarRule::Ohlc => "ohlc",
            IntrabarRule::NearestExtreme => "nearest-extreme",
            IntrabarRule::StopFirst => "stop-first",
        }
    }

    /// The four points of the path.
    pub fn path(self, bar: &Candle, exposure: Exposure) -> [Decimal; 4] {
        let high_first = match self {
            IntrabarRule::Ohlc => true,
            IntrabarRule::NearestExtreme => bar.high - bar.open <= bar.open - bar.low,
            IntrabarRule::StopFirst => exposure == Exposure::Short,
        };
        if high_first {
            [bar.open, bar.high, bar.low, bar.close]
        } else {
            [bar.open, bar.low, bar.high, bar.close]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::Timestamp;

    fn bar(o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Candle {
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
    fn each_rule_orders_the_extremes() {
        let b = bar(dec!(100), dec!(110), dec!(98), dec!(105));
        let long = Exposure::Long;
        assert_eq!(IntrabarRule::Ohlc.path(&b, long)[1], dec!(110));
        assert_eq!(IntrabarRule::NearestExtreme.path(&b, long)[1], dec!(98));
        assert_eq!(IntrabarRule::StopFirst.path(&b, long)[1], dec!(98));
        assert_eq!(
            IntrabarRule::StopFirst.path(&b, Exposure::Short)[1],
            dec!(110)
        );
    }

    #[test]
    fn names_round_trip_through_config() {
        for rule in [
            IntrabarRule::Ohlc,
            IntrabarRule::NearestExtreme,
            IntrabarRule::StopFirst,
        ] {
            let parsed: IntrabarRule =
                serde_json::from_str(&format!("\"{}\"", rule.name())).unwrap();
            assert_eq!(parsed, rule);
        }
    }
}
