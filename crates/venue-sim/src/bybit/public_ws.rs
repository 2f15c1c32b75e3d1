//! The public WebSockets `/v5/public/spot` and `/v5/public/linear`
//! (docs/v5/ws/connect, shapes of the recorded ws_* messages):
//! `{"op":"subscribe"|"unsubscribe","args":[...],"req_id"?}` answered
//! `{"success","ret_msg","conn_id","req_id"?,"op"}` (an unknown topic:
//! `success:false`, `ret_msg:"Invalid topic: ..."`); `{"op":"ping"}`
//! answered `{"success":true,"ret_msg":"pong","conn_id",...,"op":"ping"}`.
//! Topics, pushed on every released candle of the replay:
//! - `kline.{interval}.{symbol}`: the series' interval or a multiple; the
//!   candle that closed with `confirm:true`, then the candle that opens
//!   with `confirm:false` (at the last close, no volume yet; for a
//!   multiple, the bucket so far with `confirm:false` until it is complete);
//! - `publicTrade.{symbol}`: one trade at the close;
//! - `orderbook.{1|50|200|500}.{symbol}`: a snapshot on subscribing, then
//!   deltas (changed levels, removed ones with size "0") with `u` and `seq`;
//! - `tickers.{symbol}`: a snapshot each candle.
//! The `drop-ws` fault closes the connection abruptly, as on the Binance
//! streams.

use super::market::{interval, levels, ticker};
use super::shapes::{num, px, qty};
use super::{BybitState, Category};
use crate::faults::FaultKind;
use crate::market::Series;
use crate::rest_market::level_qty;
use crate::state::{lock, now_ms};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::{Candle, Timeframe};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Op answers go out this late, as over a network: pybit 5.17 records a
/// subscription only after sending it, so an instant loopback answer finds
/// no record (a KeyError in its `_process_subscription_message`, after
/// which it drops the connection).
pub const ACK_DELAY: Duration = Duration::from_millis(25);

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Kline(Timeframe, String),
    Trade,
    Book(usize),
    Ticker,
}

#[derive(Debug, Clone)]
struct Topic {
    name: String,
    series: usize,
    kind: Kind,
    /// Book levels last sent (price string → size string), per side.
    book: (BTreeMap<String, String>, BTreeMap<String, String>),
    update: u64,
}

fn parse(st: &BybitState, name: &str) -> Option<Topic> {
    let parts: Vec<&str> = name.split('.').collect();
    let (kind, symbol) = match parts.as_slice() {
        ["kline", i, s] => {
            let tf = interval(i).ok()?;
            (Kind::Kline(tf, (*i).to_string()), *s)
        }
        ["publicTrade", s] => (Kind::Trade, *s),
        ["orderbook", d, s] => {
            let depth: usize = d.parse().ok()?;
            [1, 50, 200, 500].contains(&depth).then_some(())?;
            (Kind::Book(depth), *s)
        }
        ["tickers", s] => (Kind::Ticker, *s),
        _ => return None,
    };
    let series = st.shared.market.find(symbol)?;
    if let Kind::Kline(tf, _) = &kind
        && !tf.is_multiple_of(st.shared.market.series[series].timeframe)
    {
        return None;
    }
    Some(Topic {
        name: name.to_string(),
        series,
        kind,
        book: Default::default(),
        update: 0,
    })
}

/// `/v5/public/spot`.
pub async fn spot(ws: WebSocketUpgrade, State(st): State<Arc<BybitState>>) -> Response {
    ws.on_upgrade(move |socket| run(socket, st, Category::Spot, "/v5/public/spot"))
}

/// `/v5/public/linear`.
pub async fn linear(ws: WebSocketUpgrade, State(st): State<Arc<BybitState>>) -> Response {
    ws.on_upgrade(move |socket| run(socket, st, Category::Linear, "/v5/public/linear"))
}

