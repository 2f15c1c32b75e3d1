//! Public market endpoints: ping, time, exchangeInfo, klines, depth and
//! tickers, all served from the replayed series up to the released step.
//! The order book is synthetic and shaped by the series' [`BookShape`]:
//! levels one tick apart, bids from the last close down, asks from one
//! tick above it up (by default; `spread_ticks` moves both sides out),
//! each with `level_share` (default 1 %) of the last candle's volume, at
//! least one lot.
//!
//! [`BookShape`]: crate::config::BookShape

use crate::error::ApiError;
use crate::exchange_info;
use crate::http::{Answer, Request};
use crate::market::Series;
use crate::orders::num;
use crate::routes::{Family, Op};
use crate::state::{lock, now_ms};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_data::resample;
use smc_model::Timestamp;
use smc_model::{Candle, Timeframe};

/// Answers a public route.
pub fn public(req: &Request) -> Answer {
    let family = req.route.family;
    let step = lock(&req.shared.inner).step;
    let market = &req.shared.market;
    let now = now_ms();
    match req.route.op {
        Op::Ping => Ok(json!({})),
        Op::Time => Ok(json!({ "serverTime": now })),
        Op::ExchangeInfo => {
            let wanted = match (req.params.symbol(), req.params.symbol_list()?) {
                (Some(s), _) => Some(vec![s]),
                (None, list) => list,
            };
            if let Some(w) = &wanted
                && w.iter().any(|s| market.find(s).is_none())
            {
                return Err(ApiError::invalid_symbol());
            }
            Ok(exchange_info::render(
                family,
                market,
                &req.shared.limits,
                wanted.as_deref(),
                now,
            ))
        }
        Op::Klines => klines(req, step),
        Op::Depth => {
            let s = series(req)?;
            let limit = req.params.integer("limit")?.unwrap_or(100).clamp(1, 100) as usize;
            Ok(depth(family, s, step, limit, now))
        }
        Op::TickerPrice | Op::BookTicker | Op::Ticker24h | Op::AvgPrice | Op::PremiumIndex => {
            let one = |s: &Series| ticker(req.route.op, family, s, step, now);
            match req.params.symbol() {
                Some(_) => Ok(one(series(req)?)),
                None if req.route.op == Op::AvgPrice => Err(ApiError::mandatory("symbol")),
                None => Ok(Value::Array(market.series.iter().map(one).collect())),
            }
        }
        _ => Err(ApiError::unsupported("not a public endpoint")),
    }
}

/// The series named by the `symbol` parameter.
pub fn series<'a>(req: &Request<'a>) -> Result<&'a Series, ApiError> {
    let symbol = req.params.required("symbol")?.to_ascii_uppercase();
    let market = &req.shared.market;
    market
        .find(&symbol)
        .map(|i| &market.series[i])
        .ok_or_else(ApiError::invalid_symbol)
}

fn klines(req: &Request, step: usize) -> Answer {
    let family = req.route.family;
    let s = series(req)?;
    let interval_raw = req.params.required("interval")?;
    let interval: Timeframe = interval_raw
        .parse()
        .map_err(|_| ApiError::bad(-1120, "Invalid interval."))?;
    let released = &s.candles[..=s.shown(step)];
    let candles: Vec<Candle> = if interval == s.timeframe {
        released.to_vec()
    } else if interval.is_multiple_of(s.timeframe) {
        resample(released, s.timeframe, interval)
    } else {
        return Err(ApiError::bad(
            -1120,
            format!(
                "Invalid interval. (venue-sim replays {} candles of {}; ask for {} or a multiple)",
                s.timeframe, s.symbol, s.timeframe
            ),
        ));
    };
    let max = if family == Family::Spot { 1_000 } else { 1_500 };
    let limit = req.params.integer("limit")?.unwrap_or(500).clamp(1, max) as usize;
    let start = req.params.integer("startTime")?;
    let end = req.params.integer("endTime")?;
    let step_ms = interval.duration_ms();
    let mut rows: Vec<&Candle> = candles
        .iter()
        .filter(|c| {
            start.is_none_or(|t| c.open_time >= Timestamp::from_ms(t))
                && end.is_none_or(|t| c.open_time <= Timestamp::from_ms(t))
        })
        .collect();
    if start.is_some() {
        rows.truncate(limit);
    } else if rows.len() > limit {
        rows.drain(..rows.len() - limit);
    }
    let n = |d| num(family, d);
    Ok(Value::Array(
        rows.into_iter()
            .map(|c| {
                let quote = (c.volume * (c.open + c.close) / Decimal::TWO).round_dp(8);
                json!([
                    c.open_time,
                    n(c.open),
                    n(c.high),
                    n(c.low),
                    n(c.close),
                    n(c.volume),
                    c.open_time + step_ms - 1,
                    n(quote),
                    0,
                    n((c.volume / Decimal::TWO).round_dp(8)),
                    n((quote / Decimal::TWO).round_dp(8)),
                    "0"
                ])
            })
            .collect(),
    ))
}

