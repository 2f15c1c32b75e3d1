//! Spot order lists: `POST /api/v3/orderList/oco`, one-cancels-the-other
//! as Binance serves it since 2024 (`aboveType`/`belowType`). The two legs
//! sell (or buy) the same quantity and hold one balance between them; when
//! one fills the other expires, and cancelling either cancels both.
//! Supported legs: `TAKE_PROFIT`, `STOP_LOSS` and `LIMIT_MAKER`.

use crate::account::NewOrder;
use crate::error::ApiError;
use crate::filters::{self, Checked};
use crate::http::{Answer, Request};
use crate::params::Params;
use crate::rest_trade::{check_trigger, key, symbol_and_side};
use crate::routes::Family;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{OrderKind, Side, TimeInForce};

/// One leg of the list, `above` or `below` the market.
fn leg(
    p: &Params,
    at: &str,
    side: Side,
    instrument: usize,
    symbol: &str,
    qty: Decimal,
) -> Result<(NewOrder, Checked, Option<String>), ApiError> {
    let ty = p.required(&format!("{at}Type"))?.to_string();
    let stop = p.decimal(&format!("{at}StopPrice"))?;
    let price = p.decimal(&format!("{at}Price"))?;
    let need = |v: Option<Decimal>, name: &str| {
        v.ok_or_else(|| ApiError::mandatory(&format!("{at}{name}")))
    };
    let (kind, tif) = match ty.as_str() {
        "TAKE_PROFIT" => (
            OrderKind::TakeProfit {
                trigger: need(stop, "StopPrice")?,
            },
            TimeInForce::Gtc,
        ),
        "STOP_LOSS" => (
            OrderKind::StopMarket {
                trigger: need(stop, "StopPrice")?,
            },
            TimeInForce::Gtc,
        ),
        "LIMIT_MAKER" => (
            OrderKind::Limit {
                price: need(price, "Price")?,
            },
            TimeInForce::PostOnly,
        ),
        "STOP_LOSS_LIMIT" | "TAKE_PROFIT_LIMIT" => {
            return Err(ApiError::unsupported(&format!("{ty} legs")));
        }
        _ => return Err(ApiError::bad(-1116, "Invalid orderType.")),
    };
    let order = NewOrder {
        instrument,
        symbol: symbol.to_string(),
        side,
        order_type: ty.clone(),
        kind,
        tif,
        tif_str: "GTC".into(),
        qty: Some(qty),
        quote_qty: None,
        price: kind.limit_price(),
        stop_price: kind.trigger(),
        reduce_only: false,
        close_position: false,
        client_id: String::new(),
        algo: false,
        list: None,
    };
    let checked = Checked {
        price: kind.limit_price(),
        stop_price: kind.trigger(),
        qty: Some(qty),
        market: false,
        reduce_only: false,
    };
    let client = p.get(&format!("{at}ClientOrderId")).map(str::to_string);
    Ok((order, checked, client))
}

/// `POST /api/v3/orderList/oco`.
pub fn new_oco(req: &Request) -> Answer {
    let p = &req.params;
    let (symbol, instrument, side) = symbol_and_side(req)?;
    let qty = p
        .decimal("quantity")?
        .ok_or_else(|| ApiError::mandatory("quantity"))?;
    let above = leg(p, "above", side, instrument, &symbol, qty)?;
    let below = leg(p, "below", side, instrument, &symbol, qty)?;
    let rules = req.shared.market.series[instrument].rules;
    let list_client = p.get("listClientOrderId").map(str::to_string);
    req.shared
        .with_account(key(req)?, Family::Spot, |acct, ctx, next_id| {
            let last = ctx.last_price(instrument);
            for (o, checked, _) in [&above, &below] {
                check_trigger(Family::Spot, o, last)?;
                filters::check(Family::Spot, &rules, checked, last)?;
            }
            let list = *next_id + 1;
            let mut ids = Vec::new();
            for (k, (o, _, client)) in [below.clone(), above.clone()].into_iter().enumerate() {
                let id = list + 1 + k as u64;
                let mut o = o;
                o.list = Some(list);
                o.client_id = client.unwrap_or_else(|| format!("venuesim{id}"));
                acct.place(ctx, id, o)?;
                ids.push(id);
            }
            *next_id = list + 2;
            let legs: Vec<Value> = ids
                .iter()
                .filter_map(|id| acct.orders.get(id))
                .map(|r| r.new_order_json(Family::Spot, "RESULT", &[]))
                .collect();
            let orders: Vec<Value> = ids
                .iter()
                .filter_map(|id| acct.orders.get(id))
                .map(|r| json!({"symbol": r.symbol, "orderId": r.order_id, "clientOrderId": r.client_id}))
                .collect();
            Ok(json!({
                "orderListId": list, "contingencyType": "OCO", "listStatusType": "EXEC_STARTED",
                "listOrderStatus": "EXECUTING",
                "listClientOrderId": list_client.unwrap_or_else(|| format!("list{list}")),
                "transactionTime": ctx.now, "symbol": symbol, "orders": orders,
                "orderReports": legs,
            }))
        })
}
