//! Trading fees: a maker and a taker rate on the fill's notional, charged in
//! the quote currency or, as Binance spot does, in the asset received.

use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{FeeSource, Liquidity, Side};

/// Which balance a spot fill's fee comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeeAsset {
    /// Always the quote currency (the usual backtest convention).
    #[default]
    Quote,
    /// The asset received: base on buys, quote on sells (Binance spot
    /// without BNB). Margin accounts always pay in the quote currency.
    Received,
}

/// Maker and taker rates as fractions of notional (0.001 = 0.1 %). The
/// default is 0.1 % both ways, Binance spot's base tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeeModel {
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub maker: Decimal,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub taker: Decimal,
    pub asset: FeeAsset,
}

impl Default for FeeModel {
    fn default() -> Self {
        let tenth_percent = Decimal::new(1, 3);
        FeeModel {
            maker: tenth_percent,
            taker: tenth_percent,
            asset: FeeAsset::Quote,
        }
    }
}

impl FeeModel {
    pub const ZERO: FeeModel = FeeModel {
        maker: Decimal::ZERO,
        taker: Decimal::ZERO,
        asset: FeeAsset::Quote,
    };

    pub fn rate(&self, liquidity: Liquidity) -> Decimal {
        match liquidity {
            Liquidity::Maker => self.maker,
            Liquidity::Taker => self.taker,
        }
    }

    /// The fee of a fill, in quote currency.
    pub fn fee(&self, liquidity: Liquidity, qty: Decimal, price: Decimal) -> Decimal {
        qty * price * self.rate(liquidity)
    }

    /// The fee of a fill (its value in quote) and the balance that pays
    /// it: on a spot account that pays in the asset received, a buy's fee
    /// is withheld from the base received (quantity × rate, as Binance
    /// reports its commission).
    pub fn charge(
        &self,
        liquidity: Liquidity,
        side: Side,
        qty: Decimal,
        price: Decimal,
        spot: bool,
    ) -> (Decimal, FeeSource) {
        if spot && self.asset == FeeAsset::Received && side == Side::Buy {
            // Binance keeps balances to 8 places and takes what it reports.
            let withheld = (qty * self.rate(liquidity)).round_dp(8);
            return (withheld * price, FeeSource::Base { qty: withheld });
        }
        (self.fee(liquidity, qty, price), FeeSource::Quote)
    }

    /// For reports: `maker 0.001 / taker 0.001`.
    pub fn describe(&self) -> String {
        format!("maker {} / taker {}", self.maker, self.taker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn fee_is_rate_times_notional_in_quote() {
        let f = FeeModel {
            maker: dec!(0.0002),
            taker: dec!(0.0005),
            asset: FeeAsset::Quote,
        };
        assert_eq!(f.fee(Liquidity::Maker, dec!(2), dec!(100)), dec!(0.04));
        assert_eq!(f.fee(Liquidity::Taker, dec!(2), dec!(100)), dec!(0.1));
    }

    #[test]
    fn a_spot_buy_paying_in_the_received_asset_gives_up_base() {
        let f = FeeModel {
            asset: FeeAsset::Received,
            ..FeeModel::default()
        };
        let (value, source) = f.charge(Liquidity::Taker, Side::Buy, dec!(0.025), dec!(40000), true);
        assert_eq!(
            source,
            FeeSource::Base {
                qty: dec!(0.000025)
            }
        );
        assert_eq!(value, dec!(1));
        let (value, source) =
            f.charge(Liquidity::Taker, Side::Sell, dec!(0.025), dec!(40000), true);
        assert_eq!((value, source), (dec!(1), FeeSource::Quote));
        let (_, source) = f.charge(Liquidity::Taker, Side::Buy, dec!(0.025), dec!(40000), false);
        assert_eq!(source, FeeSource::Quote);
    }
}
