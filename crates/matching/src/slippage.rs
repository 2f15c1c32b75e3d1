//! Slippage models for fills that take liquidity at market (market, stop and
//! take-profit orders). Limit prices are guarantees, so limit fills never
//! slip. A slipped price is clamped to the bar's range: nothing fills at a
//! price the bar did not trade.

use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{Candle, Side};

/// A named slippage model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(tag = "model", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SlippageModel {
    #[default]
    None,
    /// A fixed adverse move of `bps` basis points of the price.
    FixedBps {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        bps: Decimal,
    },
    /// An adverse move of `range_fraction` × (high − low) × the order's share
    /// of the bar's volume (capped at 1): big orders in wide bars pay more.
    RangeVolume {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        range_fraction: Decimal,
    },
}

impl SlippageModel {
    /// The price a market-type fill gets at `price` on `bar`.
    pub fn apply(&self, side: Side, qty: Decimal, price: Decimal, bar: &Candle) -> Decimal {
        let slip = match *self {
            SlippageModel::None => return price,
            SlippageModel::FixedBps { bps } => price * bps / Decimal::from(10_000),
            SlippageModel::RangeVolume { range_fraction } => {
                let share = if bar.volume > Decimal::ZERO {
                    (qty / bar.volume).min(Decimal::ONE)
                } else {
                    Decimal::ONE
                };
                range_fraction * (bar.high - bar.low) * share
            }
        };
        let slipped = match side {
            Side::Buy => price + slip,
            Side::Sell => price - slip,
        };
        slipped.clamp(bar.low, bar.high)
    }

    /// For reports: `none`, `fixed-bps 2`, `range-volume 0.1`.
    pub fn describe(&self) -> String {
        match self {
            SlippageModel::None => "none".into(),
            SlippageModel::FixedBps { bps } => format!("fixed-bps {bps}"),
            SlippageModel::RangeVolume { range_fraction } => {
                format!("range-volume {range_fraction}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::Timestamp;

    fn bar() -> Candle {
        Candle {
            open_time: Timestamp::from_ms(0),
            open: dec!(100),
            high: dec!(101),
            low: dec!(99),
            close: dec!(100),
            volume: dec!(1000),
        }
    }

    #[test]
    fn fixed_bps_moves_against_the_taker() {
        let m = SlippageModel::FixedBps { bps: dec!(10) };
        assert_eq!(m.apply(Side::Buy, dec!(1), dec!(100), &bar()), dec!(100.1));
        assert_eq!(m.apply(Side::Sell, dec!(1), dec!(100), &bar()), dec!(99.9));
    }

    #[test]
    fn slippage_never_leaves_the_bar() {
        let m = SlippageModel::FixedBps { bps: dec!(500) };
        assert_eq!(m.apply(Side::Buy, dec!(1), dec!(100), &bar()), dec!(101));
        assert_eq!(m.apply(Side::Sell, dec!(1), dec!(100), &bar()), dec!(99));
    }

    #[test]
    fn range_volume_scales_with_participation() {
        let m = SlippageModel::RangeVolume {
            range_fraction: dec!(0.5),
        };
        // 0.5 × range 2 × share 0.1 = 0.1
        assert_eq!(
            m.apply(Side::Buy, dec!(100), dec!(100), &bar()),
            dec!(100.1)
        );
    }
}
