//! `smc backtest --input FILE --strategy sma_cross …`: runs the engine over
//! one candle series with the simulated venue and prints a summary table;
//! `--json FILE` writes the results (final equity, trades) as JSON. Without
//! `--config`, sizes are fractional (1e-8 lots), with no minimum notional
//! and no risk limits, so that results compare with research tools.

use crate::run_sink::RunSink;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde_json::json;
use smc_engine::{
    Engine, IntrabarRule, Series, Trade, TradeSide, engine_instruments, run_backtest,
};
use smc_model::{Candle, EngineEvent, Instrument, InstrumentSpec, MarketKind, SimClock};
use smc_strategy::{ApproveAll, FirstDecision, SmaCross, SmaCrossConfig, SmcStrategy};
use std::path::PathBuf;
use std::time::Instant;

/// The built-in strategies. The spelling `sma_cross` is the name;
/// `sma-cross` is accepted too.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyName {
    Smc,
    #[value(name = "sma_cross", alias = "sma-cross")]
    SmaCross,
}

#[derive(Clone, Copy, ValueEnum)]
enum FillRule {
    Ohlc,
    NearestExtreme,
    StopFirst,
}

#[derive(Clone, Copy, ValueEnum)]
enum First {
    OneBarAfter,
    WhenDefined,
}

#[derive(Args)]
pub struct BacktestArgs {
    /// OHLCV CSV file (default: the config's `backtest.input`).
    #[arg(long)]
    input: Option<PathBuf>,
    /// The strategy (default: the config's `backtest.strategy`).
    #[arg(long, value_enum)]
    strategy: Option<StrategyName>,
    /// config.yaml: starting cash from `trading.initial_balance` and the
    /// `risk_manager` limits applied to every order.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Starting cash in the quote currency (default: the config's
    /// initial_balance, else the product's 10,000).
    #[arg(long)]
    cash: Option<Decimal>,
    /// Fee per side as a fraction of notional, maker and taker (default:
    /// the config's `backtest.engine.fees`, else 0.001).
    #[arg(long)]
    fee: Option<Decimal>,
    /// Fixed adverse slippage in basis points (default: the config's, else none).
    #[arg(long)]
    slippage_bps: Option<Decimal>,
    /// Order latency in milliseconds of simulated time (default: the config's, else 0).
    #[arg(long)]
    latency_ms: Option<i64>,
    /// Intrabar path rule for resting orders (default: the config's, else ohlc).
    #[arg(long, value_enum)]
    fill_rule: Option<FillRule>,
    /// smc: the entry timeframe (the input's), any timeframes that must agree
    /// with the bias, and the bias timeframe, e.g. 1m,1h or 1m,5m,1h,1d.
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// sma_cross: decide first one bar after both averages exist
    /// (backtesting.py) or as soon as they do (vectorbt, NautilusTrader).
    #[arg(long, value_enum, default_value = "one-bar-after")]
    first_decision: First,
    /// First bar (ISO 8601 date or epoch ms).
    #[arg(long)]
    from: Option<String>,
    /// Last bar (ISO 8601 date or epoch ms), inclusive of bars opening before it.
    #[arg(long)]
    to: Option<String>,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report to this file: equity and drawdown
    /// curves, the price chart with trades and SMC zones, and the tables.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Skip malformed rows instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Print how long reading, the engine and the analytics took (stderr).
    #[arg(long)]
    timings: bool,
}

