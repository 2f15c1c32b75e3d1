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

/// The simulator without financing: a live session's engine does not
/// see OANDA's `DAILY_FINANCING` yet (the notes), so a held
/// position would differ from the venue's balance at each rollover.
fn oanda_without_financing(speed: f64, faults: &str) -> TestSim {
    TestSim::start(smc_venue_sim::SimConfig {
        protocol: smc_venue_sim::Protocol::Oanda,
        markets: vec![smc_testkit::sim::market(
            "testdata/market/oanda/EURUSD-1d.csv",
            "EUR_USD",
        )],
        oanda: smc_venue_sim::OandaConfig {
            financing_long_pct: Decimal::ZERO,
            financing_short_pct: Decimal::ZERO,
            ..smc_venue_sim::OandaConfig::default()
        },
        ..smc_testkit::sim::btcusdt_config(speed, faults)
    })
}

#[test]
fn a_live_session_on_oanda_agrees_with_the_venue_across_crashes() {
    live_on_oanda("", crashes());
}

#[test]
fn a_live_session_on_oanda_agrees_with_the_venue_under_faults() {
    // Each of the simulator's faults as OANDA answers it: throttling, a
    // lost answer to an order it placed, 5xx, a dropped transaction
    // stream, duplicated and reordered transactions, slow answers.
    for faults in [
        "429(every=4)",
        "order-timeout(every=3)",
        "5xx(every=6)",
        "drop-ws(after=1500ms)",
        "dup-events",
        "reorder-events",
        "delay(ms=200,every=2)",
    ] {
        live_on_oanda(faults, crashes() / 2);
    }
}

/// A live session on the simulator with `faults`, crashed `crashes`
/// times and finished; then its journal against the venue's record.
fn live_on_oanda(faults: &str, crashes: usize) {
    let what = format!("oanda [{faults}]");
    let dir = tempfile::tempdir().unwrap();
    let sim = oanda_without_financing(20.0, faults);
    let live = oanda_spec(Mode::Live, &sim, dir.path());
    common::crash_then_finish(&live, crashes, 80, 0x0a4d_a000_0000_0001, &what);
    let store = journal(&dir.path().join("oanda.db"));
    let orders = store.orders().unwrap();
    assert!(orders.len() >= 2, "[{what}] {orders:?}");
    // The venue's own record, read over plain HTTP (not through the
    // adapter under test): every fill is journaled once, with its order's
    // client id, units and price, and the position is the venue's.
    let (fills, position, placed) = venue_record(&sim.addr);
    assert!(!fills.is_empty(), "[{what}] nothing filled");
    let journaled: Fills = store
        .fills()
        .unwrap()
        .iter()
        .map(|f| {
            let qty = f.qty.normalize().to_string();
            let price = f.price.normalize().to_string();
            (f.trade_id.clone(), (f.client_id.to_string(), qty, price))
        })
        .collect();
    assert_eq!(
        journaled, fills,
        "[{what}] journal fills vs the venue's ORDER_FILLs"
    );
    let held = store
        .positions()
        .unwrap()
        .iter()
        .find(|p| p.instrument.ends_with(":EUR_USD"))
        .map_or(Decimal::ZERO, |p| p.qty);
    assert_eq!(held, position, "[{what}] position vs the venue's");
    let journal_ids: Vec<String> = orders
        .iter()
        .map(|o| o.request.client_id.to_string())
        .collect();
    for id in &placed {
        let n = journal_ids.iter().filter(|j| *j == id).count();
        assert_eq!(n, 1, "[{what}] order {id} journaled {n} times");
    }
}

/// Crashes of the live test: `SMC_OANDA_CRASHES` (default 4; half of it
/// under each fault).
fn crashes() -> usize {
    std::env::var("SMC_OANDA_CRASHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

type Fills = std::collections::BTreeMap<String, (String, String, String)>;

/// The test account's fills (transaction id → client id, units, price),
/// EUR_USD position and the client ids of its orders, from the
/// simulator's transactions and positions.
fn venue_record(addr: &str) -> (Fills, Decimal, Vec<String>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let get = |path: String| {
            let http = http.clone();
            let url = format!("http://{addr}{path}");
            async move {
                let r = http.get(url).bearer_auth(KEY).send().await.unwrap();
                r.json::<serde_json::Value>().await.unwrap()
            }
        };
        let account = "101-001-1000001-001";
        let summary = get(format!("/v3/accounts/{account}/summary")).await;
        let last: u64 = summary["lastTransactionID"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut all = Vec::new();
        let mut from = 1;
        while from <= last {
            let to = (from + 999).min(last);
            let page = get(format!(
                "/v3/accounts/{account}/transactions/idrange?from={from}&to={to}"
            ))
            .await;
            all.extend(page["transactions"].as_array().unwrap().iter().cloned());
            from = to + 1;
        }
        let mut client_of = std::collections::BTreeMap::new();
        let mut placed = Vec::new();
        for t in &all {
            if let Some(id) = t["clientExtensions"]["id"].as_str()
                && t["type"].as_str().is_some_and(|k| k.ends_with("_ORDER"))
            {
                client_of.insert(t["id"].as_str().unwrap().to_string(), id.to_string());
                placed.push(id.to_string());
            }
        }
        let mut fills = Fills::new();
        for t in all.iter().filter(|t| t["type"] == "ORDER_FILL") {
            let units: Decimal = t["units"].as_str().unwrap().parse().unwrap();
            let price: Decimal = t["price"].as_str().unwrap().parse().unwrap();
            let client = client_of
                .get(t["orderID"].as_str().unwrap())
                .cloned()
                .unwrap_or_default();
            let value = (
                client,
                units.abs().normalize().to_string(),
                price.normalize().to_string(),
            );
            fills.insert(t["id"].as_str().unwrap().to_string(), value);
        }
        let p = get(format!("/v3/accounts/{account}/positions/EUR_USD")).await;
        let units = |side: &str| -> Decimal {
            p["position"][side]["units"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        };
        (fills, units("long") + units("short"), placed)
    })
}
