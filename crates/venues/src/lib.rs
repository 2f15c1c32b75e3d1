//! Exchange adapters of the SMC trading agent.
//!
//! The crate has three layers:
//! - [`net`]: venue-neutral networking: request signing, rate limiting by
//!   metering scope, an HTTP client that never retries an order placement,
//!   and a WebSocket client with heartbeats, reconnects and resubscription;
//! - venue-neutral results shared by every adapter: [`market`] data events,
//!   [`execution`] outcomes and order updates, and [`kline_sync`], which keeps
//!   a candle stream gap-free and duplicate-free across reconnects;
//! - one module per venue ([`binance`]: spot `/api/v3` and USD-M `/fapi/v1`),
//!   made of its endpoints, parsers and data/execution clients.
//!
//! Bybit and OANDA are meant to be added as sibling modules of `binance`,
//! reusing `net`, `market`, `execution` and `kline_sync` unchanged.

/// Binance spot and USD-M futures: endpoints, parsers, REST execution, streams.
pub mod binance;
/// Venue-neutral execution types: order outcomes, acknowledgements, updates.
pub mod execution;
/// Keeps a kline stream complete and de-duplicated across reconnects.
pub mod kline_sync;
/// Venue-neutral market data events: candles, trades, book tops, depth.
pub mod market;
/// Shared network layer: signer, rate limiter, HTTP and WebSocket clients.
pub mod net;

pub use execution::{OrderAck, OrderOutcome, OrderUpdate, UserEvent, VenueStatus};
pub use kline_sync::{BackfillRequest, KlineSync, SyncOutput};
pub use market::{BookLevel, BookTop, DepthUpdate, KlineUpdate, MarketEvent, Trade};
