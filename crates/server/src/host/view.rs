//! What the API shows of a hosted session, kept up to date from its
//! event stream: open orders, positions, recent fills, equity, breakers,
//! connection state, stream health and the risk measures of `GET /risk`.
//! Reads never touch the session's thread or journal.

use crate::host::equity::EquityMarks;
use crate::host::health::Health;
use crate::host::risk_view::RiskMirror;
use crate::host::setups::Setups;
use serde::Serialize;
use smc_model::{EngineEvent, Fill, OrderRequest, RiskVerdict};
use smc_runtime::SessionEvent;
use std::collections::{BTreeMap, VecDeque};

/// Fills kept for `GET /trades`.
pub const RECENT_FILLS: usize = 1_000;

/// An order the session has open.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenOrder {
    #[schema(value_type = Object)]
    pub order: serde_json::Value,
    /// `submitted`, `accepted`, `cancel_requested`.
    pub status: &'static str,
    pub filled_qty: String,
    /// The strategy's setup behind the order (`ob_retest:1h`), if named.
    pub setup: Option<String>,
}

/// A fill, with the setup of the order it filled.
#[derive(Debug, Clone, Serialize)]
pub struct RecentFill {
    #[serde(flatten)]
    pub fill: Fill,
    pub setup: Option<String>,
}

/// A position.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Position {
    pub instrument: String,
    pub qty: String,
    pub avg_price: String,
    pub realized_pnl: String,
    pub time: i64,
}

/// A breaker's last known state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreakerView {
    pub state: &'static str,
    pub reason: String,
    pub time: i64,
}

/// The session as its events describe it.
#[derive(Debug, Default, Clone, Serialize)]
pub struct View {
    pub orders: BTreeMap<String, OpenOrder>,
    pub positions: BTreeMap<String, Position>,
    pub fills: VecDeque<RecentFill>,
    pub cash: Option<String>,
    pub equity: Option<String>,
    pub starting_equity: Option<String>,
    pub breakers: BTreeMap<String, BreakerView>,
    pub risk_refusals: u64,
    pub orders_sent: u64,
    pub connected: bool,
    pub last_event_at: Option<i64>,
    pub candles: u64,
    /// Stream states, reconnects, candle-to-order times.
    #[serde(skip)]
    pub health: Health,
    /// Closes and marks for the exposure groups and the VaR.
    #[serde(skip)]
    pub risk: RiskMirror,
    /// Equity at the start of the day and at its peak.
    #[serde(skip)]
    pub marks: EquityMarks,
    /// The setup of each recent order.
    #[serde(skip)]
    pub setups: Setups,
    /// Bumped by every event folded in, so that the Redis cache writes a
    /// view only when it changed.
    #[serde(skip)]
    pub version: u64,
    /// The latest detections per `SYMBOL:timeframe` ([`LATEST_DETECTIONS`] each).
    #[serde(skip)]
    pub detections: BTreeMap<String, VecDeque<serde_json::Value>>,
}

/// Detections kept per symbol and timeframe for the Redis cache.
pub const LATEST_DETECTIONS: usize = 20;

fn order_json(order: &OrderRequest) -> serde_json::Value {
    serde_json::to_value(order).unwrap_or(serde_json::Value::Null)
}

impl View {
    /// A view whose VaR keeps `var_window` returns per symbol.
    pub fn new(var_window: usize) -> Self {
        View {
            risk: RiskMirror::new(var_window),
            ..View::default()
        }
    }

    /// Keeps `found`, a detection on `symbol`'s `timeframe` candles.
    pub fn detected(&mut self, symbol: &str, timeframe: &str, found: serde_json::Value) {
        let kept = self
            .detections
            .entry(format!("{symbol}:{timeframe}"))
            .or_default();
        if kept.len() == LATEST_DETECTIONS {
            kept.pop_front();
        }
        kept.push_back(found);
        self.version = self.version.wrapping_add(1);
    }

    /// Folds one event in.
    pub fn apply(&mut self, event: &SessionEvent) {
        self.version = self.version.wrapping_add(1);
        self.health.apply(event);
        if let SessionEvent::Candle(closed) = event {
            self.risk.observe(closed);
        }
        match event {
            SessionEvent::Engine(e) => self.engine(e),
            SessionEvent::Connection { change, .. } => {
                self.connected = matches!(change, smc_runtime::Connection::Connected { .. });
            }
            SessionEvent::Started(_) => self.connected = true,
            SessionEvent::Stopped(s) => {
                self.connected = false;
                self.candles = s.candles;
            }
            SessionEvent::Candle(_) => self.candles += 1,
            SessionEvent::Reconciled { .. }
            | SessionEvent::Notice { .. }
            | SessionEvent::Route(_) => {}
        }
    }

