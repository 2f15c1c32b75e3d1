//! What a journal write costs on the order path (criterion), on a real
//! SQLite file in WAL mode: one order written as pending, one candle
//! logged, one fill recorded — each its own transaction — and one engine
//! step (a candle, an order, its acknowledgement) committed by
//! `JournalSink` in one transaction, next to the same three writes as
//! three transactions: why a step commits once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::OrderStatus;
use smc_model::Timestamp;
use smc_model::{
    Candle, ClientOrderId, EngineEvent, EventSink, Fill, Liquidity, NullSink, OrderKind,
    OrderRequest, Side, TimeInForce, Timeframe,
};
use smc_store::{CandleReceipt, JournalSink, LoggedCandle, Store};
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
            store.record_order(&order, Timestamp::from_ms(k)).unwrap();
        })
    });
    c.bench_function("journal_step_candle_and_order", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let p = Decimal::new(4_300_010, 2);
            let candle = Candle {
                open_time: Timestamp::from_ms(k * 60_000),
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
            sink.emit(&EngineEvent::OrderSubmitted {
                time: Timestamp::from_ms(k),
                order,
                setup: None,
            });
            sink.emit(&EngineEvent::OrderAccepted {
                time: Timestamp::from_ms(k),
                client_id: ClientOrderId::new(format!("bench-{k}")),
                eligible_at: Timestamp::from_ms(k),
            });
            sink.commit().unwrap();
        })
    });
    c.bench_function("journal_log_candle", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let p = Decimal::new(4_300_010, 2);
            let candle = Candle {
                open_time: Timestamp::from_ms(k * 60_000),
                open: p,
                high: p,
                low: p,
                close: p,
                volume: Decimal::ONE,
            };
            store
                .log_candle(&LoggedCandle {
                    instrument: instrument.clone(),
                    timeframe: Timeframe::M1,
                    candle,
                    receipt: CandleReceipt::default(),
                })
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
                fee_source: smc_model::FeeSource::Quote,
                liquidity: Liquidity::Maker,
                time: Timestamp::from_ms(k),
            };
            store.record_fill(&fill).unwrap();
        })
    });
}

fn three_transactions(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("bench3.db")).unwrap();
    store.defer_checkpoints().unwrap();
    let instrument: smc_model::InstrumentId = "binance:BTCUSDT".parse().unwrap();
    let n = AtomicI64::new(0);
    c.bench_function("step_as_three_transactions", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
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
            store
                .log_candle(&LoggedCandle {
                    instrument: instrument.clone(),
                    timeframe: Timeframe::M1,
                    candle,
                    receipt: CandleReceipt::default(),
                })
                .unwrap();
            store.record_order(&order, Timestamp::from_ms(k)).unwrap();
            store
                .set_order_status(
                    &id,
                    OrderStatus::Submitted,
                    None,
                    None,
                    Timestamp::from_ms(k),
                )
                .unwrap();
            if k % 1_000 == 0 {
                store.checkpoint().unwrap();
            }
        })
    });
}

criterion_group!(benches, bench, three_transactions);
criterion_main!(benches);
