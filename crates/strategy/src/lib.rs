//! Strategies: the code a user writes to turn closed candles, SMC events and
//! fills into order intents, identical in backtest, paper and live. Also the
//! pre-trade risk hook the engine passes every intent through, and the
//! built-in `sma_cross` used to cross-check the engine against other tools.

/// What a strategy sees when it is called.
pub mod context;
/// Exit management after entry: trailing, break-even and time stops.
pub mod exits;
/// Order intents: what a strategy asks for, before risk and the OMS.
pub mod intent;
/// One instance of a single-market strategy per instrument.
pub mod per_instrument;
/// The pre-trade risk gate and the risk state strategies read.
pub mod risk;
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
pub use intent::{Intent, OrderIntent, Setup, Size};
pub use per_instrument::{MakeStrategy, PerInstrument};
pub use risk::{ApproveAll, RiskGate, RiskObservation, RiskOutcome, RiskState};
pub use sma_cross::{FirstDecision, SmaCross, SmaCrossConfig, SmaCrossError};
pub use smc::{SmcConfig, SmcStrategy};
pub use stops::{StopError, StopInputs, StopRule, TargetRule};
pub use strategy::Strategy;
