//! Trading endpoints: new order (and test order), query, cancel, open
//! orders, cancel all, all orders and trades. New orders are parsed and
//! checked the way Binance does (mandatory parameters, enums, triggers that
//! would fire at once, filters, balance), then handed to the account, whose
//! matching engine fills them.

use crate::account::{Account, Ctx, NewOrder};
use crate::error::ApiError;
use crate::filters::{self, Checked};
use crate::http::{Answer, Request};
use crate::market::SymbolRules;
use crate::orders::OrderRecord;
use crate::routes::Family;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{OrderKind, Side, TimeInForce};

const CLIENT_ID_RANGE: &str = "^[\\.A-Z\\:/a-z0-9_-]{1,36}$";

pub(crate) fn key<'a>(req: &'a Request) -> Result<&'a str, ApiError> {
    req.key.as_deref().ok_or_else(ApiError::key_format)
}

/// A parsed new order and what the filters check. `algo`: a USD-M
/// conditional order for the Algo Service (`algoType=CONDITIONAL`, the
/// trigger in `triggerPrice`, the id in `clientAlgoId`); the plain order
/// endpoint refuses conditional types as Binance does since December 2025.
pub(crate) fn parse_new(
    req: &Request,
    algo: bool,
) -> Result<(NewOrder, Checked, Option<String>), ApiError> {
    let family = req.route.family;
    let p = &req.params;
    let (stop_name, id_name) = if algo {
        if p.required("algoType")? != "CONDITIONAL" {
            return Err(ApiError::bad(-1116, "Invalid algoType."));
        }
        ("triggerPrice", "clientAlgoId")
    } else {
        ("stopPrice", "newClientOrderId")
    };
    let (symbol, instrument, side) = symbol_and_side(req)?;
    let order_type = p.required("type")?.to_string();
    let qty = p.decimal("quantity")?;
    let quote_qty = p.decimal("quoteOrderQty")?;
    let price = p.decimal("price")?;
    let stop = p.decimal(stop_name)?;
    let reduce_only = family == Family::Futures && p.boolean("reduceOnly")?.unwrap_or(false);
    let close_position = family == Family::Futures && p.boolean("closePosition")?.unwrap_or(false);
    if family == Family::Futures && p.get("positionSide").is_some_and(|s| s != "BOTH") {
        return Err(ApiError::bad(
            -4061,
            "Order's position side does not match user's setting.",
        ));
    }
    let client_id = p.get(id_name).map(str::to_string);
    if let Some(c) = &client_id
        && (c.len() > 36
            || !c
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ".:/_-".contains(ch)))
    {
        return Err(ApiError::illegal(id_name, CLIENT_ID_RANGE));
    }
    let conditional = matches!(
        order_type.as_str(),
        "STOP_MARKET" | "TAKE_PROFIT_MARKET" | "STOP" | "TAKE_PROFIT" | "TRAILING_STOP_MARKET"
    );
    if family == Family::Futures && conditional != algo {
        return Err(if algo {
            ApiError::bad(-1116, "Invalid orderType.")
        } else {
            ApiError::bad(
                -4120,
                "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
            )
        });
    }
    let tif_str = p.get("timeInForce").map(str::to_string);
    let tif = match (tif_str.as_deref(), family) {
        (None | Some("GTC"), _) => TimeInForce::Gtc,
        (Some("IOC"), _) => TimeInForce::Ioc,
        (Some("FOK"), _) => TimeInForce::Fok,
        (Some("GTX"), Family::Futures) => TimeInForce::PostOnly,
        _ => return Err(ApiError::bad(-1115, "Invalid timeInForce.")),
    };
    let need = |v: Option<Decimal>, name: &str| v.ok_or_else(|| ApiError::mandatory(name));
    let need_tif = || {
        tif_str
            .as_ref()
            .map(|_| ())
            .ok_or_else(|| ApiError::mandatory("timeInForce"))
    };
    let need_qty = || {
        if close_position {
            Ok(())
        } else {
            need(qty, "quantity").map(|_| ())
        }
    };
    let kind = match (family, order_type.as_str()) {
        (_, "LIMIT") => {
            need_tif()?;
            need_qty()?;
            OrderKind::Limit {
                price: need(price, "price")?,
            }
        }
        (Family::Spot, "LIMIT_MAKER") => {
            need_qty()?;
            OrderKind::Limit {
                price: need(price, "price")?,
            }
        }
        (_, "MARKET") => {
            if price.is_some() && family == Family::Spot {
                return Err(ApiError::bad(
                    -1106,
                    "Parameter 'price' sent when not required.",
                ));
            }
            match (qty, quote_qty, family) {
                (Some(_), Some(_), _) => {
                    return Err(ApiError::bad(
                        -1128,
                        "Combination of optional parameters invalid.",
                    ));
                }
                (None, Some(_), Family::Spot) => {}
                _ => need_qty()?,
            }
            OrderKind::Market
        }
        (Family::Spot, "STOP_LOSS") | (Family::Futures, "STOP_MARKET") => {
            need_qty()?;
            OrderKind::StopMarket {
                trigger: need(stop, stop_name)?,
            }
        }
        (Family::Spot, "TAKE_PROFIT") | (Family::Futures, "TAKE_PROFIT_MARKET") => {
            need_qty()?;
            OrderKind::TakeProfit {
                trigger: need(stop, stop_name)?,
            }
        }
        (Family::Spot, "STOP_LOSS_LIMIT") | (Family::Futures, "STOP") => {
            if family == Family::Spot {
                need_tif()?;
            }
            need_qty()?;
            OrderKind::StopLimit {
                trigger: need(stop, stop_name)?,
                price: need(price, "price")?,
            }
        }
        (Family::Spot, "TAKE_PROFIT_LIMIT")
        | (Family::Futures, "TAKE_PROFIT" | "TRAILING_STOP_MARKET") => {
            return Err(ApiError::unsupported(&format!("{order_type} orders")));
        }
        _ => return Err(ApiError::bad(-1116, "Invalid orderType.")),
    };
    // The engine settles IOC/FOK on arrival; only market and limit orders may carry them.
    let engine_tif = match (order_type.as_str(), kind) {
        ("LIMIT_MAKER", _) => TimeInForce::PostOnly,
        (_, OrderKind::Limit { .. } | OrderKind::Market) => tif,
        _ => TimeInForce::Gtc,
    };
    let order = NewOrder {
        instrument,
        symbol,
        side,
        order_type: order_type.clone(),
        kind,
        tif: engine_tif,
        tif_str: tif_str.unwrap_or_else(|| "GTC".into()),
        qty,
        quote_qty: if qty.is_none() { quote_qty } else { None },
        price: kind.limit_price(),
        stop_price: kind.trigger(),
        reduce_only: reduce_only || close_position,
        close_position,
        client_id: String::new(),
        algo,
        list: None,
    };
    let checked = Checked {
        price: kind.limit_price(),
        stop_price: kind.trigger(),
        qty,
        market: order_type == "MARKET",
        reduce_only: order.reduce_only,
    };
    Ok((order, checked, client_id))
}

