//! Order endpoints: create, cancel, cancel-all, open and recent orders
//! (`realtime`), history and executions, on the key's spot (`spot`) or
//! futures (`linear`) account, matched by the engine's matching engine.
//!
//! Supported: `Market` and `Limit` with `timeInForce` GTC, IOC, FOK and
//! PostOnly (a post-only order that would take is cancelled with
//! `EC_PostOnlyWillTakeLiquidity`, as Bybit does); `reduceOnly` on linear;
//! conditional orders with `triggerPrice` (linear: `triggerDirection` 1
//! rising / 2 falling, required; spot: `orderFilter=StopOrder`, the
//! direction from the trigger against the last price) as stop-market,
//! take-profit-market and stop-limit orders; spot market buys sized in
//! quote (`marketUnit=quoteCoin`, Bybit's default for buys) or base.
//! `takeProfit`/`stopLoss` on linear orders as `tpsl` describes.
//! Refused with 10001 naming what is not supported: `tpslOrder`/`OcoOrder` filters, limit orders
//! triggered in the take-profit direction, `isLeverage=1` (spot margin),
//! `positionIdx` other than 0 (hedge mode), `/v5/order/amend`.

use super::envelope::BybitError;
use super::filters;
use super::front::Req;
use super::market::series;
use super::shapes::{self, Unified};
use super::{Category, Extra};
use crate::account::NewOrder;
use crate::state::lock;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{OrderKind, Side, TimeInForce};

/// Insufficient balance: 170131 on spot, 110007 on linear.
pub fn insufficient(cat: Category) -> BybitError {
    match cat {
        Category::Spot => BybitError::new(170131, "Insufficient balance."),
        Category::Linear => BybitError::new(110007, "ab not enough for new order"),
    }
}

/// Unknown (or no longer open) order: 170213 on spot, 110001 on linear.
pub fn unknown_order(cat: Category) -> BybitError {
    match cat {
        Category::Spot => BybitError::new(170213, "Order does not exist."),
        Category::Linear => BybitError::new(110001, "order not exists or too late to cancel"),
    }
}

fn unsupported(what: &str) -> BybitError {
    BybitError::params(format!("venue-sim does not support {what}"))
}

/// The symbol of an order request (spot answers 170121 for an unknown one).
fn symbol(req: &Req, cat: Category) -> Result<(usize, String), BybitError> {
    let raw = req.params.required("symbol")?;
    series(req.st, raw)
        .map(|(i, s)| (i, s.symbol.clone()))
        .map_err(|_| match cat {
            Category::Spot => BybitError::new(170121, "Invalid symbol."),
            Category::Linear => BybitError::invalid("symbol", raw),
        })
}

