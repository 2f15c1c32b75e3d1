//! The closed candles a paper or live run processed, in processing order:
//! written before the engine sees each one, so that a restart can replay
//! them through a fresh (deterministic) engine and resume exactly where the
//! killed process stopped.

use crate::db::Store;
use crate::error::StoreError;
use smc_model::{Candle, InstrumentId, Timeframe};
use sqlx::Row;
use std::str::FromStr;

/// One logged candle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCandle {
    pub instrument: InstrumentId,
    pub timeframe: Timeframe,
    pub candle: Candle,
}

impl Store {
    /// Appends a closed candle. Returns `false` when it was already logged
    /// (a candle delivered twice is processed once).
    pub fn log_candle(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        candle: &Candle,
    ) -> Result<bool, StoreError> {
        let text = serde_json::to_string(candle).map_err(|e| StoreError::Corrupt {
            what: "candle",
            value: e.to_string(),
        })?;
        let done = self
            .block_on(
                sqlx::query(
                    "INSERT OR IGNORE INTO candles (instrument, timeframe, open_time, candle, seq) \
                     VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM candles))",
                )
                .bind(instrument.to_string())
                .bind(timeframe.to_string())
                .bind(candle.open_time)
                .bind(text)
                .execute(self.pool()),
            )
            .map_err(StoreError::query("logging a candle"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Every logged candle, in the order they were processed.
    pub fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        let what = "reading the candle log";
        let rows = self
            .block_on(
                sqlx::query("SELECT instrument, timeframe, candle FROM candles ORDER BY seq")
                    .fetch_all(self.pool()),
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
                })
            })
            .collect()
    }
}
