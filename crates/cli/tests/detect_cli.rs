//! The `smc detect` command line: its contract (flags, CSV header, one row
//! per candle) and its errors on bad input, run as a real process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .expect("smc runs")
}

fn testdata(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(rel)
        .display()
        .to_string()
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn parity_prints_the_reference_header_and_one_row_per_candle() {
    let input = testdata("smc-reference/EURUSD/EURUSD_15M.csv");
    let out = smc(&[
        "detect",
        "--input",
        &input,
        "--indicator",
        "fvg",
        "--parity",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("FVG,Top,Bottom,MitigatedIndex"));
    assert_eq!(lines.count(), 24_424);
}

#[test]
fn bad_row_is_reported_with_file_line_and_field() {
    let path = temp_file(
        "bad-row.csv",
        "timestamp,open,high,low,close,volume\n60000,1,2,0.5,1.5,1\n120000,1,2,0.5,oops,1\n",
    );
    let p = path.display().to_string();
    let out = smc(&[
        "detect",
        "--input",
        &p,
        "--indicator",
        "fvg",
        "--parity",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{p}:3: field `close`: cannot parse `oops`")),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing is printed on a failed read");
}

#[test]
fn lenient_skips_bad_rows_and_says_how_many() {
    let path = temp_file(
        "lenient.csv",
        "timestamp,open,high,low,close,volume\n60000,1,2,0.5,1.5,1\n120000,1,0.2,0.5,1,1\n180000,1,2,0.5,1.5,1\n",
    );
    let p = path.display().to_string();
    let out = smc(&[
        "detect",
        "--input",
        &p,
        "--indicator",
        "fvg",
        "--parity",
        "--format",
        "csv",
        "--lenient",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipped 1 bad row(s)"), "{err}");
    assert!(
        err.contains(":3: inconsistent candle: high is below low"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        3,
        "header + 2 candles"
    );
}

#[test]
fn missing_file_and_unknown_indicator_are_clear_errors() {
    let out = smc(&[
        "detect",
        "--input",
        "/nonexistent/x.csv",
        "--parity",
        "--indicator",
        "fvg",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.csv: cannot read"));
    let input = testdata("smc-reference/EURUSD/EURUSD_15M.csv");
    let out = smc(&[
        "detect",
        "--input",
        &input,
        "--parity",
        "--indicator",
        "nope",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown indicator `nope`"));
}

#[test]
fn causal_json_has_the_contract_fields_and_respects_the_config() {
    let input = testdata("market/binance-usdm/BTCUSDT-1m.csv");
    let out = smc(&[
        "detect",
        "--input",
        &input,
        "--timeframes",
        "1m,1h",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut timeframes = std::collections::BTreeSet::new();
    let mut previous_known = i64::MIN;
    for line in text.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        for field in [
            "timeframe",
            "kind",
            "event",
            "direction",
            "time",
            "known_at",
        ] {
            assert!(!e[field].is_null(), "{field} missing in {line}");
        }
        let known = e["known_at"].as_i64().unwrap();
        assert!(known >= previous_known, "ordered by known_at");
        previous_known = known;
        assert!([1, -1].contains(&e["direction"].as_i64().unwrap()));
        timeframes.insert(e["timeframe"].as_str().unwrap().to_string());
    }
    assert_eq!(timeframes.into_iter().collect::<Vec<_>>(), ["1h", "1m"]);

    // A config with a larger minimum gap yields fewer gaps.
    let config = temp_file("smc.yaml", "smc:\n  fvg_min_atr: 1.0\n");
    let strict = smc(&[
        "detect",
        "--input",
        &input,
        "--format",
        "csv",
        "--config",
        &config.display().to_string(),
    ]);
    assert!(
        strict.status.success(),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    let count = |t: &str| t.lines().filter(|l| l.contains(",fvg,formed,")).count();
    let default = smc(&["detect", "--input", &input, "--format", "csv"]);
    let (few, many) = (
        count(&String::from_utf8_lossy(&strict.stdout)),
        count(&String::from_utf8_lossy(&default.stdout)),
    );
    assert!(
        few < many,
        "{few} gaps with fvg_min_atr 1.0 vs {many} by default"
    );
}
