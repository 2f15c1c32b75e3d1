//! Fills: the executions an order receives, from a venue or the simulator.

use crate::instrument::InstrumentId;
use crate::order::{ClientOrderId, Side};
use crate::timestamp::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether a fill added liquidity (maker) or took it (taker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Liquidity {
    Maker,
    Taker,
}

/// One execution. `trade_id` is the venue's, and de-duplicates fills that
/// arrive through several channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentId,
    pub trade_id: String,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
    /// Fee in the quote currency.
    pub fee: Decimal,
    pub liquidity: Liquidity,
    /// Epoch ms at which the fill happened.
    pub time: Timestamp,
}
