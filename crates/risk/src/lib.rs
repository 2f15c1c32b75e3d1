//! Risk management: every order passes through it before it reaches a
//! venue. This crate holds the portfolio risk measures (value at risk and
//! expected shortfall by four methods), position sizing and the pre-trade
//! limits gate; stops and circuit breakers are to come.

/// Pre-trade limits: the risk gate every order passes.
pub mod limits;
/// Position sizing: fixed fractional, volatility, fixed notional, capped Kelly.
pub mod sizing;
/// Moments and quantiles of a return series.
pub mod stats;
/// Value at risk and conditional value at risk (expected shortfall).
pub mod var;

pub use limits::{Limits, LimitsGate};
pub use sizing::{Kelly, SizeRequest, Sizing, SizingError, size};
pub use var::{VarError, VarEstimate, VarMethod, value_at_risk};
