//! Live sessions driven in-process against the venue simulator under each
//! fault it injects (dropped WebSockets, delays, duplicate and reordered
//! user events, 429, 418, -1021, 5xx, an order timing out after it was
//! accepted): each session crashes (aborts between two steps, without its
//! final reconciliation) a few times at random moments and is restarted on
//! the same journal; at the end every venue order is journaled once with
//! the venue's status, what the venue does not know was refused, the
//! journal's fills are the venue's trades and the position is the venue's
//! balance. Kills of a real process are in the command line's tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, crash_then_finish, spec, write_config};
use smc_runtime::Mode;
use smc_testkit::audit::{assert_journal_agrees, journal, venue_account};
use smc_testkit::sim::TestSim;

/// Crashes the session `crashes` times under `faults`, then runs it for
/// `bars` more candles and checks the journal against the venue.
fn trade_and_check(faults: &str, crashes: usize, bars: u64, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("live.db");
    let sim = TestSim::btcusdt(80.0, faults);
    let live = spec(Mode::Live, &sim, &cfg, &db);
    crash_then_finish(&live, crashes, bars, seed, faults);
    sim.clear_faults_checked(faults);
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    // The session traded, and the venue filled some of it.
    assert!(
        venue.orders.len() >= 3,
        "[{faults}] too few orders to tell: {:?}",
        venue.orders
    );
    assert!(
        venue.trades.len() >= 2,
        "[{faults}] {:?} {:?}",
        venue.trades,
        venue.orders
    );
    assert_journal_agrees(&journal(&db), &venue, "BTCUSDT", faults);
}

#[test]
fn live_survives_crashes_under_connection_faults() {
    for (i, faults) in [
        "drop-ws(after=700ms)",
        "delay(ms=150)",
        "dup-events",
        "reorder-events",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check(faults, 3, 400, 0x1234_5678 + i as u64);
    }
}

#[test]
fn live_survives_crashes_under_error_answers() {
    for (i, faults) in [
        "429(every=4,path=/api/v3/order)",
        "418(secs=1,count=2,path=/api/v3/order)",
        "-1021(every=3,path=/api/v3/order)",
        "5xx(every=4,path=/api/v3/order)",
        "order-timeout(every=2)",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check(faults, 3, 400, 0xabcd_ef01 + i as u64);
    }
}
