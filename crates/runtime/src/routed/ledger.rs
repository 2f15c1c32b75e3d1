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

/// What bounds an order on each venue besides its book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A spot account: sells only where the coins are, buys within cash.
    pub spot: bool,
    /// The per-venue exposure cap, percent of equity.
    pub venue_cap_percent: Option<Decimal>,
    pub equity: Decimal,
    /// The order's price (its limit, else the last close).
    pub price: Decimal,
}

/// How much of an order a venue leaves room for (`None`: no bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Room {
    /// Quote currency (a buy's notional with its fee, or the cap's room).
    pub notional: Option<Decimal>,
    /// Base quantity (what a sell or a reducing order can close there).
    pub qty: Option<Decimal>,
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

    /// The room `venue` leaves an order of `side` on `symbol`: a reducing
    /// order (or a spot sell) closes only what is held there; otherwise
    /// a spot buy spends at most the venue's cash, and the exposure cap
    /// leaves its percent of equity less what the venue holds (plus what
    /// the order first closes).
    pub fn room(
        &self,
        venue: usize,
        symbol: &str,
        side: Side,
        reduces: bool,
        limits: &Limits,
    ) -> Room {
        let held = self.position(venue, symbol);
        let closable = match side {
            Side::Buy => (-held).max(Decimal::ZERO),
            Side::Sell => held.max(Decimal::ZERO),
        };
        if reduces || (limits.spot && side == Side::Sell) {
            return Room {
                notional: None,
                qty: Some(closable),
            };
        }
        let cap = limits.venue_cap_percent.map(|pct| {
            let room = limits.equity * pct / Decimal::ONE_HUNDRED - held.abs() * limits.price;
            room.max(Decimal::ZERO) + closable * limits.price
        });
        let cash = limits.spot.then(|| self.cash(venue).max(Decimal::ZERO));
        let notional = match (cap, cash) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Room {
            notional,
            qty: None,
        }
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

    fn limits(spot: bool, cap: Option<Decimal>) -> Limits {
        Limits {
            spot,
            venue_cap_percent: cap,
            equity: dec!(10000),
            price: dec!(100),
        }
    }

    #[test]
    fn spot_buys_spend_the_venues_cash_and_sells_its_coins() {
        let mut l = VenueLedger::new(&["binance".into(), "bybit".into()], dec!(10000));
        l.apply(0, "BTCUSDT", Side::Buy, dec!(10), dec!(100), Decimal::ZERO);
        let spot = limits(true, None);
        assert_eq!(
            l.room(0, "BTCUSDT", Side::Buy, false, &spot).notional,
            Some(dec!(4000))
        );
        assert_eq!(
            l.room(1, "BTCUSDT", Side::Buy, false, &spot).notional,
            Some(dec!(5000))
        );
        assert_eq!(
            l.room(0, "BTCUSDT", Side::Sell, false, &spot).qty,
            Some(dec!(10))
        );
        assert_eq!(
            l.room(1, "BTCUSDT", Side::Sell, false, &spot).qty,
            Some(Decimal::ZERO)
        );
    }

    #[test]
    fn the_venue_cap_counts_what_the_venue_holds() {
        let mut l = VenueLedger::new(&["binance".into(), "bybit".into()], dec!(10000));
        l.apply(1, "BTCUSDT", Side::Sell, dec!(5), dec!(100), Decimal::ZERO);
        let margin = limits(false, Some(dec!(20)));
        // 20 % of 10,000 is 2,000; Bybit holds 500 short.
        let room = l.room(1, "BTCUSDT", Side::Sell, false, &margin);
        assert_eq!(
            room,
            Room {
                notional: Some(dec!(1500)),
                qty: None
            }
        );
        // A buy there first closes the short (500), then may open 2,000.
        let room = l.room(1, "BTCUSDT", Side::Buy, false, &margin);
        assert_eq!(room.notional, Some(dec!(2000)));
        assert_eq!(
            l.room(0, "BTCUSDT", Side::Buy, false, &margin).notional,
            Some(dec!(2000))
        );
        // A reduce-only buy goes only where the short is.
        assert_eq!(
            l.room(0, "BTCUSDT", Side::Buy, true, &margin).qty,
            Some(Decimal::ZERO)
        );
        assert_eq!(
            l.room(1, "BTCUSDT", Side::Buy, true, &margin).qty,
            Some(dec!(5))
        );
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
