//! Helpers shared by the engine's integration tests: instruments, bars and
//! engines built from a few lines.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

/// Live mode: external execution.
pub mod live;

use rust_decimal::Decimal;
use smc_engine::{Engine, EngineConfig, EngineInstrument};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, Candle, EngineEvent, Instrument, InstrumentSpec, Intent, MarketKind, SimClock,
    Timeframe,
};
use smc_strategy::{Strategy, StrategyContext};
use std::collections::BTreeMap;

pub fn instrument(kind: MarketKind) -> Instrument {
    Instrument {
        id: "sim:TEST".parse().unwrap(),
        kind,
        base: "X".into(),
        quote: "USD".into(),
        spec: InstrumentSpec::FRACTIONAL,
    }
}

/// A one-minute bar opening at minute `minute`.
pub fn bar(minute: i64, o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Candle {
    Candle {
        open_time: Timestamp::from_ms(minute * 60_000),
        open: o,
        high: h,
        low: l,
        close: c,
        volume: Decimal::from(1_000),
    }
}

/// A strategy that places scripted intents on the close of given bars
/// (by the bar's open minute), and records what it saw.
#[derive(Default)]
pub struct Script {
    pub on_close: BTreeMap<i64, Vec<Intent>>,
}

impl Strategy for Script {
    fn name(&self) -> &str {
        "script"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        if let Some(intents) = self.on_close.remove(&(ctx.candle.open_time.ms() / 60_000)) {
            out.extend(intents);
        }
    }
}

pub fn engine(config: EngineConfig, kind: MarketKind, script: Script) -> Engine {
    let instruments = vec![EngineInstrument {
        instrument: instrument(kind),
        execution_timeframe: Timeframe::M1,
    }];
    Engine::new(
        config,
        instruments,
        Box::new(script),
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap()
}

/// Runs bars through the engine, returning every event.
pub fn run(engine: &mut Engine, bars: &[Candle]) -> Vec<EngineEvent> {
    let mut events: Vec<EngineEvent> = Vec::new();
    for b in bars {
        engine
            .process(
                smc_engine::MarketEvent::Bar {
                    instrument: InstrumentIndex::new(0),
                    timeframe: Timeframe::M1,
                    candle: b,
                },
                &mut events,
            )
            .unwrap();
    }
    events
}

/// The fills among events.
pub fn fills(events: &[EngineEvent]) -> Vec<smc_model::Fill> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Fill(f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// Binance ETHUSDT 1h candles (testdata), the real series the `smc`
/// strategy tests run on.
pub fn eth_1h() -> Vec<Candle> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    smc_data::read_ohlcv(&path, smc_data::ReadOptions::default())
        .unwrap()
        .candles
}

/// A backtest of the `smc` strategy with `config` on 1h `data`, spot,
/// every intent approved: its report and every event.
pub fn run_smc(
    data: &[Candle],
    config: smc_strategy::SmcConfig,
) -> (smc_engine::BacktestReport, Vec<EngineEvent>) {
    let series = [smc_engine::Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::H1,
        candles: data,
    }];
    let instruments =
        smc_engine::engine_instruments(vec![instrument(MarketKind::Spot)], &series).unwrap();
    let mut engine = Engine::new(
        EngineConfig::default(),
        instruments,
        Box::new(smc_strategy::SmcStrategy::new(config)),
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap();
    let mut events = Vec::new();
    let report = smc_engine::run_backtest(&mut engine, &series, &[], &mut events).unwrap();
    (report, events)
}
