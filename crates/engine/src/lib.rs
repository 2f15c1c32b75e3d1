//! The SMC trading agent's engine: one synchronous step shared by backtest,
//! paper and live, with the order management system, the portfolio, the
//! trade ledger, the backtest runner and the lookahead checker. Who fills
//! orders is one interface, [`Execution`]: the simulated venue (the
//! matching engine and its models, from `smc-matching`) or an external
//! venue (commands out, reports in).
//!
//! Data flows one way: market events → [`Engine::process`] → execution fills
//! resting orders → mark the portfolio → strategy → risk gate → execution;
//! everything that happens leaves as [`smc_model::EngineEvent`]s through an
//! [`smc_model::EventSink`].

/// The backtest runner: merged series in, equity curve and trades out.
pub mod backtest;
/// Orders, account and market reference an execution works on.
pub mod book;
/// Engine configuration and the names of the models that ran.
pub mod config;
/// The synchronous engine step.
pub mod engine;
/// Who fills orders: the interface both execution modes implement.
pub mod execution;
/// Live mode: orders to an external venue, its reports back into the engine.
pub mod external;
/// Forex: spread as the cost, daily financing, margin closeout.
pub mod forex;
/// Perpetual funding rates from CSV.
pub mod funding;
/// Intent → order: rounding and pre-venue checks.
pub mod intake;
/// The lookahead checker: full run against runs on truncated data.
pub mod lookahead;
/// Backtest and paper mode: the simulated venue fills orders.
pub mod simulated;
/// The trade ledger: round trips built from fills.
pub mod trades;

pub use backtest::{
    BacktestError, BacktestReport, EquityPoint, FundingSeries, Series, engine_instruments,
    run_backtest,
};
pub use book::{Book, EngineInstrument};
pub use config::{EngineConfig, ModelNames};
pub use engine::operator::{OPERATOR_NAME, OperatorDecision};
pub use engine::{Engine, EngineError, MarketEvent};
pub use execution::{BookFill, ExecReport, Execution};
pub use external::{
    ExternalExecution, ExternalReport, NOT_SENT, VenueCommand, exit_id, replacement_id,
};
pub use forex::ForexConfig;
pub use funding::{FundingError, FundingRate, read_funding_rates};
pub use lookahead::{Decision, Divergence, check_lookahead};
pub use simulated::SimulatedExecution;
pub use smc_matching::{
    AccountConfig, AccountKind, FeeModel, IntrabarRule, LatencyModel, Portfolio, Position,
    SlippageModel,
};
pub use trades::TradeLedger;
