//! OANDA market data answers to market values: candles (`GET …/candles`,
//! mid, bid and ask), the pricing snapshot (`GET …/pricing`) as a
//! one-level book, and the lines of the pricing stream (`PRICE`,
//! `HEARTBEAT`) through the serde path; [`super::fast`] reads `PRICE`
//! lines faster and falls back here.
//!
//! Old answers (those recorded from oandapyV20's tests) send a level's
//! `liquidity` as a JSON number, current ones as a string: both are read.

use super::error::ParseError;
use super::instruments::VENUE;
use super::time::time_ms;
use crate::binance::parse_util::{dec, from_json};
use crate::market::{BookLevel, BookTop, OrderBookSnapshot};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use smc_model::{Candle, InstrumentId, Timestamp};

/// A candle with its three prices (`price=MBA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidAskCandle {
    pub bid: Candle,
    pub ask: Candle,
    pub mid: Candle,
    /// `complete`: the period has ended and the candle will not change.
    pub complete: bool,
}

/// One candle of an answer with whether it is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OandaCandle {
    pub candle: Candle,
    pub complete: bool,
}

/// Which price a candle is made of (the `price` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandlePrice {
    Mid,
    Bid,
    Ask,
}

#[derive(Deserialize)]
struct Ohlc<'a> {
    o: &'a str,
    h: &'a str,
    l: &'a str,
    c: &'a str,
}

#[derive(Deserialize)]
struct RawCandle<'a> {
    time: &'a str,
    #[serde(default)]
    volume: u64,
    #[serde(default)]
    complete: bool,
    #[serde(default, borrow)]
    mid: Option<Ohlc<'a>>,
    #[serde(default, borrow)]
    bid: Option<Ohlc<'a>>,
    #[serde(default, borrow)]
    ask: Option<Ohlc<'a>>,
}

#[derive(Deserialize)]
struct CandlesAnswer<'a> {
    #[serde(borrow)]
    candles: Vec<RawCandle<'a>>,
}

const CANDLES: &str = "candles";

fn candle(
    i: usize,
    name: &str,
    open_time: Timestamp,
    volume: u64,
    p: Option<&Ohlc<'_>>,
) -> Result<Candle, ParseError> {
    let f = |k: &str| format!("candles[{i}].{name}.{k}");
    let p = p.ok_or_else(|| ParseError::Field {
        what: CANDLES,
        field: format!("candles[{i}].{name}"),
        detail: "missing (was the price asked for?)".into(),
    })?;
    let c = Candle {
        open_time,
        open: dec(CANDLES, &f("o"), p.o)?,
        high: dec(CANDLES, &f("h"), p.h)?,
        low: dec(CANDLES, &f("l"), p.l)?,
        close: dec(CANDLES, &f("c"), p.c)?,
        volume: Decimal::from(volume),
    };
    c.check().map_err(|rule| ParseError::Field {
        what: CANDLES,
        field: format!("candles[{i}].{name}"),
        detail: rule.to_string(),
    })?;
    Ok(c)
}

fn raw_candles(body: &str) -> Result<CandlesAnswer<'_>, ParseError> {
    from_json(CANDLES, body)
}

fn open_time(i: usize, r: &RawCandle<'_>) -> Result<Timestamp, ParseError> {
    Ok(Timestamp::from_ms(time_ms(
        CANDLES,
        &format!("candles[{i}].time"),
        r.time,
    )?))
}

/// The candles of one price, oldest first, each with `complete`. Volume
/// is OANDA's tick count.
pub fn parse_candles(body: &str, price: CandlePrice) -> Result<Vec<OandaCandle>, ParseError> {
    let a = raw_candles(body)?;
    a.candles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (name, p) = match price {
                CandlePrice::Mid => ("mid", r.mid.as_ref()),
                CandlePrice::Bid => ("bid", r.bid.as_ref()),
                CandlePrice::Ask => ("ask", r.ask.as_ref()),
            };
            Ok(OandaCandle {
                candle: candle(i, name, open_time(i, r)?, r.volume, p)?,
                complete: r.complete,
            })
        })
        .collect()
}

/// The candles of a `price=MBA` answer.
pub fn parse_candles_mba(body: &str) -> Result<Vec<BidAskCandle>, ParseError> {
    let a = raw_candles(body)?;
    a.candles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = open_time(i, r)?;
            Ok(BidAskCandle {
                bid: candle(i, "bid", t, r.volume, r.bid.as_ref())?,
                ask: candle(i, "ask", t, r.volume, r.ask.as_ref())?,
                mid: candle(i, "mid", t, r.volume, r.mid.as_ref())?,
                complete: r.complete,
            })
        })
        .collect()
}

/// A price level: `liquidity` as a number (old answers) or a string.
#[derive(Deserialize)]
struct RawLevel<'a> {
    price: &'a str,
    #[serde(default, borrow)]
    liquidity: Option<&'a RawValue>,
}

