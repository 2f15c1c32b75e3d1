//! Bybit v5: spot and USDT linear perpetuals (`category=spot|linear`).
//!
//! Every base URL is configurable ([`BybitUrls`]: mainnet, testnet, or the
//! local simulator `smc venue-sim --protocol bybit`). Instrument ids are
//! `bybit:SYMBOL` (spot) and `bybit-linear:SYMBOL`.

/// Account reads: balances, positions, the key's permissions.
pub mod account;
/// A local order book from snapshots and deltas.
pub mod book;
/// Base URLs, paths, kline intervals and rate limits.
pub mod endpoints;
/// Errors of the Bybit adapter, with Bybit's `retCode`s.
pub mod error;
/// A scanner for the hot public messages, tried before serde.
pub mod fast;
/// instruments-info to instrument rules.
pub mod instruments;
/// Public stream messages and REST klines to market events.
pub mod market_parse;
/// The public stream client with gap-free klines.
pub mod market_stream;
/// Orders to `order/create` bodies, rounded to the rules.
pub mod order_wire;
/// REST order book snapshots (`/v5/market/orderbook`).
pub mod orderbook;
/// Order and execution records to the shared order view and fills.
pub mod orders;
/// The REST client: envelope, signing, clock, rules, klines.
pub mod rest;
/// Request and WebSocket auth signing.
pub mod sign;
/// Orders and account reads over REST.
pub mod trade;
/// The private stream: order, execution, position, wallet.
pub mod user_stream;
/// Bybit behind the venue interfaces.
pub mod venue;

pub use crate::net::Credentials;
pub use endpoints::{BybitCategory, BybitUrls};
pub use error::{ApiError, BybitError, ParseError};
pub use instruments::BybitRules;
pub use market_parse::{PublicFrame, parse_public};
pub use market_stream::{BybitMarketConfig, PublicStream};
pub use orderbook::parse_orderbook_rest;
pub use rest::BybitRest;
pub use user_stream::{PrivateStream, parse_private};
pub use venue::BybitVenue;
