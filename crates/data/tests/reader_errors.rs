//! Every kind of malformed input is an error that names the file, the line
//! and, where there is one, the field.

use smc_data::{DataError, ReadOptions, parse_ohlcv};
use smc_model::Timestamp;
use std::path::Path;

fn parse(text: &str) -> Result<smc_data::Loaded, DataError> {
    parse_ohlcv(
        Path::new("bad.csv"),
        text.as_bytes(),
        ReadOptions::default(),
    )
}

fn message(text: &str) -> String {
    match parse(text) {
        Ok(loaded) => panic!("expected an error, got {} candles", loaded.candles.len()),
        Err(e) => e.to_string(),
    }
}

const HEADER: &str = "timestamp,open,high,low,close,volume\n";

#[test]
fn empty_file() {
    assert_eq!(
        message(""),
        "bad.csv: the file is empty (no header and no rows)"
    );
}

#[test]
fn header_without_rows() {
    assert!(message(HEADER).contains("no data rows"));
}

#[test]
fn missing_column_names_the_column() {
    let msg = message("timestamp,open,high,low,volume\n1,1,1,1,1\n");
    assert_eq!(msg, "bad.csv:1: missing column `close` in the header");
}

#[test]
fn unknown_header() {
    assert!(message("a,b,c\n1,2,3\n").starts_with("bad.csv:1: unrecognised header `a,b,c`"));
}

#[test]
fn unparsable_number_names_line_and_field() {
    let text = format!("{HEADER}60000,1,2,0.5,1.5,10\n120000,1,2,abc,1.5,10\n");
    let msg = message(&text);
    assert_eq!(
        msg,
        "bad.csv:3: field `low`: cannot parse `abc` as a decimal number"
    );
}

#[test]
fn unparsable_timestamp_names_line_and_field() {
    let msg = message(&format!("{HEADER}2022-01-01,1,2,0.5,1.5,10\n"));
    assert_eq!(
        msg,
        "bad.csv:2: field `timestamp`: cannot parse `2022-01-01` as epoch milliseconds"
    );
}

#[test]
fn short_row_names_the_missing_field() {
    let msg = message(&format!("{HEADER}60000,1,2,0.5\n"));
    assert_eq!(
        msg,
        "bad.csv:2: field `close`: cannot parse `` as a decimal number"
    );
}

#[test]
fn high_below_low() {
    let msg = message(&format!("{HEADER}60000,1,0.5,2,1,10\n"));
    assert_eq!(msg, "bad.csv:2: inconsistent candle: high is below low");
}

#[test]
fn high_outside_open_close() {
    let msg = message(&format!("{HEADER}60000,1,1.2,0.9,1.3,10\n"));
    assert_eq!(
        msg,
        "bad.csv:2: inconsistent candle: high is below open or close"
    );
}

#[test]
fn low_outside_open_close() {
    let msg = message(&format!("{HEADER}60000,1,1.2,1.1,1.15,10\n"));
    assert_eq!(
        msg,
        "bad.csv:2: inconsistent candle: low is above open or close"
    );
}

#[test]
fn timestamps_must_increase_strictly() {
    let text =
        format!("{HEADER}60000,1,2,0.5,1.5,10\n120000,1,2,0.5,1.5,10\n120000,1,2,0.5,1.5,10\n");
    let msg = message(&text);
    assert!(
        msg.starts_with("bad.csv:4: field `timestamp`: timestamp 120000 is not after"),
        "{msg}"
    );
}

#[test]
fn metatrader_bad_date_names_the_line() {
    let text = "Date,Open,High,Low,Close,Tickvol,Volume,Spread\n2022.10.10 00:00:00,1,2,0.5,1.5,60,0,20\n2022.13.10 00:15:00,1,2,0.5,1.5,60,0,20\n";
    let msg = message(text);
    assert_eq!(
        msg,
        "bad.csv:3: field `date`: cannot parse `2022.13.10 00:15:00` as a date `YYYY.MM.DD HH:MM:SS`"
    );
}

#[test]
fn lenient_mode_skips_and_counts_bad_rows() {
    let text = format!(
        "{HEADER}60000,1,2,0.5,1.5,10\n120000,x,2,0.5,1.5,10\n180000,1,2,0.5,1.5,10\n60000,1,2,0.5,1.5,10\n"
    );
    let loaded = parse_ohlcv(
        Path::new("bad.csv"),
        text.as_bytes(),
        ReadOptions { lenient: true },
    )
    .unwrap();
    assert_eq!(loaded.candles.len(), 2);
    let lines: Vec<_> = loaded.skipped.iter().map(|e| e.line()).collect();
    assert_eq!(lines, vec![Some(3), Some(5)]);
}

#[test]
fn both_formats_are_detected() {
    let uniform = parse(&format!("{HEADER}60000,1,2,0.5,1.5,10\n")).unwrap();
    assert_eq!(uniform.format, smc_data::CsvFormat::Uniform);
    let mt = parse(
        "Date,Open,High,Low,Close,Tickvol,Volume,Spread\n2022.10.10 00:00:00,1,2,0.5,1.5,60,0,20",
    )
    .unwrap();
    assert_eq!(mt.format, smc_data::CsvFormat::MetaTrader);
    assert_eq!(
        mt.candles[0].open_time,
        Timestamp::from_ms(1_665_360_000_000)
    );
}

#[test]
fn quoted_files_take_the_general_csv_path_with_the_same_rules() {
    let text = "\"timestamp\",\"open\",\"high\",\"low\",\"close\",\"volume\"\n\"60000\",\"1\",\"2\",\"0.5\",\"1.5\",\"10\"\n120000,1,x,0.5,1.5,10\n";
    let msg = message(text);
    assert_eq!(
        msg,
        "bad.csv:3: field `high`: cannot parse `x` as a decimal number"
    );
    let ok = parse(&text.replace('x', "2")).unwrap();
    assert_eq!(ok.candles.len(), 2);
}

#[test]
fn crlf_line_endings_are_accepted() {
    let loaded = parse("timestamp,open,high,low,close,volume\r\n60000,1,2,0.5,1.5,10\r\n").unwrap();
    assert_eq!(loaded.candles.len(), 1);
}
