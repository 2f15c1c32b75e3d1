//! Binance market data streams: their names, the subscription frame, and
//! the parser from a stream frame to a [`MarketEvent`].
//!
//! Frames come raw (`{"e":"kline",…}`) or wrapped by the combined stream
//! (`{"stream":"btcusdt@kline_1m","data":{…}}`). Fields Binance adds later
//! are ignored; a missing or malformed field is an error naming it. Control
//! frames (subscription acks) and streams this parser does not know are
//! `Ok(None)`.

use super::error::ParseError;
use super::fast_scan::Obj;
use super::parse_util::{dec, from_json, json_error, plain_decimal};
use crate::market::{BookLevel, BookTop, DepthUpdate, KlineUpdate, MarketEvent, Trade};
use serde::Deserialize;
use serde_json::value::RawValue;
use smc_model::Timestamp;
use smc_model::{Candle, InstrumentId, Side, Timeframe};

/// The streams this adapter parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Kline(Timeframe),
    AggTrade,
    Trade,
    BookTicker,
    /// Diff depth at the given update speed suffix (`@depth@100ms`).
    Depth,
}

impl StreamKind {
    /// The stream name for `symbol` (`btcusdt@kline_1m`).
    pub fn stream_name(self, symbol: &str) -> String {
        let s = symbol.to_ascii_lowercase();
        match self {
            StreamKind::Kline(tf) => format!("{s}@kline_{tf}"),
            StreamKind::AggTrade => format!("{s}@aggTrade"),
            StreamKind::Trade => format!("{s}@trade"),
            StreamKind::BookTicker => format!("{s}@bookTicker"),
            StreamKind::Depth => format!("{s}@depth@100ms"),
        }
    }
}

/// The frame that subscribes to `streams` (request `id`).
pub fn subscribe_frame(streams: &[String], id: u64) -> String {
    let params = serde_json::to_string(streams).unwrap_or_else(|_| "[]".into());
    format!(r#"{{"method":"SUBSCRIBE","params":{params},"id":{id}}}"#)
}

#[derive(Clone, Copy)]
enum Kind {
    Kline,
    AggTrade,
    Trade,
    BookTicker,
    Depth,
}

fn kind_of_stream(name: &str) -> Option<Kind> {
    let suffix = name.split_once('@')?.1;
    if suffix.starts_with("kline_") {
        Some(Kind::Kline)
    } else if suffix == "aggTrade" {
        Some(Kind::AggTrade)
    } else if suffix == "trade" {
        Some(Kind::Trade)
    } else if suffix == "bookTicker" {
        Some(Kind::BookTicker)
    } else if suffix.starts_with("depth") {
        Some(Kind::Depth)
    } else {
        None
    }
}

fn kind_of_event(e: &str) -> Option<Kind> {
    match e {
        "kline" => Some(Kind::Kline),
        "aggTrade" => Some(Kind::AggTrade),
        "trade" => Some(Kind::Trade),
        "bookTicker" => Some(Kind::BookTicker),
        "depthUpdate" => Some(Kind::Depth),
        _ => None,
    }
}

/// Splits a combined-stream frame into (stream name, data) without parsing
/// the data twice. Falls back to a full parse for other layouts.
fn split_envelope(text: &str) -> Result<Option<(&str, &str)>, ParseError> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix(r#"{"stream":""#)
        && let Some((name, rest)) = rest.split_once('"')
        && let Some(data) = rest.strip_prefix(r#","data":"#)
        && let Some(data) = data.strip_suffix('}')
    {
        return Ok(Some((name, data)));
    }
    if !t.contains(r#""stream""#) {
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        stream: &'a str,
        #[serde(borrow)]
        data: &'a RawValue,
    }
    let env: Envelope<'_> = from_json("combined stream frame", t)?;
    Ok(Some((env.stream, env.data.get())))
}

/// The value of `"e"` in a raw frame, found without a full parse
/// (whitespace around the colon allowed).
fn event_type(data: &str) -> Option<&str> {
    let mut rest = data;
    while let Some(at) = rest.find(r#""e""#) {
        let after = rest[at + 3..].trim_start();
        if let Some(v) = after.strip_prefix(':') {
            let v = v.trim_start().strip_prefix('"')?;
            return v.find('"').map(|end| &v[..end]);
        }
        rest = &rest[at + 3..];
    }
    None
}

/// Parses one market data frame.
pub fn parse_market(venue: &str, text: &str) -> Result<Option<MarketEvent>, ParseError> {
    let (kind, data) = match split_envelope(text)? {
        Some((stream, data)) => match kind_of_stream(stream) {
            Some(k) => (k, data),
            None => return Ok(None),
        },
        None => {
            let kind = match event_type(text) {
                Some(e) => kind_of_event(e),
                // Spot bookTicker frames carry no event type.
                None if text.contains(r#""u":"#) && text.contains(r#""b":"#) => {
                    Some(Kind::BookTicker)
                }
                None => None,
            };
            match kind {
                Some(k) => (k, text),
                None => return Ok(None), // acks, errors, streams not used
            }
        }
    };
    let event = match kind {
        Kind::Kline => MarketEvent::Kline(parse_kline(venue, data)?),
        Kind::AggTrade => MarketEvent::Trade(parse_agg_trade(venue, data)?),
        Kind::Trade => MarketEvent::Trade(parse_trade(venue, data)?),
        Kind::BookTicker => MarketEvent::BookTop(parse_book_ticker(venue, data)?),
        Kind::Depth => MarketEvent::Depth(parse_depth(venue, data)?),
    };
    Ok(Some(event))
}

fn instrument(what: &'static str, venue: &str, symbol: &str) -> Result<InstrumentId, ParseError> {
    InstrumentId::new(venue, symbol).map_err(|e| ParseError::Field {
        what,
        field: "s".into(),
        detail: e.to_string(),
    })
}

fn aggressor(buyer_is_maker: bool) -> Side {
    if buyer_is_maker {
        Side::Sell
    } else {
        Side::Buy
    }
}

#[derive(Deserialize)]
struct KlineMsg<'a> {
    #[serde(rename = "E")]
    event_time: i64,
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(borrow)]
    k: KlineBody<'a>,
}

