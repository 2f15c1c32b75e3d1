//! [`PgJournal`] as the session's [`Journal`]: each event's writes as on
//! SQLite (orders written `pending_new`, statuses moved forward only, fills
//! once per trade id adding to their order, positions upserted), inside the
//! step's transaction; a replay writes each event alone, idempotently.

use super::PgJournal;
pub(crate) use super::statements::Cx;
use crate::error::StoreError;
use crate::journal::{
    CandleReceipt, Journal, LoggedCandle, LoggedReport, StoredOrder, StoredPosition,
};
use postgres::{GenericClient, Row};
use rust_decimal::Decimal;
use smc_model::{
    ClientOrderId, EngineEvent, Fill, InstrumentId, OrderKind, OrderRequest, OrderStatus, Timestamp,
};
use std::str::FromStr;

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.into(),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Model types serialize to JSON infallibly (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

fn json<T: serde::de::DeserializeOwned>(what: &'static str, text: String) -> Result<T, StoreError> {
    serde_json::from_str(&text).map_err(|_| corrupt(what, text))
}

fn decimal(what: &'static str, text: String) -> Result<Decimal, StoreError> {
    Decimal::from_str(&text).map_err(|_| corrupt(what, text))
}

/// A column of a row, or the error naming the read.
fn col<'a, T: postgres::types::FromSql<'a>>(
    row: &'a Row,
    name: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    row.try_get(name).map_err(StoreError::pg(what))
}

const ORDER_COLUMNS: &str =
    "request, status, filled_qty, venue_order_id, reason, created_at, updated_at";

fn order(row: &Row) -> Result<StoredOrder, StoreError> {
    let what = "reading an order";
    let status: String = col(row, "status", what)?;
    Ok(StoredOrder {
        request: json("orders.request", col(row, "request", what)?)?,
        status: OrderStatus::parse(&status).ok_or_else(|| corrupt("orders.status", status))?,
        filled_qty: decimal("orders.filled_qty", col(row, "filled_qty", what)?)?,
        venue_order_id: col(row, "venue_order_id", what)?,
        reason: col(row, "reason", what)?,
        created_at: Timestamp::from_ms(col(row, "created_at", what)?),
        updated_at: Timestamp::from_ms(col(row, "updated_at", what)?),
    })
}

/// `kind` with its stop trigger moved to `trigger`.
fn amended(kind: OrderKind, trigger: Decimal) -> OrderKind {
    match kind {
        OrderKind::StopMarket { .. } => OrderKind::StopMarket { trigger },
        OrderKind::StopLimit { price, .. } => OrderKind::StopLimit { trigger, price },
        other => other,
    }
}

/// Moves an order to `status` where the state machine allows; whether it moved.
fn move_status(
    c: &mut Cx<'_, impl GenericClient>,
    id: &ClientOrderId,
    status: OrderStatus,
    reason: Option<&str>,
    venue_order_id: Option<&str>,
    time: Timestamp,
) -> Result<bool, StoreError> {
    let from: Vec<&str> = OrderStatus::predecessors(status)
        .map(|s| s.as_str())
        .collect();
    if from.is_empty() {
        return Ok(false);
    }
    let n = c
        .execute(
            "UPDATE orders SET status = $1, reason = COALESCE($2, reason), \
             venue_order_id = COALESCE($3, venue_order_id), updated_at = $4 \
             WHERE client_id = $5 AND status = ANY($6)",
            &[
                &status.as_str(),
                &reason,
                &venue_order_id,
                &time.ms(),
                &id.as_str(),
                &from,
            ],
        )
        .map_err(StoreError::pg("updating an order"))?;
    Ok(n == 1)
}

fn read_order(
    c: &mut Cx<'_, impl GenericClient>,
    id: &ClientOrderId,
) -> Result<Option<StoredOrder>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE client_id = $1 FOR UPDATE");
    c.query_opt(&sql, &[&id.as_str()])
        .map_err(StoreError::pg("reading an order"))?
        .as_ref()
        .map(order)
        .transpose()
}

