//! Public market endpoints from the replayed series up to the released
//! step: server time, klines (the series' interval or a multiple,
//! resampled; newest first as Bybit lists them), the synthetic order book
//! of the Binance protocol (levels one tick apart around the last close),
//! tickers and recent trades (one per released candle, at its close).

use super::envelope::BybitError;
use super::front::Req;
use super::shapes::{num, px, qty};
use super::{BybitState, Category};
use crate::market::Series;
use crate::rest_market::{book, level_qty};
use crate::state::{lock, now_ms};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_data::resample;
use smc_model::{Candle, Timeframe, Timestamp};

/// `GET /v5/market/time`.
pub fn time() -> Value {
    let now = now_ms();
    json!({
        "timeSecond": (now / 1_000).to_string(),
        "timeNano": (i128::from(now) * 1_000_000).to_string(),
    })
}

/// The category of a market request (`linear` when absent, as Bybit's
/// kline endpoint defaults).
fn category(req: &Req, default: bool) -> Result<Category, BybitError> {
    match req.params.get("category") {
        None if default => Ok(Category::Linear),
        None => Err(BybitError::missing("category")),
        Some(c) => Category::parse(c),
    }
}

/// The series named by `symbol` (10001 for an unknown one).
pub fn series<'a>(st: &'a BybitState, symbol: &str) -> Result<(usize, &'a Series), BybitError> {
    let m = &st.shared.market;
    m.find(&symbol.to_ascii_uppercase())
        .map(|i| (i, &m.series[i]))
        .ok_or_else(|| BybitError::params("Not supported symbols"))
}

fn step(st: &BybitState) -> usize {
    lock(&st.shared.inner).step
}

/// Bybit's kline interval (1 3 5 15 30 60 120 240 360 720 D W M).
pub fn interval(raw: &str) -> Result<Timeframe, BybitError> {
    let text = match raw {
        "1" | "3" | "5" | "15" | "30" | "60" | "120" | "240" | "360" | "720" => format!("{raw}m"),
        "D" => "1d".into(),
        "W" => "1w".into(),
        _ => return Err(BybitError::invalid("interval", raw)),
    };
    text.parse()
        .map_err(|_| BybitError::invalid("interval", raw))
}

/// `GET /v5/market/kline`.
pub fn kline(req: &Req) -> Result<Value, BybitError> {
    let cat = category(req, true)?;
    let (_, s) = series(req.st, req.params.required("symbol")?)?;
    let raw = req.params.required("interval")?;
    let tf = interval(raw)?;
    let released = &s.candles[..=s.shown(step(req.st))];
    let candles: Vec<Candle> = if tf == s.timeframe {
        released.to_vec()
    } else if tf.is_multiple_of(s.timeframe) {
        resample(released, s.timeframe, tf)
    } else {
        return Err(BybitError::params(format!(
            "params error: interval {raw}: venue-sim replays {} candles of {}; ask for that interval or a multiple",
            s.timeframe, s.symbol
        )));
    };
    let limit = req.params.integer("limit")?.unwrap_or(200).clamp(1, 1_000) as usize;
    let start = req.params.integer("start")?;
    let end = req.params.integer("end")?;
    let rows: Vec<Value> = candles
        .iter()
        .rev()
        .filter(|c| {
            start.is_none_or(|t| c.open_time >= Timestamp::from_ms(t))
                && end.is_none_or(|t| c.open_time <= Timestamp::from_ms(t))
        })
        .take(limit)
        .map(|c| {
            let turnover = (c.volume * (c.open + c.close) / Decimal::TWO).round_dp(8);
            json!([
                c.open_time.ms().to_string(),
                px(s, c.open),
                px(s, c.high),
                px(s, c.low),
                px(s, c.close),
                qty(s, c.volume),
                num(turnover)
            ])
        })
        .collect();
    Ok(json!({"category": cat.as_str(), "symbol": s.symbol, "list": rows}))
}

/// The book as Bybit sends it (`b`, `a` as [price, size] strings).
pub fn levels(s: &Series, step: usize, depth: usize) -> (Vec<Value>, Vec<Value>) {
    let (bids, asks) = book(s, step, depth);
    let side = |v: Vec<(Decimal, Decimal)>| -> Vec<Value> {
        v.into_iter()
            .map(|(p, q)| json!([px(s, p), qty(s, q)]))
            .collect()
    };
    (side(bids), side(asks))
}

