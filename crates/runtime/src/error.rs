//! Why a session could not start or had to stop. Each error says what was
//! being done and what failed, in one line a user can act on.

use smc_engine::EngineError;
use smc_store::StoreError;
use smc_venues::VenueError;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The session refuses to run as asked (a live-mode precondition, a
    /// setting that does not fit), with why and what to do.
    #[error("{0}")]
    Refused(String),
    /// A venue call failed.
    #[error("{what}: {error}")]
    Venue { what: String, error: VenueError },
    /// The journal failed; nothing may trade on without it.
    #[error("{what}: {error}")]
    Store { what: String, error: StoreError },
    /// The circuit breakers' settings or their stored states.
    #[error(transparent)]
    Breakers(#[from] smc_risk::breakers::BreakerError),
    /// A backtest's input the engine cannot run.
    #[error(transparent)]
    Backtest(#[from] smc_engine::BacktestError),
    /// The engine refused an event.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A setting of the config or the command that cannot be used.
    #[error("{0}")]
    Setting(String),
    /// Input data that cannot be used (a file, a series), with where.
    #[error("{0}")]
    Data(String),
}

impl SessionError {
    pub(crate) fn venue(what: impl Into<String>) -> impl FnOnce(VenueError) -> SessionError {
        let what = what.into();
        move |error| SessionError::Venue { what, error }
    }

    pub(crate) fn store(what: impl Into<String>) -> impl FnOnce(StoreError) -> SessionError {
        let what = what.into();
        move |error| SessionError::Store { what, error }
    }
}

pub type SessionResult<T> = Result<T, SessionError>;
