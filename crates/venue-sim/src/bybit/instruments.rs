//! `GET /v5/market/instruments-info` generated from the replayed series'
//! rules (`SymbolRules::derive`: tick from the prices' decimals, step and
//! minimum quantity from the volumes', minimum notional 5 USDT), in the
//! shapes of Bybit's recorded answers (http_get_instruments_spot.json,
//! http_get_instruments_linear.json). Spot `basePrecision` is the
//! quantity step and `quotePrecision` the tick; linear `priceScale` is the
//! tick's decimals and the maximum leverage the simulator's leverage.

use super::envelope::BybitError;
use super::front::Req;
use super::market::series;
use super::shapes::num;
use super::{BybitState, Category};
use crate::market::Series;
use serde_json::{Value, json};

fn spot(s: &Series) -> Value {
    let r = &s.rules;
    json!({
        "symbol": s.symbol, "baseCoin": s.base, "quoteCoin": s.quote, "innovation": "0",
        "status": "Trading", "marginTrading": "none", "stTag": "0",
        "lotSizeFilter": {
            "basePrecision": num(r.lot), "quotePrecision": num(r.tick),
            "minOrderQty": num(r.min_qty), "maxOrderQty": num(r.max_qty),
            "minOrderAmt": num(r.min_notional), "maxOrderAmt": num(r.max_qty * r.max_price),
        },
        "priceFilter": {"tickSize": num(r.tick)},
    })
}

fn linear(st: &BybitState, s: &Series) -> Value {
    let r = &s.rules;
    json!({
        "symbol": s.symbol, "contractType": "LinearPerpetual", "status": "Trading",
        "baseCoin": s.base, "quoteCoin": s.quote,
        "launchTime": st.shared.market.start_ms.to_string(), "deliveryTime": "0",
        "deliveryFeeRate": "", "priceScale": r.price_precision().to_string(),
        "leverageFilter": {
            "minLeverage": "1", "maxLeverage": num(st.shared.leverage), "leverageStep": "0.01",
        },
        "priceFilter": {
            "minPrice": num(r.min_price), "maxPrice": num(r.max_price), "tickSize": num(r.tick),
        },
        "lotSizeFilter": {
            "maxOrderQty": num(r.max_qty), "minOrderQty": num(r.min_qty), "qtyStep": num(r.lot),
            "postOnlyMaxOrderQty": num(r.max_qty), "maxMktOrderQty": num(r.max_qty),
            "minNotionalValue": num(r.min_notional),
        },
        "unifiedMarginTrade": true, "fundingInterval": 480, "settleCoin": s.quote,
        "copyTrading": "none", "upperFundingRate": "0.005", "lowerFundingRate": "-0.005",
        "isPreListing": false, "preListingInfo": null,
    })
}

/// `GET /v5/market/instruments-info`.
pub fn instruments(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let st = req.st;
    let chosen: Vec<&Series> = match req.params.get("symbol") {
        Some(sym) => vec![series(st, sym)?.1],
        None => st.shared.market.series.iter().collect(),
    };
    let list: Vec<Value> = chosen
        .into_iter()
        .map(|s| match cat {
            Category::Spot => spot(s),
            Category::Linear => linear(st, s),
        })
        .collect();
    Ok(json!({"category": cat.as_str(), "list": list, "nextPageCursor": ""}))
}
