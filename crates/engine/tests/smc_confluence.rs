//! The `smc` strategy's top-down confluence on a real series (ETHUSDT 1h):
//! a confirming timeframe that is the bias itself changes nothing, and one
//! that must agree with a daily bias filters entries out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, Series, engine_instruments, run_backtest};
use smc_model::{Candle, EngineEvent, MarketKind, SimClock, Timeframe};
use smc_strategy::{ApproveAll, SmcConfig, SmcStrategy};
use std::path::Path;

fn candles() -> Vec<Candle> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    read_ohlcv(&path, ReadOptions::default()).unwrap().candles
}

/// The orders a run submits.
fn orders(data: &[Candle], config: SmcConfig) -> Vec<smc_model::OrderRequest> {
    let series = [Series {
        instrument: 0,
        timeframe: Timeframe::H1,
        candles: data,
    }];
    let instruments =
        engine_instruments(vec![common::instrument(MarketKind::Spot)], &series).unwrap();
    let mut engine = Engine::new(
        EngineConfig::default(),
        instruments,
        Box::new(SmcStrategy::new(config)),
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap();
    let mut events = Vec::new();
    run_backtest(&mut engine, &series, &[], &mut events).unwrap();
    events
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { order, .. } => Some(order),
            _ => None,
        })
        .collect()
}

fn entries(orders: &[smc_model::OrderRequest]) -> usize {
    orders.iter().filter(|o| !o.reduce_only).count()
}

#[test]
fn a_confirming_timeframe_must_agree_with_the_bias() {
    let data = candles();
    let daily = SmcConfig {
        bias_timeframe: Timeframe::D1,
        ..SmcConfig::default()
    };
    let plain = orders(&data, daily.clone());
    assert!(entries(&plain) >= 10, "{} entries", entries(&plain));
    // The bias agrees with itself: the same run.
    let itself = SmcConfig {
        confirm_timeframes: vec![Timeframe::D1],
        ..daily.clone()
    };
    assert_eq!(orders(&data, itself), plain);
    // The 4h trend must agree with the daily one: fewer entries.
    let confirmed = SmcConfig {
        confirm_timeframes: vec![Timeframe::H4],
        ..daily
    };
    let filtered = orders(&data, confirmed);
    assert!(
        entries(&filtered) < entries(&plain),
        "{} entries with 4h confirming, {} without",
        entries(&filtered),
        entries(&plain)
    );
}
