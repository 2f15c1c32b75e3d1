//! The journal interface the runtime writes through, and what it reads
//! back. A session journals every engine step before its effects leave
//! (an order is written before it is sent), logs each closed candle and
//! each venue report so that a restart can replay them, and keeps the facts
//! it fixes once. SQLite ([`crate::Store`]) implements it; a server
//! database is a second implementation of the same trait.

use crate::error::StoreError;
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, Fill, InstrumentId, OrderRequest, OrderStatus, Timeframe,
    Timestamp,
};

/// One order as journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub request: OrderRequest,
    pub status: OrderStatus,
    pub filled_qty: Decimal,
    pub venue_order_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One instrument's position as journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPosition {
    pub instrument: String,
    pub qty: Decimal,
    pub avg_price: Decimal,
    pub realized_pnl: Decimal,
    pub updated_at: Timestamp,
}

/// How a candle reached the agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandleReceipt {
    /// Wall-clock time of arrival (epoch ms); unknown in old logs.
    pub received_at: Option<Timestamp>,
    /// Fetched over REST to fill a gap, not published live as it closed.
    pub history: bool,
}

/// One logged candle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCandle {
    pub instrument: InstrumentId,
    pub timeframe: Timeframe,
    pub candle: Candle,
    pub receipt: CandleReceipt,
}

/// One logged venue report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedReport {
    /// Logged candles the engine had processed when it was applied.
    pub after_candles: i64,
    /// The report, as the caller serialized it.
    pub report: String,
}

/// The trading journal of one session.
pub trait Journal: Send {
    /// Where it is (for messages).
    fn url(&self) -> &str;

    /// Writes one engine step in one transaction, all of it or nothing:
    /// the candle that caused it, if any (a candle logged twice fails the
    /// step: two writers on one session), and what its events change
    /// (orders written `pending_new`, statuses moved forward only, fills
    /// once per trade id, positions).
    fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError>;

    /// [`Journal::commit_step`] for record `seq` of the append-only log
    /// ([`crate::LogJournal`]), with the log position in the same
    /// transaction, so that a restart applies exactly the records after it.
    fn apply_logged_step(
        &self,
        seq: u64,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError>;

    /// The last log record applied (0: none).
    fn applied_log_seq(&self) -> Result<u64, StoreError>;

    /// Writes what one event changes, at once and idempotently: a replay
    /// after a restart regenerates events the killed process had partly
    /// journaled.
    fn replay(&self, event: &EngineEvent) -> Result<(), StoreError>;

    /// Every logged candle, in the order it was processed.
    fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError>;

    /// Logs a venue report under `key` before it is applied; `false` (and
    /// nothing logged) when one with that key was logged before.
    fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError>;

    /// Every logged venue report, in the order it was applied.
    fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError>;

    fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError>;

    /// Every order, oldest first.
    fn orders(&self) -> Result<Vec<StoredOrder>, StoreError>;

    /// The orders that may still be live on the venue (in flight or
    /// open): what reconciliation asks about.
    fn open_orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        Ok(self
            .orders()?
            .into_iter()
            .filter(|o| o.status.may_be_open())
            .collect())
    }

    /// The order the venue knows as `venue_order_id`.
    fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError>;

    /// Every fill, in time order.
    fn fills(&self) -> Result<Vec<Fill>, StoreError>;

    /// Every position, by instrument.
    fn positions(&self) -> Result<Vec<StoredPosition>, StoreError>;

    /// Moves an order to `status` (with a reason or the venue's id when
    /// known) if the state machine allows it from where it is; whether it
    /// moved.
    fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Records the venue's id of an order (whatever its status).
    fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError>;

    /// The value kept under `name`, if any.
    fn session_value(&self, name: &str) -> Result<Option<String>, StoreError>;

    /// Keeps `value` under `name` unless a value is there; the value kept.
    fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError>;

    /// From now on housekeeping waits for [`Journal::housekeeping`] (SQLite:
    /// no WAL checkpoint inside a commit).
    fn defer_housekeeping(&self) -> Result<(), StoreError>;

    /// Housekeeping, when the session is idle (SQLite: a passive WAL
    /// checkpoint).
    fn housekeeping(&self) -> Result<(), StoreError>;
}
