//! Financing and funding the venue booked on the session's positions: each
//! booking is logged once (by the venue's id) before the engine books it,
//! and replayed in its place on restart, as venue reports are; the stream
//! and reconciliation may both deliver one.

use super::Session;
use crate::error::{SessionError, SessionResult};
use serde::{Deserialize, Serialize};
use smc_engine::Engine;
use smc_model::{EventSink, InstrumentId};
use smc_store::JournalSink;
use smc_venues::FinancingReport;

/// A logged booking, told apart from a venue report by its one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedFinancing {
    pub financing: FinancingReport,
}

impl LoggedFinancing {
    /// The logged booking in `text`, if it is one.
    pub fn parse(text: &str) -> Option<LoggedFinancing> {
        if !text.starts_with("{\"financing\"") {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// Books it in `engine`; a booking on an instrument the session does
    /// not trade is not its money to count.
    pub(super) fn replay(
        &self,
        engine: &mut Engine,
        instruments: &[InstrumentId],
        sink: &mut dyn EventSink,
    ) -> Result<(), smc_engine::EngineError> {
        let f = &self.financing;
        match instruments.iter().position(|i| i.symbol() == f.symbol) {
            Some(i) => engine.apply_venue_financing(i, f.time, f.paid, sink),
            None => Ok(()),
        }
    }
}

impl Session {
    /// Books what the venue charged or paid for holding a position; false
    /// when it was booked before or is about an instrument the session
    /// does not trade.
    pub fn apply_financing(&mut self, report: &FinancingReport) -> SessionResult<bool> {
        if !self.instruments.iter().any(|i| i.symbol() == report.symbol) {
            return Ok(false);
        }
        let logged = LoggedFinancing {
            financing: report.clone(),
        };
        let text = serde_json::to_string(&logged)
            .map_err(|e| SessionError::Setting(format!("financing report: {e}")))?;
        let key = format!("financing:{}", report.id);
        let new = self
            .store
            .log_venue_report(&key, self.candles, &text)
            .map_err(SessionError::store("journaling the venue's financing"))?;
        if !new {
            return Ok(false);
        }
        let mut publish = super::BusSink(&self.bus);
        let mut sink = JournalSink::new(self.store.as_ref(), &mut publish);
        logged.replay(&mut self.engine, &self.instruments, &mut sink)?;
        sink.commit().map_err(SessionError::store(
            "journaling the venue's financing; the session stops",
        ))?;
        Ok(true)
    }
}
