//! [`Metrics`]: the registry, the calls that feed it from outside the
//! sessions (the API server's requests and WebSocket clients, the hosted
//! sessions and backtest jobs it counts), and the rendering for a scrape.

use crate::families::Families;
use crate::labels::{self, ModeState, Reason, RouteMethod, RouteMethodStatus, SessionL, State};
use crate::observe::Books;
use crate::process;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use smc_model::MarketKind;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The agent's metrics. Cloning is cheap: clones share one registry.
///
/// Counters, gauges and histograms are atomics (a histogram takes a short
/// uncontended lock per observation); the only other locks guard small
/// maps and are never held across IO. Nothing here runs on the engine
/// thread: sessions reach it through their event bus subscriptions.
#[derive(Debug, Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    families: Families,
    /// Per-session position state the P&L and exposure gauges derive from.
    books: Books,
    /// Label sets `set_sessions` and `set_backtest_jobs` have written, so
    /// that one missing from a later call goes to zero instead of keeping
    /// its stale count.
    sessions_seen: Mutex<HashSet<ModeState>>,
    jobs_seen: Mutex<HashSet<State>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let families = Families::new();
        let mut registry = Registry::with_prefix("smc");
        families.register(&mut registry);
        Metrics {
            inner: Arc::new(Inner {
                registry,
                families,
                books: Books::default(),
                sessions_seen: Mutex::default(),
                jobs_seen: Mutex::default(),
            }),
        }
    }

    pub(crate) fn families(&self) -> &Families {
        &self.inner.families
    }

    pub(crate) fn books(&self) -> &Books {
        &self.inner.books
    }

    /// Tells how to read a session's equity marks: on spot, equity holds
    /// the positions at their marks and their cost is taken out to get the
    /// unrealized P&L; on perpetuals it is wallet plus unrealized P&L.
    /// Sessions are taken as spot until told.
    pub fn set_market(&self, session: &str, market: MarketKind) {
        self.inner.books.set_market(session, market);
    }

    /// One closed candle's time to its first order.
    pub fn candle_to_order(&self, session: &str, elapsed: Duration) {
        self.inner
            .families
            .candle_to_order
            .get_or_create(&SessionL {
                session: session.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// A lossy subscriber fell behind the session by `missed` events (the
    /// counters undercount by that much; the gauges catch up at the next
    /// mark).
    pub fn missed_events(&self, session: &str, missed: u64) {
        self.inner
            .families
            .missed_events
            .get_or_create(&SessionL {
                session: session.to_owned(),
            })
            .inc_by(missed);
    }

    /// One API request served. `route` must be the route template
    /// (`/api/v1/sessions/{id}`), never the raw path: a path carries ids
    /// and whatever a client typed, one series each. Methods outside the
    /// standard set are counted as `OTHER`.
    pub fn api_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let f = &self.inner.families;
        let method = labels::method(method);
        f.api_requests
            .get_or_create(&RouteMethodStatus {
                route: route.to_owned(),
                method,
                status: status.to_string(),
            })
            .inc();
        f.api_duration
            .get_or_create(&RouteMethod {
                route: route.to_owned(),
                method,
            })
            .observe(elapsed.as_secs_f64());
    }

    /// A WebSocket client connected (`+1`) or went away (`-1`).
    pub fn ws_clients(&self, delta: i64) {
        self.inner.families.ws_clients.inc_by(delta);
    }

    /// The server dropped a WebSocket client; `reason` is a short code
    /// (`lagged`, `send_failed`, `idle`), static so it cannot be free text.
    pub fn ws_dropped(&self, reason: &'static str) {
        self.inner
            .families
            .ws_dropped
            .get_or_create(&Reason { reason })
            .inc();
    }

    /// The hosted sessions now, as `(mode, state, count)`; a pair counted
    /// before and absent now is set to zero.
    pub fn set_sessions<'a>(&self, counts: impl IntoIterator<Item = (&'a str, &'a str, i64)>) {
        let counts = counts.into_iter().map(|(mode, state, n)| {
            let labels = ModeState {
                mode: mode.to_owned(),
                state: state.to_owned(),
            };
            (labels, n)
        });
        let family = &self.inner.families.sessions;
        set_all(&self.inner.sessions_seen, counts, |l, n| {
            family.get_or_create(l).set(n);
        });
    }

    /// The backtest jobs now, as `(state, count)`; a state counted before
    /// and absent now is set to zero.
    pub fn set_backtest_jobs<'a>(&self, counts: impl IntoIterator<Item = (&'a str, i64)>) {
        let counts = counts.into_iter().map(|(state, n)| {
            let labels = State {
                state: state.to_owned(),
            };
            (labels, n)
        });
        let family = &self.inner.families.backtest_jobs;
        set_all(&self.inner.jobs_seen, counts, |l, n| {
            family.get_or_create(l).set(n);
        });
    }

    /// Every family in the Prometheus text format (see [`crate::CONTENT_TYPE`]),
    /// then the process metrics read from `/proc` now. It reads a few small
    /// files: an async handler may call it directly (a scrape is rare and
    /// short) or through `spawn_blocking`.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Encoding into a String cannot fail: the error type is fmt's, and
        // a String's writes always succeed.
        let _ = prometheus_text::encode(&mut out, &self.inner.registry);
        process::render(&process::read(), &mut out);
        out
    }
}

/// Sets each count, then zeroes the label sets seen before but not now.
fn set_all<L: Hash + Eq + Clone>(
    seen: &Mutex<HashSet<L>>,
    counts: impl Iterator<Item = (L, i64)>,
    set: impl Fn(&L, i64),
) {
    let mut now = HashSet::new();
    for (labels, n) in counts {
        set(&labels, n);
        now.insert(labels);
    }
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    for gone in seen.difference(&now) {
        set(gone, 0);
    }
    seen.extend(now);
}
