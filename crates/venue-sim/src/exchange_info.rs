//! `exchangeInfo` for each family, generated from the replayed series: the
//! symbols with the rules [`crate::market::SymbolRules`] derived, their
//! filters in Binance's shapes, and the rate limits the simulator enforces.

use crate::config::Limits;
use crate::filters::{
    FUTURES_MULTIPLIER_DOWN, FUTURES_MULTIPLIER_UP, SPOT_MULTIPLIER_DOWN, SPOT_MULTIPLIER_UP,
};
use crate::market::{Market, Series};
use crate::routes::Family;
use serde_json::{Value, json};

/// Spot order types the simulator matches (no TAKE_PROFIT_LIMIT: the
/// engine has no take-profit-limit order).
pub const SPOT_ORDER_TYPES: [&str; 6] = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
];
/// USD-M order types the simulator matches.
pub const FUTURES_ORDER_TYPES: [&str; 5] = [
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT_MARKET",
];

fn spot_symbol(s: &Series) -> Value {
    let f = |d: rust_decimal::Decimal| format!("{:.8}", d);
    let r = &s.rules;
    json!({
        "symbol": s.symbol, "status": "TRADING", "baseAsset": s.base, "baseAssetPrecision": 8,
        "quoteAsset": s.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
        "orderTypes": SPOT_ORDER_TYPES, "icebergAllowed": false, "ocoAllowed": false,
        "otoAllowed": false, "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": false,
        "cancelReplaceAllowed": false, "amendAllowed": false, "isSpotTradingAllowed": true,
        "isMarginTradingAllowed": false,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": f(r.min_price), "maxPrice": f(r.max_price), "tickSize": f(r.tick)},
            {"filterType": "LOT_SIZE", "minQty": f(r.min_qty), "maxQty": f(r.max_qty), "stepSize": f(r.lot)},
            {"filterType": "MARKET_LOT_SIZE", "minQty": f(r.min_qty), "maxQty": f(r.max_qty), "stepSize": f(r.lot)},
            {"filterType": "NOTIONAL", "minNotional": f(r.min_notional), "applyMinToMarket": true,
             "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": SPOT_MULTIPLIER_UP.to_string(),
             "bidMultiplierDown": SPOT_MULTIPLIER_DOWN.to_string(), "askMultiplierUp": SPOT_MULTIPLIER_UP.to_string(),
             "askMultiplierDown": SPOT_MULTIPLIER_DOWN.to_string(), "avgPriceMins": 5},
        ],
        "permissions": [], "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "NONE", "allowedSelfTradePreventionModes": ["NONE"],
    })
}

fn futures_symbol(s: &Series, onboard: i64) -> Value {
    let r = &s.rules;
    let f = |d: rust_decimal::Decimal| d.normalize().to_string();
    json!({
        "symbol": s.symbol, "pair": s.symbol, "contractType": "PERPETUAL",
        "deliveryDate": 4_133_404_800_000i64, "onboardDate": onboard, "status": "TRADING",
        "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
        "baseAsset": s.base, "quoteAsset": s.quote, "marginAsset": s.quote,
        "pricePrecision": r.price_precision(), "quantityPrecision": r.qty_precision(),
        "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
        "underlyingSubType": [], "settlePlan": 0, "triggerProtect": "0.0500",
        "liquidationFee": "0.012500", "marketTakeBound": "0.05", "maxMoveOrderLimit": 10000,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": f(r.min_price), "maxPrice": f(r.max_price), "tickSize": f(r.tick)},
            {"filterType": "LOT_SIZE", "minQty": f(r.min_qty), "maxQty": f(r.max_qty), "stepSize": f(r.lot)},
            {"filterType": "MARKET_LOT_SIZE", "minQty": f(r.min_qty), "maxQty": f(r.max_qty), "stepSize": f(r.lot)},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": f(r.min_notional)},
            {"filterType": "PERCENT_PRICE", "multiplierUp": format!("{:.4}", FUTURES_MULTIPLIER_UP),
             "multiplierDown": format!("{:.4}", FUTURES_MULTIPLIER_DOWN), "multiplierDecimal": "4"},
        ],
        "orderTypes": FUTURES_ORDER_TYPES, "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
    })
}

/// The `exchangeInfo` answer of `family`, for `wanted` symbols (all if none).
pub fn render(
    family: Family,
    market: &Market,
    limits: &Limits,
    wanted: Option<&[String]>,
    now: i64,
) -> Value {
    let symbols: Vec<Value> = market
        .series
        .iter()
        .filter(|s| wanted.is_none_or(|w| w.contains(&s.symbol)))
        .map(|s| match family {
            Family::Spot => spot_symbol(s),
            Family::Futures => futures_symbol(s, market.start_ms),
        })
        .collect();
    let limit = |kind: &str, interval: &str, num: u32, limit: u64| json!({"rateLimitType": kind, "interval": interval, "intervalNum": num, "limit": limit});
    match family {
        Family::Spot => json!({
            "timezone": "UTC", "serverTime": now,
            "rateLimits": [
                limit("REQUEST_WEIGHT", "MINUTE", 1, limits.spot_weight_1m),
                limit("ORDERS", "SECOND", 10, limits.spot_orders_10s),
                limit("ORDERS", "DAY", 1, limits.spot_orders_1d),
            ],
            "exchangeFilters": [], "symbols": symbols,
        }),
        Family::Futures => json!({
            "timezone": "UTC", "serverTime": now, "futuresType": "U_MARGINED",
            "rateLimits": [
                limit("REQUEST_WEIGHT", "MINUTE", 1, limits.futures_weight_1m),
                limit("ORDERS", "MINUTE", 1, limits.futures_orders_1m),
                limit("ORDERS", "SECOND", 10, limits.futures_orders_10s),
            ],
            "exchangeFilters": [],
            "assets": [{"asset": market.series.first().map_or("USDT", |s| s.quote.as_str()), "marginAvailable": true, "autoAssetExchange": "-10000"}],
            "symbols": symbols,
        }),
    }
}