/// Refuses stops and take-profits whose trigger the last price already passed.
pub(crate) fn check_trigger(family: Family, o: &NewOrder, last: Decimal) -> Result<(), ApiError> {
    let fires = match o.kind {
        OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger, .. } => {
            (o.side == Side::Buy && trigger <= last) || (o.side == Side::Sell && trigger >= last)
        }
        OrderKind::TakeProfit { trigger } => {
            (o.side == Side::Buy && trigger >= last) || (o.side == Side::Sell && trigger <= last)
        }
        _ => false,
    };
    match (fires, family) {
        (false, _) => Ok(()),
        (true, Family::Spot) => Err(ApiError::bad(
            -2010,
            "Stop price would trigger immediately.",
        )),
        (true, Family::Futures) => Err(ApiError::bad(-2021, "Order would immediately trigger.")),
    }
}

/// Checks a new order against the market now (a trigger already passed,
/// the filters), names it (`client_id`, else a venue id) and places it as
/// the next order id, which it returns.
pub(crate) fn place_checked(
    acct: &mut Account,
    ctx: &mut Ctx,
    next_id: &mut u64,
    (order, checked, rules): (&mut NewOrder, &Checked, &SymbolRules),
    client_id: Option<String>,
) -> Result<u64, ApiError> {
    let family = acct.family;
    let last = ctx.last_price(order.instrument);
    check_trigger(family, order, last)?;
    filters::check(family, rules, checked, last)?;
    let id = *next_id + 1;
    order.client_id = client_id.unwrap_or_else(|| format!("venuesim{id}"));
    acct.place(ctx, id, order.clone())?;
    *next_id = id;
    Ok(id)
}

