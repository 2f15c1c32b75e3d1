//! An engine step's events as the journal's writes: a new order written
//! `pending_new`, each answer moving it on (where the state machine
//! allows), a cancel request marking it `pending_cancel`, an amended stop
//! rewriting its request, a fill recorded once per trade id (adding to its
//! order's filled quantity), a position upserted. A live step stages the
//! writes and commits them in one transaction; a replay writes each event
//! at once, idempotently.

use super::Store;
use super::candles::candle_insert;
use super::order_cache::CachedOrder;
use super::orders::{
    fill_insert, filled_update, order_insert, position_upsert, request_update, status_update,
};
use super::statement::Statement;
use crate::error::StoreError;
use crate::journal::{LoggedCandle, StoredPosition};
use rusqlite::OptionalExtension;
use smc_model::{
    ClientOrderId, EngineEvent, Fill, OrderKind, OrderRequest, OrderStatus, Timestamp,
};
use std::collections::HashMap;

/// The status an event moves its order to, with the reason.
fn status_of(
    event: &EngineEvent,
) -> Option<(&ClientOrderId, OrderStatus, Option<&str>, Timestamp)> {
    Some(match event {
        EngineEvent::OrderAccepted {
            time, client_id, ..
        } => (client_id, OrderStatus::Submitted, None, *time),
        EngineEvent::CancelRequested { time, client_id } => {
            (client_id, OrderStatus::PendingCancel, None, *time)
        }
        EngineEvent::OrderRejected {
            time,
            client_id,
            reason,
        } => (
            client_id,
            OrderStatus::Rejected,
            Some(reason.as_str()),
            *time,
        ),
        EngineEvent::OrderCancelled {
            time,
            client_id,
            reason,
        } => (
            client_id,
            OrderStatus::Cancelled,
            Some(reason.as_str()),
            *time,
        ),
        EngineEvent::OrderExpired {
            time,
            client_id,
            reason,
        } => (
            client_id,
            OrderStatus::Expired,
            Some(reason.as_str()),
            *time,
        ),
        _ => return None,
    })
}

fn position(event: &EngineEvent) -> Option<StoredPosition> {
    match event {
        EngineEvent::PositionChanged {
            time,
            instrument,
            qty,
            avg_price,
            realized_pnl,
        } => Some(StoredPosition {
            instrument: instrument.to_string(),
            qty: *qty,
            avg_price: *avg_price,
            realized_pnl: *realized_pnl,
            updated_at: *time,
        }),
        _ => None,
    }
}

/// The log position after record `seq`.
fn log_position_update(seq: u64) -> Result<Statement, StoreError> {
    let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt {
        what: "the journal log's sequence",
        value: seq.to_string(),
    })?;
    Ok(Statement::new(
        "INSERT INTO journal_log_position (id, applied_seq) VALUES (1, ?) \
         ON CONFLICT (id) DO UPDATE SET applied_seq = excluded.applied_seq",
    )
    .int(seq))
}

/// `kind` with its stop trigger moved to `trigger`.
fn amended(kind: OrderKind, trigger: rust_decimal::Decimal) -> OrderKind {
    match kind {
        OrderKind::StopMarket { .. } => OrderKind::StopMarket { trigger },
        OrderKind::StopLimit { price, .. } => OrderKind::StopLimit { trigger, price },
        other => other,
    }
}

/// A step's writes, and the orders as they will be once it commits.
#[derive(Default)]
struct Step {
    statements: Vec<Statement>,
    orders: HashMap<ClientOrderId, CachedOrder>,
}

impl Step {
    /// The order as it will be after the staged writes.
    fn order(&self, store: &Store, id: &ClientOrderId) -> Result<Option<CachedOrder>, StoreError> {
        match self.orders.get(id) {
            Some(o) => Ok(Some(o.clone())),
            None => store.cached_order(id),
        }
    }

