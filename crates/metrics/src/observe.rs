//! Folding a session's bus events into the metric families: what the API
//! server does with each event of every hosted session.
//!
//! Counters count events; gauges hold the last value an event carried. P&L
//! and exposure need the session's positions, kept here per session from
//! the position events (the events carry one instrument at a time, the
//! gauges sum over all of them).

use crate::Metrics;
use crate::families::breaker_state;
use crate::labels::{
    self, SessionBreaker, SessionKind, SessionL, SessionLevel, SessionQuantile, SessionReason,
    SessionStream, SessionSymbol, SessionSymbolSide, SessionVenue,
};
use rust_decimal::Decimal;
use smc_model::num::to_f64;
use smc_model::{EngineEvent, MarketKind, RiskVerdict};
use smc_runtime::{Connection, Level, RouteEvent, SessionEvent, Stopped};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

/// One instrument's position as the last position event left it.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    qty: Decimal,
    avg_price: Decimal,
    /// So far, before fees.
    realized: Decimal,
}

#[derive(Debug, Default)]
struct Book {
    market: Option<MarketKind>,
    positions: BTreeMap<String, Position>,
    /// Symbols and breakers with a gauge series, to remove them with the
    /// session.
    symbols: BTreeSet<String>,
    breakers: BTreeSet<String>,
}

/// Every session's book. The lock is held for a map update, never across
/// IO or another lock.
#[derive(Debug, Default)]
pub(crate) struct Books(Mutex<HashMap<String, Book>>);

impl Books {
    fn with<R>(&self, session: &str, f: impl FnOnce(&mut Book) -> R) -> R {
        let mut books = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(books.entry(session.to_owned()).or_default())
    }

    pub(crate) fn set_market(&self, session: &str, market: MarketKind) {
        self.with(session, |b| b.market = Some(market));
    }
}

fn session_l(session: &str) -> SessionL {
    SessionL {
        session: session.to_owned(),
    }
}

impl Metrics {
    /// Folds one event of `session`'s bus into the families.
    pub fn observe(&self, session: &str, event: &SessionEvent) {
        let f = self.families();
        match event {
            SessionEvent::Engine(e) => self.engine(session, e),
            SessionEvent::Started(started) => {
                // Each traded symbol gets its exposure series at once (zero
                // until a position says otherwise), so panels show flat
                // symbols as zero rather than as no data.
                for symbol in &started.symbols {
                    self.books()
                        .with(session, |b| b.symbols.insert(symbol.clone()));
                    let _created = f.exposure.get_or_create(&SessionSymbol {
                        session: session.to_owned(),
                        symbol: symbol.clone(),
                    });
                }
            }
            SessionEvent::Connection { stream, change } => {
                let kind = match change {
                    Connection::Connected { reconnect: false } => return,
                    Connection::Connected { reconnect: true } => {
                        let labels = SessionStream {
                            session: session.to_owned(),
                            stream: labels::stream(*stream),
                        };
                        f.venue_reconnects.get_or_create(&labels).inc();
                        return;
                    }
                    Connection::Disconnected { .. } => "disconnected",
                    Connection::Malformed { .. } => "malformed_frame",
                };
                self.venue_error(session, kind);
            }
            SessionEvent::Reconciled { .. } => {}
            SessionEvent::Route(route) => self.routed(session, route),
            SessionEvent::Candle(c) => {
                if let Some(us) = c.candle_to_order_us {
                    self.candle_to_order(session, std::time::Duration::from_micros(us));
                }
            }
            SessionEvent::Notice { level, .. } => {
                let level = match level {
                    Level::Info => "info",
                    Level::Warn => "warn",
                    Level::Error => "error",
                };
                let labels = SessionLevel {
                    session: session.to_owned(),
                    level,
                };
                f.notices.get_or_create(&labels).inc();
            }
            SessionEvent::Stopped(stopped) => self.stopped(session, stopped),
        }
    }

    /// Each venue an order (or part of one) was routed to; `none` for an
    /// order no venue could take. Venue names come from a fixed set.
    fn routed(&self, session: &str, event: &RouteEvent) {
        let venues: Vec<&str> = match event {
            RouteEvent::Routed { decision, .. } => decision
                .allocations
                .iter()
                .map(|a| a.venue.as_str())
                .collect(),
            RouteEvent::RouteRefused { .. } => vec!["none"],
            RouteEvent::VenueFill { .. } => return,
        };
        for venue in venues {
            let labels = SessionVenue {
                session: session.to_owned(),
                venue: venue.to_owned(),
            };
            self.families().routed_orders.get_or_create(&labels).inc();
        }
    }

