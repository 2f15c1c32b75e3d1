//! Symbol filters, checked on every new order with the answer each family
//! gives: spot refuses with -1013 `Filter failure: NAME` (PRICE_FILTER,
//! LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, PERCENT_PRICE_BY_SIDE); USD-M has a
//! code per rule (-1111 precision, -4014 tick, -4023 step, -4003/-4004/-4005
//! quantity bounds, -4013 min price, -4016/-4024 PERCENT_PRICE, -4164
//! MIN_NOTIONAL). Reference prices are the last replayed close (Binance uses
//! the average price on spot and the mark price on USD-M).

use crate::error::ApiError;
use crate::market::SymbolRules;
use crate::routes::Family;
use rust_decimal::Decimal;
use rust_decimal::dec;

/// Spot PERCENT_PRICE_BY_SIDE multipliers (up, down), both sides.
pub const SPOT_MULTIPLIER_UP: Decimal = dec!(5);
pub const SPOT_MULTIPLIER_DOWN: Decimal = dec!(0.2);
/// USD-M PERCENT_PRICE multipliers.
pub const FUTURES_MULTIPLIER_UP: Decimal = dec!(1.15);
pub const FUTURES_MULTIPLIER_DOWN: Decimal = dec!(0.85);

/// What the filters look at in an order.
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    /// Limit price, if the order has one.
    pub price: Option<Decimal>,
    /// Trigger price, if the order has one.
    pub stop_price: Option<Decimal>,
    /// Base quantity, if given.
    pub qty: Option<Decimal>,
    /// Whether the order is a market-type order (MARKET_LOT_SIZE on spot).
    pub market: bool,
    pub reduce_only: bool,
}

fn on_step(value: Decimal, min: Decimal, step: Decimal) -> bool {
    step.is_zero() || ((value - min) % step).is_zero()
}

fn spot_fail(name: &str) -> ApiError {
    ApiError::bad(-1013, format!("Filter failure: {name}"))
}

fn check_spot(r: &SymbolRules, o: &Checked, reference: Decimal) -> Result<(), ApiError> {
    for p in [o.price, o.stop_price].into_iter().flatten() {
        if p < r.min_price || p > r.max_price || !on_step(p, r.min_price, r.tick) {
            return Err(spot_fail("PRICE_FILTER"));
        }
    }
    if let Some(q) = o.qty {
        if q < r.min_qty || q > r.max_qty || !on_step(q, r.min_qty, r.lot) {
            return Err(spot_fail(if o.market {
                "MARKET_LOT_SIZE"
            } else {
                "LOT_SIZE"
            }));
        }
        let at = o.price.unwrap_or(reference);
        if q * at < r.min_notional {
            return Err(spot_fail("NOTIONAL"));
        }
    }
    if let Some(p) = o.price
        && reference > Decimal::ZERO
        && (p > reference * SPOT_MULTIPLIER_UP || p < reference * SPOT_MULTIPLIER_DOWN)
    {
        return Err(spot_fail("PERCENT_PRICE_BY_SIDE"));
    }
    Ok(())
}

fn check_futures(r: &SymbolRules, o: &Checked, reference: Decimal) -> Result<(), ApiError> {
    let precision = || {
        ApiError::bad(
            -1111,
            "Precision is over the maximum defined for this asset.",
        )
    };
    for p in [o.price, o.stop_price].into_iter().flatten() {
        if p.normalize().scale() > r.price_precision() {
            return Err(precision());
        }
        if p < r.min_price {
            return Err(ApiError::bad(-4013, "Price less than min price."));
        }
        if p > r.max_price {
            return Err(ApiError::bad(
                -4016,
                format!("Limit price can't be higher than {}.", r.max_price),
            ));
        }
        if !on_step(p, r.min_price, r.tick) {
            return Err(ApiError::bad(-4014, "Price not increased by tick size."));
        }
    }
    if let Some(q) = o.qty {
        if q.normalize().scale() > r.qty_precision() {
            return Err(precision());
        }
        if q <= Decimal::ZERO {
            return Err(ApiError::bad(-4003, "Quantity less than or equal to zero."));
        }
        if q < r.min_qty {
            return Err(ApiError::bad(-4004, "Quantity less than min quantity."));
        }
        if q > r.max_qty {
            return Err(ApiError::bad(-4005, "Quantity greater than max quantity."));
        }
        if !on_step(q, r.min_qty, r.lot) {
            return Err(ApiError::bad(-4023, "Quantity not increased by step size."));
        }
        let at = o.price.unwrap_or(reference);
        if !o.reduce_only && q * at < r.min_notional {
            return Err(ApiError::bad(
                -4164,
                format!(
                    "Order's notional must be no smaller than {} (unless you choose reduce only).",
                    r.min_notional
                ),
            ));
        }
    }
    if let Some(p) = o.price
        && reference > Decimal::ZERO
    {
        let cap = (reference * FUTURES_MULTIPLIER_UP).round_dp(r.price_precision());
        let floor = (reference * FUTURES_MULTIPLIER_DOWN).round_dp(r.price_precision());
        if p > cap {
            return Err(ApiError::bad(
                -4016,
                format!("Limit price can't be higher than {cap}."),
            ));
        }
        if p < floor {
            return Err(ApiError::bad(
                -4024,
                format!("Limit price can't be lower than {floor}."),
            ));
        }
    }
    Ok(())
}

