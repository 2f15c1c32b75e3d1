//! What a journal write costs on the order path (criterion): one order
//! written as pending, one candle logged, one fill recorded — each its own
//! transaction on a real SQLite file in WAL mode, through sqlx.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, Fill, Liquidity, OrderKind, OrderRequest, Side, TimeInForce, Timeframe,
};
use smc_model::{EngineEvent, EventSink, NullSink};
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

criterion_group!(benches, bench);
criterion_main!(benches);