    fn engine(&self, session: &str, event: &EngineEvent) {
        let f = self.families();
        match event {
            EngineEvent::RiskDecision {
                verdict: RiskVerdict::Refused { .. },
                ..
            } => self.rejection(session, "risk"),
            EngineEvent::OrderSubmitted { order, .. } => {
                let labels = SessionSymbolSide {
                    session: session.to_owned(),
                    symbol: order.instrument.symbol().to_owned(),
                    side: labels::side(order.side),
                };
                f.orders.get_or_create(&labels).inc();
            }
            EngineEvent::OrderRejected { reason, .. } => {
                self.rejection(session, labels::rejection(reason));
            }
            EngineEvent::Fill(fill) => {
                let labels = SessionSymbolSide {
                    session: session.to_owned(),
                    symbol: fill.instrument.symbol().to_owned(),
                    side: labels::side(fill.side),
                };
                f.fills.get_or_create(&labels).inc();
            }
            EngineEvent::PositionChanged {
                instrument,
                qty,
                avg_price,
                realized_pnl,
                ..
            } => {
                let symbol = instrument.symbol().to_owned();
                let position = Position {
                    qty: *qty,
                    avg_price: *avg_price,
                    realized: *realized_pnl,
                };
                let realized = self.books().with(session, |b| {
                    b.symbols.insert(symbol.clone());
                    b.positions.insert(symbol.clone(), position);
                    b.positions.values().map(|p| p.realized).sum::<Decimal>()
                });
                let exposure = SessionSymbol {
                    session: session.to_owned(),
                    symbol,
                };
                f.exposure
                    .get_or_create(&exposure)
                    .set(to_f64(*qty * *avg_price));
                f.realized_pnl
                    .get_or_create(&session_l(session))
                    .set(to_f64(realized));
            }
            EngineEvent::EquityMark { cash, equity, .. } => {
                let unrealized = self.books().with(session, |b| match b.market {
                    Some(MarketKind::Perpetual | MarketKind::Forex) => *equity - *cash,
                    // Spot equity values the holdings at their marks; less
                    // their cost, what is left is the open P&L.
                    Some(MarketKind::Spot) | None => {
                        let cost: Decimal = b.positions.values().map(|p| p.qty * p.avg_price).sum();
                        *equity - *cash - cost
                    }
                });
                let l = session_l(session);
                f.equity.get_or_create(&l).set(to_f64(*equity));
                f.unrealized_pnl.get_or_create(&l).set(to_f64(unrealized));
            }
            EngineEvent::BreakerTripped { breaker, .. } => {
                let labels = self.breaker(session, breaker);
                f.breaker_trips.get_or_create(&labels).inc();
                f.breaker_state
                    .get_or_create(&labels)
                    .set(breaker_state::TRIPPED);
            }
            EngineEvent::BreakerReset { breaker, .. }
            | EngineEvent::BreakerCoolingDown { breaker, .. } => {
                let labels = self.breaker(session, breaker);
                f.breaker_state
                    .get_or_create(&labels)
                    .set(breaker_state::COOLING_DOWN);
            }
            EngineEvent::BreakerArmed { breaker, .. } => {
                let labels = self.breaker(session, breaker);
                f.breaker_state
                    .get_or_create(&labels)
                    .set(breaker_state::ARMED);
            }
            EngineEvent::CancelFailed { .. } => self.venue_error(session, "cancel_failed"),
            EngineEvent::AmendRejected { .. } => self.venue_error(session, "amend_rejected"),
            EngineEvent::ProtectionFailed { .. } => self.venue_error(session, "protection_failed"),
            EngineEvent::VenueMismatch { .. } => self.venue_error(session, "mismatch"),
            EngineEvent::RiskDecision { .. }
            | EngineEvent::OrderAccepted { .. }
            | EngineEvent::CancelRequested { .. }
            | EngineEvent::OrderCancelled { .. }
            | EngineEvent::OrderExpired { .. }
            | EngineEvent::OrderAmended { .. }
            | EngineEvent::FundingPaid { .. } => {}
            EngineEvent::NoTrade { reason, .. } => {
                let labels = SessionReason {
                    session: session.to_owned(),
                    reason: reason.as_str(),
                };
                f.no_trade.get_or_create(&labels).inc();
            }
        }
    }

    fn rejection(&self, session: &str, reason: &'static str) {
        let labels = SessionReason {
            session: session.to_owned(),
            reason,
        };
        self.families().rejections.get_or_create(&labels).inc();
    }

    fn venue_error(&self, session: &str, kind: &'static str) {
        let labels = SessionKind {
            session: session.to_owned(),
            kind,
        };
        self.families().venue_errors.get_or_create(&labels).inc();
    }

    fn breaker(&self, session: &str, breaker: &str) -> SessionBreaker {
        self.books()
            .with(session, |b| b.breakers.insert(breaker.to_owned()));
        SessionBreaker {
            session: session.to_owned(),
            breaker: breaker.to_owned(),
        }
    }

    fn stopped(&self, session: &str, stopped: &Stopped) {
        let Some(latency) = stopped.latency else {
            return;
        };
        let micros = |us: u128| us as f64 / 1e6;
        for (quantile, us) in [("0.5", latency.p50_us), ("0.99", latency.p99_us)] {
            let labels = SessionQuantile {
                session: session.to_owned(),
                quantile,
            };
            let family = &self.families().candle_to_order_last_run;
            family.get_or_create(&labels).set(micros(us));
        }
    }

    /// Removes a session's gauge series (equity, P&L, exposure, breaker
    /// states, last-run latency) when it is deleted, so a gone session does
    /// not look like open risk. Its counters stay until the process restarts.
    pub fn forget_session(&self, session: &str) {
        let f = self.families();
        let book = {
            let mut books = self
                .books()
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            books.remove(session).unwrap_or_default()
        };
        let l = session_l(session);
        f.equity.remove(&l);
        f.realized_pnl.remove(&l);
        f.unrealized_pnl.remove(&l);
        for symbol in book.symbols {
            f.exposure.remove(&SessionSymbol {
                session: session.to_owned(),
                symbol,
            });
        }
        for breaker in book.breakers {
            f.breaker_state.remove(&SessionBreaker {
                session: session.to_owned(),
                breaker,
            });
        }
        for quantile in ["0.5", "0.99"] {
            f.candle_to_order_last_run.remove(&SessionQuantile {
                session: session.to_owned(),
                quantile,
            });
        }
    }
}
