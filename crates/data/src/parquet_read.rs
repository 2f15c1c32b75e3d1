//! Reads OHLCV candles from a Parquet file (what pandas, polars and pyarrow
//! users keep their data in), with the CSV reader's rules: the same column
//! names, strictly increasing times, consistent candles, and in lenient
//! mode bad rows skipped with the reason. Errors name the file, the 1-based
//! data row and the column.
//!
//! Accepted column types:
//! - `timestamp` (or `date`): Int64 epoch milliseconds, or an Arrow
//!   Timestamp of any unit and time zone (converted to UTC milliseconds;
//!   micro- and nanoseconds must be whole milliseconds);
//! - `open`, `high`, `low`, `close`, `volume`: Decimal128 (exact; scale at
//!   most 28), Float64 or Float32 (the shortest decimal that reads back as
//!   the same float, i.e. the number as it was typed), Int64, or Utf8 /
//!   LargeUtf8 text parsed as in a CSV field.

use crate::error::DataError;
use crate::fields::parse_decimal;
use crate::reader::{CsvFormat, Loaded, ReadOptions};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rayon::prelude::*;
use rust_decimal::Decimal;
use smc_model::{Candle, Timestamp};
use std::path::Path;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 64 * 1024;
/// The price and volume columns, in `Candle` order.
const NUMBERS: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// Reads and validates the candles of a Parquet file.
pub fn read_parquet(path: &Path, options: ReadOptions) -> Result<Loaded, DataError> {
    let file_error = |reason: String| DataError::Parquet {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| file_error(format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let find = |names: &[&str]| {
        schema.fields().iter().position(|f| {
            let name = f.name().trim().to_ascii_lowercase();
            names.contains(&name.as_str())
        })
    };
    let time = find(&["timestamp", "date"])
        .ok_or_else(|| file_error("missing column `timestamp`".into()))?;
    let mut wanted = vec![time];
    for name in NUMBERS {
        wanted.push(find(&[name]).ok_or_else(|| file_error(format!("missing column `{name}`")))?);
    }
    let rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| file_error(e.to_string()))?;
    let mut state = State {
        path,
        options,
        // One allocation for the whole file (the metadata has the count).
        candles: Vec::with_capacity(rows),
        skipped: Vec::new(),
        previous: None,
        row: 0,
    };
    // Decoding is sequential (one reader), converting and checking a
    // batch is not: each group of batches is converted on every core while
    // the next group is decoded, and the rows are then taken in order.
    let mut reader = reader.map(|b| b.map_err(|e| file_error(format!("cannot decode: {e}"))));
    let mut next = decode_group(&mut reader)?;
    while !next.is_empty() {
        let group = next;
        let (converted, following) = rayon::join(
            || {
                group
                    .par_iter()
                    .map(|b| Batch::convert(path, b, &wanted, &schema))
                    .collect::<Vec<_>>()
            },
            || decode_group(&mut reader),
        );
        for batch in converted {
            state.take(batch?)?;
        }
        next = following?;
    }
    if state.candles.is_empty() && state.skipped.is_empty() {
        return Err(DataError::NoRows {
            path: path.to_path_buf(),
        });
    }
    Ok(Loaded {
        format: CsvFormat::Parquet,
        candles: state.candles,
        skipped: state.skipped,
    })
}

struct State<'p> {
    path: &'p Path,
    options: ReadOptions,
    candles: Vec<Candle>,
    skipped: Vec<DataError>,
    previous: Option<Timestamp>,
    /// Data rows before this batch.
    row: u64,
}

/// Batches decoded before a group is converted: enough to keep both cores
/// busy, few enough to keep the memory a fraction of the candles'.
const GROUP_BATCHES: usize = 4;

/// The next batches of the file (none at its end).
fn decode_group(
    reader: &mut impl Iterator<Item = Result<RecordBatch, DataError>>,
) -> Result<Vec<RecordBatch>, DataError> {
    reader.by_ref().take(GROUP_BATCHES).collect()
}

