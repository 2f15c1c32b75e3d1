//! Live sessions on Bybit (spot) driven in-process against the simulator
//! speaking Bybit v5 under each fault it injects — dropped WebSockets,
//! delays, duplicate and reordered private events, rate limiting (retCode
//! 10006), an IP ban (HTTP 403), a timestamp refusal (10002), 5xx, and an
//! order that times out after it was accepted; each on every second order
//! placement, as Bybit's endpoints differ from Binance's one `/api/v3/order`
//! for place, query and cancel) — each crashed a few times
//! at random moments and restarted on its journal. Afterwards every venue
//! order is journaled once with the venue's status, what the venue does
//! not know was refused, the journal's fills are the venue's executions
//! and the position is the venue's balance.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, bybit_spec, crash_then_finish, write_config};
use smc_runtime::{Market, Mode};
use smc_testkit::audit::{assert_journal_agrees, journal, sim_account};
use smc_testkit::sim::TestSim;

fn trade_and_check(faults: &str, crashes: usize, bars: u64, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("live.db");
    let sim = TestSim::bybit_btcusdt(80.0, faults);
    let live = bybit_spec(Mode::Live, &sim, &cfg, &db, Market::Spot);
    crash_then_finish(&live, crashes, bars, seed, faults);
    sim.clear_faults_checked(faults);
    let venue = sim_account(&sim, false, "BTCUSDT", "BTC");
    // The session traded through the faults (refused orders are journaled
    // as rejected, and checked below).
    assert!(venue.orders.len() >= 2, "[{faults}] {:?}", venue.orders);
    assert!(!venue.trades.is_empty(), "[{faults}] {:?}", venue.trades);
    assert_journal_agrees(&journal(&db), &venue, "BTCUSDT", faults);
}

#[test]
fn live_on_bybit_survives_crashes_under_connection_faults() {
    for (i, faults) in [
        "drop-ws(after=700ms)",
        "delay(ms=150)",
        "dup-events",
        "reorder-events",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check(faults, 3, 400, 0xb7b1_0001 + i as u64);
    }
}

#[test]
fn live_on_bybit_survives_crashes_under_error_answers() {
    for (i, faults) in [
        "429(every=2,path=/v5/order/create)",
        "418(secs=1,count=2,path=/v5/order/create)",
        "-1021(every=2,path=/v5/order/create)",
        "5xx(every=2,path=/v5/order/create)",
        "order-timeout(every=2)",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check(faults, 3, 600, 0xb7b1_ef01 + i as u64);
    }
}
