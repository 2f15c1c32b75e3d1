//! Circuit breakers: conditions that suspend new risk automatically (daily
//! loss, drawdown, consecutive losses, a volatility spike, the exchange
//! error rate, stale market data). Each breaker goes Armed → Tripped →
//! CoolingDown → Armed; its state is persisted through [`BreakerStore`] so a
//! restart keeps it, every transition is an engine event, and releasing a
//! tripped breaker by hand is an authorized action. [`BreakerGate`] puts
//! them in front of any other risk gate.

/// Authorized resets: the secret, the request, constant-time checks.
pub mod auth;
/// The trait every breaker's measure implements.
pub mod condition;
/// Which breakers run, their limits and release rules.
pub mod config;
/// Daily loss from the UTC day's start equity.
pub mod daily_loss;
/// Drawdown from the equity peak.
pub mod drawdown;
/// The exchange error rate over a window of order requests.
pub mod error_rate;
/// The gate that wraps another risk gate with the breakers.
pub mod gate;
/// Consecutive losing round trips.
pub mod losses;
/// Stale market data.
pub mod stale;
/// The state machine and its records.
pub mod state;
/// Persistence of breaker states: the trait and an in-memory store.
pub mod store;
/// Trips when a position could not be protected (live mode).
pub mod unprotected;
/// Trips when reconciliation finds the venue different (live mode).
pub mod venue_mismatch;
/// A bar's true range against its average.
pub mod volatility;

pub use auth::{
    NEW_RESET_TOKEN_ENV, RESET_TOKEN_ENV, ResetError, ResetRequest, ResetSecret, ResetVerifier,
};
pub use config::{
    BreakerConfig, BreakerConfigError, ConsecutiveLossesConfig, DailyLossConfig, DrawdownConfig,
    ErrorRateConfig, Release, StaleDataConfig, VolatilitySpikeConfig,
};
pub use gate::{BreakerError, BreakerGate};
pub use state::{Action, BreakerRecord, BreakerState, BreakerTransition, TransitionError};
pub use store::{BreakerStore, MemoryStore, StoreError};
