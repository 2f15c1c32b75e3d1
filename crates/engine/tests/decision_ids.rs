//! Order ids stay unique when candles of several instruments close out
//! of time order (a paper session's streams interleave): the sequence of
//! a decision time carries on when the engine comes back to it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_engine::{Engine, EngineConfig, EngineInstrument};
use smc_model::{
    ApproveAll, Candle, EngineEvent, Instrument, InstrumentIndex, InstrumentSpec, Intent,
    MarketKind, OrderIntent, Side, SimClock, Size, Timeframe, Timestamp,
};
use smc_strategy::{Strategy, StrategyContext};
use std::collections::HashSet;

/// Buys one on every candle of every instrument.
struct BuyEveryCandle;

impl Strategy for BuyEveryCandle {
    fn name(&self) -> &str {
        "every"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        out.push(Intent::Place(OrderIntent::market(
            ctx.instrument_index,
            Side::Buy,
            Size::Qty(dec!(0.001)),
        )));
    }
}

fn instrument(symbol: &str) -> EngineInstrument {
    EngineInstrument {
        instrument: Instrument {
            id: format!("sim:{symbol}").parse().unwrap(),
            kind: MarketKind::Spot,
            base: symbol.into(),
            quote: "USD".into(),
            spec: InstrumentSpec::FRACTIONAL,
        },
        execution_timeframe: Timeframe::M1,
    }
}

fn bar(minute: i64) -> Candle {
    Candle {
        open_time: Timestamp::from_ms(minute * 60_000),
        open: dec!(100),
        high: dec!(101),
        low: dec!(99),
        close: dec!(100),
        volume: dec!(10),
    }
}

#[test]
fn ids_do_not_repeat_when_instruments_close_out_of_time_order() {
    for prefix in [None, Some("k3f9")] {
        let mut engine = Engine::new(
            EngineConfig::default(),
            vec![instrument("A"), instrument("B"), instrument("C")],
            Box::new(BuyEveryCandle),
            Box::new(ApproveAll::default()),
            Box::new(SimClock::default()),
        )
        .unwrap();
        if let Some(p) = prefix {
            engine.set_id_prefix(p);
        }
        let mut events: Vec<EngineEvent> = Vec::new();
        // A at minute 2, B late at minute 1, then B and C at minute 2.
        for (i, minute) in [(0, 1), (0, 2), (1, 1), (1, 2), (2, 2), (2, 1)] {
            let candle = bar(minute);
            let bar = smc_engine::MarketEvent::Bar {
                instrument: InstrumentIndex::new(i),
                timeframe: Timeframe::M1,
                candle: &candle,
            };
            engine.process(bar, &mut events).unwrap();
        }
        let ids: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                EngineEvent::OrderSubmitted { order, .. } => Some(order.client_id.to_string()),
                _ => None,
            })
            .collect();
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), 6, "{ids:?}");
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
    }
}
