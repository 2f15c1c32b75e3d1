//! Walk-forward parameter optimisation for the SMC trading agent (`smc
//! optimize`).
//!
//! A search space of parameter sets ([`param`], [`space`]: a grid or a
//! seeded random sample) is evaluated over walk-forward windows
//! ([`windows`]): on each train window every set is backtested in parallel,
//! the best by the [`objective`] is chosen, and that choice is backtested on
//! the following, unseen test window. The report ([`report`]) sets the
//! in-sample results against the out-of-sample ones, stitches the test
//! windows into one account ([`stitch`]), and judges how likely the
//! selection is overfit with the Deflated Sharpe Ratio ([`dsr`]) and the
//! Probability of Backtest Overfitting ([`pbo`]).
//!
//! The backtests come from a [`Backtester`] (any closure over a parameter
//! set and a bar range), so the library runs without the engine; the CLI
//! plugs the engine in, with the built-in strategies' parameters from
//! [`strategies`]. Start at [`optimize`].

/// The backtest interface and its result.
pub mod backtester;
/// The Deflated Sharpe Ratio.
pub mod dsr;
/// The error type.
pub mod error;
/// Per-period moments of returns (Sharpe, skewness, kurtosis).
pub mod moments;
/// The objective that picks a window's best trial.
pub mod objective;
/// Parameter specs (`NAME=SPEC`) and parameter sets.
pub mod param;
/// The Probability of Backtest Overfitting (CSCV).
pub mod pbo;
/// The report and the overfitting warnings.
pub mod report;
/// The walk-forward optimisation.
pub mod run;
/// Grid and random search.
pub mod space;
/// Test windows chained into one out-of-sample account.
pub mod stitch;
/// The built-in strategies' parameters.
pub mod strategies;
/// Walk-forward windows.
pub mod windows;

pub use backtester::{Backtester, RunResult, metrics_of};
pub use dsr::{Dsr, DsrInput, deflated_sharpe};
pub use error::{BoxError, OptimizeError};
pub use objective::Objective;
pub use param::{ParamSet, ParamSpec, Value, parse_specs};
pub use pbo::{Pbo, pbo};
pub use report::{OptimizeReport, Summary, Thresholds, WindowReport};
pub use run::{OptimizeConfig, optimize, planned_runs};
pub use space::{Search, trials};
pub use windows::{Window, WindowLength, WindowSpec, walk_forward};
