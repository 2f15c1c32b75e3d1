//! Writes candles and a backtest's results (round trips, equity curve) as
//! Parquet or CSV, chosen by the file's extension. In Parquet, times are
//! `Timestamp(ms, UTC)` and decimals `Decimal128(p, s)` with `s` the
//! largest scale of the column's values (so every value is exact) and `p`
//! the fewest digits that hold them all; a column whose values cannot share
//! one scale within 38 digits is written as text.
//! CSV writes times as epoch milliseconds and decimals as they print.

use crate::error::DataError;
use crate::reader::is_parquet;
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, Decimal128Array, RecordBatch, TimestampMillisecondArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rust_decimal::Decimal;
use smc_model::{Candle, RoundTrip, Timestamp, TradeSide};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

/// Rows per Parquet row group: small enough for readers to split the work.
const ROW_GROUP_ROWS: usize = 128 * 1024;
/// Decimal128's largest precision.
const MAX_PRECISION: u8 = 38;

/// Writes candles to `path` (Parquet or the uniform CSV by extension).
pub fn write_candles(path: &Path, candles: &[Candle]) -> Result<(), DataError> {
    if !is_parquet(path) {
        return write_text(path, &crate::synthetic::to_uniform_csv(candles));
    }
    let numbers: [fn(&Candle) -> Decimal; 5] =
        [|c| c.open, |c| c.high, |c| c.low, |c| c.close, |c| c.volume];
    let mut columns = vec![column(
        "timestamp",
        false,
        times(candles.iter().map(|c| Some(c.open_time))),
    )];
    for (name, value) in ["open", "high", "low", "close", "volume"]
        .into_iter()
        .zip(numbers)
    {
        let values: Vec<Option<Decimal>> = candles.iter().map(|c| Some(value(c))).collect();
        columns.push(column(name, false, decimals(&values)));
    }
    write_parquet(path, columns)
}

/// Writes every round trip (closed, then open ones) with the fields of the
/// results JSON's `trades`.
pub fn write_trades<'a>(
    path: &Path,
    trades: impl IntoIterator<Item = &'a RoundTrip>,
) -> Result<(), DataError> {
    let trades: Vec<&RoundTrip> = trades.into_iter().collect();
    let side = |t: &RoundTrip| match t.side {
        TradeSide::Long => "long",
        TradeSide::Short => "short",
    };
    let setup = |t: &RoundTrip| t.setup.as_ref().map(|s| s.pattern.to_string());
    if !is_parquet(path) {
        let mut text =
            String::from("entry_time,exit_time,side,entry_price,exit_price,size,pnl,fees,setup\n");
        for t in &trades {
            // Writing to a String cannot fail.
            let _ = writeln!(
                text,
                "{},{},{},{},{},{},{},{},{}",
                t.entry_time,
                t.exit_time.map(|x| x.to_string()).unwrap_or_default(),
                side(t),
                t.entry_price,
                t.exit_price.map(|x| x.to_string()).unwrap_or_default(),
                t.size,
                t.pnl,
                t.fees,
                setup(t).unwrap_or_default(),
            );
        }
        return write_text(path, &text);
    }
    let number = |f: fn(&RoundTrip) -> Option<Decimal>| {
        decimals(&trades.iter().map(|t| f(t)).collect::<Vec<_>>())
    };
    let text = |f: &dyn Fn(&RoundTrip) -> Option<String>| -> ArrayRef {
        let mut b = StringBuilder::new();
        for t in &trades {
            b.append_option(f(t));
        }
        Arc::new(b.finish())
    };
    let columns = vec![
        column(
            "entry_time",
            false,
            times(trades.iter().map(|t| Some(t.entry_time))),
        ),
        column("exit_time", true, times(trades.iter().map(|t| t.exit_time))),
        column("side", false, text(&|t| Some(side(t).to_string()))),
        column("entry_price", false, number(|t| Some(t.entry_price))),
        column("exit_price", true, number(|t| t.exit_price)),
        column("size", false, number(|t| Some(t.size))),
        column("pnl", false, number(|t| Some(t.pnl))),
        column("fees", false, number(|t| Some(t.fees))),
        column("setup", true, text(&setup)),
    ];
    write_parquet(path, columns)
}

