//! The smc strategy's optional entry conditions and triggers, through
//! `smc backtest` on the bundled Binance USD-M BTCUSDT minutes (1m entries,
//! 15m bias): kill zones keep every entry inside their hours and count the
//! setups they refuse, the recent-sweep rule counts its refusals and takes
//! fewer entries, and breaker blocks become a trigger when asked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn backtest(dir: &Path, name: &str, smc: &str, extra: &[&str]) -> serde_json::Value {
    let config = dir.join(format!("{name}.yaml"));
    std::fs::write(&config, format!("backtest:\n  smc_strategy:\n{smc}")).unwrap();
    let json = dir.join(format!("{name}.json"));
    let input = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/market/binance-usdm/BTCUSDT-1m.csv"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([
            "backtest",
            "--input",
            input,
            "--strategy",
            "smc",
            "--timeframes",
            "1m,15m",
        ])
        .args(extra)
        .arg("--config")
        .arg(&config)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

fn entries(run: &serde_json::Value) -> Vec<i64> {
    run["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["reduce_only"] == false)
        .map(|o| o["time"].as_i64().unwrap())
        .collect()
}

#[test]
fn kill_zones_sweeps_and_breaker_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let plain = backtest(dir.path(), "plain", "    allow_short: false\n", &[]);
    let base = entries(&plain);
    assert!(base.len() > 5, "{}", base.len());
    assert!(plain["no_trade_reasons"].get("outside_kill_zone").is_none());

    let zoned = backtest(
        dir.path(),
        "zoned",
        "    kill_zones: [new_york, london_open]\n",
        &[],
    );
    let hours: Vec<i64> = entries(&zoned).iter().map(|t| t / 3_600_000 % 24).collect();
    assert!(!hours.is_empty());
    assert!(
        hours
            .iter()
            .all(|h| (6..9).contains(h) || (11..14).contains(h)),
        "{hours:?}"
    );
    assert!(
        zoned["no_trade_reasons"]["outside_kill_zone"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(
        base.iter().any(|t| !(6..9).contains(&(t / 3_600_000 % 24))
            && !(11..14).contains(&(t / 3_600_000 % 24)))
    );

    let swept = backtest(dir.path(), "swept", "    require_sweep_bars: 30\n", &[]);
    assert!(
        swept["no_trade_reasons"]["no_recent_sweep"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(entries(&swept).len() < base.len());

    let perpetual = ["--instrument-kind", "perpetual", "--account", "margin"];
    let breakers = backtest(
        dir.path(),
        "breakers",
        "    breaker_blocks: true\n    allow_short: true\n",
        &perpetual,
    );
    let setups: Vec<&str> = breakers["trades"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["setup"].as_str())
        .collect();
    assert!(setups.contains(&"breaker_retest"), "{setups:?}");
    let without = backtest(dir.path(), "without", "    allow_short: true\n", &perpetual);
    assert!(
        without["trades"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["setup"] != "breaker_retest")
    );
}
