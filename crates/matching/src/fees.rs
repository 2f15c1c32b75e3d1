//! Trading fees: a maker and a taker rate on the fill's notional, charged in
//! the quote currency.

use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::Liquidity;

/// Maker and taker rates as fractions of notional (0.001 = 0.1 %). The
/// default is 0.1 % both ways, Binance spot's base tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeeModel {
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub maker: Decimal,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub taker: Decimal,
}

impl Default for FeeModel {
    fn default() -> Self {
        let tenth_percent = Decimal::new(1, 3);
        FeeModel {
            maker: tenth_percent,
            taker: tenth_percent,
        }
    }
}

impl FeeModel {
    pub const ZERO: FeeModel = FeeModel {
        maker: Decimal::ZERO,
        taker: Decimal::ZERO,
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
        };
        assert_eq!(f.fee(Liquidity::Maker, dec!(2), dec!(100)), dec!(0.04));
        assert_eq!(f.fee(Liquidity::Taker, dec!(2), dec!(100)), dec!(0.1));
    }
}
