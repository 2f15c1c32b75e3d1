//! WebSocket streams: market streams on `/ws/<stream>[/<stream>…]`
//! (raw payloads), `/stream?streams=a/b` (combined, `{"stream","data"}`)
//! and `/ws` with `SUBSCRIBE`/`UNSUBSCRIBE`/`LIST_SUBSCRIPTIONS`; a listen
//! key in place of a stream name is the user data stream of its account.
//! Market events are rendered from each released candle (kline with
//! `x: true`, trade, aggTrade, bookTicker, depth, markPrice, tickers), with
//! wall-clock event times. The `drop-ws`, `dup-events` and
//! `reorder-events` faults act here.

use crate::event_faults::EventFaults;
use crate::market::Series;
use crate::rest_market::{book, level_qty};
use crate::state::{Shared, lock, now_ms};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Server pings, as Binance sends them.
const PING_EVERY: Duration = Duration::from_secs(20);

/// One market subscription: series index and what to send.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MarketSub {
    name: String,
    series: usize,
    kind: String,
}

fn fmt(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Parses `btcusdt@kline_1m`; `None` for unknown symbols or kinds.
fn parse_market(shared: &Shared, name: &str) -> Option<MarketSub> {
    let (symbol, kind) = name.split_once('@')?;
    let series = shared.market.find(&symbol.to_ascii_uppercase())?;
    let base = kind.split('@').next().unwrap_or(kind);
    let known = base.starts_with("kline_")
        || base.starts_with("depth")
        || matches!(
            base,
            "trade" | "aggTrade" | "bookTicker" | "markPrice" | "miniTicker" | "ticker"
        );
    known.then(|| MarketSub {
        name: name.to_string(),
        series,
        kind: base.to_string(),
    })
}

fn render(s: &Series, kind: &str, step: usize, now: i64) -> Option<Value> {
    let c = s.candle(step);
    let qty = level_qty(s, step);
    let (bids, asks) = book(s, step, 20);
    let level = |v: &[(Decimal, Decimal)], n: usize| -> Vec<Value> {
        v.iter()
            .take(n)
            .map(|(p, q)| json!([fmt(*p), fmt(*q)]))
            .collect()
    };
    let (bid, ask) = (bids.first().copied()?, asks.first().copied()?);
    let sym = &s.symbol;
    Some(match kind {
        k if k.starts_with("kline_") => {
            if k.trim_start_matches("kline_") != s.timeframe.to_string() {
                return None;
            }
            json!({"e": "kline", "E": now, "s": sym, "k": {
                "t": c.open_time, "T": s.close_time(c), "s": sym, "i": s.timeframe.to_string(),
                "f": step, "L": step, "o": fmt(c.open), "c": fmt(c.close), "h": fmt(c.high),
                "l": fmt(c.low), "v": fmt(c.volume), "n": 1, "x": true,
                "q": fmt((c.volume * c.close).round_dp(8)), "V": "0", "Q": "0", "B": "0"}})
        }
        "trade" => {
            json!({"e": "trade", "E": now, "s": sym, "t": step, "p": fmt(c.close), "q": fmt(qty), "T": now, "m": false, "M": true})
        }
        "aggTrade" => {
            json!({"e": "aggTrade", "E": now, "s": sym, "a": step, "p": fmt(c.close), "q": fmt(qty), "f": step, "l": step, "T": now, "m": false, "M": true})
        }
        "bookTicker" => {
            json!({"e": "bookTicker", "u": step, "E": now, "T": now, "s": sym, "b": fmt(bid.0), "B": fmt(bid.1), "a": fmt(ask.0), "A": fmt(ask.1)})
        }
        "markPrice" => {
            json!({"e": "markPriceUpdate", "E": now, "s": sym, "p": fmt(c.close), "i": fmt(c.close), "P": fmt(c.close), "r": "0", "T": 0})
        }
        "miniTicker" | "ticker" => json!({
            "e": if kind == "ticker" { "24hrTicker" } else { "24hrMiniTicker" }, "E": now, "s": sym,
            "c": fmt(c.close), "o": fmt(c.open), "h": fmt(c.high), "l": fmt(c.low), "v": fmt(c.volume),
            "q": fmt((c.volume * c.close).round_dp(8))}),
        "depth" => {
            json!({"e": "depthUpdate", "E": now, "T": now, "s": sym, "U": step, "u": step, "pu": step.saturating_sub(1), "b": level(&bids, 20), "a": level(&asks, 20)})
        }
        k => {
            let n = k.trim_start_matches("depth").parse::<usize>().ok()?;
            json!({"lastUpdateId": step, "E": now, "T": now, "bids": level(&bids, n), "asks": level(&asks, n)})
        }
    })
}

/// What one connection listens to.
struct Subs {
    market: Vec<MarketSub>,
    user: Option<(String, broadcast::Receiver<String>)>,
    combined: bool,
    /// The WebSocket API (`/ws-api/v3`): requests are WS API calls, user
    /// events come wrapped with their subscription id.
    ws_api: bool,
}

/// Builds the subscriptions for stream names; an unknown name without `@`
/// is taken for a listen key and must exist.
fn subscribe(shared: &Shared, names: &[&str], subs: &mut Subs) -> Result<(), String> {
    for name in names.iter().filter(|n| !n.is_empty()) {
        if name.contains('@') {
            let sub = parse_market(shared, name).ok_or_else(|| format!("unknown stream {name}"))?;
            if !subs.market.contains(&sub) {
                subs.market.push(sub);
            }
            continue;
        }
        let inner = lock(&shared.inner);
        let lk = inner
            .listen_keys
            .get(*name)
            .filter(|k| k.expires > now_ms())
            .ok_or("This listenKey does not exist.")?;
        let rx = inner
            .keys
            .get(&lk.api_key)
            .map(|k| match lk.family {
                crate::routes::Family::Spot => k.spot.events.subscribe(),
                crate::routes::Family::Futures => k.futures.events.subscribe(),
            })
            .ok_or("This listenKey does not exist.")?;
        subs.user = Some((name.to_string(), rx));
    }
    Ok(())
}

fn refuse(msg: String) -> Response {
    crate::error::ApiError::bad(-1125, msg).into_response()
}

/// `/ws/<streams>`.
pub async fn ws_path(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
) -> Response {
    let names: Vec<&str> = rest.split('/').collect();
    let mut subs = Subs {
        market: Vec::new(),
        user: None,
        combined: false,
        ws_api: false,
    };
    if let Err(e) = subscribe(&shared, &names, &mut subs) {
        return refuse(e);
    }
    let path = format!("/ws/{rest}");
    ws.on_upgrade(move |socket| run(socket, shared, subs, path))
}

/// `/ws` (subscriptions by message).
pub async fn ws_root(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> Response {
    let subs = Subs {
        market: Vec::new(),
        user: None,
        combined: false,
        ws_api: false,
    };
    ws.on_upgrade(move |socket| run(socket, shared, subs, "/ws".into()))
}

/// `/ws-api/v3`: the spot WebSocket API's user data stream.
pub async fn ws_api(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> Response {
    let subs = Subs {
        market: Vec::new(),
        user: None,
        combined: false,
        ws_api: true,
    };
    ws.on_upgrade(move |socket| run(socket, shared, subs, "/ws-api/v3".into()))
}

/// `/stream?streams=a/b`.
pub async fn ws_combined(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let streams = query
        .split('&')
        .find_map(|p| p.strip_prefix("streams="))
        .unwrap_or_default()
        .to_string();
    let names: Vec<&str> = streams.split('/').collect();
    let mut subs = Subs {
        market: Vec::new(),
        user: None,
        combined: true,
        ws_api: false,
    };
    if let Err(e) = subscribe(&shared, &names, &mut subs) {
        return refuse(e);
    }
    ws.on_upgrade(move |socket| run(socket, shared, subs, "/stream".into()))
}

/// Answers a `SUBSCRIBE`-style control message.
fn control(shared: &Shared, subs: &mut Subs, text: &str) -> Value {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return json!({"error": {"code": 3, "msg": "Invalid JSON"}, "id": null});
    };
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    let names: Vec<String> = msg
        .get("params")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    match msg.get("method").and_then(Value::as_str) {
        Some("SUBSCRIBE") => match subscribe(shared, &refs, subs) {
            Ok(()) => json!({"result": null, "id": id}),
            Err(e) => json!({"error": {"code": 2, "msg": e}, "id": id}),
        },
        Some("UNSUBSCRIBE") => {
            subs.market.retain(|s| !names.contains(&s.name));
            json!({"result": null, "id": id})
        }
        Some("LIST_SUBSCRIPTIONS") => {
            let list: Vec<&str> = subs.market.iter().map(|s| s.name.as_str()).collect();
            json!({"result": list, "id": id})
        }
        _ => json!({"error": {"code": 2, "msg": "Invalid request: unknown method"}, "id": id}),
    }
}

fn wrap(subs: &Subs, stream: &str, data: Value) -> String {
    if subs.ws_api {
        crate::ws_api::wrap(data)
    } else if subs.combined {
        json!({"stream": stream, "data": data}).to_string()
    } else {
        data.to_string()
    }
}

async fn next_user(user: &mut Option<(String, broadcast::Receiver<String>)>) -> Option<String> {
    match user {
        Some((_, rx)) => loop {
            match rx.recv().await {
                Ok(e) => return Some(e),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        },
        None => std::future::pending().await,
    }
}

async fn run(socket: WebSocket, shared: Arc<Shared>, mut subs: Subs, path: String) {
    let (mut tx, mut rx) = socket.split();
    let mut steps = shared.steps.subscribe();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut last_ping = Instant::now();
    let mut faults = EventFaults::default();
    loop {
        let mut out: Vec<String> = Vec::new();
        tokio::select! {
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) if subs.ws_api => {
                    let (answer, events) = crate::ws_api::request(&shared, t.as_str());
                    if let Some(events) = events {
                        subs.user = Some(("ws-api".into(), events));
                    }
                    out.push(answer.to_string());
                }
                Some(Ok(Message::Text(t))) => out.push(control(&shared, &mut subs, t.as_str()).to_string()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            step = steps.recv() => match step {
                Ok(k) => {
                    let now = now_ms();
                    for sub in &subs.market {
                        let s = &shared.market.series[sub.series];
                        if k > 0 && s.shown(k) == s.shown(k - 1) {
                            continue;
                        }
                        if let Some(v) = render(s, &sub.kind, k, now) {
                            out.push(wrap(&subs, &sub.name, v));
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            event = next_user(&mut subs.user) => {
                let Some(event) = event else { break };
                let stream = subs.user.as_ref().map(|u| u.0.clone()).unwrap_or_default();
                let data: Value = serde_json::from_str(&event).unwrap_or(Value::Null);
                let text = wrap(&subs, &stream, data);
                faults.push(&shared.faults, &path, text, &mut out);
            },
            _ = tick.tick() => {
                if faults.tick(&shared.faults, &path, &mut out) {
                    return; // dropped without a close frame
                }
                if last_ping.elapsed() >= PING_EVERY {
                    last_ping = Instant::now();
                    if tx.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
        for text in out {
            if tx.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}
