//! Where each session event goes: its kind, venue and symbol, and the NATS
//! subject `smc.<session>.<kind>.<venue>.<symbol>` made of them. Every
//! event of the bus has a kind (the table is in the crate's README); a
//! token that does not apply is `_`.
//!
//! Engine events that name only an order (accepted, cancelled, …) get the
//! instrument of that order, remembered from its submission.

use serde::Serialize;
use smc_model::{ClientOrderId, EngineEvent, InstrumentId};
use smc_runtime::{RouteEvent, SessionEvent};
use std::collections::HashMap;
use std::fmt;

/// The token of a subject where no venue or symbol applies.
pub const NONE: &str = "_";

/// The subject every session publishes under: `smc.>`.
pub const ALL: &str = "smc.>";

/// What an event is about; the third token of its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A closed candle the session processed.
    Candle,
    /// The strategy's reading of a closed candle (why it placed no entry).
    Detection,
    /// An order's life: submitted, accepted, rejected, cancelled, amended,
    /// expired, a protective order that failed, a routing decision.
    Order,
    Fill,
    /// Positions, funding and the account's equity marks.
    Position,
    /// Risk decisions and differences found with the venue.
    Risk,
    /// Circuit breakers tripped, released, cooling down, armed.
    Breaker,
    /// The session itself: started, stopped, connections,
    /// reconciliations, notices.
    Session,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Candle => "candle",
            Kind::Detection => "detection",
            Kind::Order => "order",
            Kind::Fill => "fill",
            Kind::Position => "position",
            Kind::Risk => "risk",
            Kind::Breaker => "breaker",
            Kind::Session => "session",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event's place: kind, and the venue and symbol when it has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub kind: Kind,
    pub venue: Option<String>,
    pub symbol: Option<String>,
}

