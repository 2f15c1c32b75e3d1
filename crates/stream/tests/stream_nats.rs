//! The event stream against a real nats-server 2.9 with JetStream on a
//! loopback port (skipped outside CI when nats-server is missing): a
//! scripted session's events read back by subject pattern, in order; where
//! reading starts (sequence, time); the retention the config asks for; a
//! full buffer that drops instead of blocking the session; events sent
//! while NATS is down arriving once it is back; everything flushed at the
//! end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use smc_config::streaming::StreamingConfig;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, Fill, InstrumentId, Liquidity, NoTradeReason, OrderKind,
    OrderRequest, RiskVerdict, Side, TimeInForce, Timeframe, Timestamp,
};
use smc_runtime::{CandleClosed, EventBus, Level, SessionEvent};
use smc_stream::{Options, Publisher, Record, Start, connect, publisher::DRAIN, subscribe};
use smc_testkit::nats::Server;
use std::time::{Duration, Instant};

fn streaming(url: &str, buffer: usize) -> StreamingConfig {
    StreamingConfig {
        nats_url: Some(url.to_string()),
        buffer,
        ..StreamingConfig::default()
    }
}

fn options(session: &str, streaming: StreamingConfig) -> Options {
    Options {
        session: session.to_string(),
        venue: Some("binance".into()),
        streaming,
        drain: DRAIN,
    }
}

fn instrument(symbol: &str) -> InstrumentId {
    InstrumentId::new("binance", symbol).unwrap()
}

fn candle(symbol: &str, minute: i64) -> SessionEvent {
    let price = Decimal::from(100 + minute);
    SessionEvent::Candle(CandleClosed {
        symbol: symbol.to_string(),
        timeframe: Timeframe::M1,
        candle: Candle {
            open_time: Timestamp::from_ms(minute * 60_000),
            open: price,
            high: price,
            low: price,
            close: price,
            volume: Decimal::ONE,
        },
        candle_to_order_us: None,
    })
}

