//! Exchange adapters of the SMC trading agent.
//!
//! The crate has three layers:
//! - [`net`]: venue-neutral networking: request signing, rate limiting by
//!   metering scope, an HTTP client that never retries an order placement,
//!   and a WebSocket client with heartbeats, reconnects and resubscription;
//! - the venue interfaces ([`venue`]: [`ExecutionVenue`], [`MarketDataVenue`])
//!   and the venue-neutral values they speak: [`market`] data, [`execution`]
//!   outcomes and order reports, [`account`] balances, trades and positions,
//!   [`stream`]s, [`error`]s, and [`kline_sync`], which keeps a candle stream
//!   gap-free and duplicate-free across reconnects;
//! - one module per venue, made of its endpoints, parsers and clients, and
//!   the value that puts them behind the interfaces: [`binance`] (spot
//!   `/api/v3` and USD-M `/fapi/v1`, [`binance::BinanceVenue`]),
//!   [`bybit`] (v5 spot and USDT linear perpetuals, [`bybit::BybitVenue`])
//!   and [`oanda`] (v20 forex, [`oanda::OandaVenue`]).
//!
//! A new venue is a sibling module that implements the interfaces,
//! reusing `net`, `kline_sync` and the crate-private `common` pieces
//! (kline backfills, closed-kline ranges, order rounding, the
//! clock-resync resend, the held `Connected` of private streams).

/// Balances, positions, the account's trades, API key permissions.
pub mod account;
/// Binance spot and USD-M futures: endpoints, parsers, REST execution, streams.
pub mod binance;
/// Bybit v5 spot and USDT linear perpetuals: signing, parsers, REST, streams.
pub mod bybit;
/// Venue-neutral logic the venue modules share, each piece fed the
/// venue's own rules.
mod common;
/// The venue-neutral error and what it means for the caller.
pub mod error;
/// Venue-neutral execution types: order outcomes, the venue's view of an order, updates.
pub mod execution;
/// Keeps a kline stream complete and de-duplicated across reconnects.
pub mod kline_sync;
/// Venue-neutral market data events: candles, trades, book tops, depth,
/// order book snapshots.
pub mod market;
/// Shared network layer: signer, rate limiter, HTTP and WebSocket clients.
pub mod net;
/// OANDA v20 forex accounts: REST, pricing and transactions streams.
pub mod oanda;
/// Market data and order report streams.
pub mod stream;
/// The interfaces every venue implements.
pub mod venue;

pub use account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
pub use error::{VenueError, VenueErrorKind, VenueResult};
pub use execution::{FinancingReport, OrderOutcome, OrderUpdate, UserEvent, VenueOrder};
pub use kline_sync::{BackfillRequest, KlineSync, SyncOutput};
pub use market::{
    BookLevel, BookTop, DepthUpdate, KlineUpdate, MarketEvent, OrderBookSnapshot, Trade,
};
pub use stream::{MarketStreamEvent, Subscription, UserStreamEvent};
pub use venue::{
    ExecutionVenue, KlineRequest, MarketDataRequest, MarketDataVenue, Replaced, Venue,
};
