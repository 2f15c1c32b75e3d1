//! Risk management: every order passes through it before it reaches a
//! venue. This crate holds the portfolio risk measures (value at risk and
//! expected shortfall by four methods), position sizing, the pre-trade
//! limits gate (position, loss, drawdown, leverage, exposure per symbol,
//! venue and correlated group, portfolio VaR), and the circuit breakers that
//! suspend new risk. The statistics it computes with are `smc_model::stats`.
//! Stop and exit rules live with the strategies
//! (`smc_strategy::stops`, `smc_strategy::exits`), which this crate's gate
//! sits behind.

/// Circuit breakers: states, kinds, persistence trait, the breaker gate.
pub mod breakers;
/// Exposure caps per symbol, venue and correlated group.
pub mod exposure;
/// Pre-trade limits: the risk gate every order passes.
pub mod limits;
/// The portfolio VaR pre-trade limit.
pub mod portfolio_var;
/// Whether an intent can only reduce risk.
pub mod reducing;
/// New limits for a running gate (config reload).
pub mod reload;
/// Position sizing: fixed fractional, volatility, fixed notional, capped Kelly.
pub mod sizing;
/// Value at risk and conditional value at risk (expected shortfall).
pub mod var;

pub use breakers::{BreakerConfig, BreakerGate};
pub use exposure::{ExposureCaps, InstrumentTag};
pub use limits::{Limits, LimitsGate};
pub use portfolio_var::PortfolioVar;
pub use reducing::reduces_risk;
pub use reload::{LimitsHandle, LimitsUpdate};
pub use sizing::{Kelly, SizeRequest, Sizing, SizingError, size};
pub use var::{VarCvar, VarError, VarEstimate, VarMethod, historical_var_cvar, value_at_risk};