#[derive(Deserialize)]
struct KlineBody<'a> {
    t: i64,
    #[serde(borrow)]
    i: &'a str,
    #[serde(borrow)]
    o: &'a str,
    #[serde(borrow)]
    h: &'a str,
    #[serde(borrow)]
    l: &'a str,
    #[serde(borrow)]
    c: &'a str,
    #[serde(borrow)]
    v: &'a str,
    x: bool,
}

const KLINE: &str = "kline";

/// The key as one byte; 0 for longer keys (none of which is used).
fn one_byte(key: &str) -> u8 {
    match key.as_bytes() {
        [b] => *b,
        _ => 0,
    }
}

/// The scanner path of [`parse_kline`]; `None` hands over to serde.
fn fast_kline(venue: &str, data: &str) -> Option<KlineUpdate> {
    let mut o = Obj::new(data)?;
    let (mut event_time, mut symbol, mut seen_k) = (None, None, false);
    let (mut t, mut i, mut x) = (None, None, None);
    let (mut op, mut h, mut l, mut c, mut vol) = (None, None, None, None, None);
    // Every key used is one byte: match on it, not on strings.
    while let Some(key) = o.key()? {
        match one_byte(key) {
            b'E' => event_time = o.value_next()?.i64(),
            b's' => symbol = o.value_next()?.str(),
            b'k' => {
                let mut k = o.object()?;
                while let Some((key, v)) = k.next()? {
                    match one_byte(key) {
                        b't' => t = v.i64(),
                        b'i' => i = v.str(),
                        b'o' => op = v.str(),
                        b'h' => h = v.str(),
                        b'l' => l = v.str(),
                        b'c' => c = v.str(),
                        b'v' => vol = v.str(),
                        b'x' => x = v.bool(),
                        _ => {}
                    }
                }
                o.close(&k)?;
                seen_k = true;
            }
            _ => {
                o.value_next()?;
            }
        }
    }
    if !seen_k || !o.at_end() {
        return None;
    }
    let candle = Candle {
        open_time: Timestamp::from_ms(t?),
        open: plain_decimal(op?)?,
        high: plain_decimal(h?)?,
        low: plain_decimal(l?)?,
        close: plain_decimal(c?)?,
        volume: plain_decimal(vol?)?,
    };
    candle.check().ok()?;
    Some(KlineUpdate {
        instrument: InstrumentId::new(venue, symbol?).ok()?,
        timeframe: i?.parse().ok()?,
        candle,
        closed: x?,
        event_time: Some(Timestamp::from_ms(event_time?)),
    })
}

/// A `kline` event.
pub fn parse_kline(venue: &str, data: &str) -> Result<KlineUpdate, ParseError> {
    if let Some(k) = fast_kline(venue, data) {
        return Ok(k);
    }
    parse_kline_serde(venue, data)
}

