//! A backtest job, as the command line and the API run it: the candles of
//! an input file (optionally a `--from`/`--to` window), an engine with the
//! simulated venue's models (flags over the config's `backtest.engine` over
//! the defaults), the strategy by name, the config's risk gate; then the
//! run, its kept events, round trips and analysis. Without a config, sizes
//! are fractional with no minimums and no risk limits, so that results
//! compare with research tools.

use crate::error::{SessionError, SessionResult};
use crate::strategies::{StrategyName, make_strategy, strategy_name};
use rust_decimal::Decimal;
use smc_engine::{BacktestReport, Engine, EngineConfig, Series, engine_instruments, run_backtest};
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, Candle, EngineEvent, EventSink, Instrument, MarketKind, RiskGate, RoundTrip,
    SimClock, Timeframe,
};
use smc_model::{InstrumentId, InstrumentIndex, NoTradeReason, NoTradeTally};
use smc_strategy::FirstDecision;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use crate::backtest_market::{
    AccountChoice, VenueFlags, backtest_instrument, engine_config, forex_source, market_kind,
};

/// A fresh engine over `candles` of `timeframe`: the venue models, the
/// config's instrument and risk gate (none without a config), `strategy`.
pub fn backtest_engine(
    config: EngineConfig,
    settings: Option<&smc_config::Config>,
    instrument: Instrument,
    strategy: Box<dyn smc_strategy::Strategy>,
    (candles, timeframe): (&[Candle], Timeframe),
) -> SessionResult<Engine> {
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe,
        candles,
    }];
    let gate: Box<dyn RiskGate> = match settings {
        Some(c) => crate::risk_gate::gate(
            c,
            std::slice::from_ref(&instrument),
            candles.first().map_or(Timestamp::EPOCH, |k| k.open_time),
            None,
        )?,
        None => Box::new(ApproveAll::default()),
    };
    let instruments = engine_instruments(vec![instrument], &series)
        .map_err(|e| SessionError::Data(e.to_string()))?;
    Ok(Engine::new(
        config,
        instruments,
        strategy,
        gate,
        Box::new(SimClock::default()),
    )?)
}

/// Candles read from a file, and the rows skipped in lenient mode.
#[derive(Debug)]
pub struct Input {
    pub path: PathBuf,
    pub candles: Vec<Candle>,
    /// Why each skipped row was skipped.
    pub skipped: Vec<String>,
    /// How long reading and parsing took.
    pub read_time: Duration,
}

/// Reads OHLCV candles; with `lenient`, bad rows are skipped (and listed).
pub fn load_candles(path: PathBuf, lenient: bool) -> SessionResult<Input> {
    let started = Instant::now();
    let loaded = smc_data::read_ohlcv(&path, smc_data::ReadOptions { lenient })
        .map_err(|e| SessionError::Data(e.to_string()))?;
    if loaded.candles.is_empty() {
        return Err(SessionError::Data(format!(
            "reading --input: {}: no valid rows",
            path.display()
        )));
    }
    Ok(Input {
        path,
        candles: loaded.candles,
        skipped: loaded.skipped.iter().map(|e| e.to_string()).collect(),
        read_time: started.elapsed(),
    })
}

/// The timeframe of `candles`, from their spacing.
pub fn candles_timeframe(candles: &[Candle]) -> SessionResult<Timeframe> {
    smc_data::infer_timeframe(candles)
        .ok_or_else(|| SessionError::Data("cannot tell the candles' timeframe".into()))
}

/// What a backtest runs, on what.
#[derive(Debug, Clone, Default)]
pub struct BacktestRequest {
    pub settings: Option<smc_config::Config>,
    /// The OHLCV file (default: the config's `backtest.input`).
    pub input: Option<PathBuf>,
    /// Default: the config's `backtest.strategy`.
    pub strategy: Option<StrategyName>,
    /// smc: entry, [confirming…,] bias (default: the config's).
    pub timeframes: Vec<String>,
    pub first_decision: FirstDecision,
    pub venue: VenueFlags,
    /// First bar and end (exclusive) of the window: ISO 8601 or epoch ms.
    pub from: Option<String>,
    pub to: Option<String>,
    pub lenient: bool,
}

/// How long the phases of a backtest took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub read: Duration,
    pub engine: Duration,
    pub analytics: Duration,
}

/// A finished backtest.
#[derive(Debug)]
pub struct Backtest {
    pub input: Input,
    /// The window of `input.candles` that ran.
    pub window: std::ops::Range<usize>,
    pub timeframe: Timeframe,
    pub strategy: StrategyName,
    pub cash: Decimal,
    pub report: BacktestReport,
    /// The events the results report (see [`Recorder`]).
    pub events: Vec<EngineEvent>,
    /// Why entry candles placed no order, per month.
    pub no_trade: NoTradeTally,
    pub round_trips: Vec<smc_model::RoundTrip>,
    pub analysis: smc_analytics::Analysis,
    pub timings: Timings,
    /// The random-entry test, when asked for (see [`crate::significance`]).
    pub significance: Option<smc_analytics::significance::Significance>,
}

