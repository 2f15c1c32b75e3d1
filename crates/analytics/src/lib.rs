//! Backtest analytics: statistics of an equity curve and of round-trip
//! trades, as a JSON-friendly report.
//!
//! Inputs are exact (`Decimal` equity and P&L); statistics are `f64`,
//! converted once at the boundary with [`smc_model::num::to_f64`]. Every
//! metric that is undefined for its input (too few points, zero volatility,
//! no losing trade, …) is `None`, serialised as `null`, never NaN or
//! infinity. The formulas and their edge cases are tabulated in the crate's
//! `README.md` and repeated on each function.
//!
//! Start at [`analyze`], which builds the whole [`Analysis`]; the modules
//! below expose each formula for callers that need one.

/// The validated input curve: ascending times, equity as `f64`, its span.
pub mod curve;
/// Maximum drawdown and the longest time under water.
pub mod drawdown;
/// Fraction of bars with an open position.
pub mod exposure;
/// The `Metrics` report and `analyze`, which assembles everything.
pub mod metrics;
/// Calendar-month returns (UTC).
pub mod monthly;
/// Sharpe, Sortino and Calmar ratios.
pub mod ratios;
/// Per-bar simple returns, total return, CAGR and volatility.
pub mod returns;
/// Per-setup breakdown of the trades.
pub mod setups;
/// Random-entry baselines and p-values: is an edge real?
pub mod significance;
/// Round-trip trades (the input type) and their win/loss statistics.
pub mod trades;

pub use curve::{AnalyticsError, EquityCurve};
pub use metrics::{Analysis, Metrics, Options, analyze, analyze_curve};
pub use monthly::MonthlyReturn;
pub use setups::SetupStats;
