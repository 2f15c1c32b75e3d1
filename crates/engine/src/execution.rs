//! Who fills the engine's orders, behind one interface: the simulated venue
//! (backtest and paper: the matching engine fills orders against each bar)
//! or an external one (live: orders leave as commands, the venue's reports
//! come back). The engine calls the same methods in every mode and turns
//! what they report into events, the trade ledger and the strategy's fill
//! callbacks, in the order reported.

use crate::book::Book;
use crate::engine::EngineError;
use crate::external::{ExternalReport, VenueCommand};
use rust_decimal::Decimal;
use smc_matching::{Order, Position};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, ClientOrderId, Fill, OrderKind, OrderRequest, ProtectionAction, Setup};

/// A fill applied to the book: the venue's record of it, and what it did
/// to the account (for the trade ledger and the position event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFill {
    pub fill: Fill,
    /// Index of the instrument in the engine's table.
    pub instrument: InstrumentIndex,
    /// Realized P&L of the fill, before fees.
    pub realized: Decimal,
    /// The setup of the order that filled.
    pub setup: Option<Setup>,
    /// The position after the fill.
    pub position: Position,
}

/// What an execution did, for the engine to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecReport {
    /// An order went to the venue.
    Submitted {
        order: OrderRequest,
        setup: Option<Setup>,
    },
    /// The venue accepted it; it may fill from `eligible_at`.
    Accepted {
        client_id: ClientOrderId,
        eligible_at: Timestamp,
    },
    Rejected {
        client_id: ClientOrderId,
        reason: String,
    },
    /// A cancel went to an external venue; the order stays open until the
    /// venue confirms it.
    CancelRequested {
        client_id: ClientOrderId,
    },
    Cancelled {
        client_id: ClientOrderId,
        reason: String,
    },
    Expired {
        client_id: ClientOrderId,
        reason: String,
    },
    /// A stop's trigger moved.
    Amended {
        client_id: ClientOrderId,
        trigger: Decimal,
    },
    /// A stop could not be moved; it is unchanged.
    AmendRejected {
        client_id: ClientOrderId,
        reason: String,
    },
    Fill(Box<BookFill>),
    /// A cancel failed; the order stays open.
    CancelFailed {
        client_id: ClientOrderId,
        reason: String,
    },
    /// A protective order of an open position failed, and what was done.
    ProtectionFailed {
        instrument: InstrumentIndex,
        client_id: ClientOrderId,
        reason: String,
        action: ProtectionAction,
    },
}

/// One way of executing the engine's orders.
pub trait Execution {
    /// `simulated` or `external`, for reports.
    fn name(&self) -> &'static str;

    /// A bar of the `i`th instrument's execution timeframe closed, before
    /// the portfolio is marked and the strategy sees it.
    fn on_bar(&mut self, book: &mut Book, i: usize, candle: &Candle, out: &mut Vec<ExecReport>);

    /// An order the risk gate approved, decided when `reference` was the
    /// instrument's last close.
    fn submit(
        &mut self,
        book: &mut Book,
        order: Order,
        reference: Decimal,
        out: &mut Vec<ExecReport>,
    );

    /// Cancels the open orders `which` selects.
    fn cancel(
        &mut self,
        book: &mut Book,
        which: &dyn Fn(&Order) -> bool,
        out: &mut Vec<ExecReport>,
    );

    /// Moves the trigger of the stop the strategy calls `client_id`.
    fn amend_stop(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        trigger: Decimal,
        out: &mut Vec<ExecReport>,
    );

    /// Applies what an external venue reported at `now`; whether it
    /// changed anything (a report seen before changes nothing).
    fn apply_report(
        &mut self,
        book: &mut Book,
        report: &ExternalReport,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) -> Result<bool, EngineError>;

    /// What the venue must be told since the last call, in order.
    fn take_commands(&mut self) -> Vec<VenueCommand>;

    /// Cancels requested for orders still open (to send again after a
    /// restart: cancelling twice is harmless).
    fn pending_cancels(&self, book: &Book) -> Vec<VenueCommand>;

    /// The id the strategy knows order `id` by (an external venue renames
    /// a stop it replaces or sends again).
    fn strategy_id(&self, id: &ClientOrderId) -> ClientOrderId {
        id.clone()
    }
}

/// The new trigger of a stop, or why it cannot move.
pub(crate) fn moved_stop(kind: OrderKind, trigger: Decimal) -> Result<OrderKind, String> {
    match kind {
        _ if trigger <= Decimal::ZERO => Err(format!("bad trigger {trigger}")),
        OrderKind::StopMarket { .. } => Ok(OrderKind::StopMarket { trigger }),
        OrderKind::StopLimit { price, .. } => Ok(OrderKind::StopLimit { trigger, price }),
        other => Err(format!("a {other:?} order has no stop to move")),
    }
}
