//! The journal's semantics through the `Journal` trait, the same bodies on
//! both backends: SQLite (a temporary file) and PostgreSQL (a database of
//! a throwaway cluster; skipped, with the reason printed, only where
//! PostgreSQL is not installed and this is not CI). A restart is a drop
//! and a reopen by URL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// testkit depends on this crate, so its std-only cluster is shared by path.
#[path = "../../testkit/src/postgres.rs"]
mod cluster;

use rust_decimal::{Decimal, dec};
use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, Series, engine_instruments};
use smc_model::{
    ApproveAll, ClientOrderId, EngineEvent, EventSink, Fill, Instrument, InstrumentIndex,
    InstrumentSpec, Liquidity, MarketKind, OrderKind, OrderRequest, OrderStatus, Side, SimClock,
    TimeInForce, Timeframe, Timestamp,
};
use smc_store::{
    CandleReceipt, Journal, JournalSink, JournalSync, LoggedCandle, open_journal,
    open_session_journal,
};
use smc_strategy::{SmcConfig, SmcStrategy};
use std::path::Path;

/// Where a test's journal lives: its URL, its append-only log (when the
/// steps go through one), and what keeps them alive.
struct Db {
    url: String,
    log: Option<std::path::PathBuf>,
    _keep: Option<tempfile::TempDir>,
}

impl Db {
    fn open(&self) -> Box<dyn Journal> {
        match &self.log {
            Some(log) => open_session_journal(&self.url, Some(log), JournalSync::None).unwrap(),
            None => open_journal(&self.url).unwrap(),
        }
    }
}

fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("j.db").display());
    Db {
        url,
        log: None,
        _keep: Some(dir),
    }
}

/// Runs `body` on SQLite, then on PostgreSQL when it is here.
fn on_both(body: impl FnMut(&dyn Fn() -> Db)) {
    on_backends(false, body);
}

/// [`on_both`], and again with the steps going through the append-only
/// log in front of each backend (applied in the background).
fn on_both_and_logged(body: impl FnMut(&dyn Fn() -> Db)) {
    on_backends(true, body);
}

