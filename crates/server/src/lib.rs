//! `smc serve`: the SMC trading agent as a service. A REST and WebSocket
//! API (axum) over hosted paper and live sessions and backtest jobs, with
//! JWT access tokens and rotating refresh tokens, TOTP, roles and API
//! keys, rate limits and login throttling, a hash-chained audit log of
//! every state-changing request, Prometheus metrics and an OpenAPI 3.1
//! document generated from the routes.

/// The access layer: credentials, roles, step-up, limits, audit, metrics.
pub mod access;
/// The router and its layers.
pub mod app;
/// Tokens, callers, step-up, throttles.
pub mod auth;
/// JSON bodies with the contract's statuses.
pub mod body;
/// Writing the hosted sessions to Redis.
pub mod cache_publish;
/// The server's clock.
pub mod clock;
/// The web dashboard's files at `/`.
pub mod dashboard;
/// The JSON error answers.
pub mod error;
/// Hosted sessions.
pub mod host;
/// Events fanned out to WebSocket clients.
pub mod hub;
/// Backtest jobs.
pub mod jobs;
/// Request rate limits.
pub mod limits;
/// Which role may call which route.
pub mod policy;
/// `smc serve --replica`: sessions read from Redis.
pub mod replica;
/// Roles.
pub mod role;
/// The handlers.
pub mod routes;
/// Starting and stopping the server.
pub mod serve;
/// The shared state.
pub mod state;
/// HTTPS: the rustls config and listener.
pub mod tls;
/// Audit entries.
pub mod trail;
/// Request latencies, WebSocket clients, memory, build information.
pub mod vitals;

pub use serve::{ServeError, ServeOptions, build_state, listen_addr, serve};
pub use state::AppState;
