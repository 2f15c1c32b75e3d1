//! The lookahead checker catches a strategy that peeks at the next candle,
//! and finds nothing in the built-in strategies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use rust_decimal::Decimal;
use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, Series, check_lookahead, engine_instruments};
use smc_model::InstrumentIndex;
use smc_model::{
    ApproveAll, Candle, Intent, MarketKind, OrderIntent, Side, SimClock, Size, Timeframe,
};
use smc_strategy::{SmaCross, SmaCrossConfig, SmcConfig, SmcStrategy, Strategy, StrategyContext};
use std::path::Path;

/// Buys when the NEXT candle closes higher: it reads the data it was built
/// from, ahead of the candle it is called on — the classic planted bug.
struct Peeker {
    data: Vec<Candle>,
    i: usize,
}

impl Strategy for Peeker {
    fn name(&self) -> &str {
        "peeker"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        let i = self.i;
        self.i += 1;
        let (Some(now), Some(next)) = (self.data.get(i), self.data.get(i + 1)) else {
            return;
        };
        if next.close > now.close && ctx.position_qty().is_zero() {
            out.push(
                OrderIntent::market(ctx.instrument_index, Side::Buy, Size::Qty(Decimal::ONE))
                    .into(),
            );
        } else if next.close < now.close && !ctx.position_qty().is_zero() {
            out.push(
                OrderIntent::market(ctx.instrument_index, Side::Sell, Size::ClosePosition).into(),
            );
        }
    }
}

fn candles() -> Vec<Candle> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    read_ohlcv(&path, ReadOptions::default()).unwrap().candles
}

fn engine(data: &[Candle], strategy: Box<dyn Strategy>) -> Engine {
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::H1,
        candles: data,
    }];
    let instruments =
        engine_instruments(vec![common::instrument(MarketKind::Spot)], &series).unwrap();
    let mut config = EngineConfig::default();
    config.account.starting_cash = Decimal::from(1_000_000);
    Engine::new(
        config,
        instruments,
        strategy,
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap()
}

#[test]
fn a_planted_lookahead_is_caught_at_every_cut() {
    let data = candles();
    let found =
        check_lookahead::<_, smc_engine::BacktestError>(&data, Timeframe::H1, 10, |slice| {
            Ok(engine(
                slice,
                Box::new(Peeker {
                    data: slice.to_vec(),
                    i: 0,
                }),
            ))
        })
        .unwrap();
    assert!(
        found.len() >= 5,
        "only {} of 10 cuts caught the peek",
        found.len()
    );
    for d in &found {
        // The full run decided at the cut's last candle; the cut run could not.
        assert!(d.full.is_some() || d.truncated.is_some());
        assert!(d.full.as_ref().is_none_or(|f| f.time <= d.cut_time));
    }
}

#[test]
fn the_built_in_strategies_have_no_lookahead() {
    let data = candles();
    let sma = check_lookahead::<_, smc_engine::BacktestError>(&data, Timeframe::H1, 12, |slice| {
        Ok(engine(
            slice,
            Box::new(SmaCross::new(SmaCrossConfig::default()).unwrap()),
        ))
    })
    .unwrap();
    assert_eq!(sma, vec![], "sma_cross");
    let smc = check_lookahead::<_, smc_engine::BacktestError>(&data, Timeframe::H1, 12, |slice| {
        let config = SmcConfig {
            bias_timeframe: Timeframe::H4,
            ..SmcConfig::default()
        };
        Ok(engine(slice, Box::new(SmcStrategy::new(config))))
    })
    .unwrap();
    assert_eq!(smc, vec![], "smc");
}
