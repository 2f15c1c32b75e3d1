//! `GET /api/v1/ws`: the real-time stream. A client sends
//! `{"op":"subscribe","topics":[…]}` (and `unsubscribe`), then receives
//! `{"topic","data"}` messages of those topics from the hub. A client
//! that falls a whole hub ring behind is closed with a reason (policy
//! violation, "slow client"): the sessions never wait for it.

use crate::hub::{Frame, TOPICS};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use futures_util::SinkExt;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Command {
    op: String,
    topics: Vec<String>,
}

/// Upgrades to a WebSocket (credentials as for any route, or `?token=`).
#[utoipa::path(get, path = "/api/v1/ws", tag = "stream",
    responses((status = 101, description = "switching to the WebSocket protocol")),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn ws(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| serve(state, socket))
}

async fn serve(state: AppState, mut socket: WebSocket) {
    state.metrics.ws_clients(1);
    state.vitals.ws_clients_add(1);
    let mut hub = state.hub.subscribe();
    let mut topics: BTreeSet<&'static str> = BTreeSet::new();
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let reply = command(&text, &mut topics);
                    if socket.send(Message::Text(reply.into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            frame = hub.recv() => match frame {
                Ok(frame) => match send_batch(&mut socket, &mut hub, &topics, frame).await {
                    Ok(()) => {}
                    Err(None) => break,
                    Err(Some(missed)) => {
                        drop_slow(&state, &mut socket, missed).await;
                        break;
                    }
                },
                Err(RecvError::Lagged(missed)) => {
                    drop_slow(&state, &mut socket, missed).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
        }
    }
    state.metrics.ws_clients(-1);
    state.vitals.ws_clients_add(-1);
}

/// Most frames a client is sent between two flushes.
const BATCH: usize = 256;

/// Closes a client that fell behind the hub's ring, saying why.
async fn drop_slow(state: &AppState, socket: &mut WebSocket, missed: u64) {
    state.metrics.ws_dropped("slow_client");
    let reason = format!("slow client: fell {missed} messages behind");
    let close = CloseFrame {
        code: close_code::POLICY,
        reason: Utf8Bytes::from(reason),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
}

/// Sends `first` and every frame already waiting in the hub (up to
/// [`BATCH`]), each as its own message, with one flush: one write for a
/// burst instead of one per event. `Err(None)`: the socket failed;
/// `Err(Some(n))`: the client fell `n` messages behind.
async fn send_batch(
    socket: &mut WebSocket,
    hub: &mut tokio::sync::broadcast::Receiver<Arc<Frame>>,
    topics: &BTreeSet<&'static str>,
    first: Arc<Frame>,
) -> Result<(), Option<u64>> {
    let mut next = Some(first);
    let mut fed = 0;
    while let Some(frame) = next.take() {
        if topics.contains(frame.topic) {
            let message = Message::Text(Utf8Bytes::from(frame.json.as_str()));
            socket.feed(message).await.map_err(|_| None)?;
            fed += 1;
        }
        if fed < BATCH {
            next = match hub.try_recv() {
                Ok(frame) => Some(frame),
                Err(TryRecvError::Lagged(missed)) => return Err(Some(missed)),
                Err(_) => None,
            };
        }
    }
    if fed > 0 {
        socket.flush().await.map_err(|_| None)?;
    }
    Ok(())
}

/// Applies a client's command; the reply to send.
fn command(text: &str, topics: &mut BTreeSet<&'static str>) -> String {
    let parsed: Result<Command, _> = serde_json::from_str(text);
    let reply = match parsed {
        Err(e) => {
            serde_json::json!({"error": "bad_request", "message": format!("expected {{\"op\",\"topics\"}}: {e}")})
        }
        Ok(c) => {
            let unknown: Vec<&String> = c
                .topics
                .iter()
                .filter(|t| !TOPICS.contains(&t.as_str()))
                .collect();
            if !unknown.is_empty() {
                serde_json::json!({"error": "invalid_field", "field": "topics", "message": format!("unknown topics {unknown:?}; known: {TOPICS:?}")})
            } else {
                let named = TOPICS
                    .iter()
                    .copied()
                    .filter(|t| c.topics.iter().any(|x| x == t));
                match c.op.as_str() {
                    "subscribe" => topics.extend(named),
                    "unsubscribe" => named.for_each(|t| {
                        topics.remove(t);
                    }),
                    other => {
                        return serde_json::json!({"error": "invalid_field", "field": "op", "message": format!("`{other}`: subscribe or unsubscribe")}).to_string();
                    }
                }
                serde_json::json!({"op": c.op, "topics": topics})
            }
        }
    };
    reply.to_string()
}
