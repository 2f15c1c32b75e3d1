//! `smc optimize` as a real process on bundled market data: the JSON
//! contract (windows, chosen parameters, in- and out-of-sample metrics,
//! DSR, PBO, the overfitting flag), determinism across thread counts and
//! seeds, and its errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .expect("smc runs")
}

fn eth() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv")
        .display()
        .to_string()
}

fn out_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-optimize-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs an sma_cross grid with `extra` flags and returns the JSON text.
fn run_json(name: &str, extra: &[&str]) -> String {
    let json = out_path(name);
    let input = eth();
    let mut args = vec![
        "optimize",
        "--input",
        &input,
        "--strategy",
        "sma-cross",
        "--param",
        "fast=5,10,20",
        "--param",
        "slow=30,60",
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = smc(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("PBO") && stdout.contains("DSR"), "{stdout}");
    std::fs::read_to_string(json).unwrap()
}

#[test]
fn grid_json_has_the_windows_and_the_verdict() {
    let text = run_json("grid.json", &["--folds", "3"]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["strategy"], "sma_cross");
    assert_eq!(v["trials"].as_array().unwrap().len(), 6);
    let windows = v["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 3);
    for (i, w) in windows.iter().enumerate() {
        assert_eq!(w["index"], i);
        assert_eq!(w["train"]["end"], w["test"]["start"]);
        assert!(w["train"]["from_time"].as_i64() < w["test"]["from_time"].as_i64());
        let fast = w["params"]["fast"].as_i64().unwrap();
        let slow = w["params"]["slow"].as_i64().unwrap();
        assert!([5, 10, 20].contains(&fast) && [30, 60].contains(&slow));
        assert!(w["is_metrics"]["sharpe"].is_number());
        assert!(w["oos_metrics"].is_object());
        assert!(w["is_score"].is_number() || w["is_score"].is_null());
        // The chosen set is the in-sample best: its score is the window's IS score.
        assert_eq!(w["is_score"], w["is_metrics"]["sharpe"]);
        if i > 0 {
            assert_eq!(w["test"]["start"], windows[i - 1]["test"]["end"]);
        }
    }
    assert_eq!(windows[2]["test"]["end"], v["bars"]);
    let dsr = v["dsr"].as_f64().unwrap();
    let pbo = v["pbo"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&dsr) && (0.0..=1.0).contains(&pbo));
    assert_eq!(v["summary"]["pbo"]["combinations"], 12870);
    assert_eq!(v["summary"]["dsr"]["trials"], 6);
    let flag = v["overfitting_warning"].as_bool().unwrap();
    assert_eq!(flag, pbo > 0.5 || dsr < 0.95);
    assert_eq!(flag, !v["warnings"].as_array().unwrap().is_empty());
    assert!(v["summary"]["stitched_oos"]["total_return"].is_number());
}

#[test]
fn the_same_inputs_give_the_same_json_on_any_thread_count() {
    let flags = ["--train-bars", "800", "--test-bars", "400", "--anchored"];
    let one = run_json("t1.json", &[&flags[..], &["--threads", "1"]].concat());
    let two = run_json("t2.json", &[&flags[..], &["--threads", "2"]].concat());
    assert_eq!(one, two);
    let v: Value = serde_json::from_str(&one).unwrap();
    let windows = v["windows"].as_array().unwrap();
    // (4366 − 800) / 400 = 8 windows, all anchored at the first train bar.
    assert_eq!(windows.len(), 8);
    assert!(
        windows
            .iter()
            .all(|w| w["train"]["start"] == windows[0]["train"]["start"])
    );
}

#[test]
fn random_search_is_seeded() {
    let input = eth();
    let run = |name: &str, seed: &str| {
        let json = out_path(name);
        let out = smc(&[
            "optimize",
            "--input",
            &input,
            "--strategy",
            "sma-cross",
            "--param",
            "fast=3..20",
            "--param",
            "slow=25..80",
            "--search",
            "random",
            "--samples",
            "8",
            "--seed",
            seed,
            "--folds",
            "2",
            "--json",
            json.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        v["trials"].clone()
    };
    let a = run("r1.json", "11");
    assert_eq!(a.as_array().unwrap().len(), 8);
    assert_eq!(a, run("r2.json", "11"));
    assert_ne!(a, run("r3.json", "12"));
}

#[test]
fn unknown_parameters_and_bad_specs_are_errors() {
    let input = eth();
    let base = ["optimize", "--input", &input, "--strategy", "sma-cross"];
    let out = smc(&[&base[..], &["--param", "fats=5,10"]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fats") && err.contains("fast, slow"), "{err}");

    let out = smc(&[&base[..], &["--param", "fast=0.5..2.0"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("grid"));

    // Every set refused by the strategy (fast ≥ slow).
    let out = smc(&[&base[..], &["--param", "fast=50", "--param", "slow=20"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no valid parameter set"));

    let out = smc(&[&base[..], &["--train-bars", "5000", "--test-bars", "100"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot hold"));
}

#[test]
fn smc_strategy_runs_from_the_example_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let json = out_path("smc.json");
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .current_dir(&root)
        .args([
            "optimize",
            "--config",
            "config.example.yaml",
            "--param",
            "reward_risk=1.5,3",
            "--param",
            "swing_length=5,10",
            "--folds",
            "2",
            "--json",
            json.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(v["strategy"], "smc");
    assert_eq!(v["windows"].as_array().unwrap().len(), 2);
    assert!(v["windows"][0]["params"]["reward_risk"].is_number());
    assert!(v["overfitting_warning"].is_boolean());
}