/// Checks an order against the symbol's filters.
pub fn check(
    family: Family,
    rules: &SymbolRules,
    order: &Checked,
    reference: Decimal,
) -> Result<(), ApiError> {
    match family {
        Family::Spot => check_spot(rules, order, reference),
        Family::Futures => check_futures(rules, order, reference),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: SymbolRules = SymbolRules {
        tick: dec!(0.1),
        lot: dec!(0.001),
        min_qty: dec!(0.001),
        max_qty: dec!(1000),
        min_price: dec!(0.1),
        max_price: dec!(1000000),
        min_notional: dec!(5),
    };

    fn limit(price: Decimal, qty: Decimal) -> Checked {
        Checked {
            price: Some(price),
            stop_price: None,
            qty: Some(qty),
            market: false,
            reduce_only: false,
        }
    }

    fn code(family: Family, o: Checked) -> Option<(i64, String)> {
        check(family, &RULES, &o, dec!(40000))
            .err()
            .map(|e| (e.code, e.msg))
    }

    #[test]
    fn spot_failures_name_the_filter() {
        assert_eq!(code(Family::Spot, limit(dec!(36000), dec!(0.01))), None);
        let f = |o| code(Family::Spot, o).map(|(_, m)| m);
        assert_eq!(
            f(limit(dec!(36000.05), dec!(0.01))).as_deref(),
            Some("Filter failure: PRICE_FILTER")
        );
        assert_eq!(
            f(limit(dec!(36000), dec!(0.0105))).as_deref(),
            Some("Filter failure: LOT_SIZE")
        );
        assert_eq!(
            f(limit(dec!(36000), dec!(0.0001))).as_deref(),
            Some("Filter failure: LOT_SIZE")
        );
        assert_eq!(
            f(limit(dec!(100), dec!(0.001))).as_deref(),
            Some("Filter failure: NOTIONAL")
        );
        assert_eq!(
            f(limit(dec!(7000), dec!(1))).as_deref(),
            Some("Filter failure: PERCENT_PRICE_BY_SIDE")
        );
        let market = Checked {
            price: None,
            market: true,
            ..limit(dec!(1), dec!(0.0105))
        };
        assert_eq!(
            f(market).as_deref(),
            Some("Filter failure: MARKET_LOT_SIZE")
        );
    }

    #[test]
    fn futures_failures_have_their_own_codes() {
        let c = |o| code(Family::Futures, o).map(|(c, _)| c);
        assert_eq!(c(limit(dec!(36000), dec!(0.01))), None);
        assert_eq!(c(limit(dec!(36000.05), dec!(0.01))), Some(-1111));
        assert_eq!(c(limit(dec!(36000), dec!(0.0001))), Some(-1111));
        assert_eq!(c(limit(dec!(36000), dec!(0))), Some(-4003));
        assert_eq!(c(limit(dec!(36000), dec!(0.0001))), Some(-1111));
        assert_eq!(c(limit(dec!(36000), dec!(2000))), Some(-4005));
        assert_eq!(c(limit(dec!(100), dec!(1))), Some(-4024));
        assert_eq!(c(limit(dec!(46001), dec!(0.01))), Some(-4016));
        assert_eq!(c(limit(dec!(33999.9), dec!(0.01))), Some(-4024));
        let big = SymbolRules {
            min_notional: dec!(100),
            ..RULES
        };
        let small = limit(dec!(36000), dec!(0.001));
        let e = check(Family::Futures, &big, &small, dec!(40000)).unwrap_err();
        assert_eq!(e.code, -4164);
        assert_eq!(
            e.msg,
            "Order's notional must be no smaller than 100 (unless you choose reduce only)."
        );
        let reduce = Checked {
            reduce_only: true,
            ..small
        };
        assert!(
            check(Family::Futures, &big, &reduce, dec!(40000)).is_ok(),
            "reduce-only is exempt"
        );
    }
}
