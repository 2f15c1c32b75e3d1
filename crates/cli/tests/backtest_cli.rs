//! `smc backtest`, run as a process: the sma_cross cross-check against the
//! peer tools on the peer benchmark series, through the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn peer_series() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/peer-bench/sma-100k.csv")
        .display()
        .to_string()
}

fn backtest(extra: &[&str]) -> serde_json::Value {
    let json = std::env::temp_dir().join(format!(
        "smc-bt-{}-{}.json",
        std::process::id(),
        extra.len()
    ));
    let input = peer_series();
    let mut args = vec![
        "backtest",
        "--input",
        &input,
        "--strategy",
        "sma-cross",
        "--cash",
        "100000",
    ];
    args.extend_from_slice(extra);
    let json_arg = json.display().to_string();
    args.extend_from_slice(&["--json", &json_arg]);
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("final equity"));
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

fn equity(v: &serde_json::Value) -> f64 {
    v["final_equity"].as_str().unwrap().parse().unwrap()
}

#[test]
fn sma_cross_gives_the_peers_trades_and_equity() {
    // vectorbt / NautilusTrader / the reference script decide from bar 49.
    let v = backtest(&["--first-decision", "when-defined"]);
    assert!(
        (equity(&v) / 12_032.918_326_607_009 - 1.0).abs() < 1e-9,
        "{}",
        v["final_equity"]
    );
    let trades = v["trades"].as_array().unwrap();
    assert_eq!(trades.len(), 1081, "1080 closed + 1 open");
    let open: Vec<_> = trades.iter().filter(|t| t["exit_time"].is_null()).collect();
    assert_eq!(open.len(), 1);
    assert!(open[0]["exit_price"].is_null());
    // backtesting.py decides from bar 50 (one bar later).
    let v = backtest(&[]);
    assert!(
        (equity(&v) / 12_031.177_779_498_02 - 1.0).abs() < 1e-9,
        "{}",
        v["final_equity"]
    );
    assert_eq!(v["models"]["fill_rule"], "ohlc");
    // The metrics object of the JSON contract, from smc-analytics.
    let keys = [
        "total_return",
        "cagr",
        "volatility",
        "sharpe",
        "sortino",
        "calmar",
        "max_drawdown",
        "max_drawdown_duration_ms",
        "win_rate",
        "profit_factor",
        "expectancy",
        "avg_win",
        "avg_loss",
        "exposure",
        "trades",
        "var_95",
        "cvar_95",
        "var_99",
        "cvar_99",
    ];
    for key in keys {
        assert!(v["metrics"].get(key).is_some(), "metrics.{key} missing");
    }
    assert_eq!(v["metrics"]["trades"], 1080);
    let total: f64 = v["metrics"]["total_return"].as_f64().unwrap();
    assert!((total - (12_031.177_779_498_02 / 100_000.0 - 1.0)).abs() < 1e-9);
}

#[test]
fn an_unknown_strategy_or_empty_window_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([
            "backtest",
            "--input",
            &peer_series(),
            "--strategy",
            "sma-cross",
            "--from",
            "2030-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no candle between --from and --to"));
}

#[test]
fn a_config_applies_the_risk_limits_and_reports_each_decision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input = root
        .join("testdata/market/binance-spot/ETHUSDT-1h.csv")
        .display()
        .to_string();
    let config = root.join("config.example.yaml").display().to_string();
    let json = std::env::temp_dir().join(format!("smc-bt-config-{}.json", std::process::id()));
    let json_arg = json.display().to_string();
    let args = [
        "backtest",
        "--input",
        &input,
        "--strategy",
        "sma-cross",
        "--config",
        &config,
        "--json",
        &json_arg,
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["starting_cash"], "10000", "trading.initial_balance");
    let decisions = v["risk_decisions"].as_array().unwrap();
    assert!(!decisions.is_empty());
    assert!(decisions.iter().all(|d| {
        d["reason"]
            .as_str()
            .unwrap()
            .contains("max_position_size 1000")
    }));
    for t in v["trades"].as_array().unwrap() {
        let size: f64 = t["size"].as_str().unwrap().parse().unwrap();
        let price: f64 = t["entry_price"].as_str().unwrap().parse().unwrap();
        // Sized to 1,000 at the decision's close, filled at the next open.
        assert!(size * price < 1_100.0, "position of {} quote", size * price);
    }
}

#[test]
fn the_smc_strategy_runs_end_to_end_and_tags_every_trade_with_its_setup() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input = root
        .join("testdata/market/binance-spot/ETHUSDT-1h.csv")
        .display()
        .to_string();
    let json = std::env::temp_dir().join(format!("smc-bt-smc-{}.json", std::process::id()));
    let json_arg = json.display().to_string();
    let args = [
        "backtest",
        "--input",
        &input,
        "--strategy",
        "smc",
        "--timeframes",
        "1h,4h",
        "--json",
        &json_arg,
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let trades = v["trades"].as_array().unwrap();
    assert!(trades.len() >= 5, "{} trades", trades.len());
    for t in trades {
        let setup = t["setup"].as_str().unwrap();
        assert!(setup == "ob_retest" || setup == "fvg_retest", "{setup}");
        assert_eq!(t["side"], "long", "spot and long-only by default");
    }
    assert!(
        v["rejected_orders"].as_array().unwrap().is_empty(),
        "{:?}",
        v["rejected_orders"]
    );
}

#[test]
fn check_lookahead_finds_nothing_in_the_built_in_strategies() {
    let input = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    let input = input.display().to_string();
    for strategy in [
        &["--strategy", "smc", "--timeframes", "1h,4h"][..],
        &["--strategy", "sma-cross"][..],
    ] {
        let mut args = vec!["check-lookahead", "--input", &input, "--cuts", "8"];
        args.extend_from_slice(strategy);
        let out = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("cuts checked: 8, decisions that differ: 0")
        );
    }
}

#[test]
fn a_config_alone_names_the_data_strategy_and_venue_models() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = root.join("config.example.yaml").display().to_string();
    let json = std::env::temp_dir().join(format!("smc-bt-alone-{}.json", std::process::id()));
    let json_arg = json.display().to_string();
    // The example's backtest.input is relative to the repository root.
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .current_dir(&root)
        .args(["backtest", "--config", &config, "--json", &json_arg])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        v["models"]["fill_rule"], "stop-first",
        "backtest.engine.fill_rule"
    );
    assert!(
        v["trades"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["setup"] == "ob_retest" || t["setup"] == "fvg_retest")
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(["backtest", "--strategy", "smc"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no data: give --input FILE"));
}

#[test]
fn the_strategy_takes_the_issues_spelling_sma_cross() {
    let input = peer_series();
    let run = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args([
                "backtest",
                "--input",
                &input,
                "--strategy",
                name,
                "--cash",
                "100000",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let summary = run("sma_cross");
    assert!(summary.contains("closed trades"), "{summary}");
    assert_eq!(
        summary,
        run("sma-cross"),
        "both spellings run the same strategy"
    );
}