/// A subject token from `raw`: `.`, `*`, `>` and whitespace (which NATS
/// gives meaning to or forbids) become `-`; an empty value is `_`.
pub fn token(raw: &str) -> String {
    if raw.is_empty() {
        return NONE.to_string();
    }
    raw.chars()
        .map(|c| {
            if matches!(c, '.' | '*' | '>') || c.is_whitespace() || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// `smc.<session>.<kind>.<venue>.<symbol>`, each token made safe.
pub fn subject(session: &str, place: &Place) -> String {
    let part = |v: &Option<String>| v.as_deref().map_or_else(|| NONE.to_string(), token);
    format!(
        "smc.{}.{}.{}.{}",
        token(session),
        place.kind,
        part(&place.venue),
        part(&place.symbol)
    )
}

/// Places events; remembers each order's instrument so that the events
/// naming only the order are placed with it.
#[derive(Debug, Default)]
pub struct Placer {
    /// The session's own venue: candles and events of no instrument.
    venue: Option<String>,
    orders: HashMap<ClientOrderId, InstrumentId>,
}

impl Placer {
    /// `venue`: the session's venue (`binance`), if it has one.
    pub fn new(venue: Option<String>) -> Self {
        Placer {
            venue,
            orders: HashMap::new(),
        }
    }

    fn of_instrument(&self, kind: Kind, instrument: &InstrumentId) -> Place {
        Place {
            kind,
            venue: Some(instrument.venue().to_string()),
            symbol: Some(instrument.symbol().to_string()),
        }
    }

    fn of_order(&self, kind: Kind, id: &ClientOrderId) -> Place {
        match self.orders.get(id) {
            Some(instrument) => self.of_instrument(kind, instrument),
            None => self.of_session(kind, None),
        }
    }

    fn of_session(&self, kind: Kind, symbol: Option<&str>) -> Place {
        Place {
            kind,
            venue: self.venue.clone(),
            symbol: symbol.map(str::to_string),
        }
    }

    /// The place of `event` (and what it teaches about its order).
    pub fn place(&mut self, event: &SessionEvent) -> Place {
        match event {
            SessionEvent::Engine(e) => self.engine(e),
            SessionEvent::Candle(c) => self.of_session(Kind::Candle, Some(&c.symbol)),
            SessionEvent::Route(r) => match r {
                RouteEvent::Routed { symbol, .. } | RouteEvent::RouteRefused { symbol, .. } => {
                    self.of_session(Kind::Order, Some(symbol))
                }
                RouteEvent::VenueFill { venue, symbol, .. } => Place {
                    kind: Kind::Fill,
                    venue: Some(venue.clone()),
                    symbol: Some(symbol.clone()),
                },
            },
            SessionEvent::Started(_)
            | SessionEvent::Connection { .. }
            | SessionEvent::Reconciled { .. }
            | SessionEvent::Notice { .. }
            | SessionEvent::Stopped(_) => self.of_session(Kind::Session, None),
        }
    }

    fn engine(&mut self, event: &EngineEvent) -> Place {
        use EngineEvent as E;
        match event {
            E::OrderSubmitted { order, .. } => {
                self.orders
                    .insert(order.client_id.clone(), order.instrument.clone());
                self.of_instrument(Kind::Order, &order.instrument)
            }
            E::ProtectionFailed {
                instrument,
                client_id,
                ..
            } => {
                self.orders.insert(client_id.clone(), instrument.clone());
                self.of_instrument(Kind::Order, instrument)
            }
            E::OrderAccepted { client_id, .. }
            | E::OrderRejected { client_id, .. }
            | E::CancelRequested { client_id, .. }
            | E::OrderCancelled { client_id, .. }
            | E::OrderExpired { client_id, .. }
            | E::OrderAmended { client_id, .. }
            | E::AmendRejected { client_id, .. }
            | E::CancelFailed { client_id, .. } => self.of_order(Kind::Order, client_id),
            E::Fill(fill) => {
                self.orders
                    .insert(fill.client_id.clone(), fill.instrument.clone());
                self.of_instrument(Kind::Fill, &fill.instrument)
            }
            E::PositionChanged { instrument, .. } | E::FundingPaid { instrument, .. } => {
                self.of_instrument(Kind::Position, instrument)
            }
            E::EquityMark { .. } => self.of_session(Kind::Position, None),
            // The decision comes before the order exists: its instrument is
            // not known yet.
            E::RiskDecision { client_id, .. } => self.of_order(Kind::Risk, client_id),
            E::VenueMismatch { .. } => self.of_session(Kind::Risk, None),
            E::BreakerTripped { .. }
            | E::BreakerReset { .. }
            | E::BreakerCoolingDown { .. }
            | E::BreakerArmed { .. } => self.of_session(Kind::Breaker, None),
            E::NoTrade { instrument, .. } => self.of_instrument(Kind::Detection, instrument),
        }
    }

    /// Forgets orders that can no longer have events (bounded memory on a
    /// long session): called with the ids that reached a final state.
    pub fn forget(&mut self, id: &ClientOrderId) {
        self.orders.remove(id);
    }
}

/// The order an engine event closes for good, if any.
pub fn closes_order(event: &SessionEvent) -> Option<&ClientOrderId> {
    match event {
        SessionEvent::Engine(
            EngineEvent::OrderRejected { client_id, .. }
            | EngineEvent::OrderCancelled { client_id, .. }
            | EngineEvent::OrderExpired { client_id, .. },
        ) => Some(client_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn tokens_never_carry_nats_wildcards_or_separators() {
        assert_eq!(token("BTCUSDT"), "BTCUSDT");
        assert_eq!(token("EUR_USD"), "EUR_USD");
        assert_eq!(token("BRK.B"), "BRK-B");
        assert_eq!(token("a*b>c d\te"), "a-b-c-d-e");
        assert_eq!(token(""), "_");
        let place = Place {
            kind: Kind::Fill,
            venue: Some("binance".into()),
            symbol: None,
        };
        assert_eq!(subject("paper.1", &place), "smc.paper-1.fill.binance._");
    }
}
