//! `smc backtest --significance N --seed S`: the example config's strategy
//! against N random-entry runs, as a process: the JSON block the issue
//! names (runs, seed, three p-values), the same numbers for the same seed,
//! other draws for another, and the report's table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run(dir: &Path, seed: &str, name: &str) -> serde_json::Value {
    let json = dir.join(format!("{name}.json"));
    let report = dir.join(format!("{name}.html"));
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .current_dir(root())
        .args(["backtest", "--config", "config.example.yaml"])
        .args(["--significance", "60", "--seed", seed])
        .arg("--json")
        .arg(&json)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("significance: 60 random-entry runs"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("id=\"significance\""), "the report's table");
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[test]
fn significance_is_reported_reproducibly_by_seed() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "7", "a");
    let s = &a["significance"];
    assert_eq!(s["runs"], 60);
    assert_eq!(s["seed"], 7);
    for key in [
        "p_value_total_return",
        "p_value_sharpe",
        "p_value_profit_factor",
    ] {
        let p = s[key].as_f64().unwrap_or_else(|| panic!("{key}: {s}"));
        assert!(p > 0.0 && p <= 1.0, "{key} = {p}");
        // p = (1 + k) / 61 for a whole k.
        let k = p * 61.0 - 1.0;
        assert!((k - k.round()).abs() < 1e-9, "{key} = {p}");
    }
    // The strategy's own figures are the backtest's.
    assert_eq!(s["strategy"]["total_return"], a["metrics"]["total_return"]);
    let again = run(dir.path(), "7", "b");
    assert_eq!(
        again["significance"], a["significance"],
        "same seed, same runs"
    );
    let other = run(dir.path(), "8", "c");
    assert_ne!(
        other["significance"]["random_total_return"], s["random_total_return"],
        "another seed draws other entries"
    );
}

/// On a leveraged forex account the random trades keep the strategy's
/// notional share and stop distance: each loses what the strategy's
/// trade could have lost, not the leverage times it (before, a random run
/// there bought 30× the notional without stops and lost everything).
#[test]
fn random_trades_on_margin_keep_the_strategys_notional_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("fx.json");
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .current_dir(root())
        .args(["backtest", "--input", "testdata/market/oanda/EURUSD-1d.csv"])
        .args(["--strategy", "smc", "--significance", "40", "--seed", "7"])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let random = &v["significance"]["random_total_return"];
    let (p5, p95) = (
        random["p5"].as_f64().unwrap(),
        random["p95"].as_f64().unwrap(),
    );
    // The strategy's own run loses 16 % at most over these years; random
    // runs with its sizes and stops stay within a few tens of percent.
    assert!(p5 > -0.5, "random runs lose too much: {random}");
    assert!(p95 < 0.5, "random runs gain too much: {random}");
    assert!(p5 < p95, "{random}");
}
