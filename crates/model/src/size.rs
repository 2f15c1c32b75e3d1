//! How much an order trades, before the engine resolves it to a quantity
//! (a notional or a fraction of equity becomes one at the fill price).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How much to trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Size {
    /// A base-currency quantity.
    Qty(Decimal),
    /// A quote-currency notional, converted at the fill price.
    Notional(Decimal),
    /// A fraction of equity, resolved at the fill price with the fee
    /// included, so `EquityFraction(1)` spends exactly everything (all-in).
    EquityFraction(Decimal),
    /// The whole open position of the instrument (for exits).
    ClosePosition,
}
