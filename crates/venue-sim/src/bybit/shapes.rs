//! JSON of orders, executions, positions and the unified wallet in the
//! shapes of Bybit's recorded messages (shared/data/market/exchange-messages/
//! bybit/nautilus-rust-test_data: http_get_orders_realtime, ws_account_order,
//! http_get_executions, ws_account_execution, http_get_positions,
//! ws_account_position, http_get_wallet_balance, ws_account_wallet). One
//! function per object serves REST and WebSocket: the REST keys plus the
//! keys the stream adds (`category`, `feeCurrency`, `createType`, ...).
//! Decimals are strings; prices with the tick's decimals, quantities with
//! the step's; ids are strings.

use super::{Category, Extra};
use crate::account::Account;
use crate::market::{Market, Series};
use crate::orders::{OrderRecord, TradeRecord};
use crate::state::KeyState;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{OrderStatus, Side};

/// Maintenance margin rate shown for positions (Bybit's lowest risk tier
/// of BTCUSDT is 0.5 %).
pub const MM_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 3);

/// A decimal without trailing zeros.
pub fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A price with the tick's decimals.
pub fn px(s: &Series, d: Decimal) -> String {
    format!("{:.*}", s.rules.price_precision() as usize, d)
}

/// A quantity with the step's decimals.
pub fn qty(s: &Series, d: Decimal) -> String {
    format!("{:.*}", s.rules.qty_precision() as usize, d)
}

pub fn side(s: Side) -> &'static str {
    match s {
        Side::Buy => "Buy",
        Side::Sell => "Sell",
    }
}

/// Bybit's `orderStatus` (and `rejectReason`) of a record.
pub fn status(cat: Category, rec: &OrderRecord, extra: &Extra) -> (&'static str, &'static str) {
    let filled_some = !rec.executed_qty.is_zero();
    match rec.status {
        OrderStatus::PartiallyFilled => ("PartiallyFilled", "EC_NoError"),
        OrderStatus::Filled => ("Filled", "EC_NoError"),
        // A conditional order that ends before it triggered.
        OrderStatus::Cancelled | OrderStatus::Expired
            if extra.trigger_direction != 0 && !filled_some =>
        {
            ("Deactivated", "EC_NoError")
        }
        OrderStatus::Cancelled | OrderStatus::Expired => {
            if cat == Category::Spot && filled_some {
                ("PartiallyFilledCanceled", "EC_NoError")
            } else {
                ("Cancelled", "EC_NoError")
            }
        }
        // A post-only order that would take is cancelled, as Bybit does.
        OrderStatus::Rejected if rec.tif == "PostOnly" => {
            ("Cancelled", "EC_PostOnlyWillTakeLiquidity")
        }
        OrderStatus::Rejected => ("Rejected", "EC_OrderRejected"),
        _ if extra.trigger_direction != 0 && !filled_some => ("Untriggered", "EC_NoError"),
        _ => ("New", "EC_NoError"),
    }
}

/// The fee currency of an account's trades of `s` on `side`.
fn fee_currency(cat: Category, s: &Series, side: Side) -> &str {
    match (cat, side) {
        (Category::Spot, Side::Buy) => &s.base,
        _ => &s.quote,
    }
}

