//! The `smc` strategy's exit rules on a real series (ETHUSDT 1h, 2021):
//! a time stop bounds every trade's length, break-even and trailing stops
//! move the resting stop leg (and only ever tighten it), ATR stops and R
//! targets change where trades start; and none of it looks ahead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use rust_decimal::{Decimal, dec};
use smc_engine::{Engine, EngineConfig, Series, engine_instruments};
use smc_model::InstrumentIndex;
use smc_model::{ApproveAll, Candle, EngineEvent, MarketKind, SimClock, Timeframe};
use smc_strategy::{ExitPlan, SmcConfig, SmcStrategy, StopRule, TargetRule, Trailing};

fn candles() -> Vec<Candle> {
    common::eth_1h()
}

fn run(data: &[Candle], config: SmcConfig) -> (smc_engine::BacktestReport, Vec<EngineEvent>) {
    common::run_smc(data, config)
}

fn base() -> SmcConfig {
    SmcConfig {
        bias_timeframe: Timeframe::H4,
        ..SmcConfig::default()
    }
}

#[test]
fn a_time_stop_bounds_every_trade() {
    let data = candles();
    let (plain, _) = run(&data, base());
    let config = SmcConfig {
        exits: ExitPlan {
            time_stop_bars: Some(6),
            ..ExitPlan::default()
        },
        ..base()
    };
    let (report, _) = run(&data, config);
    assert!(report.trades.len() >= 10, "{} trades", report.trades.len());
    let hour = 3_600_000;
    let longest = report
        .trades
        .iter()
        .map(|t| t.exit_time.unwrap() - t.entry_time)
        .max()
        .unwrap();
    // Entered within bar 1, closed at the open after the close of bar 6.
    assert!(longest <= 6 * hour, "longest trade {} h", longest / hour);
    let plain_longest = plain
        .trades
        .iter()
        .map(|t| t.exit_time.unwrap() - t.entry_time)
        .max()
        .unwrap();
    assert!(
        plain_longest > 6 * hour,
        "without the time stop some trade runs longer"
    );
}

#[test]
fn break_even_and_trailing_stops_only_tighten() {
    let data = candles();
    let config = SmcConfig {
        exits: ExitPlan {
            trailing: Some(Trailing::Atr { multiple: dec!(2) }),
            break_even_after_r: Some(Decimal::ONE),
            time_stop_bars: None,
        },
        ..base()
    };
    let (report, events) = run(&data, config);
    let mut last: std::collections::HashMap<String, Decimal> = Default::default();
    let mut moved = 0;
    for e in &events {
        match e {
            EngineEvent::OrderSubmitted { order, .. } => {
                if let Some(t) = order.kind.trigger() {
                    last.insert(order.client_id.to_string(), t);
                }
            }
            EngineEvent::OrderAmended {
                client_id, trigger, ..
            } => {
                let before = last.insert(client_id.to_string(), *trigger);
                if let Some(b) = before {
                    // Spot longs only: a sell stop moves up.
                    assert!(*trigger > b, "{client_id}: {b} -> {trigger}");
                }
                moved += 1;
            }
            EngineEvent::AmendRejected { reason, .. } => panic!("refused amendment: {reason}"),
            _ => {}
        }
    }
    assert!(moved > 0, "some stop moved");
    assert!(!report.trades.is_empty());
}

#[test]
fn atr_stops_and_r_targets_change_the_trades() {
    let data = candles();
    let (plain, _) = run(&data, base());
    let config = SmcConfig {
        stop: Some(StopRule::Atr {
            multiple: dec!(1.5),
        }),
        target: Some(TargetRule::RMultiple { multiple: dec!(3) }),
        ..base()
    };
    let (atr, _) = run(&data, config);
    assert!(!atr.trades.is_empty());
    let prices = |r: &smc_engine::BacktestReport| -> Vec<(smc_model::Timestamp, Option<Decimal>)> {
        r.trades
            .iter()
            .map(|t| (t.entry_time, t.exit_price))
            .collect()
    };
    assert_ne!(prices(&plain), prices(&atr));
}

#[test]
fn the_exit_rules_have_no_lookahead() {
    let data = candles();
    let config = SmcConfig {
        exits: ExitPlan {
            trailing: Some(Trailing::Structure { buffer: dec!(0.5) }),
            break_even_after_r: Some(dec!(1.5)),
            time_stop_bars: Some(24),
        },
        ..base()
    };
    let found = smc_engine::check_lookahead::<_, smc_engine::BacktestError>(
        &data,
        Timeframe::H1,
        12,
        |slice| {
            let series = [Series {
                instrument: InstrumentIndex::new(0),
                timeframe: Timeframe::H1,
                candles: slice,
            }];
            let instruments =
                engine_instruments(vec![common::instrument(MarketKind::Spot)], &series)?;
            Ok(Engine::new(
                EngineConfig::default(),
                instruments,
                Box::new(SmcStrategy::new(config.clone())),
                Box::new(ApproveAll::default()),
                Box::new(SimClock::default()),
            )?)
        },
    )
    .unwrap();
    assert_eq!(found, vec![]);
}