/// One `ClientPrice`: a REST pricing entry or a stream `PRICE` line.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPrice<'a> {
    instrument: &'a str,
    time: &'a str,
    #[serde(default, borrow)]
    bids: Vec<RawLevel<'a>>,
    #[serde(default, borrow)]
    asks: Vec<RawLevel<'a>>,
    #[serde(default)]
    tradeable: Option<bool>,
    /// Deprecated form of `tradeable` (`"tradeable"` / `"non-tradeable"`).
    #[serde(default)]
    status: Option<&'a str>,
}

fn levels(
    what: &'static str,
    side: &str,
    raw: &[RawLevel<'_>],
) -> Result<Vec<BookLevel>, ParseError> {
    raw.iter()
        .enumerate()
        .map(|(i, l)| {
            let liquidity = l.liquidity.map_or("0", |v| v.get().trim_matches('"'));
            Ok(BookLevel {
                price: dec(what, &format!("{side}[{i}].price"), l.price)?,
                qty: dec(what, &format!("{side}[{i}].liquidity"), liquidity)?,
            })
        })
        .collect()
}

/// One instrument's price: its levels (best first), time and whether it
/// can be traded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub instrument: InstrumentId,
    pub bids: Vec<BookLevel>,
    pub asks: Vec<BookLevel>,
    pub time: Timestamp,
    pub tradeable: bool,
}

impl Quote {
    /// The best bid and ask; `None` when a side is empty (a closed market).
    pub fn top(&self) -> Option<BookTop> {
        let (b, a) = (self.bids.first()?, self.asks.first()?);
        Some(BookTop {
            instrument: self.instrument.clone(),
            bid: b.price,
            bid_qty: b.qty,
            ask: a.price,
            ask_qty: a.qty,
            // OANDA numbers no price updates: the time orders them.
            update_id: u64::try_from(self.time.ms()).unwrap_or(0),
            time: self.time,
        })
    }
}

fn quote(what: &'static str, r: &RawPrice<'_>) -> Result<Quote, ParseError> {
    let instrument = InstrumentId::new(VENUE, r.instrument).map_err(|e| ParseError::Field {
        what,
        field: "instrument".into(),
        detail: e.to_string(),
    })?;
    Ok(Quote {
        instrument,
        bids: levels(what, "bids", &r.bids)?,
        asks: levels(what, "asks", &r.asks)?,
        time: Timestamp::from_ms(time_ms(what, "time", r.time)?),
        tradeable: r
            .tradeable
            .unwrap_or_else(|| r.status.is_none_or(|s| s == "tradeable")),
    })
}

#[derive(Deserialize)]
struct PricingAnswer<'a> {
    #[serde(borrow)]
    prices: Vec<RawPrice<'a>>,
}

const PRICING: &str = "pricing";

/// The quotes of `GET /v3/accounts/{id}/pricing`.
pub fn parse_pricing(body: &str) -> Result<Vec<Quote>, ParseError> {
    let a: PricingAnswer<'_> = from_json(PRICING, body)?;
    a.prices.iter().map(|r| quote(PRICING, r)).collect()
}

/// A pricing answer's quote of `symbol` as a one-level book: the best bid
/// and ask with their liquidity. OANDA quotes a few price bands whose
/// liquidity is each an alternative size at that price, not stacked depth,
/// so only the best is a book level. Checked like every venue's book.
pub fn book_of(quotes: &[Quote], symbol: &str) -> Result<OrderBookSnapshot, ParseError> {
    let q = quotes
        .iter()
        .find(|q| q.instrument.symbol().eq_ignore_ascii_case(symbol))
        .ok_or_else(|| ParseError::Field {
            what: PRICING,
            field: "prices".into(),
            detail: format!("no price for {symbol}"),
        })?;
    let book = OrderBookSnapshot {
        instrument: q.instrument.clone(),
        update_id: u64::try_from(q.time.ms()).unwrap_or(0),
        bids: q.bids.first().copied().into_iter().collect(),
        asks: q.asks.first().copied().into_iter().collect(),
        time: q.time,
    };
    crate::common::book_levels::checked(PRICING, "bids/asks", book, 1)
}

/// One line of the pricing stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceLine {
    Price(Quote),
    /// Sent every 5 s; its time is the venue's clock.
    Heartbeat {
        time: Timestamp,
    },
}

#[derive(Deserialize)]
struct Typed<'a> {
    #[serde(rename = "type", default)]
    kind: &'a str,
    #[serde(default)]
    time: Option<&'a str>,
}

const STREAM: &str = "pricing stream";

/// Parses a pricing stream line with serde (the fast path is
/// [`super::fast::parse_price_line`]).
pub fn parse_price_line_serde(line: &str) -> Result<PriceLine, ParseError> {
    let t: Typed<'_> = from_json(STREAM, line)?;
    match t.kind {
        "HEARTBEAT" => Ok(PriceLine::Heartbeat {
            time: Timestamp::from_ms(time_ms(STREAM, "time", t.time.unwrap_or_default())?),
        }),
        "PRICE" | "" => {
            let r: RawPrice<'_> = from_json(STREAM, line)?;
            Ok(PriceLine::Price(quote(STREAM, &r)?))
        }
        other => Err(ParseError::Field {
            what: STREAM,
            field: "type".into(),
            detail: format!("unexpected `{other}`"),
        }),
    }
}
