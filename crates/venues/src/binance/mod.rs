//! Binance spot (`/api/v3`) and USD-M futures (`/fapi/v1`).
//!
//! Every base URL is configurable, so the same clients run against the
//! exchange, its testnet, or the local simulator (`smc venue-sim`).

/// Account reads: key permissions, balances, trades, order history.
pub mod account;
/// REST order book snapshots (`GET depth`).
pub mod depth;
/// Base URLs, paths and request weights of both markets.
pub mod endpoints;
/// Errors of the Binance adapter, with the venue's error codes.
pub mod error;
/// exchangeInfo: symbol filters to instrument specs, and rate limits.
pub mod exchange_info;
/// A scanner for hot stream frames, tried before the serde parsers.
pub mod fast_scan;
/// Market data stream names, subscription frames and parsers.
pub mod market_parse;
/// The market data client: streams plus REST kline backfill.
pub mod market_stream;
/// Usage headers (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`).
pub mod meter;
/// Order responses and statuses: REST answers to the shared order view.
pub mod order_info;
/// Spot brackets as one OCO order list.
pub mod order_list;
/// Orders to Binance request parameters, rounded to the symbol filters.
pub mod order_wire;
/// Small shared parsing helpers that name the failing field.
pub mod parse_util;
/// USD-M positions.
pub mod positions;
/// The signed REST client: time sync, klines, place/cancel/query orders.
pub mod rest;
/// User data stream: listen keys, WebSocket API subscription, parsers.
pub mod user_stream;
/// Binance behind the venue interfaces.
pub mod venue;

pub use account::ApiRestrictions;
pub use depth::parse_depth_snapshot;
pub use endpoints::{BinanceMarket, BinanceUrls};
pub use error::{ApiError, BinanceError, ParseError};
pub use exchange_info::{ExchangeInfo, SymbolRules};
pub use market_parse::{StreamKind, parse_market};
pub use market_stream::{MarketDataClient, MarketDataConfig};
pub use meter::BinanceMeter;
pub use order_wire::encode_order;
pub use rest::{BinanceRest, Credentials};
pub use user_stream::{UserStream, parse_user_event};
pub use venue::BinanceVenue;