fn parse_kline_serde(venue: &str, data: &str) -> Result<KlineUpdate, ParseError> {
    let m: KlineMsg<'_> = from_json(KLINE, data)?;
    let k = &m.k;
    let timeframe: Timeframe =
        k.i.parse()
            .map_err(|e: smc_model::TimeframeError| ParseError::Field {
                what: KLINE,
                field: "k.i".into(),
                detail: e.to_string(),
            })?;
    let candle = Candle {
        open_time: Timestamp::from_ms(k.t),
        open: dec(KLINE, "k.o", k.o)?,
        high: dec(KLINE, "k.h", k.h)?,
        low: dec(KLINE, "k.l", k.l)?,
        close: dec(KLINE, "k.c", k.c)?,
        volume: dec(KLINE, "k.v", k.v)?,
    };
    candle.check().map_err(|rule| ParseError::Field {
        what: KLINE,
        field: "k".into(),
        detail: rule.to_string(),
    })?;
    Ok(KlineUpdate {
        instrument: instrument(KLINE, venue, m.symbol)?,
        timeframe,
        candle,
        closed: k.x,
        event_time: Some(Timestamp::from_ms(m.event_time)),
    })
}

#[derive(Deserialize)]
struct AggTradeMsg<'a> {
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    a: u64,
    #[serde(borrow)]
    p: &'a str,
    #[serde(borrow)]
    q: &'a str,
    #[serde(rename = "T")]
    time: i64,
    m: bool,
}

/// The scanner path of the trade parsers: `id_key` is `a` for aggTrade,
/// `t` for trade. `None` hands over to serde.
fn fast_trade(venue: &str, data: &str, id_key: u8) -> Option<Trade> {
    let mut o = Obj::new(data)?;
    let (mut symbol, mut id, mut p, mut q, mut time, mut m) = (None, None, None, None, None, None);
    while let Some((key, v)) = o.next()? {
        match one_byte(key) {
            b's' => symbol = v.str(),
            b'p' => p = v.str(),
            b'q' => q = v.str(),
            b'T' => time = v.i64(),
            b'm' => m = v.bool(),
            k if k == id_key => id = v.u64(),
            _ => {}
        }
    }
    if !o.at_end() {
        return None;
    }
    Some(Trade {
        instrument: InstrumentId::new(venue, symbol?).ok()?,
        trade_id: id?,
        price: plain_decimal(p?)?,
        qty: plain_decimal(q?)?,
        aggressor: aggressor(m?),
        time: Timestamp::from_ms(time?),
    })
}

/// An `aggTrade` event.
pub fn parse_agg_trade(venue: &str, data: &str) -> Result<Trade, ParseError> {
    if let Some(t) = fast_trade(venue, data, b'a') {
        return Ok(t);
    }
    parse_agg_trade_serde(venue, data)
}

fn parse_agg_trade_serde(venue: &str, data: &str) -> Result<Trade, ParseError> {
    const W: &str = "aggTrade";
    let m: AggTradeMsg<'_> = from_json(W, data)?;
    Ok(Trade {
        instrument: instrument(W, venue, m.symbol)?,
        trade_id: m.a,
        price: dec(W, "p", m.p)?,
        qty: dec(W, "q", m.q)?,
        aggressor: aggressor(m.m),
        time: Timestamp::from_ms(m.time),
    })
}

#[derive(Deserialize)]
struct TradeMsg<'a> {
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    t: u64,
    #[serde(borrow)]
    p: &'a str,
    #[serde(borrow)]
    q: &'a str,
    #[serde(rename = "T")]
    time: i64,
    m: bool,
}

/// A `trade` event.
pub fn parse_trade(venue: &str, data: &str) -> Result<Trade, ParseError> {
    if let Some(t) = fast_trade(venue, data, b't') {
        return Ok(t);
    }
    const W: &str = "trade";
    let m: TradeMsg<'_> = from_json(W, data)?;
    Ok(Trade {
        instrument: instrument(W, venue, m.symbol)?,
        trade_id: m.t,
        price: dec(W, "p", m.p)?,
        qty: dec(W, "q", m.q)?,
        aggressor: aggressor(m.m),
        time: Timestamp::from_ms(m.time),
    })
}

#[derive(Deserialize)]
struct BookTickerMsg<'a> {
    u: u64,
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(rename = "b", borrow)]
    bid: &'a str,
    #[serde(rename = "B", borrow)]
    bid_qty: &'a str,
    #[serde(rename = "a", borrow)]
    ask: &'a str,
    #[serde(rename = "A", borrow)]
    ask_qty: &'a str,
    #[serde(rename = "T", default)]
    time: Option<i64>,
    #[serde(rename = "E", default)]
    event_time: Option<i64>,
}

/// A `bookTicker` event (spot frames have no `e`, `E` or `T`).
pub fn parse_book_ticker(venue: &str, data: &str) -> Result<BookTop, ParseError> {
    const W: &str = "bookTicker";
    let m: BookTickerMsg<'_> = from_json(W, data)?;
    Ok(BookTop {
        instrument: instrument(W, venue, m.symbol)?,
        bid: dec(W, "b", m.bid)?,
        bid_qty: dec(W, "B", m.bid_qty)?,
        ask: dec(W, "a", m.ask)?,
        ask_qty: dec(W, "A", m.ask_qty)?,
        update_id: m.u,
        time: Timestamp::from_ms(m.time.or(m.event_time).unwrap_or(0)),
    })
}

