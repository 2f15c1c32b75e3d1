//! The private WebSocket `/v5/private` (docs/v5/ws/connect and
//! wss-authentication; shapes of ws_auth_*, ws_account_* recordings):
//! `{"op":"auth","args":[apiKey, expires, sign]}` with `sign` the hex HMAC
//! of `"GET/realtime" + expires` answers `{"success","ret_msg","op":"auth",
//! "conn_id"}` (plus the `retCode`/`retMsg`/`connId` spelling of the
//! recording); then `subscribe` to `order`, `execution`, `position`,
//! `wallet` (and the per-category `order.spot`, `order.linear`,
//! `execution.spot`, `execution.linear`, `position.linear`). Every change
//! of the key's accounts (each event the shared accounts announce) pushes
//! what changed since the last push: orders whose state changed, new
//! executions, positions whose size, entry or realized P&L changed, and
//! the wallet when a balance, lock or margin changed. `{"op":"ping"}`
//! answers `{"op":"pong","args":[ms],"conn_id",...}`. The `drop-ws`,
//! `dup-events`, `reorder-events` and `garble-events` faults act here.

use super::shapes;
use super::{BybitState, Category, Extra};
use crate::event_faults::EventFaults;
use crate::state::{KeyState, lock, now_ms};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

const TOPICS: [&str; 9] = [
    "order",
    "order.spot",
    "order.linear",
    "execution",
    "execution.spot",
    "execution.linear",
    "position",
    "position.linear",
    "wallet",
];

/// What was last pushed, to send only changes.
#[derive(Debug, Default)]
struct Seen {
    orders: BTreeMap<u64, Value>,
    trades: [usize; 2],
    positions: BTreeMap<usize, Value>,
    wallet: Value,
}

/// The figures of a position whose change is pushed.
fn position_key(p: &Value) -> Value {
    json!([
        p["size"],
        p["avgPrice"],
        p["cumRealisedPnl"],
        p["takeProfit"],
        p["stopLoss"]
    ])
}

