//! The trading journal's orders, fills and positions: the writes as
//! statements (so that a step can batch them) and the reads. Orders are
//! written `pending_new` before they are sent; an answer moves them on
//! only where the state machine allows (a late, repeated or out-of-order
//! answer changes nothing). Fills are keyed by (instrument, venue trade
//! id): a fill reported twice is stored once.

use super::statement::Statement;
use super::{Store, get, text, time};
use crate::error::StoreError;
use crate::journal::{StoredOrder, StoredPosition};
use rusqlite::Row;
use rust_decimal::Decimal;
use smc_model::{ClientOrderId, Fill, InstrumentId, OrderRequest, OrderStatus, Timestamp};
use std::str::FromStr;

fn decimal(what: &'static str, text: String) -> Result<Decimal, StoreError> {
    Decimal::from_str(&text).map_err(|_| StoreError::Corrupt { what, value: text })
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: String,
) -> Result<T, StoreError> {
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt { what, value: text })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Model types serialize to JSON infallibly (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

const ORDER_COLUMNS: &str =
    "request, status, filled_qty, venue_order_id, reason, created_at, updated_at";

fn order(row: &Row<'_>) -> Result<StoredOrder, StoreError> {
    let what = "reading an order";
    let status = text(row, "status", what)?;
    Ok(StoredOrder {
        request: json("orders.request", text(row, "request", what)?)?,
        status: OrderStatus::parse(&status).ok_or(StoreError::Corrupt {
            what: "orders.status",
            value: status,
        })?,
        filled_qty: decimal("orders.filled_qty", text(row, "filled_qty", what)?)?,
        venue_order_id: get(row, "venue_order_id", what)?,
        reason: get(row, "reason", what)?,
        created_at: time(row, "created_at", what)?,
        updated_at: time(row, "updated_at", what)?,
    })
}

/// The insert of a new order as `pending_new`; `if_new` ignores an id
/// already journaled instead of failing.
pub(crate) fn order_insert(request: &OrderRequest, time: Timestamp, if_new: bool) -> Statement {
    let verb = if if_new { "INSERT OR IGNORE" } else { "INSERT" };
    Statement::new(format!(
        "{verb} INTO orders (client_id, instrument, request, status, created_at, updated_at) \
         VALUES (?, ?, ?, 'pending_new', ?, ?)"
    ))
    .text(request.client_id.as_str())
    .text(request.instrument.to_string())
    .text(to_json(request))
    .time(time)
    .time(time)
}

/// The move of an order to `status`, applied only from a state that may
/// become it (`None`: nothing may).
pub(crate) fn status_update(
    client_id: &ClientOrderId,
    status: OrderStatus,
    reason: Option<&str>,
    venue_order_id: Option<&str>,
    time: Timestamp,
) -> Option<Statement> {
    let from: Vec<OrderStatus> = OrderStatus::predecessors(status).collect();
    if from.is_empty() {
        return None;
    }
    let placeholders = vec!["?"; from.len()].join(", ");
    let statement = Statement::new(format!(
        "UPDATE orders SET status = ?, reason = COALESCE(?, reason), \
         venue_order_id = COALESCE(?, venue_order_id), updated_at = ? \
         WHERE client_id = ? AND status IN ({placeholders})"
    ))
    .text(status.as_str())
    .opt_text(reason)
    .opt_text(venue_order_id)
    .time(time)
    .text(client_id.as_str());
    Some(from.iter().fold(statement, |s, f| s.text(f.as_str())))
}

/// The replacement of an order's stored request (an amended stop).
pub(crate) fn request_update(request: &OrderRequest, time: Timestamp) -> Statement {
    Statement::new("UPDATE orders SET request = ?, updated_at = ? WHERE client_id = ?")
        .text(to_json(request))
        .time(time)
        .text(request.client_id.as_str())
}

/// The insert of a fill, ignored when its trade id is already recorded.
pub(crate) fn fill_insert(fill: &Fill) -> Statement {
    Statement::new(
        "INSERT OR IGNORE INTO fills (instrument, trade_id, client_id, time, fill) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .text(fill.instrument.to_string())
    .text(fill.trade_id.clone())
    .text(fill.client_id.as_str())
    .time(fill.time)
    .text(to_json(fill))
}

/// An order's filled quantity after a fill, and the status it implies,
/// right after the fill's [`fill_insert`]: applied only if that insert
/// wrote a row, so a fill recorded before (a replay) does not count twice.
/// A fill is a fact: it counts even on an order the journal thought
/// cancelled (the cancel lost the race on the venue: the order is filled).
/// A partial fill reported after the order's end (its trade came before
/// the cancel, its report after) leaves the end standing, as the venue
/// does: cancelled with some quantity executed.
pub(crate) fn filled_update(fill: &Fill, filled: Decimal, ordered: Decimal) -> Statement {
    let status = if filled >= ordered {
        OrderStatus::Filled
    } else {
        OrderStatus::PartiallyFilled
    };
    Statement::new(
        "UPDATE orders SET filled_qty = ?1, \
         status = CASE WHEN ?2 = 'filled' OR status NOT IN ('cancelled', 'expired', 'rejected') \
         THEN ?2 ELSE status END, updated_at = ?3 \
         WHERE client_id = ?4 AND changes() = 1",
    )
    .text(filled.to_string())
    .text(status.as_str())
    .time(fill.time)
    .text(fill.client_id.as_str())
}

/// The upsert of an instrument's position.
pub(crate) fn position_upsert(p: &StoredPosition) -> Statement {
    Statement::new(
        "INSERT INTO positions (instrument, qty, avg_price, realized_pnl, updated_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (instrument) DO UPDATE SET \
         qty = excluded.qty, avg_price = excluded.avg_price, \
         realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at",
    )
    .text(p.instrument.clone())
    .text(p.qty.to_string())
    .text(p.avg_price.to_string())
    .text(p.realized_pnl.to_string())
    .time(p.updated_at)
}

impl Store {
    /// Writes a new order as `pending_new`, before it is sent. Writing the
    /// same client id twice is an error: ids are deterministic, so a
    /// second write means a duplicate order.
    pub fn record_order(&self, request: &OrderRequest, time: Timestamp) -> Result<(), StoreError> {
        self.forget_order(&request.client_id);
        self.run(order_insert(request, time, false), "writing an order")
            .map(drop)
    }

    /// Writes an order unless its client id is already journaled; whether
    /// it was new.
    pub fn record_order_if_new(
        &self,
        request: &OrderRequest,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        self.forget_order(&request.client_id);
        Ok(self.run(order_insert(request, time, true), "writing an order")? == 1)
    }

    /// Replaces the stored request of an order (an amended stop).
    pub fn amend_order(&self, request: &OrderRequest, time: Timestamp) -> Result<(), StoreError> {
        self.forget_order(&request.client_id);
        self.run(request_update(request, time), "amending an order")
            .map(drop)
    }

    /// Records a fill and adds it to its order's filled quantity, in one
    /// transaction; `false` (and nothing changed) when its trade id was
    /// recorded before.
    pub fn record_fill(&self, fill: &Fill) -> Result<bool, StoreError> {
        let what = "writing a fill";
        self.forget_order(&fill.client_id);
        if self.has_fill(fill)? {
            return Ok(false);
        }
        let mut batch = vec![fill_insert(fill)];
        if let Some(o) = self.order(&fill.client_id)? {
            batch.push(filled_update(fill, o.filled_qty + fill.qty, o.request.qty));
        }
        self.run_batch(&batch, what)?;
        Ok(true)
    }

    /// Whether the fill's trade is recorded.
    fn has_fill(&self, fill: &Fill) -> Result<bool, StoreError> {
        let found = self.rows(
            "SELECT 1 FROM fills WHERE instrument = ? AND trade_id = ?",
            [fill.instrument.to_string(), fill.trade_id.clone()],
            "reading a fill",
            |_| Ok(()),
        )?;
        Ok(!found.is_empty())
    }

    /// Sets an instrument's position.
    pub fn set_position(&self, p: &StoredPosition) -> Result<(), StoreError> {
        self.run(position_upsert(p), "writing a position").map(drop)
    }

    pub fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE client_id = ?");
        let mut found = self.rows(&sql, [client_id.as_str()], "reading an order", order)?;
        Ok(found.pop())
    }

    /// The orders that may still be live on the venue (in flight or open).
    pub fn open_orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        Ok(self
            .orders()?
            .into_iter()
            .filter(|o| o.status.may_be_open())
            .collect())
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at, client_id");
        self.rows(&sql, [], "reading the orders", order)
    }

    pub fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE instrument = ? AND venue_order_id = ?"
        );
        let params = [instrument.to_string(), venue_order_id.to_string()];
        let mut found = self.rows(&sql, params, "reading an order by venue id", order)?;
        Ok(found.pop())
    }

    /// The trade ids of an order's recorded fills.
    pub(crate) fn fills_of(&self, client_id: &ClientOrderId) -> Result<Vec<String>, StoreError> {
        let what = "reading an order's fills";
        self.rows(
            "SELECT trade_id FROM fills WHERE client_id = ?",
            [client_id.as_str()],
            what,
            |r| text(r, "trade_id", what),
        )
    }

    pub fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        let what = "reading the fills";
        self.rows(
            "SELECT fill FROM fills ORDER BY time, rowid",
            [],
            what,
            |r| json("fills.fill", text(r, "fill", what)?),
        )
    }

    pub fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        let what = "reading the positions";
        self.rows(
            "SELECT instrument, qty, avg_price, realized_pnl, updated_at \
             FROM positions ORDER BY instrument",
            [],
            what,
            |r| {
                Ok(StoredPosition {
                    instrument: text(r, "instrument", what)?,
                    qty: decimal("positions.qty", text(r, "qty", what)?)?,
                    avg_price: decimal("positions.avg_price", text(r, "avg_price", what)?)?,
                    realized_pnl: decimal(
                        "positions.realized_pnl",
                        text(r, "realized_pnl", what)?,
                    )?,
                    updated_at: time(r, "updated_at", what)?,
                })
            },
        )
    }
}