/// The symbol (upper-cased), its series and the side of an order request.
pub(crate) fn symbol_and_side(req: &Request) -> Result<(String, usize, Side), ApiError> {
    let p = &req.params;
    let symbol = p.required("symbol")?.to_ascii_uppercase();
    let instrument = req
        .shared
        .market
        .find(&symbol)
        .ok_or_else(ApiError::invalid_symbol)?;
    let side = match p.required("side")? {
        "BUY" => Side::Buy,
        "SELL" => Side::Sell,
        _ => return Err(ApiError::bad(-1117, "Invalid side.")),
    };
    Ok((symbol, instrument, side))
}

/// `POST /api/v3/order`, `POST /fapi/v1/order`.
pub fn new_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (mut order, checked, client_id) = parse_new(req, false)?;
    let resp = req
        .params
        .get("newOrderRespType")
        .map(str::to_string)
        .unwrap_or_else(|| {
            if matches!(order.order_type.as_str(), "LIMIT" | "MARKET") {
                "FULL".into()
            } else {
                "ACK".into()
            }
        });
    let rules = req.shared.market.series[order.instrument].rules;
    req.shared
        .with_account(key(req)?, family, |acct, ctx, next_id| {
            let id = place_checked(
                acct,
                ctx,
                next_id,
                (&mut order, &checked, &rules),
                client_id,
            )?;
            let rec = acct
                .orders
                .get(&id)
                .ok_or_else(|| ApiError::new(500, -1000, "order lost"))?;
            if rec.order_type == "LIMIT_MAKER" && rec.status == smc_model::OrderStatus::Rejected {
                return Err(ApiError::bad(
                    -2010,
                    "Order would immediately match and take.",
                ));
            }
            let trades: Vec<_> = acct.trades.iter().filter(|t| t.order_id == id).collect();
            Ok(rec.new_order_json(family, &resp, &trades))
        })
}

/// `POST /api/v3/order/test`: every check, no order.
pub fn test_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (order, checked, _) = parse_new(req, false)?;
    let rules = req.shared.market.series[order.instrument].rules;
    req.shared.with_account(key(req)?, family, |_, ctx, _| {
        let last = ctx.last_price(order.instrument);
        check_trigger(family, &order, last)?;
        filters::check(family, &rules, &checked, last)?;
        Ok(json!({}))
    })
}

/// The symbol, and `orderId` / `origClientOrderId`, one of which must be sent.
fn order_ref(req: &Request) -> Result<(String, Option<i64>, Option<String>), ApiError> {
    let symbol = req.params.required("symbol")?.to_ascii_uppercase();
    req.shared
        .market
        .find(&symbol)
        .ok_or_else(ApiError::invalid_symbol)?;
    let id = req.params.integer("orderId")?;
    let client = req.params.get("origClientOrderId").map(str::to_string);
    if id.is_none() && client.is_none() {
        return Err(ApiError::bad(
            -1102,
            "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
        ));
    }
    Ok((symbol, id, client))
}

/// `GET …/order`.
pub fn query_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (symbol, id, client) = order_ref(req)?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        acct.find(&symbol, id, client.as_deref(), false)
            .map(|o| o.to_json(family))
            .ok_or_else(|| ApiError::bad(-2013, "Order does not exist."))
    })
}

