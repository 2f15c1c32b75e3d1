//! The closed candles a paper or live run processed, in processing order:
//! written with what each one caused, so that a restart can replay them
//! through a fresh (deterministic) engine and resume exactly where the
//! killed process stopped.

use super::orders::to_json;
use super::statement::Statement;
use super::{Store, text};
use crate::error::StoreError;
use crate::journal::{CandleReceipt, LoggedCandle};
use smc_model::Timestamp;
use smc_model::{InstrumentId, Timeframe};
use std::str::FromStr;

/// The append of a closed candle to the log; `if_new` ignores one already
/// logged instead of failing.
pub(crate) fn candle_insert(c: &LoggedCandle, if_new: bool) -> Statement {
    let verb = if if_new { "INSERT OR IGNORE" } else { "INSERT" };
    Statement::new(format!(
        "{verb} INTO candles (instrument, timeframe, open_time, candle, received_at, history, seq) \
         VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM candles))"
    ))
    .text(c.instrument.to_string())
    .text(c.timeframe.to_string())
    .int(c.candle.open_time.ms())
    .text(to_json(&c.candle))
    .opt_time(c.receipt.received_at)
    .int(i64::from(c.receipt.history))
}

impl Store {
    /// Appends a closed candle on its own; `false` when it was already
    /// logged (a candle delivered twice is processed once).
    pub fn log_candle(&self, candle: &LoggedCandle) -> Result<bool, StoreError> {
        Ok(self.run(candle_insert(candle, true), "logging a candle")? == 1)
    }

    pub fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        let what = "reading the candle log";
        self.rows(
            "SELECT instrument, timeframe, candle, received_at, history FROM candles ORDER BY seq",
            [],
            what,
            |r| {
                let instrument = text(r, "instrument", what)?;
                let timeframe = text(r, "timeframe", what)?;
                let candle = text(r, "candle", what)?;
                let corrupt = |what, value: &String| StoreError::Corrupt {
                    what,
                    value: value.clone(),
                };
                Ok(LoggedCandle {
                    instrument: InstrumentId::from_str(&instrument)
                        .map_err(|_| corrupt("candles.instrument", &instrument))?,
                    timeframe: Timeframe::from_str(&timeframe)
                        .map_err(|_| corrupt("candles.timeframe", &timeframe))?,
                    candle: serde_json::from_str(&candle)
                        .map_err(|_| corrupt("candles.candle", &candle))?,
                    receipt: CandleReceipt {
                        received_at: r
                            .get::<_, Option<i64>>("received_at")
                            .map_err(StoreError::query(what))?
                            .map(Timestamp::from_ms),
                        history: r
                            .get::<_, i64>("history")
                            .map_err(StoreError::query(what))?
                            != 0,
                    },
                })
            },
        )
    }
}