/// A batch converted to candles, with what is wrong with its rows: a bad
/// value (the first bad column of the row, as in a CSV row) or a candle
/// that breaks the OHLC rules. Placeholders stand in the bad rows.
struct Batch {
    candles: Vec<Candle>,
    bad: Vec<(usize, String)>,
    inconsistent: Vec<(usize, &'static str)>,
}

impl Batch {
    fn convert(
        path: &Path,
        batch: &RecordBatch,
        wanted: &[usize],
        schema: &arrow_schema::Schema,
    ) -> Result<Batch, DataError> {
        // The batch holds the projected columns, in the file's order.
        let column = |index: usize| {
            let name = schema.field(index).name();
            batch
                .column_by_name(name)
                .ok_or_else(|| DataError::Parquet {
                    path: path.to_path_buf(),
                    reason: format!("column `{name}` missing from a batch"),
                })
        };
        // Each column is converted whole (one type dispatch per column and
        // batch); the few bad values are kept aside with their reason.
        let times = times(path, column(wanted[0])?.as_ref())?;
        let mut numbers = Vec::with_capacity(NUMBERS.len());
        for (name, &index) in NUMBERS.iter().zip(&wanted[1..]) {
            numbers.push(decimals(path, name, column(index)?.as_ref())?);
        }
        let mut bad: Vec<(usize, String)> = times
            .bad
            .iter()
            .map(|(i, why)| (*i, format!("column `timestamp`: {why}")))
            .collect();
        for (column, name) in numbers.iter().zip(NUMBERS) {
            bad.extend(
                column
                    .bad
                    .iter()
                    .map(|(i, why)| (*i, format!("column `{name}`: {why}"))),
            );
        }
        bad.sort_by_key(|(i, _)| *i);
        bad.dedup_by_key(|(i, _)| *i);
        let candles: Vec<Candle> = (0..batch.num_rows())
            .map(|i| Candle {
                open_time: Timestamp::from_ms(times.values[i]),
                open: numbers[0].values[i],
                high: numbers[1].values[i],
                low: numbers[2].values[i],
                close: numbers[3].values[i],
                volume: numbers[4].values[i],
            })
            .collect();
        let inconsistent = candles
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.check().err().map(|why| (i, why)))
            .collect();
        Ok(Batch {
            candles,
            bad,
            inconsistent,
        })
    }
}

impl State<'_> {
    /// Takes a converted batch's rows in order: a bad value, then a time
    /// not after the previous row's, then an inconsistent candle fail the
    /// row (or skip it when lenient).
    fn take(&mut self, batch: Batch) -> Result<(), DataError> {
        let rows = batch.candles.len();
        let mut bad = batch.bad.into_iter().peekable();
        let mut inconsistent = batch.inconsistent.into_iter().peekable();
        for (i, candle) in batch.candles.into_iter().enumerate() {
            let row = self.row + i as u64 + 1;
            let why = inconsistent.next_if(|(at, _)| *at == i).map(|(_, why)| why);
            let result = match bad.next_if(|(at, _)| *at == i) {
                Some((_, reason)) => Err(self.row_error(row, reason)),
                None => self.candle(row, candle, why),
            };
            match result {
                Ok(candle) => {
                    self.previous = Some(candle.open_time);
                    self.candles.push(candle);
                }
                Err(err) if self.options.lenient => self.skipped.push(err),
                Err(err) => return Err(err),
            }
        }
        self.row += rows as u64;
        Ok(())
    }

    fn row_error(&self, row: u64, reason: String) -> DataError {
        DataError::ParquetRow {
            path: self.path.to_path_buf(),
            row,
            reason,
        }
    }

    /// The checks that need the whole row and the previous one;
    /// `inconsistent` is the candle's own check, made beforehand.
    fn candle(
        &self,
        row: u64,
        candle: Candle,
        inconsistent: Option<&'static str>,
    ) -> Result<Candle, DataError> {
        let time = candle.open_time.ms();
        if let Some(previous) = self.previous.filter(|&p| time <= p.ms()) {
            return Err(self.row_error(
                row,
                format!(
                    "column `timestamp`: timestamp {time} is not after the previous row's {}; \
                     rows must be strictly increasing in time",
                    previous.ms()
                ),
            ));
        }
        match inconsistent {
            Some(reason) => Err(self.row_error(row, format!("inconsistent candle: {reason}"))),
            None => Ok(candle),
        }
    }
}

/// One column of a batch, converted: a value for every row (a placeholder
/// where the row is bad) and the bad rows with the reason.
struct Converted<T> {
    values: Vec<T>,
    bad: Vec<(usize, String)>,
}

