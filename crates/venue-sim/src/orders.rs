//! Order and trade records as the venue keeps them, and their JSON in each
//! family's shape (spot: 8-decimal strings, `cummulativeQuoteQty`; USD-M:
//! plain decimals, `cumQuote`, `avgPrice`, `positionSide`).

use crate::routes::Family;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{OrderStatus, Side};

/// One order, from acceptance to its end.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order_id: u64,
    pub client_id: String,
    pub symbol: String,
    pub instrument: usize,
    pub side: Side,
    /// Binance order type as sent (`LIMIT`, `STOP_MARKET`, …).
    pub order_type: String,
    /// Binance time in force (`GTC`, `IOC`, `FOK`, `GTX`).
    pub tif: String,
    pub price: Decimal,
    pub stop_price: Decimal,
    pub orig_qty: Decimal,
    pub quote_order_qty: Decimal,
    pub executed_qty: Decimal,
    pub cum_quote: Decimal,
    pub status: OrderStatus,
    pub reduce_only: bool,
    pub close_position: bool,
    pub time: i64,
    pub update_time: i64,
    /// Trades of this order (for FULL answers).
    pub trades: Vec<u64>,
    /// A USD-M conditional order of the Algo Service.
    pub algo: Option<crate::algo::AlgoInfo>,
    /// The spot order list (OCO) it belongs to.
    pub list_id: Option<u64>,
}

/// One execution.
#[derive(Debug, Clone)]
pub struct TradeRecord {
    pub id: u64,
    pub order_id: u64,
    pub symbol: String,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
    /// In `commission_asset`: the base received on a spot buy, else quote.
    pub commission: Decimal,
    pub commission_asset: String,
    pub realized: Decimal,
    pub maker: bool,
    pub time: i64,
}

pub fn side_str(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}

pub fn status_str(status: OrderStatus) -> &'static str {
    match status {
        // The simulator's own orders are never in flight: it is the venue.
        OrderStatus::New
        | OrderStatus::PendingNew
        | OrderStatus::Unknown
        | OrderStatus::Submitted => "NEW",
        OrderStatus::PendingCancel => "PENDING_CANCEL",
        OrderStatus::PartiallyFilled => "PARTIALLY_FILLED",
        OrderStatus::Filled => "FILLED",
        OrderStatus::Cancelled => "CANCELED",
        OrderStatus::Rejected => "REJECTED",
        OrderStatus::Expired => "EXPIRED",
    }
}

/// A decimal as each family prints it.
pub fn num(family: Family, d: Decimal) -> String {
    match family {
        Family::Spot => format!("{:.8}", d),
        Family::Futures => d.normalize().to_string(),
    }
}

impl OrderRecord {
    /// `orderListId`: the list's id, -1 outside a list.
    pub fn list_json(&self) -> i64 {
        self.list_id
            .and_then(|l| i64::try_from(l).ok())
            .unwrap_or(-1)
    }

    pub fn is_open(&self) -> bool {
        self.status.is_open() || self.status == OrderStatus::New
    }

    pub fn remaining(&self) -> Decimal {
        (self.orig_qty - self.executed_qty).max(Decimal::ZERO)
    }

    pub fn avg_price(&self) -> Decimal {
        if self.executed_qty.is_zero() {
            Decimal::ZERO
        } else {
            (self.cum_quote / self.executed_qty).round_dp(8)
        }
    }

    /// `GET /api/v3/order` / `GET /fapi/v1/order`.
    pub fn to_json(&self, family: Family) -> Value {
        let n = |d| num(family, d);
        match family {
            Family::Spot => json!({
                "symbol": self.symbol, "orderId": self.order_id, "orderListId": self.list_json(),
                "clientOrderId": self.client_id, "price": n(self.price),
                "origQty": n(self.orig_qty), "executedQty": n(self.executed_qty),
                "cummulativeQuoteQty": n(self.cum_quote), "status": status_str(self.status),
                "timeInForce": self.tif, "type": self.order_type, "side": side_str(self.side),
                "stopPrice": n(self.stop_price), "icebergQty": n(Decimal::ZERO),
                "time": self.time, "updateTime": self.update_time, "isWorking": true,
                "workingTime": self.time, "origQuoteOrderQty": n(self.quote_order_qty),
                "selfTradePreventionMode": "NONE",
            }),
            Family::Futures => json!({
                "avgPrice": n(self.avg_price()), "clientOrderId": self.client_id,
                "cumQuote": n(self.cum_quote), "executedQty": n(self.executed_qty),
                "orderId": self.order_id, "origQty": n(self.orig_qty),
                "origType": self.order_type, "price": n(self.price),
                "reduceOnly": self.reduce_only, "side": side_str(self.side),
                "positionSide": "BOTH", "status": status_str(self.status),
                "stopPrice": n(self.stop_price), "closePosition": self.close_position,
                "symbol": self.symbol, "time": self.time, "timeInForce": self.tif,
                "type": self.order_type, "updateTime": self.update_time,
                "workingType": "CONTRACT_PRICE", "priceProtect": false,
                "priceMatch": "NONE", "selfTradePreventionMode": "NONE", "goodTillDate": 0,
            }),
        }
    }