/// Parses a create request: the order, what the filters check, the extra.
fn parse(
    req: &Req,
    cat: Category,
    last: impl Fn(usize) -> Decimal,
) -> Result<(NewOrder, filters::Order, Extra), BybitError> {
    let p = &req.params;
    let (instrument, symbol) = symbol(req, cat)?;
    let side = match p.required("side")? {
        "Buy" => Side::Buy,
        "Sell" => Side::Sell,
        other => return Err(BybitError::invalid("side", other)),
    };
    let order_type = p.required("orderType")?.to_string();
    let market = match order_type.as_str() {
        "Market" => true,
        "Limit" => false,
        other => return Err(BybitError::invalid("orderType", other)),
    };
    let qty = p
        .decimal("qty")?
        .ok_or_else(|| BybitError::missing("qty"))?;
    if qty.is_zero() {
        return Err(BybitError::invalid("qty", "0"));
    }
    let price = p.decimal("price")?;
    if !market && price.is_none_or(|x| x.is_zero()) {
        return Err(BybitError::missing("price"));
    }
    let link = p.get("orderLinkId").unwrap_or("").to_string();
    if link.chars().count() > 36 {
        return Err(BybitError::params(
            "params error: orderLinkId is longer than 36 characters",
        ));
    }
    if !link
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(BybitError::invalid("orderLinkId", &link));
    }
    let tif_str = match (p.get("timeInForce"), market) {
        (_, true) => "IOC",
        (None, false) => "GTC",
        (Some(t @ ("GTC" | "IOC" | "FOK" | "PostOnly")), false) => t,
        (Some(t), false) => return Err(BybitError::invalid("timeInForce", t)),
    }
    .to_string();
    if p.get("isLeverage").is_some_and(|v| v != "0") {
        return Err(unsupported("isLeverage=1 (spot margin trading)"));
    }
    if p.integer("positionIdx")?.is_some_and(|i| i != 0) {
        return Err(BybitError::params(
            "position idx not match position mode (venue-sim: one-way mode only)",
        ));
    }
    let reduce_only = p.boolean("reduceOnly")?.unwrap_or(false);
    if reduce_only && cat == Category::Spot {
        return Err(BybitError::params(
            "params error: reduceOnly is for derivatives only",
        ));
    }
    let filter = p.get("orderFilter").unwrap_or("Order").to_string();
    if cat == Category::Spot && filter != "Order" && filter != "StopOrder" {
        return Err(unsupported(&format!("orderFilter={filter}")));
    }
    let trigger = p.decimal("triggerPrice")?.filter(|t| !t.is_zero());
    let last_price = last(instrument);
    let direction: u8 = match (cat, trigger) {
        (_, None) => 0,
        (Category::Linear, Some(t)) => {
            let d = p
                .integer("triggerDirection")?
                .ok_or_else(|| BybitError::missing("triggerDirection"))?;
            match d {
                1 if t <= last_price => {
                    return Err(BybitError::new(
                        110092,
                        format!("expect Rising, but trigger_price[{t}] <= current[{last_price}]"),
                    ));
                }
                2 if t >= last_price => {
                    return Err(BybitError::new(
                        110093,
                        format!("expect Falling, but trigger_price[{t}] >= current[{last_price}]"),
                    ));
                }
                1 | 2 => d as u8,
                _ => return Err(BybitError::invalid("triggerDirection", &d.to_string())),
            }
        }
        (Category::Spot, Some(t)) => {
            if filter != "StopOrder" {
                return Err(BybitError::params(
                    "params error: triggerPrice needs orderFilter=StopOrder",
                ));
            }
            if t > last_price { 1 } else { 2 }
        }
    };
    // A buy that triggers rising, or a sell falling, is a stop; the other
    // way round a take-profit (Bybit's "if touched").
    let stop = matches!((side, direction), (Side::Buy, 1) | (Side::Sell, 2));
    let kind = match (market, trigger, stop) {
        (true, None, _) => OrderKind::Market,
        (false, None, _) => OrderKind::Limit {
            price: price.unwrap_or_default(),
        },
        (true, Some(t), true) => OrderKind::StopMarket { trigger: t },
        (true, Some(t), false) => OrderKind::TakeProfit { trigger: t },
        (false, Some(t), true) => OrderKind::StopLimit {
            trigger: t,
            price: price.unwrap_or_default(),
        },
        (false, Some(_), false) => {
            return Err(unsupported(
                "limit orders triggered in the take-profit direction",
            ));
        }
    };
    let engine_tif = match (kind, tif_str.as_str()) {
        (OrderKind::Market, _) => TimeInForce::Ioc,
        (OrderKind::Limit { .. }, "IOC") => TimeInForce::Ioc,
        (OrderKind::Limit { .. }, "FOK") => TimeInForce::Fok,
        (OrderKind::Limit { .. }, "PostOnly") => TimeInForce::PostOnly,
        _ => TimeInForce::Gtc,
    };
    let quote_unit = cat == Category::Spot
        && market
        && match p.get("marketUnit") {
            None => side == Side::Buy,
            Some("quoteCoin") => true,
            Some("baseCoin") => false,
            Some(other) => return Err(BybitError::invalid("marketUnit", other)),
        };
    let order = NewOrder {
        instrument,
        symbol,
        side,
        order_type,
        kind,
        tif: engine_tif,
        tif_str,
        qty: (!quote_unit).then_some(qty),
        quote_qty: quote_unit.then_some(qty),
        price: kind.limit_price(),
        stop_price: kind.trigger(),
        reduce_only,
        close_position: false,
        client_id: String::new(),
        algo: false,
        list: None,
    };
    let checked = filters::Order {
        side,
        price: kind.limit_price(),
        trigger,
        qty: order.qty,
        amount: order.quote_qty,
        reduce_only,
    };
    let attached =
        super::tpsl::parse(p, cat, side, price.unwrap_or(last_price), trigger.is_some())?;
    let extra = Extra {
        link,
        trigger_direction: direction,
        last_price_on_created: last_price,
        order_filter: if cat == Category::Spot {
            filter
        } else {
            String::new()
        },
        quote_unit,
        attached,
        ..Extra::default()
    };
    Ok((order, checked, extra))
}

