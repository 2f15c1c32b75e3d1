//! Strategies: the code a user writes to turn closed candles and fills into
//! order intents (`smc_model::Intent`), identical in backtest, paper and
//! live; the built-in `smc` strategy with its stop and exit rules, and
//! `sma_cross`, used to cross-check the engine against other tools.

/// What a strategy sees when it is called.
pub mod context;
/// Optional entry conditions of the smc strategy: kill zones, a recent sweep.
pub mod entry_filters;
/// Exit management after entry: trailing, break-even and time stops.
pub mod exits;
/// The ML filter's features, candidates, causality check and filter.
pub mod features;
/// ICT kill zones (hours of the UTC day) for the smc strategy's filter.
pub mod kill_zone;
/// One instance of a single-market strategy per instrument.
pub mod per_instrument;
/// Entries at planned bars: the significance test's random baselines.
pub mod scheduled;
/// Entry sizing: fixed fractional by default, or a `smc_risk` method.
pub mod sizing;
/// The built-in SMA crossover strategy.
pub mod sma_cross;
/// The built-in SMC strategy: higher-timeframe bias, lower-timeframe zone retests.
pub mod smc;
/// Initial stop and target placement rules.
pub mod stops;
/// The trait users implement.
pub mod strategy;

pub use context::StrategyContext;
pub use exits::{ExitAction, ExitBar, ExitPlan, ManagedExit, Trailing};
pub use per_instrument::{MakeStrategy, PerInstrument};
pub use scheduled::{Scheduled, ScheduledEntry};
pub use sma_cross::{FirstDecision, SmaCross, SmaCrossConfig, SmaCrossError};
pub use smc::{SmcConfig, SmcStrategy};
pub use stops::{StopError, StopInputs, StopRule, TargetRule};
pub use strategy::Strategy;