/// A session's worth of events on two symbols, every kind once at least.
fn script() -> Vec<SessionEvent> {
    let id = ClientOrderId::from_decision("smc", Timestamp::from_ms(60_000), 1);
    let time = Timestamp::from_ms(120_000);
    vec![
        SessionEvent::notice(Level::Info, "started"),
        candle("BTCUSDT", 1),
        candle("ETHUSDT", 1),
        SessionEvent::Engine(EngineEvent::NoTrade {
            time,
            instrument: instrument("ETHUSDT"),
            reason: NoTradeReason::NoZone,
        }),
        SessionEvent::Engine(EngineEvent::RiskDecision {
            time,
            client_id: id.clone(),
            verdict: RiskVerdict::Approved,
        }),
        SessionEvent::Engine(EngineEvent::OrderSubmitted {
            time,
            order: OrderRequest {
                client_id: id.clone(),
                instrument: instrument("BTCUSDT"),
                side: Side::Buy,
                qty: Decimal::ONE,
                kind: OrderKind::Market,
                time_in_force: TimeInForce::Gtc,
                reduce_only: false,
            },
            setup: None,
        }),
        SessionEvent::Engine(EngineEvent::OrderAccepted {
            time,
            client_id: id.clone(),
            eligible_at: time,
        }),
        SessionEvent::Engine(EngineEvent::Fill(Fill {
            client_id: id.clone(),
            instrument: instrument("BTCUSDT"),
            trade_id: "t1".into(),
            side: Side::Buy,
            price: Decimal::from(101),
            qty: Decimal::ONE,
            fee: Decimal::ZERO,
            fee_source: Default::default(),
            liquidity: Liquidity::Taker,
            time,
        })),
        SessionEvent::Engine(EngineEvent::PositionChanged {
            time,
            instrument: instrument("BTCUSDT"),
            qty: Decimal::ONE,
            avg_price: Decimal::from(101),
            realized_pnl: Decimal::ZERO,
        }),
        SessionEvent::Engine(EngineEvent::BreakerTripped {
            time,
            breaker: "daily_loss".into(),
            reason: "test".into(),
            cooldown_until: None,
        }),
        candle("BTCUSDT", 2),
        candle("ETHUSDT", 2),
        SessionEvent::notice(Level::Info, "bye"),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Every message of `filter` from `start` up to the stream's end.
fn read(url: &str, filter: &str, start: Start) -> Vec<Record> {
    runtime().block_on(async {
        let js = smc_stream::connect::jetstream(connect::connect(url).await.unwrap());
        let mut reader = subscribe(&js, "SMC_EVENTS", filter, start, false)
            .await
            .unwrap();
        let mut out = Vec::new();
        while let Some(record) = tokio::time::timeout(Duration::from_secs(10), reader.next())
            .await
            .expect("the reader stops at the end instead of waiting")
        {
            out.push(record.unwrap());
        }
        out
    })
}

fn publish_all(url: &str, session: &str, events: Vec<SessionEvent>) -> smc_stream::Report {
    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options(session, streaming(url, 10_000))).unwrap();
    for e in events {
        bus.publish(e);
    }
    publisher.finish(Duration::from_secs(10))
}

#[test]
fn a_scripted_session_reads_back_by_kind_and_symbol_in_order() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let events = script();
    let report = publish_all(&url, "s1", events.clone());
    assert!(report.complete(), "{report}");
    assert_eq!(report.published, events.len() as u64);

    let all = read(&url, "smc.s1.>", Start::All);
    assert_eq!(all.len(), events.len());
    let seqs: Vec<u64> = all.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    for (k, (record, event)) in all.iter().zip(&events).enumerate() {
        let e = &record.envelope;
        assert_eq!(e["schema"], 1);
        assert_eq!(e["session"], "s1");
        assert_eq!(e["n"], k as u64 + 1);
        assert_eq!(e["event"], serde_json::to_value(event).unwrap());
        assert_eq!(e["kind"], record.subject.split('.').nth(2).unwrap());
    }
    let subjects: Vec<&str> = all.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "smc.s1.session.binance._",
            "smc.s1.candle.binance.BTCUSDT",
            "smc.s1.candle.binance.ETHUSDT",
            "smc.s1.detection.binance.ETHUSDT",
            "smc.s1.risk.binance._",
            "smc.s1.order.binance.BTCUSDT",
            // Named only by its id: placed with the order's instrument.
            "smc.s1.order.binance.BTCUSDT",
            "smc.s1.fill.binance.BTCUSDT",
            "smc.s1.position.binance.BTCUSDT",
            "smc.s1.breaker.binance._",
            "smc.s1.candle.binance.BTCUSDT",
            "smc.s1.candle.binance.ETHUSDT",
            "smc.s1.session.binance._",
        ]
    );

    let candles = read(&url, "smc.*.candle.>", Start::All);
    let opens: Vec<(String, i64)> = candles
        .iter()
        .map(|r| {
            let e = &r.envelope["event"];
            (
                e["symbol"].as_str().unwrap().to_string(),
                e["candle"]["open_time"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        opens,
        [
            ("BTCUSDT".to_string(), 60_000),
            ("ETHUSDT".to_string(), 60_000),
            ("BTCUSDT".to_string(), 120_000),
            ("ETHUSDT".to_string(), 120_000)
        ]
    );
    assert!(candles.windows(2).all(|w| w[0].seq < w[1].seq));

    let eth = read(&url, "smc.s1.*.*.ETHUSDT", Start::All);
    assert_eq!(eth.len(), 3);
    assert!(eth.iter().all(|r| r.envelope["symbol"] == "ETHUSDT"));
    let fills = read(&url, "smc.*.fill.>", Start::All);
    assert_eq!(fills.len(), 1);
    assert_eq!(fills[0].envelope["event"]["trade_id"], "t1");
    assert!(read(&url, "smc.other.>", Start::All).is_empty());
    // The tail's line.
    let line = fills[0].line();
    assert_eq!(line["subject"], "smc.s1.fill.binance.BTCUSDT");
    assert_eq!(line["seq"], 8);
    assert!(line["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(line["event"]["kind"], "fill");
}

#[test]
fn reading_starts_at_a_sequence_or_a_time() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let notices = |from: usize| {
        (from..from + 5)
            .map(|k| SessionEvent::notice(Level::Info, k.to_string()))
            .collect::<Vec<_>>()
    };
    assert!(publish_all(&url, "s", notices(0)).complete());
    // Stored a little later than the first five: time resolves them.
    std::thread::sleep(Duration::from_millis(50));
    assert!(publish_all(&url, "s", notices(5)).complete());
    let all = read(&url, "smc.>", Start::All);
    assert_eq!(all.len(), 10);

    let from_seq = read(&url, "smc.>", Start::Seq(4));
    assert_eq!(from_seq.first().unwrap().seq, 4);
    assert_eq!(from_seq.len(), 7);
    assert!(read(&url, "smc.>", Start::Seq(11)).is_empty());

    let sixth = &all[5];
    assert!(sixth.time > all[4].time);
    let since = read(&url, "smc.>", Start::Time(sixth.time));
    assert_eq!(since.first().unwrap().seq, 6);
    assert_eq!(since.len(), 5);
    assert_eq!(since[0].envelope["event"]["message"], "5");
}

#[test]
fn the_stream_takes_the_configured_retention() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let config = StreamingConfig {
        max_age_hours: 2,
        max_bytes: 1 << 20,
        max_msgs: 5,
        ..streaming(&url, 100)
    };
    let info = runtime().block_on(async {
        let js = smc_stream::connect::jetstream(connect::connect(&url).await.unwrap());
        // Created with defaults first, then brought to the config's limits.
        smc_stream::connect::ensure_stream(&js, &streaming(&url, 100))
            .await
            .unwrap();
        smc_stream::connect::ensure_stream(&js, &config)
            .await
            .unwrap()
    });
    let c = &info.config;
    assert_eq!(c.name, "SMC_EVENTS");
    assert_eq!(c.subjects, ["smc.>"]);
    assert_eq!(c.max_age, Duration::from_secs(7_200));
    assert_eq!(c.max_bytes, 1 << 20);
    assert_eq!(c.max_messages, 5);
    assert_eq!(c.storage, async_nats::jetstream::stream::StorageType::File);

    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options("r", config)).unwrap();
    for k in 0..8 {
        bus.publish(SessionEvent::notice(Level::Info, k.to_string()));
    }
    assert_eq!(publisher.finish(Duration::from_secs(10)).published, 8);
    let kept = read(&url, "smc.>", Start::All);
    let seqs: Vec<u64> = kept.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [4, 5, 6, 7, 8], "the oldest go first beyond max_msgs");
}

