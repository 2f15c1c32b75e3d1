//! The trading journal on a real SQLite file, through the store's own
//! methods: an order's life from pending to filled, fills stored once
//! whatever reports them twice, everything kept across a restart (drop and
//! reopen), and a whole backtest journaled through the sink equal to the
//! engine's own account. The killed-and-restarted run is in
//! `journal_backends.rs`, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::{Decimal, dec};
use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, Series, engine_instruments, run_backtest};
use smc_model::InstrumentIndex;
use smc_model::OrderStatus;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, ClientOrderId, EngineEvent, Fill, Instrument, InstrumentSpec, Liquidity,
    MarketKind, OrderKind, OrderRequest, Side, SimClock, TimeInForce, Timeframe,
};
use smc_store::{CandleReceipt, JournalSink, LoggedCandle, Store};
use smc_strategy::{SmcConfig, SmcStrategy};
use std::path::{Path, PathBuf};

fn candles() -> Vec<smc_model::Candle> {
    read_ohlcv(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles
}

fn engine(data: &[smc_model::Candle]) -> Engine {
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::H1,
        candles: data,
    }];
    let instrument = Instrument {
        id: "binance:ETHUSDT".parse().unwrap(),
        kind: MarketKind::Spot,
        base: "ETH".into(),
        quote: "USDT".into(),
        spec: InstrumentSpec::FRACTIONAL,
    };
    let strategy = SmcStrategy::new(SmcConfig {
        bias_timeframe: Timeframe::H4,
        ..SmcConfig::default()
    });
    Engine::new(
        EngineConfig::default(),
        engine_instruments(vec![instrument], &series).unwrap(),
        Box::new(strategy),
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap()
}

fn temp_db(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.db"));
    (dir, path)
}

fn request(id: &str, qty: Decimal) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(id),
        instrument: "binance:ETHUSDT".parse().unwrap(),
        side: Side::Buy,
        qty,
        kind: OrderKind::Limit { price: dec!(2000) },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

fn fill(id: &str, trade: &str, qty: Decimal) -> Fill {
    Fill {
        client_id: ClientOrderId::new(id),
        instrument: "binance:ETHUSDT".parse().unwrap(),
        trade_id: trade.into(),
        side: Side::Buy,
        price: dec!(2000),
        qty,
        fee: dec!(0.2),
        fee_source: smc_model::FeeSource::Quote,
        liquidity: Liquidity::Maker,
        time: Timestamp::from_ms(5_000),
    }
}

#[test]
fn an_order_from_pending_to_filled_survives_a_restart_and_fills_count_once() {
    let (_dir, path) = temp_db("life");
    {
        let store = Store::open_path(&path).unwrap();
        store
            .record_order(&request("smc-1-0", dec!(1.5)), Timestamp::from_ms(1_000))
            .unwrap();
        assert_eq!(
            store.open_orders().unwrap()[0].status,
            OrderStatus::PendingNew
        );
        let id = ClientOrderId::new("smc-1-0");
        assert!(
            store
                .set_order_status(
                    &id,
                    OrderStatus::Submitted,
                    None,
                    Some("8812"),
                    Timestamp::from_ms(2_000)
                )
                .unwrap()
        );
        assert!(store.record_fill(&fill("smc-1-0", "t1", dec!(1))).unwrap());
        // The same trade reported again (user stream, then a query): ignored.
        assert!(!store.record_fill(&fill("smc-1-0", "t1", dec!(1))).unwrap());
        let o = store.order(&id).unwrap().unwrap();
        assert_eq!(
            (o.status, o.filled_qty),
            (OrderStatus::PartiallyFilled, dec!(1))
        );
        assert_eq!(o.venue_order_id.as_deref(), Some("8812"));
        // A duplicate client id is refused: it would be a duplicate order.
        assert!(
            store
                .record_order(&request("smc-1-0", dec!(1)), Timestamp::from_ms(3_000))
                .is_err()
        );
    } // killed here: the file is all that is left
    let store = Store::open_path(&path).unwrap();
    assert_eq!(
        store.open_orders().unwrap().len(),
        1,
        "still open after the restart"
    );
    assert!(
        store
            .record_fill(&fill("smc-1-0", "t2", dec!(0.5)))
            .unwrap()
    );
    let o = store
        .order(&ClientOrderId::new("smc-1-0"))
        .unwrap()
        .unwrap();
    assert_eq!((o.status, o.filled_qty), (OrderStatus::Filled, dec!(1.5)));
    assert!(store.open_orders().unwrap().is_empty());
    assert_eq!(store.fills().unwrap().len(), 2);
    assert!(
        !store
            .set_order_status(
                &ClientOrderId::new("nope"),
                OrderStatus::Cancelled,
                None,
                None,
                Timestamp::from_ms(1)
            )
            .unwrap()
    );
    // A late "accepted" after the fill, or a cancel of a filled order, changes nothing.
    let id = ClientOrderId::new("smc-1-0");
    assert!(
        !store
            .set_order_status(
                &id,
                OrderStatus::Submitted,
                None,
                None,
                Timestamp::from_ms(9_000)
            )
            .unwrap()
    );
    assert!(
        !store
            .set_order_status(
                &id,
                OrderStatus::Cancelled,
                Some("late"),
                None,
                Timestamp::from_ms(9_000)
            )
            .unwrap()
    );
    assert_eq!(
        store.order(&id).unwrap().unwrap().status,
        OrderStatus::Filled
    );
}

