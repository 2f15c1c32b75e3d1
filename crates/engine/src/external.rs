//! External execution (live mode): the engine's orders go to a real venue
//! instead of the simulated one, and the venue's answers come back as
//! [`ExternalReport`]s. Strategy, risk gate, OMS, portfolio and trade
//! ledger are the same code as in a backtest; only the matching is the
//! venue's.
//!
//! - An approved order gets its quantity resolved at once (at the last
//!   close: the venue needs a quantity), is reported submitted (the runtime
//!   journals it) and leaves as a [`VenueCommand::Place`].
//! - Cancels become [`VenueCommand::Cancel`]; the order stays open until
//!   the venue reports it cancelled.
//! - A moved stop is cancelled and replaced (`replace`).
//! - A venue fill moves the portfolio, the order, the ledger and the
//!   strategy's `on_fill` exactly as a simulated fill does; each fill of a
//!   bracketed order sends (or grows) its protective legs for the quantity
//!   the account holds (a partial entry is protected at once; a buy's fee
//!   taken from the base received is not there to sell), and one leg's
//!   fill cancels its sibling.
//! - A refused protective order is never dropped (`protect`): it is sent
//!   again or the position is closed.
//! - A fill is applied even when its order already left the OMS (a
//!   "cancelled" that overtook the last fill): the venue's trades are the
//!   truth of the account.
//!
//! The engine stays deterministic: the same candles and reports, in the
//! same order, give the same state — which is how a live run restarts.

use crate::book::Book;
use crate::engine::EngineError;
use crate::execution::{BookFill, ExecReport, Execution};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_matching::{Order, bracket_legs};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, ClientOrderId, Fill, InstrumentId, OrderRequest, OrderStatus, Size};
use std::collections::{BTreeMap, BTreeSet};

/// Moving a stop on the venue: cancel, then replace.
mod replace;

/// Every open position covered by a stop, or closed.
mod protect;

/// Brackets as one venue order list.
mod lists;

pub use protect::{NOT_SENT, exit_id};
use protect::{Resend, SafetyExit};
use replace::PendingReplacement;
pub use replace::replacement_id;

/// What the venue must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueCommand {
    /// Send this order (journaled as pending before the command exists).
    Place(OrderRequest),
    /// Send a position's stop and take-profit as one one-cancels-the-other
    /// list (both journaled as pending first).
    PlaceOco {
        stop: OrderRequest,
        take_profit: OrderRequest,
    },
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
    /// A cancel that could not be sent, or that the venue refused, at `at`.
    CancelFailed {
        client_id: ClientOrderId,
        reason: String,
        at: Timestamp,
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
            ExternalReport::CancelFailed { client_id, at, .. } => {
                format!("cancel_failed:{client_id}:{}", at.ms())
            }
        }
    }

    pub fn client_id(&self) -> &ClientOrderId {
        match self {
            ExternalReport::Accepted { client_id }
            | ExternalReport::Rejected { client_id, .. }
            | ExternalReport::Cancelled { client_id, .. }
            | ExternalReport::Expired { client_id, .. }
            | ExternalReport::CancelFailed { client_id, .. } => client_id,
            ExternalReport::Fill { fill } => &fill.client_id,
        }
    }
}

/// The external venue's side of the engine: what it must be told, and
/// the cancels and stop replacements in flight.
#[derive(Debug, Default)]
pub struct ExternalExecution {
    /// What the venue must be told, in order.
    commands: Vec<VenueCommand>,
    /// Orders whose cancel was requested.
    cancel_requested: BTreeSet<ClientOrderId>,
    /// Stops being replaced, by the id being cancelled.
    replacing: BTreeMap<ClientOrderId, PendingReplacement>,
    /// The current id of each stop replaced so far (by the id the strategy
    /// knows), with its generation.
    replaced: BTreeMap<ClientOrderId, (ClientOrderId, u32)>,
    /// The quantity the legs of each bracketed entry being filled protect.
    protected: BTreeMap<ClientOrderId, Decimal>,
    /// Protective orders to send again at their instrument's next bar.
    resends: BTreeMap<InstrumentIndex, Vec<Resend>>,
    /// Resent orders: the id the strategy knows, and the resends so far.
    resent: BTreeMap<ClientOrderId, (ClientOrderId, u32)>,
    /// Positions being closed because they could not be protected.
    exits: BTreeMap<InstrumentIndex, SafetyExit>,
    /// Cancels that failed, asked again at their instrument's next bar.
    cancel_retries: BTreeSet<ClientOrderId>,
    /// The venue has order lists: brackets leave as one.
    order_lists: bool,
    /// One-cancels-other groups placed as venue lists.
    lists: BTreeSet<u64>,
    /// Replacements of list legs, by the list they replace, until both are.
    list_waiting: BTreeMap<u64, Vec<Order>>,
}