impl Backtest {
    /// The candles that ran.
    pub fn candles(&self) -> &[Candle] {
        &self.input.candles[self.window.clone()]
    }
}

impl BacktestRequest {
    pub fn input_path(&self) -> SessionResult<PathBuf> {
        self.input
            .clone()
            .or_else(|| {
                self.settings
                    .as_ref()
                    .and_then(|c| c.backtest.input.clone())
            })
            .ok_or_else(|| {
                SessionError::Setting(
                    "no data: give --input FILE, or backtest.input in the config".into(),
                )
            })
    }

    pub fn strategy_name(&self) -> SessionResult<StrategyName> {
        strategy_name(self.strategy, self.settings.as_ref())
    }

    /// The venue flags, with the market of a series from a forex venue's
    /// folder when neither a flag nor the config's instrument names one.
    pub fn flags(&self) -> VenueFlags {
        let mut flags = self.venue;
        let named = self
            .settings
            .as_ref()
            .is_some_and(|c| c.backtest.instrument.is_some());
        if flags.kind.is_none() && !named {
            let path = self.input_path().ok();
            if path.as_deref().and_then(forex_source).is_some() {
                flags.kind = Some(MarketKind::Forex);
            }
        }
        flags
    }

    /// A fresh engine with this request's models, gate and strategy.
    pub fn engine(&self, candles: &[Candle], timeframe: Timeframe) -> SessionResult<Engine> {
        let strategy = make_strategy(
            self.strategy_name()?,
            self.first_decision,
            self.settings.as_ref(),
            &self.timeframes,
        )?;
        self.engine_with(strategy, candles, timeframe)
    }

    /// A fresh engine with this request's models, instrument and gate,
    /// running `strategy` (the ML jobs' and the significance test's runs).
    pub fn engine_with(
        &self,
        strategy: Box<dyn smc_strategy::Strategy>,
        candles: &[Candle],
        timeframe: Timeframe,
    ) -> SessionResult<Engine> {
        let settings = self.settings.as_ref();
        let flags = self.flags();
        let config = engine_config(&flags, settings);
        let path = self.input_path().ok();
        let instrument = backtest_instrument(settings, &flags, path.as_deref())?;
        backtest_engine(config, settings, instrument, strategy, (candles, timeframe))
    }

    /// Reads the input file.
    pub fn load(&self) -> SessionResult<Input> {
        load_candles(self.input_path()?, self.lenient)
    }

    /// Reads the input and runs the backtest; `progress` hears the number
    /// of bars done every few thousand.
    pub fn run(&self, progress: &mut dyn FnMut(u64)) -> SessionResult<Backtest> {
        self.run_on(self.load()?, progress)
    }

    /// Runs the backtest on `input`, in the request's `--from`/`--to` window.
    pub fn run_on(&self, input: Input, progress: &mut dyn FnMut(u64)) -> SessionResult<Backtest> {
        let window = window(&input.candles, self.from.as_deref(), self.to.as_deref())?;
        let candles = &input.candles[window.clone()];
        let timeframe = candles_timeframe(candles)?;
        let cash = engine_config(&self.flags(), self.settings.as_ref())
            .account
            .starting_cash;
        let mut engine = self.engine(candles, timeframe)?;
        let series = [Series {
            instrument: InstrumentIndex::new(0),
            timeframe,
            candles,
        }];
        let mut recorder = Recorder::new(progress);
        let started = Instant::now();
        let report = run_backtest(&mut engine, &series, &[], &mut recorder)?;
        let ran = started.elapsed();
        let started = Instant::now();
        let round_trips = round_trips(&report);
        // Straight from the engine's points (a million-bar copy costs more
        // than the conversion it feeds), on every core.
        let analysis =
            smc_analytics::EquityCurve::from_slice(&report.equity_curve, |p| (p.time, p.equity))
                .and_then(|curve| {
                    smc_analytics::analyze_curve(
                        &curve,
                        &round_trips,
                        &smc_analytics::Options::default(),
                    )
                })
                .map_err(|e| SessionError::Data(e.to_string()))?;
        Ok(Backtest {
            strategy: self.strategy_name()?,
            events: recorder.kept,
            no_trade: recorder.no_trade,
            timings: Timings {
                read: input.read_time,
                engine: ran,
                analytics: started.elapsed(),
            },
            input,
            window,
            timeframe,
            cash,
            report,
            round_trips,
            analysis,
            significance: None,
        })
    }
}

/// Runs `engine` over one series of `candles` (instrument 0).
pub fn run_series(
    engine: &mut Engine,
    candles: &[Candle],
    timeframe: Timeframe,
    sink: &mut dyn EventSink,
) -> SessionResult<BacktestReport> {
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe,
        candles,
    }];
    Ok(run_backtest(engine, &series, &[], sink)?)
}

/// The round trips, closed ones first.
fn round_trips(report: &BacktestReport) -> Vec<RoundTrip> {
    report
        .trades
        .iter()
        .chain(&report.open_trades)
        .cloned()
        .collect()
}

/// Bars between progress calls: cheap enough to be invisible.
const PROGRESS_EVERY: u64 = 4_096;

