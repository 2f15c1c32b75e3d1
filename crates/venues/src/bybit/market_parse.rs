//! The public stream's messages (v5 docs, "WebSocket Stream" / "Public"):
//! `kline.{interval}.{symbol}`, `publicTrade.{symbol}` and
//! `orderbook.{depth}.{symbol}`, plus the control answers (subscribe
//! acks, pongs); and the REST klines of `/v5/market/kline`.
//!
//! Hot path: the topic is read by a scan of the raw text, then the whole
//! message is decoded once by a borrowing serde type for that topic (no
//! intermediate JSON tree); decimals take the digit fast path of
//! `parse_util`. Kline and trade `data` are arrays: every element becomes
//! an event.

use super::endpoints;
use super::error::ParseError;
use super::fast::Cursor;
use crate::binance::parse_util::{dec, from_json, json_error};
use crate::market::{KlineUpdate, MarketEvent, Trade};
use serde::Deserialize;
use smc_model::{Candle, InstrumentId, Side, Timestamp};

/// What a public frame was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicFrame {
    /// Market events, pushed to the caller's vector.
    Market,
    /// An order book snapshot or delta, for the caller's book.
    Book(BookMessage),
    /// An answer to `subscribe` or `ping`.
    Control {
        op: String,
        success: bool,
        msg: String,
    },
    /// A topic not used here (tickers, …).
    Ignored(String),
}

/// One `orderbook.{depth}.{symbol}` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookMessage {
    pub symbol: String,
    pub depth: u32,
    /// `snapshot` replaces the book; `delta` changes levels (size 0
    /// removes one).
    pub snapshot: bool,
    pub bids: Vec<(rust_decimal::Decimal, rust_decimal::Decimal)>,
    pub asks: Vec<(rust_decimal::Decimal, rust_decimal::Decimal)>,
    /// Update id (`u`); 1 after a service restart.
    pub update_id: u64,
    pub seq: u64,
    /// Message time (`ts`, ms).
    pub time: i64,
}

/// The value of `"topic"` in `text`, without decoding the rest.
pub fn topic(text: &str) -> Option<&str> {
    const KEY: &str = "\"topic\"";
    let start = text.find(KEY)? + KEY.len();
    let rest = text[start..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(&rest[..end])
}

fn instrument(what: &'static str, venue: &str, symbol: &str) -> Result<InstrumentId, ParseError> {
    InstrumentId::new(venue, symbol).map_err(|e| ParseError::Field {
        what,
        field: "symbol".into(),
        detail: e.to_string(),
    })
}

/// Parses one public frame; market events are appended to `out`.
pub fn parse_public(
    venue: &str,
    text: &str,
    out: &mut Vec<MarketEvent>,
) -> Result<PublicFrame, ParseError> {
    match topic(text) {
        Some(t) if t.starts_with("kline.") => {
            parse_kline(venue, t, text, out)?;
            Ok(PublicFrame::Market)
        }
        // `publicTrade.{symbol}` is Bybit's topic; the recorded test
        // message of nautilus_trader names it `trade.{category}.{symbol}`.
        Some(t) if t.starts_with("publicTrade.") || t.starts_with("trade.") => {
            parse_trades(venue, text, out)?;
            Ok(PublicFrame::Market)
        }
        Some(t) if t.starts_with("orderbook.") => Ok(PublicFrame::Book(parse_book(t, text)?)),
        Some(t) => Ok(PublicFrame::Ignored(t.to_string())),
        None => parse_control(text),
    }
}

/// An answer to an `op` on either stream. Bybit spells the message
/// `ret_msg` in its documentation and `retMsg` in recorded answers; a
/// frame may carry both, so they are read apart and the non-empty one kept.
#[derive(Deserialize)]
pub(crate) struct ControlAnswer {
    #[serde(default)]
    pub op: Option<String>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    ret_msg: Option<String>,
    #[serde(default, rename = "retMsg")]
    ret_msg_camel: Option<String>,
}

impl ControlAnswer {
    /// The answer's message, whichever spelling carried it.
    pub fn message(&self) -> String {
        [&self.ret_msg, &self.ret_msg_camel]
            .into_iter()
            .flatten()
            .find(|m| !m.is_empty())
            .cloned()
            .unwrap_or_default()
    }
}

fn parse_control(text: &str) -> Result<PublicFrame, ParseError> {
    let c: ControlAnswer = from_json("public control", text)?;
    let msg = c.message();
    match c.op {
        Some(op) => Ok(PublicFrame::Control {
            // The linear stream answers a ping with `op: pong` and no
            // `success`.
            success: c.success.unwrap_or(true),
            op,
            msg,
        }),
        None => Err(ParseError::Field {
            what: "public frame",
            field: "topic".into(),
            detail: "neither a topic nor an op".into(),
        }),
    }
}

#[derive(Deserialize)]
struct KlineData<'a> {
    start: i64,
    #[serde(borrow)]
    open: &'a str,
    #[serde(borrow)]
    high: &'a str,
    #[serde(borrow)]
    low: &'a str,
    #[serde(borrow)]
    close: &'a str,
    #[serde(borrow)]
    volume: &'a str,
    confirm: bool,
    #[serde(default)]
    timestamp: Option<i64>,
}

