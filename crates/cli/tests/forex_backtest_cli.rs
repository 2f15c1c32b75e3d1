//! `smc backtest` on the bundled OANDA EURUSD daily bids: forex by
//! default (from the data's folder) — a margin account, the spread as the
//! cost instead of a percentage fee, shorts, daily financing — and
//! `--account spot --fee` keeps the research tools' spot account.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn eurusd() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/oanda/EURUSD-1d.csv")
        .display()
        .to_string()
}

fn backtest(tag: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join(format!("{tag}.json"));
    let report = dir.path().join(format!("{tag}.html"));
    let input = eurusd();
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([
            "backtest",
            "--input",
            &input,
            "--strategy",
            "smc",
            "--timeframes",
            "1d,1w",
        ])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (v, std::fs::read_to_string(&report).unwrap())
}

fn dec(v: &serde_json::Value, key: &str) -> f64 {
    v[key].as_str().unwrap().parse().unwrap()
}

#[test]
fn oanda_eurusd_backtests_as_forex_with_spread_shorts_and_financing() {
    let (v, html) = backtest("forex", &[]);
    assert_eq!(dec(&v, "fees"), 0.0, "no percentage fee on forex");
    assert!(dec(&v, "spread_paid") > 0.0, "{}", v["spread_paid"]);
    assert!(dec(&v, "funding_paid") != 0.0, "{}", v["funding_paid"]);
    assert!(
        v["short_trades"].as_u64().unwrap() > 0,
        "the smc strategy shorts forex"
    );
    assert!(
        v["models"]["account"]
            .as_str()
            .unwrap()
            .starts_with("margin")
    );
    assert!(v["models"]["forex"].as_str().unwrap().contains("pips"));
    assert!(html.contains("Spread paid") && html.contains("Forex model"));
    // The trades are in whole units of the pair.
    for t in v["trades"].as_array().unwrap() {
        let size: f64 = t["size"].as_str().unwrap().parse().unwrap();
        assert!(size >= 1.0 && size.fract() == 0.0, "{t}");
    }
}

#[test]
fn account_spot_and_a_fee_keep_the_research_tools_model() {
    let (v, _) = backtest("spot", &["--account", "spot", "--fee", "0.001"]);
    assert!(dec(&v, "fees") > 0.0);
    assert_eq!(dec(&v, "spread_paid"), 0.0);
    assert_eq!(dec(&v, "funding_paid"), 0.0);
    assert_eq!(v["short_trades"].as_u64(), Some(0), "long only on spot");
    assert_eq!(v["models"]["account"], "spot");
    assert!(v["models"]["forex"].is_null());
}
