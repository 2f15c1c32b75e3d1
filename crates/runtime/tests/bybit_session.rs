//! Sessions on Bybit, in-process against the simulator speaking Bybit v5:
//! a paper session trades on Bybit's candles and resumes on its journal
//! after a restart; live sessions on spot and on linear perpetuals run,
//! are crashed at random moments and resumed, and afterwards every order
//! the venue knows is journaled once with the venue's status, every
//! journaled order the venue does not know was refused, the journal's
//! fills are exactly the venue's executions, and the journal's position is
//! the venue's (read from the simulator's own state, not through the API
//! under test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, bybit_spec, crash_then_finish, run_to_end, write_config};
use smc_model::EngineEvent;
use smc_runtime::{Market, Mode, SessionEvent, SessionSpec};
use smc_testkit::audit::{assert_journal_agrees, journal, sim_account};
use smc_testkit::sim::TestSim;

fn submitted(events: &[std::sync::Arc<SessionEvent>]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &**e {
            SessionEvent::Engine(EngineEvent::OrderSubmitted { order, .. }) => {
                Some(order.instrument.to_string())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_paper_session_trades_on_bybit_and_resumes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("paper.db");
    let sim = TestSim::bybit_btcusdt(200.0, "");
    let paper = bybit_spec(Mode::Paper, &sim, &cfg, &db, Market::Spot);
    let mut instruments = Vec::new();
    for bars in [250, 150] {
        let (result, events) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..paper.clone()
        });
        assert_eq!(result.unwrap().candles, bars);
        instruments.extend(submitted(&events));
    }
    let store = journal(&db);
    let candles = store.logged_candles().unwrap();
    assert_eq!(candles.len(), 400);
    assert!(
        candles
            .windows(2)
            .all(|w| w[1].candle.open_time - w[0].candle.open_time == 60_000),
        "a gap or a duplicate across the restart"
    );
    assert!(!instruments.is_empty(), "the paper session placed nothing");
    assert!(
        instruments.iter().all(|i| i == "bybit:BTCUSDT"),
        "{instruments:?}"
    );
}

fn live_on(market: Market, crashes: usize) {
    let what = format!("bybit {market:?}");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("live.db");
    let sim = TestSim::bybit_btcusdt(40.0, "");
    let live = bybit_spec(Mode::Live, &sim, &cfg, &db, market);
    crash_then_finish(&live, crashes, 120, 0x5eed_b7b1_0000_0001, &what);
    let venue = sim_account(&sim, market == Market::UsdM, "BTCUSDT", "BTC");
    assert!(venue.orders.len() >= 2, "[{what}] {:?}", venue.orders);
    assert!(!venue.trades.is_empty(), "[{what}] nothing filled");
    assert_journal_agrees(&journal(&db), &venue, "BTCUSDT", &what);
}

#[test]
fn a_live_session_on_bybit_spot_agrees_with_the_venue_across_crashes() {
    live_on(Market::Spot, crashes());
}

#[test]
fn a_live_session_on_bybit_linear_agrees_with_the_venue_across_crashes() {
    live_on(Market::UsdM, crashes());
}

/// Crashes per live test: `SMC_BYBIT_CRASHES` (CI's full count is the default).
fn crashes() -> usize {
    std::env::var("SMC_BYBIT_CRASHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}
