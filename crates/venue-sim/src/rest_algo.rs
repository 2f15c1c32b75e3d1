//! USD-M Algo Service endpoints: new conditional order, query, cancel and
//! open and all conditional orders (`/fapi/v1/algoOrder`, `openAlgoOrders`,
//! `allAlgoOrders`).
//! A new one is checked like a plain order (parameters, trigger that would
//! fire at once, filters, margin), then rests in the account until its
//! trigger places the child order (see `algo`).

use crate::algo::algo_json;
use crate::error::ApiError;
use crate::http::{Answer, Request};
use crate::rest_trade::{key, parse_new, place_checked, symbol_filter};
use serde_json::{Value, json};

/// `POST /fapi/v1/algoOrder`.
pub fn new_algo_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (mut order, checked, client_id) = parse_new(req, true)?;
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
            acct.orders
                .get(&id)
                .map(algo_json)
                .ok_or_else(|| ApiError::new(500, -1000, "order lost"))
        })
}

/// The symbol-free `algoId` / `clientAlgoId` reference, one of which must
/// be sent.
fn algo_ref(req: &Request) -> Result<(Option<i64>, Option<String>), ApiError> {
    let id = req.params.integer("algoId")?;
    let client = req.params.get("clientAlgoId").map(str::to_string);
    if id.is_none() && client.is_none() {
        return Err(ApiError::bad(
            -1102,
            "Param 'clientAlgoId' or 'algoId' must be sent, but both were empty/null!",
        ));
    }
    Ok((id, client))
}

/// `GET /fapi/v1/algoOrder`.
pub fn query_algo_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (id, client) = algo_ref(req)?;
    let symbol = symbol_filter(req)?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        find(acct, symbol.as_deref(), id, client.as_deref())
            .map(algo_json)
            .ok_or_else(|| ApiError::bad(-2013, "Order does not exist."))
    })
}

fn find<'a>(
    acct: &'a crate::account::Account,
    symbol: Option<&str>,
    id: Option<i64>,
    client: Option<&str>,
) -> Option<&'a crate::orders::OrderRecord> {
    acct.orders.values().rev().find(|o| {
        o.algo.is_some()
            && symbol.is_none_or(|s| s == o.symbol)
            && id.is_none_or(|id| u64::try_from(id).is_ok_and(|id| id == o.order_id))
            && client.is_none_or(|c| c == o.client_id)
    })
}

/// `DELETE /fapi/v1/algoOrder`: only an untriggered one can be cancelled.
pub fn cancel_algo_order(req: &Request) -> Answer {
    let family = req.route.family;
    let (id, client) = algo_ref(req)?;
    let symbol = symbol_filter(req)?;
    req.shared.with_account(key(req)?, family, |acct, ctx, _| {
        let unknown = || ApiError::bad(-2011, "Unknown order sent.");
        let rec = find(acct, symbol.as_deref(), id, client.as_deref()).ok_or_else(unknown)?;
        if rec
            .algo
            .as_ref()
            .is_some_and(|a| a.actual_order_id.is_some())
        {
            return Err(unknown());
        }
        let done = acct.cancel(ctx, rec.order_id)?;
        Ok(json!({
            "algoId": done.order_id, "clientAlgoId": done.client_id,
            "code": "200", "msg": "success",
        }))
    })
}

/// `GET /fapi/v1/openAlgoOrders`.
pub fn open_algo_orders(req: &Request) -> Answer {
    let family = req.route.family;
    let symbol = symbol_filter(req)?;
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        Ok(Value::Array(
            acct.open_orders(symbol.as_deref(), true)
                .into_iter()
                .map(algo_json)
                .collect(),
        ))
    })
}

/// `GET /fapi/v1/allAlgoOrders`: every algo order of a symbol, oldest first.
pub fn all_algo_orders(req: &Request) -> Answer {
    let family = req.route.family;
    let symbol = req.params.required("symbol")?.to_ascii_uppercase();
    req.shared.with_account(key(req)?, family, |acct, _, _| {
        Ok(Value::Array(
            acct.orders
                .values()
                .filter(|o| o.algo.is_some() && o.symbol == symbol)
                .map(algo_json)
                .collect(),
        ))
    })
}