/// A fill and its order's filled quantity and status, as SQLite's
/// `filled_update`: applied only when the trade id is new.
fn record_fill(c: &mut Cx<'_, impl GenericClient>, fill: &Fill) -> Result<bool, StoreError> {
    let what = "writing a fill";
    let n = c
        .execute(
            "INSERT INTO fills (instrument, trade_id, client_id, time, fill) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                &fill.instrument.to_string(),
                &fill.trade_id,
                &fill.client_id.as_str(),
                &fill.time.ms(),
                &to_json(fill),
            ],
        )
        .map_err(StoreError::pg(what))?;
    if n == 0 {
        return Ok(false);
    }
    if let Some(o) = read_order(c, &fill.client_id)? {
        let filled = o.filled_qty + fill.qty;
        let status = if filled >= o.request.qty {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        c.execute(
            "UPDATE orders SET filled_qty = $1, \
             status = CASE WHEN $2 = 'filled' OR status NOT IN ('cancelled', 'expired', 'rejected') \
             THEN $2 ELSE status END, updated_at = $3 WHERE client_id = $4",
            &[&filled.to_string(), &status.as_str(), &fill.time.ms(), &fill.client_id.as_str()],
        )
        .map_err(StoreError::pg(what))?;
    }
    Ok(true)
}

fn set_position(c: &mut Cx<'_, impl GenericClient>, p: &StoredPosition) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO positions (instrument, qty, avg_price, realized_pnl, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instrument) DO UPDATE SET \
         qty = excluded.qty, avg_price = excluded.avg_price, \
         realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at",
        &[
            &p.instrument,
            &p.qty.to_string(),
            &p.avg_price.to_string(),
            &p.realized_pnl.to_string(),
            &p.updated_at.ms(),
        ],
    )
    .map_err(StoreError::pg("writing a position"))
    .map(drop)
}

/// Writes what one event changes; `if_new` ignores an order id already
/// journaled (a replay) instead of failing (a duplicate order).
fn apply(
    c: &mut Cx<'_, impl GenericClient>,
    event: &EngineEvent,
    if_new: bool,
) -> Result<(), StoreError> {
    let moved = match event {
        EngineEvent::OrderAccepted {
            time, client_id, ..
        } => Some((client_id, OrderStatus::Submitted, None, *time)),
        EngineEvent::CancelRequested { time, client_id } => {
            Some((client_id, OrderStatus::PendingCancel, None, *time))
        }
        EngineEvent::OrderRejected {
            time,
            client_id,
            reason,
        } => Some((
            client_id,
            OrderStatus::Rejected,
            Some(reason.as_str()),
            *time,
        )),
        EngineEvent::OrderCancelled {
            time,
            client_id,
            reason,
        } => Some((
            client_id,
            OrderStatus::Cancelled,
            Some(reason.as_str()),
            *time,
        )),
        EngineEvent::OrderExpired {
            time,
            client_id,
            reason,
        } => Some((
            client_id,
            OrderStatus::Expired,
            Some(reason.as_str()),
            *time,
        )),
        _ => None,
    };
    if let Some((id, to, reason, time)) = moved {
        return move_status(c, id, to, reason, None, time).map(drop);
    }
    match event {
        EngineEvent::PositionChanged {
            time,
            instrument,
            qty,
            avg_price,
            realized_pnl,
        } => set_position(
            c,
            &StoredPosition {
                instrument: instrument.to_string(),
                qty: *qty,
                avg_price: *avg_price,
                realized_pnl: *realized_pnl,
                updated_at: *time,
            },
        ),
        EngineEvent::OrderSubmitted { time, order, .. } => {
            let conflict = if if_new {
                " ON CONFLICT DO NOTHING"
            } else {
                ""
            };
            let sql = format!(
                "INSERT INTO orders (client_id, instrument, request, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'pending_new', $4, $4){conflict}"
            );
            c.execute(
                &sql,
                &[
                    &order.client_id.as_str(),
                    &order.instrument.to_string(),
                    &to_json(order),
                    &time.ms(),
                ],
            )
            .map_err(StoreError::pg("writing an order"))
            .map(drop)
        }
        EngineEvent::OrderAmended {
            time,
            client_id,
            trigger,
        } => match read_order(c, client_id)? {
            Some(o) => {
                let request = OrderRequest {
                    kind: amended(o.request.kind, *trigger),
                    ..o.request
                };
                c.execute(
                    "UPDATE orders SET request = $1, updated_at = $2 WHERE client_id = $3",
                    &[&to_json(&request), &time.ms(), &client_id.as_str()],
                )
                .map_err(StoreError::pg("amending an order"))
                .map(drop)
            }
            None => Ok(()),
        },
        EngineEvent::Fill(fill) => record_fill(c, fill).map(drop),
        _ => Ok(()),
    }
}

