//! Parquet through the command line: `smc data convert` both ways gives back
//! the same candles, `smc backtest` on the Parquet file gives the CSV run's
//! results, and `--trades-out` / `--equity-out` write the run's trades and
//! equity curve as CSV and Parquet.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use smc_data::{ReadOptions, read_ohlcv};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

fn peer_series() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/peer-bench/sma-100k.csv")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-cli-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn smc(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "smc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn convert_to_parquet_and_back_keeps_every_candle() {
    let parquet = temp("convert.parquet");
    let csv = temp("convert.csv");
    let input = peer_series();
    smc(&[
        "data",
        "convert",
        "--input",
        s(&input),
        "--output",
        s(&parquet),
    ]);
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");
    smc(&[
        "data",
        "convert",
        "--input",
        s(&parquet),
        "--output",
        s(&csv),
    ]);
    let original = read_ohlcv(&input, ReadOptions::default()).unwrap().candles;
    let from_parquet = read_ohlcv(&parquet, ReadOptions::default())
        .unwrap()
        .candles;
    let back = read_ohlcv(&csv, ReadOptions::default()).unwrap().candles;
    assert_eq!(original.len(), 100_000);
    assert_eq!(from_parquet, original);
    assert_eq!(back, original);
}

#[test]
fn convert_names_a_bad_input() {
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([
            "data",
            "convert",
            "--input",
            "no-such.parquet",
            "--output",
            "x.csv",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-such.parquet"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn backtest(input: &Path, extra: &[&str]) -> serde_json::Value {
    let json = temp(&format!(
        "{}.json",
        input.file_name().unwrap().to_str().unwrap()
    ));
    let mut args = vec!["backtest", "--input", s(input), "--strategy", "sma-cross"];
    args.extend_from_slice(&["--cash", "100000", "--json", s(&json)]);
    args.extend_from_slice(extra);
    smc(&args);
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

fn decimal(v: &serde_json::Value) -> Option<Decimal> {
    v.as_str().map(|t| Decimal::from_str(t).unwrap())
}

#[test]
fn a_backtest_on_parquet_equals_the_one_on_csv_and_writes_trades_and_equity() {
    let parquet = temp("bt.parquet");
    smc_data::write_candles(
        &parquet,
        &read_ohlcv(&peer_series(), ReadOptions::default())
            .unwrap()
            .candles,
    )
    .unwrap();
    let (trades_csv, equity_csv) = (temp("trades.csv"), temp("equity.csv"));
    let (trades_pq, equity_pq) = (temp("trades.parquet"), temp("equity.parquet"));
    let from_csv = backtest(
        &peer_series(),
        &[
            "--trades-out",
            s(&trades_csv),
            "--equity-out",
            s(&equity_csv),
        ],
    );
    let from_parquet = backtest(
        &parquet,
        &["--trades-out", s(&trades_pq), "--equity-out", s(&equity_pq)],
    );
    assert_eq!(
        decimal(&from_parquet["final_equity"]),
        decimal(&from_csv["final_equity"])
    );
    let trades = from_csv["trades"].as_array().unwrap();
    assert!(trades.len() > 1000, "{}", trades.len());
    assert_eq!(
        from_parquet["trades"].as_array().unwrap().len(),
        trades.len()
    );

    // The trades file has results.json's trades, field by field.
    let text = std::fs::read_to_string(&trades_csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("entry_time,exit_time,side,entry_price,exit_price,size,pnl,fees,setup")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), trades.len());
    for (row, t) in rows.iter().zip(trades) {
        assert_eq!(row[0], t["entry_time"].to_string());
        assert_eq!(
            row[1],
            t["exit_time"]
                .as_i64()
                .map(|x| x.to_string())
                .unwrap_or_default()
        );
        assert_eq!(row[2], t["side"].as_str().unwrap());
        assert_eq!(Decimal::from_str(row[3]).ok(), decimal(&t["entry_price"]));
        assert_eq!(Decimal::from_str(row[4]).ok(), decimal(&t["exit_price"]));
        assert_eq!(Decimal::from_str(row[5]).ok(), decimal(&t["size"]));
        assert_eq!(Decimal::from_str(row[6]).ok(), decimal(&t["pnl"]));
        assert_eq!(Decimal::from_str(row[7]).ok(), decimal(&t["fees"]));
        assert_eq!(row[8], t["setup"].as_str().unwrap_or(""));
    }
    // One equity point per bar; the last is the final equity.
    let equity = std::fs::read_to_string(&equity_csv).unwrap();
    let last = equity.lines().last().unwrap().split(',').nth(1).unwrap();
    assert_eq!(equity.lines().count(), 100_001);
    assert_eq!(
        Decimal::from_str(last).ok(),
        decimal(&from_csv["final_equity"])
    );
    for file in [&trades_pq, &equity_pq] {
        assert_eq!(&std::fs::read(file).unwrap()[..4], b"PAR1");
    }
}