/// An order (REST lists and the `order` topic).
pub fn order(
    cat: Category,
    s: &Series,
    rec: &OrderRecord,
    extra: &Extra,
    trades: &[&TradeRecord],
) -> Value {
    let (order_status, reject) = status(cat, rec, extra);
    let fee: Decimal = trades.iter().map(|t| t.commission).sum();
    let leaves = if rec.is_open() {
        rec.remaining()
    } else {
        Decimal::ZERO
    };
    let avg = if rec.executed_qty.is_zero() {
        String::new()
    } else {
        px(s, rec.avg_price().round_dp(s.rules.price_precision()))
    };
    let cancel_type = match rec.status {
        OrderStatus::Cancelled => "CancelByUser",
        _ => "UNKNOWN",
    };
    let trigger = extra.trigger_direction != 0;
    let stop_order_type = match (trigger, cat) {
        _ if !extra.stop_order_type.is_empty() => extra.stop_order_type.as_str(),
        // Spot `orderFilter=StopOrder` and linear conditional orders.
        (true, _) => "Stop",
        _ => "",
    };
    let (tp, sl) = (extra.attached.take_profit, extra.attached.stop_loss);
    let tpsl_price = |x: Option<Decimal>| x.map_or_else(|| "0".to_string(), |x| px(s, x));
    let by = |x: Option<Decimal>| if x.is_some() { "LastPrice" } else { "" };
    let qty_value = if rec.orig_qty.is_zero() {
        rec.quote_order_qty
    } else {
        rec.orig_qty
    };
    let mut v = json!({
        "orderId": rec.order_id.to_string(), "orderLinkId": extra.link, "blockTradeId": "",
        "symbol": rec.symbol, "price": if rec.price.is_zero() { "0".into() } else { px(s, rec.price) },
        "qty": if extra.quote_unit { num(qty_value) } else { qty(s, qty_value) },
        "side": side(rec.side), "isLeverage": "0", "positionIdx": 0,
        "orderStatus": order_status, "cancelType": cancel_type, "rejectReason": reject,
        "avgPrice": avg, "leavesQty": qty(s, leaves),
        "leavesValue": num((leaves * rec.price).round_dp(8)),
        "cumExecQty": qty(s, rec.executed_qty), "cumExecValue": num(rec.cum_quote.round_dp(8)),
        "cumExecFee": num(fee), "timeInForce": rec.tif, "orderType": rec.order_type,
    });
    let rest = json!({
        "stopOrderType": stop_order_type, "orderIv": "",
        "triggerPrice": if trigger { px(s, rec.stop_price) } else { "0".into() },
        "takeProfit": tpsl_price(tp), "stopLoss": tpsl_price(sl), "tpTriggerBy": by(tp),
        "slTriggerBy": by(sl),
        "triggerDirection": extra.trigger_direction,
        "triggerBy": if trigger { "LastPrice" } else { "" },
        "lastPriceOnCreated": px(s, extra.last_price_on_created),
        "reduceOnly": rec.reduce_only, "closeOnTrigger": false, "smpType": "None",
        "smpGroup": 0, "smpOrderId": "", "tpslMode": if extra.attached.any() { "Full" } else { "" },
        "tpLimitPrice": "0", "slLimitPrice": "0",
        "placeType": "", "createdTime": rec.time.to_string(), "updatedTime": rec.update_time.to_string(),
        "category": cat.as_str(), "feeCurrency": fee_currency(cat, s, rec.side),
        "createType": "CreateByUser",
    });
    if let (Some(o), Value::Object(r)) = (v.as_object_mut(), rest) {
        o.extend(r);
    }
    if cat == Category::Spot {
        v["marketUnit"] = json!(if extra.quote_unit {
            "quoteCoin"
        } else {
            "baseCoin"
        });
        v["orderFilter"] = json!(if extra.order_filter.is_empty() {
            "Order"
        } else {
            extra.order_filter.as_str()
        });
    }
    v
}

/// One execution (REST `execution/list` and the `execution` topic);
/// `leaves` is what the order had left after it.
pub fn execution(
    cat: Category,
    s: &Series,
    t: &TradeRecord,
    (rec, link): (&OrderRecord, &str),
    leaves: Decimal,
    (fee_rate, mark): (Decimal, Decimal),
    seq: u64,
) -> Value {
    json!({
        "symbol": t.symbol, "orderId": t.order_id.to_string(), "orderLinkId": link,
        "side": side(t.side),
        "orderPrice": if rec.price.is_zero() { "0".into() } else { px(s, rec.price) },
        "orderQty": qty(s, rec.orig_qty), "leavesQty": qty(s, leaves),
        "createType": "CreateByUser", "orderType": rec.order_type, "stopOrderType": "",
        "execFee": num(t.commission), "execId": t.id.to_string(), "execPrice": px(s, t.price),
        "execQty": qty(s, t.qty), "execType": "Trade", "execValue": num((t.price * t.qty).round_dp(8)),
        "execTime": t.time.to_string(), "feeCurrency": t.commission_asset, "isMaker": t.maker,
        "feeRate": num(fee_rate), "tradeIv": "", "markIv": "", "markPrice": px(s, mark),
        "indexPrice": px(s, mark), "underlyingPrice": "", "blockTradeId": "",
        "closedSize": match (cat, t.realized.is_zero()) {
            (Category::Spot, _) => String::new(),
            (Category::Linear, true) => qty(s, Decimal::ZERO),
            (Category::Linear, false) => qty(s, t.qty),
        },
        "seq": seq, "category": cat.as_str(), "isLeverage": "0",
    })
}