impl ExternalExecution {
    pub fn new() -> Self {
        ExternalExecution::default()
    }

    /// For a venue with one-cancels-the-other order lists (Binance spot):
    /// a bracket's stop and take-profit leave as one list.
    pub fn with_order_lists() -> Self {
        ExternalExecution {
            order_lists: true,
            ..ExternalExecution::default()
        }
    }

    /// Journals (through the report) and sends an order with a known
    /// quantity.
    fn place(&mut self, book: &mut Book, order: Order, out: &mut Vec<ExecReport>) {
        let request = order.request.clone();
        let setup = order.setup.clone();
        if let Err(e) = book.oms.submit(order) {
            return out.push(ExecReport::Rejected {
                client_id: request.client_id,
                reason: e.to_string(),
            });
        }
        out.push(ExecReport::Submitted {
            order: request.clone(),
            setup,
        });
        self.commands.push(VenueCommand::Place(request));
    }

    /// Asks the venue to cancel the open orders `which` selects (once each).
    fn request_cancels(
        &mut self,
        book: &Book,
        which: &dyn Fn(&Order) -> bool,
        out: &mut Vec<ExecReport>,
    ) {
        for o in book
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
                out.push(ExecReport::CancelRequested {
                    client_id: o.client_id().clone(),
                });
            }
        }
    }

    /// A venue fill: the account, the order, its legs or siblings.
    fn apply_fill(
        &mut self,
        book: &mut Book,
        fill: &Fill,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) -> Result<bool, EngineError> {
        let i = book
            .instruments
            .iter()
            .position(|s| s.instrument.id == fill.instrument)
            .ok_or_else(|| EngineError::UnknownInstrumentId(fill.instrument.to_string()))?;
        let realized = book.portfolio.apply_fill(
            i,
            fill.side,
            fill.qty,
            fill.price,
            fill.fee,
            &fill.fee_source,
        );
        let mut setup = None;
        let mut complete = None;
        let mut bracketed = None;
        if let Some(o) = book
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| *o.client_id() == fill.client_id)
        {
            // An over-fill cannot move a filled order; the account moved anyway.
            let _ = o.record_fill(fill.qty, fill.price);
            setup = o.setup.clone();
            if o.stop_loss.is_some() || o.take_profit.is_some() {
                bracketed = Some(o.clone());
            }
            if o.status == OrderStatus::Filled {
                complete = Some(o.clone());
            }
        }
        let index = InstrumentIndex::new(i);
        out.push(ExecReport::Fill(Box::new(BookFill {
            fill: fill.clone(),
            instrument: index,
            realized,
            setup,
            position: book.portfolio.position(i),
        })));
        if let Some(parent) = &complete {
            self.cancel_requested.remove(parent.client_id());
            // A stop that filled before its cancel needs no replacement.
            self.finish_replacement(book, parent.client_id(), false, out);
            match parent.oco_group {
                // The venue expires a list's other leg itself.
                Some(group) if self.lists.contains(&group) => self.drop_list_replacement(group),
                Some(group) => {
                    let id = parent.client_id().clone();
                    let sibling = |o: &Order| o.oco_group == Some(group) && *o.client_id() != id;
                    self.request_cancels(book, &sibling, out);
                }
                None => {}
            }
        }
        if let Some(parent) = bracketed
            && !self.exits.contains_key(&index)
        {
            self.protect_entry(book, &parent, now, out);
        }
        book.oms.sweep();
        let ended = complete.as_ref().map(|o| o.client_id());
        self.advance_exit(book, index, ended, now, out);
        Ok(true)
    }

    /// Places the legs of a bracketed entry for what its fills so far
    /// hold, or grows them after a further fill.
    fn protect_entry(
        &mut self,
        book: &mut Book,
        parent: &Order,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        let i = parent.instrument;
        let held = book.reducible(i, parent.side().opposite());
        let reference = book.last_close(i);
        let Some(qty) = book
            .spec(i)
            .and_then(|s| s.round_qty(parent.filled.min(held), reference).ok())
        else {
            return; // too little to protect yet (the next fill will be)
        };
        let id = parent.client_id().clone();
        match self.protected.get(&id).copied() {
            None => {
                let group = (parent.stop_loss.is_some() && parent.take_profit.is_some())
                    .then(|| book.oms.new_group());
                let legs = bracket_legs(parent, qty, group, now);
                self.place_legs(book, legs, out);
            }
            Some(before) if qty > before => {
                for leg in bracket_legs(parent, qty, None, now) {
                    self.resize_leg(book, leg.client_id().clone(), qty, out);
                }
            }
            Some(_) => {}
        }
        if parent.status == OrderStatus::Filled {
            self.protected.remove(&id);
        } else {
            self.protected.insert(id, qty);
        }
    }

    /// The venue's end of an order (rejected, cancelled, expired).
    fn apply_end(
        &mut self,
        book: &mut Book,
        client_id: &ClientOrderId,
        to: OrderStatus,
        reason: &str,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) -> bool {
        let Some(o) = book
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| o.client_id() == client_id)
        else {
            return false;
        };
        if o.transition(to).is_err() {
            return false;
        }
        let ended = o.clone();
        self.cancel_requested.remove(client_id);
        let (client_id, why) = (client_id.clone(), reason.to_string());
        out.push(match to {
            OrderStatus::Rejected => ExecReport::Rejected {
                client_id: client_id.clone(),
                reason: why,
            },
            OrderStatus::Expired => ExecReport::Expired {
                client_id: client_id.clone(),
                reason: why,
            },
            _ => ExecReport::Cancelled {
                client_id: client_id.clone(),
                reason: why,
            },
        });
        book.oms.sweep();
        self.finish_replacement(book, &client_id, to == OrderStatus::Cancelled, out);
        let i = ended.instrument;
        if to == OrderStatus::Rejected && ended.request.reduce_only {
            self.on_protection_refused(book, ended, reason, now, out);
        }
        self.advance_exit(book, i, Some(&client_id), now, out);
        true
    }
}