#[derive(Deserialize)]
struct DepthMsg<'a> {
    #[serde(rename = "E")]
    event_time: i64,
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(rename = "U")]
    first: u64,
    #[serde(rename = "u")]
    last: u64,
    #[serde(default)]
    pu: Option<u64>,
    #[serde(borrow)]
    b: Vec<[&'a str; 2]>,
    #[serde(borrow)]
    a: Vec<[&'a str; 2]>,
}

fn levels(field: &str, raw: &[[&str; 2]]) -> Result<Vec<BookLevel>, ParseError> {
    raw.iter()
        .map(|[p, q]| {
            Ok(BookLevel {
                price: dec("depthUpdate", field, p)?,
                qty: dec("depthUpdate", field, q)?,
            })
        })
        .collect()
}

/// A `depthUpdate` event.
pub fn parse_depth(venue: &str, data: &str) -> Result<DepthUpdate, ParseError> {
    const W: &str = "depthUpdate";
    let m: DepthMsg<'_> = serde_json::from_str(data).map_err(|e| json_error(W, &e, data))?;
    Ok(DepthUpdate {
        instrument: instrument(W, venue, m.symbol)?,
        first_update_id: m.first,
        final_update_id: m.last,
        prev_final_update_id: m.pu,
        bids: levels("b", &m.b)?,
        asks: levels("a", &m.a)?,
        time: Timestamp::from_ms(m.event_time),
    })
}

/// One row of `GET klines`: `[openTime, "o", "h", "l", "c", "v", closeTime, …]`.
pub fn parse_klines_rest(payload: &str) -> Result<Vec<Candle>, ParseError> {
    const W: &str = "klines";
    // Rows have 12 entries, more in the future: read them as raw values.
    let rows: Vec<&RawValue> = from_json(W, payload)?;
    rows.iter()
        .enumerate()
        .map(|(i, raw)| {
            let text = raw.get();
            let arr: Vec<&RawValue> = from_json(W, text)?;
            if arr.len() < 6 {
                return Err(ParseError::Field {
                    what: W,
                    field: format!("[{i}]"),
                    detail: format!("{} entries, expected at least 6", arr.len()),
                });
            }
            let num = |j: usize| -> Result<i64, ParseError> {
                arr[j].get().parse().map_err(|_| ParseError::Field {
                    what: W,
                    field: format!("[{i}][{j}]"),
                    detail: format!("`{}` is not an integer", arr[j].get()),
                })
            };
            let s = |j: usize| -> Result<rust_decimal::Decimal, ParseError> {
                let v = arr[j].get().trim_matches('"');
                dec(W, &format!("[{i}][{j}]"), v)
            };
            Ok(Candle {
                open_time: Timestamp::from_ms(num(0)?),
                open: s(1)?,
                high: s(2)?,
                low: s(3)?,
                close: s(4)?,
                volume: s(5)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KLINE: &str = r#"{"e":"kline","E":1633998523963,"s":"NKNUSDT","k":{"t":1633998480000,"T":1633998539999,"s":"NKNUSDT","i":"1m","f":19862761,"L":19862790,"o":"0.35270000","c":"0.35280000","h":"0.35280000","l":"0.35220000","v":"25877.00000000","n":30,"x":false,"q":"9116.04600000","V":"58.00000000","Q":"20.46240000","B":"0"}}"#;

    #[test]
    fn the_scanner_and_serde_agree_on_recorded_frames() {
        let capture = include_str!("../../tests/fixtures/cryptofeed/BINANCE_FUTURES.ws.1.0.subset");
        let (mut klines, mut trades) = (0, 0);
        for line in capture.lines().skip(1) {
            let frame = line.split_once(": ").map(|(_, f)| f).unwrap_or_default();
            let (stream, data) = split_envelope(frame).unwrap().unwrap();
            if stream.contains("@kline_") {
                let fast = fast_kline("binance-usdm", data).expect("scanner path taken");
                assert_eq!(fast, parse_kline_serde("binance-usdm", data).unwrap());
                klines += 1;
            } else if stream.ends_with("@aggTrade") {
                let fast = fast_trade("binance-usdm", data, b'a').expect("scanner path taken");
                assert_eq!(fast, parse_agg_trade_serde("binance-usdm", data).unwrap());
                trades += 1;
            }
        }
        assert_eq!((klines, trades), (67, 91));
        assert!(fast_kline("binance", &format!("{KLINE} trailing")).is_none());
        assert!(parse_kline("binance", &format!("{KLINE} trailing")).is_err());
        assert!(fast_kline("binance", KLINE).is_some());
    }
}