/// The executions of an account, each with the leaves of its order after it.
pub fn executions_with_leaves(acct: &Account) -> Vec<(&TradeRecord, &OrderRecord, Decimal)> {
    let mut done: std::collections::BTreeMap<u64, Decimal> = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for t in &acct.trades {
        let Some(rec) = acct.orders.get(&t.order_id) else {
            continue;
        };
        let cum = done.entry(t.order_id).or_default();
        *cum += t.qty;
        let leaves = if rec.orig_qty.is_zero() {
            Decimal::ZERO
        } else {
            (rec.orig_qty - *cum).max(Decimal::ZERO)
        };
        out.push((t, rec, leaves));
    }
    out
}

/// A linear position (REST `position/list` and the `position` topic).
pub fn position(
    s: &Series,
    acct: &Account,
    i: usize,
    (leverage, mark): (Decimal, Decimal),
    (tp, sl): (Decimal, Decimal),
    seq: u64,
) -> Value {
    let p = acct.portfolio.position(i);
    let size = p.qty.abs();
    let side_str = if p.qty > Decimal::ZERO {
        "Buy"
    } else if p.qty < Decimal::ZERO {
        "Sell"
    } else {
        ""
    };
    let value = size * p.avg_price;
    let upl = p.qty * mark - p.cost;
    let im = (size * mark / leverage.max(Decimal::ONE)).round_dp(8);
    let mm = (size * mark * MM_RATE).round_dp(8);
    json!({
        "positionIdx": 0, "riskId": 1, "riskLimitValue": "2000000", "symbol": s.symbol,
        "side": side_str, "size": qty(s, size), "avgPrice": px(s, p.avg_price),
        "entryPrice": px(s, p.avg_price), "sessionAvgPrice": "",
        "positionValue": num(value.round_dp(8)), "tradeMode": 0, "positionStatus": "Normal",
        "autoAddMargin": 0, "adlRankIndicator": if size.is_zero() { 0 } else { 2 },
        "leverage": num(leverage), "positionBalance": "0", "markPrice": px(s, mark),
        "liqPrice": "", "bustPrice": "", "positionMM": num(mm), "positionIM": num(im),
        "positionIMByMp": num(im), "positionMMByMp": num(mm),
        "tpslMode": "Full", "takeProfit": if tp.is_zero() { "0".into() } else { px(s, tp) },
        "stopLoss": if sl.is_zero() { "0".into() } else { px(s, sl) }, "trailingStop": "0",
        "unrealisedPnl": num(upl.round_dp(8)), "curRealisedPnl": num(p.realized.round_dp(8)),
        "cumRealisedPnl": num(p.realized.round_dp(8)), "seq": seq, "isReduceOnly": false,
        "mmrSysUpdatedTime": "", "leverageSysUpdatedTime": "",
        "createdTime": acct.update_time.to_string(), "updatedTime": acct.update_time.to_string(),
        "category": "linear",
    })
}

/// The unified wallet's figures in USDT.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unified {
    /// Starting balance + spot cash change + futures realized P&L and fees.
    pub usdt_wallet: Decimal,
    /// Unrealized P&L of linear positions.
    pub upl: Decimal,
    /// Quote held by open spot buys.
    pub spot_locked: Decimal,
    /// Initial margin of open linear orders.
    pub order_im: Decimal,
    /// Initial margin of linear positions.
    pub position_im: Decimal,
    pub position_mm: Decimal,
}

