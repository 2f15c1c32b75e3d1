//! The streams a venue opens, the same for every venue: market data (each
//! closed candle exactly once and in order across reconnects, trades, book
//! tops) and the account's order and fill reports. A stream lives as long
//! as its [`Subscription`]; dropping it closes the connection.

use crate::execution::UserEvent;
use crate::market::MarketEvent;
use tokio::sync::mpsc;

/// What a market data stream reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketStreamEvent {
    Connected {
        reconnect: bool,
    },
    Disconnected {
        reason: String,
    },
    /// A market event. Closed klines arrive exactly once, in order,
    /// including those backfilled over REST (without an `event_time`).
    Market(MarketEvent),
    /// A frame that did not parse (logged and skipped), with why.
    Malformed(String),
}

/// What an order report stream (a user data stream) reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserStreamEvent {
    /// (Re)connected; after a reconnect, reconcile: what the venue sent
    /// while the connection was down is not replayed.
    Connected {
        reconnect: bool,
    },
    Event(UserEvent),
    Disconnected {
        reason: String,
    },
    /// A frame that did not parse (logged and skipped, never fatal).
    Malformed(String),
}

/// A running stream: its events, and the connection behind them, which is
/// closed when the subscription is dropped.
pub struct Subscription<E> {
    events: mpsc::Receiver<E>,
    _connection: Box<dyn Send + Sync>,
}

impl<E> Subscription<E> {
    /// Wraps the receiving end of a stream and whatever keeps it alive.
    pub fn new(events: mpsc::Receiver<E>, connection: Box<dyn Send + Sync>) -> Self {
        Subscription {
            events,
            _connection: connection,
        }
    }

    /// The next event; `None` once the stream has ended.
    pub async fn recv(&mut self) -> Option<E> {
        self.events.recv().await
    }
}

impl<E> std::fmt::Debug for Subscription<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}
