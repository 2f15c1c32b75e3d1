//! The runtime of the SMC trading agent: one [`Session`] for paper and
//! live trading, assembled from a [`SessionSpec`] (the config, the venue,
//! the symbols), fed by any venue's market data, trading through any
//! venue's execution interface, journaled so that a restart resumes
//! exactly, reconciled with the venue, and observed through an
//! [`EventBus`]. A session is started, observed and stopped from Rust code
//! ([`RunningSession`]). Also the assembly the backtests share: the
//! strategies by name and the risk gate a config asks for.

/// One session's account as a portfolio reports it.
pub mod account_report;
/// Builds a session's parts from its spec.
pub mod assemble;
/// A backtest job: input, engine, run, analysis.
pub mod backtest;
/// What a backtest trades, and on which account.
pub mod backtest_market;
/// What a finished backtest reports: JSON results, HTML report.
pub mod backtest_results;
/// An operator's offline actions on the breakers kept in a store.
pub mod breaker_admin;
/// The event bus: lossless and lossy subscribers.
pub mod bus;
/// Re-reads a changed config file.
pub mod config_watch;
/// From venue settings to connections behind the venue interfaces.
pub mod connect;
/// Why a session could not start or stopped.
pub mod error;
/// What a session reports.
pub mod event;
/// Fees paid in a third asset (BNB), valued in the quote currency.
pub mod fee_value;
/// A session on its own thread.
pub mod handle;
/// Live mode refuses new risk on candles fetched to fill a gap.
pub mod history_gate;
/// What a journal belongs to, and the lock of the session running on it.
pub mod identity;
/// Live mode's preconditions and starting point.
pub mod live_start;
/// The ML filter's jobs: candidates and labels, training, evaluation.
pub mod ml;
/// Commands an operator gives a running session.
pub mod operator;
/// The engine in the walk-forward search.
pub mod optimize;
/// A venue's view of an order to the engine's reports.
pub mod order_reports;
/// The daily and weekly reports of a session, from its journal.
pub mod period_report;
/// Several sessions in one process, reported together.
pub mod portfolio;
/// Reconciliation with the venue.
pub mod reconcile;
/// The risk gate a config asks for.
pub mod risk_gate;
/// A paper session routing each order between several venues.
pub mod routed;
/// Live commands to the venue, answers back.
pub mod router;
/// The session loop.
pub mod runner;
/// One session's state: engine, journal, replay.
pub mod session;
/// `smc backtest --significance`: the strategy against random entries.
pub mod significance;
/// What a session is asked to run.
pub mod spec;
/// The built-in strategies by name.
pub mod strategies;
/// Which server a session talks to, and where live mode may send keys.
pub mod venue_target;

pub use bus::{Delivery, EventBus, Lossless, Lossy};
pub use error::{SessionError, SessionResult};
pub use event::{
    CandleClosed, Connection, Latency, Level, Mode, RouteEvent, SessionEvent, Started, Stopped,
    Stream,
};
pub use handle::{Controls, NotTaken, RunningSession, StopRequest, Stopper};
pub use operator::{BreakerReset, OperatorCommand, OperatorIntent, OperatorRequest};
pub use reconcile::Reconciled;
pub use runner::run_session;
pub use session::Session;
pub use spec::{Market, SessionSpec, VenueName, VenueSpec, route_specs, venue_url_of};
pub use strategies::StrategyName;