#[test]
fn a_journaled_backtest_equals_the_engines_account() {
    let (_dir, path) = temp_db("backtest");
    let data = candles();
    let data = &data[..1500];
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::H1,
        candles: data,
    }];
    let mut engine = engine(data);
    let store = Store::open_path(&path).unwrap();
    let mut events: Vec<EngineEvent> = Vec::new();
    let mut sink = JournalSink::new(&store, &mut events);
    run_backtest(&mut engine, &series, &[], &mut sink).unwrap();
    sink.commit().unwrap(); // the whole run as one (large) transaction
    let submitted = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::OrderSubmitted { .. }))
        .count();
    let fills: Vec<&Fill> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Fill(f) => Some(f),
            _ => None,
        })
        .collect();
    assert!(
        submitted > 5 && !fills.is_empty(),
        "{submitted} orders, {} fills",
        fills.len()
    );
    drop(store);
    let store = Store::open_path(&path).unwrap();
    assert_eq!(store.orders().unwrap().len(), submitted);
    let stored: Vec<Fill> = store.fills().unwrap();
    assert_eq!(stored.len(), fills.len());
    assert!(stored.iter().zip(&fills).all(|(a, b)| a == *b));
    let position = engine.portfolio().position(0);
    let p = &store.positions().unwrap()[0];
    assert_eq!((p.qty, p.avg_price), (position.qty, position.avg_price));
    // Every order the engine still holds open is open in the journal.
    let open_ids: Vec<String> = engine
        .oms()
        .open()
        .iter()
        .filter(|o| o.status.is_open())
        .map(|o| o.client_id().to_string())
        .collect();
    let journal_open: Vec<String> = store
        .open_orders()
        .unwrap()
        .iter()
        .map(|o| o.request.client_id.to_string())
        .collect();
    for id in &open_ids {
        assert!(
            journal_open.contains(id),
            "{id} open in the engine but not in the journal"
        );
    }
}

/// A step's writes, staged: one order submitted and filled in two parts,
/// with an amendment, then the same trade reported again in a later step.
fn step(store: &Store, events: &mut Vec<EngineEvent>, batch: &[EngineEvent]) {
    let mut sink = JournalSink::new(store, events);
    for e in batch {
        smc_model::EventSink::emit(&mut sink, e);
    }
    sink.commit().unwrap();
}

