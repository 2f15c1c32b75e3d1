//! What an account holds and did, as every venue reports it: balances,
//! margin positions, the account's trades, and what its API key may do.

use rust_decimal::Decimal;
use smc_model::Fill;

/// One asset's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
}

impl Balance {
    pub fn total(&self) -> Decimal {
        self.free + self.locked
    }
}

/// One of the account's trades, with the venue's id of its order (trade
/// lists do not name the client id; the caller maps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTrade {
    pub venue_order_id: String,
    /// The execution; `client_id` is empty until the caller sets it.
    pub fill: Fill,
}

/// One symbol's position on a margin account, net (negative when short).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenuePosition {
    pub symbol: String,
    pub amount: Decimal,
    pub entry_price: Decimal,
}

/// What an API key may do, as far as the venue says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyPermissions {
    pub trade: bool,
    pub withdraw: bool,
    /// Moving funds between the venue's accounts or to other users.
    pub transfer: bool,
    /// Whether the key only works from listed IP addresses.
    pub ip_restricted: bool,
}
