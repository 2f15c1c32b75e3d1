//! Persistence for the SMC trading agent. SQLite is the embedded default
//! (`sqlite://FILE`, created on first use); the schema comes from numbered
//! migrations in `migrations/`, embedded in the binary and applied when a
//! store opens. It keeps the trading journal (orders written before they
//! are sent, fills de-duplicated by trade id, positions), the circuit
//! breakers' states and their append-only audit trail, and the verifier of
//! the breaker reset secret.
//!
//! The engine is synchronous, so [`Store`] is a synchronous façade: it owns
//! a small current-thread tokio runtime and blocks on sqlx's async calls.
//! Do not call it from inside an async runtime. The journal's per-step
//! commits, on the order path, go through a second, direct connection on
//! the calling thread instead (`direct`, measured by the `journal` bench).

/// Circuit-breaker states and transitions (implements `smc_risk`'s `BreakerStore`).
pub mod breakers;
/// The closed candles a run processed, for replay after a restart.
pub mod candles;
/// Opening a database and applying the migrations.
pub mod db;
/// The journal steps' direct connection.
mod direct;
/// Store errors.
pub mod error;
/// Orders, fills and positions.
pub mod journal;
/// The engine's events written to the journal before they go on.
pub mod journal_sink;
/// Live runs: the venue reports' replay log, session facts, venue order ids.
pub mod live;
/// The batched journal's memory of orders.
mod order_cache;
/// Verifiers of operator secrets: the breaker reset token.
pub mod secrets;
/// Writes as data, run alone or batched in one transaction.
mod statement;

pub use breakers::StoredTransition;
pub use candles::{CandleReceipt, LoggedCandle};
pub use db::Store;
pub use error::StoreError;
pub use journal::{JournalStatus, StoredOrder, StoredPosition};
pub use journal_sink::JournalSink;
pub use live::LoggedReport;
pub use secrets::StoredVerifier;