impl Unified {
    pub fn of(k: &KeyState, market: &Market, leverage: Decimal, balance: Decimal) -> Unified {
        let n = market.series.len();
        let (spot_locked, _) = k.spot.locked(n, leverage);
        let (order_im, _) = k.futures.locked(n, leverage);
        let fut = &k.futures.portfolio;
        let notional: Decimal = (0..n)
            .map(|i| fut.position(i).qty.abs() * fut.position(i).mark)
            .sum();
        Unified {
            usdt_wallet: k.spot.portfolio.cash() + fut.cash() - balance,
            upl: fut.equity() - fut.cash(),
            spot_locked,
            order_im,
            position_im: fut.margin_used(),
            position_mm: notional * MM_RATE,
        }
    }

    /// What new orders may still use (USDT).
    pub fn available(&self) -> Decimal {
        self.usdt_wallet + self.upl - self.spot_locked - self.order_im - self.position_im
    }
}

/// The unified wallet (REST `wallet-balance` list item and `wallet` topic).
pub fn wallet(
    k: &KeyState,
    market: &Market,
    step: usize,
    leverage: Decimal,
    balance: Decimal,
) -> Value {
    let u = Unified::of(k, market, leverage, balance);
    let n = market.series.len();
    let (_, base_locked) = k.spot.locked(n, leverage);
    let usdt_equity = u.usdt_wallet + u.upl;
    let mut coins = vec![json!({
        "coin": "USDT", "equity": num(usdt_equity.round_dp(8)), "usdValue": num(usdt_equity.round_dp(8)),
        "walletBalance": num(u.usdt_wallet.round_dp(8)), "locked": num(u.spot_locked.round_dp(8)),
        "availableToWithdraw": num(u.available().max(Decimal::ZERO).round_dp(8)),
        "availableToBorrow": "", "borrowAmount": "0", "accruedInterest": "0", "bonus": "0",
        "totalOrderIM": num(u.order_im.round_dp(8)), "totalPositionIM": num(u.position_im.round_dp(8)),
        "totalPositionMM": num(u.position_mm.round_dp(8)), "unrealisedPnl": num(u.upl.round_dp(8)),
        "cumRealisedPnl": num((k.futures.portfolio.cash() - balance).round_dp(8)),
        "collateralSwitch": true, "marginCollateral": true, "spotBorrow": "0",
    })];
    let mut others = Decimal::ZERO;
    for (i, s) in market.series.iter().enumerate() {
        let held = k.spot.portfolio.position(i).qty;
        if held.is_zero() {
            continue;
        }
        let value = held * s.candle(step).close;
        others += value;
        coins.push(json!({
            "coin": s.base, "equity": num(held), "usdValue": num(value.round_dp(8)),
            "walletBalance": num(held), "locked": num(base_locked.get(i).copied().unwrap_or_default()),
            "availableToWithdraw": num(held - base_locked.get(i).copied().unwrap_or_default()),
            "availableToBorrow": "", "borrowAmount": "0", "accruedInterest": "0", "bonus": "0",
            "totalOrderIM": "0", "totalPositionIM": "0", "totalPositionMM": "0",
            "unrealisedPnl": "0", "cumRealisedPnl": "0", "collateralSwitch": true,
            "marginCollateral": true, "spotBorrow": "0",
        }));
    }
    let wallet_total = u.usdt_wallet + others;
    let margin = wallet_total + u.upl;
    let im = u.order_im + u.position_im + u.spot_locked;
    let rate = |x: Decimal| {
        if margin > Decimal::ZERO {
            num((x / margin).round_dp(4))
        } else {
            "0".into()
        }
    };
    json!({
        "accountType": "UNIFIED", "totalEquity": num(margin.round_dp(8)),
        "totalWalletBalance": num(wallet_total.round_dp(8)),
        "totalMarginBalance": num(margin.round_dp(8)),
        "totalAvailableBalance": num(u.available().max(Decimal::ZERO).round_dp(8)),
        "totalPerpUPL": num(u.upl.round_dp(8)), "totalInitialMargin": num(im.round_dp(8)),
        "totalMaintenanceMargin": num(u.position_mm.round_dp(8)),
        "accountIMRate": rate(im), "accountMMRate": rate(u.position_mm), "accountLTV": "0",
        "coin": coins,
    })
}