/// `POST /v5/order/create`.
pub fn create(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let st = req.st;
    let shared = &st.shared;
    let key = req.key()?;
    let step = lock(&shared.inner).step;
    let (mut order, checked, extra) =
        parse(req, cat, |i| shared.market.series[i].candle(step).close)?;
    let rules = shared.market.series[order.instrument].rules;
    let inner = lock(&shared.inner);
    let k = inner.keys.get(key).ok_or_else(BybitError::api_key)?;
    let last = shared.market.series[order.instrument]
        .candle(inner.step)
        .close;
    filters::check(cat, &rules, &checked, last)?;
    for p in [extra.attached.take_profit, extra.attached.stop_loss]
        .into_iter()
        .flatten()
    {
        if !(p % rules.tick).is_zero() {
            return Err(BybitError::params(format!(
                "params error: takeProfit/stopLoss {p} must be a multiple of tickSize {}",
                rules.tick
            )));
        }
    }
    let acct = match cat {
        Category::Spot => &k.spot,
        Category::Linear => &k.futures,
    };
    if !extra.link.is_empty() {
        let extras = lock(&st.extras);
        let taken = acct
            .orders
            .keys()
            .any(|id| extras.get(id).is_some_and(|e| e.link == extra.link));
        if taken {
            return Err(match cat {
                Category::Spot => BybitError::new(170141, "Duplicate clientOrderId."),
                Category::Linear => BybitError::new(110072, "OrderLinkedID is duplicate"),
            });
        }
    }
    let at = order.price.or(order.stop_price).unwrap_or(last);
    let needed = match (cat, order.side) {
        (Category::Spot, Side::Buy) => order
            .quote_qty
            .unwrap_or_else(|| order.qty.unwrap_or_default() * at),
        (Category::Spot, Side::Sell) => Decimal::ZERO,
        (Category::Linear, _) if order.reduce_only => Decimal::ZERO,
        (Category::Linear, _) => {
            order.qty.unwrap_or_default() * at / shared.leverage.max(Decimal::ONE)
        }
    };
    if needed > Unified::of(k, &shared.market, shared.leverage, shared.balance).available() {
        return Err(insufficient(cat));
    }
    drop(inner);
    let link = extra.link.clone();
    shared
        .with_account(key, cat.family(), |acct, ctx, next_id| {
            let id = *next_id + 1;
            order.client_id = if link.is_empty() {
                format!("venuesim-{id}")
            } else {
                link.clone()
            };
            lock(&st.extras).insert(id, extra.clone());
            if let Err(e) = acct.place(ctx, id, order.clone()) {
                lock(&st.extras).remove(&id);
                return Err(match e.code {
                    -2010 | -2019 => insufficient(cat).into(),
                    _ => crate::error::ApiError::bad(10001, e.msg),
                });
            }
            *next_id = id;
            // Take-profit/stop-loss of an entry that filled at once.
            super::tpsl::attach_filled(st, acct, ctx, next_id);
            Ok(id)
        })
        .map_err(|e| match e.code {
            10001 => BybitError::params(e.msg),
            code if code > 0 => BybitError::new(code, e.msg),
            _ => BybitError::api_key(),
        })
        .map(|id| json!({"orderId": id.to_string(), "orderLinkId": link}))
}

