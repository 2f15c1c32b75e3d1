//! `smc backtest` on prices at the edges of the decimal range: a candle
//! file with prices near 1e-24, or near 1e25 with a starting cash near the
//! decimal maximum, ends with a result or a clear error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The first 400 hours of the bundled ETHUSDT series with every price
/// passed through `scale` (a string transform of the price in cents).
fn scaled_series(name: &str, scale: impl Fn(u64) -> String) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    let text = std::fs::read_to_string(source).unwrap();
    let mut out = String::new();
    for (n, line) in text.lines().take(401).enumerate() {
        if n == 0 {
            out.push_str(line);
        } else {
            let f: Vec<&str> = line.split(',').collect();
            let prices: Vec<String> = f[1..5]
                .iter()
                .map(|p| {
                    let cents = (p.parse::<f64>().unwrap() * 100.0).round() as u64;
                    scale(cents)
                })
                .collect();
            out.push_str(&format!("{},{},{}", f[0], prices.join(","), f[5]));
        }
        out.push('\n');
    }
    let path = std::env::temp_dir().join(format!("smc-extreme-{}-{name}.csv", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
}

fn backtest(input: &Path, strategy: &[&str], cash: &str) -> Output {
    let input = input.display().to_string();
    let mut args = vec!["backtest", "--input", &input, "--cash", cash, "--strategy"];
    args.extend_from_slice(strategy);
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(&args)
        .output()
        .unwrap()
}

fn strategies() -> [Vec<&'static str>; 2] {
    [vec!["sma_cross"], vec!["smc", "--timeframes", "1h,4h"]]
}

#[test]
fn prices_near_1e_minus_24_trade_nothing_and_do_not_panic() {
    // 734.07 USDT becomes 0.0000000000000000000000073407.
    let tiny = scaled_series("tiny", |cents| {
        let digits = cents.to_string();
        format!("0.{}{digits}", "0".repeat(28 - digits.len()))
    });
    for strategy in strategies() {
        for cash in ["10000", "79000000000000000000000000000"] {
            let out = backtest(&tiny, &strategy, cash);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stderr.contains("panicked"),
                "{strategy:?} {cash}: {stderr}"
            );
            assert!(out.status.success(), "{strategy:?} {cash}: {stderr}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(stdout.contains("final equity"), "{stdout}");
        }
    }
}

#[test]
fn an_equity_beyond_the_decimal_range_is_an_error_naming_the_candle() {
    // 734.07 USDT becomes 7340700000000000000000000 (7.3e24).
    let huge = scaled_series("huge", |cents| format!("{cents}00000000000000000000"));
    for strategy in strategies() {
        let out = backtest(&huge, &strategy, "79000000000000000000000000000");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{strategy:?}: {stderr}");
        assert!(!out.status.success(), "{strategy:?}");
        assert!(
            stderr.contains("overflows the decimal range when marked at")
                && stderr.contains("(candle opening 2021-01-"),
            "{strategy:?}: {stderr}"
        );
        // The same prices with an ordinary account: no trade fits, no error.
        let out = backtest(&huge, &strategy, "10000");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