fn on_backends(logged: bool, mut body: impl FnMut(&dyn Fn() -> Db)) {
    body(&sqlite);
    if logged {
        body(&|| {
            let db = sqlite();
            let log = db._keep.as_ref().map(|d| d.path().join("j.db.steplog"));
            Db { log, ..db }
        });
    }
    if let Some(pg) = cluster::Cluster::start() {
        body(&|| Db {
            url: pg.database(),
            log: None,
            _keep: None,
        });
        if logged {
            body(&|| {
                let dir = tempfile::tempdir().unwrap();
                Db {
                    url: pg.database(),
                    log: Some(dir.path().join("pg.steplog")),
                    _keep: Some(dir),
                }
            });
        }
    }
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

fn submitted(id: &str, qty: Decimal, ms: i64) -> EngineEvent {
    EngineEvent::OrderSubmitted {
        time: Timestamp::from_ms(ms),
        order: request(id, qty),
        setup: None,
    }
}

fn candles() -> Vec<smc_model::Candle> {
    read_ohlcv(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles
}

fn logged(candle: smc_model::Candle, receipt: CandleReceipt) -> LoggedCandle {
    LoggedCandle {
        instrument: "binance:ETHUSDT".parse().unwrap(),
        timeframe: Timeframe::H1,
        candle,
        receipt,
    }
}

#[test]
fn an_order_from_pending_to_filled_survives_a_restart_and_fills_count_once() {
    on_both(|new| {
        let db = new();
        let id = ClientOrderId::new("smc-1-0");
        {
            let j = db.open();
            j.commit_step(None, &[submitted("smc-1-0", dec!(1.5), 1_000)])
                .unwrap();
            assert_eq!(j.open_orders().unwrap()[0].status, OrderStatus::PendingNew);
            let moved = j.set_order_status(
                &id,
                OrderStatus::Submitted,
                None,
                Some("8812"),
                Timestamp::from_ms(2_000),
            );
            assert!(moved.unwrap());
            j.replay(&EngineEvent::Fill(fill("smc-1-0", "t1", dec!(1))))
                .unwrap();
            // The same trade reported again: counted once.
            j.replay(&EngineEvent::Fill(fill("smc-1-0", "t1", dec!(1))))
                .unwrap();
            let o = j.order(&id).unwrap().unwrap();
            assert_eq!(
                (o.status, o.filled_qty),
                (OrderStatus::PartiallyFilled, dec!(1))
            );
            assert_eq!(o.venue_order_id.as_deref(), Some("8812"));
            let venue = j
                .order_by_venue_id(&"binance:ETHUSDT".parse().unwrap(), "8812")
                .unwrap();
            assert_eq!(venue.map(|o| o.request.client_id), Some(id.clone()));
            // A duplicate client id fails its step: a duplicate order.
            assert!(
                j.commit_step(None, &[submitted("smc-1-0", dec!(1), 3_000)])
                    .is_err()
            );
        } // killed here
        let j = db.open();
        assert_eq!(
            j.open_orders().unwrap().len(),
            1,
            "still open after the restart"
        );
        j.replay(&EngineEvent::Fill(fill("smc-1-0", "t2", dec!(0.5))))
            .unwrap();
        let o = j.order(&id).unwrap().unwrap();
        assert_eq!((o.status, o.filled_qty), (OrderStatus::Filled, dec!(1.5)));
        assert!(j.open_orders().unwrap().is_empty());
        assert_eq!(j.fills().unwrap().len(), 2);
        // A late acceptance or cancel after the fill changes nothing.
        let late = j.set_order_status(
            &id,
            OrderStatus::Cancelled,
            Some("late"),
            None,
            Timestamp::from_ms(9_000),
        );
        assert!(!late.unwrap());
        assert_eq!(j.order(&id).unwrap().unwrap().status, OrderStatus::Filled);
    });
}

#[test]
fn a_committed_step_journals_amendments_and_positions_and_counts_a_trade_once() {
    on_both_and_logged(|new| {
        let db = new();
        let id = ClientOrderId::new("smc-2-0");
        let stop = OrderRequest {
            kind: OrderKind::StopMarket {
                trigger: dec!(1900),
            },
            ..request("smc-2-0", dec!(2))
        };
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
            EngineEvent::PositionChanged {
                time: Timestamp::from_ms(2),
                instrument: "binance:ETHUSDT".parse().unwrap(),
                qty: dec!(0.50),
                avg_price: dec!(2000.10),
                realized_pnl: dec!(-0.2),
            },
        ];
        {
            let j = db.open();
            let mut events = Vec::new();
            let mut sink = JournalSink::new(j.as_ref(), &mut events);
            for e in &first {
                sink.emit(e);
            }
            sink.commit().unwrap();
            assert_eq!(events, first, "forwarded in order, after the commit");
            j.commit_step(
                None,
                &[
                    EngineEvent::Fill(fill("smc-2-0", "t1", dec!(0.5))),
                    EngineEvent::Fill(fill("smc-2-0", "t2", dec!(1.5))),
                ],
            )
            .unwrap();
        }
        let j = db.open();
        let o = j.order(&id).unwrap().unwrap();
        assert_eq!((o.status, o.filled_qty), (OrderStatus::Filled, dec!(2)));
        assert_eq!(
            o.request.kind,
            OrderKind::StopMarket {
                trigger: dec!(1950)
            }
        );
        assert_eq!(j.fills().unwrap().len(), 2);
        let p = &j.positions().unwrap()[0];
        // Exact decimals, scale included.
        assert_eq!(
            (p.qty.to_string(), p.avg_price.to_string()),
            ("0.50".into(), "2000.10".into())
        );
    });
}

#[test]
fn a_step_that_fails_writes_nothing_and_a_candle_keeps_its_receipt() {
    on_both(|new| {
        let db = new();
        let j = db.open();
        j.commit_step(None, &[submitted("smc-3-0", dec!(1), 1)])
            .unwrap();
        let candle = candles()[0];
        let failed = j.commit_step(
            Some(&logged(candle, CandleReceipt::default())),
            &[submitted("smc-3-0", dec!(1), 2)],
        );
        assert!(failed.unwrap_err().to_string().contains("order"));
        assert!(
            j.logged_candles().unwrap().is_empty(),
            "the candle was rolled back"
        );
        assert_eq!(j.orders().unwrap().len(), 1);
        let receipt = CandleReceipt {
            received_at: Some(Timestamp::from_ms(1_700_000_000_123)),
            history: true,
        };
        j.commit_step(Some(&logged(candle, receipt)), &[]).unwrap();
        assert_eq!(j.logged_candles().unwrap()[0].receipt, receipt);
        // The same candle twice: two writers on one session, refused.
        assert!(j.commit_step(Some(&logged(candle, receipt)), &[]).is_err());
    });
}

#[test]
fn venue_reports_are_logged_once_and_session_values_fixed_by_the_first_write() {
    on_both_and_logged(|new| {
        let db = new();
        let j = db.open();
        assert!(j.log_venue_report("fill:a:1", 0, "{1}").unwrap());
        assert!(j.log_venue_report("accepted:x", 2, "{2}").unwrap());
        assert!(!j.log_venue_report("fill:a:1", 5, "{again}").unwrap());
        let got: Vec<_> = j
            .venue_reports()
            .unwrap()
            .into_iter()
            .map(|r| (r.after_candles, r.report))
            .collect();
        assert_eq!(got, vec![(0, "{1}".to_string()), (2, "{2}".to_string())]);
        assert_eq!(j.session_value("cash").unwrap(), None);
        assert_eq!(j.session_value_or_insert("cash", "10").unwrap(), "10");
        assert_eq!(j.session_value_or_insert("cash", "99").unwrap(), "10");
    });
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

/// One process's life (as in journal_sqlite.rs): replay the log, then log
/// and process candles up to `to`; with `die_after_logging`, killed after
/// logging the next candle and before the engine saw it.
fn session(db: &Db, data: &[smc_model::Candle], to: usize, die_after_logging: bool) {
    let j = db.open();
    let mut engine = engine(data);
    let id: smc_model::InstrumentId = "binance:ETHUSDT".parse().unwrap();
    let mut events: Vec<EngineEvent> = Vec::new();
    let log = j.logged_candles().unwrap();
    {
        let mut sink = JournalSink::replaying(j.as_ref(), &mut events);
        for c in &log {
            let bar = smc_engine::MarketEvent::Bar {
                instrument: InstrumentIndex::new(0),
                timeframe: c.timeframe,
                candle: &c.candle,
            };
            engine.process(bar, &mut sink).unwrap();
        }
        sink.commit().unwrap();
    }
    for candle in &data[log.len()..to] {
        let mut sink = JournalSink::new(j.as_ref(), &mut events);
        sink.log_candle(&id, Timeframe::H1, candle, CandleReceipt::default());
        let bar = smc_engine::MarketEvent::Bar {
            instrument: InstrumentIndex::new(0),
            timeframe: Timeframe::H1,
            candle,
        };
        engine.process(bar, &mut sink).unwrap();
        sink.commit().unwrap();
    }
    if die_after_logging && let Some(next) = data.get(to) {
        j.commit_step(Some(&logged(*next, CandleReceipt::default())), &[])
            .unwrap();
    }
}

type Contents = (
    Vec<(String, OrderStatus, Decimal)>,
    Vec<Fill>,
    Vec<(String, Decimal, Decimal)>,
);

fn contents(db: &Db) -> Contents {
    let j = db.open();
    let orders = j
        .orders()
        .unwrap()
        .into_iter()
        .map(|o| (o.request.client_id.to_string(), o.status, o.filled_qty))
        .collect();
    let positions = j
        .positions()
        .unwrap()
        .into_iter()
        .map(|p| (p.instrument, p.qty, p.avg_price))
        .collect();
    (orders, j.fills().unwrap(), positions)
}

#[test]
fn killed_and_restarted_runs_journal_exactly_what_one_run_does() {
    let data = candles();
    let data = &data[..1200];
    let mut results = Vec::new();
    on_both_and_logged(|new| {
        let whole = new();
        session(&whole, data, data.len(), false);
        let expected = contents(&whole);
        assert!(expected.0.len() > 5 && !expected.1.is_empty());
        let cut = new();
        for (stop, mid) in [
            (300, false),
            (301, true),
            (650, false),
            (1000, true),
            (data.len(), false),
        ] {
            session(&cut, data, stop, mid);
        }
        assert_eq!(contents(&cut), expected);
        results.push(expected);
    });
    // Both backends, logged or not, journal the same run identically.
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn postgres_partitions_months_ahead_and_refuses_a_second_session() {
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let url = pg.database();
    let j = open_journal(&url).unwrap();
    let mut jan = candles()[0];
    jan.open_time = Timestamp::from_ms(smc_model::time::epoch_ms(2024, 1, 31, 23, 0, 0));
    let mut mar = jan;
    mar.open_time = Timestamp::from_ms(smc_model::time::epoch_ms(2024, 3, 5, 0, 0, 0));
    for c in [jan, mar] {
        let event = submitted(
            &format!("smc-{}", c.open_time.ms()),
            dec!(1),
            c.open_time.ms(),
        );
        j.commit_step(Some(&logged(c, CandleReceipt::default())), &[event])
            .unwrap();
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let parts: Vec<String> = client
        .query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'candles' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        parts,
        [
            "candles_y2024m01",
            "candles_y2024m02",
            "candles_y2024m03",
            "candles_y2024m04"
        ]
    );
    let events: i64 = client
        .query_one("SELECT count(*) FROM engine_events_y2024m03", &[])
        .unwrap()
        .get(0);
    assert_eq!(events, 1);
    assert_eq!(j.logged_candles().unwrap().len(), 2);
    // One process per session: a second opener is refused while it lives.
    let second = open_journal(&url).map(drop).unwrap_err().to_string();
    assert!(second.contains("another process"), "{second}");
    drop(j);
    assert!(
        open_journal(&url).is_ok(),
        "free again once the first is gone"
    );
}