fn kline_json(s: &Series, c: &Candle, tf: Timeframe, raw: &str, confirm: bool, now: i64) -> Value {
    json!({
        "start": c.open_time.ms(), "end": c.open_time.ms() + tf.duration_ms() - 1,
        "interval": raw, "open": px(s, c.open), "close": px(s, c.close), "high": px(s, c.high),
        "low": px(s, c.low), "volume": qty(s, c.volume),
        "turnover": num((c.volume * (c.open + c.close) / Decimal::TWO).round_dp(8)),
        "confirm": confirm, "timestamp": now,
    })
}

/// The bucket of `tf` holding candle `k`, aggregated up to `k`, and whether
/// candle `k` completes it.
fn bucket(s: &Series, tf: Timeframe, k: usize) -> (Candle, bool) {
    let c = *s.candle(k);
    let len = tf.duration_ms();
    let start = c.open_time.ms() - c.open_time.ms().rem_euclid(len);
    let mut agg = c;
    for i in (0..k).rev() {
        let p = s.candle(i);
        if p.open_time.ms() < start {
            break;
        }
        agg.open = p.open;
        agg.open_time = p.open_time;
        agg.high = agg.high.max(p.high);
        agg.low = agg.low.min(p.low);
        agg.volume += p.volume;
    }
    let complete = c.open_time.ms() + s.timeframe.duration_ms() >= start + len;
    (agg, complete)
}

fn book_message(st: &BybitState, t: &mut Topic, k: usize, snapshot: bool, now: i64) -> Value {
    let s = &st.shared.market.series[t.series];
    let Kind::Book(depth) = t.kind else {
        return Value::Null;
    };
    let (b, a) = levels(s, k, depth);
    let to_map = |v: &[Value]| -> BTreeMap<String, String> {
        v.iter()
            .filter_map(|l| Some((l[0].as_str()?.to_string(), l[1].as_str()?.to_string())))
            .collect()
    };
    let (nb, na) = (to_map(&b), to_map(&a));
    t.update += 1;
    let (kind, bids, asks) = if snapshot {
        ("snapshot", b, a)
    } else {
        let delta =
            |old: &BTreeMap<String, String>, new: &BTreeMap<String, String>| -> Vec<Value> {
                let mut out: Vec<Value> = old
                    .keys()
                    .filter(|p| !new.contains_key(*p))
                    .map(|p| json!([p, "0"]))
                    .collect();
                out.extend(
                    new.iter()
                        .filter(|(p, q)| old.get(*p) != Some(q))
                        .map(|(p, q)| json!([p, q])),
                );
                out
            };
        ("delta", delta(&t.book.0, &nb), delta(&t.book.1, &na))
    };
    t.book = (nb, na);
    json!({"topic": t.name, "type": kind, "ts": now, "data": {
        "s": s.symbol, "b": bids, "a": asks, "u": t.update, "seq": k}, "cts": now})
}

fn on_step(st: &BybitState, cat: Category, t: &mut Topic, k: usize, now: i64) -> Vec<Value> {
    let s = &st.shared.market.series[t.series];
    match &t.kind {
        Kind::Kline(tf, raw) => {
            let c = s.candle(k);
            if *tf == s.timeframe {
                let mut next = *c;
                next.open_time = c.open_time + s.timeframe.duration_ms();
                next.open = c.close;
                next.high = c.close;
                next.low = c.close;
                next.volume = Decimal::ZERO;
                let data = vec![
                    kline_json(s, c, *tf, raw, true, now),
                    kline_json(s, &next, *tf, raw, false, now),
                ];
                data.into_iter()
                    .map(|d| json!({"topic": t.name, "data": [d], "ts": now, "type": "snapshot"}))
                    .collect()
            } else {
                let (agg, complete) = bucket(s, *tf, k);
                vec![
                    json!({"topic": t.name, "data": [kline_json(s, &agg, *tf, raw, complete, now)],
                    "ts": now, "type": "snapshot"}),
                ]
            }
        }
        Kind::Trade => {
            let c = s.candle(k);
            vec![
                json!({"topic": t.name, "type": "snapshot", "ts": now, "data": [{
                "T": now, "s": s.symbol, "S": if c.close >= c.open { "Buy" } else { "Sell" },
                "v": qty(s, level_qty(s, k)), "p": px(s, c.close), "L": "ZeroPlusTick",
                "i": format!("{}-{k}", s.symbol), "BT": false}]}),
            ]
        }
        Kind::Book(_) => vec![book_message(st, t, k, false, now)],
        Kind::Ticker => vec![
            json!({"topic": t.name, "type": "snapshot", "data": ticker(cat, s, k),
            "cs": k, "ts": now}),
        ],
    }
}

