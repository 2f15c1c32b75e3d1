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
//!   strategy's `on_fill` exactly as a simulated fill does; a complete fill
//!   of a bracketed order sends its protective legs, and one leg's fill
//!   cancels its sibling.
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
use smc_model::{Candle, ClientOrderId, Fill, InstrumentId, OrderRequest, OrderStatus};
use std::collections::{BTreeMap, BTreeSet};

/// Moving a stop on the venue: cancel, then replace.
mod replace;

use replace::PendingReplacement;
pub use replace::replacement_id;

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
}

impl ExternalExecution {
    pub fn new() -> Self {
        ExternalExecution::default()
    }

    /// Journals (through the report) and sends an order with a known
    /// quantity.
    fn place(&mut self, book: &mut Book, order: Order, out: &mut Vec<ExecReport>) {
        let request = order.request.clone();
        if let Err(e) = book.oms.submit(order) {
            return out.push(ExecReport::Rejected {
                client_id: request.client_id,
                reason: e.to_string(),
            });
        }
        out.push(ExecReport::Submitted(request.clone()));
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
        let realized = book
            .portfolio
            .apply_fill(i, fill.side, fill.qty, fill.price, fill.fee);
        let mut setup = None;
        let mut complete = None;
        if let Some(o) = book
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
        out.push(ExecReport::Fill(BookFill {
            fill: fill.clone(),
            instrument: InstrumentIndex::new(i),
            realized,
            setup,
            position: book.portfolio.position(i),
        }));
        if let Some(parent) = complete {
            self.cancel_requested.remove(parent.client_id());
            // A stop that filled before its cancel needs no replacement.
            self.finish_replacement(book, parent.client_id(), false, out);
            if let Some(group) = parent.oco_group {
                let id = parent.client_id().clone();
                let sibling = |o: &Order| o.oco_group == Some(group) && *o.client_id() != id;
                self.request_cancels(book, &sibling, out);
            }
            let group = (parent.stop_loss.is_some() && parent.take_profit.is_some())
                .then(|| book.oms.new_group());
            for leg in bracket_legs(&parent, group, now) {
                self.place(book, leg, out);
            }
        }
        book.oms.sweep();
        Ok(true)
    }

    /// The venue's end of an order (rejected, cancelled, expired).
    fn apply_end(
        &mut self,
        book: &mut Book,
        client_id: &ClientOrderId,
        to: OrderStatus,
        reason: &str,
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
        self.cancel_requested.remove(client_id);
        let (client_id, reason) = (client_id.clone(), reason.to_string());
        out.push(match to {
            OrderStatus::Rejected => ExecReport::Rejected {
                client_id: client_id.clone(),
                reason,
            },
            OrderStatus::Expired => ExecReport::Expired {
                client_id: client_id.clone(),
                reason,
            },
            _ => ExecReport::Cancelled {
                client_id: client_id.clone(),
                reason,
            },
        });
        book.oms.sweep();
        self.finish_replacement(book, &client_id, to == OrderStatus::Cancelled, out);
        true
    }
}

impl Execution for ExternalExecution {
    fn name(&self) -> &'static str {
        "external"
    }

    /// The venue matches; a bar changes nothing here.
    fn on_bar(&mut self, _: &mut Book, _: usize, _: &Candle, _: &mut Vec<ExecReport>) {}

    fn submit(
        &mut self,
        book: &mut Book,
        mut order: Order,
        reference: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
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
            ExternalReport::Rejected { reason, .. } => (OrderStatus::Rejected, reason),
            ExternalReport::Cancelled { reason, .. } => (OrderStatus::Cancelled, reason),
            ExternalReport::Expired { reason, .. } => (OrderStatus::Expired, reason),
        };
        Ok(self.apply_end(book, report.client_id(), to, reason, out))
    }

    fn take_commands(&mut self) -> Vec<VenueCommand> {
        std::mem::take(&mut self.commands)
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
