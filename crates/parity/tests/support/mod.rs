//! Comparison of a parity [`Frame`] with an expected CSV written by pandas:
//! same header, same NaN mask, and every value equal after rounding both
//! sides to f32 (the rule of `testdata/smc-reference/UPSTREAM-README.md`).

#![allow(dead_code)]

use smc_data::{ReadOptions, read_ohlcv};
use smc_parity::{Frame, Ohlc};
use std::path::{Path, PathBuf};

/// The repository's `testdata` folder.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The reference fixture's input candles.
pub fn eurusd() -> Ohlc {
    let path = testdata().join("smc-reference/EURUSD/EURUSD_15M.csv");
    let loaded = read_ohlcv(&path, ReadOptions::default()).expect("fixture input loads");
    Ohlc::from_candles(&loaded.candles)
}

/// Asserts that `frame` equals the expected file `name` of the fixture.
pub fn assert_matches_expected(frame: &Frame, name: &str) {
    let path = testdata().join("smc-reference/EURUSD").join(name);
    let text = std::fs::read_to_string(&path).expect("expected file reads");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let ours: Vec<&str> = frame.columns.iter().map(|c| c.name).collect();
    assert_eq!(ours, header, "{name}: column header");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(frame.rows(), rows.len(), "{name}: row count");
    let mut mismatches = Vec::new();
    for (c, column) in frame.columns.iter().enumerate() {
        for (r, row) in rows.iter().enumerate() {
            let expected = row[c];
            let got = column.values.get(r).unwrap_or(f64::NAN);
            let ok = if expected.is_empty() {
                got.is_nan()
            } else {
                let e: f64 = expected.parse().expect("expected value parses");
                !got.is_nan() && (e as f32) == (got as f32)
            };
            if !ok {
                mismatches.push(format!(
                    "row {r} {}: expected `{expected}`, got {got}",
                    column.name
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{name}: {} mismatching cells, first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(10)]
    );
}