/// Writes an equity curve: the equity at each bar's close.
pub fn write_equity(
    path: &Path,
    curve: impl IntoIterator<Item = (Timestamp, Decimal)>,
) -> Result<(), DataError> {
    let curve: Vec<(Timestamp, Decimal)> = curve.into_iter().collect();
    if !is_parquet(path) {
        let mut text = String::with_capacity(curve.len() * 32 + 12);
        text.push_str("time,equity\n");
        for (time, equity) in &curve {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "{time},{equity}");
        }
        return write_text(path, &text);
    }
    let equity: Vec<Option<Decimal>> = curve.iter().map(|(_, e)| Some(*e)).collect();
    let columns = vec![
        column("time", false, times(curve.iter().map(|(t, _)| Some(*t)))),
        column("equity", false, decimals(&equity)),
    ];
    write_parquet(path, columns)
}

fn column(name: &str, nullable: bool, array: ArrayRef) -> (Field, ArrayRef) {
    (Field::new(name, array.data_type().clone(), nullable), array)
}

fn times(values: impl Iterator<Item = Option<Timestamp>>) -> ArrayRef {
    let array: TimestampMillisecondArray = values.map(|t| t.map(Timestamp::ms)).collect();
    Arc::new(array.with_timezone("UTC"))
}

/// A Decimal128 column at the values' largest scale, or text when some
/// value would need more than 38 digits at that scale. The precision is the
/// fewest digits that hold every value: up to 18, Parquet stores the column
/// as 64-bit integers, which read several times faster than the 16-byte
/// form of the full precision.
fn decimals(values: &[Option<Decimal>]) -> ArrayRef {
    let scale = values
        .iter()
        .flatten()
        .map(Decimal::scale)
        .max()
        .unwrap_or(0);
    let limit = 10i128.pow(u32::from(MAX_PRECISION));
    let widened: Option<Vec<Option<i128>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(d) => d
                .mantissa()
                .checked_mul(10i128.pow(scale - d.scale()))
                .filter(|m| m.abs() < limit)
                .map(Some),
        })
        .collect();
    let decimal = widened.and_then(|w| {
        let largest = w
            .iter()
            .flatten()
            .map(|m| m.unsigned_abs())
            .max()
            .unwrap_or(0);
        let digits = largest.checked_ilog10().map_or(1, |d| d + 1);
        // At most 38 digits (checked above), and a scale of at most 28.
        let precision = digits.max(scale).max(1) as u8;
        Decimal128Array::from(w)
            .with_precision_and_scale(precision, scale as i8)
            .ok()
    });
    match decimal {
        Some(array) => Arc::new(array),
        None => {
            let mut b = StringBuilder::new();
            for v in values {
                b.append_option(v.map(|d| d.to_string()));
            }
            Arc::new(b.finish())
        }
    }
}

fn write_parquet(path: &Path, columns: Vec<(Field, ArrayRef)>) -> Result<(), DataError> {
    let error = |reason: String| DataError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| error(e.to_string()))?;
    let file = std::fs::File::create(path).map_err(|e| error(e.to_string()))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut writer =
        ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| error(e.to_string()))?;
    writer.write(&batch).map_err(|e| error(e.to_string()))?;
    writer.close().map_err(|e| error(e.to_string()))?;
    Ok(())
}

fn write_text(path: &Path, text: &str) -> Result<(), DataError> {
    let write = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        file.write_all(text.as_bytes())?;
        file.flush()
    };
    write().map_err(|e| DataError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use arrow_array::Array;
    use arrow_schema::DataType;
    use rust_decimal::dec;

    #[test]
    fn decimals_share_the_largest_scale() {
        let array = decimals(&[Some(dec!(1.5)), None, Some(dec!(-2.125))]);
        assert_eq!(array.data_type(), &DataType::Decimal128(4, 3));
        let zeros = decimals(&[Some(dec!(0.00))]);
        assert_eq!(zeros.data_type(), &DataType::Decimal128(2, 2));
        assert!(array.is_null(1));
    }

    #[test]
    fn decimals_too_wide_for_one_scale_become_text() {
        let big = Decimal::MAX;
        let tiny = dec!(0.0000000000000000000000000001);
        let array = decimals(&[Some(big), Some(tiny)]);
        assert_eq!(array.data_type(), &DataType::Utf8);
    }
}
