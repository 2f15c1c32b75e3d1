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
use smc_engine::{
    AccountKind, BacktestReport, Engine, EngineConfig, FeeModel, IntrabarRule, LatencyModel,
    Series, SlippageModel, engine_instruments, run_backtest,
};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, Candle, EngineEvent, EventSink, Instrument, InstrumentSpec, MarketKind, RiskGate,
    RoundTrip, SimClock, Timeframe,
};
use smc_strategy::FirstDecision;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The flags that change the simulated venue; `None` keeps the config's.
#[derive(Debug, Clone, Copy, Default)]
pub struct VenueFlags {
    pub cash: Option<Decimal>,
    pub fee: Option<Decimal>,
    pub slippage_bps: Option<Decimal>,
    pub latency_ms: Option<i64>,
    pub fill_rule: Option<IntrabarRule>,
    /// The account, whatever the market (`spot` keeps a forex series on a
    /// spot account with a percentage fee, as research tools run it).
    pub account: Option<AccountChoice>,
    /// What the instrument is (default: the config's `backtest.instrument`,
    /// else forex for data from a forex venue, else spot).
    pub kind: Option<MarketKind>,
}

/// `--account`: a spot (cash) account, or a margin one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChoice {
    Spot,
    Margin,
}

/// The market of a backtest's instrument: `spot` forced by `--account
/// spot`, else the flag, else the config's instrument, else spot.
pub fn market_kind(flags: &VenueFlags, settings: Option<&smc_config::Config>) -> MarketKind {
    if flags.account == Some(AccountChoice::Spot) {
        return MarketKind::Spot;
    }
    flags
        .kind
        .or_else(|| {
            settings
                .and_then(|c| c.backtest.instrument.as_ref())
                .map(|i| i.kind)
        })
        .unwrap_or(MarketKind::Spot)
}

/// The folders of the bundled data (`<venue>/<SYMBOL>-<tf>.csv`) whose
/// series are forex.
const FOREX_VENUES: [&str; 5] = ["oanda", "fxcm", "histdata", "dukascopy", "forex"];

/// `(venue, symbol)` of a file laid out as `<venue>/<SYMBOL>-<tf>.csv`
/// when the venue is a forex one.
pub fn forex_source(path: &std::path::Path) -> Option<(String, String)> {
    let venue = path.parent()?.file_name()?.to_str()?.to_ascii_lowercase();
    let stem = path.file_stem()?.to_str()?;
    let symbol = stem.split('-').next()?.to_ascii_uppercase();
    FOREX_VENUES
        .contains(&venue.as_str())
        .then_some((venue, symbol))
}

/// The engine's venue models and starting cash (the flag, else the
/// config's `trading.initial_balance`, else the product's 10,000).
pub fn engine_config(flags: &VenueFlags, settings: Option<&smc_config::Config>) -> EngineConfig {
    let mut config = settings.map(|c| c.backtest.engine).unwrap_or_default();
    if let Some(fee) = flags.fee {
        config.fees = FeeModel {
            maker: fee,
            taker: fee,
            asset: config.fees.asset,
        };
    }
    if let Some(bps) = flags.slippage_bps {
        config.slippage = if bps.is_zero() {
            SlippageModel::None
        } else {
            SlippageModel::FixedBps { bps }
        };
    }
    if let Some(ms) = flags.latency_ms {
        config.latency = LatencyModel { ms };
    }
    if let Some(rule) = flags.fill_rule {
        config.fill_rule = rule;
    }
    config.account.starting_cash = flags
        .cash
        .or(settings.map(|c| c.trading.initial_balance))
        .unwrap_or(Decimal::from(10_000));
    match (market_kind(flags, settings), flags.account) {
        (_, Some(AccountChoice::Spot)) => config.account.kind = AccountKind::Spot,
        // Forex: a margin account (the config's, else the forex model's
        // leverage) whose cost is the spread, unless --fee adds a fee.
        (MarketKind::Forex, _) => {
            if config.account.kind == AccountKind::Spot {
                config.account.kind = AccountKind::Margin {
                    leverage: config.forex.leverage,
                };
            }
            if flags.fee.is_none() {
                config.fees = FeeModel::ZERO;
            }
        }
        (_, Some(AccountChoice::Margin)) if config.account.kind == AccountKind::Spot => {
            config.account.kind = AccountKind::Margin {
                leverage: Decimal::ONE,
            };
        }
        _ => {}
    }
    config
}

/// The traded instrument: the config's `backtest.instrument` (its venue
/// rules applied to every order, its kind unless a flag says), else for a
/// forex series (by `--instrument-kind forex` or its folder, see
/// [`forex_source`]) the pair in whole units, else a fractional one with no
/// minimums, so that results compare with research tools.
pub fn backtest_instrument(
    settings: Option<&smc_config::Config>,
    flags: &VenueFlags,
    input: Option<&std::path::Path>,
) -> SessionResult<Instrument> {
    let bad = |id: &str, e: smc_model::InstrumentError| {
        SessionError::Setting(format!("backtest.instrument: bad id `{id}`: {e}"))
    };
    let kind = market_kind(flags, settings);
    if let Some(i) = settings.and_then(|c| c.backtest.instrument.as_ref()) {
        let id = format!("{}:{}", i.venue, i.symbol);
        return Ok(Instrument {
            id: id.parse().map_err(|e| bad(&id, e))?,
            kind,
            base: "BASE".into(),
            quote: "QUOTE".into(),
            spec: i.spec(),
        });
    }
    if kind == MarketKind::Forex {
        let (venue, symbol) = input
            .and_then(forex_source)
            .unwrap_or_else(|| ("forex".into(), "INPUT".into()));
        return forex_instrument(&venue, &symbol).map_err(|e| bad(&symbol, e));
    }
    Ok(Instrument {
        id: "backtest:INPUT"
            .parse()
            .map_err(|e| bad("backtest:INPUT", e))?,
        kind: MarketKind::Spot,
        base: "BASE".into(),
        quote: "QUOTE".into(),
        spec: InstrumentSpec::FRACTIONAL,
    })
}

