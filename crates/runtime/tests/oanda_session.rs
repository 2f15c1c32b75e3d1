//! Sessions on OANDA, in-process against the simulator speaking OANDA v20
//! (EUR_USD daily bids): a paper session reads prices with the token,
//! trades the pair as forex (whole units, a margin account, shorts, the
//! spread as its cost) and resumes on its journal after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_to_end, write_config};
use rust_decimal::Decimal;
use smc_model::{EngineEvent, Side};
use smc_runtime::{Mode, SessionEvent, SessionSpec, VenueName, VenueSpec};
use smc_testkit::audit::journal;
use smc_testkit::sim::{KEY, TestSim};
use std::sync::Arc;

/// sma_cross on EUR_USD days, each entry a quarter of equity.
const FOREX_CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1d\"]\nexchanges:\n  oanda:\n    enabled: true\n    symbols: [\"EUR_USD\"]\ntrading:\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 100000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

fn oanda_spec(mode: Mode, sim: &TestSim, dir: &std::path::Path) -> SessionSpec {
    let cfg = write_config(dir, "oanda.yaml", FOREX_CONFIG);
    SessionSpec {
        mode: Some(mode),
        config: Some(smc_config::load(&cfg).unwrap()),
        config_path: Some(cfg),
        venue: VenueSpec {
            venue: VenueName::Oanda,
            url: Some(sim.addr.clone()),
            ..VenueSpec::default()
        },
        timeframe: Some("1d".into()),
        database: Some(dir.join("oanda.db")),
        confirm_live: true,
        allow_local_venue: true,
        reconcile_every: Some(std::time::Duration::from_secs(2)),
        credentials: smc_config::env::credentials("oanda", |k| {
            (k == "OANDA_API_KEY").then(|| KEY.to_string())
        }),
        ..SessionSpec::default()
    }
}

fn fills(events: &[Arc<SessionEvent>]) -> Vec<smc_model::Fill> {
    events
        .iter()
        .filter_map(|e| match &**e {
            SessionEvent::Engine(EngineEvent::Fill(f)) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_paper_session_trades_eur_usd_as_forex_and_resumes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sim = TestSim::oanda_eurusd(60.0, "");
    let paper = oanda_spec(Mode::Paper, &sim, dir.path());
    let mut all = Vec::new();
    for bars in [150, 100] {
        let (result, events) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..paper.clone()
        });
        let stopped = result.unwrap();
        assert_eq!(stopped.candles, bars);
        let started = events.iter().find_map(|e| match &**e {
            SessionEvent::Started(s) => Some(s.clone()),
            _ => None,
        });
        assert_eq!(started.unwrap().symbols, vec!["EUR_USD".to_string()]);
        all.extend(fills(&events));
    }
    let store = journal(&dir.path().join("oanda.db"));
    let candles = store.logged_candles().unwrap();
    assert_eq!(candles.len(), 250);
    assert!(
        candles
            .windows(2)
            .all(|w| w[1].candle.open_time > w[0].candle.open_time),
        "a duplicate across the restart"
    );
    assert!(all.len() >= 2, "too few fills to judge: {all:?}");
    for f in &all {
        assert_eq!(f.instrument.to_string(), "oanda:EUR_USD");
        assert_eq!(f.qty.fract(), Decimal::ZERO, "whole units: {f:?}");
        assert!(f.fee.is_zero(), "no percentage fee on forex: {f:?}");
    }
    // sma_cross is long-only by its rules, but on a margin account: the
    // buys paid the spread above the candle (1 pip by default).
    let buy = all.iter().find(|f| f.side == Side::Buy).unwrap();
    let bar = candles
        .iter()
        .find(|c| {
            c.candle.open_time.ms() <= buy.time.ms()
                && buy.time.ms() < c.candle.open_time.ms() + 86_400_000
        })
        .unwrap();
    assert_eq!(buy.price, bar.candle.open + Decimal::new(1, 4), "{buy:?}");
}
