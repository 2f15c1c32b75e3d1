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

/// The balance a fee was taken from. Binance spot takes a buy's fee from
/// the base asset received (the account holds the fill less the fee), a
/// sell's from the quote received, and either from BNB when the account
/// pays fees in BNB; derivatives pay in the margin asset.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "asset", rename_all = "snake_case")]
pub enum FeeSource {
    /// Paid from the quote balance (cash or margin).
    #[default]
    Quote,
    /// Withheld from the base asset: the position moves by the fill less
    /// `qty` (in base units).
    Base { qty: Decimal },
    /// Paid in a third asset (BNB), which the engine does not hold: neither
    /// cash nor the position pay it; `Fill::fee` is its value in quote.
    Other { name: String, qty: Decimal },
}

impl FeeSource {
    pub fn is_quote(&self) -> bool {
        *self == FeeSource::Quote
    }

    /// The base quantity withheld from the fill.
    pub fn base_qty(&self) -> Decimal {
        match self {
            FeeSource::Base { qty } => *qty,
            _ => Decimal::ZERO,
        }
    }
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
    /// The whole fee's value in the quote currency (what reports count).
    pub fee: Decimal,
    /// Which balance paid the fee; the quote currency unless said.
    #[serde(default, skip_serializing_if = "FeeSource::is_quote")]
    pub fee_source: FeeSource,
    pub liquidity: Liquidity,
    /// Epoch ms at which the fill happened.
    pub time: Timestamp,
}
