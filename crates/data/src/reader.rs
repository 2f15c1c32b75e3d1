//! Reads OHLCV candles from CSV. Two layouts are recognised from the header:
//! the project's uniform `timestamp,open,high,low,close,volume` (epoch ms of
//! the bar open, UTC) and MetaTrader's `Date,Open,High,Low,Close,Tickvol,
//! Volume,Spread` (`YYYY.MM.DD HH:MM:SS`, taken as UTC).

use crate::error::DataError;
use crate::fields::{parse_decimal, parse_epoch_ms, parse_metatrader_date};
use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::{Candle, Timeframe};
use std::collections::HashMap;
use std::path::Path;

/// The CSV layout detected from the header, or a Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFormat {
    Uniform,
    MetaTrader,
    Parquet,
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

/// Parses the time field of one layout.
type TimeParser = fn(&[u8]) -> Option<i64>;

/// Column positions of the fields we use, resolved once from the header.
pub(crate) struct Layout {
    pub(crate) format: CsvFormat,
    pub(crate) time: usize,
    pub(crate) time_name: &'static str,
    pub(crate) open: usize,
    pub(crate) high: usize,
    pub(crate) low: usize,
    pub(crate) close: usize,
    pub(crate) volume: usize,
}

/// Reads and validates an OHLCV file: Parquet when its name ends in
/// `.parquet` (see `crate::parquet_read`), CSV otherwise.
pub fn read_ohlcv(path: &Path, options: ReadOptions) -> Result<Loaded, DataError> {
    if is_parquet(path) {
        return crate::parquet_read::read_parquet(path, options);
    }
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_ohlcv(path, &bytes, options)
}

/// Whether `path` names a Parquet file (by its extension, any case).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Parses OHLCV CSV content; `path` is used only in error messages.
///
/// Files without quotes (every market data file we know) are split directly,
/// several times faster than a general CSV parser, and a clean one is parsed
/// in parallel chunks (`crate::chunked`); anything quoted goes through the
/// `csv` crate, which handles the full RFC 4180 grammar.
pub fn parse_ohlcv(path: &Path, bytes: &[u8], options: ReadOptions) -> Result<Loaded, DataError> {
    let quoted = memchr::memchr(b'"', bytes).is_some();
    if !quoted && let Some((format, candles)) = crate::chunked::parse_clean(bytes) {
        let skipped = Vec::new();
        return Ok(Loaded {
            format,
            candles,
            skipped,
        });
    }
    let mut acc = Accumulator::new(path, options, bytes.len() / 48);
    if quoted {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let fields: Vec<&[u8]> = record.iter().collect();
                    acc.row(line, &fields)?;
                }
                Err(e) => acc.reject(row_error(path, e.position().map_or(0, |p| p.line()), &e))?,
            }
        }
    } else {
        let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
        for (index, end) in ends.enumerate() {
            let raw = &bytes[start..end];
            start = (end + 1).min(bytes.len());
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            fields.clear();
            fields.extend(raw.split(|&b| b == b','));
            acc.row(index as u64 + 1, &fields)?;
        }
    }
    acc.finish()
}

/// Turns rows into candles: the header fixes the layout, each later row is
/// parsed and checked against the previous one.
struct Accumulator<'p> {
    path: &'p Path,
    options: ReadOptions,
    layout: Option<Layout>,
    candles: Vec<Candle>,
    skipped: Vec<DataError>,
    previous: Option<Timestamp>,
}

impl<'p> Accumulator<'p> {
    fn new(path: &'p Path, options: ReadOptions, capacity: usize) -> Self {
        let (layout, skipped, previous) = (None, Vec::new(), None);
        Accumulator {
            path,
            options,
            layout,
            candles: Vec::with_capacity(capacity),
            skipped,
            previous,
        }
    }

