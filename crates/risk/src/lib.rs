//! Risk management: every order passes through it before it reaches a
//! venue. This crate holds the portfolio risk measures (value at risk and
//! expected shortfall by four methods); sizing, stops, limits and circuit
//! breakers build on it.

/// Position sizing: fixed fractional, volatility, fixed notional, capped Kelly.
pub mod sizing;
/// Moments and quantiles of a return series.
pub mod stats;
/// Value at risk and conditional value at risk (expected shortfall).
pub mod var;

pub use var::{VarError, VarEstimate, VarMethod, value_at_risk};