#[test]
fn a_full_buffer_drops_and_counts_and_the_session_never_waits() {
    let Some(mut server) = Server::start() else {
        return;
    };
    let url = server.url();
    server.stop();
    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options("d", streaming(&url, 3))).unwrap();
    let started = Instant::now();
    for k in 0..500 {
        bus.publish(SessionEvent::notice(Level::Info, k.to_string()));
    }
    // A logic bound, not a benchmark: a session that waited on NATS
    // (down) would take a request timeout (seconds) per event.
    assert!(started.elapsed() < Duration::from_secs(2));
    let report = publisher.finish(Duration::from_millis(500));
    assert_eq!(report.published, 0);
    assert!(report.unpublished <= 3, "{report:?}");
    assert_eq!(report.dropped + report.unpublished, 500, "{report:?}");
    assert!(report.dropped >= 497);
    assert!(!report.complete());
    assert!(report.to_string().contains("dropped"), "{report}");
}

#[test]
fn events_sent_while_nats_is_down_arrive_once_it_is_back() {
    let Some(mut server) = Server::start() else {
        return;
    };
    let url = server.url();
    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options("b", streaming(&url, 10_000))).unwrap();
    bus.publish(SessionEvent::notice(Level::Info, "before"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while publisher.report().published < 1 {
        assert!(Instant::now() < deadline, "the first event never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    server.stop();
    for k in 0..20 {
        bus.publish(SessionEvent::notice(Level::Info, k.to_string()));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(publisher.report().published, 1, "NATS is down");
    server.restart();
    let report = publisher.finish(Duration::from_secs(20));
    assert!(report.complete(), "{report}");
    assert_eq!(report.published, 21);
    let all = read(&url, "smc.b.>", Start::All);
    let ns: Vec<u64> = all
        .iter()
        .map(|r| r.envelope["n"].as_u64().unwrap())
        .collect();
    assert_eq!(ns, (1..=21).collect::<Vec<_>>(), "each once, in order");
}

#[test]
fn the_end_of_a_session_flushes_everything() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let count = 3_000u64;
    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options("f", streaming(&url, 10_000))).unwrap();
    let started = Instant::now();
    for k in 0..count {
        bus.publish(candle("BTCUSDT", k as i64));
    }
    let publishing = started.elapsed();
    let report = publisher.finish(Duration::from_secs(10));
    let total = started.elapsed();
    assert!(report.complete(), "{report}");
    assert_eq!(report.published, count);
    eprintln!(
        "{count} candles: bus.publish {:.1} µs each; all acknowledged by JetStream after {:.0} ms \
         ({:.0} events/s)",
        publishing.as_secs_f64() * 1e6 / count as f64,
        total.as_secs_f64() * 1e3,
        count as f64 / total.as_secs_f64()
    );
    let all = read(&url, "smc.f.candle.>", Start::All);
    assert_eq!(all.len() as u64, count);
    assert_eq!(all.last().unwrap().envelope["n"], count);
}

#[test]
fn a_session_whose_bus_closes_drains_by_itself() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let bus = EventBus::new();
    // Dropped at once: what `smc serve` does with its hosted sessions'.
    drop(Publisher::attach(&bus, options("h", streaming(&url, 100))).unwrap());
    for k in 0..10 {
        bus.publish(SessionEvent::notice(Level::Info, k.to_string()));
    }
    drop(bus);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = read_if_exists(&url, "smc.h.>").len();
        if got == 10 {
            break;
        }
        assert!(Instant::now() < deadline, "{got} of 10 arrived");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_if_exists(url: &str, filter: &str) -> Vec<Record> {
    let exists = runtime().block_on(async {
        let js = smc_stream::connect::jetstream(connect::connect(url).await.unwrap());
        js.get_stream("SMC_EVENTS").await.is_ok()
    });
    if exists {
        read(url, filter, Start::All)
    } else {
        Vec::new()
    }
}

#[test]
fn a_follower_sees_new_events_as_they_come() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    // The stream exists before the follower starts (a session ran).
    assert!(publish_all(&url, "old", vec![candle("BTCUSDT", 1)]).complete());
    let rt = runtime();
    let js = rt
        .block_on(async { smc_stream::connect::jetstream(connect::connect(&url).await.unwrap()) });
    let mut reader = rt
        .block_on(subscribe(
            &js,
            "SMC_EVENTS",
            "smc.new.fill.>",
            Start::New,
            true,
        ))
        .unwrap();
    let bus = EventBus::new();
    let publisher = Publisher::attach(&bus, options("new", streaming(&url, 100))).unwrap();
    for e in script() {
        bus.publish(e);
    }
    let got = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), reader.next())
            .await
            .expect("the follower waits for new events and gets them")
            .unwrap()
            .unwrap()
    });
    assert_eq!(got.subject, "smc.new.fill.binance.BTCUSDT");
    assert_eq!(
        got.seq, 9,
        "after the old session's one and the new one's first seven"
    );
    // Following: no end, it waits for more.
    let more = rt
        .block_on(async { tokio::time::timeout(Duration::from_millis(300), reader.next()).await });
    assert!(more.is_err(), "a follower does not end at the stream's end");
    assert!(publisher.finish(Duration::from_secs(10)).complete());
}
