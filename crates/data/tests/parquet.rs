//! Parquet candles: CSV → Parquet → candles gives the same candles exactly,
//! files written by pyarrow read as the CSV they were made from, and bad
//! files or rows are errors naming the file, the row and the column, with
//! the CSV reader's rules (lenient mode included). Results writers: trades
//! and equity read back with every field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, TimestampMillisecondType};
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::{Decimal, dec};
use smc_data::{CsvFormat, ReadOptions, read_ohlcv, write_candles, write_equity, write_trades};
use smc_model::{Candle, InstrumentIndex, RoundTrip, Timestamp, TradeSide};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(rel)
}

/// A fresh file path in a directory of this test process.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-data-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn btc() -> Vec<Candle> {
    read_ohlcv(
        &testdata("market/binance-usdm/BTCUSDT-1m.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles
}

/// Candles with their decimals' text, so `1.50` and `1.5` differ.
fn exact(candles: &[Candle]) -> Vec<(i64, [String; 5])> {
    candles
        .iter()
        .map(|c| {
            let d = [c.open, c.high, c.low, c.close, c.volume].map(|x| x.normalize().to_string());
            (c.open_time.ms(), d)
        })
        .collect()
}

#[test]
fn csv_to_parquet_to_candles_is_exact() {
    let candles = btc();
    let path = temp("round-trip.parquet");
    write_candles(&path, &candles).unwrap();
    let loaded = read_ohlcv(&path, ReadOptions::default()).unwrap();
    assert_eq!(loaded.format, CsvFormat::Parquet);
    assert_eq!(loaded.candles, candles);
    assert_eq!(exact(&loaded.candles), exact(&candles));
    // And back to CSV.
    let csv = temp("round-trip.csv");
    write_candles(&csv, &loaded.candles).unwrap();
    assert_eq!(
        read_ohlcv(&csv, ReadOptions::default()).unwrap().candles,
        candles
    );
}

#[test]
fn parquet_written_with_decimals_and_utc_times_has_those_types() {
    let path = temp("types.parquet");
    write_candles(&path, &btc()[..10]).unwrap();
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    assert_eq!(
        schema.field(0).data_type(),
        &DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into()))
    );
    // BTCUSDT's prices (below 100,000) have at most one decimal, its
    // volumes (below 1,000 in these rows) three.
    assert_eq!(schema.field(1).data_type(), &DataType::Decimal128(6, 1));
    assert_eq!(schema.field(5).data_type(), &DataType::Decimal128(6, 3));
}

