//! `smc venue-sim`: a loopback exchange simulator that speaks the Binance
//! spot (`/api/v3`, `/sapi/v1`) and USD-M (`/fapi/v1|v2|v3`) protocols —
//! REST, market streams and the user data stream — for our adapter and
//! third-party clients (python-binance, ccxt). It verifies HMAC signatures
//! over the raw request bytes, enforces the receive window, symbol filters
//! and rate limits with Binance's error codes and bodies, matches orders
//! with the engine's matching engine, replays CSV series as its market on
//! the wall clock, and injects faults on demand.

/// Spot and USD-M accounts of a key: orders, fills, balances, positions.
pub mod account;
/// USD-M conditional orders of the Algo Service.
pub mod algo;
/// Signature verification over the raw bytes and the receive window.
pub mod auth;
/// The text a started simulator prints first.
pub mod banner;
/// The Bybit v5 protocol over the same state (`--protocol bybit`).
pub mod bybit;
/// Start-up configuration, key generation, limits and the book's shape.
pub mod config;
/// The control endpoint (`/__sim/faults`, withdrawals, replay state).
pub mod control;
/// Binance error answers and start-up errors.
pub mod error;
/// The user-event faults of a stream connection (both protocols).
pub mod event_faults;
/// `exchangeInfo` generated from the replayed series.
pub mod exchange_info;
/// The fault grammar and when faults fire.
pub mod faults;
/// Symbol filters with each family's error codes.
pub mod filters;
/// Markets and keys as a command line lists them, paired into the config.
pub mod flag_lists;
/// The REST front door: faults, weight, auth, handler, headers.
pub mod http;
/// The replayed market: shifted series, replay clock, derived rules.
pub mod market;
/// The OANDA v20 protocol over the same market (`--protocol oanda`).
pub mod oanda;
/// Order and trade records and their JSON.
pub mod orders;
/// Query string and form body parameters.
pub mod params;
/// Request weight per IP and order counts per account.
pub mod ratelimit;
/// Account, balance, position, API-restriction and listen-key endpoints.
pub mod rest_account;
/// USD-M Algo Service endpoints.
pub mod rest_algo;
/// Spot order lists (OCO).
pub mod rest_list;
/// Public market endpoints.
pub mod rest_market;
/// Order endpoints.
pub mod rest_trade;
/// The route table: paths, security, weights.
pub mod routes;
/// Binding, serving and the replay task.
pub mod server;
/// Shared state and the wall clock.
pub mod state;
/// Market and user data WebSocket streams.
pub mod streams;
/// User data events in Binance's shapes.
pub mod user_events;
/// The spot WebSocket API's user data stream.
pub mod ws_api;

pub use config::{BookShape, KeyConfig, Limits, MarketSource, OandaConfig, Protocol, SimConfig};
pub use error::{ApiError, SimError};
pub use faults::{Fault, FaultKind, FaultSpecError, parse_spec};
pub use server::{RunningSim, start};
