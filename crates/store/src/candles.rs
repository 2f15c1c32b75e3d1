//! The closed candles a paper or live run processed, in processing order:
//! written before the engine sees each one, so that a restart can replay
//! them through a fresh (deterministic) engine and resume exactly where the
//! killed process stopped.

use crate::db::Store;
use crate::error::StoreError;
use crate::statement::Statement;
use smc_model::{Candle, InstrumentId, Timeframe};
use sqlx::Row;
use std::str::FromStr;

/// One logged candle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCandle {
    pub instrument: InstrumentId,
    pub timeframe: Timeframe,
    pub candle: Candle,
    pub receipt: CandleReceipt,
}

/// How a candle reached the agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandleReceipt {
    /// Wall-clock time of arrival (epoch ms); unknown in old logs.
    pub received_at: Option<i64>,
    /// Fetched over REST to fill a gap, not published live as it closed.
    pub history: bool,
}

/// The append of a closed candle to the log; `if_new` ignores one already
/// logged instead of failing.
pub(crate) fn candle_insert(
    instrument: &InstrumentId,
    timeframe: Timeframe,
    candle: &Candle,
    receipt: CandleReceipt,
    if_new: bool,
) -> Result<Statement, StoreError> {
    let text = serde_json::to_string(candle).map_err(|e| StoreError::Corrupt {
        what: "candle",
        value: e.to_string(),
    })?;
    let verb = if if_new { "INSERT OR IGNORE" } else { "INSERT" };
    Ok(Statement::new(format!(
        "{verb} INTO candles (instrument, timeframe, open_time, candle, received_at, history, seq) \
         VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM candles))"
    ))
    .text(instrument.to_string())
    .text(timeframe.to_string())
    .int(candle.open_time)
    .text(text)
    .opt_int(receipt.received_at)
    .int(i64::from(receipt.history)))
}

impl Store {
    /// Appends a closed candle. Returns `false` when it was already logged
    /// (a candle delivered twice is processed once).
    pub fn log_candle(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        candle: &Candle,
        receipt: CandleReceipt,
    ) -> Result<bool, StoreError> {
        let insert = candle_insert(instrument, timeframe, candle, receipt, true)?;
        Ok(self.run(insert, "logging a candle")? == 1)
    }

    /// Every logged candle, in the order they were processed.
    pub fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        let what = "reading the candle log";
        let rows = self
            .block_on(
                sqlx::query(
                    "SELECT instrument, timeframe, candle, received_at, history \
                     FROM candles ORDER BY seq",
                )
                .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query(what))?;
        rows.iter()
            .map(|r| {
                let get = |c: &str| -> Result<String, StoreError> {
                    r.try_get(c).map_err(StoreError::query(what))
                };
                let instrument = get("instrument")?;
                let timeframe = get("timeframe")?;
                let candle = get("candle")?;
                Ok(LoggedCandle {
                    instrument: InstrumentId::from_str(&instrument).map_err(|_| {
                        StoreError::Corrupt {
                            what: "candles.instrument",
                            value: instrument.clone(),
                        }
                    })?,
                    timeframe: Timeframe::from_str(&timeframe).map_err(|_| {
                        StoreError::Corrupt {
                            what: "candles.timeframe",
                            value: timeframe.clone(),
                        }
                    })?,
                    candle: serde_json::from_str(&candle).map_err(|_| StoreError::Corrupt {
                        what: "candles.candle",
                        value: candle.clone(),
                    })?,
                    receipt: CandleReceipt {
                        received_at: r.try_get("received_at").map_err(StoreError::query(what))?,
                        history: r
                            .try_get::<i64, _>("history")
                            .map_err(StoreError::query(what))?
                            != 0,
                    },
                })
            })
            .collect()
    }
}
