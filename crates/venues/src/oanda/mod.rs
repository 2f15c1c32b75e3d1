//! OANDA v20: a forex margin account over REST and HTTP streams.
//!
//! Every base URL is configurable ([`OandaUrls`]: practice, live, or the
//! local simulator `smc venue-sim --protocol oanda` on one base). The
//! token goes in `Authorization: Bearer`; instrument ids are
//! `oanda:EUR_USD`. Facts (paths, fields, enums) are from OANDA's
//! OpenAPI description (`shared/data/exchange-specs/oanda/v20.yaml`) and
//! the answers recorded in oandapyV20's tests.

/// Account reads: accounts, summary as balances, positions.
pub mod account;
/// Base URLs, paths, granularities and rate limits.
pub mod endpoints;
/// Errors of the OANDA adapter and what OANDA's answers mean.
pub mod error;
/// The pricing stream's `PRICE` line, scanned before serde.
pub mod fast;
/// Account instruments to instrument rules.
pub mod instruments;
/// Candles, pricing and pricing stream lines to market values.
pub mod market_parse;
/// The market stream: pricing ticks and polled closed candles.
pub mod market_stream;
/// Orders to `POST …/orders` bodies, rounded to the rules.
pub mod order_wire;
/// Order records and order-create answers to the shared order view.
pub mod orders;
/// The REST client: token, error answers, clock, rules, candles.
pub mod rest;
/// HTTP line streams within OANDA's connection budget.
pub mod stream_conn;
/// OANDA's times (RFC 3339 with nanoseconds, or UNIX) to epoch ms.
pub mod time;
/// Orders and account reads over REST.
pub mod trade;
/// Transactions to order updates and fills.
pub mod transactions;
/// The transactions stream with catch-up across reconnects.
pub mod user_stream;
/// OANDA behind the venue interfaces.
pub mod venue;

pub use crate::net::Secret;
pub use endpoints::OandaUrls;
pub use error::{ApiError, ApiErrorKind, OandaError, ParseError};
pub use instruments::OandaRules;
pub use market_parse::{BidAskCandle, CandlePrice, PriceLine, Quote};
pub use market_stream::OandaMarketConfig;
pub use order_wire::AttachedExits;
pub use rest::{OandaCredentials, OandaRest};
pub use transactions::FillCosts;
pub use venue::OandaVenue;