#[derive(Deserialize)]
struct KlineMsg<'a> {
    #[serde(borrow)]
    data: Vec<KlineData<'a>>,
    #[serde(default)]
    ts: Option<i64>,
}

fn parse_kline(
    venue: &str,
    topic: &str,
    text: &str,
    out: &mut Vec<MarketEvent>,
) -> Result<(), ParseError> {
    const W: &str = "kline";
    let bad_topic = || ParseError::Field {
        what: W,
        field: "topic".into(),
        detail: format!("`{topic}` is not kline.{{interval}}.{{symbol}}"),
    };
    let mut parts = topic.splitn(3, '.');
    let (Some(_), Some(interval), Some(symbol)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad_topic());
    };
    let timeframe = endpoints::timeframe(interval).ok_or_else(bad_topic)?;
    let instrument = instrument(W, venue, symbol)?;
    let before = out.len();
    if fast_klines(&instrument, timeframe, text, out).is_some() {
        return Ok(());
    }
    out.truncate(before);
    let msg: KlineMsg<'_> = serde_json::from_str(text).map_err(|e| json_error(W, &e, text))?;
    for k in &msg.data {
        let candle = Candle {
            open_time: Timestamp::from_ms(k.start),
            open: dec(W, "open", k.open)?,
            high: dec(W, "high", k.high)?,
            low: dec(W, "low", k.low)?,
            close: dec(W, "close", k.close)?,
            volume: dec(W, "volume", k.volume)?,
        };
        out.push(MarketEvent::Kline(KlineUpdate {
            instrument: instrument.clone(),
            timeframe,
            candle,
            closed: k.confirm,
            event_time: k.timestamp.or(msg.ts).map(Timestamp::from_ms),
        }));
    }
    Ok(())
}

/// The scanner's path for klines; `None` hands over to serde.
fn fast_klines(
    instrument: &InstrumentId,
    timeframe: smc_model::Timeframe,
    text: &str,
    out: &mut Vec<MarketEvent>,
) -> Option<()> {
    let mut c = Cursor::data_array(text)?;
    loop {
        let (mut start, mut o, mut h, mut l, mut cl, mut v, mut confirm, mut ts) =
            (None, None, None, None, None, None, None, None);
        let more = c.element(|k, val| match k {
            "start" => start = val.i64(),
            "open" => o = val.dec(),
            "high" => h = val.dec(),
            "low" => l = val.dec(),
            "close" => cl = val.dec(),
            "volume" => v = val.dec(),
            "confirm" => confirm = val.bool(),
            "timestamp" => ts = val.i64(),
            _ => {}
        })?;
        if !more {
            return Some(());
        }
        out.push(MarketEvent::Kline(KlineUpdate {
            instrument: instrument.clone(),
            timeframe,
            candle: Candle {
                open_time: Timestamp::from_ms(start?),
                open: o?,
                high: h?,
                low: l?,
                close: cl?,
                volume: v?,
            },
            closed: confirm?,
            event_time: Some(Timestamp::from_ms(ts?)),
        }));
    }
}

