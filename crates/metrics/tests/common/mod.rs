//! Event builders and a reader of the text exposition, shared by the
//! render and dashboard tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod promql;

use rust_decimal::Decimal;
use smc_metrics::Metrics;
use smc_model::{
    ClientOrderId, EngineEvent, FeeSource, Fill, InstrumentId, Liquidity, OrderKind, OrderRequest,
    RiskVerdict, Side, TimeInForce, Timeframe, Timestamp,
};
use smc_runtime::{Connection, Latency, Level, Mode, SessionEvent, Started, Stopped, Stream};
use std::collections::BTreeMap;
use std::time::Duration;

pub fn instrument(symbol: &str) -> InstrumentId {
    InstrumentId::new("binance", symbol).unwrap()
}

fn cid() -> ClientOrderId {
    ClientOrderId::from_decision("test", Timestamp::from_ms(60_000), 1)
}

fn engine(e: EngineEvent) -> SessionEvent {
    SessionEvent::Engine(e)
}

pub fn started(symbols: &[&str]) -> SessionEvent {
    SessionEvent::Started(Started {
        mode: Mode::Paper,
        symbols: symbols.iter().map(|s| s.to_string()).collect(),
        timeframe: Timeframe::M1,
        venue: "binance".into(),
        database: "t.db".into(),
        replayed_candles: 0,
        replayed_reports: 0,
        starting_balance: None,
    })
}

pub fn submitted(symbol: &str, side: Side) -> SessionEvent {
    engine(EngineEvent::OrderSubmitted {
        time: Timestamp::from_ms(60_000),
        order: OrderRequest {
            client_id: cid(),
            instrument: instrument(symbol),
            side,
            qty: Decimal::ONE,
            kind: OrderKind::Market,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
        },
        setup: None,
    })
}

pub fn fill(symbol: &str, side: Side) -> SessionEvent {
    engine(EngineEvent::Fill(Fill {
        client_id: cid(),
        instrument: instrument(symbol),
        trade_id: "1".into(),
        side,
        price: Decimal::from(100),
        qty: Decimal::ONE,
        fee: Decimal::ZERO,
        fee_source: FeeSource::Quote,
        liquidity: Liquidity::Taker,
        time: Timestamp::from_ms(60_000),
    }))
}

pub fn rejected(reason: &str) -> SessionEvent {
    engine(EngineEvent::OrderRejected {
        time: Timestamp::from_ms(60_000),
        client_id: cid(),
        reason: reason.into(),
    })
}

pub fn risk_refused() -> SessionEvent {
    engine(EngineEvent::RiskDecision {
        time: Timestamp::from_ms(60_000),
        client_id: cid(),
        verdict: RiskVerdict::Refused {
            reason: "max exposure 1000 reached".into(),
        },
    })
}

pub fn position(symbol: &str, qty: i64, avg: i64, realized: i64) -> SessionEvent {
    engine(EngineEvent::PositionChanged {
        time: Timestamp::from_ms(60_000),
        instrument: instrument(symbol),
        qty: Decimal::from(qty),
        avg_price: Decimal::from(avg),
        realized_pnl: Decimal::from(realized),
    })
}

pub fn equity(cash: i64, equity: i64) -> SessionEvent {
    engine(EngineEvent::EquityMark {
        time: Timestamp::from_ms(60_000),
        cash: Decimal::from(cash),
        equity: Decimal::from(equity),
    })
}

pub fn tripped(breaker: &str) -> SessionEvent {
    engine(EngineEvent::BreakerTripped {
        time: Timestamp::from_ms(60_000),
        breaker: breaker.into(),
        reason: "lost 600".into(),
        cooldown_until: None,
    })
}

pub fn cooling(breaker: &str) -> SessionEvent {
    engine(EngineEvent::BreakerCoolingDown {
        time: Timestamp::from_ms(60_000),
        breaker: breaker.into(),
        reason: "cooldown over".into(),
    })
}

pub fn armed(breaker: &str) -> SessionEvent {
    engine(EngineEvent::BreakerArmed {
        time: Timestamp::from_ms(60_000),
        breaker: breaker.into(),
    })
}

pub fn connection(stream: Stream, change: Connection) -> SessionEvent {
    SessionEvent::Connection { stream, change }
}

pub fn cancel_failed() -> SessionEvent {
    engine(EngineEvent::CancelFailed {
        time: Timestamp::from_ms(60_000),
        client_id: cid(),
        reason: "timeout".into(),
    })
}

pub fn stopped(p50_us: u128, p99_us: u128) -> SessionEvent {
    SessionEvent::Stopped(Stopped {
        mode: Mode::Paper,
        candles: 10,
        latency: Some(Latency {
            p50_us,
            p99_us,
            p999_us: p99_us,
            max_us: p99_us,
            orders: 3,
        }),
        differences: None,
        account: None,
    })
}

/// A session's life touching every family, and the server's own calls.
pub fn exercise(m: &Metrics) {
    let s = "s1";
    let events = [
        started(&["BTCUSDT", "ETHUSDT"]),
        connection(
            Stream::MarketData,
            Connection::Connected { reconnect: false },
        ),
        submitted("BTCUSDT", Side::Buy),
        fill("BTCUSDT", Side::Buy),
        position("BTCUSDT", 1, 100, 0),
        equity(900, 1_010),
        risk_refused(),
        rejected("Account has insufficient balance for requested action."),
        tripped("daily_loss"),
        connection(
            Stream::MarketData,
            Connection::Disconnected {
                reason: "eof".into(),
            },
        ),
        connection(
            Stream::MarketData,
            Connection::Connected { reconnect: true },
        ),
        cancel_failed(),
        SessionEvent::notice(Level::Warn, "reconciliation failed, retrying"),
        stopped(40, 900),
    ];
    for e in &events {
        m.observe(s, e);
    }
    m.missed_events(s, 0);
    m.candle_to_order(s, Duration::from_micros(42));
    m.api_request(
        "/api/v1/sessions/{id}",
        "GET",
        200,
        Duration::from_millis(3),
    );
    m.api_request("/api/v1/sessions", "POST", 500, Duration::from_millis(30));
    m.ws_clients(1);
    m.ws_dropped("lagged");
    m.set_sessions([("paper", "running", 1)]);
    m.set_backtest_jobs([("running", 1)]);
}

/// One sample line of the text exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Reads every sample line (comments skipped). Panics on a line it cannot
/// read: the exposition must be well formed.
pub fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect(line);
            let value = match value {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                v => v.parse().expect(line),
            };
            let (name, labels) = match series.split_once('{') {
                None => (series.to_string(), BTreeMap::new()),
                Some((name, rest)) => {
                    let body = rest.strip_suffix('}').expect(line);
                    (name.to_string(), label_pairs(body))
                }
            };
            Sample {
                name,
                labels,
                value,
            }
        })
        .collect()
}

fn label_pairs(body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"").expect(body);
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect(body) {
                (_, '\\') => value.push(chars.next().expect(body).1),
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        out.insert(key.trim_start_matches(',').to_string(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    out
}

/// The value of the one sample named `name` with exactly these labels.
pub fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    samples(text)
        .into_iter()
        .find(|s| s.name == name && s.labels == want)
        .map(|s| s.value)
}
