//! Market data input: reading OHLCV candles from CSV files (the project's
//! uniform format and MetaTrader exports) and resampling them to higher
//! timeframes.

/// The parallel fast path for clean unquoted CSV files.
mod chunked;
/// Errors that name the file, line and field of bad input.
pub mod error;
/// Fast exact parsing of decimal and timestamp fields.
pub mod fields;
/// The straightforward reader the fast one replaced: the tests' oracle.
#[cfg(test)]
mod oracle;
/// The OHLCV CSV reader with header-based format detection.
pub mod reader;
/// Aggregation of candles into higher, UTC-aligned timeframes.
pub mod resample;
/// Large benchmark inputs tiled from real series.
pub mod synthetic;

pub use error::DataError;
pub use reader::{CsvFormat, Loaded, ReadOptions, infer_timeframe, parse_ohlcv, read_ohlcv};
pub use resample::{Aggregate, Resampler, resample};
