//! What the runtime's integration tests share: configs, session specs
//! against the in-process simulator, and running a session to its end
//! while collecting everything it published.

#![allow(dead_code)]

use smc_runtime::{
    EventBus, Market, Mode, RunningSession, SessionEvent, SessionResult, SessionSpec, Stopped,
    VenueName, VenueSpec,
};
use smc_testkit::sim::{KEY, SECRET, TestSim};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// sma_cross on BTCUSDT minutes with the venue's rules and (for live
/// mode) a circuit breaker that never trips in these tests.
pub const SMA_CROSS_CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

/// Writes `text` as `name` in `dir`.
pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A session of `mode` against `sim` with the config at `config`, on
/// the database `db`, with the test key.
pub fn spec(mode: Mode, sim: &TestSim, config: &Path, db: &Path) -> SessionSpec {
    SessionSpec {
        mode: Some(mode),
        config: Some(smc_config::load(config).unwrap()),
        config_path: Some(config.to_path_buf()),
        venue: VenueSpec {
            url: Some(sim.addr.clone()),
            ..VenueSpec::default()
        },
        symbols: vec!["BTCUSDT".into()],
        database: Some(db.to_path_buf()),
        confirm_live: true,
        allow_local_venue: true,
        credentials: smc_config::env::credentials("binance", |k| match k {
            "BINANCE_API_KEY" => Some(KEY.into()),
            "BINANCE_API_SECRET" => Some(SECRET.into()),
            _ => None,
        }),
        ..SessionSpec::default()
    }
}

/// A session of `mode` on Bybit's `market` against `sim` (speaking Bybit
/// v5), with the test key in BYBIT_API_KEY/SECRET and a reconciliation
/// every two seconds.
pub fn bybit_spec(
    mode: Mode,
    sim: &TestSim,
    config: &Path,
    db: &Path,
    market: Market,
) -> SessionSpec {
    SessionSpec {
        mode: Some(mode),
        config: Some(smc_config::load(config).unwrap()),
        config_path: Some(config.to_path_buf()),
        venue: VenueSpec {
            venue: VenueName::Bybit,
            market,
            url: Some(sim.addr.clone()),
            account_id: None,
        },
        symbols: vec!["BTCUSDT".into()],
        database: Some(db.to_path_buf()),
        confirm_live: true,
        allow_local_venue: true,
        reconcile_every: Some(Duration::from_secs(2)),
        credentials: smc_config::env::credentials("bybit", |k| match k {
            "BYBIT_API_KEY" => Some(KEY.into()),
            "BYBIT_API_SECRET" => Some(SECRET.into()),
            _ => None,
        }),
        ..SessionSpec::default()
    }
}

/// Runs `spec` to its end, returning its result and every event it
/// published.
pub fn run_to_end(spec: SessionSpec) -> (SessionResult<Stopped>, Vec<Arc<SessionEvent>>) {
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossless(1 << 16);
    let collector = std::thread::spawn(move || {
        let mut all = Vec::new();
        while let Some(e) = events.recv_blocking() {
            all.push(e);
        }
        all
    });
    let result = RunningSession::start(spec, bus).unwrap().wait();
    (result, collector.join().unwrap())
}

/// Starts `spec` `crashes` times and aborts it after a pseudo-random
/// `min_ms .. min_ms + spread_ms` each time (xorshift from `seed`, so the
/// moments are reproducible): it stops between two steps, without its
/// final reconciliation, as a crashed process would.
pub fn crash_repeatedly(
    spec: &SessionSpec,
    crashes: usize,
    min_ms: u64,
    spread_ms: u64,
    mut seed: u64,
) {
    for _ in 0..crashes {
        let session = RunningSession::start(spec.clone(), EventBus::new()).unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(min_ms + seed % spread_ms));
        session.abort();
        // Under faults an aborted start may fail to reconcile; that is a
        // venue error, never a panic or a journal failure.
        if let Err(e) = session.wait() {
            let text = e.to_string();
            assert!(
                !text.contains("panicked") && !text.contains("journal"),
                "{text}"
            );
        }
    }
}

/// Crashes the live session `live` `crashes` times at random moments,
/// then runs it for `bars` more candles to a clean stop, and checks that
/// its final reconciliation found the account equal to the venue's.
pub fn crash_then_finish(live: &SessionSpec, crashes: usize, bars: u64, seed: u64, what: &str) {
    crash_repeatedly(live, crashes, 200, 500, seed);
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(bars),
        ..live.clone()
    });
    let stopped = result.unwrap_or_else(|e| panic!("[{what}] {e}"));
    let (_, found) = last_reconciliation(&events);
    assert_eq!(
        stopped.differences,
        Some(0),
        "[{what}] {:?}",
        found.differences
    );
    let (why, found) = last_reconciliation(&events);
    assert_eq!(why, "stop", "[{what}]");
    assert!(found.differences.is_empty(), "[{what}] {found:?}");
}

/// The last reconciliation a session published.
pub fn last_reconciliation(events: &[Arc<SessionEvent>]) -> (String, smc_runtime::Reconciled) {
    events
        .iter()
        .rev()
        .find_map(|e| match &**e {
            SessionEvent::Reconciled { why, result, .. } => Some((why.clone(), result.clone())),
            _ => None,
        })
        .expect("a reconciliation")
}
