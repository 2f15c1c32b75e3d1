//! Instruments, prices and candles: what OANDA shows of the replayed
//! market. The series are bid prices; the ask is the bid plus the
//! configured spread (`--spread-pips`), the mid half-way. Instruments are
//! currency pairs: pipLocation -4 (-2 for *_JPY), displayPrecision 5 (3),
//! tradeUnitsPrecision 0, minimumTradeSize 1 (v20.yaml `Instrument`).

use super::wire::{self, OandaError};
use crate::market::Series;
use crate::state::Shared;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{Candle, Timeframe};

/// The replayed market's time at replay step `step`: the moment its
/// latest candle closed (its open plus the timeframe; the latest such
/// moment over the series). Every OANDA time the simulator reports —
/// prices, heartbeats, transactions, expiries — is on this clock, so that
/// a client reading the venue's clock from its prices sees the candle it
/// was just shown as complete.
pub fn market_time(shared: &Shared, step: usize) -> i64 {
    shared
        .market
        .series
        .iter()
        .map(|s| s.candle(step).open_time.ms() + s.timeframe.duration_ms())
        .max()
        .unwrap_or(shared.market.start_ms)
}

/// The display facts of one instrument.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub pip_location: i32,
    pub display_precision: u32,
}

pub fn spec(s: &Series) -> Spec {
    if s.quote == "JPY" {
        Spec {
            pip_location: -2,
            display_precision: 3,
        }
    } else {
        Spec {
            pip_location: -4,
            display_precision: 5,
        }
    }
}

/// One pip of `s` (10^pipLocation).
pub fn pip(s: &Series) -> Decimal {
    let p = spec(s).pip_location;
    Decimal::new(1, p.unsigned_abs())
}

/// The spread of `s` in price.
pub fn spread(shared: &Shared, s: &Series) -> Decimal {
    shared.oanda.spread_pips * pip(s)
}

/// Bid and ask of instrument `i` at replay step `step`.
pub fn quote(shared: &Shared, i: usize, step: usize) -> (Decimal, Decimal) {
    let s = &shared.market.series[i];
    let bid = s.candle(step).close;
    (bid, bid + spread(shared, s))
}

/// Converts an amount in `s`'s quote currency to the account currency
/// (USD) at `price`: 1 for *_USD, 1/price for USD_*; other crosses are
/// taken at 1 (no conversion series is replayed).
pub fn to_home(s: &Series, amount: Decimal, price: Decimal) -> Decimal {
    if s.quote != "USD" && s.base == "USD" && !price.is_zero() {
        amount / price
    } else {
        amount
    }
}

/// A units' notional in the account currency.
pub fn notional_home(s: &Series, units: Decimal, price: Decimal) -> Decimal {
    if s.base == "USD" {
        units.abs()
    } else {
        to_home(s, units.abs() * price, price)
    }
}

/// `Instrument` of v20.yaml.
pub fn instrument_json(shared: &Shared, s: &Series) -> Value {
    let sp = spec(s);
    let dp = sp.display_precision;
    json!({
        "name": s.symbol,
        "type": "CURRENCY",
        "displayName": format!("{}/{}", s.base, s.quote),
        "pipLocation": sp.pip_location,
        "displayPrecision": dp,
        "tradeUnitsPrecision": 0,
        "minimumTradeSize": "1",
        "maximumTrailingStopDistance": wire::price(Decimal::ONE * Decimal::from(if s.quote == "JPY" { 100 } else { 1 }), dp),
        "minimumTrailingStopDistance": wire::price(pip(s) * Decimal::from(5), dp),
        "maximumPositionSize": "0",
        "maximumOrderUnits": "100000000",
        "marginRate": shared.oanda.margin_rate.normalize().to_string(),
        "guaranteedStopLossOrderMode": "DISABLED",
        "tags": [{"type": "ASSET_CLASS", "name": "CURRENCY"}],
        "financing": {
            "longRate": (shared.oanda.financing_long_pct / Decimal::from(100)).normalize().to_string(),
            "shortRate": (shared.oanda.financing_short_pct / Decimal::from(100)).normalize().to_string(),
            "financingDaysOfWeek": [],
        },
    })
}

/// `ClientPrice` of instrument `i` at `step` (one level each side).
pub fn price_json(shared: &Shared, i: usize, step: usize, now: i64) -> Value {
    let s = &shared.market.series[i];
    let dp = spec(s).display_precision;
    let (bid, ask) = quote(shared, i, step);
    let conv = |p: Decimal| {
        let f = to_home(s, Decimal::ONE, p);
        format!("{:.8}", f.round_dp(8))
    };
    json!({
        "type": "PRICE",
        "instrument": s.symbol,
        "time": wire::time(now),
        "status": "tradeable",
        "tradeable": true,
        "bids": [{"price": wire::price(bid, dp), "liquidity": 10_000_000}],
        "asks": [{"price": wire::price(ask, dp), "liquidity": 10_000_000}],
        "closeoutBid": wire::price(bid, dp),
        "closeoutAsk": wire::price(ask, dp),
        "quoteHomeConversionFactors": {"positiveUnits": conv(bid), "negativeUnits": conv(ask)},
    })
}

