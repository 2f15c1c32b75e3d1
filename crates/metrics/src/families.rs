//! The metric families and their registration: one place that names every
//! series the agent exports, which the Grafana dashboards query (the
//! dashboards test checks they only query names rendered from here).

use crate::labels::{
    ModeState, Reason, RouteMethod, RouteMethodStatus, SessionBreaker, SessionKind, SessionL,
    SessionLevel, SessionQuantile, SessionReason, SessionStream, SessionSymbol, SessionSymbolSide,
    SessionVenue, State,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// Upper bounds of `smc_candle_to_order_seconds`: 10 µs to 1 s in 1-2.5-5
/// steps. A healthy engine answers a candle in tens of microseconds; the
/// upper buckets are there to show a stall, not to resolve it.
pub const CANDLE_TO_ORDER_BUCKETS: [f64; 16] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0,
];

/// Upper bounds of `smc_api_request_duration_seconds`: 100 µs to 5 s.
pub const API_DURATION_BUCKETS: [f64; 15] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0,
];

/// Values of `smc_breaker_state`.
pub mod breaker_state {
    /// Watching; orders that add risk pass.
    pub const ARMED: i64 = 0;
    /// Tripped; orders that add risk are refused until it is released.
    pub const TRIPPED: i64 = 1;
    /// Released (by its cooldown or an operator) but not yet watching again.
    pub const COOLING_DOWN: i64 = 2;
}

type FGauge = Gauge<f64, AtomicU64>;
type HistFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn candle_histogram() -> Histogram {
    Histogram::new(CANDLE_TO_ORDER_BUCKETS)
}

fn api_histogram() -> Histogram {
    Histogram::new(API_DURATION_BUCKETS)
}

/// Every family, each a cheap handle onto series the registry also holds.
#[derive(Debug, Clone)]
pub(crate) struct Families {
    pub orders: Family<SessionSymbolSide, Counter>,
    pub fills: Family<SessionSymbolSide, Counter>,
    pub rejections: Family<SessionReason, Counter>,
    pub no_trade: Family<SessionReason, Counter>,
    pub candle_to_order: HistFamily<SessionL>,
    pub candle_to_order_last_run: Family<SessionQuantile, FGauge>,
    pub api_requests: Family<RouteMethodStatus, Counter>,
    pub api_duration: HistFamily<RouteMethod>,
    pub ws_clients: Gauge,
    pub ws_dropped: Family<Reason, Counter>,
    pub equity: Family<SessionL, FGauge>,
    pub realized_pnl: Family<SessionL, FGauge>,
    pub unrealized_pnl: Family<SessionL, FGauge>,
    pub exposure: Family<SessionSymbol, FGauge>,
    pub breaker_state: Family<SessionBreaker, Gauge>,
    pub breaker_trips: Family<SessionBreaker, Counter>,
    pub venue_reconnects: Family<SessionStream, Counter>,
    pub venue_errors: Family<SessionKind, Counter>,
    pub notices: Family<SessionLevel, Counter>,
    pub routed_orders: Family<SessionVenue, Counter>,
    pub missed_events: Family<SessionL, Counter>,
    pub sessions: Family<ModeState, Gauge>,
    pub backtest_jobs: Family<State, Gauge>,
}

impl Families {
    pub fn new() -> Self {
        Families {
            orders: Family::default(),
            fills: Family::default(),
            rejections: Family::default(),
            no_trade: Family::default(),
            candle_to_order: Family::new_with_constructor(candle_histogram),
            candle_to_order_last_run: Family::default(),
            api_requests: Family::default(),
            api_duration: Family::new_with_constructor(api_histogram),
            ws_clients: Gauge::default(),
            ws_dropped: Family::default(),
            equity: Family::default(),
            realized_pnl: Family::default(),
            unrealized_pnl: Family::default(),
            exposure: Family::default(),
            breaker_state: Family::default(),
            breaker_trips: Family::default(),
            venue_reconnects: Family::default(),
            venue_errors: Family::default(),
            notices: Family::default(),
            routed_orders: Family::default(),
            missed_events: Family::default(),
            sessions: Family::default(),
            backtest_jobs: Family::default(),
        }
    }

    /// Registers every family under the `smc_` prefix. Counters are named
    /// without `_total`: the encoder appends it.
    pub fn register(&self, registry: &mut Registry) {
        let r = registry;
        r.register("orders", "Orders sent to the venue", self.orders.clone());
        r.register("fills", "Fills received", self.fills.clone());
        r.register(
            "order_rejections",
            "Orders refused, by code: risk, venue, insufficient_balance, filter",
            self.rejections.clone(),
        );
        r.register(
            "candle_to_order_seconds",
            "Time from a closed candle's arrival to the first order it caused",
            self.candle_to_order.clone(),
        );
        r.register(
            "candle_to_order_last_run_seconds",
            "Candle-to-order percentiles of a session's last finished run",
            self.candle_to_order_last_run.clone(),
        );
        r.register(
            "api_requests",
            "API requests served, by route template, method and status",
            self.api_requests.clone(),
        );
        r.register(
            "api_request_duration_seconds",
            "API request handling time, by route template and method",
            self.api_duration.clone(),
        );
        r.register(
            "ws_clients",
            "Connected WebSocket clients",
            self.ws_clients.clone(),
        );
        r.register(
            "ws_dropped_clients",
            "WebSocket clients dropped by the server, by reason",
            self.ws_dropped.clone(),
        );
        r.register(
            "equity",
            "Account equity at the last bar close",
            self.equity.clone(),
        );
        r.register(
            "realized_pnl",
            "Realized P&L before fees, summed over instruments",
            self.realized_pnl.clone(),
        );
        r.register(
            "unrealized_pnl",
            "Unrealized P&L of the open positions at the last bar close",
            self.unrealized_pnl.clone(),
        );
        r.register(
            "exposure",
            "Signed notional of the open position at its entry price",
            self.exposure.clone(),
        );
        r.register(
            "breaker_state",
            "Circuit breaker state: 0 armed, 1 tripped, 2 cooling down",
            self.breaker_state.clone(),
        );
        r.register(
            "breaker_trips",
            "Circuit breaker trips",
            self.breaker_trips.clone(),
        );
        r.register(
            "venue_reconnects",
            "Venue stream reconnections",
            self.venue_reconnects.clone(),
        );
        r.register(
            "venue_errors",
            "Venue errors: disconnected, malformed_frame, cancel_failed, amend_rejected, protection_failed, mismatch",
            self.venue_errors.clone(),
        );
        r.register("notices", "Session notices, by level", self.notices.clone());
        r.register(
            "no_trade",
            "Entry candles that placed no order, by the strategy's reason (no_setup, outside_kill_zone, model_below_threshold, ...)",
            self.no_trade.clone(),
        );
        r.register(
            "routed_orders",
            "Orders (or parts of split orders) the router sent to each venue; venue=none: refused",
            self.routed_orders.clone(),
        );
        r.register(
            "bus_missed_events",
            "Session events the metrics subscriber missed by falling behind",
            self.missed_events.clone(),
        );
        r.register(
            "sessions",
            "Hosted sessions, by mode and state",
            self.sessions.clone(),
        );
        r.register(
            "backtest_jobs",
            "Backtest jobs, by state",
            self.backtest_jobs.clone(),
        );
    }
}
