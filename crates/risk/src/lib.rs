//! Risk management: every order passes through it before it reaches a
//! venue. This crate holds the portfolio risk measures (value at risk and
//! expected shortfall by four methods), position sizing and the pre-trade
//! limits gate, and the circuit breakers that suspend new risk; stops are to
//! come.

/// Circuit breakers: states, kinds, persistence trait, the breaker gate.
pub mod breakers;
/// Pre-trade limits: the risk gate every order passes.
pub mod limits;
/// Whether an intent can only reduce risk.
pub mod reducing;
/// Position sizing: fixed fractional, volatility, fixed notional, capped Kelly.
pub mod sizing;
/// Moments and quantiles of a return series.
pub mod stats;
/// Value at risk and conditional value at risk (expected shortfall).
pub mod var;

pub use breakers::{BreakerConfig, BreakerGate};
pub use limits::{Limits, LimitsGate};
pub use reducing::reduces_risk;
pub use sizing::{Kelly, SizeRequest, Sizing, SizingError, size};
pub use var::{VarError, VarEstimate, VarMethod, value_at_risk};
