//! The event bus: a session publishes each [`SessionEvent`] once, and every
//! subscriber gets it in order. Two kinds of subscriber:
//!
//! - **lossless** (the command line's output, an event-stream publisher,
//!   alerts): a bounded queue; when it is full the session waits for the
//!   subscriber (back-pressure), so nothing is ever dropped. A subscriber
//!   that goes away is forgotten.
//! - **lossy** (a UI stream): a ring buffer the session never waits on; a
//!   subscriber that falls behind is told how many events it missed.
//!
//! The journal is not a subscriber: it is written before anything is
//! published (an order is journaled before it is sent), so what the bus
//! carries has already been committed.

use crate::event::SessionEvent;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{broadcast, mpsc};

/// Events a lossy subscriber may fall behind by before it misses some.
pub const LOSSY_CAPACITY: usize = 4_096;

/// One published event, shared by every subscriber.
pub type Published = Arc<SessionEvent>;

/// A publisher and its subscribers. Cheap to clone; clones share them.
#[derive(Debug, Clone)]
pub struct EventBus {
    lossless: Arc<Mutex<Vec<mpsc::Sender<Published>>>>,
    lossy: broadcast::Sender<Published>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        EventBus {
            lossless: Arc::default(),
            lossy: broadcast::channel(LOSSY_CAPACITY).0,
        }
    }

    /// A subscriber that receives every event from now on; the session
    /// waits for it when `capacity` events are queued.
    pub fn subscribe_lossless(&self, capacity: usize) -> Lossless {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.lossless
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx);
        Lossless { rx }
    }

    /// A subscriber that may fall behind, and is then told by how much.
    pub fn subscribe_lossy(&self) -> Lossy {
        Lossy {
            rx: self.lossy.subscribe(),
        }
    }

    /// Publishes `event` to every subscriber, waiting for lossless ones
    /// with a full queue. Call it from a plain thread (not from inside an
    /// async task): the wait blocks the thread.
    pub fn publish(&self, event: SessionEvent) {
        let event = Arc::new(event);
        let mut lossless = self.lossless.lock().unwrap_or_else(PoisonError::into_inner);
        // A send fails only when the subscriber is gone.
        lossless.retain(|tx| tx.blocking_send(event.clone()).is_ok());
        drop(lossless);
        // No lossy subscriber is not an error.
        let _ = self.lossy.send(event);
    }
}

/// The receiving end of a lossless subscription.
#[derive(Debug)]
pub struct Lossless {
    rx: mpsc::Receiver<Published>,
}

impl Lossless {
    /// The next event, waiting for it; `None` once every publisher is gone.
    pub async fn recv(&mut self) -> Option<Published> {
        self.rx.recv().await
    }

    /// [`Lossless::recv`] for a plain thread.
    pub fn recv_blocking(&mut self) -> Option<Published> {
        self.rx.blocking_recv()
    }
}

/// What a lossy subscriber receives.
#[derive(Debug, Clone)]
pub enum Delivery {
    Event(Published),
    /// This many events were dropped because the subscriber fell behind.
    Missed(u64),
}

/// The receiving end of a lossy subscription.
#[derive(Debug)]
pub struct Lossy {
    rx: broadcast::Receiver<Published>,
}

impl Lossy {
    /// The next event, or how many were missed; `None` once the bus is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        match self.rx.recv().await {
            Ok(e) => Some(Delivery::Event(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Delivery::Missed(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// What is already published, without waiting; `None` when nothing
    /// is (or the bus is gone).
    pub fn try_recv(&mut self) -> Option<Delivery> {
        match self.rx.try_recv() {
            Ok(e) => Some(Delivery::Event(e)),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Some(Delivery::Missed(n)),
            Err(_) => None,
        }
    }

    /// [`Lossy::recv`] for a plain thread.
    pub fn recv_blocking(&mut self) -> Option<Delivery> {
        match self.rx.blocking_recv() {
            Ok(e) => Some(Delivery::Event(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Delivery::Missed(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;

    fn notice(k: usize) -> SessionEvent {
        SessionEvent::notice(Level::Info, k.to_string())
    }

    fn text(e: &SessionEvent) -> String {
        match e {
            SessionEvent::Notice { message, .. } => message.clone(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_lossless_subscriber_gets_everything_in_order_even_when_slow() {
        let bus = EventBus::new();
        let mut sub = bus.subscribe_lossless(2);
        let publisher = {
            let bus = bus.clone();
            std::thread::spawn(move || {
                for k in 0..100 {
                    bus.publish(notice(k));
                }
            })
        };
        let mut got = Vec::new();
        while got.len() < 100 {
            // Slower than the publisher: the queue of 2 fills up.
            std::thread::sleep(std::time::Duration::from_micros(200));
            got.push(text(&sub.recv_blocking().unwrap()));
        }
        publisher.join().unwrap();
        let want: Vec<String> = (0..100).map(|k| k.to_string()).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_lossy_subscriber_is_told_how_many_it_missed() {
        let bus = EventBus::new();
        let mut sub = bus.subscribe_lossy();
        let extra = 10;
        for k in 0..LOSSY_CAPACITY + extra {
            bus.publish(notice(k));
        }
        match sub.recv_blocking() {
            Some(Delivery::Missed(n)) => assert_eq!(n, extra as u64),
            other => panic!("expected a gap, got {other:?}"),
        }
        // Then the oldest event still held, and the rest in order.
        match sub.recv_blocking() {
            Some(Delivery::Event(e)) => assert_eq!(text(&e), extra.to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_departed_lossless_subscriber_does_not_block_the_session() {
        let bus = EventBus::new();
        let sub = bus.subscribe_lossless(1);
        drop(sub);
        for k in 0..10 {
            bus.publish(notice(k)); // would block forever on a full queue
        }
        assert!(bus.lossless.lock().unwrap().is_empty());
    }
}