#[test]
fn pyarrow_decimal_file_reads_as_its_csv() {
    let loaded = read_ohlcv(
        &testdata("parquet/btcusdt-1m-decimal.parquet"),
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(loaded.candles, btc()[..50]);
}

#[test]
fn pyarrow_float_file_with_microsecond_times_reads_as_its_csv() {
    let loaded = read_ohlcv(
        &testdata("parquet/btcusdt-1m-float.parquet"),
        ReadOptions::default(),
    )
    .unwrap();
    // Floats become the shortest decimal that is the same float: the text.
    assert_eq!(exact(&loaded.candles), exact(&btc()[..50]));
}

fn write_batch(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// A file of three rows: times and text prices as given.
fn text_file(name: &str, times: [i64; 3], low: [Option<&str>; 3]) -> PathBuf {
    let path = temp(name);
    let s = |v: [Option<&str>; 3]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    write_batch(
        &path,
        vec![
            ("timestamp", Arc::new(Int64Array::from(times.to_vec()))),
            ("open", s([Some("1"); 3])),
            ("high", s([Some("2"); 3])),
            ("low", s(low)),
            ("close", s([Some("1.5"); 3])),
            ("volume", s([Some("10"); 3])),
        ],
    );
    path
}

fn message(path: &Path) -> String {
    read_ohlcv(path, ReadOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_value_names_file_row_and_column() {
    let path = text_file(
        "bad-value.parquet",
        [60_000, 120_000, 180_000],
        [Some("0.5"), Some("abc"), Some("0.5")],
    );
    assert_eq!(
        message(&path),
        format!(
            "{}: row 2: column `low`: cannot parse `abc` as a decimal number",
            path.display()
        )
    );
}

#[test]
fn a_null_value_is_an_error() {
    let path = text_file(
        "null.parquet",
        [60_000, 120_000, 180_000],
        [Some("0.5"), Some("0.5"), None],
    );
    assert_eq!(
        message(&path),
        format!("{}: row 3: column `low`: the value is null", path.display())
    );
}

#[test]
fn times_must_increase_and_candles_be_consistent() {
    let path = text_file("order.parquet", [60_000, 60_000, 180_000], [Some("0.5"); 3]);
    assert!(
        message(&path).ends_with(
            "row 2: column `timestamp`: timestamp 60000 is not after the previous row's 60000; \
             rows must be strictly increasing in time"
        ),
        "{}",
        message(&path)
    );
    let path = text_file(
        "inconsistent.parquet",
        [60_000, 120_000, 180_000],
        [Some("0.5"), Some("3"), Some("0.5")],
    );
    assert_eq!(
        message(&path),
        format!(
            "{}: row 2: inconsistent candle: high is below low",
            path.display()
        )
    );
}

#[test]
fn lenient_mode_skips_bad_rows_with_their_row_numbers() {
    let path = text_file(
        "lenient.parquet",
        [60_000, 120_000, 180_000],
        [Some("x"), Some("0.5"), None],
    );
    let loaded = read_ohlcv(&path, ReadOptions { lenient: true }).unwrap();
    assert_eq!(loaded.candles.len(), 1);
    assert_eq!(loaded.candles[0].open_time, Timestamp::from_ms(120_000));
    let rows: Vec<_> = loaded.skipped.iter().map(|e| e.line()).collect();
    assert_eq!(rows, vec![Some(1), Some(3)]);
}

#[test]
fn missing_columns_and_unsupported_types_are_named() {
    let path = temp("missing.parquet");
    write_batch(
        &path,
        vec![("timestamp", Arc::new(Int64Array::from(vec![1])))],
    );
    assert_eq!(
        message(&path),
        format!("{}: missing column `open`", path.display())
    );
    let path = temp("boolean.parquet");
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![true]));
    let i: ArrayRef = Arc::new(Int64Array::from(vec![1]));
    write_batch(
        &path,
        vec![
            ("timestamp", i.clone()),
            ("open", b),
            ("high", i.clone()),
            ("low", i.clone()),
            ("close", i.clone()),
            ("volume", i),
        ],
    );
    assert_eq!(
        message(&path),
        format!(
            "{}: column `open` has type Boolean; expected Decimal128, Float64, Float32, Int64 or Utf8",
            path.display()
        )
    );
}

#[test]
fn a_file_that_is_not_parquet_and_an_empty_one() {
    let path = temp("text.parquet");
    std::fs::write(&path, "timestamp,open,high,low,close,volume\n").unwrap();
    assert!(
        message(&path).starts_with(&format!("{}: not a readable Parquet file", path.display())),
        "{}",
        message(&path)
    );
    let path = temp("empty.parquet");
    write_candles(&path, &[]).unwrap();
    assert!(
        message(&path).contains("no data rows"),
        "{}",
        message(&path)
    );
}

fn trade(exit: Option<(i64, Decimal)>) -> RoundTrip {
    RoundTrip {
        instrument: InstrumentIndex::new(0),
        side: TradeSide::Short,
        entry_time: Timestamp::from_ms(60_000),
        exit_time: exit.map(|(t, _)| Timestamp::from_ms(t)),
        entry_price: dec!(43417.1),
        exit_price: exit.map(|(_, p)| p),
        size: dec!(0.00123456),
        pnl: dec!(-1.25),
        fees: dec!(0.0345),
        setup: None,
    }
}

#[test]
fn trades_are_written_with_every_field() {
    let closed = trade(Some((180_000, dec!(43500.25))));
    let open = trade(None);
    let path = temp("trades.parquet");
    write_trades(&path, [&closed, &open]).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batch = reader.map(Result::unwrap).next().unwrap();
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "entry_time",
            "exit_time",
            "side",
            "entry_price",
            "exit_price",
            "size",
            "pnl",
            "fees",
            "setup"
        ]
    );
    let exit = batch.column(1).as_primitive::<TimestampMillisecondType>();
    assert_eq!((exit.value(0), exit.is_null(1)), (180_000, true));
    assert_eq!(batch.column(2).as_string::<i32>().value(0), "short");
    let price = batch.column(4).as_primitive::<Decimal128Type>();
    assert_eq!((price.value(0), price.scale()), (4_350_025, 2));
    let size = batch.column(5).as_primitive::<Decimal128Type>();
    assert_eq!((size.value(0), size.scale()), (123_456, 8));

    let csv = temp("trades.csv");
    write_trades(&csv, [&closed, &open]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "entry_time,exit_time,side,entry_price,exit_price,size,pnl,fees,setup\n\
         60000,180000,short,43417.1,43500.25,0.00123456,-1.25,0.0345,\n\
         60000,,short,43417.1,,0.00123456,-1.25,0.0345,\n"
    );
}