impl Execution for ExternalExecution {
    fn name(&self) -> &'static str {
        "external"
    }

    /// The venue matches; a bar only sends what waited for it (resends
    /// of protective orders, safety exits).
    fn on_bar(&mut self, book: &mut Book, i: usize, candle: &Candle, out: &mut Vec<ExecReport>) {
        self.protect_on_bar(book, InstrumentIndex::new(i), candle.open_time, out);
    }

    fn submit(
        &mut self,
        book: &mut Book,
        mut order: Order,
        reference: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        let reducing = order.request.reduce_only || order.size == Size::ClosePosition;
        let held = book.portfolio.position(order.instrument.get()).qty;
        if reducing && !held.is_zero() && Self::sellable(book, order.instrument).is_zero() {
            // Dust under the venue's lot (what a base-asset fee leaves):
            // no order can sell it, and refusing one every bar would only
            // feed the error-rate breaker.
            return;
        }
        let qty = match book.resolve_qty(&order, reference) {
            Ok(q) => q,
            Err(reason) => {
                return out.push(ExecReport::Rejected {
                    client_id: order.client_id().clone(),
                    reason,
                });
            }
        };
        order.qty = Some(qty);
        order.request.qty = qty;
        self.place(book, order, out);
    }

    /// The venue cancels; its answer moves the order.
    fn cancel(
        &mut self,
        book: &mut Book,
        which: &dyn Fn(&Order) -> bool,
        out: &mut Vec<ExecReport>,
    ) {
        self.request_cancels(book, which, out);
    }

    fn amend_stop(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        trigger: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        self.replace_stop(book, client_id, trigger, out);
    }

    fn apply_report(
        &mut self,
        book: &mut Book,
        report: &ExternalReport,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) -> Result<bool, EngineError> {
        let (to, reason) = match report {
            ExternalReport::Fill { fill } => return self.apply_fill(book, fill, now, out),
            ExternalReport::Accepted { client_id } => {
                if !book.oms.open().iter().any(|o| o.client_id() == client_id) {
                    return Ok(false);
                }
                out.push(ExecReport::Accepted {
                    client_id: client_id.clone(),
                    eligible_at: now,
                });
                return Ok(true);
            }
            ExternalReport::CancelFailed {
                client_id, reason, ..
            } => {
                if !self.cancel_requested.remove(client_id) {
                    return Ok(false);
                }
                self.cancel_retries.insert(client_id.clone());
                out.push(ExecReport::CancelFailed {
                    client_id: client_id.clone(),
                    reason: reason.clone(),
                });
                return Ok(true);
            }
            ExternalReport::Rejected { reason, .. } => (OrderStatus::Rejected, reason),
            ExternalReport::Cancelled { reason, .. } => (OrderStatus::Cancelled, reason),
            ExternalReport::Expired { reason, .. } => (OrderStatus::Expired, reason),
        };
        Ok(self.apply_end(book, report.client_id(), to, reason, now, out))
    }

    fn take_commands(&mut self) -> Vec<VenueCommand> {
        std::mem::take(&mut self.commands)
    }

    fn strategy_id(&self, id: &ClientOrderId) -> ClientOrderId {
        self.original_id(id)
    }

    fn pending_cancels(&self, book: &Book) -> Vec<VenueCommand> {
        book.oms
            .open()
            .iter()
            .filter(|o| self.cancel_requested.contains(o.client_id()))
            .map(|o| VenueCommand::Cancel {
                instrument: o.request.instrument.clone(),
                client_id: o.client_id().clone(),
            })
            .collect()
    }
}
