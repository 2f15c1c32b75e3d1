//! Orders to the JSON body of `POST /v5/order/create`, rounded to the
//! symbol's rules.
//!
//! What maps to what (v5 docs, "Place Order"):
//! - `Market` → `orderType: Market`; a spot market order states its
//!   quantity in the base coin (`marketUnit: baseCoin`; Bybit's default for
//!   a spot market buy is the quote coin);
//! - `Limit` → `orderType: Limit` with `timeInForce` `GTC`, `IOC`, `FOK`,
//!   or `PostOnly` (post-only is a time in force on Bybit);
//! - `StopMarket`, `StopLimit`, `TakeProfit` → conditional orders:
//!   `triggerPrice` (last price), placed as `Market` (`Limit` for a stop
//!   limit). Linear states the direction in which the trigger is crossed
//!   (`triggerDirection` 1 = price rises to it, 2 = falls to it): a sell
//!   stop and a buy take-profit trigger on a fall, a buy stop and a sell
//!   take-profit on a rise. Spot conditional orders are
//!   `orderFilter: StopOrder` (no direction: Bybit infers it from the
//!   last price). Bybit's position-attached take-profit/stop-loss fields
//!   (`takeProfit`, `stopLoss`, `/v5/position/trading-stop`) are not used:
//!   the engine sends a position's exits as separate orders it journals;
//! - `reduce_only` → `reduceOnly: true` on linear; spot has no such flag
//!   (the engine already clipped such an order to the holding);
//! - the client id → `orderLinkId`, at most 36 characters (refused, never
//!   cut); linear orders go to the one-way position (`positionIdx` 0,
//!   Bybit's default).

use super::endpoints::BybitCategory;
use super::error::BybitError;
use super::instruments::BybitRules;
use crate::common::order_rounding::{RoundRefusal, round_kind_and_qty};
use serde::Serialize;
use smc_model::{OrderKind, OrderRequest, Side, TimeInForce};

/// Bybit's limit on `orderLinkId`.
pub const MAX_LINK_ID: usize = 36;

/// Refuses a client id Bybit would not take whole.
pub fn check_link_id(order: &OrderRequest) -> Result<(), BybitError> {
    let id = order.client_id.as_str();
    let len = id.chars().count();
    if len > MAX_LINK_ID || id.is_empty() {
        return Err(BybitError::ClientIdTooLong {
            client_id: id.to_string(),
            len,
        });
    }
    Ok(())
}

