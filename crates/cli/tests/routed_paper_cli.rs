//! `smc run --mode paper --route-to bybit` against two `smc venue-sim`
//! processes replaying the same BTCUSDT minutes, Binance's quoting about
//! 1 % wider than Bybit's: the session is killed with SIGKILL at random
//! moments (`SMC_ROUTED_KILLS`, default 6) and restarted on its journal,
//! then runs to a clean stop. Every order the strategy placed has exactly
//! one routing decision in the journal, every decision sent the order to
//! Bybit, and each decision the last run printed is the one journaled.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, kill_repeatedly, smc};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\ntrading:\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 3000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("routed.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    path
}

fn paper(binance: &Sim, bybit: &Sim, config: &Path, db: &Path) -> Command {
    let mut c = smc();
    c.args(["run", "--mode", "paper", "--symbol", "BTCUSDT"])
        .args(["--venue-url", &binance.addr])
        .args(["--venue-url", &format!("bybit={}", bybit.addr)])
        .args(["--route-to", "bybit"])
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db);
    c
}

fn kills() -> usize {
    std::env::var("SMC_ROUTED_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

#[test]
fn a_routed_paper_session_survives_kills_with_its_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("routed.db");
    let binance = Sim::start(50, &["--book-spread-ticks", "4000"]);
    let bybit = Sim::start(50, &["--protocol", "bybit"]);
    kill_repeatedly(
        || paper(&binance, &bybit, &cfg, &db),
        kills(),
        1_000,
        3_000,
        0x2545_f491_4f6c_dd1d,
    );
    let out = paper(&binance, &bybit, &cfg, &db)
        .args(["--max-bars", "150"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["type"] == "routed")
        .collect();
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let placed: Vec<String> = store
        .orders()
        .unwrap()
        .iter()
        .map(|o| o.request.client_id.to_string())
        .filter(|id| !id.ends_with("-sl") && !id.ends_with("-tp"))
        .collect();
    assert!(placed.len() >= 2, "too few orders to judge: {placed:?}");
    for id in &placed {
        let kept = store.session_value(&format!("route:{id}")).unwrap();
        let kept: serde_json::Value = serde_json::from_str(&kept.unwrap()).unwrap();
        let allocations = kept["decision"]["allocations"].as_array().unwrap();
        assert_eq!(allocations.len(), 1, "{id}: {kept}");
        assert_eq!(allocations[0]["venue"], "bybit", "{id}: {kept}");
    }
    for event in &printed {
        let id = event["client_id"].as_str().unwrap();
        assert!(
            placed.iter().any(|p| p == id),
            "printed {id} is not journaled"
        );
        let kept = store
            .session_value(&format!("route:{id}"))
            .unwrap()
            .unwrap();
        let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
        assert_eq!(kept["decision"], event["decision"], "{id}");
    }
}
