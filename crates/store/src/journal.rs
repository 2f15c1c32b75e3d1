//! The trading journal: orders, fills and positions in SQLite, so that a
//! paper or live run that is killed at any moment restarts knowing every
//! order it ever sent (and which of them may still be open or in an unknown
//! state), every fill exactly once, and its positions — the input of
//! reconciliation with the venue.
//!
//! Orders are written as `pending` before they are sent; a venue's answer
//! moves them on. Fills are keyed by (instrument, venue trade id): a fill
//! reported twice (user stream and query, or a replayed event) is stored
//! once, and the caller learns that it was a duplicate.

use crate::db::Store;
use crate::error::StoreError;
use crate::statement::Statement;
use rust_decimal::Decimal;
use smc_model::{ClientOrderId, Fill, OrderRequest};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use std::str::FromStr;

/// Where an order stands, as the journal knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JournalStatus {
    /// Written, maybe sent, not acknowledged.
    Pending,
    /// Acknowledged by the venue, resting.
    Submitted,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
    /// Sent, but the answer was lost (timeout, 5xx, disconnect): only the
    /// user stream, a query or reconciliation can tell.
    Unknown,
}

impl JournalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalStatus::Pending => "pending",
            JournalStatus::Submitted => "submitted",
            JournalStatus::PartiallyFilled => "partially_filled",
            JournalStatus::Filled => "filled",
            JournalStatus::Cancelled => "cancelled",
            JournalStatus::Rejected => "rejected",
            JournalStatus::Expired => "expired",
            JournalStatus::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<JournalStatus> {
        Some(match s {
            "pending" => JournalStatus::Pending,
            "submitted" => JournalStatus::Submitted,
            "partially_filled" => JournalStatus::PartiallyFilled,
            "filled" => JournalStatus::Filled,
            "cancelled" => JournalStatus::Cancelled,
            "rejected" => JournalStatus::Rejected,
            "expired" => JournalStatus::Expired,
            "unknown" => JournalStatus::Unknown,
            _ => return None,
        })
    }

    /// The states an order may move to `self` from. Statuses only move
    /// forward, so an answer that arrives late, twice or out of order (a
    /// user-stream "new" after the fill, a replay after a restart) cannot
    /// undo what the journal knows.
    fn predecessors(self) -> &'static [&'static str] {
        match self {
            JournalStatus::Pending => &[],
            JournalStatus::Unknown => &["pending"],
            JournalStatus::Submitted => &["pending", "unknown"],
            JournalStatus::PartiallyFilled => &["pending", "unknown", "submitted"],
            JournalStatus::Filled => &["pending", "unknown", "submitted", "partially_filled"],
            JournalStatus::Cancelled | JournalStatus::Expired | JournalStatus::Rejected => {
                &["pending", "unknown", "submitted", "partially_filled"]
            }
        }
    }

    /// Whether the order may still be live on the venue.
    pub fn may_be_open(self) -> bool {
        matches!(
            self,
            JournalStatus::Pending
                | JournalStatus::Submitted
                | JournalStatus::PartiallyFilled
                | JournalStatus::Unknown
        )
    }
}

/// One order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub request: OrderRequest,
    pub status: JournalStatus,
    pub filled_qty: Decimal,
    pub venue_order_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One position as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPosition {
    pub instrument: String,
    pub qty: Decimal,
    pub avg_price: Decimal,
    pub realized_pnl: Decimal,
    pub updated_at: i64,
}

fn decimal(what: &'static str, text: String) -> Result<Decimal, StoreError> {
    Decimal::from_str(&text).map_err(|_| StoreError::Corrupt { what, value: text })
}