pub fn run(args: &BacktestArgs) -> anyhow::Result<()> {
    let settings = args.config.as_deref().map(smc_config::load).transpose()?;
    let input = input_path(args, settings.as_ref())?;
    let started = Instant::now();
    let loaded = crate::input::load(&input, args.lenient)?;
    let read = started.elapsed();
    let candles = window(&loaded.candles, args.from.as_deref(), args.to.as_deref())?;
    let timeframe =
        smc_data::infer_timeframe(candles).context("cannot tell the candles' timeframe")?;
    let cash = starting_cash(args, settings.as_ref());
    let mut engine = build_engine(args, settings.as_ref(), candles, timeframe)?;
    let series = [Series {
        instrument: 0,
        timeframe,
        candles,
    }];
    let mut sink = RunSink::new(candles.len());
    let started = Instant::now();
    let report = run_backtest(&mut engine, &series, &[], &mut sink);
    let ran = started.elapsed();
    sink.finish();
    let report = report?;
    let events = sink.kept;
    let decisions = crate::backtest_report::risk_decisions(&events);
    let started = Instant::now();
    let round_trips = round_trips(&report);
    let analysis = analyze(&report, &round_trips)?;
    if args.timings {
        // Phases of this process, for benchmarks that compare like with like.
        eprintln!(
            "timings: read {:.1} ms, engine {:.1} ms, analytics {:.1} ms ({} bars)",
            read.as_secs_f64() * 1e3,
            ran.as_secs_f64() * 1e3,
            started.elapsed().as_secs_f64() * 1e3,
            candles.len()
        );
    }
    crate::backtest_summary::print(&report, cash, &analysis, &decisions);
    if let Some(path) = &args.report {
        let run = run_facts(
            args,
            settings.as_ref(),
            &input,
            candles,
            timeframe,
            cash,
            &report,
        )?;
        crate::backtest_report::write(path, &run, &report, &analysis, &round_trips, &events)?;
    }
    if let Some(path) = &args.json {
        let trades: Vec<_> = report
            .trades
            .iter()
            .chain(&report.open_trades)
            .map(trade_json)
            .collect();
        let out = json!({
            "final_equity": report.final_equity.to_string(),
            "metrics": analysis.metrics,
            "monthly_returns": analysis.monthly_returns,
            "setups": analysis.setups,
            "starting_cash": cash.to_string(),
            "risk_decisions": decisions,
            "rejected_orders": rejections(&events),
            "breaker_events": breaker_events(&events),
            "orders": orders(&events),
            "bars": report.bars,
            "fees": report.fees_paid.to_string(),
            "models": report.models,
            "trades": trades,
        });
        std::fs::write(path, serde_json::to_string_pretty(&out)?)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// `--input`, else the config's `backtest.input`.
pub fn input_path(
    args: &BacktestArgs,
    settings: Option<&smc_config::Config>,
) -> anyhow::Result<PathBuf> {
    args.input
        .clone()
        .or_else(|| settings.and_then(|c| c.backtest.input.clone()))
        .context("no data: give --input FILE, or backtest.input in the config")
}

/// `--strategy`, else the config's `backtest.strategy`.
pub fn strategy_name(
    flag: Option<StrategyName>,
    settings: Option<&smc_config::Config>,
) -> anyhow::Result<StrategyName> {
    if let Some(name) = flag {
        return Ok(name);
    }
    match settings.and_then(|c| c.backtest.strategy.as_deref()) {
        Some("smc") => Ok(StrategyName::Smc),
        Some("sma_cross" | "sma-cross") => Ok(StrategyName::SmaCross),
        Some(other) => bail!("backtest.strategy `{other}` in the config: use smc or sma_cross"),
        None => {
            bail!("no strategy: give --strategy smc|sma_cross, or backtest.strategy in the config")
        }
    }
}

impl BacktestArgs {
    pub fn lenient(&self) -> bool {
        self.lenient
    }

    pub fn config_path(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }
}

/// A fresh engine for `candles`: the venue models, the starting cash and,
/// with a config, the risk limits; the strategy chosen by `--strategy`.
pub fn build_engine(
    args: &BacktestArgs,
    settings: Option<&smc_config::Config>,
    candles: &[Candle],
    timeframe: smc_model::Timeframe,
) -> anyhow::Result<Engine> {
    let config = crate::venue_flags::engine_config(&venue_flags(args), settings);
    let instrument = backtest_instrument(settings)?;
    let series = [Series {
        instrument: 0,
        timeframe,
        candles,
    }];
    // Without a config there are no limits, so results compare with research tools.
    let gate: Box<dyn smc_strategy::RiskGate> = match settings {
        Some(c) => crate::risk_gate::gate(
            c,
            std::slice::from_ref(&instrument),
            candles.first().map_or(0, |k| k.open_time),
            None,
        )?,
        None => Box::new(ApproveAll::default()),
    };
    let instruments = engine_instruments(vec![instrument], &series)?;
    let first_decision = match args.first_decision {
        First::OneBarAfter => FirstDecision::OneBarAfter,
        First::WhenDefined => FirstDecision::WhenDefined,
    };
    let strategy = make_strategy(
        strategy_name(args.strategy, settings)?,
        first_decision,
        settings,
        &args.timeframes,
    )?;
    let engine = Engine::new(
        config,
        instruments,
        strategy,
        gate,
        Box::new(SimClock::default()),
    )?;
    Ok(engine)
}

/// The strategy by name: `sma_cross` with its first-decision rule, or
/// `smc` with the config's parameters and detectors and its bias timeframe
/// from `timeframes` (entry, [confirming…,] bias), else from the config.
pub fn make_strategy(
    name: StrategyName,
    first_decision: FirstDecision,
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
) -> anyhow::Result<Box<dyn smc_strategy::Strategy>> {
    Ok(match name {
        StrategyName::SmaCross => Box::new(sma_cross(first_decision)?),
        StrategyName::Smc => Box::new(SmcStrategy::new(smc_config(settings, timeframes)?)),
    })
}

/// `sma_cross` with its default averages and `first_decision`.
pub fn sma_cross(first_decision: FirstDecision) -> anyhow::Result<SmaCross> {
    Ok(SmaCross::new(SmaCrossConfig {
        first_decision,
        ..SmaCrossConfig::default()
    })?)
}

/// The `smc` strategy's parameters: the config's, with its detectors, and
/// the bias timeframe from `timeframes` (entry, [confirming…,] bias), else
/// the config's.
pub fn smc_config(
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
) -> anyhow::Result<smc_strategy::SmcConfig> {
    let mut smc = settings
        .map(|c| c.backtest.smc_strategy.clone())
        .unwrap_or_default();
    if let Some(c) = settings {
        smc.detectors = c.smc.clone();
    }
    let timeframes = match (timeframes.is_empty(), settings) {
        (true, Some(c)) => c.backtest.timeframes.clone(),
        _ => timeframes.to_vec(),
    };
    if let Some(bias) = timeframes.last() {
        smc.bias_timeframe = bias
            .parse()
            .with_context(|| format!("bad bias timeframe `{bias}`"))?;
    }
    // Entry, then the timeframes that must agree, then the bias.
    if timeframes.len() > 2 {
        smc.confirm_timeframes = timeframes[1..timeframes.len() - 1]
            .iter()
            .map(|tf| {
                tf.parse()
                    .with_context(|| format!("bad confirming timeframe `{tf}`"))
            })
            .collect::<anyhow::Result<_>>()?;
    }
    Ok(smc)
}

/// The traded instrument: the config's `backtest.instrument` (its venue
/// rules applied to every order), else a fractional one with no minimums,
/// so that results compare with research tools.
pub fn backtest_instrument(settings: Option<&smc_config::Config>) -> anyhow::Result<Instrument> {
    let Some(i) = settings.and_then(|c| c.backtest.instrument.as_ref()) else {
        return Ok(Instrument {
            id: "backtest:INPUT".parse()?,
            kind: MarketKind::Spot,
            base: "BASE".into(),
            quote: "QUOTE".into(),
            spec: InstrumentSpec::FRACTIONAL,
        });
    };
    let id = format!("{}:{}", i.venue, i.symbol);
    Ok(Instrument {
        id: id
            .parse()
            .with_context(|| format!("backtest.instrument: bad id `{id}`"))?,
        kind: i.kind,
        base: "BASE".into(),
        quote: "QUOTE".into(),
        spec: i.spec(),
    })
}

/// The metrics of a run (smc-analytics): the equity curve per bar and the
/// round trips, open ones included for exposure.
fn analyze(
    report: &smc_engine::BacktestReport,
    trades: &[smc_analytics::RoundTrip],
) -> anyhow::Result<smc_analytics::Analysis> {
    let equity: Vec<(i64, Decimal)> = report
        .equity_curve
        .iter()
        .map(|p| (p.time, p.equity))
        .collect();
    Ok(smc_analytics::analyze(
        &equity,
        trades,
        &smc_analytics::Options::default(),
    )?)
}

/// The round trips in analytics' form, closed ones first.
fn round_trips(report: &smc_engine::BacktestReport) -> Vec<smc_analytics::RoundTrip> {
    report
        .trades
        .iter()
        .chain(&report.open_trades)
        .map(|t| smc_analytics::RoundTrip {
            entry_time: t.entry_time,
            exit_time: t.exit_time,
            entry_price: t.entry_price,
            exit_price: t.exit_price,
            size: t.size,
            side: if t.side == TradeSide::Long {
                smc_analytics::TradeSide::Long
            } else {
                smc_analytics::TradeSide::Short
            },
            pnl: t.pnl,
            fees: t.fees,
            setup: t.setup.as_ref().map_or_else(
                || "none".to_string(),
                |s| match s.timeframe {
                    Some(tf) => format!("{}:{tf}", s.pattern),
                    None => s.pattern.to_string(),
                },
            ),
        })
        .collect()
}

/// The venue-model flags of `smc backtest`.
fn venue_flags(args: &BacktestArgs) -> crate::venue_flags::VenueFlags {
    crate::venue_flags::VenueFlags {
        cash: args.cash,
        fee: args.fee,
        slippage_bps: args.slippage_bps,
        latency_ms: args.latency_ms,
        fill_rule: args.fill_rule.map(|rule| match rule {
            FillRule::Ohlc => IntrabarRule::Ohlc,
            FillRule::NearestExtreme => IntrabarRule::NearestExtreme,
            FillRule::StopFirst => IntrabarRule::StopFirst,
        }),
    }
}

/// `--cash`, else the config's `trading.initial_balance`, else 10,000.
fn starting_cash(args: &BacktestArgs, settings: Option<&smc_config::Config>) -> Decimal {
    args.cash
        .or(settings.map(|c| c.trading.initial_balance))
        .unwrap_or(Decimal::from(10_000))
}

/// The candles opening in `[from, to)`.
fn window<'a>(
    candles: &'a [Candle],
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<&'a [Candle]> {
    let start = from.map(parse_time).transpose()?.unwrap_or(i64::MIN);
    let end = to.map(parse_time).transpose()?.unwrap_or(i64::MAX);
    let a = candles.partition_point(|c| c.open_time < start);
    let b = candles.partition_point(|c| c.open_time < end);
    if a >= b {
        bail!("no candle between --from and --to");
    }
    Ok(&candles[a..b])
}

/// Epoch milliseconds, or an ISO 8601 date `YYYY-MM-DD[THH:MM[:SS]]` (UTC).
fn parse_time(s: &str) -> anyhow::Result<i64> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    let text = s.trim_end_matches('Z').replace('T', " ");
    let with_time = if text.len() == 10 {
        format!("{text} 00:00:00")
    } else {
        text
    };
    smc_data::fields::parse_metatrader_date(with_time.replace('-', ".").as_bytes())
        .with_context(|| format!("bad time `{s}`: use epoch ms or YYYY-MM-DD[THH:MM[:SS]]"))
}

