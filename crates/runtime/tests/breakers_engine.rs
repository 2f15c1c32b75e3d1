//! The breakers inside the engine: a backtest of the `smc` strategy on
//! ETHUSDT 1h with a daily-loss breaker. The breaker must trip, refuse the
//! entries the strategy asks for while it is tripped, and re-arm on the next
//! UTC day; the same run without it enters more often.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, Series, engine_instruments, run_backtest};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, EngineEvent, Instrument, InstrumentSpec, MarketKind, RiskGate, RiskVerdict,
    SimClock, Timeframe,
};
use smc_risk::breakers::{BreakerConfig, BreakerGate, DailyLossConfig, MemoryStore};
use smc_strategy::{SmcConfig, SmcStrategy};
use std::path::Path;

fn run(gate: Box<dyn RiskGate>) -> Vec<EngineEvent> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let instrument = Instrument {
        id: "binance:ETHUSDT".parse().unwrap(),
        kind: MarketKind::Spot,
        base: "ETH".into(),
        quote: "USDT".into(),
        spec: InstrumentSpec::FRACTIONAL,
    };
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::H1,
        candles: &candles,
    }];
    let instruments = engine_instruments(vec![instrument], &series).unwrap();
    let strategy = Box::new(SmcStrategy::new(SmcConfig::default()));
    let mut engine = Engine::new(
        EngineConfig::default(),
        instruments,
        strategy,
        gate,
        Box::new(SimClock::default()),
    )
    .unwrap();
    let mut events = Vec::new();
    run_backtest(&mut engine, &series, &[], &mut events).unwrap();
    events
}

/// Entry orders the engine submitted (not the reduce-only exits).
fn entries(events: &[EngineEvent]) -> Vec<Timestamp> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { time, order, .. } if !order.reduce_only => Some(*time),
            _ => None,
        })
        .collect()
}

#[test]
fn a_daily_loss_breaker_trips_and_stops_new_entries_in_an_smc_backtest() {
    let config = BreakerConfig {
        daily_loss: Some(DailyLossConfig {
            max_loss_percent: Some(dec!(1)),
            release_next_utc_day: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    let store = MemoryStore::new();
    let gate = BreakerGate::new(
        ApproveAll::default(),
        &config,
        Box::new(store.clone()),
        Timestamp::from_ms(0),
    )
    .unwrap();
    let events = run(Box::new(gate));

    let trips: Vec<Timestamp> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::BreakerTripped { time, breaker, .. } if breaker == "daily_loss" => {
                Some(*time)
            }
            _ => None,
        })
        .collect();
    assert!(!trips.is_empty(), "the breaker never tripped");
    let refused = events
        .iter()
        .filter(|e| {
            matches!(e, EngineEvent::RiskDecision { verdict: RiskVerdict::Refused { reason }, .. }
                if reason.starts_with("circuit breaker daily_loss tripped"))
        })
        .count();
    assert!(refused > 0, "no entry was refused by the breaker");

    // No entry is submitted between a trip and the release that follows it.
    let mut tripped_since = None;
    for e in &events {
        match e {
            EngineEvent::BreakerTripped { time, .. } => tripped_since = Some(*time),
            EngineEvent::BreakerCoolingDown { .. } | EngineEvent::BreakerReset { .. } => {
                tripped_since = None
            }
            EngineEvent::OrderSubmitted { order, time, .. } if !order.reduce_only => {
                assert!(
                    tripped_since.is_none(),
                    "entry at {time} while tripped since {tripped_since:?}"
                );
            }
            _ => {}
        }
    }
    // Every trip is released at the next UTC midnight and re-armed.
    let armed = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::BreakerArmed { .. }))
        .count();
    assert!(armed + 1 >= trips.len());
    assert_eq!(store.transitions().len(), trips.len() + 2 * armed);

    let free = run(Box::new(ApproveAll::default()));
    eprintln!(
        "{} trips, {refused} entries refused, {} entries (without the breaker: {})",
        trips.len(),
        entries(&events).len(),
        entries(&free).len()
    );
    assert!(
        entries(&free).len() > entries(&events).len(),
        "without the breaker: {} entries, with it: {}",
        entries(&free).len(),
        entries(&events).len()
    );
}
