//! Instruments and their trading rules (tick, lot, minimum notional), with
//! the one function that rounds an order to them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An instrument is a venue and a symbol, written `venue:SYMBOL`
/// (`binance:BTCUSDT`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstrumentId {
    venue: String,
    symbol: String,
}

impl InstrumentId {
    /// Builds an id; both parts must be non-empty, without `:` or spaces.
    pub fn new(venue: &str, symbol: &str) -> Result<Self, InstrumentError> {
        let valid = |s: &str| !s.is_empty() && !s.contains([':', ' ', ',']);
        if !valid(venue) || !valid(symbol) {
            return Err(InstrumentError::Id(format!("{venue}:{symbol}")));
        }
        Ok(InstrumentId {
            venue: venue.to_ascii_lowercase(),
            symbol: symbol.to_ascii_uppercase(),
        })
    }

    pub fn venue(&self) -> &str {
        &self.venue
    }

    pub fn symbol(&self) -> &str {
        &self.symbol
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.venue, self.symbol)
    }
}

impl FromStr for InstrumentId {
    type Err = InstrumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (venue, symbol) = s
            .split_once(':')
            .ok_or_else(|| InstrumentError::Id(s.to_string()))?;
        InstrumentId::new(venue, symbol)
    }
}

impl TryFrom<String> for InstrumentId {
    type Error = InstrumentError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<InstrumentId> for String {
    fn from(id: InstrumentId) -> String {
        id.to_string()
    }
}

/// Errors of instrument ids and order rounding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstrumentError {
    #[error("bad instrument id `{0}`: expected venue:SYMBOL, e.g. binance:BTCUSDT")]
    Id(String),
    #[error("quantity {qty} rounds to zero at lot size {lot}")]
    ZeroQuantity { qty: Decimal, lot: Decimal },
    #[error("quantity {qty} is below the minimum {min}")]
    BelowMinQuantity { qty: Decimal, min: Decimal },
    #[error("notional {notional} is below the minimum {min}")]
    BelowMinNotional { notional: Decimal, min: Decimal },
    #[error("price {0} is not positive")]
    BadPrice(Decimal),
    /// The numbers are beyond what a 96-bit decimal holds (a price near
    /// 1e-28, a quantity near 1e28): refused rather than wrapped or panicked.
    #[error("{what} overflows the decimal range")]
    Overflow { what: &'static str },
}

/// Spot (cash) or a perpetual future (margin, long and short, funding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketKind {
    Spot,
    Perpetual,
    /// A currency pair on a margin account (OANDA): long or short in
    /// units, costs as the spread, daily financing.
    Forex,
}

/// Trading rules of an instrument. A zero tick or lot means "no rounding".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentSpec {
    pub tick_size: Decimal,
    pub lot_size: Decimal,
    pub min_qty: Decimal,
    pub min_notional: Decimal,
}

impl InstrumentSpec {
    /// Fractional sizes in 1e-8 lots, unrounded prices, no minimums: what a
    /// backtest uses to compare with research tools.
    pub const FRACTIONAL: InstrumentSpec = InstrumentSpec {
        tick_size: Decimal::ZERO,
        lot_size: Decimal::from_parts(1, 0, 0, false, 8),
        min_qty: Decimal::ZERO,
        min_notional: Decimal::ZERO,
    };

    /// Rounds a price to the tick, in the direction that never makes the
    /// order more aggressive than asked: down for a buy, up for a sell.
    pub fn round_price(&self, price: Decimal, buy: bool) -> Result<Decimal, InstrumentError> {
        if price <= Decimal::ZERO {
            return Err(InstrumentError::BadPrice(price));
        }
        if self.tick_size.is_zero() {
            return Ok(price);
        }
        let overflow = InstrumentError::Overflow {
            what: "price in ticks",
        };
        let ticks = price.checked_div(self.tick_size).ok_or(overflow.clone())?;
        let ticks = if buy { ticks.floor() } else { ticks.ceil() };
        Ok(ticks
            .checked_mul(self.tick_size)
            .ok_or(overflow)?
            .normalize())
    }

    /// Whether `qty` is dust: rounded down to the lot it is zero or under
    /// the minimum quantity, so no order can trade it (exactly when
    /// [`InstrumentSpec::round_qty`] fails with `ZeroQuantity` or
    /// `BelowMinQuantity`; the notional is not looked at). Strategies ask
    /// this of their position on every bar, so the two common answers are
    /// cheap: no position, and a quantity at least a lot above the minimum
    /// (which keeps the minimum after rounding down), without a division.
    #[inline]
    pub fn is_dust(&self, qty: Decimal) -> bool {
        if qty.is_zero() {
            return true;
        }
        let (lot, min) = (self.lot_size, self.min_qty);
        let plain = !lot.is_zero() && lot.is_sign_positive() && !min.is_sign_negative();
        if plain && lot.checked_add(min).is_some_and(|floor| qty >= floor) {
            return false;
        }
        matches!(
            self.round_qty(qty, Decimal::ONE),
            Err(InstrumentError::ZeroQuantity { .. } | InstrumentError::BelowMinQuantity { .. })
        )
    }

