//! The SMC trading agent's engine: one synchronous step shared by backtest,
//! paper and live, with the order management system, the simulated venue
//! (one matching engine with named intrabar, slippage, latency and fee
//! models), the portfolio, and the backtest runner.
//!
//! Data flows one way: market events → [`Engine::process`] → match resting
//! orders → mark the portfolio → strategy → risk gate → OMS; everything that
//! happens leaves as [`smc_model::EngineEvent`]s through an
//! [`smc_model::EventSink`].

/// The backtest runner: merged series in, equity curve and trades out.
pub mod backtest;
/// Engine configuration and the names of the models that ran.
pub mod config;
/// The synchronous engine step.
pub mod engine;
/// Executing one fill: sizing, clipping, slippage, fees, funds, brackets.
pub mod execution;
/// Live mode: orders to an external venue, its reports back into the engine.
pub mod external;
/// Maker and taker fees.
pub mod fees;
/// Perpetual funding rates from CSV.
pub mod funding;
/// Intent → order: rounding and pre-venue checks.
pub mod intake;
/// Intrabar path rules (`ohlc`, `nearest-extreme`, `stop-first`).
pub mod intrabar;
/// Order latency in simulated time.
pub mod latency;
/// The lookahead checker: full run against runs on truncated data.
pub mod lookahead;
/// The matching engine: walks a bar's path and fills orders.
pub mod matching;
/// Orders by client id and their state.
pub mod oms;
/// Spot and margin accounts: cash, positions, P&L, funding.
pub mod portfolio;
/// Moving a stop on an external venue: cancel, then replace.
pub mod replace;
/// Slippage models.
pub mod slippage;
/// Round-trip trades built from fills.
pub mod trades;

pub use backtest::{
    BacktestError, BacktestReport, EquityPoint, FundingSeries, Series, engine_instruments,
    run_backtest,
};
pub use config::{AccountConfig, AccountKind, EngineConfig, ModelNames};
pub use engine::{Engine, EngineError, EngineInstrument, MarketEvent};
pub use external::{Execution, ExternalReport, VenueCommand};
pub use fees::FeeModel;
pub use funding::{FundingError, FundingRate, read_funding_rates};
pub use intrabar::IntrabarRule;
pub use latency::LatencyModel;
pub use lookahead::{Decision, Divergence, check_lookahead};
pub use slippage::SlippageModel;
pub use trades::{Trade, TradeSide};