/// `DELETE …/order`.
pub fn cancel_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (symbol, id, client) = order_ref(req)?;
    req.shared.with_account(key(req)?, family, |acct, ctx, _| {
        let order_id = acct
            .find(&symbol, id, client.as_deref(), false)
            .map(|o| o.order_id)
            .ok_or_else(|| ApiError::bad(-2011, "Unknown order sent."))?;
        Ok(acct.cancel(ctx, order_id)?.cancel_json(family))
    })
}

pub(crate) fn symbol_filter(req: &Request) -> Result<Option<String>, ApiError> {
    match req.params.symbol() {
        Some(s) if req.shared.market.find(&s).is_none() => Err(ApiError::invalid_symbol()),
        other => Ok(other),
    }
}

/// `GET …/openOrders`.
pub fn open_orders(req: &Request) -> Answer {
    let family = req.route.family;
    let symbol = symbol_filter(req)?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        Ok(Value::Array(
            acct.open_orders(symbol.as_deref(), false)
                .into_iter()
                .map(|o| o.to_json(family))
                .collect(),
        ))
    })
}

/// `DELETE /api/v3/openOrders`, `DELETE /fapi/v1/allOpenOrders`.
pub fn cancel_all(req: &Request) -> Answer {
    let family = req.route.family;
    let symbol = req.params.required("symbol")?.to_ascii_uppercase();
    req.shared
        .market
        .find(&symbol)
        .ok_or_else(ApiError::invalid_symbol)?;
    req.shared.with_account(key(req)?, family, |acct, ctx, _| {
        let ids: Vec<u64> = acct
            .open_orders(Some(&symbol), false)
            .iter()
            .map(|o| o.order_id)
            .collect();
        let mut done: Vec<OrderRecord> = Vec::new();
        for id in ids {
            done.push(acct.cancel(ctx, id)?);
        }
        match family {
            Family::Spot if done.is_empty() => Err(ApiError::bad(-2011, "Unknown order sent.")),
            Family::Spot => Ok(Value::Array(
                done.iter().map(|o| o.cancel_json(family)).collect(),
            )),
            Family::Futures => {
                Ok(json!({"code": 200, "msg": "The operation of cancel all open order is done."}))
            }
        }
    })
}

fn window(req: &Request, max: i64) -> Result<(String, Option<i64>, Option<i64>, usize), ApiError> {
    let symbol = req.params.required("symbol")?.to_ascii_uppercase();
    req.shared
        .market
        .find(&symbol)
        .ok_or_else(ApiError::invalid_symbol)?;
    let start = req.params.integer("startTime")?;
    let end = req.params.integer("endTime")?;
    let limit = req.params.integer("limit")?.unwrap_or(500).clamp(1, max) as usize;
    Ok((symbol, start, end, limit))
}

/// `GET …/allOrders`.
pub fn all_orders(req: &Request) -> Answer {
    let family = req.route.family;
    let (symbol, start, end, limit) = window(req, 1_000)?;
    let from_id = req.params.integer("orderId")?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        let rows: Vec<Value> = acct
            .orders
            .values()
            .filter(|o| o.symbol == symbol && o.algo.is_none())
            .filter(|o| from_id.is_none_or(|id| i64::try_from(o.order_id).is_ok_and(|x| x >= id)))
            .filter(|o| start.is_none_or(|t| o.time >= t) && end.is_none_or(|t| o.time <= t))
            .take(limit)
            .map(|o| o.to_json(family))
            .collect();
        Ok(Value::Array(rows))
    })
}

/// `GET /api/v3/myTrades`, `GET /fapi/v1/userTrades`.
pub fn my_trades(req: &Request) -> Answer {
    let family = req.route.family;
    let (symbol, start, end, limit) = window(req, 1_000)?;
    let order_id = req.params.integer("orderId")?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        let rows: Vec<Value> = acct
            .trades
            .iter()
            .filter(|t| t.symbol == symbol)
            .filter(|t| order_id.is_none_or(|id| i64::try_from(t.order_id).is_ok_and(|x| x == id)))
            .filter(|t| start.is_none_or(|s| t.time >= s) && end.is_none_or(|e| t.time <= e))
            .take(limit)
            .map(|t| t.to_json(family))
            .collect();
        Ok(Value::Array(rows))
    })
}
