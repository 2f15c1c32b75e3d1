//! The symbol rules of the replayed series (the same `SymbolRules` the
//! Binance protocol enforces) checked with Bybit's codes (docs/v5/error):
//! spot 170134 price decimals, 170137 quantity decimals, 170136 below the
//! minimum quantity, 170135 above the maximum, 170140 below the minimum
//! order value, 170193/170194 a buy above / sell below the price band;
//! linear 10001 for a price off the tick or a quantity off the step or out
//! of bounds (Bybit's "The number of contracts exceeds minimum limit
//! allowed" and siblings), 110094 below the minimum notional, 110003
//! outside the price band. Price bands are the Binance protocol's
//! multipliers of the last replayed close.

use super::Category;
use super::envelope::BybitError;
use crate::filters::{
    FUTURES_MULTIPLIER_DOWN, FUTURES_MULTIPLIER_UP, SPOT_MULTIPLIER_DOWN, SPOT_MULTIPLIER_UP,
};
use crate::market::SymbolRules;
use rust_decimal::Decimal;
use smc_model::Side;

fn on_step(value: Decimal, step: Decimal) -> bool {
    step.is_zero() || (value % step).is_zero()
}

/// What is checked of an order.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub side: Side,
    pub price: Option<Decimal>,
    pub trigger: Option<Decimal>,
    /// Base quantity, if the order is sized in base.
    pub qty: Option<Decimal>,
    /// Quote amount of a spot market buy sized in quote.
    pub amount: Option<Decimal>,
    pub reduce_only: bool,
}

/// Checks `o` against `r` at the last price `last`.
pub fn check(cat: Category, r: &SymbolRules, o: &Order, last: Decimal) -> Result<(), BybitError> {
    let e = |code: i64, msg: &str| BybitError::new(code, msg);
    for p in [o.price, o.trigger].into_iter().flatten() {
        let bad = !on_step(p, r.tick) || p < r.min_price || p > r.max_price;
        if bad {
            return Err(match cat {
                Category::Spot => e(170134, "Order price decimal too long."),
                Category::Linear => BybitError::params(format!(
                    "params error: price {p} must be a multiple of tickSize {} within [{}, {}]",
                    r.tick, r.min_price, r.max_price
                )),
            });
        }
    }
    if let Some(q) = o.qty {
        if !on_step(q, r.lot) {
            return Err(match cat {
                Category::Spot => e(170137, "Order volume decimal too long."),
                Category::Linear => BybitError::params(format!(
                    "params error: qty {q} must be a multiple of qtyStep {}",
                    r.lot
                )),
            });
        }
        if q < r.min_qty {
            return Err(match cat {
                Category::Spot => e(170136, "Order quantity lower than the minimum."),
                Category::Linear => {
                    BybitError::params("The number of contracts exceeds minimum limit allowed")
                }
            });
        }
        if q > r.max_qty {
            return Err(match cat {
                Category::Spot => e(170135, "Order quantity too large."),
                Category::Linear => {
                    BybitError::params("The number of contracts exceeds maximum limit allowed")
                }
            });
        }
    }
    let value = match (o.amount, o.qty) {
        (Some(a), _) => Some(a),
        (None, Some(q)) => Some(q * o.price.unwrap_or(last)),
        _ => None,
    };
    if let Some(v) = value
        && v < r.min_notional
        && !o.reduce_only
    {
        return Err(match cat {
            Category::Spot => e(170140, "Order value exceeded lower limit."),
            Category::Linear => e(
                110094,
                &format!(
                    "Order does not meet minimum order value {}USDT",
                    r.min_notional
                ),
            ),
        });
    }
    if let Some(p) = o.price
        && last > Decimal::ZERO
    {
        let (up, down) = match cat {
            Category::Spot => (SPOT_MULTIPLIER_UP, SPOT_MULTIPLIER_DOWN),
            Category::Linear => (FUTURES_MULTIPLIER_UP, FUTURES_MULTIPLIER_DOWN),
        };
        let dp = r.price_precision();
        let (cap, floor) = ((last * up).round_dp(dp), (last * down).round_dp(dp));
        match (cat, o.side) {
            (Category::Spot, Side::Buy) if p > cap => {
                return Err(e(
                    170193,
                    &format!("Buy order price cannot be higher than {cap}."),
                ));
            }
            (Category::Spot, Side::Sell) if p < floor => {
                return Err(e(
                    170194,
                    &format!("Sell order price cannot be lower than {floor}."),
                ));
            }
            (Category::Linear, _) if p > cap || p < floor => {
                return Err(e(
                    110003,
                    &format!("Order price is out of permissible range [{floor}, {cap}]."),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    const RULES: SymbolRules = SymbolRules {
        tick: dec!(0.1),
        lot: dec!(0.001),
        min_qty: dec!(0.001),
        max_qty: dec!(1000),
        min_price: dec!(0.1),
        max_price: dec!(1000000),
        min_notional: dec!(5),
    };

    fn limit(price: Decimal, qty: Decimal) -> Order {
        Order {
            side: Side::Buy,
            price: Some(price),
            trigger: None,
            qty: Some(qty),
            amount: None,
            reduce_only: false,
        }
    }

    fn code(cat: Category, o: Order) -> Option<i64> {
        check(cat, &RULES, &o, dec!(40000)).err().map(|e| e.code)
    }

    #[test]
    fn each_rule_has_its_code() {
        use Category::*;
        assert_eq!(code(Spot, limit(dec!(36000), dec!(0.01))), None);
        assert_eq!(code(Linear, limit(dec!(36000), dec!(0.01))), None);
        assert_eq!(code(Spot, limit(dec!(36000.05), dec!(0.01))), Some(170134));
        assert_eq!(code(Linear, limit(dec!(36000.05), dec!(0.01))), Some(10001));
        assert_eq!(code(Spot, limit(dec!(36000), dec!(0.0105))), Some(170137));
        assert_eq!(code(Spot, limit(dec!(36000), dec!(2000))), Some(170135));
        assert_eq!(code(Spot, limit(dec!(100), dec!(0.001))), Some(170140));
        assert_eq!(code(Linear, limit(dec!(36000), dec!(0.0001))), Some(10001));
        assert_eq!(code(Linear, limit(dec!(3000), dec!(0.001))), Some(110094));
        assert_eq!(code(Linear, limit(dec!(46001), dec!(0.01))), Some(110003));
        assert_eq!(code(Spot, limit(dec!(200001), dec!(0.01))), Some(170193));
    }
}
