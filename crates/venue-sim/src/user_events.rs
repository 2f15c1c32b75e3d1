//! User-data events in Binance's shapes: `executionReport` and
//! `outboundAccountPosition` (spot), `ORDER_TRADE_UPDATE` and
//! `ACCOUNT_UPDATE` (USD-M), plus the balance and position views the REST
//! account endpoints share with them.

use crate::account::Account;
use crate::market::Market;
use crate::orders::{OrderRecord, TradeRecord, num, side_str, status_str};
use crate::routes::Family;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// One spot balance: asset, free, locked.
pub struct Balance {
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
}

/// Spot balances: the quote asset, then each symbol's base asset.
pub fn spot_balances(a: &Account, market: &Market) -> Vec<Balance> {
    let n = market.series.len();
    let (locked_quote, locked_base) = a.locked(n, Decimal::ONE);
    let mut out = Vec::with_capacity(n + 1);
    if let Some(s) = market.series.first() {
        out.push(Balance {
            asset: s.quote.clone(),
            free: a.portfolio.cash() - locked_quote,
            locked: locked_quote,
        });
    }
    for (i, s) in market.series.iter().enumerate() {
        let held = a.portfolio.position(i).qty;
        out.push(Balance {
            asset: s.base.clone(),
            free: held - locked_base[i],
            locked: locked_base[i],
        });
    }
    out
}

/// One USD-M position row: symbol index, amount, entry, mark, unrealized P&L.
pub struct PositionRow {
    pub instrument: usize,
    pub amount: Decimal,
    pub entry: Decimal,
    pub mark: Decimal,
    pub unrealized: Decimal,
}

pub fn futures_positions(a: &Account, market: &Market, step: usize) -> Vec<PositionRow> {
    market
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = a.portfolio.position(i);
            let mark = s.candle(step).close;
            PositionRow {
                instrument: i,
                amount: p.qty,
                entry: p.avg_price.round_dp(8),
                mark,
                unrealized: (p.qty * mark - p.cost).round_dp(8),
            }
        })
        .collect()
}

/// `executionReport` (spot) or `ORDER_TRADE_UPDATE` (USD-M) for a change
/// of `o` of execution type `exec` (NEW, TRADE, CANCELED, EXPIRED, REJECTED).
pub fn order_event(
    family: Family,
    o: &OrderRecord,
    exec: &str,
    trade: Option<&TradeRecord>,
    now: i64,
) -> Value {
    let n = |d| num(family, d);
    let (last_qty, last_price, fee, trade_id, maker) = match trade {
        Some(t) => (
            t.qty,
            t.price,
            t.commission,
            i64::try_from(t.id).unwrap_or(-1),
            t.maker,
        ),
        None => (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, -1, false),
    };
    match family {
        Family::Spot => json!({
            "e": "executionReport", "E": now, "s": o.symbol, "c": o.client_id,
            "S": side_str(o.side), "o": o.order_type, "f": o.tif, "q": n(o.orig_qty),
            "p": n(o.price), "P": n(o.stop_price), "F": n(Decimal::ZERO), "g": o.list_json(), "C": "",
            "x": exec, "X": status_str(o.status), "r": "NONE", "i": o.order_id,
            "l": n(last_qty), "z": n(o.executed_qty), "L": n(last_price), "n": n(fee),
            "N": trade.map(|t| t.commission_asset.as_str()), "T": now, "t": trade_id, "I": now, "w": o.is_open(),
            "m": maker, "M": false, "O": o.time, "Z": n(o.cum_quote),
            "Y": n(last_qty * last_price), "Q": n(o.quote_order_qty), "W": o.time, "V": "NONE",
        }),
        Family::Futures => json!({
            "e": "ORDER_TRADE_UPDATE", "E": now, "T": now,
            "o": {
                "s": o.symbol, "c": o.client_id, "S": side_str(o.side), "o": o.order_type,
                "f": o.tif, "q": n(o.orig_qty), "p": n(o.price), "ap": n(o.avg_price()),
                "sp": n(o.stop_price), "x": if exec == "TRADE" { "TRADE" } else { exec },
                "X": status_str(o.status), "i": o.order_id, "l": n(last_qty), "z": n(o.executed_qty),
                "L": n(last_price), "N": "USDT", "n": n(fee), "T": now, "t": trade_id.max(0),
                "b": "0", "a": "0", "m": maker, "R": o.reduce_only, "wt": "CONTRACT_PRICE",
                "ot": o.order_type, "ps": "BOTH", "cp": o.close_position,
                "rp": n(trade.map_or(Decimal::ZERO, |t| t.realized)), "pP": false, "si": 0,
                "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0,
            }
        }),
    }
}

/// `listStatus` after an order list's legs ended (one filled or was
/// cancelled).
pub fn list_status_event(list: u64, legs: &[&OrderRecord], now: i64) -> Value {
    let symbol = legs.first().map_or("", |l| l.symbol.as_str());
    let orders: Vec<Value> = legs
        .iter()
        .map(|l| json!({"s": l.symbol, "i": l.order_id, "c": l.client_id}))
        .collect();
    json!({
        "e": "listStatus", "E": now, "s": symbol, "g": list, "c": "OCO", "l": "ALL_DONE",
        "L": "ALL_DONE", "r": "NONE", "C": format!("list{list}"), "T": now, "O": orders,
    })
}

/// `outboundAccountPosition`: every spot balance after a change.
pub fn spot_balances_event(a: &Account, market: &Market, _step: usize, now: i64) -> Value {
    let balances: Vec<Value> = spot_balances(a, market)
        .into_iter()
        .map(|b| json!({"a": b.asset, "f": num(Family::Spot, b.free), "l": num(Family::Spot, b.locked)}))
        .collect();
    json!({"e": "outboundAccountPosition", "E": now, "u": now, "B": balances})
}

/// `ACCOUNT_UPDATE` after a USD-M fill: wallet balance and positions.
pub fn futures_account_event(a: &Account, market: &Market, step: usize, now: i64) -> Value {
    let f = |d| num(Family::Futures, d);
    let quote = market.series.first().map_or("USDT", |s| s.quote.as_str());
    let wallet = a.portfolio.cash().round_dp(8);
    let positions: Vec<Value> = futures_positions(a, market, step)
        .into_iter()
        .map(|p| {
            json!({
                "s": market.series[p.instrument].symbol, "pa": f(p.amount), "ep": f(p.entry),
                "bep": f(p.entry), "cr": "0", "up": f(p.unrealized), "mt": "cross", "iw": "0",
                "ps": "BOTH",
            })
        })
        .collect();
    json!({
        "e": "ACCOUNT_UPDATE", "E": now, "T": now,
        "a": {"m": "ORDER", "B": [{"a": quote, "wb": f(wallet), "cw": f(wallet), "bc": "0"}], "P": positions}
    })
}
