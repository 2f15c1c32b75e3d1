//! The engine's events written to the journal as they happen, then passed
//! on: an order is in the store before anyone downstream (the execution
//! adapter that sends it to the venue, the API) sees it. A write failure is
//! kept and reported by [`JournalSink::failure`]: the runner must stop
//! trading on it (an order that cannot be journaled must not be sent).

use crate::db::Store;
use crate::error::StoreError;
use crate::journal::{JournalStatus, StoredPosition};
use smc_model::{EngineEvent, EventSink, OrderKind, OrderRequest};

/// Journals, then forwards to `inner`.
pub struct JournalSink<'a> {
    store: &'a Store,
    inner: &'a mut dyn EventSink,
    failure: Option<StoreError>,
    /// Replaying after a restart: orders already journaled are expected.
    replay: bool,
}

impl<'a> JournalSink<'a> {
    pub fn new(store: &'a Store, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            store,
            inner,
            failure: None,
            replay: false,
        }
    }

    /// A sink for replaying logged candles after a restart: the events it
    /// sees were (partly) journaled before the process died, so writes are
    /// idempotent — an order already journaled is not a duplicate, and a
    /// status only moves forward anyway.
    pub fn replaying(store: &'a Store, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            replay: true,
            ..JournalSink::new(store, inner)
        }
    }

    /// Leaves replay: from now on a second order with a known id is an error.
    pub fn end_replay(&mut self) {
        self.replay = false;
    }

    /// The first write that failed, if any; events after it were not
    /// forwarded.
    pub fn failure(&self) -> Option<&StoreError> {
        self.failure.as_ref()
    }

    pub fn into_failure(self) -> Option<StoreError> {
        self.failure
    }

    fn write(&self, event: &EngineEvent) -> Result<(), StoreError> {
        let s = self.store;
        match event {
            EngineEvent::OrderSubmitted { time, order } if self.replay => {
                s.record_order_if_new(order, *time).map(drop)
            }
            EngineEvent::OrderSubmitted { time, order } => s.record_order(order, *time),
            EngineEvent::OrderAccepted {
                time, client_id, ..
            } => s
                .set_order_status(client_id, JournalStatus::Submitted, None, None, *time)
                .map(drop),
            EngineEvent::OrderRejected {
                time,
                client_id,
                reason,
            } => s
                .set_order_status(
                    client_id,
                    JournalStatus::Rejected,
                    Some(reason),
                    None,
                    *time,
                )
                .map(drop),
            EngineEvent::OrderCancelled {
                time,
                client_id,
                reason,
            } => s
                .set_order_status(
                    client_id,
                    JournalStatus::Cancelled,
                    Some(reason),
                    None,
                    *time,
                )
                .map(drop),
            EngineEvent::OrderExpired {
                time,
                client_id,
                reason,
            } => s
                .set_order_status(client_id, JournalStatus::Expired, Some(reason), None, *time)
                .map(drop),
            EngineEvent::OrderAmended {
                time,
                client_id,
                trigger,
            } => match s.order(client_id)? {
                Some(stored) => {
                    let request = OrderRequest {
                        kind: amended(stored.request.kind, *trigger),
                        ..stored.request
                    };
                    s.amend_order(&request, *time)
                }
                None => Ok(()),
            },
            EngineEvent::Fill(fill) => s.record_fill(fill).map(drop),
            EngineEvent::PositionChanged {
                time,
                instrument,
                qty,
                avg_price,
                realized_pnl,
            } => s.set_position(&StoredPosition {
                instrument: instrument.to_string(),
                qty: *qty,
                avg_price: *avg_price,
                realized_pnl: *realized_pnl,
                updated_at: *time,
            }),
            _ => Ok(()),
        }
    }
}

/// `kind` with its stop trigger moved to `trigger`.
fn amended(kind: OrderKind, trigger: rust_decimal::Decimal) -> OrderKind {
    match kind {
        OrderKind::StopMarket { .. } => OrderKind::StopMarket { trigger },
        OrderKind::StopLimit { price, .. } => OrderKind::StopLimit { trigger, price },
        other => other,
    }
}

impl EventSink for JournalSink<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        if self.failure.is_some() {
            return;
        }
        match self.write(event) {
            Ok(()) => self.inner.emit(event),
            Err(e) => self.failure = Some(e),
        }
    }
}