/// Quantity of one synthetic book level (and of the one public trade per
/// candle): the shape's share of the candle's volume, floored to the lot,
/// at least one lot.
pub fn level_qty(s: &Series, step: usize) -> Decimal {
    let raw = s.candle(step).volume * s.book.level_share;
    let lot = s.rules.lot;
    ((raw / lot).floor() * lot).max(lot)
}

/// Book levels as (price, qty), best first.
pub type Levels = Vec<(Decimal, Decimal)>;

/// The synthetic book: `(bids, asks)`, `levels` of each side at most (a
/// bid that would not be positive is left out).
pub fn book(s: &Series, step: usize, levels: usize) -> (Levels, Levels) {
    let last = s.candle(step).close;
    let (tick, qty) = (s.rules.tick, level_qty(s, step));
    let gap = u64::from(s.book.spread_ticks);
    // Level k (from 0) of each side sits k ticks beyond that side's best.
    let at = |ticks: u64| tick * Decimal::from(ticks);
    let bids = (0..levels as u64)
        .map(|k| (last - at(gap + k), qty))
        .filter(|(p, _)| *p > Decimal::ZERO)
        .collect();
    let asks = (0..levels as u64)
        .map(|k| (last + at(gap + 1 + k), qty))
        .collect();
    (bids, asks)
}

pub fn depth(family: Family, s: &Series, step: usize, levels: usize, now: i64) -> Value {
    let n = |d| num(family, d);
    let (bids, asks) = book(s, step, levels);
    let side =
        |v: Levels| -> Vec<Value> { v.into_iter().map(|(p, q)| json!([n(p), n(q)])).collect() };
    let mut out = json!({ "lastUpdateId": step, "bids": side(bids), "asks": side(asks) });
    if family == Family::Futures {
        out["E"] = json!(now);
        out["T"] = json!(now);
    }
    out
}

fn ticker(op: Op, family: Family, s: &Series, step: usize, now: i64) -> Value {
    let n = |d| num(family, d);
    let c = s.candle(step);
    let (bids, asks) = book(s, step, 1);
    let (bid, ask) = (
        bids.first().copied().unwrap_or_default(),
        asks.first().copied().unwrap_or_default(),
    );
    match op {
        Op::BookTicker => {
            let mut v = json!({"symbol": s.symbol, "bidPrice": n(bid.0), "bidQty": n(bid.1), "askPrice": n(ask.0), "askQty": n(ask.1)});
            if family == Family::Futures {
                v["time"] = json!(now);
                v["lastUpdateId"] = json!(step);
            }
            v
        }
        Op::Ticker24h => ticker_24h(family, s, step, (bid, ask)),
        Op::AvgPrice => json!({"mins": 5, "price": n(c.close), "closeTime": s.close_time(c)}),
        Op::PremiumIndex => json!({
            "symbol": s.symbol, "markPrice": n(c.close), "indexPrice": n(c.close),
            "estimatedSettlePrice": n(c.close), "lastFundingRate": "0", "interestRate": "0",
            "nextFundingTime": 0, "time": now,
        }),
        _ => {
            let mut v = json!({"symbol": s.symbol, "price": n(c.close)});
            if family == Family::Futures {
                v["time"] = json!(now);
            }
            v
        }
    }
}

/// `ticker/24hr`: statistics of the released candles of the last 24 hours.
fn ticker_24h(
    family: Family,
    s: &Series,
    step: usize,
    (bid, ask): ((Decimal, Decimal), (Decimal, Decimal)),
) -> Value {
    let n = |d| num(family, d);
    let released = &s.candles[..=s.shown(step)];
    let last = released[released.len() - 1];
    let since = last.open_time + s.timeframe.duration_ms() - 86_400_000;
    let day: Vec<&Candle> = released.iter().filter(|c| c.open_time >= since).collect();
    let first = day.first().copied().copied().unwrap_or(last);
    let high = day.iter().map(|c| c.high).max().unwrap_or(last.high);
    let low = day.iter().map(|c| c.low).min().unwrap_or(last.low);
    let volume: Decimal = day.iter().map(|c| c.volume).sum();
    let quote: Decimal = day.iter().map(|c| c.volume * c.close).sum();
    let vwap = if volume.is_zero() {
        last.close
    } else {
        (quote / volume).round_dp(8)
    };
    let change = last.close - first.open;
    let pct = if first.open.is_zero() {
        Decimal::ZERO
    } else {
        (change * Decimal::ONE_HUNDRED / first.open).round_dp(3)
    };
    let mut v = json!({
        "symbol": s.symbol, "priceChange": n(change), "priceChangePercent": pct.to_string(),
        "weightedAvgPrice": n(vwap), "lastPrice": n(last.close), "lastQty": n(level_qty(s, step)),
        "openPrice": n(first.open), "highPrice": n(high), "lowPrice": n(low), "volume": n(volume),
        "quoteVolume": n(quote.round_dp(8)), "openTime": first.open_time, "closeTime": s.close_time(&last),
        "firstId": 0, "lastId": step, "count": day.len(),
    });
    if family == Family::Spot {
        v["prevClosePrice"] = json!(n(first.open));
        v["bidPrice"] = json!(n(bid.0));
        v["bidQty"] = json!(n(bid.1));
        v["askPrice"] = json!(n(ask.0));
        v["askQty"] = json!(n(ask.1));
    }
    v
}