    /// Rounds a quantity down to the lot (rounding never increases risk) and
    /// checks the minimum quantity and, at `price`, the minimum notional.
    pub fn round_qty(&self, qty: Decimal, price: Decimal) -> Result<Decimal, InstrumentError> {
        let rounded = if self.lot_size.is_zero() {
            qty
        } else {
            qty.checked_div(self.lot_size)
                .and_then(|lots| lots.floor().checked_mul(self.lot_size))
                .ok_or(InstrumentError::Overflow {
                    what: "quantity in lots",
                })?
                .normalize()
        };
        if rounded <= Decimal::ZERO {
            return Err(InstrumentError::ZeroQuantity {
                qty,
                lot: self.lot_size,
            });
        }
        if rounded < self.min_qty {
            return Err(InstrumentError::BelowMinQuantity {
                qty: rounded,
                min: self.min_qty,
            });
        }
        let notional = rounded
            .checked_mul(price)
            .ok_or(InstrumentError::Overflow { what: "notional" })?;
        if notional < self.min_notional {
            return Err(InstrumentError::BelowMinNotional {
                notional,
                min: self.min_notional,
            });
        }
        Ok(rounded)
    }
}

/// A tradable instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: InstrumentId,
    pub kind: MarketKind,
    pub base: String,
    pub quote: String,
    pub spec: InstrumentSpec,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    const SPEC: InstrumentSpec = InstrumentSpec {
        tick_size: dec!(0.1),
        lot_size: dec!(0.001),
        min_qty: dec!(0.001),
        min_notional: dec!(5),
    };

    #[test]
    fn sizes_beyond_the_decimal_range_are_refused_not_panicked() {
        let spec = InstrumentSpec::FRACTIONAL;
        let huge = Decimal::MAX / Decimal::TWO;
        assert_eq!(
            spec.round_qty(huge, Decimal::ONE),
            Err(InstrumentError::Overflow {
                what: "quantity in lots"
            })
        );
        let whole = InstrumentSpec {
            lot_size: Decimal::ONE,
            ..InstrumentSpec::FRACTIONAL
        };
        assert_eq!(
            whole.round_qty(huge, Decimal::TEN),
            Err(InstrumentError::Overflow { what: "notional" })
        );
        let ticked = InstrumentSpec {
            tick_size: Decimal::new(1, 8),
            ..InstrumentSpec::FRACTIONAL
        };
        assert!(matches!(
            ticked.round_price(huge, true),
            Err(InstrumentError::Overflow { .. })
        ));
    }
    #[test]
    fn ids_parse_and_print() {
        let id: InstrumentId = "Binance:btcusdt".parse().unwrap();
        assert_eq!(id.to_string(), "binance:BTCUSDT");
        assert!("BTCUSDT".parse::<InstrumentId>().is_err());
        assert!(":X".parse::<InstrumentId>().is_err());
    }

    #[test]
    fn prices_round_away_from_aggression() {
        assert_eq!(SPEC.round_price(dec!(100.57), true).unwrap(), dec!(100.5));
        assert_eq!(SPEC.round_price(dec!(100.51), false).unwrap(), dec!(100.6));
        assert_eq!(SPEC.round_price(dec!(100.5), false).unwrap(), dec!(100.5));
        assert!(SPEC.round_price(dec!(0), true).is_err());
    }

    #[test]
    fn quantities_round_down_and_respect_minimums() {
        assert_eq!(
            SPEC.round_qty(dec!(0.0129), dec!(1000)).unwrap(),
            dec!(0.012)
        );
        assert_eq!(
            SPEC.round_qty(dec!(0.0009), dec!(1000)),
            Err(InstrumentError::ZeroQuantity {
                qty: dec!(0.0009),
                lot: dec!(0.001)
            })
        );
        assert!(matches!(
            SPEC.round_qty(dec!(0.002), dec!(1000)),
            Err(InstrumentError::BelowMinNotional { .. })
        ));
    }

    proptest! {
        #[test]
        fn rounding_never_increases_the_quantity(units in 1i64..10_000_000, price in 1i64..100_000) {
            let qty = Decimal::new(units, 6);
            if let Ok(q) = SPEC.round_qty(qty, Decimal::from(price)) {
                prop_assert!(q <= qty);
                prop_assert!(qty - q < SPEC.lot_size);
                prop_assert_eq!((q / SPEC.lot_size).fract(), Decimal::ZERO);
            }
        }

        /// The fast dust check answers as the rounding does, at and around
        /// the thresholds (lot + minimum, the minimum, one lot, zero), with
        /// and without a lot or a minimum.
        #[test]
        fn dust_is_what_the_rounding_refuses(
            units in 0i64..5_000,
            scale in 0u32..6,
            lot in 0i64..40,
            min in 0i64..60,
        ) {
            let spec = InstrumentSpec {
                tick_size: Decimal::ZERO,
                lot_size: Decimal::new(lot, 3),
                min_qty: Decimal::new(min, 3),
                min_notional: dec!(1000000),
            };
            let qty = Decimal::new(units, scale);
            let refused = matches!(
                spec.round_qty(qty, dec!(0.5)),
                Err(InstrumentError::ZeroQuantity { .. } | InstrumentError::BelowMinQuantity { .. })
            );
            prop_assert_eq!(spec.is_dust(qty), refused);
        }
    }
}
