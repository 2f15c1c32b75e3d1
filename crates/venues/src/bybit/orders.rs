//! Bybit order and execution records (REST `order/realtime`,
//! `order/history`, `execution/list`; the private stream's `order` and
//! `execution` topics, which carry the same fields) to the shared order
//! view, fills and the shared state machine's states.

use super::error::ParseError;
use crate::binance::parse_util::dec;
use crate::execution::VenueOrder;
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{
    ClientOrderId, FeeSource, Fill, InstrumentId, Liquidity, OrderStatus, Side, Timestamp,
};

/// Bybit's `orderStatus` to the shared states. A state Bybit adds later
/// reads as `Unknown`, with a warning.
pub fn map_status(s: &str) -> OrderStatus {
    match s {
        // Conditional orders wait `Untriggered`, then work on as `New`.
        "Created" | "New" | "Untriggered" | "Triggered" | "Active" => OrderStatus::Submitted,
        "PartiallyFilled" => OrderStatus::PartiallyFilled,
        "Filled" => OrderStatus::Filled,
        // A spot IOC or market order's rest is cancelled after a partial
        // fill; a conditional order can be deactivated before triggering.
        "Cancelled" | "PartiallyFilledCanceled" | "Deactivated" => OrderStatus::Cancelled,
        "Rejected" => OrderStatus::Rejected,
        other => {
            tracing::warn!(
                status = other,
                "Bybit order status not in the shared state machine"
            );
            OrderStatus::Unknown
        }
    }
}

pub fn side(what: &'static str, s: &str) -> Result<Side, ParseError> {
    match s {
        "Buy" => Ok(Side::Buy),
        "Sell" => Ok(Side::Sell),
        other => Err(ParseError::Field {
            what,
            field: "side".into(),
            detail: format!("unknown side `{other}`"),
        }),
    }
}

pub fn instrument(
    what: &'static str,
    venue: &str,
    symbol: &str,
) -> Result<InstrumentId, ParseError> {
    InstrumentId::new(venue, symbol).map_err(|e| ParseError::Field {
        what,
        field: "symbol".into(),
        detail: e.to_string(),
    })
}

/// A decimal that Bybit may send empty or `null` (zero then).
fn opt_dec(what: &'static str, field: &str, v: Option<&str>) -> Result<Decimal, ParseError> {
    match v {
        None | Some("") => Ok(Decimal::ZERO),
        Some(s) => dec(what, field, s),
    }
}

/// Bybit sends times as strings of epoch ms.
fn ms(what: &'static str, field: &str, v: Option<&str>) -> Result<i64, ParseError> {
    match v {
        None | Some("") => Ok(0),
        Some(s) => s.parse().map_err(|_| ParseError::Field {
            what,
            field: field.to_string(),
            detail: format!("`{s}` is not epoch ms"),
        }),
    }
}

/// One order record; every field optional so one type reads them all.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RawOrder {
    pub category: Option<String>,
    pub symbol: Option<String>,
    pub order_id: Option<String>,
    pub order_link_id: Option<String>,
    pub order_status: Option<String>,
    pub side: Option<String>,
    pub qty: Option<String>,
    pub cum_exec_qty: Option<String>,
    pub reject_reason: Option<String>,
    pub created_time: Option<String>,
    pub updated_time: Option<String>,
}

/// One order record to the shared view (no fills: Bybit reports them as
/// executions).
pub fn parse_order(
    what: &'static str,
    venue: &str,
    raw: &RawOrder,
) -> Result<VenueOrder, ParseError> {
    let missing = |field: &str| ParseError::Field {
        what,
        field: field.to_string(),
        detail: "missing".into(),
    };
    let symbol = raw.symbol.as_deref().ok_or_else(|| missing("symbol"))?;
    let status = raw
        .order_status
        .as_deref()
        .ok_or_else(|| missing("orderStatus"))?;
    let updated = ms(what, "updatedTime", raw.updated_time.as_deref())?;
    let time = if updated > 0 {
        updated
    } else {
        ms(what, "createdTime", raw.created_time.as_deref())?
    };
    Ok(VenueOrder {
        client_id: ClientOrderId::new(raw.order_link_id.clone().unwrap_or_default()),
        instrument: instrument(what, venue, symbol)?,
        venue_order_id: raw.order_id.clone().ok_or_else(|| missing("orderId"))?,
        status: map_status(status),
        orig_qty: opt_dec(what, "qty", raw.qty.as_deref())?,
        filled_qty: opt_dec(what, "cumExecQty", raw.cum_exec_qty.as_deref())?,
        fills: Vec::new(),
        reject_reason: raw
            .reject_reason
            .as_deref()
            .filter(|r| !r.is_empty() && *r != "EC_NoError")
            .map(str::to_string),
        time,
    })
}

