//! One live session's state: the engine in external-execution mode (the
//! backtest's strategy, risk gate, OMS and portfolio; orders go to the
//! venue), the SQLite store, and the rule that makes restarts exact: every
//! closed candle is logged in one transaction with the orders it caused,
//! before any is sent, every venue report is logged before the engine sees
//! it, and on start both logs are replayed, interleaved as they were
//! applied, through a fresh engine (it is deterministic). Commands the
//! replay produces again are not sent again: their orders are journaled,
//! and reconciliation with the venue settles what became of them.

use crate::history_gate::HistorySwitch;
use anyhow::Context;
use smc_engine::{Engine, ExternalReport, MarketEvent, VenueCommand};
use smc_model::{Candle, EventSink, InstrumentId, NullSink, Timeframe};
use smc_store::{CandleReceipt, JournalSink, Store};

pub struct LiveSession {
    engine: Engine,
    store: Store,
    /// The engine's instrument table, in its order.
    instruments: Vec<InstrumentId>,
    timeframe: Timeframe,
    /// Open time of the last candle processed, per instrument.
    last: Vec<Option<i64>>,
    /// Logged candles the engine has processed.
    candles: i64,
    replayed: (usize, usize),
    /// Cancels requested before the restart, for the orders still open.
    pending_cancels: Vec<VenueCommand>,
    /// The engine's gate refuses new risk while it is on.
    history: HistorySwitch,
}

impl LiveSession {
    /// Opens the session, replaying the candle log and the venue reports.
    /// `history` is the switch of the engine's [`crate::history_gate`].
    pub fn open(
        mut engine: Engine,
        store: Store,
        instruments: Vec<InstrumentId>,
        timeframe: Timeframe,
        history: HistorySwitch,
    ) -> anyhow::Result<Self> {
        let logged = crate::paper_session::session_candles(&store, &instruments, timeframe)?;
        let mut last = vec![None; instruments.len()];
        let reports = store
            .venue_reports()?
            .into_iter()
            .map(|r| {
                serde_json::from_str::<ExternalReport>(&r.report)
                    .map(|report| (r.after_candles, report))
                    .with_context(|| format!("{}: venue report `{}`", store.url(), r.report))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut quiet = NullSink; // a replay re-derives what was already reported
        let mut sink = JournalSink::replaying(&store, &mut quiet);
        let mut next = reports.iter().peekable();
        for (k, (instrument, c)) in logged.iter().enumerate() {
            while let Some((_, report)) = next.next_if(|(after, _)| *after <= k as i64) {
                engine.apply_report(report, &mut sink)?;
            }
            let instrument = *instrument;
            last[instrument] = Some(c.candle.open_time);
            let bar = MarketEvent::Bar {
                instrument,
                timeframe,
                candle: &c.candle,
            };
            history.set(c.receipt.history);
            let processed = engine.process(bar, &mut sink);
            history.set(false);
            processed?;
        }
        for (_, report) in next {
            engine.apply_report(report, &mut sink)?;
        }
        sink.commit()
            .context("replaying the session into the journal")?;
        // Everything placed before is journaled; it is never sent twice.
        engine.take_commands();
        let pending_cancels = engine.pending_cancels();
        // From here the WAL is checkpointed on the clock's tick.
        store.defer_checkpoints()?;
        Ok(LiveSession {
            engine,
            store,
            instruments,
            timeframe,
            last,
            candles: logged.len() as i64,
            replayed: (logged.len(), reports.len()),
            pending_cancels,
            history,
        })
    }

    /// Candles and venue reports replayed on open.
    pub fn replayed(&self) -> (usize, usize) {
        self.replayed
    }

    /// Cancels to send again after a restart (once).
    pub fn take_pending_cancels(&mut self) -> Vec<VenueCommand> {
        std::mem::take(&mut self.pending_cancels)
    }

    /// Open time of the last candle processed of the `instrument`th.
    pub fn last_open_time(&self, instrument: usize) -> Option<i64> {
        self.last.get(instrument).copied().flatten()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The wall clock's time, for breakers that watch it (stale data).
    /// Also the idle moment to checkpoint the WAL, off the candle path.
    pub fn on_time(&mut self, now: i64, out: &mut dyn EventSink) {
        self.engine.observe_time(now, out);
        if let Err(e) = self.store.checkpoint() {
            // Harmless: the WAL keeps every commit; it only grows.
            eprintln!("live: {e}");
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine's instrument table, in its order.
    pub fn instruments(&self) -> &[InstrumentId] {
        &self.instruments
    }

    /// Logs and processes a closed candle, journaling what happens before
    /// `out` sees it; returns what the venue must be told (`None`: the
    /// candle was seen before). A history candle opens no new risk.
    pub fn on_candle(
        &mut self,
        instrument: usize,
        candle: &Candle,
        receipt: CandleReceipt,
        out: &mut dyn EventSink,
    ) -> anyhow::Result<Option<Vec<VenueCommand>>> {
        let Some(id) = self.instruments.get(instrument) else {
            return Ok(None);
        };
        if self.last[instrument].is_some_and(|l| candle.open_time <= l) {
            return Ok(None);
        }
        let mut sink = JournalSink::new(&self.store, out);
        sink.log_candle(id, self.timeframe, candle, receipt);
        let bar = MarketEvent::Bar {
            instrument,
            timeframe: self.timeframe,
            candle,
        };
        self.history.set(receipt.history);
        let processed = self.engine.process(bar, &mut sink);
        self.history.set(false);
        processed?;
        // Nothing may trade on without its journal: on a failure the
        // session stops, and a restart replays the log without this candle,
        // then fetches it again.
        sink.commit().context("journaling; the session stops")?;
        self.last[instrument] = Some(candle.open_time);
        self.candles += 1;
        Ok(Some(self.engine.take_commands()))
    }

    /// Logs and applies a venue report; `None` when it was applied before
    /// (the same fill or outcome from another channel, or twice from one)
    /// or concerns an order this session never journaled.
    pub fn apply(
        &mut self,
        report: &ExternalReport,
        out: &mut dyn EventSink,
    ) -> anyhow::Result<Option<Vec<VenueCommand>>> {
        if self.store.order(report.client_id())?.is_none() {
            eprintln!(
                "live: ignored a venue report about {}, which this session never placed",
                report.client_id()
            );
            return Ok(None);
        }
        let text = serde_json::to_string(report)?;
        if !self
            .store
            .log_venue_report(&report.key(), self.candles, &text)?
        {
            return Ok(None);
        }
        let mut sink = JournalSink::new(&self.store, out);
        self.engine.apply_report(report, &mut sink)?;
        sink.commit()
            .context("journaling a venue report; the session stops")?;
        Ok(Some(self.engine.take_commands()))
    }
}