    fn stage(&mut self, store: &Store, event: &EngineEvent) -> Result<(), StoreError> {
        if let Some((id, status, reason, time)) = status_of(event) {
            self.statements
                .extend(status_update(id, status, reason, None, time));
            return Ok(());
        }
        if let Some(p) = position(event) {
            self.statements.push(position_upsert(&p));
            return Ok(());
        }
        match event {
            EngineEvent::OrderSubmitted { time, order, .. } => {
                self.statements.push(order_insert(order, *time, false));
                self.orders.insert(
                    order.client_id.clone(),
                    CachedOrder {
                        request: order.clone(),
                        filled: 0.into(),
                        trades: Vec::new(),
                    },
                );
            }
            EngineEvent::OrderAmended {
                time,
                client_id,
                trigger,
            } => {
                if let Some(mut o) = self.order(store, client_id)? {
                    o.request = OrderRequest {
                        kind: amended(o.request.kind, *trigger),
                        ..o.request
                    };
                    self.statements.push(request_update(&o.request, *time));
                    self.orders.insert(client_id.clone(), o);
                }
            }
            EngineEvent::Fill(fill) => self.fill(store, fill)?,
            _ => {}
        }
        Ok(())
    }

    /// A fill and its order's filled quantity; a trade id already recorded
    /// changes nothing.
    fn fill(&mut self, store: &Store, fill: &Fill) -> Result<(), StoreError> {
        let order = self.order(store, &fill.client_id)?;
        if order
            .as_ref()
            .is_some_and(|o| o.trades.contains(&fill.trade_id))
        {
            return Ok(());
        }
        self.statements.push(fill_insert(fill));
        if let Some(mut o) = order {
            o.filled += fill.qty;
            o.trades.push(fill.trade_id.clone());
            self.statements
                .push(filled_update(fill, o.filled, o.request.qty));
            self.orders.insert(fill.client_id.clone(), o);
        }
        Ok(())
    }
}

impl Store {
    /// Writes one step in one transaction (see [`crate::Journal::commit_step`]).
    pub fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        self.commit_step_at(None, candle, events)
    }

    /// [`Store::commit_step`], recording that the log's record `seq` is
    /// applied in the same transaction.
    pub fn commit_step_at(
        &self,
        seq: Option<u64>,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        let mut step = Step::default();
        if let Some(c) = candle {
            step.statements.push(candle_insert(c, false));
        }
        if let Some(seq) = seq {
            step.statements.push(log_position_update(seq)?);
        }
        for event in events {
            step.stage(self, event)?;
        }
        // The step's risk decisions join the audit chain in its transaction.
        let decisions = super::audit::risk_entries(events);
        self.run_batch_audited(&step.statements, &decisions, "committing a step's journal")?;
        self.remember_orders(step.orders);
        Ok(())
    }

    /// The last log record applied (0: none).
    pub fn applied_log_seq(&self) -> Result<u64, StoreError> {
        let what = "reading the journal log's position";
        let seq: Option<i64> = self
            .conn()
            .query_row(
                "SELECT applied_seq FROM journal_log_position WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::query(what))?;
        u64::try_from(seq.unwrap_or(0)).map_err(|_| StoreError::Corrupt {
            what,
            value: format!("{seq:?}"),
        })
    }

    /// Writes one event at once, idempotently (a replay).
    pub fn replay_event(&self, event: &EngineEvent) -> Result<(), StoreError> {
        if let Some((id, status, reason, time)) = status_of(event) {
            self.forget_order(id);
            return self
                .set_order_status(id, status, reason, None, time)
                .map(drop);
        }
        if let Some(p) = position(event) {
            return self.set_position(&p);
        }
        match event {
            EngineEvent::OrderSubmitted { time, order, .. } => {
                self.record_order_if_new(order, *time).map(drop)
            }
            EngineEvent::OrderAmended {
                time,
                client_id,
                trigger,
            } => match self.order(client_id)? {
                Some(o) => {
                    let request = OrderRequest {
                        kind: amended(o.request.kind, *trigger),
                        ..o.request
                    };
                    self.amend_order(&request, *time)
                }
                None => Ok(()),
            },
            EngineEvent::Fill(fill) => self.record_fill(fill).map(drop),
            _ => Ok(()),
        }
    }

    /// Moves an order to `status` where the state machine allows; whether
    /// it moved.
    pub fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        match status_update(client_id, status, reason, venue_order_id, time) {
            Some(update) => Ok(self.run(update, "updating an order")? == 1),
            None => Ok(false),
        }
    }
}
