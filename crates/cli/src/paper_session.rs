//! One paper-trading session's state: the engine (the backtest's, with the
//! simulated venue filling orders), the SQLite store, and the rule that
//! makes restarts exact — every closed candle is logged in the same
//! transaction as what it caused, before any of it goes out, and on start
//! the log is replayed through a fresh engine (it is deterministic),
//! re-journaling idempotently whatever the killed process had not yet
//! written.

use anyhow::{Context, bail};
use smc_engine::{Engine, MarketEvent};
use smc_model::{Candle, EngineEvent, EventSink, InstrumentId, NullSink, Timeframe};
use smc_store::{CandleReceipt, JournalSink, Store};
use std::time::{Duration, Instant};

/// Notes when the first order of a candle goes out, for the latency figure.
struct Timed<'a> {
    inner: &'a mut dyn EventSink,
    start: Instant,
    first_order: Option<Duration>,
}

impl EventSink for Timed<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        self.inner.emit(event);
        if self.first_order.is_none() && matches!(event, EngineEvent::OrderSubmitted { .. }) {
            self.first_order = Some(self.start.elapsed());
        }
    }
}

/// The session's candle log, each candle with the engine's index of its
/// instrument; a database that holds a session of another instrument or
/// timeframe is refused (one database, one session; a session may add
/// instruments, never drop one it has candles of).
pub fn session_candles(
    store: &Store,
    instruments: &[InstrumentId],
    timeframe: Timeframe,
) -> anyhow::Result<Vec<(usize, smc_store::LoggedCandle)>> {
    store
        .logged_candles()?
        .into_iter()
        .map(|c| {
            let index = instruments.iter().position(|i| *i == c.instrument);
            match index {
                Some(i) if c.timeframe == timeframe => Ok((i, c)),
                _ => {
                    let names: Vec<String> = instruments.iter().map(|i| i.to_string()).collect();
                    bail!(
                        "{}: this database holds a session of {} {}, not of {} {timeframe}; use another --db",
                        store.url(),
                        c.instrument,
                        c.timeframe,
                        names.join(", ")
                    )
                }
            }
        })
        .collect()
}

pub struct PaperSession {
    engine: Engine,
    store: Store,
    /// The engine's instrument table, in its order.
    instruments: Vec<InstrumentId>,
    timeframe: Timeframe,
    /// Open time of the last candle processed, per instrument.
    last: Vec<Option<i64>>,
    replayed: usize,
    /// Candle in to first order out (journaled and written), per candle
    /// that sent one.
    latencies: Vec<Duration>,
}

impl PaperSession {
    /// Opens the session, replaying the store's candle log.
    pub fn open(
        mut engine: Engine,
        store: Store,
        instruments: Vec<InstrumentId>,
        timeframe: Timeframe,
    ) -> anyhow::Result<Self> {
        let logged = session_candles(&store, &instruments, timeframe)?;
        let mut last = vec![None; instruments.len()];
        let mut quiet = NullSink; // a replay re-derives what was already reported
        let mut sink = JournalSink::replaying(&store, &mut quiet);
        for (instrument, c) in &logged {
            let instrument = *instrument;
            let bar = MarketEvent::Bar {
                instrument,
                timeframe,
                candle: &c.candle,
            };
            engine.process(bar, &mut sink)?;
            last[instrument] = Some(c.candle.open_time);
        }
        sink.commit()
            .context("replaying the candle log into the journal")?;
        // From here the WAL is checkpointed on the clock's tick.
        store.defer_checkpoints()?;
        Ok(PaperSession {
            engine,
            store,
            instruments,
            timeframe,
            last,
            replayed: logged.len(),
            latencies: Vec::new(),
        })
    }

    /// Candles replayed on open.
    pub fn replayed(&self) -> usize {
        self.replayed
    }

    /// Open time of the last candle processed of the `instrument`th.
    pub fn last_open_time(&self, instrument: usize) -> Option<i64> {
        self.last.get(instrument).copied().flatten()
    }

    /// The 50th and 99th percentile of candle-in to order-out, and how many
    /// orders they are over.
    pub fn latency(&self) -> Option<(Duration, Duration, usize)> {
        let mut v = self.latencies.clone();
        v.sort_unstable();
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        (!v.is_empty()).then(|| (at(0.5), at(0.99), v.len()))
    }

    /// The wall clock's time, for breakers that watch it (stale data).
    /// Also the idle moment to checkpoint the WAL, off the candle path.
    pub fn on_time(&mut self, now: i64, out: &mut dyn EventSink) {
        self.engine.observe_time(now, out);
        if let Err(e) = self.store.checkpoint() {
            // Harmless: the WAL keeps every commit; it only grows.
            eprintln!("paper: {e}");
        }
    }

    /// Processes a closed candle and commits it to the log with what it
    /// caused before `out` sees any of it. A candle at or before the last
    /// one is ignored (returns false): the feed may deliver one twice
    /// across a reconnect.
    pub fn on_candle(
        &mut self,
        instrument: usize,
        candle: &Candle,
        out: &mut dyn EventSink,
    ) -> anyhow::Result<bool> {
        let start = Instant::now();
        let Some(id) = self.instruments.get(instrument) else {
            return Ok(false);
        };
        if self.last[instrument].is_some_and(|l| candle.open_time <= l) {
            return Ok(false);
        }
        let mut timed = Timed {
            inner: out,
            start,
            first_order: None,
        };
        let mut sink = JournalSink::new(&self.store, &mut timed);
        // Paper mode trades history candles as the backtest would: its
        // fills are simulated at the candles' own prices.
        let receipt = CandleReceipt {
            received_at: Some(smc_model::Clock::now_ms(&smc_model::clock::WallClock)),
            history: false,
        };
        sink.log_candle(id, self.timeframe, candle, receipt);
        let bar = MarketEvent::Bar {
            instrument,
            timeframe: self.timeframe,
            candle,
        };
        self.engine.process(bar, &mut sink)?;
        // Nothing may trade on without its journal: on a failure the
        // session stops, and a restart replays the log, which this candle
        // is not in, then fetches it again.
        sink.commit().context("journaling; the session stops")?;
        self.last[instrument] = Some(candle.open_time);
        self.latencies.extend(timed.first_order);
        Ok(true)
    }
}