/// The scanner's path for trades; `None` hands over to serde.
fn fast_trades(venue: &str, text: &str, out: &mut Vec<MarketEvent>) -> Option<()> {
    let mut c = Cursor::data_array(text)?;
    let mut last: Option<InstrumentId> = None;
    loop {
        let (mut time, mut symbol, mut side, mut qty, mut price, mut id) =
            (None, None, None, None, None, None);
        let more = c.element(|k, val| match k {
            "T" => time = val.i64(),
            "s" => symbol = val.str(),
            "S" => side = val.str(),
            "v" => qty = val.dec(),
            "p" => price = val.dec(),
            "i" => id = val.str().and_then(trade_id),
            _ => {}
        })?;
        if !more {
            return Some(());
        }
        let symbol = symbol?;
        let instrument = match last.take() {
            Some(i) if i.symbol() == symbol => i,
            _ => InstrumentId::new(venue, symbol).ok()?,
        };
        let aggressor = match side? {
            "Buy" => Side::Buy,
            "Sell" => Side::Sell,
            _ => return None,
        };
        out.push(MarketEvent::Trade(Trade {
            instrument: instrument.clone(),
            trade_id: id?,
            price: price?,
            qty: qty?,
            aggressor,
            time: Timestamp::from_ms(time?),
        }));
        last = Some(instrument);
    }
}

#[derive(Deserialize)]
struct TradeData<'a> {
    #[serde(rename = "T")]
    time: i64,
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(rename = "S", borrow)]
    side: &'a str,
    #[serde(rename = "v", borrow)]
    qty: &'a str,
    #[serde(rename = "p", borrow)]
    price: &'a str,
    #[serde(rename = "i", borrow)]
    id: &'a str,
}

#[derive(Deserialize)]
struct TradeMsg<'a> {
    #[serde(borrow)]
    data: Vec<TradeData<'a>>,
}

/// Bybit's trade id (a string) as the shared `Trade::trade_id` (a u64):
/// spot ids are decimal digits, taken as they are; linear ids are UUIDs,
/// of which the first 64 bits (16 hex digits) are taken; any other form
/// (a simulator's `BTCUSDT-758`) is hashed (FNV-1a, 64 bits). A collision
/// between two trades of one symbol needs about 2^32 trades. `None` for an
/// empty id.
pub fn trade_id(id: &str) -> Option<u64> {
    if id.is_empty() {
        return None;
    }
    if let Ok(n) = id.parse::<u64>() {
        return Some(n);
    }
    let uuid = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    if uuid {
        let mut n: u64 = 0;
        for c in id.chars().filter(|&c| c != '-').take(16) {
            n = (n << 4) | u64::from(c.to_digit(16)?);
        }
        return Some(n);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Some(h)
}

fn parse_trades(venue: &str, text: &str, out: &mut Vec<MarketEvent>) -> Result<(), ParseError> {
    const W: &str = "publicTrade";
    let before = out.len();
    if fast_trades(venue, text, out).is_some() {
        return Ok(());
    }
    out.truncate(before);
    let msg: TradeMsg<'_> = serde_json::from_str(text).map_err(|e| json_error(W, &e, text))?;
    for t in &msg.data {
        let aggressor = match t.side {
            "Buy" => Side::Buy,
            "Sell" => Side::Sell,
            other => {
                return Err(ParseError::Field {
                    what: W,
                    field: "S".into(),
                    detail: format!("unknown side `{other}`"),
                });
            }
        };
        let trade_id = trade_id(t.id).ok_or_else(|| ParseError::Field {
            what: W,
            field: "i".into(),
            detail: "empty".into(),
        })?;
        out.push(MarketEvent::Trade(Trade {
            instrument: instrument(W, venue, t.symbol)?,
            trade_id,
            price: dec(W, "p", t.price)?,
            qty: dec(W, "v", t.qty)?,
            aggressor,
            time: Timestamp::from_ms(t.time),
        }));
    }
    Ok(())
}

#[derive(Deserialize)]
struct BookData<'a> {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(default, borrow)]
    b: Vec<[&'a str; 2]>,
    #[serde(default, borrow)]
    a: Vec<[&'a str; 2]>,
    u: u64,
    #[serde(default)]
    seq: u64,
}

#[derive(Deserialize)]
struct BookMsg<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(default)]
    ts: i64,
    #[serde(borrow)]
    data: BookData<'a>,
}

