//! Market data input: reading OHLCV candles from CSV files (the project's
//! uniform format and MetaTrader exports) and Parquet files, resampling
//! them to higher timeframes, and writing candles and backtest results as
//! CSV or Parquet.

/// The parallel fast path for clean unquoted CSV files.
mod chunked;
/// Errors that name the file, line and field of bad input.
pub mod error;
/// Fast exact parsing of decimal and timestamp fields.
pub mod fields;
/// The straightforward reader the fast one replaced: the tests' oracle.
#[cfg(test)]
mod oracle;
/// Reading candles from Parquet files.
pub mod parquet_read;
/// The OHLCV CSV reader with header-based format detection.
pub mod reader;
/// Aggregation of candles into higher, UTC-aligned timeframes.
pub mod resample;
/// Large benchmark inputs tiled from real series.
pub mod synthetic;
/// Writing candles and backtest results as Parquet or CSV.
pub mod write;

pub use error::DataError;
pub use reader::{
    CsvFormat, Loaded, ReadOptions, infer_timeframe, is_parquet, parse_ohlcv, read_ohlcv,
};
pub use resample::{Aggregate, Resampler, resample};
pub use write::{write_candles, write_equity, write_trades};
