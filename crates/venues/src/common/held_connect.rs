//! `Connected` held back until the venue answers a private stream's
//! subscription. An order placed on seeing `Connected` must be streamed,
//! and before the answer the venue may not have subscribed this connection
//! yet; a venue that never answers must not leave the consumer waiting, so
//! after a while `Connected` is said anyway.

use crate::net::WsEvent;
use std::time::Duration;
use tokio::sync::mpsc;

/// The `Connected` of the current connection while it is held.
#[derive(Debug)]
pub(crate) struct HeldConnect {
    /// The held `reconnect` flag, if a `Connected` is held.
    held: Option<bool>,
    /// How long to wait for the venue's answer.
    wait: Duration,
}

impl HeldConnect {
    pub(crate) fn new(wait: Duration) -> Self {
        HeldConnect { held: None, wait }
    }

    /// The next socket event for the stream's consumer, or `None` once the
    /// socket task has ended. A `Connected` from the socket is held (not
    /// returned); it comes back as a `Connected` when no frame arrives
    /// within the wait. A `Disconnected` drops what is held.
    pub(crate) async fn next(&mut self, events: &mut mpsc::Receiver<WsEvent>) -> Option<WsEvent> {
        loop {
            let ev = match self.held {
                Some(reconnect) => match tokio::time::timeout(self.wait, events.recv()).await {
                    Ok(ev) => ev,
                    Err(_) => {
                        self.held = None;
                        return Some(WsEvent::Connected { reconnect });
                    }
                },
                None => events.recv().await,
            }?;
            match ev {
                WsEvent::Connected { reconnect } => self.held = Some(reconnect),
                WsEvent::Disconnected { .. } => {
                    self.held = None;
                    return Some(ev);
                }
                WsEvent::Text(_) => return Some(ev),
            }
        }
    }

    /// The venue answered: the held `reconnect` flag to say `Connected`
    /// with now, if one was held.
    pub(crate) fn answered(&mut self) -> Option<bool> {
        self.held.take()
    }
}
