//! What the router knows of each venue of a routed session: the latest
//! order book of each symbol there, polled over REST, and the venue's
//! health and round trip as measured by those polls (a failed poll is an
//! error; three in a row, or a book older than the staleness limit, count
//! as a disconnect). Polling keeps the inputs exact without a depth stream
//! per venue: a decision needs the book only when an order is placed.

use rust_decimal::Decimal;
use smc_model::{Clock, WallClock};
use smc_routing::Level;
use smc_routing::monitor::VenueMonitor;
use smc_routing::{BookSide, Health};
use smc_venues::MarketDataVenue;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed polls in a row after which the venue counts as disconnected.
const FAILURES_TO_DISCONNECT: u32 = 3;
/// The window of the health counters.
const HEALTH_WINDOW_MS: i64 = 60_000;

/// One symbol's book on one venue, best levels first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueBook {
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
    /// When the poll that brought it returned (wall clock, epoch ms).
    pub at_ms: i64,
}

#[derive(Debug)]
struct VenueView {
    books: BTreeMap<String, VenueBook>,
    monitor: VenueMonitor,
    failures_in_row: u32,
}

impl Default for VenueView {
    fn default() -> Self {
        VenueView {
            books: BTreeMap::new(),
            monitor: VenueMonitor::new(HEALTH_WINDOW_MS),
            failures_in_row: 0,
        }
    }
}

/// What the router sees of one venue for one symbol right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// Asks for a buy, bids for a sell; empty when no fresh book is held.
    pub bids: BookSide,
    pub asks: BookSide,
    pub health: Health,
    pub latency_ms: Decimal,
}

/// The views of every venue, shared between the pollers and the router.
#[derive(Debug, Clone, Default)]
pub struct VenueViews {
    inner: Arc<Mutex<BTreeMap<String, VenueView>>>,
    /// A book older than this is not used (the venue counts as disconnected).
    stale_after_ms: i64,
}

impl VenueViews {
    pub fn new(stale_after: Duration) -> Self {
        VenueViews {
            inner: Arc::default(),
            stale_after_ms: i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX),
        }
    }

    fn with<T>(&self, venue: &str, f: impl FnOnce(&mut VenueView) -> T) -> T {
        let mut views = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(views.entry(venue.to_string()).or_default())
    }

    /// A poll of `venue` returned `book` for `symbol` after `round_trip`.
    pub fn polled(&self, venue: &str, symbol: &str, book: VenueBook, round_trip: Duration) {
        self.with(venue, |v| {
            v.books.insert(symbol.to_string(), book);
            v.monitor.connected();
            v.failures_in_row = 0;
            v.monitor
                .round_trip(Decimal::from(round_trip.as_micros()) / Decimal::ONE_THOUSAND);
        });
    }

    /// A poll of `venue` failed at `at_ms`.
    pub fn failed(&self, venue: &str, at_ms: i64) {
        self.with(venue, |v| {
            v.monitor.error(at_ms);
            v.failures_in_row += 1;
            if v.failures_in_row == FAILURES_TO_DISCONNECT {
                v.monitor.disconnected(at_ms);
                v.books.clear();
            }
        });
    }

    /// Whether a circuit breaker of `venue` is tripped.
    pub fn breaker(&self, venue: &str, tripped: bool) {
        self.with(venue, |v| v.monitor.breaker(tripped));
    }

    /// What the router sees of `venue` for `symbol` at `now_ms`.
    pub fn sighting(&self, venue: &str, symbol: &str, now_ms: i64) -> Sighting {
        let stale_after = self.stale_after_ms;
        self.with(venue, |v| {
            let mut health = v.monitor.health(now_ms);
            let fresh = v
                .books
                .get(symbol)
                .filter(|b| now_ms.saturating_sub(b.at_ms) <= stale_after);
            if fresh.is_none() || v.failures_in_row >= FAILURES_TO_DISCONNECT {
                health.connected = false;
            }
            let (bids, asks) = fresh.map_or_else(Default::default, |b| {
                (BookSide::new(b.bids.clone()), BookSide::new(b.asks.clone()))
            });
            Sighting {
                bids,
                asks,
                health,
                latency_ms: v.monitor.latency_ms(Decimal::ZERO),
            }
        })
    }
}