/// A currency pair traded in whole units with prices to a tenth of a pip
/// (OANDA's `tradeUnitsPrecision` 0 and `displayPrecision` 5, 3 for JPY).
fn forex_instrument(venue: &str, symbol: &str) -> Result<Instrument, smc_model::InstrumentError> {
    let pair: String = symbol.chars().filter(char::is_ascii_alphabetic).collect();
    let (base, quote) = if pair.len() == 6 {
        (pair[..3].to_string(), pair[3..].to_string())
    } else {
        ("BASE".to_string(), "QUOTE".to_string())
    };
    let tick = if quote == "JPY" {
        Decimal::new(1, 3)
    } else {
        Decimal::new(1, 5)
    };
    Ok(Instrument {
        id: format!("{venue}:{symbol}").parse()?,
        kind: MarketKind::Forex,
        base,
        quote,
        spec: InstrumentSpec {
            tick_size: tick,
            lot_size: Decimal::ONE,
            min_qty: Decimal::ONE,
            min_notional: Decimal::ZERO,
        },
    })
}

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
    pub round_trips: Vec<smc_model::RoundTrip>,
    pub analysis: smc_analytics::Analysis,
    pub timings: Timings,
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
        let settings = self.settings.as_ref();
        let strategy = make_strategy(
            self.strategy_name()?,
            self.first_decision,
            settings,
            &self.timeframes,
        )?;
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
        let equity: Vec<(Timestamp, Decimal)> = report
            .equity_curve
            .iter()
            .map(|p| (p.time, p.equity))
            .collect();
        let analysis =
            smc_analytics::analyze(&equity, &round_trips, &smc_analytics::Options::default())
                .map_err(|e| SessionError::Data(e.to_string()))?;
        Ok(Backtest {
            strategy: self.strategy_name()?,
            events: recorder.kept,
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
        })
    }
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
    marks: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl<'a> Recorder<'a> {
    pub fn new(progress: &'a mut dyn FnMut(u64)) -> Self {
        Recorder {
            kept: Vec::new(),
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
            _ => {}
        }
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
    fn flags_override_the_config_which_overrides_the_defaults() {
        let mut c = smc_config::Config::default();
        c.trading.initial_balance = Decimal::from(5_000);
        c.backtest.engine.latency = LatencyModel { ms: 250 };
        let flags = VenueFlags {
            fee: Some(Decimal::new(2, 3)),
            slippage_bps: Some(Decimal::ZERO),
            ..VenueFlags::default()
        };
        let e = engine_config(&flags, Some(&c));
        assert_eq!(e.fees.taker, Decimal::new(2, 3));
        assert_eq!(e.slippage, SlippageModel::None);
        assert_eq!(e.latency, LatencyModel { ms: 250 });
        assert_eq!(e.account.starting_cash, Decimal::from(5_000));
        let e = engine_config(&VenueFlags::default(), None);
        assert_eq!(e.account.starting_cash, Decimal::from(10_000));
    }

    #[test]
    fn forex_data_gets_a_margin_account_without_a_percentage_fee() {
        let path = std::path::Path::new("testdata/market/oanda/EURUSD-1d.csv");
        assert_eq!(forex_source(path), Some(("oanda".into(), "EURUSD".into())));
        let crypto = std::path::Path::new("testdata/market/binance-spot/ETHUSDT-1h.csv");
        assert_eq!(forex_source(crypto), None);
        let forex = VenueFlags {
            kind: Some(MarketKind::Forex),
            ..VenueFlags::default()
        };
        let e = engine_config(&forex, None);
        assert_eq!(e.fees, FeeModel::ZERO);
        assert_eq!(
            e.account.kind,
            AccountKind::Margin {
                leverage: Decimal::from(30)
            }
        );
        let i = backtest_instrument(None, &forex, Some(path)).unwrap();
        assert_eq!((i.base.as_str(), i.quote.as_str()), ("EUR", "USD"));
        assert_eq!(i.spec.tick_size, Decimal::new(1, 5));
        let jpy = backtest_instrument(
            None,
            &forex,
            Some(std::path::Path::new("oanda/USDJPY-1d.csv")),
        );
        assert_eq!(jpy.unwrap().spec.tick_size, Decimal::new(1, 3));
        // --account spot wins over the data: the research tools' model.
        let spot = VenueFlags {
            account: Some(AccountChoice::Spot),
            fee: Some(Decimal::new(1, 3)),
            ..forex
        };
        let e = engine_config(&spot, None);
        assert_eq!(e.account.kind, AccountKind::Spot);
        assert_eq!(e.fees.taker, Decimal::new(1, 3));
        assert_eq!(market_kind(&spot, None), MarketKind::Spot);
    }

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
