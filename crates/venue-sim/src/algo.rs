//! USD-M conditional orders as Binance's Algo Service keeps them (since
//! December 2025 stops and take-profits go to `/fapi/v1/algoOrder`, not
//! `/fapi/v1/order`): an algo order rests under its `algoId` and
//! `clientAlgoId`; when its trigger is reached it places a child order in
//! the matching engine, which carries the `clientAlgoId` as its client
//! order id and its own `orderId` (the algo order's `actualOrderId`), and
//! whose fills are the trades. `ALGO_UPDATE` events follow the algo order
//! (NEW, TRIGGERED, FINISHED, CANCELED); `ORDER_TRADE_UPDATE` events follow
//! the child. Fields as in Binance's examples (see
//! testdata's `algo_update_*.json`).

use crate::orders::{OrderRecord, num, side_str};
use crate::routes::Family;
use serde_json::{Value, json};
use smc_model::OrderStatus;

/// Child order ids live in their own range, as algo ids and order ids are
/// separate sequences on Binance.
pub const CHILD_ID_OFFSET: u64 = 1_000_000_000_000;

/// What an algo order adds to an order record.
#[derive(Debug, Clone, Default)]
pub struct AlgoInfo {
    /// The child order in the matching engine, once triggered.
    pub actual_order_id: Option<u64>,
    pub trigger_time: i64,
}

/// `algoStatus` of an algo order record.
pub fn algo_status(rec: &OrderRecord) -> &'static str {
    let triggered = rec
        .algo
        .as_ref()
        .is_some_and(|a| a.actual_order_id.is_some());
    match rec.status {
        OrderStatus::Filled => "FINISHED",
        OrderStatus::Cancelled => "CANCELED",
        OrderStatus::Expired => "EXPIRED",
        OrderStatus::Rejected => "REJECTED",
        _ if triggered => "TRIGGERED",
        _ => "NEW",
    }
}

/// `GET /fapi/v1/algoOrder`, `openAlgoOrders` rows and the new-order answer.
pub fn algo_json(rec: &OrderRecord) -> Value {
    let n = |d| num(Family::Futures, d);
    let algo = rec.algo.clone().unwrap_or_default();
    json!({
        "algoId": rec.order_id, "clientAlgoId": rec.client_id, "algoType": "CONDITIONAL",
        "orderType": rec.order_type, "symbol": rec.symbol, "side": side_str(rec.side),
        "positionSide": "BOTH", "timeInForce": rec.tif, "quantity": n(rec.orig_qty),
        "algoStatus": algo_status(rec), "actualOrderId": algo.actual_order_id.map_or(String::new(), |i| i.to_string()),
        "actualPrice": n(rec.avg_price()), "executedQty": n(rec.executed_qty),
        "triggerPrice": n(rec.stop_price), "price": n(rec.price), "icebergQuantity": null,
        "selfTradePreventionMode": "EXPIRE_MAKER", "workingType": "CONTRACT_PRICE",
        "priceMatch": "NONE", "closePosition": rec.close_position, "priceProtect": false,
        "reduceOnly": rec.reduce_only, "activatePrice": "", "callbackRate": "",
        "createTime": rec.time, "updateTime": rec.update_time,
        "triggerTime": algo.trigger_time, "goodTillDate": 0,
    })
}

/// `ALGO_UPDATE` for a change of the algo order `rec`.
pub fn algo_event(rec: &OrderRecord, now: i64) -> Value {
    let n = |d| num(Family::Futures, d);
    let algo = rec.algo.clone().unwrap_or_default();
    let triggered = algo.actual_order_id.is_some();
    json!({
        "e": "ALGO_UPDATE", "T": now, "E": now,
        "o": {
            "caid": rec.client_id, "aid": rec.order_id, "at": "CONDITIONAL",
            "o": rec.order_type, "s": rec.symbol, "S": side_str(rec.side), "ps": "BOTH",
            "f": rec.tif, "q": n(rec.orig_qty), "X": algo_status(rec),
            "ai": algo.actual_order_id.map_or(String::new(), |i| i.to_string()),
            "ap": n(rec.avg_price()), "aq": n(rec.executed_qty),
            "act": if triggered { "MARKET" } else { "0" }, "tp": n(rec.stop_price),
            "p": n(rec.price), "V": "EXPIRE_MAKER", "wt": "CONTRACT_PRICE", "pm": "NONE",
            "cp": rec.close_position, "pP": false, "R": rec.reduce_only,
            "tt": algo.trigger_time, "gtd": 0,
        }
    })
}

/// The child order an algo order places when it triggers at `now`.
pub fn child_of(algo: &OrderRecord, now: i64) -> OrderRecord {
    let mut child = algo.clone();
    child.order_id = algo.order_id + CHILD_ID_OFFSET;
    child.order_type = if algo.price.is_zero() {
        "MARKET".into()
    } else {
        "LIMIT".into()
    };
    child.stop_price = rust_decimal::Decimal::ZERO;
    child.executed_qty = rust_decimal::Decimal::ZERO;
    child.cum_quote = rust_decimal::Decimal::ZERO;
    child.status = OrderStatus::Submitted;
    child.time = now;
    child.update_time = now;
    child.trades = Vec::new();
    child.algo = None;
    child
}