impl From<BybitError> for crate::error::ApiError {
    fn from(e: BybitError) -> Self {
        crate::error::ApiError::bad(e.code, e.msg)
    }
}

/// The order an `orderId` / `orderLinkId` names in an account.
fn find_id(
    acct: &crate::account::Account,
    extras: &std::collections::BTreeMap<u64, Extra>,
    symbol: &str,
    id: Option<&str>,
    link: Option<&str>,
) -> Option<u64> {
    acct.orders
        .values()
        .rev()
        .find(|o| {
            o.symbol == symbol
                && id.is_none_or(|i| i == o.order_id.to_string())
                && link.is_none_or(|l| extras.get(&o.order_id).is_some_and(|e| e.link == l))
        })
        .map(|o| o.order_id)
}

/// `POST /v5/order/cancel`.
pub fn cancel(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let (_, symbol) = symbol(req, cat)?;
    let id = req.params.get("orderId").map(str::to_string);
    let link = req.params.get("orderLinkId").map(str::to_string);
    if id.is_none() && link.is_none() {
        return Err(BybitError::missing("orderId or orderLinkId"));
    }
    let st = req.st;
    st.shared
        .with_account(req.key()?, cat.family(), |acct, ctx, _| {
            let found = {
                let extras = lock(&st.extras);
                find_id(acct, &extras, &symbol, id.as_deref(), link.as_deref())
            };
            let order_id = found
                .filter(|i| acct.orders.get(i).is_some_and(|o| o.is_open()))
                .ok_or_else(|| crate::error::ApiError::from(unknown_order(cat)))?;
            acct.cancel(ctx, order_id)
                .map_err(|_| crate::error::ApiError::from(unknown_order(cat)))?;
            super::tpsl::cancel_legs(st, acct, ctx, order_id);
            let link = lock(&st.extras)
                .get(&order_id)
                .map(|e| e.link.clone())
                .unwrap_or_default();
            Ok(json!({"orderId": order_id.to_string(), "orderLinkId": link}))
        })
        .map_err(|e| BybitError::new(e.code, e.msg))
}

/// `POST /v5/order/cancel-all`.
pub fn cancel_all(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let symbol = match req.params.get("symbol") {
        Some(_) => Some(symbol(req, cat)?.1),
        None if cat == Category::Linear
            && req.params.get("settleCoin").is_none()
            && req.params.get("baseCoin").is_none() =>
        {
            return Err(BybitError::missing("symbol or settleCoin or baseCoin"));
        }
        None => None,
    };
    let st = req.st;
    st.shared
        .with_account(req.key()?, cat.family(), |acct, ctx, _| {
            let ids: Vec<u64> = acct
                .open_orders(symbol.as_deref(), false)
                .iter()
                .map(|o| o.order_id)
                .collect();
            let mut list = Vec::new();
            for id in ids {
                acct.cancel(ctx, id)?;
                let link = lock(&st.extras)
                    .get(&id)
                    .map(|e| e.link.clone())
                    .unwrap_or_default();
                list.push(json!({"orderId": id.to_string(), "orderLinkId": link}));
            }
            Ok(json!({"list": list, "success": "1"}))
        })
        .map_err(|e| BybitError::new(e.code, e.msg))
}