/// Keeps the events the results report (orders, risk decisions other
/// than plain approvals, venue rejections, circuit-breaker transitions);
/// the rest (one equity mark per bar, fills, …) only count toward the
/// progress. Keeping every event of a million-bar run would cost hundreds
/// of MB for nothing.
pub struct Recorder<'a> {
    pub kept: Vec<EngineEvent>,
    /// The no-trade reasons, counted (one per entry candle without an
    /// order: kept as events they would be the largest part of the run).
    pub no_trade: NoTradeTally,
    marks: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl<'a> Recorder<'a> {
    pub fn new(progress: &'a mut dyn FnMut(u64)) -> Self {
        Recorder {
            kept: Vec::new(),
            no_trade: NoTradeTally::default(),
            marks: 0,
            progress,
        }
    }
}

impl EventSink for Recorder<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        match event {
            EngineEvent::EquityMark { .. } => {
                self.marks += 1;
                if self.marks.is_multiple_of(PROGRESS_EVERY) {
                    (self.progress)(self.marks);
                }
            }
            EngineEvent::RiskDecision {
                verdict: smc_model::RiskVerdict::Approved,
                ..
            } => {}
            EngineEvent::RiskDecision { .. }
            | EngineEvent::OrderSubmitted { .. }
            | EngineEvent::OrderRejected { .. }
            | EngineEvent::BreakerTripped { .. }
            | EngineEvent::BreakerReset { .. }
            | EngineEvent::BreakerCoolingDown { .. }
            | EngineEvent::BreakerArmed { .. } => self.kept.push(event.clone()),
            EngineEvent::NoTrade { time, reason, .. } => self.no_trade.add(*time, *reason),
            _ => {}
        }
    }

    fn no_trade(&mut self, time: Timestamp, _: &InstrumentId, reason: NoTradeReason) {
        self.no_trade.add(time, reason);
    }
}

/// The candles opening in `[from, to)`, as a range of `candles`.
pub fn window(
    candles: &[Candle],
    from: Option<&str>,
    to: Option<&str>,
) -> SessionResult<std::ops::Range<usize>> {
    let start = from.map(parse_time).transpose()?.unwrap_or(Timestamp::MIN);
    let end = to.map(parse_time).transpose()?.unwrap_or(Timestamp::MAX);
    if start >= end {
        return Err(SessionError::Setting(format!(
            "--from {} is not before --to {}",
            start.format_utc(),
            end.format_utc()
        )));
    }
    let a = candles.partition_point(|c| c.open_time < start);
    let b = candles.partition_point(|c| c.open_time < end);
    if a >= b {
        let range = match (candles.first(), candles.last()) {
            (Some(f), Some(l)) => format!(
                ": the data runs from {} to {}",
                f.open_time.format_utc(),
                l.open_time.format_utc()
            ),
            _ => String::new(),
        };
        return Err(SessionError::Setting(format!(
            "no candle between --from and --to{range}"
        )));
    }
    Ok(a..b)
}

/// Epoch milliseconds, or an ISO 8601 date or time: `YYYY-MM-DD`,
/// `YYYY-MM-DDTHH:MM[:SS[.fff]]` (UTC), or RFC 3339 with an offset.
pub fn parse_time(s: &str) -> SessionResult<Timestamp> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(Timestamp::from_ms(ms));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Timestamp::from_ms(t.timestamp_millis()));
    }
    let naive = s.trim_end_matches('Z');
    let parsed = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(naive, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(naive, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    parsed
        .map(|t| Timestamp::from_ms(t.and_utc().timestamp_millis()))
        .ok_or_else(|| {
            SessionError::Setting(format!(
                "bad time `{s}`: use epoch ms or YYYY-MM-DD[THH:MM[:SS]] (UTC), or RFC 3339"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_takes_dates_or_epoch_ms_and_refuses_an_empty_one() {
        let candles: Vec<Candle> = (0..5)
            .map(|k| Candle {
                open_time: Timestamp::from_ms(k * 86_400_000),
                open: Decimal::ONE,
                high: Decimal::ONE,
                low: Decimal::ONE,
                close: Decimal::ONE,
                volume: Decimal::ONE,
            })
            .collect();
        let w = window(&candles, Some("1970-01-02"), Some("259200000")).unwrap();
        assert_eq!(w, 1..3);
        assert!(window(&candles, Some("1970-01-09"), None).is_err());
        let reversed = window(&candles, Some("1970-01-03"), Some("1970-01-02")).unwrap_err();
        assert!(
            reversed
                .to_string()
                .contains("--from 1970-01-03T00:00:00Z is not before --to 1970-01-02T00:00:00Z"),
            "{reversed}"
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2021-02-30").is_err());
        assert_eq!(parse_time("2021-01-01").unwrap().ms(), 1_609_459_200_000);
        assert_eq!(
            parse_time("2021-01-01T01:30Z").unwrap().ms(),
            1_609_464_600_000
        );
        assert_eq!(
            parse_time("2021-01-01 01:30:00").unwrap().ms(),
            1_609_464_600_000
        );
        assert_eq!(
            parse_time("2021-01-01T02:30:00+01:00").unwrap().ms(),
            1_609_464_600_000
        );
    }
}
