//! What a session tells its observers: every engine event once the journal
//! has committed it, and the session's own news (started, connection
//! changes, reconciliations, notices, stopped). The command line prints
//! engine events and reconciliations as JSON lines on stdout and the rest
//! as status lines; the API and alerts read the same stream.

use crate::reconcile::Reconciled;
use serde::Serialize;
use smc_model::Timestamp;
use smc_model::{EngineEvent, Timeframe};
use std::fmt;

/// Paper (simulated fills) or live (real orders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Paper,
    Live,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Paper => "paper",
            Mode::Live => "live",
        })
    }
}

/// A session came up: what it trades, where, and what it replayed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Started {
    pub mode: Mode,
    pub symbols: Vec<String>,
    pub timeframe: Timeframe,
    /// Where market data comes from (paper) or orders go (live).
    pub venue: String,
    pub database: String,
    pub replayed_candles: usize,
    pub replayed_reports: usize,
    /// Live: the balance the session started with, fixed at its first
    /// start, and its currency.
    pub starting_balance: Option<(String, String)>,
}

/// Which stream a connection event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    MarketData,
    UserData,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::MarketData => "market data",
            Stream::UserData => "user data stream",
        })
    }
}

/// A stream's connection changed, or a frame of it was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Connection {
    Connected {
        reconnect: bool,
    },
    Disconnected {
        reason: String,
    },
    /// A frame that did not parse, skipped.
    Malformed {
        detail: String,
    },
}

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// Percentiles of candle in to order out (journaled, and released to the
/// venue: in paper mode accepted by the simulated one), in microseconds,
/// over `orders` candles that sent one (an HDR histogram: 3 significant
/// digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Latency {
    pub p50_us: u128,
    pub p99_us: u128,
    pub p999_us: u128,
    pub max_us: u128,
    pub orders: usize,
}

/// A session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stopped {
    pub mode: Mode,
    /// Closed candles processed in this run (not counting the replay).
    pub candles: u64,
    pub latency: Option<Latency>,
    /// Live: differences with the venue at the final reconciliation
    /// (none after an abort, which skips it).
    pub differences: Option<usize>,
    /// The account as the session left it (none when it never opened).
    pub account: Option<crate::account_report::AccountReport>,
}

/// A closed candle the session processed (after its step was journaled),
/// and how long from its arrival to the first order it caused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandleClosed {
    pub symbol: String,
    pub timeframe: Timeframe,
    pub candle: smc_model::Candle,
    /// Candle in to first order out, in microseconds, when it sent one.
    pub candle_to_order_us: Option<u64>,
}

/// What the router of a session on several venues did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RouteEvent {
    /// Where an order goes and why: every venue considered, with its cost
    /// or the reason it was left out.
    Routed {
        client_id: String,
        symbol: String,
        decision: smc_routing::RoutingDecision,
    },
    /// No venue could take the order; it is rejected.
    RouteRefused {
        client_id: String,
        symbol: String,
        reason: String,
    },
    /// The part of a fill done on one venue, at that venue's fee.
    VenueFill {
        client_id: String,
        venue: String,
        symbol: String,
        side: smc_model::Side,
        qty: rust_decimal::Decimal,
        price: rust_decimal::Decimal,
        fee: rust_decimal::Decimal,
        liquidity: smc_model::Liquidity,
    },
}

/// One thing a session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// An engine event, after the journal committed it.
    Engine(EngineEvent),
    /// A candle processed, after everything it caused.
    Candle(CandleClosed),
    Started(Started),
    Connection {
        stream: Stream,
        change: Connection,
    },
    /// A reconciliation with the venue: why it ran, when, what it found.
    Reconciled {
        why: String,
        time: Timestamp,
        result: Reconciled,
    },
    /// Something a person should know (a reload, a retried failure).
    Notice {
        level: Level,
        message: String,
    },
    Stopped(Stopped),
    /// The router's decisions and the fills it attributed (a session on
    /// several venues).
    Route(RouteEvent),
}

impl SessionEvent {
    pub fn notice(level: Level, message: impl Into<String>) -> Self {
        SessionEvent::Notice {
            level,
            message: message.into(),
        }
    }
}

/// The JSON form of the session's own events, tagged by `type`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Tagged<'a> {
    Candle(&'a CandleClosed),
    Started(&'a Started),
    Connection {
        stream: Stream,
        #[serde(flatten)]
        change: &'a Connection,
    },
    Reconciled {
        why: &'a str,
        time: Timestamp,
        result: &'a Reconciled,
    },
    Notice {
        level: Level,
        message: &'a str,
    },
    Stopped(&'a Stopped),
}

/// Engine events serialize as themselves (`{"type":"fill",…}`), the
/// session's own with their `type` (`{"type":"reconciled",…}`).
impl Serialize for SessionEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SessionEvent::Engine(e) => e.serialize(s),
            SessionEvent::Route(r) => r.serialize(s),
            SessionEvent::Candle(c) => Tagged::Candle(c).serialize(s),
            SessionEvent::Started(x) => Tagged::Started(x).serialize(s),
            SessionEvent::Connection { stream, change } => Tagged::Connection {
                stream: *stream,
                change,
            }
            .serialize(s),
            SessionEvent::Reconciled { why, time, result } => Tagged::Reconciled {
                why,
                time: *time,
                result,
            }
            .serialize(s),
            SessionEvent::Notice { level, message } => Tagged::Notice {
                level: *level,
                message,
            }
            .serialize(s),
            SessionEvent::Stopped(x) => Tagged::Stopped(x).serialize(s),
        }
    }
}