    /// The answer to a new order, by `newOrderRespType` (`ACK`, `RESULT`,
    /// `FULL`; USD-M always answers `RESULT`-like).
    pub fn new_order_json(&self, family: Family, resp: &str, trades: &[&TradeRecord]) -> Value {
        if family == Family::Futures {
            let mut v = self.to_json(family);
            v["cumQty"] = json!(num(family, self.executed_qty));
            if let Some(o) = v.as_object_mut() {
                o.remove("time");
            }
            return v;
        }
        let n = |d| num(family, d);
        let mut v = json!({
            "symbol": self.symbol, "orderId": self.order_id, "orderListId": self.list_json(),
            "clientOrderId": self.client_id, "transactTime": self.update_time,
        });
        if resp == "ACK" {
            return v;
        }
        let full = self.to_json(family);
        if let (Some(o), Some(f)) = (v.as_object_mut(), full.as_object()) {
            for k in [
                "price",
                "origQty",
                "executedQty",
                "origQuoteOrderQty",
                "cummulativeQuoteQty",
                "status",
                "timeInForce",
                "type",
                "side",
                "workingTime",
                "selfTradePreventionMode",
            ] {
                if let Some(x) = f.get(k) {
                    o.insert(k.to_string(), x.clone());
                }
            }
            if resp == "FULL" {
                let fills: Vec<Value> = trades
                    .iter()
                    .map(|t| {
                        json!({
                            "price": n(t.price), "qty": n(t.qty), "commission": n(t.commission),
                            "commissionAsset": t.commission_asset, "tradeId": t.id,
                        })
                    })
                    .collect();
                o.insert("fills".into(), Value::Array(fills));
            }
        }
        v
    }

    /// The answer to a cancel.
    pub fn cancel_json(&self, family: Family) -> Value {
        let mut v = self.to_json(family);
        if family == Family::Spot {
            v["origClientOrderId"] = json!(self.client_id);
            v["transactTime"] = json!(self.update_time);
            if let Some(o) = v.as_object_mut() {
                for k in [
                    "time",
                    "updateTime",
                    "isWorking",
                    "workingTime",
                    "icebergQty",
                    "origQuoteOrderQty",
                ] {
                    o.remove(k);
                }
            }
        } else {
            v["cumQty"] = json!(num(family, self.executed_qty));
        }
        v
    }
}

impl TradeRecord {
    /// `GET /api/v3/myTrades` / `GET /fapi/v1/userTrades` rows.
    pub fn to_json(&self, family: Family) -> Value {
        let n = |d| num(family, d);
        let buyer = self.side == Side::Buy;
        match family {
            Family::Spot => json!({
                "symbol": self.symbol, "id": self.id, "orderId": self.order_id, "orderListId": -1,
                "price": n(self.price), "qty": n(self.qty), "quoteQty": n(self.price * self.qty),
                "commission": n(self.commission), "commissionAsset": self.commission_asset, "time": self.time,
                "isBuyer": buyer, "isMaker": self.maker, "isBestMatch": true,
            }),
            Family::Futures => json!({
                "buyer": buyer, "commission": n(self.commission), "commissionAsset": self.commission_asset,
                "id": self.id, "maker": self.maker, "orderId": self.order_id,
                "price": n(self.price), "qty": n(self.qty), "quoteQty": n(self.price * self.qty),
                "realizedPnl": n(self.realized), "side": side_str(self.side),
                "positionSide": "BOTH", "symbol": self.symbol, "time": self.time,
            }),
        }
    }
}
