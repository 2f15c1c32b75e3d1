//! The runtime's sessions on a PostgreSQL journal (`--db postgres://…`): a
//! paper session stopped and restarted trades exactly like the backtest of
//! the candles it logged, and a live session crashed and restarted ends
//! with the journal equal to the venue's account. Each test starts its own
//! throwaway cluster (skipped, with the reason printed, only where
//! PostgreSQL is not installed and this is not CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, crash_then_finish, run_to_end, spec, write_config};
use smc_model::EngineEvent;
use smc_runtime::backtest::BacktestRequest;
use smc_runtime::{Mode, SessionSpec};
use smc_store::open_journal;
use smc_testkit::audit::{assert_journal_agrees, venue_account};
use smc_testkit::postgres::Cluster;
use smc_testkit::sim::TestSim;
use std::path::PathBuf;

#[test]
fn a_paper_session_on_postgres_restarted_trades_like_the_backtest_of_its_candles() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let sim = TestSim::btcusdt(200.0, "");
    let paper = spec(Mode::Paper, &sim, &cfg, &PathBuf::from(&url));
    assert_eq!(paper.database_url(), url, "--db takes a URL");
    for bars in [300, 200] {
        let (result, _) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..paper.clone()
        });
        assert_eq!(result.unwrap().candles, bars);
    }
    let store = open_journal(&url).unwrap();
    let candles = store.logged_candles().unwrap();
    assert_eq!(candles.len(), 500);
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
    let trades = &backtest.report.trades;
    assert_eq!(
        store.fills().unwrap().len(),
        trades.len() * 2 + backtest.report.open_trades.len()
    );
}

#[test]
fn a_live_session_on_postgres_survives_crashes_with_the_journal_equal_to_the_venue() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let faults = "dup-events";
    let sim = TestSim::btcusdt(80.0, faults);
    let live = spec(Mode::Live, &sim, &cfg, &PathBuf::from(&url));
    crash_then_finish(&live, 3, 400, 0x5059_0000_0000_0001, faults);
    sim.clear_faults_checked(faults);
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    assert!(
        venue.orders.len() >= 3,
        "too few orders to tell: {:?}",
        venue.orders
    );
    assert!(venue.trades.len() >= 2, "{:?}", venue.trades);
    let store = open_journal(&url).unwrap();
    assert_journal_agrees(store.as_ref(), &venue, "BTCUSDT", faults);
}