/// How the books are polled.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub every: Duration,
    pub levels: u32,
    /// A poll slower than this fails.
    pub timeout: Duration,
}

impl Default for Polling {
    /// Every 500 ms, 50 levels, 2 s timeout.
    fn default() -> Self {
        Polling {
            every: Duration::from_millis(500),
            levels: 50,
            timeout: Duration::from_secs(2),
        }
    }
}

fn levels(raw: &[smc_venues::BookLevel]) -> Vec<Level> {
    raw.iter()
        .map(|l| Level {
            price: l.price,
            qty: l.qty,
        })
        .collect()
}

/// One poll of `symbol` on `venue`.
async fn poll_once(
    venue: &dyn MarketDataVenue,
    name: &str,
    symbol: &str,
    polling: Polling,
    views: &VenueViews,
) {
    let start = Instant::now();
    let answer = tokio::time::timeout(polling.timeout, venue.order_book(symbol, polling.levels));
    match answer.await {
        Ok(Ok(snapshot)) => {
            let book = VenueBook {
                bids: levels(&snapshot.bids),
                asks: levels(&snapshot.asks),
                at_ms: WallClock.now().ms(),
            };
            views.polled(name, symbol, book, start.elapsed());
        }
        Ok(Err(e)) => {
            tracing::debug!(venue = name, %symbol, %e, "order book poll failed");
            views.failed(name, WallClock.now().ms());
        }
        Err(_) => views.failed(name, WallClock.now().ms()),
    }
}

/// Polls `symbols` on `venue` (called `name` in decisions) into `views`
/// until the returned task is aborted.
pub fn spawn_poller(
    runtime: &tokio::runtime::Runtime,
    name: String,
    venue: Arc<dyn MarketDataVenue>,
    symbols: Vec<String>,
    views: VenueViews,
    polling: Polling,
) -> tokio::task::JoinHandle<()> {
    runtime.spawn(async move {
        loop {
            for symbol in &symbols {
                poll_once(venue.as_ref(), &name, symbol, polling, &views).await;
            }
            tokio::time::sleep(polling.every).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn book(at_ms: i64) -> VenueBook {
        let l = |price, qty| Level { price, qty };
        VenueBook {
            bids: vec![l(dec!(99), dec!(1))],
            asks: vec![l(dec!(101), dec!(1))],
            at_ms,
        }
    }

    #[test]
    fn fresh_book_is_seen_and_stale_one_is_not() {
        let views = VenueViews::new(Duration::from_secs(2));
        views.polled("binance", "BTCUSDT", book(1_000), Duration::from_millis(4));
        let s = views.sighting("binance", "BTCUSDT", 2_000);
        assert!(s.health.connected);
        assert_eq!(s.asks.best(), Some(dec!(101)));
        assert_eq!(s.latency_ms, dec!(4));
        let later = views.sighting("binance", "BTCUSDT", 3_001);
        assert!(!later.health.connected, "a book 2.001 s old is stale");
        assert!(later.asks.levels.is_empty());
    }

    #[test]
    fn failures_count_as_errors_then_a_disconnect() {
        let views = VenueViews::new(Duration::from_secs(60));
        views.polled("bybit", "BTCUSDT", book(1_000), Duration::from_millis(1));
        views.failed("bybit", 1_100);
        let s = views.sighting("bybit", "BTCUSDT", 1_200);
        assert!(
            s.health.connected,
            "one failure is an error, not a disconnect"
        );
        assert_eq!(s.health.recent_errors, 1);
        views.failed("bybit", 1_300);
        views.failed("bybit", 1_400);
        let s = views.sighting("bybit", "BTCUSDT", 1_500);
        assert!(!s.health.connected);
        assert_eq!(s.health.recent_disconnects, 1);
        views.polled("bybit", "BTCUSDT", book(1_600), Duration::from_millis(1));
        assert!(views.sighting("bybit", "BTCUSDT", 1_700).health.connected);
    }

    #[test]
    fn an_unknown_venue_is_disconnected() {
        let views = VenueViews::new(Duration::from_secs(2));
        assert!(!views.sighting("okx", "BTCUSDT", 0).health.connected);
    }
}
