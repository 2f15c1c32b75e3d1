//! A paper session in-process against the venue simulator: run, stopped,
//! restarted on its journal; its orders and fills are exactly those of a
//! backtest of the candles it logged, and its bus carried every journaled
//! order, and every candle's no-trade reason, to a lossless subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, run_to_end, spec, write_config};
use smc_model::EngineEvent;
use smc_runtime::backtest::BacktestRequest;
use smc_runtime::{Mode, SessionEvent, SessionSpec};
use smc_testkit::audit::journal;
use smc_testkit::sim::TestSim;

#[test]
fn a_paper_session_restarted_in_process_trades_like_the_backtest_of_its_candles() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("paper.db");
    let sim = TestSim::btcusdt(200.0, "");
    let paper = spec(Mode::Paper, &sim, &cfg, &db);
    let mut published = Vec::new();
    let mut no_trade: std::collections::BTreeMap<&str, u64> = Default::default();
    for bars in [300, 200] {
        let (result, events) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..paper.clone()
        });
        let stopped = result.unwrap();
        assert_eq!(stopped.candles, bars);
        assert!(
            matches!(&**events.first().unwrap(), SessionEvent::Started(s) if s.mode == Mode::Paper)
        );
        published.extend(events.iter().filter_map(|e| match &**e {
            SessionEvent::Engine(EngineEvent::OrderSubmitted { order, .. }) => {
                Some(order.client_id.to_string())
            }
            _ => None,
        }));
        for e in &events {
            if let SessionEvent::Engine(EngineEvent::NoTrade { reason, .. }) = &**e {
                *no_trade.entry(reason.as_str()).or_default() += 1;
            }
        }
    }
    let store = journal(&db);
    let candles: Vec<_> = store.logged_candles().unwrap();
    assert_eq!(candles.len(), 500);
    assert!(
        candles
            .windows(2)
            .all(|w| w[1].candle.open_time - w[0].candle.open_time == 60_000)
    );
    // The backtest of the same candles, through the runtime's job.
    let csv = dir.path().join("logged.csv");
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for c in &candles {
        let k = &c.candle;
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            k.open_time, k.open, k.high, k.low, k.close, k.volume
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let backtest = BacktestRequest {
        settings: Some(smc_config::load(&cfg).unwrap()),
        input: Some(csv),
        ..BacktestRequest::default()
    }
    .run(&mut |_| {})
    .unwrap();
    let expected: Vec<String> = backtest
        .events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { order, .. } => Some(order.client_id.to_string()),
            _ => None,
        })
        .collect();
    let orders: Vec<String> = store
        .orders()
        .unwrap()
        .iter()
        .map(|o| o.request.client_id.to_string())
        .collect();
    assert!(orders.len() >= 2, "the session traded: {orders:?}");
    assert_eq!(orders, expected);
    // Every journaled order reached the lossless subscriber, once.
    assert_eq!(published, orders);
    let fills = store.fills().unwrap();
    let trades = &backtest.report.trades;
    let expected_fills = trades.len() * 2 + backtest.report.open_trades.len();
    assert_eq!(fills.len(), expected_fills);
    // The bus carried each candle's no-trade reason, as the backtest
    // counted them (the journal keeps none: replaying the candles gives
    // them back).
    assert_eq!(no_trade, backtest.no_trade.totals());
}
