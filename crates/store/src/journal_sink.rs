//! The engine's events written to the journal before anyone downstream
//! (the execution adapter that sends an order to the venue, the API, the
//! event log) sees them.
//!
//! A live sink stages one engine step (one candle, one venue report) and
//! [`JournalSink::commit`] writes it in one transaction — the candle too,
//! if staged — and only then passes the events on. One commit per step
//! keeps the path from a candle to its order short; it is also
//! all-or-nothing, so a kill mid-step leaves the journal as it was before
//! the step, which the replay of the candle log then redoes.
//!
//! A replaying sink (after a restart) writes each event at once and
//! idempotently: the events it sees were partly journaled by the killed
//! process.
//!
//! A write failure is kept, and nothing after it is passed on: the runner
//! must stop trading on it (an order that cannot be journaled must not be
//! sent).

use crate::error::StoreError;
use crate::journal::{CandleReceipt, Journal, LoggedCandle};
use smc_model::{Candle, EngineEvent, EventSink, InstrumentId, Timeframe};

/// Journals, then forwards to `inner`.
pub struct JournalSink<'a> {
    journal: &'a dyn Journal,
    inner: &'a mut dyn EventSink,
    failure: Option<StoreError>,
    /// `None`: replaying, each event written at once.
    staged: Option<Staged>,
}

/// A step's candle and events, waiting for the commit.
#[derive(Default)]
struct Staged {
    candle: Option<LoggedCandle>,
    events: Vec<EngineEvent>,
}

impl<'a> JournalSink<'a> {
    /// A sink for one engine step: call [`JournalSink::commit`] after it.
    pub fn new(journal: &'a dyn Journal, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            journal,
            inner,
            failure: None,
            staged: Some(Staged::default()),
        }
    }

    /// A sink for replaying logged candles after a restart: writes are
    /// immediate and idempotent — an order already journaled is not a
    /// duplicate, a fill already recorded is not counted twice, and a
    /// status only moves forward anyway.
    pub fn replaying(journal: &'a dyn Journal, inner: &'a mut dyn EventSink) -> Self {
        JournalSink {
            staged: None,
            ..JournalSink::new(journal, inner)
        }
    }

    /// Stages the candle of this step for the candle log, so that it is
    /// committed with what it caused.
    pub fn log_candle(
        &mut self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        candle: &Candle,
        receipt: CandleReceipt,
    ) {
        if let Some(staged) = self.staged.as_mut() {
            staged.candle = Some(LoggedCandle {
                instrument: instrument.clone(),
                timeframe,
                candle: *candle,
                receipt,
            });
        }
    }

    /// The first write that failed, if any; events after it were not
    /// forwarded.
    pub fn failure(&self) -> Option<&StoreError> {
        self.failure.as_ref()
    }

    /// Writes what was staged in one transaction, then passes the events
    /// on. A replaying sink has nothing staged and reports its first
    /// failure.
    pub fn commit(self) -> Result<(), StoreError> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        let Some(staged) = self.staged else {
            return Ok(());
        };
        self.journal
            .commit_step(staged.candle.as_ref(), &staged.events)?;
        for event in &staged.events {
            self.inner.emit(event);
        }
        Ok(())
    }
}

impl EventSink for JournalSink<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        if self.failure.is_some() {
            return;
        }
        match self.staged.as_mut() {
            Some(staged) => staged.events.push(event.clone()),
            None => match self.journal.replay(event) {
                Ok(()) => self.inner.emit(event),
                Err(e) => self.failure = Some(e),
            },
        }
    }
}