impl<T: Copy> Converted<T> {
    /// Converts every row of `array` with `value`, nulls being bad rows.
    fn from_fn(
        array: &dyn Array,
        placeholder: T,
        mut value: impl FnMut(usize) -> Result<T, String>,
    ) -> Self {
        let mut values = Vec::with_capacity(array.len());
        let mut bad = Vec::new();
        for i in 0..array.len() {
            let converted = if array.is_null(i) {
                Err("the value is null".to_string())
            } else {
                value(i)
            };
            match converted {
                Ok(v) => values.push(v),
                Err(why) => {
                    values.push(placeholder);
                    bad.push((i, why));
                }
            }
        }
        Converted { values, bad }
    }
}

/// A time column as epoch milliseconds.
fn times(path: &Path, array: &dyn Array) -> Result<Converted<i64>, DataError> {
    /// Exact milliseconds from `raw` of a unit `per_ms` times finer.
    fn finer(raw: i64, per_ms: i64) -> Result<i64, String> {
        if raw % per_ms == 0 {
            Ok(raw / per_ms)
        } else {
            Err(format!("{raw} is not a whole number of milliseconds"))
        }
    }
    Ok(match array.data_type() {
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            Converted::from_fn(array, 0, |i| Ok(a.value(i)))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            let a = array.as_primitive::<TimestampMillisecondType>();
            Converted::from_fn(array, 0, |i| Ok(a.value(i)))
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            let a = array.as_primitive::<TimestampSecondType>();
            Converted::from_fn(array, 0, |i| {
                let raw = a.value(i);
                raw.checked_mul(1_000)
                    .ok_or_else(|| format!("{raw} seconds is out of range"))
            })
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let a = array.as_primitive::<TimestampMicrosecondType>();
            Converted::from_fn(array, 0, |i| finer(a.value(i), 1_000))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            let a = array.as_primitive::<TimestampNanosecondType>();
            Converted::from_fn(array, 0, |i| finer(a.value(i), 1_000_000))
        }
        other => {
            return Err(DataError::Parquet {
                path: path.to_path_buf(),
                reason: format!(
                    "column `timestamp` has type {other}; expected Int64 (epoch milliseconds) \
                     or Timestamp"
                ),
            });
        }
    })
}

/// A price or volume column as exact decimals.
fn decimals(path: &Path, name: &str, array: &dyn Array) -> Result<Converted<Decimal>, DataError> {
    use std::fmt::Write;
    let zero = Decimal::ZERO;
    let exact = |t: &str| {
        parse_decimal(t.as_bytes()).ok_or_else(|| format!("cannot parse `{t}` as a decimal number"))
    };
    let mut text = String::new();
    // Rust prints a float as the shortest decimal that reads back as the
    // same float (the number as it was typed), never with an exponent.
    let mut float = |value: &dyn std::fmt::Display, finite: bool| {
        if !finite {
            return Err(format!("{value} is not a number"));
        }
        text.clear();
        let _ = write!(text, "{value}");
        exact(&text)
    };
    Ok(match array.data_type() {
        DataType::Decimal128(_, scale) => {
            let a = array.as_primitive::<Decimal128Type>();
            let scale = *scale;
            Converted::from_fn(array, zero, |i| {
                let raw = a.value(i);
                from_decimal128(raw, scale)
                    .ok_or_else(|| format!("{raw}e{} does not fit a 28-digit decimal", -scale))
            })
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            Converted::from_fn(array, zero, |i| float(&a.value(i), a.value(i).is_finite()))
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            Converted::from_fn(array, zero, |i| float(&a.value(i), a.value(i).is_finite()))
        }
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            Converted::from_fn(array, zero, |i| Ok(Decimal::from(a.value(i))))
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Converted::from_fn(array, zero, |i| exact(a.value(i)))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Converted::from_fn(array, zero, |i| exact(a.value(i)))
        }
        other => {
            return Err(DataError::Parquet {
                path: path.to_path_buf(),
                reason: format!(
                    "column `{name}` has type {other}; expected Decimal128, Float64, Float32, \
                     Int64 or Utf8"
                ),
            });
        }
    })
}

/// The exact decimal of a Decimal128 value, if it fits rust_decimal's 96-bit
/// mantissa and 28-digit scale.
fn from_decimal128(raw: i128, scale: i8) -> Option<Decimal> {
    if scale >= 0 {
        return Decimal::try_from_i128_with_scale(raw, u32::try_from(scale).ok()?).ok();
    }
    let widened = raw.checked_mul(10i128.checked_pow(u32::from(scale.unsigned_abs()))?)?;
    Decimal::try_from_i128_with_scale(widened, 0).ok()
}