fn wallet_key(w: &Value) -> Value {
    let coins: Vec<Value> = w["coin"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| {
                    json!([
                        c["coin"],
                        c["walletBalance"],
                        c["locked"],
                        c["totalOrderIM"],
                        c["totalPositionIM"]
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    Value::Array(coins)
}

/// Messages for what changed (topic, data) and the new `seen`.
fn changes(
    st: &BybitState,
    k: &KeyState,
    step: usize,
    seen: &mut Seen,
) -> Vec<(&'static str, Category, Vec<Value>)> {
    let shared = &st.shared;
    let extras = lock(&st.extras);
    let blank = Extra::default();
    let mut out = Vec::new();
    for (n, (cat, acct)) in [(Category::Spot, &k.spot), (Category::Linear, &k.futures)]
        .into_iter()
        .enumerate()
    {
        let mut orders = Vec::new();
        for o in acct.orders.values() {
            let s = &shared.market.series[o.instrument];
            let extra = extras.get(&o.order_id).unwrap_or(&blank);
            let trades: Vec<_> = acct
                .trades
                .iter()
                .filter(|t| t.order_id == o.order_id)
                .collect();
            let v = shapes::order(cat, s, o, extra, &trades);
            if seen.orders.get(&o.order_id) != Some(&v) {
                seen.orders.insert(o.order_id, v.clone());
                orders.push(v);
            }
        }
        if !orders.is_empty() {
            out.push(("order", cat, orders));
        }
        let fees = shared.fees(cat.family());
        let execs: Vec<Value> = shapes::executions_with_leaves(acct)
            .into_iter()
            .skip(seen.trades[n])
            .map(|(t, rec, leaves)| {
                let s = &shared.market.series[rec.instrument];
                let link = extras
                    .get(&t.order_id)
                    .map(|e| e.link.as_str())
                    .unwrap_or("");
                let rate = if t.maker { fees.maker } else { fees.taker };
                shapes::execution(
                    cat,
                    s,
                    t,
                    (rec, link),
                    leaves,
                    (rate, s.candle(step).close),
                    t.id,
                )
            })
            .collect();
        seen.trades[n] = acct.trades.len();
        if !execs.is_empty() {
            out.push(("execution", cat, execs));
        }
    }
    let mut positions = Vec::new();
    for (i, s) in shared.market.series.iter().enumerate() {
        let tpsl = super::tpsl::of_position(&k.futures, &extras, &s.symbol);
        let p = shapes::position(
            s,
            &k.futures,
            i,
            (shared.leverage, s.candle(step).close),
            tpsl,
            step as u64,
        );
        let key = position_key(&p);
        if seen.positions.get(&i) != Some(&key) {
            seen.positions.insert(i, key);
            positions.push(p);
        }
    }
    if !positions.is_empty() {
        out.push(("position", Category::Linear, positions));
    }
    let mut w = shapes::wallet(k, &shared.market, step, shared.leverage, shared.balance);
    w["totalPerpUpl"] = w["totalPerpUPL"].clone();
    let key = wallet_key(&w);
    if seen.wallet != key {
        seen.wallet = key;
        out.push(("wallet", Category::Linear, vec![w]));
    }
    out
}

/// `/v5/private`.
pub async fn private(ws: WebSocketUpgrade, State(st): State<Arc<BybitState>>) -> Response {
    ws.on_upgrade(move |socket| run(socket, st))
}

struct Conn {
    key: Option<String>,
    rx: Option<(broadcast::Receiver<String>, broadcast::Receiver<String>)>,
    topics: Vec<String>,
    seen: Seen,
}

async fn next_event(
    rx: &mut Option<(broadcast::Receiver<String>, broadcast::Receiver<String>)>,
) -> bool {
    let Some((a, b)) = rx else {
        return std::future::pending().await;
    };
    let r = tokio::select! { r = a.recv() => r, r = b.recv() => r };
    !matches!(r, Err(broadcast::error::RecvError::Closed))
}

fn op(st: &BybitState, c: &mut Conn, conn_id: &str, text: &str) -> Vec<Value> {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return vec![
            json!({"success": false, "ret_msg": "Invalid JSON", "conn_id": conn_id, "op": ""}),
        ];
    };
    let name = msg
        .get("op")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let args: Vec<String> = msg
        .get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .or_else(|| v.as_i64().map(|n| n.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut ack = json!({"success": true, "ret_msg": "", "op": name, "conn_id": conn_id});
    if let Some(id) = msg.get("req_id") {
        ack["req_id"] = id.clone();
    }
    match name.as_str() {
        "ping" => {
            let mut pong =
                json!({"op": "pong", "args": [now_ms().to_string()], "conn_id": conn_id});
            pong["req_id"] = msg.get("req_id").cloned().unwrap_or(json!(""));
            vec![pong]
        }
        "auth" => {
            match super::auth::ws_auth(&st.shared, &args, now_ms()) {
                Ok(key) => {
                    let inner = lock(&st.shared.inner);
                    if let Some(k) = inner.keys.get(&key) {
                        c.rx = Some((k.spot.events.subscribe(), k.futures.events.subscribe()));
                        let mut seen = Seen::default();
                        let _ = changes(st, k, inner.step, &mut seen);
                        c.seen = seen;
                    }
                    c.key = Some(key);
                    ack["retCode"] = json!(0);
                    ack["retMsg"] = json!("");
                }
                Err((code, m)) => {
                    ack["success"] = json!(false);
                    ack["ret_msg"] = json!(m);
                    ack["retCode"] = json!(code);
                    ack["retMsg"] = json!(m);
                }
            }
            ack["connId"] = json!(conn_id);
            vec![ack]
        }
        "subscribe" if c.key.is_none() => {
            ack["success"] = json!(false);
            ack["ret_msg"] = json!("Request not authorized");
            vec![ack]
        }
        "subscribe" => {
            if let Some(bad) = args.iter().find(|a| !TOPICS.contains(&a.as_str())) {
                ack["success"] = json!(false);
                ack["ret_msg"] = json!(format!("Invalid topic: {bad}"));
            } else {
                for a in args {
                    if !c.topics.contains(&a) {
                        c.topics.push(a);
                    }
                }
            }
            vec![ack]
        }
        "unsubscribe" => {
            c.topics.retain(|t| !args.contains(t));
            vec![ack]
        }
        other => {
            ack["success"] = json!(false);
            ack["ret_msg"] = json!(format!("Invalid op: {other}"));
            vec![ack]
        }
    }
}

/// The messages of the changes the connection subscribed to.
fn pushes(st: &BybitState, c: &mut Conn) -> Vec<String> {
    let Some(key) = c.key.clone() else {
        return Vec::new();
    };
    let inner = lock(&st.shared.inner);
    let Some(k) = inner.keys.get(&key) else {
        return Vec::new();
    };
    let now = now_ms();
    let mut out = Vec::new();
    for (topic, cat, data) in changes(st, k, inner.step, &mut c.seen) {
        let specific = format!("{topic}.{}", cat.as_str());
        let name = if c.topics.iter().any(|t| t == topic) {
            topic.to_string()
        } else if c.topics.contains(&specific) {
            specific
        } else {
            continue;
        };
        let id = format!("{}{now}-{}", topic, out.len());
        out.push(json!({"id": id, "topic": name, "creationTime": now, "data": data}).to_string());
    }
    out
}

async fn run(socket: WebSocket, st: Arc<BybitState>) {
    let path = "/v5/private";
    let conn_id = st.conn_id();
    let (mut tx, mut rx) = socket.split();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut c = Conn {
        key: None,
        rx: None,
        topics: Vec::new(),
        seen: Seen::default(),
    };
    let mut faults = EventFaults::default();
    loop {
        let mut out: Vec<String> = Vec::new();
        tokio::select! {
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    out.extend(op(&st, &mut c, &conn_id, t.as_str()).into_iter().map(|v| v.to_string()));
                    tokio::time::sleep(super::public_ws::ACK_DELAY).await;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            alive = next_event(&mut c.rx) => {
                if !alive {
                    break;
                }
                for text in pushes(&st, &mut c) {
                    faults.push(&st.shared.faults, path, text, &mut out);
                }
            },
            _ = tick.tick() => {
                if faults.tick(&st.shared.faults, path, &mut out) {
                    return; // dropped without a close frame
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
