//! What an execution client reports, the same for every venue.
//!
//! The order outcome policy of the architecture lives in [`OrderOutcome`]:
//! an order is `Rejected` only when the venue says so; a timeout, a 5xx, a
//! 429 or a disconnect after the request left leaves it `Unknown` until the
//! user stream, a status query or reconciliation resolves it. Placement is
//! never retried automatically.

use rust_decimal::Decimal;
use smc_model::{ClientOrderId, Fill, InstrumentId, OrderStatus};

/// An order state as the venue reports it. A state the venue adds later is
/// kept as `Other` (and logged) rather than rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueStatus {
    Known(OrderStatus),
    Other(String),
}

impl VenueStatus {
    /// The shared state, if the venue's state maps to one.
    pub fn known(&self) -> Option<OrderStatus> {
        match self {
            VenueStatus::Known(s) => Some(*s),
            VenueStatus::Other(_) => None,
        }
    }
}

/// The venue accepted (and maybe already filled) an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderAck {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentId,
    /// The venue's own id of the order.
    pub venue_order_id: String,
    pub status: VenueStatus,
    pub filled_qty: Decimal,
    /// Executions reported in the response itself (spot FULL responses).
    pub fills: Vec<Fill>,
    /// Venue time of the acknowledgement (epoch ms), 0 if not given.
    pub time: i64,
}

/// The result of sending an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    Accepted(OrderAck),
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

/// A change of an order reported by the user data stream or a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentId,
    pub venue_order_id: String,
    pub status: VenueStatus,
    /// The venue's execution type (`NEW`, `TRADE`, `CANCELED`, ...), as sent.
    pub execution_type: String,
    pub filled_qty: Decimal,
    /// The execution this update reports, if it reports one.
    pub fill: Option<Fill>,
    /// Commission as charged, in `commission_asset` (may be neither base
    /// nor quote, e.g. BNB; `fill.fee` is then 0).
    pub commission: Decimal,
    pub commission_asset: Option<String>,
    /// The venue's reject reason, when it gives one (`NONE` is dropped).
    pub reject_reason: Option<String>,
    pub time: i64,
}

/// Everything a user data stream delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEvent {
    Order(Box<OrderUpdate>),
    /// The stream's credential (listen key) expired: re-create and
    /// reconcile.
    StreamExpired,
    /// An event type the adapter does not use (balances, account config…).
    Ignored(String),
}
