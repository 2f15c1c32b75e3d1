//! `value_at_risk` against numpy/scipy on real series: every method, both
//! confidences, the whole series and a 1,000-return window. Expected values
//! come from `tests/reference/numpy_var.py` (see its docstring).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_data::{ReadOptions, read_ohlcv};
use smc_model::num::to_f64;
use smc_model::stats::simple_returns;
use smc_risk::{VarMethod, value_at_risk};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn returns(series: &str, window: Option<usize>) -> Vec<f64> {
    let candles = read_ohlcv(&root().join(series), ReadOptions::default())
        .unwrap()
        .candles;
    let closes: Vec<f64> = candles.iter().map(|c| to_f64(c.close)).collect();
    let r = simple_returns(&closes);
    match window {
        Some(w) => r[r.len() - w..].to_vec(),
        None => r,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

#[test]
fn every_method_matches_numpy_and_scipy() {
    let text = std::fs::read_to_string(root().join("crates/risk/tests/fixtures/var_expected.json"))
        .unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 36);
    for case in &cases {
        let series = case["series"].as_str().unwrap();
        let window = case["window"].as_u64().map(|w| w as usize);
        let confidence = case["confidence"].as_f64().unwrap();
        let method: VarMethod = case["method"].as_str().unwrap().parse().unwrap();
        let got = value_at_risk(&returns(series, window), confidence, method).unwrap();
        let label = format!("{series} window={window:?} c={confidence} {method:?}");
        assert!(
            close(got.var, case["var"].as_f64().unwrap()),
            "{label}: var {} vs {}",
            got.var,
            case["var"]
        );
        match case["cvar"].as_f64() {
            Some(expected) => assert!(
                close(got.cvar.unwrap(), expected),
                "{label}: cvar {:?} vs {expected}",
                got.cvar
            ),
            None => assert_eq!(got.cvar, None, "{label}"),
        }
    }
}

#[test]
fn monte_carlo_is_within_two_percent_of_normal_on_real_returns() {
    for series in [
        "testdata/market/binance-spot/ETHUSDT-1h.csv",
        "testdata/market/oanda/EURUSD-1d.csv",
    ] {
        let r = returns(series, None);
        for confidence in [0.95, 0.99] {
            let normal = value_at_risk(&r, confidence, VarMethod::Normal).unwrap();
            let mc = value_at_risk(
                &r,
                confidence,
                VarMethod::MonteCarlo {
                    paths: 100_000,
                    seed: 42,
                },
            )
            .unwrap();
            let gap = (mc.var / normal.var - 1.0).abs();
            assert!(
                gap < 0.02,
                "{series} c={confidence}: monte-carlo {} vs normal {}",
                mc.var,
                normal.var
            );
        }
    }
}
