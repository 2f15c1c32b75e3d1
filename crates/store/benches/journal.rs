//! What a journal write costs on the order path (criterion): one order
//! written as pending, one candle logged, one fill recorded — each its own
//! transaction on a real SQLite file in WAL mode, through sqlx — and one
//! engine step (a candle, an order, its acknowledgement) committed by
//! `JournalSink` on its direct connection, next to the same three writes
//! sent as one `BEGIN; …; COMMIT` query through a sqlx connection (a hop
//! to its worker thread and back): why steps take the direct path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, EventSink, Fill, Liquidity, NullSink, OrderKind,
    OrderRequest, Side, TimeInForce, Timeframe,
};
use smc_store::{CandleReceipt, JournalSink, Store};
use std::sync::atomic::{AtomicI64, Ordering};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("bench.db")).unwrap();
    let instrument: smc_model::InstrumentId = "binance:BTCUSDT".parse().unwrap();
    let n = AtomicI64::new(0);
    c.bench_function("journal_record_order", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let order = OrderRequest {
                client_id: ClientOrderId::new(format!("bench-{k}")),
                instrument: instrument.clone(),
                side: Side::Buy,
                qty: Decimal::new(15, 3),
                kind: OrderKind::Limit {
                    price: Decimal::new(4_300_010, 2),
                },
                time_in_force: TimeInForce::Gtc,
                reduce_only: false,
            };
            store.record_order(&order, k).unwrap();
        })
    });
    c.bench_function("journal_step_candle_and_order", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let p = Decimal::new(4_300_010, 2);
            let candle = Candle {
                open_time: k * 60_000,
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
            let mut out = NullSink;
            let mut sink = JournalSink::new(&store, &mut out);
            sink.log_candle(
                &instrument,
                Timeframe::M1,
                &candle,
                CandleReceipt::default(),
            );
            sink.emit(&EngineEvent::OrderSubmitted { time: k, order });
            sink.emit(&EngineEvent::OrderAccepted {
                time: k,
                client_id: ClientOrderId::new(format!("bench-{k}")),
                eligible_at: k,
            });
            sink.commit().unwrap();
        })
    });
    c.bench_function("journal_log_candle", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let p = Decimal::new(4_300_010, 2);
            let candle = Candle {
                open_time: k * 60_000,
                open: p,
                high: p,
                low: p,
                close: p,
                volume: Decimal::ONE,
            };
            store
                .log_candle(
                    &instrument,
                    Timeframe::M1,
                    &candle,
                    CandleReceipt::default(),
                )
                .unwrap();
        })
    });
    c.bench_function("journal_record_fill", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let fill = Fill {
                client_id: ClientOrderId::new("bench-0"),
                instrument: instrument.clone(),
                trade_id: format!("t{k}"),
                side: Side::Buy,
                price: Decimal::new(4_300_010, 2),
                qty: Decimal::new(1, 3),
                fee: Decimal::new(4, 2),
                liquidity: Liquidity::Maker,
                time: k,
            };
            store.record_fill(&fill).unwrap();
        })
    });
}

const CANDLE: &str = r#"{"open_time":0,"open":"43000.10","high":"43000.10","low":"43000.10","close":"43000.10","volume":"1"}"#;
const REQUEST: &str = r#"{"client_id":"x","instrument":"binance:BTCUSDT","side":"buy","qty":"0.015","kind":{"type":"limit","price":"43000.10"},"time_in_force":"gtc","reduce_only":false}"#;

fn sqlx_worker_step(c: &mut Criterion) {
    use sqlx::Connection;
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    // Migrated by a Store, then written through a plain sqlx connection.
    let path = dir.path().join("worker.db");
    drop(Store::open_path(&path).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let options =
        sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let mut conn = rt
        .block_on(sqlx::SqliteConnection::connect_with(&options))
        .unwrap();
    rt.block_on(sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut conn))
        .unwrap();
    let mut k = 0i64;
    c.bench_function("step_sqlx_worker_one_query", |b| {
        b.iter(|| {
            k += 1;
            let id = format!("floor-{k}");
            let q = sqlx::query(
                "BEGIN; \
                 INSERT INTO candles (instrument, timeframe, open_time, candle, received_at, history, seq) \
                 VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM candles)); \
                 INSERT INTO orders (client_id, instrument, request, status, created_at, updated_at) \
                 VALUES (?, ?, ?, 'pending', ?, ?); \
                 UPDATE orders SET status = ?, reason = COALESCE(?, reason), \
                 venue_order_id = COALESCE(?, venue_order_id), updated_at = ? \
                 WHERE client_id = ? AND status IN (?, ?); COMMIT",
            )
            .bind("binance:BTCUSDT")
            .bind("1m")
            .bind(k * 60_000)
            .bind(CANDLE)
            .bind(None::<i64>)
            .bind(0)
            .bind(&id)
            .bind("binance:BTCUSDT")
            .bind(REQUEST)
            .bind(k)
            .bind(k)
            .bind("submitted")
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(k)
            .bind(&id)
            .bind("pending")
            .bind("unknown");
            rt.block_on(q.execute(&mut conn)).unwrap();
            if k % 1_000 == 0 {
                rt.block_on(sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn))
                    .unwrap();
            }
        })
    });
}

criterion_group!(benches, bench, sqlx_worker_step);
criterion_main!(benches);
