//! Orders to the JSON body of `POST /v3/accounts/{id}/orders`, rounded to
//! the instrument's rules.
//!
//! What maps to what (v20.yaml `MarketOrderRequest`, `LimitOrderRequest`,
//! `StopOrderRequest`, `MarketIfTouchedOrderRequest`):
//! - `Market` → `MARKET`, `timeInForce` `FOK` (`IOC` when asked: fill what
//!   can be filled);
//! - `Limit` → `LIMIT` at `price`, `GTC` (or `IOC`/`FOK` as asked);
//!   post-only does not exist on OANDA and is refused, not sent;
//! - `StopMarket` → `STOP` with `price` the trigger, `GTC`;
//!   `StopLimit` → `STOP` with `priceBound` the limit (the worst price it
//!   may fill at);
//! - `TakeProfit` → `LIMIT` at the trigger, `GTC`; where that limit would
//!   fill at once (the market is already through it) a
//!   `MARKET_IF_TOUCHED` instead, as the engine's protective legs are
//!   mapped for OANDA;
//! - `reduce_only` → `positionFill: REDUCE_ONLY` (else `DEFAULT`);
//! - the quantity → `units`, a signed decimal (negative sells) on the
//!   instrument's `tradeUnitsPrecision`; the client id →
//!   `clientExtensions.id`.
//!
//! Exits attached to an entry ([`AttachedExits`]: `stopLossOnFill`,
//! `takeProfitOnFill`, `trailingStopLossOnFill` by distance) are offered
//! for callers that want OANDA to open them with the trade; the engine
//! itself sends its exits as separate reduce-only orders it journals.

use super::error::OandaError;
use super::instruments::OandaRules;
use crate::common::order_rounding::{RoundRefusal, round_kind_and_qty};
use rust_decimal::Decimal;
use serde::Serialize;
use smc_model::{OrderKind, OrderRequest, Side, TimeInForce};

/// OANDA's limit on `clientExtensions.id` (v20.yaml `ClientID`: 128).
pub const MAX_CLIENT_ID: usize = 128;

/// Exits OANDA opens on the trade an entry creates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttachedExits {
    /// `stopLossOnFill.price`.
    pub stop_loss: Option<Decimal>,
    /// `takeProfitOnFill.price`.
    pub take_profit: Option<Decimal>,
    /// `trailingStopLossOnFill.distance` (price units).
    pub trailing_stop_distance: Option<Decimal>,
}

/// `order` with its prices on the tick and its units on the lot.
pub fn round_order(rules: &OandaRules, order: &OrderRequest) -> Result<OrderRequest, OandaError> {
    let (kind, qty) =
        round_kind_and_qty(&rules.instrument.spec, Decimal::ZERO, Decimal::ZERO, order).map_err(
            |r| match r {
                RoundRefusal::Rounding(source) => OandaError::Rounding {
                    client_id: order.client_id.to_string(),
                    source,
                },
                RoundRefusal::PriceOutside { price, .. } => OandaError::Unsupported {
                    client_id: order.client_id.to_string(),
                    reason: format!("price {price} outside the instrument's band"),
                },
            },
        )?;
    if !rules.max_units.is_zero() && qty > rules.max_units {
        return Err(OandaError::Unsupported {
            client_id: order.client_id.to_string(),
            reason: format!("{qty} units above maximumOrderUnits {}", rules.max_units),
        });
    }
    Ok(OrderRequest {
        qty,
        kind,
        ..order.clone()
    })
}

#[derive(Serialize)]
struct Extensions<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distance: Option<String>,
    time_in_force: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    instrument: &'a str,
    units: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_bound: Option<String>,
    time_in_force: &'static str,
    position_fill: &'static str,
    client_extensions: Extensions<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_loss_on_fill: Option<Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    take_profit_on_fill: Option<Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trailing_stop_loss_on_fill: Option<Details>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    order: Body<'a>,
}

/// A decimal as OANDA reads it: plain, no exponent, no trailing zeros.
pub fn wire(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Signed units: negative for a sell.
pub fn signed_units(side: Side, qty: Decimal) -> String {
    match side {
        Side::Buy => wire(qty),
        Side::Sell => wire(-qty),
    }
}

/// Whether a take-profit's limit would fill at once against `best_bid`
/// and `best_ask`: a sell at or below the bid, a buy at or above the ask.
pub fn take_profit_crossed(
    side: Side,
    trigger: Decimal,
    best_bid: Decimal,
    best_ask: Decimal,
) -> bool {
    match side {
        Side::Sell => best_bid >= trigger,
        Side::Buy => best_ask <= trigger,
    }
}

/// The JSON body of `order` (already rounded). `crossed` says a
/// take-profit's limit would fill at once (sent as `MARKET_IF_TOUCHED`).
pub fn encode_order(
    order: &OrderRequest,
    exits: &AttachedExits,
    crossed: bool,
) -> Result<String, OandaError> {
    let id = order.client_id.as_str();
    let len = id.chars().count();
    if id.is_empty() || len > MAX_CLIENT_ID {
        return Err(OandaError::ClientIdTooLong {
            client_id: id.to_string(),
            len,
        });
    }
    let tif = |t: TimeInForce| -> Result<&'static str, OandaError> {
        match t {
            TimeInForce::Gtc => Ok("GTC"),
            TimeInForce::Ioc => Ok("IOC"),
            TimeInForce::Fok => Ok("FOK"),
            TimeInForce::PostOnly => Err(OandaError::Unsupported {
                client_id: id.to_string(),
                reason: "OANDA has no post-only orders".into(),
            }),
        }
    };
    let (kind, price, price_bound, time_in_force) = match order.kind {
        OrderKind::Market => (
            "MARKET",
            None,
            None,
            if order.time_in_force == TimeInForce::Ioc {
                "IOC"
            } else {
                "FOK"
            },
        ),
        OrderKind::Limit { price } => ("LIMIT", Some(price), None, tif(order.time_in_force)?),
        OrderKind::StopMarket { trigger } => ("STOP", Some(trigger), None, "GTC"),
        OrderKind::StopLimit { trigger, price } => ("STOP", Some(trigger), Some(price), "GTC"),
        OrderKind::TakeProfit { trigger } if crossed => {
            ("MARKET_IF_TOUCHED", Some(trigger), None, "GTC")
        }
        OrderKind::TakeProfit { trigger } => ("LIMIT", Some(trigger), None, "GTC"),
    };
    let at = |p: Option<Decimal>| {
        p.map(|p| Details {
            price: Some(wire(p)),
            distance: None,
            time_in_force: "GTC",
        })
    };
    let body = Envelope {
        order: Body {
            kind,
            instrument: order.instrument.symbol(),
            units: signed_units(order.side, order.qty),
            price: price.map(wire),
            price_bound: price_bound.map(wire),
            time_in_force,
            position_fill: if order.reduce_only {
                "REDUCE_ONLY"
            } else {
                "DEFAULT"
            },
            client_extensions: Extensions { id },
            stop_loss_on_fill: at(exits.stop_loss),
            take_profit_on_fill: at(exits.take_profit),
            trailing_stop_loss_on_fill: exits.trailing_stop_distance.map(|d| Details {
                price: None,
                distance: Some(wire(d)),
                time_in_force: "GTC",
            }),
        },
    };
    serde_json::to_string(&body).map_err(|e| OandaError::Config(format!("order body: {e}")))
}
