//! The simulated venue's models, one implementation shared by the engine
//! (backtest and paper fills) and `smc venue-sim` (the exchange simulator):
//! orders and the OMS, the matching engine that walks a bar's intrabar path,
//! and the named fee, slippage, latency and intrabar models, settled against
//! a spot or margin account. Nothing here knows strategies or risk.

/// The account a run starts with (spot or margin).
pub mod account;
/// Executing one fill: sizing, clipping, slippage, fees, funds, brackets.
pub mod executor;
/// Maker and taker fees.
pub mod fees;
/// Intrabar path rules (`ohlc`, `nearest-extreme`, `stop-first`).
pub mod intrabar;
/// Order latency in simulated time.
pub mod latency;
/// The matching engine: walks a bar's path and fills orders.
pub mod matching;
/// Orders by client id and their state.
pub mod oms;
/// Spot and margin accounts: cash, positions, P&L, funding.
pub mod portfolio;
/// Slippage models.
pub mod slippage;

pub use account::{AccountConfig, AccountKind};
pub use executor::{Executor, SimFill, VenueReport, bracket_legs};
pub use fees::{FeeAsset, FeeModel};
pub use intrabar::{Exposure, IntrabarRule};
pub use latency::LatencyModel;
pub use matching::MatchingEngine;
pub use oms::{Oms, OmsError, Order};
pub use portfolio::{FundsError, Portfolio, Position};
pub use slippage::SlippageModel;