#[test]
fn a_committed_step_journals_its_orders_fills_and_amendments_and_counts_a_trade_once() {
    let (_dir, path) = temp_db("step");
    let store = Store::open_path(&path).unwrap();
    let mut events = Vec::new();
    let stop = OrderRequest {
        kind: OrderKind::StopMarket {
            trigger: dec!(1900),
        },
        ..request("smc-2-0", dec!(2))
    };
    let id = ClientOrderId::new("smc-2-0");
    let first = [
        EngineEvent::OrderSubmitted {
            time: Timestamp::from_ms(1),
            order: stop,
            setup: None,
        },
        EngineEvent::OrderAccepted {
            time: Timestamp::from_ms(1),
            client_id: id.clone(),
            eligible_at: Timestamp::from_ms(1),
        },
        EngineEvent::Fill(fill("smc-2-0", "t1", dec!(0.5))),
        EngineEvent::OrderAmended {
            time: Timestamp::from_ms(2),
            client_id: id.clone(),
            trigger: dec!(1950),
        },
    ];
    step(&store, &mut events, &first);
    assert_eq!(events, first, "forwarded in order, after the commit");
    // The order of the earlier step comes from memory now; the repeated
    // trade t1 does not count again, t2 does.
    let again = [
        EngineEvent::Fill(fill("smc-2-0", "t1", dec!(0.5))),
        EngineEvent::Fill(fill("smc-2-0", "t2", dec!(1.5))),
    ];
    step(&store, &mut events, &again);
    drop(store);
    let store = Store::open_path(&path).unwrap();
    let o = store.order(&id).unwrap().unwrap();
    assert_eq!((o.status, o.filled_qty), (OrderStatus::Filled, dec!(2)));
    assert_eq!(
        o.request.kind,
        OrderKind::StopMarket {
            trigger: dec!(1950)
        }
    );
    assert_eq!(store.fills().unwrap().len(), 2);
}

#[test]
fn a_step_that_fails_to_commit_writes_nothing_and_forwards_nothing() {
    let (_dir, path) = temp_db("failed");
    let store = Store::open_path(&path).unwrap();
    store
        .record_order(&request("smc-3-0", dec!(1)), Timestamp::from_ms(1))
        .unwrap();
    let id: smc_model::InstrumentId = "binance:ETHUSDT".parse().unwrap();
    let candle = candles()[0];
    let mut events = Vec::new();
    let mut sink = JournalSink::new(&store, &mut events);
    sink.log_candle(&id, Timeframe::H1, &candle, CandleReceipt::default());
    // The same deterministic id again: a duplicate order, refused.
    smc_model::EventSink::emit(
        &mut sink,
        &EngineEvent::OrderSubmitted {
            time: Timestamp::from_ms(2),
            order: request("smc-3-0", dec!(1)),
            setup: None,
        },
    );
    let error = sink.commit().unwrap_err().to_string();
    assert!(error.contains("committing"), "{error}");
    assert!(events.is_empty(), "nothing goes on without its journal");
    assert!(
        store.logged_candles().unwrap().is_empty(),
        "the candle was rolled back"
    );
    assert_eq!(store.orders().unwrap().len(), 1);
    // The connection is usable again; how the candle arrived is kept.
    let receipt = CandleReceipt {
        received_at: Some(Timestamp::from_ms(1_700_000_000_123)),
        history: true,
    };
    assert!(
        store
            .log_candle(&LoggedCandle {
                instrument: id.clone(),
                timeframe: Timeframe::H1,
                candle,
                receipt,
            })
            .unwrap()
    );
    assert_eq!(store.logged_candles().unwrap()[0].receipt, receipt);
}

#[test]
fn a_partial_fill_reported_after_the_cancel_leaves_the_order_cancelled() {
    let (_dir, path) = temp_db("late");
    let store = Store::open_path(&path).unwrap();
    store
        .record_order(&request("smc-2-0", dec!(2)), Timestamp::from_ms(1_000))
        .unwrap();
    let id = ClientOrderId::new("smc-2-0");
    store
        .set_order_status(
            &id,
            OrderStatus::Cancelled,
            Some("cancelled on request"),
            None,
            Timestamp::from_ms(2_000),
        )
        .unwrap();
    // Its trade happened before the cancel; the report came after.
    assert!(
        store
            .record_fill(&fill("smc-2-0", "t1", dec!(0.5)))
            .unwrap()
    );
    let o = store.order(&id).unwrap().unwrap();
    assert_eq!(
        (o.status, o.filled_qty),
        (OrderStatus::Cancelled, dec!(0.5))
    );
    // A fill of the rest means the cancel lost the race: filled.
    assert!(
        store
            .record_fill(&fill("smc-2-0", "t2", dec!(1.5)))
            .unwrap()
    );
    let o = store.order(&id).unwrap().unwrap();
    assert_eq!((o.status, o.filled_qty), (OrderStatus::Filled, dec!(2)));
}
