//! The event hub behind the WebSocket API: every hosted session's events
//! and every job's progress, each under its topic, fanned out to all
//! connected clients. Clients read at their own pace from a ring buffer;
//! one that falls a whole ring behind is dropped with a close reason, so a
//! slow client never slows a session.
//!
//! The `system` topic carries each session's own events (start,
//! connection changes, reconciliations, notices, stop) as
//! `{"session", "event"}`, and every two seconds while a client listens
//! the server's snapshot as `{"type": "snapshot", …}` (the fields of
//! `GET /api/v1/system` but its build information).

use serde::Serialize;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The topics a client may subscribe to.
pub const TOPICS: [&str; 9] = [
    "candles",
    "detections",
    "orders",
    "fills",
    "positions",
    "risk",
    "system",
    "backtests",
    "optimizations",
];

/// Messages a client may fall behind by before it is dropped.
pub const CAPACITY: usize = 65_536;

/// One message: its topic and its ready-made JSON frame
/// (`{"topic":…,"data":…}`), serialised once for every client.
#[derive(Debug)]
pub struct Frame {
    pub topic: &'static str,
    pub json: String,
}

#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Frame>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

#[derive(Serialize)]
struct Message<'a, T: Serialize> {
    topic: &'a str,
    data: &'a T,
}

impl Hub {
    /// Publishes `data` under `topic`; nothing happens without clients.
    pub fn publish<T: Serialize>(&self, topic: &'static str, data: &T) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        match serde_json::to_string(&Message { topic, data }) {
            Ok(json) => {
                let _ = self.tx.send(Arc::new(Frame { topic, json }));
            }
            Err(e) => tracing::error!("hub: cannot serialise a {topic} message: {e}"),
        }
    }

    /// Whether any client listens (what is published is otherwise dropped).
    pub fn has_clients(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.tx.subscribe()
    }
}