/// `order` with its prices on the tick and its quantity on the lot,
/// checked against the symbol's bounds and minimums.
pub fn round_order(rules: &BybitRules, order: &OrderRequest) -> Result<OrderRequest, BybitError> {
    let cid = || order.client_id.to_string();
    let (kind, qty) = round_kind_and_qty(
        &rules.instrument.spec,
        rules.min_price,
        rules.max_price,
        order,
    )
    .map_err(|refusal| match refusal {
        RoundRefusal::Rounding(source) => BybitError::Rounding {
            client_id: cid(),
            source,
        },
        RoundRefusal::PriceOutside { price, min, max } => BybitError::Filter {
            client_id: cid(),
            reason: format!("price {price} outside [{min}, {max}] of priceFilter"),
        },
    })?;
    let market = matches!(kind, OrderKind::Market);
    let cap = if market && !rules.max_market_qty.is_zero() {
        rules.max_market_qty
    } else {
        rules.max_qty
    };
    if !cap.is_zero() && qty > cap {
        return Err(BybitError::Filter {
            client_id: cid(),
            reason: format!("quantity {qty} above the maximum {cap} of lotSizeFilter"),
        });
    }
    Ok(OrderRequest {
        qty,
        kind,
        ..order.clone()
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody<'a> {
    category: &'static str,
    symbol: &'a str,
    side: &'static str,
    order_type: &'static str,
    qty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    market_unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_in_force: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger_direction: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_filter: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reduce_only: Option<bool>,
    order_link_id: &'a str,
}

/// Bybit's side names.
pub fn side_str(side: Side) -> &'static str {
    match side {
        Side::Buy => "Buy",
        Side::Sell => "Sell",
    }
}

/// The JSON body of `order` (already rounded) for `category`.
pub fn encode_order(category: BybitCategory, order: &OrderRequest) -> Result<String, BybitError> {
    check_link_id(order)?;
    let unsupported = |reason: &str| BybitError::Unsupported {
        client_id: order.client_id.to_string(),
        reason: reason.to_string(),
    };
    let post_only = order.time_in_force == TimeInForce::PostOnly;
    if post_only && !matches!(order.kind, OrderKind::Limit { .. }) {
        return Err(unsupported("post-only applies to limit orders only"));
    }
    let spot = category == BybitCategory::Spot;
    let order_type = match order.kind {
        OrderKind::Limit { .. } | OrderKind::StopLimit { .. } => "Limit",
        _ => "Market",
    };
    let tif = match (order.kind, order.time_in_force) {
        (OrderKind::Limit { .. } | OrderKind::StopLimit { .. }, t) => Some(match t {
            TimeInForce::Gtc => "GTC",
            TimeInForce::Ioc => "IOC",
            TimeInForce::Fok => "FOK",
            TimeInForce::PostOnly => "PostOnly",
        }),
        // Market orders are IOC on Bybit whatever is sent.
        _ => None,
    };
    let trigger = order.kind.trigger();
    // 1: triggers when the price rises to the trigger; 2: when it falls.
    let direction = match (order.kind, order.side) {
        (OrderKind::StopMarket { .. } | OrderKind::StopLimit { .. }, Side::Sell)
        | (OrderKind::TakeProfit { .. }, Side::Buy) => Some(2),
        (OrderKind::StopMarket { .. } | OrderKind::StopLimit { .. }, Side::Buy)
        | (OrderKind::TakeProfit { .. }, Side::Sell) => Some(1),
        _ => None,
    };
    let body = CreateBody {
        category: category.as_str(),
        symbol: order.instrument.symbol(),
        side: side_str(order.side),
        order_type,
        qty: order.qty.normalize().to_string(),
        market_unit: (spot && order_type == "Market").then_some("baseCoin"),
        price: order.kind.limit_price().map(|p| p.normalize().to_string()),
        time_in_force: tif,
        trigger_price: trigger.map(|t| t.normalize().to_string()),
        trigger_direction: if spot { None } else { direction },
        trigger_by: (!spot && trigger.is_some()).then_some("LastPrice"),
        order_filter: (spot && trigger.is_some()).then_some("StopOrder"),
        reduce_only: (!spot && order.reduce_only).then_some(true),
        order_link_id: order.client_id.as_str(),
    };
    serde_json::to_string(&body).map_err(|e| BybitError::Config(format!("order body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{ClientOrderId, InstrumentId};

    fn order(kind: OrderKind, side: Side, tif: TimeInForce, reduce_only: bool) -> OrderRequest {
        OrderRequest {
            client_id: ClientOrderId::new("smc-1"),
            instrument: InstrumentId::new("bybit", "BTCUSDT").unwrap(),
            side,
            qty: dec!(0.0120),
            kind,
            time_in_force: tif,
            reduce_only,
        }
    }

    #[test]
    fn limit_post_only_and_market_bodies() {
        let o = order(
            OrderKind::Limit {
                price: dec!(50000.10),
            },
            Side::Buy,
            TimeInForce::PostOnly,
            false,
        );
        assert_eq!(
            encode_order(BybitCategory::Spot, &o).unwrap(),
            r#"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.012","price":"50000.1","timeInForce":"PostOnly","orderLinkId":"smc-1"}"#
        );
        let o = order(OrderKind::Market, Side::Sell, TimeInForce::Gtc, true);
        assert_eq!(
            encode_order(BybitCategory::Linear, &o).unwrap(),
            r#"{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.012","reduceOnly":true,"orderLinkId":"smc-1"}"#
        );
        let body = encode_order(BybitCategory::Spot, &o).unwrap();
        assert!(body.contains(r#""marketUnit":"baseCoin""#), "{body}");
        assert!(!body.contains("reduceOnly"), "{body}");
    }

    #[test]
    fn stops_and_take_profits_are_conditional() {
        let stop = order(
            OrderKind::StopMarket {
                trigger: dec!(40000),
            },
            Side::Sell,
            TimeInForce::Gtc,
            true,
        );
        let linear = encode_order(BybitCategory::Linear, &stop).unwrap();
        assert!(
            linear
                .contains(r#""triggerPrice":"40000","triggerDirection":2,"triggerBy":"LastPrice""#),
            "{linear}"
        );
        let tp = order(
            OrderKind::TakeProfit {
                trigger: dec!(60000),
            },
            Side::Sell,
            TimeInForce::Gtc,
            true,
        );
        assert!(
            encode_order(BybitCategory::Linear, &tp)
                .unwrap()
                .contains(r#""triggerDirection":1"#)
        );
        let spot = encode_order(BybitCategory::Spot, &stop).unwrap();
        assert!(spot.contains(r#""orderFilter":"StopOrder""#), "{spot}");
        assert!(!spot.contains("triggerDirection"), "{spot}");
    }

    #[test]
    fn a_long_client_id_is_refused_not_cut() {
        let mut o = order(OrderKind::Market, Side::Buy, TimeInForce::Gtc, false);
        o.client_id = ClientOrderId::new("x".repeat(37));
        let e = encode_order(BybitCategory::Spot, &o).unwrap_err();
        assert!(
            matches!(e, BybitError::ClientIdTooLong { len: 37, .. }),
            "{e}"
        );
        o.client_id = ClientOrderId::new("x".repeat(36));
        assert!(encode_order(BybitCategory::Spot, &o).is_ok());
    }
}
