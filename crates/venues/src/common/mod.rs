//! Venue-neutral pieces of the adapters that sit above the network layer:
//! logic every venue module needs in the same form, each fed the venue's
//! own rules through a small trait or a few arguments.

/// REST order book sides to levels, checked.
pub(crate) mod book_levels;
/// A timestamp refusal: resynchronise the clock and send once more.
pub(crate) mod clock_resync;
/// A range of candles without the newest while it is still open.
pub(crate) mod closed_klines;
/// A private stream's `Connected`, held until the venue answers.
pub(crate) mod held_connect;
/// The value and scalar reading of the hot-message JSON scanners.
pub(crate) mod json_scan;
/// Keeps a market stream's closed klines whole: syncs, backfills, retries.
pub(crate) mod kline_backfill;
/// Prices onto the tick and inside the band, the quantity onto the lot.
pub(crate) mod order_rounding;
/// A stream's socket and tasks, ended together when dropped.
pub(crate) mod running_stream;