fn trade_json(t: &Trade) -> serde_json::Value {
    json!({
        "entry_time": t.entry_time,
        "exit_time": t.exit_time,
        "entry_price": t.entry_price.to_string(),
        "exit_price": t.exit_price.map(|p| p.to_string()),
        "size": t.size.to_string(),
        "side": if t.side == TradeSide::Long { "long" } else { "short" },
        "pnl": t.pnl.to_string(),
        "fees": t.fees.to_string(),
        "setup": t.setup.as_ref().map(|s| s.pattern.to_string()),
    })
}

/// Every order sent to the venue, as it was sent (bracket legs included).
fn orders(events: &[EngineEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { time, order } => {
                let mut v = serde_json::to_value(order).ok()?;
                v["time"] = json!(time);
                Some(v)
            }
            _ => None,
        })
        .collect()
}

/// Every circuit-breaker transition (trip, reset, cooling down, armed).
fn breaker_events(events: &[EngineEvent]) -> Vec<&EngineEvent> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                EngineEvent::BreakerTripped { .. }
                    | EngineEvent::BreakerReset { .. }
                    | EngineEvent::BreakerCoolingDown { .. }
                    | EngineEvent::BreakerArmed { .. }
            )
        })
        .collect()
}

/// Orders the venue refused, with the reason.
fn rejections(events: &[EngineEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderRejected {
                time,
                client_id,
                reason,
            } => Some(json!({"time": time, "client_id": client_id.as_str(), "reason": reason})),
            _ => None,
        })
        .collect()
}

