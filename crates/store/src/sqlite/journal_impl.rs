//! The SQLite store as the session's [`Journal`].

use super::Store;
use crate::error::StoreError;
use crate::journal::{Journal, LoggedCandle, LoggedReport, StoredOrder, StoredPosition};
use smc_model::{ClientOrderId, EngineEvent, Fill, InstrumentId, OrderStatus, Timestamp};

impl Journal for Store {
    fn url(&self) -> &str {
        Store::url(self)
    }

    fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        Store::commit_step(self, candle, events)
    }

    fn apply_logged_step(
        &self,
        seq: u64,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        Store::commit_step_at(self, Some(seq), candle, events)
    }

    fn applied_log_seq(&self) -> Result<u64, StoreError> {
        Store::applied_log_seq(self)
    }

    fn replay(&self, event: &EngineEvent) -> Result<(), StoreError> {
        Store::replay_event(self, event)
    }

    fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        Store::logged_candles(self)
    }

    fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        Store::log_venue_report(self, key, after_candles, report)
    }

    fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        Store::venue_reports(self)
    }

    fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        Store::order(self, client_id)
    }

    fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        Store::orders(self)
    }

    fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        Store::order_by_venue_id(self, instrument, venue_order_id)
    }

    fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        Store::fills(self)
    }

    fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        Store::positions(self)
    }

    fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        Store::set_order_status(self, client_id, status, reason, venue_order_id, time)
    }

    fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        Store::set_venue_order_id(self, client_id, venue_order_id)
    }

    fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        Store::session_value(self, name)
    }

    fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        Store::session_value_or_insert(self, name, value)
    }

    fn defer_housekeeping(&self) -> Result<(), StoreError> {
        Store::defer_checkpoints(self)
    }

    fn housekeeping(&self) -> Result<(), StoreError> {
        Store::checkpoint(self)
    }
}
