//! Reads OHLCV candles from CSV. Two layouts are recognised from the header:
//! the project's uniform `timestamp,open,high,low,close,volume` (epoch ms of
//! the bar open, UTC) and MetaTrader's `Date,Open,High,Low,Close,Tickvol,
//! Volume,Spread` (`YYYY.MM.DD HH:MM:SS`, taken as UTC).

use crate::error::DataError;
use crate::fields::{parse_decimal, parse_epoch_ms, parse_metatrader_date};
use rust_decimal::Decimal;
use smc_model::{Candle, Timeframe};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The CSV layout detected from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFormat {
    Uniform,
    MetaTrader,
}

/// How strictly rows are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Skip bad rows (recording why) instead of failing on the first one.
    pub lenient: bool,
}

/// The candles of one file, and the rows skipped in lenient mode.
#[derive(Debug)]
pub struct Loaded {
    pub format: CsvFormat,
    pub candles: Vec<Candle>,
    pub skipped: Vec<DataError>,
}

/// Column positions of the fields we use, resolved once from the header.
struct Layout {
    format: CsvFormat,
    time: usize,
    time_name: &'static str,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
}

/// Reads and validates an OHLCV CSV file.
pub fn read_ohlcv(path: &Path, options: ReadOptions) -> Result<Loaded, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_ohlcv(path, &bytes, options)
}

/// Parses OHLCV CSV content; `path` is used only in error messages.
pub fn parse_ohlcv(path: &Path, bytes: &[u8], options: ReadOptions) -> Result<Loaded, DataError> {
    let path_buf = path.to_path_buf();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| row_error(&path_buf, 1, &e))?;
    if !has_header {
        return Err(DataError::Empty { path: path_buf });
    }
    let layout = detect_layout(&path_buf, &record)?;
    let mut candles = Vec::with_capacity(bytes.len() / 48);
    let mut skipped = Vec::new();
    let mut previous: Option<i64> = None;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let err = row_error(&path_buf, line, &e);
                if options.lenient {
                    skipped.push(err);
                    continue;
                }
                return Err(err);
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1
            && record
                .get(0)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            continue; // a blank line, e.g. a trailing newline
        }
        match parse_row(&path_buf, &layout, &record, line, previous) {
            Ok(candle) => {
                previous = Some(candle.open_time);
                candles.push(candle);
            }
            Err(err) if options.lenient => skipped.push(err),
            Err(err) => return Err(err),
        }
    }
    if candles.is_empty() && skipped.is_empty() {
        return Err(DataError::NoRows { path: path_buf });
    }
    Ok(Loaded {
        format: layout.format,
        candles,
        skipped,
    })
}

fn row_error(path: &Path, line: u64, e: &csv::Error) -> DataError {
    DataError::Row {
        path: path.to_path_buf(),
        line,
        reason: e.to_string(),
    }
}

fn detect_layout(path: &PathBuf, header: &csv::ByteRecord) -> Result<Layout, DataError> {
    let names: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase(),
                i,
            )
        })
        .collect();
    let (format, time_name) = if names.contains_key("timestamp") {
        (CsvFormat::Uniform, "timestamp")
    } else if names.contains_key("date") {
        (CsvFormat::MetaTrader, "date")
    } else {
        let header = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(",");
        return Err(DataError::UnknownHeader {
            path: path.clone(),
            header,
        });
    };
    let column = |name: &'static str| {
        names.get(name).copied().ok_or(DataError::MissingColumn {
            path: path.clone(),
            column: name,
        })
    };
    Ok(Layout {
        format,
        time: column(time_name)?,
        time_name,
        open: column("open")?,
        high: column("high")?,
        low: column("low")?,
        close: column("close")?,
        volume: column("volume")?,
    })
}

fn parse_row(
    path: &Path,
    layout: &Layout,
    record: &csv::ByteRecord,
    line: u64,
    previous: Option<i64>,
) -> Result<Candle, DataError> {
    let field =
        |index: usize, name: &'static str, expected: &'static str| -> Result<&[u8], DataError> {
            record.get(index).ok_or_else(|| DataError::Field {
                path: path.to_path_buf(),
                line,
                field: name,
                value: String::new(),
                expected,
            })
        };
    let bad = |name: &'static str, raw: &[u8], expected: &'static str| DataError::Field {
        path: path.to_path_buf(),
        line,
        field: name,
        value: String::from_utf8_lossy(raw).into_owned(),
        expected,
    };
    let (time_expected, time_parser): (&'static str, fn(&[u8]) -> Option<i64>) = match layout.format
    {
        CsvFormat::Uniform => ("epoch milliseconds", parse_epoch_ms),
        CsvFormat::MetaTrader => ("a date `YYYY.MM.DD HH:MM:SS`", parse_metatrader_date),
    };
    let raw_time = field(layout.time, layout.time_name, time_expected)?;
    let open_time =
        time_parser(raw_time).ok_or_else(|| bad(layout.time_name, raw_time, time_expected))?;
    let number = |index: usize, name: &'static str| -> Result<Decimal, DataError> {
        let raw = field(index, name, "a decimal number")?;
        parse_decimal(raw).ok_or_else(|| bad(name, raw, "a decimal number"))
    };
    let candle = Candle {
        open_time,
        open: number(layout.open, "open")?,
        high: number(layout.high, "high")?,
        low: number(layout.low, "low")?,
        close: number(layout.close, "close")?,
        volume: number(layout.volume, "volume")?,
    };
    if let Some(previous) = previous.filter(|&p| open_time <= p) {
        return Err(DataError::NotIncreasing {
            path: path.to_path_buf(),
            line,
            field: layout.time_name,
            time: open_time,
            previous,
        });
    }
    candle.check().map_err(|reason| DataError::Inconsistent {
        path: path.to_path_buf(),
        line,
        reason,
    })?;
    Ok(candle)
}

/// The timeframe of a candle series: the most common step between
/// consecutive open times (gaps and off-grid outage bars are rarer), if it is
/// a supported period. `None` for fewer than two candles.
pub fn infer_timeframe(candles: &[Candle]) -> Option<Timeframe> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for pair in candles.windows(2) {
        *counts
            .entry(pair[1].open_time - pair[0].open_time)
            .or_default() += 1;
    }
    let (step, _) = counts
        .into_iter()
        .max_by_key(|&(step, n)| (n, std::cmp::Reverse(step)))?;
    Timeframe::from_ms(step).ok()
}