    /// Takes one row; an error is returned only when it must stop the read.
    fn row(&mut self, line: u64, fields: &[&[u8]]) -> Result<(), DataError> {
        if fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return Ok(()); // a blank line, e.g. the trailing newline
        }
        let Some(layout) = &self.layout else {
            self.layout = Some(detect_layout(self.path, fields)?);
            return Ok(());
        };
        match parse_row(self.path, layout, fields, line, self.previous) {
            Ok(candle) => {
                self.previous = Some(candle.open_time);
                self.candles.push(candle);
                Ok(())
            }
            Err(err) => self.reject(err),
        }
    }

    /// Records a bad row in lenient mode, or stops the read.
    fn reject(&mut self, err: DataError) -> Result<(), DataError> {
        if self.options.lenient {
            self.skipped.push(err);
            Ok(())
        } else {
            Err(err)
        }
    }

    fn finish(self) -> Result<Loaded, DataError> {
        let path = self.path.to_path_buf();
        let Some(layout) = self.layout else {
            return Err(DataError::Empty { path });
        };
        if self.candles.is_empty() && self.skipped.is_empty() {
            return Err(DataError::NoRows { path });
        }
        Ok(Loaded {
            format: layout.format,
            candles: self.candles,
            skipped: self.skipped,
        })
    }
}

fn row_error(path: &Path, line: u64, e: &csv::Error) -> DataError {
    DataError::Row {
        path: path.to_path_buf(),
        line,
        reason: e.to_string(),
    }
}

pub(crate) fn detect_layout(path: &Path, header: &[&[u8]]) -> Result<Layout, DataError> {
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
            path: path.to_path_buf(),
            header,
        });
    };
    let column = |name: &'static str| {
        names
            .get(name)
            .copied()
            .ok_or_else(|| DataError::MissingColumn {
                path: path.to_path_buf(),
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
    record: &[&[u8]],
    line: u64,
    previous: Option<Timestamp>,
) -> Result<Candle, DataError> {
    let field =
        |index: usize, name: &'static str, expected: &'static str| -> Result<&[u8], DataError> {
            record.get(index).copied().ok_or_else(|| DataError::Field {
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
    let (time_expected, time_parser): (&'static str, TimeParser) = match layout.format {
        CsvFormat::MetaTrader => ("a date `YYYY.MM.DD HH:MM:SS`", parse_metatrader_date),
        CsvFormat::Uniform | CsvFormat::Parquet => ("epoch milliseconds", parse_epoch_ms),
    };
    let raw_time = field(layout.time, layout.time_name, time_expected)?;
    let open_time =
        time_parser(raw_time).ok_or_else(|| bad(layout.time_name, raw_time, time_expected))?;
    let number = |index: usize, name: &'static str| -> Result<Decimal, DataError> {
        let raw = field(index, name, "a decimal number")?;
        parse_decimal(raw).ok_or_else(|| bad(name, raw, "a decimal number"))
    };
    let candle = Candle {
        open_time: Timestamp::from_ms(open_time),
        open: number(layout.open, "open")?,
        high: number(layout.high, "high")?,
        low: number(layout.low, "low")?,
        close: number(layout.close, "close")?,
        volume: number(layout.volume, "volume")?,
    };
    if let Some(previous) = previous.filter(|&p| open_time <= p.ms()) {
        return Err(DataError::NotIncreasing {
            path: path.to_path_buf(),
            line,
            field: layout.time_name,
            time: open_time,
            previous: previous.ms(),
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
    let step = |pair: &[Candle]| pair[1].open_time - pair[0].open_time;
    let first = candles.windows(2).next().map(step)?;
    // A step taken by more than half the pairs is the most common one, and
    // the only one: a count without a map settles every regular series.
    let same = candles.windows(2).filter(|&p| step(p) == first).count();
    if same > (candles.len() - 1) / 2 {
        return Timeframe::from_ms(first).ok();
    }
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for pair in candles.windows(2) {
        *counts.entry(step(pair)).or_default() += 1;
    }
    let (step, _) = counts
        .into_iter()
        .max_by_key(|&(step, n)| (n, std::cmp::Reverse(step)))?;
    Timeframe::from_ms(step).ok()
}