/// The report's header facts: what ran, on what, under which models.
fn run_facts<'a>(
    args: &BacktestArgs,
    settings: Option<&smc_config::Config>,
    input: &std::path::Path,
    candles: &'a [Candle],
    timeframe: smc_model::Timeframe,
    cash: Decimal,
    report: &smc_engine::BacktestReport,
) -> anyhow::Result<crate::backtest_report::RunFacts<'a>> {
    let strategy = match strategy_name(args.strategy, settings)? {
        StrategyName::Smc => "smc",
        StrategyName::SmaCross => "sma_cross",
    };
    let mut extra = Vec::new();
    if strategy == "smc" {
        let timeframes = match (args.timeframes.is_empty(), settings) {
            (true, Some(c)) => c.backtest.timeframes.clone(),
            _ => args.timeframes.clone(),
        };
        // The chart shows the confirming timeframes and the bias.
        match timeframes.as_slice() {
            [only] => extra.push(only.parse()?),
            [_, rest @ ..] => {
                for tf in rest {
                    extra.push(tf.parse()?);
                }
            }
            [] => extra.push(settings.map_or_else(
                || smc_strategy::SmcConfig::default().bias_timeframe,
                |c| c.backtest.smc_strategy.bias_timeframe,
            )),
        }
    }
    let (first, last) = match (candles.first(), candles.last()) {
        (Some(a), Some(b)) => (a.open_time, b.open_time + timeframe.duration_ms()),
        _ => (0, 0),
    };
    let m = &report.models;
    let name = input.file_name().map_or_else(
        || input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let facts = vec![
        ("Strategy".into(), strategy.into()),
        (
            "Data".into(),
            format!("{} ({timeframe}, {} bars)", input.display(), candles.len()),
        ),
        (
            "Period (UTC)".into(),
            format!(
                "{} → {}",
                smc_model::time::format_utc(first),
                smc_model::time::format_utc(last)
            ),
        ),
        ("Starting cash".into(), cash.to_string()),
        (
            "Final equity".into(),
            report.final_equity.round_dp(6).to_string(),
        ),
        ("Fees paid".into(), report.fees_paid.round_dp(6).to_string()),
        ("Intrabar fill rule".into(), m.fill_rule.to_string()),
        ("Slippage".into(), m.slippage.to_string()),
        ("Latency".into(), m.latency.to_string()),
        ("Fees".into(), m.fees.to_string()),
        ("Account".into(), m.account.to_string()),
        ("Risk gate".into(), m.risk_gate.to_string()),
        (
            "Orders submitted".into(),
            report.orders_submitted.to_string(),
        ),
    ];
    Ok(crate::backtest_report::RunFacts {
        title: format!("Backtest · {strategy} · {name}"),
        facts,
        candles,
        timeframe,
        extra_timeframes: extra,
        detectors: settings.map(|c| c.smc.clone()).unwrap_or_default(),
    })
}
