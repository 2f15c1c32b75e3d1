//! `smc risk var`, run as a process: the JSON contract and its errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn smc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .expect("smc runs")
}

fn eurusd() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/oanda/EURUSD-1d.csv")
        .display()
        .to_string()
}

#[test]
fn historical_var_is_a_json_object_matching_numpy() {
    let out = smc(&[
        "risk",
        "var",
        "--input",
        &eurusd(),
        "--confidence",
        "0.99",
        "--method",
        "historical",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // numpy: -np.quantile(r, 0.01) on the 3,737 close-to-close returns
    // (crates/risk/tests/fixtures/var_expected.json).
    let expected = serde_json::from_str::<Vec<serde_json::Value>>(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../risk/tests/fixtures/var_expected.json"),
        )
        .unwrap(),
    )
    .unwrap()
    .into_iter()
    .find(|c| {
        c["series"] == "testdata/market/oanda/EURUSD-1d.csv"
            && c["window"].is_null()
            && c["confidence"] == 0.99
            && c["method"] == "historical"
    })
    .unwrap();
    let (var, cvar) = (v["var"].as_f64().unwrap(), v["cvar"].as_f64().unwrap());
    assert!((var - expected["var"].as_f64().unwrap()).abs() < 1e-12);
    assert!((cvar - expected["cvar"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(v["observations"], 3737);
}

#[test]
fn monte_carlo_is_reproducible_with_a_seed() {
    let args = [
        "risk",
        "var",
        "--input",
        &eurusd(),
        "--method",
        "monte-carlo",
        "--paths",
        "20000",
        "--seed",
        "9",
    ];
    let a = smc(&args);
    let b = smc(&args);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn bad_confidence_and_window_are_errors() {
    let out = smc(&["risk", "var", "--input", &eurusd(), "--confidence", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("confidence must be strictly between 0 and 1")
    );
    let out = smc(&["risk", "var", "--input", &eurusd(), "--window", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--window must be at least 2"));
}

#[test]
fn cornish_fisher_warns_when_heavy_tails_flip_its_quantile() {
    // 400 quiet minutes and one 5 % jump: skewness ≈ 20, excess kurtosis ≈ 400.
    let dir = std::env::temp_dir().join(format!("smc-cf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jump.csv");
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    let mut close = 100.0f64;
    for k in 0..401i64 {
        close *= if k == 200 {
            1.05
        } else if k % 2 == 0 {
            1.0001
        } else {
            0.9999
        };
        text.push_str(&format!(
            "{},{close},{close},{close},{close},1\n",
            1_700_000_000_000 + k * 60_000
        ));
    }
    std::fs::write(&path, text).unwrap();
    let run = |method: &str| -> serde_json::Value {
        let out = smc(&[
            "risk",
            "var",
            "--input",
            path.to_str().unwrap(),
            "--confidence",
            "0.99",
            "--method",
            method,
            "--format",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let cf = run("cornish-fisher");
    assert!(cf["var"].as_f64().unwrap() < 0.0, "{cf}");
    assert!(
        cf["warning"]
            .as_str()
            .unwrap()
            .contains("prefer historical")
    );
    assert!(run("normal")["warning"].is_null());
    let _ = std::fs::remove_dir_all(&dir);
}