/// Answers an op; messages to send.
fn op(
    st: &BybitState,
    cat: Category,
    conn: &str,
    topics: &mut Vec<Topic>,
    text: &str,
) -> Vec<Value> {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return vec![
            json!({"success": false, "ret_msg": "Invalid JSON", "conn_id": conn, "op": ""}),
        ];
    };
    let name = msg
        .get("op")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut ack = json!({"success": true, "ret_msg": "", "conn_id": conn, "op": name});
    if let Some(id) = msg.get("req_id") {
        ack["req_id"] = id.clone();
    }
    let args: Vec<String> = msg
        .get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    match name.as_str() {
        "ping" => ack["ret_msg"] = json!("pong"),
        "subscribe" => {
            let parsed: Vec<Option<Topic>> = args.iter().map(|a| parse(st, a)).collect();
            if let Some(bad) = args.iter().zip(&parsed).find(|(_, p)| p.is_none()) {
                ack["success"] = json!(false);
                ack["ret_msg"] = json!(format!("Invalid topic: {}", bad.0));
                return vec![ack];
            }
            let step = lock(&st.shared.inner).step;
            let now = now_ms();
            for mut t in parsed.into_iter().flatten() {
                if topics.iter().any(|x| x.name == t.name) {
                    ack["success"] = json!(false);
                    ack["ret_msg"] = json!(format!("error:already subscribed,topic:{}", t.name));
                    return vec![ack];
                }
                match t.kind {
                    Kind::Book(_) => out.push(book_message(st, &mut t, step, true, now)),
                    Kind::Ticker => {
                        let s = &st.shared.market.series[t.series];
                        out.push(json!({"topic": t.name, "type": "snapshot",
                            "data": ticker(cat, s, step), "cs": step, "ts": now}));
                    }
                    _ => {}
                }
                topics.push(t);
            }
        }
        "unsubscribe" => topics.retain(|t| !args.contains(&t.name)),
        other => {
            ack["success"] = json!(false);
            ack["ret_msg"] = json!(format!("Invalid op: {other}"));
        }
    }
    out.insert(0, ack);
    out
}

async fn run(socket: WebSocket, st: Arc<BybitState>, cat: Category, path: &'static str) {
    let opened = Instant::now();
    let conn = st.conn_id();
    let (mut tx, mut rx) = socket.split();
    let mut steps = st.shared.steps.subscribe();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut topics: Vec<Topic> = Vec::new();
    let mut drop_checked = false;
    loop {
        let mut out: Vec<Value> = Vec::new();
        tokio::select! {
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    out = op(&st, cat, &conn, &mut topics, t.as_str());
                    tokio::time::sleep(ACK_DELAY).await;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            step = steps.recv() => match step {
                Ok(k) => {
                    let now = now_ms();
                    for t in topics.iter_mut() {
                        let s = &st.shared.market.series[t.series];
                        if k > 0 && s.shown(k) == s.shown(k - 1) {
                            continue;
                        }
                        out.extend(on_step(&st, cat, t, k, now));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = tick.tick() => {
                if !drop_checked {
                    let due = lock(&st.shared.faults).faults.iter().find_map(|f| match f.kind {
                        FaultKind::DropWs { after_ms } => Some(after_ms),
                        _ => None,
                    });
                    if let Some(after) = due && opened.elapsed() >= Duration::from_millis(after) {
                        drop_checked = true;
                        if lock(&st.shared.faults).fire(path, |k| matches!(k, FaultKind::DropWs { .. })).is_some() {
                            return; // dropped without a close frame
                        }
                    }
                }
            }
        }
        for v in out {
            if tx.send(Message::Text(v.to_string().into())).await.is_err() {
                return;
            }
        }
    }
}
