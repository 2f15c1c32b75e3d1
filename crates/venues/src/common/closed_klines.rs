//! The closed candles of a range, as [`MarketDataVenue::klines`] promises
//! them: the venues answer a range with its newest candle even while that
//! one is still open, so it is dropped until it has closed.
//!
//! [`MarketDataVenue::klines`]: crate::venue::MarketDataVenue::klines

use super::kline_backfill::KlineSource;
use smc_model::{Candle, Timeframe, Timestamp};

/// The closed candles of `symbol` opening in `[start_ms, end_ms]`.
pub(crate) async fn closed_klines<S: KlineSource>(
    source: &S,
    symbol: &str,
    timeframe: Timeframe,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<Candle>, S::Error> {
    // The clock is read before the fetch: a candle that closes while the
    // answer travels was open when the venue wrote it.
    let now = source.venue_now_ms();
    let mut candles = source
        .klines_range(symbol, timeframe, start_ms, Some(end_ms))
        .await?;
    // Only the newest candle can be the open one (a replaying simulator's
    // candles may run ahead of the clock; earlier ones are kept).
    if candles
        .last()
        .is_some_and(|c| c.open_time + timeframe.duration_ms() > Timestamp::from_ms(now))
    {
        candles.pop();
    }
    Ok(candles)
}
