//! The backtest runner: merges candle series (several instruments and
//! timeframes) and funding rates in time order, drives the engine, and
//! records the equity curve and the round-trip trades.
//!
//! A bar is an event at its close; at equal times the lower timeframe comes
//! first (its fills happen inside the higher bar), then funding.

use crate::book::EngineInstrument;
use crate::config::ModelNames;
use crate::engine::{Engine, EngineError, MarketEvent};
use crate::funding::FundingRate;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    Candle, EngineEvent, EventSink, Instrument, InstrumentId, NoTradeReason, RoundTrip, Timeframe,
};

/// One candle series of the run.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub instrument: InstrumentIndex,
    pub timeframe: Timeframe,
    pub candles: &'a [Candle],
}

/// The funding rates of one perpetual.
#[derive(Debug, Clone, Copy)]
pub struct FundingSeries<'a> {
    pub instrument: InstrumentIndex,
    pub rates: &'a [FundingRate],
}

/// Equity at a bar's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EquityPoint {
    pub time: Timestamp,
    pub equity: Decimal,
}

/// What a backtest produced; analytics computes statistics from it.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    /// The fill rule, slippage, latency, fee, account and risk models that ran.
    pub models: ModelNames,
    pub bars: usize,
    pub equity_curve: Vec<EquityPoint>,
    pub trades: Vec<RoundTrip>,
    /// Positions still open at the end, marked at the last close.
    pub open_trades: Vec<RoundTrip>,
    /// Cash plus open positions at the last close (no exit fee).
    pub final_equity: Decimal,
    pub fees_paid: Decimal,
    /// Perpetual funding, or forex financing: paid (negative: earned).
    pub funding_paid: Decimal,
    /// What buys paid above the bid (forex), already in their prices.
    pub spread_paid: Decimal,
    pub orders_submitted: u64,
}

/// Input a backtest cannot run on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BacktestError {
    #[error("instrument {0} has no candle series")]
    NoSeries(String),
    #[error(
        "series {series} references instrument index {index}, but there are {count} instruments"
    )]
    UnknownInstrument {
        series: usize,
        index: usize,
        count: usize,
    },
    #[error("series {series}: candle {position} opens at {time}, not after the previous candle")]
    Unordered {
        series: usize,
        position: usize,
        time: Timestamp,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The engine's instrument table for `series`: each instrument executes on
/// its finest timeframe.
pub fn engine_instruments(
    instruments: Vec<Instrument>,
    series: &[Series<'_>],
) -> Result<Vec<EngineInstrument>, BacktestError> {
    let count = instruments.len();
    for (k, s) in series.iter().enumerate() {
        if s.instrument >= InstrumentIndex::new(count) {
            return Err(BacktestError::UnknownInstrument {
                series: k,
                index: s.instrument.get(),
                count,
            });
        }
    }
    instruments
        .into_iter()
        .enumerate()
        .map(|(i, instrument)| {
            let tf = series
                .iter()
                .filter(|s| s.instrument == InstrumentIndex::new(i))
                .map(|s| s.timeframe)
                .min();
            match tf {
                Some(execution_timeframe) => Ok(EngineInstrument {
                    instrument,
                    execution_timeframe,
                }),
                None => Err(BacktestError::NoSeries(instrument.id.to_string())),
            }
        })
        .collect()
}

/// Catches equity marks, passes everything on.
struct Recorder<'s> {
    curve: Vec<EquityPoint>,
    inner: &'s mut dyn EventSink,
}

impl EventSink for Recorder<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        if let EngineEvent::EquityMark { time, equity, .. } = *event {
            match self.curve.last_mut() {
                // Several instruments close at one time: keep the last mark.
                Some(last) if last.time == time => last.equity = equity,
                _ => self.curve.push(EquityPoint { time, equity }),
            }
        }
        self.inner.emit(event);
    }

    /// Passed on as a reason, not as an event: a backtest's sink counts
    /// them, and building an event per candle would allocate.
    fn no_trade(&mut self, time: Timestamp, instrument: &InstrumentId, reason: NoTradeReason) {
        self.inner.no_trade(time, instrument, reason);
    }
}

/// Runs `engine` over the series and funding rates; every event also goes to `sink`.
pub fn run_backtest(
    engine: &mut Engine,
    series: &[Series<'_>],
    funding: &[FundingSeries<'_>],
    sink: &mut dyn EventSink,
) -> Result<BacktestReport, BacktestError> {
    for (k, s) in series.iter().enumerate() {
        if let Some(p) = s
            .candles
            .windows(2)
            .position(|w| w[1].open_time <= w[0].open_time)
        {
            return Err(BacktestError::Unordered {
                series: k,
                position: p + 1,
                time: s.candles[p + 1].open_time,
            });
        }
    }
    let bars: usize = series.iter().map(|s| s.candles.len()).sum();
    let mut rec = Recorder {
        curve: Vec::with_capacity(bars),
        inner: sink,
    };
    if let ([s], []) = (series, funding) {
        // One series: nothing to merge.
        for candle in s.candles {
            let event = MarketEvent::Bar {
                instrument: s.instrument,
                timeframe: s.timeframe,
                candle,
            };
            engine.process(event, &mut rec)?;
        }
        return Ok(report(engine, bars, rec.curve));
    }
    let mut next_bar = vec![0usize; series.len()];
    let mut next_rate = vec![0usize; funding.len()];
    loop {
        // The earliest pending event: (time, rank, timeframe, source).
        let mut best: Option<(Timestamp, u8, i64, usize)> = None;
        for (k, s) in series.iter().enumerate() {
            if let Some(c) = s.candles.get(next_bar[k]) {
                let tf = s.timeframe.duration_ms();
                let key = (c.open_time + tf, 0, tf, k);
                best = Some(best.map_or(key, |b| b.min(key)));
            }
        }
        for (k, f) in funding.iter().enumerate() {
            if let Some(r) = f.rates.get(next_rate[k]) {
                let key = (r.time, 1, 0, k);
                best = Some(best.map_or(key, |b| b.min(key)));
            }
        }
        let Some((_, rank, _, k)) = best else { break };
        if rank == 0 {
            let s = &series[k];
            let candle = &s.candles[next_bar[k]];
            next_bar[k] += 1;
            engine.process(
                MarketEvent::Bar {
                    instrument: s.instrument,
                    timeframe: s.timeframe,
                    candle,
                },
                &mut rec,
            )?;
        } else {
            let f = &funding[k];
            let r = f.rates[next_rate[k]];
            next_rate[k] += 1;
            engine.process(
                MarketEvent::Funding {
                    instrument: f.instrument,
                    time: r.time,
                    rate: r.rate,
                },
                &mut rec,
            )?;
        }
    }
    Ok(report(engine, bars, rec.curve))
}

fn report(engine: &Engine, bars: usize, equity_curve: Vec<EquityPoint>) -> BacktestReport {
    let snapshot = engine.snapshot();
    BacktestReport {
        models: engine.model_names(),
        bars,
        equity_curve,
        trades: engine.closed_trades().to_vec(),
        open_trades: engine.open_trades(),
        final_equity: engine.portfolio().equity(),
        fees_paid: snapshot.fees_paid,
        funding_paid: snapshot.funding_paid,
        spread_paid: engine.portfolio().spread_paid(),
        orders_submitted: engine.oms().submitted_count(),
    }
}