fn json<T: serde::de::DeserializeOwned>(what: &'static str, text: String) -> Result<T, StoreError> {
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt { what, value: text })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Model types serialize to JSON infallibly (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

fn order(row: &SqliteRow) -> Result<StoredOrder, StoreError> {
    let q = |c: &str| -> Result<String, StoreError> {
        row.try_get(c)
            .map_err(StoreError::query("reading an order"))
    };
    let status = q("status")?;
    Ok(StoredOrder {
        request: json("orders.request", q("request")?)?,
        status: JournalStatus::parse(&status).ok_or(StoreError::Corrupt {
            what: "orders.status",
            value: status,
        })?,
        filled_qty: decimal("orders.filled_qty", q("filled_qty")?)?,
        venue_order_id: row
            .try_get("venue_order_id")
            .map_err(StoreError::query("reading an order"))?,
        reason: row
            .try_get("reason")
            .map_err(StoreError::query("reading an order"))?,
        created_at: row
            .try_get("created_at")
            .map_err(StoreError::query("reading an order"))?,
        updated_at: row
            .try_get("updated_at")
            .map_err(StoreError::query("reading an order"))?,
    })
}

/// The insert of a new order as `pending`; `if_new` ignores an id already
/// journaled instead of failing.
pub(crate) fn order_insert(request: &OrderRequest, time: i64, if_new: bool) -> Statement {
    let verb = if if_new { "INSERT OR IGNORE" } else { "INSERT" };
    Statement::new(format!(
        "{verb} INTO orders (client_id, instrument, request, status, created_at, updated_at) \
         VALUES (?, ?, ?, 'pending', ?, ?)"
    ))
    .text(request.client_id.as_str())
    .text(request.instrument.to_string())
    .text(to_json(request))
    .int(time)
    .int(time)
}

/// The move of an order to `status`, applied only from a predecessor
/// (`None`: nothing moves to `status`).
pub(crate) fn status_update(
    client_id: &ClientOrderId,
    status: JournalStatus,
    reason: Option<&str>,
    venue_order_id: Option<&str>,
    time: i64,
) -> Option<Statement> {
    let from = status.predecessors();
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
    .int(time)
    .text(client_id.as_str());
    Some(from.iter().fold(statement, |s, f| s.text(*f)))
}

/// The replacement of an order's stored request (an amended stop).
pub(crate) fn request_update(request: &OrderRequest, time: i64) -> Statement {
    Statement::new("UPDATE orders SET request = ?, updated_at = ? WHERE client_id = ?")
        .text(to_json(request))
        .int(time)
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
    .int(fill.time)
    .text(to_json(fill))
}

/// An order's filled quantity after a fill, and the status it implies.
/// A fill is a fact: it counts even on an order the journal thought
/// cancelled (the cancel lost the race on the venue).
pub(crate) fn filled_update(fill: &Fill, filled: Decimal, ordered: Decimal) -> Statement {
    let status = if filled >= ordered {
        JournalStatus::Filled
    } else {
        JournalStatus::PartiallyFilled
    };
    Statement::new(
        "UPDATE orders SET filled_qty = ?, status = ?, updated_at = ? WHERE client_id = ?",
    )
    .text(filled.to_string())
    .text(status.as_str())
    .int(fill.time)
    .text(fill.client_id.as_str())
}

/// [`filled_update`] for a batch, right after the fill's [`fill_insert`]:
/// applied only if that insert wrote a row, so a fill recorded before
/// (a replay) does not count twice.
pub(crate) fn filled_update_if_inserted(
    fill: &Fill,
    filled: Decimal,
    ordered: Decimal,
) -> Statement {
    filled_update(fill, filled, ordered).with_sql_tail(" AND changes() = 1")
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
    .int(p.updated_at)
}

impl Store {
    /// Writes a new order as `pending`, before it is sent. Writing the same
    /// client id twice is an error: ids are deterministic, so a second
    /// write means a duplicate order.
    pub fn record_order(&self, request: &OrderRequest, time: i64) -> Result<(), StoreError> {
        self.forget_order(&request.client_id);
        self.run(order_insert(request, time, false), "writing an order")
            .map(drop)
    }

    /// Writes an order unless its client id is already journaled (a replay
    /// after a restart regenerates the same deterministic ids). Returns
    /// whether it was new.
    pub fn record_order_if_new(
        &self,
        request: &OrderRequest,
        time: i64,
    ) -> Result<bool, StoreError> {
        self.forget_order(&request.client_id);
        Ok(self.run(order_insert(request, time, true), "writing an order")? == 1)
    }

    /// Moves an order to `status` (with the venue's id or a reason when
    /// known), if that is a step forward from where it is. Returns whether
    /// it moved (false: unknown order, or a late or repeated answer).
    pub fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: JournalStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: i64,
    ) -> Result<bool, StoreError> {
        match status_update(client_id, status, reason, venue_order_id, time) {
            Some(update) => Ok(self.run(update, "updating an order")? == 1),
            None => Ok(false),
        }
    }

    /// Replaces the stored request of an order (an amended stop).
    pub fn amend_order(&self, request: &OrderRequest, time: i64) -> Result<(), StoreError> {
        self.forget_order(&request.client_id);
        self.run(request_update(request, time), "amending an order")
            .map(drop)
    }

    /// Records a fill and adds it to its order's filled quantity, in one
    /// transaction. Returns `false` (and changes nothing) when the fill's
    /// trade id was already recorded.
    pub fn record_fill(&self, fill: &Fill) -> Result<bool, StoreError> {
        let what = "writing a fill";
        self.forget_order(&fill.client_id);
        let mut conn = self.conn();
        self.block_on(async {
            let mut tx = sqlx::Connection::begin(&mut *conn)
                .await
                .map_err(StoreError::query(what))?;
            let inserted = fill_insert(fill)
                .into_query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query(what))?
                .rows_affected()
                == 1;
            if inserted {
                let row = sqlx::query("SELECT request, filled_qty FROM orders WHERE client_id = ?")
                    .bind(fill.client_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::query(what))?;
                if let Some(row) = row {
                    let request: OrderRequest = json(
                        "orders.request",
                        row.try_get("request").map_err(StoreError::query(what))?,
                    )?;
                    let filled = decimal(
                        "orders.filled_qty",
                        row.try_get("filled_qty").map_err(StoreError::query(what))?,
                    )? + fill.qty;
                    filled_update(fill, filled, request.qty)
                        .into_query()
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query(what))?;
                }
            }
            tx.commit().await.map_err(StoreError::query(what))?;
            Ok(inserted)
        })
    }

    /// Sets an instrument's position.
    pub fn set_position(&self, p: &StoredPosition) -> Result<(), StoreError> {
        self.run(position_upsert(p), "writing a position").map(drop)
    }

    /// One order by client id.
    pub fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        let row = self
            .block_on(
                sqlx::query("SELECT * FROM orders WHERE client_id = ?")
                    .bind(client_id.as_str())
                    .fetch_optional(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading an order"))?;
        row.as_ref().map(order).transpose()
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        let rows = self
            .block_on(
                sqlx::query("SELECT * FROM orders ORDER BY created_at, client_id")
                    .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading the orders"))?;
        rows.iter().map(order).collect()
    }

    /// The orders that may still be live on the venue (pending, submitted,
    /// partially filled or unknown): what reconciliation must ask about.
    pub fn open_orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        Ok(self
            .orders()?
            .into_iter()
            .filter(|o| o.status.may_be_open())
            .collect())
    }

    /// Every fill, in time order.
    pub fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        let rows = self
            .block_on(
                sqlx::query("SELECT fill FROM fills ORDER BY time, rowid")
                    .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading the fills"))?;
        rows.iter()
            .map(|r| {
                json(
                    "fills.fill",
                    r.try_get("fill")
                        .map_err(StoreError::query("reading a fill"))?,
                )
            })
            .collect()
    }

    /// Every stored position.
    pub fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        let rows = self
            .block_on(
                sqlx::query("SELECT * FROM positions ORDER BY instrument")
                    .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading the positions"))?;
        rows.iter()
            .map(|r| {
                let q = |c: &str| -> Result<String, StoreError> {
                    r.try_get(c)
                        .map_err(StoreError::query("reading a position"))
                };
                Ok(StoredPosition {
                    instrument: q("instrument")?,
                    qty: decimal("positions.qty", q("qty")?)?,
                    avg_price: decimal("positions.avg_price", q("avg_price")?)?,
                    realized_pnl: decimal("positions.realized_pnl", q("realized_pnl")?)?,
                    updated_at: r
                        .try_get("updated_at")
                        .map_err(StoreError::query("reading a position"))?,
                })
            })
            .collect()
    }
}
