//! External execution (live mode): the engine's orders go to a real venue
//! instead of the simulated one, and the venue's answers come back as
//! [`ExternalReport`]s. Strategy, risk gate, OMS, portfolio and trade
//! ledger are the same code as in a backtest; only the matching step is
//! skipped.
//!
//! - An approved intent becomes an OMS order with its quantity resolved at
//!   once (at the last close: the venue needs a quantity), an
//!   `OrderSubmitted` event (the live runner journals it) and a
//!   [`VenueCommand::Place`] for the runner to send.
//! - Cancels become [`VenueCommand::Cancel`]; the order stays open until
//!   the venue reports it cancelled.
//! - A moved stop is cancelled and replaced (`crate::replace`).
//! - A venue fill moves the portfolio, the order, the ledger and the
//!   strategy's `on_fill` exactly as a simulated fill does; a complete fill
//!   of a bracketed order sends its protective legs, and one leg's fill
//!   cancels its sibling.
//! - A fill is applied even when its order already left the OMS (a
//!   "cancelled" that overtook the last fill): the venue's trades are the
//!   truth of the account.
//!
//! The engine stays deterministic: the same candles and reports, in the
//! same order, give the same state — which is how a live run restarts.

use crate::engine::{Engine, EngineError, tee};
use crate::execution::{SimFill, bracket_legs};
use crate::oms::Order;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_model::{
    ClientOrderId, EngineEvent, EventSink, Fill, InstrumentId, Liquidity, OrderRequest,
    OrderStatus, Side,
};
use smc_strategy::Size;

/// Who fills the engine's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Execution {
    /// The engine's own matching engine (backtest, paper).
    #[default]
    Simulated,
    /// A real venue: orders leave as [`VenueCommand`]s, outcomes come back
    /// as [`ExternalReport`]s (live).
    External,
}

/// What the venue must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueCommand {
    /// Send this order (journaled as pending before the command exists).
    Place(OrderRequest),
    /// Cancel this order.
    Cancel {
        instrument: InstrumentId,
        client_id: ClientOrderId,
    },
}

/// What the venue said about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "report", rename_all = "snake_case")]
pub enum ExternalReport {
    Accepted {
        client_id: ClientOrderId,
    },
    Rejected {
        client_id: ClientOrderId,
        reason: String,
    },
    Cancelled {
        client_id: ClientOrderId,
        reason: String,
    },
    Expired {
        client_id: ClientOrderId,
        reason: String,
    },
    /// An execution, with the venue's trade id.
    Fill {
        fill: Fill,
    },
}

impl ExternalReport {
    /// A name for the report that is the same whichever channel delivered
    /// it (response, user stream, query, reconciliation): fills by
    /// instrument and trade id, outcomes by order and kind. A report seen
    /// twice is applied once.
    pub fn key(&self) -> String {
        match self {
            ExternalReport::Accepted { client_id } => format!("accepted:{client_id}"),
            ExternalReport::Rejected { client_id, .. } => format!("rejected:{client_id}"),
            ExternalReport::Cancelled { client_id, .. } => format!("cancelled:{client_id}"),
            ExternalReport::Expired { client_id, .. } => format!("expired:{client_id}"),
            ExternalReport::Fill { fill } => format!("fill:{}:{}", fill.instrument, fill.trade_id),
        }
    }

    pub fn client_id(&self) -> &ClientOrderId {
        match self {
            ExternalReport::Accepted { client_id }
            | ExternalReport::Rejected { client_id, .. }
            | ExternalReport::Cancelled { client_id, .. }
            | ExternalReport::Expired { client_id, .. } => client_id,
            ExternalReport::Fill { fill } => &fill.client_id,
        }
    }
}

impl Engine {
    /// Chooses who fills orders; call before the first event.
    pub fn set_execution(&mut self, execution: Execution) {
        self.execution = execution;
    }

    pub fn execution(&self) -> Execution {
        self.execution
    }

    /// The commands produced since the last call, in order.
    pub fn take_commands(&mut self) -> Vec<VenueCommand> {
        std::mem::take(&mut self.commands)
    }