/// One execution record (REST `execution/list`, stream `execution`).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RawExecution {
    pub category: Option<String>,
    pub symbol: Option<String>,
    pub order_id: Option<String>,
    pub order_link_id: Option<String>,
    pub side: Option<String>,
    pub exec_id: Option<String>,
    pub exec_price: Option<String>,
    pub exec_qty: Option<String>,
    pub exec_fee: Option<String>,
    pub exec_type: Option<String>,
    pub exec_time: Option<String>,
    pub fee_currency: Option<String>,
    pub is_maker: Option<bool>,
    pub order_qty: Option<String>,
    pub leaves_qty: Option<String>,
}

impl RawExecution {
    /// A trade of the account's order (not funding, settlement, ADL or a
    /// liquidation's bust trade, which Bybit lists among executions too).
    pub fn is_trade(&self) -> bool {
        self.exec_type.as_deref().is_none_or(|t| t == "Trade")
    }
}

/// The commission as the engine books it. Bybit charges linear fees in
/// the settle coin (USDT, the quote); spot fees in `feeCurrency`, which
/// for a buy is usually the base coin (then the position holds the fill
/// less the fee). Without `feeCurrency`, linear is quote and a spot buy
/// pays in base, a spot sell in quote (Bybit's spot fee rule).
pub fn fee_charge(
    what: &'static str,
    spot: bool,
    symbol: &str,
    side: Side,
    currency: Option<&str>,
    fee: Decimal,
    price: Decimal,
) -> Result<(Decimal, FeeSource), ParseError> {
    let in_base = match currency.filter(|c| !c.is_empty()) {
        Some(c) if symbol.ends_with(c) => false,
        Some(c) if symbol.starts_with(c) => true,
        Some(c) if !fee.is_zero() => {
            return Ok((
                Decimal::ZERO,
                FeeSource::Other {
                    name: c.to_string(),
                    qty: fee,
                },
            ));
        }
        Some(_) => false,
        None => spot && side == Side::Buy,
    };
    if !in_base {
        return Ok((fee, FeeSource::Quote));
    }
    let value = fee.checked_mul(price).ok_or_else(|| ParseError::Field {
        what,
        field: "execFee".into(),
        detail: format!("{fee} × the price {price} overflows"),
    })?;
    Ok((value, FeeSource::Base { qty: fee }))
}

/// One execution to a fill (the caller knows the order's client id from
/// `orderLinkId`, empty for an order placed elsewhere).
pub fn parse_fill(
    what: &'static str,
    venue: &str,
    spot: bool,
    raw: &RawExecution,
) -> Result<Fill, ParseError> {
    let missing = |field: &str| ParseError::Field {
        what,
        field: field.to_string(),
        detail: "missing".into(),
    };
    let symbol = raw.symbol.as_deref().ok_or_else(|| missing("symbol"))?;
    let side = side(what, raw.side.as_deref().ok_or_else(|| missing("side"))?)?;
    let price = dec(
        what,
        "execPrice",
        raw.exec_price
            .as_deref()
            .ok_or_else(|| missing("execPrice"))?,
    )?;
    let qty = dec(
        what,
        "execQty",
        raw.exec_qty.as_deref().ok_or_else(|| missing("execQty"))?,
    )?;
    let fee = opt_dec(what, "execFee", raw.exec_fee.as_deref())?;
    let (fee, fee_source) = fee_charge(
        what,
        spot,
        symbol,
        side,
        raw.fee_currency.as_deref(),
        fee,
        price,
    )?;
    Ok(Fill {
        client_id: ClientOrderId::new(raw.order_link_id.clone().unwrap_or_default()),
        instrument: instrument(what, venue, symbol)?,
        trade_id: raw.exec_id.clone().ok_or_else(|| missing("execId"))?,
        side,
        price,
        qty,
        fee,
        fee_source,
        liquidity: if raw.is_maker.unwrap_or(false) {
            Liquidity::Maker
        } else {
            Liquidity::Taker
        },
        time: Timestamp::from_ms(ms(what, "execTime", raw.exec_time.as_deref())?),
    })
}

/// What an execution says of its order: its quantity and what is left.
pub fn execution_order_qty(
    what: &'static str,
    raw: &RawExecution,
) -> Result<(Decimal, Option<Decimal>), ParseError> {
    let orig = opt_dec(what, "orderQty", raw.order_qty.as_deref())?;
    let leaves = match raw.leaves_qty.as_deref() {
        None | Some("") => None,
        Some(s) => Some(dec(what, "leavesQty", s)?),
    };
    Ok((orig, leaves))
}
