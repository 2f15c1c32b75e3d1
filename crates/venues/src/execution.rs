//! What an execution venue reports about orders, the same for every venue.
//!
//! The order outcome policy of the architecture lives in [`OrderOutcome`]:
//! an order is `Rejected` only when the venue says so; a timeout, a 5xx, a
//! 429 or a disconnect after the request left leaves it `Unknown` until the
//! user stream, a status query or reconciliation resolves it. Placement is
//! never retried automatically.

use rust_decimal::Decimal;
use smc_model::{ClientOrderId, Fill, InstrumentId, OrderStatus};

/// An order as the venue reports it: in the answer to a placement, a
/// cancel or a query, in its open orders, or in a stream update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueOrder {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentId,
    /// The venue's own id of the order.
    pub venue_order_id: String,
    /// Its state in the shared state machine; a state the venue adds
    /// later reads as `Unknown` (with a warning), to be settled by a query.
    pub status: OrderStatus,
    /// The quantity ordered (0 when the venue does not say).
    pub orig_qty: Decimal,
    pub filled_qty: Decimal,
    /// Executions this report carries (a spot `FULL` answer, a stream
    /// trade update).
    pub fills: Vec<Fill>,
    /// The venue's reason for a rejection or an expiry, when it gives one.
    pub reject_reason: Option<String>,
    /// Venue time of the report (epoch ms), 0 if not given.
    pub time: i64,
}

/// The result of sending an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    /// The venue took the order (and may already have filled it).
    Accepted(VenueOrder),
    /// The venue refused the order; it does not exist there.
    Rejected {
        client_id: ClientOrderId,
        code: i64,
        reason: String,
    },
    /// The request may or may not have reached the matching engine. Resolve
    /// with the user stream, a status query by client id, or reconciliation;
    /// never by sending again.
    Unknown {
        client_id: ClientOrderId,
        reason: String,
    },
}

impl OrderOutcome {
    pub fn client_id(&self) -> &ClientOrderId {
        match self {
            OrderOutcome::Accepted(a) => &a.client_id,
            OrderOutcome::Rejected { client_id, .. } | OrderOutcome::Unknown { client_id, .. } => {
                client_id
            }
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, OrderOutcome::Unknown { .. })
    }
}

/// A change of an order reported by the user data stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    /// The order as it stands after the change; `fills` holds the
    /// execution this update reports, if it reports one.
    pub order: VenueOrder,
    /// The venue's execution type (`NEW`, `TRADE`, `CANCELED`, ...), as sent.
    pub execution_type: String,
    /// Commission as charged, in `commission_asset` (may be neither base
    /// nor quote, e.g. BNB; the fill's `fee` is then 0).
    pub commission: Decimal,
    pub commission_asset: Option<String>,
}

impl OrderUpdate {
    /// The execution this update reports, if any.
    pub fn fill(&self) -> Option<&Fill> {
        self.order.fills.first()
    }
}

/// Everything a user data stream delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEvent {
    Order(Box<OrderUpdate>),
    /// The stream's credential (listen key) expired: re-create and
    /// reconcile.
    StreamExpired,
    /// Money the venue booked on the account for holding positions (a
    /// forex rollover's financing, a perpetual's funding).
    Financing(Vec<FinancingReport>),
    /// An event type the adapter does not use (balances, account config…).
    Ignored(String),
}

/// One booking of financing or funding on a position, as the venue made
/// it: `paid` in the account currency, negative when the account received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FinancingReport {
    /// The venue's id of the booking, unique per instrument.
    pub id: String,
    /// The venue's symbol of the position's instrument.
    pub symbol: String,
    pub paid: Decimal,
    pub time: smc_model::Timestamp,
}