/// The serde tag of an event (`order_submitted`, `fill`, …).
fn kind(event: &EngineEvent) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| "fill".into())
}

impl PgJournal {
    /// [`Journal::commit_step`], recording that the log's record `seq` is
    /// applied in the same transaction.
    fn commit_step_at(
        &self,
        seq: Option<u64>,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        let what = "committing a step's journal";
        self.ensure_partitions("candles", candle.map(|c| c.candle.open_time.ms()))?;
        self.ensure_partitions("engine_events", events.iter().map(|e| e.time().ms()))?;
        let mut client = self.client();
        let mut cache = self.statements();
        let mut tx = client.transaction().map_err(StoreError::pg(what))?;
        let mut cx = Cx {
            c: &mut tx,
            cache: &mut cache,
        };
        if let Some(c) = candle {
            insert_candle(&mut cx, c, false)?;
        }
        if let Some(seq) = seq {
            let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt {
                what: "the journal log's sequence",
                value: seq.to_string(),
            })?;
            cx.execute(
                "INSERT INTO journal_log_position (id, applied_seq) VALUES (1, $1) \
                 ON CONFLICT (id) DO UPDATE SET applied_seq = EXCLUDED.applied_seq",
                &[&seq],
            )
            .map_err(StoreError::pg(what))?;
        }
        for event in events {
            apply(&mut cx, event, false)?;
            cx.execute(
                "INSERT INTO engine_events (time, kind, event) VALUES ($1, $2, $3)",
                &[&event.time().ms(), &kind(event), &to_json(event)],
            )
            .map_err(StoreError::pg(what))?;
        }
        // The step's risk decisions join the audit chain in its
        // transaction, as on SQLite.
        super::audit::append_in(&mut tx, &crate::sqlite::audit::risk_entries(events))?;
        tx.commit().map_err(StoreError::pg(what))
    }
}

impl Journal for PgJournal {
    fn url(&self) -> &str {
        PgJournal::url(self)
    }

    fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        self.commit_step_at(None, candle, events)
    }

    fn apply_logged_step(
        &self,
        seq: u64,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        self.commit_step_at(Some(seq), candle, events)
    }

    fn applied_log_seq(&self) -> Result<u64, StoreError> {
        let what = "reading the journal log's position";
        let row = self
            .client()
            .query_opt(
                "SELECT applied_seq FROM journal_log_position WHERE id = 1",
                &[],
            )
            .map_err(StoreError::pg(what))?;
        let seq: i64 = row.map(|r| r.get(0)).unwrap_or(0);
        u64::try_from(seq).map_err(|_| StoreError::Corrupt {
            what,
            value: seq.to_string(),
        })
    }

    fn replay(&self, event: &EngineEvent) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut tx = client
            .transaction()
            .map_err(StoreError::pg("replaying an event"))?;
        let mut cache = self.statements();
        apply(
            &mut Cx {
                c: &mut tx,
                cache: &mut cache,
            },
            event,
            true,
        )?;
        tx.commit().map_err(StoreError::pg("replaying an event"))
    }

    fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        let what = "reading the candle log";
        let rows = self
            .client()
            .query(
                "SELECT instrument, timeframe, candle, received_at, history FROM candles ORDER BY seq",
                &[],
            )
            .map_err(StoreError::pg(what))?;
        rows.iter()
            .map(|r| {
                let instrument: String = col(r, "instrument", what)?;
                let timeframe: String = col(r, "timeframe", what)?;
                Ok(LoggedCandle {
                    instrument: InstrumentId::from_str(&instrument)
                        .map_err(|_| corrupt("candles.instrument", instrument.clone()))?,
                    timeframe: smc_model::Timeframe::from_str(&timeframe)
                        .map_err(|_| corrupt("candles.timeframe", timeframe.clone()))?,
                    candle: json("candles.candle", col(r, "candle", what)?)?,
                    receipt: CandleReceipt {
                        received_at: col::<Option<i64>>(r, "received_at", what)?
                            .map(Timestamp::from_ms),
                        history: col(r, "history", what)?,
                    },
                })
            })
            .collect()
    }

    fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .client()
            .execute(
                "INSERT INTO venue_reports (key, after_candles, report) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO NOTHING",
                &[&key, &after_candles, &report],
            )
            .map_err(StoreError::pg("logging a venue report"))?;
        Ok(n == 1)
    }

    fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        let what = "reading the venue reports";
        let rows = self
            .client()
            .query(
                "SELECT after_candles, report FROM venue_reports ORDER BY seq",
                &[],
            )
            .map_err(StoreError::pg(what))?;
        rows.iter()
            .map(|r| {
                Ok(LoggedReport {
                    after_candles: col(r, "after_candles", what)?,
                    report: col(r, "report", what)?,
                })
            })
            .collect()
    }

    fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE client_id = $1");
        self.client()
            .query_opt(&sql, &[&client_id.as_str()])
            .map_err(StoreError::pg("reading an order"))?
            .as_ref()
            .map(order)
            .transpose()
    }

    fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at, client_id");
        let rows = self
            .client()
            .query(&sql, &[])
            .map_err(StoreError::pg("reading the orders"))?;
        rows.iter().map(order).collect()
    }

    fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE instrument = $1 AND venue_order_id = $2"
        );
        self.client()
            .query_opt(&sql, &[&instrument.to_string(), &venue_order_id])
            .map_err(StoreError::pg("reading an order by venue id"))?
            .as_ref()
            .map(order)
            .transpose()
    }

    fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        let what = "reading the fills";
        let rows = self
            .client()
            .query("SELECT fill FROM fills ORDER BY time, seq", &[])
            .map_err(StoreError::pg(what))?;
        rows.iter()
            .map(|r| json("fills.fill", col(r, "fill", what)?))
            .collect()
    }

    fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        let what = "reading the positions";
        let rows = self
            .client()
            .query(
                "SELECT instrument, qty, avg_price, realized_pnl, updated_at FROM positions ORDER BY instrument",
                &[],
            )
            .map_err(StoreError::pg(what))?;
        rows.iter()
            .map(|r| {
                Ok(StoredPosition {
                    instrument: col(r, "instrument", what)?,
                    qty: decimal("positions.qty", col(r, "qty", what)?)?,
                    avg_price: decimal("positions.avg_price", col(r, "avg_price", what)?)?,
                    realized_pnl: decimal("positions.realized_pnl", col(r, "realized_pnl", what)?)?,
                    updated_at: Timestamp::from_ms(col(r, "updated_at", what)?),
                })
            })
            .collect()
    }

    fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        move_status(
            &mut Cx {
                c: &mut *self.client(),
                cache: &mut self.statements(),
            },
            client_id,
            status,
            reason,
            venue_order_id,
            time,
        )
    }

    fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        self.client()
            .execute(
                "UPDATE orders SET venue_order_id = $1 WHERE client_id = $2",
                &[&venue_order_id, &client_id.as_str()],
            )
            .map_err(StoreError::pg("writing a venue order id"))
            .map(drop)
    }

    fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading a session value";
        self.client()
            .query_opt("SELECT value FROM session WHERE name = $1", &[&name])
            .map_err(StoreError::pg(what))?
            .map(|r| col(&r, "value", what))
            .transpose()
    }

    fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        self.client()
            .execute(
                "INSERT INTO session (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .map_err(StoreError::pg("writing a session value"))?;
        self.session_value(name)?
            .ok_or_else(|| corrupt("session", name))
    }

    fn defer_housekeeping(&self) -> Result<(), StoreError> {
        // The server vacuums and checkpoints on its own schedule.
        Ok(())
    }

    fn housekeeping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Appends a candle to the log; `if_new` ignores one already logged.
pub(crate) fn insert_candle(
    c: &mut Cx<'_, impl GenericClient>,
    candle: &LoggedCandle,
    if_new: bool,
) -> Result<bool, StoreError> {
    let conflict = if if_new {
        " ON CONFLICT DO NOTHING"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO candles (instrument, timeframe, open_time, candle, received_at, history) \
         VALUES ($1, $2, $3, $4, $5, $6){conflict}"
    );
    let n = c
        .execute(
            &sql,
            &[
                &candle.instrument.to_string(),
                &candle.timeframe.to_string(),
                &candle.candle.open_time.ms(),
                &to_json(&candle.candle),
                &candle.receipt.received_at.map(Timestamp::ms),
                &candle.receipt.history,
            ],
        )
        .map_err(StoreError::pg("logging a candle"))?;
    Ok(n == 1)
}
