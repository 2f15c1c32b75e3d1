//! What a step costs the order path with the append-only log in front of
//! SQLite (criterion): one engine step (a candle, an order, its
//! acknowledgement) through `JournalSink` as the session commits it, with
//! `journal_sync` none, data and full, next to the same step committed to
//! SQLite in place. Only the caller's time is measured: each iteration
//! waits, untimed, until the background writer applied the step, as a
//! session's candles arrive spaced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, EventSink, NullSink, OrderKind, OrderRequest, Side,
    TimeInForce, Timeframe, Timestamp,
};
use smc_store::{CandleReceipt, Journal, JournalSink, JournalSync, open_session_journal};
use std::time::{Duration, Instant};

fn step(journal: &dyn Journal, k: i64) -> Duration {
    let instrument: smc_model::InstrumentId = "binance:BTCUSDT".parse().unwrap();
    let p = Decimal::new(4_300_010, 2);
    let candle = Candle {
        open_time: Timestamp::from_ms(k * 60_000),
        open: p,
        high: p,
        low: p,
        close: p,
        volume: Decimal::ONE,
    };
    let id = ClientOrderId::new(format!("bench-{k}"));
    let order = OrderRequest {
        client_id: id.clone(),
        instrument: instrument.clone(),
        side: Side::Buy,
        qty: Decimal::new(15, 3),
        kind: OrderKind::Limit { price: p },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    let start = Instant::now();
    let mut out = NullSink;
    let mut sink = JournalSink::new(journal, &mut out);
    sink.log_candle(
        &instrument,
        Timeframe::M1,
        &candle,
        CandleReceipt::default(),
    );
    sink.emit(&EngineEvent::OrderSubmitted {
        time: Timestamp::from_ms(k),
        order,
        setup: None,
    });
    sink.emit(&EngineEvent::OrderAccepted {
        time: Timestamp::from_ms(k),
        client_id: id,
        eligible_at: Timestamp::from_ms(k),
    });
    sink.commit().unwrap();
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut k = 0;
    let plain = smc_store::open_journal(&format!(
        "sqlite://{}",
        dir.path().join("plain.db").display()
    ))
    .unwrap();
    c.bench_function("step_sqlite_in_place", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    k += 1;
                    step(plain.as_ref(), k)
                })
                .sum()
        })
    });
    for (name, sync) in [
        ("none", JournalSync::None),
        ("data", JournalSync::Data),
        ("full", JournalSync::Full),
    ] {
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("{name}.db")).display()
        );
        let journal = open_session_journal(&url, None, sync).unwrap();
        c.bench_function(&format!("step_logged_sync_{name}"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        k += 1;
                        let spent = step(journal.as_ref(), k);
                        // Untimed: the writer catches up, as between candles.
                        journal.applied_log_seq().unwrap();
                        spent
                    })
                    .sum()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