/// OANDA's name of a timeframe (`CandlestickGranularity`).
pub fn granularity(tf: Timeframe) -> Option<&'static str> {
    let secs = tf.duration_ms() / 1000;
    Some(match secs {
        60 => "M1",
        120 => "M2",
        240 => "M4",
        300 => "M5",
        600 => "M10",
        900 => "M15",
        1_800 => "M30",
        3_600 => "H1",
        7_200 => "H2",
        10_800 => "H3",
        14_400 => "H4",
        21_600 => "H6",
        28_800 => "H8",
        43_200 => "H12",
        86_400 => "D",
        604_800 => "W",
        _ => return None,
    })
}

fn ohlc(c: &Candle, add: Decimal, dp: u32) -> Value {
    json!({
        "o": wire::price(c.open + add, dp),
        "h": wire::price(c.high + add, dp),
        "l": wire::price(c.low + add, dp),
        "c": wire::price(c.close + add, dp),
    })
}

/// Candle query parameters.
#[derive(Debug, Default)]
pub struct CandleQuery<'a> {
    pub price: Option<&'a str>,
    pub granularity: Option<&'a str>,
    pub count: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

/// `GET .../candles`: the released candles of instrument `i` (all
/// complete), then the one now forming (`complete: false`: it opened at
/// the last close, and is all that is known of it).
pub fn candles(
    shared: &Shared,
    i: usize,
    step: usize,
    q: &CandleQuery,
) -> Result<Value, OandaError> {
    let s = &shared.market.series[i];
    let dp = spec(s).display_precision;
    // OANDA's default granularity is S5; a series is served only at its own.
    let want = q.granularity.unwrap_or("S5");
    if granularity(s.timeframe) != Some(want) {
        return Err(OandaError::invalid("granularity"));
    }
    let price = q.price.unwrap_or("M");
    if price.is_empty() || !price.chars().all(|c| matches!(c, 'M' | 'B' | 'A')) {
        return Err(OandaError::invalid("price"));
    }
    let count = match q.count {
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=5_000).contains(n))
            .ok_or_else(|| OandaError::invalid("count"))?,
        None => 500,
    };
    let from = q
        .from
        .map(|f| wire::parse_time(f).ok_or_else(|| OandaError::invalid("from")))
        .transpose()?;
    let to =
        q.to.map(|t| wire::parse_time(t).ok_or_else(|| OandaError::invalid("to")))
            .transpose()?;
    if from.is_some() && to.is_some() && q.count.is_some() {
        return Err(OandaError::new(
            400,
            "Maximum value for 'count' exceeded: count, from and to cannot all be given",
        ));
    }
    let shown = s.shown(step);
    let mut list: Vec<(Candle, bool)> = s.candles[..=shown].iter().map(|c| (*c, true)).collect();
    if shown + 1 < s.candles.len() {
        let last = s.candles[shown].close;
        list.push((
            Candle {
                open_time: s.candles[shown + 1].open_time,
                open: last,
                high: last,
                low: last,
                close: last,
                volume: Decimal::ZERO,
            },
            false,
        ));
    }
    let t = |c: &Candle| c.open_time.ms();
    let picked: Vec<&(Candle, bool)> = match (from, to) {
        (Some(f), Some(e)) => list
            .iter()
            .filter(|(c, _)| t(c) >= f && t(c) <= e)
            .collect(),
        (Some(f), None) => list.iter().filter(|(c, _)| t(c) >= f).take(count).collect(),
        (None, e) => {
            let v: Vec<_> = list
                .iter()
                .filter(|(c, _)| e.is_none_or(|e| t(c) <= e))
                .collect();
            let skip = v.len().saturating_sub(count);
            v.into_iter().skip(skip).collect()
        }
    };
    let half = spread(shared, s) / Decimal::TWO;
    let candles: Vec<Value> = picked
        .iter()
        .map(|(c, complete)| {
            let mut v = json!({
                "time": wire::time(c.open_time.ms()),
                "volume": c.volume.round().to_string().parse::<u64>().unwrap_or(0),
                "complete": complete,
            });
            if price.contains('M') {
                v["mid"] = ohlc(c, half, dp + 1);
            }
            if price.contains('B') {
                v["bid"] = ohlc(c, Decimal::ZERO, dp);
            }
            if price.contains('A') {
                v["ask"] = ohlc(c, half * Decimal::TWO, dp);
            }
            v
        })
        .collect();
    Ok(json!({"instrument": s.symbol, "granularity": want, "candles": candles}))
}