    /// Cancels requested for orders that are still open (to send again
    /// after a restart: cancelling twice is harmless).
    pub fn pending_cancels(&self) -> Vec<VenueCommand> {
        self.oms
            .open()
            .iter()
            .filter(|o| self.cancel_requested.contains(o.client_id()))
            .map(|o| VenueCommand::Cancel {
                instrument: o.request.instrument.clone(),
                client_id: o.client_id().clone(),
            })
            .collect()
    }

    /// Applies what the venue reported. Returns whether it changed anything
    /// (a report about an order that already left the OMS changes nothing,
    /// except a fill, which always moves the account).
    pub fn apply_report(
        &mut self,
        report: &ExternalReport,
        sink: &mut dyn EventSink,
    ) -> Result<bool, EngineError> {
        let now = self.clock.now_ms();
        let (to, reason) = match report {
            ExternalReport::Fill { fill } => return self.apply_fill(fill, sink),
            ExternalReport::Accepted { client_id } => {
                if !self.oms.open().iter().any(|o| o.client_id() == client_id) {
                    return Ok(false);
                }
                tee(&mut self.risk, sink).emit(&EngineEvent::OrderAccepted {
                    time: now,
                    client_id: client_id.clone(),
                    eligible_at: now,
                });
                return Ok(true);
            }
            ExternalReport::Rejected { reason, .. } => (OrderStatus::Rejected, reason),
            ExternalReport::Cancelled { reason, .. } => (OrderStatus::Cancelled, reason),
            ExternalReport::Expired { reason, .. } => (OrderStatus::Expired, reason),
        };
        let client_id = report.client_id();
        let Some(o) = self
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| o.client_id() == client_id)
        else {
            return Ok(false);
        };
        if o.transition(to).is_err() {
            return Ok(false);
        }
        self.cancel_requested.remove(client_id);
        let (client_id, reason) = (client_id.clone(), reason.clone());
        let event = match to {
            OrderStatus::Rejected => EngineEvent::OrderRejected {
                time: now,
                client_id: client_id.clone(),
                reason,
            },
            OrderStatus::Expired => EngineEvent::OrderExpired {
                time: now,
                client_id: client_id.clone(),
                reason,
            },
            _ => EngineEvent::OrderCancelled {
                time: now,
                client_id: client_id.clone(),
                reason,
            },
        };
        tee(&mut self.risk, sink).emit(&event);
        self.oms.sweep();
        self.finish_replacement(&client_id, to == OrderStatus::Cancelled, now, sink);
        Ok(true)
    }

    /// An order for the external venue: its quantity resolved now, then
    /// journaled (`OrderSubmitted`) and handed out as a command.
    pub(crate) fn submit_external(
        &mut self,
        mut order: Order,
        reference: Decimal,
        now: i64,
        sink: &mut dyn EventSink,
    ) {
        let client_id = order.client_id().clone();
        let qty = match self.resolve_qty(&order, reference) {
            Ok(q) => q,
            Err(reason) => {
                return tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                    time: now,
                    client_id,
                    reason,
                });
            }
        };
        order.qty = Some(qty);
        order.request.qty = qty;
        self.place(order, now, sink);
    }

    /// Journals and sends an order with a known quantity.
    pub(crate) fn place(&mut self, order: Order, now: i64, sink: &mut dyn EventSink) {
        let request = order.request.clone();
        if let Err(e) = self.oms.submit(order) {
            return tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                time: now,
                client_id: request.client_id,
                reason: e.to_string(),
            });
        }
        tee(&mut self.risk, sink).emit(&EngineEvent::OrderSubmitted {
            time: now,
            order: request.clone(),
        });
        self.commands.push(VenueCommand::Place(request));
    }

    /// The quantity of an order at `reference` (the last close, or its
    /// limit price), rounded to the lot, clipped to the position when it
    /// only reduces.
    pub(crate) fn resolve_qty(&self, order: &Order, reference: Decimal) -> Result<Decimal, String> {
        let i = order.instrument;
        let price = order.kind().limit_price().unwrap_or(reference);
        if price <= Decimal::ZERO {
            return Err("no price yet to size the order at".into());
        }
        let position = self.portfolio.position(i).qty;
        let reducible = match order.side() {
            Side::Buy => (-position).max(Decimal::ZERO),
            Side::Sell => position.max(Decimal::ZERO),
        };
        let qty = match order.qty {
            Some(q) => q,
            None => {
                let raw = match order.size {
                    Size::Qty(q) => q,
                    Size::Notional(n) => n / price,
                    Size::EquityFraction(f) => {
                        let rate = self.config.fees.rate(Liquidity::Taker);
                        self.portfolio.fraction_qty(i, order.side(), f, price, rate)
                    }
                    Size::ClosePosition => reducible,
                };
                let spec = self
                    .instruments
                    .get(i)
                    .map(|s| s.instrument.spec)
                    .ok_or_else(|| format!("no instrument with index {i}"))?;
                spec.round_qty(raw, price)
                    .map_err(|e| format!("size cannot be filled: {e}"))?
            }
        };
        if order.request.reduce_only || order.size == Size::ClosePosition {
            if reducible.is_zero() {
                return Err("reduce-only order has no position to reduce".into());
            }
            return Ok(qty.min(reducible));
        }
        Ok(qty)
    }

    /// Asks the venue to cancel the open orders `which` selects (once each).
    pub(crate) fn request_cancels(&mut self, which: impl Fn(&Order) -> bool) {
        for o in self
            .oms
            .open()
            .iter()
            .filter(|o| o.status.is_open() && which(o))
        {
            if self.cancel_requested.insert(o.client_id().clone()) {
                self.commands.push(VenueCommand::Cancel {
                    instrument: o.request.instrument.clone(),
                    client_id: o.client_id().clone(),
                });
            }
        }
    }

    fn apply_fill(&mut self, fill: &Fill, sink: &mut dyn EventSink) -> Result<bool, EngineError> {
        let i = self
            .instruments
            .iter()
            .position(|s| s.instrument.id == fill.instrument)
            .ok_or_else(|| EngineError::UnknownInstrumentId(fill.instrument.to_string()))?;
        let now = self.clock.now_ms();
        let realized = self
            .portfolio
            .apply_fill(i, fill.side, fill.qty, fill.price, fill.fee);
        let mut setup = None;
        let mut complete = None;
        if let Some(o) = self
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| *o.client_id() == fill.client_id)
        {
            // An over-fill cannot move a filled order; the account moved anyway.
            let _ = o.record_fill(fill.qty, fill.price);
            setup = o.setup.clone();
            if o.status == OrderStatus::Filled {
                complete = Some(o.clone());
            }
        }
        let position = self.portfolio.position(i);
        self.ledger.on_fill(&SimFill {
            client_id: fill.client_id.clone(),
            instrument: i,
            side: fill.side,
            qty: fill.qty,
            price: fill.price,
            fee: fill.fee,
            liquidity: fill.liquidity,
            realized,
            time: fill.time,
            setup,
            position,
        });
        tee(&mut self.risk, sink).emit(&EngineEvent::Fill(fill.clone()));
        tee(&mut self.risk, sink).emit(&EngineEvent::PositionChanged {
            time: fill.time,
            instrument: fill.instrument.clone(),
            qty: position.qty,
            avg_price: position.avg_price,
            realized_pnl: position.realized,
        });
        if let Some(parent) = complete {
            self.cancel_requested.remove(parent.client_id());
            // A stop that filled before its cancel needs no replacement.
            self.finish_replacement(parent.client_id(), false, now, sink);
            if let Some(group) = parent.oco_group {
                let id = parent.client_id().clone();
                self.request_cancels(|o| o.oco_group == Some(group) && *o.client_id() != id);
            }
            let group = (parent.stop_loss.is_some() && parent.take_profit.is_some())
                .then(|| self.oms.new_group());
            for leg in bracket_legs(&parent, group, now) {
                self.place(leg, now, sink);
            }
        }
        self.oms.sweep();
        let equity = self.portfolio.equity();
        self.portfolio
            .write_snapshot(&mut self.snapshot, now, equity);
        self.strategy
            .on_fill(fill, &self.snapshot, &mut self.intents);
        if !self.intents.is_empty() {
            self.accept_intents(now, sink);
        }
        Ok(true)
    }
}
