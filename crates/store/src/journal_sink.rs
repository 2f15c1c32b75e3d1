//! The engine's events written to the journal before anyone downstream
//! (the execution adapter that sends an order to the venue, the API, the
//! event log) sees them.
//!
//! A live sink stages the writes of one engine step (one candle, one venue
//! report) and [`JournalSink::commit`] writes them in one transaction —
//! together with the candle itself, if staged — and only then passes the
//! events on. One commit per step is what keeps the path from a candle to
//! its order short (see `statement`); it is also all-or-nothing, so a kill
//! mid-step leaves the journal as it was before the step, which the replay
//! of the candle log then redoes.
//!
//! A replaying sink (after a restart) writes each event at once and
//! idempotently: the events it sees were partly journaled by the killed
//! process.
//!
//! A write failure is kept, and nothing after it is passed on: the runner
//! must stop trading on it (an order that cannot be journaled must not be
//! sent).

use crate::candles::CandleReceipt;
use crate::db::Store;
use crate::error::StoreError;
use crate::journal::{self, JournalStatus, StoredPosition};
use crate::order_cache::CachedOrder;
use crate::statement::Statement;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, EventSink, Fill, InstrumentId, OrderKind, OrderRequest,
    Timeframe,
};
use std::collections::HashMap;

/// Journals, then forwards to `inner`.
pub struct JournalSink<'a> {
    store: &'a Store,
    inner: &'a mut dyn EventSink,
    failure: Option<StoreError>,
    /// `None`: replaying, each event written at once.
    staged: Option<Staged>,
}

/// A step's writes and events, waiting for the commit.
#[derive(Default)]
struct Staged {
    statements: Vec<Statement>,
    events: Vec<EngineEvent>,
    /// The orders this step wrote, as they will be once it commits.
    orders: HashMap<ClientOrderId, CachedOrder>,
}

