//! Every metric of `analyze` against numpy/pandas on real market data.
//!
//! The inputs (equity curves and round-trip trades built from
//! `testdata/market`) and the expected values (`reference/numpy_metrics.py`)
//! are committed under `tests/fixtures`; `tests/fixtures/README.md` says how
//! they were made. The whole `Analysis` is serialised and compared with the
//! expected JSON tree: same keys everywhere (the JSON contract), integers
//! (counts, years, months, durations) exactly, other numbers within 1e-9
//! relative, `null` where numpy found the metric undefined.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use serde_json::Value;
use smc_analytics::{Options, analyze};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{RoundTrip, TradeSide};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const REL_TOL: f64 = 1e-9;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Data rows of a small CSV without quoting (the fixtures have none).
fn rows(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixture(name)).expect(name);
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect(s)
}

fn load(name: &str) -> (Vec<(Timestamp, Decimal)>, Vec<RoundTrip>) {
    let equity = rows(&format!("{name}_equity.csv"))
        .iter()
        .map(|r| (Timestamp::from_ms(r[0].parse().unwrap()), dec(&r[1])))
        .collect();
    let optional = |s: &String| (!s.is_empty()).then_some(s.clone());
    let trades = rows(&format!("{name}_trades.csv"))
        .iter()
        .map(|r| RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(r[0].parse().unwrap()),
            exit_time: optional(&r[1]).map(|s| Timestamp::from_ms(s.parse().unwrap())),
            entry_price: dec(&r[2]),
            exit_price: optional(&r[3]).map(|s| dec(&s)),
            size: dec(&r[4]),
            side: if r[5] == "long" {
                TradeSide::Long
            } else {
                TradeSide::Short
            },
            pnl: dec(&r[6]),
            fees: dec(&r[7]),
            setup: smc_model::Setup::from_label(&r[8]),
        })
        .collect();
    (equity, trades)
}

/// Walks both trees; returns how many numbers were compared.
fn assert_matches(path: &str, got: &Value, want: &Value) -> usize {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let mut gk: Vec<_> = g.keys().collect();
            let mut wk: Vec<_> = w.keys().collect();
            gk.sort();
            wk.sort();
            assert_eq!(gk, wk, "{path}: keys differ");
            w.iter()
                .map(|(k, wv)| assert_matches(&format!("{path}.{k}"), &g[k], wv))
                .sum()
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: lengths differ");
            g.iter()
                .zip(w)
                .enumerate()
                .map(|(i, (gv, wv))| assert_matches(&format!("{path}[{i}]"), gv, wv))
                .sum()
        }
        (Value::Number(g), Value::Number(w)) => {
            if let (Some(gi), Some(wi)) = (g.as_i64(), w.as_i64()) {
                assert_eq!(gi, wi, "{path}: integers differ");
            } else {
                let (gf, wf) = (g.as_f64().unwrap(), w.as_f64().unwrap());
                let scale = gf.abs().max(wf.abs());
                assert!(
                    (gf - wf).abs() <= REL_TOL * scale,
                    "{path}: {gf} vs numpy {wf} (relative {:e})",
                    (gf - wf).abs() / scale
                );
            }
            1
        }
        _ => {
            assert_eq!(got, want, "{path}");
            0
        }
    }
}

fn check(name: &str, expected: &str, risk_free_rate: f64) -> Value {
    let (equity, trades) = load(name);
    let options = Options {
        risk_free_rate,
        ..Options::default()
    };
    let analysis = analyze(&equity, &trades, &options).unwrap();
    let got = serde_json::to_value(&analysis).unwrap();
    let text = std::fs::read_to_string(fixture(expected)).unwrap();
    let want: Value = serde_json::from_str(&text).unwrap();
    let compared = assert_matches("$", &got, &want);
    // The comparison cannot pass vacuously: every metric of these real
    // curves is defined, and the monthly and setup lists are long.
    let metrics = want["metrics"].as_object().unwrap();
    assert_eq!(metrics.len(), 19);
    assert!(metrics.values().all(|v| !v.is_null()), "{expected}");
    assert!(compared > 19 + 3 * 6 + 5 * 3);
    want
}

#[test]
fn eth_1h_with_a_six_month_gap_matches_numpy() {
    let want = check("eth_1h", "eth_1h_expected.json", 0.0);
    // The gap leaves April–September out of the monthly list.
    let months: Vec<u64> = want["monthly_returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_u64().unwrap())
        .collect();
    assert_eq!(months, vec![1, 2, 3, 10, 11, 12]);
}

#[test]
fn eurusd_1d_twelve_years_matches_numpy() {
    let want = check("eurusd_1d", "eurusd_1d_expected.json", 0.0);
    assert_eq!(want["monthly_returns"].as_array().unwrap().len(), 144);
}

#[test]
fn eurusd_1d_with_a_risk_free_rate_matches_numpy() {
    let with_rf = check("eurusd_1d", "eurusd_1d_rf2_expected.json", 0.02);
    let without = check("eurusd_1d", "eurusd_1d_expected.json", 0.0);
    assert_ne!(with_rf["metrics"]["sharpe"], without["metrics"]["sharpe"]);
}

#[test]
fn monthly_returns_chain_to_the_total_return() {
    for name in ["eth_1h", "eurusd_1d"] {
        let (equity, trades) = load(name);
        let a = analyze(&equity, &trades, &Options::default()).unwrap();
        let chained = a
            .monthly_returns
            .iter()
            .fold(1.0, |acc, m| acc * (1.0 + m.ret.unwrap()));
        let total = a.metrics.total_return.unwrap();
        assert!((chained - 1.0 - total).abs() < 1e-12, "{name}");
    }
}