/// `GET /v5/market/orderbook`.
pub fn orderbook(req: &Req) -> Result<Value, BybitError> {
    let cat = category(req, false)?;
    let (_, s) = series(req.st, req.params.required("symbol")?)?;
    let (default, max) = match cat {
        Category::Spot => (1, 200),
        Category::Linear => (25, 500),
    };
    let limit = req.params.integer("limit")?.unwrap_or(default);
    if limit < 1 || limit > max {
        return Err(BybitError::invalid("limit", &limit.to_string()));
    }
    let k = step(req.st);
    let (b, a) = levels(s, k, limit as usize);
    let now = now_ms();
    Ok(json!({"s": s.symbol, "b": b, "a": a, "ts": now, "u": k, "seq": k, "cts": now}))
}

/// A ticker of `s` at `step` in Bybit's shape for `cat`.
pub fn ticker(cat: Category, s: &Series, step: usize) -> Value {
    let released = &s.candles[..=s.shown(step)];
    let last = released[released.len() - 1];
    let since = last.open_time + s.timeframe.duration_ms() - 86_400_000;
    let day: Vec<&Candle> = released.iter().filter(|c| c.open_time >= since).collect();
    let first = day.first().copied().copied().unwrap_or(last);
    let high = day.iter().map(|c| c.high).max().unwrap_or(last.high);
    let low = day.iter().map(|c| c.low).min().unwrap_or(last.low);
    let volume: Decimal = day.iter().map(|c| c.volume).sum();
    let turnover: Decimal = day.iter().map(|c| c.volume * c.close).sum();
    let pct = if first.open.is_zero() {
        Decimal::ZERO
    } else {
        ((last.close - first.open) / first.open).round_dp(6)
    };
    let hour_ago = released
        .iter()
        .rev()
        .find(|c| c.open_time <= last.open_time - 3_600_000)
        .unwrap_or(&first);
    let (bids, asks) = book(s, step, 1);
    let (bid, ask) = (
        bids.first().copied().unwrap_or_default(),
        asks.first().copied().unwrap_or_default(),
    );
    let mut v = json!({
        "symbol": s.symbol, "bid1Price": px(s, bid.0), "bid1Size": qty(s, bid.1),
        "ask1Price": px(s, ask.0), "ask1Size": qty(s, ask.1), "lastPrice": px(s, last.close),
        "prevPrice24h": px(s, first.open), "price24hPcnt": num(pct), "highPrice24h": px(s, high),
        "lowPrice24h": px(s, low), "turnover24h": num(turnover.round_dp(8)), "volume24h": qty(s, volume),
    });
    match cat {
        Category::Spot => v["usdIndexPrice"] = json!(px(s, last.close)),
        Category::Linear => {
            for (k, val) in [
                ("tickDirection", json!("ZeroPlusTick")),
                ("prevPrice1h", json!(px(s, hour_ago.close))),
                ("markPrice", json!(px(s, last.close))),
                ("indexPrice", json!(px(s, last.close))),
                ("openInterest", json!("0")),
                ("openInterestValue", json!("0")),
                ("nextFundingTime", json!("0")),
                ("fundingRate", json!("0")),
                ("fundingIntervalHour", json!("8")),
            ] {
                v[k] = val;
            }
        }
    }
    v
}

/// `GET /v5/market/tickers`.
pub fn tickers(req: &Req) -> Result<Value, BybitError> {
    let cat = category(req, false)?;
    let k = step(req.st);
    let list: Vec<Value> = match req.params.get("symbol") {
        Some(sym) => vec![ticker(cat, series(req.st, sym)?.1, k)],
        None => req
            .st
            .shared
            .market
            .series
            .iter()
            .map(|s| ticker(cat, s, k))
            .collect(),
    };
    Ok(json!({"category": cat.as_str(), "list": list}))
}

/// One public trade per released candle: at its close, the book level's size.
pub fn trade_json(s: &Series, k: usize) -> Value {
    let c = s.candle(k);
    json!({
        "execId": format!("{}-{k}", s.symbol), "symbol": s.symbol, "price": px(s, c.close),
        "size": qty(s, level_qty(s, k)),
        "side": if c.close >= c.open { "Buy" } else { "Sell" },
        "time": s.close_time(c).to_string(), "isBlockTrade": false,
    })
}

/// `GET /v5/market/recent-trade`.
pub fn recent_trade(req: &Req) -> Result<Value, BybitError> {
    let cat = category(req, false)?;
    let (_, s) = series(req.st, req.params.required("symbol")?)?;
    let max = if cat == Category::Spot { 60 } else { 1_000 };
    let limit = req.params.integer("limit")?.unwrap_or(60).clamp(1, max) as usize;
    let k = s.shown(step(req.st));
    let list: Vec<Value> = (0..=k)
        .rev()
        .take(limit)
        .map(|i| trade_json(s, i))
        .collect();
    Ok(json!({"category": cat.as_str(), "list": list}))
}
