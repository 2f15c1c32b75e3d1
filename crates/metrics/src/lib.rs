//! The SMC trading agent's Prometheus metrics, which the API server
//! exposes at `GET /metrics` and the Grafana dashboards in
//! `deploy/grafana/` chart.
//!
//! The server owns one [`Metrics`], feeds it each hosted session's bus
//! events through [`Metrics::observe`] (from a bus subscriber, never from
//! the engine thread), its own requests through [`Metrics::api_request`],
//! and answers a scrape with [`Metrics::render`] under [`CONTENT_TYPE`].
//!
//! # Families
//!
//! All prefixed `smc_`; the names are a contract with the dashboards.
//!
//! | family | type | labels |
//! |---|---|---|
//! | `smc_orders_total` | counter | session, symbol, side |
//! | `smc_fills_total` | counter | session, symbol, side |
//! | `smc_order_rejections_total` | counter | session, reason (`risk`, `venue`, `insufficient_balance`, `filter`) |
//! | `smc_candle_to_order_seconds` | histogram, 10 µs .. 1 s | session |
//! | `smc_candle_to_order_last_run_seconds` | gauge | session, quantile (`0.5`, `0.99`) |
//! | `smc_api_requests_total` | counter | route, method, status |
//! | `smc_api_request_duration_seconds` | histogram, 100 µs .. 5 s | route, method |
//! | `smc_ws_clients` | gauge | |
//! | `smc_ws_dropped_clients_total` | counter | reason |
//! | `smc_equity`, `smc_realized_pnl`, `smc_unrealized_pnl` | gauge | session |
//! | `smc_exposure` | gauge, signed notional at entry | session, symbol |
//! | `smc_breaker_state` | gauge: 0 armed, 1 tripped, 2 cooling down | session, breaker |
//! | `smc_breaker_trips_total` | counter | session, breaker |
//! | `smc_venue_reconnects_total` | counter | session, stream (`market_data`, `user_data`) |
//! | `smc_venue_errors_total` | counter | session, kind |
//! | `smc_notices_total` | counter | session, level |
//! | `smc_no_trade_total` | counter: entry candles without an order | session, reason (the strategy's no-trade codes) |
//! | `smc_routed_orders_total` | counter: orders and split parts per venue (`none`: refused) | session, venue |
//! | `smc_bus_missed_events_total` | counter | session |
//! | `smc_sessions` | gauge | mode, state |
//! | `smc_backtest_jobs` | gauge | state |
//!
//! and the standard `process_*` metrics from `/proc` (Linux only).
//!
//! # Cardinality
//!
//! Every label value is an identifier the operator chose (session ids,
//! symbols, breaker names, route templates such as
//! `/api/v1/sessions/{id}`) or a code from a fixed set. Free text never
//! becomes a label: rejection messages are reduced to a code, disconnect
//! reasons to `disconnected`, and callers must pass route templates, never
//! raw request paths.
//!
//! # Latency
//!
//! The bus carries no per-candle latency (a session reports percentiles
//! when it stops, kept in `smc_candle_to_order_last_run_seconds`); the
//! histogram is fed by [`Metrics::candle_to_order`] from whoever times the
//! candles.

mod families;
mod labels;
mod metrics;
mod observe;
pub mod process;

pub use families::{API_DURATION_BUCKETS, CANDLE_TO_ORDER_BUCKETS, breaker_state};
pub use metrics::Metrics;

/// The `Content-Type` of [`Metrics::render`]'s output: the Prometheus text
/// format 0.0.4, which every Prometheus version and compatible scraper
/// accepts (the OpenMetrics variant needs an exact `# EOF` ending that the
/// appended process metrics would have to respect).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