#[test]
fn the_equity_curve_is_written_exactly() {
    let curve = [
        (Timestamp::from_ms(60_000), dec!(10000)),
        (Timestamp::from_ms(120_000), dec!(10001.123456789)),
    ];
    let path = temp("equity.parquet");
    write_equity(&path, curve).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batch = reader.map(Result::unwrap).next().unwrap();
    let equity = batch.column(1).as_primitive::<Decimal128Type>();
    assert_eq!(equity.scale(), 9);
    assert_eq!(equity.value(1), 10_001_123_456_789);
    let csv = temp("equity.csv");
    write_equity(&csv, curve).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "time,equity\n60000,10000\n120000,10001.123456789\n"
    );
}

/// Candles of a regular minute series, `n` of them.
fn minutes(n: usize) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let base = Decimal::new(1_000_000 + (i as i64 * 7_919) % 50_000, 4);
            Candle {
                open_time: Timestamp::from_ms(1_600_000_000_000 + i as i64 * 60_000),
                open: base,
                high: base + dec!(0.5),
                low: base - dec!(0.25),
                close: base + dec!(0.125),
                volume: Decimal::new(i as i64 % 977, 3),
            }
        })
        .collect()
}

#[test]
fn a_file_of_many_batches_reads_in_order_with_its_rows_numbered() {
    // Batches are converted side by side: five batches of 65,536 rows and
    // damage on a batch's first row, inside one, and on a group's first.
    let n = 300_000;
    let clean = minutes(n);
    let path = temp("many.parquet");
    write_candles(&path, &clean).unwrap();
    let read = read_ohlcv(&path, ReadOptions::default()).unwrap();
    assert_eq!(exact(&read.candles), exact(&clean));

    let mut damaged = clean.clone();
    damaged[65_536].open_time = damaged[65_535].open_time;
    damaged[200_000].high = damaged[200_000].low - dec!(1);
    damaged[262_144].open_time = damaged[262_143].open_time;
    let path = temp("many-damaged.parquet");
    write_candles(&path, &damaged).unwrap();
    let strict = read_ohlcv(&path, ReadOptions::default()).unwrap_err();
    assert!(
        strict.to_string().contains("row 65537: column `timestamp`"),
        "{strict}"
    );
    let lenient = read_ohlcv(&path, ReadOptions { lenient: true }).unwrap();
    let rows: Vec<_> = lenient.skipped.iter().map(|e| e.line()).collect();
    assert_eq!(rows, vec![Some(65_537), Some(200_001), Some(262_145)]);
    assert!(
        lenient.skipped[1]
            .to_string()
            .contains("inconsistent candle")
    );
    let kept: Vec<Candle> = clean
        .iter()
        .enumerate()
        .filter(|(i, _)| ![65_536, 200_000, 262_144].contains(i))
        .map(|(_, c)| *c)
        .collect();
    assert_eq!(exact(&lenient.candles), exact(&kept));
}
