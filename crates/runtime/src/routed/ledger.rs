//! Where a routed session's holdings are: each venue's cash in the quote
//! currency and each symbol's position there, kept from the fills
//! attributed to the venue. A spot sell can only go where the base asset
//! is held, a buy only where the cash is, and a position is closed on the
//! venue that holds it. The session's cash starts split equally between
//! its venues (the paper account has one balance; a live account reads
//! each venue's own).

use rust_decimal::Decimal;
use serde::Serialize;
use smc_model::Side;
use std::collections::BTreeMap;

/// One venue's holdings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueHoldings {
    pub venue: String,
    pub cash: Decimal,
    /// Signed position per symbol (base quantity).
    pub positions: BTreeMap<String, Decimal>,
}

/// Every venue's holdings, in the session's venue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueLedger {
    venues: Vec<VenueHoldings>,
}

impl VenueLedger {
    /// `starting_cash` split equally between `venues` (the first takes
    /// what does not divide).
    pub fn new(venues: &[String], starting_cash: Decimal) -> Self {
        let n = Decimal::from(venues.len().max(1));
        let share =
            (starting_cash / n).round_dp_with_strategy(8, rust_decimal::RoundingStrategy::ToZero);
        let first = starting_cash - share * (n - Decimal::ONE);
        let venues = venues
            .iter()
            .enumerate()
            .map(|(k, v)| VenueHoldings {
                venue: v.clone(),
                cash: if k == 0 { first } else { share },
                positions: BTreeMap::new(),
            })
            .collect();
        VenueLedger { venues }
    }

    pub fn holdings(&self) -> &[VenueHoldings] {
        &self.venues
    }

    pub fn cash(&self, venue: usize) -> Decimal {
        self.venues.get(venue).map_or(Decimal::ZERO, |v| v.cash)
    }

    /// The signed position of `symbol` on `venue`.
    pub fn position(&self, venue: usize, symbol: &str) -> Decimal {
        self.venues
            .get(venue)
            .and_then(|v| v.positions.get(symbol))
            .copied()
            .unwrap_or(Decimal::ZERO)
    }

    /// A fill of `qty` at `price` on `venue`, paying `fee` in the quote
    /// currency.
    pub fn apply(
        &mut self,
        venue: usize,
        symbol: &str,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
    ) {
        let Some(v) = self.venues.get_mut(venue) else {
            return;
        };
        let signed = match side {
            Side::Buy => qty,
            Side::Sell => -qty,
        };
        v.cash -= signed * price + fee;
        let position = v.positions.entry(symbol.to_string()).or_default();
        *position += signed;
    }
}

/// Takes a fill of `qty` from an order's `parts` (venue, quantity still
/// to fill there), in the router's order: each venue's part fills before
/// the next, so parts in whole lots stay whole lots. What goes beyond the
/// parts (an order sized at its fill price) falls to the last venue.
pub fn attribute(qty: Decimal, parts: &mut [(usize, Decimal)]) -> Vec<(usize, Decimal)> {
    let mut left = qty;
    let mut out: Vec<(usize, Decimal)> = Vec::with_capacity(parts.len());
    for (venue, open) in parts.iter_mut() {
        if left <= Decimal::ZERO {
            break;
        }
        let take = left.min(*open);
        if take > Decimal::ZERO {
            *open -= take;
            left -= take;
            out.push((*venue, take));
        }
    }
    if left > Decimal::ZERO
        && let Some((venue, _)) = parts.last()
    {
        match out.last_mut() {
            Some((v, q)) if v == venue => *q += left,
            _ => out.push((*venue, left)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    #[test]
    fn cash_is_split_exactly() {
        let l = VenueLedger::new(
            &["binance".into(), "bybit".into(), "okx".into()],
            dec!(10000),
        );
        let total: Decimal = l.holdings().iter().map(|h| h.cash).sum();
        assert_eq!(total, dec!(10000));
        assert_eq!(l.cash(1), dec!(3333.33333333));
    }

    #[test]
    fn fills_move_cash_and_position_of_their_venue_only() {
        let mut l = VenueLedger::new(&["binance".into(), "bybit".into()], dec!(1000));
        l.apply(1, "BTCUSDT", Side::Buy, dec!(0.01), dec!(20000), dec!(0.2));
        assert_eq!(l.cash(1), dec!(299.8));
        assert_eq!(l.position(1, "BTCUSDT"), dec!(0.01));
        assert_eq!(l.position(0, "BTCUSDT"), Decimal::ZERO);
        l.apply(
            1,
            "BTCUSDT",
            Side::Sell,
            dec!(0.01),
            dec!(21000),
            dec!(0.21),
        );
        assert_eq!(l.cash(1), dec!(509.59));
        assert!(l.position(1, "BTCUSDT").is_zero());
    }

    proptest! {
        #[test]
        fn attribution_adds_up(fills in proptest::collection::vec(1u64..2000, 1..6), a in 1u64..3000, b in 0u64..3000) {
            let mut parts = [(0, Decimal::new(a as i64, 3)), (1, Decimal::new(b as i64, 3))];
            let mut total = Decimal::ZERO;
            let mut on = [Decimal::ZERO; 2];
            for f in fills {
                let qty = Decimal::new(f as i64, 3);
                let out = attribute(qty, &mut parts);
                let sum: Decimal = out.iter().map(|(_, q)| *q).sum();
                prop_assert_eq!(sum, qty);
                prop_assert!(out.iter().all(|(_, q)| *q > Decimal::ZERO));
                for (v, q) in out {
                    on[v] += q;
                }
                total += qty;
            }
            // The first venue's part fills before the second gets any.
            let first = Decimal::new(a as i64, 3);
            prop_assert_eq!(on[0], total.min(first));
            prop_assert_eq!(on[1], total - on[0]);
        }
    }
}
