//! A routing decision as it is recorded in the event stream: what was
//! asked, where it goes, and every venue considered with its cost or the
//! reason it was left out, so that a decision can be audited afterwards.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_model::Side;

/// One venue considered for the whole order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub venue: String,
    /// Why the venue was not used at all (disconnected, breaker tripped…).
    pub excluded: Option<String>,
    /// How much of the order the venue could take (book, balance, cap, lot).
    pub fillable_qty: Decimal,
    /// The depth-weighted price of that quantity.
    pub avg_price: Option<Decimal>,
    /// The price per unit with fees, latency and health penalties.
    pub all_in_price: Option<Decimal>,
    /// The fee and the penalties of that quantity, in quote currency.
    pub fee: Decimal,
    pub penalty: Decimal,
}

/// A part of the order sent to one venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub venue: String,
    pub qty: Decimal,
    /// Expected depth-weighted price (the limit price for a resting part).
    pub avg_price: Decimal,
    /// Expected price per unit with fees and penalties.
    pub all_in_price: Decimal,
    pub fee: Decimal,
    /// The part is a limit order that rests on the book (nothing within
    /// the limit to take), costed at the maker fee.
    pub resting: bool,
}

/// Where an order goes and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingDecision {
    pub side: Side,
    pub qty: Decimal,
    pub limit: Option<Decimal>,
    /// Where the order goes; more than one entry is a split.
    pub allocations: Vec<Allocation>,
    /// What no venue could take.
    pub unrouted: Decimal,
    /// The all-in price per unit of the routed quantity.
    pub all_in_price: Option<Decimal>,
    /// The cheapest venue that could take the whole order alone, if any.
    pub best_single: Option<String>,
    /// What the split saves over that venue, in basis points (zero when
    /// the order goes to one venue).
    pub saving_bps: Decimal,
    /// Every venue considered, in the order given.
    pub alternatives: Vec<Alternative>,
}

impl RoutingDecision {
    /// Whether the order is split over several venues.
    pub fn is_split(&self) -> bool {
        self.allocations.len() > 1
    }

    /// The quantity sent to `venue`.
    pub fn qty_on(&self, venue: &str) -> Decimal {
        self.allocations
            .iter()
            .filter(|a| a.venue == venue)
            .map(|a| a.qty)
            .sum()
    }
}