    fn engine(&mut self, e: &EngineEvent) {
        use EngineEvent as E;
        match e {
            E::OrderSubmitted { order, setup, .. } => {
                self.orders_sent += 1;
                if let Some(setup) = setup {
                    self.setups.insert(order.client_id.as_str(), setup);
                }
                let open = OpenOrder {
                    order: order_json(order),
                    status: "submitted",
                    filled_qty: "0".into(),
                    setup: self
                        .setups
                        .get(order.client_id.as_str())
                        .map(str::to_string),
                };
                self.orders.insert(order.client_id.to_string(), open);
            }
            E::OrderAccepted { client_id, .. } => self.status(client_id.as_str(), "accepted"),
            E::CancelRequested { client_id, .. } => {
                self.status(client_id.as_str(), "cancel_requested");
            }
            E::OrderRejected { client_id, .. }
            | E::OrderCancelled { client_id, .. }
            | E::OrderExpired { client_id, .. } => {
                self.orders.remove(client_id.as_str());
            }
            E::Fill(fill) => self.fill(fill),
            E::PositionChanged {
                time,
                instrument,
                qty,
                avg_price,
                realized_pnl,
            } => {
                let key = instrument.to_string();
                if qty.is_zero() {
                    self.positions.remove(&key);
                } else {
                    self.positions.insert(
                        key.clone(),
                        Position {
                            instrument: key,
                            qty: qty.to_string(),
                            avg_price: avg_price.to_string(),
                            realized_pnl: realized_pnl.to_string(),
                            time: time.ms(),
                        },
                    );
                }
            }
            E::EquityMark { time, cash, equity } => {
                self.starting_equity
                    .get_or_insert_with(|| equity.to_string());
                self.cash = Some(cash.to_string());
                self.equity = Some(equity.to_string());
                self.marks.mark(*time, *equity);
                self.last_event_at = Some(time.ms());
            }
            E::RiskDecision {
                verdict: RiskVerdict::Refused { .. },
                ..
            } => self.risk_refusals += 1,
            E::BreakerTripped {
                time,
                breaker,
                reason,
                ..
            } => self.breaker(breaker, "tripped", reason, time.ms()),
            E::BreakerReset {
                time,
                breaker,
                reason,
                ..
            }
            | E::BreakerCoolingDown {
                time,
                breaker,
                reason,
            } => {
                self.breaker(breaker, "cooling_down", reason, time.ms());
            }
            E::BreakerArmed { time, breaker, .. } => self.breaker(breaker, "armed", "", time.ms()),
            _ => {}
        }
    }

    fn status(&mut self, client_id: &str, status: &'static str) {
        if let Some(o) = self.orders.get_mut(client_id) {
            o.status = status;
        }
    }

    fn fill(&mut self, fill: &Fill) {
        let id = fill.client_id.to_string();
        if let Some(o) = self.orders.get_mut(&id) {
            let done: rust_decimal::Decimal = o.filled_qty.parse().unwrap_or_default();
            let total = done + fill.qty;
            let wanted = o
                .order
                .get("qty")
                .and_then(|q| q.as_str())
                .and_then(|q| q.parse().ok());
            if wanted.is_some_and(|w: rust_decimal::Decimal| total >= w) {
                self.orders.remove(&id);
            } else {
                o.filled_qty = total.to_string();
            }
        }
        if self.fills.len() == RECENT_FILLS {
            self.fills.pop_front();
        }
        self.fills.push_back(RecentFill {
            fill: fill.clone(),
            setup: self.setups.get(&id).map(str::to_string),
        });
    }

    fn breaker(&mut self, name: &str, state: &'static str, reason: &str, time: i64) {
        self.breakers.insert(
            name.to_string(),
            BreakerView {
                state,
                reason: reason.to_string(),
                time,
            },
        );
    }
}

/// The WebSocket topic of an event.
pub fn topic(event: &SessionEvent) -> &'static str {
    use EngineEvent as E;
    match event {
        SessionEvent::Engine(e) => match e {
            E::Fill(_) => "fills",
            E::PositionChanged { .. } | E::EquityMark { .. } | E::FundingPaid { .. } => "positions",
            E::RiskDecision { .. }
            | E::BreakerTripped { .. }
            | E::BreakerReset { .. }
            | E::BreakerCoolingDown { .. }
            | E::BreakerArmed { .. }
            | E::ProtectionFailed { .. } => "risk",
            _ => "orders",
        },
        SessionEvent::Candle(_) => "candles",
        _ => "system",
    }
}