fn levels(
    what: &'static str,
    side: &str,
    raw: &[[&str; 2]],
) -> Result<Vec<(rust_decimal::Decimal, rust_decimal::Decimal)>, ParseError> {
    raw.iter()
        .map(|[p, q]| Ok((dec(what, side, p)?, dec(what, side, q)?)))
        .collect()
}

fn parse_book(topic: &str, text: &str) -> Result<BookMessage, ParseError> {
    const W: &str = "orderbook";
    let depth = topic
        .split('.')
        .nth(1)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| ParseError::Field {
            what: W,
            field: "topic".into(),
            detail: format!("`{topic}` is not orderbook.{{depth}}.{{symbol}}"),
        })?;
    let m: BookMsg<'_> = serde_json::from_str(text).map_err(|e| json_error(W, &e, text))?;
    Ok(BookMessage {
        depth,
        snapshot: m.kind == "snapshot",
        bids: levels(W, "b", &m.data.b)?,
        asks: levels(W, "a", &m.data.a)?,
        update_id: m.data.u,
        seq: m.data.seq,
        time: m.ts,
        symbol: m.data.symbol,
    })
}

/// REST `/v5/market/kline` `result` to candles, oldest first (Bybit lists
/// them newest first). The newest may still be open.
pub fn parse_klines_rest(result: &str) -> Result<Vec<Candle>, ParseError> {
    const W: &str = "kline (REST)";
    #[derive(Deserialize)]
    struct R<'a> {
        #[serde(borrow)]
        list: Vec<Vec<&'a str>>,
    }
    let r: R<'_> = from_json(W, result)?;
    let mut out = Vec::with_capacity(r.list.len());
    for row in r.list.iter().rev() {
        let [start, o, h, l, c, v, ..] = row.as_slice() else {
            return Err(ParseError::Field {
                what: W,
                field: "list".into(),
                detail: format!("a row of {} fields, expected 7", row.len()),
            });
        };
        let start: i64 = start.parse().map_err(|_| ParseError::Field {
            what: W,
            field: "startTime".into(),
            detail: format!("`{start}` is not epoch ms"),
        })?;
        out.push(Candle {
            open_time: Timestamp::from_ms(start),
            open: dec(W, "open", o)?,
            high: dec(W, "high", h)?,
            low: dec(W, "low", l)?,
            close: dec(W, "close", c)?,
            volume: dec(W, "volume", v)?,
        });
    }
    Ok(out)
}

/// The subscribe frames for `topics`: Bybit takes at most 10 topics per
/// spot request, so longer lists are split.
pub fn subscribe_frames(topics: &[String]) -> Vec<String> {
    topics
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| {
            serde_json::json!({ "op": "subscribe", "req_id": format!("smc-{i}"), "args": chunk })
                .to_string()
        })
        .collect()
}

/// Bybit's application-level ping (it drops a connection without one for
/// more than about a minute; it asks for one every 20 s).
pub const PING: &str = r#"{"op":"ping"}"#;