impl<'a> JournalSink<'a> {
    /// A sink for one engine step: call [`JournalSink::commit`] after it.
    pub fn new(store: &'a Store, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            store,
            inner,
            failure: None,
            staged: Some(Staged::default()),
        }
    }

    /// A sink for replaying logged candles after a restart: writes are
    /// immediate and idempotent — an order already journaled is not a
    /// duplicate, a fill already recorded is not counted twice, and a
    /// status only moves forward anyway.
    pub fn replaying(store: &'a Store, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            staged: None,
            ..JournalSink::new(store, inner)
        }
    }

    /// Stages the candle of this step for the candle log, so that it is
    /// committed with what it caused. Logging a candle twice fails the
    /// commit (two writers on one session).
    pub fn log_candle(
        &mut self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        candle: &Candle,
        receipt: CandleReceipt,
    ) {
        match crate::candles::candle_insert(instrument, timeframe, candle, receipt, false) {
            Ok(insert) => self.stage(insert),
            Err(e) => self.fail(e),
        }
    }

    /// The first write that failed, if any; events after it were not
    /// forwarded.
    pub fn failure(&self) -> Option<&StoreError> {
        self.failure.as_ref()
    }

    /// Writes what was staged in one transaction, then passes the events
    /// on. A replaying sink has nothing staged and reports its first
    /// failure.
    pub fn commit(self) -> Result<(), StoreError> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        let Some(staged) = self.staged else {
            return Ok(());
        };
        self.store
            .run_batch(staged.statements, "committing a step's journal")?;
        self.store.remember_orders(staged.orders);
        for event in &staged.events {
            self.inner.emit(event);
        }
        Ok(())
    }

    fn fail(&mut self, e: StoreError) {
        if self.failure.is_none() {
            self.failure = Some(e);
        }
    }

    fn stage(&mut self, statement: Statement) {
        if let Some(staged) = self.staged.as_mut() {
            staged.statements.push(statement);
        }
    }

    /// The order as it will be after the staged writes.
    fn order(&mut self, client_id: &ClientOrderId) -> Result<Option<CachedOrder>, StoreError> {
        if let Some(o) = self.staged.as_ref().and_then(|s| s.orders.get(client_id)) {
            return Ok(Some(o.clone()));
        }
        self.store.cached_order(client_id)
    }

    fn remember(&mut self, order: CachedOrder) {
        if let Some(staged) = self.staged.as_mut() {
            staged.orders.insert(order.request.client_id.clone(), order);
        }
    }

    /// Stages (or, replaying, writes) what `event` changes in the journal.
    fn journal(&mut self, event: &EngineEvent) -> Result<(), StoreError> {
        let s = self.store;
        let replay = self.staged.is_none();
        match event {
            EngineEvent::OrderSubmitted { time, order } if replay => {
                s.record_order_if_new(order, *time).map(drop)
            }
            EngineEvent::OrderSubmitted { time, order } => {
                self.stage(journal::order_insert(order, *time, false));
                self.remember(CachedOrder {
                    request: order.clone(),
                    filled: 0.into(),
                    trades: Vec::new(),
                });
                Ok(())
            }
            EngineEvent::OrderAccepted {
                time, client_id, ..
            } => self.status(client_id, JournalStatus::Submitted, None, *time),
            EngineEvent::OrderRejected {
                time,
                client_id,
                reason,
            } => self.status(client_id, JournalStatus::Rejected, Some(reason), *time),
            EngineEvent::OrderCancelled {
                time,
                client_id,
                reason,
            } => self.status(client_id, JournalStatus::Cancelled, Some(reason), *time),
            EngineEvent::OrderExpired {
                time,
                client_id,
                reason,
            } => self.status(client_id, JournalStatus::Expired, Some(reason), *time),
            EngineEvent::OrderAmended {
                time,
                client_id,
                trigger,
            } => self.amend(client_id, *trigger, *time),
            EngineEvent::Fill(fill) if replay => s.record_fill(fill).map(drop),
            EngineEvent::Fill(fill) => self.fill(fill),
            EngineEvent::PositionChanged {
                time,
                instrument,
                qty,
                avg_price,
                realized_pnl,
            } => {
                let position = StoredPosition {
                    instrument: instrument.to_string(),
                    qty: *qty,
                    avg_price: *avg_price,
                    realized_pnl: *realized_pnl,
                    updated_at: *time,
                };
                if replay {
                    return s.set_position(&position);
                }
                self.stage(journal::position_upsert(&position));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn status(
        &mut self,
        client_id: &ClientOrderId,
        status: JournalStatus,
        reason: Option<&str>,
        time: i64,
    ) -> Result<(), StoreError> {
        if self.staged.is_none() {
            return self
                .store
                .set_order_status(client_id, status, reason, None, time)
                .map(drop);
        }
        if let Some(update) = journal::status_update(client_id, status, reason, None, time) {
            self.stage(update);
        }
        Ok(())
    }

    fn amend(
        &mut self,
        client_id: &ClientOrderId,
        trigger: rust_decimal::Decimal,
        time: i64,
    ) -> Result<(), StoreError> {
        let Some(mut order) = self.order(client_id)? else {
            return Ok(());
        };
        order.request = OrderRequest {
            kind: amended(order.request.kind, trigger),
            ..order.request
        };
        if self.staged.is_none() {
            return self.store.amend_order(&order.request, time);
        }
        self.stage(journal::request_update(&order.request, time));
        self.remember(order);
        Ok(())
    }

    /// A fill and its order's filled quantity; a trade id already recorded
    /// changes nothing.
    fn fill(&mut self, fill: &Fill) -> Result<(), StoreError> {
        let order = self.order(&fill.client_id)?;
        if order
            .as_ref()
            .is_some_and(|o| o.trades.contains(&fill.trade_id))
        {
            return Ok(());
        }
        self.stage(journal::fill_insert(fill));
        if let Some(mut order) = order {
            order.filled += fill.qty;
            order.trades.push(fill.trade_id.clone());
            self.stage(journal::filled_update_if_inserted(
                fill,
                order.filled,
                order.request.qty,
            ));
            self.remember(order);
        }
        Ok(())
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
        if let Err(e) = self.journal(event) {
            self.fail(e);
            return;
        }
        match self.staged.as_mut() {
            Some(staged) => staged.events.push(event.clone()),
            None => self.inner.emit(event),
        }
    }
}
