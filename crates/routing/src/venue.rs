//! What the router knows about one venue quoting the instrument: the book
//! side the order would take, the fees, the measured latency, the health,
//! how much the balance and the per-venue exposure cap leave room for, and
//! the instrument's lot rules there.

use crate::book::BookSide;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The venue's recent health, from the connection and the risk gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Health {
    pub connected: bool,
    /// A circuit breaker of this venue is tripped.
    pub breaker_tripped: bool,
    /// Errors (rejects, timeouts, 5xx) in the recent window.
    pub recent_errors: u32,
    /// Disconnects in the recent window.
    pub recent_disconnects: u32,
}

impl Health {
    /// Connected, nothing wrong lately.
    pub fn good() -> Self {
        Health {
            connected: true,
            ..Health::default()
        }
    }
}

/// The instrument's quantity rules on the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LotRules {
    /// Quantities are multiples of this (zero: any quantity).
    pub step: Decimal,
    pub min_qty: Decimal,
    pub min_notional: Decimal,
}

impl LotRules {
    /// `qty` rounded down to the step.
    pub fn round_down(&self, qty: Decimal) -> Decimal {
        if self.step <= Decimal::ZERO {
            qty
        } else {
            (qty / self.step).floor() * self.step
        }
    }

    /// Whether an order of `qty` at about `price` passes the minimums.
    pub fn accepts(&self, qty: Decimal, price: Decimal) -> bool {
        qty > Decimal::ZERO && qty >= self.min_qty && qty * price >= self.min_notional
    }
}

/// One venue as the router sees it for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueQuote {
    /// The venue's name (`binance`, `bybit`).
    pub venue: String,
    /// The side the order takes: asks for a buy, bids for a sell.
    pub book: BookSide,
    /// Taker and maker fee rates (fractions: 0.001 is 0.1 %).
    pub taker_fee: Decimal,
    pub maker_fee: Decimal,
    /// Measured order round trip (ms).
    pub latency_ms: Decimal,
    pub health: Health,
    /// The most quote currency the order may use here: the balance on a
    /// buy (fees included), the room under the venue's exposure cap.
    pub max_notional: Option<Decimal>,
    /// The most base quantity: the balance on a spot sell.
    pub max_qty: Option<Decimal>,
    pub lot: LotRules,
}
