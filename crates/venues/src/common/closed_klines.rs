//! The closed candles of a range, as [`MarketDataVenue::klines`] promises
//! them: the venues answer a range with its newest candle even while that
//! one is still open, so it is dropped until it has closed.
//!
//! [`MarketDataVenue::klines`]: crate::venue::MarketDataVenue::klines

use crate::net::TimeOffset;
use smc_model::{Candle, Timeframe, Timestamp};
use std::future::Future;

/// The candles `fetch` reads (the venue's REST read of the range, not yet
/// sent), without the newest while it is still open by the venue's
/// `clock`.
pub(crate) async fn closed_klines<E>(
    clock: &TimeOffset,
    timeframe: Timeframe,
    fetch: impl Future<Output = Result<Vec<Candle>, E>>,
) -> Result<Vec<Candle>, E> {
    // The clock is read before the fetch goes out (a future does nothing
    // until awaited): a candle that closes while the answer travels was
    // open when the venue wrote it.
    let now = clock.venue_now_ms();
    let mut candles = fetch.await?;
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
