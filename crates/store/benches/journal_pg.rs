//! One engine step (a candle, an order, its acknowledgement) committed in
//! one transaction through the `Journal` trait, on SQLite (a WAL file) and
//! on PostgreSQL (a throwaway local cluster, fsync off as in the tests, so
//! the figure is the round trips and the server's work, not the disk).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../testkit/src/postgres.rs"]
mod cluster;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, OrderKind, OrderRequest, Side, TimeInForce, Timeframe,
    Timestamp,
};
use smc_store::{CandleReceipt, Journal, LoggedCandle, open_journal};
use std::sync::atomic::{AtomicI64, Ordering};

fn step(journal: &dyn Journal, k: i64) {
    let instrument: smc_model::InstrumentId = "binance:BTCUSDT".parse().unwrap();
    let p = Decimal::new(4_300_010, 2);
    let candle = Candle {
        open_time: Timestamp::from_ms(1_700_000_000_000 + k * 60_000),
        open: p,
        high: p,
        low: p,
        close: p,
        volume: Decimal::ONE,
    };
    let order = OrderRequest {
        client_id: ClientOrderId::new(format!("bench-{k}")),
        instrument: instrument.clone(),
        side: Side::Buy,
        qty: Decimal::new(15, 3),
        kind: OrderKind::Limit { price: p },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    let id = order.client_id.clone();
    let events = [
        EngineEvent::OrderSubmitted {
            time: candle.open_time,
            order,
            setup: None,
        },
        EngineEvent::OrderAccepted {
            time: candle.open_time,
            client_id: id,
            eligible_at: candle.open_time,
        },
    ];
    let logged = LoggedCandle {
        instrument,
        timeframe: Timeframe::M1,
        candle,
        receipt: CandleReceipt::default(),
    };
    journal.commit_step(Some(&logged), &events).unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicI64::new(0);
    let sqlite = open_journal(&format!("sqlite://{}", dir.path().join("b.db").display())).unwrap();
    c.bench_function("step_commit_sqlite", |b| {
        b.iter(|| step(sqlite.as_ref(), n.fetch_add(1, Ordering::Relaxed)))
    });
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let postgres = open_journal(&pg.database()).unwrap();
    c.bench_function("step_commit_postgres", |b| {
        b.iter(|| step(postgres.as_ref(), n.fetch_add(1, Ordering::Relaxed)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