/// Orders of the caller in `cat`, newest first, as Bybit lists them.
fn list_orders(req: &Req, open: Option<bool>) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let p = &req.params;
    let symbol = match p.get("symbol") {
        Some(_) => Some(symbol(req, cat)?.1),
        None => None,
    };
    let id = p.get("orderId");
    let link = p.get("orderLinkId");
    // With an id, `realtime` also finds recently closed orders.
    let open = if id.is_some() || link.is_some() {
        None
    } else {
        open
    };
    let open = match p.integer("openOnly")? {
        Some(0) | None => open,
        Some(_) => Some(true),
    };
    let status = p.get("orderStatus");
    let limit = p.integer("limit")?.unwrap_or(20).clamp(1, 50) as usize;
    let st = req.st;
    let inner = lock(&st.shared.inner);
    let k = inner.keys.get(req.key()?).ok_or_else(BybitError::api_key)?;
    let acct = match cat {
        Category::Spot => &k.spot,
        Category::Linear => &k.futures,
    };
    let extras = lock(&st.extras);
    let blank = Extra::default();
    let rows: Vec<Value> = acct
        .orders
        .values()
        .rev()
        .filter(|o| symbol.as_deref().is_none_or(|s| s == o.symbol))
        .filter(|o| open.is_none_or(|want| o.is_open() == want))
        .filter(|o| id.is_none_or(|i| i == o.order_id.to_string()))
        .filter(|o| link.is_none_or(|l| extras.get(&o.order_id).is_some_and(|e| e.link == l)))
        .filter_map(|o| {
            let s = &st.shared.market.series[o.instrument];
            let extra = extras.get(&o.order_id).unwrap_or(&blank);
            let trades: Vec<_> = acct
                .trades
                .iter()
                .filter(|t| t.order_id == o.order_id)
                .collect();
            let v = shapes::order(cat, s, o, extra, &trades);
            status
                .is_none_or(|want| v["orderStatus"] == want)
                .then_some(v)
        })
        .take(limit)
        .collect();
    Ok(json!({"list": rows, "nextPageCursor": "", "category": cat.as_str()}))
}

/// `GET /v5/order/realtime`: open orders (and recent ones named by id).
pub fn realtime(req: &Req) -> Result<Value, BybitError> {
    list_orders(req, Some(true))
}

/// `GET /v5/order/history`: orders that ended (or any, named by id).
pub fn history(req: &Req) -> Result<Value, BybitError> {
    list_orders(req, Some(false))
}

/// `GET /v5/execution/list`, newest first.
pub fn executions(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let p = &req.params;
    let symbol = match p.get("symbol") {
        Some(_) => Some(symbol(req, cat)?.1),
        None => None,
    };
    let id = p.get("orderId");
    let link = p.get("orderLinkId");
    let limit = p.integer("limit")?.unwrap_or(50).clamp(1, 100) as usize;
    let st = req.st;
    let inner = lock(&st.shared.inner);
    let step = inner.step;
    let k = inner.keys.get(req.key()?).ok_or_else(BybitError::api_key)?;
    let acct = match cat {
        Category::Spot => &k.spot,
        Category::Linear => &k.futures,
    };
    let extras = lock(&st.extras);
    let fees = st.shared.fees(cat.family());
    let rows: Vec<Value> = shapes::executions_with_leaves(acct)
        .into_iter()
        .rev()
        .filter(|(t, _, _)| symbol.as_deref().is_none_or(|s| s == t.symbol))
        .filter(|(t, _, _)| id.is_none_or(|i| i == t.order_id.to_string()))
        .filter(|(t, _, _)| {
            link.is_none_or(|l| extras.get(&t.order_id).is_some_and(|e| e.link == l))
        })
        .take(limit)
        .map(|(t, rec, leaves)| {
            let s = &st.shared.market.series[rec.instrument];
            let link = extras
                .get(&t.order_id)
                .map(|e| e.link.as_str())
                .unwrap_or("");
            let rate = if t.maker { fees.maker } else { fees.taker };
            shapes::execution(
                cat,
                s,
                t,
                (rec, link),
                leaves,
                (rate, s.candle(step).close),
                t.id,
            )
        })
        .collect();
    Ok(json!({"list": rows, "nextPageCursor": "", "category": cat.as_str()}))
}
