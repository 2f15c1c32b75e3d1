#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `smc ml train` and `smc ml evaluate` as a user runs them, then the model
//! in a config: `smc backtest` counts the setups it skipped and
//! `smc check-lookahead` with the filter on finds no decision that changes
//! when the future is cut off.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .unwrap()
}

fn input() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/market/fxcm/GBPUSD-1m.csv")
}

fn ok(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn train_evaluate_then_filter_a_backtest_and_pass_the_lookahead_check() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    let input = input();
    let input = input.to_str().unwrap();
    let out = ok(&smc(&[
        "ml",
        "train",
        "--input",
        input,
        "--strategy",
        "smc",
        "--timeframes",
        "1m,15m",
        "--out",
        model.to_str().unwrap(),
        "--train-until",
        "2012-02-18",
        "--seed",
        "1",
    ]));
    assert!(out.contains("oof") && out.contains("candidates"), "{out}");
    assert!(model.join("model.json").exists() && model.join("training.json").exists());

    let out = ok(&smc(&[
        "ml",
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--input",
        input,
        "--json",
    ]));
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(e["without_filter"]["trades"].as_u64().unwrap() > 0, "{e}");
    assert!(
        e["with_filter"]["trades"].is_u64() && e["candidates"]["auc"].is_number(),
        "{e}"
    );

    // The model in a config, by a path relative to the config file.
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "ml:\n  model: model\n  threshold: 0.6\n").unwrap();
    let config = config.to_str().unwrap();
    let json = dir.path().join("results.json");
    ok(&smc(&[
        "backtest",
        "--input",
        input,
        "--strategy",
        "smc",
        "--timeframes",
        "1m,15m",
        "--config",
        config,
        "--from",
        "2012-02-18",
        "--json",
        json.to_str().unwrap(),
    ]));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let reasons = &results["no_trade_reasons"];
    assert!(
        reasons["model_below_threshold"].as_u64().unwrap() > 0,
        "{reasons}"
    );

    let out = ok(&smc(&[
        "check-lookahead",
        "--input",
        input,
        "--strategy",
        "smc",
        "--timeframes",
        "1m,15m",
        "--config",
        config,
        "--cuts",
        "4",
    ]));
    assert!(out.contains("decisions that differ: 0"), "{out}");

    // A model trained for other timeframes refuses to start.
    let out = smc(&[
        "backtest",
        "--input",
        input,
        "--strategy",
        "smc",
        "--timeframes",
        "1m,5m,15m",
        "--config",
        config,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("trained on other features"), "{err}");
}
